/* test_pg_articles.c — cmocka tests of the PostgreSQL backend's stories, topics, authors and
 * API keys (src/store/pg_articles.c, pg_topics.c): saving (links, upserts, all or nothing),
 * the live rule, lists with totals, keyset cursors and filters, stories by ids, related
 * stories, changes, pages and redirects, topics (lists, leading, counted, the topics screen
 * and its loop check), authors and keys. Each test makes a database of its own on the server
 * named by GAZETTE_TEST_PG (pg_fixture.h; make test starts a throwaway cluster) and drops it
 * afterwards; without that variable every test is skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/store/store.h"
#include "pg_fixture.h"

typedef struct {
    char name[48]; /* the database made for the test; "" when none */
    char url[512];
    store *s;
    arena *a;
} articles_fixture;

static long long now_s(void)
{
    return (long long)time(NULL);
}

static void pg_raw(const char *url, const char *sql)
{
    assert_true(pg_run(url, sql));
}

static long long pg_raw_int(articles_fixture *f, const char *sql)
{
    bool found;
    const char *v = pg_value(f->a, f->url, sql, &found);
    return found && v ? strtoll(v, NULL, 10) : -1;
}

static int setup_pg(void **state)
{
    articles_fixture *f = calloc(1, sizeof *f);
    *state = f;
    const char *admin = test_pg_admin();
    if (!admin) return 0; /* every test skips */
    pg_test_database_new(admin, f->name, sizeof f->name, f->url, sizeof f->url);
    char err[512];
    store_status st = store_create(f->url, &f->s, err, sizeof err);
    if (st != STORE_OK) fprintf(stderr, "store_create: %s\n", err);
    f->a = arena_new();
    return st == STORE_OK ? 0 : -1;
}

static int teardown_pg(void **state)
{
    articles_fixture *f = *state;
    if (f->s) store_close(f->s);
    if (f->a) arena_free(f->a);
    pg_test_database_drop(f->name);
    free(f);
    return 0;
}

/* The fixture of a test, or a skip when no server was named. */
static articles_fixture *fixture_or_skip(void **state)
{
    articles_fixture *f = *state;
    if (!f->s) skip();
    return f;
}

