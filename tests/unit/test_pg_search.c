/* test_pg_search.c — cmocka tests of the PostgreSQL backend's search, comments and Web Push
 * (src/store/pg_search.c, pg_comments.c, pg_push.c) and of the FTS5-to-tsquery reader
 * (pg_tsquery.c). The reader's tests always run. Each database test makes a database of its own
 * on the cluster named by GAZETTE_TEST_PG (an admin URL; pg_fixture.h) and drops it afterwards;
 * without that variable they are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/core/arena.h"
#include "../../src/site/search_query.h"
#include "../../src/store/pg_tsquery.h"
#include "../../src/store/store.h"
#include "pg_fixture.h"

/* ---- The reader (no database) ------------------------------------------------------------ */
static void expect_tsquery(arena *a, const char *fts, const char *want)
{
    const char *out = NULL;
    const char *error = pg_tsquery_from_fts(a, fts, &out);
    if (error) fprintf(stderr, "[%s]: %s\n", fts, error);
    assert_null(error);
    assert_string_equal(out, want);
}

static void test_tsquery_translations(void **state)
{
    (void)state;
    arena *a = arena_new();
    expect_tsquery(a, "\"ferry\"", "'ferry'");
    expect_tsquery(a, "\"gull island\"", "'gull island'");
    expect_tsquery(a, "\"ferry\"*", "'ferry':*");
    expect_tsquery(a, "\"united sta\"*", "'united' <-> 'sta':*");
    expect_tsquery(a, "\"the\" OR \"ferry\"", "'the' | 'ferry'");
    expect_tsquery(a, "\"a\" \"b\" OR \"c\"", "'a' & 'b' | 'c'");
    expect_tsquery(a, "ferry AND bus NOT tram", "'ferry' & 'bus' & !'tram'");
    expect_tsquery(a, "caf\xC3\xA9* d\xC3\xA9j\xC3\xA0", "'caf\xC3\xA9':* & 'd\xC3\xA9j\xC3\xA0'");
    expect_tsquery(a, "\"it's a \\ \"\"x\"\"\"", "'it\\'s a \\\\ \"x\"'");
    expect_tsquery(a, "\"\"", "' '");
    expect_tsquery(a, "AND*", "'AND':*");
    /* whatever a reader types, its translation is read */
    static const char *const texts[] = {"ferry", "\"gull island\"", "bus OR tram",
                                        "it's",  "OR ferry OR",     "x* \"y z\"*",
                                        "a\\b",  "naïve café"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *fts, *out;
        assert_int_equal(search_query_translate(a, texts[i], &fts), SEARCH_QUERY_OK);
        assert_null(pg_tsquery_from_fts(a, fts, &out));
    }
    arena_free(a);
}

static void test_tsquery_refusals(void **state)
{
    (void)state;
    arena *a = arena_new();
    static const char *const bad[] = {"",       "   ",      "\"unclosed",  "AND",     "ferry AND",
                                      "(ferry", "ferry)",   "nosuchcol:x", "NEAR(",   "*",
                                      "^",      "ferry OR", "OR ferry",    "a NOT",   "a AND OR b",
                                      "a-b",    "'quoted'", "a + b",       "caf\xC3", "\"\xFF\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *out = "unset";
        const char *error = pg_tsquery_from_fts(a, bad[i], &out);
        if (!error) fprintf(stderr, "[%s] was read as [%s]\n", bad[i], out);
        assert_non_null(error);
        assert_true(strlen(error) > 0);
        assert_null(out);
    }
    const char *out;
    assert_non_null(pg_tsquery_from_fts(a, NULL, &out));
    arena_free(a);
}

/* ---- The database ------------------------------------------------------------------------ */
typedef struct {
    char name[64];
    char url[512];
    store *s;
    arena *a;
} pg_fixture;

/* A database of the test's own on GAZETTE_TEST_PG's cluster, migrated by the store; every
 * database test skips without one. */
