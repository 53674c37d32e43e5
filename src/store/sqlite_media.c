/* sqlite_media.c — the media library's part of the SQLite backend (store.h, migration 14): one
 * row per uploaded image. Each function prepares its statement, binds every value and finalizes
 * it (uploads are rare next to page views); each write is one BEGIN IMMEDIATE transaction. */
#include <string.h>

#include "sqlite_internal.h"

#define MEDIA_COLS                                                                                 \
    "m.id, m.hash, m.file_name, m.width, m.height, m.widths, m.alt, m.caption, m.credit,"          \
    " coalesce(m.uploader_id, 0), coalesce(u.display_name, ''), m.created_at"
#define MEDIA_FROM " FROM media m LEFT JOIN users u ON u.id = m.uploader_id"

typedef sqlite_query query;

static store_status start(store *s, query *q, const char *sql)
{
    return sqlite_query_start(s, q, sql, "preparing a media query");
}

/* Column i as an arena string, "" for SQL NULL. */
static const char *text_at(arena *a, sqlite3_stmt *st, int i)
{
    const char *text = sqlite_column_copy(a, st, i);
    return text ? text : "";
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

store_status sqlite_store_media_add(store *s, const store_media_input *in, long long *id)
{
    if (!in->hash || strlen(in->hash) != 32 || !in->width || !in->height || !in->widths)
        return STORE_INVALID;
    query q;
    store_status rs = start(s, &q, "SELECT id FROM media WHERE hash = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_text(&q, 1, in->hash);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "looking up an image");
    if (rs == STORE_OK && row) {
        *id = sqlite3_column_int64(q.st, 0);
        rs = STORE_CONFLICT;
    }
    sqlite_query_end(&q);
    if (rs == STORE_OK) {
        q.rc = sqlite3_prepare_v2(q.db,
                                  "INSERT INTO media (hash, file_name, width, height, widths, alt,"
                                  " caption, credit, uploader_id, created_at)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, 0),"
                                  " unixepoch())",
                                  -1, &q.st, NULL);
        if (q.rc != SQLITE_OK) rs = sqlite_fail(q.c, q.rc, "preparing a media query");
        sqlite_query_text(&q, 1, in->hash);
        sqlite_query_text(&q, 2, in->file_name ? in->file_name : "image");
        sqlite_query_int(&q, 3, in->width);
        sqlite_query_int(&q, 4, in->height);
        sqlite_query_text(&q, 5, in->widths);
        sqlite_query_text(&q, 6, in->alt ? in->alt : "");
        sqlite_query_text(&q, 7, in->caption ? in->caption : "");
        sqlite_query_text(&q, 8, in->credit ? in->credit : "");
        sqlite_query_int(&q, 9, in->uploader_id);
        if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "saving an image");
        if (rs == STORE_OK) *id = sqlite3_last_insert_rowid(q.db);
        sqlite_query_end(&q);
    }
    store_status done = q.c ? sqlite_finish(q.c, rs == STORE_CONFLICT ? STORE_OK : rs) : rs;
    return done == STORE_OK ? rs : done;
}

store_status sqlite_store_media_get(store *s, arena *a, long long id, store_media *out)
{
    query q;
    store_status rs = start(s, &q, "SELECT " MEDIA_COLS MEDIA_FROM " WHERE m.id = ?1");
    sqlite_query_int(&q, 1, id);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "reading an image");
    if (rs == STORE_OK && !row) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) read_media(a, q.st, out);
    sqlite_query_end(&q);
    return rs;
}

store_status sqlite_store_media_list(store *s, arena *a, size_t limit, size_t offset,
                                     store_media **out, size_t *n, size_t *total)
{
    *out = NULL;
    *n = 0;
    query q;
    store_status rs = start(s, &q,
                            "SELECT " MEDIA_COLS MEDIA_FROM
                            " ORDER BY m.created_at DESC, m.id DESC LIMIT ?1 OFFSET ?2");
    sqlite_query_int(&q, 1, (long long)limit);
    sqlite_query_int(&q, 2, (long long)offset);
    size_t cap = 0;
    bool row = true;
    while (rs == STORE_OK && (rs = sqlite_query_step(&q, &row, "listing images")) == STORE_OK &&
           row) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        read_media(a, q.st, &(*out)[(*n)++]);
    }
    sqlite_query_end(&q);
    if (rs == STORE_OK && total) {
        rs = start(s, &q, "SELECT count(*) FROM media");
        if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "counting images");
        *total = rs == STORE_OK && row ? (size_t)sqlite3_column_int64(q.st, 0) : 0;
        sqlite_query_end(&q);
    }
    return rs;
}

store_status sqlite_store_media_update(store *s, long long id, const char *alt, const char *caption,
                                       const char *credit)
{
    query q;
    store_status rs = start(s, &q,
                            "UPDATE media SET alt = coalesce(?2, alt),"
                            " caption = coalesce(?3, caption), credit = coalesce(?4, credit)"
                            " WHERE id = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, id);
    sqlite_query_text(&q, 2, alt);
    sqlite_query_text(&q, 3, caption);
    sqlite_query_text(&q, 4, credit);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "updating an image");
    if (rs == STORE_OK && sqlite3_changes(q.db) == 0) rs = STORE_NOT_FOUND;
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_media_delete(store *s, long long id)
{
    query q;
    store_status rs = start(s, &q, "DELETE FROM media WHERE id = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, id);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "deleting an image");
    if (rs == STORE_OK && sqlite3_changes(q.db) == 0) rs = STORE_NOT_FOUND;
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}
