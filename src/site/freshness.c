/* freshness.c — keeps the page cache true to the database. A thread watches SQLite's data
 * version every few milliseconds; when another connection (a handler of this server, the CLI,
 * another process) has committed, it reads what changed and drops exactly the cached pages
 * that show it:
 *   - a story saved, or whose publication time has come: the pages tagged with it ("a:ID":
 *     its own page, the lists and related blocks that show it, pages linking to it by
 *     "See also", tagged "s:SLUG"), the home page, and its topics' and authors' lists;
 *   - comments of a story: the pages tagged with the story (its page, cards with comment
 *     counts, its comment feed) and the site-wide comment feed;
 *   - settings, topics or authors: every page.
 * The same tags go to the Varnish nodes in front, when there are any (varnish_purge.h).
 * Handlers that write drop what they changed before answering (a comment post:
 * site_freshness_forget_story; moderation: site_freshness_sync), so that the writer's next page
 * already shows the write; every request first takes in what other connections committed
 * (site_cache_refresh). */
#include "freshness.h"
#include "live.h"
#include "site.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { POLL_MS = 5, BATCH = 1000, OVERLAP_SECONDS = 2 };

/* A story as a look handled it. content is story_print: updated_at counts whole seconds, so
 * two saves may share one. */
typedef struct seen_story {
    long long id, updated_at, published_at;
    uint64_t content;
    bool live;
} seen_story;

struct site_freshness {
    store *store;
    page_cache *cache;
    atomic_ulong *content_version;
    pthread_mutex_t lock; /* one sync at a time; guards the cursors */
    long long since;      /* stories: changed or published at or after this time */
    long long started;    /* when the watch began: since never goes back before it */
    long long last_poll;  /* when the last look at stories began: what is newer is news */
    seen_story *seen;     /* the stories handled in the last OVERLAP_SECONDS (read again there) */
    size_t n_seen, cap_seen;
    size_t *seen_slots;     /* seen's positions + 1 by story id (open addressing; 0: empty) */
    size_t n_slots;         /* a power of two, at least twice cap_seen; 0 before the first */
    long long last_change;  /* the change log: the last id applied */
    site_live *live;        /* told of every story change (NULL: none); guarded by lock */
    story_views *views;     /* the article views (NULL: none), dropped like the pages */
    varnish_purger *purger; /* the Varnish nodes (NULL: none), told like the pages */
    pthread_t thread;
    bool running;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    bool stop;
    bool publish_failing; /* the last scheduled-publishing run failed (logged once) */
    bool apply_failing;   /* the last look at what changed failed (logged once) */
};

/* Tags gathered for one invalidation: hashes for the page cache, names for Varnish. */
typedef struct {
    uint64_t *tags;
    const char **names;
    size_t n, cap;
    bool everything;
    bool stories; /* a story changed: lists and navigation may have */
} tag_set;

/* tag: an arena or static string */
static void tag_add(tag_set *t, arena *a, const char *tag)
{
    if (t->n == t->cap) {
        size_t cap = t->cap;
        t->tags = arena_grow(a, t->tags, &cap, t->n, sizeof *t->tags);
        t->names = arena_grow(a, t->names, &t->cap, t->n, sizeof *t->names);
    }
    t->names[t->n] = tag;
    t->tags[t->n++] = http_cache_tag_hash(tag);
}

/* The tags of what a story's comments show on: the story ("a:ID", its page and the cards with
 * its comment count) and the site-wide comment feed. */
static void comment_tags(long long article_id, uint64_t out[2])
{
    char tag[32];
    snprintf(tag, sizeof tag, "a:%lld", article_id);
    out[0] = http_cache_tag_hash(tag);
    out[1] = http_cache_tag_hash("comments");
}

static void tag_story(tag_set *t, arena *a, const store_article *article)
{
    tag_add(t, a, arena_printf(a, "a:%lld", article->id));
    tag_add(t, a, arena_printf(a, "s:%s", article->slug));
    for (size_t k = 0; k < article->n_topics; k++)
        tag_add(t, a, arena_printf(a, "t:%s", article->topics[k].slug));
    for (size_t k = 0; k < article->n_authors; k++)
        tag_add(t, a, arena_printf(a, "u:%s", article->authors[k].slug));
}

static uint64_t print_bytes(uint64_t h, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)(text ? text : "\x01"); *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull; /* a separator no text byte equals */
}