static int setup_pg(void **state)
{
    pg_fixture *f = calloc(1, sizeof *f);
    *state = f;
    f->a = arena_new();
    const char *admin = test_pg_admin();
    if (!admin) return 0;
    pg_test_database_new(admin, f->name, sizeof f->name, f->url, sizeof f->url);
    char err[512];
    if (store_create(f->url, &f->s, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "store_create: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown_pg(void **state)
{
    pg_fixture *f = *state;
    if (f->s) store_close(f->s);
    pg_test_database_drop(f->name);
    arena_free(f->a);
    free(f);
    return 0;
}

#define NEED_PG(f)                                                                                 \
    do {                                                                                           \
        if (!(f)->s) skip();                                                                       \
    } while (0)

static long long now_s(void)
{
    return (long long)time(NULL);
}

static long long save(pg_fixture *f, const char *slug, const char *headline, const char *lead,
                      const char *body_html, const char *topic, article_status status,
                      long long published_at)
{
    const char *topics[] = {topic ? topic : "News"};
    store_article_input in = {.slug = slug,
                              .headline = headline,
                              .lead = lead,
                              .body_markdown = body_html ? "(markdown)" : NULL,
                              .body_html = body_html,
                              .status = status,
                              .published_at = published_at,
                              .topic_names = topics,
                              .n_topics = 1};
    long long id = 0;
    store_status st = store_articles_save(f->s, &in, 1, &id);
    if (st != STORE_OK) fprintf(stderr, "save: %s\n", store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
    return id;
}

static void small_site(pg_fixture *f)
{
    save(f, "ferry-returns", "Ferry service returns to Port Alder",
         "The harbour ferry sails again.",
         "<p>The <strong>ferry</strong> between the north quay and Gull Island is running again "
         "&amp; tickets cost the same.</p>",
         "Transport", ARTICLE_PUBLISHED, now_s() - 7200);
    save(f, "harbour-budget", "Council debates the harbour budget",
         "Money for the quay and the ferry terminal.",
         "<p>The vote on the budget for the ferry terminal is on Tuesday.</p>", "City Hall",
         ARTICLE_PUBLISHED, now_s() - 3600);
    save(f, "xss", "Plain headline",
         "<script>alert(1)</script> marker \xEE\x80\x80sneaky\xEE\x80\x81 \"q\" 's' & beacon", NULL,
         "World", ARTICLE_PUBLISHED, now_s() - 60);
    save(f, "draft", "Ferry draft", NULL, NULL, NULL, ARTICLE_DRAFT, now_s() - 60);
}

static store_search_hit *search(pg_fixture *f, const char *fts, const char *topic, size_t limit,
                                size_t offset, size_t *n, size_t *total)
{
    store_search_hit *hits;
    store_status st = store_search(f->s, f->a, fts, topic, limit, offset, &hits, n, total, NULL);
    if (st != STORE_OK) fprintf(stderr, "search '%s': %s\n", fts, store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
    return hits;
}

static void test_pg_search(void **state)
{
    pg_fixture *f = *state;
    NEED_PG(f);
    small_site(f);
    size_t n, total;
    store_search_hit *hits = search(f, "\"ferry\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(hits[0].article.slug, "ferry-returns"); /* in the headline */
    assert_true(hits[0].rank <= hits[1].rank);
    assert_non_null(strstr(hits[1].snippet, "<mark>ferry</mark>"));
    assert_int_equal(hits[0].article.n_topics, 1);
    hits = search(f, "\"tickets\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    assert_non_null(strstr(hits[0].snippet, "again &amp; <mark>tickets</mark> cost"));
    search(f, "\"strong\"", NULL, 10, 0, &n, &total); /* tags are not words */
    assert_int_equal(n, 0);
    search(f, "\"gull island\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    search(f, "\"gull isl\"*", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    search(f, "\"ferry\"", "transport", 10, 0, &n, &total);
    assert_int_equal(total, 1);
    hits = search(f, "\"ferry\"", NULL, 1, 1, &n, &total);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);
    assert_string_equal(hits[0].article.slug, "harbour-budget");
    /* escaping: the story's markup and private-use characters never pass */
    hits = search(f, "\"beacon\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
    const char *s = hits[0].snippet;
    assert_null(strstr(s, "<script>"));
    assert_non_null(strstr(s, "&lt;script&gt;"));
    assert_non_null(strstr(s, "&amp; <mark>beacon</mark>"));
    assert_null(strstr(s, "<mark>sneaky"));
    /* refusals change nothing and the connection still works */
    static const char *const bad[] = {"\"unclosed", "AND", "ferry AND", "(ferry", "nosuchcol:x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = total = 9;
        assert_int_equal(store_search(f->s, f->a, bad[i], NULL, 10, 0, &hits, &n, &total, NULL),
                         STORE_INVALID);
        assert_int_equal(n, 0);
        assert_int_equal(total, 0);
    }
    assert_int_equal(store_search_pack(f->s), STORE_OK);
    search(f, "\"ferry\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 2);
    /* another language: French stems, the index made again on the next save */
    assert_int_equal(store_setting_set(f->s, "site_language", "fr"), STORE_OK);
    save(f, "bateaux", "Les bateaux reviennent", NULL, NULL, "Transport", ARTICLE_PUBLISHED,
         now_s() - 10);
    search(f, "\"bateau\"", NULL, 10, 0, &n, &total);
    assert_int_equal(n, 1);
}

static void test_pg_comments(void **state)
{
    pg_fixture *f = *state;
    NEED_PG(f);
    long long article =
        save(f, "story", "A story", NULL, NULL, NULL, ARTICLE_PUBLISHED, now_s() - 60);
    store_comment_input in = {.article_id = article,
                              .author_name = "Ann",
                              .author_email = "ann@example.org",
                              .body = "First!",
                              .moderation = MODERATION_HOLD_FIRST,
                              .max_depth = 2};
    long long first, second, reply, other;
    comment_status cs;
    assert_int_equal(store_comment_add(f->s, &in, &first, &cs), STORE_OK);
    assert_int_equal(cs, COMMENT_PENDING);
    in.author_email = "ANN@example.org"; /* the same email, another case: a duplicate */
    assert_int_equal(store_comment_add(f->s, &in, &other, &cs), STORE_CONFLICT);
    assert_int_equal(store_comments_set_status(f->s, &first, 1, COMMENT_APPROVED), STORE_OK);
    in.body = "Second";
    assert_int_equal(store_comment_add(f->s, &in, &second, &cs), STORE_OK);
    assert_int_equal(cs, COMMENT_APPROVED); /* known email */
    in.parent_id = second;
    in.body = "A reply";
    assert_int_equal(store_comment_add(f->s, &in, &reply, &cs), STORE_OK);
    in.parent_id = reply;
    in.body = "Too deep";
    assert_int_equal(store_comment_add(f->s, &in, &other, &cs), STORE_INVALID);
    in.parent_id = 0;
    in.article_id = article + 1000;
    assert_int_equal(store_comment_add(f->s, &in, &other, &cs), STORE_INVALID);
    store_comment *v;
    size_t n;
    assert_int_equal(store_comments_for_article(f->s, f->a, article, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[0].id, first);
    assert_int_equal(store_comments_list(f->s, f->a, NULL, 10, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].article_slug, "story");
    long long ids[2] = {article, article + 1000}, counts[2];
    assert_int_equal(store_comment_counts(f->s, ids, 2, counts), STORE_OK);
    assert_int_equal(counts[0], 3);
    assert_int_equal(counts[1], 0);
    long long missing[2] = {first, 999999};
    assert_int_equal(store_comments_set_status(f->s, missing, 2, COMMENT_SPAM), STORE_NOT_FOUND);
    store_comment one;
    assert_int_equal(store_comment_by_id(f->s, f->a, first, &one), STORE_OK);
    assert_int_equal(one.status, COMMENT_APPROVED); /* nothing changed */
    store_user desk = {.login = "desk",
                       .display_name = "Desk",
                       .role = "editor",
                       .password_hash = "$argon2id$not-a-real-hash"};
    long long desk_id = 0, staff;
    assert_int_equal(store_user_add(f->s, &desk, "desk", &desk_id), STORE_OK);
    assert_int_equal(
        store_comment_staff_reply(f->s, first, desk_id, "Desk", NULL, "Thanks", &staff), STORE_OK);
    assert_int_equal(store_comment_by_id(f->s, f->a, staff, &one), STORE_OK);
    assert_true(one.staff);
    assert_int_equal(store_comments_delete(f->s, &second, 1), STORE_OK); /* and its reply */
    assert_int_equal(store_comment_by_id(f->s, f->a, reply, &one), STORE_NOT_FOUND);
}

static void test_pg_push(void **state)
{
    pg_fixture *f = *state;
    NEED_PG(f);
    save(f, "breaking", "Breaking", NULL, NULL, NULL, ARTICLE_PUBLISHED, now_s() - 60);
    unsigned char private_key[32], public_key[65], p256dh[65], auth[16];
    memset(private_key, 1, sizeof private_key);
    memset(public_key, 4, sizeof public_key);
    memset(p256dh, 4, sizeof p256dh);
    memset(auth, 0, sizeof auth);
    store_push_vapid vapid;
    assert_int_equal(store_push_vapid_get(f->s, f->a, &vapid), STORE_NOT_FOUND);
    assert_int_equal(store_push_vapid_put(f->s, private_key, public_key), STORE_OK);
    assert_int_equal(store_push_vapid_get(f->s, f->a, &vapid), STORE_OK);
    assert_memory_equal(vapid.private_key, private_key, 32);
    assert_int_equal(store_push_subscribe(f->s, "https://push.example/1", p256dh, auth), STORE_OK);
    assert_int_equal(store_push_subscribe(f->s, "https://push.example/2", p256dh, auth), STORE_OK);
    assert_int_equal(store_push_unsubscribe(f->s, "https://push.example/3"), STORE_NOT_FOUND);
    long long queued, marked_at;
    assert_int_equal(store_push_mark_breaking(f->s, "breaking", &queued, &marked_at), STORE_OK);
    assert_int_equal(queued, 2);
    assert_int_equal(store_push_mark_breaking(f->s, "breaking", &queued, &marked_at),
                     STORE_CONFLICT);
    assert_int_equal(queued, 2);
    assert_int_equal(store_push_mark_breaking(f->s, "nope", &queued, &marked_at), STORE_NOT_FOUND);
    store_push_message *m;
    size_t n;
    long long now = now_s() + 5;
    assert_int_equal(store_push_claim(f->s, f->a, now, now + 60, 1, &m, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].attempts, 1);
    assert_true(m[0].live);
    assert_memory_equal(m[0].auth, auth, 16);
    long long sent = m[0].id;
    assert_int_equal(store_push_claim(f->s, f->a, now, now + 60, 10, &m, &n), STORE_OK);
    assert_int_equal(n, 1); /* the other one: never the one taken */
    assert_true(m[0].id != sent);
    assert_int_equal(store_push_claim(f->s, f->a, now, now + 60, 10, &m, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_push_message_finish(f->s, sent, PUSH_MESSAGE_SENT, 0), STORE_OK);
    long long subscribers, counts[3], at, removed;
    assert_int_equal(store_push_counts(f->s, &subscribers, counts), STORE_OK);
    assert_int_equal(subscribers, 2);
    assert_int_equal(counts[PUSH_MESSAGE_WAITING], 1);
    assert_int_equal(counts[PUSH_MESSAGE_SENT], 1);
    assert_int_equal(store_push_next_due(f->s, &at), STORE_OK);
    assert_int_equal(at, now + 60);
    assert_int_equal(store_push_prune(f->s, now_s() + 100000, &removed), STORE_OK);
    assert_int_equal(removed, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tsquery_translations),
        cmocka_unit_test(test_tsquery_refusals),
        cmocka_unit_test_setup_teardown(test_pg_search, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_pg_comments, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_pg_push, setup_pg, teardown_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
