/* render.c — a comment's plain text to safe HTML: every character escaped, blank lines start a
 * new <p>, single newlines become <br>, and bare http(s) URLs become nofollow links. Only ASCII
 * bytes end a URL or get trimmed from it, so valid UTF-8 in gives valid UTF-8 out. */
#include "comments.h"

#include <string.h>
#include <strings.h>

#include "../core/buf.h"

/* Bytes that may appear in a linked URL: printable ASCII except quotes, angle brackets,
 * backtick and backslash (a URL ends at whitespace, any of those, or any non-ASCII byte). */
static bool url_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7F && !strchr("<>\"'`\\", c);
}

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether s[0..n) (the URL after "scheme://") starts with a host ([A-Za-z0-9.-] from an
 * alphanumeric, or [IPv6]) and an optional :port, followed by the end, '/', '?' or '#'. */
static bool authority_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (s[0] == '[') {
        for (i = 1; i < n && (is_alnum((unsigned char)s[i]) || s[i] == ':' || s[i] == '.'); i++) {
        }
        if (i == 1 || i == n || s[i] != ']') return false;
        i++;
    } else {
        if (!is_alnum((unsigned char)s[0])) return false;
        while (i < n && (is_alnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '-'))
            i++;
    }
    if (i < n && s[i] == ':') {
        size_t digits = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
        if (digits == 0 || digits > 5) return false;
    }
    return i == n || s[i] == '/' || s[i] == '?' || s[i] == '#';
}

/* Length of the URL starting at s[0..n), or 0 when none starts there. Trailing .,;:!? are left
 * out, and so is a trailing ')' that does not close a '(' inside the URL. A URL with a bad host
 * or port, or with "javascript:" anywhere in it, is not linked. */
static size_t url_length(const char *s, size_t n)
{
    size_t scheme = 0;
    if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
        scheme = 8;
    else if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
        scheme = 7;
    if (!scheme || scheme >= n) return 0;
    size_t end = scheme, open = 0, close = 0;
    while (end < n && url_byte((unsigned char)s[end])) {
        open += s[end] == '(';
        close += s[end] == ')';
        end++;
    }
    while (end > scheme) {
        char c = s[end - 1];
        if (c == ')' && close > open) {
            close--;
        } else if (!strchr(".,;:!?", c)) {
            break;
        }
        end--;
    }
    if (end == scheme || !authority_ok(s + scheme, end - scheme)) return 0;
    for (size_t i = scheme; i + 11 <= end; i++) /* "http://x/?go=javascript:..." stays text */
        if (strncasecmp(s + i, "javascript:", 11) == 0) return 0;
    return end;
}

/* One line of text (no newline) with its URLs made links. */
static void render_line(buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != 'h' && s[i] != 'H') continue;
        size_t len = url_length(s + i, n - i);
        if (!len) continue;
        buf_append_html(b, s + start, i - start);
        buf_puts(b, "<a href=\"");
        buf_append_html(b, s + i, len);
        buf_puts(b, "\" rel=\"nofollow ugc noopener\">");
        buf_append_html(b, s + i, len);
        buf_puts(b, "</a>");
        i += len - 1;
        start = i + 1;
    }
    buf_append_html(b, s + start, n - start);
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return false;
    return true;
}

char *comment_render_html(arena *a, const char *text)
{
    buf b = {0};
    bool in_paragraph = false;
    const char *p = text ? text : "";
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        if (is_blank(p, n)) {
            if (in_paragraph) buf_puts(&b, "</p>\n");
            in_paragraph = false;
        } else {
            buf_puts(&b, in_paragraph ? "<br>\n" : "<p>");
            in_paragraph = true;
            render_line(&b, p, n);
        }
        p += n;
        if (*p == '\r' && p[1] == '\n') p++; /* CRLF is one line break */
        if (*p) p++;
    }
    if (in_paragraph) buf_puts(&b, "</p>\n");
    char *out = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return out;
}
