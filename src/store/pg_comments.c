/* pg_comments.c — readers' comments in PostgreSQL (store.h's comment section; the same rules
 * as sqlite.c's): a comment is added in one transaction that locks its story's row (so that
 * two copies of one comment cannot both pass the duplicate check), checks the parent and the
 * depth, and decides moderation; bulk moderation and deletion change every id or none. Lists of
 * ids travel as one bigint[] parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment_hash.h"
#include "pg_internal.h"
#include "store_backend.h"
#include "store_checks.h"

enum { DUPLICATE_WINDOW = 24 * 60 * 60 };

/* Comment SELECTs return COMMENT_COLS (read by read_comment) then the article's slug (or
 * NULL). */
#define COMMENT_COLS                                                                               \
    "c.id, c.article_id, coalesce(c.parent_id, 0), c.author_name, c.author_email,"                 \
    " c.author_url, c.body, c.ip, c.user_agent, c.status, c.created_at,"                           \
    " (c.staff_user_id IS NOT NULL)::int"
#define COMMENT_NEWEST " ORDER BY c.created_at DESC, c.id DESC"
#define LIVE "a.status >= 1 AND a.published_at <= $1 AND a.kind = 'story'"

/* ---- Adding ------------------------------------------------------------------------------ */
static store_status check_comment(pg_conn *c, const store_comment_input *in)
{
    char why[256];
    return store_comment_input_ok(in, why, sizeof why) ? STORE_OK
                                                       : pg_failf(c, STORE_INVALID, "%s", why);
}

/* The story takes comments (live and not closed); its row stays locked until the end of the
 * transaction, so comments on one story are added one at a time. */
static store_status comment_check_article(pg_conn *c, const store_comment_input *in, long long now)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, now);
    pg_param_int(&p, in->article_id);
    long long off = 0;
    store_status rs = pg_exec_int(
        c, "SELECT a.comments_off FROM articles a WHERE a.id = $2 AND " LIVE " FOR NO KEY UPDATE",
        &p, &off, "checking the story");
    if (rs == STORE_NOT_FOUND || (rs == STORE_OK && off))
        rs = pg_failf(c, STORE_INVALID, "the story does not take comments");
    return rs;
}

/* The parent is an approved comment of the same story, and the reply fits under max_depth
 * (the parent's depth is found by walking up at most max_depth levels). */
static store_status comment_check_parent(pg_conn *c, const store_comment_input *in,
                                         unsigned max_depth)
{
    if (in->parent_id == 0) return STORE_OK;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, in->parent_id);
    pg_param_int(&p, (long long)max_depth);
    PGresult *r;
    store_status rs = pg_exec(c,
                              "WITH RECURSIVE up (id, parent_id, depth) AS ("
                              " SELECT id, parent_id, 1 FROM comments WHERE id = $1"
                              " UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM up"
                              " JOIN comments c ON c.id = up.parent_id WHERE up.depth < $2)"
                              " SELECT p.article_id, p.status, (SELECT max(depth) FROM up)"
                              " FROM comments p WHERE p.id = $1",
                              &p, &r, "checking the comment replied to");
    if (rs != STORE_OK) return rs;
    long long article = 0, status = -1, depth = 0;
    if (PQntuples(r) > 0) {
        article = pg_int(r, 0, 0);
        status = pg_int(r, 0, 1);
        depth = pg_int(r, 0, 2);
    }
    PQclear(r);
    if (article != in->article_id || status != COMMENT_APPROVED)
        return pg_failf(c, STORE_INVALID, "the comment you reply to does not exist");
    if (depth + 1 > (long long)max_depth)
        return pg_failf(c, STORE_INVALID, "replies nest at most %u deep", max_depth);
    return STORE_OK;
}

