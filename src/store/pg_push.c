/* pg_push.c — Web Push in PostgreSQL (store.h's push section; the same rules as sqlite.c's):
 * the site's VAPID keys, readers' subscriptions, breaking-news marks and the queue of messages.
 * Several nodes may send at once: a claim takes the due messages with FOR UPDATE SKIP LOCKED,
 * so a message locked by one sender is never taken by another, and the lease it writes keeps it
 * from being due again until then. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "store_backend.h"

/* An arena copy of bytea column col when it has exactly n bytes, else NULL. */
static const unsigned char *bytes_of(arena *a, const PGresult *r, int row, int col, size_t n)
{
    size_t len = 0;
    const unsigned char *bytes = pg_bytes(a, r, row, col, &len);
    return bytes && len == n ? bytes : NULL;
}

/* The number of rows a command changed. */
static long long changed(const PGresult *r)
{
    return strtoll(PQcmdTuples((PGresult *)r), NULL, 10);
}

/* Runs one write statement in its own transaction; *rows (may be NULL) gets the rows it
 * changed. */
static store_status write_one(store *s, const char *sql, const pg_params *p, long long *rows,
                              const char *what)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r = NULL;
    rs = pg_begin_write(c);
    if (rs == STORE_OK) rs = pg_exec(c, sql, p, &r, what);
    if (rs == STORE_OK && rows) *rows = changed(r);
    PQclear(r);
    return pg_finish(c, rs);
}

store_status pg_store_push_vapid_get(store *s, arena *a, store_push_vapid *out)
{
    *out = (store_push_vapid){0};
    pg_conn *c;
    PGresult *r;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = pg_exec(c, "SELECT private_key, public_key FROM push_vapid WHERE id = 1", NULL, &r,
                 "reading the VAPID keys");
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) == 0) {
        rs = pg_failf(c, STORE_NOT_FOUND, "the site has no VAPID keys yet");
    } else {
        out->private_key = bytes_of(a, r, 0, 0, 32);
        out->public_key = bytes_of(a, r, 0, 1, 65);
        rs = out->private_key && out->public_key
                 ? STORE_OK
                 : pg_failf(c, STORE_INVALID, "the stored VAPID keys have the wrong size");
    }
    PQclear(r);
    return rs;
}

store_status pg_store_push_vapid_put(store *s, const unsigned char private_key[32],
                                     const unsigned char public_key[65])
{
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, private_key, 32);
    pg_param_bytes(&p, public_key, 65);
    pg_param_int(&p, pg_now());
    return write_one(s,
                     "INSERT INTO push_vapid (id, private_key, public_key, created_at)"
                     " VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
                     &p, NULL, "saving the VAPID keys");
}

store_status pg_store_push_subscribe(store *s, const char *endpoint, const unsigned char p256dh[65],
                                     const unsigned char auth[16])
{
    if (!endpoint || !*endpoint) {
        pg_conn *c;
        store_status rs = pg_conn_get(s, &c);
        return rs != STORE_OK ? rs : pg_failf(c, STORE_INVALID, "the push endpoint is empty");
    }
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, endpoint);
    pg_param_bytes(&p, p256dh, 65);
    pg_param_bytes(&p, auth, 16);
    pg_param_int(&p, pg_now());
    return write_one(s,
                     "INSERT INTO push_subscriptions (endpoint, p256dh, auth, created_at)"
                     " VALUES ($1, $2, $3, $4) ON CONFLICT (endpoint) DO UPDATE"
                     " SET p256dh = excluded.p256dh, auth = excluded.auth",
                     &p, NULL, "saving a push subscription");
}

/* A subscription's waiting messages go with it (push_messages.subscription_id cascades). */
static store_status push_delete(store *s, const char *sql, const pg_params *p)
{
    long long rows = 0;
    store_status rs = write_one(s, sql, p, &rows, "removing a push subscription");
    if (rs == STORE_OK && rows == 0) {
        pg_conn *c;
        if ((rs = pg_conn_get(s, &c)) == STORE_OK)
            rs = pg_failf(c, STORE_NOT_FOUND, "no such push subscription");
    }
    return rs;
}

store_status pg_store_push_unsubscribe(store *s, const char *endpoint)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, endpoint ? endpoint : "");
    return push_delete(s, "DELETE FROM push_subscriptions WHERE endpoint = $1", &p);
}

store_status pg_store_push_subscription_delete(store *s, long long subscription_id)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, subscription_id);
    return push_delete(s, "DELETE FROM push_subscriptions WHERE id = $1", &p);
}