static uint64_t print_number(uint64_t h, long long n)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%lld", n);
    return print_bytes(h, digits);
}

/* A hash of everything a page shows of a story (its text, image, state, topics, authors). */
static uint64_t story_print(const store_article *story)
{
    uint64_t h = 14695981039346656037ull;
    const char *texts[] = {story->slug,      story->kicker,        story->headline,
                           story->lead,      story->body_markdown, story->body_html,
                           story->image_url, story->image_caption, story->image_credit,
                           story->image_alt, story->body_format};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        h = print_bytes(h, texts[i]);
    long long numbers[] = {story->status,       story->published_at,  story->updated_at,
                           story->comments_off, story->comments_days, story->sticky};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        h = print_number(h, numbers[i]);
    for (size_t i = 0; i < story->n_topics; i++)
        h = print_bytes(h, story->topics[i].slug);
    h = print_bytes(h, "authors");
    for (size_t i = 0; i < story->n_authors; i++)
        h = print_bytes(h, story->authors[i].slug);
    return h;
}

static size_t slot_of(long long id, size_t n_slots)
{
    return (size_t)(((unsigned long long)id * 0x9e3779b97f4a7c15ull) >> 17) & (n_slots - 1);
}

/* The position in seen of story id, or n_seen when it is not there. */
static size_t seen_find(const site_freshness *f, long long id)
{
    if (!f->n_slots) return f->n_seen;
    for (size_t i = slot_of(id, f->n_slots);; i = (i + 1) & (f->n_slots - 1)) {
        size_t at = f->seen_slots[i];
        if (!at) return f->n_seen;
        if (f->seen[at - 1].id == id) return at - 1;
    }
}

static void slot_put(site_freshness *f, size_t position)
{
    size_t i = slot_of(f->seen[position].id, f->n_slots);
    while (f->seen_slots[i])
        i = (i + 1) & (f->n_slots - 1);
    f->seen_slots[i] = position + 1;
}

/* Makes the slots again for seen as it stands (after it grew or was pruned). */
static bool seen_reindex(site_freshness *f)
{
    size_t n = 128;
    while (n < 2 * f->cap_seen)
        n *= 2;
    size_t *slots = calloc(n, sizeof *slots);
    if (!slots) return false;
    free(f->seen_slots);
    f->seen_slots = slots;
    f->n_slots = n;
    for (size_t i = 0; i < f->n_seen; i++)
        slot_put(f, i);
    return true;
}

/* Whether this story, in this very state, was handled by an earlier look; remembers it if not.
 * Found by id through the slots: a bulk import of thousands of stories while the server runs
 * costs one probe per story, not a scan of every story handled in the last seconds. */
static bool seen_before(site_freshness *f, const store_article *story, long long now)
{
    bool live = story->status != ARTICLE_DRAFT && story->published_at <= now;
    seen_story state = {story->id, story->updated_at, story->published_at, story_print(story),
                        live};
    size_t at = seen_find(f, story->id);
    if (at < f->n_seen) {
        bool same = f->seen[at].content == state.content && f->seen[at].live == live;
        f->seen[at] = state; /* the entry stands for the story's newest state */
        return same;
    }
    if (f->n_seen == f->cap_seen || !f->n_slots) {
        size_t cap = f->cap_seen ? f->cap_seen * 2 : 64;
        if (f->n_seen == f->cap_seen) {
            seen_story *grown = realloc(f->seen, cap * sizeof *grown);
            if (!grown) return false; /* handled again next time: harmless */
            f->seen = grown;
            f->cap_seen = cap;
        }
        if (!seen_reindex(f)) return false;
    }
    f->seen[f->n_seen] = state;
    slot_put(f, f->n_seen++);
    return false;
}

/* Forgets the stories no look from since on can return again. */
static void seen_prune(site_freshness *f)
{
    size_t kept = 0;
    for (size_t i = 0; i < f->n_seen; i++)
        if (f->seen[i].updated_at >= f->since || f->seen[i].published_at >= f->since)
            f->seen[kept++] = f->seen[i];
    if (kept == f->n_seen) return;
    f->n_seen = kept;
    if (!seen_reindex(f)) f->n_slots = 0; /* no slots: every story is new again (harmless) */
}

