/* search_rank.c — ranking full-text matches at a cost that does not grow with the archive.
 *
 * FTS5's bm25() learns each phrase's document frequency by reading every row the phrase
 * matches, which for "the" or "of the" at 100,000 stories is tens of milliseconds per query.
 * gazette_rank(article_search, dfs[, length]) is the same BM25 (k1 1.2, b 0.75, columns weighted
 * headline 10, kicker 5, lead 3, body 1; lower is better, like bm25()) with the document
 * frequencies given by the caller: a blob of one double per phrase, in query order, which the
 * store estimates from the newest matches of each phrase's rarest word (search_rank_words,
 * search_rank_estimate_df, cached per connection by search_df_cache). Without the
 * blob every phrase weighs 1. An optional third argument is the row's length in words
 * (articles.search_len, read with the live check): FTS5 would otherwise look it up in its
 * docsize table for every row, half the cost of ranking. search_rank_phrases splits a query
 * into those phrases. */
#include "search_rank.h"

#include "../core/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double column_weight[] = {10.0, 5.0, 3.0, 1.0};
enum { N_COLUMNS = sizeof column_weight / sizeof column_weight[0] };
static const double k1 = 1.2, b_len = 0.75;

/* What gazette_rank computes once per query (FTS5 auxiliary data). */
typedef struct {
    int n_phrases;
    double avg_len; /* tokens per row, all columns */
    double *idf;    /* n_phrases */
    double *freq;   /* n_phrases, scratch for one row */
} rank_query;

static rank_query *rank_query_new(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_value *dfs)
{
    int n = api->xPhraseCount(fts);
    rank_query *q = calloc(1, sizeof *q + 2 * (size_t)(n > 0 ? n : 1) * sizeof(double));
    if (!q) return NULL;
    q->n_phrases = n;
    q->idf = (double *)(q + 1);
    q->freq = q->idf + (n > 0 ? n : 1);
    sqlite3_int64 rows = 0, tokens = 0;
    if (api->xRowCount(fts, &rows) != SQLITE_OK || rows < 1) rows = 1;
    if (api->xColumnTotalSize(fts, -1, &tokens) != SQLITE_OK) tokens = 0;
    q->avg_len = tokens > 0 ? (double)tokens / (double)rows : 1.0;
    const double *given = NULL;
    if (dfs && sqlite3_value_type(dfs) == SQLITE_BLOB &&
        sqlite3_value_bytes(dfs) == n * (int)sizeof(double))
        given = sqlite3_value_blob(dfs);
    for (int i = 0; i < n; i++) {
        if (!given) {
            q->idf[i] = 1.0;
            continue;
        }
        double df, N = (double)rows;
        memcpy(&df, &given[i], sizeof df); /* the blob may not be aligned */
        if (!(df >= 0)) df = 0;
        if (df > N) df = N;
        double idf = log((N - df + 0.5) / (df + 0.5));
        q->idf[i] = idf > 1e-6 ? idf : 1e-6;
    }
    return q;
}

static void gazette_rank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                         int n_args, sqlite3_value **args)
{
    rank_query *q = api->xGetAuxdata(fts, 0);
    if (!q) {
        q = rank_query_new(api, fts, n_args > 0 ? args[0] : NULL);
        if (!q) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
        int rc = api->xSetAuxdata(fts, q, free); /* frees q itself on failure */
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(ctx, rc);
            return;
        }
    }
    /* each phrase's instances straight from its position list (xInstCount would first merge
     * all phrases' instances into one sorted array) */
    int rc = SQLITE_OK;
    for (int i = 0; rc == SQLITE_OK && i < q->n_phrases; i++) {
        Fts5PhraseIter it;
        int column = -1, offset = 0;
        double freq = 0;
        rc = api->xPhraseFirst(fts, i, &it, &column, &offset);
        for (; rc == SQLITE_OK && column >= 0; api->xPhraseNext(fts, &it, &column, &offset))
            freq += column < N_COLUMNS ? column_weight[column] : 1.0;
        q->freq[i] = freq;
    }
    int row_len = 0; /* given (articles.search_len), or read from FTS5's docsize table */
    if (n_args > 1 && sqlite3_value_type(args[1]) == SQLITE_INTEGER)
        row_len = sqlite3_value_int(args[1]);
    else if (rc == SQLITE_OK)
        rc = api->xColumnSize(fts, -1, &row_len);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    double norm = k1 * (1 - b_len + b_len * (double)row_len / q->avg_len), score = 0;
    for (int i = 0; i < q->n_phrases; i++)
        if (q->freq[i] > 0) score += q->idf[i] * q->freq[i] * (k1 + 1) / (q->freq[i] + norm);
    sqlite3_result_double(ctx, -score);
}

