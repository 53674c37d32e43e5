/* migrations.h — the SQLite schema as a numbered list of migrations. sqlite.c applies the
 * pending ones in order, each in its own transaction, and records each in
 * schema_migrations(version, name, applied_at). Rules for adding one: append with the next
 * number, never edit or renumber a migration that has shipped, keep each one valid inside a
 * transaction (no PRAGMA journal_mode / foreign_keys; the connection has foreign keys ON). */
#ifndef GAZETTE_STORE_MIGRATIONS_H
#define GAZETTE_STORE_MIGRATIONS_H

#include <stddef.h>

typedef struct {
    int number; /* 1, 2, 3 ... in increasing array order */
    const char *name;
    const char *sql; /* one or more statements, constant text */
} store_migration;

/* The bookkeeping table itself; created by store_create before migration 1. */
extern const char store_migrations_table_sql[];

extern const store_migration store_migrations[];
extern const size_t store_n_migrations;

#endif
