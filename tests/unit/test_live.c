/* test_live.c — unit tests for streamed answers (src/http/stream.c) without a network: the
 * cap on open streams, writes refused once a stream is over or too far behind; and for the live
 * hub (src/site/live.c): which channel gets which story, new versus updated, a story seen again
 * unchanged, drafts, the event's text, and Last-Event-ID replay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/http/stream.h"
#include "../../src/site/live.h"

typedef struct {
    arena *arena;
    http_streams *reg;
    http_request req;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->arena = arena_new();
    f->reg = http_streams_new(3);
    f->req = (http_request){.arena = f->arena, .method = "GET", .path = "/live", .streams = f->reg};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    assert_int_equal(http_streams_open(f->reg), 0);
    http_streams_free(f->reg);
    arena_free(f->arena);
    free(f);
    return 0;
}

/* A stream as a handler opens it; the test plays the connection's part (http_stream_unsent). */
static http_stream *open_stream(fixture *f)
{
    http_response res = {0};
    http_stream *s = http_stream_answer(&f->req, &res, "text/event-stream", 60);
    if (s) {
        assert_int_equal(res.status, 200);
        assert_ptr_equal(res.stream, s);
    }
    return s;
}

static char *pending(arena *a, http_stream *s)
{
    buf b = {0};
    http_stream_pending(s, &b);
    char *text = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return text;
}

static void test_streams_are_capped(void **state)
{
    fixture *f = *state;
    http_stream *s[3];
    for (int i = 0; i < 3; i++)
        assert_non_null(s[i] = open_stream(f));
    http_response res = {0};
    assert_null(http_stream_answer(&f->req, &res, "text/event-stream", 60));
    assert_int_equal(res.status, 503);
    assert_int_equal(http_streams_open(f->reg), 3);
    http_stream_unsent(s[0]); /* its connection is gone: the slot is free */
    http_stream_release(s[0]);
    assert_non_null(s[0] = open_stream(f));
    http_request offline = {.arena = f->arena};
    res = (http_response){0};
    assert_null(http_stream_answer(&offline, &res, "text/event-stream", 60));
    assert_int_equal(res.status, 404);
    for (int i = 0; i < 3; i++) {
        http_stream_unsent(s[i]);
        http_stream_release(s[i]);
    }
}

static void test_writes_are_refused_when_over(void **state)
{
    fixture *f = *state;
    http_stream *s = open_stream(f);
    assert_true(http_stream_write(s, "a", 1));
    assert_string_equal(pending(f->arena, s), "a");
    char *big = calloc(1, HTTP_STREAM_MAX_PENDING);
    assert_false(http_stream_write(s, big, HTTP_STREAM_MAX_PENDING)); /* too far behind */
    assert_true(http_stream_closed(s));
    assert_false(http_stream_write(s, "b", 1));
    free(big);
    http_stream_unsent(s);
    http_stream_release(s);

    s = open_stream(f);
    http_stream_end(s);
    assert_false(http_stream_write(s, "c", 1));
    http_stream_unsent(s);
    http_stream_release(s);

    s = open_stream(f);
    http_streams_stop(f->reg); /* the server stops: streams end, no new ones */
    assert_true(http_stream_closed(s));
    http_response res = {0};
    assert_null(http_stream_answer(&f->req, &res, "text/event-stream", 60));
    assert_int_equal(res.status, 503);
    http_stream_unsent(s);
    http_stream_release(s);
}

static store_topic harbour = {1, "harbour", "Harbour", NULL}, sport = {2, "sport", "Sport", NULL};

