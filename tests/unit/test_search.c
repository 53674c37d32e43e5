/* test_search.c — cmocka tests of full-text search: store_search (ranking, snippets and their
 * escaping, the live rule, topic filter, pagination, the index following saves, migration 3
 * filling the index of an older database) and search_query_translate (expected translations,
 * refusals, and hostile inputs whose translation must always run in FTS5 without error), and the
 * SQLite backend's own ranking inputs and snippets (search_rank.h, search_snippet.h). Every
 * test that needs a database gets a fresh one in its own mkdtemp directory under /tmp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/site/search_query.h"
#include "../../src/store/migrations.h"
#include "../../src/store/search_rank.h"
#include "../../src/store/search_snippet.h"
#include "../../src/store/search_tokenizer.h"
#include "../../src/store/store.h"
#include "store_fixture.h"

typedef struct {
    const char *slug, *headline, *kicker, *lead, *body_html;
    const char *topic;
    article_status status; /* with status_given; else published */
    bool status_given;
    long long published_at;
} spec;

static void save(fixture *f, spec sp)
{
    const char *topics[] = {sp.topic ? sp.topic : "News"};
    store_article_input in = {.slug = sp.slug,
                              .headline = sp.headline,
                              .kicker = sp.kicker,
                              .lead = sp.lead,
                              .body_markdown = sp.body_html ? "(markdown)" : NULL,
                              .body_html = sp.body_html,
                              .status = sp.status_given ? sp.status : ARTICLE_PUBLISHED,
                              .published_at = sp.published_at ? sp.published_at : now_s() - 3600,
                              .topic_names = topics,
                              .n_topics = 1};
    store_status st = store_articles_save(f->s, &in, 1, NULL);
    if (st != STORE_OK) fprintf(stderr, "save: %s\n", store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
}

/* Runs an FTS5 query; returns the hits (n and total set). */
static store_search_hit *search(fixture *f, const char *fts, const char *topic, size_t limit,
                                size_t offset, size_t *n, size_t *total)
{
    store_search_hit *hits;
    store_status st = store_search(f->s, f->a, fts, topic, limit, offset, &hits, n, total, NULL);
    if (st != STORE_OK) fprintf(stderr, "search '%s': %s\n", fts, store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
    return hits;
}

/* Translates the reader's text and searches with it; the text must translate. */
static size_t reader_search(fixture *f, const char *text, store_search_hit **hits)
{
    const char *fts;
    assert_int_equal(search_query_translate(f->a, text, &fts), SEARCH_QUERY_OK);
    size_t n, total;
    *hits = search(f, fts, NULL, 50, 0, &n, &total);
    assert_int_equal(n, total);
    return n;
}

static void small_site(fixture *f)
{
    save(f, (spec){.slug = "ferry-returns",
                   .headline = "Ferry service returns to Port Alder",
                   .kicker = "Transport",
                   .lead = "The harbour ferry sails again.",
                   .body_html = "<p>The <strong>ferry</strong> between the north quay and Gull "
                                "Island is running again &amp; tickets cost the same.</p>",
                   .topic = "Transport",
                   .published_at = now_s() - 7200});
    save(f, (spec){.slug = "harbour-budget",
                   .headline = "Council debates the harbour budget",
                   .kicker = "City Hall",
                   .lead = "Money for the quay and the ferry terminal.",
                   .body_html = "<p>The vote on the budget for the ferry terminal is on "
                                "Tuesday.</p>",
                   .topic = "City Hall",
                   .published_at = now_s() - 3600});
    save(f, (spec){.slug = "gaza-hospitals",
                   .headline = "Hospitals in the Gaza Strip lack electricity",
                   .lead = "Doctors say fuel is running out.",
                   .body_html = "<p>The strip of land called Gaza has two million people.</p>",
                   .topic = "World"});
}

/* ---- Store ------------------------------------------------------------------------------ */
static void test_ranking_and_snippets(void **state)
{
    fixture *f = *state;
    small_site(f);
    size_t n, total;
    store_search_hit *hits = search(f, "\"ferry\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    /* the headline weighs most: the story with "ferry" in its headline comes first */
    assert_string_equal(hits[0].article.slug, "ferry-returns");
    assert_true(hits[0].rank <= hits[1].rank);
    assert_non_null(strstr(hits[0].snippet, "<mark>"));
    assert_non_null(strstr(hits[1].snippet, "<mark>ferry</mark>"));
    /* topics and authors come filled, bodies not */
    assert_int_equal(hits[0].article.n_topics, 1);
    assert_string_equal(hits[0].article.topics[0].slug, "transport");
    assert_null(hits[0].article.body_html);

    /* the body is indexed as plain text: tag names are not words, entities are decoded */
    assert_int_equal(reader_search(f, "strong", &hits), 0);
    assert_int_equal(reader_search(f, "Gull Island", &hits), 1);
    hits = search(f, "\"tickets\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    assert_non_null(strstr(hits[0].snippet, "again &amp; <mark>tickets</mark> cost"));
    assert_null(strstr(hits[0].snippet, "<strong>"));
}

static void test_snippet_escaping(void **state)
{
    fixture *f = *state;
    save(f, (spec){.slug = "xss",
                   .headline = "Plain headline",
                   .lead = "<script>alert(1)</script> marker \xEE\x80\x80sneaky\xEE\x80\x81 \"q\" "
                           "'s' & beacon"});
    size_t n, total;
    store_search_hit *hits = search(f, "\"beacon\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    const char *s = hits[0].snippet;
    assert_null(strstr(s, "<script>"));
    assert_non_null(strstr(s, "&lt;script&gt;"));
    assert_non_null(strstr(s, "&amp; <mark>beacon</mark>"));
    assert_non_null(strstr(s, "&quot;q&quot;"));
    /* private-use characters in the text never turn into marks */
    assert_null(strstr(s, "<mark>sneaky"));
    int opens = 0, closes = 0;
    for (const char *p = s; (p = strstr(p, "<mark>")); p++)
        opens++;
    for (const char *p = s; (p = strstr(p, "</mark>")); p++)
        closes++;
    assert_int_equal(opens, 1);
    assert_int_equal(closes, 1);
}

static void test_live_only(void **state)
{
    fixture *f = *state;
    save(f, (spec){.slug = "live", .headline = "Lighthouse live"});
    save(f, (spec){.slug = "draft",
                   .headline = "Lighthouse draft",
                   .status = ARTICLE_DRAFT,
                   .status_given = true});
    save(f, (spec){.slug = "later",
                   .headline = "Lighthouse later",
                   .status = ARTICLE_SCHEDULED,
                   .status_given = true,
                   .published_at = now_s() + 86400});
    save(f, (spec){.slug = "due",
                   .headline = "Lighthouse due",
                   .status = ARTICLE_SCHEDULED,
                   .status_given = true,
                   .published_at = now_s() - 60});
    size_t n, total;
    store_search_hit *hits = search(f, "\"lighthouse\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    for (size_t i = 0; i < n; i++)
        assert_true(strcmp(hits[i].article.slug, "live") == 0 ||
                    strcmp(hits[i].article.slug, "due") == 0);
}

static void test_topic_filter_and_pagination(void **state)
{
    fixture *f = *state;
    char slug[32], headline[64];
    for (int i = 0; i < 7; i++) {
        snprintf(slug, sizeof slug, "tide-%d", i);
        snprintf(headline, sizeof headline, "Tide report number %d", i);
        save(f, (spec){.slug = slug,
                       .headline = headline,
                       .topic = i % 2 ? "Weather" : "Sport",
                       .published_at = now_s() - 1000 + i});
    }
    size_t n, total;
    search(f, "\"tide\"", NULL, 3, 0, &n, &total);
    assert_int_equal(n, 3);
    assert_int_equal(total, 7);
    store_search_hit *last = search(f, "\"tide\"", NULL, 3, 6, &n, &total);
    assert_int_equal(n, 1);
    assert_int_equal(total, 7);
    assert_non_null(last);
    search(f, "\"tide\"", NULL, 3, 9, &n, &total);
    assert_int_equal(n, 0);
    assert_int_equal(total, 7);
    store_search_hit *hits = search(f, "\"tide\"", "weather", 10, 0, &n, &total);
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(hits[i].article.topics[0].slug, "weather");
    search(f, "\"tide\"", "no-such-topic", 10, 0, &n, &total);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    /* the pages together are every hit once (ties broken by date then id) */
    long long seen[7];
    for (size_t page = 0; page < 3; page++) {
        hits = search(f, "\"tide\"", NULL, 3, page * 3, &n, &total);
        for (size_t i = 0; i < n; i++) {
            seen[page * 3 + i] = hits[i].article.id;
            for (size_t j = 0; j < page * 3 + i; j++)
                assert_true(seen[j] != hits[i].article.id);
        }
    }
}

static void test_index_follows_saves(void **state)
{
    fixture *f = *state;
    save(f, (spec){.slug = "story", .headline = "Old words: albatross"});
    size_t n, total;
    search(f, "\"albatross\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    save(f, (spec){.slug = "story", .headline = "New words: cormorant"});
    search(f, "\"albatross\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 0);
    search(f, "\"cormorant\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    /* taken off the site: no longer found */
    save(f, (spec){.slug = "story",
                   .headline = "New words: cormorant",
                   .status = ARTICLE_DRAFT,
                   .status_given = true});
    search(f, "\"cormorant\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 0);
    /* one index row per article however often it is saved */
    save(f, (spec){.slug = "story", .headline = "New words: cormorant"});
    save(f, (spec){.slug = "story", .headline = "New words: cormorant"});
    search(f, "\"cormorant\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    /* a failed save (one bad input) leaves the index as it was: one transaction */
    store_article_input bad[2] = {
        {.slug = "story", .headline = "Changed: puffin", .status = ARTICLE_PUBLISHED},
        {.slug = "BAD SLUG", .headline = "x", .status = ARTICLE_PUBLISHED}};
    assert_int_equal(store_articles_save(f->s, bad, 2, NULL), STORE_INVALID);
    search(f, "\"puffin\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 0);
}

static void test_invalid_fts_query(void **state)
{
    fixture *f = *state;
    small_site(f);
    static const char *const bad[] = {"\"unclosed", "AND", "ferry AND", "(ferry",  "nosuchcol:x",
                                      "NEAR(",      "*",   "^",         "ferry OR"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        store_search_hit *hits;
        size_t n = 9, total = 9;
        store_status st = store_search(f->s, f->a, bad[i], NULL, 10, 0, &hits, &n, &total, NULL);
        if (st != STORE_INVALID) fprintf(stderr, "query '%s' gave %d\n", bad[i], (int)st);
        assert_int_equal(st, STORE_INVALID);
        assert_true(strlen(store_last_error(f->s)) > 0);
        assert_int_equal(n, 0);
        assert_int_equal(total, 0);
    }
    store_search_hit *hits;
    size_t n, total;
    assert_int_equal(store_search(f->s, f->a, "", NULL, 10, 0, &hits, &n, &total, NULL),
                     STORE_INVALID);
    assert_int_equal(store_search(f->s, f->a, NULL, NULL, 10, 0, &hits, &n, &total, NULL),
                     STORE_INVALID);
    /* and the connection still works afterwards */
    search(f, "\"ferry\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 2);
}

/* A database from before migration 3 gets its index built from the articles it has (by
 * migration 3, then rebuilt by migration 11 with word pairs). Dropping the table takes a
 * connection knowing its tokenizer, like the store's. */
static void test_migration_fills_index(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    small_site(f);
    store_close(f->s);
    f->s = NULL;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(search_tokenizer_register(db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TABLE article_search; DROP INDEX articles_search_live;"
                                  " ALTER TABLE articles DROP COLUMN search_len;"
                                  " CREATE INDEX articles_search_live ON articles"
                                  " (id, status, published_at, kind);"
                                  " DELETE FROM schema_migrations WHERE version IN (3, 11)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_schema_version(f->s), /* 3 again, and the later ones */
                     store_migrations[store_n_migrations - 1].number);
    size_t n, total;
    store_search_hit *hits = search(f, "\"ferry\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 2);
    assert_string_equal(hits[0].article.slug, "ferry-returns");
    assert_int_equal(reader_search(f, "strong", &hits), 0);
    assert_int_equal(reader_search(f, "\"gull island\"", &hits), 1);
}

/* Stories far apart in id are all found: the ranking pass reads the ids in slices (newest
 * first, 8,192 ids then doubling), each match once, and a small archive is never cut short. */
static void test_slices_cover_ids(void **state)
{
    fixture *f = *state;
    small_site(f);
    static const long long far[] = {8193, 20000, 45000, 100000};
    if (test_pg_admin()) { /* the search vector comes along with the row */
        for (size_t i = 0; i < sizeof far / sizeof far[0]; i++)
            raw_exec(f->path, arena_printf(f->a,
                                           "CREATE TEMP TABLE copy AS SELECT * FROM articles"
                                           " WHERE slug = 'ferry-returns';"
                                           "UPDATE copy SET id = %lld, slug = 'ferry-%lld';"
                                           "INSERT INTO articles SELECT * FROM copy",
                                           far[i], far[i]));
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(test_pg_admin() ? ":memory:" : f->path, &db), SQLITE_OK);
    assert_int_equal(search_tokenizer_register(db), SQLITE_OK);
    for (size_t i = 0; !test_pg_admin() && i < sizeof far / sizeof far[0]; i++) {
        char sql[600];
        snprintf(sql, sizeof sql,
                 "CREATE TEMP TABLE copy AS SELECT * FROM articles WHERE slug = 'ferry-returns';"
                 "UPDATE copy SET id = %lld, slug = 'ferry-%lld';"
                 "INSERT INTO articles SELECT * FROM copy; DROP TABLE copy;"
                 "INSERT INTO article_search (rowid, headline, kicker, lead, body)"
                 " SELECT %lld, headline, kicker, lead, body FROM article_search"
                 " WHERE rowid = (SELECT id FROM articles WHERE slug = 'ferry-returns')",
                 far[i], far[i], far[i]);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    sqlite3_close(db);
    const char *fts;
    assert_int_equal(search_query_translate(f->a, "ferry", &fts), SEARCH_QUERY_OK);
    store_search_hit *hits;
    size_t n, total;
    bool partial = true;
    assert_int_equal(store_search(f->s, f->a, fts, NULL, 10, 0, &hits, &n, &total, &partial),
                     STORE_OK);
    assert_int_equal(n, 6);
    assert_int_equal(total, 6);
    assert_false(partial);
    for (size_t i = 0; i < n; i++) /* each once */
        for (size_t j = i + 1; j < n; j++)
            assert_true(hits[i].article.id != hits[j].article.id);
    /* a phrase too, and the page after the first few */
    assert_int_equal(search_query_translate(f->a, "\"gull island\"", &fts), SEARCH_QUERY_OK);
    assert_int_equal(store_search(f->s, f->a, fts, NULL, 2, 2, &hits, &n, &total, &partial),
                     STORE_OK);
    assert_int_equal(total, 5);
    assert_int_equal(n, 2);
    assert_false(partial);
}

/* One number from SQL run on the store's file with the store's functions. */
static long long count_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(search_tokenizer_register(db), SQLITE_OK);
    assert_int_equal(search_rank_register(db), SQLITE_OK);
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    assert_int_equal(rc, SQLITE_OK);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    assert_int_equal(rc, SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* articles.search_len is the row length FTS5 keeps (gazette_rank gives the same rank with it
 * as with FTS5's own docsize lookup), also after an edit and for stories without a body; and
 * store_search_pack leaves every answer as it was. */
static void test_search_len_follows_saves(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    small_site(f);
    save(f, (spec){.slug = "ferry-returns",
                   .headline = "Ferry service returns",
                   .lead = "The harbour ferry sails again, twice a day, all year.",
                   .body_html = "<p>Tickets cost the same as before the storm.</p>",
                   .topic = "Transport"});
    save(f, (spec){.slug = "no-body", .headline = "The ferry, briefly", .topic = "Transport"});
    assert_int_equal(count_sql(f->path, "SELECT count(*) FROM articles a WHERE a.search_len IS NOT"
                                        " (SELECT gazette_search_len(s.headline, s.kicker, s.lead,"
                                        " s.body) FROM article_search s WHERE s.rowid = a.id)"),
                     0);
    /* the rank with the length given equals the rank with FTS5's own lookup, row by row */
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(search_tokenizer_register(db), SQLITE_OK);
    assert_int_equal(search_rank_register(db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT gazette_rank(article_search, NULL, a.search_len),"
                                        " gazette_rank(article_search) FROM article_search"
                                        " JOIN articles a ON a.id = article_search.rowid"
                                        " WHERE article_search MATCH '\"the\" OR \"ferry\"'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(sqlite3_column_double(st, 0) == sqlite3_column_double(st, 1));
        assert_true(sqlite3_column_double(st, 0) < 0);
        rows++;
    }
    assert_int_equal(rows, 4);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* packing the index (gazette reindex) changes no answer */
    size_t n, total;
    search(f, "\"the\" OR \"ferry\"", NULL, 10, 0, &n, &total);
    assert_int_equal(total, 4);
    assert_int_equal(store_search_pack(f->s), STORE_OK);
    store_search_hit *hits = search(f, "\"the\" OR \"ferry\"", NULL, 10, 0, &n, &total);
    assert_int_equal(total, 4);
    assert_string_equal(hits[0].article.slug, "no-body");
}

/* ---- Word pairs (search_tokenizer.c) ---------------------------------------------------- */
/* Rows (and their bm25) matching q in table t, as "rowid:bm25 ..." (arena). */
static const char *matches(arena *a, sqlite3 *db, const char *t, const char *q)
{
    const char *sql =
        arena_printf(a, "SELECT rowid, bm25(%s) FROM %s WHERE %s MATCH ?1 ORDER BY rowid", t, t, t);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    const char *out = "";
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        out = arena_printf(a, "%s%lld:%.9g ", out, sqlite3_column_int64(st, 0),
                           sqlite3_column_double(st, 1));
    if (rc != SQLITE_DONE) fprintf(stderr, "%s [%s]: %s\n", t, q, sqlite3_errmsg(db));
    assert_int_equal(rc, SQLITE_DONE);
    sqlite3_finalize(st);
    return out;
}

/* gazette_pairs finds exactly what unicode61 finds, with the same bm25 (same instances, column
 * sizes and document frequencies), for words, phrases, prefix phrases and repeated words; a
 * phrase never runs across columns; a pair never answers a prefix of words. */
static void test_pairs_match_unicode61(void **state)
{
    (void)state;
    arena *a = arena_new();
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(search_tokenizer_register(db), SQLITE_OK);
    static const char *const rows[][2] = {
        {"That has been the plan", "the the end, it has been said that has been"},
        {"Gaza Strip talks", "Talks on the Gaza strip resumed; the strip is calm."},
        {"Café déjà vu", "A cafe in Gaza. Strip clubs closed. Déjà-vu again and again"},
        {"United States", "the United Statesman and the united states of the union"},
        {"the", "the the the"},
        {"Strip", "Gaza"},
    };
    const char *create = "CREATE VIRTUAL TABLE %s USING fts5(headline, body, tokenize = '%s"
                         " remove_diacritics 2', prefix = '2 3 4');";
    for (int k = 0; k < 2; k++) {
        const char *t = k ? "pairs" : "words";
        const char *sql = arena_printf(a, create, t, k ? SEARCH_TOKENIZER_NAME : "unicode61");
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            sql = arena_printf(a, "INSERT INTO %s VALUES ('%s', '%s')", t, rows[i][0], rows[i][1]);
            assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        }
    }
    /* an edit and a delete remove exactly what the insert added */
    assert_int_equal(
        sqlite3_exec(db,
                     "UPDATE words SET body = 'the plan has been dropped' WHERE rowid = 5;"
                     "UPDATE pairs SET body = 'the plan has been dropped' WHERE rowid = 5;"
                     "DELETE FROM words WHERE rowid = 6; DELETE FROM pairs WHERE rowid = 6;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    static const char *const queries[] = {
        "\"that has been\"",
        "\"has been\"",
        "\"the the\"",
        "\"the the the\"",
        "\"gaza strip\"",
        "\"Gaza Strip\" \"talks\"",
        "\"gaza\" \"strip\"",
        "\"cafe deja\"",
        "\"deja vu\"",
        "\"united sta\"*",
        "\"united states\"*",
        "\"sta\"*",
        "\"st\"*",
        "\"the un\"*",
        "\"plan has\" OR \"talks on\"",
        "\"talks gaza\"",
        "\"strip talks\"",
        "\"talks strip\"",
        "\"again and again\"",
        "\"plan the\"",
        "\"has been dropped\"",
        "\"the\"",
        "\"x\"",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const char *want = matches(a, db, "words", queries[i]);
        const char *got = matches(a, db, "pairs", queries[i]);
        if (strcmp(want, got) != 0)
            fprintf(stderr, "%s: unicode61 [%s], pairs [%s]\n", queries[i], want, got);
        assert_string_equal(want, got);
    }
    /* the cases above are not all empty: the phrase of common words is found, the phrase
     * across the headline/body boundary is not */
    assert_string_not_equal(matches(a, db, "pairs", "\"that has been\""), "");
    assert_string_equal(matches(a, db, "pairs", "\"plan the\""), "");
    sqlite3_close(db);
    arena_free(a);
}

/* ---- Query translation ------------------------------------------------------------------ */
static const char *translate(arena *a, const char *text)
{
    const char *fts = NULL;
    search_query_status st = search_query_translate(a, text, &fts);
    if (st != SEARCH_QUERY_OK) fprintf(stderr, "translate '%s': %d\n", text, (int)st);
    assert_int_equal(st, SEARCH_QUERY_OK);
    return fts;
}

static void test_translations(void **state)
{
    arena *a = arena_new();
    static const char *const cases[][2] = {
        {"ferry", "\"ferry\""},
        {"  harbour   ferry ", "\"harbour\" \"ferry\""},
        {"\"Gaza Strip\"", "\"Gaza Strip\""},
        {"\"Gaza Strip\" hospitals", "\"Gaza Strip\" \"hospitals\""},
        {"gaz*", "\"gaz\"*"},
        {"gaz**", "\"gaz\"*"},
        {"\"gaza str\"*", "\"gaza str\"*"},
        {"\"unbalanced", "\"unbalanced\""},
        {"\"two words", "\"two words\""},
        {"ferry OR bus", "\"ferry\" OR \"bus\""},
        {"\"a b\" OR c", "\"a b\" OR \"c\""},
        {"OR ferry", "\"OR\" \"ferry\""},
        {"ferry OR", "\"ferry\" \"OR\""},
        {"a OR OR b", "\"a\" \"OR\" OR \"b\""},
        {"ferry or bus", "\"ferry\" \"or\" \"bus\""},
        {"AND OR NOT", "\"AND\" OR \"NOT\""},
        {"ferry AND bus", "\"ferry\" \"AND\" \"bus\""},
        {"NOT ferry", "\"NOT\" \"ferry\""},
        {"col:term", "\"col:term\""},
        {"^x", "\"^x\""},
        {"NEAR(a b)", "\"NEAR(a\" \"b)\""},
        {"-ferry +bus", "\"-ferry\" \"+bus\""},
        {"( ferry )", "\"ferry\""},
        {"ferry * -", "\"ferry\""},
        {"a\"b\"c", "\"a\" \"b\" \"c\""},
        {"tab\there\nnewline", "\"tab\" \"here\" \"newline\""},
        {"Zakharova", "\"Zakharova\""},
        {"café Ølberg", "\"café\" \"Ølberg\""},
        {"«»", "\"«»\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = translate(a, cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0)
            fprintf(stderr, "translate '%s': got '%s', want '%s'\n", cases[i][0], got, cases[i][1]);
        assert_string_equal(got, cases[i][1]);
    }
    arena_free(a);
}

static void test_refusals(void **state)
{
    arena *a = arena_new();
    const char *fts = "x";
    assert_int_equal(search_query_translate(a, NULL, &fts), SEARCH_QUERY_EMPTY);
    assert_null(fts);
    assert_int_equal(search_query_translate(a, "", &fts), SEARCH_QUERY_EMPTY);
    assert_int_equal(search_query_translate(a, " \t\r\n ", &fts), SEARCH_QUERY_EMPTY);
    assert_int_equal(search_query_translate(a, "*", &fts), SEARCH_QUERY_NO_WORDS);
    assert_int_equal(search_query_translate(a, "\"", &fts), SEARCH_QUERY_NO_WORDS);
    assert_int_equal(search_query_translate(a, "\"\"", &fts), SEARCH_QUERY_NO_WORDS);
    assert_int_equal(search_query_translate(a, "( ) : ^ - + *", &fts), SEARCH_QUERY_NO_WORDS);
    assert_int_equal(search_query_translate(a, "OR", &fts), SEARCH_QUERY_OK); /* the word "or" */
    assert_int_equal(search_query_translate(a, "caf\xC3", &fts), SEARCH_QUERY_BAD_UTF8);
    assert_int_equal(search_query_translate(a, "\xFF\xFE", &fts), SEARCH_QUERY_BAD_UTF8);
    assert_int_equal(search_query_translate(a, "\xC0\xAF", &fts), SEARCH_QUERY_BAD_UTF8);
    assert_int_equal(search_query_translate(a, "\xED\xA0\x80", &fts), SEARCH_QUERY_BAD_UTF8);
    char text[512];
    memset(text, 'a', 200);
    text[200] = '\0';
    assert_int_equal(search_query_translate(a, text, &fts), SEARCH_QUERY_OK);
    memset(text, 'a', 201);
    text[201] = '\0';
    assert_int_equal(search_query_translate(a, text, &fts), SEARCH_QUERY_TOO_LONG);
    assert_null(fts);
    /* 32 words pass, 33 do not */
    text[0] = '\0';
    for (int i = 0; i < 32; i++)
        strcat(text, "ab ");
    assert_int_equal(search_query_translate(a, text, &fts), SEARCH_QUERY_OK);
    strcat(text, "ab");
    assert_int_equal(search_query_translate(a, text, &fts), SEARCH_QUERY_TOO_LONG);
    /* 100 one-letter words within 200 bytes: too many terms */
    text[0] = '\0';
    for (int i = 0; i < 100; i++)
        strcat(text, "a ");
    assert_int_equal(search_query_translate(a, text, &fts), SEARCH_QUERY_TOO_LONG);
    for (int st = SEARCH_QUERY_EMPTY; st <= SEARCH_QUERY_BAD_UTF8; st++)
        assert_true(strlen(search_query_message((search_query_status)st)) > 0);
    assert_non_null(strstr(search_query_message(SEARCH_QUERY_TOO_LONG), "too long"));
    arena_free(a);
}

/* Whatever a reader types, the translation runs in FTS5 without an error. */
static void test_hostile_inputs_run(void **state)
{
    fixture *f = *state;
    small_site(f);
    static const char *const inputs[] = {
        "\"unbalanced",
        "AND OR NOT",
        "col:term",
        "^x",
        "NEAR(a b)",
        "*",
        "\"",
        "\"\"\"",
        "ferry\"",
        "\"ferry",
        "a\"b",
        "headline:ferry",
        "{headline lead}:ferry",
        "-ferry",
        "ferry -harbour",
        "+ferry",
        "ferry NOT harbour",
        "NOT",
        "AND",
        "OR",
        "OR OR OR",
        "ferry OR",
        "OR ferry",
        "(ferry OR harbour) AND budget",
        "NEAR(ferry harbour, 2)",
        "NEAR",
        "ferry*harbour",
        "*ferry",
        "fer*ry*",
        "**",
        "\"*\"",
        "ferry^",
        "^",
        "\\",
        "'",
        "';DROP TABLE articles;--",
        "%",
        "_",
        "ferry:",
        ":ferry",
        "::",
        "\x01\x02\x7f",
        "\"a\" \"\" \"b\"",
        "\"ferry harbour\"*",
        "\"ferry\" OR \"\"",
        "é",
        "ﬁ",
        "日本語",
        "\xEE\x80\x80",
        "— – …",
        "ferry\xE2\x80\x8B",
        "a+b-c",
        "1 OR 2",
        "0",
        "NEAR/3",
        "ferry NEAR/2 harbour",
        "AND(ferry)",
        "\"Gaza Strip\"",
        "Zakhar*",
        "gaz*",
        "<script>",
        "&amp;",
        "ferry ) (",
        "ferry (",
        "))) (((",
        "ferry OR OR harbour",
        "a OR b OR c",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *fts;
        search_query_status qs = search_query_translate(f->a, inputs[i], &fts);
        assert_true(qs == SEARCH_QUERY_OK || qs == SEARCH_QUERY_NO_WORDS ||
                    qs == SEARCH_QUERY_EMPTY);
        if (qs != SEARCH_QUERY_OK) continue;
        store_search_hit *hits;
        size_t n, total;
        store_status st = store_search(f->s, f->a, fts, NULL, 10, 0, &hits, &n, &total, NULL);
        if (st != STORE_OK)
            fprintf(stderr, "input '%s' → '%s': %s\n", inputs[i], fts, store_last_error(f->s));
        assert_int_equal(st, STORE_OK);
        assert_int_equal(n, total < 10 ? total : 10);
    }
    /* and a run of pseudo-random printable garbage */
    static const char alphabet[] = "ab \"*():^-+ORANDNOTNEAR{}[],.;'\\/%&|~!?=<>";
    unsigned seed = 12345;
    for (int round = 0; round < 2000; round++) {
        char text[64];
        size_t len = (size_t)(round % 60) + 1;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        text[len] = '\0';
        const char *fts;
        if (search_query_translate(f->a, text, &fts) != SEARCH_QUERY_OK) continue;
        store_search_hit *hits;
        size_t n, total;
        store_status st = store_search(f->s, f->a, fts, NULL, 5, 0, &hits, &n, &total, NULL);
        if (st != STORE_OK)
            fprintf(stderr, "input '%s' → '%s': %s\n", text, fts, store_last_error(f->s));
        assert_int_equal(st, STORE_OK);
    }
}

static void test_reader_queries_find(void **state)
{
    fixture *f = *state;
    small_site(f);
    store_search_hit *hits;
    assert_int_equal(reader_search(f, "\"Gaza Strip\"", &hits), 1);
    assert_string_equal(hits[0].article.slug, "gaza-hospitals");
    assert_int_equal(reader_search(f, "gaza strip", &hits), 1);
    assert_int_equal(reader_search(f, "\"strip gaza\"", &hits), 0);
    assert_int_equal(reader_search(f, "harb*", &hits), 2);
    assert_int_equal(reader_search(f, "ferry budget", &hits), 1);
    assert_int_equal(reader_search(f, "electricity OR tickets", &hits), 2);
    assert_int_equal(reader_search(f, "FERRY", &hits), 2);
    /* "-terminal" is the word terminal, not an exclusion */
    assert_int_equal(reader_search(f, "ferry -terminal", &hits), 1);
    assert_string_equal(hits[0].article.slug, "harbour-budget");
}

/* ---- Ranking inputs and snippets (src/store private parts) ----------------------------- */
static void test_rank_phrases_and_words(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *p[8];
    assert_int_equal(search_rank_phrases(a, "\"ferry\" OR \"gull island\"*", p, 8), 2);
    assert_string_equal(p[0], "\"ferry\"");
    assert_string_equal(p[1], "\"gull island\"*");
    assert_int_equal(search_rank_phrases(a, "\"say \"\"no\"\"\" \"x\"", p, 8), 2);
    assert_string_equal(p[0], "\"say \"\"no\"\"\"");
    /* anything but quoted phrases: no split (ranking then weighs phrases alike) */
    assert_int_equal(search_rank_phrases(a, "ferry", p, 8), 0);
    assert_int_equal(search_rank_phrases(a, "\"ferry\" NEAR(\"a\")", p, 8), 0);
    assert_int_equal(search_rank_phrases(a, "\"unclosed", p, 8), 0);
    assert_int_equal(search_rank_phrases(a, "\"a\" \"b\" \"c\"", p, 2), 0);

    const char *w[8];
    assert_int_equal(search_rank_words(a, "\"gull island\"*", w, 8), 2);
    assert_string_equal(w[0], "\"gull\"");
    assert_string_equal(w[1], "\"island\"*");
    assert_int_equal(search_rank_words(a, "\"ferry\"", w, 8), 1);
    assert_string_equal(w[0], "\"ferry\"");

    /* fewer matches than the sample: exact; a full sample over a tenth of the ids: ten times */
    assert_true(search_rank_estimate_df(17, 256, 5, 1, 1000) == 17.0);
    assert_true(search_rank_estimate_df(256, 256, 901, 1, 1000) == 2560.0);

    search_df_cache *cache = calloc(1, sizeof *cache);
    double df = 0;
    assert_false(search_df_cache_get(cache, "\"ferry\"", 100, &df));
    search_df_cache_put(cache, "\"ferry\"", 100, 42);
    assert_true(search_df_cache_get(cache, "\"ferry\"", 100 + SEARCH_DF_TTL, &df));
    assert_true(df == 42.0);
    assert_false(search_df_cache_get(cache, "\"ferry\"", 101 + SEARCH_DF_TTL, &df));
    free(cache);
    arena_free(a);
}

static void test_snippet_windows(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *body = "One two three four five six seven eight nine ten eleven twelve thirteen "
                       "the harbour ferry sails at dawn from Gull Island, fourteen fifteen "
                       "sixteen seventeen eighteen nineteen twenty twenty-one twenty-two.";
    const char *cols[] = {body, "A short lead about the ferry."};
    const char *ph[] = {"\"harbour ferry\"", "\"gull\""};
    const char *s = search_snippet_html(a, cols, 2, ph, 2, 12);
    /* the body holds both phrases: its window wins, cut at both ends */
    assert_non_null(strstr(s, "<mark>harbour ferry</mark>"));
    assert_non_null(strstr(s, "<mark>Gull</mark>"));
    assert_true(strncmp(s, "\xE2\x80\xA6", 3) == 0);
    assert_non_null(strstr(s + 3, "\xE2\x80\xA6"));
    assert_null(strstr(s, "One two"));

    /* prefix, case and accents folded like the index does; the lead wins when only it matches */
    const char *cafe[] = {"Nothing here.", "The CAF\xC3\x89S of Port Alder reopen."};
    const char *pre[] = {"\"cafe\"*"};
    s = search_snippet_html(a, cafe, 2, pre, 1, 24);
    assert_string_equal(s, "The <mark>CAF\xC3\x89S</mark> of Port Alder reopen.");

    /* no match: the start of the first text; HTML escaped */
    const char *plain[] = {"<b>Fish</b> & chips"};
    s = search_snippet_html(a, plain, 1, pre, 1, 24);
    assert_string_equal(s, "&lt;b&gt;Fish&lt;/b&gt; &amp; chips");
    assert_string_equal(search_snippet_html(a, NULL, 0, pre, 1, 24), "");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ranking_and_snippets, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_snippet_escaping, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_live_only, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_topic_filter_and_pagination, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_index_follows_saves, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_fts_query, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_migration_fills_index, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_slices_cover_ids, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_search_len_follows_saves, setup_db, teardown),
        cmocka_unit_test(test_pairs_match_unicode61),
        cmocka_unit_test(test_translations),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test_setup_teardown(test_hostile_inputs_run, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_reader_queries_find, setup_db, teardown),
        cmocka_unit_test(test_rank_phrases_and_words),
        cmocka_unit_test(test_snippet_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
