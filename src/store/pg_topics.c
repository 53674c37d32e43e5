/* pg_topics.c — topics, authors and the content API's read keys in the PostgreSQL backend:
 * adding and reading topics, the topic lists the site shows (with at least n live stories,
 * leading sections, counted with their newest change), the topics screen (every topic with its
 * parent, saved without ever closing a loop of parents), authors by slug and their bios, and
 * API keys. Behaves as sqlite.c and sqlite_newsroom.c do: same statuses, orders, messages. */
#include "pg_internal.h"
#include "pg_stories.h"
#include "store_backend.h"

#include "../content/content.h"

#include <string.h>

/* Taken (pg_advisory_xact_lock) by every topic save, so that two saves changing parents at
 * once cannot each pass the loop check and close a loop together. */
enum { TOPIC_TREE_LOCK = 0x67617a74 /* "gazt" */ };

/* ---- Topics and authors ------------------------------------------------------------------- */
store_status pg_store_topic_add(store *s, const char *slug, const char *name,
                                const char *description, long long *id)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!content_slug_is_valid(slug))
        return pg_failf(c, STORE_INVALID, "invalid topic slug '%s'", slug ? slug : "");
    if (store_blank(name)) return pg_failf(c, STORE_INVALID, "topic %s: the name is empty", slug);
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, slug);
    pg_param_text(&p, name);
    pg_param_text(&p, description);
    pg_param_int(&p, pg_now());
    long long new_id = 0;
    rs = pg_begin_write(c);
    if (rs == STORE_OK)
        rs = pg_exec_int(c,
                         "INSERT INTO topics (slug, name, description, created_at)"
                         " VALUES ($1::text, $2::text, $3::text, $4::bigint) RETURNING id",
                         &p, &new_id, "adding a topic");
    rs = pg_finish(c, rs);
    if (rs == STORE_CONFLICT) pg_failf(c, rs, "topic '%s' already exists", slug);
    if (id) *id = rs == STORE_OK ? new_id : 0;
    return rs;
}

/* Reads one topic or author row (id, slug, name, description/bio) by slug. */
static store_status entity_by_slug(store *s, arena *a, const char *sql, const char *slug,
                                   long long *out_id, const char **out_texts)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, slug);
    PGresult *r;
    if ((rs = pg_exec(c, sql, &p, &r, "reading")) != STORE_OK) return rs;
    if (PQntuples(r) > 0) {
        *out_id = pg_int(r, 0, 0);
        for (int i = 0; i < 3; i++)
            out_texts[i] = pg_text(a, r, 0, i + 1);
    } else {
        rs = pg_failf(c, STORE_NOT_FOUND, "no such slug: %s", slug ? slug : "");
    }
    PQclear(r);
    return rs;
}

store_status pg_store_topic_by_slug(store *s, arena *a, const char *slug, store_topic *out)
{
    const char *t[3] = {NULL, NULL, NULL};
    long long id = 0;
    store_status rs = entity_by_slug(
        s, a, "SELECT id, slug, name, description FROM topics WHERE slug = $1::text", slug, &id, t);
    *out = rs == STORE_OK ? (store_topic){id, t[0], t[1], t[2]} : (store_topic){0};
    return rs;
}

store_status pg_store_author_by_slug(store *s, arena *a, const char *slug, store_author *out)
{
    const char *t[3] = {NULL, NULL, NULL};
    long long id = 0;
    store_status rs = entity_by_slug(
        s, a, "SELECT id, slug, name, bio FROM authors WHERE slug = $1::text", slug, &id, t);
    *out = rs == STORE_OK ? (store_author){id, t[0], t[1], t[2]} : (store_author){0};
    return rs;
}

/* Runs a topics statement taking $1 now and $2 a number; rows are (id, slug, name,
 * description). */
