/* test_admin.c — cmocka tests of the newsroom's security pieces below HTTP (src/admin/auth.h):
 * Argon2id passwords and the dummy check of a missing account, tokens and their hashes, CSRF
 * tokens, the login throttle's growing delays; role names; and the store functions of
 * migration 12 (users, sessions with expiry and sliding, logout everywhere, one-time reset
 * links, disabling, staff replies, topics with parents, settings in one transaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/admin/admin.h"
#include "../../src/admin/auth.h"
#include "store_fixture.h"

static void test_password_hash_and_verify(void **state)
{
    char hash[AUTH_HASH_BYTES];
    assert_int_equal(auth_password_hash("correct horse battery", hash), AUTH_OK);
    assert_memory_equal(hash, "$argon2id$", 10);
    assert_true(auth_password_verify(hash, "correct horse battery"));
    assert_false(auth_password_verify(hash, "correct horse batterY"));
    assert_false(auth_password_verify(hash, ""));
    /* no account / no password set: false, after the same work */
    assert_false(auth_password_verify(NULL, "correct horse battery"));
    assert_false(auth_password_verify("plain-text-is-not-a-hash", "plain-text-is-not-a-hash"));
    char other[AUTH_HASH_BYTES];
    assert_int_equal(auth_password_hash("correct horse battery", other), AUTH_OK);
    assert_string_not_equal(hash, other); /* salted */
}

static void test_password_rules(void **state)
{
    assert_int_equal(auth_password_check(NULL), AUTH_TOO_SHORT);
    assert_int_equal(auth_password_check("short"), AUTH_TOO_SHORT);
    assert_int_equal(auth_password_check("ten chars!"), AUTH_OK);
    char long_one[AUTH_PASSWORD_MAX + 2];
    memset(long_one, 'x', sizeof long_one - 1);
    long_one[sizeof long_one - 1] = '\0';
    assert_int_equal(auth_password_check(long_one), AUTH_TOO_LONG);
    assert_non_null(strstr(auth_strerror(AUTH_TOO_SHORT), "10"));
}

/* The wrong-user and wrong-password paths take comparable time (the dummy hash); generous
 * bounds, as the machine may be loaded: neither is ten times the other. */
