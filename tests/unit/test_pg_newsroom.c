/* test_pg_newsroom.c — the PostgreSQL backend's newsroom files against a real server
 * (pg_newsroom.c, pg_editor.c, pg_newsletter.c, pg_media.c): accounts, sessions and reset
 * links; the editor's saves, revisions, stale saves, slugs, ownership and story list; the
 * newsletter's requests, confirmations and sends; the media library. Each test gets a database
 * of its own, made on the server GAZETTE_TEST_PG names (a postgres:// URL of a user allowed to
 * create databases) and dropped afterwards; without GAZETTE_TEST_PG every test is skipped.
 * Two threads saving one story at once check that saves take turns (row lock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/store/store.h"

typedef struct {
    PGconn *admin; /* on the server's own database: creates and drops ours */
    PGconn *raw;   /* on ours, for what the tests set up or look at directly */
    char db[64];
    char url[1024];
    store *s;
    arena *a;
} fixture;

/* The connection string of GAZETTE_TEST_PG with its database replaced by db, as a URL. */
static void url_with_db(const char *base, const char *db, char *out, size_t len)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(base, &err);
    if (!opts) fail_msg("GAZETTE_TEST_PG: %s", err ? err : "cannot be read");
    size_t used = (size_t)snprintf(out, len, "postgresql:///%s", db);
    char sep = '?';
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !o->val[0] || strcmp(o->keyword, "dbname") == 0) continue;
        used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%c%s=%s", sep,
                                 o->keyword, o->val);
        sep = '&';
    }
    PQconninfoFree(opts);
    assert_true(used < len);
}

static void raw_exec(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

static long long raw_int(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static int setup(void **state)
{
    const char *base = getenv("GAZETTE_TEST_PG");
    *state = NULL;
    if (!base || !base[0]) return 0; /* each test skips */
    static int counter;
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->db, sizeof f->db, "gz_test_newsroom_%d_%d", (int)getpid(), ++counter);
    f->admin = PQconnectdb(base);
    if (PQstatus(f->admin) != CONNECTION_OK)
        fail_msg("GAZETTE_TEST_PG: %s", PQerrorMessage(f->admin));
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", f->db);
    raw_exec(f->admin, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->db);
    raw_exec(f->admin, sql);
    url_with_db(base, f->db, f->url, sizeof f->url);
    char err[512];
    if (store_create(f->url, &f->s, err, sizeof err) != STORE_OK) fail_msg("store_create: %s", err);
    f->raw = PQconnectdb(f->url);
    if (PQstatus(f->raw) != CONNECTION_OK) fail_msg("%s", PQerrorMessage(f->raw));
    f->a = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f) return 0;
    store_close(f->s);
    PQfinish(f->raw);
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->db);
    raw_exec(f->admin, sql);
    PQfinish(f->admin);
    arena_free(f->a);
    free(f);
    return 0;
}

static void hash_of(unsigned char out[32], int seed)
{
    for (int i = 0; i < 32; i++)
        out[i] = (unsigned char)(seed * 31 + i);
}

/* ---- accounts ------------------------------------------------------------------------------ */
static long long add_user(fixture *f, const char *login, const char *author_slug)
{
    store_user in = {.login = login,
                     .display_name = login,
                     .role = "author",
                     .email = NULL,
                     .password_hash = "$argon2id$x"};
    long long id = 0;
    store_status st = store_user_add(f->s, &in, author_slug, &id);
    if (st != STORE_OK) fail_msg("adding %s: %s", login, store_last_error(f->s));
    return id;
}

