/* fuzz_cookie.c — libFuzzer target for the Cookie header parser http_cookie_parse
 * (src/http/cookie.c), which http_cookie uses for every request. The input's first line is
 * the cookie name to look for, the rest the header; the comment form's "gz_nonce" is looked
 * up too. Checks: a value found is a piece of the header without ';' and with no blank at
 * either end. */
#include "../../src/http/http.h"
#include "fuzz_check.h"

static void check(arena *a, const char *header, const char *name)
{
    const char *v = http_cookie_parse(a, header, name);
    if (!v) return;
    size_t n = strlen(v);
    FUZZ_CHECK(n <= strlen(header) && !strchr(v, ';'));
    FUZZ_CHECK(n == 0 || (v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t') ||
               strchr(header, '"'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char *nl = strchr(text, '\n');
    const char *name = "session", *header = text;
    if (nl) {
        *nl = '\0';
        name = text;
        header = nl + 1;
    }
    arena *a = arena_new();
    check(a, header, name);
    check(a, header, "gz_nonce");
    check(a, text, "gz_nonce");
    FUZZ_CHECK(http_cookie_parse(a, NULL, name) == NULL);
    FUZZ_CHECK(http_cookie_parse(a, header, "") == NULL);
    arena_free(a);
    free(text);
    return 0;
}
