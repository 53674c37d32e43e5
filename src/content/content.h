/* content.h — turning what a newsroom writes into what a page shows: Markdown to HTML
 * (cmark-gfm), inline read-also markers, slugs, excerpts, and story files with front matter.
 * Pure functions over strings: nothing here knows about the database or HTTP. */
#ifndef GAZETTE_CONTENT_H
#define GAZETTE_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/arena.h"

/* ---- Markdown ---------------------------------------------------------------------------
 * GitHub-flavoured Markdown (tables, strikethrough, autolinks) with raw HTML disabled (it is
 * replaced by a comment) and unsafe link schemes (javascript:, data: ...) dropped.
 *
 * Read-also syntax: a paragraph that is exactly
 *     See also: [[some-story-slug]]
 * (slug of [a-z0-9-], case-insensitive "See also:") becomes the marker
 *     <!--gazette:see-also:some-story-slug-->
 * in the HTML. The page replaces the marker with the linked story's current headline at render
 * time (content_resolve_read_also), or with nothing when that story does not exist. */
typedef struct {
    char *html;       /* arena-allocated */
    char **read_also; /* slugs named by read-also paragraphs, in order (arena) */
    size_t n_read_also;
} content_markdown;

/* Returns false only when the input is not valid UTF-8 (error message in err). */
bool content_render_markdown(arena *a, const char *markdown, content_markdown *out, char *err,
                             size_t errlen);

/* Looks up a read-also target: fills headline and url (arena strings) and returns true when the
 * story exists and is published. */
typedef bool (*content_story_lookup)(void *ctx, const char *slug, const char **headline,
                                     const char **url);
/* Replaces every read-also marker in html by
 *   <aside class="read-also"><span class="read-also-label">See also:</span>
 *   <a href="URL">HEADLINE</a></aside>
 * (headline HTML-escaped) or by nothing when lookup returns false. Returns an arena string. */
char *content_resolve_read_also(arena *a, const char *html, content_story_lookup lookup, void *ctx);

/* ---- Slugs ------------------------------------------------------------------------------
 * Lower-case ASCII words joined by '-', at most 80 bytes cut at a word boundary; Latin letters
 * with accents are transliterated (é→e, ß→ss, æ→ae, ø→o, ł→l, ...); other characters separate
 * words; other scripts are dropped. Returns "" when nothing usable is left (the caller then
 * picks a fallback such as "story-<id>"). */
char *content_slugify(arena *a, const char *text);
bool content_slug_is_valid(const char *slug); /* [a-z0-9]+(-[a-z0-9]+)*, 1..80 bytes */
/* slug-n (n >= 2): the n-th candidate when slug is taken, slug cut (and its trailing '-'
 * dropped) so that the whole still fits in 80 bytes. */
char *content_slug_numbered(arena *a, const char *slug, int n);

/* ---- Excerpts ---------------------------------------------------------------------------
 * Plain text (tags stripped, entities for & < > " ' decoded, whitespace collapsed) of at most
 * max_chars characters (UTF-8 code points), cut at a word boundary and ending in "…" when
 * anything was cut. */
char *content_excerpt(arena *a, const char *text_or_html, size_t max_chars);

/* ---- UTF-8 ------------------------------------------------------------------------------ */
bool content_utf8_valid(const char *s, size_t n);
/* Whether code point cp belongs inside a word: letters, combining marks and numbers (Unicode
 * categories L*, Mn, Mc, N*), as both the search index's tokenizer and the related-stories
 * analyzer split text. Negative values (invalid input) are not. */
bool content_is_word_codepoint(int32_t cp);

/* ---- Story files ------------------------------------------------------------------------
 * A story file is a front-matter block between two lines of exactly "---", made of
 * "key: value" lines, then the Markdown body. Keys: headline (required), kicker, lead, topics
 * (comma-separated names; the first is the primary topic), slug, published (RFC 3339),
 * authors (comma-separated names), image, caption, credit, alt, status
 * (draft|scheduled|published; default published), comments (on, off, or a number of days after
 * publication when they close; default on). Blank lines and lines starting with '#' inside the
 * block are ignored. An unknown key, a duplicate key, a bad value or a missing required key is an
 * error naming the line. */
typedef struct {
    const char *headline, *kicker, *lead, *slug, *image, *caption, *credit, *alt, *status;
    const char **topics;
    size_t n_topics;
    const char **authors;
    size_t n_authors;
    long long published;    /* unix seconds; 0 when not given */
    bool comments_off;      /* "comments: off" */
    unsigned comments_days; /* "comments: 14": open for 14 days; 0 when not given */
    const char *body;       /* the Markdown after the front matter */
} content_story;

typedef struct {
    int line;          /* 1-based, 0 when the error concerns the whole file */
    char message[256]; /* e.g. "unknown key 'hedline' (known keys: headline, kicker, ...)" */
} content_error;

bool content_parse_story(arena *a, const char *text, size_t len, content_story *out,
                         content_error *err);

/* Reads exactly n decimal digits at *p into *out and moves *p past them; false (and *p left
 * alone) when any of them is not a digit. */
bool content_read_digits(const char **p, int n, int *out);
/* 28 to 31: the days of month m (1-12) of year y in the proleptic Gregorian calendar. */
unsigned content_days_in_month(long long y, unsigned m);
/* RFC 3339 both ways. Parse accepts "2023-10-26T09:30:00Z", "+02:00"-style offsets, optional
 * fractional seconds, and a bare date "2023-10-26" (midnight UTC). */
bool content_parse_time(const char *text, long long *unix_seconds);
char *content_format_time(arena *a, long long unix_seconds); /* "2023-10-26T09:30:00Z" */

#endif
