/* directory.c — the content API's topics and authors: GET /api/v1/topics and
 * /api/v1/authors (those with live stories, by name, each with its story count) and
 * GET /api/v1/topics/{slug} and /api/v1/authors/{slug} (one, with its newest stories). */
#include <string.h>

#include "api_access.h"
#include "api_response.h"
#include "../content/content.h"
#include "article_json.h"

enum { DIRECTORY_LATEST = 10 };

static json_t *counted_json(arena *a, json_t *subject, size_t n_articles, long long last_change,
                            const char *filter, const char *slug)
{
    json_object_set_new(subject, "article_count", json_integer((json_int_t)n_articles));
    json_object_set_new(subject, "updated_at",
                        last_change > 0 ? json_string(content_format_time(a, last_change))
                                        : json_null());
    json_object_set_new(subject, "articles_url",
                        json_string(arena_printf(a, "/api/v1/articles?%s=%s", filter, slug)));
    return subject;
}

static json_t *topic_entry(arena *a, const store_topic_count *t)
{
    json_t *j = topic_json(&t->topic);
    json_object_set_new(j, "description",
                        json_string(t->topic.description ? t->topic.description : ""));
    return counted_json(a, j, t->n_articles, t->last_change, "topic", t->topic.slug);
}

static json_t *author_entry(arena *a, const store_author_count *u)
{
    json_t *j = author_json(&u->author);
    json_object_set_new(j, "bio", json_string(u->author.bio ? u->author.bio : ""));
    return counted_json(a, j, u->n_articles, u->last_change, "author", u->author.slug);
}

void api_topics_list(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    api_read r;
    if (!api_read_begin(app, req, res, &r)) return;
    store_topic_count *topics;
    size_t n;
    store_status st = store_topics_counted(app->store, req->arena, NULL, &topics, &n);
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    json_t *list = json_array();
    long long newest = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, topic_entry(req->arena, &topics[i]));
        if (topics[i].last_change > newest) newest = topics[i].last_change;
    }
    http_cache_tag(res, "home"); /* counts follow every story; topics themselves clear all */
    api_read_send(app, req, res, &r, json_pack("{s:o}", "topics", list), newest);
}

void api_authors_list(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    api_read r;
    if (!api_read_begin(app, req, res, &r)) return;
    store_author_count *authors;
    size_t n;
    store_status st = store_authors_counted(app->store, req->arena, NULL, &authors, &n);
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    json_t *list = json_array();
    long long newest = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, author_entry(req->arena, &authors[i]));
        if (authors[i].last_change > newest) newest = authors[i].last_change;
    }
    http_cache_tag(res, "home");
    api_read_send(app, req, res, &r, json_pack("{s:o}", "authors", list), newest);
}

/* Adds "articles": the newest live stories of the query, as summaries. */
static store_status add_latest(site_app *app, http_request *req, store_article_query *q,
                               json_t *body)
{
    store_article *articles;
    size_t n;
    q->limit = DIRECTORY_LATEST;
    store_status st = store_articles_list(app->store, req->arena, q, &articles, &n, NULL);
    json_t *list = json_array();
    for (size_t i = 0; st == STORE_OK && i < n; i++) {
        json_t *summary = article_summary_json(req->arena, &articles[i]);
        api_article_absolutize(app, req->arena, summary);
        json_array_append_new(list, summary);
    }
    json_object_set_new(body, "articles", list);
    return st;
}

void api_topic_one(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    api_read r;
    if (!api_read_begin(app, req, res, &r)) return;
    const char *slug = http_param(params, "slug");
    store_topic_count *counted, one = {0};
    size_t n = 0;
    store_status st = content_slug_is_valid(slug)
                          ? store_topic_by_slug(app->store, req->arena, slug, &one.topic)
                          : STORE_NOT_FOUND;
    if (st == STORE_OK) st = store_topics_counted(app->store, req->arena, slug, &counted, &n);
    if (st == STORE_NOT_FOUND) return api_send_error(res, 404, "no such topic");
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    if (n) one = counted[0];
    json_t *body = json_pack("{s:o}", "topic", topic_entry(req->arena, &one));
    store_article_query q = {.topic_slug = slug};
    if ((st = add_latest(app, req, &q, body)) != STORE_OK) {
        json_decref(body);
        return api_send_error(res, site_status_for(st), store_strerror(st));
    }
    http_cache_tag(res, "home");
    http_cache_tag(res, arena_printf(req->arena, "t:%s", slug));
    api_read_send(app, req, res, &r, body, one.last_change);
}

void api_author_one(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    api_read r;
    if (!api_read_begin(app, req, res, &r)) return;
    const char *slug = http_param(params, "slug");
    store_author_count *counted, one = {0};
    size_t n = 0;
    store_status st = content_slug_is_valid(slug)
                          ? store_author_by_slug(app->store, req->arena, slug, &one.author)
                          : STORE_NOT_FOUND;
    if (st == STORE_OK) st = store_authors_counted(app->store, req->arena, slug, &counted, &n);
    if (st == STORE_NOT_FOUND) return api_send_error(res, 404, "no such author");
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    if (n) one = counted[0];
    json_t *body = json_pack("{s:o}", "author", author_entry(req->arena, &one));
    store_article_query q = {.author_slug = slug};
    if ((st = add_latest(app, req, &q, body)) != STORE_OK) {
        json_decref(body);
        return api_send_error(res, site_status_for(st), store_strerror(st));
    }
    http_cache_tag(res, "home");
    http_cache_tag(res, arena_printf(req->arena, "u:%s", slug));
    api_read_send(app, req, res, &r, body, one.last_change);
}
