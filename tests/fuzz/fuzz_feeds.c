/* fuzz_feeds.c — libFuzzer target for what the story feeds write (src/site/feeds.c) with the XML
 * text helpers (src/core/xml.c): a story whose every field is the fuzzer's bytes is written as
 * RSS, Atom and JSON Feed. Checks: xml_clean gives valid UTF-8; each XML document parses with
 * libxml2 (no network, no entities loaded) and the JSON Feed with Jansson; the headline reads
 * back from the RSS as xml_clean made it. Input: NUL-separated parts — headline, lead, body,
 * topic name, author name, image URL, image alt, base URL. */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../../src/content/content.h"
#include "../../src/core/xml.h"
#include "../../src/site/feeds.h"
#include "fuzz_check.h"

enum { PARTS = 8 };

/* The first child element of node called name, or NULL. */
static xmlNodePtr child(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0) return c;
    return NULL;
}

static void check_xml(const buf *b, const char *headline)
{
    xmlDocPtr doc = xmlReadMemory(b->data, (int)b->len, "feed.xml", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    FUZZ_CHECK(doc != NULL);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (headline && strcmp((const char *)root->name, "rss") == 0) {
        xmlNodePtr title = child(child(child(root, "channel"), "item"), "title");
        FUZZ_CHECK(title != NULL);
        xmlChar *text = xmlNodeGetContent(title);
        FUZZ_CHECK(text && strcmp((const char *)text, headline) == 0);
        xmlFree(text);
    }
    xmlFreeDoc(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *input = fuzz_cstr(data, size);
    const char *part[PARTS] = {0};
    const char *p = input;
    for (size_t i = 0; i < PARTS; i++) {
        part[i] = p < input + size ? p : "";
        p += strlen(part[i]) + 1;
    }
    arena *a = arena_new();
    char *clean = xml_clean(a, part[0]);
    FUZZ_CHECK(content_utf8_valid(clean, strlen(clean)));
    store_topic topic = {1, "topic", part[3], NULL};
    store_author author = {1, "author", part[4], NULL};
    store_article story = {.id = 1,
                           .slug = "story",
                           .headline = part[0],
                           .lead = part[1],
                           .image_url = part[5],
                           .image_alt = part[6],
                           .published_at = 1698312600,
                           .updated_at = 1698316200,
                           .created_at = 1698300000,
                           .topics = &topic,
                           .n_topics = 1,
                           .authors = &author,
                           .n_authors = 1};
    const char *base = part[7][0] ? part[7] : "https://news.example.org";
    feed_entry entry = {&story, part[1], feed_absolute_html(a, base, part[2])};
    feed_channel channel = {part[3], part[4], part[6], part[1], base, "/", "/feed.xml", 0};
    for (feed_format format = FEED_RSS; format <= FEED_JSON; format++) {
        buf b = {0};
        feed_write(a, format, &channel, &entry, 1, &b);
        if (format == FEED_JSON) {
            json_t *feed = json_loadb(b.data, b.len, 0, NULL);
            FUZZ_CHECK(feed != NULL);
            json_decref(feed);
        } else {
            check_xml(&b, format == FEED_RSS ? clean : NULL);
        }
        buf_free(&b);
    }
    arena_free(a);
    free(input);
    return 0;
}
