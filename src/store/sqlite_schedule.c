/* sqlite_schedule.c — scheduled publishing in the SQLite backend (store.h, store_publish_due):
 * one BEGIN IMMEDIATE transaction flips the stories whose time has come. SQLite has one writer
 * at a time, so two processes on one file cannot flip the same story twice. The server asks
 * every second: a read (on the index articles_live) first, so that a second with nothing due
 * takes no write lock. */
#include "sqlite_internal.h"
#include "store_backend.h"

store_status sqlite_store_publish_due(store *s, arena *a, long long now, size_t limit,
                                      long long **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (limit == 0) return STORE_OK;
    sqlite_query q;
    store_status rs = sqlite_query_start(
        s, &q, "SELECT 1 FROM articles WHERE status = 1 AND published_at <= ?1 LIMIT 1",
        "looking for scheduled stories");
    sqlite_query_int(&q, 1, now);
    bool due = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &due, "looking for scheduled stories");
    sqlite_query_end(&q);
    if (rs != STORE_OK || !due) return rs;
    if ((rs = sqlite_begin_write(q.c)) != STORE_OK) return rs;
    long long *found = arena_alloc(a, limit * sizeof *found);
    if (!found) return sqlite_finish(q.c, sqlite_failf(q.c, STORE_IO, "out of memory"));
    rs = sqlite_query_prepare(&q,
                              "UPDATE articles SET status = 2, updated_at = ?1 WHERE id IN"
                              " (SELECT id FROM articles WHERE status = 1 AND published_at <= ?1"
                              " ORDER BY published_at, id LIMIT ?2) RETURNING id",
                              "publishing scheduled stories");
    sqlite_query_int(&q, 1, now);
    sqlite_query_int(&q, 2, (long long)limit);
    bool row = true;
    size_t count = 0;
    while (rs == STORE_OK && row) {
        rs = sqlite_query_step(&q, &row, "publishing scheduled stories");
        if (rs == STORE_OK && row && count < limit) found[count++] = sqlite3_column_int64(q.st, 0);
    }
    sqlite_query_end(&q);
    rs = sqlite_finish(q.c, rs);
    if (rs == STORE_OK) {
        *ids = found;
        *n = count;
    }
    return rs;
}
