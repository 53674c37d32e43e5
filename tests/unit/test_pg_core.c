/* test_pg_core.c — cmocka tests of the PostgreSQL backend's core (pg.c, pg_open.c,
 * pg_migrations.c, pg_settings.c): creating and opening (and the refusals), the migrations,
 * settings, the change log, changed_since_last_look over LISTEN/NOTIFY, read snapshots and
 * reconnecting after the server dropped the session. They need a server: GAZETTE_TEST_PG is the
 * URL of a database whose user may create databases (postgres://postgres@127.0.0.1:PORT/postgres);
 * each test makes a fresh database and drops it. Without the variable those tests are skipped;
 * the redaction and unreachable-server tests need no server and always run. */
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
#include "../../src/store/migrations.h"
#include "../../src/store/pg_core.h"
#include "../../src/store/pg_internal.h"
#include "../../src/store/pg_migrations.h"
#include "../../src/store/store.h"

#define LATEST (store_migrations[store_n_migrations - 1].number)

typedef struct {
    char name[64];  /* the test database */
    char url[1024]; /* its URL */
    store *s;
    arena *a;
    char err[512];
} pg_fixture;

/* ---- Helpers ------------------------------------------------------------------------------ */
/* server with its path replaced by /name (query kept). */
static void url_for(const char *server, const char *name, char *out, size_t n)
{
    const char *host = strstr(server, "://");
    host = host ? host + 3 : server;
    const char *path = host + strcspn(host, "/?");
    const char *query = path + strcspn(path, "?");
    snprintf(out, n, "%.*s/%s%s", (int)(path - server), server, name, query);
}

/* Runs sql on url; fails the test unless it succeeds. Returns column 0 of row 0 (0: none). */
static void quiet(void *arg, const char *message) {}

static long long raw(const char *url, const char *sql)
{
    PGconn *db = PQconnectdb(url);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PQsetNoticeProcessor(db, quiet, NULL);
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    long long v = st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)
                      ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
                      : 0;
    PQclear(r);
    PQfinish(db);
    return v;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A fresh empty database (no store yet); state NULL when no server is configured. */
static int setup_empty(void **state)
{
    const char *server = getenv("GAZETTE_TEST_PG");
    *state = NULL;
    if (!server || !*server) return 0;
    static int counter;
    pg_fixture *f = calloc(1, sizeof *f);
    snprintf(f->name, sizeof f->name, "gazette_core_%d_%d", (int)getpid(), ++counter);
    url_for(server, f->name, f->url, sizeof f->url);
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->name);
    raw(server, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->name);
    raw(server, sql);
    f->a = arena_new();
    *state = f;
    return 0;
}

/* A fresh database with Gazette's schema, opened. */
static int setup_db(void **state)
{
    setup_empty(state);
    pg_fixture *f = *state;
    if (!f) return 0;
    store_status rs = store_create(f->url, &f->s, f->err, sizeof f->err);
    if (rs != STORE_OK) fail_msg("store_create: %s", f->err);
    return 0;
}

static int teardown(void **state)
{
    pg_fixture *f = *state;
    if (!f) return 0;
    store_close(f->s);
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->name);
    raw(getenv("GAZETTE_TEST_PG"), sql);
    arena_free(f->a);
    free(f);
    return 0;
}

#define NEED_PG(f)                                                                                 \
    pg_fixture *f = *state;                                                                        \
    if (!f) skip()