/* Emails compare as SQLite's NOCASE does: ASCII letters folded. */
#define EMAIL_EQ(col, param)                                                                       \
    "translate(" col ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"                                             \
    " 'abcdefghijklmnopqrstuvwxyz') = translate(" param ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"          \
    " 'abcdefghijklmnopqrstuvwxyz')"

static store_status comment_check_duplicate(pg_conn *c, const store_comment_input *in,
                                            const unsigned char hash[8], long long now)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, in->article_id);
    pg_param_int(&p, now - DUPLICATE_WINDOW);
    pg_param_bytes(&p, hash, 8);
    pg_param_text(&p, in->author_email);
    pg_param_text(&p, in->body);
    store_status rs = pg_exec_int(c,
                                  "SELECT 1 FROM comments WHERE article_id = $1"
                                  " AND created_at >= $2 AND body_hash = $3 AND " EMAIL_EQ(
                                      "author_email", "$4::text") " AND body = $5 LIMIT 1",
                                  &p, NULL, "looking for a duplicate");
    if (rs == STORE_OK) return pg_failf(c, STORE_CONFLICT, "duplicate comment");
    return rs == STORE_NOT_FOUND ? STORE_OK : rs;
}

static store_status comment_decide(pg_conn *c, const store_comment_input *in, comment_status *out)
{
    *out = in->moderation == MODERATION_PUBLISH ? COMMENT_APPROVED : COMMENT_PENDING;
    if (in->moderation != MODERATION_HOLD_FIRST) return STORE_OK;
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, in->author_email);
    store_status rs = pg_exec_int(c,
                                  "SELECT 1 FROM comments WHERE " EMAIL_EQ(
                                      "author_email", "$1::text") " AND status = 1 LIMIT 1",
                                  &p, NULL, "looking up the commenter");
    if (rs == STORE_OK) *out = COMMENT_APPROVED;
    return rs == STORE_NOT_FOUND ? STORE_OK : rs;
}

static store_status comment_insert(pg_conn *c, const store_comment_input *in,
                                   const unsigned char hash[8], comment_status status,
                                   long long now, long long *id)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, in->article_id);
    pg_param_int(&p, in->parent_id);
    const char *text[] = {in->author_name, in->author_email, in->author_url,
                          in->body,        in->ip,           in->user_agent};
    for (int i = 0; i < 6; i++)
        pg_param_text(&p, text[i]);
    pg_param_int(&p, (long long)status);
    pg_param_int(&p, now);
    pg_param_bytes(&p, hash, 8);
    return pg_exec_int(c,
                       "INSERT INTO comments (article_id, parent_id, author_name, author_email,"
                       " author_url, body, ip, user_agent, status, created_at, body_hash)"
                       " VALUES ($1, nullif($2::bigint, 0), $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                       " RETURNING id",
                       &p, id, "saving a comment");
}

store_status pg_store_comment_add(store *s, const store_comment_input *in, long long *id,
                                  comment_status *status)
{
    if (id) *id = 0;
    if (status) *status = COMMENT_PENDING;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK || (rs = check_comment(c, in)) != STORE_OK) return rs;
    unsigned max_depth = in->max_depth ? in->max_depth : 1;
    unsigned char hash[8];
    store_body_hash(in->body, hash);
    long long now = pg_now(), new_id = 0;
    comment_status cs = COMMENT_PENDING;
    rs = pg_begin_write(c);
    if (rs == STORE_OK) rs = comment_check_article(c, in, now);
    if (rs == STORE_OK) rs = comment_check_parent(c, in, max_depth);
    if (rs == STORE_OK) rs = comment_check_duplicate(c, in, hash, now);
    if (rs == STORE_OK) rs = comment_decide(c, in, &cs);
    if (rs == STORE_OK) rs = comment_insert(c, in, hash, cs, now, &new_id);
    rs = pg_finish(c, rs);
    if (rs == STORE_OK) {
        if (id) *id = new_id;
        if (status) *status = cs;
    }
    return rs;
}

/* ---- Reading ----------------------------------------------------------------------------- */
static void read_comment(const PGresult *r, int row, arena *a, store_comment *o)
{
    *o = (store_comment){
        .id = pg_int(r, row, 0),
        .article_id = pg_int(r, row, 1),
        .parent_id = pg_int(r, row, 2),
        .author_name = pg_text(a, r, row, 3),
        .author_email = pg_text(a, r, row, 4),
        .author_url = pg_text(a, r, row, 5),
        .body = pg_text(a, r, row, 6),
        .ip = pg_text(a, r, row, 7),
        .user_agent = pg_text(a, r, row, 8),
        .status = (comment_status)pg_int(r, row, 9),
        .created_at = pg_int(r, row, 10),
        .staff = pg_int(r, row, 11) != 0,
        .article_slug = pg_text(a, r, row, 12),
    };
}

