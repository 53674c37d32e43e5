/* sqlite_newsroom.c — what the newsroom (src/admin) keeps in SQLite (store.h, migrations 7, 12):
 * users, their sessions and reset links; staff replies to comments; the topics screen. Each
 * function prepares its statements,
 * binds every value and finalizes them; every write runs in one BEGIN IMMEDIATE transaction. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sqlite_internal.h"

#define USER_COLS                                                                                  \
    "id, login, email, display_name, role, password_hash, coalesce(author_id, 0), created_at,"     \
    " disabled"

typedef sqlite_query query;

static store_status start(store *s, query *q, const char *sql)
{
    return sqlite_query_start(s, q, sql, "preparing an account query");
}

/* Prepares sql on the connection already in hand (inside a transaction). */
static store_status again(query *q, const char *sql)
{
    return sqlite_query_prepare(q, sql, "preparing an account query");
}

static void bind_hash(query *q, int i, const unsigned char *hash)
{
    sqlite_query_blob(q, i, hash, STORE_TOKEN_HASH_BYTES);
}

/* Prepares sql on the connection already in hand (inside a transaction). */
/* Reads USER_COLS starting at column first. */
static void read_user(arena *a, sqlite3_stmt *st, int first, store_user *out)
{
    out->id = sqlite3_column_int64(st, first);
    out->login = sqlite_column_copy(a, st, first + 1);
    out->email = sqlite_column_copy(a, st, first + 2);
    out->display_name = sqlite_column_copy(a, st, first + 3);
    out->role = sqlite_column_copy(a, st, first + 4);
    out->password_hash = sqlite_column_copy(a, st, first + 5);
    out->author_id = sqlite3_column_int64(st, first + 6);
    out->created_at = sqlite3_column_int64(st, first + 7);
    out->disabled = sqlite3_column_int(st, first + 8) != 0;
}

/* The id of the author with slug, created (named name) when missing. */
static store_status author_for(query *q, const char *slug, const char *name, long long *id)
{
    store_status rs = again(q, "INSERT INTO authors (slug, name) VALUES (?1, ?2)"
                               " ON CONFLICT (slug) DO NOTHING");
    sqlite_query_text(q, 1, slug);
    sqlite_query_text(q, 2, name);
    if (rs == STORE_OK) rs = sqlite_query_step(q, NULL, "adding the user's author");
    if (rs == STORE_OK) rs = again(q, "SELECT id FROM authors WHERE slug = ?1");
    sqlite_query_text(q, 1, slug);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(q, &row, "finding the user's author");
    if (rs == STORE_OK) *id = row ? sqlite3_column_int64(q->st, 0) : 0;
    return rs;
}

store_status sqlite_store_user_add(store *s, const store_user *in, const char *author_slug,
                                   long long *id)
{
    if (!in->login || !in->login[0] || !in->display_name || !in->role) return STORE_INVALID;
    query q;
    store_status rs = start(s, &q, "SELECT 1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    long long author_id = 0;
    if (rs == STORE_OK && author_slug)
        rs = author_for(&q, author_slug, in->display_name, &author_id);
    if (rs == STORE_OK)
        rs = again(&q, "INSERT INTO users (login, email, display_name, password_hash, role,"
                       " author_id, created_at, password_changed_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), unixepoch(),"
                       " CASE WHEN ?4 IS NULL THEN NULL ELSE unixepoch() END)");
    sqlite_query_text(&q, 1, in->login);
    sqlite_query_text(&q, 2, in->email);
    sqlite_query_text(&q, 3, in->display_name);
    sqlite_query_text(&q, 4, in->password_hash);
    sqlite_query_text(&q, 5, in->role);
    sqlite_query_int(&q, 6, author_id);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "adding a user");
    if (rs == STORE_OK && id) *id = sqlite3_last_insert_rowid(q.db);
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

static store_status user_where(store *s, arena *a, const char *where, const char *text,
                               long long number, store_user *out)
{
    query q;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT " USER_COLS " FROM users WHERE %s", where);
    store_status rs = start(s, &q, sql);
    if (text)
        sqlite_query_text(&q, 1, text);
    else
        sqlite_query_int(&q, 1, number);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "reading a user");
    if (rs == STORE_OK && !row) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) read_user(a, q.st, 0, out);
    sqlite_query_end(&q);
    return rs;
}