/* ---- Creating and opening ----------------------------------------------------------------- */
static void test_create_runs_every_migration(void **state)
{
    NEED_PG(f);
    assert_int_equal(store_schema_version(f->s), LATEST);
    assert_int_equal(pg_n_migrations, store_n_migrations);
    assert_int_equal(raw(f->url, "SELECT count(*) FROM schema_migrations"), store_n_migrations);
    assert_int_equal(raw(f->url, "SELECT max(version) FROM schema_migrations"), LATEST);
    for (size_t i = 0; i < store_n_migrations; i++) {
        assert_int_equal(pg_migrations[i].number, store_migrations[i].number);
        assert_string_equal(pg_migrations[i].name, store_migrations[i].name);
    }
    /* the search vector and its index replace FTS5 */
    assert_int_equal(raw(f->url, "SELECT count(*) FROM pg_indexes WHERE indexname ="
                                 " 'articles_search'"),
                     1);
    /* a second open finds everything applied and changes nothing */
    store *again;
    assert_int_equal(store_open(f->url, &again, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_schema_version(again), LATEST);
    store_close(again);
    assert_int_equal(raw(f->url, "SELECT count(*) FROM schema_migrations"), store_n_migrations);
}

static void test_create_refuses_a_database_in_use(void **state)
{
    NEED_PG(f);
    store *second = (store *)1;
    assert_int_equal(store_create(f->url, &second, f->err, sizeof f->err), STORE_CONFLICT);
    assert_null(second);
    assert_non_null(strstr(f->err, "is not empty"));
}

static void test_open_refuses_foreign_databases(void **state)
{
    NEED_PG(f);
    store *s = (store *)1;
    /* empty */
    assert_int_equal(store_open(f->url, &s, f->err, sizeof f->err), STORE_SCHEMA);
    assert_null(s);
    assert_non_null(strstr(f->err, "empty database"));
    /* somebody else's */
    raw(f->url, "CREATE TABLE invoices (id bigint PRIMARY KEY)");
    assert_int_equal(store_open(f->url, &s, f->err, sizeof f->err), STORE_SCHEMA);
    assert_non_null(strstr(f->err, "not a Gazette database"));
    /* and create will not write into it */
    assert_int_equal(store_create(f->url, &s, f->err, sizeof f->err), STORE_CONFLICT);
    assert_int_equal(raw(f->url, "SELECT count(*) FROM pg_tables WHERE tablename = 'articles'"), 0);
}

static void test_open_refuses_a_newer_schema(void **state)
{
    NEED_PG(f);
    raw(f->url, "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (99999, 'from the future', 0)");
    store *s = (store *)1;
    assert_int_equal(store_open(f->url, &s, f->err, sizeof f->err), STORE_SCHEMA);
    assert_null(s);
    assert_non_null(strstr(f->err, "newer gazette"));
}

/* Two nodes opening a new database at once: the advisory lock lets one migrate. */
static void *open_in_thread(void *p)
{
    pg_fixture *f = p;
    char err[512];
    store *s;
    store_status rs = store_open(f->url, &s, err, sizeof err);
    if (rs == STORE_OK) store_close(s);
    return (void *)(intptr_t)rs;
}

static void test_concurrent_opens_migrate_once(void **state)
{
    NEED_PG(f);
    raw(f->url, "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, name text NOT NULL,"
                " applied_at bigint NOT NULL)");
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, open_in_thread, f), 0);
    for (int i = 0; i < 3; i++) {
        void *rs;
        pthread_join(t[i], &rs);
        assert_int_equal((intptr_t)rs, STORE_OK);
    }
    assert_int_equal(raw(f->url, "SELECT count(*) FROM schema_migrations"), store_n_migrations);
}

/* ---- No server ---------------------------------------------------------------------------- */
static void test_unreachable_server_hides_the_password(void **state)
{
    char err[512];
    store *s = (store *)1;
    store_status rs = store_open("postgres://ann:s3cretpass@127.0.0.1:1/news?connect_timeout=2", &s,
                                 err, sizeof err);
    assert_int_equal(rs, STORE_UNAVAILABLE);
    assert_null(s);
    assert_null(strstr(err, "s3cretpass"));
    assert_non_null(strstr(err, "ann:***@127.0.0.1:1/news"));
}

static void test_redaction(void **state)
{
    char out[256];
    pg_redact_location("postgres://ann:pw@db.example:5432/news", out, sizeof out);
    assert_string_equal(out, "postgres://ann:***@db.example:5432/news");
    pg_redact_location("postgresql://ann@db/news?password=pw&sslmode=require", out, sizeof out);
    assert_string_equal(out, "postgresql://ann@db/news?password=***&sslmode=require");
    pg_redact_location("postgres://db/news", out, sizeof out);
    assert_string_equal(out, "postgres://db/news");
    pg_redact_location("postgres://a:b@c/d?password=e", out, sizeof out);
    assert_string_equal(out, "postgres://a:***@c/d?password=***");
    char message[128] = "password authentication failed: long-pass-word here long-pass-word";
    pg_redact_message("postgres://u:long-pass-word@h/d", message);
    assert_string_equal(message, "password authentication failed: *** here ***");
}

