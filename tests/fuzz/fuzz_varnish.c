/* fuzz_varnish.c — libFuzzer target for the Varnish node list parser varnish_nodes_add
 * (src/http/varnish_purge.c: `--varnish` and the setting varnish_urls) and the surrogate key
 * escaper http_surrogate_key_append (src/http/surrogate_keys.c). The input is a node list, then
 * itself as a cache tag. Checks: an accepted list gives http(s) URLs of visible ASCII without
 * separators or user info, never more than VARNISH_MAX_NODES, never twice the same; a refused one
 * leaves the nodes as they were, with a message; a key is visible ASCII with no ',' and no '%' that
 * does not start an escape, and decodes back to the tag. */
#include "../../src/http/http.h"
#include "../../src/http/varnish_purge.h"
#include "fuzz_check.h"

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_nodes(const char *list)
{
    varnish_nodes nodes = {0}, before;
    char err[256] = "";
    FUZZ_CHECK(varnish_nodes_add(&nodes, "http://127.0.0.1:6081", err, sizeof err));
    before = nodes;
    if (!varnish_nodes_add(&nodes, list, err, sizeof err)) {
        FUZZ_CHECK(err[0] && memcmp(&nodes, &before, sizeof nodes) == 0);
        return;
    }
    FUZZ_CHECK(nodes.n >= 1 && nodes.n <= VARNISH_MAX_NODES);
    for (size_t i = 0; i < nodes.n; i++) {
        const char *url = nodes.urls[i];
        FUZZ_CHECK(strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0);
        for (const char *p = url; *p; p++)
            FUZZ_CHECK(*p > 0x20 && *p < 0x7f && *p != ',');
        const char *host = url + (url[4] == 's' ? 8 : 7);
        FUZZ_CHECK(!memchr(host, '@', strcspn(host, "/?#"))); /* no user name or password */
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(url, nodes.urls[j]) != 0);
    }
}

static void check_key(const char *tag)
{
    buf key = {0};
    http_surrogate_key_append(&key, tag);
    size_t at = 0;
    for (size_t i = 0; i < key.len; i++) {
        char c = key.data[i];
        FUZZ_CHECK(c > 0x20 && c < 0x7f && c != ',');
        if (c == '%') {
            FUZZ_CHECK(i + 2 < key.len);
            int hi = hex_value(key.data[i + 1]), lo = hi < 0 ? -1 : hex_value(key.data[i + 2]);
            FUZZ_CHECK(hi >= 0 && lo >= 0);
            FUZZ_CHECK((unsigned char)tag[at++] == (unsigned)(hi * 16 + lo));
            i += 2;
        } else {
            FUZZ_CHECK(tag[at++] == c);
        }
    }
    FUZZ_CHECK(tag[at] == '\0');
    buf_free(&key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    check_nodes(text);
    check_key(text);
    free(text);
    return 0;
}
