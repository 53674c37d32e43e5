/* story_views.h — the article page's reader-independent view data, kept in memory per story.
 *
 * An uncached article page needed about twenty queries and a few hundred JSON nodes: the story,
 * its topics and authors, its related stories (the related index, then their rows), its "See
 * also" targets, its comment thread, the social tags. None of that depends on the reader, so
 * it is built once per story into a "view" (a JSON object of the page's parts that never
 * change between readers) and reused until something it shows changes; a page is then one
 * lookup, a few per-request fields (the comment form token, the footer) and one template pass.
 *
 * Freshness: a view carries the same tags as the page it makes ("a:ID" for every story it
 * shows, "s:SLUG" for its "See also" targets, "related"), and the site drops views exactly as
 * it drops cached pages (freshness.c, related_stories.c, the comment post). A view also
 * records the content_version it was read under and is not used once that has moved (any story,
 * setting, topic or author change). A generation counter closes the race between a build and
 * an invalidation: a view built while an invalidation happened is used once but not kept.
 * Invalidators drop views before pages, so that no page rendered from a dropped view is kept by
 * the page cache after its own invalidation.
 *
 * Threads: sharded, each shard with its own reader-writer lock; a lookup takes one shard's read
 * lock and one atomic reference, nothing global. The JSON of a kept view is never modified
 * (jansson's reference counts are atomic), so many requests render from it at once. Bounded:
 * at most max_views views; inserting into a full shard drops the shard's oldest. */
#ifndef GAZETTE_STORY_VIEWS_H
#define GAZETTE_STORY_VIEWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../http/http.h"

typedef struct story_views story_views;

/* What a page needs of its story besides the view's JSON (the per-request comment form and
 * whether comments are open yet) and the page-cache tags of the page. */
typedef struct story_view {
    json_t *parts; /* {"article", "page", "comments", "has_comments", "comment_count"} */
    json_t *form;  /* the blank comment form, but its token */
    long long article_id, published_at;
    bool comments_off;
    unsigned comments_days;
    uint64_t tags[HTTP_MAX_CACHE_TAGS];
    json_t *tag_names; /* the tags' names, an array of strings (Surrogate-Key); may be NULL */
    size_t n_tags;
    bool tags_overflow;
} story_view;

/* NULL when max_views is 0 (no view cache) or memory is short. */
story_views *story_views_new(size_t max_views);
void story_views_free(story_views *views);

/* The generation to read before reading the store for a view that may be kept. */
unsigned long story_views_generation(story_views *views);
/* Copies the view of slug read under content_version into out (out->parts, out->form and
 * out->tag_names are new references the caller releases): false when there is none (or it was read
 * under another version).
 */
bool story_views_get(story_views *views, const char *slug, unsigned long content_version,
                     story_view *out);
/* Keeps a copy of view (its parts and form get one more reference) for slug, unless an invalidation
 * happened since generation. False when not kept. */
bool story_views_put(story_views *views, const char *slug, unsigned long generation,
                     unsigned long content_version, const story_view *view);
/* Drops every view carrying one of the tags (hashes from http_cache_tag_hash), or all. NULL
 * views: no-op. */
void story_views_invalidate(story_views *views, const uint64_t *tags, size_t n);
void story_views_clear(story_views *views);

typedef struct {
    size_t views, max_views;
    unsigned long hits, misses, stores, invalidations;
} story_views_stats;
void story_views_get_stats(story_views *views, story_views_stats *out);

#endif