/* ---- Settings and changes ----------------------------------------------------------------- */
static void test_settings_round_trip(void **state)
{
    NEED_PG(f);
    const char *v = "x";
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_NOT_FOUND);
    assert_null(v);
    assert_non_null(strstr(store_last_error(f->s), "site_name"));
    assert_int_equal(store_setting_set(f->s, "site_name", "The Daily"), STORE_OK);
    assert_string_equal(store_last_error(f->s), "");
    assert_int_equal(store_setting_set(f->s, "site_name", "The Weekly"), STORE_OK);
    assert_int_equal(store_setting_set(f->s, "language", "fr"), STORE_OK);
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_OK);
    assert_string_equal(v, "The Weekly");
    assert_int_equal(store_setting_set(f->s, "", "x"), STORE_INVALID);
    assert_int_equal(store_setting_set(f->s, "k", NULL), STORE_INVALID);

    store_setting *list;
    size_t n;
    assert_int_equal(store_settings_list(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].key, "language"); /* ordered by key, bytewise */
    assert_string_equal(list[1].key, "site_name");

    store_setting many[] = {{"language", ""}, {"Zeta", "z"}, {"site_name", "Again"}};
    assert_int_equal(store_settings_set_many(f->s, many, 3), STORE_OK);
    assert_int_equal(store_settings_list(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].key, "Zeta"); /* 'Z' < 's' as SQLite's BINARY orders */
    assert_string_equal(list[1].value, "Again");

    /* all or nothing */
    store_setting bad[] = {{"first", "1"}, {NULL, "2"}};
    assert_int_not_equal(store_settings_set_many(f->s, bad, 2), STORE_OK);
    assert_int_equal(store_setting_get(f->s, f->a, "first", &v), STORE_NOT_FOUND);
}

static void test_change_log(void **state)
{
    NEED_PG(f);
    long long head = -1;
    assert_int_equal(store_changes_head(f->s, &head), STORE_OK);
    assert_int_equal(head, 0);
    assert_int_equal(store_setting_set(f->s, "site_name", "A"), STORE_OK);
    store_setting same[] = {{"site_name", "A"}};
    assert_int_equal(store_settings_set_many(f->s, same, 1), STORE_OK); /* unchanged: no log */
    assert_int_equal(store_setting_set(f->s, "site_name", "B"), STORE_OK);
    store_change *v;
    size_t n;
    assert_int_equal(store_changes_since(f->s, f->a, 0, 10, &v, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].kind, STORE_CHANGE_SITE);
    assert_true(v[1].id > v[0].id);
    assert_int_equal(store_changes_since(f->s, f->a, v[0].id, 10, &v, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_changes_head(f->s, &head), STORE_OK);
    assert_int_equal(head, v[0].id);
    assert_int_equal(store_changes_since(f->s, f->a, head, 10, &v, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_last_change(f->s), 0); /* no stories yet */
}

/* Waits (up to 10 s: the machine may be loaded) for the notification of another session. */
static bool changed_within(store *s, long ms)
{
    bool changed = false;
    for (long waited = 0; waited <= ms; waited += 20) {
        assert_int_equal(store_changed_since_last_look(s, &changed), STORE_OK);
        if (changed) return true;
        sleep_ms(20);
    }
    return false;
}

static void test_changed_since_last_look(void **state)
{
    NEED_PG(f);
    bool changed = false;
    assert_int_equal(store_changed_since_last_look(f->s, &changed), STORE_OK);
    assert_true(changed); /* the first time */
    assert_int_equal(store_changed_since_last_look(f->s, &changed), STORE_OK);
    assert_false(changed);
    sleep_ms(100);
    assert_int_equal(store_changed_since_last_look(f->s, &changed), STORE_OK);
    assert_false(changed); /* nothing happened */

    store *other;
    assert_int_equal(store_open(f->url, &other, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_setting_set(other, "site_name", "Elsewhere"), STORE_OK);
    assert_true(changed_within(f->s, 10000));
    assert_int_equal(store_changed_since_last_look(f->s, &changed), STORE_OK);
    assert_false(changed); /* drained */

    /* this thread's own write counts too */
    assert_int_equal(store_setting_set(f->s, "site_name", "Here"), STORE_OK);
    assert_true(changed_within(f->s, 10000));
    /* a write that changes nothing a page shows (a rolled-back one) does not */
    store_setting bad[] = {{"x", "1"}, {NULL, "2"}};
    assert_int_not_equal(store_settings_set_many(other, bad, 2), STORE_OK);
    sleep_ms(200);
    assert_int_equal(store_changed_since_last_look(f->s, &changed), STORE_OK);
    assert_false(changed);
    store_close(other);
}

static void test_read_snapshot(void **state)
{
    NEED_PG(f);
    store *other;
    assert_int_equal(store_open(f->url, &other, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_setting_set(f->s, "site_name", "Before"), STORE_OK);
    assert_int_equal(store_read_begin(f->s), STORE_OK);
    assert_int_equal(store_read_begin(f->s), STORE_OK); /* nested: ignored */
    const char *v;
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_OK);
    assert_int_equal(store_setting_set(other, "site_name", "After"), STORE_OK);
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_OK);
    assert_string_equal(v, "Before"); /* one snapshot for the whole request */
    assert_int_not_equal(store_setting_set(f->s, "x", "1"), STORE_OK); /* no writes inside */
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_OK);
    store_read_end(f->s);
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &v), STORE_OK);
    assert_string_equal(v, "After");
    assert_int_equal(store_setting_get(f->s, f->a, "x", &v), STORE_NOT_FOUND);
    store_close(other);
}

