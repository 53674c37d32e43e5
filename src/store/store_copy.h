/* store_copy.h — moving a whole site from a SQLite file to a PostgreSQL database (`gazette
 * migrate`): every row of every table, in one PostgreSQL transaction, then the counts of both
 * sides compared table by table. */
#ifndef GAZETTE_STORE_COPY_H
#define GAZETTE_STORE_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* Called as rows go in: done of total rows of every table together. */
typedef void (*store_copy_progress)(void *ctx, size_t done, size_t total);

enum { STORE_COPY_MAX_TABLES = 64 };
typedef struct {
    size_t n_tables;
    struct {
        char name[64];
        long long rows; /* in both databases once verified */
    } tables[STORE_COPY_MAX_TABLES];
    long long total_rows;
} store_copy_report;

/* Copies the site in the SQLite file from (brought to the newest schema first) into the
 * PostgreSQL database to, which must be new (no tables: its schema is made here) or hold
 * Gazette's schema with no rows (a copy that failed before). Everything is copied in one
 * transaction and then counted on both sides: on any error or difference nothing is kept
 * and err says why. The search index is built for every story on the way. */
store_status store_copy_sqlite_to_pg(const char *from, const char *to, store_copy_progress progress,
                                     void *ctx, store_copy_report *report, char *err,
                                     size_t errlen);

#endif
