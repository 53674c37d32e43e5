/* feeds.c — writes the story feeds (see feeds.h). Every piece of a story goes through
 * xml_append_text (XML) or xml_clean (JSON): a headline such as "</title><script>", "]]>" or
 * bytes that are not UTF-8 comes out as text, and the document stays well formed. Bodies are
 * escaped HTML (Atom type="html", RSS content:encoded), never CDATA. Ids are tag: URIs from the
 * story's id and creation day, so editing a headline or a slug never makes a reader see a story
 * twice. */
#include "feeds.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../api/article_json.h"
#include "../core/xml.h"

const char *feed_content_type(feed_format format)
{
    switch (format) {
    case FEED_RSS:
        return "application/rss+xml; charset=utf-8";
    case FEED_ATOM:
        return "application/atom+xml; charset=utf-8";
    default:
        return "application/feed+json; charset=utf-8";
    }
}

/* The host of base_url, lower case, without scheme, port or path ("news.example.org"). */
static char *base_host(arena *a, const char *base_url)
{
    const char *p = strstr(base_url, "://");
    p = p ? p + 3 : base_url;
    size_t n = strcspn(p, "/:?#");
    char *host = arena_strndup(a, p, n);
    for (char *c = host; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return host[0] ? host : arena_strdup(a, "localhost");
}

char *feed_article_id(arena *a, const char *base_url, const store_article *article)
{
    time_t t = (time_t)(article->created_at ? article->created_at : article->published_at);
    struct tm tm = {0};
    gmtime_r(&t, &tm);
    return arena_printf(a, "tag:%s,%04d-%02d-%02d:article-%lld", base_host(a, base_url),
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, article->id);
}

char *feed_absolute_url(arena *a, const char *base_url, const char *url)
{
    if (!url || !url[0]) return NULL;
    if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0)
        return arena_strdup(a, url);
    if (url[0] == '/' && url[1] == '/') { /* scheme-relative: the site's scheme */
        const char *colon = strstr(base_url, "://");
        return arena_printf(a, "%.*s:%s", colon ? (int)(colon - base_url) : 5,
                            colon ? base_url : "https", url);
    }
    return arena_printf(a, "%s%s%s", base_url, url[0] == '/' ? "" : "/", url);
}

char *feed_absolute_html(arena *a, const char *base_url, const char *html)
{
    static const char *const attrs[] = {" href=\"", " src=\""};
    buf out = {0};
    const char *p = html ? html : "";
    for (;;) {
        const char *hit = NULL;
        size_t attr_len = 0;
        for (size_t i = 0; i < 2; i++) {
            const char *at = strstr(p, attrs[i]);
            if (at && (!hit || at < hit)) hit = at, attr_len = strlen(attrs[i]);
        }
        if (!hit) break;
        const char *value = hit + attr_len; /* the first character of the URL */
        buf_append(&out, p, (size_t)(value - p));
        if (value[0] == '/' && value[1] != '/') buf_append_html(&out, base_url, strlen(base_url));
        p = value;
    }
    buf_puts(&out, p);
    char *copy = arena_strndup(a, out.data ? out.data : "", out.len);
    buf_free(&out);
    return copy;
}

const char *feed_image_type(const char *url)
{
    static const char *const types[][2] = {{".jpg", "image/jpeg"},   {".jpeg", "image/jpeg"},
                                           {".png", "image/png"},    {".gif", "image/gif"},
                                           {".webp", "image/webp"},  {".avif", "image/avif"},
                                           {".svg", "image/svg+xml"}};
    const char *dot = url ? strrchr(url, '.') : NULL;
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(dot, types[i][0]) == 0) return types[i][1];
    return NULL;
}

/* The time an entry last changed: never before it was published (a scheduled story was saved
 * before it went live). */
static long long entry_updated(const store_article *article)
{
    return article->updated_at > article->published_at ? article->updated_at
                                                       : article->published_at;
}

static long long channel_updated(const feed_channel *ch, const feed_entry *entries, size_t n)
{
    long long newest = ch->updated;
    for (size_t i = 0; i < n; i++)
        if (entry_updated(entries[i].article) > newest) newest = entry_updated(entries[i].article);
    return newest;
}

/* <name>text</name> */
static void element(buf *out, const char *name, const char *text)
{
    buf_printf(out, "<%s>", name);
    xml_append_text(out, text);
    buf_printf(out, "</%s>", name);
}

/* base_url + path, escaped (for text and attributes). */
static void append_url(buf *out, const char *base_url, const char *path)
{
    xml_append_text(out, base_url);
    xml_append_text(out, path);
}

/* ---- RSS 2.0 -------------------------------------------------------------------------------- */

