/* test_feeds.c — unit tests for the story feeds (src/site/feeds.c) and the XML text they are
 * written with (src/core/xml.c): each format is built from hand-made stories with hostile
 * headlines and parsed back — XML with libxml2 (no network), JSON Feed with Jansson — checking
 * the required elements, the dates and that every headline survives as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/xml.h"
#include "../../src/site/feeds.h"

/* Everything an attacker could put in a headline: markup, a CDATA end, an ampersand, controls
 * XML 1.0 forbids, bytes that are not UTF-8, and U+FFFE. */
static const char hostile[] = "</title><script>alert(1)</script> ]]> & \x01\x0b\x1f Tom "
                              "\xff\xfe \xc3 end \xef\xbf\xbe!";
/* What it must read as once parsed: controls and U+FFFE gone, each bad byte one U+FFFD. */
static const char hostile_clean[] = "</title><script>alert(1)</script> ]]> &  Tom "
                                    "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd end !";

static const char base_url[] = "https://news.example.org";

typedef struct fixture {
    arena *a;
    store_topic topics[2];
    store_author authors[2];
    store_article stories[3];
    feed_entry entries[3];
    feed_channel channel;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->a = arena_new();
    f->topics[0] = (store_topic){1, "city-hall",
                                 "City <Hall> & \x02"
                                 "Council",
                                 NULL};
    f->topics[1] = (store_topic){2, "transport", "Transport", NULL};
    f->authors[0] = (store_author){1, "lena-fischer", "Lena \"Fischer\" ]]>", NULL};
    f->authors[1] = (store_author){2, "tom-ray", "Tom Ray", NULL};
    f->stories[0] = (store_article){.id = 42,
                                    .slug = "harbour-bridge-reopens",
                                    .headline = hostile,
                                    .lead = "Lead with <b>tags</b> & \x07 a bell",
                                    .image_url = "/media/bridge.jpg",
                                    .image_alt = "The bridge at <dawn>",
                                    .published_at = 1698312600, /* 2023-10-26T09:30:00Z */
                                    .updated_at = 1698316200,
                                    .created_at = 1698300000, /* 2023-10-26 */
                                    .topics = f->topics,
                                    .n_topics = 2,
                                    .authors = f->authors,
                                    .n_authors = 2};
    f->stories[1] = (store_article){.id = 7,
                                    .slug = "cdata",
                                    .headline = "]]><![CDATA[ x ]]>",
                                    .image_url = "https://cdn.example.com/a.png",
                                    .published_at = 946684800, /* 2000-01-01 */
                                    .updated_at = 946684800,
                                    .created_at = 946684800};
    f->stories[2] = (store_article){.id = 3,
                                    .slug = "plain",
                                    .headline = "Plain & simple",
                                    .published_at = 100,
                                    .updated_at = 50, /* saved before it went live */
                                    .created_at = 50};
    f->entries[0] = (feed_entry){&f->stories[0], f->stories[0].lead,
                                 "<p>Body &amp; <a href=\"https://news.example.org/x/\">x</a> "
                                 "]]> \x0c</p>"};
    f->entries[1] = (feed_entry){&f->stories[1], "Summary only", NULL};
    f->entries[2] = (feed_entry){&f->stories[2], NULL, NULL};
    f->channel = (feed_channel){.title = "City & <Hall> — The Courier \x01",
                                .description = "The latest ]]> stories",
                                .site_name = "The <Courier>",
                                .language = "en",
                                .base_url = base_url,
                                .page_path = "/topic/city-hall/",
                                .self_path = "/topic/city-hall/feed.xml"};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    arena_free(f->a);
    free(f);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static bool matches(const char *pattern, const char *text)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    bool ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

#define RFC822                                                                                     \
    "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} "  \
    "\\+0000$"
#define RFC3339 "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"

static xmlDocPtr parse(const buf *b)
{
    xmlDocPtr doc = xmlReadMemory(b->data, (int)b->len, "feed.xml", "UTF-8", XML_PARSE_NONET);
    if (!doc) fprintf(stderr, "not well-formed:\n%s\n", b->data);
    assert_non_null(doc);
    return doc;
}

typedef struct xpath {
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
} xpath;

static xpath xpath_open(const buf *b)
{
    xpath x = {parse(b), NULL};
    x.ctx = xmlXPathNewContext(x.doc);
    xmlXPathRegisterNs(x.ctx, BAD_CAST "a", BAD_CAST "http://www.w3.org/2005/Atom");
    xmlXPathRegisterNs(x.ctx, BAD_CAST "content",
                       BAD_CAST "http://purl.org/rss/1.0/modules/content/");
    xmlXPathRegisterNs(x.ctx, BAD_CAST "dc", BAD_CAST "http://purl.org/dc/elements/1.1/");
    xmlXPathRegisterNs(x.ctx, BAD_CAST "media", BAD_CAST "http://search.yahoo.com/mrss/");
    return x;
}

static void xpath_close(xpath *x)
{
    xmlXPathFreeContext(x->ctx);
    xmlFreeDoc(x->doc);
}

static int count(xpath *x, const char *expr)
{
    xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x->ctx);
    assert_non_null(r);
    int n = r->nodesetval ? r->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(r);
    return n;
}

