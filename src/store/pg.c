/* pg.c — the PostgreSQL backend's core (pg_internal.h): one libpq connection per thread
 * (opened on first use, closed when the thread exits or the store closes, reset after the
 * server went away), errors mapped from SQLSTATEs, transactions with the SQLite backend's
 * rules (a read inside store_read_begin joins the request's snapshot), statements prepared
 * once per connection and cached by their SQL text, and the column readers. Also the store
 * functions that are about the connection itself: close, last_error, schema_version,
 * read_begin/read_end and changed_since_last_look (LISTEN/NOTIFY). */
#include "pg_core.h"
#include "pg_internal.h"
#include "store_backend.h"
#include "thread_conns.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    ERR_MAX = 512,
    RETRY_MS = 250,   /* a lost connection is tried again at most this often per thread */
    CACHE_MAX = 1024, /* prepared statements kept per connection before starting over */
    STMT_NAME_MAX = 24,
};

typedef struct {
    char *sql; /* NULL: free slot */
    uint64_t hash;
    char name[STMT_NAME_MAX];
} pg_stmt;

struct pg_conn {
    thread_conn link; /* first: the store's list of connections (thread_conns.h) */
    PGconn *db;
    const char *location; /* the store's, to keep its password out of messages */
    char err[ERR_MAX];    /* why the last call on this thread failed */
    pg_stmt *stmts;       /* open addressing, cap a power of two */
    size_t n_stmts, cap_stmts;
    unsigned next_stmt;    /* names gz1, gz2 ... per session */
    long long retry_at_ms; /* no reconnection attempt before this (monotonic ms) */
    bool outer_read;       /* inside store_read_begin / store_read_end */
    bool seen_valid;       /* changed_since_last_look asked since the session began */
    bool broken;           /* the session could not be set up: connect again */
};

/* The PostgreSQL backend's store (store_backend.h: the head comes first). */
typedef struct pg_store {
    store base;
    char *location;
    int version;
    thread_conns conns; /* one per thread, closed by store_close */
} pg_store;

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long pg_now(void)
{
    return (long long)time(NULL);
}

/* ---- Errors ------------------------------------------------------------------------------ */
static void vfail(pg_conn *c, const char *fmt, va_list ap)
{
    vsnprintf(c->err, sizeof c->err, fmt, ap);
}

store_status pg_failf(pg_conn *c, store_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(c, fmt, ap);
    va_end(ap);
    return st;
}

static store_status status_of_sqlstate(const char *state)
{
    if (!state || strlen(state) != 5) return STORE_IO;
    if (strcmp(state, "23505") == 0) return STORE_CONFLICT;
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) return STORE_INVALID;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return STORE_BUSY;
    if (strcmp(state, "53100") == 0) return STORE_FULL;
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) return STORE_UNAVAILABLE;
    return STORE_IO;
}

/* libpq's messages come on several lines ("FATAL:  ...\nserver closed the connection
 * ...\n\tThis probably means ..."); ours are one line: severity prefixes dropped, each line
 * break and the blanks around it one space, none at the end. */
