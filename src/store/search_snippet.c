/* search_snippet.c — the passage shown under a search result, made from a story's indexed text
 * without asking FTS5 again (its snippet() re-runs the whole query for each hit: most of a
 * search's time at 100,000 stories). Words are compared the way the index tokenizer
 * (unicode61, remove_diacritics 2) sees them: runs of letters and digits, case-folded, accents
 * removed. */
#include "search_snippet.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../content/content.h"

typedef struct {
    const char *text; /* where the word is in the original text */
    size_t len;
    const char *folded; /* the word as the index sees it (arena, or text itself) */
    size_t folded_len;
} word;

typedef struct {
    word *words;
    size_t n, cap;
} word_list;

/* Folds one word: ASCII by lowering, the rest through utf8proc. */
static void fold_word(arena *a, word *w)
{
    bool ascii = true, upper = false;
    for (size_t i = 0; i < w->len && ascii; i++) {
        ascii = (unsigned char)w->text[i] < 0x80;
        upper |= w->text[i] >= 'A' && w->text[i] <= 'Z';
    }
    if (ascii && !upper) { /* most words: already as the index sees them (not NUL-ended) */
        w->folded = w->text;
        w->folded_len = w->len;
        return;
    }
    if (ascii) {
        char *f = arena_alloc(a, w->len + 1);
        for (size_t i = 0; i < w->len; i++) {
            char c = w->text[i];
            f[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        f[w->len] = '\0';
        w->folded = f;
        w->folded_len = w->len;
        return;
    }
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)w->text, (utf8proc_ssize_t)w->len, &mapped,
                     UTF8PROC_CASEFOLD | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
    if (n >= 0 && mapped) {
        w->folded = arena_strndup(a, (const char *)mapped, (size_t)n);
        w->folded_len = (size_t)n;
    } else { /* invalid UTF-8 never reaches the index; keep the bytes as they are */
        w->folded = arena_strndup(a, w->text, w->len);
        w->folded_len = w->len;
    }
    free(mapped);
}

static void split_words(arena *a, const char *text, size_t len, word_list *out)
{
    size_t i = 0;
    const char *start = NULL;
    while (i <= len) {
        utf8proc_int32_t cp = -1;
        utf8proc_ssize_t step = 1;
        if (i < len && (unsigned char)text[i] < 0x80) {
            cp = (unsigned char)text[i]; /* ASCII: no decoding */
        } else if (i < len) {
            step = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i),
                                    &cp);
            if (step < 1) step = 1, cp = -1;
        }
        bool inside = i < len && cp >= 0 && content_is_word_codepoint(cp);
        if (inside && !start) start = text + i;
        if (!inside && start) {
            if (out->n == out->cap)
                out->words = arena_grow(a, out->words, &out->cap, out->n, sizeof *out->words);
            word *w = &out->words[out->n++];
            w->text = start;
            w->len = (size_t)(text + i - start);
            fold_word(a, w);
            start = NULL;
        }
        i += (size_t)step;
    }
}

/* One phrase of the query: its folded words; prefix when it ended in *. */
typedef struct {
    word_list words;
    bool prefix;
} phrase;

static void parse_phrase(arena *a, const char *quoted, phrase *p)
{
    memset(p, 0, sizeof *p);
    size_t len = strlen(quoted);
    if (len && quoted[len - 1] == '*') p->prefix = true, len--;
    if (len >= 2 && quoted[0] == '"' && quoted[len - 1] == '"') quoted++, len -= 2;
    /* a doubled quote inside is one quote: not a word character, so splitting ignores it */
    split_words(a, quoted, len, &p->words);
}

static bool word_matches(const word *w, const word *q, bool prefix)
{
    if (prefix)
        return w->folded_len >= q->folded_len && !memcmp(w->folded, q->folded, q->folded_len);
    return w->folded_len == q->folded_len && !memcmp(w->folded, q->folded, q->folded_len);
}

/* Marks in hit[] the words of text that belong to a match of a phrase, and sets bit k of
 * phrase_bits[i] when a match of phrase k starts at word i. */
