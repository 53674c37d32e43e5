/* pg_newsroom.c — the newsroom's accounts in PostgreSQL (store.h, migrations 7 and 12), as
 * sqlite_newsroom.c keeps them in SQLite: users, their sessions and password reset links.
 * Every write is one transaction (pg_begin_write ... pg_finish); reads run on their own or in
 * the request's snapshot. Token hashes travel as bytea. */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

#define USER_COLS                                                                                  \
    "id, login, email, display_name, role, password_hash, coalesce(author_id, 0), created_at,"     \
    " disabled"

/* Reads USER_COLS of row row starting at column first. */
static void read_user(arena *a, const PGresult *r, int row, int first, store_user *out)
{
    out->id = pg_int(r, row, first);
    out->login = pg_text(a, r, row, first + 1);
    out->email = pg_text(a, r, row, first + 2);
    out->display_name = pg_text(a, r, row, first + 3);
    out->role = pg_text(a, r, row, first + 4);
    out->password_hash = pg_text(a, r, row, first + 5);
    out->author_id = pg_int(r, row, first + 6);
    out->created_at = pg_int(r, row, first + 7);
    out->disabled = pg_int(r, row, first + 8) != 0;
}

/* Runs one statement of hash (and up to two integers after it) with nothing to read back. */
static store_status exec_hash(pg_conn *c, const char *sql, const unsigned char *hash, int n_ints,
                              long long i1, long long i2, const char *what)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, hash, STORE_TOKEN_HASH_BYTES);
    if (n_ints > 0) pg_param_int(&p, i1);
    if (n_ints > 1) pg_param_int(&p, i2);
    return pg_exec(c, sql, &p, NULL, what);
}

/* The id of the author with slug, created (named name) when missing. */
static store_status author_for(pg_conn *c, const char *slug, const char *name, long long *id)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, slug);
    pg_param_text(&p, name);
    store_status rs = pg_exec(c,
                              "INSERT INTO authors (slug, name) VALUES ($1::text, $2::text)"
                              " ON CONFLICT (slug) DO NOTHING",
                              &p, NULL, "adding the user's author");
    pg_params_init(&p);
    pg_param_text(&p, slug);
    if (rs == STORE_OK)
        rs = pg_exec_int(c, "SELECT id FROM authors WHERE slug = $1::text", &p, id,
                         "finding the user's author");
    if (rs == STORE_NOT_FOUND) rs = pg_failf(c, STORE_IO, "the author '%s' vanished", slug);
    return rs;
}

static store_status user_add_in_tx(pg_conn *c, const store_user *in, const char *author_slug,
                                   long long *id)
{
    long long author_id = 0, new_id = 0;
    store_status rs = STORE_OK;
    if (author_slug && (rs = author_for(c, author_slug, in->display_name, &author_id)) != STORE_OK)
        return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, in->login);
    pg_param_text(&p, in->email);
    pg_param_text(&p, in->display_name);
    pg_param_text(&p, in->password_hash);
    pg_param_text(&p, in->role);
    pg_param_int(&p, author_id);
    pg_param_int(&p, pg_now());
    rs = pg_exec_int(c,
                     "INSERT INTO users (login, email, display_name, password_hash, role,"
                     " author_id, created_at, password_changed_at)"
                     " VALUES ($1::text, $2::text, $3::text, $4::text, $5::text,"
                     " nullif($6::bigint, 0), $7::bigint,"
                     " CASE WHEN $4::text IS NULL THEN NULL ELSE $7::bigint END) RETURNING id",
                     &p, &new_id, "adding a user");
    if (rs == STORE_OK && id) *id = new_id;
    return rs;
}

store_status pg_store_user_add(store *s, const store_user *in, const char *author_slug,
                               long long *id)
{
    if (!in->login || !in->login[0] || !in->display_name || !in->role) return STORE_INVALID;
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    return pg_finish(c, user_add_in_tx(c, in, author_slug, id));
}

/* The one user matching where ($1 a text when text, else the integer number). */
static store_status user_where(store *s, arena *a, const char *sql, const char *text,
                               long long number, store_user *out)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    if (text)
        pg_param_text(&p, text);
    else
        pg_param_int(&p, number);
    PGresult *r = NULL;
    if ((rs = pg_exec(c, sql, &p, &r, "reading a user")) != STORE_OK) return rs;
    if (PQntuples(r) == 0)
        rs = STORE_NOT_FOUND;
    else
        read_user(a, r, 0, 0, out);
    PQclear(r);
    return rs;
}

store_status pg_store_user_by_login(store *s, arena *a, const char *login, store_user *out)
{
    return user_where(s, a, "SELECT " USER_COLS " FROM users WHERE login = $1::text",
                      login ? login : "", 0, out);
}

