/* sqlite_query.c — one prepared statement and the first error binding or stepping it: the small
 * query helpers the backend's feature files (newsletter, newsroom, editor, media) share. Every
 * error is recorded on the thread's connection (sqlite_fail) and returned as a store status. */
#include <string.h>

#include "sqlite_internal.h"

store_status sqlite_query_open(store *s, sqlite_query *q)
{
    memset(q, 0, sizeof *q);
    return sqlite_conn(s, &q->c, &q->db);
}

store_status sqlite_query_prepare(sqlite_query *q, const char *sql, const char *what)
{
    sqlite3_finalize(q->st);
    q->st = NULL;
    q->rc = sqlite3_prepare_v2(q->db, sql, -1, &q->st, NULL);
    return q->rc == SQLITE_OK ? STORE_OK : sqlite_fail(q->c, q->rc, what);
}

store_status sqlite_query_start(store *s, sqlite_query *q, const char *sql, const char *what)
{
    store_status rs = sqlite_query_open(s, q);
    return rs == STORE_OK ? sqlite_query_prepare(q, sql, what) : rs;
}

void sqlite_query_int(sqlite_query *q, int i, long long v)
{
    if (q->rc == SQLITE_OK) q->rc = sqlite3_bind_int64(q->st, i, v);
}

void sqlite_query_text(sqlite_query *q, int i, const char *v)
{
    if (q->rc == SQLITE_OK)
        q->rc = v ? sqlite3_bind_text(q->st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(q->st, i);
}

void sqlite_query_blob(sqlite_query *q, int i, const void *bytes, size_t n)
{
    if (q->rc == SQLITE_OK) q->rc = sqlite3_bind_blob(q->st, i, bytes, (int)n, SQLITE_STATIC);
}

store_status sqlite_query_step(sqlite_query *q, bool *row, const char *what)
{
    if (q->rc == SQLITE_OK || q->rc == SQLITE_ROW) q->rc = sqlite3_step(q->st);
    if (row) *row = q->rc == SQLITE_ROW;
    return q->rc == SQLITE_ROW || q->rc == SQLITE_DONE ? STORE_OK : sqlite_fail(q->c, q->rc, what);
}

void sqlite_query_end(sqlite_query *q)
{
    sqlite3_finalize(q->st);
    q->st = NULL;
}

const char *sqlite_column_copy(arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}
