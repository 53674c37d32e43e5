/* cookie.c — http_cookie_parse: finds one cookie in a Cookie request header (RFC 6265 5.4,
 * "a=1; b=2"), read leniently as browsers send it: pairs split on ';', spaces and tabs around
 * names and values ignored, a value in double quotes unquoted, pairs without '=' skipped, the
 * first pair of a name wins. Pure string work, so it is tested and fuzzed without a server;
 * http_cookie (server.c) calls it on the request's Cookie header. */
#include "http.h"
#include "../core/text.h"

#include <string.h>

const char *http_cookie_parse(arena *a, const char *header, const char *name)
{
    if (!header || !name || !*name) return NULL;
    size_t want = strlen(name);
    for (const char *p = header; *p;) {
        size_t n = strcspn(p, ";");
        const char *next = p[n] ? p + n + 1 : p + n;
        const char *eq = memchr(p, '=', n);
        if (eq) {
            size_t klen = (size_t)(eq - p), vlen = n - klen - 1;
            const char *key = text_trim_blanks(p, &klen), *value = text_trim_blanks(eq + 1, &vlen);
            if (klen == want && memcmp(key, name, want) == 0) {
                if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') value++, vlen -= 2;
                return arena_strndup(a, value, vlen);
            }
        }
        p = next;
    }
    return NULL;
}
