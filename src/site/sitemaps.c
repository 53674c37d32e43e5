/* sitemaps.c — what search engines read: /robots.txt, the sitemap index /sitemap.xml, the
 * sitemaps it points to (/sitemaps/stories-N.xml: every live story with its last change, newest
 * first, SITEMAP_PAGE_SIZE a file; /sitemaps/sections.xml: the home page, every topic and
 * author page), and /news-sitemap.xml (Google News: stories published in the last 48 hours).
 * URLs are absolute from the site's base URL and escaped like any other XML text. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/article_json.h"
#include "../core/xml.h"
#include "site.h"

enum {
    SITEMAP_PAGE_SIZE = 10000, /* URLs in one story sitemap (the protocol allows 50,000) */
    NEWS_SITEMAP_HOURS = 48,   /* how far back the news sitemap goes */
    NEWS_SITEMAP_MAX = 1000,   /* Google News reads at most this many URLs */
    NEWS_SITEMAP_BATCH = 100,
};

static const char sitemap_ns[] = "http://www.sitemaps.org/schemas/sitemap/0.9";

static void xml_start(buf *out, const char *root, const char *extra_ns)
{
    buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"%s\"%s>\n", root,
               sitemap_ns, extra_ns ? extra_ns : "");
}

/* <loc>BASE PATH</loc> */
static void loc(buf *out, site_app *app, const char *path)
{
    buf_puts(out, "<loc>");
    xml_append_text(out, app->config.base_url);
    xml_append_text(out, path);
    buf_puts(out, "</loc>");
}

static void lastmod(buf *out, long long when)
{
    buf_puts(out, "<lastmod>");
    xml_append_rfc3339(out, when);
    buf_puts(out, "</lastmod>");
}

static long long article_changed(const store_article *article)
{
    return article->updated_at > article->published_at ? article->updated_at
                                                       : article->published_at;
}

/* Sets Last-Modified to the later of when and the site's last change (what a sitemap shows can
 * also change when a story is taken off, which no shown story's time says). */
static void last_modified(site_app *app, http_request *req, http_response *res, long long when)
{
    long long changed = store_last_change(app->store);
    if (when < changed) when = changed;
    if (when <= 0) return;
    char *date = arena_alloc(req->arena, HTTP_DATE_SIZE);
    http_date_format((time_t)when, date);
    http_set_header(res, "Last-Modified", date);
}

/* tag: the page cache keeps it until a story changes ("home"); NULL: never kept. */
static void send_xml(http_response *res, const char *tag)
{
    res->content_type = "application/xml; charset=utf-8";
    http_set_header(res, "Cache-Control", tag ? "public, max-age=300" : "public, max-age=60");
    if (tag) http_cache_tag(res, tag);
}

/* How many story sitemaps there are (at least 1, empty when the site has no story). */
static store_status story_sitemap_count(site_app *app, arena *a, size_t *pages)
{
    store_article_query q = {.limit = 1};
    store_article *articles;
    size_t n, total;
    store_status st = store_articles_list(app->store, a, &q, &articles, &n, &total);
    *pages = total ? (total + SITEMAP_PAGE_SIZE - 1) / SITEMAP_PAGE_SIZE : 1;
    return st;
}

store_status site_sitemap_files(site_app *app, arena *a, const char ***names, size_t *n)
{
    size_t pages;
    store_status st = story_sitemap_count(app, a, &pages);
    if (st != STORE_OK) return st;
    const char **v = arena_alloc(a, (pages + 1) * sizeof *v);
    for (size_t i = 0; i < pages; i++)
        v[i] = arena_printf(a, "stories-%zu.xml", i + 1);
    v[pages] = "sections.xml";
    *names = v;
    *n = pages + 1;
    return STORE_OK;
}

void site_sitemap_index(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    const char **files;
    size_t n;
    store_status st = site_sitemap_files(app, req->arena, &files, &n);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    long long changed = store_last_change(app->store);
    buf *out = &res->body;
    xml_start(out, "sitemapindex", NULL);
    for (size_t i = 0; i < n; i++) {
        buf_puts(out, "<sitemap>");
        loc(out, app, arena_printf(req->arena, "/sitemaps/%s", files[i]));
        if (changed > 0) lastmod(out, changed);
        buf_puts(out, "</sitemap>\n");
    }
    buf_puts(out, "</sitemapindex>\n");
    last_modified(app, req, res, changed);
    send_xml(res, "home");
}

