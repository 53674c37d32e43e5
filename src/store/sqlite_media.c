/* sqlite_media.c — the media library's part of the SQLite backend (store.h, migration 14): one
 * row per uploaded image. Each function prepares its statement, binds every value and finalizes
 * it (uploads are rare next to page views); each write is one BEGIN IMMEDIATE transaction. */
#include <string.h>

#include "sqlite_internal.h"

#define MEDIA_COLS                                                                                 \
    "m.id, m.hash, m.file_name, m.width, m.height, m.widths, m.alt, m.caption, m.credit,"          \
    " coalesce(m.uploader_id, 0), coalesce(u.display_name, ''), m.created_at"
#define MEDIA_FROM " FROM media m LEFT JOIN users u ON u.id = m.uploader_id"

typedef struct {
    conn *c;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc;
} query;

static store_status start(store *s, query *q, const char *sql)
{
    memset(q, 0, sizeof *q);
    store_status rs = sqlite_conn(s, &q->c, &q->db);
    if (rs != STORE_OK) return rs;
    q->rc = sqlite3_prepare_v2(q->db, sql, -1, &q->st, NULL);
    return q->rc == SQLITE_OK ? STORE_OK : sqlite_fail(q->c, q->rc, "preparing a media query");
}

static void bind_int(query *q, int i, long long v)
{
    if (q->rc == SQLITE_OK) q->rc = sqlite3_bind_int64(q->st, i, v);
}

static void bind_text(query *q, int i, const char *v)
{
    if (q->rc != SQLITE_OK) return;
    q->rc = v ? sqlite3_bind_text(q->st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(q->st, i);
}

static store_status step(query *q, bool *row, const char *what)
{
    if (q->rc == SQLITE_OK || q->rc == SQLITE_ROW) q->rc = sqlite3_step(q->st);
    if (row) *row = q->rc == SQLITE_ROW;
    return q->rc == SQLITE_ROW || q->rc == SQLITE_DONE ? STORE_OK : sqlite_fail(q->c, q->rc, what);
}

static void end(query *q)
{
    sqlite3_finalize(q->st);
    q->st = NULL;
}

static const char *text_at(arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : "";
}

static void read_media(arena *a, sqlite3_stmt *st, store_media *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->hash = text_at(a, st, 1);
    out->file_name = text_at(a, st, 2);
    out->width = (unsigned)sqlite3_column_int64(st, 3);
    out->height = (unsigned)sqlite3_column_int64(st, 4);
    out->widths = text_at(a, st, 5);
    out->alt = text_at(a, st, 6);
    out->caption = text_at(a, st, 7);
    out->credit = text_at(a, st, 8);
    out->uploader_id = sqlite3_column_int64(st, 9);
    out->uploader_name = text_at(a, st, 10);
    out->created_at = sqlite3_column_int64(st, 11);
}

store_status store_media_add(store *s, const store_media_input *in, long long *id)
{
    if (!in->hash || strlen(in->hash) != 32 || !in->width || !in->height || !in->widths)
        return STORE_INVALID;
    query q;
    store_status rs = start(s, &q, "SELECT id FROM media WHERE hash = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_text(&q, 1, in->hash);
    bool row = false;
    if (rs == STORE_OK) rs = step(&q, &row, "looking up an image");
    if (rs == STORE_OK && row) {
        *id = sqlite3_column_int64(q.st, 0);
        rs = STORE_CONFLICT;
    }
    end(&q);
    if (rs == STORE_OK) {
        q.rc = sqlite3_prepare_v2(q.db,
                                  "INSERT INTO media (hash, file_name, width, height, widths, alt,"
                                  " caption, credit, uploader_id, created_at)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0),"
                                  " unixepoch())",
                                  -1, &q.st, NULL);
        if (q.rc != SQLITE_OK) rs = sqlite_fail(q.c, q.rc, "preparing a media query");
        bind_text(&q, 1, in->hash);
        bind_text(&q, 2, in->file_name ? in->file_name : "image");
        bind_int(&q, 3, in->width);
        bind_int(&q, 4, in->height);
        bind_text(&q, 5, in->widths);
        bind_text(&q, 6, in->alt ? in->alt : "");
        bind_text(&q, 7, in->caption ? in->caption : "");
        bind_text(&q, 8, in->credit ? in->credit : "");
        bind_int(&q, 9, in->uploader_id);
        if (rs == STORE_OK) rs = step(&q, NULL, "saving an image");
        if (rs == STORE_OK) *id = sqlite3_last_insert_rowid(q.db);
        end(&q);
    }
    store_status done = q.c ? sqlite_finish(q.c, rs == STORE_CONFLICT ? STORE_OK : rs) : rs;
    return done == STORE_OK ? rs : done;
}

store_status store_media_get(store *s, arena *a, long long id, store_media *out)
{
    query q;
    store_status rs = start(s, &q, "SELECT " MEDIA_COLS MEDIA_FROM " WHERE m.id = ?1");
    bind_int(&q, 1, id);
    bool row = false;
    if (rs == STORE_OK) rs = step(&q, &row, "reading an image");
    if (rs == STORE_OK && !row) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) read_media(a, q.st, out);
    end(&q);
    return rs;
}

store_status store_media_list(store *s, arena *a, size_t limit, size_t offset, store_media **out,
                              size_t *n, size_t *total)
{
    *out = NULL;
    *n = 0;
    query q;
    store_status rs = start(s, &q,
                            "SELECT " MEDIA_COLS MEDIA_FROM
                            " ORDER BY m.created_at DESC, m.id DESC LIMIT ?1 OFFSET ?2");
    bind_int(&q, 1, (long long)limit);
    bind_int(&q, 2, (long long)offset);
    size_t cap = 0;
    bool row = true;
    while (rs == STORE_OK && (rs = step(&q, &row, "listing images")) == STORE_OK && row) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        read_media(a, q.st, &(*out)[(*n)++]);
    }
    end(&q);
    if (rs == STORE_OK && total) {
        rs = start(s, &q, "SELECT count(*) FROM media");
        if (rs == STORE_OK) rs = step(&q, &row, "counting images");
        *total = rs == STORE_OK && row ? (size_t)sqlite3_column_int64(q.st, 0) : 0;
        end(&q);
    }
    return rs;
}

store_status store_media_update(store *s, long long id, const char *alt, const char *caption,
                                const char *credit)
{
    query q;
    store_status rs = start(s, &q,
                            "UPDATE media SET alt = coalesce(?2, alt),"
                            " caption = coalesce(?3, caption), credit = coalesce(?4, credit)"
                            " WHERE id = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_int(&q, 1, id);
    bind_text(&q, 2, alt);
    bind_text(&q, 3, caption);
    bind_text(&q, 4, credit);
    if (rs == STORE_OK) rs = step(&q, NULL, "updating an image");
    if (rs == STORE_OK && sqlite3_changes(q.db) == 0) rs = STORE_NOT_FOUND;
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status store_media_delete(store *s, long long id)
{
    query q;
    store_status rs = start(s, &q, "DELETE FROM media WHERE id = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_int(&q, 1, id);
    if (rs == STORE_OK) rs = step(&q, NULL, "deleting an image");
    if (rs == STORE_OK && sqlite3_changes(q.db) == 0) rs = STORE_NOT_FOUND;
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}
