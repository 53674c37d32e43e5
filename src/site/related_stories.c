/* related_stories.c — "You May Also Like" from the related-stories engine (src/related/).
 * The server keeps one in-memory index of every live story, built at start; a watcher thread
 * asks the store every second for the stories saved since it last looked (also by the CLI in
 * another process, or scheduled stories whose time has come) and puts just those into the
 * index, or takes them out when they are no longer live: a publish costs milliseconds, not a
 * rebuild. A story the index does not know yet falls back to the store's topic ranking. */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../api/article_json.h"
#include "site.h"

enum { RELATED_BATCH = 200, RELATED_CHANGES_PER_POLL = 5000 };

struct site_related {
    pthread_rwlock_t lock; /* guards the index */
    related_catalog catalog;
    store *store;
    char *language;
    long long since; /* changes from this time on are not in the index yet */
    pthread_t watcher;
    bool watcher_running;
    volatile bool stop;
    page_cache *_Atomic cache;  /* pages whose related lists may have changed are dropped from it */
    story_views *_Atomic views; /* and the article views that show those lists */
    varnish_purger *_Atomic purger; /* and the Varnish nodes' copies of those pages */
};

static void add_story(related_catalog *c, arena *a, const store_article *article)
{
    const char **topics = arena_alloc(a, (article->n_topics + 1) * sizeof *topics);
    for (size_t i = 0; i < article->n_topics; i++)
        topics[i] = article->topics[i].slug;
    related_story story = {article->id,       article->headline,    article->kicker,
                           article->lead,     article->body_html,   topics,
                           article->n_topics, article->published_at};
    related_index_put(c->index, &story);
}

bool site_related_build(store *s, const char *language, related_catalog *out,
                        void (*progress)(void *ctx, size_t done, size_t total), void *ctx,
                        char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->index = related_index_new(language, err, errlen);
    if (!out->index) return false;
    related_index_load_begin(out->index); /* vectors and postings once, at the end */
    arena *a = arena_new();
    size_t total = 0, n;
    store_article *page;
    /* keyset pagination (after the last story of the previous page): each page costs its own
     * rows, where an OFFSET made the store walk past every earlier story again */
    store_article_query q = {.limit = RELATED_BATCH};
    store_status st = store_articles_list(s, a, &q, &page, &n, &total);
    while (st == STORE_OK && n > 0 && out->n < total) {
        for (size_t i = 0; i < n && st == STORE_OK && out->n < total; i++) {
            store_article full;
            st = store_article_any_by_slug(s, a, page[i].slug, &full);
            if (st == STORE_OK) {
                add_story(out, a, &full);
                out->n++;
            }
        }
        if (progress) progress(ctx, out->n, total);
        q.cursor_published_at = page[n - 1].published_at;
        q.cursor_id = page[n - 1].id;
        arena_reset(a);
        if (st == STORE_OK) st = store_articles_list(s, a, &q, &page, &n, NULL);
    }
    arena_free(a);
    if (st != STORE_OK) {
        snprintf(err, errlen, "cannot read the stories: %s", store_strerror(st));
        site_related_catalog_free(out);
        return false;
    }
    related_index_rebuild(out->index);
    /* the build allocated and freed a good deal on the way (analysis scratch, the vectors and
     * postings of the intermediate rebuilds): give the free pages back to the system */
    malloc_trim(0);
    return true;
}

void site_related_catalog_free(related_catalog *c)
{
    related_index_free(c->index);
    memset(c, 0, sizeof *c);
}

/* Brings the index up to date with the stories changed since r->since. */
static void apply_changes(site_related *r)
{
    arena *a = arena_new();
    long long poll_time = (long long)time(NULL);
    store_article *changed;
    size_t n;
    if (store_articles_changed_since(r->store, a, r->since, RELATED_CHANGES_PER_POLL, &changed,
                                     &n) == STORE_OK &&
        n > 0) {
        pthread_rwlock_wrlock(&r->lock);
        for (size_t i = 0; i < n; i++) {
            const store_article *article = &changed[i];
            bool live = article->status != ARTICLE_DRAFT && article->published_at <= poll_time &&
                        !article->is_page; /* pages are never related stories */
            if (live)
                add_story(&r->catalog, a, article);
            else
                related_index_remove(r->catalog.index, article->id);
        }
        pthread_rwlock_unlock(&r->lock);
        /* any story's "You May Also Like" may now name a changed one: story pages follow */
        uint64_t tag = http_cache_tag_hash("related");
        story_views_invalidate(r->views, &tag, 1); /* first: see freshness.c */
        if (r->cache) page_cache_invalidate(r->cache, &tag, 1);
        varnish_purger_tags(r->purger, (const char *const[]){"related"}, 1);
        r->since = n == RELATED_CHANGES_PER_POLL ? changed[n - 1].updated_at : poll_time;
    } else if (n == 0) {
        r->since = poll_time;
    }
    arena_free(a);
}

static void *watch(void *arg)
{
    site_related *r = arg;
    while (!r->stop) {
        sleep(1);
        if (!r->stop) apply_changes(r);
    }
    return NULL;
}

void site_related_follow(site_related *r, page_cache *cache, story_views *views)
{
    if (!r) return;
    r->cache = cache;
    r->views = views;
}

void site_related_purge_varnish(site_related *r, varnish_purger *purger)
{
    if (r) r->purger = purger;
}

site_related *site_related_start(store *s, const char *language, char *err, size_t errlen)
{
    site_related *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->store = s;
    r->language = strdup(language);
    pthread_rwlock_init(&r->lock, NULL);
    r->since = (long long)time(NULL);
    if (!site_related_build(s, language, &r->catalog, NULL, NULL, err, errlen)) {
        site_related_stop(r);
        return NULL;
    }
    r->watcher_running = pthread_create(&r->watcher, NULL, watch, r) == 0;
    return r;
}

void site_related_stop(site_related *r)
{
    if (!r) return;
    r->stop = true;
    if (r->watcher_running) pthread_join(r->watcher, NULL);
    site_related_catalog_free(&r->catalog);
    pthread_rwlock_destroy(&r->lock);
    free(r->language);
    free(r);
}

store_status site_related_stories(site_app *app, arena *a, const store_article *article,
                                  store_article **out, size_t *n)
{
    long long ids[ARTICLE_RELATED_COUNT];
    double scores[ARTICLE_RELATED_COUNT];
    size_t found = 0;
    site_related *r = app->related;
    if (r) {
        pthread_rwlock_rdlock(&r->lock); /* a story not in the index finds nothing */
        found =
            related_index_query(r->catalog.index, article->id, ARTICLE_RELATED_COUNT, ids, scores);
        pthread_rwlock_unlock(&r->lock);
    }
    if (found == 0)
        return store_articles_related_by_topics(app->store, a, article->id, ARTICLE_RELATED_COUNT,
                                                out, n);
    return store_articles_by_ids(app->store, a, ids, found, out, n); /* the live ones, in order */
}
