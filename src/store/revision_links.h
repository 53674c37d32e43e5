/* revision_links.h — a revision's topics and authors as both backends store them: JSON arrays
 * of names (article_revisions.topics and .authors, migration 13), read back into a story. */
#ifndef GAZETTE_REVISION_LINKS_H
#define GAZETTE_REVISION_LINKS_H

#include "../core/arena.h"
#include "store.h"

/* Fills o's topics and authors from the two arrays (NULL or not an array: none): names as
 * saved, slugs made from them, ids 0. */
void store_revision_links(arena *a, const char *topics_json, const char *authors_json,
                          store_article *o);

#endif