static void rss_item(arena *a, const feed_channel *ch, const feed_entry *e, buf *out)
{
    const store_article *article = e->article;
    buf_puts(out, "<item>");
    element(out, "title", article->headline);
    buf_puts(out, "<link>");
    append_url(out, ch->base_url, article_url(a, article->slug));
    buf_puts(out, "</link><guid isPermaLink=\"false\">");
    xml_append_text(out, feed_article_id(a, ch->base_url, article));
    buf_puts(out, "</guid><pubDate>");
    xml_append_rfc822(out, article->published_at);
    buf_puts(out, "</pubDate>");
    for (size_t i = 0; i < article->n_authors; i++)
        element(out, "dc:creator", article->authors[i].name);
    for (size_t i = 0; i < article->n_topics; i++)
        element(out, "category", article->topics[i].name);
    element(out, "description", e->summary ? e->summary : "");
    if (e->content_html) element(out, "content:encoded", e->content_html);
    const char *image = feed_absolute_url(a, ch->base_url, article->image_url);
    if (image) {
        const char *type = feed_image_type(image);
        buf_puts(out, "<media:content medium=\"image\" url=\"");
        xml_append_text(out, image);
        if (type) buf_printf(out, "\" type=\"%s", type);
        buf_puts(out, "\">");
        if (article->image_alt && article->image_alt[0])
            element(out, "media:description", article->image_alt);
        if (article->image_credit && article->image_credit[0])
            element(out, "media:credit", article->image_credit);
        buf_puts(out, "</media:content>");
    }
    buf_puts(out, "</item>\n");
}

static void rss_write(arena *a, const feed_channel *ch, const feed_entry *entries, size_t n,
                      buf *out)
{
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
                  " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
                  " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
                  " xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>");
    element(out, "title", ch->title);
    buf_puts(out, "<link>");
    append_url(out, ch->base_url, ch->page_path);
    buf_puts(out, "</link>");
    element(out, "description", ch->description);
    element(out, "language", ch->language);
    long long updated = channel_updated(ch, entries, n);
    if (updated) {
        buf_puts(out, "<lastBuildDate>");
        xml_append_rfc822(out, updated);
        buf_puts(out, "</lastBuildDate>");
    }
    buf_puts(out, "<generator>Gazette</generator><atom:link rel=\"self\" "
                  "type=\"application/rss+xml\" href=\"");
    append_url(out, ch->base_url, ch->self_path);
    buf_puts(out, "\"/>\n");
    for (size_t i = 0; i < n; i++)
        rss_item(a, ch, &entries[i], out);
    buf_puts(out, "</channel>\n</rss>\n");
}

/* ---- Atom 1.0 ------------------------------------------------------------------------------- */

static void atom_time(buf *out, const char *name, long long when)
{
    buf_printf(out, "<%s>", name);
    xml_append_rfc3339(out, when);
    buf_printf(out, "</%s>", name);
}

static void atom_link(buf *out, const char *rel, const char *type, const char *base,
                      const char *path)
{
    buf_printf(out, "<link rel=\"%s\"", rel);
    if (type) buf_printf(out, " type=\"%s\"", type);
    buf_puts(out, " href=\"");
    append_url(out, base, path);
    buf_puts(out, "\"/>");
}

static void atom_entry(arena *a, const feed_channel *ch, const feed_entry *e, buf *out)
{
    const store_article *article = e->article;
    buf_puts(out, "<entry>");
    element(out, "id", feed_article_id(a, ch->base_url, article));
    buf_puts(out, "<title type=\"text\">");
    xml_append_text(out, article->headline);
    buf_puts(out, "</title>");
    atom_link(out, "alternate", "text/html", ch->base_url, article_url(a, article->slug));
    atom_time(out, "published", article->published_at);
    atom_time(out, "updated", entry_updated(article));
    for (size_t i = 0; i < article->n_authors; i++) {
        buf_puts(out, "<author>");
        element(out, "name", article->authors[i].name);
        buf_puts(out, "<uri>");
        append_url(out, ch->base_url, arena_printf(a, "/author/%s/", article->authors[i].slug));
        buf_puts(out, "</uri></author>");
    }
    for (size_t i = 0; i < article->n_topics; i++) {
        buf_puts(out, "<category term=\"");
        xml_append_text(out, article->topics[i].slug);
        buf_puts(out, "\" label=\"");
        xml_append_text(out, article->topics[i].name);
        buf_puts(out, "\"/>");
    }
    buf_puts(out, "<summary type=\"text\">");
    xml_append_text(out, e->summary ? e->summary : "");
    buf_puts(out, "</summary>");
    if (e->content_html) {
        buf_puts(out, "<content type=\"html\">");
        xml_append_text(out, e->content_html);
        buf_puts(out, "</content>");
    }
    const char *image = feed_absolute_url(a, ch->base_url, article->image_url);
    if (image) {
        const char *type = feed_image_type(image);
        buf_puts(out, "<link rel=\"enclosure\"");
        if (type) buf_printf(out, " type=\"%s\"", type);
        buf_puts(out, " href=\"");
        xml_append_text(out, image);
        buf_puts(out, "\"/>");
    }
    buf_puts(out, "</entry>\n");
}

