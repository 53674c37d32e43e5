/* test_story_views.c — unit tests for the article views (src/site/story_views.c): a kept view
 * comes back for its slug and content version only; a view built while an invalidation
 * happened is not kept; invalidation by tag drops exactly the views carrying the tag; clearing
 * drops all; the bound holds; views are shared, not copied (reference counts); and readers,
 * writers and invalidators at once leave every reference accounted for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/site/story_views.h"

/* A view of story id tagged "a:ID" (and "s:SLUG" of the story it links to, when given). */
static story_view view_of(long long id, const char *see_also)
{
    story_view v = {.parts = json_pack("{s:I}", "id", (json_int_t)id),
                    .form = json_object(),
                    .article_id = id,
                    .published_at = 1000 + id};
    char tag[64];
    snprintf(tag, sizeof tag, "a:%lld", id);
    v.tags[v.n_tags++] = http_cache_tag_hash(tag);
    if (see_also) {
        snprintf(tag, sizeof tag, "s:%s", see_also);
        v.tags[v.n_tags++] = http_cache_tag_hash(tag);
    }
    return v;
}

static void release(story_view *v)
{
    json_decref(v->parts);
    json_decref(v->form);
}

static void test_kept_view_comes_back_for_its_version(void **state)
{
    (void)state;
    assert_null(story_views_new(0));
    story_views *views = story_views_new(64);
    story_view v = view_of(7, NULL), got;
    assert_false(story_views_get(views, "seven", 1, &got));
    assert_true(story_views_put(views, "seven", story_views_generation(views), 1, &v));
    assert_true(story_views_get(views, "seven", 1, &got));
    assert_ptr_equal(got.parts, v.parts); /* shared, not copied */
    assert_int_equal(got.article_id, 7);
    assert_int_equal(got.published_at, 1007);
    assert_int_equal(got.n_tags, 1);
    assert_int_equal(v.parts->refcount, 3); /* ours, the view's, got's */
    release(&got);
    assert_false(story_views_get(views, "seven", 2, &got)); /* content_version moved */
    assert_false(story_views_get(views, "sevens", 1, &got));
    story_views_stats s;
    story_views_get_stats(views, &s);
    assert_int_equal(s.views, 1);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 3);
    assert_int_equal(s.stores, 1);
    story_views_free(views);
    assert_int_equal(v.parts->refcount, 1); /* freeing the views released their references */
    release(&v);
}

static void test_view_built_during_an_invalidation_is_not_kept(void **state)
{
    (void)state;
    story_views *views = story_views_new(64);
    story_view v = view_of(3, NULL), got;
    unsigned long generation = story_views_generation(views);
    uint64_t unrelated = http_cache_tag_hash("a:999");
    story_views_invalidate(views, &unrelated, 1); /* any invalidation: the build may be stale */
    assert_false(story_views_put(views, "three", generation, 1, &v));
    assert_false(story_views_get(views, "three", 1, &got));
    assert_int_equal(v.parts->refcount, 1);
    assert_true(story_views_put(views, "three", story_views_generation(views), 1, &v));
    story_views_clear(views);
    assert_false(story_views_get(views, "three", 1, &got));
    story_views_invalidate(NULL, &unrelated, 1); /* no views: nothing to do */
    story_views_clear(NULL);
    story_views_free(views);
    release(&v);
}

