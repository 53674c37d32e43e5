/* store_fixture.h — the temporary-database fixture the store and search tests share: a fresh
 * directory under /tmp with a migrated database opened in it, removed afterwards (read-only
 * subdirectories included), and a way to run raw SQL on the file beside the store. Included by
 * one test file each; the helpers are static inline so a file may leave some unused. */
#ifndef GAZETTE_TEST_STORE_FIXTURE_H
#define GAZETTE_TEST_STORE_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../../src/core/arena.h"
#include "../../src/store/store.h"

typedef struct {
    char dir[64];
    char path[128];
    store *s;
    arena *a;
    char err[512];
} fixture;

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

/* A fixture with a directory only (the opening tests make the files themselves). */
static inline int setup_dir(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    make_dir(f);
    *state = f;
    return 0;
}

/* A fixture with a fresh, migrated database open. */
static inline int setup_db(void **state)
{
    setup_dir(state);
    fixture *f = *state;
    store_status st = store_create(f->path, &f->s, f->err, sizeof f->err);
    if (st != STORE_OK) fprintf(stderr, "store_create: %s\n", f->err);
    return st == STORE_OK ? 0 : -1;
}

static inline int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    arena_free(f->a);
    remove_tree(f->dir);
    free(f);
    return 0;
}

static inline void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* Runs SQL on the file with a connection of the test's own. */
static inline void raw_exec(const char *path, const char *sql)
{
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

static inline long long now_s(void)
{
    return (long long)time(NULL);
}

#endif
