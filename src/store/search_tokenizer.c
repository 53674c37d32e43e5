/* search_tokenizer.c — gazette_pairs, the FTS5 tokenizer of article_search: unicode61 (same
 * words, same positions, same arguments) that also indexes every pair of neighbouring words.
 *
 * Why: a phrase of common words ("that has been") made FTS5 walk the position lists of every
 * story holding all its words — most of the archive — to find the few holding the phrase
 * (tens of milliseconds at 100,000 stories). Pairs make that a lookup of rare tokens.
 *
 * How, exactly (same matches, same ranking input):
 *   - documents: each word is emitted as unicode61 gives it; from the second word of a column
 *     on, the pair (previous word, this word) follows as a token colocated with this word
 *     (FTS5_TOKEN_COLOCATED: same position, not counted in the column's size). A pair is
 *     SEARCH_PAIR_MARK, word, SEARCH_PAIR_MARK, word, so it never equals or starts like a word.
 *   - queries: a phrase of one word is that word; a phrase of n >= 2 words becomes the n - 1
 *     pairs of neighbours, at consecutive positions. "a b c" holds at position p exactly when
 *     pair (a,b) is at p + 1 and pair (b,c) at p + 2, so the pair phrase matches the same rows,
 *     with one instance per instance of the word phrase (in the same column). A prefix phrase
 *     "a b"* becomes the prefix pair (a,b)*: a followed by a word starting with b.
 *   - aux (snippet(), highlight()): the words only, as unicode61.
 * The index grows by about one token per word; phrase queries read the pairs' lists only. */
#include "search_tokenizer.h"

#include <stdbool.h>
#include <string.h>

#include "search_rank.h"

typedef struct {
    fts5_tokenizer unicode61; /* the wrapped tokenizer's methods */
    Fts5Tokenizer *inner;
} pairs_tokenizer;

typedef int (*token_fn)(void *ctx, int tflags, const char *token, int n_token, int start, int end);

/* One xTokenize call: what was asked and the previous word of the text. */
typedef struct {
    void *ctx;
    token_fn emit;
    int flags;
    char *prev; /* the previous word (unicode61's token bytes), prev_len of them */
    int prev_len, prev_cap, prev_start, prev_end;
    int n_words;
    char *pair;
    int pair_cap;
} pairs_call;