static void save_ok(articles_fixture *f, const store_article_input *in, size_t n, long long *ids)
{
    store_status st = store_articles_save(f->s, in, n, ids);
    if (st != STORE_OK) fprintf(stderr, "save: %s\n", store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
}

static void save_one(articles_fixture *f, store_article_input in, long long *id)
{
    save_ok(f, &in, 1, id);
}

/* A published story with one topic, no author. */
static store_article_input story(const char *slug, const char *headline, long long published_at)
{
    static const char *default_topic[] = {"News"};
    return (store_article_input){.slug = slug,
                                 .headline = headline,
                                 .status = ARTICLE_PUBLISHED,
                                 .published_at = published_at,
                                 .topic_names = default_topic,
                                 .n_topics = 1};
}

static bool exists_any(articles_fixture *f, const char *slug)
{
    store_article art;
    store_status st = store_article_any_by_slug(f->s, f->a, slug, &art);
    assert_true(st == STORE_OK || st == STORE_NOT_FOUND);
    return st == STORE_OK;
}

/* ---- Saving ---------------------------------------------------------------------------- */
static void test_round_trip(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    const char *topics[] = {"Politics", "Économie", "Europe"};
    const char *authors[] = {"Ada Lovelace", "Grace Hopper"};
    const char *read_also[] = {"older-story"};
    long long when = now_s() - 3600, before = now_s();
    store_article_input in = {.slug = "budget-vote",
                              .kicker = "Parliament",
                              .headline = "The budget passes",
                              .lead = "By a narrow margin.",
                              .body_markdown = "Body *text*.",
                              .body_html = "<p>Body <em>text</em>.</p>",
                              .image_url = "/img/vote.jpg",
                              .image_caption = "The vote",
                              .image_credit = "Photo: AP",
                              .image_alt = "Members voting",
                              .status = ARTICLE_PUBLISHED,
                              .published_at = when,
                              .comments_off = true,
                              .comments_days = 7,
                              .topic_names = topics,
                              .n_topics = 3,
                              .author_names = authors,
                              .n_authors = 2,
                              .read_also_slugs = read_also,
                              .n_read_also = 1};
    long long id = 0;
    save_one(f, in, &id);
    assert_true(id > 0);
    assert_string_equal(store_last_error(f->s), "");

    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "budget-vote", &art), STORE_OK);
    assert_int_equal(art.id, id);
    assert_string_equal(art.kicker, "Parliament");
    assert_string_equal(art.headline, "The budget passes");
    assert_string_equal(art.lead, "By a narrow margin.");
    assert_string_equal(art.body_markdown, "Body *text*.");
    assert_string_equal(art.body_html, "<p>Body <em>text</em>.</p>");
    assert_string_equal(art.image_url, "/img/vote.jpg");
    assert_string_equal(art.image_caption, "The vote");
    assert_string_equal(art.image_credit, "Photo: AP");
    assert_string_equal(art.image_alt, "Members voting");
    assert_string_equal(art.body_format, "markdown");
    assert_int_equal(art.status, ARTICLE_PUBLISHED);
    assert_int_equal(art.published_at, when);
    assert_true(art.updated_at >= before && art.updated_at <= now_s());
    assert_true(art.created_at >= before && art.created_at <= now_s());
    assert_true(art.comments_off);
    assert_int_equal(art.comments_days, 7);
    assert_false(art.is_page);
    assert_false(art.sticky);
    assert_int_equal(art.n_topics, 3);
    assert_string_equal(art.topics[0].slug, "politics");
    assert_string_equal(art.topics[1].slug, "economie");
    assert_string_equal(art.topics[1].name, "Économie");
    assert_string_equal(art.topics[2].slug, "europe");
    assert_null(art.topics[0].description);
    assert_int_equal(art.n_authors, 2);
    assert_string_equal(art.authors[0].slug, "ada-lovelace");
    assert_string_equal(art.authors[1].name, "Grace Hopper");
    assert_null(art.authors[1].bio);

    store_article top;
    assert_int_equal(store_article_top(f->s, f->a, &top), STORE_OK);
    assert_int_equal(top.id, id);
    assert_string_equal(top.body_html, art.body_html);
    assert_int_equal(top.n_authors, 2);
    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_null(list[0].body_html); /* lists leave bodies out */
    assert_string_equal(list[0].topics[2].name, "Europe");

    /* NULLs stay NULL, empty text stays empty */
    store_article_input bare = {
        .slug = "bare", .headline = "Bare", .kicker = "", .status = ARTICLE_PUBLISHED};
    before = now_s();
    save_one(f, bare, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "bare", &art), STORE_OK);
    assert_string_equal(art.kicker, "");
    assert_null(art.lead);
    assert_null(art.body_markdown);
    assert_null(art.image_alt);
    assert_null(art.topics);
    assert_int_equal(art.n_topics, 0);
    assert_int_equal(art.n_authors, 0);
    assert_true(art.published_at >= before && art.published_at <= now_s()); /* 0: now */
}

static void test_upsert_keeps_id_replaces_links(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    const char *t1[] = {"Politics", "Economy"}, *a1[] = {"Ada Lovelace"};
    const char *r1[] = {"one", "two"};
    long long when = now_s() - 500, id1, id2;
    store_article_input in = story("same-slug", "First version", when);
    in.topic_names = t1;
    in.n_topics = 2;
    in.author_names = a1;
    in.n_authors = 1;
    in.read_also_slugs = r1;
    in.n_read_also = 2;
    save_one(f, in, &id1);
    const char *t2[] = {"Science", "science", "Politics"}; /* a duplicate by slug */
    in.headline = "Second version";
    in.topic_names = t2;
    in.n_topics = 3;
    in.n_authors = 0;
    in.n_read_also = 1;
    in.published_at = 0; /* already published: keeps its time */
    save_one(f, in, &id2);
    assert_int_equal(id1, id2);

    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "same-slug", &art), STORE_OK);
    assert_string_equal(art.headline, "Second version");
    assert_int_equal(art.published_at, when);
    assert_int_equal(art.n_topics, 2);
    assert_string_equal(art.topics[0].slug, "science");
    assert_string_equal(art.topics[1].slug, "politics");
    assert_int_equal(art.n_authors, 0);
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM articles"), 1);
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM article_read_also"), 1);
    assert_int_equal(pg_raw_int(f, "SELECT max(position) FROM article_topics"), 1);
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM topics"), 3); /* economy stays */

    /* taken off the site and put back without a time: dated anew */
    in.status = ARTICLE_DRAFT;
    save_one(f, in, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "same-slug", &art), STORE_NOT_FOUND);
    in.status = ARTICLE_PUBLISHED;
    save_one(f, in, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "same-slug", &art), STORE_OK);
    assert_true(art.published_at >= now_s() - 5);
}

