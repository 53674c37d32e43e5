/* pg_copy.c — `gazette migrate`'s copy of a SQLite site into PostgreSQL (store_copy.h). The
 * tables are read from the SQLite file's own schema, parents before children (by their
 * foreign keys); each row goes in with the columns both databases have, by a parameterised
 * INSERT, all inside one PostgreSQL transaction. A column that refers to its own table (a
 * reply's parent comment, a topic's parent) is written after the whole table, so the order of
 * the rows does not matter. The full-text index (FTS5 in SQLite) is not copied: each story's
 * search vector is computed again, and the change log starts empty. */
#include "store_copy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"
#include "sqlite_internal.h"
#include "store_backend.h"

typedef struct {
    char name[64];
    char columns[32][64]; /* the columns both sides have, in SQLite's order */
    int n_columns;
    int self_ref[32]; /* 1 where the column refers to the table itself */
    long long rows;   /* in SQLite */
    char parents[8][64];
    int n_parents;
} table_plan;

typedef struct {
    sqlite3 *lite;
    pg_conn *pg;
    store *target;
    arena *a;
    table_plan tables[STORE_COPY_MAX_TABLES];
    size_t n_tables;
    size_t done, total;
    store_copy_progress progress;
    void *ctx;
    char *err;
    size_t errlen;
} copy_job;

static store_status failf(copy_job *j, store_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static store_status failf(copy_job *j, store_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err, j->errlen, fmt, ap);
    va_end(ap);
    return st;
}

/* Tables that are derived, or the bookkeeping of each side: not copied. */
static bool skipped_table(const char *name)
{
    return strncmp(name, "sqlite_", 7) == 0 || strncmp(name, "article_search", 14) == 0 ||
           strcmp(name, "schema_migrations") == 0 || strcmp(name, "changes") == 0;
}

static store_status lite_fail(copy_job *j, const char *what)
{
    return failf(j, STORE_IO, "reading the SQLite file (%s): %s", what, sqlite3_errmsg(j->lite));
}

/* Whether PostgreSQL's table has the column (information_schema, current schema). */
static store_status pg_has_column(copy_job *j, const char *table, const char *column, bool *has)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, table);
    pg_param_text(&p, column);
    long long count = 0;
    store_status st = pg_exec_int(j->pg,
                                  "SELECT count(*) FROM information_schema.columns WHERE"
                                  " table_schema = current_schema() AND table_name = $1 AND"
                                  " column_name = $2",
                                  &p, &count, "reading the PostgreSQL schema");
    *has = count > 0;
    return st;
}

/* The plan of one table: its columns, its parents, its rows. */
static store_status plan_table(copy_job *j, const char *name, table_plan *t)
{
    snprintf(t->name, sizeof t->name, "%s", name);
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, name);
    long long tables = 0;
    store_status st = pg_exec_int(j->pg,
                                  "SELECT count(*) FROM information_schema.tables WHERE"
                                  " table_schema = current_schema() AND table_name = $1",
                                  &p, &tables, "reading the PostgreSQL schema");
    if (st != STORE_OK) return failf(j, st, "%s", store_last_error(j->target));
    if (!tables)
        return failf(j, STORE_SCHEMA, "table %s of the SQLite file has no PostgreSQL twin", name);

    char *sql = arena_printf(j->a, "SELECT name FROM pragma_table_info('%s')", name);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(j->lite, sql, -1, &q, NULL) != SQLITE_OK)
        return lite_fail(j, "table columns");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *column = (const char *)sqlite3_column_text(q, 0);
        bool has = false;
        if ((st = pg_has_column(j, name, column, &has)) != STORE_OK) break;
        if (!has) {
            st = failf(j, STORE_SCHEMA, "column %s.%s of the SQLite file has no PostgreSQL twin",
                       name, column);
            break;
        }
        if (t->n_columns == 32) {
            st = failf(j, STORE_SCHEMA, "table %s has more than 32 columns", name);
            break;
        }
        snprintf(t->columns[t->n_columns++], 64, "%s", column);
    }
    sqlite3_finalize(q);
    if (st != STORE_OK) return st;
    if (rc != SQLITE_DONE) return lite_fail(j, "table columns");

    sql = arena_printf(j->a, "SELECT \"table\", \"from\" FROM pragma_foreign_key_list('%s')", name);
    if (sqlite3_prepare_v2(j->lite, sql, -1, &q, NULL) != SQLITE_OK)
        return lite_fail(j, "foreign keys");
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *parent = (const char *)sqlite3_column_text(q, 0);
        const char *from = (const char *)sqlite3_column_text(q, 1);
        if (strcmp(parent, name) == 0) {
            for (int i = 0; i < t->n_columns; i++)
                if (strcmp(t->columns[i], from) == 0) t->self_ref[i] = 1;
        } else if (t->n_parents < 8) {
            snprintf(t->parents[t->n_parents++], 64, "%s", parent);
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return lite_fail(j, "foreign keys");

    sql = arena_printf(j->a, "SELECT count(*) FROM \"%s\"", name);
    if (sqlite3_prepare_v2(j->lite, sql, -1, &q, NULL) != SQLITE_OK) return lite_fail(j, "counts");
    if (sqlite3_step(q) == SQLITE_ROW) t->rows = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    j->total += (size_t)t->rows;
    return STORE_OK;
}

