/* pg_settings.c — the PostgreSQL backend's site settings (store.h "Site settings") and the
 * change log caches follow (store.h "Changes, for caches": changes_since, changes_head,
 * last_change), with the SQLite backend's statuses, orders and messages. */
#include "pg_internal.h"
#include "store_backend.h"

#include <stdint.h>

/* ---- Site settings ------------------------------------------------------------------------ */
store_status pg_store_setting_get(store *s, arena *a, const char *key, const char **value)
{
    *value = NULL;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, key);
    PGresult *r;
    rs = pg_exec(c, "SELECT value FROM settings WHERE key = $1", &p, &r, "reading a setting");
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) > 0)
        *value = pg_text(a, r, 0, 0);
    else
        rs = pg_failf(c, STORE_NOT_FOUND, "no such setting: %s", key ? key : "");
    PQclear(r);
    return rs;
}

/* store_setting_set writes (and logs a change) even when the value stays; set_many only
 * writes what differs, as in the SQLite backend. */
#define SETTING_SET                                                                                \
    "INSERT INTO settings (key, value) VALUES ($1, $2)"                                            \
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
#define SETTING_UPSERT SETTING_SET " WHERE settings.value IS DISTINCT FROM excluded.value"

store_status pg_store_setting_set(store *s, const char *key, const char *value)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!key || !*key) return pg_failf(c, STORE_INVALID, "the setting name is empty");
    if (!value) return pg_failf(c, STORE_INVALID, "setting %s: no value given", key);
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, key);
    pg_param_text(&p, value);
    if ((rs = pg_begin_write(c)) == STORE_OK)
        rs = pg_exec(c, SETTING_SET, &p, NULL, "saving a setting");
    return pg_finish(c, rs);
}

store_status pg_store_settings_list(store *s, arena *a, store_setting **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r;
    rs = pg_exec(c, "SELECT key, value FROM settings ORDER BY key", NULL, &r, "listing settings");
    if (rs != STORE_OK) return rs;
    size_t rows = (size_t)PQntuples(r);
    store_setting *v = rows ? arena_alloc(a, rows * sizeof *v) : NULL;
    for (size_t i = 0; i < rows; i++)
        v[i] = (store_setting){pg_text(a, r, (int)i, 0), pg_text(a, r, (int)i, 1)};
    PQclear(r);
    *out = v;
    *n = rows;
    return STORE_OK;
}

store_status pg_store_settings_set_many(store *s, const store_setting *settings, size_t n)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = pg_begin_write(c);
    for (size_t i = 0; rs == STORE_OK && i < n; i++) {
        bool remove = !settings[i].value || !settings[i].value[0];
        pg_params p;
        pg_params_init(&p);
        pg_param_text(&p, settings[i].key);
        if (!remove) pg_param_text(&p, settings[i].value);
        rs = pg_exec(c, remove ? "DELETE FROM settings WHERE key = $1" : SETTING_UPSERT, &p, NULL,
                     "saving a setting");
    }
    return pg_finish(c, rs);
}

/* ---- Changes ------------------------------------------------------------------------------ */
store_status pg_store_changes_since(store *s, arena *a, long long after, size_t limit,
                                    store_change **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, after);
    pg_param_size(&p, limit);
    PGresult *r;
    rs = pg_exec(c, "SELECT id, kind, ref FROM changes WHERE id > $1 ORDER BY id LIMIT $2", &p, &r,
                 "reading the change log");
    if (rs != STORE_OK) return rs;
    size_t rows = (size_t)PQntuples(r);
    store_change *v = rows ? arena_alloc(a, rows * sizeof *v) : NULL;
    for (size_t i = 0; i < rows; i++)
        v[i] = (store_change){pg_int(r, (int)i, 0), (store_change_kind)pg_int(r, (int)i, 1),
                              pg_int(r, (int)i, 2)};
    PQclear(r);
    *out = v;
    *n = rows;
    return STORE_OK;
}

store_status pg_store_changes_head(store *s, long long *head)
{
    *head = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    return pg_exec_int(c, "SELECT coalesce(max(id), 0) FROM changes", NULL, head,
                       "reading the change log");
}

/* Any article write (including one taking a story off the site) moves updated_at; a scheduled
 * story going live moves the newest live published_at. */
long long pg_store_last_change(store *s)
{
    pg_conn *c;
    if (pg_conn_get(s, &c) != STORE_OK) return 0;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    long long stamp = 0;
    pg_exec_int(c,
                "SELECT greatest(coalesce((SELECT max(updated_at) FROM articles), 0),"
                " coalesce((SELECT published_at FROM articles WHERE status >= 1"
                " AND published_at <= $1 ORDER BY published_at DESC LIMIT 1), 0))",
                &p, &stamp, "reading last change");
    return stamp;
}