static void test_users(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long ann = add_user(f, "ann", "ann-author");
    long long zed = add_user(f, "Zed", NULL);
    assert_true(ann > 0 && zed > ann);
    store_user in = {.login = "ann", .display_name = "Other", .role = "author"};
    assert_int_equal(store_user_add(f->s, &in, NULL, NULL), STORE_CONFLICT);
    in.login = "";
    assert_int_equal(store_user_add(f->s, &in, NULL, NULL), STORE_INVALID);

    store_user u;
    assert_int_equal(store_user_by_login(f->s, f->a, "ann", &u), STORE_OK);
    assert_int_equal(u.id, ann);
    assert_string_equal(u.display_name, "ann");
    assert_null(u.email);
    assert_string_equal(u.password_hash, "$argon2id$x");
    assert_true(u.author_id > 0);
    assert_false(u.disabled);
    store_author au;
    assert_int_equal(store_author_by_id(f->s, f->a, u.author_id, &au), STORE_OK);
    assert_string_equal(au.slug, "ann-author");
    assert_int_equal(store_user_by_login(f->s, f->a, "nobody", &u), STORE_NOT_FOUND);
    assert_int_equal(store_user_by_login(f->s, f->a, NULL, &u), STORE_NOT_FOUND);
    assert_int_equal(store_user_by_id(f->s, f->a, zed, &u), STORE_OK);
    assert_int_equal(u.author_id, 0);
    assert_int_equal(store_user_by_id(f->s, f->a, 999, &u), STORE_NOT_FOUND);

    /* by login, bytewise as SQLite orders them: capitals first */
    store_user *list;
    size_t n;
    assert_int_equal(store_users_list(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].login, "Zed");
    assert_string_equal(list[1].login, "ann");

    assert_int_equal(store_user_set_role(f->s, ann, "admin"), STORE_OK);
    assert_int_equal(store_user_set_role(f->s, 999, "admin"), STORE_NOT_FOUND);
    assert_int_equal(store_user_set_role(f->s, ann, ""), STORE_INVALID);
    assert_int_equal(store_user_set_password(f->s, 999, "$argon2id$y"), STORE_NOT_FOUND);
    assert_int_equal(store_user_set_password(f->s, ann, NULL), STORE_INVALID);
    assert_int_equal(store_user_set_disabled(f->s, 999, true), STORE_NOT_FOUND);
    assert_int_equal(store_user_by_id(f->s, f->a, ann, &u), STORE_OK);
    assert_string_equal(u.role, "admin");
}

static void test_sessions(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long ann = add_user(f, "ann", NULL);
    long long now = (long long)time(NULL);
    unsigned char h1[32], h2[32], h3[32];
    hash_of(h1, 1);
    hash_of(h2, 2);
    hash_of(h3, 3);
    assert_int_equal(store_session_add(f->s, h1, ann, now + 100, "127.0.0.1", "test"), STORE_OK);
    assert_int_equal(store_session_add(f->s, h2, ann, now + 100, NULL, NULL), STORE_OK);
    assert_int_equal(store_session_add(f->s, h2, ann, now + 100, NULL, NULL), STORE_CONFLICT);
    store_session s;
    store_user u;
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_OK);
    assert_int_equal(s.user_id, ann);
    assert_int_equal(s.expires_at, now + 100);
    assert_string_equal(u.login, "ann");
    assert_int_equal(store_session_find(f->s, f->a, h3, now, &s, &u), STORE_NOT_FOUND);
    assert_int_equal(store_session_find(f->s, f->a, h1, now + 100, &s, &u), STORE_NOT_FOUND);
    /* touching moves the expiry forward, never back */
    assert_int_equal(store_session_touch(f->s, h1, now + 50, now + 500), STORE_OK);
    assert_int_equal(store_session_touch(f->s, h1, now + 60, now + 10), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h1, now + 100, &s, &u), STORE_OK);
    assert_int_equal(s.last_seen_at, now + 60);
    assert_int_equal(s.expires_at, now + 500);
    assert_int_equal(store_session_delete(f->s, h2), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h2, now, &s, &u), STORE_NOT_FOUND);
    /* a long user agent is cut at 300 characters */
    char agent[400];
    memset(agent, 'a', sizeof agent - 1);
    agent[sizeof agent - 1] = 0;
    assert_int_equal(store_session_add(f->s, h3, ann, now + 100, "::1", agent), STORE_OK);
    assert_int_equal(raw_int(f->raw, "SELECT max(length(user_agent)) FROM sessions"), 300);

    /* a new password ends every session */
    assert_int_equal(store_user_set_password(f->s, ann, "$argon2id$new"), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_NOT_FOUND);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM sessions"), 0);
    assert_true(raw_int(f->raw, "SELECT password_changed_at FROM users") >= now);

    /* ending a user's sessions counts them and sweeps everyone's expired ones */
    long long bo = add_user(f, "bo", NULL);
    assert_int_equal(store_session_add(f->s, h1, ann, now + 100, NULL, NULL), STORE_OK);
    assert_int_equal(store_session_add(f->s, h2, ann, now + 100, NULL, NULL), STORE_OK);
    assert_int_equal(store_session_add(f->s, h3, bo, now - 5, NULL, NULL), STORE_OK);
    size_t ended = 0;
    assert_int_equal(store_sessions_end_user(f->s, ann, &ended), STORE_OK);
    assert_int_equal(ended, 2);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM sessions"), 0);
    assert_int_equal(store_sessions_end_user(f->s, 999, NULL), STORE_OK);

    /* a disabled user's sessions end and cannot start again */
    assert_int_equal(store_session_add(f->s, h1, bo, now + 100, NULL, NULL), STORE_OK);
    assert_int_equal(store_user_set_disabled(f->s, bo, true), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_NOT_FOUND);
    assert_int_equal(store_session_add(f->s, h1, bo, now + 100, NULL, NULL), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_NOT_FOUND);
    assert_int_equal(store_user_set_disabled(f->s, bo, false), STORE_OK);
    assert_int_equal(store_session_find(f->s, f->a, h1, now, &s, &u), STORE_OK);
    /* a session of no user is refused */
    assert_int_equal(store_session_add(f->s, h2, 999, now + 100, NULL, NULL), STORE_INVALID);
}