/* /sitemaps/stories-N.xml: the N-th SITEMAP_PAGE_SIZE live stories, newest first. */
static void story_sitemap(site_app *app, http_request *req, size_t page, http_response *res)
{
    store_article *articles;
    size_t n;
    store_status st = store_article_stamps(app->store, req->arena, SITEMAP_PAGE_SIZE,
                                           (page - 1) * SITEMAP_PAGE_SIZE, &articles, &n);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    if (n == 0 && page > 1) return (void)(res->status = 404);
    buf *out = &res->body;
    long long newest = 0;
    xml_start(out, "urlset", NULL);
    for (size_t i = 0; i < n; i++) {
        buf_puts(out, "<url>");
        loc(out, app, article_url(req->arena, articles[i].slug));
        lastmod(out, article_changed(&articles[i]));
        buf_puts(out, "</url>\n");
        if (article_changed(&articles[i]) > newest) newest = article_changed(&articles[i]);
    }
    buf_puts(out, "</urlset>\n");
    last_modified(app, req, res, newest);
    send_xml(res, "home"); /* every story change drops "home" */
}

/* <url><loc>BASE PATH</loc><lastmod/></url> */
static void section_url(buf *out, site_app *app, const char *path, long long changed)
{
    buf_puts(out, "<url>");
    loc(out, app, path);
    if (changed > 0) lastmod(out, changed);
    buf_puts(out, "</url>\n");
}

/* /sitemaps/sections.xml: the home page, every topic and every author with a live story, each
 * with the last change of its stories. */
static void sections_sitemap(site_app *app, http_request *req, http_response *res)
{
    store_topic_count *topics;
    store_author_count *authors;
    size_t n_topics, n_authors;
    store_status st = store_topics_counted(app->store, req->arena, NULL, &topics, &n_topics);
    if (st == STORE_OK)
        st = store_authors_counted(app->store, req->arena, NULL, &authors, &n_authors);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    buf *out = &res->body;
    xml_start(out, "urlset", NULL);
    section_url(out, app, "/", store_last_change(app->store));
    for (size_t i = 0; i < n_topics; i++)
        section_url(out, app, arena_printf(req->arena, "/topic/%s/", topics[i].topic.slug),
                    topics[i].last_change);
    for (size_t i = 0; i < n_authors; i++)
        section_url(out, app, arena_printf(req->arena, "/author/%s/", authors[i].author.slug),
                    authors[i].last_change);
    buf_puts(out, "</urlset>\n");
    send_xml(res, "home");
}

void site_sitemap_file(void *app_ptr, http_request *req, const http_params *params,
                       http_response *res)
{
    site_app *app = app_ptr;
    const char *file = http_param(params, "file");
    if (file && strcmp(file, "sections.xml") == 0) return sections_sitemap(app, req, res);
    /* "stories-N.xml", N without a leading zero, so each sitemap has one address */
    size_t digits = file && strncmp(file, "stories-", 8) == 0 ? strspn(file + 8, "0123456789") : 0;
    if (digits == 0 || digits > 6 || file[8] == '0' || strcmp(file + 8 + digits, ".xml") != 0)
        return (void)(res->status = 404);
    story_sitemap(app, req, (size_t)strtoul(file + 8, NULL, 10), res);
}

static void news_url(buf *out, site_app *app, arena *a, const store_article *article)
{
    buf_puts(out, "<url>");
    loc(out, app, article_url(a, article->slug));
    buf_puts(out, "<news:news><news:publication><news:name>");
    xml_append_text(out, app->config.name);
    buf_puts(out, "</news:name><news:language>");
    xml_append_text(out, app->config.language);
    buf_puts(out, "</news:language></news:publication><news:publication_date>");
    xml_append_rfc3339(out, article->published_at);
    buf_puts(out, "</news:publication_date><news:title>");
    xml_append_text(out, article->headline);
    buf_puts(out, "</news:title></news:news></url>\n");
}

/* Not kept in the page cache: what it lists changes with the clock, not only with stories. */
void site_news_sitemap(void *app_ptr, http_request *req, const http_params *params,
                       http_response *res)
{
    site_app *app = app_ptr;
    long long since = (long long)time(NULL) - NEWS_SITEMAP_HOURS * 3600LL;
    buf *out = &res->body;
    xml_start(out, "urlset", " xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"");
    bool older = false;
    for (size_t offset = 0; !older && offset < NEWS_SITEMAP_MAX; offset += NEWS_SITEMAP_BATCH) {
        store_article *articles;
        size_t n;
        store_status st =
            store_article_stamps(app->store, req->arena, NEWS_SITEMAP_BATCH, offset, &articles, &n);
        if (st != STORE_OK) {
            buf_free(out);
            return (void)(res->status = site_status_for(st));
        }
        for (size_t i = 0; i < n && !older; i++) {
            older = articles[i].published_at < since;
            if (!older) news_url(out, app, req->arena, &articles[i]);
        }
        older |= n < NEWS_SITEMAP_BATCH;
    }
    buf_puts(out, "</urlset>\n");
    send_xml(res, NULL);
}

void site_robots(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const char *base = app->config.base_url;
    buf_printf(&res->body,
               "# robots.txt for %s\nUser-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /search\n"
               "\nSitemap: %s/sitemap.xml\nSitemap: %s/news-sitemap.xml\n",
               base, base, base);
    res->content_type = "text/plain; charset=utf-8";
    http_set_header(res, "Cache-Control", "public, max-age=3600");
    http_cache_tag(res, "site");
}
