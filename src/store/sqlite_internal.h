/* sqlite_internal.h — what sqlite.c lends the backend's other files (sqlite_newsletter.c,
 * sqlite_import.c): this thread's connection, its error message, and transactions that follow
 * the same rules as sqlite.c's own (a read inside store_read_begin joins the request's
 * snapshot). Those files prepare their statements themselves. */
#ifndef GAZETTE_SQLITE_INTERNAL_H
#define GAZETTE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

typedef struct conn conn;

/* This thread's connection (opened on first use); its error message is cleared. */
store_status sqlite_conn(store *s, conn **out, sqlite3 **db);
/* Records "what: SQLite's message" as the thread's error; the store status for rc. */
store_status sqlite_fail(conn *c, int rc, const char *what);
/* Records a message of our own. */
store_status sqlite_failf(conn *c, store_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
store_status sqlite_begin_write(conn *c); /* BEGIN IMMEDIATE */
store_status sqlite_begin_read(conn *c);
/* COMMIT when rs is STORE_OK, else ROLLBACK; returns the outcome. */
store_status sqlite_finish(conn *c, store_status rs);
/* ?1 article id: sets articles.search_len (migration 11) from the article's row in
 * article_search, after every change of that row. */
#define SQLITE_SEARCH_LEN_SET                                                                      \
    "UPDATE articles SET search_len = (SELECT gazette_search_len(s.headline, s.kicker, s.lead,"    \
    " s.body) FROM article_search s WHERE s.rowid = ?1) WHERE id = ?1"
/* comments.body_hash of a comment body: FNV-1a 64, big-endian (the duplicate check's key). */
void store_body_hash(const char *body, unsigned char out[8]);

#endif