static void test_invalid_input_writes_nothing(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    store_article_input in[5];
    for (int i = 0; i < 5; i++)
        in[i] = story(arena_printf(f->a, "item-%d", i + 1), "Fine", now_s() - 10);
    in[0].topic_names = (const char *[]){"Brand New Topic"};
    in[2].headline = "   ";
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    assert_non_null(strstr(store_last_error(f->s), "article 3"));
    assert_non_null(strstr(store_last_error(f->s), "headline"));
    in[2].headline = "Fine";
    in[2].slug = "Not A Slug";
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    assert_non_null(strstr(store_last_error(f->s), "slug"));
    in[2].slug = "item-3";
    in[2].status = (article_status)7;
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    in[2].status = ARTICLE_PUBLISHED;
    in[2].topic_names = (const char *[]){"Ok", NULL};
    in[2].n_topics = 2;
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    in[2].n_topics = 1;
    for (int i = 0; i < 5; i++)
        assert_false(exists_any(f, in[i].slug));
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM topics"), 0);

    /* a failure inside the database half-way through rolls the whole batch back */
    pg_raw(f->url, "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                   " IF NEW.slug = 'item-3' THEN RAISE EXCEPTION 'boom'; END IF;"
                   " RETURN NEW; END $$;"
                   "CREATE TRIGGER boom BEFORE INSERT ON articles"
                   " FOR EACH ROW EXECUTE FUNCTION boom()");
    long long ids[5] = {0};
    assert_int_not_equal(store_articles_save(f->s, in, 5, ids), STORE_OK);
    assert_non_null(strstr(store_last_error(f->s), "article 3 (item-3)"));
    assert_non_null(strstr(store_last_error(f->s), "boom"));
    for (int i = 0; i < 5; i++) {
        assert_false(exists_any(f, in[i].slug));
        assert_int_equal(ids[i], 0);
    }
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM topics"), 0);
    pg_raw(f->url, "DROP TRIGGER boom ON articles");
    save_ok(f, in, 5, ids);
    assert_string_equal(store_last_error(f->s), "");
    assert_true(exists_any(f, "item-5"));
    assert_true(ids[4] > ids[0]);
}

