/* search_query.c — readers' search text to a safe FTS5 query (see search_query.h). The text is
 * cut into terms (words, "phrases", and the word OR); every term goes out double-quoted, so FTS5
 * reads nothing in it as syntax, and the only operators ever written are OR (between two terms)
 * and the prefix star after a closing quote. */
#include "search_query.h"

#include <stdbool.h>
#include <string.h>

#include "../content/content.h"
#include "../core/buf.h"

typedef struct {
    const char *text; /* inside the quotes */
    size_t len;
    bool prefix; /* a '*' followed it */
    bool is_or;  /* the bare word OR */
} term;

/* White space and control characters separate terms. */
static bool is_separator(unsigned char c)
{
    return c <= ' ' || c == 0x7f;
}

static bool is_ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Whether the FTS5 tokenizer may find a token in s: an ASCII letter or digit, or any
 * non-ASCII character (left for the tokenizer to judge). ASCII punctuation alone has none. */
static bool has_word(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_ascii_alnum(c) || c >= 0x80) return true;
    }
    return false;
}

/* Cuts text into terms, dropping those with no word in them; returns how many (at most max,
 * then max + 1 to say there were more). */
static size_t split_terms(const char *text, term *terms, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (*p && n <= max) {
        if (is_separator((unsigned char)*p)) {
            p++;
            continue;
        }
        term t = {0};
        if (*p == '"') { /* a phrase, up to the closing quote or the end of the text */
            const char *start = ++p;
            while (*p && *p != '"')
                p++;
            t.text = start;
            t.len = (size_t)(p - start);
            if (*p == '"') p++;
        } else { /* a word, up to white space or a quote */
            const char *start = p;
            while (*p && *p != '"' && !is_separator((unsigned char)*p))
                p++;
            t.text = start;
            t.len = (size_t)(p - start);
            while (t.len > 0 && t.text[t.len - 1] == '*') {
                t.len--;
                t.prefix = true;
            }
            t.is_or = t.len == 2 && memcmp(t.text, "OR", 2) == 0 && !t.prefix;
        }
        while (*p == '*') { /* "phrase"* and word** alike */
            t.prefix = true;
            p++;
        }
        if (t.is_or || has_word(t.text, t.len)) terms[n++] = t;
    }
    return n;
}

static void put_quoted(buf *b, const term *t)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < t->len; i++) {
        if (t->text[i] == '"') buf_putc(b, '"'); /* never happens: quotes end terms */
        buf_putc(b, t->text[i]);
    }
    buf_putc(b, '"');
    if (t->prefix) buf_putc(b, '*');
}

search_query_status search_query_translate(arena *a, const char *text, const char **fts)
{
    *fts = NULL;
    if (!text) return SEARCH_QUERY_EMPTY;
    size_t len = strlen(text);
    if (len > SEARCH_QUERY_MAX_BYTES) return SEARCH_QUERY_TOO_LONG;
    if (!content_utf8_valid(text, len)) return SEARCH_QUERY_BAD_UTF8;
    bool blank = true;
    for (size_t i = 0; i < len && blank; i++)
        blank = is_separator((unsigned char)text[i]);
    if (blank) return SEARCH_QUERY_EMPTY;

    term terms[SEARCH_QUERY_MAX_TERMS * 2 + 1];
    size_t max = sizeof terms / sizeof terms[0] - 1;
    size_t n = split_terms(text, terms, max);
    if (n > max) return SEARCH_QUERY_TOO_LONG;
    /* OR is an operator only between two terms; anywhere else it is the word "or". */
    size_t words = 0;
    for (size_t i = 0; i < n; i++) {
        if (terms[i].is_or)
            terms[i].is_or = i > 0 && !terms[i - 1].is_or && i + 1 < n && !terms[i + 1].is_or;
        if (!terms[i].is_or) words++;
    }
    if (words == 0) return SEARCH_QUERY_NO_WORDS;
    if (words > SEARCH_QUERY_MAX_TERMS) return SEARCH_QUERY_TOO_LONG;

    buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (b.len) buf_putc(&b, ' ');
        if (terms[i].is_or)
            buf_puts(&b, "OR");
        else
            put_quoted(&b, &terms[i]);
    }
    *fts = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return SEARCH_QUERY_OK;
}

const char *search_query_message(search_query_status status)
{
    switch (status) {
    case SEARCH_QUERY_OK:
        return "";
    case SEARCH_QUERY_EMPTY:
        return "Type a word or two to search for.";
    case SEARCH_QUERY_NO_WORDS:
        return "Your search has no words in it: type a word or number to search for.";
    case SEARCH_QUERY_TOO_LONG:
        return "Query too long: use at most 200 characters and 32 words.";
    case SEARCH_QUERY_BAD_UTF8:
        return "Your search contains characters that are not valid UTF-8 text.";
    }
    return "Your search could not be understood.";
}
