/* pg_internal.h — what the PostgreSQL backend's core (pg.c) lends its feature files
 * (pg_articles.c, pg_search.c, pg_comments.c, pg_editor.c ...): this thread's connection, its
 * error message, transactions with the same rules as the SQLite backend's (a read inside
 * store_read_begin joins the request's snapshot), and one parameterised statement at a time.
 *
 * Conventions every pg_*.c file follows:
 * - The tables and columns are those of the SQLite schema (migrations.c), same names; integers
 *   are bigint (booleans too: 0/1), times unix seconds, blobs bytea. pg_migrations.c holds
 *   the same numbered migrations for PostgreSQL.
 * - Statements are sent with parameters only ($1, $2 ...), never text pasted into SQL; pg_exec
 *   prepares each distinct SQL text once per connection and reuses it.
 * - Results come back in text format; read them with pg_text / pg_int / pg_bytes.
 * - A backend function implementing store_xxx is named pg_store_xxx (store_backend.h). */
#ifndef GAZETTE_PG_INTERNAL_H
#define GAZETTE_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"
#include "store.h"

typedef struct pg_conn pg_conn;

/* This thread's connection, opened on first use and opened again after the server went away
 * (STORE_UNAVAILABLE while it cannot be reached); its error message is cleared. */
store_status pg_conn_get(store *s, pg_conn **out);
/* The libpq handle of a connection in hand. */
PGconn *pg_db(pg_conn *c);

/* Records "what: the server's message" as the thread's error and returns the store status
 * for the result (by SQLSTATE: 23505 unique → STORE_CONFLICT, other 23xxx and 22xxx →
 * STORE_INVALID, 40001/40P01/55P03 → STORE_BUSY, 53100 → STORE_FULL, 08xxx / 57Pxx / a lost
 * connection → STORE_UNAVAILABLE, the rest STORE_IO). r may be NULL (no result at all). */
store_status pg_fail(pg_conn *c, const PGresult *r, const char *what);
/* Records a message of our own. */
store_status pg_failf(pg_conn *c, store_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Transactions. pg_begin_write: BEGIN (READ COMMITTED; the caller locks what it must, e.g.
 * SELECT ... FOR UPDATE). pg_begin_read joins the thread's read snapshot when one is open
 * (store_read_begin) and otherwise starts a REPEATABLE READ READ ONLY transaction.
 * pg_finish: COMMIT when rs is STORE_OK, else ROLLBACK; returns the outcome. */
store_status pg_begin_write(pg_conn *c);
/* pg_conn_get then pg_begin_write: this thread's connection with a write transaction begun. */
store_status pg_write_begin(store *s, pg_conn **c);
store_status pg_begin_read(pg_conn *c);
store_status pg_finish(pg_conn *c, store_status rs);

/* Parameters of one statement, in order: the first added is $1. Texts are not copied: they
 * must live until pg_exec returns. Integers are kept inside. */
enum { PG_MAX_PARAMS = 32 };
typedef struct {
    int n;
    bool overflow; /* more than PG_MAX_PARAMS were added: pg_exec refuses */
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS];
    int formats[PG_MAX_PARAMS]; /* 0 text, 1 binary (bytea) */
    char ints[PG_MAX_PARAMS][24];
} pg_params;
void pg_params_init(pg_params *p);
void pg_param_int(pg_params *p, long long v);
void pg_param_text(pg_params *p, const char *v);                /* NULL: SQL NULL */
void pg_param_bytes(pg_params *p, const void *bytes, size_t n); /* bytea */
/* A count (a limit, an offset...) as an integer, held to bigint's range. */
void pg_param_size(pg_params *p, size_t v);
/* "{1,2,3}": ids as a bigint[] literal (in a), for one "= ANY($n::bigint[])" or unnest. */
const char *pg_id_array(arena *a, const long long *ids, size_t n);