static void test_invalidation_drops_exactly_the_tagged_views(void **state)
{
    (void)state;
    story_views *views = story_views_new(64);
    story_view a = view_of(1, "target"), b = view_of(2, NULL), c = view_of(3, NULL), got;
    unsigned long g = story_views_generation(views);
    assert_true(story_views_put(views, "one", g, 5, &a));
    assert_true(story_views_put(views, "two", g, 5, &b));
    assert_true(story_views_put(views, "three", g, 5, &c));
    uint64_t tags[] = {http_cache_tag_hash("a:2"), http_cache_tag_hash("home")};
    story_views_invalidate(views, tags, 2);
    assert_false(story_views_get(views, "two", 5, &got));
    assert_true(story_views_get(views, "one", 5, &got));
    release(&got);
    uint64_t see_also = http_cache_tag_hash("s:target");
    story_views_invalidate(views, &see_also, 1); /* the story "one" links to changed */
    assert_false(story_views_get(views, "one", 5, &got));
    assert_true(story_views_get(views, "three", 5, &got));
    release(&got);
    /* the same slug kept again replaces the old view */
    story_view newer = view_of(3, NULL);
    assert_true(story_views_put(views, "three", story_views_generation(views), 6, &newer));
    assert_true(story_views_get(views, "three", 6, &got));
    assert_ptr_equal(got.parts, newer.parts);
    release(&got);
    assert_int_equal(c.parts->refcount, 1);
    story_views_free(views);
    release(&a);
    release(&b);
    release(&c);
    release(&newer);
}

static void test_bound_holds(void **state)
{
    (void)state;
    story_views *views = story_views_new(32); /* 16 shards of 2 */
    story_view v = view_of(1, NULL);
    for (int i = 0; i < 500; i++) {
        char slug[32];
        snprintf(slug, sizeof slug, "story-%d", i);
        assert_true(story_views_put(views, slug, story_views_generation(views), 1, &v));
    }
    story_views_stats s;
    story_views_get_stats(views, &s);
    assert_true(s.views > 0 && s.views <= 32);
    assert_int_equal(s.max_views, 32);
    assert_int_equal(v.parts->refcount, 1 + (int)s.views);
    story_view got; /* the newest is always kept */
    assert_true(story_views_get(views, "story-499", 1, &got));
    release(&got);
    story_views_free(views);
    release(&v);
}

typedef struct {
    story_views *views;
    story_view *shared;
    int seed;
    int wrong; /* views that came back with another story: checked by the main thread */
} worker;

/* Gets, renders from (reads) and releases views, and keeps new ones, over a few slugs. */
static void *reader_writer(void *arg)
{
    worker *w = arg;
    char slug[16];
    for (int i = 0; i < 20000; i++) {
        snprintf(slug, sizeof slug, "s%d", (i * 7 + w->seed) % 40);
        story_view got;
        unsigned long g = story_views_generation(w->views);
        if (story_views_get(w->views, slug, 1, &got)) {
            w->wrong += json_integer_value(json_object_get(got.parts, "id")) != 9;
            release(&got);
        } else {
            story_views_put(w->views, slug, g, 1, w->shared);
        }
    }
    return NULL;
}

static void *invalidator(void *arg)
{
    worker *w = arg;
    uint64_t tag = http_cache_tag_hash("a:9");
    for (int i = 0; i < 2000; i++) {
        if (i % 100 == 99)
            story_views_clear(w->views);
        else
            story_views_invalidate(w->views, &tag, 1);
    }
    return NULL;
}

static void test_threads_share_views_safely(void **state)
{
    (void)state;
    story_views *views = story_views_new(16);
    story_view shared = view_of(9, NULL);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){views, &shared, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, i == 3 ? invalidator : reader_writer, &w[i]),
                         0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].wrong, 0);
    }
    story_views_stats s;
    story_views_get_stats(views, &s);
    assert_true(s.views <= 16);
    assert_int_equal(shared.parts->refcount, 1 + (int)s.views);
    story_views_free(views);
    assert_int_equal(shared.parts->refcount, 1);
    assert_int_equal(shared.form->refcount, 1);
    release(&shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_view_comes_back_for_its_version),
        cmocka_unit_test(test_view_built_during_an_invalidation_is_not_kept),
        cmocka_unit_test(test_invalidation_drops_exactly_the_tagged_views),
        cmocka_unit_test(test_bound_holds),
        cmocka_unit_test(test_threads_share_views_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