/* ---- Reading --------------------------------------------------------------------------- */
static void test_live_rule_pages_redirects(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long now = now_s();
    save_one(f, story("live", "Live", now - 100), NULL);
    store_article_input draft = story("draft", "Draft", now - 50);
    draft.status = ARTICLE_DRAFT;
    save_one(f, draft, NULL);
    store_article_input scheduled = story("scheduled", "Scheduled", now + 1800);
    scheduled.status = ARTICLE_SCHEDULED;
    save_one(f, scheduled, NULL);
    store_article_input due = story("due", "Due", now - 20);
    due.status = ARTICLE_SCHEDULED;
    save_one(f, due, NULL);
    save_one(f, story("future", "Future", now + 3600), NULL);
    save_one(f, story("about", "About us", now - 30), NULL);
    save_one(f, story("contact", "Contact", now - 30), NULL);
    pg_raw(f->url, "UPDATE articles SET kind = 'page' WHERE slug IN ('about', 'contact')");
    pg_raw(f->url, "INSERT INTO redirects (path, target) VALUES ('/old/about', '/pages/about/')");

    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].slug, "due");
    assert_string_equal(list[1].slug, "live");
    store_article art;
    assert_int_equal(store_article_top(f->s, f->a, &art), STORE_OK);
    assert_string_equal(art.slug, "due");
    const char *hidden[] = {"draft", "scheduled", "future", "about"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(store_article_by_slug(f->s, f->a, hidden[i], &art), STORE_NOT_FOUND);
        assert_int_equal(store_article_any_by_slug(f->s, f->a, hidden[i], &art), STORE_OK);
        assert_string_equal(art.slug, hidden[i]);
    }
    assert_true(art.is_page);
    assert_int_equal(store_article_by_slug(f->s, f->a, NULL, &art), STORE_NOT_FOUND);
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "nope", &art), STORE_NOT_FOUND);
    assert_non_null(strstr(store_last_error(f->s), "nope"));

    assert_int_equal(store_page_by_slug(f->s, f->a, "about", &art), STORE_OK);
    assert_string_equal(art.headline, "About us");
    assert_true(art.is_page);
    assert_int_equal(store_page_by_slug(f->s, f->a, "live", &art), STORE_NOT_FOUND);
    const char **slugs;
    assert_int_equal(store_pages_list(f->s, f->a, &slugs, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(slugs[0], "about");
    assert_string_equal(slugs[1], "contact");
    const char *target;
    assert_int_equal(store_redirect_lookup(f->s, f->a, "/old/about", &target), STORE_OK);
    assert_string_equal(target, "/pages/about/");
    assert_int_equal(store_redirect_lookup(f->s, f->a, "/old/none", &target), STORE_NOT_FOUND);
    assert_null(target);

    store_article *stamps;
    assert_int_equal(store_article_stamps(f->s, f->a, 10, 0, &stamps, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(stamps[0].slug, "due");
    assert_string_equal(stamps[1].headline, "Live");
    assert_true(stamps[1].updated_at > 0 && stamps[1].published_at == now - 100);
    assert_int_equal(store_article_stamps(f->s, f->a, 10, 1, &stamps, &n), STORE_OK);
    assert_int_equal(n, 1);
}

static void test_pagination_cursor_since(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    store_article_input in[25];
    long long base = now_s() - 1000;
    for (int i = 0; i < 25; i++)
        in[i] = story(arena_printf(f->a, "p-%02d", i), "Paged", base + i);
    save_ok(f, in, 25, NULL);

    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 10);
    assert_int_equal(total, 25);
    for (int i = 0; i < 10; i++)
        assert_string_equal(list[i].slug, arena_printf(f->a, "p-%02d", 24 - i));
    /* the next page by cursor: after the last one shown, the total still the whole list's */
    q.cursor_published_at = list[9].published_at;
    q.cursor_id = list[9].id;
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 10);
    assert_int_equal(total, 25);
    assert_string_equal(list[0].slug, "p-14");
    assert_string_equal(list[9].slug, "p-05");
    q.offset = 20;
    q.cursor_id = 0;
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 5);
    assert_string_equal(list[4].slug, "p-00");
    q = (store_article_query){.limit = 0};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, NULL), STORE_OK);
    assert_int_equal(n, 0);
    q = (store_article_query){.limit = SIZE_MAX};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, NULL), STORE_OK);
    assert_int_equal(n, 25);
    assert_int_equal(store_articles_list(f->s, f->a, NULL, &list, &n, NULL), STORE_INVALID);

    /* equal times: the newer row first, and a cursor between them */
    store_article_input same[3] = {story("same-a", "A", base - 5), story("same-b", "B", base - 5),
                                   story("same-c", "C", base - 5)};
    long long ids[3];
    save_ok(f, same, 3, ids);
    q = (store_article_query){.limit = 2, .offset = 25};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 28);
    assert_string_equal(list[0].slug, "same-c");
    assert_string_equal(list[1].slug, "same-b");
    q = (store_article_query){.limit = 5, .cursor_published_at = base - 5, .cursor_id = ids[2]};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, NULL), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].slug, "same-b");
    assert_string_equal(list[1].slug, "same-a");

    /* since: published or changed at or after */
    q = (store_article_query){.limit = 50, .since = base + 20};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 28); /* all were saved just now */
    pg_raw(f->url, "UPDATE articles SET updated_at = published_at");
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 5);
    assert_int_equal(total, 5);
    assert_string_equal(list[4].slug, "p-20");
}

static void test_topic_and_author_filters(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long t = now_s() - 1000;
    const char *ada[] = {"Ada Lovelace"}, *both[] = {"Ada Lovelace", "Alan Turing"};
    const char *pol[] = {"Politics"}, *sci_pol[] = {"Science", "Politics"}, *sci[] = {"Science"};
    store_article_input in[4] = {story("a1", "A1", t + 1), story("a2", "A2", t + 2),
                                 story("a3", "A3", t + 3), story("a4", "A4", t + 4)};
    in[0].topic_names = pol;
    in[0].author_names = ada;
    in[0].n_authors = 1;
    in[1].topic_names = sci_pol;
    in[1].n_topics = 2;
    in[1].author_names = both;
    in[1].n_authors = 2;
    in[2].topic_names = sci;
    in[2].author_names = &both[1];
    in[2].n_authors = 1;
    in[3].topic_names = pol;
    in[3].status = ARTICLE_DRAFT;
    in[3].author_names = ada;
    in[3].n_authors = 1;
    long long ids[4];
    save_ok(f, in, 4, ids);

    store_article *list;
    size_t n, total;
    store_article_query q = {.topic_slug = "politics", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].slug, "a2");
    assert_string_equal(list[0].topics[0].slug, "science"); /* all topics, not just the filter */
    assert_int_equal(list[0].n_authors, 2);
    assert_string_equal(list[1].slug, "a1");
    q = (store_article_query){.author_slug = "alan-turing", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].slug, "a3");
    assert_string_equal(list[1].slug, "a2");
    q = (store_article_query){.topic_slug = "politics", .author_slug = "alan-turing", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].slug, "a2");
    q = (store_article_query){.topic_slug = "politics", .exclude_id = ids[1], .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].slug, "a1");
    q = (store_article_query){.topic_slug = "no-such-topic", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);

    /* filters with a cursor, and with since */
    q = (store_article_query){
        .topic_slug = "science", .cursor_published_at = t + 3, .cursor_id = ids[2], .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].slug, "a2");
    pg_raw(f->url, "UPDATE articles SET updated_at = published_at");
    q = (store_article_query){.topic_slug = "politics", .since = t + 2, .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].slug, "a2");
    q = (store_article_query){.author_slug = "ada-lovelace", .since = t + 1, .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 2);
    q = (store_article_query){
        .topic_slug = "science", .author_slug = "ada-lovelace", .since = t + 2, .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].slug, "a2");
    assert_int_equal(list[0].n_authors, 2);
    q.since = t + 3;
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 0);
}