/* Runs a comment SELECT (COMMENT_COLS then the slug) and reads every row. */
static store_status comments_read(store *s, arena *a, const char *sql, const pg_params *p,
                                  store_comment **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    PGresult *r;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK || (rs = pg_exec(c, sql, p, &r, "reading comments")) != STORE_OK) return rs;
    size_t len = (size_t)PQntuples(r);
    store_comment *v = len ? arena_alloc(a, len * sizeof *v) : NULL;
    for (size_t i = 0; i < len; i++)
        read_comment(r, (int)i, a, &v[i]);
    PQclear(r);
    *out = v;
    *n = len;
    return STORE_OK;
}

store_status pg_store_comments_for_article(store *s, arena *a, long long article_id,
                                           long long include_id, store_comment **out, size_t *n)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article_id);
    pg_param_int(&p, include_id);
    return comments_read(s, a,
                         "SELECT " COMMENT_COLS ", NULL FROM comments c"
                         " WHERE c.article_id = $1 AND (c.status = 1 OR c.id = $2)"
                         " ORDER BY c.created_at, c.id",
                         &p, out, n);
}

store_status pg_store_comments_list(store *s, arena *a, const comment_status *status, size_t limit,
                                    size_t offset, store_comment **out, size_t *n)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_size(&p, limit);
    pg_param_size(&p, offset);
    if (status) pg_param_int(&p, (long long)*status);
    return comments_read(
        s, a,
        status ? "SELECT " COMMENT_COLS ", a.slug FROM comments c"
                 " JOIN articles a ON a.id = c.article_id WHERE c.status = $3" COMMENT_NEWEST
                 " LIMIT $1 OFFSET $2"
               : "SELECT " COMMENT_COLS ", a.slug FROM comments c"
                 " JOIN articles a ON a.id = c.article_id" COMMENT_NEWEST " LIMIT $1 OFFSET $2",
        &p, out, n);
}

store_status pg_store_comments_recent(store *s, arena *a, long long article_id, size_t limit,
                                      store_comment **out, size_t *n)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article_id ? article_id : pg_now());
    pg_param_size(&p, limit);
    /* site-wide: only comments on live stories ($1 now); of one article: $1 the article */
    return comments_read(s, a,
                         article_id ? "SELECT " COMMENT_COLS ", a.slug FROM comments c"
                                      " JOIN articles a ON a.id = c.article_id"
                                      " WHERE c.article_id = $1 AND c.status = 1" COMMENT_NEWEST
                                      " LIMIT $2"
                                    : "SELECT " COMMENT_COLS ", a.slug FROM comments c"
                                      " JOIN articles a ON a.id = c.article_id"
                                      " WHERE c.status = 1 AND " LIVE COMMENT_NEWEST " LIMIT $2",
                         &p, out, n);
}

store_status pg_store_comment_by_id(store *s, arena *a, long long id, store_comment *out)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    store_comment *v;
    size_t n;
    store_status rs = comments_read(s, a,
                                    "SELECT " COMMENT_COLS ", a.slug FROM comments c"
                                    " JOIN articles a ON a.id = c.article_id WHERE c.id = $1",
                                    &p, &v, &n);
    if (rs == STORE_OK && n == 0) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) *out = v[0];
    return rs;
}

/* ---- Moderation -------------------------------------------------------------------------- */
/* Runs sql ($1 the ids, $2 the status when set_status) in one transaction, after locking the
 * comments and checking that every id exists. */
static store_status comments_bulk(store *s, const long long *ids, size_t n, const char *sql,
                                  const comment_status *status, const char *what)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK || n == 0) return rs;
    if (!ids) return pg_failf(c, STORE_INVALID, "no comment ids given");
    arena *a = arena_new();
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, pg_id_array(a, ids, n));
    long long missing = 0;
    rs = pg_begin_write(c);
    if (rs == STORE_OK)
        rs = pg_exec(c, "SELECT id FROM comments WHERE id = ANY($1::bigint[]) FOR UPDATE", &p, NULL,
                     "checking comments");
    if (rs == STORE_OK) {
        rs = pg_exec_int(c,
                         "SELECT j FROM unnest($1::bigint[]) AS j WHERE NOT EXISTS"
                         " (SELECT 1 FROM comments c WHERE c.id = j) LIMIT 1",
                         &p, &missing, "checking comments");
        rs = rs == STORE_NOT_FOUND ? STORE_OK
             : rs == STORE_OK      ? pg_failf(c, STORE_NOT_FOUND, "no such comment: %lld", missing)
                                   : rs;
    }
    if (status) pg_param_int(&p, (long long)*status);
    if (rs == STORE_OK) rs = pg_exec(c, sql, &p, NULL, what);
    arena_free(a);
    return pg_finish(c, rs);
}

