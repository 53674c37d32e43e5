/* live.c — the live hub (live.h): the streams following the home page, a topic or a story, and
 * the recent events. The freshness watcher hands in the stories it sees change; each live one
 * becomes one event with the next sequence number, is kept in a ring for Last-Event-ID replay,
 * and is written to the streams of the channels it belongs to — and to no other, so only those
 * connections wake up. Sequence numbers follow the clock in milliseconds (the next is the
 * larger of the last plus one and now), so they keep growing across restarts and an id from a
 * previous run is older than anything this run hands out.
 *
 * One lock guards the followers, the ring and the sequence. A stream that refuses a write (its
 * client gone) is let go there and then; the heartbeat finds the others: a suspended
 * connection learns its client has gone only when it next writes. */
#include "live.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/article_json.h"
#include "../content/content.h"

typedef struct follower {
    http_stream *stream;
    site_live_channel channel; /* topic_slug owned (malloc); comments: the last count sent */
} follower;

typedef struct live_event {
    long long seq, article_id;
    uint64_t fingerprint; /* what the reader sees changed: headline, kicker, lead, updated_at */
    bool is_new;
    char **topics; /* the story's topic slugs (malloc), for matching */
    size_t n_topics;
    char *frame; /* the event as sent (malloc) */
    size_t frame_len;
} live_event;

struct site_live {
    pthread_mutex_t lock;
    follower *followers;
    size_t n_followers, cap_followers;
    live_event ring[SITE_LIVE_RING];
    size_t ring_first, ring_n;
    long long seq, horizon;
    long long last_ping;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

site_live *site_live_new(void)
{
    site_live *live = calloc(1, sizeof *live);
    if (!live) return NULL;
    pthread_mutex_init(&live->lock, NULL);
    live->seq = live->horizon = now_ms();
    live->last_ping = (long long)time(NULL);
    return live;
}

static void event_free(live_event *e)
{
    for (size_t i = 0; i < e->n_topics; i++)
        free(e->topics[i]);
    free(e->topics);
    free(e->frame);
    memset(e, 0, sizeof *e);
}

static void follower_drop(site_live *live, size_t i)
{
    follower *f = &live->followers[i];
    http_stream_release(f->stream);
    free((char *)f->channel.topic_slug);
    live->followers[i] = live->followers[--live->n_followers];
}

void site_live_free(site_live *live)
{
    if (!live) return;
    while (live->n_followers)
        follower_drop(live, live->n_followers - 1);
    free(live->followers);
    for (size_t i = 0; i < live->ring_n; i++)
        event_free(&live->ring[(live->ring_first + i) % SITE_LIVE_RING]);
    pthread_mutex_destroy(&live->lock);
    free(live);
}

/* ---- Events ------------------------------------------------------------------------------- */

static uint64_t fnv_text(uint64_t h, const char *s)
{
    for (; s && *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (h ^ 0xff) * 1099511628211ull; /* a separator: ("ab","c") differs from ("a","bc") */
}

static uint64_t fingerprint(const store_article *story)
{
    uint64_t h = 14695981039346656037ull;
    h = fnv_text(h, story->headline);
    h = fnv_text(h, story->kicker);
    h = fnv_text(h, story->lead);
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%lld", story->updated_at);
    return fnv_text(h, stamp);
}

bool site_live_matches(const site_live_channel *channel, const store_article *story, bool is_new)
{
    switch (channel->kind) {
    case SITE_LIVE_HOME:
        return is_new;
    case SITE_LIVE_STORY:
        return story->id == channel->article_id;
    case SITE_LIVE_TOPIC:
        for (size_t i = 0; i < story->n_topics; i++)
            if (strcmp(story->topics[i].slug, channel->topic_slug) == 0) return true;
        return false;
    }
    return false;
}

static bool event_matches(const site_live_channel *channel, const live_event *e)
{
    switch (channel->kind) {
    case SITE_LIVE_HOME:
        return e->is_new;
    case SITE_LIVE_STORY:
        return e->article_id == channel->article_id;
    case SITE_LIVE_TOPIC:
        for (size_t i = 0; i < e->n_topics; i++)
            if (strcmp(e->topics[i], channel->topic_slug) == 0) return true;
        return false;
    }
    return false;
}

static json_t *text_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

char *site_live_event(arena *a, const store_article *story, bool is_new, long long seq)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(story->id));
    json_object_set_new(j, "slug", json_string(story->slug));
    json_object_set_new(j, "url", json_string(article_url(a, story->slug)));
    json_object_set_new(j, "headline", json_string(story->headline));
    json_object_set_new(j, "kicker", text_or_null(story->kicker));
    const store_topic *topic = story->n_topics ? &story->topics[0] : NULL;
    json_object_set_new(j, "topic", topic ? json_string(topic->slug) : json_null());
    json_object_set_new(j, "topic_name", topic ? json_string(topic->name) : json_null());
    json_object_set_new(j, "published_at",
                        json_string(content_format_time(a, story->published_at)));
    json_object_set_new(j, "updated_at", json_string(content_format_time(a, story->updated_at)));
    json_object_set_new(j, "kind", json_string(is_new ? "new" : "updated"));
    /* compact JSON holds no line break: the whole object is one "data:" line */
    char *data = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *frame =
        seq >= 0 ? arena_printf(a, "id: %lld\nevent: story\ndata: %s\n\n", seq, data ? data : "{}")
                 : arena_printf(a, "event: story\ndata: %s\n\n", data ? data : "{}");
    free(data);
    return frame;
}