/* Every table to copy, parents first. */
static store_status plan(copy_job *j)
{
    table_plan found[STORE_COPY_MAX_TABLES];
    size_t n_found = 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(j->lite,
                           "SELECT name FROM sqlite_schema WHERE type = 'table' AND"
                           " sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
                           -1, &q, NULL) != SQLITE_OK)
        return lite_fail(j, "tables");
    store_status st = STORE_OK;
    int rc;
    while (st == STORE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (skipped_table(name)) continue;
        if (n_found == STORE_COPY_MAX_TABLES) {
            st = failf(j, STORE_SCHEMA, "more than %d tables", STORE_COPY_MAX_TABLES);
            break;
        }
        memset(&found[n_found], 0, sizeof found[n_found]);
        st = plan_table(j, name, &found[n_found]);
        n_found++;
    }
    sqlite3_finalize(q);
    if (st != STORE_OK) return st;
    /* parents first: take a table once every parent it has among the copied ones is taken */
    bool taken[STORE_COPY_MAX_TABLES] = {0};
    while (j->n_tables < n_found) {
        bool progressed = false;
        for (size_t i = 0; i < n_found; i++) {
            if (taken[i]) continue;
            bool ready = true;
            for (int p = 0; p < found[i].n_parents && ready; p++)
                for (size_t k = 0; k < n_found; k++)
                    if (!taken[k] && strcmp(found[k].name, found[i].parents[p]) == 0) ready = false;
            if (!ready) continue;
            taken[i] = true;
            j->tables[j->n_tables++] = found[i];
            progressed = true;
        }
        if (!progressed)
            return failf(j, STORE_SCHEMA, "the tables' foreign keys go round in a circle");
    }
    return STORE_OK;
}

static char *quoted(copy_job *j, const char *name)
{
    return arena_printf(j->a, "\"%s\"", name); /* names from our own schema: letters and _ */
}

static void add_value(pg_params *p, sqlite3_stmt *q, int i, arena *a)
{
    switch (sqlite3_column_type(q, i)) {
    case SQLITE_NULL:
        pg_param_text(p, NULL);
        break;
    case SQLITE_INTEGER:
        pg_param_int(p, sqlite3_column_int64(q, i));
        break;
    case SQLITE_FLOAT:
        pg_param_text(p, arena_printf(a, "%.17g", sqlite3_column_double(q, i)));
        break;
    case SQLITE_BLOB:
        pg_param_bytes(p, sqlite3_column_blob(q, i), (size_t)sqlite3_column_bytes(q, i));
        break;
    default:
        pg_param_text(p, arena_strdup(a, (const char *)sqlite3_column_text(q, i)));
    }
}

