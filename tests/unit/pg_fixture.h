/* pg_fixture.h — the unit tests' side of PostgreSQL: whether they run on it (GAZETTE_TEST_PG
 * holds the admin URL of a throwaway cluster; make test starts one with tests/pg/cluster.sh),
 * a database of a test's own made and dropped through libpq on that URL, raw SQL run there, and
 * skip_unless_sqlite() for the tests about SQLite files or SQLite's own SQL. Include after
 * <cmocka.h>; store_fixture.h builds its fixture on it. */
#ifndef GAZETTE_TEST_PG_FIXTURE_H
#define GAZETTE_TEST_PG_FIXTURE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/core/arena.h"

/* The admin URL of the PostgreSQL cluster the tests run on, or NULL: run on SQLite. */
static inline const char *test_pg_admin(void)
{
    const char *url = getenv("GAZETTE_TEST_PG");
    return url && *url ? url : NULL;
}

static inline bool is_pg_location(const char *path)
{
    return strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0;
}

/* Skips the test when it runs on PostgreSQL: it is about SQLite files or SQLite's own SQL. */
#define skip_unless_sqlite()                                                                       \
    do {                                                                                           \
        if (test_pg_admin()) skip();                                                               \
    } while (0)

/* The SQL for the backend the test runs on, for setups that need each one's dialect. */
static inline const char *sql_for_backend(const char *sqlite_sql, const char *pg_sql)
{
    return test_pg_admin() ? pg_sql : sqlite_sql;
}

/* Runs sql (one or more statements) on the PostgreSQL database at url; false (and the server's
 * message on stderr) when it fails. */
static inline bool pg_run(const char *url, const char *sql)
{
    PGconn *db = PQconnectdb(url);
    bool ok = PQstatus(db) == CONNECTION_OK;
    if (!ok) fprintf(stderr, "pg_run: cannot connect to %s: %s", url, PQerrorMessage(db));
    if (ok) {
        PGresult *r = PQexec(db, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        if (!ok) fprintf(stderr, "pg_run: %s: %s", sql, PQerrorMessage(db));
        PQclear(r);
    }
    PQfinish(db);
    return ok;
}

/* The first column of the first row of sql on url, as text into a (NULL when NULL or no row). */
static inline char *pg_value(arena *a, const char *url, const char *sql, bool *found)
{
    PGconn *db = PQconnectdb(url);
    if (PQstatus(db) != CONNECTION_OK)
        fail_msg("cannot connect to %s: %s", url, PQerrorMessage(db));
    PGresult *r = PQexec(db, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) fail_msg("%s: %s", sql, PQerrorMessage(db));
    char *v = NULL;
    *found = PQntuples(r) > 0;
    if (*found && !PQgetisnull(r, 0, 0)) v = arena_strdup(a, PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(db);
    return v;
}

/* Makes an empty database of the test's own on the cluster: its name into name, its URL into
 * url (the admin URL with the database name replaced, its query string, if any, kept). */
static inline void pg_test_database_new(const char *admin, char *name, size_t name_size, char *url,
                                        size_t url_size)
{
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(name, name_size, "gz_%d_%u_%lx", (int)getpid(), ++counter, (unsigned long)ts.tv_nsec);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    assert_true(pg_run(admin, sql));
    const char *hosts = strstr(admin, "://") + 3;
    const char *slash = strchr(hosts, '/');
    const char *query = strchr(hosts, '?');
    int host_len = (int)((slash ? slash : query ? query : hosts + strlen(hosts)) - admin);
    snprintf(url, url_size, "%.*s/%s%s", host_len, admin, name, query ? query : "");
}

/* Drops the database named name ("": none), connections and all. */
static inline void pg_test_database_drop(const char *name)
{
    if (!name[0] || !test_pg_admin()) return;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    pg_run(test_pg_admin(), sql);
}

#endif
