/* pg_newsletter.c — the newsletter in PostgreSQL (store.h, migration 9), as
 * sqlite_newsletter.c keeps it in SQLite: subscribers, their confirmations, the day's top
 * stories and the record of sends. Each write is one transaction; confirmation hashes travel
 * as bytea. Emails are one subscriber whatever their ASCII case (SQLite's COLLATE NOCASE). */
#include <string.h>

#include "pg_internal.h"

#define SUBSCRIBER_COLS "id, email, status, topics, coalesce(confirm_expires, 0)"

static void read_subscriber(arena *a, const PGresult *r, int row, store_subscriber *out)
{
    out->id = pg_int(r, row, 0);
    out->email = pg_text_or_empty(a, r, row, 1);
    out->status = (subscriber_status)pg_int(r, row, 2);
    out->topics = pg_text_or_empty(a, r, row, 3);
    out->confirm_expires = pg_int(r, row, 4);
}

static void param_hash(pg_params *p, const unsigned char *hash)
{
    pg_param_bytes(p, hash, STORE_NEWSLETTER_HASH_BYTES);
}

/* Opens this thread's connection and a write transaction on it. */
static store_status begin(store *s, pg_conn **c)
{
    store_status rs = pg_conn_get(s, c);
    return rs == STORE_OK ? pg_begin_write(*c) : rs;
}

/* A new pending subscriber, or the one with email in any ASCII case (the unique index on
 * lower(email), pg_migrations.c) with this confirmation waiting. */
static store_status request_in_tx(pg_conn *c, const char *email, const char *topics,
                                  const unsigned char *hash, long long expires, long long *id)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, email);
    pg_param_text(&p, topics);
    param_hash(&p, hash);
    pg_param_int(&p, expires);
    pg_param_int(&p, pg_now());
    return pg_exec_int(c,
                       "INSERT INTO newsletter_subscribers (email, status, topics, pending_topics,"
                       " confirm_hash, confirm_expires, created_at)"
                       " VALUES ($1::text, 0, $2::text, $2::text, $3::bytea, $4::bigint,"
                       " $5::bigint) ON CONFLICT ((lower(email))) DO UPDATE"
                       " SET pending_topics = excluded.pending_topics,"
                       " confirm_hash = excluded.confirm_hash,"
                       " confirm_expires = excluded.confirm_expires RETURNING id",
                       &p, id, "saving a newsletter subscriber");
}

store_status pg_store_newsletter_request(store *s, const char *email, const char *topics,
                                         const unsigned char *hash, long long expires,
                                         long long *id)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    long long new_id = 0;
    rs = pg_finish(c, request_in_tx(c, email, topics, hash, expires, &new_id));
    if (rs == STORE_OK) *id = new_id;
    return rs;
}

store_status pg_store_newsletter_withdraw(store *s, long long id, const unsigned char *hash)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    param_hash(&p, hash);
    rs = pg_exec(c,
                 "DELETE FROM newsletter_subscribers WHERE id = $1::bigint"
                 " AND confirm_hash = $2::bytea AND status = 0 AND confirmed_at IS NULL",
                 &p, NULL, "withdrawing a newsletter request");
    if (rs == STORE_OK)
        rs = pg_exec(c,
                     "UPDATE newsletter_subscribers SET confirm_hash = NULL,"
                     " confirm_expires = NULL, pending_topics = NULL"
                     " WHERE id = $1::bigint AND confirm_hash = $2::bytea",
                     &p, NULL, "withdrawing a newsletter request");
    return pg_finish(c, rs);
}

/* The one subscriber sql finds with p; STORE_NOT_FOUND (recorded) when none. */
static store_status read_one(store *s, arena *a, const char *sql, const pg_params *p,
                             store_subscriber *out, const char *what)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r = NULL;
    if ((rs = pg_exec(c, sql, p, &r, what)) != STORE_OK) return rs;
    if (PQntuples(r) > 0)
        read_subscriber(a, r, 0, out);
    else
        rs = pg_failf(c, STORE_NOT_FOUND, "no such subscriber");
    PQclear(r);
    return rs;
}

store_status pg_store_newsletter_by_confirmation(store *s, arena *a, const unsigned char *hash,
                                                 store_subscriber *out)
{
    pg_params p;
    pg_params_init(&p);
    param_hash(&p, hash);
    return read_one(s, a,
                    "SELECT " SUBSCRIBER_COLS
                    " FROM newsletter_subscribers WHERE confirm_hash = $1::bytea",
                    &p, out, "reading a newsletter confirmation");
}

store_status pg_store_newsletter_subscriber(store *s, arena *a, long long id, store_subscriber *out)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    return read_one(s, a,
                    "SELECT " SUBSCRIBER_COLS " FROM newsletter_subscribers WHERE id = $1::bigint",
                    &p, out, "reading a newsletter subscriber");
}