static void test_by_ids_and_changed_since(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long t = now_s() - 1000;
    store_article_input in[4] = {story("b1", "B1", t + 1), story("b2", "B2", t + 2),
                                 story("b3", "B3", t + 3), story("b4", "B4", t + 4)};
    in[2].status = ARTICLE_DRAFT;
    long long ids[4];
    save_ok(f, in, 4, ids);
    long long want[] = {ids[3], ids[0], ids[2], 999999, ids[1], ids[0]};
    store_article *list;
    size_t n;
    assert_int_equal(store_articles_by_ids(f->s, f->a, want, 6, &list, &n), STORE_OK);
    assert_int_equal(n, 4); /* the draft and the unknown id left out, the repeat kept */
    assert_string_equal(list[0].slug, "b4");
    assert_string_equal(list[1].slug, "b1");
    assert_string_equal(list[2].slug, "b2");
    assert_string_equal(list[3].slug, "b1");
    assert_int_equal(list[1].n_topics, 1);
    assert_string_equal(list[3].topics[0].name, "News");
    assert_null(list[0].body_html);
    assert_int_equal(store_articles_by_ids(f->s, f->a, want, 0, &list, &n), STORE_OK);
    assert_int_equal(n, 0);

    /* changed since: saved at or after, or gone live since; oldest change first */
    pg_raw(f->url, "UPDATE articles SET updated_at = published_at");
    long long since = t + 3;
    assert_int_equal(store_articles_changed_since(f->s, f->a, since, 10, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].slug, "b3"); /* any status */
    assert_string_equal(list[1].slug, "b4");
    assert_int_equal(list[1].n_topics, 1);
    pg_raw(f->url, "UPDATE articles SET published_at = published_at + 500 WHERE slug = 'b1'");
    assert_int_equal(store_articles_changed_since(f->s, f->a, since, 10, &list, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].slug, "b1");
    assert_int_equal(store_articles_changed_since(f->s, f->a, since, 1, &list, &n), STORE_OK);
    assert_int_equal(n, 1);
}

static void test_related_ranking(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long t = now_s() - 10000;
    const char *target[] = {"A", "B", "C"};
    const char *c_xbc[] = {"X", "B", "C"}, *c_a[] = {"A"}, *c_xa[] = {"X", "A"}, *c_b[] = {"B"};
    const char *c_abc[] = {"A", "B", "C"}, *c_c[] = {"C"}, *c_z[] = {"Z"}, *c_yc[] = {"Y", "C"};
    struct {
        const char *slug, **topics;
        size_t n;
        long long at;
        article_status st;
    } rows[] = {
        {"target", target, 3, t + 100, ARTICLE_PUBLISHED},
        {"xbc", c_xbc, 3, t + 1, ARTICLE_PUBLISHED},
        {"a", c_a, 1, t + 2, ARTICLE_PUBLISHED},
        {"xa", c_xa, 2, t + 3, ARTICLE_PUBLISHED},
        {"b", c_b, 1, t + 4, ARTICLE_PUBLISHED},
        {"abc", c_abc, 3, t + 0, ARTICLE_PUBLISHED},
        {"c", c_c, 1, t + 50, ARTICLE_PUBLISHED},
        {"cx", c_xa, 1, t + 60, ARTICLE_PUBLISHED},
        {"z", c_z, 1, t + 70, ARTICLE_PUBLISHED},
        {"yc", c_yc, 2, t + 90, ARTICLE_PUBLISHED},
        {"draft-abc", c_abc, 3, t + 80, ARTICLE_DRAFT},
        {"future-abc", c_abc, 3, now_s() + 999, ARTICLE_PUBLISHED},
    };
    enum { ROWS = sizeof rows / sizeof rows[0] };
    store_article_input in[ROWS];
    long long ids[ROWS];
    for (size_t i = 0; i < ROWS; i++) {
        in[i] = story(rows[i].slug, rows[i].slug, rows[i].at);
        in[i].topic_names = rows[i].topics;
        in[i].n_topics = rows[i].n;
        in[i].status = rows[i].st;
    }
    save_ok(f, in, ROWS, ids);
    store_article *list;
    size_t n;
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, ids[0], 10, &list, &n), STORE_OK);
    const char *want[] = {"abc", "c", "b", "xa", "a", "xbc", "yc"};
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(list[i].slug, want[i]);
        assert_true(list[i].n_topics > 0);
    }
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, ids[0], 2, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].slug, "c");
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, 424242, 5, &list, &n), STORE_OK);
    assert_int_equal(n, 0);
}