static void test_password_same_work(void **state)
{
    char hash[AUTH_HASH_BYTES];
    assert_int_equal(auth_password_hash("correct horse battery", hash), AUTH_OK);
    assert_false(auth_password_verify(NULL, "warm-up")); /* makes the dummy once */
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_false(auth_password_verify(hash, "wrong password"));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_false(auth_password_verify(NULL, "wrong password"));
    clock_gettime(CLOCK_MONOTONIC, &t2);
    double real = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    double dummy = (double)(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9;
    assert_true(dummy * 10 > real && real * 10 > dummy);
}

static void test_tokens(void **state)
{
    char a[AUTH_TOKEN_TEXT], b[AUTH_TOKEN_TEXT];
    auth_token_new(a);
    auth_token_new(b);
    assert_int_equal(strlen(a), 43);
    assert_true(auth_token_is_valid(a));
    assert_string_not_equal(a, b);
    assert_false(auth_token_is_valid(NULL));
    assert_false(auth_token_is_valid(""));
    assert_false(auth_token_is_valid("abc"));
    char bad[AUTH_TOKEN_TEXT];
    memcpy(bad, a, sizeof bad);
    bad[5] = '=';
    assert_false(auth_token_is_valid(bad));
    unsigned char ha[AUTH_TOKEN_HASH], ha2[AUTH_TOKEN_HASH], hb[AUTH_TOKEN_HASH];
    auth_token_hash(a, ha);
    auth_token_hash(a, ha2);
    auth_token_hash(b, hb);
    assert_memory_equal(ha, ha2, sizeof ha);
    assert_memory_not_equal(ha, hb, sizeof ha);
}

static void test_csrf(void **state)
{
    char t1[AUTH_TOKEN_TEXT], t2[AUTH_TOKEN_TEXT], c1[AUTH_CSRF_TEXT], c1b[AUTH_CSRF_TEXT],
        c2[AUTH_CSRF_TEXT];
    auth_token_new(t1);
    auth_token_new(t2);
    auth_csrf_for(t1, c1);
    auth_csrf_for(t1, c1b);
    auth_csrf_for(t2, c2);
    assert_string_equal(c1, c1b);
    assert_string_not_equal(c1, c2);
    assert_string_not_equal(c1, t1); /* never the session token itself */
    assert_true(auth_csrf_matches(c1, c1b));
    assert_false(auth_csrf_matches(c1, c2));
    assert_false(auth_csrf_matches(c1, NULL));
    assert_false(auth_csrf_matches(c1, ""));
    assert_false(auth_csrf_matches(c1, "x"));
    admin_user u = {.csrf = c1};
    assert_true(admin_csrf_matches(&u, c1b));
    assert_false(admin_csrf_matches(&u, c2));
    assert_false(admin_csrf_matches(NULL, c1));
}

static void test_throttle_growing_delay(void **state)
{
    auth_throttle *t = auth_throttle_new(64);
    assert_non_null(t);
    long long now = auth_throttle_now();
    for (int i = 0; i < 4; i++) {
        assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now), 0);
        auth_throttle_fail(t, "a:ann", now);
    }
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now), 0); /* 4 failures: free */
    auth_throttle_fail(t, "a:ann", now);                         /* the 5th: 1 s */
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now), 1000);
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now + 400), 600);
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now + 1000), 0);
    auth_throttle_fail(t, "a:ann", now + 1000); /* 6th: 2 s */
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now + 1000), 2000);
    auth_throttle_fail(t, "a:ann", now + 3000); /* 7th: 4 s */
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now + 3000), 4000);
    for (int i = 0; i < 30; i++)
        auth_throttle_fail(t, "a:ann", now + 10000);
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now + 10000),
                     AUTH_THROTTLE_MAX_DELAY * 1000LL);
    /* other keys are not affected; a success clears the account */
    assert_int_equal(auth_throttle_wait(t, "a:bob", 5, now + 10000), 0);
    auth_throttle_clear(t, "a:ann");
    assert_int_equal(auth_throttle_wait(t, "a:ann", 5, now + 10000), 0);
    /* a day without failures forgets them */
    for (int i = 0; i < 8; i++)
        auth_throttle_fail(t, "i:10.0.0.1", now);
    assert_true(auth_throttle_wait(t, "i:10.0.0.1", 5, now) > 0);
    assert_int_equal(
        auth_throttle_wait(t, "i:10.0.0.1", 5, now + AUTH_THROTTLE_FORGET * 1000LL + 1), 0);
    auth_throttle_free(t);
}

/* A full table: new keys take the oldest slots, never grow it, and keep counting. */
static void test_throttle_full_table(void **state)
{
    auth_throttle *t = auth_throttle_new(16);
    long long now = auth_throttle_now();
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "i:10.0.%d.%d", i / 256, i % 256);
        auth_throttle_fail(t, key, now + i);
    }
    for (int i = 0; i < 6; i++)
        auth_throttle_fail(t, "a:target", now + 2000);
    assert_true(auth_throttle_wait(t, "a:target", 5, now + 2000) > 0);
    auth_throttle_free(t);
}

static void test_next_and_forwarded(void **state)
{
    assert_string_equal(admin_safe_next("/admin/comments?status=spam"),
                        "/admin/comments?status=spam");
    assert_string_equal(admin_safe_next(NULL), "/admin/");
    assert_string_equal(admin_safe_next("//evil.example/"), "/admin/");
    assert_string_equal(admin_safe_next("/admin//evil"), "/admin/");
    assert_string_equal(admin_safe_next("/admin/\\evil"), "/admin/");
    assert_string_equal(admin_safe_next("https://evil.example/admin/"), "/admin/");
    assert_string_equal(admin_safe_next("/news/x/"), "/admin/");
    assert_string_equal(admin_safe_next("/admin/login"), "/admin/");
    assert_string_equal(admin_safe_next("/admin/x\r\nSet-Cookie: a=b"), "/admin/");
    arena *a = arena_new();
    assert_string_equal(admin_forwarded_client(a, "203.0.113.9"), "203.0.113.9");
    assert_string_equal(admin_forwarded_client(a, "1.2.3.4, 10.0.0.7"), "10.0.0.7");
    assert_string_equal(admin_forwarded_client(a, "1.2.3.4,2001:db8::1 "), "2001:db8::1");
    assert_null(admin_forwarded_client(a, NULL));
    assert_null(admin_forwarded_client(a, ""));
    assert_null(admin_forwarded_client(a, "10.0.0.1, unknown"));
    assert_null(admin_forwarded_client(a, "<script>"));
    arena_free(a);
}

