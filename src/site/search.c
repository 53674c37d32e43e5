/* search.c — full-text search for readers: the /search page (search.mustache) and
 * GET /api/v1/search (paged by page or by the next_cursor it gives). Both turn the reader's text
 * into a safe FTS5 query (search_query.h), ask the store for a ranked page of live stories, and
 * answer with article summaries plus "snippet_html" (escaped text, matches in <mark>). A query
 * readers cannot search with (empty, too long, not UTF-8, only punctuation) is a 400 with a
 * sentence saying why, never a 500. */
#include <stdlib.h>
#include <string.h>

#include "../api/api_access.h"
#include "../api/api_params.h"
#include "../api/api_response.h"
#include "../api/article_json.h"
#include "../content/content.h"
#include "search_query.h"
#include "site.h"

enum { SEARCH_API_DEFAULT_LIMIT = 20, SEARCH_API_MAX_LIMIT = 100, SEARCH_MAX_PAGE = 100000 };

/* ?topic=slug: NULL when absent or empty (the form's "All topics"). */
static const char *topic_argument(http_request *req)
{
    const char *topic = http_query(req, "topic");
    return topic && *topic ? topic : NULL;
}

static bool topic_exists(site_app *app, http_request *req, const char *slug)
{
    store_topic found;
    return content_slug_is_valid(slug) &&
           store_topic_by_slug(app->store, req->arena, slug, &found) == STORE_OK;
}

/* A search cut short by the store's time budget (partial) is kept by no cache, ours or the
 * reader's: the next try may read further back. */
static void keep_nowhere(http_response *res)
{
    res->n_cache_tags = 0;
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcmp(res->header_names[i], "Cache-Control") == 0) {
            res->header_values[i] = "no-store";
            return;
        }
    http_set_header(res, "Cache-Control", "no-store");
}

/* Summaries of the hits, each with "snippet_html". */
static json_t *results_json(arena *a, const store_search_hit *hits, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *summary = article_summary_json(a, &hits[i].article);
        json_object_set_new(summary, "snippet_html", json_string(hits[i].snippet));
        json_array_append_new(list, summary);
    }
    return list;
}