static void trim_newlines(char *s)
{
    size_t w = 0;
    for (size_t r = 0; s[r];) {
        if (strncmp(s + r, "FATAL:  ", 8) == 0 || strncmp(s + r, "ERROR:  ", 8) == 0) {
            r += 8;
        } else if (s[r] == '\n' || s[r] == '\r' || s[r] == '\t') {
            while (w && s[w - 1] == ' ')
                w--;
            while (s[r] == '\n' || s[r] == '\r' || s[r] == '\t' || s[r] == ' ')
                r++;
            if (w && s[r]) s[w++] = ' ';
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
}

store_status pg_fail(pg_conn *c, const PGresult *r, const char *what)
{
    bool lost = PQstatus(c->db) == CONNECTION_BAD;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    store_status st = lost ? STORE_UNAVAILABLE : status_of_sqlstate(state);
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!primary) primary = PQerrorMessage(c->db);
    if (!primary || !*primary) primary = "no answer from the database server";
    char said[ERR_MAX];
    snprintf(said, sizeof said, "%s", primary);
    trim_newlines(said);
    /* no DETAIL: it quotes key values (a session's token hash), which SQLite never shows */
    if (st == STORE_UNAVAILABLE)
        pg_failf(c, st, "%s: the database server cannot be reached (%s); try again", what, said);
    else
        pg_failf(c, st, "%s: %s", what, said);
    if (c->location) pg_redact_message(c->location, c->err);
    return st;
}

/* ---- The statement cache ------------------------------------------------------------------ */
static uint64_t sql_hash(const char *sql)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a 64 */
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static void cache_drop(pg_conn *c)
{
    for (size_t i = 0; i < c->cap_stmts; i++)
        free(c->stmts[i].sql);
    free(c->stmts);
    c->stmts = NULL;
    c->n_stmts = c->cap_stmts = 0;
}

/* The slot holding sql, or the free slot where it would go. */
static pg_stmt *cache_slot(pg_stmt *v, size_t cap, const char *sql, uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (!v[i].sql || (v[i].hash == h && strcmp(v[i].sql, sql) == 0)) return &v[i];
    }
}

static bool cache_grow(pg_conn *c)
{
    size_t cap = c->cap_stmts ? c->cap_stmts * 2 : 64;
    pg_stmt *v = calloc(cap, sizeof *v);
    if (!v) return false;
    for (size_t i = 0; i < c->cap_stmts; i++) {
        if (c->stmts[i].sql) *cache_slot(v, cap, c->stmts[i].sql, c->stmts[i].hash) = c->stmts[i];
    }
    free(c->stmts);
    c->stmts = v;
    c->cap_stmts = cap;
    return true;
}

/* The name sql is prepared under on this connection, preparing it the first time. */
static store_status prepared_name(pg_conn *c, const char *sql, const char **name, const char *what)
{
    uint64_t h = sql_hash(sql);
    pg_stmt *e = c->cap_stmts ? cache_slot(c->stmts, c->cap_stmts, sql, h) : NULL;
    if (e && e->sql) {
        *name = e->name;
        return STORE_OK;
    }
    if (c->n_stmts >= CACHE_MAX) { /* SQL made on the fly: start over rather than grow */
        PQclear(PQexec(c->db, "DEALLOCATE ALL"));
        cache_drop(c);
    }
    if ((c->n_stmts + 1) * 2 > c->cap_stmts && !cache_grow(c))
        return pg_failf(c, STORE_IO, "%s: out of memory", what);
    e = cache_slot(c->stmts, c->cap_stmts, sql, h);
    char stmt_name[STMT_NAME_MAX];
    snprintf(stmt_name, sizeof stmt_name, "gz%u", ++c->next_stmt);
    PGresult *r = PQprepare(c->db, stmt_name, sql, 0, NULL);
    store_status rs = STORE_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) rs = pg_fail(c, r, what);
    PQclear(r);
    if (rs != STORE_OK) return rs;
    if (!(e->sql = strdup(sql))) return pg_failf(c, STORE_IO, "%s: out of memory", what);
    e->hash = h;
    memcpy(e->name, stmt_name, sizeof stmt_name);
    c->n_stmts++;
    *name = e->name;
    return STORE_OK;
}

/* ---- Connections -------------------------------------------------------------------------- */
/* lock_timeout is SQLite's busy timeout: a statement waiting longer for a row or table another
 * session holds fails with 55P03 (STORE_BUSY) instead of hanging the request. */
/* What the server says outside any statement (a WARNING, "terminating connection due to
 * administrator command" before a restart): one line on standard error, as Gazette logs. */
static void notice_line(void *arg, const char *message)
{
    char line[ERR_MAX];
    snprintf(line, sizeof line, "%s", message);
    trim_newlines(line);
    fprintf(stderr, "gazette: PostgreSQL: %s\n", line);
}

int pg_session_setup(PGconn *db)
{
    PQsetNoticeProcessor(db, notice_line, NULL);
    PGresult *r = PQexec(db, "SET client_min_messages = warning; SET TimeZone = 'UTC';"
                             " SET lock_timeout = '" PG_LOCK_TIMEOUT "';"
                             " LISTEN " PG_CHANGES_CHANNEL);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
    PQclear(r);
    return rc;
}

