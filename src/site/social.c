/* social.c — what a page tells machines about itself in its <head>: the feeds to subscribe to
 * (<link rel="alternate">), OpenGraph and Twitter card tags (page.social), and on a story the
 * schema.org NewsArticle JSON-LD (page.json_ld). The theme's layout prints them; every URL is
 * absolute from the site's base URL. */
#include <stdlib.h>
#include <string.h>

#include "../api/article_json.h"
#include "../content/content.h"
#include "../core/xml.h"
#include "feeds.h"
#include "site.h"

/* A JSON string of s made valid UTF-8 without control characters (json_string refuses the
 * first; neither belongs in a tag). */
static json_t *text(arena *a, const char *s)
{
    return json_string(xml_clean(a, s));
}

json_t *site_feed_links(site_app *app, arena *a, const char *prefix, const char *name)
{
    static const char *const formats[][3] = {
        {"feed.xml", "application/rss+xml", "RSS"},
        {"atom.xml", "application/atom+xml", "Atom"},
        {"feed.json", "application/feed+json", "JSON Feed"},
    };
    json_t *links = json_array();
    for (size_t i = 0; i < 3; i++) {
        const char *title =
            name ? arena_printf(a, "%s — %s (%s)", name, app->config.name, formats[i][2])
                 : arena_printf(a, "%s (%s)", app->config.name, formats[i][2]);
        json_array_append_new(links, json_pack("{s:s, s:o, s:s}", "type", formats[i][1], "title",
                                               text(a, title), "url",
                                               arena_printf(a, "%s%s", prefix, formats[i][0])));
    }
    return links;
}

void site_social_defaults(site_app *app, arena *a, json_t *page, const char *title,
                          const char *description)
{
    json_t *social = json_object();
    json_object_set_new(social, "type", json_string("website"));
    json_object_set_new(social, "title", text(a, title));
    json_object_set_new(social, "description", text(a, description));
    json_object_set_new(social, "url", json_incref(json_object_get(page, "canonical")));
    json_object_set_new(social, "image", json_null());
    json_object_set_new(social, "published_time", json_null());
    json_object_set_new(social, "modified_time", json_null());
    json_object_set_new(social, "section", json_null());
    json_object_set_new(social, "card", json_string("summary"));
    json_object_set_new(page, "social", social);
    json_object_set_new(page, "feeds", site_feed_links(app, a, "/", NULL));
    json_object_set_new(page, "json_ld", json_null());
}

/* JSON made safe inside <script type="application/ld+json">: <, > and & (and the two line
 * separators JavaScript chokes on) written as \uXXXX escapes, so "</script>" or "<!--" in a
 * headline cannot end the element. They only ever occur inside strings, where the escape
 * means the same character. */
static char *script_safe_json(arena *a, const json_t *value)
{
    char *dump = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!dump) return NULL;
    buf out = {0};
    for (const char *p = dump; *p; p++) {
        if (*p == '<')
            buf_puts(&out, "\\u003c");
        else if (*p == '>')
            buf_puts(&out, "\\u003e");
        else if (*p == '&')
            buf_puts(&out, "\\u0026");
        else if (strncmp(p, "\xE2\x80\xA8", 3) == 0 || strncmp(p, "\xE2\x80\xA9", 3) == 0)
            buf_puts(&out, p[2] == '\xA8' ? "\\u2028" : "\\u2029"), p += 2;
        else
            buf_putc(&out, *p);
    }
    free(dump);
    char *copy = arena_strndup(a, out.data ? out.data : "", out.len);
    buf_free(&out);
    return copy;
}

