/* pg_open.c — opening and creating a Gazette database on a PostgreSQL server (store.h
 * "Opening", the same contract as sqlite.c's): the checks that keep Gazette away from a database
 * that is not its own, the migrations of pg_migrations.c applied under an advisory lock (two
 * nodes starting at once do not both migrate), each in its own transaction and recorded in
 * schema_migrations, and the redaction that keeps the password out of every message. */
#include "pg_core.h"
#include "pg_migrations.h"
#include "store_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* pg_advisory_lock's key for migrating: "Gazette" in ASCII. */
#define MIGRATION_LOCK "71097122101116116"
enum { WHERE_MAX = 512 };

/* ---- Passwords out of messages ------------------------------------------------------------ */
/* Where the password of a postgres:// URI is: after "user:" in the part before '@'. */
static bool uri_password(const char *location, size_t *start, size_t *len)
{
    const char *p = strstr(location, "://");
    if (!p) return false;
    p += 3;
    size_t host_end = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < host_end; i++)
        if (p[i] == '@') at = p + i;
    if (!at) return false;
    const char *colon = memchr(p, ':', (size_t)(at - p));
    if (!colon) return false;
    *start = (size_t)(colon + 1 - location);
    *len = (size_t)(at - colon - 1);
    return true;
}

/* Where a "password=" parameter's value is (in a URI's query or a key=value string). */
static bool param_password(const char *location, size_t from, size_t *start, size_t *len)
{
    for (const char *p = strstr(location + from, "password="); p; p = strstr(p + 1, "password=")) {
        char before = p == location ? ' ' : p[-1];
        if (before != '?' && before != '&' && before != ' ') continue;
        *start = (size_t)(p + 9 - location);
        *len = strcspn(p + 9, "& ");
        return true;
    }
    return false;
}

void pg_redact_location(const char *location, char *out, size_t n)
{
    if (!n) return;
    out[0] = '\0';
    if (!location) return;
    size_t span[2][2], k = 0, start, len;
    if (uri_password(location, &start, &len)) span[k][0] = start, span[k++][1] = len;
    if (param_password(location, 0, &start, &len)) span[k][0] = start, span[k++][1] = len;
    if (k == 2 && span[1][0] < span[0][0]) {
        size_t t0 = span[0][0], t1 = span[0][1];
        span[0][0] = span[1][0], span[0][1] = span[1][1];
        span[1][0] = t0, span[1][1] = t1;
    }
    size_t used = 0, from = 0;
    for (size_t i = 0; i <= k; i++) {
        size_t to = i < k ? span[i][0] : strlen(location);
        if (to < from) continue;
        int w = snprintf(out + used, n - used, "%.*s%s", (int)(to - from), location + from,
                         i < k ? "***" : "");
        if (w < 0 || (size_t)w >= n - used) return; /* truncated: what fits is safe */
        used += (size_t)w;
        if (i < k) from = span[i][0] + span[i][1];
    }
}

/* Replaces every occurrence of secret in msg: by "***", or by as many stars as it has
 * characters when it is shorter (the message never grows). */
static void scrub(char *msg, const char *secret)
{
    size_t len = secret ? strlen(secret) : 0;
    if (len == 0) return;
    for (char *p = strstr(msg, secret); p; p = strstr(p, secret)) {
        if (len < 3) {
            memset(p, '*', len);
        } else {
            memcpy(p, "***", 3);
            memmove(p + 3, p + len, strlen(p + len) + 1);
        }
        p += len < 3 ? len : 3;
    }
}

void pg_redact_message(const char *location, char *msg)
{
    if (!location || !msg) return;
    size_t start, len;
    if (uri_password(location, &start, &len)) {
        char *raw = strndup(location + start, len);
        scrub(msg, raw);
        free(raw);
    }
    if (param_password(location, 0, &start, &len)) {
        char *raw = strndup(location + start, len);
        scrub(msg, raw);
        free(raw);
    }
    PQconninfoOption *opts = PQconninfoParse(location, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val) scrub(msg, o->val);
    }
    PQconninfoFree(opts);
}