/* A connection to location in whatever state it ended (NULL only without memory): a connect
 * timeout and TCP keepalives so that a server gone silent costs seconds, not minutes. Ours come
 * first: what the URI says overrides them. */
static PGconn *connect_raw(const char *location)
{
    static const char *const keys[] = {
        "connect_timeout",     "keepalives",       "keepalives_idle",
        "keepalives_interval", "keepalives_count", "tcp_user_timeout",
        "application_name",    "dbname",           NULL};
    const char *values[] = {"3", "1", "10", "5", "3", "15000", "gazette", location, NULL};
    return PQconnectdbParams(keys, values, 1);
}

store_status pg_connect(const char *location, PGconn **out, char *err, size_t errlen)
{
    PGconn *db = connect_raw(location);
    *out = NULL;
    char where[512];
    pg_redact_location(location, where, sizeof where);
    if (!db) {
        snprintf(err, errlen, "cannot connect to %s: out of memory", where);
        return STORE_IO;
    }
    if (PQstatus(db) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to %s: %s", where, PQerrorMessage(db));
        trim_newlines(err);
        pg_redact_message(location, err);
        PQfinish(db);
        return STORE_UNAVAILABLE;
    }
    if (pg_session_setup(db) != 0) {
        snprintf(err, errlen, "cannot set up the session on %s: %s", where, PQerrorMessage(db));
        trim_newlines(err);
        pg_redact_message(location, err);
        bool lost = PQstatus(db) == CONNECTION_BAD;
        PQfinish(db);
        return lost ? STORE_UNAVAILABLE : STORE_IO;
    }
    *out = db;
    return STORE_OK;
}

static void conn_free(thread_conn *link)
{
    pg_conn *c = (pg_conn *)link;
    cache_drop(c);
    PQfinish(c->db);
    free(c);
}

static store_status conn_add(pg_store *s, PGconn *db, pg_conn **out)
{
    pg_conn *c = calloc(1, sizeof *c);
    if (!c) return STORE_IO;
    c->db = db;
    c->location = s->location;
    if (!thread_conns_add(&s->conns, &c->link)) {
        free(c); /* the caller still owns db */
        return STORE_IO;
    }
    *out = c;
    return STORE_OK;
}

/* The server went away: a new session, at most every RETRY_MS. Whatever the old session held
 * (its transaction, its read snapshot, its prepared statements) went with it. */
/* Checks a session just (re)connected and sets it up; on failure records why, marks the
 * connection broken and returns STORE_UNAVAILABLE. */
static store_status conn_ready(pg_conn *c)
{
    c->broken = PQstatus(c->db) != CONNECTION_OK || pg_session_setup(c->db) != 0;
    if (!c->broken) return STORE_OK;
    char said[ERR_MAX];
    snprintf(said, sizeof said, "%s", PQerrorMessage(c->db));
    trim_newlines(said);
    pg_failf(c, STORE_UNAVAILABLE, "the database server cannot be reached (%s); try again", said);
    pg_redact_message(c->location, c->err);
    return STORE_UNAVAILABLE;
}

static store_status conn_revive(pg_conn *c)
{
    long long now = monotonic_ms();
    c->outer_read = false;
    if (now < c->retry_at_ms)
        return pg_failf(c, STORE_UNAVAILABLE,
                        "the database server cannot be reached; trying again shortly");
    c->retry_at_ms = now + RETRY_MS;
    cache_drop(c);
    c->next_stmt = 0;
    c->seen_valid = false;
    PQreset(c->db);
    return conn_ready(c);
}

/* This thread's connection without clearing its error or reviving it (NULL when none). */
static pg_conn *conn_peek(store *base)
{
    pg_store *s = (pg_store *)base;
    return s ? (pg_conn *)thread_conns_mine(&s->conns) : NULL;
}

