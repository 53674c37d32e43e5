/* test_api.c — cmocka tests of the content API's pieces below HTTP: cursors, since= times and
 * origin lists (src/api/api_params.c), read keys (api_keys.c), and the store functions the API
 * adds (keyset pagination with since=, topics and authors with counts, the api_keys table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/api/api_keys.h"
#include "../../src/api/api_params.h"
#include "store_fixture.h"

static void test_cursor_round_trip(void **state)
{
    arena *a = arena_new();
    const long long cases[][2] = {
        {1698312600, 89}, {0, 1}, {-86400, 7}, {253402300799LL, 1LL << 40}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *c = api_cursor_make(a, cases[i][0], cases[i][1]);
        assert_true(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                    strlen(c));
        long long p, id;
        assert_true(api_cursor_parse(c, &p, &id));
        assert_int_equal(p, cases[i][0]);
        assert_int_equal(id, cases[i][1]);
    }
    arena_free(a);
}

static void test_cursor_refuses(void **state)
{
    arena *a = arena_new();
    const char *bad[] = {"",
                         "abc",
                         "MTY5ODI0OTYwMC44OQ==",
                         "MTY5ODI0OTYwMC44OQ ",
                         "%%%%",
                         api_cursor_make(a, 5, 0) /* id 0 */,
                         "MDEuMQ" /* 01.1 */,
                         "LTAuMQ" /* -0.1 */,
                         "MS4x\n",
                         "MQ" /* no dot */};
    long long p, id;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(api_cursor_parse(bad[i], &p, &id));
    assert_false(api_cursor_parse(NULL, &p, &id));
    char big[200];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_false(api_cursor_parse(big, &p, &id));
    arena_free(a);
}

