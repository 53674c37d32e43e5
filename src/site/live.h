/* live.h — live updates (docs/live.md): readers follow the home page, a topic or a story over
 * Server-Sent Events; the freshness watcher (freshness.c) hands the hub every story it sees
 * change, and the hub writes an event to the streams (http/stream.h) of the channels the story
 * belongs to. The route handlers are declared in site.h. */
#ifndef GAZETTE_SITE_LIVE_H
#define GAZETTE_SITE_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "../http/http.h"
#include "../http/stream.h"
#include "../store/store.h"

typedef struct site_live site_live;

enum {
    SITE_LIVE_HEARTBEAT_SECONDS = 20, /* a ": ping" comment to every stream this often */
    SITE_LIVE_RETRY_MS = 5000,        /* the reconnection delay suggested to browsers */
    SITE_LIVE_RING = 512,             /* recent events kept for Last-Event-ID replay */
    SITE_LIVE_REPLAY_MAX = 50,        /* at most this many events replayed on reconnection */
    SITE_LIVE_REPLAY_WINDOW = 3600,   /* seconds: no replay from the store for an older id */
};

site_live *site_live_new(void);
/* Lets every stream go (call after the server has stopped). No-op for NULL. */
void site_live_free(site_live *live);

/* Stories the freshness watcher found saved, or gone live, at or after window_start (unix
 * seconds: its previous look). Each live one becomes an event, "new" when its publication
 * time falls in the window and "updated" otherwise; a story seen again unchanged (the watcher
 * looks at whole seconds) is skipped. Drafts and stories taken off the site are skipped. */
void site_live_stories_changed(site_live *live, const store_article *stories, size_t n,
                               long long window_start, long long now);
/* The comments of the stories article_ids changed (posted, approved, removed): the streams
 * following one of them get "event: comments" with data {"id": ID, "comment_count": N} when
 * its number of approved comments has moved. Reads the counts from s (never with the hub's lock
 * held), and only for stories someone follows. */
void site_live_comments_changed(site_live *live, store *s, const long long *article_ids, size_t n);
/* Called about once a second: sends the heartbeat when due and lets closed streams go. */
void site_live_tick(site_live *live, long long now);
/* What a stream follows: every new story (the home page), new and updated stories of a topic,
 * or one story's updates. */
typedef enum { SITE_LIVE_HOME, SITE_LIVE_TOPIC, SITE_LIVE_STORY } site_live_channel_kind;
typedef struct site_live_channel {
    site_live_channel_kind kind;
    const char *topic_slug; /* SITE_LIVE_TOPIC */
    long long article_id;   /* SITE_LIVE_STORY */
    long long comments;     /* SITE_LIVE_STORY: its approved comments when the stream opened */
} site_live_channel;

/* Whether story (with its topics) belongs to channel, as an event of that kind. */
bool site_live_matches(const site_live_channel *channel, const store_article *story, bool is_new);
/* The Server-Sent Event of story: "id: SEQ" (left out when seq < 0), "event: story" and one
 * line of JSON {id, slug, url, headline, kicker, topic, topic_name, published_at, updated_at,
 * kind}. Arena string. */
char *site_live_event(arena *a, const store_article *story, bool is_new, long long seq);
/* Writes to stream the remembered events of channel after last_event_id (at most
 * SITE_LIVE_REPLAY_MAX, the newest) and follows channel from then on; takes over the caller's
 * reference to stream. last_event_id < 0: no replay. */
void site_live_follow(site_live *live, struct http_stream *stream, const site_live_channel *channel,
                      long long last_event_id);
/* The sequence number below which the hub may have forgotten events (its start, or its oldest
 * event): a client whose Last-Event-ID is older may have missed stories the hub cannot replay. */
long long site_live_horizon(site_live *live);
/* The newest sequence number handed out (the hub's start when none yet). */
long long site_live_head(site_live *live);
/* Open streams followed by the hub (for tests and figures). */
size_t site_live_subscribers(site_live *live);

#endif
