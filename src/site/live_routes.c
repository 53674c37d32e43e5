/* live_routes.c — the live routes (docs/live.md): /live (every new story), /live/topic/{slug}
 * (new and updated stories of a topic) and /live/news/{slug} (one story's updates) answer
 * with a Server-Sent Events stream that the hub (live.c) writes to. An unknown topic or story
 * is a plain 404 page, not a stream. A reconnecting browser's Last-Event-ID is honoured: the
 * hub replays what it remembers after it, and when the id is older than the hub's memory
 * (the server restarted, or many stories went by), the stories saved since are read from the
 * store first — a bounded number of each. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../content/content.h"
#include "live.h"
#include "site.h"

/* The Last-Event-ID header as a sequence number, or -1 when absent or not a plain number. */
static long long last_event_id(http_request *req)
{
    const char *text = http_header(req, "Last-Event-ID");
    if (!text || !text[0] || strlen(text) > 18) return -1;
    long long id = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        id = id * 10 + (*p - '0');
    }
    return id;
}

/* Writes the stories of channel saved since last (a sequence number: milliseconds) that the
 * hub may have forgotten: those older than its horizon; at most SITE_LIVE_REPLAY_MAX, without
 * ids, and none when last is more than SITE_LIVE_REPLAY_WINDOW older than the horizon; then
 * the horizon as the id to resume from. */
static void replay_from_store(site_app *app, http_request *req, http_stream *stream,
                              const site_live_channel *channel, long long last, long long horizon)
{
    store_article *stories = NULL;
    size_t n;
    long long now = (long long)time(NULL), since = last / 1000;
    /* a reader away for longer gets no replay: the page itself is what to read again, and a
     * burst of reconnections after a restart must not each read the site's history */
    if (since < horizon / 1000 - SITE_LIVE_REPLAY_WINDOW ||
        store_articles_changed_since(app->store, req->arena, since, 2 * SITE_LIVE_REPLAY_MAX,
                                     &stories, &n) != STORE_OK)
        n = 0; /* the hub's replay still follows */
    size_t sent = 0;
    for (size_t i = 0; i < n && sent < SITE_LIVE_REPLAY_MAX; i++) {
        const store_article *s = &stories[i];
        long long changed = s->updated_at > s->published_at ? s->updated_at : s->published_at;
        if (s->status == ARTICLE_DRAFT || s->published_at > now || changed * 1000 >= horizon)
            continue; /* not live, or the hub has it */
        bool is_new = s->published_at >= since;
        if (!site_live_matches(channel, s, is_new)) continue;
        const char *event = site_live_event(req->arena, s, is_new, -1);
        http_stream_write(stream, event, strlen(event));
        sent++;
    }
    const char *resume = arena_printf(req->arena, "id: %lld\n\n", horizon);
    http_stream_write(stream, resume, strlen(resume));
}

static void live_answer(site_app *app, http_request *req, const site_live_channel *channel,
                        http_response *res)
{
    if (!app->live) return (void)(res->status = 404);
    http_stream *stream = http_stream_answer(req, res, "text/event-stream; charset=utf-8",
                                             3 * SITE_LIVE_HEARTBEAT_SECONDS);
    if (!stream) return;
    http_set_header(res, "Cache-Control", "no-store");
    http_set_header(res, "X-Accel-Buffering", "no"); /* a proxy in front must not hold events */
    const char *hello = arena_printf(req->arena, "retry: %d\n: live\n\n", SITE_LIVE_RETRY_MS);
    http_stream_write(stream, hello, strlen(hello));
    long long last = last_event_id(req), horizon = site_live_horizon(app->live);
    if (last >= 0 && last < horizon) replay_from_store(app, req, stream, channel, last, horizon);
    site_live_follow(app->live, stream, channel, last);
}

void site_live_home(void *app, http_request *req, const http_params *params, http_response *res)
{
    (void)params;
    site_live_channel channel = {.kind = SITE_LIVE_HOME};
    live_answer(app, req, &channel, res);
}

void site_live_topic(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    const char *slug = http_param(params, "slug");
    store_topic topic;
    if (!content_slug_is_valid(slug)) return (void)(res->status = 404);
    store_status st = store_topic_by_slug(app->store, req->arena, slug, &topic);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    site_live_channel channel = {.kind = SITE_LIVE_TOPIC, .topic_slug = topic.slug};
    live_answer(app, req, &channel, res);
}

void site_live_story(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    store_article article;
    if (!site_find_article(app, req, params, &article, res)) return;
    site_live_channel channel = {.kind = SITE_LIVE_STORY, .article_id = article.id};
    if (store_comment_counts(app->store, &article.id, 1, &channel.comments) != STORE_OK)
        channel.comments = -1; /* unknown: the first change sends the count */
    live_answer(app, req, &channel, res);
}