/* ---- Messages ------------------------------------------------------------------------------ */
static store_status msg(char *err, size_t errlen, store_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static store_status msg(char *err, size_t errlen, store_status st, const char *fmt, ...)
{
    if (!err || !errlen) return st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    size_t n = strlen(err);
    while (n && err[n - 1] == '\n')
        err[--n] = '\0';
    return st;
}

/* The status for a failed result (or the connection's state when r is NULL). */
static store_status result_status(PGconn *db, const PGresult *r)
{
    if (PQstatus(db) == CONNECTION_BAD) return STORE_UNAVAILABLE;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0))
        return STORE_UNAVAILABLE;
    if (state && strcmp(state, "53100") == 0) return STORE_FULL;
    if (state && strcmp(state, "42501") == 0) return STORE_IO; /* no permission */
    return STORE_IO;
}

/* ---- Queries while opening ------------------------------------------------------------------ */
/* Runs sql (no parameters but the optional $1 text), the first column of its first row into
 * *value (0 when no row). */
static bool query_int(PGconn *db, const char *sql, const char *param, long long *value,
                      PGresult **failed)
{
    PGresult *r = PQexecParams(db, sql, param ? 1 : 0, NULL, param ? &param : NULL, NULL, NULL, 0);
    *value = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        *failed = r;
        return false;
    }
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) *value = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return true;
}

static bool command(PGconn *db, const char *sql, PGresult **failed)
{
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        *failed = r;
        return false;
    }
    PQclear(r);
    return true;
}

/* Reports a failed step with the server's message, password removed. */
static store_status step_failed(PGconn *db, PGresult *r, const char *location, const char *where,
                                const char *doing, char *err, size_t errlen)
{
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    store_status st = result_status(db, r);
    msg(err, errlen, st, "%s: %s: %s", where, doing, primary ? primary : PQerrorMessage(db));
    pg_redact_message(location, err);
    PQclear(r);
    return st;
}

static int latest_migration(void)
{
    return pg_n_migrations ? pg_migrations[pg_n_migrations - 1].number : 0;
}

/* Tables, views and sequences outside PostgreSQL's own schemas. */
#define COUNT_OBJECTS                                                                              \
    "SELECT count(*) FROM pg_catalog.pg_class c"                                                   \
    " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"                                    \
    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"                                           \
    " AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"

/* Refuses databases that are not empty (creating), or not Gazette's, or from a newer Gazette. */
static store_status check_identity(PGconn *db, const char *location, const char *where,
                                   bool creating, char *err, size_t errlen)
{
    long long objects = 0, ours = 0, version = 0;
    PGresult *r = NULL;
    if (!query_int(db, COUNT_OBJECTS, NULL, &objects, &r) ||
        !query_int(db,
                   "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname ="
                   " current_schema() AND tablename = 'schema_migrations'",
                   NULL, &ours, &r))
        return step_failed(db, r, location, where, "reading its tables", err, errlen);
    if (creating) {
        if (objects > 0)
            return msg(err, errlen, STORE_CONFLICT,
                       "database %s is not empty (it has %lld tables or other objects); open it "
                       "with --db, or create a Gazette database in an empty one",
                       where, objects);
        return STORE_OK;
    }
    if (!ours && objects == 0)
        return msg(err, errlen, STORE_SCHEMA,
                   "%s is an empty database; create a Gazette database with "
                   "'gazette init --db %s'",
                   where, where);
    if (!ours)
        return msg(err, errlen, STORE_SCHEMA,
                   "%s is not a Gazette database (no schema_migrations table)", where);
    if (!query_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL, &version,
                   &r)) {
        msg(err, errlen, STORE_SCHEMA, "%s is not a Gazette database: %s", where,
            PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
        PQclear(r);
        pg_redact_message(location, err);
        return STORE_SCHEMA;
    }
    if (version > latest_migration())
        return msg(err, errlen, STORE_SCHEMA,
                   "%s has schema version %lld but this gazette only knows up to %d; "
                   "use a newer gazette",
                   where, version, latest_migration());
    return STORE_OK;
}

