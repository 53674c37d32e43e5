/* sqlite_newsletter.c — the newsletter's part of the SQLite backend (store.h, migration 9):
 * subscribers, their confirmations, the day's top stories and the record of sends. Each
 * function prepares its statement, binds every value and finalizes it (these calls are rare
 * next to page views); writes run in one BEGIN IMMEDIATE transaction each. */
#include <string.h>

#include "sqlite_internal.h"

#define SUBSCRIBER_COLS "id, email, status, topics, coalesce(confirm_expires, 0)"

/* One prepared statement and the first binding error (sqlite3_bind_* results are kept). */
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
    return q->rc == SQLITE_OK ? STORE_OK : sqlite_fail(q->c, q->rc, "preparing a newsletter query");
}

/* Prepares sql on a connection already in hand (inside a transaction). */
static store_status again(query *q, const char *sql)
{
    sqlite3_finalize(q->st);
    q->st = NULL;
    q->rc = sqlite3_prepare_v2(q->db, sql, -1, &q->st, NULL);
    return q->rc == SQLITE_OK ? STORE_OK : sqlite_fail(q->c, q->rc, "preparing a newsletter query");
}

static void bind_int(query *q, int i, long long v)
{
    if (q->rc == SQLITE_OK) q->rc = sqlite3_bind_int64(q->st, i, v);
}

static void bind_text(query *q, int i, const char *v)
{
    if (q->rc == SQLITE_OK) q->rc = sqlite3_bind_text(q->st, i, v, -1, SQLITE_STATIC);
}

static void bind_hash(query *q, int i, const unsigned char *hash)
{
    if (q->rc == SQLITE_OK)
        q->rc = sqlite3_bind_blob(q->st, i, hash, STORE_NEWSLETTER_HASH_BYTES, SQLITE_STATIC);
}

/* Steps once: SQLITE_ROW or SQLITE_DONE become STORE_OK (*row says which). */
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

static void read_subscriber(arena *a, sqlite3_stmt *st, store_subscriber *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->email = text_at(a, st, 1);
    out->status = (subscriber_status)sqlite3_column_int(st, 2);
    out->topics = text_at(a, st, 3);
    out->confirm_expires = sqlite3_column_int64(st, 4);
}

