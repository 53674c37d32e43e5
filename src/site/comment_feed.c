/* comment_feed.c — RSS 2.0 feeds of approved comments: one per story
 * (/news/{slug}/comments/feed.xml) and one for the whole site (/comments/feed.xml). Names and
 * text only: a commenter's email never appears. */
#include "../api/article_json.h"
#include "../content/content.h"
#include "../core/xml.h"
#include "site.h"

enum { COMMENT_FEED_ITEMS = 50 };

static void feed_item(site_app *app, arena *a, buf *out, const store_comment *c)
{
    const char *base = app->config.base_url;
    buf_puts(out, "<item><title>");
    xml_append_text(out, arena_printf(a, "Comment by %s", c->author_name));
    buf_printf(out, "</title><link>%s%s#comment-%lld</link>", base,
               article_url(a, c->article_slug ? c->article_slug : ""), c->id);
    buf_printf(out, "<guid isPermaLink=\"false\">%s/comments/%lld</guid><pubDate>", base, c->id);
    xml_append_rfc822(out, c->created_at);
    buf_puts(out, "</pubDate><description>");
    xml_append_text(out, comment_render_html(a, c->body));
    buf_puts(out, "</description></item>\n");
}

static void send_feed(site_app *app, http_request *req, const char *title, const char *link,
                      long long article_id, http_response *res)
{
    store_comment *comments;
    size_t n;
    store_status st = store_comments_recent(app->store, req->arena, article_id, COMMENT_FEED_ITEMS,
                                            &comments, &n);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    buf *out = &res->body;
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
                  "xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>");
    xml_append_text(out, title);
    buf_printf(out, "</title><link>%s%s</link><description>", app->config.base_url, link);
    xml_append_text(out, title);
    buf_printf(out,
               "</description><atom:link href=\"%s%s\" rel=\"self\" "
               "type=\"application/rss+xml\"/>\n",
               app->config.base_url, req->path);
    for (size_t i = 0; i < n; i++)
        feed_item(app, req->arena, out, &comments[i]);
    buf_puts(out, "</channel></rss>\n");
    res->content_type = "application/rss+xml; charset=utf-8";
    http_set_header(res, "Cache-Control", "public, max-age=60");
}

void site_comments_feed(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    send_feed(app, req, arena_printf(req->arena, "Comments on %s", app->config.name), "/", 0, res);
    http_cache_tag(res, "comments");
}

void site_article_comments_feed(void *app_ptr, http_request *req, const http_params *params,
                                http_response *res)
{
    site_app *app = app_ptr;
    store_article article;
    if (!site_find_article(app, req, params, &article, res)) return;
    send_feed(app, req, arena_printf(req->arena, "Comments on: %s", article.headline),
              article_url(req->arena, article.slug), article.id, res);
    http_cache_tag(res, arena_printf(req->arena, "a:%lld", article.id));
}
