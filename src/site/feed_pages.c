/* feed_pages.c — the story feeds readers subscribe to: /feed.xml (RSS 2.0), /atom.xml (Atom
 * 1.0) and /feed.json (JSON Feed 1.1) for the whole site, and the same three under
 * /topic/{slug}/ and /author/{slug}/. Reads the newest live stories (setting feed_items), their
 * bodies when feed_content is "full", and hands them to feeds.c. Tagged for the page cache
 * with the list they follow and every story they show. */
#include <string.h>
#include <time.h>

#include "../api/article_json.h"
#include "../content/content.h"
#include "feeds.h"
#include "site.h"

enum { FEED_DEFAULT_ITEMS = 20, FEED_MAX_ITEMS = 500 };

/* Whose feed the request asks for: fills the channel, the query and the cache tag; false with
 * res->status set when there is no such topic or author. */
static bool feed_scope(site_app *app, http_request *req, const http_params *params,
                       feed_channel *ch, store_article_query *q, const char **tag,
                       http_response *res)
{
    arena *a = req->arena;
    const char *slug = http_param(params, "slug");
    const char *site_name = app->config.name;
    if (!slug) {
        ch->title = site_name;
        ch->description = app->config.tagline && app->config.tagline[0]
                              ? app->config.tagline
                              : arena_printf(a, "The latest stories from %s.", site_name);
        ch->page_path = "/";
        *tag = "home";
        return true;
    }
    bool topic = strncmp(req->path, "/topic/", 7) == 0;
    store_status st = STORE_NOT_FOUND;
    const char *name = NULL;
    if (content_slug_is_valid(slug) && topic) {
        store_topic t;
        st = store_topic_by_slug(app->store, a, slug, &t);
        if (st == STORE_OK) name = t.name;
    } else if (content_slug_is_valid(slug)) {
        store_author u;
        st = store_author_by_slug(app->store, a, slug, &u);
        if (st == STORE_OK) name = u.name;
    }
    if (st != STORE_OK) {
        res->status = site_status_for(st);
        return false;
    }
    ch->title = arena_printf(a, "%s — %s", name, site_name);
    ch->description = topic ? arena_printf(a, "The latest stories about %s.", name)
                            : arena_printf(a, "Stories by %s.", name);
    ch->page_path = arena_printf(a, "/%s/%s/", topic ? "topic" : "author", slug);
    *tag = arena_printf(a, "%c:%s", topic ? 't' : 'u', slug);
    if (topic)
        q->topic_slug = slug;
    else
        q->author_slug = slug;
    return true;
}

/* The feed entry of a listed story (which comes without its body): the lead, or an excerpt of
 * the body, and the whole body with absolute links when full. */
static store_status feed_entry_of(site_app *app, arena *a, const store_article *listed, bool full,
                                  feed_entry *out)
{
    bool has_lead = listed->lead && listed->lead[0];
    *out = (feed_entry){.article = listed, .summary = listed->lead};
    if (has_lead && !full) return STORE_OK;
    store_article story;
    store_status st = store_article_by_slug(app->store, a, listed->slug, &story);
    if (st == STORE_NOT_FOUND) return STORE_OK; /* taken off since the list was read */
    if (st != STORE_OK) return st;
    char *body = article_body_html(app->store, a, &story);
    if (!has_lead) out->summary = content_excerpt(a, body, ARTICLE_EXCERPT_CHARS);
    if (full) out->content_html = feed_absolute_html(a, app->config.base_url, body);
    return STORE_OK;
}

static void serve_feed(site_app *app, http_request *req, const http_params *params,
                       feed_format format, http_response *res)
{
    arena *a = req->arena;
    feed_channel ch = {.site_name = app->config.name,
                       .language = app->config.language,
                       .base_url = app->config.base_url,
                       .self_path = req->path};
    store_article_query q = {0};
    const char *tag;
    if (!feed_scope(app, req, params, &ch, &q, &tag, res)) return;
    q.limit = site_setting_number(app, a, "feed_items", FEED_DEFAULT_ITEMS, FEED_MAX_ITEMS);
    const char *content = site_setting_text(app, a, "feed_content");
    bool full = !content || strcmp(content, "excerpt") != 0;
    store_article *articles;
    size_t n;
    store_status st = store_articles_list(app->store, a, &q, &articles, &n, NULL);
    feed_entry *entries = arena_alloc(a, (n ? n : 1) * sizeof *entries);
    for (size_t i = 0; st == STORE_OK && i < n; i++)
        st = feed_entry_of(app, a, &articles[i], full, &entries[i]);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    for (size_t i = 0; i < n; i++)
        http_cache_tag(res, arena_printf(a, "a:%lld", articles[i].id));
    http_cache_tag(res, tag);
    feed_write(a, format, &ch, entries, n, &res->body);
    res->content_type = feed_content_type(format);
    /* Last-Modified: the site's last change (never before any story shown), not the newest story
     * shown, which moves back when a story is taken off: a client asking If-Modified-Since
     * would then keep it */
    long long modified = store_last_change(app->store);
    if (modified > 0) {
        char *date = arena_alloc(a, HTTP_DATE_SIZE);
        http_date_format((time_t)modified, date);
        http_set_header(res, "Last-Modified", date);
    }
    http_set_header(res, "Cache-Control", "public, max-age=300, stale-while-revalidate=60");
}

void site_feed_rss(void *app, http_request *req, const http_params *params, http_response *res)
{
    serve_feed(app, req, params, FEED_RSS, res);
}

void site_feed_atom(void *app, http_request *req, const http_params *params, http_response *res)
{
    serve_feed(app, req, params, FEED_ATOM, res);
}

void site_feed_json(void *app, http_request *req, const http_params *params, http_response *res)
{
    serve_feed(app, req, params, FEED_JSON, res);
}