store_status pg_store_user_by_id(store *s, arena *a, long long id, store_user *out)
{
    return user_where(s, a, "SELECT " USER_COLS " FROM users WHERE id = $1::bigint", NULL, id, out);
}

store_status pg_store_users_list(store *s, arena *a, store_user **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r = NULL;
    /* bytewise, as SQLite's BINARY collation: text columns are "C" (pg_migrations.c) */
    rs = pg_exec(c, "SELECT " USER_COLS " FROM users ORDER BY login", NULL, &r, "listing users");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    if (rows > 0) *out = arena_alloc(a, (size_t)rows * sizeof **out);
    for (int i = 0; i < rows; i++)
        read_user(a, r, i, 0, &(*out)[(*n)++]);
    PQclear(r);
    return rs;
}

/* Runs one UPDATE of a user ($1 the id, $2 the value, $3 the time now when now is not 0,
 * RETURNING id) and, when end_sessions, deletes their sessions, in one transaction.
 * STORE_NOT_FOUND: no such user. */
static store_status user_update(store *s, const char *sql, long long id, const char *text,
                                long long number, long long now, bool end_sessions,
                                const char *what)
{
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    if (text)
        pg_param_text(&p, text);
    else
        pg_param_int(&p, number);
    if (now) pg_param_int(&p, now);
    rs = pg_exec_int(c, sql, &p, NULL, what);
    if (rs == STORE_OK && end_sessions) {
        pg_params_init(&p);
        pg_param_int(&p, id);
        rs = pg_exec(c, "DELETE FROM sessions WHERE user_id = $1::bigint", &p, NULL,
                     "ending the user's sessions");
    }
    return pg_finish(c, rs);
}

store_status pg_store_user_set_password(store *s, long long id, const char *password_hash)
{
    if (!password_hash || !password_hash[0]) return STORE_INVALID;
    return user_update(s,
                       "UPDATE users SET password_hash = $2::text,"
                       " password_changed_at = $3::bigint WHERE id = $1::bigint RETURNING id",
                       id, password_hash, 0, pg_now(), true, "setting a password");
}

store_status pg_store_user_set_role(store *s, long long id, const char *role)
{
    if (!role || !role[0]) return STORE_INVALID;
    return user_update(s, "UPDATE users SET role = $2::text WHERE id = $1::bigint RETURNING id", id,
                       role, 0, 0, false, "changing a role");
}

store_status pg_store_user_set_disabled(store *s, long long id, bool disabled)
{
    return user_update(s,
                       "UPDATE users SET disabled = $2::bigint WHERE id = $1::bigint RETURNING id",
                       id, NULL, disabled ? 1 : 0, 0, disabled, "disabling a user");
}

/* ---- Sessions --------------------------------------------------------------------------- */
store_status pg_store_session_add(store *s, const unsigned char *token_hash, long long user_id,
                                  long long expires_at, const char *ip, const char *user_agent)
{
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, token_hash, STORE_TOKEN_HASH_BYTES);
    pg_param_int(&p, user_id);
    pg_param_int(&p, expires_at);
    pg_param_text(&p, ip);
    pg_param_text(&p, user_agent);
    pg_param_int(&p, pg_now());
    rs = pg_exec(c,
                 "INSERT INTO sessions (token_hash, user_id, created_at, expires_at,"
                 " last_seen_at, ip, user_agent)"
                 " VALUES ($1::bytea, $2::bigint, $6::bigint, $3::bigint, $6::bigint, $4::text,"
                 " substr($5::text, 1, 300))",
                 &p, NULL, "starting a session");
    return pg_finish(c, rs);
}

store_status pg_store_session_find(store *s, arena *a, const unsigned char *token_hash,
                                   long long now, store_session *session, store_user *user)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, token_hash, STORE_TOKEN_HASH_BYTES);
    pg_param_int(&p, now);
    PGresult *r = NULL;
    rs = pg_exec(c,
                 "SELECT s.user_id, s.created_at, s.expires_at, s.last_seen_at,"
                 " u.id, u.login, u.email, u.display_name, u.role, u.password_hash,"
                 " coalesce(u.author_id, 0), u.created_at, u.disabled"
                 " FROM sessions s JOIN users u ON u.id = s.user_id"
                 " WHERE s.token_hash = $1::bytea AND s.expires_at > $2::bigint"
                 " AND u.disabled = 0",
                 &p, &r, "reading a session");
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) == 0) {
        rs = STORE_NOT_FOUND;
    } else {
        session->user_id = pg_int(r, 0, 0);
        session->created_at = pg_int(r, 0, 1);
        session->expires_at = pg_int(r, 0, 2);
        session->last_seen_at = pg_int(r, 0, 3);
        read_user(a, r, 0, 4, user);
    }
    PQclear(r);
    return rs;
}

