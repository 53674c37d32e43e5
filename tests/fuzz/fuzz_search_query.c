/* fuzz_search_query.c — libFuzzer target for search_query_translate (src/site/search_query.c),
 * which turns what a reader types into an FTS5 query. Every query it returns must be accepted
 * by SQLite: it is run as MATCH on an in-memory FTS5 table made like article_search
 * (gazette_pairs remove_diacritics 2, prefix indexes, bm25 rank), and any error (such as "fts5:
 * syntax error near ...") is a bug in the translator; it must also find what the same table
 * with plain unicode61 finds (same rows, bm25 and gazette_rank: word pairs are exact). Also
 * checked: the status agrees with the promises of search_query.h. The store's own readers of those
 * queries are fuzzed with it: every translation splits into phrases (search_rank_phrases) and words
 * (search_rank_words), and the snippet maker (search_snippet_html) marks the phrases in the raw
 * input as text, always with balanced <mark> tags and nothing unescaped. */
#include <sqlite3.h>

#include "../../src/content/content.h"
#include "../../src/site/search_query.h"
#include "../../src/store/search_rank.h"
#include "../../src/store/search_snippet.h"
#include "../../src/store/search_tokenizer.h"
#include "fuzz_check.h"

/* One database for the whole run: opening one per input would be most of the work. Two tables
 * hold the same rows: s as the store had it before migration 11 (unicode61) and p as
 * article_search is now (gazette_pairs, search_tokenizer.c): every query must find the same
 * rows in both, with the same bm25 and snippet (pairs change speed, never results). */
static sqlite3 *db;
static sqlite3_stmt *match[2], *add[2], *drop[2];

static void open_tables(void)
{
    if (db) return;
    FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    FUZZ_CHECK(search_tokenizer_register(db) == SQLITE_OK);
    FUZZ_CHECK(search_rank_register(db) == SQLITE_OK);
    const char *sql =
        "CREATE VIRTUAL TABLE s USING fts5(headline, kicker, lead, body,"
        " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');"
        "CREATE VIRTUAL TABLE p USING fts5(headline, kicker, lead, body,"
        " tokenize = 'gazette_pairs remove_diacritics 2', prefix = '2 3 4');"
        "INSERT INTO s (s, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, 1.0)');"
        "INSERT INTO p (p, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, 1.0)');"
        "INSERT INTO s VALUES ('Harbour bridge reopens', 'Transport', 'The ferry OR bus',"
        " 'Café déjà vu — naïve 東京 or and not near');"
        "INSERT INTO s VALUES ('The the harbour', 'ferry', 'bus the the', 'the harbour bridge');"
        "INSERT INTO p SELECT * FROM s;";
    FUZZ_CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    static const char *const names[2] = {"s", "p"};
    for (int t = 0; t < 2; t++) {
        char q[256];
        snprintf(q, sizeof q,
                 "SELECT rowid, bm25(%s), gazette_rank(%s) FROM %s"
                 " WHERE %s MATCH ?1 ORDER BY rowid",
                 names[t], names[t], names[t], names[t]);
        FUZZ_CHECK(sqlite3_prepare_v2(db, q, -1, &match[t], NULL) == SQLITE_OK);
        snprintf(q, sizeof q, "INSERT INTO %s (rowid, body) VALUES (100, ?1)", names[t]);
        FUZZ_CHECK(sqlite3_prepare_v2(db, q, -1, &add[t], NULL) == SQLITE_OK);
        snprintf(q, sizeof q, "DELETE FROM %s WHERE rowid = 100", names[t]);
        FUZZ_CHECK(sqlite3_prepare_v2(db, q, -1, &drop[t], NULL) == SQLITE_OK);
    }
}

static void run_once(sqlite3_stmt *st)
{
    FUZZ_CHECK(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Runs fts on table t; its rows as "rowid bm25 gazette_rank;" into out (truncated if long).
 * Not snippet(): a phrase of pairs starts one word later (its first pair sits on its second
 * word), so FTS5's own highlighting would differ; the store cuts its snippets itself. */
static void run_match(int t, const char *fts, char *out, size_t outlen)
{
    sqlite3_stmt *stmt = match[t];
    sqlite3_bind_text(stmt, 1, fts, -1, SQLITE_STATIC);
    size_t used = 0;
    out[0] = '\0';
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int n =
            snprintf(out + used, outlen - used, "%lld %.9g %s;", sqlite3_column_int64(stmt, 0),
                     sqlite3_column_double(stmt, 1), (const char *)sqlite3_column_text(stmt, 2));
        if (n > 0) used += (size_t)n < outlen - used ? (size_t)n : outlen - used - 1;
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "FTS5 refused the query [%s]: %s\n", fts, sqlite3_errmsg(db));
        abort();
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

/* The query runs on both tables, with the reader's own text as one more story, alike. */
static void check_sqlite_accepts(const char *fts, const char *text)
{
    open_tables();
    for (int t = 0; t < 2; t++) {
        sqlite3_bind_text(add[t], 1, text, -1, SQLITE_STATIC);
        run_once(add[t]);
    }
    static char got[2][8192];
    for (int t = 0; t < 2; t++)
        run_match(t, fts, got[t], sizeof got[t]);
    if (strcmp(got[0], got[1]) != 0) {
        fprintf(stderr, "pairs differ for [%s]:\nunicode61: %s\npairs:     %s\n", fts, got[0],
                got[1]);
        abort();
    }
    for (int t = 0; t < 2; t++)
        run_once(drop[t]);
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void check_phrases_and_snippet(arena *a, const char *fts, const char *text)
{
    const char *phrases[SEARCH_QUERY_MAX_TERMS + 1];
    size_t n = search_rank_phrases(a, fts, phrases, SEARCH_QUERY_MAX_TERMS + 1);
    FUZZ_CHECK(n > 0); /* the translator's output always has the shape the ranking reads */
    for (size_t i = 0; i < n; i++) {
        const char *words[64];
        FUZZ_CHECK(search_rank_words(a, phrases[i], words, 64) > 0);
    }
    const char *columns[2] = {text, "A fixed lead about the harbour ferry."};
    const char *html = search_snippet_html(a, columns, 2, phrases, n, 24);
    FUZZ_CHECK(html != NULL);
    FUZZ_CHECK(count(html, "<mark>") == count(html, "</mark>"));
    FUZZ_CHECK(count(html, "<") == 2 * count(html, "<mark>")); /* no other tag survives */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    arena *a = arena_new();
    const char *fts = "unset";
    search_query_status st = search_query_translate(a, text, &fts);
    size_t len = strlen(text);
    FUZZ_CHECK(search_query_message(st) != NULL);
    if (st == SEARCH_QUERY_OK) {
        FUZZ_CHECK(fts != NULL && fts[0] != '\0');
        FUZZ_CHECK(len <= SEARCH_QUERY_MAX_BYTES && content_utf8_valid(text, len));
        check_sqlite_accepts(fts, text);
        check_phrases_and_snippet(a, fts, text);
    } else {
        FUZZ_CHECK(fts == NULL);
        if (len > SEARCH_QUERY_MAX_BYTES) FUZZ_CHECK(st == SEARCH_QUERY_TOO_LONG);
    }
    FUZZ_CHECK(search_query_translate(a, NULL, &fts) == SEARCH_QUERY_EMPTY);
    arena_free(a);
    free(text);
    return 0;
}