/* The rows of one table; self-referring columns are set after the table is in. */
static store_status copy_table(copy_job *j, const table_plan *t)
{
    char *columns = "", *params = "";
    bool has_self = false, has_id = false;
    for (int i = 0; i < t->n_columns; i++) {
        columns = arena_printf(j->a, "%s%s%s", columns, i ? ", " : "", quoted(j, t->columns[i]));
        params = arena_printf(j->a, "%s%s$%d", params, i ? ", " : "", i + 1);
        has_self |= t->self_ref[i];
        has_id |= strcmp(t->columns[i], "id") == 0;
    }
    if (has_self && !has_id)
        return failf(j, STORE_SCHEMA, "table %s refers to itself without an id column", t->name);
    char *insert =
        arena_printf(j->a, "INSERT INTO %s (%s) VALUES (%s)", quoted(j, t->name), columns, params);
    char *select = arena_printf(j->a, "SELECT %s FROM %s", columns, quoted(j, t->name));
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(j->lite, select, -1, &q, NULL) != SQLITE_OK)
        return lite_fail(j, t->name);
    store_status st = STORE_OK;
    int rc;
    arena *row = arena_new();
    while (st == STORE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        arena_reset(row);
        pg_params p;
        pg_params_init(&p);
        for (int i = 0; i < t->n_columns; i++) {
            if (t->self_ref[i])
                pg_param_text(&p, NULL);
            else
                add_value(&p, q, i, row);
        }
        st = pg_exec(j->pg, insert, &p, NULL, "copying a row");
        if (st != STORE_OK)
            st = failf(j, st, "copying a row of %s: %s", t->name, store_last_error(j->target));
        if (++j->done % 512 == 0 && j->progress) j->progress(j->ctx, j->done, j->total);
    }
    if (st == STORE_OK && rc != SQLITE_DONE) st = lite_fail(j, t->name);
    sqlite3_finalize(q);
    for (int i = 0; st == STORE_OK && i < t->n_columns; i++) {
        if (!t->self_ref[i]) continue;
        char *sql =
            arena_printf(j->a, "SELECT id, %s FROM %s WHERE %s IS NOT NULL",
                         quoted(j, t->columns[i]), quoted(j, t->name), quoted(j, t->columns[i]));
        char *update = arena_printf(j->a, "UPDATE %s SET %s = $1 WHERE id = $2", quoted(j, t->name),
                                    quoted(j, t->columns[i]));
        if (sqlite3_prepare_v2(j->lite, sql, -1, &q, NULL) != SQLITE_OK) {
            st = lite_fail(j, t->name);
            break;
        }
        while (st == STORE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            pg_params p;
            pg_params_init(&p);
            pg_param_int(&p, sqlite3_column_int64(q, 1));
            pg_param_int(&p, sqlite3_column_int64(q, 0));
            st = pg_exec(j->pg, update, &p, NULL, "linking a row to its parent");
            if (st != STORE_OK)
                st = failf(j, st, "linking rows of %s: %s", t->name, store_last_error(j->target));
        }
        if (st == STORE_OK && rc != SQLITE_DONE) st = lite_fail(j, t->name);
        sqlite3_finalize(q);
    }
    arena_free(row);
    if (st == STORE_OK && has_id) {
        /* identity columns go on after the highest id copied */
        pg_params p;
        pg_params_init(&p);
        pg_param_text(&p, t->name);
        char *sql = arena_printf(j->a,
                                 "SELECT setval(s, greatest(coalesce(max(id), 0), 1),"
                                 " max(id) IS NOT NULL)::bigint FROM %s,"
                                 " pg_get_serial_sequence($1, 'id') AS s WHERE s IS NOT NULL"
                                 " GROUP BY s",
                                 quoted(j, t->name));
        st = pg_exec(j->pg, sql, &p, NULL, "moving an id sequence on");
        if (st != STORE_OK)
            st = failf(j, st, "ids of %s: %s", t->name, store_last_error(j->target));
    }
    return st;
}

/* Counts every table on the PostgreSQL side against SQLite's. */
static store_status verify(copy_job *j, store_copy_report *report)
{
    for (size_t i = 0; i < j->n_tables; i++) {
        const table_plan *t = &j->tables[i];
        long long count = -1;
        store_status st =
            pg_exec_int(j->pg, arena_printf(j->a, "SELECT count(*) FROM %s", quoted(j, t->name)),
                        NULL, &count, "counting rows");
        if (st != STORE_OK)
            return failf(j, st, "counting %s: %s", t->name, store_last_error(j->target));
        if (count != t->rows)
            return failf(j, STORE_IO, "table %s: %lld rows in SQLite but %lld in PostgreSQL",
                         t->name, t->rows, count);
        snprintf(report->tables[i].name, sizeof report->tables[i].name, "%s", t->name);
        report->tables[i].rows = count;
        report->total_rows += count;
    }
    report->n_tables = j->n_tables;
    return STORE_OK;
}

