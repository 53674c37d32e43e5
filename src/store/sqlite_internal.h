/* sqlite_internal.h — what sqlite.c lends the backend's other files (sqlite_newsletter.c,
 * sqlite_import.c): this thread's connection, its error message, and transactions that follow
 * the same rules as sqlite.c's own (a read inside store_read_begin joins the request's
 * snapshot). Those files prepare their statements themselves. */
#ifndef GAZETTE_SQLITE_INTERNAL_H
#define GAZETTE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"
#include "comment_hash.h"
#include "store.h"

typedef struct conn conn;

/* The columns of an article every article SELECT starts with (alias a), read by
 * sqlite_collect_articles; SQLITE_ART_BODY adds the two bodies after them. */
#define SQLITE_ART_COLS                                                                            \
    "a.id, a.slug, a.kicker, a.headline, a.lead, a.image_url, a.image_caption, a.image_credit,"    \
    " a.image_alt, a.status, a.published_at, a.updated_at, a.comments_off,"                        \
    " a.comments_days, a.created_at, a.body_format, a.kind, a.sticky"
#define SQLITE_ART_BODY ", a.body_markdown, a.body_html"
/* How many columns SQLITE_ART_COLS has: what a query selects after them starts here. */
enum { SQLITE_ART_NCOLS = 18 };

/* This thread's connection (opened on first use); its error message is cleared. */
store_status sqlite_conn(store *s, conn **out, sqlite3 **db);
/* The store status for an SQLite result code (extended codes too). */
store_status sqlite_status(int rc);
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

/* The SQLite handle of a connection in hand. */
sqlite3 *sqlite_db(conn *c);
/* ---- Stories, for the editor (sqlite_editor.c) ------------------------------------------- */
/* store_articles_save's checks of one input (slug, headline, status, names). */
store_status sqlite_check_article(conn *c, const store_article_input *in);
/* What goes with a story's row on every save: its search index row, topics, authors and
 * read-also links, replaced by those of in. */
store_status sqlite_save_links(conn *c, arena *scratch, const store_article_input *in,
                               long long now, long long id);
/* Steps a bound statement selecting SQLITE_ART_COLS (and SQLITE_ART_BODY when with_body),
 * collecting every row; resets it. */
store_status sqlite_collect_articles(conn *c, sqlite3_stmt *st, int bind_rc, arena *a,
                                     bool with_body, store_article **out, size_t *n);
/* Fills topics and authors of v[0..n). */
store_status sqlite_fill_links(conn *c, arena *a, store_article *v, size_t n);
/* Writes the next revision of the story as its row and links stand now (inside the caller's
 * write transaction); *number (may be NULL) gets its number. user_id 0: nobody known. */
store_status sqlite_revision_write(conn *c, long long article_id, long long user_id,
                                   const char *user_name, long long now, int *number);

/* ---- One statement at a time (sqlite_query.c) -----------------------------------------------
 * For the feature files that prepare their statements as they go: the statement, and the first
 * error binding or stepping it (the binders do nothing once one failed). */
typedef struct sqlite_query {
    conn *c;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc;
} sqlite_query;
/* Takes this thread's connection (no statement yet). */
store_status sqlite_query_open(store *s, sqlite_query *q);
/* Finalizes the statement in hand, if any, and prepares sql; what names it in the error. */
store_status sqlite_query_prepare(sqlite_query *q, const char *sql, const char *what);
store_status sqlite_query_start(store *s, sqlite_query *q, const char *sql, const char *what);
void sqlite_query_int(sqlite_query *q, int i, long long v);
void sqlite_query_text(sqlite_query *q, int i, const char *v); /* NULL binds SQL NULL */
void sqlite_query_blob(sqlite_query *q, int i, const void *bytes, size_t n);
/* Steps once: SQLITE_ROW or SQLITE_DONE become STORE_OK (*row, when given, says which); a
 * unique-key clash is STORE_CONFLICT. */
store_status sqlite_query_step(sqlite_query *q, bool *row, const char *what);
void sqlite_query_end(sqlite_query *q); /* finalizes the statement */
/* Column i as an arena string, NULL for SQL NULL. */
const char *sqlite_column_copy(arena *a, sqlite3_stmt *st, int i);

#endif
