/* markdown.c — Markdown to HTML with cmark-gfm (content_render_markdown), read-also
 * paragraphs turned into markers, and content_resolve_read_also, which turns the markers into
 * links each time a page is rendered.
 *
 * Read-also paragraphs are found by post-processing cmark's HTML, not the syntax tree: with
 * raw HTML disabled cmark would refuse to emit the marker comment from the tree, and its
 * renderer writes every paragraph as "<p>...</p>" on a line of its own. So a line that is
 * exactly "<p>See also: [[slug]]</p>" is a paragraph whose whole text is the read-also
 * syntax (a paragraph quoted in a blockquote counts too; one inside a tight list item, which
 * cmark renders without <p>, does not). Authors cannot forge a marker: raw HTML comes out as
 * "<!-- raw HTML omitted -->" and a '<' typed as text comes out as "&lt;". */
#include "content.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "../core/buf.h"

static const char MARKER_OPEN[] = "<!--gazette:see-also:";
static const char MARKER_CLOSE[] = "-->";
enum { SLUG_MAX_LEN = 80 };

static pthread_once_t extensions_once = PTHREAD_ONCE_INIT;

/* cmark-gfm's registration is idempotent but not thread-safe on its first call. */
static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

/* Renders markdown with the GFM extensions; the result is the caller's (cmark allocator). */
static char *render_cmark(const char *markdown, size_t len)
{
    static const char *const extensions[] = {"table", "strikethrough", "autolink", "tagfilter"};
    pthread_once(&extensions_once, register_extensions);
    /* CMARK_OPT_DEFAULT, not CMARK_OPT_UNSAFE: raw HTML is omitted, unsafe URLs dropped. */
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
        cmark_syntax_extension *ext = cmark_find_syntax_extension(extensions[i]);
        if (ext) cmark_parser_attach_syntax_extension(parser, ext);
    }
    cmark_parser_feed(parser, markdown, len);
    cmark_node *doc = cmark_parser_finish(parser);
    char *html =
        cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser));
    cmark_node_free(doc);
    cmark_parser_free(parser);
    return html;
}

/* Is the HTML line line[0..n) a read-also paragraph? If so *slug / *slug_len name the slug
 * (already checked with content_slug_is_valid). */
static bool read_also_line(const char *line, size_t n, const char **slug, size_t *slug_len)
{
    if (n < 7 || memcmp(line, "<p>", 3) != 0 || memcmp(line + n - 4, "</p>", 4) != 0) return false;
    const char *p = line + 3, *end = line + n - 4;
    if (end - p < 9 || strncasecmp(p, "see also:", 9) != 0) return false;
    p += 9;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p < 4 || memcmp(p, "[[", 2) != 0) return false;
    const char *s = p + 2, *close = s;
    while (close < end && *close != ']')
        close++;
    if (end - close < 2 || memcmp(close, "]]", 2) != 0) return false;
    for (p = close + 2; p < end && (*p == ' ' || *p == '\t');)
        p++;
    size_t len = (size_t)(close - s);
    if (p != end || len == 0 || len > SLUG_MAX_LEN) return false;
    char tmp[SLUG_MAX_LEN + 1];
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (!content_slug_is_valid(tmp)) return false;
    *slug = s;
    *slug_len = len;
    return true;
}

static void add_read_also(arena *a, content_markdown *out, const char *slug, size_t len)
{
    for (size_t i = 0; i < out->n_read_also; i++)
        if (strlen(out->read_also[i]) == len && memcmp(out->read_also[i], slug, len) == 0)
            return; /* each slug is listed once */
    out->read_also[out->n_read_also++] = arena_strndup(a, slug, len);
}

/* Copies cmark's html into out->html with read-also paragraphs replaced by markers. */
static void mark_read_also(arena *a, const char *html, content_markdown *out)
{
    size_t max = 0;
    for (const char *p = strstr(html, "[["); p; p = strstr(p + 2, "[["))
        max++;
    out->read_also = arena_alloc(a, (max ? max : 1) * sizeof *out->read_also);
    out->n_read_also = 0;
    if (max == 0) {
        out->html = arena_strdup(a, html);
        return;
    }
    buf b = {0};
    for (const char *line = html; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        const char *slug;
        size_t slug_len;
        if (read_also_line(line, n, &slug, &slug_len)) {
            buf_printf(&b, "%s%.*s%s", MARKER_OPEN, (int)slug_len, slug, MARKER_CLOSE);
            add_read_also(a, out, slug, slug_len);
        } else {
            buf_append(&b, line, n);
        }
        if (nl) buf_putc(&b, '\n');
        line += n + (nl ? 1 : 0);
    }
    out->html = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
}

bool content_render_markdown(arena *a, const char *markdown, content_markdown *out, char *err,
                             size_t errlen)
{
    if (!markdown) markdown = "";
    size_t len = strlen(markdown);
    if (!content_utf8_valid(markdown, len)) {
        if (err && errlen) snprintf(err, errlen, "the Markdown text is not valid UTF-8");
        return false;
    }
    char *html = render_cmark(markdown, len);
    mark_read_also(a, html ? html : "", out);
    if (html) cmark_get_default_mem_allocator()->free(html);
    return true;
}

/* Appends what the marker for slug[0..len) resolves to: an aside, or nothing. */
static void resolve_one(buf *b, const char *slug, size_t len, content_story_lookup lookup,
                        void *ctx)
{
    char tmp[SLUG_MAX_LEN + 1];
    if (!lookup || len == 0 || len > SLUG_MAX_LEN) return;
    memcpy(tmp, slug, len);
    tmp[len] = '\0';
    const char *headline = NULL, *url = NULL;
    if (!content_slug_is_valid(tmp) || !lookup(ctx, tmp, &headline, &url)) return;
    buf_puts(b, "<aside class=\"read-also\"><span class=\"read-also-label\">See also:</span> "
                "<a href=\"");
    if (url) buf_append_html(b, url, strlen(url));
    buf_puts(b, "\">");
    if (headline) buf_append_html(b, headline, strlen(headline));
    buf_puts(b, "</a></aside>");
}

/* Length of the slug of a marker whose slug starts at s, or -1 when no "-->" closes it within
 * the longest possible slug (then it is not a marker and is copied as it is). */
static long marker_slug_len(const char *s)
{
    for (long i = 0; i <= SLUG_MAX_LEN && s[i]; i++)
        if (strncmp(s + i, MARKER_CLOSE, 3) == 0) return i;
    return -1;
}

char *content_resolve_read_also(arena *a, const char *html, content_story_lookup lookup, void *ctx)
{
    if (!html) return arena_strdup(a, "");
    const char *m = strstr(html, MARKER_OPEN);
    if (!m) return arena_strdup(a, html); /* the common case: one copy, no buffer */
    buf b = {0};
    const char *p = html;
    for (; m; m = strstr(p, MARKER_OPEN)) {
        const char *slug = m + sizeof MARKER_OPEN - 1;
        long len = marker_slug_len(slug);
        if (len < 0) {
            buf_append(&b, p, (size_t)(slug - p));
            p = slug;
            continue;
        }
        buf_append(&b, p, (size_t)(m - p));
        resolve_one(&b, slug, (size_t)len, lookup, ctx);
        p = slug + len + sizeof MARKER_CLOSE - 1;
    }
    buf_puts(&b, p);
    char *result = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return result;
}