static void test_resets(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long ann = add_user(f, "ann", NULL);
    long long now = (long long)time(NULL);
    unsigned char link[32], other[32], session[32];
    hash_of(link, 7);
    hash_of(other, 8);
    hash_of(session, 9);
    assert_int_equal(store_reset_add(f->s, link, ann, now + 60), STORE_OK);
    assert_int_equal(store_reset_add(f->s, other, ann, now + 60), STORE_OK);
    assert_int_equal(store_session_add(f->s, session, ann, now + 100, NULL, NULL), STORE_OK);
    long long who = 0;
    assert_int_equal(store_reset_find(f->s, link, now, &who), STORE_OK);
    assert_int_equal(who, ann);
    assert_int_equal(store_reset_find(f->s, link, now + 60, &who), STORE_NOT_FOUND);
    assert_int_equal(store_reset_use(f->s, link, now + 60, "$argon2id$r", &who), STORE_NOT_FOUND);
    assert_int_equal(store_reset_use(f->s, link, now, "", &who), STORE_INVALID);
    who = 0;
    assert_int_equal(store_reset_use(f->s, link, now, "$argon2id$r", &who), STORE_OK);
    assert_int_equal(who, ann);
    store_user u;
    assert_int_equal(store_user_by_id(f->s, f->a, ann, &u), STORE_OK);
    assert_string_equal(u.password_hash, "$argon2id$r");
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM sessions"), 0);
    /* spent once only */
    assert_int_equal(store_reset_find(f->s, link, now, &who), STORE_NOT_FOUND);
    assert_int_equal(store_reset_use(f->s, link, now, "$argon2id$s", &who), STORE_NOT_FOUND);
    assert_int_equal(store_user_by_id(f->s, f->a, ann, &u), STORE_OK);
    assert_string_equal(u.password_hash, "$argon2id$r");
    /* not for a disabled user */
    assert_int_equal(store_user_set_disabled(f->s, ann, true), STORE_OK);
    assert_int_equal(store_reset_find(f->s, other, now, &who), STORE_NOT_FOUND);
    assert_int_equal(store_reset_use(f->s, other, now, "$argon2id$t", &who), STORE_NOT_FOUND);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM password_resets WHERE used_at IS NULL"),
                     1);
}

