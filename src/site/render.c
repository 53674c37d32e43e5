/* render.c — what every page handler shares: the "site" and "page" objects of the view model,
 * rendering a template into a response, page numbers and pagination, error pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/api_response.h"
#include "../content/content.h"
#include "../api/article_json.h"
#include "site.h"

enum { SITE_NAV_TOPICS = 8, SITE_MAX_PAGE = 100000 };

static json_t *nav_topics_json(site_app *app, arena *a)
{
    store_topic *topics;
    size_t n;
    json_t *nav = json_array();
    if (store_topics_leading(app->store, a, SITE_NAV_TOPICS, &topics, &n) != STORE_OK) return nav;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(nav, topic_json(&topics[i]));
    return nav;
}

json_t *site_view_new(site_app *app, http_request *req, const char *page_type, const char *title,
                      const char *description)
{
    const site_config *c = &app->config;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    json_t *site =
        json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:O}", "name", c->name, "tagline", c->tagline,
                  "language", c->language, "base_url", c->base_url, "year", tm.tm_year + 1900,
                  "nav_topics", nav_topics_json(app, req->arena), "assets", app->assets);
    char *canonical = arena_printf(req->arena, "%s%s", c->base_url, req->path);
    json_t *page =
        json_pack("{s:s, s:s, s:s, s:s}", "type", page_type, "title", title, "description",
                  description ? description : c->tagline, "canonical", canonical);
    return json_pack("{s:o, s:o}", "site", site, "page", page);
}

void site_render(site_app *app, http_request *req, const char *template_name, json_t *view,
                 http_response *res)
{
    if (!view || !theme_render(app->theme, template_name, view, &res->body)) {
        fprintf(stderr, "gazette: rendering '%s' for %s failed\n", template_name, req->path);
        buf_free(&res->body);
        res->status = 500;
    } else {
        res->content_type = "text/html; charset=utf-8";
        bool cache_set = false;
        for (size_t i = 0; i < res->n_headers; i++)
            cache_set |= strcmp(res->header_names[i], "Cache-Control") == 0;
        if (!cache_set) http_set_header(res, "Cache-Control", "public, max-age=60");
    }
    json_decref(view);
}

unsigned site_setting_number(site_app *app, arena *a, const char *key, unsigned fallback,
                             unsigned max)
{
    const char *text;
    if (store_setting_get(app->store, a, key, &text) != STORE_OK) return fallback;
    char *end;
    unsigned long n = strtoul(text, &end, 10);
    return end == text || *end || n > max ? fallback : (unsigned)n;
}

bool site_page_number(http_request *req, size_t *page)
{
    const char *text = http_query(req, "page");
    *page = 1;
    if (!text) return true;
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || *end || n < 1 || n > SITE_MAX_PAGE) return false;
    *page = (size_t)n;
    return true;
}

json_t *site_pagination(http_request *req, const char *base, size_t page, size_t total,
                        size_t page_size)
{
    size_t pages = total ? (total + page_size - 1) / page_size : 1;
    if (pages <= 1) return NULL;
    json_t *prev = page > 1 ? json_string(arena_printf(req->arena, "%s?page=%zu", base, page - 1))
                            : json_null();
    json_t *next = page < pages
                       ? json_string(arena_printf(req->arena, "%s?page=%zu", base, page + 1))
                       : json_null();
    return json_pack("{s:I, s:I, s:o, s:o}", "page", (json_int_t)page, "pages", (json_int_t)pages,
                     "prev_url", prev, "next_url", next);
}

bool site_find_article(site_app *app, http_request *req, const http_params *params,
                       store_article *out, http_response *res)
{
    const char *slug = http_param(params, "slug");
    store_status st = content_slug_is_valid(slug)
                          ? store_article_by_slug(app->store, req->arena, slug, out)
                          : STORE_NOT_FOUND;
    if (st != STORE_OK) res->status = site_status_for(st);
    return st == STORE_OK;
}

int site_status_for(store_status st)
{
    switch (st) {
    case STORE_OK:
        return 200;
    case STORE_NOT_FOUND:
        return 404;
    case STORE_BUSY:
        return 503;
    default:
        return 500;
    }
}

static void api_error(int status, http_response *res)
{
    const char *message = status == 404   ? "not found"
                          : status == 405 ? "method not allowed"
                          : status == 400 ? "bad request"
                          : status == 413 ? "request body too large"
                          : status == 503 ? "temporarily unavailable, try again"
                                          : "internal error";
    api_send_error(res, status, message);
}

void site_error_page(void *app_ptr, http_request *req, int status, http_response *res)
{
    site_app *app = app_ptr;
    res->status = status;
    if (strncmp(req->path, "/api/", 5) == 0) return api_error(status, res);
    bool not_found = status == 404 || status == 405;
    const char *title = not_found ? "Page not found" : "Something went wrong";
    json_t *view = site_view_new(app, req, not_found ? "not_found" : "error", title, NULL);
    json_object_set_new(view, "message",
                        json_string(status == 405 ? "This address does not accept that method."
                                                  : "There is nothing at this address."));
    if (!theme_render(app->theme, not_found ? "not_found" : "error", view, &res->body)) {
        buf_free(&res->body);
        buf_printf(&res->body, "%s\n", title);
        res->content_type = "text/plain; charset=utf-8";
    } else {
        res->content_type = "text/html; charset=utf-8";
    }
    http_set_header(res, "Cache-Control", "no-store");
    json_decref(view);
}