int search_fts5_api(sqlite3 *db, fts5_api **out)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) return rc;
    if (!api || api->iVersion < 2) return SQLITE_ERROR;
    *out = api;
    return SQLITE_OK;
}

int search_rank_register(sqlite3 *db)
{
    fts5_api *api;
    int rc = search_fts5_api(db, &api);
    if (rc != SQLITE_OK) return rc;
    return api->xCreateFunction(api, "gazette_rank", NULL, gazette_rank, NULL);
}

size_t search_rank_phrases(arena *a, const char *fts_query, const char **phrases, size_t max)
{
    size_t n = 0;
    const char *p = fts_query;
    while (*p) {
        if (*p == ' ') {
            p++;
            continue;
        }
        if (strncmp(p, "OR ", 3) == 0) {
            p += 3;
            continue;
        }
        if (*p != '"' || n == max) return 0;
        const char *start = p++;
        for (;;) { /* a quote inside a phrase is doubled */
            if (!*p) return 0;
            if (p[0] == '"' && p[1] == '"') {
                p += 2;
                continue;
            }
            if (*p++ == '"') break;
        }
        if (*p == '*') p++;
        if (*p && *p != ' ') return 0;
        phrases[n++] = arena_strndup(a, start, (size_t)(p - start));
    }
    return n;
}

double search_rank_estimate_df(long long matches_read, long long sample, long long lowest_read,
                               long long lowest_id, long long highest_id)
{
    if (matches_read < sample || highest_id < lowest_id) return (double)matches_read;
    if (lowest_read < lowest_id) lowest_read = lowest_id;
    double span = (double)(highest_id - lowest_read + 1),
           all = (double)(highest_id - lowest_id + 1);
    return (double)matches_read * all / span;
}

size_t search_rank_words(arena *a, const char *phrase, const char **words, size_t max)
{
    size_t len = strlen(phrase), n = 0;
    bool prefix = len && phrase[len - 1] == '*';
    if (prefix) len--;
    if (len < 2 || phrase[0] != '"' || phrase[len - 1] != '"') return 0;
    const char *p = phrase + 1, *end = phrase + len - 1;
    while (p < end && n < max) {
        while (p < end && *p == ' ')
            p++;
        const char *start = p;
        while (p < end && *p != ' ')
            p++;
        if (p == start) break;
        bool last = p == end || n + 1 == max;
        buf w = {0};
        buf_putc(&w, '"');
        buf_append(&w, start, (size_t)(p - start)); /* doubled quotes stay doubled */
        buf_putc(&w, '"');
        if (last && prefix) buf_putc(&w, '*');
        words[n++] = arena_strndup(a, w.data, w.len);
        buf_free(&w);
    }
    return n;
}

static size_t df_slot(const char *key)
{
    unsigned long h = 5381;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = h * 33 + *p;
    return h % SEARCH_DF_SLOTS;
}

bool search_df_cache_get(const search_df_cache *cache, const char *key, long long now, double *df)
{
    if (strlen(key) >= SEARCH_DF_KEY) return false;
    size_t i = df_slot(key);
    if (strcmp(cache->slot[i].key, key) != 0 || now - cache->slot[i].at > SEARCH_DF_TTL)
        return false;
    *df = cache->slot[i].df;
    return true;
}

void search_df_cache_put(search_df_cache *cache, const char *key, long long now, double df)
{
    size_t len = strlen(key);
    if (len >= SEARCH_DF_KEY) return;
    size_t i = df_slot(key);
    memcpy(cache->slot[i].key, key, len + 1);
    cache->slot[i].df = df;
    cache->slot[i].at = now;
}