store_status pg_conn_get(store *base, pg_conn **out)
{
    pg_store *s = (pg_store *)base;
    pg_conn *c = (pg_conn *)thread_conns_mine(&s->conns);
    *out = NULL;
    if (c) {
        c->err[0] = '\0';
        if (c->broken || PQstatus(c->db) == CONNECTION_BAD) {
            store_status rs = conn_revive(c);
            if (rs != STORE_OK) return rs;
        }
        *out = c;
        return STORE_OK;
    }
    /* the thread's first call: a connection that failed is kept (with its message, for
     * store_last_error) and tried again like a lost one */
    PGconn *db = connect_raw(s->location);
    if (!db || conn_add(s, db, &c) != STORE_OK) {
        PQfinish(db);
        return STORE_IO;
    }
    c->retry_at_ms = monotonic_ms() + RETRY_MS;
    store_status rs = conn_ready(c);
    if (rs == STORE_OK) *out = c;
    return rs;
}

PGconn *pg_db(pg_conn *c)
{
    return c->db;
}

/* ---- Transactions ------------------------------------------------------------------------- */
/* Runs a transaction-control statement (simple protocol, nothing to prepare). */
static store_status control(pg_conn *c, const char *sql, const char *what)
{
    PGresult *r = PQexec(c->db, sql);
    store_status rs = PQresultStatus(r) == PGRES_COMMAND_OK ? STORE_OK : pg_fail(c, r, what);
    PQclear(r);
    return rs;
}

#define BEGIN_READ "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

static store_status begin_checked(pg_conn *c, const char *sql, const char *what)
{
    if (PQtransactionStatus(c->db) != PQTRANS_IDLE)
        return pg_failf(c, STORE_IO, "%s: a transaction is already open on this connection", what);
    return control(c, sql, what);
}

store_status pg_begin_write(pg_conn *c)
{
    if (c->outer_read)
        return pg_failf(c, STORE_IO,
                        "starting to write: this thread is inside a read (store_read_begin)");
    return begin_checked(c, "BEGIN ISOLATION LEVEL READ COMMITTED", "starting to write");
}

store_status pg_write_begin(store *s, pg_conn **c)
{
    store_status rs = pg_conn_get(s, c);
    return rs == STORE_OK ? pg_begin_write(*c) : rs;
}

store_status pg_begin_read(pg_conn *c)
{
    return c->outer_read ? STORE_OK : begin_checked(c, BEGIN_READ, "starting a read");
}

store_status pg_finish(pg_conn *c, store_status rs)
{
    if (c->outer_read) return rs; /* the outer read ends it (store_read_end) */
    PGTransactionStatusType ts = PQtransactionStatus(c->db);
    if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR) return rs; /* none, or the link is gone */
    if (rs == STORE_OK && ts == PQTRANS_INTRANS) {
        c->err[0] = '\0'; /* a failure handled on the way is no failure */
        rs = control(c, "COMMIT", "committing");
        if (rs == STORE_OK || PQtransactionStatus(c->db) != PQTRANS_INERROR) return rs;
    } else if (rs == STORE_OK) {
        rs = pg_failf(c, STORE_IO, "committing: a statement of the transaction failed");
    }
    char keep[ERR_MAX];
    memcpy(keep, c->err, sizeof keep);
    control(c, "ROLLBACK", "rolling back");
    memcpy(c->err, keep, sizeof keep);
    return rs;
}

/* A failed statement inside the request's snapshot aborts it for every later read: start a
 * new snapshot, as SQLite's read transaction would have survived the error. */
static void outer_read_recover(pg_conn *c)
{
    if (!c->outer_read || PQtransactionStatus(c->db) != PQTRANS_INERROR) return;
    char keep[ERR_MAX];
    memcpy(keep, c->err, sizeof keep);
    if (control(c, "ROLLBACK", "rolling back the request's read") != STORE_OK ||
        control(c, BEGIN_READ, "starting the request's read again") != STORE_OK)
        c->outer_read = false;
    memcpy(c->err, keep, sizeof keep);
}

