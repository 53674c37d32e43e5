/* search_rank.h — the SQLite backend's full-text ranking (see search_rank.c): an FTS5 auxiliary
 * function gazette_rank(article_search, dfs) and the helpers that estimate its inputs. Private
 * to src/store. */
#ifndef GAZETTE_SEARCH_RANK_H
#define GAZETTE_SEARCH_RANK_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

/* Registers gazette_rank on db (FTS5 must be compiled in). An SQLite result code. */
int search_rank_register(sqlite3 *db);

/* db's FTS5 API (version 2 or later) into *out. An SQLite result code. */
int search_fts5_api(sqlite3 *db, fts5_api **out);

/* Splits an FTS5 query of the shape search_query_translate makes (quoted phrases, a phrase
 * optionally followed by *, OR between them) into one standalone query per phrase, in order:
 * FTS5 numbers phrases the same way. Returns how many (at most max), or 0 when the query has
 * any other shape (then ranking goes without document frequencies). */
size_t search_rank_phrases(arena *a, const char *fts_query, const char **phrases, size_t max);

/* The words of one phrase of search_rank_phrases, each as its own query ("word", or "pre"* for
 * the last word of a prefix phrase): a phrase's document frequency is taken as its rarest
 * word's, which is cheap to estimate where sampling a rare phrase of common words ("for the
 * main") would read every story. Returns how many (at most max). */
size_t search_rank_words(arena *a, const char *phrase, const char **words, size_t max);

/* Recent document frequencies by word query, per connection: direct-mapped, entries older
 * than SEARCH_DF_TTL seconds are ignored (frequencies drift slowly). Keys longer than the slot
 * are not cached. */
enum { SEARCH_DF_SLOTS = 512, SEARCH_DF_KEY = 40, SEARCH_DF_TTL = 600 };
typedef struct {
    struct {
        char key[SEARCH_DF_KEY];
        double df;
        long long at;
    } slot[SEARCH_DF_SLOTS];
} search_df_cache;
bool search_df_cache_get(const search_df_cache *cache, const char *key, long long now, double *df);
void search_df_cache_put(search_df_cache *cache, const char *key, long long now, double df);

/* A phrase's document frequency from its newest matches: reading rows by descending id, at
 * most sample of them, matches_read were found, the last at id lowest_read; the table's ids
 * run from lowest_id to highest_id. Fewer than sample found is the exact count; otherwise the
 * density over the ids read is taken for the whole range. */
double search_rank_estimate_df(long long matches_read, long long sample, long long lowest_read,
                               long long lowest_id, long long highest_id);

#endif