/* Whether the ring holds an event of the story (*any), and one of this very version of it
 * (the result: the watcher looks at whole seconds, so it sees a story saved in the current
 * second again at its next look). */
static bool already_sent(site_live *live, long long article_id, uint64_t print, bool *any)
{
    *any = false;
    for (size_t i = 0; i < live->ring_n; i++) {
        const live_event *e = &live->ring[(live->ring_first + i) % SITE_LIVE_RING];
        if (e->article_id != article_id) continue;
        *any = true;
        if (e->fingerprint == print) return true;
    }
    return false;
}

/* Keeps e (taken over) as the newest event, forgetting the oldest when the ring is full. */
static void ring_push(site_live *live, live_event *e)
{
    if (live->ring_n == SITE_LIVE_RING) {
        live_event *oldest = &live->ring[live->ring_first];
        live->horizon = oldest->seq;
        event_free(oldest);
        live->ring_first = (live->ring_first + 1) % SITE_LIVE_RING;
        live->ring_n--;
    }
    live->ring[(live->ring_first + live->ring_n) % SITE_LIVE_RING] = *e;
    live->ring_n++;
}

/* Writes e to every follower of a channel it belongs to; lets go those that refuse. */
static void fan_out(site_live *live, const live_event *e)
{
    for (size_t i = 0; i < live->n_followers;) {
        follower *f = &live->followers[i];
        if (event_matches(&f->channel, e) && !http_stream_write(f->stream, e->frame, e->frame_len))
            follower_drop(live, i); /* the last one moved into i: look at i again */
        else
            i++;
    }
}

/* Makes the event of story (lock held); false when out of memory. */
static bool event_make(site_live *live, arena *a, const store_article *story, bool is_new,
                       uint64_t print, live_event *e)
{
    long long ms = now_ms();
    live->seq = ms > live->seq ? ms : live->seq + 1;
    memset(e, 0, sizeof *e);
    e->seq = live->seq;
    e->article_id = story->id;
    e->fingerprint = print;
    e->is_new = is_new;
    const char *frame = site_live_event(a, story, is_new, e->seq);
    e->frame_len = strlen(frame);
    e->frame = strdup(frame);
    e->topics = story->n_topics ? calloc(story->n_topics, sizeof *e->topics) : NULL;
    bool ok = e->frame && (e->topics || !story->n_topics);
    for (size_t i = 0; ok && i < story->n_topics; i++) {
        e->topics[i] = strdup(story->topics[i].slug);
        e->n_topics++;
        ok = e->topics[i] != NULL;
    }
    if (!ok) event_free(e);
    return ok;
}

void site_live_stories_changed(site_live *live, const store_article *stories, size_t n,
                               long long window_start, long long now)
{
    if (!live || !n) return;
    arena *a = arena_new();
    pthread_mutex_lock(&live->lock);
    for (size_t i = 0; i < n; i++) {
        const store_article *story = &stories[i];
        if (story->status == ARTICLE_DRAFT || story->published_at > now) continue; /* not live */
        uint64_t print = fingerprint(story);
        bool announced;
        if (already_sent(live, story->id, print, &announced)) continue;
        /* new: gone live since the last look, and not announced already (saved twice in one
         * second, the second save is an update) */
        bool is_new = story->published_at >= window_start && !announced;
        live_event e;
        if (!event_make(live, a, story, is_new, print, &e)) continue;
        fan_out(live, &e);
        ring_push(live, &e);
    }
    pthread_mutex_unlock(&live->lock);
    arena_free(a);
}

/* ---- Followers ---------------------------------------------------------------------------- */