static void atom_write(arena *a, const feed_channel *ch, const feed_entry *entries, size_t n,
                       buf *out)
{
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    xml_append_text(out, ch->language);
    buf_puts(out, "\">\n<id>");
    append_url(out, ch->base_url, ch->self_path);
    buf_puts(out, "</id><title type=\"text\">");
    xml_append_text(out, ch->title);
    buf_puts(out, "</title><subtitle type=\"text\">");
    xml_append_text(out, ch->description);
    buf_puts(out, "</subtitle>");
    atom_link(out, "alternate", "text/html", ch->base_url, ch->page_path);
    atom_link(out, "self", "application/atom+xml", ch->base_url, ch->self_path);
    atom_time(out, "updated", channel_updated(ch, entries, n));
    buf_puts(out, "<author>");
    element(out, "name", ch->site_name);
    buf_puts(out, "</author><generator>Gazette</generator>\n");
    for (size_t i = 0; i < n; i++)
        atom_entry(a, ch, &entries[i], out);
    buf_puts(out, "</feed>\n");
}

/* ---- JSON Feed 1.1 -------------------------------------------------------------------------- */

/* A JSON string of s made valid UTF-8 (json_string refuses anything else). */
static json_t *text(arena *a, const char *s)
{
    return json_string(xml_clean(a, s));
}

static json_t *rfc3339(arena *a, long long when)
{
    buf b = {0};
    xml_append_rfc3339(&b, when);
    json_t *j = text(a, b.data);
    buf_free(&b);
    return j;
}

static json_t *json_item(arena *a, const feed_channel *ch, const feed_entry *e)
{
    const store_article *article = e->article;
    json_t *item = json_object();
    json_object_set_new(item, "id", text(a, feed_article_id(a, ch->base_url, article)));
    json_object_set_new(
        item, "url", text(a, arena_printf(a, "%s%s", ch->base_url, article_url(a, article->slug))));
    json_object_set_new(item, "title", text(a, article->headline));
    json_object_set_new(item, "summary", text(a, e->summary));
    if (e->content_html)
        json_object_set_new(item, "content_html", text(a, e->content_html));
    else
        json_object_set_new(item, "content_text", text(a, e->summary));
    const char *image = feed_absolute_url(a, ch->base_url, article->image_url);
    if (image) json_object_set_new(item, "image", text(a, image));
    json_object_set_new(item, "date_published", rfc3339(a, article->published_at));
    json_object_set_new(item, "date_modified", rfc3339(a, entry_updated(article)));
    json_t *authors = json_array();
    for (size_t i = 0; i < article->n_authors; i++) {
        const char *url = arena_printf(a, "%s/author/%s/", ch->base_url, article->authors[i].slug);
        json_array_append_new(authors,
                              json_pack("{s:o, s:o}", "name", text(a, article->authors[i].name),
                                        "url", text(a, url)));
    }
    json_object_set_new(item, "authors", authors);
    json_t *tags = json_array();
    for (size_t i = 0; i < article->n_topics; i++)
        json_array_append_new(tags, text(a, article->topics[i].name));
    json_object_set_new(item, "tags", tags);
    return item;
}

static void json_write(arena *a, const feed_channel *ch, const feed_entry *entries, size_t n,
                       buf *out)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, json_item(a, ch, &entries[i]));
    json_t *feed = json_object();
    json_object_set_new(feed, "version", json_string("https://jsonfeed.org/version/1.1"));
    json_object_set_new(feed, "title", text(a, ch->title));
    json_object_set_new(feed, "home_page_url",
                        text(a, arena_printf(a, "%s%s", ch->base_url, ch->page_path)));
    json_object_set_new(feed, "feed_url",
                        text(a, arena_printf(a, "%s%s", ch->base_url, ch->self_path)));
    json_object_set_new(feed, "description", text(a, ch->description));
    json_object_set_new(feed, "language", text(a, ch->language));
    json_object_set_new(feed, "authors", json_pack("[{s:o}]", "name", text(a, ch->site_name)));
    json_object_set_new(feed, "items", items);
    char *dump = json_dumps(feed, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(feed);
    if (dump) buf_puts(out, dump), buf_putc(out, '\n');
    free(dump);
}

void feed_write(arena *a, feed_format format, const feed_channel *ch, const feed_entry *entries,
                size_t n, buf *out)
{
    if (format == FEED_RSS)
        rss_write(a, ch, entries, n, out);
    else if (format == FEED_ATOM)
        atom_write(a, ch, entries, n, out);
    else
        json_write(a, ch, entries, n, out);
}