/* The string value of expr (arena copy; "" when nothing matches). */
static const char *value(arena *a, xpath *x, const char *expr)
{
    xmlXPathObjectPtr r =
        xmlXPathEvalExpression(BAD_CAST arena_printf(a, "string(%s)", expr), x->ctx);
    assert_non_null(r);
    const char *s = arena_strdup(a, (const char *)r->stringval);
    xmlXPathFreeObject(r);
    return s;
}

static void write_feed(fixture *f, feed_format format, size_t n, buf *out)
{
    *out = (buf){0};
    feed_write(f->a, format, &f->channel, f->entries, n, out);
    assert_non_null(out->data);
}

/* ---- xml.c ---------------------------------------------------------------------------------- */

static void test_xml_clean(void **state)
{
    fixture *f = *state;
    assert_string_equal(xml_clean(f->a, hostile), hostile_clean);
    assert_string_equal(xml_clean(f->a, NULL), "");
    assert_string_equal(xml_clean(f->a, "tab\tnl\ncr\r ok é €"), "tab\tnl\ncr\r ok é €");
    /* overlong and surrogate encodings are not UTF-8 */
    assert_string_equal(xml_clean(f->a, "\xc0\xaf|\xed\xa0\x80"),
                        "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    buf b = {0};
    xml_append_text(&b, "a<b>&\"c'\x1b");
    assert_string_equal(b.data, "a&lt;b&gt;&amp;&quot;c&#39;");
    buf_free(&b);
    xml_append_text(&b, "line\r\nnext"); /* a raw CR would read back as LF */
    assert_string_equal(b.data, "line&#13;\nnext");
    buf_free(&b);
}

static void test_xml_dates(void **state)
{
    buf b = {0};
    xml_append_rfc822(&b, 1698312600);
    assert_string_equal(b.data, "Thu, 26 Oct 2023 09:30:00 +0000");
    buf_free(&b);
    xml_append_rfc822(&b, 0);
    assert_string_equal(b.data, "Thu, 01 Jan 1970 00:00:00 +0000");
    buf_free(&b);
    xml_append_rfc3339(&b, 1698312600);
    assert_string_equal(b.data, "2023-10-26T09:30:00Z");
    buf_free(&b);
}

/* ---- ids and links -------------------------------------------------------------------------- */

static void test_ids_never_change(void **state)
{
    fixture *f = *state;
    store_article story = f->stories[0];
    const char *id = feed_article_id(f->a, base_url, &story);
    assert_string_equal(id, "tag:news.example.org,2023-10-26:article-42");
    story.headline = "A new headline";
    story.slug = "a-new-slug";
    story.published_at += 86400 * 30; /* rescheduled */
    story.updated_at += 86400 * 31;
    assert_string_equal(feed_article_id(f->a, base_url, &story), id);
    assert_string_equal(feed_article_id(f->a, "http://Example.ORG:8080/news", &story),
                        "tag:example.org,2023-10-26:article-42");
}

static void test_absolute_links(void **state)
{
    fixture *f = *state;
    assert_string_equal(feed_absolute_url(f->a, base_url, "/media/x.jpg"),
                        "https://news.example.org/media/x.jpg");
    assert_string_equal(feed_absolute_url(f->a, base_url, "media/x.jpg"),
                        "https://news.example.org/media/x.jpg");
    assert_string_equal(feed_absolute_url(f->a, base_url, "HTTP://cdn/x.png"), "HTTP://cdn/x.png");
    assert_string_equal(feed_absolute_url(f->a, base_url, "//cdn.example.com/x.png"),
                        "https://cdn.example.com/x.png");
    assert_null(feed_absolute_url(f->a, base_url, ""));
    assert_null(feed_absolute_url(f->a, base_url, NULL));
    assert_string_equal(
        feed_absolute_html(f->a, base_url,
                           "<p><a href=\"/news/x/\">x</a> <img src=\"/media/a.png\" alt=\"\">"
                           " <a href=\"//cdn/y\">y</a> <a href=\"https://z/\">z</a></p>"),
        "<p><a href=\"https://news.example.org/news/x/\">x</a> "
        "<img src=\"https://news.example.org/media/a.png\" alt=\"\">"
        " <a href=\"//cdn/y\">y</a> <a href=\"https://z/\">z</a></p>");
    assert_string_equal(feed_image_type("/a/b.JPG"), "image/jpeg");
    assert_null(feed_image_type("/a/b"));
}

/* ---- the three formats ---------------------------------------------------------------------- */

static void test_rss(void **state)
{
    fixture *f = *state;
    buf b;
    write_feed(f, FEED_RSS, 3, &b);
    xpath x = xpath_open(&b);
    arena *a = f->a;
    assert_string_equal(value(a, &x, "/rss/@version"), "2.0");
    assert_string_equal(value(a, &x, "/rss/channel/title"), "City & <Hall> — The Courier ");
    assert_string_equal(value(a, &x, "/rss/channel/link"),
                        "https://news.example.org/topic/city-hall/");
    assert_string_equal(value(a, &x, "/rss/channel/description"), "The latest ]]> stories");
    assert_string_equal(value(a, &x, "/rss/channel/a:link[@rel='self']/@href"),
                        "https://news.example.org/topic/city-hall/feed.xml");
    assert_true(matches(RFC822, value(a, &x, "/rss/channel/lastBuildDate")));
    assert_int_equal(count(&x, "/rss/channel/item"), 3);
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/title"), hostile_clean);
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/link"),
                        "https://news.example.org/news/harbour-bridge-reopens/");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/guid"),
                        "tag:news.example.org,2023-10-26:article-42");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/guid/@isPermaLink"), "false");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/pubDate"),
                        "Thu, 26 Oct 2023 09:30:00 +0000");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/description"),
                        "Lead with <b>tags</b> &  a bell");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/content:encoded"),
                        "<p>Body &amp; <a href=\"https://news.example.org/x/\">x</a> ]]> </p>");
    assert_int_equal(count(&x, "/rss/channel/item[1]/dc:creator"), 2);
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/dc:creator[1]"), "Lena \"Fischer\" ]]>");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/category[1]"), "City <Hall> & Council");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/media:content/@url"),
                        "https://news.example.org/media/bridge.jpg");
    assert_string_equal(value(a, &x, "/rss/channel/item[1]/media:content/@type"), "image/jpeg");
    assert_string_equal(value(a, &x, "/rss/channel/item[2]/title"), "]]><![CDATA[ x ]]>");
    assert_int_equal(count(&x, "/rss/channel/item[2]/content:encoded"), 0);
    for (int i = 1; i <= 3; i++)
        assert_true(
            matches(RFC822, value(a, &x, arena_printf(a, "/rss/channel/item[%d]/pubDate", i))));
    xpath_close(&x);
    buf_free(&b);
}