static void test_hashing_slots(void **state)
{
    auth_throttle *t = auth_throttle_new(16);
    for (int i = 0; i < AUTH_MAX_HASHING; i++)
        assert_true(auth_hashing_enter(t));
    assert_false(auth_hashing_enter(t));
    auth_hashing_leave(t);
    assert_true(auth_hashing_enter(t));
    assert_false(auth_hashing_enter(t));
    for (int i = 0; i < AUTH_MAX_HASHING; i++)
        auth_hashing_leave(t);
    auth_hashing_leave(t); /* one too many is harmless */
    assert_true(auth_hashing_enter(t));
    auth_throttle_free(t);
}

static void test_roles(void **state)
{
    assert_string_equal(admin_role_name(ADMIN_ROLE_CONTRIBUTOR), "contributor");
    assert_string_equal(admin_role_name(ADMIN_ROLE_ADMIN), "admin");
    assert_int_equal(admin_role_parse("editor"), ADMIN_ROLE_EDITOR);
    assert_int_equal(admin_role_parse("author"), ADMIN_ROLE_AUTHOR);
    assert_int_equal(admin_role_parse("Editor"), ADMIN_ROLE_NONE);
    assert_int_equal(admin_role_parse("none"), ADMIN_ROLE_NONE);
    assert_int_equal(admin_role_parse(NULL), ADMIN_ROLE_NONE);
    assert_true(ADMIN_ROLE_CONTRIBUTOR < ADMIN_ROLE_AUTHOR &&
                ADMIN_ROLE_AUTHOR < ADMIN_ROLE_EDITOR && ADMIN_ROLE_EDITOR < ADMIN_ROLE_ADMIN);
}

static void test_form_values(void **state)
{
    arena *a = arena_new();
    http_request req = {.arena = a, .method = "POST", .path = "/admin/comments"};
    req.body = "csrf=abc&ids=1&ids=22&action=spam&note=a+b%21";
    req.body_len = strlen(req.body);
    assert_true(admin_form_ok(&req));
    assert_string_equal(admin_form_value(&req, "csrf"), "abc");
    assert_string_equal(admin_form_value(&req, "note"), "a b!");
    assert_null(admin_form_value(&req, "missing"));
    const char *ids[4];
    assert_int_equal(admin_form_values(&req, "ids", ids, 4), 2);
    assert_string_equal(ids[1], "22");
    assert_int_equal(admin_form_values(&req, "ids", ids, 1), 1);
    req.body = "csrf=%zz";
    req.body_len = strlen(req.body);
    assert_false(admin_form_ok(&req));
    assert_null(admin_form_value(&req, "csrf"));
    req.body = NULL;
    req.body_len = 0;
    assert_null(admin_form_value(&req, "csrf"));
    arena_free(a);
}

static long long add_user(fixture *f, const char *login, const char *role)
{
    char hash[AUTH_HASH_BYTES];
    assert_int_equal(auth_password_hash("correct horse battery", hash), AUTH_OK);
    store_user in = {.login = login, .display_name = login, .role = role, .password_hash = hash};
    long long id = 0;
    assert_int_equal(store_user_add(f->s, &in, login, &id), STORE_OK);
    return id;
}

static void test_store_users(void **state)
{
    fixture *f = *state;
    long long ann = add_user(f, "ann", "editor");
    store_user in = {.login = "ann", .display_name = "Ann 2", .role = "author"};
    assert_int_equal(store_user_add(f->s, &in, NULL, NULL), STORE_CONFLICT);
    store_user u;
    assert_int_equal(store_user_by_login(f->s, f->a, "ann", &u), STORE_OK);
    assert_int_equal(u.id, ann);
    assert_string_equal(u.role, "editor");
    assert_true(u.author_id > 0); /* writes as the author "ann" */
    assert_true(auth_password_verify(u.password_hash, "correct horse battery"));
    store_author author;
    assert_int_equal(store_author_by_slug(f->s, f->a, "ann", &author), STORE_OK);
    assert_int_equal(author.id, u.author_id);
    assert_int_equal(store_user_by_login(f->s, f->a, "nobody", &u), STORE_NOT_FOUND);
    assert_int_equal(store_user_set_role(f->s, ann, "admin"), STORE_OK);
    assert_int_equal(store_user_set_role(f->s, 999, "admin"), STORE_NOT_FOUND);
    store_user *list;
    size_t n;
    add_user(f, "bob", "contributor");
    assert_int_equal(store_users_list(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].login, "ann");
    assert_string_equal(list[0].role, "admin");
}

