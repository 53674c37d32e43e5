/* sqlite_newsletter.c — the newsletter's part of the SQLite backend (store.h, migration 9):
 * subscribers, their confirmations, the day's top stories and the record of sends. Each
 * function prepares its statement, binds every value and finalizes it (these calls are rare
 * next to page views); writes run in one BEGIN IMMEDIATE transaction each. */
#include <string.h>

#include "sqlite_internal.h"

#define SUBSCRIBER_COLS "id, email, status, topics, coalesce(confirm_expires, 0)"

typedef sqlite_query query;

static store_status start(store *s, query *q, const char *sql)
{
    return sqlite_query_start(s, q, sql, "preparing a newsletter query");
}

/* Prepares sql on the connection already in hand (inside a transaction). */
static store_status again(query *q, const char *sql)
{
    return sqlite_query_prepare(q, sql, "preparing a newsletter query");
}

static void bind_hash(query *q, int i, const unsigned char *hash)
{
    sqlite_query_blob(q, i, hash, STORE_NEWSLETTER_HASH_BYTES);
}

/* Column i as an arena string, "" for SQL NULL. */
static const char *text_at(arena *a, sqlite3_stmt *st, int i)
{
    const char *text = sqlite_column_copy(a, st, i);
    return text ? text : "";
}

/* Prepares sql on a connection already in hand (inside a transaction). */
static void read_subscriber(arena *a, sqlite3_stmt *st, store_subscriber *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->email = text_at(a, st, 1);
    out->status = (subscriber_status)sqlite3_column_int(st, 2);
    out->topics = text_at(a, st, 3);
    out->confirm_expires = sqlite3_column_int64(st, 4);
}

store_status sqlite_store_newsletter_request(store *s, const char *email, const char *topics,
                                             const unsigned char *hash, long long expires,
                                             long long *id)
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
    sqlite_query_text(&q, 1, email);
    sqlite_query_text(&q, 2, topics);
    bind_hash(&q, 3, hash);
    sqlite_query_int(&q, 4, expires);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "saving a newsletter subscriber");
    if (rs == STORE_OK && row) *id = sqlite3_column_int64(q.st, 0);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "saving a newsletter subscriber");
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_newsletter_withdraw(store *s, long long id, const unsigned char *hash)
{
    query q;
    store_status rs = start(s, &q,
                            "DELETE FROM newsletter_subscribers WHERE id = ?1"
                            " AND confirm_hash = ?2 AND status = 0 AND confirmed_at IS NULL");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, id);
    bind_hash(&q, 2, hash);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "withdrawing a newsletter request");
    if (rs == STORE_OK && (rs = again(&q, "UPDATE newsletter_subscribers SET confirm_hash = NULL,"
                                          " confirm_expires = NULL, pending_topics = NULL"
                                          " WHERE id = ?1 AND confirm_hash = ?2")) == STORE_OK) {
        sqlite_query_int(&q, 1, id);
        bind_hash(&q, 2, hash);
        rs = sqlite_query_step(&q, NULL, "withdrawing a newsletter request");
    }
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

/* One subscriber by sql's ?1 (an id or a hash, bound by the caller). */
static store_status read_one(query *q, arena *a, store_subscriber *out, const char *what)
{
    bool row = false;
    store_status rs = sqlite_query_step(q, &row, what);
    if (rs == STORE_OK && row) read_subscriber(a, q->st, out);
    if (rs == STORE_OK && !row) rs = sqlite_failf(q->c, STORE_NOT_FOUND, "no such subscriber");
    sqlite_query_end(q);
    return rs;
}

store_status sqlite_store_newsletter_by_confirmation(store *s, arena *a, const unsigned char *hash,
                                                     store_subscriber *out)
{
    query q;
    store_status rs = start(
        s, &q, "SELECT " SUBSCRIBER_COLS " FROM newsletter_subscribers WHERE confirm_hash = ?1");
    if (rs != STORE_OK) return rs;
    bind_hash(&q, 1, hash);
    return read_one(&q, a, out, "reading a newsletter confirmation");
}

store_status sqlite_store_newsletter_subscriber(store *s, arena *a, long long id,
                                                store_subscriber *out)
{
    query q;
    store_status rs =
        start(s, &q, "SELECT " SUBSCRIBER_COLS " FROM newsletter_subscribers WHERE id = ?1");
    if (rs != STORE_OK) return rs;
    sqlite_query_int(&q, 1, id);
    return read_one(&q, a, out, "reading a newsletter subscriber");
}