static void test_atom(void **state)
{
    fixture *f = *state;
    buf b;
    write_feed(f, FEED_ATOM, 3, &b);
    xpath x = xpath_open(&b);
    arena *a = f->a;
    assert_string_equal(value(a, &x, "/a:feed/a:id"),
                        "https://news.example.org/topic/city-hall/feed.xml");
    assert_string_equal(value(a, &x, "/a:feed/a:title"), "City & <Hall> — The Courier ");
    /* the newest change of any entry: story 42's updated_at */
    assert_string_equal(value(a, &x, "/a:feed/a:updated"), "2023-10-26T10:30:00Z");
    assert_string_equal(value(a, &x, "/a:feed/a:author/a:name"), "The <Courier>");
    assert_string_equal(value(a, &x, "/a:feed/a:link[@rel='self']/@href"),
                        "https://news.example.org/topic/city-hall/feed.xml");
    assert_int_equal(count(&x, "/a:feed/a:entry"), 3);
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:title"), hostile_clean);
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:id"),
                        "tag:news.example.org,2023-10-26:article-42");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:link[@rel='alternate']/@href"),
                        "https://news.example.org/news/harbour-bridge-reopens/");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:published"), "2023-10-26T09:30:00Z");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:updated"), "2023-10-26T10:30:00Z");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:content[@type='html']"),
                        "<p>Body &amp; <a href=\"https://news.example.org/x/\">x</a> ]]> </p>");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:author[1]/a:uri"),
                        "https://news.example.org/author/lena-fischer/");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:category[1]/@label"),
                        "City <Hall> & Council");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[1]/a:link[@rel='enclosure']/@href"),
                        "https://news.example.org/media/bridge.jpg");
    assert_string_equal(value(a, &x, "/a:feed/a:entry[2]/a:link[@rel='enclosure']/@type"),
                        "image/png");
    /* a story saved before it went live was not updated before it was published */
    assert_string_equal(value(a, &x, "/a:feed/a:entry[3]/a:updated"), "1970-01-01T00:01:40Z");
    for (int i = 1; i <= 3; i++) {
        assert_true(
            matches(RFC3339, value(a, &x, arena_printf(a, "/a:feed/a:entry[%d]/a:published", i))));
        assert_true(
            matches(RFC3339, value(a, &x, arena_printf(a, "/a:feed/a:entry[%d]/a:updated", i))));
    }
    xpath_close(&x);
    buf_free(&b);
}

