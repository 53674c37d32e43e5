/* analyze.c — text analysis for the related-stories engine: decodes UTF-8 with utf8proc while
 * skipping HTML tags and decoding the common entities, splits words on Unicode categories
 * (letters, marks and digits form words; an apostrophe between two word characters joins),
 * case-folds (NFC + case folding), drops stop words (English only), stems with libstemmer and
 * emits runs of two to five capitalised words as name terms ("#maria zakharova"). One
 * analyzer holds one stemmer and scratch buffers, so it is not thread-safe. */
#include <libstemmer.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../content/content.h"

#include "internal.h"
#include "related.h"

enum { NAME_MIN_WORDS = 2, NAME_MAX_WORDS = 5 };

typedef struct {
    char *data;
    size_t len, cap;
} strbuf;

struct related_analyzer {
    struct sb_stemmer *stemmer;
    bool english;
    strbuf word;   /* the current word as written (UTF-8) */
    strbuf folded; /* the current word case-folded */
    strbuf name;   /* the current run of capitalised words, folded, joined by spaces */
    size_t name_words;
};

/* The state of one related_analyze call. */
typedef struct {
    related_analyzer *an;
    const char *s;
    size_t n, i;
    bool capital;   /* the current word starts with an uppercase letter */
    bool separated; /* punctuation (not just spaces) since the previous word */
    void (*emit)(void *ctx, const char *term, size_t len);
    void *ctx;
} scan;

