/* pg_tsquery.h — the FTS5 query language that src/site/search_query.c writes (and the editor's
 * search passes on), read and written again as PostgreSQL to_tsquery text. A pure function of
 * its input (no connection), so that it is fuzzed on its own (tests/fuzz/fuzz_pg_tsquery.c).
 * Private to src/store. */
#ifndef GAZETTE_PG_TSQUERY_H
#define GAZETTE_PG_TSQUERY_H

#include "../core/arena.h"

/* Reads fts (FTS5: "double-quoted phrases" with "" for a quote inside, bare words of ASCII
 * letters, digits and underscores or non-ASCII characters, a '*' after either for a prefix,
 * the operators AND, OR and NOT between two terms, juxtaposition meaning AND) and writes the
 * to_tsquery text meaning the same into *out (arena): every phrase and word single-quoted with
 * ' and \ escaped (the text search parser of to_tsquery cuts a quoted operand into words and
 * joins them with <->), a prefix as :* on the phrase's last word, AND as &, OR as |, NOT as
 * "& !". FTS5 binds AND tighter than OR, as tsquery binds & tighter than |. Returns NULL on
 * success, else a message saying what could not be read (*out NULL; text that is not UTF-8
 * is refused too, as PostgreSQL would). Parentheses, NEAR and
 * column filters are not read (search_query.c never writes them). */
const char *pg_tsquery_from_fts(arena *a, const char *fts, const char **out);

#endif
