/* search_text.h — what the full-text index holds of a story's column, the same for every backend
 * (SQLite's gazette_search_text, PostgreSQL's search_vector). Private to src/store. */
#ifndef GAZETTE_SEARCH_TEXT_H
#define GAZETTE_SEARCH_TEXT_H

#include <stdbool.h>

#include "../core/arena.h"

/* The snippet markers: private-use characters U+E000 and U+E001 (UTF-8). */
#define SEARCH_TEXT_MARK_OPEN "\xEE\x80\x80"
#define SEARCH_TEXT_MARK_CLOSE "\xEE\x80\x81"

/* text as the index sees it, in a: HTML (is_html) becomes its plain text; either way the snippet
 * markers become spaces, so that every marker in a snippet is one the search engine put there.
 * NULL stays NULL. */
char *search_text_plain(arena *a, const char *text, bool is_html);

#endif
