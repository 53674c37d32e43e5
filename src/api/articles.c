/* articles.c — the content API's story endpoints: GET /api/v1/articles (stories newest first,
 * filtered by topic, author and since=, paged by an opaque cursor or by page number) and
 * GET /api/v1/articles/{slug} (one story with its body and related stories). The JSON is
 * article_json's, the same the themes receive, plus the absolute URLs an app needs
 * (api_article_absolutize). */
#include <stdlib.h>
#include <string.h>

#include "api_access.h"
#include "api_params.h"
#include "api_response.h"
#include "../content/content.h"
#include "../site/site.h"
#include "article_json.h"

enum { API_DEFAULT_LIMIT = 20, API_MAX_LIMIT = 100, API_MAX_PAGE = 100000 };

/* An absolute form of url: itself when it has a scheme, else the site's base URL before it. */
static const char *absolute(site_app *app, arena *a, const char *url)
{
    if (!url || strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) return url;
    return api_absolute_url(app, a, url[0] == '/' ? url : arena_printf(a, "/%s", url));
}

void api_article_absolutize(site_app *app, arena *a, json_t *article)
{
    const char *url = json_string_value(json_object_get(article, "url"));
    if (url) json_object_set_new(article, "canonical_url", json_string(absolute(app, a, url)));
    json_t *image = json_object_get(article, "image");
    const char *image_url = json_string_value(json_object_get(image, "url"));
    if (image_url)
        json_object_set_new(image, "absolute_url", json_string(absolute(app, a, image_url)));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(article, "related"), i, item)
        api_article_absolutize(app, a, item);
}

/* What a list request asks for, read from its arguments. */
typedef struct {
    long limit, page;
    bool paged; /* ?page= given: the old page-number paging */
    store_article_query query;
} list_request;

/* Reads the arguments; false with a 400 or 404 answered when one is bad. */
static bool list_arguments(site_app *app, http_request *req, list_request *lr, http_response *res)
{
    memset(lr, 0, sizeof *lr);
    if (!api_query_number(req, "limit", API_DEFAULT_LIMIT, API_MAX_LIMIT, &lr->limit))
        return api_refuse(res, 400, "limit must be a whole number from 1 to 100");
    if (!api_query_number(req, "page", 1, API_MAX_PAGE, &lr->page))
        return api_refuse(res, 400, "page must be a whole number from 1");
    lr->paged = http_query(req, "page") != NULL;
    const char *cursor = http_query(req, "cursor"), *since = http_query(req, "since");
    store_article_query *q = &lr->query;
    if (cursor && lr->paged) return api_refuse(res, 400, "give either cursor or page, not both");
    if (cursor && !api_cursor_parse(cursor, &q->cursor_published_at, &q->cursor_id))
        return api_refuse(res, 400,
                          "cursor is not one this API gave out: use next_cursor as it came");
    if (since && !api_since_parse(since, &q->since))
        return api_refuse(res, 400,
                          "since must be an RFC 3339 time (2023-10-26T09:30:00Z) or unix "
                          "seconds, from 1970 to 9999");
    q->topic_slug = http_query(req, "topic");
    q->author_slug = http_query(req, "author");
    store_topic topic;
    store_author author;
    if (q->topic_slug && (!content_slug_is_valid(q->topic_slug) ||
                          store_topic_by_slug(app->store, req->arena, q->topic_slug, &topic)))
        return api_refuse(res, 404, "no such topic");
    if (q->author_slug && (!content_slug_is_valid(q->author_slug) ||
                           store_author_by_slug(app->store, req->arena, q->author_slug, &author)))
        return api_refuse(res, 404, "no such author");
    q->limit = (size_t)lr->limit + 1; /* one more than shown: is there a next page? */
    q->offset = (size_t)(lr->page - 1) * (size_t)lr->limit;
    return true;
}