/* Applies one migration unless another node did it first; its own transaction. */
static bool apply_migration(PGconn *db, const store_migration *m, PGresult **failed)
{
    if (!command(db, "BEGIN", failed)) return false;
    char number[16], now[24];
    snprintf(number, sizeof number, "%d", m->number);
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    long long done = 0;
    const char *insert[] = {number, m->name, now};
    bool ok = query_int(db, "SELECT count(*) FROM schema_migrations WHERE version = $1::bigint",
                        number, &done, failed);
    if (ok && !done) ok = command(db, m->sql, failed);
    if (ok && !done) {
        PGresult *r = PQexecParams(db,
                                   "INSERT INTO schema_migrations (version, name, applied_at)"
                                   " VALUES ($1::bigint, $2, $3::bigint)",
                                   3, NULL, insert, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            PQclear(r);
        else
            *failed = r, ok = false;
    }
    if (ok) ok = command(db, "COMMIT", failed);
    if (!ok && PQtransactionStatus(db) != PQTRANS_IDLE) PQclear(PQexec(db, "ROLLBACK"));
    return ok;
}

static store_status migrate(PGconn *db, const char *location, const char *where, char *err,
                            size_t errlen)
{
    for (size_t i = 0; i < pg_n_migrations; i++) {
        const store_migration *m = &pg_migrations[i];
        PGresult *r = NULL;
        if (!apply_migration(db, m, &r)) {
            char doing[128];
            snprintf(doing, sizeof doing, "migration %d (%s) failed", m->number, m->name);
            return step_failed(db, r, location, where, doing, err, errlen);
        }
    }
    return STORE_OK;
}

/* Everything between connecting and handing the connection to a store, under the lock. */
static store_status prepare_schema(PGconn *db, const char *location, const char *where,
                                   bool creating, char *err, size_t errlen)
{
    store_status rs = check_identity(db, location, where, creating, err, errlen);
    PGresult *r = NULL;
    if (rs == STORE_OK && creating && !command(db, pg_migrations_table_sql, &r))
        rs = step_failed(db, r, location, where, "creating schema_migrations", err, errlen);
    if (rs == STORE_OK) rs = migrate(db, location, where, err, errlen);
    return rs;
}

static store_status start(const char *location, bool creating, store **out, char *err,
                          size_t errlen)
{
    *out = NULL;
    msg(err, errlen, STORE_OK, "%s", "");
    if (!location || !*location)
        return msg(err, errlen, STORE_INVALID, "no database given (--db postgres://...)");
    char where[WHERE_MAX];
    pg_redact_location(location, where, sizeof where);
    PGconn *db;
    store_status rs = pg_connect(location, &db, err, errlen);
    if (rs != STORE_OK) return rs;
    PGresult *r = NULL;
    /* another node may be migrating a big database: wait for it longer than for a row */
    if (!command(db, "SET lock_timeout = '" PG_MIGRATION_LOCK_TIMEOUT "'", &r) ||
        !command(db, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")", &r)) {
        rs = step_failed(db, r, location, where, "waiting for the migration lock", err, errlen);
    } else {
        rs = prepare_schema(db, location, where, creating, err, errlen);
        if (PQstatus(db) == CONNECTION_OK)
            PQclear(PQexec(db, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ");"
                               " SET lock_timeout = '" PG_LOCK_TIMEOUT "'"));
    }
    if (rs != STORE_OK) {
        PQfinish(db);
        return rs;
    }
    if ((rs = pg_store_new(location, db, latest_migration(), out)) != STORE_OK)
        msg(err, errlen, rs, "out of memory or thread keys opening %s", where);
    return rs;
}

store_status pg_store_open(const char *location, store **out, char *err, size_t errlen)
{
    return start(location, false, out, err, errlen);
}

store_status pg_store_create(const char *location, store **out, char *err, size_t errlen)
{
    return start(location, true, out, err, errlen);
}