static store_status topics_query(store *s, arena *a, const char *sql, size_t number,
                                 store_topic **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    pg_param_size(&p, number);
    PGresult *r;
    if ((rs = pg_exec(c, sql, &p, &r, "listing topics")) != STORE_OK) return rs;
    int rows = PQntuples(r);
    store_topic *v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = (store_topic){pg_int(r, i, 0), pg_text(a, r, i, 1), pg_text(a, r, i, 2),
                             pg_text(a, r, i, 3)};
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}

/* $2 the minimum number of live stories (counting stops there). */
store_status pg_store_topics_list(store *s, arena *a, size_t min_articles, store_topic **out,
                                  size_t *n)
{
    return topics_query(s, a,
                        "SELECT t.id, t.slug, t.name, t.description FROM topics t"
                        " WHERE $2::bigint <= 0 OR (SELECT count(*) FROM (SELECT 1"
                        " FROM article_topics x JOIN articles a ON a.id = x.article_id"
                        " WHERE x.topic_id = t.id AND " PG_LIVE " LIMIT $2::bigint) live)"
                        " >= $2::bigint"
                        " ORDER BY " PG_NOCASE("t.name") ", t.name, t.id",
                        min_articles, out, n);
}

/* $2 limit: the topics that lead the most live stories (as their primary topic). */
store_status pg_store_topics_leading(store *s, arena *a, size_t limit, store_topic **out, size_t *n)
{
    return topics_query(s, a,
                        "SELECT t.id, t.slug, t.name, t.description FROM topics t"
                        " JOIN article_topics x ON x.topic_id = t.id AND x.position = 0"
                        " JOIN articles a ON a.id = x.article_id WHERE " PG_LIVE
                        " GROUP BY t.id, t.slug, t.name, t.description"
                        " ORDER BY count(*) DESC, " PG_NOCASE("t.name") ", t.id LIMIT $2::bigint",
                        limit, out, n);
}

store_status pg_store_author_set_bio(store *s, const char *slug, const char *bio)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!slug) return pg_failf(c, STORE_NOT_FOUND, "no author given");
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, slug);
    pg_param_text(&p, bio);
    rs = pg_begin_write(c);
    if (rs == STORE_OK)
        rs = pg_exec_int(c, "UPDATE authors SET bio = $2::text WHERE slug = $1::text RETURNING id",
                         &p, NULL, "setting a bio");
    if (rs == STORE_NOT_FOUND) rs = pg_failf(c, STORE_NOT_FOUND, "no such author: %s", slug);
    return pg_finish(c, rs);
}

/* ---- The topics screen ---------------------------------------------------------------------- */
store_status pg_store_topics_all(store *s, arena *a, store_topic_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r;
    rs = pg_exec(c,
                 "SELECT t.id, t.slug, t.name, t.description, coalesce(t.parent_id, 0),"
                 " (SELECT count(*) FROM article_topics x WHERE x.topic_id = t.id)"
                 " FROM topics t ORDER BY " PG_NOCASE("t.name") ", t.id",
                 NULL, &r, "listing topics");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    store_topic_entry *v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = (store_topic_entry){
            {pg_int(r, i, 0), pg_text(a, r, i, 1), pg_text(a, r, i, 2), pg_text(a, r, i, 3)},
            pg_int(r, i, 4),
            (size_t)pg_int(r, i, 5)};
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}

/* Whether making parent_id the parent of topic id (0: a new one) would close a loop, and
 * whether parent_id exists: one walk up from the parent, at most 1,000 levels. */
static store_status parent_check(pg_conn *c, long long id, long long parent_id, bool *loops,
                                 bool *missing)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, parent_id);
    pg_param_int(&p, id);
    PGresult *r;
    store_status rs = pg_exec(c,
                              "WITH RECURSIVE up (id, depth) AS (SELECT $1::bigint, 0"
                              " UNION ALL SELECT t.parent_id, up.depth + 1 FROM up"
                              " JOIN topics t ON t.id = up.id"
                              " WHERE t.parent_id IS NOT NULL AND up.depth < 1000)"
                              " SELECT (SELECT count(*) FROM topics WHERE id = $1::bigint),"
                              " (SELECT count(*) FROM up WHERE id = $2::bigint)",
                              &p, &r, "checking a topic's parent");
    if (rs != STORE_OK) return rs;
    *missing = PQntuples(r) == 0 || pg_int(r, 0, 0) == 0;
    *loops = id && PQntuples(r) > 0 && pg_int(r, 0, 1) > 0;
    PQclear(r);
    return STORE_OK;
}