/* ---- Topics, authors, keys --------------------------------------------------------------- */
static void test_topics(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long id = 0, id2 = 0;
    assert_int_equal(store_topic_add(f->s, "eco", "Economy", "Money matters", &id), STORE_OK);
    assert_true(id > 0);
    assert_int_equal(store_topic_add(f->s, "eco", "Other", NULL, &id2), STORE_CONFLICT);
    assert_non_null(strstr(store_last_error(f->s), "eco"));
    assert_int_equal(id2, 0);
    assert_int_equal(store_topic_add(f->s, "Bad Slug", "Bad", NULL, NULL), STORE_INVALID);
    assert_int_equal(store_topic_add(f->s, "no-name", " ", NULL, NULL), STORE_INVALID);
    assert_int_equal(store_topic_add(f->s, "arts", "arts", NULL, NULL), STORE_OK);
    store_topic t;
    assert_int_equal(store_topic_by_slug(f->s, f->a, "eco", &t), STORE_OK);
    assert_int_equal(t.id, id);
    assert_string_equal(t.description, "Money matters");
    assert_int_equal(store_topic_by_slug(f->s, f->a, "nope", &t), STORE_NOT_FOUND);

    /* stories name topics: by the slug of the name, then by name; new ones created */
    const char *names[] = {"Economy", "Zoology", "日本", "ARTS"};
    store_article_input in = story("s1", "S1", now_s() - 10);
    in.topic_names = names;
    in.n_topics = 4;
    save_one(f, in, NULL);
    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "s1", &art), STORE_OK);
    assert_int_equal(art.n_topics, 4);
    assert_int_equal(art.topics[0].id, id);
    assert_string_equal(art.topics[1].slug, "zoology");
    assert_true(strncmp(art.topics[2].slug, "topic-", 6) == 0);
    assert_string_equal(art.topics[2].name, "日本");
    assert_string_equal(art.topics[3].slug, "arts");
    long long nihon = art.topics[2].id;
    in.slug = "s2";
    in.n_topics = 3;
    save_one(f, in, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "s2", &art), STORE_OK);
    assert_int_equal(art.topics[2].id, nihon); /* found again by name */
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM topics"), 4);

    /* by name, case folded as SQLite's NOCASE does, then by bytes */
    assert_int_equal(store_topic_add(f->s, "arts-2", "Arts", NULL, NULL), STORE_OK);
    store_topic *list;
    size_t n;
    assert_int_equal(store_topics_list(f->s, f->a, 0, &list, &n), STORE_OK);
    assert_int_equal(n, 5);
    assert_string_equal(list[0].name, "Arts");
    assert_string_equal(list[1].name, "arts");
    assert_string_equal(list[2].name, "Economy");
    assert_string_equal(list[3].name, "Zoology");
    assert_string_equal(list[4].name, "日本");
    assert_int_equal(store_topics_list(f->s, f->a, 2, &list, &n), STORE_OK);
    assert_int_equal(n, 3); /* arts only has s1 */
    assert_int_equal(store_topics_list(f->s, f->a, 3, &list, &n), STORE_OK);
    assert_int_equal(n, 0);

    assert_int_equal(store_topics_leading(f->s, f->a, 10, &list, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].name, "Economy");
}