static void find_matches(const word_list *text, const phrase *phrases, size_t n_phrases, bool *hit,
                         unsigned long long *phrase_bits)
{
    for (size_t i = 0; i < text->n; i++)
        for (size_t k = 0; k < n_phrases; k++) {
            const word_list *q = &phrases[k].words;
            if (!q->n || i + q->n > text->n) continue;
            size_t j = 0;
            while (j < q->n && word_matches(&text->words[i + j], &q->words[j],
                                            phrases[k].prefix && j + 1 == q->n))
                j++;
            if (j < q->n) continue;
            for (j = 0; j < q->n; j++)
                hit[i + j] = true;
            if (k < 64) phrase_bits[i] |= 1ull << k;
        }
}

static int popcount(unsigned long long v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

typedef struct {
    const char *text;
    size_t len;
    word_list words;
    bool *hit;
    size_t start, end; /* the chosen window of words */
    long score;
} column_snippet;

/* Picks the window of at most max_words words with the most distinct phrases, then the most
 * matches; the earliest such. Its score is 0 when nothing matched. */
static void choose_window(arena *a, column_snippet *c, const phrase *phrases, size_t n_phrases,
                          size_t max_words)
{
    size_t n = c->words.n;
    c->hit = arena_alloc(a, (n ? n : 1) * sizeof *c->hit);
    unsigned long long *bits = arena_alloc(a, (n ? n : 1) * sizeof *bits);
    memset(c->hit, 0, (n ? n : 1) * sizeof *c->hit);
    memset(bits, 0, (n ? n : 1) * sizeof *bits);
    find_matches(&c->words, phrases, n_phrases, c->hit, bits);
    c->start = 0;
    c->end = n < max_words ? n : max_words;
    c->score = 0;
    for (size_t s = 0; s < n; s++) {
        if (!bits[s]) continue; /* windows worth trying start at a match */
        unsigned long long seen = 0;
        long matches = 0;
        size_t e = s + max_words < n ? s + max_words : n;
        for (size_t i = s; i < e; i++)
            if (bits[i]) seen |= bits[i], matches++;
        long score = popcount(seen) * 1000L + matches;
        if (score > c->score) {
            c->score = score;
            size_t lead_in = max_words / 6; /* a few words of context before the match */
            c->start = s > lead_in ? s - lead_in : 0;
            c->end = c->start + max_words < n ? c->start + max_words : n;
            if (c->end - c->start < max_words) /* near the end: fill the window backwards */
                c->start = c->end > max_words ? c->end - max_words : 0;
        }
    }
}

static void write_window(const column_snippet *c, buf *out)
{
    const word *w = c->words.words;
    if (c->start >= c->end) {
        buf_append_html(out, c->text, c->len);
        return;
    }
    if (c->start > 0) buf_puts(out, "\xE2\x80\xA6");
    const char *at = c->start ? w[c->start].text : c->text; /* keep opening punctuation */
    for (size_t i = c->start; i < c->end; i++) {
        if (!c->hit[i]) continue;
        size_t j = i;
        while (j + 1 < c->end && c->hit[j + 1])
            j++;
        buf_append_html(out, at, (size_t)(w[i].text - at));
        buf_puts(out, "<mark>");
        buf_append_html(out, w[i].text, (size_t)(w[j].text + w[j].len - w[i].text));
        buf_puts(out, "</mark>");
        at = w[j].text + w[j].len;
        i = j;
    }
    const char *stop = w[c->end - 1].text + w[c->end - 1].len;
    if (c->end == c->words.n) stop = c->text + c->len; /* keep the closing punctuation */
    buf_append_html(out, at, (size_t)(stop - at));
    if (c->end < c->words.n) buf_puts(out, "\xE2\x80\xA6");
}

const char *search_snippet_html(arena *a, const char *const *columns, size_t n_columns,
                                const char *const *phrases, size_t n_phrases, size_t max_words)
{
    phrase *parsed = arena_alloc(a, (n_phrases ? n_phrases : 1) * sizeof *parsed);
    for (size_t k = 0; k < n_phrases; k++)
        parse_phrase(a, phrases[k], &parsed[k]);
    column_snippet best = {0};
    bool have = false;
    for (size_t i = 0; i < n_columns; i++) {
        if (!columns[i] || !*columns[i]) continue;
        column_snippet c = {.text = columns[i], .len = strlen(columns[i])};
        split_words(a, c.text, c.len, &c.words);
        choose_window(a, &c, parsed, n_phrases, max_words ? max_words : 1);
        if (!have || c.score > best.score) best = c, have = true;
    }
    if (!have) return "";
    buf out = {0};
    write_window(&best, &out);
    const char *html = arena_strndup(a, out.data ? out.data : "", out.len);
    buf_free(&out);
    return html;
}
