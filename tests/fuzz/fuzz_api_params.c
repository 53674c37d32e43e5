/* fuzz_api_params.c — libFuzzer target for the content API's arguments (src/api/api_params.c).
 * The whole input is tried as a cursor, a since= time and an Origin; before its first newline
 * it is also an api_cors_origins list for the text after it. Checks: a cursor that parses is
 * made again into the very same text (one cursor per place in the list) and names an id of at
 * least 1; a since= that parses lies between 1970 and 9999; a made cursor always parses back;
 * an origin is allowed only by a list naming it or "*". */
#include "../../src/api/api_params.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    arena *a = arena_new();
    long long published, id, again_published, again_id, since;
    if (api_cursor_parse(text, &published, &id)) {
        FUZZ_CHECK(id >= 1);
        FUZZ_CHECK(strcmp(api_cursor_make(a, published, id), text) == 0);
    }
    if (api_since_parse(text, &since)) {
        FUZZ_CHECK(since >= 0 && since <= 253402300799LL);
        char *made = api_cursor_make(a, since, since + 1);
        FUZZ_CHECK(api_cursor_parse(made, &again_published, &again_id));
        FUZZ_CHECK(again_published == since && again_id == since + 1);
    }
    char *nl = strchr(text, '\n');
    if (nl) {
        *nl = '\0';
        const char *list = text, *origin = nl + 1;
        bool allowed = api_origin_allowed(list, origin);
        FUZZ_CHECK(!allowed || strstr(list, "*") || (*origin && strstr(list, origin)));
    }
    FUZZ_CHECK(!api_origin_allowed(NULL, text) && !api_origin_allowed(text, ""));
    arena_free(a);
    free(text);
    return 0;
}