static void test_topics_counted_and_authors(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long t = now_s() - 1000;
    const char *names[] = {"Ada Lovelace", "ada lovelace", "Grace Hopper"};
    const char *two[] = {"Sport", "Weather"};
    store_article_input in[3] = {story("c1", "C1", t + 1), story("c2", "C2", t + 2),
                                 story("c3", "C3", t + 3)};
    in[0].author_names = names;
    in[0].n_authors = 3;
    in[1].topic_names = two;
    in[1].n_topics = 2;
    in[1].author_names = &names[2];
    in[1].n_authors = 1;
    in[2].status = ARTICLE_DRAFT;
    in[2].topic_names = two;
    in[2].n_topics = 2;
    save_ok(f, in, 3, NULL);
    pg_raw(f->url, "UPDATE articles SET updated_at = published_at");

    store_topic_count *topics;
    size_t n;
    assert_int_equal(store_topics_counted(f->s, f->a, NULL, &topics, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(topics[0].topic.slug, "news");
    assert_int_equal(topics[0].n_articles, 1);
    assert_int_equal(topics[0].last_change, t + 1);
    assert_string_equal(topics[1].topic.name, "Sport");
    assert_int_equal(topics[1].n_articles, 1); /* the draft does not count */
    assert_int_equal(topics[1].last_change, t + 2);
    assert_int_equal(store_topics_counted(f->s, f->a, "weather", &topics, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(topics[0].topic.name, "Weather");
    assert_int_equal(store_topics_counted(f->s, f->a, "nope", &topics, &n), STORE_OK);
    assert_int_equal(n, 0);

    store_author_count *authors;
    assert_int_equal(store_authors_counted(f->s, f->a, NULL, &authors, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(authors[0].author.name, "Ada Lovelace");
    assert_int_equal(authors[0].n_articles, 1);
    assert_string_equal(authors[1].author.slug, "grace-hopper");
    assert_int_equal(authors[1].n_articles, 2);
    assert_int_equal(authors[1].last_change, t + 2);

    store_author au;
    assert_int_equal(store_author_by_slug(f->s, f->a, "ada-lovelace", &au), STORE_OK);
    assert_null(au.bio);
    assert_int_equal(store_author_set_bio(f->s, "ada-lovelace", "Wrote the first program."),
                     STORE_OK);
    assert_int_equal(store_author_by_slug(f->s, f->a, "ada-lovelace", &au), STORE_OK);
    assert_string_equal(au.bio, "Wrote the first program.");
    assert_int_equal(store_author_set_bio(f->s, "nobody", "x"), STORE_NOT_FOUND);
    assert_non_null(strstr(store_last_error(f->s), "nobody"));
    assert_int_equal(store_author_by_slug(f->s, f->a, "nobody", &au), STORE_NOT_FOUND);
    assert_int_equal(store_author_set_bio(f->s, "ada-lovelace", NULL), STORE_OK);
    assert_int_equal(store_author_by_slug(f->s, f->a, "ada-lovelace", &au), STORE_OK);
    assert_null(au.bio);
}

static void test_topic_tree(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long world = 0, europe = 0, france = 0;
    assert_int_equal(store_topic_save(f->s, &world, "world", "World", "", 0), STORE_OK);
    assert_true(world > 0);
    assert_int_equal(store_topic_save(f->s, &europe, "europe", "Europe", "The EU", world),
                     STORE_OK);
    assert_int_equal(store_topic_save(f->s, &france, "france", "France", NULL, europe), STORE_OK);
    long long other = 0;
    assert_int_equal(store_topic_save(f->s, &other, "france", "Again", NULL, 0), STORE_CONFLICT);
    assert_int_equal(other, 0);
    assert_int_equal(store_topic_save(f->s, &other, "x", "X", NULL, 999999), STORE_NOT_FOUND);
    assert_int_equal(store_topic_save(f->s, &other, "", "X", NULL, 0), STORE_INVALID);
    /* no loops: world under france (its grandchild), or under itself */
    assert_int_equal(store_topic_save(f->s, &world, "world", "World", NULL, france), STORE_INVALID);
    assert_int_equal(store_topic_save(f->s, &world, "world", "World", NULL, world), STORE_INVALID);
    long long missing = 999999;
    assert_int_equal(store_topic_save(f->s, &missing, "gone", "Gone", NULL, 0), STORE_NOT_FOUND);
    /* renamed, moved to the top */
    assert_int_equal(store_topic_save(f->s, &france, "la-france", "France", "Hexagone", 0),
                     STORE_OK);
    save_one(f, story("t1", "T1", now_s() - 5), NULL);
    store_article_input draft = story("t2", "T2", now_s() - 5);
    draft.topic_names = (const char *[]){"Europe"};
    draft.status = ARTICLE_DRAFT;
    save_one(f, draft, NULL);

    store_topic_entry *all;
    size_t n;
    assert_int_equal(store_topics_all(f->s, f->a, &all, &n), STORE_OK);
    assert_int_equal(n, 4);
    assert_string_equal(all[0].topic.name, "Europe");
    assert_int_equal(all[0].parent_id, world);
    assert_int_equal(all[0].n_articles, 1); /* any status */
    assert_string_equal(all[0].topic.description, "The EU");
    assert_string_equal(all[1].topic.slug, "la-france");
    assert_int_equal(all[1].parent_id, 0);
    assert_string_equal(all[1].topic.description, "Hexagone");
    assert_string_equal(all[2].topic.name, "News");
    assert_int_equal(all[2].n_articles, 1);
    assert_string_equal(all[3].topic.name, "World");
    assert_null(all[3].topic.description); /* "" is none */
}

static void test_api_keys(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    long long before = now_s();
    assert_int_equal(store_api_key_add(f->s, "mobile", "hash-1"), STORE_OK);
    assert_int_equal(store_api_key_add(f->s, "Bot", "hash-2"), STORE_OK);
    assert_int_equal(store_api_key_add(f->s, "mobile", "hash-3"), STORE_CONFLICT);
    assert_non_null(strstr(store_last_error(f->s), "mobile"));
    assert_int_equal(store_api_key_add(f->s, " ", "hash-4"), STORE_INVALID);
    store_api_key *keys;
    size_t n;
    assert_int_equal(store_api_keys_list(f->s, f->a, &keys, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(keys[0].name, "Bot"); /* bytes: capitals first, as SQLite */
    assert_string_equal(keys[1].hash, "hash-1");
    assert_true(keys[1].created_at >= before);
    assert_int_equal(store_api_key_revoke(f->s, "mobile"), STORE_OK);
    assert_int_equal(store_api_key_revoke(f->s, "mobile"), STORE_NOT_FOUND);
    assert_int_equal(store_api_key_revoke(f->s, NULL), STORE_NOT_FOUND);
    assert_int_equal(store_api_keys_list(f->s, f->a, &keys, &n), STORE_OK);
    assert_int_equal(n, 1);
}

/* Reads inside one request's snapshot (store_read_begin) join it. */
static void test_reads_in_one_snapshot(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    save_one(f, story("first", "First", now_s() - 10), NULL);
    assert_int_equal(store_read_begin(f->s), STORE_OK);
    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "first", &art), STORE_OK);
    assert_int_equal(store_articles_by_ids(f->s, f->a, &art.id, 1, &list, &n), STORE_OK);
    assert_int_equal(n, 1);
    store_read_end(f->s);
    assert_int_equal(store_article_top(f->s, f->a, &art), STORE_OK);
}

/* Writers on several connections naming the same new topics at once: each topic is made once
 * (the second writer waits for the first and takes its row), every story is saved. */
enum { RACERS = 4, RACE_ROUNDS = 25 };
typedef struct {
    articles_fixture *f;
    int racer;
    pthread_barrier_t *start;
    int failures;
} racer;

static void *race_saves(void *p)
{
    racer *r = p;
    arena *a = arena_new();
    pthread_barrier_wait(r->start);
    for (int i = 0; i < RACE_ROUNDS; i++) {
        const char *topics[] = {arena_printf(a, "Race %d", i), "Shared"};
        const char *authors[] = {arena_printf(a, "Writer %d", i % 3)};
        store_article_input in =
            story(arena_printf(a, "r%d-%d", r->racer, i), "Race", now_s() - 100);
        in.topic_names = topics;
        in.n_topics = 2;
        in.author_names = authors;
        in.n_authors = 1;
        store_status st = store_articles_save(r->f->s, &in, 1, NULL);
        if (st != STORE_OK) {
            fprintf(stderr, "racer %d: %s\n", r->racer, store_last_error(r->f->s));
            r->failures++;
        }
    }
    arena_free(a);
    return NULL;
}

static void test_concurrent_writers_share_new_topics(void **state)
{
    articles_fixture *f = fixture_or_skip(state);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACERS);
    pthread_t threads[RACERS];
    racer racers[RACERS];
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (racer){f, i, &start, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, race_saves, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(racers[i].failures, 0);
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM articles"), RACERS * RACE_ROUNDS);
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM topics"), RACE_ROUNDS + 1);
    assert_int_equal(pg_raw_int(f, "SELECT count(*) FROM authors"), 3);
    store_topic_count *counted;
    size_t n;
    assert_int_equal(store_topics_counted(f->s, f->a, "shared", &counted, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(counted[0].n_articles, RACERS * RACE_ROUNDS);
    assert_int_equal(store_topics_counted(f->s, f->a, "race-7", &counted, &n), STORE_OK);
    assert_int_equal(counted[0].n_articles, RACERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_upsert_keeps_id_replaces_links, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_invalid_input_writes_nothing, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_live_rule_pages_redirects, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_pagination_cursor_since, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_topic_and_author_filters, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_by_ids_and_changed_since, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_related_ranking, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_topics, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_topics_counted_and_authors, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_topic_tree, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_api_keys, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_reads_in_one_snapshot, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_concurrent_writers_share_new_topics, setup_pg,
                                        teardown_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