/* ---- the editor ------------------------------------------------------------------------------ */
static const char *topics_a[] = {"Harbour", "City"};
static const char *authors_a[] = {"Ada Lovelace"};

static store_article_edit edit(long long id, const char *slug, const char *headline,
                               const char *body, int base)
{
    return (store_article_edit){.id = id,
                                .input = {.slug = slug,
                                          .headline = headline,
                                          .body_markdown = body,
                                          .body_html = body,
                                          .status = ARTICLE_DRAFT,
                                          .topic_names = topics_a,
                                          .n_topics = 2,
                                          .author_names = authors_a,
                                          .n_authors = 1},
                                .base_revision = base,
                                .user_name = "Ada"};
}

static long long save_edit(fixture *f, store_article_edit e, int want_revision)
{
    long long id;
    int rev;
    const char *slug;
    store_status st = store_article_edit_save(f->s, f->a, &e, &id, &slug, &rev);
    if (st != STORE_OK) fail_msg("edit: %s", store_last_error(f->s));
    assert_int_equal(rev, want_revision);
    return id;
}

static void test_edit_revisions(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long id = save_edit(f, edit(0, "ferry", "Ferry late", "one\ntwo\n", 0), 1);
    assert_true(id > 0);
    store_article_edit e = edit(id, "ferry-late", "Ferry late again", "one\nthree\n", 1);
    e.input.kicker = "Transport";
    e.input.published_at = 1700000000;
    save_edit(f, e, 2);
    store_article art;
    int rev;
    assert_int_equal(store_article_by_id(f->s, f->a, id, &art, &rev), STORE_OK);
    assert_int_equal(rev, 2);
    assert_string_equal(art.slug, "ferry-late");
    assert_string_equal(art.kicker, "Transport");
    assert_string_equal(art.body_markdown, "one\nthree\n");
    assert_int_equal(art.published_at, 1700000000);
    assert_int_equal(art.n_topics, 2);
    assert_string_equal(art.topics[0].name, "Harbour");
    assert_int_equal(store_article_by_id(f->s, f->a, id + 100, &art, &rev), STORE_NOT_FOUND);
    assert_int_equal(rev, 0);

    store_revision *list;
    size_t n;
    assert_int_equal(store_revisions_list(f->s, f->a, id, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].number, 2);
    assert_int_equal(list[1].number, 1);
    assert_string_equal(list[1].article.headline, "Ferry late");
    assert_string_equal(list[0].user_name, "Ada");
    assert_int_equal(list[0].user_id, 0);
    assert_null(list[0].article.body_markdown);
    assert_int_equal(list[0].article.updated_at, list[0].saved_at);
    assert_int_equal(store_revisions_list(f->s, f->a, id + 100, &list, &n), STORE_OK);
    assert_int_equal(n, 0);

    store_revision one;
    assert_int_equal(store_revision_get(f->s, f->a, id, 1, &one), STORE_OK);
    assert_string_equal(one.article.body_markdown, "one\ntwo\n");
    assert_string_equal(one.article.slug, "ferry");
    assert_null(one.article.kicker);
    assert_int_equal(one.article.n_topics, 2);
    assert_string_equal(one.article.topics[1].name, "City");
    assert_string_equal(one.article.topics[1].slug, "city");
    assert_int_equal(one.article.n_authors, 1);
    assert_string_equal(one.article.authors[0].name, "Ada Lovelace");
    assert_string_equal(one.article.authors[0].slug, "ada-lovelace");
    assert_int_equal(store_revision_get(f->s, f->a, id, 3, &one), STORE_NOT_FOUND);

    /* a story with no topics keeps an empty list */
    store_article_edit bare = edit(0, "bare", "Bare", "", 0);
    bare.input.n_topics = 0;
    bare.input.n_authors = 0;
    long long bare_id = save_edit(f, bare, 1);
    assert_int_equal(store_revision_get(f->s, f->a, bare_id, 1, &one), STORE_OK);
    assert_int_equal(one.article.n_topics, 0);
    assert_int_equal(one.article.n_authors, 0);
}