static void sb_append(strbuf *b, const void *bytes, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            fputs("related: out of memory\n", stderr);
            abort();
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static bool english_name(const char *language)
{
    return strcmp(language, "english") == 0 || strcmp(language, "en") == 0 ||
           strcmp(language, "eng") == 0;
}

related_analyzer *related_analyzer_new(const char *language, char *err, size_t errlen)
{
    if (!language) language = "";
    struct sb_stemmer *st = sb_stemmer_new(language, "UTF_8");
    if (!st) {
        if (err && errlen) snprintf(err, errlen, "unknown language for stemming: '%s'", language);
        return NULL;
    }
    related_analyzer *an = calloc(1, sizeof *an);
    if (!an) {
        sb_stemmer_delete(st);
        if (err && errlen) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    an->stemmer = st;
    an->english = english_name(language);
    return an;
}

void related_analyzer_free(related_analyzer *an)
{
    if (!an) return;
    sb_stemmer_delete(an->stemmer);
    free(an->word.data);
    free(an->folded.data);
    free(an->name.data);
    free(an);
}

/* ---- Decoding: UTF-8, tags and entities ---------------------------------------------- */

static int32_t entity(const char *s, size_t n, size_t *i)
{
    static const struct {
        const char *name;
        int32_t cp;
    } named[] = {{"amp;", '&'},      {"lt;", '<'},      {"gt;", '>'},       {"quot;", '"'},
                 {"apos;", '\''},    {"nbsp;", ' '},    {"rsquo;", 0x2019}, {"lsquo;", 0x2018},
                 {"mdash;", 0x2014}, {"ndash;", 0x2013}};
    size_t at = *i + 1;
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        size_t len = strlen(named[k].name);
        if (at + len <= n && memcmp(s + at, named[k].name, len) == 0) {
            *i = at + len;
            return named[k].cp;
        }
    }
    if (at < n && s[at] == '#') {
        bool hex = at + 1 < n && (s[at + 1] == 'x' || s[at + 1] == 'X');
        size_t j = at + 1 + hex;
        long cp = 0;
        while (j < n && j < at + 10 && s[j] != ';') {
            int d = s[j] >= '0' && s[j] <= '9'          ? s[j] - '0'
                    : hex && s[j] >= 'a' && s[j] <= 'f' ? s[j] - 'a' + 10
                    : hex && s[j] >= 'A' && s[j] <= 'F' ? s[j] - 'A' + 10
                                                        : -1;
            if (d < 0) break;
            cp = cp * (hex ? 16 : 10) + d;
            j++;
        }
        if (j < n && s[j] == ';' && j > at + 1 + hex && utf8proc_codepoint_valid(cp)) {
            *i = j + 1;
            return (int32_t)cp;
        }
    }
    *i = at;
    return '&';
}

static bool tag_start(const char *s, size_t n, size_t i)
{
    if (s[i] != '<' || i + 1 >= n) return false;
    unsigned char d = (unsigned char)s[i + 1];
    return ((d | 0x20) >= 'a' && (d | 0x20) <= 'z') || d == '/' || d == '!' || d == '?';
}

/* The next code point at *i, advancing; a tag reads as a space. -1 at the end. */
static int32_t next_cp(const char *s, size_t n, size_t *i)
{
    if (*i >= n) return -1;
    if (tag_start(s, n, *i)) {
        const char *end = memchr(s + *i, '>', n - *i);
        *i = end ? (size_t)(end - s) + 1 : n;
        return ' ';
    }
    if (s[*i] == '&') return entity(s, n, i);
    utf8proc_int32_t cp;
    utf8proc_ssize_t len =
        utf8proc_iterate((const utf8proc_uint8_t *)s + *i, (utf8proc_ssize_t)(n - *i), &cp);
    if (len <= 0) {
        (*i)++;
        return ' ';
    }
    *i += (size_t)len;
    return cp;
}

static bool space_cp(int32_t cp)
{
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f') return true;
    return cp >= 128 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* ---- Words ---------------------------------------------------------------------------- */

/* Case-folds an.word into an.folded (ASCII fast path, else utf8proc NFC + case fold). */
static void fold_word(related_analyzer *an)
{
    an->folded.len = 0;
    bool ascii = true;
    for (size_t k = 0; k < an->word.len; k++)
        if ((unsigned char)an->word.data[k] >= 128) ascii = false;
    if (ascii) {
        sb_append(&an->folded, an->word.data, an->word.len);
        for (size_t k = 0; k < an->folded.len; k++)
            if (an->folded.data[k] >= 'A' && an->folded.data[k] <= 'Z') an->folded.data[k] += 32;
        return;
    }
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t len =
        utf8proc_map((const utf8proc_uint8_t *)an->word.data, (utf8proc_ssize_t)an->word.len, &out,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (len >= 0)
        sb_append(&an->folded, out, (size_t)len);
    else
        sb_append(&an->folded, an->word.data, an->word.len);
    free(out);
}

static void flush_name(scan *sc)
{
    related_analyzer *an = sc->an;
    if (an->name_words >= NAME_MIN_WORDS && an->name_words <= NAME_MAX_WORDS)
        sc->emit(sc->ctx, an->name.data, an->name.len);
    an->name.len = 0;
    an->name_words = 0;
}

static void add_to_name(related_analyzer *an)
{
    size_t len = an->folded.len;
    if (len > 2 && memcmp(an->folded.data + len - 2, "'s", 2) == 0) len -= 2;
    sb_append(&an->name, an->name_words ? " " : "#", 1);
    sb_append(&an->name, an->folded.data, len);
    an->name_words++;
}

static void finish_word(scan *sc)
{
    related_analyzer *an = sc->an;
    while (an->word.len && an->word.data[an->word.len - 1] == '\'')
        an->word.len--;
    if (an->word.len == 0) return;
    fold_word(an);
    bool stop = an->english && related_english_stopword(an->folded.data, an->folded.len);
    bool joins = sc->capital && !stop;
    if (!joins || sc->separated) flush_name(sc);
    if (joins) add_to_name(an);
    bool tiny = an->folded.len == 1 && (unsigned char)an->folded.data[0] < 128;
    if (!stop && !tiny) {
        const sb_symbol *stem =
            sb_stemmer_stem(an->stemmer, (const sb_symbol *)an->folded.data, (int)an->folded.len);
        if (stem)
            sc->emit(sc->ctx, (const char *)stem, (size_t)sb_stemmer_length(an->stemmer));
        else
            sc->emit(sc->ctx, an->folded.data, an->folded.len);
    }
    an->word.len = 0;
    sc->separated = false;
}

static void add_cp(scan *sc, int32_t cp)
{
    utf8proc_uint8_t bytes[4];
    utf8proc_ssize_t len = utf8proc_encode_char(cp, bytes);
    if (sc->an->word.len == 0) {
        utf8proc_category_t cat = cp < 128 ? 0 : utf8proc_category(cp);
        sc->capital =
            (cp >= 'A' && cp <= 'Z') || cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
    }
    sb_append(&sc->an->word, bytes, (size_t)len);
}

void related_analyze(related_analyzer *an, const char *text,
                     void (*emit)(void *ctx, const char *term, size_t len), void *ctx)
{
    if (!text) return;
    scan sc = {.an = an, .s = text, .n = strlen(text), .emit = emit, .ctx = ctx};
    an->word.len = an->name.len = an->name_words = 0;
    int32_t cp = next_cp(sc.s, sc.n, &sc.i);
    while (cp >= 0) {
        int32_t next = next_cp(sc.s, sc.n, &sc.i);
        if (content_is_word_codepoint(cp)) {
            add_cp(&sc, cp);
        } else if ((cp == '\'' || cp == 0x2019) && an->word.len &&
                   content_is_word_codepoint(next)) {
            sb_append(&an->word, "'", 1);
        } else {
            finish_word(&sc);
            if (!space_cp(cp)) sc.separated = true;
        }
        cp = next;
    }
    finish_word(&sc);
    flush_name(&sc);
}