store_status sqlite_store_user_by_login(store *s, arena *a, const char *login, store_user *out)
{
    return user_where(s, a, "login = ?1", login ? login : "", 0, out);
}

store_status sqlite_store_user_by_id(store *s, arena *a, long long id, store_user *out)
{
    return user_where(s, a, "id = ?1", NULL, id, out);
}

store_status sqlite_store_users_list(store *s, arena *a, store_user **out, size_t *n)
{
    query q;
    *out = NULL;
    *n = 0;
    store_status rs = start(s, &q, "SELECT " USER_COLS " FROM users ORDER BY login");
    size_t cap = 0;
    bool row = true;
    while (rs == STORE_OK && (rs = sqlite_query_step(&q, &row, "listing users")) == STORE_OK &&
           row) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        read_user(a, q.st, 0, &(*out)[(*n)++]);
    }
    sqlite_query_end(&q);
    return rs;
}

/* Runs one UPDATE of a user (?1 the id, ?2 the value) and, when end_sessions, deletes their
 * sessions, in one transaction. */
static store_status user_update(store *s, const char *sql, long long id, const char *text,
                                long long number, bool end_sessions, const char *what)
{
    query q;
    store_status rs = start(s, &q, sql);
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, id);
    if (text)
        sqlite_query_text(&q, 2, text);
    else
        sqlite_query_int(&q, 2, number);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, what);
    if (rs == STORE_OK && sqlite3_changes(q.db) == 0) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK && end_sessions &&
        (rs = again(&q, "DELETE FROM sessions WHERE user_id = ?1")) == STORE_OK) {
        sqlite_query_int(&q, 1, id);
        rs = sqlite_query_step(&q, NULL, "ending the user's sessions");
    }
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_user_set_password(store *s, long long id, const char *password_hash)
{
    if (!password_hash || !password_hash[0]) return STORE_INVALID;
    return user_update(s,
                       "UPDATE users SET password_hash = ?2, password_changed_at = unixepoch()"
                       " WHERE id = ?1",
                       id, password_hash, 0, true, "setting a password");
}

store_status sqlite_store_user_set_role(store *s, long long id, const char *role)
{
    if (!role || !role[0]) return STORE_INVALID;
    return user_update(s, "UPDATE users SET role = ?2 WHERE id = ?1", id, role, 0, false,
                       "changing a role");
}

store_status sqlite_store_user_set_disabled(store *s, long long id, bool disabled)
{
    return user_update(s, "UPDATE users SET disabled = ?2 WHERE id = ?1", id, NULL,
                       disabled ? 1 : 0, disabled, "disabling a user");
}

store_status sqlite_store_session_add(store *s, const unsigned char *token_hash, long long user_id,
                                      long long expires_at, const char *ip, const char *user_agent)
{
    query q;
    store_status rs =
        start(s, &q,
              "INSERT INTO sessions (token_hash, user_id, created_at, expires_at,"
              " last_seen_at, ip, user_agent)"
              " VALUES (?1, ?2, unixepoch(), ?3, unixepoch(), ?4, substr(?5, 1, 300))");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_hash(&q, 1, token_hash);
    sqlite_query_int(&q, 2, user_id);
    sqlite_query_int(&q, 3, expires_at);
    sqlite_query_text(&q, 4, ip);
    sqlite_query_text(&q, 5, user_agent);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "starting a session");
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_session_find(store *s, arena *a, const unsigned char *token_hash,
                                       long long now, store_session *session, store_user *user)
{
    query q;
    store_status rs = start(s, &q,
                            "SELECT s.user_id, s.created_at, s.expires_at, s.last_seen_at,"
                            " u.id, u.login, u.email, u.display_name, u.role, u.password_hash,"
                            " coalesce(u.author_id, 0), u.created_at, u.disabled"
                            " FROM sessions s JOIN users u ON u.id = s.user_id"
                            " WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0");
    bind_hash(&q, 1, token_hash);
    sqlite_query_int(&q, 2, now);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "reading a session");
    if (rs == STORE_OK && !row) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) {
        session->user_id = sqlite3_column_int64(q.st, 0);
        session->created_at = sqlite3_column_int64(q.st, 1);
        session->expires_at = sqlite3_column_int64(q.st, 2);
        session->last_seen_at = sqlite3_column_int64(q.st, 3);
        read_user(a, q.st, 4, user);
    }
    sqlite_query_end(&q);
    return rs;
}

