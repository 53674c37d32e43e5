/* freshness.h — the page cache follows the database (see freshness.c). */
#ifndef GAZETTE_FRESHNESS_H
#define GAZETTE_FRESHNESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "../http/page_cache.h"
#include "../http/varnish_purge.h"
#include "../store/store.h"
#include "story_views.h"

typedef struct site_freshness site_freshness;

/* Starts the watcher (cache may be NULL: then it only moves content_version, which counts
 * changes to stories and site-wide things); NULL with err filled on failure. */
site_freshness *site_freshness_start(store *s, page_cache *cache, atomic_ulong *content_version,
                                     char *err, size_t errlen);
/* Applies every change committed so far, now (call after this process's own writes). No-op
 * for NULL. */
void site_freshness_sync(site_freshness *f);
void site_freshness_stop(site_freshness *f);
/* Hands every story change to the live hub from now on, and ticks its heartbeat once a second
 * (live.h); NULL stops. */
struct site_live;
void site_freshness_feed_live(site_freshness *f, struct site_live *live);
/* For http_server_config.cache_refresh (app is a site_app): applies pending changes when
 * another connection has committed since this thread last looked (one cheap check per hit:
 * a page is never served after a change it shows was committed). */
void site_cache_refresh(void *app);
/* Drops the cached pages (and views) showing story article_id or its comments, at once and without
 * reading the store (a handler that has just written them knows; the watcher will see the
 * same change in the log later and drop them again, harmlessly). */
void site_freshness_forget_story(page_cache *cache, story_views *views, long long article_id);
/* Drops the article views (story_views.h, may be NULL) as the pages are dropped, from now on. */
void site_freshness_follow_views(site_freshness *f, story_views *views);
/* Sends every invalidation to the Varnish nodes too (varnish_purge.h), from now on; NULL stops. */
void site_freshness_purge_varnish(site_freshness *f, varnish_purger *purger);

#endif
