/* excerpt.c — content_excerpt: the plain text of a piece of HTML (as cmark renders it) or of
 * plain text, with tags and comments stripped, entities decoded and whitespace collapsed,
 * cut to a number of characters at a word boundary. */
#include "content.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "../core/buf.h"

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* … */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Plain text being built: a space is only written between two words. */
typedef struct {
    buf out;
    bool space;
    bool no_gt; /* no '>' is left in the input, so no '<' can open a tag any more */
} plain;

static void plain_put(plain *p, const char *s, size_t n)
{
    if (p->space && p->out.len > 0) buf_putc(&p->out, ' ');
    p->space = false;
    buf_append(&p->out, s, n);
}

/* Tags that end a block, so the text on either side of them is two words, not one. */
static bool is_block_tag(const char *name, size_t n)
{
    static const char *const blocks[] = {
        "p",     "br", "li", "ul",      "ol",         "h1",     "h2",     "h3",
        "h4",    "h5", "h6", "div",     "blockquote", "pre",    "table",  "thead",
        "tbody", "tr", "td", "th",      "hr",         "aside",  "figure", "figcaption",
        "dl",    "dt", "dd", "section", "article",    "header", "footer", "img",
    };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strlen(blocks[i]) == n && strncasecmp(blocks[i], name, n) == 0) return true;
    return false;
}

/* At s[0] == '<': the length of the tag or comment that starts there, 0 when this '<' is
 * just a character (as in "a < b"). *block tells whether it separates words. A tag ends at
 * the first '>': cmark escapes '>' inside attribute values. */
static size_t tag_length(plain *p, const char *s, bool *block)
{
    *block = true;
    if (strncmp(s, "<!--", 4) == 0) {
        const char *end = strstr(s + 4, "-->");
        return end ? (size_t)(end + 3 - s) : strlen(s);
    }
    size_t i = 1;
    if (s[i] == '/') i++;
    if (p->no_gt || (!is_alpha((unsigned char)s[i]) && s[1] != '!' && s[1] != '?')) return 0;
    size_t name = i;
    while (is_alpha((unsigned char)s[i]) || (s[i] >= '0' && s[i] <= '9'))
        i++;
    *block = is_block_tag(s + name, i - name);
    const char *gt = strchr(s + i, '>');
    if (!gt) {
        p->no_gt = true; /* remembered, so scanning stays linear */
        return 0;
    }
    return (size_t)(gt + 1 - s);
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int digit_value(char c, bool hex)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (hex && c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "&#39;" / "&#x27;": the code point, or 0 when the reference is malformed or unusable. */
static uint32_t numeric_entity(const char *s, size_t n)
{
    bool hex = n > 0 && (s[0] == 'x' || s[0] == 'X');
    size_t i = hex ? 1 : 0;
    if (i == n) return 0;
    uint32_t cp = 0;
    for (; i < n; i++) {
        int v = digit_value(s[i], hex);
        if (v < 0 || cp > 0x10FFFF) return 0;
        cp = cp * (hex ? 16 : 10) + (uint32_t)v;
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return cp;
}

/* At s[0] == '&': decodes a character reference into cp and returns its length, or 0. */
static size_t entity(const char *s, uint32_t *cp)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } named[] = {
        {"amp", '&'},       {"lt", '<'},       {"gt", '>'},       {"quot", '"'},
        {"apos", '\''},     {"nbsp", ' '},     {"ndash", 0x2013}, {"mdash", 0x2014},
        {"hellip", 0x2026}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
        {"rdquo", 0x201D},  {"laquo", 0x00AB}, {"raquo", 0x00BB}, {"copy", 0x00A9},
    };
    size_t n = 1;
    while (n < 12 && s[n] && s[n] != ';' && s[n] != '&' && !is_space((unsigned char)s[n]))
        n++;
    if (s[n] != ';' || n == 1) return 0;
    const char *name = s + 1;
    size_t len = n - 1;
    if (name[0] == '#') {
        *cp = numeric_entity(name + 1, len - 1);
        return *cp ? n + 1 : 0;
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strlen(named[i].name) == len && memcmp(named[i].name, name, len) == 0) {
            *cp = named[i].cp;
            return n + 1;
        }
    }
    return 0;
}

/* Handles the markup character at s[0] ('<' or '&'); returns the bytes consumed, 0 when it
 * is an ordinary character. */
static size_t plain_markup(plain *p, const char *s)
{
    if (s[0] == '<') {
        bool block;
        size_t n = tag_length(p, s, &block);
        if (n && block) p->space = true;
        return n;
    }
    uint32_t cp;
    size_t n = entity(s, &cp);
    if (n == 0) return 0;
    if (cp < 0x20 || cp == 0x7F || cp == ' ') {
        p->space = true;
    } else {
        char enc[4];
        plain_put(p, enc, utf8_encode(cp, enc));
    }
    return n;
}

/* Writes the plain text of s into p->out. */
static void to_plain(plain *p, const char *s)
{
    size_t i = 0;
    while (s[i]) {
        unsigned char c = (unsigned char)s[i];
        size_t n = (c == '<' || c == '&') ? plain_markup(p, s + i) : 0;
        if (n) {
            i += n;
        } else if (is_space(c)) {
            p->space = true;
            i++;
        } else if (c == 0xC2 && (unsigned char)s[i + 1] == 0xA0) { /* no-break space */
            p->space = true;
            i += 2;
        } else {
            plain_put(p, s + i, 1);
            i++;
        }
    }
}

static bool is_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Byte offset just past the first n code points of s (or its length). */
static size_t skip_chars(const char *s, size_t len, size_t n)
{
    size_t i = 0;
    while (i < len && n > 0) {
        i++;
        while (i < len && is_continuation(s[i]))
            i++;
        n--;
    }
    return i;
}

/* Length of s[0..n) without trailing spaces and dangling punctuation ("word, …"). */
static size_t trim_tail(const char *s, size_t n)
{
    for (;;) {
        if (n > 0 && memchr(" ,;:-(", s[n - 1], 6)) {
            n--;
        } else if (n >= 3 && (memcmp(s + n - 3, "\xE2\x80\x93", 3) == 0 ||
                              memcmp(s + n - 3, "\xE2\x80\x94", 3) == 0)) { /* – — */
            n -= 3;
        } else {
            return n;
        }
    }
}

char *content_excerpt(arena *a, const char *text_or_html, size_t max_chars)
{
    plain p = {.out = {0}, .space = false, .no_gt = false};
    to_plain(&p, text_or_html ? text_or_html : "");
    const char *s = p.out.data ? p.out.data : "";
    size_t len = p.out.len;
    char *result;
    if (skip_chars(s, len, max_chars) == len) {
        result = arena_strndup(a, s, len); /* short enough: unchanged */
    } else if (max_chars == 0) {
        result = arena_strdup(a, "");
    } else {
        size_t end = skip_chars(s, len, max_chars - 1); /* room for the "…" */
        if (s[end] != ' ') {
            size_t cut = end;
            while (cut > 0 && s[cut] != ' ')
                cut--;
            if (cut > 0) end = cut; /* else one long word: cut inside it */
        }
        end = trim_tail(s, end);
        result = arena_alloc(a, end + sizeof ELLIPSIS);
        memcpy(result, s, end);
        memcpy(result + end, ELLIPSIS, sizeof ELLIPSIS);
    }
    buf_free(&p.out);
    return result;
}