static void test_edit_stale_and_slugs(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long id = save_edit(f, edit(0, "vote", "Vote", "a\n", 0), 1);
    save_edit(f, edit(id, "vote", "Vote (first writer)", "b\n", 1), 2);
    store_article_edit late = edit(id, "vote", "Vote (second writer)", "c\n", 1);
    long long got = 5;
    int rev = 5;
    assert_int_equal(store_article_edit_save(f->s, f->a, &late, &got, NULL, &rev), STORE_STALE);
    assert_int_equal(got, 0);
    assert_int_equal(rev, 0);
    store_article art;
    assert_int_equal(store_article_by_id(f->s, f->a, id, &art, &rev), STORE_OK);
    assert_string_equal(art.headline, "Vote (first writer)");
    late.base_revision = -1;
    save_edit(f, late, 3);

    store_article_edit e = edit(0, "vote", "Vote", "", 0);
    e.unique_slug = true;
    const char *slug;
    long long b;
    assert_int_equal(store_article_edit_save(f->s, f->a, &e, &b, &slug, &rev), STORE_OK);
    assert_string_equal(slug, "vote-2");
    e.unique_slug = false;
    assert_int_equal(store_article_edit_save(f->s, f->a, &e, &b, &slug, &rev), STORE_CONFLICT);
    assert_null(slug);
    assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM articles"), 2);
    store_article_edit bad = edit(0, "ok-slug", "  ", "", 0);
    assert_int_equal(store_article_edit_save(f->s, f->a, &bad, &b, &slug, &rev), STORE_INVALID);
    store_article_edit missing = edit(99999, "gone", "Gone", "", 1);
    assert_int_equal(store_article_edit_save(f->s, f->a, &missing, &b, &slug, &rev),
                     STORE_NOT_FOUND);
    assert_int_equal(store_article_edit_save(f->s, f->a, NULL, &b, &slug, &rev), STORE_INVALID);
    /* a page is not the editor's */
    raw_exec(f->raw, "UPDATE articles SET kind = 'page' WHERE slug = 'vote-2'");
    long long page = raw_int(f->raw, "SELECT id FROM articles WHERE slug = 'vote-2'");
    assert_int_equal(store_article_by_id(f->s, f->a, page, &art, &rev), STORE_NOT_FOUND);
    store_article_edit on_page = edit(page, "vote-2", "Page", "", -1);
    assert_int_equal(store_article_edit_save(f->s, f->a, &on_page, &b, &slug, &rev),
                     STORE_NOT_FOUND);
}

typedef struct {
    fixture *f;
    long long id;
    int saves, failures;
} writer;

static void *write_often(void *arg)
{
    writer *w = arg;
    arena *a = arena_new();
    for (int i = 0; i < w->saves; i++) {
        store_article_edit e = edit(w->id, "race", "Race", "x\n", -1);
        long long id;
        int rev;
        if (store_article_edit_save(w->f->s, a, &e, &id, NULL, &rev) != STORE_OK) w->failures++;
    }
    arena_free(a);
    return NULL;
}