/* Inside store_push_mark_breaking's transaction: the marking and the queue, its messages
 * numbered in the order of the subscriptions (as SQLite's rowids are). STORE_CONFLICT (with
 * what the first marking queued, and when) when the story was marked before. */
static store_status mark_in_tx(pg_conn *c, const char *slug, long long now, long long *queued,
                               long long *marked_at)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, now);
    pg_param_text(&p, slug);
    long long article = 0;
    store_status rs = pg_exec_int(c,
                                  "SELECT a.id FROM articles a WHERE a.slug = $2"
                                  " AND a.status >= 1 AND a.published_at <= $1"
                                  " AND a.kind = 'story'",
                                  &p, &article, "finding the story");
    if (rs == STORE_NOT_FOUND) return pg_failf(c, rs, "no live story has the slug '%s'", slug);
    if (rs != STORE_OK) return rs;
    pg_params_init(&p);
    pg_param_int(&p, article);
    pg_param_int(&p, now);
    rs = pg_exec_int(c,
                     "INSERT INTO push_breaking (article_id, marked_at, queued) VALUES ($1, $2, 0)"
                     " ON CONFLICT (article_id) DO NOTHING RETURNING article_id",
                     &p, NULL, "marking the story breaking");
    if (rs == STORE_NOT_FOUND) { /* marked before: say when, queue nothing */
        PGresult *r;
        pg_params q;
        pg_params_init(&q);
        pg_param_int(&q, article);
        rs = pg_exec(c, "SELECT queued, marked_at FROM push_breaking WHERE article_id = $1", &q, &r,
                     "reading the breaking mark");
        if (rs != STORE_OK) return rs;
        if (PQntuples(r) > 0) {
            *queued = pg_int(r, 0, 0);
            *marked_at = pg_int(r, 0, 1);
        }
        PQclear(r);
        return pg_failf(c, STORE_CONFLICT, "the story '%s' was marked breaking already", slug);
    }
    if (rs != STORE_OK) return rs;
    PGresult *r;
    rs = pg_exec(c,
                 "INSERT INTO push_messages (subscription_id, article_id, next_attempt_at)"
                 " SELECT id, $1, $2 FROM push_subscriptions ORDER BY id"
                 " ON CONFLICT (subscription_id, article_id) DO NOTHING",
                 &p, &r, "queueing notifications");
    if (rs != STORE_OK) return rs;
    *queued = changed(r);
    *marked_at = now;
    PQclear(r);
    pg_params_init(&p);
    pg_param_int(&p, article);
    pg_param_int(&p, *queued);
    return pg_exec(c, "UPDATE push_breaking SET queued = $2 WHERE article_id = $1", &p, NULL,
                   "marking the story breaking");
}

store_status pg_store_push_mark_breaking(store *s, const char *slug, long long *queued,
                                         long long *marked_at)
{
    *queued = 0;
    *marked_at = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!slug || !*slug) return pg_failf(c, STORE_INVALID, "no story slug given");
    rs = pg_begin_write(c);
    if (rs == STORE_OK) rs = mark_in_tx(c, slug, pg_now(), queued, marked_at);
    if (rs == STORE_CONFLICT || rs == STORE_NOT_FOUND) { /* nothing was written */
        store_status end = pg_finish(c, STORE_OK);
        if (end != STORE_OK) return end;
        return rs == STORE_CONFLICT
                   ? pg_failf(c, rs, "the story '%s' was marked breaking already", slug)
                   : pg_failf(c, rs, "no live story has the slug '%s'", slug);
    }
    rs = pg_finish(c, rs);
    if (rs != STORE_OK) *queued = 0;
    return rs;
}

/* $1 now, $2 lease end, $3 limit: the due messages nobody else holds, oldest first, each
 * counting an attempt and leased until $2, with what sending them needs. */
#define PUSH_CLAIM                                                                                 \
    "WITH due AS (SELECT id, next_attempt_at FROM push_messages"                                   \
    " WHERE state = 0 AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3"             \
    " FOR UPDATE SKIP LOCKED),"                                                                    \
    " claimed AS (UPDATE push_messages m SET attempts = m.attempts + 1, next_attempt_at = $2"      \
    " FROM due WHERE m.id = due.id"                                                                \
    " RETURNING m.id, m.subscription_id, m.article_id, m.attempts, due.next_attempt_at AS due_at)" \
    " SELECT k.id, k.subscription_id, k.article_id, k.attempts, s.endpoint, s.p256dh, s.auth,"     \
    " a.slug, a.headline, a.lead, (a.status >= 1 AND a.published_at <= $1)::int"                   \
    " FROM claimed k JOIN push_subscriptions s ON s.id = k.subscription_id"                        \
    " JOIN articles a ON a.id = k.article_id ORDER BY k.due_at, k.id"

