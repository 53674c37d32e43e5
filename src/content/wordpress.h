/* wordpress.h — the small, pure pieces of reading a WordPress export (WXR): its dates, and the
 * keys old WordPress links are looked up by in the redirects table. Nothing here reads XML,
 * the database or HTTP (the importer is src/cli/cmd_import.c and src/cli/wxr_reader.c). */
#ifndef GAZETTE_CONTENT_WORDPRESS_H
#define GAZETTE_CONTENT_WORDPRESS_H

#include <stdbool.h>

#include "../core/arena.h"

/* wp:post_date_gmt "2023-01-13 18:38:05" read as UTC. False for WordPress's "no date"
 * ("0000-00-00 00:00:00", what drafts carry), an empty or malformed value, or a date that does
 * not exist (February 30th). */
bool content_wp_time_utc(const char *text, long long *unix_seconds);
/* wp:post_date, the same wall-clock form read in the local time zone of the process (the TZ
 * environment variable: the importer sets it to the site's zone, --timezone). Times that a
 * daylight-saving change skips or repeats get the zone's usual resolution (mktime). */
bool content_wp_time_local(const char *text, long long *unix_seconds);

/* The key of an old link in the redirects table. url is a whole URL
 * ("https://example.org/2012/01/hello-world/") or a path ("/category/news/"); decode says whether
 * the path still holds %XX escapes to decode (links from the export do; request paths that the
 * server decoded already do not). The key is the path with escapes decoded, runs of '/' made
 * one, and no trailing '/' (the root stays "/"); a query is kept only when it is one of
 * WordPress's id links on the root — "?p=N", "?page_id=N", "?cat=N", "?tag=SLUG" — giving
 * "/?p=N"; any other query is dropped. NULL when url is not an http(s) URL or an absolute path,
 * or decodes to a NUL byte or a control character. Arena string. */
char *content_redirect_key(arena *a, const char *url, bool decode);

#endif