store_status sqlite_store_session_touch(store *s, const unsigned char *token_hash, long long now,
                                        long long expires_at)
{
    query q;
    store_status rs =
        start(s, &q,
              "UPDATE sessions SET last_seen_at = ?2, expires_at = max(expires_at, ?3)"
              " WHERE token_hash = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_hash(&q, 1, token_hash);
    sqlite_query_int(&q, 2, now);
    sqlite_query_int(&q, 3, expires_at);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "recording a session's use");
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_session_delete(store *s, const unsigned char *token_hash)
{
    query q;
    store_status rs = start(s, &q, "DELETE FROM sessions WHERE token_hash = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_hash(&q, 1, token_hash);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "ending a session");
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_sessions_end_user(store *s, long long user_id, size_t *n)
{
    query q;
    store_status rs = start(s, &q, "DELETE FROM sessions WHERE user_id = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, user_id);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "ending a user's sessions");
    if (rs == STORE_OK && n) *n = (size_t)sqlite3_changes(q.db);
    if (rs == STORE_OK &&
        (rs = again(&q, "DELETE FROM sessions WHERE expires_at <= ?1")) == STORE_OK) {
        sqlite_query_int(&q, 1, (long long)time(NULL));
        rs = sqlite_query_step(&q, NULL, "removing expired sessions");
    }
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_reset_add(store *s, const unsigned char *token_hash, long long user_id,
                                    long long expires_at)
{
    query q;
    store_status rs = start(s, &q,
                            "INSERT INTO password_resets (token_hash, user_id, created_at,"
                            " expires_at) VALUES (?1, ?2, unixepoch(), ?3)");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_hash(&q, 1, token_hash);
    sqlite_query_int(&q, 2, user_id);
    sqlite_query_int(&q, 3, expires_at);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "saving a reset link");
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_reset_find(store *s, const unsigned char *token_hash, long long now,
                                     long long *user_id)
{
    query q;
    store_status rs =
        start(s, &q,
              "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id"
              " WHERE r.token_hash = ?1 AND r.used_at IS NULL AND r.expires_at > ?2"
              " AND u.disabled = 0");
    bind_hash(&q, 1, token_hash);
    sqlite_query_int(&q, 2, now);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "reading a reset link");
    if (rs == STORE_OK && !row) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) *user_id = sqlite3_column_int64(q.st, 0);
    sqlite_query_end(&q);
    return rs;
}

store_status sqlite_store_reset_use(store *s, const unsigned char *token_hash, long long now,
                                    const char *password_hash, long long *user_id)
{
    if (!password_hash || !password_hash[0]) return STORE_INVALID;
    query q;
    store_status rs = start(s, &q,
                            "UPDATE password_resets SET used_at = ?2 WHERE token_hash = ?1"
                            " AND used_at IS NULL AND expires_at > ?2"
                            " AND user_id IN (SELECT id FROM users WHERE disabled = 0)"
                            " RETURNING user_id");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bind_hash(&q, 1, token_hash);
    sqlite_query_int(&q, 2, now);
    bool row = false;
    long long id = 0;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "spending a reset link");
    if (rs == STORE_OK && !row) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) {
        id = sqlite3_column_int64(q.st, 0);
        rs = sqlite_query_step(&q, NULL, "spending a reset link");
    }
    if (rs == STORE_OK &&
        (rs = again(&q, "UPDATE users SET password_hash = ?2, password_changed_at = unixepoch()"
                        " WHERE id = ?1")) == STORE_OK) {
        sqlite_query_int(&q, 1, id);
        sqlite_query_text(&q, 2, password_hash);
        rs = sqlite_query_step(&q, NULL, "setting a password");
    }
    if (rs == STORE_OK && (rs = again(&q, "DELETE FROM sessions WHERE user_id = ?1")) == STORE_OK) {
        sqlite_query_int(&q, 1, id);
        rs = sqlite_query_step(&q, NULL, "ending the user's sessions");
    }
    if (rs == STORE_OK && user_id) *user_id = id;
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_comment_staff_reply(store *s, long long parent_id,
                                              long long staff_user_id, const char *author_name,
                                              const char *author_email, const char *body,
                                              long long *id)
{
    if (!body || !body[0] || !author_name || !author_name[0]) return STORE_INVALID;
    unsigned char hash[8];
    store_body_hash(body, hash);
    query q;
    store_status rs = start(s, &q,
                            "INSERT INTO comments (article_id, parent_id, author_name,"
                            " author_email, body, status, created_at, body_hash, staff_user_id)"
                            " SELECT article_id, id, ?2, ?3, ?4, 1, unixepoch(), ?5, ?6"
                            " FROM comments WHERE id = ?1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    sqlite_query_int(&q, 1, parent_id);
    sqlite_query_text(&q, 2, author_name);
    sqlite_query_text(&q, 3, author_email ? author_email : "");
    sqlite_query_text(&q, 4, body);
    if (q.rc == SQLITE_OK) q.rc = sqlite3_bind_blob(q.st, 5, hash, sizeof hash, SQLITE_STATIC);
    sqlite_query_int(&q, 6, staff_user_id);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "saving a staff reply");
    if (rs == STORE_OK && sqlite3_changes(q.db) == 0)
        rs = sqlite_failf(q.c, STORE_NOT_FOUND, "comment %lld does not exist", parent_id);
    long long new_id = rs == STORE_OK ? sqlite3_last_insert_rowid(q.db) : 0;
    if (rs == STORE_OK &&
        (rs = again(&q, "UPDATE comments SET status = 1 WHERE id = ?1 AND status = 0")) ==
            STORE_OK) {
        sqlite_query_int(&q, 1, parent_id);
        rs = sqlite_query_step(&q, NULL, "approving the comment replied to");
    }
    if (rs == STORE_OK && id) *id = new_id;
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_comment_by_id(store *s, arena *a, long long id, store_comment *out)
{
    query q;
    store_status rs = start(s, &q,
                            "SELECT c.id, c.article_id, coalesce(c.parent_id, 0), c.author_name,"
                            " c.author_email, c.author_url, c.body, c.ip, c.user_agent, c.status,"
                            " c.created_at, c.staff_user_id IS NOT NULL, a.slug"
                            " FROM comments c JOIN articles a ON a.id = c.article_id"
                            " WHERE c.id = ?1");
    sqlite_query_int(&q, 1, id);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(&q, &row, "reading a comment");
    if (rs == STORE_OK && !row) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK)
        *out = (store_comment){.id = sqlite3_column_int64(q.st, 0),
                               .article_id = sqlite3_column_int64(q.st, 1),
                               .parent_id = sqlite3_column_int64(q.st, 2),
                               .author_name = sqlite_column_copy(a, q.st, 3),
                               .author_email = sqlite_column_copy(a, q.st, 4),
                               .author_url = sqlite_column_copy(a, q.st, 5),
                               .body = sqlite_column_copy(a, q.st, 6),
                               .ip = sqlite_column_copy(a, q.st, 7),
                               .user_agent = sqlite_column_copy(a, q.st, 8),
                               .status = (comment_status)sqlite3_column_int(q.st, 9),
                               .created_at = sqlite3_column_int64(q.st, 10),
                               .staff = sqlite3_column_int(q.st, 11) != 0,
                               .article_slug = sqlite_column_copy(a, q.st, 12)};
    sqlite_query_end(&q);
    return rs;
}

store_status sqlite_store_topics_all(store *s, arena *a, store_topic_entry **out, size_t *n)
{
    query q;
    *out = NULL;
    *n = 0;
    store_status rs = start(s, &q,
                            "SELECT t.id, t.slug, t.name, t.description, coalesce(t.parent_id, 0),"
                            " (SELECT count(*) FROM article_topics x WHERE x.topic_id = t.id)"
                            " FROM topics t ORDER BY t.name COLLATE NOCASE, t.id");
    size_t cap = 0;
    bool row = true;
    while (rs == STORE_OK && (rs = sqlite_query_step(&q, &row, "listing topics")) == STORE_OK &&
           row) {
        *out = arena_grow(a, *out, &cap, *n, sizeof **out);
        store_topic_entry *e = &(*out)[(*n)++];
        e->topic.id = sqlite3_column_int64(q.st, 0);
        e->topic.slug = sqlite_column_copy(a, q.st, 1);
        e->topic.name = sqlite_column_copy(a, q.st, 2);
        e->topic.description = sqlite_column_copy(a, q.st, 3);
        e->parent_id = sqlite3_column_int64(q.st, 4);
        e->n_articles = (size_t)sqlite3_column_int64(q.st, 5);
    }
    sqlite_query_end(&q);
    return rs;
}

/* Whether making parent_id the parent of id would close a loop (or parent_id is missing:
 * *missing). */
static store_status parent_loops(query *q, long long id, long long parent_id, bool *loops,
                                 bool *missing)
{
    *loops = false;
    *missing = false;
    store_status rs = again(q, "WITH RECURSIVE up (id, depth) AS (SELECT ?1, 0"
                               " UNION ALL SELECT t.parent_id, up.depth + 1 FROM up"
                               " JOIN topics t ON t.id = up.id"
                               " WHERE t.parent_id IS NOT NULL AND up.depth < 1000)"
                               " SELECT (SELECT count(*) FROM topics WHERE id = ?1),"
                               " (SELECT count(*) FROM up WHERE id = ?2)");
    sqlite_query_int(q, 1, parent_id);
    sqlite_query_int(q, 2, id);
    bool row = false;
    if (rs == STORE_OK) rs = sqlite_query_step(q, &row, "checking a topic's parent");
    if (rs == STORE_OK && row) {
        *missing = sqlite3_column_int64(q->st, 0) == 0;
        *loops = id && sqlite3_column_int64(q->st, 1) > 0;
    }
    return rs;
}

store_status sqlite_store_topic_save(store *s, long long *id, const char *slug, const char *name,
                                     const char *description, long long parent_id)
{
    if (!slug || !slug[0] || !name || !name[0]) return STORE_INVALID;
    query q;
    store_status rs = start(s, &q, "SELECT 1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    bool loops = false, missing = false;
    if (rs == STORE_OK && parent_id) rs = parent_loops(&q, *id, parent_id, &loops, &missing);
    if (rs == STORE_OK && missing)
        rs = sqlite_failf(q.c, STORE_NOT_FOUND, "the parent topic does not exist");
    if (rs == STORE_OK && parent_id && (loops || parent_id == *id))
        rs = sqlite_failf(q.c, STORE_INVALID, "a topic cannot sit under itself");
    if (rs == STORE_OK)
        rs = again(&q, *id ? "UPDATE topics SET slug = ?2, name = ?3, description = ?4,"
                             " parent_id = nullif(?5, 0) WHERE id = ?1"
                           : "INSERT INTO topics (slug, name, description, parent_id, created_at)"
                             " VALUES (?2, ?3, ?4, nullif(?5, 0), unixepoch())");
    if (*id) sqlite_query_int(&q, 1, *id);
    sqlite_query_text(&q, 2, slug);
    sqlite_query_text(&q, 3, name);
    sqlite_query_text(&q, 4, description && description[0] ? description : NULL);
    sqlite_query_int(&q, 5, parent_id);
    if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "saving a topic");
    if (rs == STORE_OK && *id && sqlite3_changes(q.db) == 0)
        rs = sqlite_failf(q.c, STORE_NOT_FOUND, "topic %lld does not exist", *id);
    if (rs == STORE_OK && !*id) *id = sqlite3_last_insert_rowid(q.db);
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}

store_status sqlite_store_settings_set_many(store *s, const store_setting *settings, size_t n)
{
    query q;
    store_status rs = start(s, &q, "SELECT 1");
    if (rs == STORE_OK) rs = sqlite_begin_write(q.c);
    for (size_t i = 0; rs == STORE_OK && i < n; i++) {
        bool remove = !settings[i].value || !settings[i].value[0];
        rs = again(&q, remove ? "DELETE FROM settings WHERE key = ?1"
                              : "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                                " ON CONFLICT (key) DO UPDATE SET value = ?2"
                                " WHERE value IS NOT ?2");
        sqlite_query_text(&q, 1, settings[i].key);
        if (!remove) sqlite_query_text(&q, 2, settings[i].value);
        if (rs == STORE_OK) rs = sqlite_query_step(&q, NULL, "saving a setting");
    }
    sqlite_query_end(&q);
    return q.c ? sqlite_finish(q.c, rs) : rs;
}
