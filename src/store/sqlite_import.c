/* sqlite_import.c — the SQLite side of store_import.h: its own prepared statements on the
 * calling thread's connection, batches as BEGIN IMMEDIATE ... COMMIT, and the inserts the
 * WordPress importer makes. Articles go in with their search index row, as store_articles_save
 * writes them. */
#include "store_import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sqlite_internal.h"
#include "store_backend.h"

enum imp_stmt {
    IM_BEGIN,
    IM_COMMIT,
    IM_ROLLBACK,
    IM_MAP_GET,
    IM_MAP_PUT,
    IM_MAP_ATTACHED,
    IM_TOPIC_FIND,
    IM_TOPIC_INSERT,
    IM_TOPIC_PARENT,
    IM_USER_FIND,
    IM_USER_INSERT,
    IM_AUTHOR_FIND,
    IM_AUTHOR_INSERT,
    IM_ARTICLE_INSERT,
    IM_SEARCH_DELETE,
    IM_SEARCH_ADD,
    IM_SEARCH_LEN, /* after IM_SEARCH_ADD: store_import_article_add runs them in order */
    IM_ARTICLE_TOPIC,
    IM_ARTICLE_AUTHOR,
    IM_COMMENT_INSERT,
    IM_COMMENT_PARENT,
    IM_REDIRECT,
    IM__N
};

static const char *const imp_sql[IM__N] = {
    [IM_BEGIN] = "BEGIN IMMEDIATE",
    [IM_COMMIT] = "COMMIT",
    [IM_ROLLBACK] = "ROLLBACK",
    [IM_MAP_GET] = "SELECT local_id, url, caption, alt FROM wp_import_map"
                   " WHERE kind = ?1 AND wp_id = ?2",
    [IM_MAP_PUT] = "INSERT INTO wp_import_map (kind, wp_id, local_id, url, caption, alt)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (kind, wp_id) DO UPDATE SET"
                   " local_id = excluded.local_id, url = excluded.url,"
                   " caption = excluded.caption, alt = excluded.alt",
    [IM_MAP_ATTACHED] = "SELECT wp_id FROM wp_import_map WHERE kind = 'attachment'"
                        " AND local_id = ?1 ORDER BY wp_id LIMIT ?2",
    [IM_TOPIC_FIND] = "SELECT id FROM topics WHERE slug = ?1",
    [IM_TOPIC_INSERT] = "INSERT INTO topics (slug, name, description, created_at)"
                        " VALUES (?1, ?2, ?3, ?4) RETURNING id",
    [IM_TOPIC_PARENT] = "UPDATE topics SET parent_id = ?2 WHERE id = ?1 AND parent_id IS NOT ?2",
    [IM_USER_FIND] = "SELECT coalesce(author_id, 0) FROM users WHERE login = ?1",
    [IM_USER_INSERT] = "INSERT INTO users (login, email, display_name, role, author_id, created_at)"
                       " VALUES (?1, ?2, ?3, 'author', ?4, ?5)",
    [IM_AUTHOR_FIND] = "SELECT id FROM authors WHERE slug = ?1",
    [IM_AUTHOR_INSERT] = "INSERT INTO authors (slug, name) VALUES (?1, ?2)"
                         " ON CONFLICT (slug) DO NOTHING RETURNING id",
    /* ?1 slug; a row only when the slug was free */
    [IM_ARTICLE_INSERT] =
        "INSERT INTO articles (slug, headline, lead, body_markdown, body_html, image_url,"
        " image_caption, image_alt, status, published_at, updated_at, created_at, comments_off,"
        " body_format, kind, sticky)"
        " VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, 'html', ?12, ?13)"
        " ON CONFLICT (slug) DO NOTHING RETURNING id",
    [IM_SEARCH_DELETE] = "DELETE FROM article_search WHERE rowid = ?1",
    [IM_SEARCH_ADD] = "INSERT INTO article_search (rowid, headline, kicker, lead, body)"
                      " SELECT id, gazette_search_text(headline, 0),"
                      " gazette_search_text(kicker, 0), gazette_search_text(lead, 0),"
                      " gazette_search_text(coalesce(body_html, body_markdown), 1)"
                      " FROM articles WHERE id = ?1",
    [IM_SEARCH_LEN] = SQLITE_SEARCH_LEN_SET,
    [IM_ARTICLE_TOPIC] = "INSERT INTO article_topics (article_id, topic_id, position)"
                         " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [IM_ARTICLE_AUTHOR] = "INSERT INTO article_authors (article_id, author_id, position)"
                          " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [IM_COMMENT_INSERT] =
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, author_url,"
        " body, ip, user_agent, status, created_at, body_hash)"
        " VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, ?10) RETURNING id",
    [IM_COMMENT_PARENT] = "UPDATE comments SET parent_id = ?2 WHERE id = ?1",
    [IM_REDIRECT] = "INSERT INTO redirects (path, target) VALUES (?1, ?2)"
                    " ON CONFLICT (path) DO UPDATE SET target = excluded.target"
                    " WHERE redirects.target <> excluded.target",
};