/* Percent-encodes everything but unreserved characters, for a query-string value. */
static const char *url_encode(arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

/* Reads ?page= or ?cursor= (a next_cursor of this endpoint: the next page, opaque to apps). */
static bool search_page(http_request *req, long *page, http_response *res)
{
    if (!api_query_number(req, "page", 1, SEARCH_MAX_PAGE, page))
        return api_refuse(res, 400, "page must be a whole number from 1");
    const char *cursor = http_query(req, "cursor");
    long long zero, next;
    if (!cursor) return true;
    if (http_query(req, "page"))
        return api_refuse(res, 400, "give either cursor or page, not both");
    if (!api_cursor_parse(cursor, &zero, &next) || zero != 0 || next > SEARCH_MAX_PAGE)
        return api_refuse(res, 400,
                          "cursor is not one this API gave out: use next_cursor as it came");
    *page = (long)next;
    return true;
}

void api_search(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    api_read r;
    if (!api_read_begin(app, req, res, &r)) return;
    long limit, page;
    if (!api_query_number(req, "limit", SEARCH_API_DEFAULT_LIMIT, SEARCH_API_MAX_LIMIT, &limit))
        return api_send_error(res, 400, "limit must be a whole number from 1 to 100");
    if (!search_page(req, &page, res)) return;
    const char *q = http_query(req, "q"), *fts;
    search_query_status qs = search_query_translate(req->arena, q, &fts);
    if (qs != SEARCH_QUERY_OK) return api_send_error(res, 400, search_query_message(qs));
    const char *topic = topic_argument(req);
    if (topic && !topic_exists(app, req, topic)) return api_send_error(res, 404, "no such topic");
    store_search_hit *hits;
    size_t n, total;
    bool partial;
    store_status st = store_search(app->store, req->arena, fts, topic, (size_t)limit,
                                   (size_t)(page - 1) * (size_t)limit, &hits, &n, &total, &partial);
    if (st == STORE_INVALID)
        return api_send_error(res, 400, "the search query could not be understood");
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    size_t shown = total > STORE_SEARCH_TOTAL_CAP ? STORE_SEARCH_TOTAL_CAP : total;
    size_t pages = shown ? (shown + (size_t)limit - 1) / (size_t)limit : 1;
    const char *cursor =
        (size_t)page < pages ? api_cursor_make(req->arena, 0, (long long)page + 1) : NULL;
    if (cursor) {
        const char *next = arena_printf(req->arena, "/api/v1/search?q=%s&limit=%ld&cursor=%s%s%s",
                                        url_encode(req->arena, q), limit, cursor,
                                        topic ? "&topic=" : "", topic ? topic : "");
        http_set_header(res, "Link",
                        arena_printf(req->arena, "<%s>; rel=\"next\"",
                                     api_absolute_url(app, req->arena, next)));
    }
    json_t *results = results_json(req->arena, hits, n);
    size_t i;
    json_t *item;
    json_array_foreach(results, i, item) api_article_absolutize(app, req->arena, item);
    api_read_send(app, req, res, &r,
                  json_pack("{s:s, s:I, s:b, s:I, s:I, s:I, s:o, s:o}", "query", q, "total",
                            (json_int_t)total, "partial", partial, "page", (json_int_t)page,
                            "pages", (json_int_t)pages, "limit", (json_int_t)limit, "next_cursor",
                            cursor ? json_string(cursor) : json_null(), "results", results),
                  0);
    if (partial) keep_nowhere(res);
}

/* ---- /search --------------------------------------------------------------------------- */
/* The pagination object of site_pagination (same shape), with URLs keeping q and topic. */
static json_t *search_pagination(http_request *req, const char *q, const char *topic, size_t page,
                                 size_t total, size_t page_size)
{
    size_t pages = total ? (total + page_size - 1) / page_size : 1;
    if (pages <= 1) return NULL;
    const char *base =
        arena_printf(req->arena, "/search?q=%s%s%s", url_encode(req->arena, q),
                     topic ? "&topic=" : "", topic ? url_encode(req->arena, topic) : "");
    json_t *prev = page > 1 ? json_string(arena_printf(req->arena, "%s&page=%zu", base, page - 1))
                            : json_null();
    json_t *next = page < pages
                       ? json_string(arena_printf(req->arena, "%s&page=%zu", base, page + 1))
                       : json_null();
    return json_pack("{s:I, s:I, s:o, s:o}", "page", (json_int_t)page, "pages", (json_int_t)pages,
                     "prev_url", prev, "next_url", next);
}

/* Topics with live stories, for the filter; the chosen one "selected". */
static json_t *topics_json(site_app *app, http_request *req, const char *selected)
{
    json_t *list = json_array();
    store_topic *topics;
    size_t n;
    if (store_topics_list(app->store, req->arena, 1, &topics, &n) != STORE_OK) return list;
    for (size_t i = 0; i < n; i++) {
        json_t *t = topic_json(&topics[i]);
        json_object_set_new(t, "selected",
                            json_boolean(selected && strcmp(selected, topics[i].slug) == 0));
        json_array_append_new(list, t);
    }
    return list;
}

/* Renders search.mustache with search (consumed) and, when status is not 200, that status. */
static void search_render(site_app *app, http_request *req, const char *title, json_t *search,
                          json_t *pagination, int status, http_response *res)
{
    json_t *view = site_view_new(app, req, "search", title, "Search the stories of this site.");
    json_object_set_new(view, "search", search);
    if (pagination) json_object_set_new(view, "pagination", pagination);
    if (status != 200) http_set_header(res, "Cache-Control", "no-store");
    site_render(app, req, "search", view, res);
    if (res->status == 200) res->status = status;
}

void site_search(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const char *q = http_query(req, "q"), *topic = topic_argument(req), *fts;
    search_query_status qs = search_query_translate(req->arena, q, &fts);
    /* Echo back only what can be shown: not text that is not UTF-8, nor an unknown topic. */
    const char *shown = qs == SEARCH_QUERY_BAD_UTF8 || !q ? "" : q;
    if (topic && !topic_exists(app, req, topic)) topic = NULL;
    json_t *search = json_pack("{s:s, s:s, s:o, s:b, s:I, s:[]}", "query", shown, "topic",
                               topic ? topic : "", "topics", topics_json(app, req, topic),
                               "searched", 0, "total", (json_int_t)0, "results");
    if (qs == SEARCH_QUERY_EMPTY) return search_render(app, req, "Search", search, NULL, 200, res);
    if (qs != SEARCH_QUERY_OK) {
        json_object_set_new(search, "message", json_string(search_query_message(qs)));
        return search_render(app, req, "Search", search, NULL, 400, res);
    }
    size_t page;
    if (!site_page_number(req, &page)) {
        json_object_set_new(search, "message", json_string("That page number is not valid."));
        return search_render(app, req, "Search", search, NULL, 400, res);
    }
    size_t size = app->config.page_size, n, total;
    store_search_hit *hits;
    bool partial;
    store_status st = store_search(app->store, req->arena, fts, topic, size, (page - 1) * size,
                                   &hits, &n, &total, &partial);
    if (st == STORE_INVALID) {
        json_object_set_new(search, "message",
                            json_string("Your search could not be understood. Try other words."));
        return search_render(app, req, "Search", search, NULL, 400, res);
    }
    if (st != STORE_OK) {
        json_decref(search);
        return (void)(res->status = site_status_for(st));
    }
    json_t *results = results_json(req->arena, hits, n);
    article_add_comment_counts(app->store, results);
    json_object_set_new(search, "results", results);
    json_object_set_new(search, "searched", json_true());
    json_object_set_new(search, "has_results", json_boolean(n > 0));
    json_object_set_new(search, "total", json_integer((json_int_t)total));
    json_object_set_new(search, "total_label",
                        json_string(total > STORE_SEARCH_TOTAL_CAP ? "More than 1,000 results"
                                    : total == 1                   ? "1 result"
                                                 : arena_printf(req->arena, "%zu results", total)));
    json_object_set_new(search, "partial", json_boolean(partial));
    if (partial) keep_nowhere(res);
    const char *title = arena_printf(req->arena, "Search: %s", q);
    search_render(app, req, title, search, search_pagination(req, q, topic, page, total, size), 200,
                  res);
}