store_status store_newsletter_request(store *s, const char *email, const char *topics,
                                      const unsigned char *hash, long long expires, long long *id)
{
    query q;
    store_status rs = start(s, &q,
                            "INSERT INTO newsletter_subscribers (email, status, topics,"
                            " pending_topics, confirm_hash, confirm_expires, created_at)"
                            " VALUES (?1, 0, ?2, ?2, ?3, ?4, unixepoch())"
                            " ON CONFLICT (email) DO UPDATE SET pending_topics = ?2,"
                            " confirm_hash = ?3, confirm_expires = ?4"
                            " RETURNING id");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_text(&q, 1, email);
    bind_text(&q, 2, topics);
    bind_hash(&q, 3, hash);
    bind_int(&q, 4, expires);
    bool row = false;
    if (rs == STORE_OK) rs = step(&q, &row, "saving a newsletter subscriber");
    if (rs == STORE_OK && row) *id = sqlite3_column_int64(q.st, 0);
    if (rs == STORE_OK) rs = step(&q, NULL, "saving a newsletter subscriber");
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status store_newsletter_withdraw(store *s, long long id, const unsigned char *hash)
{
    query q;
    store_status rs = start(s, &q,
                            "DELETE FROM newsletter_subscribers WHERE id = ?1"
                            " AND confirm_hash = ?2 AND status = 0 AND confirmed_at IS NULL");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_int(&q, 1, id);
    bind_hash(&q, 2, hash);
    if (rs == STORE_OK) rs = step(&q, NULL, "withdrawing a newsletter request");
    if (rs == STORE_OK && (rs = again(&q, "UPDATE newsletter_subscribers SET confirm_hash = NULL,"
                                          " confirm_expires = NULL, pending_topics = NULL"
                                          " WHERE id = ?1 AND confirm_hash = ?2")) == STORE_OK) {
        bind_int(&q, 1, id);
        bind_hash(&q, 2, hash);
        rs = step(&q, NULL, "withdrawing a newsletter request");
    }
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

/* One subscriber by sql's ?1 (an id or a hash, bound by the caller). */
static store_status read_one(query *q, arena *a, store_subscriber *out, const char *what)
{
    bool row = false;
    store_status rs = step(q, &row, what);
    if (rs == STORE_OK && row) read_subscriber(a, q->st, out);
    if (rs == STORE_OK && !row) rs = sqlite_failf(q->c, STORE_NOT_FOUND, "no such subscriber");
    end(q);
    return rs;
}

store_status store_newsletter_by_confirmation(store *s, arena *a, const unsigned char *hash,
                                              store_subscriber *out)
{
    query q;
    store_status rs = start(
        s, &q, "SELECT " SUBSCRIBER_COLS " FROM newsletter_subscribers WHERE confirm_hash = ?1");
    if (rs != STORE_OK) return rs;
    bind_hash(&q, 1, hash);
    return read_one(&q, a, out, "reading a newsletter confirmation");
}

store_status store_newsletter_subscriber(store *s, arena *a, long long id, store_subscriber *out)
{
    query q;
    store_status rs =
        start(s, &q, "SELECT " SUBSCRIBER_COLS " FROM newsletter_subscribers WHERE id = ?1");
    if (rs != STORE_OK) return rs;
    bind_int(&q, 1, id);
    return read_one(&q, a, out, "reading a newsletter subscriber");
}

store_status store_newsletter_confirm(store *s, const unsigned char *hash, long long now)
{
    query q;
    store_status rs = start(s, &q,
                            "SELECT confirm_expires FROM newsletter_subscribers"
                            " WHERE confirm_hash = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_hash(&q, 1, hash);
    bool row = false;
    if (rs == STORE_OK) rs = step(&q, &row, "reading a newsletter confirmation");
    if (rs == STORE_OK && !row) rs = sqlite_failf(q.c, STORE_NOT_FOUND, "no such confirmation");
    if (rs == STORE_OK && sqlite3_column_int64(q.st, 0) < now)
        rs = sqlite_failf(q.c, STORE_INVALID, "the confirmation has expired");
    if (rs == STORE_OK &&
        (rs = again(&q, "UPDATE newsletter_subscribers SET status = 1,"
                        " topics = coalesce(pending_topics, topics), pending_topics = NULL,"
                        " confirm_hash = NULL, confirm_expires = NULL, confirmed_at = ?2,"
                        " unsubscribed_at = NULL WHERE confirm_hash = ?1")) == STORE_OK) {
        bind_hash(&q, 1, hash);
        bind_int(&q, 2, now);
        rs = step(&q, NULL, "confirming a newsletter subscriber");
    }
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status store_newsletter_unsubscribe(store *s, long long id, long long now)
{
    query q;
    store_status rs = start(s, &q,
                            "UPDATE newsletter_subscribers SET status = 2,"
                            " confirm_hash = NULL, confirm_expires = NULL,"
                            " pending_topics = NULL,"
                            " unsubscribed_at = coalesce(unsubscribed_at, ?2)"
                            " WHERE id = ?1 RETURNING id");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_int(&q, 1, id);
    bind_int(&q, 2, now);
    bool row = false;
    if (rs == STORE_OK) rs = step(&q, &row, "unsubscribing");
    if (rs == STORE_OK && row) rs = step(&q, NULL, "unsubscribing");
    if (rs == STORE_OK && !row) rs = sqlite_failf(q.c, STORE_NOT_FOUND, "no such subscriber");
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status store_newsletter_confirmed(store *s, arena *a, store_subscriber **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    query q;
    store_status rs = start(s, &q,
                            "SELECT " SUBSCRIBER_COLS " FROM newsletter_subscribers"
                            " WHERE status = 1 ORDER BY id");
    if (rs != STORE_OK) return rs;
    size_t cap = 0;
    bool row = true;
    while (rs == STORE_OK && row) {
        rs = step(&q, &row, "listing newsletter subscribers");
        if (rs != STORE_OK || !row) break;
        if (*n == cap) *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        read_subscriber(a, q.st, &(*out)[(*n)++]);
    }
    end(&q);
    return rs;
}

store_status store_newsletter_top_stories(store *s, arena *a, long long since, long long until,
                                          size_t limit, long long **ids, long long **comments,
                                          size_t *n)
{
    *ids = *comments = NULL;
    *n = 0;
    query q;
    store_status rs =
        start(s, &q,
              "SELECT a.id, (SELECT count(*) FROM comments c WHERE c.article_id = a.id"
              " AND c.status = 1) AS approved FROM articles a"
              " WHERE a.status >= 1 AND a.published_at > ?1 AND a.published_at <= ?2"
              " ORDER BY approved DESC, a.published_at DESC, a.id DESC LIMIT ?3");
    if (rs != STORE_OK) return rs;
    bind_int(&q, 1, since);
    bind_int(&q, 2, until);
    bind_int(&q, 3, limit > 100000 ? 100000 : (long long)limit);
    size_t cap_ids = 0, cap_counts = 0;
    bool row = true;
    while (rs == STORE_OK && row) {
        rs = step(&q, &row, "reading the day's stories");
        if (rs != STORE_OK || !row) break;
        if (*n == cap_ids) {
            *ids = arena_grow(a, *ids, &cap_ids, *n, sizeof **ids);
            *comments = arena_grow(a, *comments, &cap_counts, *n, sizeof **comments);
        }
        (*ids)[*n] = sqlite3_column_int64(q.st, 0);
        (*comments)[(*n)++] = sqlite3_column_int64(q.st, 1);
    }
    end(&q);
    return rs;
}

store_status store_newsletter_claim(store *s, long long subscriber_id, const char *day,
                                    long long now)
{
    query q;
    store_status rs = start(s, &q,
                            "INSERT INTO newsletter_sends (subscriber_id, day, sent_at)"
                            " SELECT id, ?2, ?3 FROM newsletter_subscribers"
                            " WHERE id = ?1 AND status = 1 RETURNING subscriber_id");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_int(&q, 1, subscriber_id);
    bind_text(&q, 2, day);
    bind_int(&q, 3, now);
    bool row = false;
    if (rs == STORE_OK) rs = step(&q, &row, "recording a newsletter send");
    if (rs == STORE_OK && row) rs = step(&q, NULL, "recording a newsletter send");
    if (rs == STORE_OK && !row)
        rs = sqlite_failf(q.c, STORE_NOT_FOUND, "subscriber %lld is not confirmed", subscriber_id);
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status store_newsletter_unclaim(store *s, long long subscriber_id, const char *day)
{
    query q;
    store_status rs = start(s, &q,
                            "DELETE FROM newsletter_sends"
                            " WHERE subscriber_id = ?1 AND day = ?2");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_int(&q, 1, subscriber_id);
    bind_text(&q, 2, day);
    if (rs == STORE_OK) rs = step(&q, NULL, "withdrawing a newsletter send");
    end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}
