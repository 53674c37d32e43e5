/* surrogate_keys.c — a page's cache tags as the keys a CDN purges by. Every answer the page
 * cache may keep names what it shows ("a:12", "home", "t:city-hall"); the server sends those
 * names in `Surrogate-Key` and `xkey` (one header line each, the same space-separated keys),
 * and the Varnish purger (varnish_purge.c) names the same keys in `xkey-purge` when the pages
 * change. A key is the tag with every byte that could split it or break the header (space,
 * comma, controls, CR/LF, DEL, non-ASCII) and '%' itself written as %HH: both sides escape
 * alike, so a key always matches its tag. */
#include "http.h"

#include <string.h>

static bool key_byte_is_plain(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '%' && c != ',';
}

void http_surrogate_key_append(buf *out, const char *tag)
{
    static const char hex[] = "0123456789ABCDEF";
    if (out->len) buf_putc(out, ' ');
    for (const unsigned char *p = (const unsigned char *)tag; *p; p++) {
        if (key_byte_is_plain(*p)) {
            buf_putc(out, (char)*p);
        } else {
            char escaped[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(out, escaped, 3);
        }
    }
}

void http_add_surrogate_keys(arena *a, http_response *res)
{
    if (res->status != 200 || !res->n_cache_tags) return;
    buf keys = {0};
    for (size_t i = 0; i < res->n_cache_tags; i++)
        if (res->cache_tag_names[i]) http_surrogate_key_append(&keys, res->cache_tag_names[i]);
    if (keys.len) {
        const char *text = arena_strndup(a, keys.data, keys.len);
        /* both or neither: a full header list drops the pair (the page then expires by age) */
        if (res->n_headers + 2 <= HTTP_MAX_HEADERS) {
            http_set_header(res, "Surrogate-Key", text);
            http_set_header(res, "xkey", text);
        }
    }
    buf_free(&keys);
}
