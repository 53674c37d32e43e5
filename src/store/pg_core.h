/* pg_core.h — what the PostgreSQL backend's core files share among themselves and no feature
 * file needs: making a connection with Gazette's session settings (pg.c), wrapping a connection
 * that opened and migrated a database into a store (pg.c, called by pg_open.c), and keeping
 * passwords out of messages (pg_open.c). */
#ifndef GAZETTE_PG_CORE_H
#define GAZETTE_PG_CORE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "store.h"

/* How long a statement waits for a lock before failing with STORE_BUSY (as SQLite's busy
 * timeout); the migration lock at opening waits longer. */
#define PG_LOCK_TIMEOUT "5s"
#define PG_MIGRATION_LOCK_TIMEOUT "120s"

/* The channel every write to what a page shows notifies at commit (pg_migrations.c). */
#define PG_CHANGES_CHANNEL "gazette_changes"

/* Connects to location (a libpq URI) with a connect timeout and TCP keepalives, then sets the
 * session up (client_min_messages, time zone UTC, LISTEN on the changes channel). On failure
 * *out is NULL and err gets libpq's message, the password removed. */
store_status pg_connect(const char *location, PGconn **out, char *err, size_t errlen);
/* Sets a fresh session up (after a connect or a reset); 0 on success. */
int pg_session_setup(PGconn *db);
/* A store around db, which becomes the calling thread's connection; version is the schema
 * version the database now has. On failure db is closed. */
store_status pg_store_new(const char *location, PGconn *db, int version, store **out);

/* Copies location into out with its password (user:PASSWORD@ or password=...) replaced by
 * "***". */
void pg_redact_location(const char *location, char *out, size_t n);
/* Replaces in place every occurrence of location's password in msg by "***". */
void pg_redact_message(const char *location, char *msg);

#endif