void site_live_follow(site_live *live, http_stream *stream, const site_live_channel *channel,
                      long long last_event_id)
{
    follower f = {.stream = stream, .channel = *channel};
    if (channel->topic_slug && !(f.channel.topic_slug = strdup(channel->topic_slug))) {
        http_stream_release(stream);
        return;
    }
    pthread_mutex_lock(&live->lock);
    if (last_event_id >= 0) {
        /* the newest SITE_LIVE_REPLAY_MAX matching events after last_event_id, oldest first */
        size_t first = live->ring_n, matching = 0;
        while (first > 0 && matching < SITE_LIVE_REPLAY_MAX) {
            const live_event *e = &live->ring[(live->ring_first + first - 1) % SITE_LIVE_RING];
            if (e->seq <= last_event_id) break;
            first--;
            if (event_matches(channel, e)) matching++;
        }
        for (size_t i = first; i < live->ring_n; i++) {
            const live_event *e = &live->ring[(live->ring_first + i) % SITE_LIVE_RING];
            if (event_matches(channel, e)) http_stream_write(stream, e->frame, e->frame_len);
        }
    }
    if (live->n_followers == live->cap_followers) {
        size_t cap = live->cap_followers ? live->cap_followers * 2 : 64;
        follower *grown = realloc(live->followers, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&live->lock);
            free((char *)f.channel.topic_slug);
            http_stream_end(stream);
            http_stream_release(stream);
            return;
        }
        live->followers = grown;
        live->cap_followers = cap;
    }
    live->followers[live->n_followers++] = f;
    pthread_mutex_unlock(&live->lock);
}

/* The ids among ids[0..n) that a stream follows (at most n, into out); lock held. */
static size_t followed_stories(site_live *live, const long long *ids, size_t n, long long *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool followed = false;
        for (size_t j = 0; j < live->n_followers && !followed; j++)
            followed = live->followers[j].channel.kind == SITE_LIVE_STORY &&
                       live->followers[j].channel.article_id == ids[i];
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = out[j] == ids[i];
        if (followed && !seen) out[k++] = ids[i];
    }
    return k;
}

/* Writes the new count of each story in ids to its followers whose count differs. */
static void send_comment_counts(site_live *live, const long long *ids, const long long *counts,
                                size_t k)
{
    for (size_t i = 0; i < live->n_followers;) {
        follower *f = &live->followers[i];
        bool gone = false;
        for (size_t j = 0; j < k && f->channel.kind == SITE_LIVE_STORY; j++) {
            if (f->channel.article_id != ids[j] || f->channel.comments == counts[j]) continue;
            char frame[128];
            int len = snprintf(frame, sizeof frame,
                               "event: comments\ndata: {\"id\":%lld,\"comment_count\":%lld}\n\n",
                               ids[j], counts[j]);
            f->channel.comments = counts[j];
            gone = !http_stream_write(f->stream, frame, (size_t)len);
        }
        if (gone)
            follower_drop(live, i);
        else
            i++;
    }
}

void site_live_comments_changed(site_live *live, store *s, const long long *article_ids, size_t n)
{
    if (!live || !n) return;
    long long *ids = calloc(n, sizeof *ids), *counts = calloc(n, sizeof *counts);
    if (ids && counts) {
        pthread_mutex_lock(&live->lock);
        size_t k = followed_stories(live, article_ids, n, ids);
        pthread_mutex_unlock(&live->lock);
        if (k && store_comment_counts(s, ids, k, counts) == STORE_OK) {
            pthread_mutex_lock(&live->lock);
            send_comment_counts(live, ids, counts, k);
            pthread_mutex_unlock(&live->lock);
        }
    }
    free(ids);
    free(counts);
}

void site_live_tick(site_live *live, long long now)
{
    if (!live) return;
    static const char ping[] = ": ping\n\n";
    pthread_mutex_lock(&live->lock);
    bool due = now - live->last_ping >= SITE_LIVE_HEARTBEAT_SECONDS;
    if (due) live->last_ping = now;
    for (size_t i = 0; i < live->n_followers;) {
        http_stream *s = live->followers[i].stream;
        bool gone = due ? !http_stream_write(s, ping, sizeof ping - 1) : http_stream_closed(s);
        if (gone)
            follower_drop(live, i);
        else
            i++;
    }
    pthread_mutex_unlock(&live->lock);
}

long long site_live_horizon(site_live *live)
{
    pthread_mutex_lock(&live->lock);
    long long h = live->horizon;
    pthread_mutex_unlock(&live->lock);
    return h;
}

long long site_live_head(site_live *live)
{
    pthread_mutex_lock(&live->lock);
    long long h = live->seq;
    pthread_mutex_unlock(&live->lock);
    return h;
}

size_t site_live_subscribers(site_live *live)
{
    if (!live) return 0;
    pthread_mutex_lock(&live->lock);
    size_t n = live->n_followers;
    pthread_mutex_unlock(&live->lock);
    return n;
}