static int pairs_create(void *api_ptr, const char **args, int n_args, Fts5Tokenizer **out)
{
    fts5_api *api = api_ptr;
    pairs_tokenizer *t = sqlite3_malloc(sizeof *t);
    if (!t) return SQLITE_NOMEM;
    void *inner_ctx = NULL;
    int rc = api->xFindTokenizer(api, "unicode61", &inner_ctx, &t->unicode61);
    if (rc == SQLITE_OK) rc = t->unicode61.xCreate(inner_ctx, args, n_args, &t->inner);
    if (rc != SQLITE_OK) {
        sqlite3_free(t);
        return rc;
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void pairs_delete(Fts5Tokenizer *tok)
{
    pairs_tokenizer *t = (pairs_tokenizer *)tok;
    t->unicode61.xDelete(t->inner);
    sqlite3_free(t);
}

/* Grows *buf to hold need bytes. */
static bool reserve(char **buf, int *cap, int need)
{
    if (need <= *cap) return true;
    int grown = need < 64 ? 64 : need * 2;
    char *p = sqlite3_realloc(*buf, grown);
    if (!p) return false;
    *buf = p;
    *cap = grown;
    return true;
}

/* Emits the pair (previous word, token) with tflags. */
static int emit_pair(pairs_call *c, int tflags, const char *token, int n_token, int end)
{
    int len = 2 + c->prev_len + n_token;
    if (!reserve(&c->pair, &c->pair_cap, len)) return SQLITE_NOMEM;
    c->pair[0] = SEARCH_PAIR_MARK;
    memcpy(c->pair + 1, c->prev, (size_t)c->prev_len);
    c->pair[1 + c->prev_len] = SEARCH_PAIR_MARK;
    memcpy(c->pair + 2 + c->prev_len, token, (size_t)n_token);
    return c->emit(c->ctx, tflags, c->pair, len, c->prev_start, end);
}

/* unicode61's callback: one word. */
static int on_word(void *ctx, int tflags, const char *token, int n_token, int start, int end)
{
    pairs_call *c = ctx;
    int rc = SQLITE_OK;
    if (c->flags & FTS5_TOKENIZE_AUX) return c->emit(c->ctx, tflags, token, n_token, start, end);
    if (c->flags & FTS5_TOKENIZE_QUERY) {
        if (c->n_words > 0) rc = emit_pair(c, 0, token, n_token, end);
    } else {
        rc = c->emit(c->ctx, tflags, token, n_token, start, end);
        if (rc == SQLITE_OK && c->n_words > 0)
            rc = emit_pair(c, FTS5_TOKEN_COLOCATED, token, n_token, end);
    }
    if (rc != SQLITE_OK) return rc;
    if (!reserve(&c->prev, &c->prev_cap, n_token)) return SQLITE_NOMEM;
    memcpy(c->prev, token, (size_t)n_token);
    c->prev_len = n_token;
    c->prev_start = start;
    c->prev_end = end;
    c->n_words++;
    return SQLITE_OK;
}

static int pairs_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n_text,
                          token_fn emit)
{
    pairs_tokenizer *t = (pairs_tokenizer *)tok;
    pairs_call c = {.ctx = ctx, .emit = emit, .flags = flags};
    int rc = t->unicode61.xTokenize(t->inner, &c, flags, text, n_text, on_word);
    /* a query phrase of one word is that word */
    if (rc == SQLITE_OK && (flags & FTS5_TOKENIZE_QUERY) && c.n_words == 1)
        rc = emit(ctx, 0, c.prev, c.prev_len, c.prev_start, c.prev_end);
    sqlite3_free(c.prev);
    sqlite3_free(c.pair);
    return rc;
}

static int count_word(void *ctx, int tflags, const char *token, int n_token, int start, int end)
{
    if (!(tflags & FTS5_TOKEN_COLOCATED)) (*(sqlite3_int64 *)ctx)++;
    return SQLITE_OK;
}

/* SQL gazette_search_len(text, ...): how many words article_search counts in these texts
 * (NULL counts none), i.e. what FTS5's xColumnSize(-1) gives for a row holding them: unicode61
 * with the table's arguments (migration 11), pairs aside. */
static void search_len_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    static const char *args[] = {"remove_diacritics", "2"};
    fts5_api *api = sqlite3_user_data(ctx);
    fts5_tokenizer unicode61;
    void *inner_ctx = NULL;
    Fts5Tokenizer *tok = NULL;
    int rc = api->xFindTokenizer(api, "unicode61", &inner_ctx, &unicode61);
    if (rc == SQLITE_OK) rc = unicode61.xCreate(inner_ctx, args, 2, &tok);
    sqlite3_int64 words = 0;
    for (int i = 0; rc == SQLITE_OK && i < argc; i++) {
        const char *text = (const char *)sqlite3_value_text(argv[i]);
        if (text)
            rc = unicode61.xTokenize(tok, &words, FTS5_TOKENIZE_DOCUMENT, text,
                                     sqlite3_value_bytes(argv[i]), count_word);
    }
    if (tok) unicode61.xDelete(tok);
    if (rc != SQLITE_OK)
        sqlite3_result_error_code(ctx, rc);
    else
        sqlite3_result_int64(ctx, words);
}

int search_tokenizer_register(sqlite3 *db)
{
    fts5_api *api;
    int rc = search_fts5_api(db, &api);
    if (rc != SQLITE_OK) return rc;
    fts5_tokenizer methods = {pairs_create, pairs_delete, pairs_tokenize};
    rc = api->xCreateTokenizer(api, SEARCH_TOKENIZER_NAME, api, &methods, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "gazette_search_len", -1,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, api,
                                        search_len_fn, NULL, NULL, NULL);
    return rc;
}