/* The search vector of every story. */
static store_status index_stories(copy_job *j)
{
    PGresult *r = NULL;
    store_status st = pg_exec(j->pg, "SELECT id FROM articles ORDER BY id", NULL, &r,
                              "listing the stories to index");
    for (int i = 0; st == STORE_OK && i < PQntuples(r); i++)
        st = pg_search_index(j->pg, pg_int(r, i, 0));
    PQclear(r);
    if (st != STORE_OK) return failf(j, st, "indexing stories: %s", store_last_error(j->target));
    return STORE_OK;
}

/* A target that is new, or has Gazette's schema and no rows at all. */
static store_status open_target(copy_job *j, const char *to, store **out)
{
    store_status st = store_create(to, out, j->err, j->errlen);
    if (st != STORE_CONFLICT) return st;
    char first_err[256];
    snprintf(first_err, sizeof first_err, "%s", j->err);
    st = store_open(to, out, j->err, j->errlen);
    if (st != STORE_OK) return failf(j, STORE_CONFLICT, "%s", first_err);
    if ((st = pg_conn_get(*out, &j->pg)) != STORE_OK)
        return failf(j, st, "%s", store_last_error(*out));
    long long rows = 0;
    st = pg_exec_int(j->pg, "SELECT count(*) FROM articles", NULL, &rows, "counting stories");
    long long more = 0;
    if (st == STORE_OK)
        st = pg_exec_int(j->pg,
                         "SELECT (SELECT count(*) FROM topics) + (SELECT count(*) FROM"
                         " users) + (SELECT count(*) FROM comments)",
                         NULL, &more, "counting rows");
    if (st == STORE_OK && rows + more > 0)
        st = failf(j, STORE_CONFLICT,
                   "the PostgreSQL database already holds a site (%lld stories): migrate copies"
                   " into a new database only",
                   rows);
    if (st != STORE_OK) {
        store_close(*out);
        *out = NULL;
    }
    return st;
}

store_status store_copy_sqlite_to_pg(const char *from, const char *to, store_copy_progress progress,
                                     void *ctx, store_copy_report *report, char *err, size_t errlen)
{
    memset(report, 0, sizeof *report);
    copy_job j = {.progress = progress, .ctx = ctx, .err = err, .errlen = errlen};
    if (!from || !to || store_location_is_pg(from) || !store_location_is_pg(to)) {
        snprintf(err, errlen,
                 "migrate copies a SQLite file (--from FILE) into PostgreSQL"
                 " (--to postgres://...)");
        return STORE_INVALID;
    }
    store *source = NULL, *target = NULL;
    store_status st = store_open(from, &source, err, errlen);
    if (st != STORE_OK) return st;
    conn *lite_conn;
    if ((st = sqlite_conn(source, &lite_conn, &j.lite)) != STORE_OK) {
        snprintf(err, errlen, "%s", store_last_error(source));
        store_close(source);
        return st;
    }
    if ((st = open_target(&j, to, &target)) != STORE_OK) {
        store_close(source);
        return st;
    }
    j.target = target;
    j.a = arena_new();
    if ((st = pg_conn_get(target, &j.pg)) != STORE_OK)
        failf(&j, st, "%s", store_last_error(target));
    /* one snapshot of the file while we read it */
    if (st == STORE_OK && sqlite3_exec(j.lite, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        st = lite_fail(&j, "starting a read");
    if (st == STORE_OK && (st = pg_begin_write(j.pg)) != STORE_OK)
        failf(&j, st, "%s", store_last_error(target));
    bool in_tx = st == STORE_OK;
    if (st == STORE_OK) st = plan(&j);
    for (size_t i = 0; st == STORE_OK && i < j.n_tables; i++)
        st = copy_table(&j, &j.tables[i]);
    if (st == STORE_OK) st = index_stories(&j);
    if (st == STORE_OK) {
        /* the rows came in through the triggers of the change log: a new site starts it empty */
        st = pg_exec(j.pg, "DELETE FROM changes", NULL, NULL, "emptying the change log");
        if (st != STORE_OK) failf(&j, st, "%s", store_last_error(target));
    }
    if (st == STORE_OK) st = verify(&j, report);
    if (in_tx) {
        store_status end = pg_finish(j.pg, st);
        if (st == STORE_OK && end != STORE_OK)
            st = failf(&j, end, "committing: %s", store_last_error(target));
    }
    sqlite3_exec(j.lite, "ROLLBACK", NULL, NULL, NULL);
    if (progress && st == STORE_OK) progress(ctx, j.total, j.total);
    arena_free(j.a);
    store_close(target);
    store_close(source);
    return st;
}