/* Logs the first of a run of failures (the watcher looks every few milliseconds: a database
 * server restarting would fill the log). */
static bool apply_failed(site_freshness *f)
{
    if (!f->apply_failing) fprintf(stderr, "gazette: page cache: %s\n", store_last_error(f->store));
    f->apply_failing = true;
    return false;
}

/* Reads what changed since the cursors and drops the pages showing it (lock held). */
static void apply(site_freshness *f)
{
    arena *a = arena_new();
    tag_set t = {0};
    store_change *changes;
    size_t n;
    long long *commented = NULL; /* stories whose comments changed, for the live hub */
    size_t n_commented = 0, cap_commented = 0;
    bool ok = true;
    do {
        if (store_changes_since(f->store, a, f->last_change, BATCH, &changes, &n) != STORE_OK) {
            ok = apply_failed(f);
            t.everything = true; /* cannot tell what changed: drop everything */
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (changes[i].kind == STORE_CHANGE_SITE) {
                t.everything = true;
            } else { /* the tags of comment_tags */
                tag_add(&t, a, arena_printf(a, "a:%lld", changes[i].article_id));
                tag_add(&t, a, "comments");
                if (n_commented == cap_commented)
                    commented =
                        arena_grow(a, commented, &cap_commented, n_commented, sizeof *commented);
                commented[n_commented++] = changes[i].article_id;
            }
            f->last_change = changes[i].id;
        }
    } while (n == BATCH);
    site_live_comments_changed(f->live, f->store, commented, n_commented);

    long long poll_time = (long long)time(NULL), window_start = f->last_poll;
    store_article *stories;
    do {
        if (store_articles_changed_since(f->store, a, f->since, BATCH, &stories, &n) != STORE_OK) {
            ok = apply_failed(f);
            t.everything = true;
            break;
        }
        store_article *fresh = n ? arena_alloc(a, n * sizeof *fresh) : NULL;
        size_t n_fresh = 0;
        for (size_t i = 0; i < n; i++)
            if (!seen_before(f, &stories[i], poll_time)) fresh[n_fresh++] = stories[i];
        for (size_t i = 0; i < n_fresh; i++)
            tag_story(&t, a, &fresh[i]);
        site_live_stories_changed(f->live, fresh, n_fresh, window_start, poll_time);
        if (n_fresh) {
            t.stories = true;
            tag_add(&t, a, "home");
            tag_add(&t, a, HTTP_CACHE_TAG_ALL);
        }
        /* a full batch: go on from its last change (the same second may hold more). Else look
         * again at the last OVERLAP_SECONDS next time: a writer stamps updated_at before it
         * commits, so a story stamped in an earlier second may become visible only after this
         * look (seeing a story twice only drops its pages twice; live updates skip repeats) */
        f->since = n == BATCH ? stories[n - 1].updated_at : poll_time - OVERLAP_SECONDS;
        if (f->since < f->started) f->since = f->started;
    } while (n == BATCH && f->since < poll_time);
    seen_prune(f);
    f->last_poll = poll_time;
    if (ok && f->apply_failing) {
        fprintf(stderr, "gazette: page cache: reading changes works again\n");
        f->apply_failing = false;
    }

    if ((t.everything || t.stories) && f->content_version) atomic_fetch_add(f->content_version, 1);
    /* views first: a page rendered between the two drops must not come from a dropped view
     * and be kept under the page cache's new generation */
    if (t.everything) {
        story_views_clear(f->views);
        page_cache_clear(f->cache);
        varnish_purger_everything(f->purger); /* last: Varnish asks again from a fresh cache */
    } else if (t.n) {
        story_views_invalidate(f->views, t.tags, t.n);
        page_cache_invalidate(f->cache, t.tags, t.n);
        varnish_purger_tags(f->purger, t.names, t.n);
    }
    arena_free(a);
}

void site_freshness_forget_story(page_cache *cache, story_views *views, long long article_id)
{
    uint64_t tags[2];
    comment_tags(article_id, tags);
    story_views_invalidate(views, tags, 2); /* first, as in apply */
    if (cache) page_cache_invalidate(cache, tags, 2);
}

void site_cache_refresh(void *app_ptr)
{
    site_app *app = app_ptr;
    bool changed;
    if (store_changed_since_last_look(app->store, &changed) != STORE_OK || changed)
        site_freshness_sync(app->freshness);
}