store_status pg_store_push_claim(store *s, arena *a, long long now, long long lease_until,
                                 size_t limit, store_push_message **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, now);
    pg_param_int(&p, lease_until);
    pg_param_size(&p, limit);
    PGresult *r = NULL;
    rs = pg_begin_write(c);
    if (rs == STORE_OK) rs = pg_exec(c, PUSH_CLAIM, &p, &r, "claiming push messages");
    rs = pg_finish(c, rs);
    if (rs != STORE_OK) {
        PQclear(r);
        return rs;
    }
    size_t len = (size_t)PQntuples(r);
    store_push_message *rows = len ? arena_alloc(a, len * sizeof *rows) : NULL;
    for (size_t i = 0; i < len; i++) {
        int row = (int)i;
        rows[i] = (store_push_message){.id = pg_int(r, row, 0),
                                       .subscription_id = pg_int(r, row, 1),
                                       .article_id = pg_int(r, row, 2),
                                       .attempts = (int)pg_int(r, row, 3),
                                       .endpoint = pg_text(a, r, row, 4),
                                       .p256dh = bytes_of(a, r, row, 5, 65),
                                       .auth = bytes_of(a, r, row, 6, 16),
                                       .slug = pg_text(a, r, row, 7),
                                       .headline = pg_text(a, r, row, 8),
                                       .lead = pg_text(a, r, row, 9),
                                       .live = pg_int(r, row, 10) != 0};
    }
    PQclear(r);
    *out = rows;
    *n = len;
    return STORE_OK;
}

store_status pg_store_push_message_finish(store *s, long long id, push_message_state state,
                                          long long retry_at)
{
    if ((unsigned)state > PUSH_MESSAGE_FAILED) {
        pg_conn *c;
        store_status rs = pg_conn_get(s, &c);
        return rs != STORE_OK
                   ? rs
                   : pg_failf(c, STORE_INVALID, "unknown push message state %d", (int)state);
    }
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    pg_param_int(&p, (long long)state);
    pg_param_int(&p, state == PUSH_MESSAGE_WAITING ? retry_at : pg_now());
    return write_one(s,
                     "UPDATE push_messages SET state = $2::bigint,"
                     " next_attempt_at = CASE WHEN $2::bigint = 0 THEN $3 ELSE next_attempt_at END,"
                     " done_at = CASE WHEN $2::bigint = 0 THEN NULL ELSE $3 END"
                     " WHERE id = $1 AND state = 0",
                     &p, NULL, "recording a push message");
}

store_status pg_store_push_next_due(store *s, long long *at)
{
    *at = 0;
    pg_conn *c;
    PGresult *r;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = pg_exec(c, "SELECT min(next_attempt_at) FROM push_messages WHERE state = 0", NULL, &r,
                 "reading the push queue");
    if (rs != STORE_OK) return rs;
    bool some = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
    if (some) *at = pg_int(r, 0, 0);
    PQclear(r);
    return some ? STORE_OK : STORE_NOT_FOUND;
}

store_status pg_store_push_prune(store *s, long long before, long long *removed)
{
    *removed = 0;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, before);
    return write_one(s,
                     "DELETE FROM push_messages WHERE state IN (1, 2) AND next_attempt_at < $1"
                     " AND done_at < $1",
                     &p, removed, "removing old push messages");
}

store_status pg_store_push_counts(store *s, long long *subscribers, long long counts[3])
{
    *subscribers = 0;
    counts[0] = counts[1] = counts[2] = 0;
    pg_conn *c;
    PGresult *r;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = pg_exec(c,
                 "SELECT -1, count(*) FROM push_subscriptions UNION ALL"
                 " SELECT state, count(*) FROM push_messages GROUP BY state",
                 NULL, &r, "counting push messages");
    if (rs != STORE_OK) return rs;
    for (int row = 0; row < PQntuples(r); row++) {
        long long state = pg_int(r, row, 0), count = pg_int(r, row, 1);
        if (state == -1)
            *subscribers = count;
        else if (state >= 0 && state <= 2)
            counts[state] = count;
    }
    PQclear(r);
    return STORE_OK;
}