static json_t *news_article_ld(site_app *app, arena *a, const store_article *article,
                               const char *url, const char *description, const char *image)
{
    const char *base = app->config.base_url;
    json_t *ld = json_object();
    json_object_set_new(ld, "@context", json_string("https://schema.org"));
    json_object_set_new(ld, "@type", json_string("NewsArticle"));
    json_object_set_new(ld, "headline", text(a, article->headline));
    json_object_set_new(ld, "description", text(a, description));
    json_object_set_new(ld, "datePublished",
                        text(a, content_format_time(a, article->published_at)));
    long long modified =
        article->updated_at > article->published_at ? article->updated_at : article->published_at;
    json_object_set_new(ld, "dateModified", text(a, content_format_time(a, modified)));
    json_t *authors = json_array();
    for (size_t i = 0; i < article->n_authors; i++)
        json_array_append_new(authors, json_pack("{s:s, s:o, s:o}", "@type", "Person", "name",
                                                 text(a, article->authors[i].name), "url",
                                                 text(a, arena_printf(a, "%s/author/%s/", base,
                                                                      article->authors[i].slug))));
    json_t *publisher = json_pack("{s:s, s:o, s:o}", "@type", "NewsMediaOrganization", "name",
                                  text(a, app->config.name), "url", text(a, base));
    if (!article->n_authors) json_array_append(authors, publisher); /* a desk story: the paper */
    json_object_set_new(ld, "author", authors);
    if (image) json_object_set_new(ld, "image", json_pack("[o]", text(a, image)));
    json_object_set_new(ld, "publisher", publisher);
    json_object_set_new(ld, "mainEntityOfPage",
                        json_pack("{s:s, s:o}", "@type", "WebPage", "@id", text(a, url)));
    if (article->n_topics)
        json_object_set_new(ld, "articleSection", text(a, article->topics[0].name));
    json_object_set_new(ld, "inLanguage", text(a, app->config.language));
    return ld;
}

void site_social_article(site_app *app, arena *a, const store_article *article, json_t *view)
{
    json_t *page = json_object_get(view, "page");
    const char *url = arena_printf(a, "%s%s", app->config.base_url, article_url(a, article->slug));
    const char *description = article->lead && article->lead[0]
                                  ? article->lead
                                  : content_excerpt(a, article->body_html ? article->body_html : "",
                                                    ARTICLE_EXCERPT_CHARS);
    const char *image = feed_absolute_url(a, app->config.base_url, article->image_url);
    long long modified =
        article->updated_at > article->published_at ? article->updated_at : article->published_at;
    json_object_set_new(page, "canonical", json_string(url));
    json_t *social = json_object_get(page, "social");
    json_object_set_new(social, "type", json_string("article"));
    json_object_set_new(social, "title", text(a, article->headline));
    json_object_set_new(social, "description", text(a, description));
    json_object_set_new(social, "url", json_string(url));
    if (image)
        json_object_set_new(social, "image",
                            json_pack("{s:o, s:o}", "url", text(a, image), "alt",
                                      text(a, article->image_alt ? article->image_alt : "")));
    json_object_set_new(social, "card", json_string(image ? "summary_large_image" : "summary"));
    json_object_set_new(social, "published_time",
                        json_string(content_format_time(a, article->published_at)));
    json_object_set_new(social, "modified_time", json_string(content_format_time(a, modified)));
    if (article->n_topics) json_object_set_new(social, "section", text(a, article->topics[0].name));
    json_t *ld = news_article_ld(app, a, article, url, description, image);
    char *safe = script_safe_json(a, ld);
    json_decref(ld);
    json_object_set_new(page, "json_ld", safe ? json_string(safe) : json_null());
}

void site_social_list(site_app *app, arena *a, json_t *view, const char *base, const char *name)
{
    json_t *feeds = json_object_get(json_object_get(view, "page"), "feeds");
    json_t *links = site_feed_links(app, a, base, name);
    json_array_extend(feeds, links);
    json_decref(links);
}

void site_canonical_list_page(site_app *app, http_request *req, json_t *view, const char *base,
                              size_t n)
{
    json_t *page = json_object_get(view, "page");
    const char *path = n > 1 ? arena_printf(req->arena, "%spage/%zu/", base, n) : base;
    json_t *url = text(req->arena, arena_printf(req->arena, "%s%s", app->config.base_url, path));
    json_object_set(json_object_get(page, "social"), "url", url);
    json_object_set_new(page, "canonical", url);
}