/* The URL of the page after the one shown, for the Link header. */
static const char *next_link(site_app *app, http_request *req, const list_request *lr,
                             const char *cursor)
{
    const store_article_query *q = &lr->query;
    const char *url =
        arena_printf(req->arena, "/api/v1/articles?limit=%ld&cursor=%s", lr->limit, cursor);
    if (q->topic_slug) url = arena_printf(req->arena, "%s&topic=%s", url, q->topic_slug);
    if (q->author_slug) url = arena_printf(req->arena, "%s&author=%s", url, q->author_slug);
    if (q->since) url = arena_printf(req->arena, "%s&since=%lld", url, q->since);
    return arena_printf(req->arena, "<%s>; rel=\"next\"", api_absolute_url(app, req->arena, url));
}

void api_articles_list(void *app_ptr, http_request *req, const http_params *params,
                       http_response *res)
{
    site_app *app = app_ptr;
    api_read r;
    list_request lr;
    if (!api_read_begin(app, req, res, &r) || !list_arguments(app, req, &lr, res)) return;
    store_article *articles;
    size_t n, total;
    store_status st = store_articles_list(app->store, req->arena, &lr.query, &articles, &n, &total);
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    bool more = n > (size_t)lr.limit;
    if (more) n = (size_t)lr.limit;
    json_t *list = json_array();
    long long newest = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *summary = article_summary_json(req->arena, &articles[i]);
        api_article_absolutize(app, req->arena, summary);
        json_array_append_new(list, summary);
        long long changed = articles[i].updated_at > articles[i].published_at
                                ? articles[i].updated_at
                                : articles[i].published_at;
        if (changed > newest) newest = changed;
    }
    const char *cursor =
        more ? api_cursor_make(req->arena, articles[n - 1].published_at, articles[n - 1].id) : NULL;
    if (cursor) http_set_header(res, "Link", next_link(app, req, &lr, cursor));
    size_t pages = total ? (total + (size_t)lr.limit - 1) / (size_t)lr.limit : 1;
    json_t *body =
        json_pack("{s:o, s:o, s:I, s:I, s:I, s:o}", "articles", list, "page",
                  lr.query.cursor_id ? json_null() : json_integer(lr.page), "pages",
                  (json_int_t)pages, "limit", (json_int_t)lr.limit, "total", (json_int_t)total,
                  "next_cursor", cursor ? json_string(cursor) : json_null());
    /* any story published or changed drops "home"; the filters' own tags say what is shown */
    http_cache_tag(res, "home");
    if (lr.query.topic_slug)
        http_cache_tag(res, arena_printf(req->arena, "t:%s", lr.query.topic_slug));
    if (lr.query.author_slug)
        http_cache_tag(res, arena_printf(req->arena, "u:%s", lr.query.author_slug));
    api_read_send(app, req, res, &r, body, newest);
}

void api_article_one(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    api_read r;
    if (!api_read_begin(app, req, res, &r)) return;
    const char *slug = http_param(params, "slug");
    if (!content_slug_is_valid(slug)) return api_send_error(res, 404, "no such article");
    store_article article;
    store_status st = store_article_by_slug(app->store, req->arena, slug, &article);
    if (st == STORE_NOT_FOUND) return api_send_error(res, 404, "no such article");
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    store_article *related;
    size_t n_related;
    st = site_related_stories(app, req->arena, &article, &related, &n_related);
    json_t *body = st == STORE_OK ? article_full_json(app->store, req->arena, &article, related,
                                                      n_related, &st)
                                  : NULL;
    if (!body) return api_send_error(res, site_status_for(st), store_strerror(st));
    article_auto_read_also(req->arena, body,
                           site_setting_number(app, req->arena, "related.read_also_after", 0, 100));
    api_article_absolutize(app, req->arena, body);
    site_tag_story_page(req, &article, res);
    api_read_send(app, req, res, &r, body,
                  article.updated_at > article.published_at ? article.updated_at
                                                            : article.published_at);
}
