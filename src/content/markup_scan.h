/* markup_scan.h — reading raw HTML as text, without parsing it (markup_scan.c): for the
 * WordPress passes that rewrite the text between tags. */
#ifndef GAZETTE_MARKUP_SCAN_H
#define GAZETTE_MARKUP_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..n) starts with prefix, ASCII case ignored. */
bool markup_starts_with_ci(const char *s, size_t n, const char *prefix);

/* Position just after the '>' ending the tag that starts at s[0] == '<', or 0 when s does not
 * start a tag (a '<' that is just text). Quotes after '=' are honoured. A tag that never ends
 * takes the rest of the input, as it does in a browser (and so that no input makes a caller
 * scan the same bytes again from every '<'). */
size_t markup_tag_end(const char *s, size_t n);

/* Position after the comment starting at s ("<!--"): after its "-->", or n. */
size_t markup_comment_end(const char *s, size_t n);

/* The lower-case name of the tag at s ("<name" or "</name") into name (cap bytes with the NUL,
 * longer names cut), and whether it is an end tag. */
void markup_tag_name(const char *s, size_t n, char *name, size_t cap, bool *closing);

/* Whether word is one of the words of list, written " a b c " (spaces around every word). */
bool markup_word_in(const char *word, const char *list);

#endif