static store_article story(long long id, const char *slug, const char *headline, store_topic *topic,
                           long long published, long long updated)
{
    return (store_article){.id = id,
                           .slug = slug,
                           .headline = headline,
                           .kicker = "Kicker",
                           .status = ARTICLE_PUBLISHED,
                           .published_at = published,
                           .updated_at = updated,
                           .topics = topic,
                           .n_topics = 1};
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_hub_sends_each_story_to_its_channels(void **state)
{
    fixture *f = *state;
    site_live *live = site_live_new();
    http_stream *home = open_stream(f), *topic = open_stream(f), *one = open_stream(f);
    /* the hub takes the handler's references; the test keeps its own to read and close */
    http_stream_retain(home), http_stream_retain(topic), http_stream_retain(one);
    site_live_follow(live, home, &(site_live_channel){.kind = SITE_LIVE_HOME}, -1);
    site_live_follow(live, topic,
                     &(site_live_channel){.kind = SITE_LIVE_TOPIC, .topic_slug = "harbour"}, -1);
    site_live_follow(live, one, &(site_live_channel){.kind = SITE_LIVE_STORY, .article_id = 7}, -1);
    assert_int_equal(site_live_subscribers(live), 3);

    long long now = 2000000000;
    store_article batch[] = {
        story(7, "old-story", "An old story, edited", &harbour, now - 86400, now),
        story(8, "new-story", "A new story", &harbour, now, now),
        story(9, "sport-story", "A sport story", &sport, now, now),
        story(10, "draft", "A draft", &harbour, now, now),
        story(11, "later", "Scheduled for later", &harbour, now + 60, now),
    };
    batch[3].status = ARTICLE_DRAFT;
    batch[4].status = ARTICLE_SCHEDULED;
    site_live_stories_changed(live, batch, 5, now - 1, now);
    site_live_stories_changed(live, batch, 5, now, now); /* seen again unchanged: nothing */

    char *h = pending(f->arena, home), *t = pending(f->arena, topic), *o = pending(f->arena, one);
    assert_int_equal(count(h, "event: story\n"), 2); /* new stories only */
    assert_non_null(strstr(h, "\"slug\":\"new-story\""));
    assert_non_null(strstr(h, "\"slug\":\"sport-story\""));
    assert_int_equal(count(t, "event: story\n"), 2); /* the topic's, new and updated */
    assert_non_null(strstr(t, "\"slug\":\"old-story\""));
    assert_non_null(strstr(t, "\"kind\":\"updated\""));
    assert_non_null(strstr(t, "\"slug\":\"new-story\""));
    assert_int_equal(count(o, "event: story\n"), 1);
    assert_non_null(strstr(o, "\"headline\":\"An old story, edited\""));
    assert_null(strstr(h, "draft"));
    assert_null(strstr(t, "later"));

    /* the same story saved again in the same second with a new headline: an update */
    batch[1].headline = "A new story, corrected";
    site_live_stories_changed(live, &batch[1], 1, now, now);
    t = pending(f->arena, topic);
    assert_int_equal(count(t, "event: story\n"), 3);
    assert_non_null(strstr(t, "\"headline\":\"A new story, corrected\",\"kicker\":\"Kicker\","
                              "\"topic\":\"harbour\",\"topic_name\":\"Harbour\""));
    assert_int_equal(count(pending(f->arena, home), "event: story\n"), 2);

    /* a closed stream is let go at the next write or tick; the tick (20 s after the hub's
     * start and more) sends the heartbeat */
    http_stream_unsent(one);
    site_live_tick(live, now);
    assert_int_equal(site_live_subscribers(live), 2);
    assert_non_null(strstr(pending(f->arena, home), "\n\n: ping\n\n"));
    assert_int_equal(count(pending(f->arena, topic), ": ping\n\n"), 1);
    site_live_tick(live, now + 1); /* not due again yet */
    assert_int_equal(count(pending(f->arena, topic), ": ping\n\n"), 1);
    http_stream_release(one);
    http_stream_unsent(home);
    http_stream_unsent(topic);
    http_stream_release(home);
    http_stream_release(topic);
    site_live_free(live);
}

static void test_hub_replays_after_last_event_id(void **state)
{
    fixture *f = *state;
    site_live *live = site_live_new();
    long long now = 2000000000, horizon = site_live_horizon(live);
    assert_true(site_live_head(live) >= horizon);
    for (long long i = 1; i <= SITE_LIVE_REPLAY_MAX + 10; i++) {
        const char *slug = arena_printf(f->arena, "story-%lld", i);
        store_article s = story(i, slug, slug, &harbour, now, now);
        site_live_stories_changed(live, &s, 1, now, now);
    }
    long long head = site_live_head(live);
    assert_true(head > horizon);

    http_stream *all = open_stream(f), *none = open_stream(f);
    http_stream_retain(all), http_stream_retain(none);
    site_live_follow(live, all, &(site_live_channel){.kind = SITE_LIVE_HOME}, horizon);
    site_live_follow(live, none, &(site_live_channel){.kind = SITE_LIVE_HOME}, head);
    char *a = pending(f->arena, all);
    assert_int_equal(count(a, "event: story\n"), SITE_LIVE_REPLAY_MAX); /* bounded: the newest */
    assert_null(strstr(a, "\"slug\":\"story-10\""));
    assert_non_null(strstr(a, "\"slug\":\"story-11\""));
    assert_non_null(strstr(a, arena_printf(f->arena, "id: %lld\n", head)));
    assert_string_equal(pending(f->arena, none), "");

    const char *event = site_live_event(f->arena,
                                        &(store_article){.id = 3,
                                                         .slug = "s",
                                                         .headline = "Line\nbreak \"q\"",
                                                         .published_at = 0,
                                                         .updated_at = 0},
                                        false, -1);
    assert_string_equal(event, "event: story\ndata: {\"id\":3,\"slug\":\"s\",\"url\":\"/news/s/\","
                               "\"headline\":\"Line\\nbreak \\\"q\\\"\",\"kicker\":null,"
                               "\"topic\":null,\"topic_name\":null,"
                               "\"published_at\":\"1970-01-01T00:00:00Z\","
                               "\"updated_at\":\"1970-01-01T00:00:00Z\",\"kind\":\"updated\"}\n\n");
    http_stream_unsent(all);
    http_stream_unsent(none);
    http_stream_release(all);
    http_stream_release(none);
    site_live_free(live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_streams_are_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_are_refused_when_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_sends_each_story_to_its_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hub_replays_after_last_event_id, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