struct store_import {
    sqlite3 *db;
    sqlite3_stmt *st[IM__N];
    char err[512];
};

static store_status fail(store_import *im, int rc, const char *what)
{
    snprintf(im->err, sizeof im->err, "%s: %s", what, sqlite3_errmsg(im->db));
    return sqlite_status(rc);
}

const char *store_import_error(store_import *im)
{
    return im->err;
}

/* A statement ready to bind: reset and cleared from its last use. */
static sqlite3_stmt *use(store_import *im, enum imp_stmt id)
{
    sqlite3_reset(im->st[id]);
    sqlite3_clear_bindings(im->st[id]);
    return im->st[id];
}

/* Binds text (NULL stays NULL) and integers; the first error is kept in *rc. */
static void bt(sqlite3_stmt *st, int *rc, int i, const char *s)
{
    if (*rc == SQLITE_OK) *rc = sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}
static void bi(sqlite3_stmt *st, int *rc, int i, long long v)
{
    if (*rc == SQLITE_OK) *rc = sqlite3_bind_int64(st, i, v);
}

/* Steps st once: STORE_OK with *row telling whether a row came (column 0 in *first). */
static store_status step(store_import *im, sqlite3_stmt *st, int rc, bool *row, long long *first,
                         const char *what)
{
    if (row) *row = false;
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (row) *row = true;
        if (first) *first = sqlite3_column_int64(st, 0);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
    }
    store_status rs = rc == SQLITE_DONE ? STORE_OK : fail(im, rc, what);
    sqlite3_reset(st);
    return rs;
}

static store_status exec(store_import *im, enum imp_stmt id, const char *what)
{
    return step(im, use(im, id), SQLITE_OK, NULL, NULL, what);
}

store_status store_import_open(store *s, store_import **out)
{
    *out = NULL;
    /* Imports write a SQLite file; `gazette migrate` then copies it to PostgreSQL. */
    if (s->backend != &sqlite_store_backend) return STORE_INVALID;
    store_import *im = calloc(1, sizeof *im);
    if (!im) return STORE_IO;
    conn *c;
    if (sqlite_conn(s, &c, &im->db) != STORE_OK || !im->db) {
        free(im);
        return STORE_IO;
    }
    for (int i = 0; i < IM__N; i++) {
        int rc =
            sqlite3_prepare_v3(im->db, imp_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &im->st[i], NULL);
        if (rc != SQLITE_OK) {
            store_status rs = fail(im, rc, "preparing the import");
            fprintf(stderr, "gazette: %s\n", im->err);
            store_import_close(im, false);
            return rs;
        }
    }
    store_status rs = exec(im, IM_BEGIN, "starting to write");
    if (rs != STORE_OK) {
        fprintf(stderr, "gazette: %s\n", im->err);
        store_import_close(im, false);
        return rs;
    }
    *out = im;
    return STORE_OK;
}

