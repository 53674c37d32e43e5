/* pg_media.c — the media library in PostgreSQL (store.h, migration 14), as sqlite_media.c
 * keeps it in SQLite: one row per uploaded image, named by the hash of its bytes. Each write
 * is one transaction. */
#include <string.h>

#include "pg_internal.h"

#define MEDIA_COLS                                                                                 \
    "m.id, m.hash, m.file_name, m.width, m.height, m.widths, m.alt, m.caption, m.credit,"          \
    " coalesce(m.uploader_id, 0), coalesce(u.display_name, ''), m.created_at"
#define MEDIA_FROM " FROM media m LEFT JOIN users u ON u.id = m.uploader_id"

static void read_media(arena *a, const PGresult *r, int row, store_media *out)
{
    out->id = pg_int(r, row, 0);
    out->hash = pg_text_or_empty(a, r, row, 1);
    out->file_name = pg_text_or_empty(a, r, row, 2);
    out->width = (unsigned)pg_int(r, row, 3);
    out->height = (unsigned)pg_int(r, row, 4);
    out->widths = pg_text_or_empty(a, r, row, 5);
    out->alt = pg_text_or_empty(a, r, row, 6);
    out->caption = pg_text_or_empty(a, r, row, 7);
    out->credit = pg_text_or_empty(a, r, row, 8);
    out->uploader_id = pg_int(r, row, 9);
    out->uploader_name = pg_text_or_empty(a, r, row, 10);
    out->created_at = pg_int(r, row, 11);
}

/* Opens this thread's connection and a write transaction on it. */
static store_status begin(store *s, pg_conn **c)
{
    store_status rs = pg_conn_get(s, c);
    return rs == STORE_OK ? pg_begin_write(*c) : rs;
}

/* The insert skips a clash on the hash (an image uploaded twice, perhaps at the same moment);
 * the row already there is then the answer, with STORE_CONFLICT. */
static store_status add_in_tx(pg_conn *c, const store_media_input *in, long long *id)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, in->hash);
    pg_param_text(&p, in->file_name ? in->file_name : "image");
    pg_param_int(&p, in->width);
    pg_param_int(&p, in->height);
    pg_param_text(&p, in->widths);
    pg_param_text(&p, in->alt ? in->alt : "");
    pg_param_text(&p, in->caption ? in->caption : "");
    pg_param_text(&p, in->credit ? in->credit : "");
    pg_param_int(&p, in->uploader_id);
    pg_param_int(&p, pg_now());
    store_status rs = pg_exec_int(c,
                                  "INSERT INTO media (hash, file_name, width, height, widths, alt,"
                                  " caption, credit, uploader_id, created_at)"
                                  " VALUES ($1::text, $2::text, $3::bigint, $4::bigint, $5::text,"
                                  " $6::text, $7::text, $8::text, nullif($9::bigint, 0),"
                                  " $10::bigint) ON CONFLICT (hash) DO NOTHING RETURNING id",
                                  &p, id, "saving an image");
    if (rs != STORE_NOT_FOUND) return rs;
    pg_params_init(&p);
    pg_param_text(&p, in->hash);
    rs =
        pg_exec_int(c, "SELECT id FROM media WHERE hash = $1::text", &p, id, "looking up an image");
    if (rs == STORE_NOT_FOUND) rs = pg_failf(c, STORE_IO, "saving an image: its row vanished");
    return rs == STORE_OK ? STORE_CONFLICT : rs;
}

store_status pg_store_media_add(store *s, const store_media_input *in, long long *id)
{
    if (!in->hash || strlen(in->hash) != 32 || !in->width || !in->height || !in->widths)
        return STORE_INVALID;
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    rs = add_in_tx(c, in, id);
    /* the existing image's id is an answer, not a failure: the transaction ends well */
    store_status done = pg_finish(c, rs == STORE_CONFLICT ? STORE_OK : rs);
    return done == STORE_OK ? rs : done;
}

store_status pg_store_media_get(store *s, arena *a, long long id, store_media *out)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    PGresult *r = NULL;
    rs = pg_exec(c, "SELECT " MEDIA_COLS MEDIA_FROM " WHERE m.id = $1::bigint", &p, &r,
                 "reading an image");
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) == 0)
        rs = STORE_NOT_FOUND;
    else
        read_media(a, r, 0, out);
    PQclear(r);
    return rs;
}

store_status pg_store_media_list(store *s, arena *a, size_t limit, size_t offset, store_media **out,
                                 size_t *n, size_t *total)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_size(&p, limit);
    pg_param_size(&p, offset);
    PGresult *r = NULL;
    rs = pg_exec(c,
                 "SELECT " MEDIA_COLS MEDIA_FROM
                 " ORDER BY m.created_at DESC, m.id DESC LIMIT $1::bigint OFFSET $2::bigint",
                 &p, &r, "listing images");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    if (rows > 0) *out = arena_alloc(a, (size_t)rows * sizeof **out);
    for (int i = 0; i < rows; i++)
        read_media(a, r, i, &(*out)[(*n)++]);
    PQclear(r);
    if (total) {
        long long count = 0;
        rs = pg_exec_int(c, "SELECT count(*) FROM media", NULL, &count, "counting images");
        *total = rs == STORE_OK ? (size_t)count : 0;
    }
    return rs;
}

store_status pg_store_media_update(store *s, long long id, const char *alt, const char *caption,
                                   const char *credit)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    pg_param_text(&p, alt);
    pg_param_text(&p, caption);
    pg_param_text(&p, credit);
    rs = pg_exec_int(c,
                     "UPDATE media SET alt = coalesce($2::text, alt),"
                     " caption = coalesce($3::text, caption), credit = coalesce($4::text, credit)"
                     " WHERE id = $1::bigint RETURNING id",
                     &p, NULL, "updating an image");
    return pg_finish(c, rs);
}

store_status pg_store_media_delete(store *s, long long id)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    rs = pg_exec_int(c, "DELETE FROM media WHERE id = $1::bigint RETURNING id", &p, NULL,
                     "deleting an image");
    return pg_finish(c, rs);
}