static store_status confirm_in_tx(pg_conn *c, const unsigned char *hash, long long now)
{
    pg_params p;
    pg_params_init(&p);
    param_hash(&p, hash);
    long long expires = 0;
    store_status rs = pg_exec_int(c,
                                  "SELECT coalesce(confirm_expires, 0) FROM newsletter_subscribers"
                                  " WHERE confirm_hash = $1::bytea FOR UPDATE",
                                  &p, &expires, "reading a newsletter confirmation");
    if (rs == STORE_NOT_FOUND) return pg_failf(c, STORE_NOT_FOUND, "no such confirmation");
    if (rs != STORE_OK) return rs;
    if (expires < now) return pg_failf(c, STORE_INVALID, "the confirmation has expired");
    pg_param_int(&p, now);
    return pg_exec(c,
                   "UPDATE newsletter_subscribers SET status = 1,"
                   " topics = coalesce(pending_topics, topics), pending_topics = NULL,"
                   " confirm_hash = NULL, confirm_expires = NULL, confirmed_at = $2::bigint,"
                   " unsubscribed_at = NULL WHERE confirm_hash = $1::bytea",
                   &p, NULL, "confirming a newsletter subscriber");
}

store_status pg_store_newsletter_confirm(store *s, const unsigned char *hash, long long now)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    return pg_finish(c, confirm_in_tx(c, hash, now));
}

store_status pg_store_newsletter_unsubscribe(store *s, long long id, long long now)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    pg_param_int(&p, now);
    rs = pg_exec_int(c,
                     "UPDATE newsletter_subscribers SET status = 2,"
                     " confirm_hash = NULL, confirm_expires = NULL, pending_topics = NULL,"
                     " unsubscribed_at = coalesce(unsubscribed_at, $2::bigint)"
                     " WHERE id = $1::bigint RETURNING id",
                     &p, NULL, "unsubscribing");
    if (rs == STORE_NOT_FOUND) rs = pg_failf(c, STORE_NOT_FOUND, "no such subscriber");
    return pg_finish(c, rs);
}

store_status pg_store_newsletter_confirmed(store *s, arena *a, store_subscriber **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r = NULL;
    rs = pg_exec(c,
                 "SELECT " SUBSCRIBER_COLS " FROM newsletter_subscribers"
                 " WHERE status = 1 ORDER BY id",
                 NULL, &r, "listing newsletter subscribers");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    if (rows > 0) *out = arena_alloc(a, (size_t)rows * sizeof **out);
    for (int i = 0; i < rows; i++)
        read_subscriber(a, r, i, &(*out)[(*n)++]);
    PQclear(r);
    return rs;
}

store_status pg_store_newsletter_top_stories(store *s, arena *a, long long since, long long until,
                                             size_t limit, long long **ids, long long **comments,
                                             size_t *n)
{
    *ids = *comments = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, since);
    pg_param_int(&p, until);
    pg_param_int(&p, limit > 100000 ? 100000 : (long long)limit);
    PGresult *r = NULL;
    rs = pg_exec(c,
                 "SELECT a.id, (SELECT count(*) FROM comments c WHERE c.article_id = a.id"
                 " AND c.status = 1) AS approved FROM articles a"
                 " WHERE a.status >= 1 AND a.kind = 'story' AND a.published_at > $1::bigint"
                 " AND a.published_at <= $2::bigint"
                 " ORDER BY approved DESC, a.published_at DESC, a.id DESC LIMIT $3::bigint",
                 &p, &r, "reading the day's stories");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    if (rows > 0) {
        *ids = arena_alloc(a, (size_t)rows * sizeof **ids);
        *comments = arena_alloc(a, (size_t)rows * sizeof **comments);
    }
    for (int i = 0; i < rows; i++) {
        (*ids)[i] = pg_int(r, i, 0);
        (*comments)[i] = pg_int(r, i, 1);
    }
    *n = (size_t)rows;
    PQclear(r);
    return rs;
}

store_status pg_store_newsletter_claim(store *s, long long subscriber_id, const char *day,
                                       long long now)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, subscriber_id);
    pg_param_text(&p, day);
    pg_param_int(&p, now);
    rs = pg_exec_int(c,
                     "INSERT INTO newsletter_sends (subscriber_id, day, sent_at)"
                     " SELECT id, $2::text, $3::bigint FROM newsletter_subscribers"
                     " WHERE id = $1::bigint AND status = 1 RETURNING subscriber_id",
                     &p, NULL, "recording a newsletter send");
    if (rs == STORE_NOT_FOUND)
        rs = pg_failf(c, STORE_NOT_FOUND, "subscriber %lld is not confirmed", subscriber_id);
    return pg_finish(c, rs);
}

store_status pg_store_newsletter_unclaim(store *s, long long subscriber_id, const char *day)
{
    pg_conn *c;
    store_status rs = begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, subscriber_id);
    pg_param_text(&p, day);
    rs = pg_exec(c,
                 "DELETE FROM newsletter_sends WHERE subscriber_id = $1::bigint"
                 " AND day = $2::text",
                 &p, NULL, "withdrawing a newsletter send");
    return pg_finish(c, rs);
}
