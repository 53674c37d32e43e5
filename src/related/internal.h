/* internal.h — declarations shared by the files of the related-stories engine (src/related/)
 * and not part of its public contract in related.h. */
#ifndef GAZETTE_RELATED_INTERNAL_H
#define GAZETTE_RELATED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

/* True when the case-folded word (len bytes, not necessarily NUL-terminated) is on the
 * English stop list. */
bool related_english_stopword(const char *word, size_t len);

#endif
