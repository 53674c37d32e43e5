/* article_json.h — the one JSON shape of a story, shared by the API and the themes (the view
 * model a template gets is exactly what GET /api/v1/articles/{slug} returns). */
#ifndef GAZETTE_ARTICLE_JSON_H
#define GAZETTE_ARTICLE_JSON_H

#include <jansson.h>

#include "../store/store.h"

enum { ARTICLE_EXCERPT_CHARS = 160, ARTICLE_RELATED_COUNT = 4 };

/* {slug, name, url} */
json_t *topic_json(const store_topic *topic);
json_t *author_json(const store_author *author);
/* The summary fields (see docs/themes.md). */
json_t *article_summary_json(arena *a, const store_article *article);
/* Summary + body_html with read-also links resolved + related: the given related stories (best
 * first), filled up to four with the newest stories. Reads the store for read-also targets;
 * NULL with *status set on a store failure. */
json_t *article_full_json(store *s, arena *a, const store_article *article,
                          const store_article *related, size_t n_related, store_status *status);
/* The story's body_html with its read-also links resolved (reads the store for their targets):
 * what the page, the API and the feeds show. */
char *article_body_html(store *s, arena *a, const store_article *article);
/* Automatic read-also: when the editor placed none in the story, puts one "See also:" link to
 * the first related story after the paragraph-th paragraph of body_html (0: never; too few
 * paragraphs: nowhere). Works on the JSON of article_full_json. */
void article_auto_read_also(arena *a, json_t *article, unsigned paragraph);
/* Sets "comment_count" (approved comments) on every summary of the array. */
void article_add_comment_counts(store *s, json_t *summaries);
/* Public URL path of a story, topic, author. */
char *article_url(arena *a, const char *slug);
/* "26 October 2023, 09:30" (UTC) */
char *article_display_time(arena *a, long long unix_seconds);

#endif
