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

json_t *site_nav_topics(site_app *app, arena *a)
{
    store_topic *topics;
    size_t n;
    json_t *nav = json_array();
    if (store_topics_leading(app->store, a, SITE_NAV_TOPICS, &topics, &n) != STORE_OK) return nav;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(nav, topic_json(&topics[i]));
    return nav;
}

/* The current copy in slot, read again with load when content_version has moved since. Each
 * request takes in what other connections committed before it starts (site_read_begin, the
 * comment post), so a setting changed with the CLI applies to the very next request. */
static json_t *snapshot(site_app *app, site_snapshot *slot, json_t *(*load)(site_app *, arena *),
                        arena *a)
{
    unsigned long version = atomic_load(&app->content_version);
    pthread_mutex_lock(&app->snapshot_lock);
    json_t *value = slot->value && slot->version == version ? json_incref(slot->value) : NULL;
    pthread_mutex_unlock(&app->snapshot_lock);
    if (value) return value;
    value = load(app, a);
    pthread_mutex_lock(&app->snapshot_lock);
    json_decref(slot->value);
    slot->value = json_incref(value);
    slot->version = version; /* read before loading: a change meanwhile loads it again */
    pthread_mutex_unlock(&app->snapshot_lock);
    return value;
}

/* The navigation for this request: the export's, else the server's copy. */
static json_t *nav_for_request(site_app *app, arena *a)
{
    if (app->nav_topics) return json_incref(app->nav_topics);
    return snapshot(app, &app->nav, site_nav_topics, a);
}

static json_t *settings_load(site_app *app, arena *a)
{
    store_setting *list;
    size_t n;
    json_t *all = json_object();
    if (store_settings_list(app->store, a, &list, &n) == STORE_OK)
        for (size_t i = 0; i < n; i++)
            json_object_set_new(all, list[i].key, json_string(list[i].value));
    return all;
}

const char *site_setting_text(site_app *app, arena *a, const char *key)
{
    json_t *all = snapshot(app, &app->settings, settings_load, a);
    const char *value = json_string_value(json_object_get(all, key));
    const char *copy = value ? arena_strdup(a, value) : NULL;
    json_decref(all);
    return copy;
}

json_t *site_json(site_app *app, http_request *req)
{
    const site_config *c = &app->config;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    json_t *nav = nav_for_request(app, req->arena);
    /* the newsroom's settings screen may rename the site and set its language */
    const char *name = site_setting_text(app, req->arena, "site_name");
    const char *language = site_setting_text(app, req->arena, "site_language");
    json_t *site = json_pack(
        "{s:s, s:s, s:s, s:s, s:i, s:o, s:O}", "name", name && name[0] ? name : c->name, "tagline",
        c->tagline, "language", language && language[0] ? language : c->language, "base_url",
        c->base_url, "year", tm.tm_year + 1900, "nav_topics", nav, "assets", app->assets);
    site_newsletter_view(app, req, site); /* the footer's sign-up form, when it is on */
    return site;
}

json_t *site_page_json(site_app *app, http_request *req, const char *page_type, const char *title,
                       const char *description)
{
    const site_config *c = &app->config;
    char *canonical = arena_printf(req->arena, "%s%s", c->base_url, req->path);
    json_t *page =
        json_pack("{s:s, s:s, s:s, s:s}", "type", page_type, "title", title, "description",
                  description ? description : c->tagline, "canonical", canonical);
    site_social_defaults(app, req->arena, page, title, description ? description : c->tagline);
    return page;
}

json_t *site_view_new(site_app *app, http_request *req, const char *page_type, const char *title,
                      const char *description)
{
    return json_pack("{s:o, s:o}", "site", site_json(app, req), "page",
                     site_page_json(app, req, page_type, title, description));
}

void site_tag_view_stories(http_request *req, json_t *node, http_response *res)
{
    if (json_is_array(node)) {
        size_t i;
        json_t *item;
        json_array_foreach(node, i, item) site_tag_view_stories(req, item, res);
    } else if (json_is_object(node)) {
        json_t *id = json_object_get(node, "id");
        if (json_is_integer(id) && json_is_string(json_object_get(node, "headline")))
            http_cache_tag(res,
                           arena_printf(req->arena, "a:%lld", (long long)json_integer_value(id)));
        const char *key;
        json_t *value;
        json_object_foreach(node, key, value) if (json_is_array(value) || json_is_object(value))
            site_tag_view_stories(req, value, res);
    }
}

