/* fuzz_mustache.c — libFuzzer target for the Mustache engine (src/theme/mustache.c): the
 * template compiler, partials, parents and blocks, dynamic names, and rendering against JSON.
 * The input is parts separated by NUL bytes: the template, compiled as "t" (so {{>t}}
 * includes itself); the JSON data (read by jansson; when it is not JSON the render gets the
 * text as a string); then partials, each "NAME\nSOURCE", served by the loader. Any status is
 * fine; a crash, a leak, a sanitizer report, a hang or a render past the engine's limits is a
 * bug. */
#include <jansson.h>

#include "../../src/theme/mustache.h"
#include "fuzz_check.h"

enum { MAX_PARTS = 16 };

typedef struct {
    const char *names[MAX_PARTS], *sources[MAX_PARTS];
    size_t n;
} partials;

static char *load(void *data, const char *name)
{
    const partials *p = data;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0) return strdup(p->sources[i]);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    const char *parts[MAX_PARTS + 2] = {text, NULL};
    size_t n_parts = 1;
    for (char *p = text; p < text + size && n_parts < MAX_PARTS + 2; p++)
        if (*p == '\0') parts[n_parts++] = p + 1;
    partials loader = {.n = 0};
    for (size_t i = 2; i < n_parts; i++) {
        char *nl = strchr(parts[i], '\n');
        if (!nl) continue;
        *nl = '\0';
        loader.names[loader.n] = parts[i];
        loader.sources[loader.n++] = nl + 1;
    }
    json_t *view = NULL;
    if (n_parts > 1) {
        view = json_loads(parts[1], JSON_DECODE_ANY, NULL);
        if (!view) view = json_string(parts[1]); /* NULL for invalid UTF-8: renders on null */
    }

    mustache_set *set = mustache_set_new(load, &loader);
    mustache_error err;
    mustache_template *t = mustache_compile(set, "t", parts[0], &err);
    if (t) {
        FUZZ_CHECK(err.status == MUSTACHE_OK);
        buf out = {0};
        mustache_status st = mustache_render(t, view, &out);
        FUZZ_CHECK(st == MUSTACHE_OK || st == MUSTACHE_ERR_DEPTH || st == MUSTACHE_ERR_LIMIT);
        FUZZ_CHECK(out.data != NULL && strlen(out.data) <= out.len);
        FUZZ_CHECK(out.len <=
                   2 * (size_t)MUSTACHE_MAX_OUTPUT); /* one line past the limit at most */
        buf_free(&out);
    } else {
        FUZZ_CHECK(err.status == MUSTACHE_ERR_SYNTAX && err.message[0] != '\0' && err.line >= 0);
    }
    /* a partial asked for by name, as the theme does with its page templates */
    if (loader.n) {
        mustache_template *p = mustache_get(set, loader.names[0], &err);
        if (p) {
            buf out = {0};
            mustache_render(p, view, &out);
            buf_free(&out);
        }
    }
    mustache_set_free(set);
    json_decref(view);
    free(text);
    return 0;
}
