/* articles.c — the content API's story endpoints: GET /api/v1/articles (a page of stories,
 * optionally of one topic) and GET /api/v1/articles/{slug} (one story with its body and
 * related stories). The JSON is article_json's, the same the themes receive. */
#include <stdlib.h>
#include <string.h>

#include "api_response.h"
#include "../content/content.h"
#include "../site/site.h"
#include "article_json.h"

enum { API_DEFAULT_LIMIT = 20, API_MAX_LIMIT = 100, API_MAX_PAGE = 100000 };

void api_articles_list(void *app_ptr, http_request *req, const http_params *params,
                       http_response *res)
{
    site_app *app = app_ptr;
    long limit, page;
    if (!api_query_number(req, "limit", API_DEFAULT_LIMIT, API_MAX_LIMIT, &limit))
        return api_send_error(res, 400, "limit must be a whole number from 1 to 100");
    if (!api_query_number(req, "page", 1, API_MAX_PAGE, &page))
        return api_send_error(res, 400, "page must be a whole number from 1");
    const char *topic = http_query(req, "topic");
    store_topic found;
    if (topic && (!content_slug_is_valid(topic) ||
                  store_topic_by_slug(app->store, req->arena, topic, &found) != STORE_OK))
        return api_send_error(res, 404, "no such topic");
    store_article_query q = {
        .topic_slug = topic, .limit = (size_t)limit, .offset = (size_t)(page - 1) * (size_t)limit};
    store_article *articles;
    size_t n, total;
    store_status st = store_articles_list(app->store, req->arena, &q, &articles, &n, &total);
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, article_summary_json(req->arena, &articles[i]));
    size_t pages = total ? (total + (size_t)limit - 1) / (size_t)limit : 1;
    api_send_json(res, 200,
                  json_pack("{s:o, s:I, s:I, s:I, s:I}", "articles", list, "page", (json_int_t)page,
                            "pages", (json_int_t)pages, "limit", (json_int_t)limit, "total",
                            (json_int_t)total),
                  "public, max-age=60");
}

void api_article_one(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
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
    api_send_json(res, 200, body, "public, max-age=60");
}