store_status pg_store_session_touch(store *s, const unsigned char *token_hash, long long now,
                                    long long expires_at)
{
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    rs = exec_hash(c,
                   "UPDATE sessions SET last_seen_at = $2::bigint,"
                   " expires_at = greatest(expires_at, $3::bigint) WHERE token_hash = $1::bytea",
                   token_hash, 2, now, expires_at, "recording a session's use");
    return pg_finish(c, rs);
}

store_status pg_store_session_delete(store *s, const unsigned char *token_hash)
{
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    rs = exec_hash(c, "DELETE FROM sessions WHERE token_hash = $1::bytea", token_hash, 0, 0, 0,
                   "ending a session");
    return pg_finish(c, rs);
}

store_status pg_store_sessions_end_user(store *s, long long user_id, size_t *n)
{
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, user_id);
    PGresult *r = NULL;
    rs = pg_exec(c, "DELETE FROM sessions WHERE user_id = $1::bigint", &p, &r,
                 "ending a user's sessions");
    if (rs == STORE_OK) {
        if (n) *n = (size_t)strtoull(PQcmdTuples(r), NULL, 10);
        PQclear(r);
        pg_params_init(&p);
        pg_param_int(&p, pg_now());
        rs = pg_exec(c, "DELETE FROM sessions WHERE expires_at <= $1::bigint", &p, NULL,
                     "removing expired sessions");
    }
    return pg_finish(c, rs);
}

/* ---- Password reset links --------------------------------------------------------------- */
store_status pg_store_reset_add(store *s, const unsigned char *token_hash, long long user_id,
                                long long expires_at)
{
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, token_hash, STORE_TOKEN_HASH_BYTES);
    pg_param_int(&p, user_id);
    pg_param_int(&p, expires_at);
    pg_param_int(&p, pg_now());
    rs = pg_exec(c,
                 "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at)"
                 " VALUES ($1::bytea, $2::bigint, $4::bigint, $3::bigint)",
                 &p, NULL, "saving a reset link");
    return pg_finish(c, rs);
}

store_status pg_store_reset_find(store *s, const unsigned char *token_hash, long long now,
                                 long long *user_id)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, token_hash, STORE_TOKEN_HASH_BYTES);
    pg_param_int(&p, now);
    return pg_exec_int(c,
                       "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id"
                       " WHERE r.token_hash = $1::bytea AND r.used_at IS NULL"
                       " AND r.expires_at > $2::bigint AND u.disabled = 0",
                       &p, user_id, "reading a reset link");
}

static store_status reset_use_in_tx(pg_conn *c, const unsigned char *token_hash, long long now,
                                    const char *password_hash, long long *user_id)
{
    long long id = 0;
    pg_params p;
    pg_params_init(&p);
    pg_param_bytes(&p, token_hash, STORE_TOKEN_HASH_BYTES);
    pg_param_int(&p, now);
    store_status rs =
        pg_exec_int(c,
                    "UPDATE password_resets SET used_at = $2::bigint WHERE token_hash = $1::bytea"
                    " AND used_at IS NULL AND expires_at > $2::bigint"
                    " AND user_id IN (SELECT id FROM users WHERE disabled = 0)"
                    " RETURNING user_id",
                    &p, &id, "spending a reset link");
    if (rs != STORE_OK) return rs;
    pg_params_init(&p);
    pg_param_int(&p, id);
    pg_param_text(&p, password_hash);
    pg_param_int(&p, pg_now());
    rs = pg_exec(c,
                 "UPDATE users SET password_hash = $2::text, password_changed_at = $3::bigint"
                 " WHERE id = $1::bigint",
                 &p, NULL, "setting a password");
    if (rs != STORE_OK) return rs;
    pg_params_init(&p);
    pg_param_int(&p, id);
    rs = pg_exec(c, "DELETE FROM sessions WHERE user_id = $1::bigint", &p, NULL,
                 "ending the user's sessions");
    if (rs == STORE_OK && user_id) *user_id = id;
    return rs;
}

store_status pg_store_reset_use(store *s, const unsigned char *token_hash, long long now,
                                const char *password_hash, long long *user_id)
{
    if (!password_hash || !password_hash[0]) return STORE_INVALID;
    pg_conn *c;
    store_status rs = pg_write_begin(s, &c);
    if (rs != STORE_OK) return rs;
    return pg_finish(c, reset_use_in_tx(c, token_hash, now, password_hash, user_id));
}