/* The INSERT or UPDATE of topic_save: $1 id (updates), $2 slug, $3 name, $4 description,
 * $5 parent (0: none), $6 now (inserts); returns the topic's id. */
static store_status topic_write(pg_conn *c, long long *id, const char *slug, const char *name,
                                const char *description, long long parent_id)
{
    pg_params p;
    pg_params_init(&p);
    if (*id) pg_param_int(&p, *id);
    pg_param_text(&p, slug);
    pg_param_text(&p, name);
    pg_param_text(&p, description && description[0] ? description : NULL);
    pg_param_int(&p, parent_id);
    if (!*id) pg_param_int(&p, pg_now());
    long long saved = 0;
    store_status rs = pg_exec_int(
        c,
        *id ? "UPDATE topics SET slug = $2::text, name = $3::text, description = $4::text,"
              " parent_id = nullif($5::bigint, 0) WHERE id = $1::bigint RETURNING id"
            : "INSERT INTO topics (slug, name, description, parent_id, created_at)"
              " VALUES ($1::text, $2::text, $3::text, nullif($4::bigint, 0), $5::bigint)"
              " RETURNING id",
        &p, &saved, "saving a topic");
    if (rs == STORE_NOT_FOUND) return pg_failf(c, rs, "topic %lld does not exist", *id);
    if (rs == STORE_OK) *id = saved;
    return rs;
}

store_status pg_store_topic_save(store *s, long long *id, const char *slug, const char *name,
                                 const char *description, long long parent_id)
{
    if (!slug || !slug[0] || !name || !name[0]) return STORE_INVALID;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, TOPIC_TREE_LOCK);
    rs = pg_begin_write(c);
    if (rs == STORE_OK)
        rs = pg_exec(c, "SELECT pg_advisory_xact_lock($1::bigint)", &p, NULL, "locking the topics");
    bool loops = false, missing = false;
    if (rs == STORE_OK && parent_id) rs = parent_check(c, *id, parent_id, &loops, &missing);
    if (rs == STORE_OK && missing)
        rs = pg_failf(c, STORE_NOT_FOUND, "the parent topic does not exist");
    if (rs == STORE_OK && parent_id && (loops || parent_id == *id))
        rs = pg_failf(c, STORE_INVALID, "a topic cannot sit under itself");
    long long saved = *id;
    if (rs == STORE_OK) rs = topic_write(c, &saved, slug, name, description, parent_id);
    rs = pg_finish(c, rs);
    if (rs == STORE_OK) *id = saved;
    return rs;
}

/* ---- Counted topics and authors ------------------------------------------------------------
 * $1 now, $2 a slug or NULL: topics (authors) with their live stories counted and the newest
 * of their publication and change times. Rows are (id, slug, name, text, count, last change). */
#define COUNTED_SQL(cols, table, alias, link, other)                                               \
    "SELECT " cols ", count(*), max(greatest(a.published_at, a.updated_at)) FROM " table " " alias \
    " JOIN " link " l ON l." other " = " alias ".id"                                               \
    " JOIN articles a ON a.id = l.article_id"                                                      \
    " WHERE " PG_LIVE " AND ($2::text IS NULL OR " alias ".slug = $2::text)"                       \
    " GROUP BY " cols " ORDER BY " PG_NOCASE(alias ".name") ", " alias ".name"                     \
                                                            ", " alias ".id"

/* Reads the rows of a COUNTED_SQL statement: texts[i] gets the three texts of row i, ids,
 * counts and last changes the numbers. */