store_status store_import_checkpoint(store_import *im)
{
    store_status rs = exec(im, IM_COMMIT, "committing a batch");
    if (rs == STORE_OK) rs = exec(im, IM_BEGIN, "starting the next batch");
    return rs;
}

store_status store_import_close(store_import *im, bool commit)
{
    if (!im) return STORE_OK;
    store_status rs = STORE_OK;
    if (!sqlite3_get_autocommit(im->db)) {
        if (commit) rs = exec(im, IM_COMMIT, "committing the last batch");
        if (!commit || rs != STORE_OK) sqlite3_exec(im->db, "ROLLBACK", NULL, NULL, NULL);
    }
    for (int i = 0; i < IM__N; i++)
        sqlite3_finalize(im->st[i]);
    free(im);
    return rs;
}

store_status store_import_lookup(store_import *im, arena *a, const char *kind, long long source_id,
                                 store_import_mapping *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = use(im, IM_MAP_GET);
    int rc = SQLITE_OK;
    bt(st, &rc, 1, kind);
    bi(st, &rc, 2, source_id);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    store_status rs = STORE_NOT_FOUND;
    if (rc == SQLITE_ROW) {
        out->local_id = sqlite3_column_int64(st, 0);
        out->url = sqlite_column_copy(a, st, 1);
        out->caption = sqlite_column_copy(a, st, 2);
        out->alt = sqlite_column_copy(a, st, 3);
        rs = STORE_OK;
    } else if (rc != SQLITE_DONE) {
        rs = fail(im, rc, "reading the import map");
    }
    sqlite3_reset(st);
    return rs;
}

store_status store_import_remember(store_import *im, const char *kind, long long source_id,
                                   const store_import_mapping *m)
{
    sqlite3_stmt *st = use(im, IM_MAP_PUT);
    int rc = SQLITE_OK;
    bt(st, &rc, 1, kind);
    bi(st, &rc, 2, source_id);
    bi(st, &rc, 3, m->local_id);
    bt(st, &rc, 4, m->url);
    bt(st, &rc, 5, m->caption);
    bt(st, &rc, 6, m->alt);
    return step(im, st, rc, NULL, NULL, "writing the import map");
}

store_status store_import_attached(store_import *im, long long post_id, long long *ids, size_t max,
                                   size_t *n)
{
    *n = 0;
    sqlite3_stmt *st = use(im, IM_MAP_ATTACHED);
    int rc = SQLITE_OK;
    bi(st, &rc, 1, post_id);
    bi(st, &rc, 2, (long long)max);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && *n < max) ids[(*n)++] = sqlite3_column_int64(st, 0);
    }
    store_status rs = rc == SQLITE_DONE ? STORE_OK : fail(im, rc, "reading attachments");
    sqlite3_reset(st);
    return rs;
}

store_status store_import_topic_find(store_import *im, const char *slug, long long *id)
{
    sqlite3_stmt *st = use(im, IM_TOPIC_FIND);
    int rc = SQLITE_OK;
    bool row;
    bt(st, &rc, 1, slug);
    store_status rs = step(im, st, rc, &row, id, "looking up a topic");
    return rs == STORE_OK && !row ? STORE_NOT_FOUND : rs;
}

store_status store_import_topic(store_import *im, const char *slug, const char *name,
                                const char *description, long long *id, bool *created)
{
    *created = false;
    store_status rs = store_import_topic_find(im, slug, id);
    if (rs != STORE_NOT_FOUND) return rs;
    sqlite3_stmt *st = use(im, IM_TOPIC_INSERT);
    int rc = SQLITE_OK;
    bt(st, &rc, 1, slug);
    bt(st, &rc, 2, name);
    bt(st, &rc, 3, description && description[0] ? description : NULL);
    bi(st, &rc, 4, (long long)time(NULL));
    rs = step(im, st, rc, created, id, "adding a topic");
    return rs;
}

