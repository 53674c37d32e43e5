/* store_fixture.h — the temporary-database fixture the store and search tests share: a fresh
 * directory under /tmp with a migrated database opened in it, removed afterwards (read-only
 * subdirectories included), and a way to run raw SQL on the database beside the store. Included
 * by one test file each; the helpers are static inline so a file may leave some unused.
 *
 * Both backends: when GAZETTE_TEST_PG holds the admin URL of a PostgreSQL cluster (make test
 * starts a throwaway one, tests/pg/cluster.sh), each test gets a database of its own on it
 * (CREATE DATABASE gz_<random>), f->path is that database's URL, and teardown drops it. The
 * tests about SQLite files (missing files, read-only directories, WAL, SQLite-only SQL) call
 * skip_unless_sqlite() first; every other test runs on both. */
#ifndef GAZETTE_TEST_STORE_FIXTURE_H
#define GAZETTE_TEST_STORE_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/store/store.h"
#include "pg_fixture.h"

typedef struct {
    char dir[64];
    char path[256]; /* the SQLite file, or the PostgreSQL database's URL */
    char pg_db[48]; /* the database made for this test on PostgreSQL; "" on SQLite */
    store *s;
    arena *a;
    char err[512];
} fixture;

/* A database of the test's own on the cluster (f->pg_db), f->path its URL. */
static inline void make_pg_database(fixture *f, const char *admin)
{
    pg_test_database_new(admin, f->pg_db, sizeof f->pg_db, f->path, sizeof f->path);
}

static inline void drop_pg_database(fixture *f)
{
    pg_test_database_drop(f->pg_db);
    f->pg_db[0] = 0;
}

static inline int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static inline int unlock_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    if (flag == FTW_D || flag == FTW_DNR) chmod(path, 0700);
    return 0;
}

static inline void remove_tree(const char *dir)
{
    chmod(dir, 0700);
    nftw(dir, unlock_entry, 16, FTW_PHYS);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void make_dir(fixture *f)
{
    strcpy(f->dir, "/tmp/gazette-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
    f->a = arena_new();
}

/* A fixture with a directory only (the opening tests make the files themselves); on
 * PostgreSQL also an empty database, f->path its URL. */
static inline int setup_dir(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    make_dir(f);
    if (test_pg_admin()) make_pg_database(f, test_pg_admin());
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    drop_pg_database(f);
    arena_free(f->a);
    remove_tree(f->dir);
    free(f);
    return 0;
}

/* A fixture with a fresh, migrated database open. */
static inline int setup_db(void **state)
{
    setup_dir(state);
    fixture *f = *state;
    store_status st = store_create(f->path, &f->s, f->err, sizeof f->err);
    if (st == STORE_OK) return 0;
    fprintf(stderr, "store_create: %s\n", f->err);
    teardown(state); /* cmocka calls no teardown after a failed setup */
    return -1;
}

static inline void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* Runs SQL on the database with a connection of the test's own. */
static inline void raw_exec(const char *path, const char *sql)
{
    if (is_pg_location(path)) {
        assert_true(pg_run(path, sql));
        return;
    }
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fprintf(stderr, "raw_exec: %s\n", msg);
    sqlite3_free(msg);
    sqlite3_close(db);
    assert_int_equal(rc, SQLITE_OK);
}

/* The first column of the first row of sql, as an integer (-1: no row) or as text (NULL: no
 * row or NULL), read with a connection of the test's own. */
static inline long long raw_int(const char *path, const char *sql)
{
    if (is_pg_location(path)) {
        arena *a = arena_new();
        bool found;
        const char *v = pg_value(a, path, sql, &found);
        long long n = found ? (v ? strtoll(v, NULL, 10) : 0) : -1;
        arena_free(a);
        return n;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static inline char *raw_text(arena *a, const char *path, const char *sql)
{
    bool found;
    if (is_pg_location(path)) return pg_value(a, path, sql, &found);
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static inline long long now_s(void)
{
    return (long long)time(NULL);
}

#endif