static void test_json_feed(void **state)
{
    fixture *f = *state;
    buf b;
    write_feed(f, FEED_JSON, 3, &b);
    json_error_t err;
    json_t *feed = json_loadb(b.data, b.len, 0, &err);
    if (!feed) fprintf(stderr, "JSON Feed: %s\n%s\n", err.text, b.data);
    assert_non_null(feed);
    assert_string_equal(json_string_value(json_object_get(feed, "version")),
                        "https://jsonfeed.org/version/1.1");
    assert_string_equal(json_string_value(json_object_get(feed, "title")),
                        "City & <Hall> — The Courier ");
    assert_string_equal(json_string_value(json_object_get(feed, "feed_url")),
                        "https://news.example.org/topic/city-hall/feed.xml");
    assert_string_equal(json_string_value(json_object_get(feed, "home_page_url")),
                        "https://news.example.org/topic/city-hall/");
    json_t *items = json_object_get(feed, "items");
    assert_int_equal(json_array_size(items), 3);
    json_t *first = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(first, "title")), hostile_clean);
    assert_string_equal(json_string_value(json_object_get(first, "id")),
                        "tag:news.example.org,2023-10-26:article-42");
    assert_string_equal(json_string_value(json_object_get(first, "url")),
                        "https://news.example.org/news/harbour-bridge-reopens/");
    assert_string_equal(json_string_value(json_object_get(first, "date_published")),
                        "2023-10-26T09:30:00Z");
    assert_string_equal(json_string_value(json_object_get(first, "date_modified")),
                        "2023-10-26T10:30:00Z");
    assert_string_equal(json_string_value(json_object_get(first, "image")),
                        "https://news.example.org/media/bridge.jpg");
    assert_non_null(json_object_get(first, "content_html"));
    assert_int_equal(json_array_size(json_object_get(first, "authors")), 2);
    assert_int_equal(json_array_size(json_object_get(first, "tags")), 2);
    json_t *second = json_array_get(items, 1);
    assert_null(json_object_get(second, "content_html"));
    assert_string_equal(json_string_value(json_object_get(second, "content_text")), "Summary only");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        assert_true(matches(RFC3339, json_string_value(json_object_get(item, "date_published"))));
        assert_true(matches(RFC3339, json_string_value(json_object_get(item, "date_modified"))));
    }
    json_decref(feed);
    buf_free(&b);
}

/* An empty feed is still a well-formed document with what each format requires. */
static void test_empty_feeds(void **state)
{
    fixture *f = *state;
    buf b;
    write_feed(f, FEED_RSS, 0, &b);
    xpath x = xpath_open(&b);
    assert_int_equal(count(&x, "/rss/channel/title"), 1);
    assert_int_equal(count(&x, "/rss/channel/item"), 0);
    xpath_close(&x);
    buf_free(&b);
    write_feed(f, FEED_ATOM, 0, &b);
    x = xpath_open(&b);
    assert_true(matches(RFC3339, value(f->a, &x, "/a:feed/a:updated")));
    xpath_close(&x);
    buf_free(&b);
    write_feed(f, FEED_JSON, 0, &b);
    json_t *feed = json_loads(b.data, 0, NULL);
    assert_non_null(feed);
    assert_int_equal(json_array_size(json_object_get(feed, "items")), 0);
    json_decref(feed);
    buf_free(&b);
}

/* Random bytes as every text field: each format stays parseable. */
static void test_random_text_stays_well_formed(void **state)
{
    fixture *f = *state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char text[4][64];
    for (int round = 0; round < 200; round++) {
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 63; i++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                text[k][i] = (char)(seed % 255 + 1);
            }
            text[k][63] = '\0';
        }
        f->stories[0].headline = text[0];
        f->entries[0].summary = text[1];
        f->entries[0].content_html = text[2];
        f->channel.title = text[3];
        for (feed_format format = FEED_RSS; format <= FEED_JSON; format++) {
            buf b;
            write_feed(f, format, 3, &b);
            if (format == FEED_JSON) {
                json_t *feed = json_loadb(b.data, b.len, 0, NULL);
                assert_non_null(feed);
                json_decref(feed);
            } else {
                xmlDocPtr doc = parse(&b);
                xmlFreeDoc(doc);
            }
            buf_free(&b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_xml_clean),      T(test_xml_dates),   T(test_ids_never_change),
        T(test_absolute_links), T(test_rss),         T(test_atom),
        T(test_json_feed),      T(test_empty_feeds), T(test_random_text_stays_well_formed),
#undef T
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return failed;
}