static void test_since(void **state)
{
    long long t;
    assert_true(api_since_parse("1698312600", &t));
    assert_int_equal(t, 1698312600);
    assert_true(api_since_parse("2023-10-26T09:30:00Z", &t));
    assert_int_equal(t, 1698312600);
    assert_true(api_since_parse("2023-10-26T11:30:00+02:00", &t));
    assert_int_equal(t, 1698312600);
    assert_true(api_since_parse("0", &t));
    assert_int_equal(t, 0);
    const char *bad[] = {"",
                         "-5",
                         "yesterday",
                         "2023-13-01",
                         "1e9",
                         "0x10",
                         "99999999999999999999",
                         "1969-12-31T23:59:59Z",
                         "2023-10-26T25:00:00Z",
                         " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(api_since_parse(bad[i], &t));
}

static void test_origins(void **state)
{
    const char *list = "https://app.example  https://b.example:8443,http://c.example";
    assert_true(api_origin_allowed(list, "https://app.example"));
    assert_true(api_origin_allowed(list, "https://b.example:8443"));
    assert_true(api_origin_allowed(list, "http://c.example"));
    assert_false(api_origin_allowed(list, "https://app.example.evil"));
    assert_false(api_origin_allowed(list, "https://app.exampl"));
    assert_false(api_origin_allowed(list, "https://b.example"));
    assert_false(api_origin_allowed(list, ""));
    assert_false(api_origin_allowed(list, NULL));
    assert_false(api_origin_allowed(NULL, "https://app.example"));
    assert_false(api_origin_allowed("", "https://app.example"));
    assert_true(api_origin_allowed("*", "https://anything.example"));
}

static void test_keys(void **state)
{
    char key[API_KEY_CHARS + 1], hash[API_KEY_HASH_HEX + 1], key2[API_KEY_CHARS + 1],
        hash2[API_KEY_HASH_HEX + 1];
    api_key_new(key, hash);
    api_key_new(key2, hash2);
    assert_int_equal(strlen(key), API_KEY_CHARS);
    assert_memory_equal(key, "gzk_", 4);
    assert_string_not_equal(key, key2);
    assert_null(strstr(hash, key + 4));
    store_api_key keys[] = {{"a", hash2, 0}, {"b", hash, 0}};
    assert_true(api_key_matches(key, keys, 2));
    assert_true(api_key_matches(key2, keys, 2));
    assert_false(api_key_matches(key, keys, 1));
    key[10] ^= 1;
    assert_false(api_key_matches(key, keys, 2));
    assert_false(api_key_matches("", keys, 2));
    assert_false(api_key_matches(NULL, keys, 2));
    assert_true(api_key_name_is_valid("phone-app_2.0"));
    assert_false(api_key_name_is_valid(""));
    assert_false(api_key_name_is_valid("with space"));
    assert_false(api_key_name_is_valid("x\n"));
}

/* Stories s1..s6 published an hour apart (s3 and s4 in the same second), topics and authors. */
static void seed(fixture *f, long long base)
{
    static const char *city[] = {"City Hall"}, *both[] = {"City Hall", "Transport"};
    static const char *ada[] = {"Ada"}, *ben[] = {"Ben"};
    store_article_input in[] = {
        {.slug = "s1",
         .headline = "One",
         .status = ARTICLE_PUBLISHED,
         .published_at = base,
         .topic_names = city,
         .n_topics = 1,
         .author_names = ada,
         .n_authors = 1},
        {.slug = "s2",
         .headline = "Two",
         .status = ARTICLE_PUBLISHED,
         .published_at = base + 3600,
         .topic_names = both,
         .n_topics = 2,
         .author_names = ben,
         .n_authors = 1},
        {.slug = "s3",
         .headline = "Three",
         .status = ARTICLE_PUBLISHED,
         .published_at = base + 7200,
         .topic_names = city,
         .n_topics = 1,
         .author_names = ada,
         .n_authors = 1},
        {.slug = "s4",
         .headline = "Four",
         .status = ARTICLE_PUBLISHED,
         .published_at = base + 7200,
         .topic_names = both,
         .n_topics = 2,
         .author_names = ada,
         .n_authors = 1},
        {.slug = "s5",
         .headline = "Five",
         .status = ARTICLE_DRAFT,
         .published_at = base + 9000,
         .topic_names = city,
         .n_topics = 1,
         .author_names = ben,
         .n_authors = 1},
        {.slug = "s6",
         .headline = "Six",
         .status = ARTICLE_PUBLISHED,
         .published_at = base + 10800,
         .topic_names = both,
         .n_topics = 2,
         .author_names = ben,
         .n_authors = 1},
    };
    assert_int_equal(store_articles_save(f->s, in, 6, NULL), STORE_OK);
}

/* Walks the list two at a time by cursor; the slugs seen, joined by spaces. */
static const char *walk(fixture *f, store_article_query q)
{
    char *out = arena_strdup(f->a, "");
    q.limit = 2;
    for (;;) {
        store_article *v;
        size_t n, total;
        assert_int_equal(store_articles_list(f->s, f->a, &q, &v, &n, &total), STORE_OK);
        for (size_t i = 0; i < n; i++)
            out = arena_printf(f->a, "%s%s%s", out, *out ? " " : "", v[i].slug);
        if (n < 2) return out;
        q.cursor_published_at = v[n - 1].published_at;
        q.cursor_id = v[n - 1].id;
    }
}

static void test_store_cursor_and_since(void **state)
{
    fixture *f = *state;
    long long base = 1600000000;
    seed(f, base);
    assert_string_equal(walk(f, (store_article_query){0}), "s6 s4 s3 s2 s1");
    assert_string_equal(walk(f, (store_article_query){.topic_slug = "transport"}), "s6 s4 s2");
    assert_string_equal(walk(f, (store_article_query){.author_slug = "ada"}), "s4 s3 s1");
    /* the cursor excludes from the count nothing: total is the whole list's */
    store_article *v;
    size_t n, total;
    store_article_query q = {.limit = 10, .cursor_published_at = base + 7200, .cursor_id = 4};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(total, 5);
    /* since: every story was saved just now, so a time before now keeps all, later none */
    long long now = (long long)time(NULL);
    q = (store_article_query){.limit = 10, .since = now - 5};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 5);
    q.since = now + 3600;
    assert_int_equal(store_articles_list(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
}

static void test_store_counted(void **state)
{
    fixture *f = *state;
    seed(f, 1600000000);
    store_topic_count *topics;
    size_t n;
    assert_int_equal(store_topics_counted(f->s, f->a, NULL, &topics, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(topics[0].topic.slug, "city-hall");
    assert_int_equal(topics[0].n_articles, 5); /* the draft does not count */
    assert_string_equal(topics[1].topic.slug, "transport");
    assert_int_equal(topics[1].n_articles, 3);
    assert_true(topics[1].last_change >= 1600000000 + 10800);
    assert_int_equal(store_topics_counted(f->s, f->a, "transport", &topics, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_topics_counted(f->s, f->a, "nope", &topics, &n), STORE_OK);
    assert_int_equal(n, 0);
    store_author_count *authors;
    assert_int_equal(store_authors_counted(f->s, f->a, NULL, &authors, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(authors[0].author.slug, "ada");
    assert_int_equal(authors[0].n_articles, 3);
    assert_int_equal(authors[1].n_articles, 2);
}

static void test_store_api_keys(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_api_key_add(f->s, "phone", "aa"), STORE_OK);
    assert_int_equal(store_api_key_add(f->s, "web", "bb"), STORE_OK);
    assert_int_equal(store_api_key_add(f->s, "phone", "cc"), STORE_CONFLICT);
    assert_int_equal(store_api_key_add(f->s, "", "cc"), STORE_INVALID);
    store_api_key *keys;
    size_t n;
    assert_int_equal(store_api_keys_list(f->s, f->a, &keys, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(keys[0].name, "phone");
    assert_string_equal(keys[0].hash, "aa");
    assert_true(keys[0].created_at > 0);
    assert_int_equal(store_api_key_revoke(f->s, "phone"), STORE_OK);
    assert_int_equal(store_api_key_revoke(f->s, "phone"), STORE_NOT_FOUND);
    assert_int_equal(store_api_keys_list(f->s, f->a, &keys, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0].name, "web");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cursor_round_trip),
        cmocka_unit_test(test_cursor_refuses),
        cmocka_unit_test(test_since),
        cmocka_unit_test(test_origins),
        cmocka_unit_test(test_keys),
        cmocka_unit_test_setup_teardown(test_store_cursor_and_since, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_counted, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_api_keys, setup_db, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