store_status store_import_topic_set_parent(store_import *im, long long id, long long parent_id)
{
    if (id == parent_id) return STORE_OK;
    sqlite3_stmt *st = use(im, IM_TOPIC_PARENT);
    int rc = SQLITE_OK;
    bi(st, &rc, 1, id);
    if (parent_id) bi(st, &rc, 2, parent_id);
    return step(im, st, rc, NULL, NULL, "setting a topic's parent");
}

/* A new author named name with slug, or slug-2, slug-3 ... when taken. */
static store_status author_insert(store_import *im, arena *a, const char *slug, const char *name,
                                  long long *id)
{
    for (int n = 1; n <= 100; n++) {
        const char *candidate = slug;
        if (n > 1) {
            size_t keep = strlen(slug) > 75 ? 75 : strlen(slug);
            while (keep > 0 && slug[keep - 1] == '-')
                keep--;
            candidate = arena_printf(a, "%.*s-%d", (int)keep, slug, n);
        }
        sqlite3_stmt *st = use(im, IM_AUTHOR_INSERT);
        int rc = SQLITE_OK;
        bool row;
        bt(st, &rc, 1, candidate);
        bt(st, &rc, 2, name);
        store_status rs = step(im, st, rc, &row, id, "adding an author");
        if (rs != STORE_OK || row) return rs;
    }
    snprintf(im->err, sizeof im->err, "no free author slug for '%s'", slug);
    return STORE_CONFLICT;
}

store_status store_import_user(store_import *im, arena *a, const store_import_login *u,
                               long long *author_id, bool *created)
{
    *created = false;
    *author_id = 0;
    sqlite3_stmt *st = use(im, IM_USER_FIND);
    int rc = SQLITE_OK;
    bool row;
    bt(st, &rc, 1, u->login);
    store_status rs = step(im, st, rc, &row, author_id, "looking up a user");
    if (rs != STORE_OK || (row && *author_id)) return rs;
    /* a login whose user has no author (or no user yet): an author of its own */
    if ((rs = author_insert(im, a, u->author_slug, u->display_name, author_id)) != STORE_OK)
        return rs;
    if (row) return STORE_OK;
    st = use(im, IM_USER_INSERT);
    rc = SQLITE_OK;
    bt(st, &rc, 1, u->login);
    bt(st, &rc, 2, u->email && u->email[0] ? u->email : NULL);
    bt(st, &rc, 3, u->display_name);
    bi(st, &rc, 4, *author_id);
    bi(st, &rc, 5, (long long)time(NULL));
    rs = step(im, st, rc, NULL, NULL, "adding a user");
    *created = rs == STORE_OK;
    return rs;
}

/* Inserts the row under slug, slug-2, slug-3 ... (each at most 80 bytes). */
static store_status article_row(store_import *im, arena *a, const store_import_article *in,
                                long long *id, const char **slug_used)
{
    long long now = (long long)time(NULL);
    for (int n = 1; n <= 1000; n++) {
        const char *slug = in->slug;
        if (n > 1) {
            size_t keep = strlen(in->slug) > 74 ? 74 : strlen(in->slug);
            while (keep > 0 && in->slug[keep - 1] == '-')
                keep--;
            slug = arena_printf(a, "%.*s-%d", (int)keep, in->slug, n);
        }
        sqlite3_stmt *st = use(im, IM_ARTICLE_INSERT);
        int rc = SQLITE_OK;
        bool row;
        bt(st, &rc, 1, slug);
        bt(st, &rc, 2, in->headline);
        bt(st, &rc, 3, in->lead && in->lead[0] ? in->lead : NULL);
        bt(st, &rc, 4, in->body_html);
        bt(st, &rc, 5, in->image_url);
        bt(st, &rc, 6, in->image_caption);
        bt(st, &rc, 7, in->image_alt);
        bi(st, &rc, 8, (long long)in->status);
        bi(st, &rc, 9, in->published_at);
        bi(st, &rc, 10, now);
        bi(st, &rc, 11, in->comments_off ? 1 : 0);
        bt(st, &rc, 12, in->is_page ? "page" : "story");
        bi(st, &rc, 13, in->sticky ? 1 : 0);
        store_status rs = step(im, st, rc, &row, id, "saving an article");
        if (rs != STORE_OK || row) {
            *slug_used = slug;
            return rs;
        }
    }
    snprintf(im->err, sizeof im->err, "no free slug for '%s'", in->slug);
    return STORE_CONFLICT;
}

