/* search_query.h — what a reader types into the search box, turned into an FTS5 query that
 * SQLite always accepts. Readers do not know FTS5 syntax and must not be able to trip over it:
 *
 *   - words become quoted tokens, implicitly ANDed:        harbour ferry  → "harbour" "ferry"
 *   - "quoted phrases" stay phrases (an unclosed quote is closed at the end)
 *   - a trailing * makes a prefix query:                   gaz*           → "gaz"*
 *   - OR between two words or phrases is honoured:         ferry OR bus   → "ferry" OR "bus"
 *   - everything else FTS5 would read as syntax (AND, NOT, NEAR, ( ) : ^ - + and a dangling OR)
 *     is plain text, quoted like any word; words made only of ASCII punctuation are dropped.
 *
 * Limits: at most SEARCH_QUERY_MAX_BYTES bytes and SEARCH_QUERY_MAX_TERMS words or phrases. */
#ifndef GAZETTE_SEARCH_QUERY_H
#define GAZETTE_SEARCH_QUERY_H

#include "../core/arena.h"

enum { SEARCH_QUERY_MAX_BYTES = 200, SEARCH_QUERY_MAX_TERMS = 32 };

typedef enum {
    SEARCH_QUERY_OK = 0,
    SEARCH_QUERY_EMPTY,    /* nothing typed (NULL, empty or only white space) */
    SEARCH_QUERY_NO_WORDS, /* only punctuation: nothing to search for */
    SEARCH_QUERY_TOO_LONG, /* over SEARCH_QUERY_MAX_BYTES bytes or SEARCH_QUERY_MAX_TERMS terms */
    SEARCH_QUERY_BAD_UTF8, /* not valid UTF-8 */
} search_query_status;

/* Translates text; on SEARCH_QUERY_OK *fts gets the FTS5 query (arena), else NULL. */
search_query_status search_query_translate(arena *a, const char *text, const char **fts);
/* A sentence for readers explaining status ("" for SEARCH_QUERY_OK). */
const char *search_query_message(search_query_status status);

#endif