typedef struct {
    long long id, count, last_change;
    const char *texts[3];
} counted_row;

static store_status counted_query(store *s, arena *a, const char *sql, const char *slug,
                                  counted_row **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    pg_param_text(&p, slug);
    PGresult *r;
    if ((rs = pg_exec(c, sql, &p, &r, "counting stories")) != STORE_OK) return rs;
    int rows = PQntuples(r);
    counted_row *v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = (counted_row){pg_int(r, i, 0),
                             pg_int(r, i, 4),
                             pg_int(r, i, 5),
                             {pg_text(a, r, i, 1), pg_text(a, r, i, 2), pg_text(a, r, i, 3)}};
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}

store_status pg_store_topics_counted(store *s, arena *a, const char *slug, store_topic_count **out,
                                     size_t *n)
{
    counted_row *rows;
    store_status rs = counted_query(s, a,
                                    COUNTED_SQL("t.id, t.slug, t.name, t.description", "topics",
                                                "t", "article_topics", "topic_id"),
                                    slug, &rows, n);
    *out = *n ? arena_alloc(a, *n * sizeof **out) : NULL;
    for (size_t i = 0; rs == STORE_OK && i < *n; i++)
        (*out)[i] =
            (store_topic_count){{rows[i].id, rows[i].texts[0], rows[i].texts[1], rows[i].texts[2]},
                                (size_t)rows[i].count,
                                rows[i].last_change};
    return rs;
}

store_status pg_store_authors_counted(store *s, arena *a, const char *slug,
                                      store_author_count **out, size_t *n)
{
    counted_row *rows;
    store_status rs = counted_query(
        s, a,
        COUNTED_SQL("u.id, u.slug, u.name, u.bio", "authors", "u", "article_authors", "author_id"),
        slug, &rows, n);
    *out = *n ? arena_alloc(a, *n * sizeof **out) : NULL;
    for (size_t i = 0; rs == STORE_OK && i < *n; i++)
        (*out)[i] =
            (store_author_count){{rows[i].id, rows[i].texts[0], rows[i].texts[1], rows[i].texts[2]},
                                 (size_t)rows[i].count,
                                 rows[i].last_change};
    return rs;
}

/* ---- API read keys ------------------------------------------------------------------------ */
store_status pg_store_api_key_add(store *s, const char *name, const char *hash)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (store_blank(name) || store_blank(hash))
        return pg_failf(c, STORE_INVALID, "the key's name is empty");
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, name);
    pg_param_text(&p, hash);
    pg_param_int(&p, pg_now());
    rs = pg_begin_write(c);
    if (rs == STORE_OK)
        rs = pg_exec(c,
                     "INSERT INTO api_keys (name, key_hash, created_at)"
                     " VALUES ($1::text, $2::text, $3::bigint)",
                     &p, NULL, "saving an API key");
    rs = pg_finish(c, rs);
    if (rs == STORE_CONFLICT) pg_failf(c, rs, "an API key named '%s' already exists", name);
    return rs;
}

store_status pg_store_api_keys_list(store *s, arena *a, store_api_key **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r;
    rs = pg_exec(c, "SELECT name, key_hash, created_at FROM api_keys ORDER BY name", NULL, &r,
                 "listing API keys");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    store_api_key *v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = (store_api_key){pg_text(a, r, i, 0), pg_text(a, r, i, 1), pg_int(r, i, 2)};
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}

store_status pg_store_api_key_revoke(store *s, const char *name)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!name) return pg_failf(c, STORE_NOT_FOUND, "no key named");
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, name);
    rs = pg_begin_write(c);
    if (rs == STORE_OK)
        rs = pg_exec_int(c, "DELETE FROM api_keys WHERE name = $1::text RETURNING 1", &p, NULL,
                         "deleting an API key");
    if (rs == STORE_NOT_FOUND) rs = pg_failf(c, rs, "no API key named '%s'", name);
    return pg_finish(c, rs);
}