/* Two threads (two connections) saving one story: every save gets its own revision number. */
static void test_edit_concurrent(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long id = save_edit(f, edit(0, "race", "Race", "", 0), 1);
    writer w[2] = {{f, id, 20, 0}, {f, id, 20, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, write_often, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(w[0].failures + w[1].failures, 0);
    assert_int_equal(raw_int(f->raw, "SELECT count(DISTINCT number) FROM article_revisions"), 41);
    assert_int_equal(raw_int(f->raw, "SELECT max(number) FROM article_revisions"), 41);
}

static void test_editor_list_and_owners(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long bo_user = add_user(f, "bo", NULL);
    long long draft = save_edit(f, edit(0, "draft-one", "Draft about harbour", "x", 0), 1);
    store_article_edit p = edit(0, "published-one", "Published", "y", 0);
    p.input.status = ARTICLE_PUBLISHED;
    static const char *other_author[] = {"bo", "Émile", "ada"};
    p.input.author_names = other_author;
    p.input.n_authors = 3;
    p.user_id = bo_user;
    long long pub = save_edit(f, p, 1);
    raw_exec(f->raw,
             "UPDATE articles SET updated_at = updated_at + 10 WHERE slug = 'published-one'");

    store_article *v;
    size_t n, total;
    store_editor_query q = {.limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_int_equal(v[0].id, pub); /* last saved first */
    assert_null(v[0].body_markdown);
    q.limit = 1;
    q.offset = 1;
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);
    assert_int_equal(v[0].id, draft);
    article_status st = ARTICLE_DRAFT;
    q = (store_editor_query){.status = &st, .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, draft);
    assert_int_equal(v[0].n_authors, 1);
    q = (store_editor_query){.author_slug = "bo", .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, pub);
    q = (store_editor_query){.owner_user_id = bo_user, .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, pub);
    q = (store_editor_query){.topic_slug = "nowhere", .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    q = (store_editor_query){.fts_query = "harbour", .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, draft);
    assert_int_equal(total, 1);
    assert_int_equal(store_editor_articles(f->s, f->a, NULL, &v, &n, &total), STORE_INVALID);

    bool owned = true;
    long long ada = raw_int(f->raw, "SELECT id FROM authors WHERE name = 'Ada Lovelace'");
    assert_int_equal(store_article_owned_by(f->s, draft, 0, ada, &owned), STORE_OK);
    assert_true(owned);
    assert_int_equal(store_article_owned_by(f->s, draft, bo_user, 0, &owned), STORE_OK);
    assert_false(owned);
    assert_int_equal(store_article_owned_by(f->s, pub, bo_user, 0, &owned), STORE_OK);
    assert_true(owned);
    assert_int_equal(store_article_owned_by(f->s, pub, 0, 0, &owned), STORE_OK);
    assert_false(owned);

    /* authors by name as SQLite's NOCASE orders them: ASCII case folded, then bytes */
    store_author *authors;
    assert_int_equal(store_authors_all(f->s, f->a, &authors, &n), STORE_OK);
    assert_int_equal(n, 4);
    assert_string_equal(authors[0].name, "ada");
    assert_string_equal(authors[1].name, "Ada Lovelace");
    assert_string_equal(authors[2].name, "bo");
    assert_string_equal(authors[3].name, "Émile");
    store_author one;
    assert_int_equal(store_author_by_id(f->s, f->a, authors[2].id, &one), STORE_OK);
    assert_string_equal(one.slug, authors[2].slug);
    assert_int_equal(store_author_by_id(f->s, f->a, 0, &one), STORE_NOT_FOUND);
    assert_int_equal(store_author_by_id(f->s, f->a, 99999, &one), STORE_NOT_FOUND);
}

/* ---- the newsletter -------------------------------------------------------------------------- */
static void test_newsletter(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long now = (long long)time(NULL);
    unsigned char h1[32], h2[32], h3[32];
    hash_of(h1, 11);
    hash_of(h2, 12);
    hash_of(h3, 13);
    long long id = 0, again = 0;
    assert_int_equal(store_newsletter_request(f->s, "Reader@Example.org", "", h1, now + 60, &id),
                     STORE_OK);
    store_subscriber sub;
    assert_int_equal(store_newsletter_by_confirmation(f->s, f->a, h1, &sub), STORE_OK);
    assert_int_equal(sub.id, id);
    assert_int_equal(sub.status, SUBSCRIBER_PENDING);
    assert_int_equal(sub.confirm_expires, now + 60);
    /* the same address in another case is the same subscriber; the new hash replaces the old */
    assert_int_equal(
        store_newsletter_request(f->s, "reader@example.ORG", "city harbour", h2, now + 60, &again),
        STORE_OK);
    assert_int_equal(again, id);
    assert_int_equal(store_newsletter_by_confirmation(f->s, f->a, h1, &sub), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_confirm(f->s, h1, now), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_confirm(f->s, h2, now + 61), STORE_INVALID);
    assert_int_equal(store_newsletter_confirm(f->s, h2, now), STORE_OK);
    assert_int_equal(store_newsletter_subscriber(f->s, f->a, id, &sub), STORE_OK);
    assert_int_equal(sub.status, SUBSCRIBER_CONFIRMED);
    assert_string_equal(sub.topics, "city harbour");
    assert_string_equal(sub.email, "Reader@Example.org");
    assert_int_equal(sub.confirm_expires, 0);
    assert_int_equal(store_newsletter_subscriber(f->s, f->a, id + 100, &sub), STORE_NOT_FOUND);

    /* a request that could not be mailed is withdrawn: a confirmed reader stays */
    assert_int_equal(
        store_newsletter_request(f->s, "reader@example.org", "x", h3, now + 60, &again), STORE_OK);
    assert_int_equal(store_newsletter_withdraw(f->s, id, h3), STORE_OK);
    assert_int_equal(store_newsletter_subscriber(f->s, f->a, id, &sub), STORE_OK);
    assert_int_equal(sub.status, SUBSCRIBER_CONFIRMED);
    assert_string_equal(sub.topics, "city harbour");
    assert_int_equal(store_newsletter_by_confirmation(f->s, f->a, h3, &sub), STORE_NOT_FOUND);
    /* ... a new one goes */
    long long other = 0;
    assert_int_equal(store_newsletter_request(f->s, "new@example.org", "", h3, now + 60, &other),
                     STORE_OK);
    assert_true(other != id);
    assert_int_equal(store_newsletter_withdraw(f->s, other, h3), STORE_OK);
    assert_int_equal(store_newsletter_subscriber(f->s, f->a, other, &sub), STORE_NOT_FOUND);

    store_subscriber *list;
    size_t n;
    assert_int_equal(store_newsletter_confirmed(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, id);

    assert_int_equal(store_newsletter_claim(f->s, id, "2026-11-25", now), STORE_OK);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-11-25", now), STORE_CONFLICT);
    assert_int_equal(store_newsletter_unclaim(f->s, id, "2026-11-25"), STORE_OK);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-11-25", now), STORE_OK);
    assert_int_equal(store_newsletter_unsubscribe(f->s, id, now), STORE_OK);
    assert_int_equal(store_newsletter_unsubscribe(f->s, id + 100, now), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-11-26", now), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_subscriber(f->s, f->a, id, &sub), STORE_OK);
    assert_int_equal(sub.status, SUBSCRIBER_UNSUBSCRIBED);
    assert_int_equal(store_newsletter_confirmed(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 0);
}

static long long published(fixture *f, const char *slug, long long at)
{
    store_article_edit e = edit(0, slug, slug, "", 0);
    e.input.status = ARTICLE_PUBLISHED;
    e.input.published_at = at;
    return save_edit(f, e, 1);
}

static void add_comments(fixture *f, long long article, int approved, int pending)
{
    char sql[512];
    for (int i = 0; i < approved + pending; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO comments (article_id, author_name, author_email, body, status,"
                 " created_at, body_hash) VALUES (%lld, 'R', 'r@example.org', 'b%d', %d, 0,"
                 " '\\x0102030405060708'::bytea)",
                 article, i, i < approved ? 1 : 0);
        raw_exec(f->raw, sql);
    }
}

static void test_newsletter_top_stories(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long day = 1700000000;
    long long quiet = published(f, "quiet", day + 10);
    long long talked = published(f, "talked", day + 20);
    long long newest = published(f, "newest", day + 30);
    long long before = published(f, "before", day);
    long long after = published(f, "after", day + 100);
    store_article_edit d = edit(0, "draft", "Draft", "", 0);
    d.input.published_at = day + 40;
    long long draft = save_edit(f, d, 1);
    add_comments(f, talked, 2, 5);
    add_comments(f, draft, 9, 0);
    add_comments(f, before, 9, 0);
    add_comments(f, after, 9, 0);
    long long *ids, *comments;
    size_t n;
    assert_int_equal(
        store_newsletter_top_stories(f->s, f->a, day, day + 50, 10, &ids, &comments, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], talked);
    assert_int_equal(comments[0], 2);
    assert_int_equal(ids[1], newest);
    assert_int_equal(ids[2], quiet);
    assert_int_equal(comments[2], 0);
    assert_int_equal(
        store_newsletter_top_stories(f->s, f->a, day, day + 50, 1, &ids, &comments, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(
        store_newsletter_top_stories(f->s, f->a, day + 500, day + 600, 5, &ids, &comments, &n),
        STORE_OK);
    assert_int_equal(n, 0);
    assert_null(ids);
}

/* ---- the media library --------------------------------------------------------------------- */
static void test_media(void **state)
{
    fixture *f = *state;
    if (!f) skip(); /* no GAZETTE_TEST_PG */
    long long ann = add_user(f, "ann", NULL);
    store_media_input in = {.hash = "0123456789abcdef0123456789abcdef",
                            .file_name = "harbour.jpg",
                            .widths = "320 640",
                            .alt = "Boats",
                            .width = 640,
                            .height = 480,
                            .uploader_id = ann};
    long long first = 0, again = 0, second = 0;
    assert_int_equal(store_media_add(f->s, &in, &first), STORE_OK);
    assert_int_equal(store_media_add(f->s, &in, &again), STORE_CONFLICT);
    assert_int_equal(again, first);
    store_media_input two = {
        .hash = "fedcba9876543210fedcba9876543210", .widths = "320", .width = 320, .height = 200};
    assert_int_equal(store_media_add(f->s, &two, &second), STORE_OK);
    store_media_input bad = two;
    bad.hash = "short";
    assert_int_equal(store_media_add(f->s, &bad, &again), STORE_INVALID);
    bad = two;
    bad.width = 0;
    assert_int_equal(store_media_add(f->s, &bad, &again), STORE_INVALID);

    store_media m;
    assert_int_equal(store_media_get(f->s, f->a, first, &m), STORE_OK);
    assert_string_equal(m.hash, in.hash);
    assert_string_equal(m.file_name, "harbour.jpg");
    assert_int_equal(m.width, 640);
    assert_int_equal(m.height, 480);
    assert_string_equal(m.alt, "Boats");
    assert_string_equal(m.caption, "");
    assert_int_equal(m.uploader_id, ann);
    assert_string_equal(m.uploader_name, "ann");
    assert_int_equal(store_media_get(f->s, f->a, second, &m), STORE_OK);
    assert_string_equal(m.file_name, "image");
    assert_int_equal(m.uploader_id, 0);
    assert_string_equal(m.uploader_name, "");
    assert_int_equal(store_media_get(f->s, f->a, 999, &m), STORE_NOT_FOUND);

    store_media *list;
    size_t n, total;
    assert_int_equal(store_media_list(f->s, f->a, 10, 0, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_int_equal(list[0].id, second); /* newest first (same second: higher id) */
    assert_int_equal(store_media_list(f->s, f->a, 1, 1, &list, &n, NULL), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, first);
    assert_int_equal(store_media_list(f->s, f->a, SIZE_MAX, 0, &list, &n, NULL), STORE_OK);
    assert_int_equal(n, 2);

    assert_int_equal(store_media_update(f->s, first, NULL, "At dawn", ""), STORE_OK);
    assert_int_equal(store_media_get(f->s, f->a, first, &m), STORE_OK);
    assert_string_equal(m.alt, "Boats");
    assert_string_equal(m.caption, "At dawn");
    assert_string_equal(m.credit, "");
    assert_int_equal(store_media_update(f->s, 999, "a", NULL, NULL), STORE_NOT_FOUND);
    assert_int_equal(store_media_delete(f->s, first), STORE_OK);
    assert_int_equal(store_media_delete(f->s, first), STORE_NOT_FOUND);
    assert_int_equal(store_media_list(f->s, f->a, 10, 0, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_revisions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_stale_and_slugs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_editor_list_and_owners, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newsletter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newsletter_top_stories, setup, teardown),
        cmocka_unit_test_setup_teardown(test_media, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
