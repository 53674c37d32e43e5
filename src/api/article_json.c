/* article_json.c — builds the JSON of a story (summary and full) from store rows: the shape
 * documented in docs/themes.md, used by the API and handed to templates unchanged. */
#include "article_json.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../content/content.h"
#include "../core/buf.h"

char *article_url(arena *a, const char *slug)
{
    return arena_printf(a, "/news/%s/", slug);
}

char *article_display_time(arena *a, long long unix_seconds)
{
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    return arena_printf(a, "%d %s %d, %02d:%02d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
                        tm.tm_hour, tm.tm_min);
}

static json_t *string_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *topic_json(const store_topic *topic)
{
    char url[256];
    snprintf(url, sizeof url, "/topic/%s/", topic->slug);
    return json_pack("{s:s, s:s, s:s}", "slug", topic->slug, "name", topic->name, "url", url);
}

json_t *author_json(const store_author *author)
{
    char url[256];
    snprintf(url, sizeof url, "/author/%s/", author->slug);
    return json_pack("{s:s, s:s, s:s}", "slug", author->slug, "name", author->name, "url", url);
}

static json_t *image_json(const store_article *article)
{
    if (!article->image_url || !article->image_url[0]) return json_null();
    json_t *image = json_object();
    json_object_set_new(image, "url", json_string(article->image_url));
    json_object_set_new(image, "caption", string_or_null(article->image_caption));
    json_object_set_new(image, "credit", string_or_null(article->image_credit));
    json_object_set_new(image, "alt", json_string(article->image_alt ? article->image_alt : ""));
    return image;
}

json_t *article_summary_json(arena *a, const store_article *article)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(article->id));
    json_object_set_new(j, "slug", json_string(article->slug));
    json_object_set_new(j, "url", json_string(article_url(a, article->slug)));
    json_object_set_new(j, "kicker", string_or_null(article->kicker));
    json_object_set_new(j, "headline", json_string(article->headline));
    json_object_set_new(j, "lead", string_or_null(article->lead));
    const char *source = article->lead && article->lead[0] ? article->lead : article->body_html;
    json_object_set_new(
        j, "excerpt", json_string(source ? content_excerpt(a, source, ARTICLE_EXCERPT_CHARS) : ""));
    json_object_set_new(j, "published_at",
                        json_string(content_format_time(a, article->published_at)));
    json_object_set_new(j, "published_display",
                        json_string(article_display_time(a, article->published_at)));
    json_object_set_new(j, "updated_at", json_string(content_format_time(a, article->updated_at)));
    json_object_set_new(j, "image", image_json(article));
    json_t *topics = json_array();
    for (size_t i = 0; i < article->n_topics; i++)
        json_array_append_new(topics, topic_json(&article->topics[i]));
    json_object_set_new(j, "topics", topics);
    json_object_set_new(j, "primary_topic",
                        article->n_topics ? topic_json(&article->topics[0]) : json_null());
    json_t *authors = json_array();
    for (size_t i = 0; i < article->n_authors; i++)
        json_array_append_new(authors, author_json(&article->authors[i]));
    json_object_set_new(j, "authors", authors);
    return j;
}

typedef struct {
    store *store;
    arena *arena;
} read_also_lookup;

static bool lookup_story(void *ctx, const char *slug, const char **headline, const char **url)
{
    read_also_lookup *l = ctx;
    store_article target;
    if (store_article_by_slug(l->store, l->arena, slug, &target) != STORE_OK) return false;
    *headline = target.headline;
    *url = article_url(l->arena, target.slug);
    return true;
}

char *article_body_html(store *s, arena *a, const store_article *article)
{
    read_also_lookup lookup = {s, a};
    const char *html = article->body_html ? article->body_html : "";
    return content_resolve_read_also(a, html, lookup_story, &lookup);
}

/* Adds the newest live stories to fill the related list up to the count, skipping the story
 * itself and those already chosen. */
static store_status fill_related(store *s, arena *a, const store_article *article, json_t *related)
{
    store_article *latest;
    size_t n;
    store_article_query q = {.exclude_id = article->id, .limit = 2 * ARTICLE_RELATED_COUNT};
    store_status st = store_articles_list(s, a, &q, &latest, &n, NULL);
    for (size_t i = 0; st == STORE_OK && i < n; i++) {
        if (json_array_size(related) == ARTICLE_RELATED_COUNT) break;
        bool taken = false;
        size_t k;
        json_t *item;
        json_array_foreach(related, k, item)
        {
            taken |= json_integer_value(json_object_get(item, "id")) == latest[i].id;
        }
        if (!taken) json_array_append_new(related, article_summary_json(a, &latest[i]));
    }
    return st;
}

json_t *article_full_json(store *s, arena *a, const store_article *article,
                          const store_article *related, size_t n_related, store_status *status)
{
    *status = STORE_OK;
    json_t *related_json = json_array();
    for (size_t i = 0; i < n_related && i < ARTICLE_RELATED_COUNT; i++)
        json_array_append_new(related_json, article_summary_json(a, &related[i]));
    if (n_related < ARTICLE_RELATED_COUNT) *status = fill_related(s, a, article, related_json);
    if (*status != STORE_OK) {
        json_decref(related_json);
        return NULL;
    }
    json_t *j = article_summary_json(a, article);
    json_object_set_new(j, "body_html", json_string(article_body_html(s, a, article)));
    json_object_set_new(j, "related", related_json);
    return j;
}

void article_add_comment_counts(store *s, json_t *summaries)
{
    size_t n = json_array_size(summaries), i;
    if (n == 0) return;
    long long *ids = calloc(n, sizeof *ids), *counts = calloc(n, sizeof *counts);
    json_t *item;
    json_array_foreach(summaries, i, item) ids[i] = json_integer_value(json_object_get(item, "id"));
    if (ids && counts && store_comment_counts(s, ids, n, counts) == STORE_OK)
        json_array_foreach(summaries, i, item)
        {
            json_object_set_new(item, "comment_count", json_integer(counts[i]));
            json_object_set_new(item, "has_comments", json_boolean(counts[i] > 0));
        }
    free(ids);
    free(counts);
}

void article_auto_read_also(arena *a, json_t *article, unsigned paragraph)
{
    const char *html = json_string_value(json_object_get(article, "body_html"));
    json_t *best = json_array_get(json_object_get(article, "related"), 0);
    if (!paragraph || !html || !best || strstr(html, "<aside class=\"read-also\">")) return;
    const char *at = html;
    for (unsigned i = 0; i < paragraph && at; i++) {
        at = strstr(at, "</p>\n");
        if (at) at += strlen("</p>\n");
    }
    if (!at || !*at) return; /* nothing after it: a link at the very end reads as a footer */
    buf out = {0};
    buf_append(&out, html, (size_t)(at - html));
    buf_puts(
        &out,
        "<aside class=\"read-also\"><span class=\"read-also-label\">See also:</span> <a href=\"");
    const char *url = json_string_value(json_object_get(best, "url"));
    const char *headline = json_string_value(json_object_get(best, "headline"));
    buf_append_html(&out, url, strlen(url));
    buf_puts(&out, "\">");
    buf_append_html(&out, headline, strlen(headline));
    buf_puts(&out, "</a></aside>\n");
    buf_puts(&out, at);
    json_object_set_new(article, "body_html", json_string(arena_strdup(a, out.data)));
    buf_free(&out);
}
