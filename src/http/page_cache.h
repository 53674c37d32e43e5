/* page_cache.h — rendered responses kept in memory and sent again without running a handler.
 *
 * An entry is a whole answer to GET of one URL (path and query): the body as the handler made
 * it plus gzip and brotli versions compressed once, a strong ETag, Last-Modified, and the
 * libmicrohttpd response objects ready to queue (one per encoding, and the 304). Entries carry
 * the tags the handler gave them ("a:12", "home", "t:city-hall"); the site invalidates by tag
 * when what a page shows changes, or everything at once.
 *
 * Threads: the table is split into shards, each with its own reader-writer lock; a hit takes
 * one shard's read lock for the lookup and the queueing, nothing global. Memory is bounded:
 * inserting evicts (CLOCK, an approximation of least recently used) until the shard fits its
 * share of the budget. A generation counter closes the race between a render and an
 * invalidation: a page rendered before an invalidation is served once but not kept. */
#ifndef GAZETTE_PAGE_CACHE_H
#define GAZETTE_PAGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

typedef struct page_cache page_cache;

/* NULL when max_bytes is 0 (no cache) or memory is short. */
page_cache *page_cache_new(size_t max_bytes);
void page_cache_free(page_cache *cache);

/* What a request brings that decides the answer: the encodings it accepts and its
 * conditional headers (any may be NULL). */
typedef struct {
    const char *accept_encoding, *if_none_match, *if_modified_since;
} page_cache_request;

/* What was sent, for the access log. */
typedef struct {
    int status;
    size_t bytes;
} page_cache_sent;

/* Queues the cached answer for key on connection: true when there was one. */
bool page_cache_serve(page_cache *cache, struct MHD_Connection *connection, const char *key,
                      const page_cache_request *rq, page_cache_sent *sent);

/* The generation to read before running a handler whose answer may be kept. */
unsigned long page_cache_generation(const page_cache *cache);

/* Makes an entry of res (a 200 the handler marked cacheable, see http_cache_tag), queues it
 * for this request, and keeps it unless an invalidation happened since generation. False
 * (nothing queued) when the response cannot be made (memory): answer without the cache. */
bool page_cache_store_and_serve(page_cache *cache, struct MHD_Connection *connection,
                                const char *key, unsigned long generation, http_response *res,
                                const page_cache_request *rq, page_cache_sent *sent);

/* Drops every entry carrying one of the tags (hashes from http_cache_tag_hash). */
void page_cache_invalidate(page_cache *cache, const uint64_t *tags, size_t n);
/* Drops everything (settings, topics, the theme changed). */
void page_cache_clear(page_cache *cache);

typedef struct {
    size_t entries, bytes, max_bytes;
    unsigned long hits, misses, stores, evictions, invalidations;
} page_cache_stats;
void page_cache_get_stats(page_cache *cache, page_cache_stats *out);

/* Adds the response headers every answer carries (security headers, Content-Type, the
 * handler's own): server.c and the cache share it (headers.c). */
struct MHD_Response;
void http_add_common_headers(struct MHD_Response *r, const http_response *res);

#endif
