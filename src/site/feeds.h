/* feeds.h — the documents of the story feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1, built from
 * stories already read from the store. Pure functions (no HTTP, no store), so the unit tests
 * build them from hand-made stories; the handlers are in feed_pages.c. */
#ifndef GAZETTE_FEEDS_H
#define GAZETTE_FEEDS_H

#include <stdbool.h>

#include "../core/buf.h"
#include "../store/store.h"

typedef enum { FEED_RSS, FEED_ATOM, FEED_JSON } feed_format;

typedef struct feed_channel {
    const char *title;       /* "Transport — The Port Alder Courier" */
    const char *description; /* one sentence */
    const char *site_name;   /* the publisher, Atom's feed author */
    const char *language;    /* "en" */
    const char *base_url;    /* "https://news.example.org", no trailing slash */
    const char *page_path;   /* the HTML page the feed follows: "/", "/topic/transport/" */
    const char *self_path;   /* the feed itself: "/topic/transport/atom.xml" */
    long long updated;       /* at least this for the feed's own time (0: its newest story's) */
} feed_channel;

typedef struct feed_entry {
    const store_article *article;
    const char *summary;      /* plain text: the lead or an excerpt */
    const char *content_html; /* the whole body with absolute links, or NULL (summary only) */
} feed_entry;

/* "application/rss+xml; charset=utf-8" and so on. */
const char *feed_content_type(feed_format format);
/* Appends the feed of entries (newest first) in format to out. */
void feed_write(arena *a, feed_format format, const feed_channel *ch, const feed_entry *entries,
                size_t n, buf *out);

/* The id of a story in every feed, unchanged whatever is edited: tag:HOST,YYYY-MM-DD:article-ID
 * (RFC 4151) from the host of base_url and the day the story was first saved. */
char *feed_article_id(arena *a, const char *base_url, const store_article *article);
/* url as an absolute URL: kept when it has a scheme, base_url + url for a path ("/media/x"). */
char *feed_absolute_url(arena *a, const char *base_url, const char *url);
/* html with every href="/..." and src="/..." made absolute (feed readers have no page to resolve
 * them against). */
char *feed_absolute_html(arena *a, const char *base_url, const char *html);
/* The MIME type of an image by its extension ("image/jpeg"), NULL when unknown. */
const char *feed_image_type(const char *url);

#endif
