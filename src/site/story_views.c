/* story_views.c — the per-story view cache (story_views.h): a sharded hash table of immutable
 * JSON views keyed by the story's slug, each shard with its reader-writer lock and a queue of
 * its views from oldest to newest (the oldest goes first when the shard is full), dropped by
 * tag like the page cache's entries. */
#include "story_views.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { SHARDS = 16, BUCKETS = 256 /* per shard */ };

typedef struct view_entry {
    struct view_entry *next;          /* bucket chain */
    struct view_entry *older, *newer; /* the shard's queue */
    uint64_t hash;
    char *slug;
    unsigned long content_version;
    story_view view;
} view_entry;

typedef struct {
    pthread_rwlock_t lock;
    view_entry *buckets[BUCKETS];
    view_entry *oldest, *newest;
    size_t count;
} shard;

struct story_views {
    shard shards[SHARDS];
    size_t max_views, shard_max;
    atomic_ulong generation;
    atomic_ulong hits, misses, stores, invalidations;
};

static uint64_t slug_hash(const char *slug)
{
    return http_hash_bytes(slug, strlen(slug));
}

static shard *shard_of(story_views *v, uint64_t hash)
{
    return &v->shards[hash % SHARDS];
}

static view_entry **bucket_of(shard *s, uint64_t hash)
{
    return &s->buckets[(hash / SHARDS) % BUCKETS];
}

story_views *story_views_new(size_t max_views)
{
    if (!max_views) return NULL;
    story_views *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->max_views = max_views;
    v->shard_max = max_views / SHARDS ? max_views / SHARDS : 1;
    for (int i = 0; i < SHARDS; i++)
        pthread_rwlock_init(&v->shards[i].lock, NULL);
    return v;
}

static void entry_free(view_entry *e)
{
    json_decref(e->view.parts);
    json_decref(e->view.form);
    json_decref(e->view.tag_names);
    free(e->slug);
    free(e);
}

/* Takes e out of its bucket and the queue and frees it (shard write-locked). */
static void entry_drop(shard *s, view_entry *e)
{
    view_entry **p = bucket_of(s, e->hash);
    while (*p != e)
        p = &(*p)->next;
    *p = e->next;
    if (e->older)
        e->older->newer = e->newer;
    else
        s->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        s->newest = e->older;
    s->count--;
    entry_free(e);
}

static view_entry *entry_find(shard *s, uint64_t hash, const char *slug)
{
    for (view_entry *e = *bucket_of(s, hash); e; e = e->next)
        if (e->hash == hash && strcmp(e->slug, slug) == 0) return e;
    return NULL;
}

void story_views_free(story_views *v)
{
    if (!v) return;
    story_views_clear(v);
    for (int i = 0; i < SHARDS; i++)
        pthread_rwlock_destroy(&v->shards[i].lock);
    free(v);
}

unsigned long story_views_generation(story_views *v)
{
    return atomic_load(&v->generation);
}

bool story_views_get(story_views *v, const char *slug, unsigned long content_version,
                     story_view *out)
{
    uint64_t hash = slug_hash(slug);
    shard *s = shard_of(v, hash);
    pthread_rwlock_rdlock(&s->lock);
    view_entry *e = entry_find(s, hash, slug);
    bool found = e && e->content_version == content_version;
    if (found) {
        *out = e->view;
        json_incref(out->parts);
        json_incref(out->form);
        json_incref(out->tag_names);
    }
    pthread_rwlock_unlock(&s->lock);
    atomic_fetch_add(found ? &v->hits : &v->misses, 1);
    return found;
}

bool story_views_put(story_views *v, const char *slug, unsigned long generation,
                     unsigned long content_version, const story_view *view)
{
    view_entry *fresh = calloc(1, sizeof *fresh);
    char *copy = strdup(slug);
    if (!fresh || !copy) {
        free(fresh);
        free(copy);
        return false;
    }
    fresh->hash = slug_hash(slug);
    fresh->slug = copy;
    fresh->content_version = content_version;
    fresh->view = *view;
    json_incref(fresh->view.parts);
    json_incref(fresh->view.form);
    json_incref(fresh->view.tag_names);
    shard *s = shard_of(v, fresh->hash);
    pthread_rwlock_wrlock(&s->lock);
    /* an invalidation since the caller began reading may have dropped what it read: the
     * invalidator counts first, then drops under this lock, so checking here is enough */
    bool keep = atomic_load(&v->generation) == generation;
    if (keep) {
        view_entry *old = entry_find(s, fresh->hash, slug);
        if (old) entry_drop(s, old);
        while (s->count >= v->shard_max && s->oldest)
            entry_drop(s, s->oldest);
        view_entry **b = bucket_of(s, fresh->hash);
        fresh->next = *b;
        *b = fresh;
        fresh->older = s->newest;
        if (s->newest)
            s->newest->newer = fresh;
        else
            s->oldest = fresh;
        s->newest = fresh;
        s->count++;
    }
    pthread_rwlock_unlock(&s->lock);
    if (!keep)
        entry_free(fresh);
    else
        atomic_fetch_add(&v->stores, 1);
    return keep;
}

static bool carries_any(const story_view *view, const uint64_t *tags, size_t n)
{
    for (size_t i = 0; i < view->n_tags; i++)
        for (size_t k = 0; k < n; k++)
            if (view->tags[i] == tags[k]) return true;
    return false;
}

/* Drops the views carrying one of tags (all of them when tags is NULL). */
static void drop_matching(story_views *v, const uint64_t *tags, size_t n)
{
    atomic_fetch_add(&v->generation, 1);
    atomic_fetch_add(&v->invalidations, 1);
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &v->shards[i];
        pthread_rwlock_wrlock(&s->lock);
        for (view_entry *e = s->oldest, *next; e; e = next) {
            next = e->newer;
            if (!tags || carries_any(&e->view, tags, n)) entry_drop(s, e);
        }
        pthread_rwlock_unlock(&s->lock);
    }
}

void story_views_invalidate(story_views *v, const uint64_t *tags, size_t n)
{
    if (v && n) drop_matching(v, tags, n);
}

void story_views_clear(story_views *v)
{
    if (v) drop_matching(v, NULL, 0);
}

void story_views_get_stats(story_views *v, story_views_stats *out)
{
    *out = (story_views_stats){.max_views = v->max_views};
    for (int i = 0; i < SHARDS; i++) {
        pthread_rwlock_rdlock(&v->shards[i].lock);
        out->views += v->shards[i].count;
        pthread_rwlock_unlock(&v->shards[i].lock);
    }
    out->hits = atomic_load(&v->hits);
    out->misses = atomic_load(&v->misses);
    out->stores = atomic_load(&v->stores);
    out->invalidations = atomic_load(&v->invalidations);
}