/* pg_internal.h's statement helpers, as the feature files use them. */
static void test_exec_contract(void **state)
{
    NEED_PG(f);
    pg_conn *c;
    assert_int_equal(pg_conn_get(f->s, &c), STORE_OK);
    /* bytes go in binary and come back decoded, NULs and all */
    const unsigned char blob[5] = {0, 0xff, '\\', 'x', 0};
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, blob, sizeof blob);
    pg_param_text(&p, NULL);
    pg_param_int(&p, -42);
    PGresult *r;
    assert_int_equal(
        pg_exec(c, "SELECT $1::bytea, $2::text, $3::bigint, NULL::bytea", &p, &r, "echo"),
        STORE_OK);
    size_t n = 0;
    const unsigned char *back = pg_bytes(f->a, r, 0, 0, &n);
    assert_int_equal(n, sizeof blob);
    assert_memory_equal(back, blob, sizeof blob);
    assert_null(pg_text(f->a, r, 0, 1));
    assert_int_equal(pg_int(r, 0, 1), 0);
    assert_int_equal(pg_int(r, 0, 2), -42);
    assert_null(pg_bytes(f->a, r, 0, 3, &n));
    PQclear(r);
    /* no row: STORE_NOT_FOUND; too many parameters: refused before the server */
    long long v = 7;
    assert_int_equal(pg_exec_int(c, "SELECT 1 WHERE false", NULL, &v, "nothing"), STORE_NOT_FOUND);
    pg_params_init(&p);
    for (int i = 0; i <= PG_MAX_PARAMS; i++)
        pg_param_int(&p, i);
    assert_true(p.overflow);
    assert_int_not_equal(pg_exec(c, "SELECT 1", &p, NULL, "too many"), STORE_OK);
    /* SQLSTATEs: a unique clash, a bad value */
    assert_int_equal(pg_begin_write(c), STORE_OK);
    assert_int_equal(pg_exec(c, "INSERT INTO topics (slug, name, created_at) VALUES ('a', 'A', 0)",
                             NULL, NULL, "topic"),
                     STORE_OK);
    assert_int_equal(pg_exec(c, "INSERT INTO topics (slug, name, created_at) VALUES ('a', 'B', 0)",
                             NULL, NULL, "topic again"),
                     STORE_CONFLICT);
    assert_non_null(strstr(store_last_error(f->s), "topic again: "));
    assert_int_equal(pg_finish(c, STORE_CONFLICT), STORE_CONFLICT);
    assert_int_equal(raw(f->url, "SELECT count(*) FROM topics"), 0); /* rolled back */
    assert_int_equal(pg_exec(c, "SELECT 1 / 0", NULL, NULL, "dividing"), STORE_INVALID);
    /* statements dropped behind the store's back are prepared again */
    const char *value;
    assert_int_equal(store_setting_set(f->s, "site_name", "Kept"), STORE_OK);
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &value), STORE_OK);
    assert_int_equal(pg_conn_get(f->s, &c), STORE_OK);
    PQclear(PQexec(pg_db(c), "DEALLOCATE ALL"));
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &value), STORE_OK);
    assert_string_equal(value, "Kept");
    /* a failed read inside the request's snapshot does not spoil the reads after it */
    assert_int_equal(store_read_begin(f->s), STORE_OK);
    assert_int_equal(pg_conn_get(f->s, &c), STORE_OK);
    assert_int_equal(pg_exec(c, "SELECT 1 / 0", NULL, NULL, "dividing"), STORE_INVALID);
    assert_int_equal(store_setting_get(f->s, f->a, "site_name", &value), STORE_OK);
    store_read_end(f->s);
}