store_status pg_store_read_begin(store *s)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK || c->outer_read) return rs;
    if ((rs = begin_checked(c, BEGIN_READ, "starting the request's read")) == STORE_OK)
        c->outer_read = true;
    return rs;
}

void pg_store_read_end(store *s)
{
    pg_conn *c = conn_peek(s);
    if (!c || !c->outer_read) return;
    c->outer_read = false;
    if (PQstatus(c->db) == CONNECTION_BAD) return;
    pg_finish(c, STORE_OK);
}

/* ---- Statements --------------------------------------------------------------------------- */
void pg_params_init(pg_params *p)
{
    memset(p, 0, sizeof *p);
}

static int param_slot(pg_params *p)
{
    if (p->n >= PG_MAX_PARAMS) {
        p->overflow = true;
        return -1;
    }
    return p->n++;
}

void pg_param_int(pg_params *p, long long v)
{
    int i = param_slot(p);
    if (i < 0) return;
    snprintf(p->ints[i], sizeof p->ints[i], "%lld", v);
    p->values[i] = p->ints[i];
    p->lengths[i] = 0;
    p->formats[i] = 0;
}

void pg_param_size(pg_params *p, size_t v)
{
    pg_param_int(p, v > (size_t)INT64_MAX ? INT64_MAX : (long long)v);
}

const char *pg_id_array(arena *a, const long long *ids, size_t n)
{
    size_t cap = n * 21 + 3, len = 0;
    char *s = arena_alloc(a, cap);
    s[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%lld", i ? "," : "", ids[i]);
    s[len] = '}';
    return s;
}

void pg_param_text(pg_params *p, const char *v)
{
    int i = param_slot(p);
    if (i < 0) return;
    p->values[i] = v;
    p->lengths[i] = 0;
    p->formats[i] = 0;
}

void pg_param_bytes(pg_params *p, const void *bytes, size_t n)
{
    int i = param_slot(p);
    if (i < 0) return;
    if (n > INT32_MAX) {
        p->overflow = true;
        return;
    }
    p->values[i] = bytes ? bytes : "";
    p->lengths[i] = (int)n;
    p->formats[i] = 1;
}

store_status pg_exec(pg_conn *c, const char *sql, const pg_params *p, PGresult **out,
                     const char *what)
{
    if (out) *out = NULL;
    if (p && p->overflow)
        return pg_failf(c, STORE_IO, "%s: more than %d parameters, or a value too long", what,
                        PG_MAX_PARAMS);
    const char *name = NULL;
    store_status rs = STORE_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((rs = prepared_name(c, sql, &name, what)) != STORE_OK) break;
        PGresult *r = PQexecPrepared(c->db, name, p ? p->n : 0, p ? p->values : NULL,
                                     p ? p->lengths : NULL, p ? p->formats : NULL, 0);
        ExecStatusType es = PQresultStatus(r);
        if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK) {
            if (out)
                *out = r;
            else
                PQclear(r);
            return STORE_OK;
        }
        /* our statements were dropped behind our back (DISCARD ALL, a pooler): prepare them
         * again, once, when no transaction was spoilt by the failure */
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        bool gone = state && strcmp(state, "26000") == 0 &&
                    PQtransactionStatus(c->db) == PQTRANS_IDLE && attempt == 0;
        if (!gone) rs = pg_fail(c, r, what);
        PQclear(r);
        if (!gone) break;
        cache_drop(c);
    }
    outer_read_recover(c);
    return rs;
}

store_status pg_exec_int(pg_conn *c, const char *sql, const pg_params *p, long long *value,
                         const char *what)
{
    PGresult *r;
    store_status rs = pg_exec(c, sql, p, &r, what);
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) == 0 || PQnfields(r) == 0) {
        rs = STORE_NOT_FOUND;
    } else if (value) {
        *value = pg_int(r, 0, 0);
    }
    PQclear(r);
    return rs;
}

/* ---- Column readers ----------------------------------------------------------------------- */
const char *pg_text(arena *a, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col)) return NULL;
    return arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

const char *pg_text_or_empty(arena *a, const PGresult *r, int row, int col)
{
    const char *text = pg_text(a, r, row, col);
    return text ? text : "";
}

