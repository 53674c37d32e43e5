/* fuzz_search_query.c — libFuzzer target for search_query_translate (src/site/search_query.c),
 * which turns what a reader types into an FTS5 query. Every query it returns must be accepted
 * by SQLite: it is run as MATCH on an in-memory FTS5 table made like article_search
 * (unicode61 remove_diacritics 2, prefix indexes, bm25 rank), and any error (such as "fts5:
 * syntax error near ...") is a bug in the translator. Also checked: the status agrees with
 * the promises of search_query.h. The store's own readers of those queries are fuzzed with it:
 * every translation splits into phrases (search_rank_phrases) and words (search_rank_words),
 * and the snippet maker (search_snippet_html) marks the phrases in the raw input as text,
 * always with balanced <mark> tags and nothing unescaped. */
#include <sqlite3.h>

#include "../../src/content/content.h"
#include "../../src/site/search_query.h"
#include "../../src/store/search_rank.h"
#include "../../src/store/search_snippet.h"
#include "fuzz_check.h"

/* One database for the whole run: opening one per input would be most of the work. */
static sqlite3_stmt *match_statement(void)
{
    static sqlite3 *db;
    static sqlite3_stmt *stmt;
    if (stmt) return stmt;
    FUZZ_CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    const char *sql =
        "CREATE VIRTUAL TABLE s USING fts5(headline, kicker, lead, body,"
        " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');"
        "INSERT INTO s (s, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, 1.0)');"
        "INSERT INTO s VALUES ('Harbour bridge reopens', 'Transport', 'The ferry OR bus',"
        " 'Café déjà vu — naïve 東京 or and not near');";
    FUZZ_CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    FUZZ_CHECK(sqlite3_prepare_v2(db,
                                  "SELECT rowid, snippet(s, -1, '[', ']', '…', 8) FROM s"
                                  " WHERE s MATCH ?1 ORDER BY rank",
                                  -1, &stmt, NULL) == SQLITE_OK);
    return stmt;
}

static void check_sqlite_accepts(const char *fts)
{
    sqlite3_stmt *stmt = match_statement();
    sqlite3_bind_text(stmt, 1, fts, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "FTS5 refused the query [%s]: %s\n", fts,
                sqlite3_errmsg(sqlite3_db_handle(stmt)));
        abort();
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
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
        check_sqlite_accepts(fts);
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