static void test_store_sessions(void **state)
{
    fixture *f = *state;
    long long ann = add_user(f, "ann", "editor");
    unsigned char h1[32], h2[32], h3[32];
    memset(h1, 1, 32);
    memset(h2, 2, 32);
    memset(h3, 3, 32);
    long long now = now_s();
    assert_int_equal(store_session_add(f->s, h1, ann, now + 100, "127.0.0.1", "test"), STORE_OK);
    assert_int_equal(store_session_add(f->s, h2, ann, now + 100, NULL, NULL), STORE_OK);
    store_session s;
    store_user u;
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_OK);
    assert_int_equal(u.id, ann);
    assert_string_equal(u.login, "ann");
    assert_int_equal(store_session_find(f->s, f->a, h3, now, &s, &u), STORE_NOT_FOUND);
    /* expiry, and sliding it forward */
    assert_int_equal(store_session_find(f->s, f->a, h1, now + 100, &s, &u), STORE_NOT_FOUND);
    assert_int_equal(store_session_touch(f->s, h1, now + 50, now + 500), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h1, now + 100, &s, &u), STORE_OK);
    assert_int_equal(s.last_seen_at, now + 50);
    /* logging out one session leaves the other */
    assert_int_equal(store_session_delete(f->s, h2), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h2, now, &s, &u), STORE_NOT_FOUND);
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_OK);
    /* disabling shuts the user out */
    assert_int_equal(store_user_set_disabled(f->s, ann, true), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_NOT_FOUND);
    assert_int_equal(store_user_set_disabled(f->s, ann, false), STORE_OK);
    /* log out everywhere */
    assert_int_equal(store_session_add(f->s, h1, ann, now + 100, NULL, NULL), STORE_OK);
    assert_int_equal(store_session_add(f->s, h2, ann, now + 100, NULL, NULL), STORE_OK);
    size_t ended = 0;
    assert_int_equal(store_sessions_end_user(f->s, ann, &ended), STORE_OK);
    assert_int_equal(ended, 2);
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_NOT_FOUND);
    /* a new password ends sessions too */
    assert_int_equal(store_session_add(f->s, h3, ann, now + 100, NULL, NULL), STORE_OK);
    assert_int_equal(store_user_set_password(f->s, ann, "$argon2id$fake"), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h3, now, &s, &u), STORE_NOT_FOUND);
}

static void test_store_reset_links(void **state)
{
    fixture *f = *state;
    long long ann = add_user(f, "ann", "author");
    unsigned char h[32], expired[32];
    memset(h, 7, 32);
    memset(expired, 8, 32);
    long long now = now_s(), user = 0;
    assert_int_equal(store_reset_add(f->s, h, ann, now + 3600), STORE_OK);
    assert_int_equal(store_reset_add(f->s, expired, ann, now - 1), STORE_OK);
    assert_int_equal(store_reset_find(f->s, h, now, &user), STORE_OK);
    assert_int_equal(user, ann);
    assert_int_equal(store_reset_find(f->s, expired, now, &user), STORE_NOT_FOUND);
    assert_int_equal(store_reset_use(f->s, expired, now, "$argon2id$x", &user), STORE_NOT_FOUND);
    assert_int_equal(store_reset_use(f->s, h, now, "$argon2id$new", &user), STORE_OK);
    store_user u;
    assert_int_equal(store_user_by_id(f->s, f->a, ann, &u), STORE_OK);
    assert_string_equal(u.password_hash, "$argon2id$new");
    /* once only */
    assert_int_equal(store_reset_use(f->s, h, now, "$argon2id$again", &user), STORE_NOT_FOUND);
    assert_int_equal(store_reset_find(f->s, h, now, &user), STORE_NOT_FOUND);
    assert_int_equal(store_user_by_id(f->s, f->a, ann, &u), STORE_OK);
    assert_string_equal(u.password_hash, "$argon2id$new");
}

