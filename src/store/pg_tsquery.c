/* pg_tsquery.c — FTS5 query text to PostgreSQL tsquery text (pg_tsquery.h). One pass over the
 * input: terms (phrases and bare words) and operators alternate; the output never carries a
 * character of the input outside single quotes. */
#include "pg_tsquery.h"

#include <stdbool.h>
#include <string.h>

#include "../content/content.h"
#include "../core/buf.h"

typedef enum { TOKEN_TERM, TOKEN_AND, TOKEN_OR, TOKEN_NOT } token_kind;

typedef struct {
    const char *p; /* the next byte to read */
    buf out;
    const char *error;
} reader;

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* A byte of a bare word: what FTS5 reads as a bareword character. */
static bool is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

/* Writes text[0..n) single-quoted for to_tsquery; an empty text becomes a blank operand,
 * which to_tsquery drops as holding no word. */
static void put_operand(buf *b, const char *text, size_t n, bool prefix)
{
    buf_putc(b, '\'');
    if (n == 0) buf_putc(b, ' ');
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\'' || text[i] == '\\') buf_putc(b, '\\');
        buf_putc(b, text[i]);
    }
    buf_putc(b, '\'');
    if (prefix) buf_puts(b, ":*");
}

/* A phrase: the words before its last one are one operand (to_tsquery makes them a phrase);
 * with a prefix, the last word follows as its own operand with :* (only it is a prefix, as in
 * FTS5). */
static void put_phrase(buf *b, const char *text, size_t n, bool prefix)
{
    if (!prefix) return put_operand(b, text, n, false);
    size_t end = n;
    while (end > 0 && is_space((unsigned char)text[end - 1]))
        end--;
    size_t start = end;
    while (start > 0 && !is_space((unsigned char)text[start - 1]))
        start--;
    size_t head = start;
    while (head > 0 && is_space((unsigned char)text[head - 1]))
        head--;
    if (head > 0) {
        put_operand(b, text, head, false);
        buf_puts(b, " <-> ");
    }
    put_operand(b, text + start, end - start, true);
}

/* A double-quoted phrase from r->p (at the opening quote), "" standing for one quote. */
static bool read_phrase(reader *r, arena *a, const char **text, size_t *n)
{
    buf phrase = {0};
    const char *p = r->p + 1;
    for (;;) {
        if (!*p) {
            buf_free(&phrase);
            r->error = "a phrase has no closing quote";
            return false;
        }
        if (*p == '"') {
            if (p[1] != '"') break;
            p++;
        }
        buf_putc(&phrase, *p++);
    }
    r->p = p + 1;
    *n = phrase.len;
    *text = arena_strndup(a, phrase.data ? phrase.data : "", phrase.len);
    buf_free(&phrase);
    return true;
}

/* The next token; false at the end of the input or on an error (r->error set). */
static bool next_token(reader *r, arena *a, token_kind *kind)
{
    while (is_space((unsigned char)*r->p))
        r->p++;
    if (!*r->p) return false;
    const char *text;
    size_t n;
    if (*r->p == '"') {
        if (!read_phrase(r, a, &text, &n)) return false;
    } else if (is_word_byte((unsigned char)*r->p)) {
        text = r->p;
        while (is_word_byte((unsigned char)*r->p))
            r->p++;
        n = (size_t)(r->p - text);
        bool operator_next = *r->p != '*';
        if (operator_next && n == 3 && memcmp(text, "AND", 3) == 0) return *kind = TOKEN_AND, true;
        if (operator_next && n == 2 && memcmp(text, "OR", 2) == 0) return *kind = TOKEN_OR, true;
        if (operator_next && n == 3 && memcmp(text, "NOT", 3) == 0) return *kind = TOKEN_NOT, true;
    } else {
        r->error = *r->p == '(' || *r->p == ')'
                       ? "parentheses are not supported in a search"
                       : "a search may hold only words, \"phrases\", prefix* and AND, OR, NOT";
        return false;
    }
    bool prefix = false;
    if (*r->p == '*') {
        prefix = true;
        r->p++;
    }
    if (*r->p && !is_space((unsigned char)*r->p) && *r->p != '"') {
        r->error = "a search may hold only words, \"phrases\", prefix* and AND, OR, NOT";
        return false;
    }
    put_phrase(&r->out, text, n, prefix);
    *kind = TOKEN_TERM;
    return true;
}

const char *pg_tsquery_from_fts(arena *a, const char *fts, const char **out)
{
    *out = NULL;
    if (!fts) return "empty search query";
    if (!content_utf8_valid(fts, strlen(fts))) return "the search is not valid UTF-8 text";
    reader r = {.p = fts};
    token_kind kind, last = TOKEN_AND; /* an operator before the start: a term must come */
    bool any = false;
    while (!r.error) {
        size_t mark = r.out.len;
        if (!next_token(&r, a, &kind)) break;
        if (kind != TOKEN_TERM) {
            if (last != TOKEN_TERM) r.error = "AND, OR and NOT go between two terms";
            const char *op = kind == TOKEN_AND ? " & " : kind == TOKEN_OR ? " | " : " & !";
            buf_puts(&r.out, op);
        } else if (last == TOKEN_TERM) { /* juxtaposition: AND, written before the term */
            buf t = {0};
            buf_append(&t, r.out.data + mark, r.out.len - mark);
            r.out.len = mark;
            buf_puts(&r.out, " & ");
            buf_append(&r.out, t.data, t.len);
            buf_free(&t);
        }
        last = kind;
        any = true;
    }
    if (!r.error && !any) r.error = "empty search query";
    if (!r.error && last != TOKEN_TERM) r.error = "AND, OR and NOT go between two terms";
    if (!r.error) *out = arena_strndup(a, r.out.data, r.out.len);
    buf_free(&r.out);
    return r.error;
}
