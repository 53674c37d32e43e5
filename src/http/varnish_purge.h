/* varnish_purge.h — tells the Varnish caches in front of the site which pages changed.
 *
 * The site drops pages by tag (freshness.c); with Varnish nodes configured (`--varnish URL`,
 * the setting varnish_urls) the same tags go to a purger, which sends each node one
 * `PURGE` request per batch with the header `xkey-purge: KEY KEY ...` (the keys the pages
 * carried in their `xkey` header, surrogate_keys.c), as docs/varnish.vcl expects. A request
 * thread never waits on Varnish: tags go into a bounded queue (duplicates merged) that one
 * background thread empties with libcurl. When the queue is full, its tags give way to one
 * "purge everything" (`xkey-purge: *`, a ban in the VCL). A failed request is tried again a
 * few times, then counted as failed; failures are logged at most once a minute. Every batch
 * is sent again a second later (a page rendered just before the change may reach Varnish just
 * after the first purge). */
#ifndef GAZETTE_VARNISH_PURGE_H
#define GAZETTE_VARNISH_PURGE_H

#include <stdbool.h>
#include <stddef.h>

enum { VARNISH_MAX_NODES = 16, VARNISH_URL_MAX = 256 };

/* The nodes to purge: absolute http:// or https:// URLs, without duplicates. */
typedef struct {
    char urls[VARNISH_MAX_NODES][VARNISH_URL_MAX];
    size_t n;
} varnish_nodes;

/* Adds the URLs of list (separated by commas and/or spaces; empty items are skipped) to nodes.
 * False with err filled, and nodes unchanged, when one is not an http(s) URL, is too long,
 * or there would be more than VARNISH_MAX_NODES. */
bool varnish_nodes_add(varnish_nodes *nodes, const char *list, char *err, size_t errlen);

typedef struct varnish_purger varnish_purger;

/* Starts the purge thread for nodes (n >= 1); NULL with err filled on failure. */
varnish_purger *varnish_purger_start(const varnish_nodes *nodes, char *err, size_t errlen);
/* Sends what is queued (one try), then stops the thread and frees p. NULL: no-op. */
void varnish_purger_stop(varnish_purger *p);

/* Queues the pages carrying any of tags (page-cache tag names, escaped here) for purging.
 * Never blocks on the network. NULL p: no-op. */
void varnish_purger_tags(varnish_purger *p, const char *const *tags, size_t n);
/* Queues a purge of every page (settings, topics, authors changed). NULL p: no-op. */
void varnish_purger_everything(varnish_purger *p);

typedef struct {
    size_t nodes, queued;                         /* keys waiting now */
    unsigned long sent;                           /* PURGE requests a node answered with 2xx */
    unsigned long failed;                         /* requests given up after every try */
    unsigned long retries, everything, overflows; /* purge-all requests; full queues */
    unsigned long repeats; /* batches sent a second time, a second after the first */
} varnish_purge_stats;
void varnish_purger_get_stats(varnish_purger *p, varnish_purge_stats *out);

#endif
