/* fuzz_wxr.c — libFuzzer target for the WordPress import's readers: the streaming WXR reader
 * (src/import/wxr_reader.c: the input as an export file, every element handed out and its
 * fields read, whatever the bytes), the keys of old links and the export dates
 * (src/content/wordpress.c). Checks: the reader ends (0) or stops with a message (-1), never
 * both; a link key is NULL or an absolute path with no control character, no "//", no
 * trailing '/' but the root's, and a query only of the form "/?name=value". */
#include <unistd.h>

#include "../../src/content/wordpress.h"
#include "../../src/import/wxr_reader.h"
#include "fuzz_check.h"

static void check_key(const char *key)
{
    if (!key) return;
    size_t n = strlen(key);
    FUZZ_CHECK(n >= 1 && key[0] == '/');
    const char *q = strchr(key, '?');
    size_t path_len = q ? (size_t)(q - key) : n;
    FUZZ_CHECK(!q || path_len == 1);
    FUZZ_CHECK(path_len == 1 || key[path_len - 1] != '/');
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK((unsigned char)key[i] >= 0x20 && key[i] != 0x7f);
        FUZZ_CHECK(i >= path_len || i == 0 || !(key[i] == '/' && key[i - 1] == '/'));
    }
}

static void read_export(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz_wxr.XXXXXX";
    int fd = mkstemp(path);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    close(fd);
    char err[256];
    wxr_reader *r = wxr_open(path, err, sizeof err);
    if (r) {
        arena *a = arena_new();
        xmlNode *n;
        long line;
        int rc, count = 0;
        while ((rc = wxr_next(r, &n, &line)) == 1 && count++ < 1000) {
            FUZZ_CHECK(n != NULL);
            const char *link = wxr_child(a, n, WXR_NS_NONE, "link");
            check_key(content_redirect_key(a, link, true));
            wxr_child(a, n, WXR_NS_WP, "post_id");
            wxr_child(a, n, WXR_NS_CONTENT, "encoded");
            arena_reset(a);
        }
        FUZZ_CHECK(rc != -1 || wxr_error(r)[0] != '\0');
        arena_free(a);
        wxr_close(r);
    }
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    arena *a = arena_new();
    check_key(content_redirect_key(a, text, true));
    check_key(content_redirect_key(a, text, false));
    long long t;
    content_wp_time_utc(text, &t);
    arena_free(a);
    free(text);
    read_export(data, size);
    return 0;
}
