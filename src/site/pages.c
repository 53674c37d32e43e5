/* pages.c — the reader's pages: home, article, topic and author. Each handler asks the store,
 * builds the view model (the API's JSON plus "site" and "page"), and renders its template. */
#include <string.h>

#include "../api/article_json.h"
#include "../content/content.h"
#include "site.h"

static json_t *summaries_json(arena *a, const store_article *articles, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, article_summary_json(a, &articles[i]));
    return list;
}

/* Groups stories by primary topic, keeping the order in which topics first appear. */
static json_t *sections_json(arena *a, const store_article *articles, size_t n)
{
    json_t *sections = json_array();
    json_t *by_topic = json_object();
    for (size_t i = 0; i < n; i++) {
        const store_article *article = &articles[i];
        const char *key = article->n_topics ? article->topics[0].slug : "";
        json_t *section = json_object_get(by_topic, key);
        if (!section) {
            json_t *topic = article->n_topics ? topic_json(&article->topics[0])
                                              : json_pack("{s:s, s:s, s:s}", "slug", "", "name",
                                                          "More news", "url", "/");
            section = json_pack("{s:o, s:[]}", "topic", topic, "articles");
            json_object_set_new(by_topic, key, section);
            json_array_append(sections, section);
        }
        json_array_append_new(json_object_get(section, "articles"),
                              article_summary_json(a, article));
    }
    json_decref(by_topic);
    return sections;
}

static void add_comment_counts(site_app *app, json_t *sections)
{
    size_t i;
    json_t *section;
    json_array_foreach(sections, i, section)
        article_add_comment_counts(app->store, json_object_get(section, "articles"));
}

/* The home page lists every live story but the top story, shown above the list on page 1. */
static store_status home_query(site_app *app, arena *a, store_article *top, bool *has_top,
                               store_article_query *q)
{
    store_status st = store_article_top(app->store, a, top);
    if (st != STORE_OK && st != STORE_NOT_FOUND) return st;
    *has_top = st == STORE_OK;
    *q = (store_article_query){.exclude_id = *has_top ? top->id : 0};
    return STORE_OK;
}

void site_home(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    size_t page, n, total;
    const char *base;
    if (site_redirect_old_query(app, req, res)) return;
    if (!site_list_page(req, params, &page, &base, res)) return;
    store_article top = {0};
    bool has_top;
    store_article *latest;
    store_article_query q;
    store_status st = home_query(app, req->arena, &top, &has_top, &q);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    q.limit = app->config.page_size;
    q.offset = (page - 1) * app->config.page_size;
    st = store_articles_list(app->store, req->arena, &q, &latest, &n, &total);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    if (page > 1 && n == 0) return (void)(res->status = 404);
    json_t *view = site_view_new(app, req, "home", "Latest news", app->config.tagline);
    site_canonical_list_page(app, req, view, base, page);
    http_cache_tag(res, "home");
    if (has_top && page == 1)
        json_object_set_new(view, "top_story", article_summary_json(req->arena, &top));
    json_t *sections = sections_json(req->arena, latest, n);
    add_comment_counts(app, sections);
    json_object_set_new(view, "sections", sections);
    json_t *pagination = site_pagination(req, base, page, total, app->config.page_size);
    if (pagination) json_object_set_new(view, "pagination", pagination);
    site_render(app, req, "home", view, res);
}

void site_article(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    if (site_article_from_view(app, req, params, res)) return;
    store_article article;
    if (site_find_article(app, req, params, &article, res))
        site_article_page(app, req, &article, NULL, res);
}

/* A list page of one topic or one author: the shared part of their handlers. */
static void list_page(site_app *app, http_request *req, const http_params *params,
                      store_article_query *q, const char *type, const char *title,
                      const char *description, json_t *subject, http_response *res)
{
    size_t page, n, total;
    store_article *articles;
    const char *base;
    if (!site_list_page(req, params, &page, &base, res)) return (void)json_decref(subject);
    q->limit = app->config.page_size;
    q->offset = (page - 1) * app->config.page_size;
    store_status st = store_articles_list(app->store, req->arena, q, &articles, &n, &total);
    if (st != STORE_OK || (page > 1 && n == 0)) {
        json_decref(subject);
        return (void)(res->status = st != STORE_OK ? site_status_for(st) : 404);
    }
    json_t *view = site_view_new(app, req, type, title, description);
    const char *slug = json_string_value(json_object_get(subject, "slug"));
    const char *first = arena_printf(req->arena, "/%s/%s/", type, slug);
    site_canonical_list_page(app, req, view, first, page);
    site_social_list(app, req->arena, view, first, title);
    http_cache_tag(res, arena_printf(req->arena, "%c:%s", type[0] == 't' ? 't' : 'u', slug));
    json_object_set_new(view, type, subject);
    json_t *summaries = summaries_json(req->arena, articles, n);
    article_add_comment_counts(app->store, summaries);
    json_object_set_new(view, "articles", summaries);
    json_t *pagination = site_pagination(req, base, page, total, app->config.page_size);
    if (pagination) json_object_set_new(view, "pagination", pagination);
    site_render(app, req, type, view, res);
}

void site_topic(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const char *slug = http_param(params, "slug");
    store_topic topic;
    if (!content_slug_is_valid(slug)) return (void)(res->status = 404);
    store_status st = store_topic_by_slug(app->store, req->arena, slug, &topic);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    json_t *subject = topic_json(&topic);
    json_object_set_new(subject, "description",
                        json_string(topic.description ? topic.description : ""));
    store_article_query q = {.topic_slug = slug};
    const char *description =
        topic.description && topic.description[0]
            ? topic.description
            : arena_printf(req->arena, "The latest stories about %s.", topic.name);
    list_page(app, req, params, &q, "topic", topic.name, description, subject, res);
}

void site_author(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const char *slug = http_param(params, "slug");
    store_author author;
    if (!content_slug_is_valid(slug)) return (void)(res->status = 404);
    store_status st = store_author_by_slug(app->store, req->arena, slug, &author);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    json_t *subject = author_json(&author);
    json_object_set_new(subject, "bio", json_string(author.bio ? author.bio : ""));
    store_article_query q = {.author_slug = slug};
    const char *description = arena_printf(req->arena, "Stories by %s.", author.name);
    list_page(app, req, params, &q, "author", author.name, description, subject, res);
}

store_status site_list_page_count(site_app *app, arena *a, const char *base, size_t *pages)
{
    store_article top;
    bool has_top;
    store_article_query q = {0};
    size_t len = strlen(base);
    *pages = 1;
    if (strcmp(base, "/") == 0) {
        store_status st = home_query(app, a, &top, &has_top, &q);
        if (st != STORE_OK) return st;
    } else if (len > 8 && base[len - 1] == '/' && strncmp(base, "/topic/", 7) == 0) {
        q.topic_slug = arena_strndup(a, base + 7, len - 8);
    } else if (len > 9 && base[len - 1] == '/' && strncmp(base, "/author/", 8) == 0) {
        q.author_slug = arena_strndup(a, base + 8, len - 9);
    } else {
        return STORE_NOT_FOUND;
    }
    q.limit = 1;
    store_article *articles;
    size_t n, total;
    store_status st = store_articles_list(app->store, a, &q, &articles, &n, &total);
    if (st == STORE_OK && total)
        *pages = (total + app->config.page_size - 1) / app->config.page_size;
    return st;
}