void site_read_begin(void *app)
{
    site_cache_refresh(app); /* what other connections committed: snapshots, cached pages */
    store_read_begin(((site_app *)app)->store); /* on failure each read runs on its own */
}

void site_read_end(void *app)
{
    store_read_end(((site_app *)app)->store);
}

void site_tag_story_page(http_request *req, const store_article *article, http_response *res)
{
    static const char marker[] = "<!--gazette:see-also:";
    http_cache_tag(res, arena_printf(req->arena, "a:%lld", article->id));
    http_cache_tag(res, "related"); /* its related list follows the index (related_stories.c) */
    /* "See also" links name their target by slug and show its headline: they follow it */
    for (const char *p = article->body_html; p && (p = strstr(p, marker));) {
        p += sizeof marker - 1;
        size_t n = strcspn(p, "-");
        while (p[n] == '-' && strncmp(p + n, "-->", 3) != 0)
            n += 1 + strcspn(p + n + 1, "-");
        http_cache_tag(res, arena_printf(req->arena, "s:%.*s", (int)n, p));
        p += n;
    }
}

void site_render(site_app *app, http_request *req, const char *template_name, json_t *view,
                 http_response *res)
{
    if (res->n_cache_tags)
        site_tag_view_stories(req, view, res); /* the handler let the page be kept */
    site_media_images(view);                   /* srcset for library images */
    if (!view || !theme_render(app->theme, template_name, view, &res->body)) {
        fprintf(stderr, "gazette: rendering '%s' for %s failed\n", template_name, req->path);
        buf_free(&res->body);
        res->status = 500;
    } else {
        res->content_type = "text/html; charset=utf-8";
        bool cache_set = false;
        for (size_t i = 0; i < res->n_headers; i++)
            cache_set |= strcmp(res->header_names[i], "Cache-Control") == 0;
        /* browsers ask again each time (a 304 when nothing changed); CDNs keep a page a minute */
        if (!cache_set)
            http_set_header(res, "Cache-Control",
                            "public, max-age=0, s-maxage=60, stale-while-revalidate=30");
    }
    json_decref(view);
}

unsigned site_setting_number(site_app *app, arena *a, const char *key, unsigned fallback,
                             unsigned max)
{
    const char *text = site_setting_text(app, a, key);
    if (!text) return fallback;
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

bool site_list_page(http_request *req, const http_params *params, size_t *page, const char **base,
                    http_response *res)
{
    const char *text = http_param(params, "n");
    *base = req->path;
    if (!text) {
        if (site_page_number(req, page)) return true;
        res->status = 404;
        return false;
    }
    /* "/.../page/N/": digits only, without a leading zero, so each page has one address */
    size_t len = strspn(text, "0123456789");
    if (text[0] == '0' || len == 0 || text[len] || len > 6 || atol(text) > SITE_MAX_PAGE) {
        res->status = 404;
        return false;
    }
    *page = (size_t)atol(text);
    *base = arena_strndup(req->arena, req->path, strlen(req->path) - strlen("page//") - len);
    if (*page > 1) return true;
    http_redirect(res, 301, *base);
    return false;
}

/* The path of page n of the list whose first page is base. */
static const char *page_url(http_request *req, const char *base, size_t n)
{
    return n == 1 ? base : arena_printf(req->arena, "%spage/%zu/", base, n);
}

json_t *site_pagination(http_request *req, const char *base, size_t page, size_t total,
                        size_t page_size)
{
    size_t pages = total ? (total + page_size - 1) / page_size : 1;
    if (pages <= 1) return NULL;
    json_t *prev = page > 1 ? json_string(page_url(req, base, page - 1)) : json_null();
    json_t *next = page < pages ? json_string(page_url(req, base, page + 1)) : json_null();
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
    case STORE_UNAVAILABLE: /* the database server is restarting */
    case STORE_FULL:        /* answered again once the operator frees space */
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
