/* fuzz_markdown.c — libFuzzer target for the Markdown-to-page pipeline: content_render_markdown
 * (cmark-gfm plus read-also paragraphs, "See also: [[slug]]", src/content/markdown.c),
 * content_resolve_read_also (markers to links) and content_excerpt (src/content/excerpt.c) on
 * both the HTML and the raw text. The input is the Markdown; its first byte also picks the
 * excerpt length. Checks: read-also slugs are valid, the excerpt of valid UTF-8 is valid UTF-8
 * of at most the asked number of characters. */
#include "../../src/content/content.h"
#include "fuzz_check.h"

/* Every other slug "exists", with a headline and URL that need escaping. */
static bool lookup(void *ctx, const char *slug, const char **headline, const char **url)
{
    (void)ctx;
    if (strlen(slug) % 2) return false;
    *headline = "<b>\"Harbour\" & 'bridge'</b>";
    *url = strlen(slug) % 4 ? NULL : "/news/x/?a=1&b=\"2\"";
    return true;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void check_excerpt(arena *a, const char *text, size_t max, bool valid)
{
    char *e = content_excerpt(a, text, max);
    FUZZ_CHECK(e != NULL);
    if (valid) {
        FUZZ_CHECK(content_utf8_valid(e, strlen(e)));
        FUZZ_CHECK(code_points(e) <= max);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    size_t max = size ? data[0] % 200 : 0;
    bool valid = content_utf8_valid(text, strlen(text));
    arena *a = arena_new();
    content_markdown md;
    char err[128];
    if (content_render_markdown(a, text, &md, err, sizeof err)) {
        FUZZ_CHECK(valid && md.html != NULL);
        for (size_t i = 0; i < md.n_read_also; i++)
            FUZZ_CHECK(content_slug_is_valid(md.read_also[i]));
        char *page = content_resolve_read_also(a, md.html, lookup, NULL);
        FUZZ_CHECK(page != NULL && strstr(page, "<!--gazette:see-also:") == NULL);
        char *none = content_resolve_read_also(a, md.html, NULL, NULL);
        FUZZ_CHECK(none != NULL);
        check_excerpt(a, md.html, max, true);
        check_excerpt(a, page, max, true);
    } else {
        FUZZ_CHECK(!valid && err[0] != '\0');
    }
    /* the raw input too: excerpts are also made of plain text, and markers may be forged */
    check_excerpt(a, text, max, valid);
    FUZZ_CHECK(content_resolve_read_also(a, text, lookup, NULL) != NULL);
    arena_free(a);
    free(text);
    return 0;
}