store_status pg_store_comments_set_status(store *s, const long long *ids, size_t n,
                                          comment_status status)
{
    if ((unsigned)status > COMMENT_TRASH) {
        pg_conn *c;
        store_status rs = pg_conn_get(s, &c);
        return rs != STORE_OK
                   ? rs
                   : pg_failf(c, STORE_INVALID, "unknown comment status %d", (int)status);
    }
    return comments_bulk(s, ids, n, "UPDATE comments SET status = $2 WHERE id = ANY($1::bigint[])",
                         &status, "moderating comments");
}

/* Replies go with their comment (comments.parent_id is ON DELETE CASCADE). */
store_status pg_store_comments_delete(store *s, const long long *ids, size_t n)
{
    return comments_bulk(s, ids, n, "DELETE FROM comments WHERE id = ANY($1::bigint[])", NULL,
                         "deleting comments");
}

store_status pg_store_comment_counts(store *s, const long long *article_ids, size_t n,
                                     long long *counts)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK || n == 0) return rs;
    if (!article_ids || !counts) return pg_failf(c, STORE_INVALID, "no article ids given");
    memset(counts, 0, n * sizeof *counts);
    arena *a = arena_new();
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, pg_id_array(a, article_ids, n));
    PGresult *r;
    rs = pg_exec(c,
                 "SELECT u.i - 1, (SELECT count(*) FROM comments c WHERE c.article_id = u.j"
                 " AND c.status = 1) FROM unnest($1::bigint[]) WITH ORDINALITY AS u (j, i)",
                 &p, &r, "counting comments");
    arena_free(a);
    if (rs != STORE_OK) return rs;
    for (int row = 0; row < PQntuples(r); row++) {
        long long k = pg_int(r, row, 0);
        if (k >= 0 && (size_t)k < n) counts[k] = pg_int(r, row, 1);
    }
    PQclear(r);
    return STORE_OK;
}

/* A reply from the newsroom: approved at once, and it approves the pending comment it answers
 * (in the same transaction). STORE_NOT_FOUND when the comment does not exist. */
store_status pg_store_comment_staff_reply(store *s, long long parent_id, long long staff_user_id,
                                          const char *author_name, const char *author_email,
                                          const char *body, long long *id)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!body || !body[0] || !author_name || !author_name[0])
        return pg_failf(c, STORE_INVALID, "a staff reply needs a body and a name");
    unsigned char hash[8];
    store_body_hash(body, hash);
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, parent_id);
    pg_param_text(&p, author_name);
    pg_param_text(&p, author_email ? author_email : "");
    pg_param_text(&p, body);
    pg_param_bytes(&p, hash, sizeof hash);
    pg_param_int(&p, staff_user_id);
    pg_param_int(&p, pg_now());
    long long new_id = 0;
    rs = pg_begin_write(c);
    if (rs == STORE_OK)
        rs = pg_exec_int(c,
                         "INSERT INTO comments (article_id, parent_id, author_name,"
                         " author_email, body, status, created_at, body_hash, staff_user_id)"
                         " SELECT article_id, id, $2, $3, $4, 1, $7, $5, $6"
                         " FROM comments WHERE id = $1 RETURNING id",
                         &p, &new_id, "saving a staff reply");
    if (rs == STORE_NOT_FOUND)
        rs = pg_failf(c, STORE_NOT_FOUND, "comment %lld does not exist", parent_id);
    if (rs == STORE_OK) {
        pg_params_init(&p);
        pg_param_int(&p, parent_id);
        rs = pg_exec(c, "UPDATE comments SET status = 1 WHERE id = $1 AND status = 0", &p, NULL,
                     "approving the comment replied to");
    }
    rs = pg_finish(c, rs);
    if (rs == STORE_OK && id) *id = new_id;
    return rs;
}