long long pg_int(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col)) return 0;
    const char *v = PQgetvalue(r, row, col);
    if (v[0] == 't' && v[1] == '\0') return 1; /* a boolean */
    return strtoll(v, NULL, 10);
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

const unsigned char *pg_bytes(arena *a, const PGresult *r, int row, int col, size_t *n)
{
    *n = 0;
    if (PQgetisnull(r, row, col)) return NULL;
    const char *v = PQgetvalue(r, row, col);
    size_t len = (size_t)PQgetlength(r, row, col);
    if (len < 2 || v[0] != '\\' || v[1] != 'x') { /* escape format (bytea_output = escape) */
        size_t m = 0;
        unsigned char *raw = PQunescapeBytea((const unsigned char *)v, &m);
        if (!raw) return NULL;
        unsigned char *out = arena_alloc(a, m + 1);
        memcpy(out, raw, m);
        PQfreemem(raw);
        *n = m;
        return out;
    }
    size_t m = (len - 2) / 2;
    unsigned char *out = arena_alloc(a, m + 1);
    for (size_t i = 0; i < m; i++) {
        int hi = hex_digit(v[2 + 2 * i]), lo = hex_digit(v[3 + 2 * i]);
        if (hi < 0 || lo < 0) return NULL;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    *n = m;
    return out;
}

/* ---- The store ---------------------------------------------------------------------------- */
store_status pg_store_new(const char *location, PGconn *db, int version, store **out)
{
    *out = NULL;
    pg_store *s = calloc(1, sizeof *s);
    if (!s || !(s->location = strdup(location))) {
        free(s);
        PQfinish(db);
        return STORE_IO;
    }
    s->version = version;
    if (!thread_conns_init(&s->conns, conn_free)) {
        free(s->location);
        free(s);
        PQfinish(db);
        return STORE_IO;
    }
    s->base.backend = &pg_store_backend;
    pg_conn *c;
    if (conn_add(s, db, &c) != STORE_OK) {
        PQfinish(db);
        pg_store_close(&s->base);
        return STORE_IO;
    }
    *out = &s->base;
    return STORE_OK;
}

/* PostgreSQL's page cache is the server's (shared_buffers): nothing for a node to size. */
store_status pg_store_set_cache_mb(store *s, unsigned mb)
{
    return STORE_OK;
}

/* Call once the other threads are done with the store: their connections close here, or
 * already did when they exited. */
void pg_store_close(store *base)
{
    pg_store *s = (pg_store *)base;
    if (!s) return;
    thread_conns_close(&s->conns);
    free(s->location);
    free(s);
}

const char *pg_store_last_error(store *base)
{
    pg_conn *c = conn_peek(base);
    return c ? c->err : "no database connection for this thread";
}

int pg_store_schema_version(store *base)
{
    return ((pg_store *)base)->version;
}

/* Every write to what a page shows notifies PG_CHANGES_CHANNEL at commit (migration 6), to
 * every session listening, this one included: reading what arrived costs no query. */
store_status pg_store_changed_since_last_look(store *s, bool *changed)
{
    *changed = true;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!PQconsumeInput(c->db)) {
        rs = pg_fail(c, NULL, "reading notifications");
        if (rs != STORE_UNAVAILABLE) rs = STORE_UNAVAILABLE;
        return rs;
    }
    bool arrived = false;
    for (PGnotify *n; (n = PQnotifies(c->db)) != NULL; PQfreemem(n))
        arrived = true;
    *changed = !c->seen_valid || arrived;
    c->seen_valid = true;
    return STORE_OK;
}

/* ---- The backend's table (store_backend.h) ------------------------------------------------ */
#define PG_BACKEND_ENTRY(ret, name, params, args) .name = pg_store_##name,
const store_backend pg_store_backend = {
    .name = "postgresql",
    STORE_BACKEND_OPS(PG_BACKEND_ENTRY).read_end = pg_store_read_end,
    .close = pg_store_close,
};
#undef PG_BACKEND_ENTRY
