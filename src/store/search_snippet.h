/* search_snippet.h — the HTML passage shown under a search result (see search_snippet.c).
 * Private to src/store. */
#ifndef GAZETTE_SEARCH_SNIPPET_H
#define GAZETTE_SEARCH_SNIPPET_H

#include <stddef.h>

#include "../core/arena.h"
#include "../core/buf.h"

/* From the columns of a story's indexed plain text (in order of preference: the first wins a
 * tie; NULL or empty ones are skipped), the window of at most max_words words holding the most
 * distinct phrases of the query, HTML-escaped, each match in <mark>...</mark>, "…" where text
 * was cut. phrases are as search_rank_phrases gives them ("word", "two words", "pre"*). With
 * no match anywhere: the start of the first non-empty column. Arena-allocated, never NULL. */
const char *search_snippet_html(arena *a, const char *const *columns, size_t n_columns,
                                const char *const *phrases, size_t n_phrases, size_t max_words);

#endif