static store_status link_rows(store_import *im, enum imp_stmt which, long long article,
                              const long long *ids, size_t n)
{
    store_status rs = STORE_OK;
    long long pos = 0;
    for (size_t i = 0; i < n && rs == STORE_OK; i++) {
        sqlite3_stmt *st = use(im, which);
        int rc = SQLITE_OK;
        bi(st, &rc, 1, article);
        bi(st, &rc, 2, ids[i]);
        bi(st, &rc, 3, pos);
        rs = step(im, st, rc, NULL, NULL, "linking an article");
        if (sqlite3_changes(im->db) > 0) pos++;
    }
    return rs;
}

store_status store_import_article_add(store_import *im, arena *a, const store_import_article *in,
                                      long long *id, const char **slug_used)
{
    store_status rs = article_row(im, a, in, id, slug_used);
    for (int k = IM_SEARCH_DELETE; k <= IM_SEARCH_LEN && rs == STORE_OK; k++) {
        sqlite3_stmt *st = use(im, (enum imp_stmt)k);
        rs = step(im, st, sqlite3_bind_int64(st, 1, *id), NULL, NULL, "updating the search index");
    }
    if (rs == STORE_OK) rs = link_rows(im, IM_ARTICLE_TOPIC, *id, in->topic_ids, in->n_topics);
    if (rs == STORE_OK) rs = link_rows(im, IM_ARTICLE_AUTHOR, *id, in->author_ids, in->n_authors);
    return rs;
}

store_status store_import_comment_add(store_import *im, const store_import_comment *in,
                                      long long *id)
{
    unsigned char hash[8];
    store_body_hash(in->body, hash);
    sqlite3_stmt *st = use(im, IM_COMMENT_INSERT);
    int rc = SQLITE_OK;
    bi(st, &rc, 1, in->article_id);
    bi(st, &rc, 2, in->parent_id);
    bt(st, &rc, 3, in->author_name);
    bt(st, &rc, 4, in->author_email ? in->author_email : "");
    bt(st, &rc, 5, in->author_url && in->author_url[0] ? in->author_url : NULL);
    bt(st, &rc, 6, in->body);
    bt(st, &rc, 7, in->ip && in->ip[0] ? in->ip : NULL);
    bi(st, &rc, 8, (long long)in->status);
    bi(st, &rc, 9, in->created_at);
    if (rc == SQLITE_OK) rc = sqlite3_bind_blob(st, 10, hash, 8, SQLITE_TRANSIENT);
    return step(im, st, rc, NULL, id, "saving a comment");
}

store_status store_import_comment_set_parent(store_import *im, long long id, long long parent_id)
{
    sqlite3_stmt *st = use(im, IM_COMMENT_PARENT);
    int rc = SQLITE_OK;
    bi(st, &rc, 1, id);
    bi(st, &rc, 2, parent_id);
    return step(im, st, rc, NULL, NULL, "threading a comment");
}

store_status store_import_redirect(store_import *im, const char *path, const char *target)
{
    sqlite3_stmt *st = use(im, IM_REDIRECT);
    int rc = SQLITE_OK;
    bt(st, &rc, 1, path);
    bt(st, &rc, 2, target);
    return step(im, st, rc, NULL, NULL, "saving a redirect");
}