void site_freshness_sync(site_freshness *f)
{
    if (!f) return;
    pthread_mutex_lock(&f->lock);
    apply(f);
    pthread_mutex_unlock(&f->lock);
}

static bool wait_or_stop(site_freshness *f, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += ms * 1000000L;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&f->stop_lock);
    while (!f->stop)
        if (pthread_cond_timedwait(&f->stop_cond, &f->stop_lock, &until) == ETIMEDOUT) break;
    bool stop = f->stop;
    pthread_mutex_unlock(&f->stop_lock);
    return stop;
}

/* Once a second: the scheduled stories whose time came become published, once across every
 * server on the database (store_publish_due); the server that flipped them logs each. The
 * write then reaches every cache like any other. */
static void publish_due(site_freshness *f, long long now)
{
    arena *a = arena_new();
    if (!a) return;
    long long *ids;
    size_t n = 0;
    store_status st = store_publish_due(f->store, a, now, 256, &ids, &n);
    if (st != STORE_OK && !f->publish_failing)
        fprintf(stderr, "gazette: scheduled publishing: %s\n", store_last_error(f->store));
    else if (st == STORE_OK && f->publish_failing)
        fprintf(stderr, "gazette: scheduled publishing works again\n");
    f->publish_failing = st != STORE_OK;
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "gazette: published scheduled story %lld\n", ids[i]);
    arena_free(a);
}

static void *watch(void *arg)
{
    site_freshness *f = arg;
    bool changed;
    store_changed_since_last_look(f->store, &changed); /* this thread's first look */
    long long last_tick = (long long)time(NULL);
    while (!wait_or_stop(f, POLL_MS)) {
        long long now = (long long)time(NULL);
        if (now != last_tick) publish_due(f, now);
        /* a scheduled story goes live with no write: look at the clock once a second too */
        if (store_changed_since_last_look(f->store, &changed) != STORE_OK || changed ||
            now != last_tick)
            site_freshness_sync(f);
        if (now != last_tick) {
            pthread_mutex_lock(&f->lock);
            site_live_tick(f->live, now);
            pthread_mutex_unlock(&f->lock);
        }
        last_tick = now;
    }
    return NULL;
}

site_freshness *site_freshness_start(store *s, page_cache *cache, atomic_ulong *content_version,
                                     char *err, size_t errlen)
{
    site_freshness *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    f->store = s;
    f->cache = cache;
    f->content_version = content_version;
    f->since = f->started = f->last_poll = (long long)time(NULL);
    pthread_mutex_init(&f->lock, NULL);
    pthread_mutex_init(&f->stop_lock, NULL);
    pthread_cond_init(&f->stop_cond, NULL);
    if (store_changes_head(s, &f->last_change) != STORE_OK) {
        snprintf(err, errlen, "reading the change log: %s", store_last_error(s));
        site_freshness_stop(f);
        return NULL;
    }
    f->running = pthread_create(&f->thread, NULL, watch, f) == 0;
    if (!f->running) {
        snprintf(err, errlen, "cannot start the page cache's watcher thread");
        site_freshness_stop(f);
        return NULL;
    }
    return f;
}

void site_freshness_feed_live(site_freshness *f, site_live *live)
{
    pthread_mutex_lock(&f->lock);
    f->live = live;
    pthread_mutex_unlock(&f->lock);
}

void site_freshness_follow_views(site_freshness *f, story_views *views)
{
    pthread_mutex_lock(&f->lock);
    f->views = views;
    pthread_mutex_unlock(&f->lock);
}

void site_freshness_purge_varnish(site_freshness *f, varnish_purger *purger)
{
    pthread_mutex_lock(&f->lock);
    f->purger = purger;
    pthread_mutex_unlock(&f->lock);
}

void site_freshness_stop(site_freshness *f)
{
    if (!f) return;
    if (f->running) {
        pthread_mutex_lock(&f->stop_lock);
        f->stop = true;
        pthread_cond_signal(&f->stop_cond);
        pthread_mutex_unlock(&f->stop_lock);
        pthread_join(f->thread, NULL);
    }
    pthread_mutex_destroy(&f->lock);
    pthread_mutex_destroy(&f->stop_lock);
    pthread_cond_destroy(&f->stop_cond);
    free(f->seen);
    free(f->seen_slots);
    free(f);
}
