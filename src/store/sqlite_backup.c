/* sqlite_backup.c — `gazette backup` for SQLite (sqlite_backup.h): sqlite3_backup_step copies
 * STEP_PAGES pages at a time from the live database into a new file beside the target. Between
 * steps no lock is held, so the server goes on writing; when another connection writes during
 * the copy, SQLite starts the copy again from the first page (the result is always one
 * moment's database). Under a steady stream of writes that could go on for ever, so after
 * MAX_RESTARTS the rest is copied in one step: one read transaction, which in WAL mode blocks
 * no writer. The copy is checked (it opens, and holds as many pages as the backup copied; not
 * PRAGMA quick_check, which SQLite 3.40 answers with false "NULL value" reports for our STRICT
 * WITHOUT ROWID tables) and then renamed into place. */
#include "sqlite_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    STEP_PAGES = 1024, /* 4 MB of 4 KB pages between two looks at the clock and the progress */
    MAX_RESTARTS = 3,  /* copies started again because of writes; then one step does the rest */
    BUSY_WAIT_MS = 50, /* a step that found the database locked waits this long ... */
    BUSY_TRIES = 200,  /* ... at most this many times in a row (10 s) */
};

/* The folder of path ("." when it has none), into out. */
static void folder_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/* The checks that need no database: from is a file, to is free and in a folder that exists,
 * and they are not one file. */
static bool check_paths(const char *from, const char *to, char *err, size_t errlen)
{
    struct stat src, dst, dir;
    char folder[PATH_MAX];
    if (stat(from, &src) != 0) {
        snprintf(err, errlen, "cannot read the database '%s': %s", from, strerror(errno));
        return false;
    }
    if (!S_ISREG(src.st_mode)) {
        snprintf(err, errlen, "the database '%s' is not a file", from);
        return false;
    }
    if (stat(to, &dst) == 0) {
        snprintf(err, errlen,
                 S_ISDIR(dst.st_mode) ? "'%s' is a folder; name the backup file inside it"
                 : dst.st_dev == src.st_dev && dst.st_ino == src.st_ino
                     ? "'%s' is the database itself; name another file"
                     : "'%s' exists already; remove it or choose another name",
                 to);
        return false;
    }
    folder_of(to, folder, sizeof folder);
    if (stat(folder, &dir) != 0 || !S_ISDIR(dir.st_mode)) {
        snprintf(err, errlen, "the folder '%s' for the backup does not exist", folder);
        return false;
    }
    if (access(folder, W_OK) != 0) {
        snprintf(err, errlen, "cannot write in the folder '%s': %s", folder, strerror(errno));
        return false;
    }
    return true;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Runs the backup from src to dst step by step; SQLITE_OK when complete, with the pages
 * copied in *pages. */
static int copy_pages(sqlite3 *dst, sqlite3 *src, sqlite_backup_progress progress, void *context,
                      long long *pages)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) return sqlite3_errcode(dst);
    int rc = SQLITE_OK, restarts = 0, busy = 0, step = STEP_PAGES;
    size_t copied_before = 0;
    while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        rc = sqlite3_backup_step(b, step);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            if (++busy > BUSY_TRIES) break;
            sleep_ms(BUSY_WAIT_MS);
            continue;
        }
        busy = 0;
        size_t total = (size_t)sqlite3_backup_pagecount(b);
        size_t copied = total - (size_t)sqlite3_backup_remaining(b);
        if (copied < copied_before && ++restarts >= MAX_RESTARTS)
            step = -1; /* written to meanwhile, again and again: the rest in one go */
        copied_before = copied;
        if (progress) progress(context, copied, total);
        *pages = (long long)total;
    }
    int finished = sqlite3_backup_finish(b);
    return rc == SQLITE_DONE ? finished : rc;
}

/* Whether the copy reads as a database of the pages the backup wrote. */
static bool copy_is_sound(sqlite3 *db, long long pages)
{
    sqlite3_stmt *st;
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", 0, 0, 0) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, NULL) != SQLITE_OK)
        return false;
    bool ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == pages;
    sqlite3_finalize(st);
    return ok;
}

/* Removes the temporary copy and the files SQLite may have put beside it. */
static void remove_copy(const char *path)
{
    char side[PATH_MAX + 16];
    unlink(path);
    snprintf(side, sizeof side, "%s-journal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* Makes the rename of the copy durable: fsync of the folder. */
static void sync_folder(const char *to)
{
    char folder[PATH_MAX];
    folder_of(to, folder, sizeof folder);
    int fd = open(folder, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

bool sqlite_backup_copy(const char *from, const char *to, sqlite_backup_progress progress,
                        void *context, char *err, size_t errlen)
{
    if (!check_paths(from, to, err, errlen)) return false;
    char partial[PATH_MAX];
    if (snprintf(partial, sizeof partial, "%s.partial-%ld", to, (long)getpid()) >=
        (int)sizeof partial) {
        snprintf(err, errlen, "the path '%s' is too long", to);
        return false;
    }
    sqlite3 *src = NULL, *dst = NULL;
    bool ok = false;
    int rc = sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL);
    /* a file that is not a database fails here, at its first read */
    if (rc == SQLITE_OK) rc = sqlite3_exec(src, "SELECT count(*) FROM sqlite_schema", 0, 0, 0);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot read the database '%s': %s", from,
                 src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
        goto done;
    }
    rc = sqlite3_open_v2(partial, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    long long pages = -1;
    if (rc == SQLITE_OK) rc = copy_pages(dst, src, progress, context, &pages);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "copying '%s' to '%s' failed: %s", from, partial,
                 dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        goto done;
    }
    if (!copy_is_sound(dst, pages)) {
        snprintf(err, errlen, "the copy of '%s' does not read back as a whole database", from);
        goto done;
    }
    rc = sqlite3_close(dst); /* flushes the copy to disk (synchronous writes) */
    dst = NULL;
    if (rc != SQLITE_OK || rename(partial, to) != 0) {
        snprintf(err, errlen, "cannot put the backup in place as '%s': %s", to,
                 rc != SQLITE_OK ? sqlite3_errstr(rc) : strerror(errno));
        goto done;
    }
    sync_folder(to);
    ok = true;
done:
    if (dst) sqlite3_close(dst);
    if (src) sqlite3_close(src);
    if (!ok) remove_copy(partial);
    return ok;
}