/* Runs sql with p (may be NULL for none), prepared once per connection. *out (may be NULL:
 * the result is dropped) gets a PGRES_TUPLES_OK or PGRES_COMMAND_OK result the caller frees
 * with PQclear. Any other outcome is recorded with pg_fail (what names it) and returned. */
store_status pg_exec(pg_conn *c, const char *sql, const pg_params *p, PGresult **out,
                     const char *what);
/* Runs sql and reads the first column of its first row as an integer into *value (may be
 * NULL); STORE_NOT_FOUND when there is no row. */
store_status pg_exec_int(pg_conn *c, const char *sql, const pg_params *p, long long *value,
                         const char *what);

/* Column readers for a text-format result. */
const char *pg_text(arena *a, const PGresult *r, int row, int col);          /* NULL for SQL NULL */
const char *pg_text_or_empty(arena *a, const PGresult *r, int row, int col); /* "" for NULL */
long long pg_int(const PGresult *r, int row, int col);                       /* 0 for SQL NULL */
/* A bytea column decoded into the arena; *n gets its length. NULL for SQL NULL. */
const unsigned char *pg_bytes(arena *a, const PGresult *r, int row, int col, size_t *n);

/* ---- Stories, shared between pg_articles.c and pg_editor.c (as sqlite_internal.h) -------- */
/* The columns every article SELECT starts with (alias a), in SQLITE_ART_COLS' order, read by
 * pg_read_article; PG_ART_BODY adds the two bodies after them. */
#define PG_ART_COLS                                                                                \
    "a.id, a.slug, a.kicker, a.headline, a.lead, a.image_url, a.image_caption, a.image_credit,"    \
    " a.image_alt, a.status, a.published_at, a.updated_at, a.comments_off,"                        \
    " a.comments_days, a.created_at, a.body_format, a.kind, a.sticky"
#define PG_ART_BODY ", a.body_markdown, a.body_html"
enum { PG_ART_NCOLS = 18 };
/* Row row of r (selecting PG_ART_COLS, and PG_ART_BODY when with_body) into *o. */
void pg_read_article(const PGresult *r, int row, arena *a, store_article *o, bool with_body);
/* Every row of r as articles (topics and authors not filled). */
store_status pg_collect_articles(pg_conn *c, const PGresult *r, arena *a, bool with_body,
                                 store_article **out, size_t *n);
/* Fills topics and authors of v[0..n) (one query each for all of them). */
store_status pg_fill_links(pg_conn *c, arena *a, store_article *v, size_t n);
/* store_articles_save's checks of one input (slug, headline, status, names). */
store_status pg_check_article(pg_conn *c, const store_article_input *in);
/* What goes with a story's row on every save: its search vector, topics, authors and
 * read-also links, replaced by those of in (inside the caller's write transaction). */
store_status pg_save_links(pg_conn *c, arena *scratch, const store_article_input *in, long long now,
                           long long id);
/* Writes the next revision of the story as its row and links stand now (inside the caller's
 * write transaction); *number (may be NULL) gets its number. user_id 0: nobody known. */
store_status pg_revision_write(pg_conn *c, long long article_id, long long user_id,
                               const char *user_name, long long now, int *number);

/* ---- Search (pg_search.c) ------------------------------------------------------------------
 * Sets articles.search_vector of story id from its row as it stands (headline weighing most,
 * bodies as plain text, in the text search configuration of the site's language setting);
 * called by pg_save_links after every change of a story's text. */
store_status pg_search_index(pg_conn *c, long long id);
/* The tsquery text (for to_tsquery(config, $n)) equivalent to an FTS5 query built by
 * search_query.h, allocated in a; STORE_INVALID (recorded) when it cannot be read. *config
 * gets the text search configuration to pass with it. */
store_status pg_search_tsquery(pg_conn *c, arena *a, const char *fts_query, const char **tsquery,
                               const char **config);

/* The unix time now (the store's clock; tests may not move it). */
long long pg_now(void);

#endif