/* A lock held elsewhere longer than the lock timeout: STORE_BUSY, as SQLite's busy timeout. */
static void test_lock_wait_is_busy(void **state)
{
    NEED_PG(f);
    PGconn *holder = PQconnectdb(f->url);
    assert_int_equal(PQstatus(holder), CONNECTION_OK);
    PGresult *r = PQexec(holder, "BEGIN; LOCK TABLE settings IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    time_t started = time(NULL);
    assert_int_equal(store_setting_set(f->s, "site_name", "Blocked"), STORE_BUSY);
    assert_true(time(NULL) - started < 60);
    assert_non_null(strstr(store_last_error(f->s), "lock"));
    PQclear(PQexec(holder, "ROLLBACK"));
    PQfinish(holder);
    assert_int_equal(store_setting_set(f->s, "site_name", "Free"), STORE_OK);
}

/* The server ends the session (a restart, a failover): one call fails with STORE_UNAVAILABLE and
 * a clear message, and a later one reconnects. */
static void test_reconnects_after_the_session_ends(void **state)
{
    NEED_PG(f);
    bool changed;
    assert_int_equal(store_setting_set(f->s, "site_name", "Kept"), STORE_OK);
    assert_int_equal(store_changed_since_last_look(f->s, &changed), STORE_OK);
    assert_int_equal(store_read_begin(f->s), STORE_OK);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
             " WHERE datname = '%s' AND application_name = 'gazette'",
             f->name);
    assert_true(raw(getenv("GAZETTE_TEST_PG"), sql) >= 1);
    sleep_ms(100);
    const char *v = NULL;
    store_status rs = store_setting_get(f->s, f->a, "site_name", &v);
    if (rs != STORE_OK) {
        assert_int_equal(rs, STORE_UNAVAILABLE);
        assert_non_null(strstr(store_last_error(f->s), "try again"));
        if (getenv("GAZETTE_TEST_VERBOSE")) fprintf(stderr, "%s\n", store_last_error(f->s));
    }
    store_read_end(f->s);
    rs = STORE_UNAVAILABLE;
    for (int i = 0; i < 50 && rs == STORE_UNAVAILABLE; i++) {
        sleep_ms(100);
        rs = store_setting_get(f->s, f->a, "site_name", &v);
    }
    assert_int_equal(rs, STORE_OK);
    assert_string_equal(v, "Kept");
    /* a new session may have missed notifications: the next look says changed */
    assert_int_equal(store_changed_since_last_look(f->s, &changed), STORE_OK);
    assert_true(changed);
    assert_int_equal(store_setting_set(f->s, "site_name", "Written"), STORE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_unreachable_server_hides_the_password),
        cmocka_unit_test_setup_teardown(test_create_runs_every_migration, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_a_database_in_use, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses_foreign_databases, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses_a_newer_schema, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_opens_migrate_once, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_settings_round_trip, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_change_log, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_changed_since_last_look, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_read_snapshot, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_exec_contract, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_lock_wait_is_busy, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_reconnects_after_the_session_ends, setup_db, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
