/* fuzz_pg_location.c — libFuzzer target for the redaction of PostgreSQL locations
 * (src/store/pg_open.c: pg_redact_location, pg_redact_message), what keeps a password out of
 * every message Gazette prints. The input's first line is a location (a postgres:// URI or a
 * key=value string), the rest a message. Checked: the redacted location always fits the buffer
 * (of every size from 0 to 300) and is NUL-terminated; a URI password that occurs once in the
 * location is not in its redacted form; after pg_redact_message, neither that password nor the
 * one libpq reads from the location is left in the message (unless made of '*'). */
#include "../../src/store/pg_core.h"
#include "fuzz_check.h"

#include <libpq-fe.h>

/* The text between "user:" and '@' of a URI, as pg_open.c finds it; NULL when none. */
static char *uri_password(const char *location)
{
    const char *p = strstr(location, "://");
    if (!p) return NULL;
    p += 3;
    size_t host_end = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < host_end; i++)
        if (p[i] == '@') at = p + i;
    const char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
    if (!colon || at == colon + 1) return NULL;
    size_t n = (size_t)(at - colon - 1);
    char *out = malloc(n + 1);
    FUZZ_CHECK(out != NULL);
    memcpy(out, colon + 1, n);
    out[n] = '\0';
    return out;
}

static size_t occurrences(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *p = strstr(text, part); p; p = strstr(p + 1, part))
        n++;
    return n;
}

static bool checkable(const char *secret)
{
    return secret && *secret && !strchr(secret, '*');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = fuzz_cstr(data, size);
    char *newline = strchr(input, '\n');
    char *message = newline ? newline + 1 : input + strlen(input);
    if (newline) *newline = '\0';
    const char *location = input;

    char out[300];
    for (size_t n = 0; n <= sizeof out; n += n < 40 ? 1 : 37) {
        memset(out, 'Z', sizeof out);
        pg_redact_location(location, out, n);
        if (n) FUZZ_CHECK(memchr(out, '\0', n) != NULL);
        if (n < sizeof out) FUZZ_CHECK(out[n] == 'Z');
    }
    char *raw = uri_password(location);
    char *full = malloc(strlen(location) * 2 + 16);
    FUZZ_CHECK(full != NULL);
    pg_redact_location(location, full, strlen(location) * 2 + 16);
    if (checkable(raw) && occurrences(location, raw) == 1) FUZZ_CHECK(!strstr(full, raw));

    char *said = malloc(strlen(message) + strlen(location) + 2);
    FUZZ_CHECK(said != NULL);
    sprintf(said, "%s %s", message, location);
    pg_redact_message(location, said);
    if (checkable(raw)) FUZZ_CHECK(!strstr(said, raw));
    PQconninfoOption *opts = PQconninfoParse(location, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && checkable(o->val))
            FUZZ_CHECK(!strstr(said, o->val));
    }
    PQconninfoFree(opts);
    free(said);
    free(full);
    free(raw);
    free(input);
    return 0;
}