static void test_store_topics_and_settings(void **state)
{
    fixture *f = *state;
    long long world = 0, europe = 0, france = 0;
    assert_int_equal(store_topic_save(f->s, &world, "world", "World", "Abroad", 0), STORE_OK);
    assert_int_equal(store_topic_save(f->s, &europe, "europe", "Europe", NULL, world), STORE_OK);
    assert_int_equal(store_topic_save(f->s, &france, "france", "France", NULL, europe), STORE_OK);
    long long dup = 0;
    assert_int_equal(store_topic_save(f->s, &dup, "world", "Again", NULL, 0), STORE_CONFLICT);
    /* no loops: world under france (which is under world) is refused, nothing changed */
    assert_int_equal(store_topic_save(f->s, &world, "world", "World", NULL, france), STORE_INVALID);
    assert_int_equal(store_topic_save(f->s, &world, "world", "World", NULL, world), STORE_INVALID);
    assert_int_equal(store_topic_save(f->s, &europe, "europe", "Europe", NULL, 999),
                     STORE_NOT_FOUND);
    store_topic_entry *all;
    size_t n;
    assert_int_equal(store_topics_all(f->s, f->a, &all, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(all[0].topic.slug, "europe");
    assert_int_equal(all[0].parent_id, world);
    assert_int_equal(all[2].parent_id, 0);
    assert_string_equal(all[2].topic.description, "Abroad");
    store_setting set[] = {{"site_name", "The Times"}, {"time_zone", "UTC"}};
    assert_int_equal(store_settings_set_many(f->s, set, 2), STORE_OK);
    const char *v;
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_OK);
    assert_string_equal(v, "The Times");
    store_setting clear[] = {{"site_name", ""}};
    assert_int_equal(store_settings_set_many(f->s, clear, 1), STORE_OK);
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_NOT_FOUND);
}

static void test_store_staff_reply(void **state)
{
    fixture *f = *state;
    long long ann = add_user(f, "ann", "editor");
    raw_exec(f->path, arena_printf(f->a,
                                   "INSERT INTO articles (slug, headline, status, published_at,"
                                   " updated_at, created_at) VALUES ('s', 'S', 2, 1, 1, 1);"
                                   "INSERT INTO comments (article_id, author_name, author_email,"
                                   " body, status, created_at, body_hash)"
                                   " VALUES (1, 'R', 'r@x.org', 'Hi', 0, 1, %s);",
                                   sql_for_backend("x'00'", "'\\x00'::bytea")));
    long long id = 0;
    assert_int_equal(store_comment_staff_reply(f->s, 1, ann, "Ann", NULL, "Thanks", &id), STORE_OK);
    store_comment c;
    assert_int_equal(store_comment_by_id(f->s, f->a, id, &c), STORE_OK);
    assert_true(c.staff);
    assert_int_equal(c.status, COMMENT_APPROVED);
    assert_int_equal(c.parent_id, 1);
    assert_string_equal(c.article_slug, "s");
    assert_int_equal(store_comment_by_id(f->s, f->a, 1, &c), STORE_OK);
    assert_false(c.staff);
    assert_int_equal(c.status, COMMENT_APPROVED); /* replying approved the parent */
    assert_int_equal(store_comment_staff_reply(f->s, 99, ann, "Ann", NULL, "x", &id),
                     STORE_NOT_FOUND);
    assert_int_equal(store_comment_staff_reply(f->s, 1, ann, "Ann", NULL, "", &id), STORE_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_hash_and_verify),
        cmocka_unit_test(test_password_rules),
        cmocka_unit_test(test_password_same_work),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_throttle_growing_delay),
        cmocka_unit_test(test_throttle_full_table),
        cmocka_unit_test(test_next_and_forwarded),
        cmocka_unit_test(test_hashing_slots),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_form_values),
        cmocka_unit_test_setup_teardown(test_store_users, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_sessions, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_reset_links, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_topics_and_settings, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_staff_reply, setup_db, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
