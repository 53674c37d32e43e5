/* diff.h — a line diff of two texts (Myers' O(ND) greedy algorithm, with the shortest edit
 * script found by walking back its saved frontiers) and its HTML: what the revisions screen
 * shows between two versions of a story. Pure functions over strings: no HTTP, no database. */
#ifndef GAZETTE_ADMIN_DIFF_H
#define GAZETTE_ADMIN_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

typedef enum { DIFF_SAME = 0, DIFF_REMOVED = 1, DIFF_ADDED = 2 } diff_op;

typedef struct {
    diff_op op;
    const char *text; /* the line without its end ("\n" or "\r\n"); not NUL-terminated */
    size_t len;
} diff_line;

/* Past this many differing lines (after the common start and end are set aside) the diff
 * stops looking for the shortest script and shows the rest as removed then added: time and
 * memory stay bounded (O(DIFF_MAX_EDITS^2)) whatever the input. */
enum { DIFF_MAX_EDITS = 2000 };

/* The lines of old_text turned into those of new_text (either may be NULL: no lines), in
 * order: *out (arena) gets every line of both once, marked same, removed or added, with as
 * few removed and added lines as there can be (up to DIFF_MAX_EDITS). */
void diff_lines(arena *a, const char *old_text, const char *new_text, diff_line **out, size_t *n);
/* Counts of removed and added lines. */
void diff_count(const diff_line *lines, size_t n, size_t *removed, size_t *added);
/* <pre class="diff"> with each line HTML-escaped: removed ones in <del>, added ones in <ins>,
 * unchanged ones in <span>. context: how many unchanged lines to show around each change
 * (runs longer than that are shown as one "…" line); (size_t)-1 shows them all. Arena string. */
char *diff_html(arena *a, const diff_line *lines, size_t n, size_t context);

#endif