store_status sqlite_store_newsletter_confirm(store *s, const unsigned char *hash, long long now)
{
    query q;
    store_status rs = start(s, &q,
                            "SELECT confirm_expires FROM newsletter_subscribers"
                            " WHERE confirm_hash = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_hash(&q, 1, hash);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "reading a newsletter confirmation");
    if (rs == STORE_OK && !row) rs = sqlite_failf(q.c, STORE_NOT_FOUND, "no such confirmation");
    if (rs == STORE_OK && sqlite3_column_int64(q.st, 0) < now)
        rs = sqlite_failf(q.c, STORE_INVALID, "the confirmation has expired");
    if (rs == STORE_OK &&
        (rs = again(&q, "UPDATE newsletter_subscribers SET status = 1,"
                        " topics = coalesce(pending_topics, topics), pending_topics = NULL,"
                        " confirm_hash = NULL, confirm_expires = NULL, confirmed_at = ?2,"
                        " unsubscribed_at = NULL WHERE confirm_hash = ?1")) == STORE_OK) {
        bind_hash(&q, 1, hash);
        sqlite_query_int(&q, 2, now);
        rs = sqlite_query_step(&q, NULL, "confirming a newsletter subscriber");
    }
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_newsletter_unsubscribe(store *s, long long id, long long now)
{
    query q;
    store_status rs = start(s, &q,
                            "UPDATE newsletter_subscribers SET status = 2,"
                            " confirm_hash = NULL, confirm_expires = NULL,"
                            " pending_topics = NULL,"
                            " unsubscribed_at = coalesce(unsubscribed_at, ?2)"
                            " WHERE id = ?1 RETURNING id");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, id);
    sqlite_query_int(&q, 2, now);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "unsubscribing");
    if (rs == STORE_OK && row) rs = sqlite_query_step(&q, NULL, "unsubscribing");
    if (rs == STORE_OK && !row) rs = sqlite_failf(q.c, STORE_NOT_FOUND, "no such subscriber");
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_newsletter_confirmed(store *s, arena *a, store_subscriber **out,
                                               size_t *n)
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
        rs = sqlite_query_step(&q, &row, "listing newsletter subscribers");
        if (rs != STORE_OK || !row) break;
        if (*n == cap) *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        read_subscriber(a, q.st, &(*out)[(*n)++]);
    }
    sqlite_query_end(&q);
    return rs;
}

store_status sqlite_store_newsletter_top_stories(store *s, arena *a, long long since,
                                                 long long until, size_t limit, long long **ids,
                                                 long long **comments, size_t *n)
{
    *ids = *comments = NULL;
    *n = 0;
    query q;
    store_status rs =
        start(s, &q,
              "SELECT a.id, (SELECT count(*) FROM comments c WHERE c.article_id = a.id"
              " AND c.status = 1) AS approved FROM articles a"
              " WHERE a.status >= 1 AND a.kind = 'story' AND a.published_at > ?1"
              " AND a.published_at <= ?2"
              " ORDER BY approved DESC, a.published_at DESC, a.id DESC LIMIT ?3");
    if (rs != STORE_OK) return rs;
    sqlite_query_int(&q, 1, since);
    sqlite_query_int(&q, 2, until);
    sqlite_query_int(&q, 3, limit > 100000 ? 100000 : (long long)limit);
    size_t cap_ids = 0, cap_counts = 0;
    bool row = true;
    while (rs == STORE_OK && row) {
        rs = sqlite_query_step(&q, &row, "reading the day's stories");
        if (rs != STORE_OK || !row) break;
        if (*n == cap_ids) {
            *ids = arena_grow(a, *ids, &cap_ids, *n, sizeof **ids);
            *comments = arena_grow(a, *comments, &cap_counts, *n, sizeof **comments);
        }
        (*ids)[*n] = sqlite3_column_int64(q.st, 0);
        (*comments)[(*n)++] = sqlite3_column_int64(q.st, 1);
    }
    sqlite_query_end(&q);
    return rs;
}

store_status sqlite_store_newsletter_claim(store *s, long long subscriber_id, const char *day,
                                           long long now)
{
    query q;
    store_status rs = start(s, &q,
                            "INSERT INTO newsletter_sends (subscriber_id, day, sent_at)"
                            " SELECT id, ?2, ?3 FROM newsletter_subscribers"
                            " WHERE id = ?1 AND status = 1 RETURNING subscriber_id");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, subscriber_id);
    sqlite_query_text(&q, 2, day);
    sqlite_query_int(&q, 3, now);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "recording a newsletter send");
    if (rs == STORE_OK && row) rs = sqlite_query_step(&q, NULL, "recording a newsletter send");
    if (rs == STORE_OK && !row)
        rs = sqlite_failf(q.c, STORE_NOT_FOUND, "subscriber %lld is not confirmed", subscriber_id);
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_newsletter_unclaim(store *s, long long subscriber_id, const char *day)
{
    query q;
    store_status rs = start(s, &q,
                            "DELETE FROM newsletter_sends"
                            " WHERE subscriber_id = ?1 AND day = ?2");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, subscriber_id);
    sqlite_query_text(&q, 2, day);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "withdrawing a newsletter send");
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}
