/* stories_list.c — GET /admin/stories: the newsroom's stories, last saved first, 25 a page,
 * filtered by status (?status=draft|scheduled|published), topic (?topic=SLUG), author
 * (?author=SLUG) and words (?q=, the site's full-text search syntax: words, "phrases", prefix*).
 * Contributors see their own stories only; authors, editors and admins everyone's (authors may
 * open the others' stories but not change them). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../site/search_query.h"
#include "editor.h"
#include "schedule.h"

enum { LIST_PAGE_SIZE = 25, LIST_MAX_PAGE = 100000 };

/* A filter value: NULL when absent or empty. */
static const char *filter(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

static json_t *names_of(const store_article *art, bool topics)
{
    json_t *list = json_array();
    size_t n = topics ? art->n_topics : art->n_authors;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list,
                              json_string(topics ? art->topics[i].name : art->authors[i].name));
    return list;
}

static json_t *row_json(arena *a, const store_article *art, const char *zone, long long now)
{
    bool live = art->status != ARTICLE_DRAFT && art->published_at <= now;
    const char *when =
        art->status == ARTICLE_DRAFT ? "" : schedule_display(a, zone, art->published_at);
    return json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:s, s:o, s:o, s:s}", "id",
                     (json_int_t)art->id, "headline", art->headline ? art->headline : "",
                     "edit_url", arena_printf(a, "/admin/stories/%lld", art->id), "status",
                     article_status_name(art->status), "live", live, "when", when, "updated",
                     schedule_display(a, zone, art->updated_at), "topics", names_of(art, true),
                     "authors", names_of(art, false), "url",
                     arena_printf(a, "/news/%s/", art->slug));
}

/* The list's address with the same filters on page n. */
static const char *page_url(arena *a, http_request *req, size_t n)
{
    static const char *const keys[] = {"status", "topic", "author", "q"};
    buf b = {0};
    buf_printf(&b, "/admin/stories?page=%zu", n);
    for (size_t i = 0; i < 4; i++) {
        const char *v = filter(req, keys[i]);
        if (!v) continue;
        buf_printf(&b, "&%s=", keys[i]);
        for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '-' || *p == '_' || *p == '.')
                buf_putc(&b, (char)*p);
            else
                buf_printf(&b, "%%%02X", *p);
        }
    }
    const char *url = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return url;
}

/* The filter menus: statuses, topics and authors, the chosen one marked. */
static json_t *options(const char *const *values, const char *const *labels, size_t stride,
                       size_t n, const char *chosen)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *v = *(const char *const *)((const char *)values + i * stride);
        const char *l = *(const char *const *)((const char *)labels + i * stride);
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", v, "label", l, "selected",
                                              chosen && strcmp(chosen, v) == 0));
    }
    return list;
}

static void add_menus(site_app *app, arena *a, json_t *view, const char *status, const char *topic,
                      const char *author)
{
    static const char *const statuses[] = {"draft", "scheduled", "published"};
    static const char *const status_labels[] = {"Drafts", "Scheduled", "Published"};
    json_object_set_new(view, "statuses",
                        options(statuses, status_labels, sizeof statuses[0], 3, status));
    store_topic *topics;
    store_author *authors;
    size_t n;
    if (store_topics_list(app->store, a, 0, &topics, &n) == STORE_OK)
        json_object_set_new(view, "topics",
                            options(n ? &topics[0].slug : NULL, n ? &topics[0].name : NULL,
                                    sizeof *topics, n, topic));
    if (store_authors_all(app->store, a, &authors, &n) == STORE_OK)
        json_object_set_new(view, "authors",
                            options(n ? &authors[0].slug : NULL, n ? &authors[0].name : NULL,
                                    sizeof *authors, n, author));
}

void admin_stories_list(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    arena *a = req->arena;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    if (!user) return;
    size_t page;
    if (!site_page_number(req, &page) || page > LIST_MAX_PAGE)
        return admin_message(app, req, user, 400, "No such page",
                             "The page number must be a whole number from 1.", res);
    const char *status = filter(req, "status"), *topic = filter(req, "topic"),
               *author = filter(req, "author"), *words = filter(req, "q");
    article_status st_value;
    store_editor_query q = {.topic_slug = topic,
                            .author_slug = author,
                            .limit = LIST_PAGE_SIZE,
                            .offset = (page - 1) * LIST_PAGE_SIZE};
    const char *problem = NULL;
    if (status && !article_status_parse(status, &st_value))
        problem = "Unknown status: choose drafts, scheduled or published.";
    else if (status)
        q.status = &st_value;
    if (user->role == ADMIN_ROLE_CONTRIBUTOR) {
        q.owner_user_id = user->id;
        q.owner_author_id = user->author_id;
    }
    if (words && !problem) {
        search_query_status sq = search_query_translate(a, words, &q.fts_query);
        if (sq != SEARCH_QUERY_OK) problem = search_query_message(sq);
    }
    store_article *v = NULL;
    size_t n = 0, total = 0;
    store_status st = problem ? STORE_OK : store_editor_articles(app->store, a, &q, &v, &n, &total);
    if (st == STORE_INVALID)
        problem = "The search could not be read; try other words.";
    else if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Stories cannot be read",
                             "The database did not answer; try again in a moment.", res);
    const char *zone = editor_zone(app, a);
    long long now = (long long)time(NULL);
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, row_json(a, &v[i], zone, now));
    size_t pages = total ? (total + LIST_PAGE_SIZE - 1) / LIST_PAGE_SIZE : 1;
    json_t *view =
        json_pack("{s:o, s:I, s:I, s:I, s:s, s:b}", "stories", rows, "total", (json_int_t)total,
                  "page", (json_int_t)page, "pages", (json_int_t)pages, "q", words ? words : "",
                  "own_only", user->role == ADMIN_ROLE_CONTRIBUTOR);
    if (page > 1) json_object_set_new(view, "prev_url", json_string(page_url(a, req, page - 1)));
    if (page < pages)
        json_object_set_new(view, "next_url", json_string(page_url(a, req, page + 1)));
    if (problem) {
        json_object_set_new(view, "error", json_string(problem));
        res->status = 400;
    }
    add_menus(app, a, view, status, topic, author);
    admin_render(app, req, user, "stories", "Stories", view, res);
}
