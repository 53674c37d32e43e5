/* sqlite_internal.h — for the store's own SQLite modules only (sqlite_import.c): the calling
 * thread's connection of a store, with Gazette's SQL functions registered on it. Nothing
 * outside src/store includes this. */
#ifndef GAZETTE_STORE_SQLITE_INTERNAL_H
#define GAZETTE_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

/* NULL when the connection cannot be opened. Owned by the store (closed by store_close). */
sqlite3 *store_sqlite_db(store *s);
/* comments.body_hash of a comment body: FNV-1a 64, big-endian (the duplicate check's key). */
void store_body_hash(const char *body, unsigned char out[8]);

#endif
