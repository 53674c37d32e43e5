/* pg_migrations.h — Gazette's schema for PostgreSQL as a numbered list of migrations, the same
 * numbers and names as migrations.h's SQLite list (one store_migration each). pg_open.c applies
 * the pending ones in order, each in its own transaction, under an advisory lock, and records
 * each in schema_migrations(version, name, applied_at). Rules: as migrations.h; a migration
 * added to one list is added to the other with the same number. */
#ifndef GAZETTE_STORE_PG_MIGRATIONS_H
#define GAZETTE_STORE_PG_MIGRATIONS_H

#include "migrations.h"

/* The bookkeeping table itself; created by store_create before migration 1. */
extern const char pg_migrations_table_sql[];

extern const store_migration pg_migrations[];
extern const size_t pg_n_migrations;

#endif
