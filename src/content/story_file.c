/* story_file.c — content_parse_story: a story file's front matter (a "---" block of
 * "key: value" lines) checked key by key into a content_story, followed by its Markdown body.
 * LF and CRLF line endings are both accepted; a UTF-8 byte-order mark is skipped. */
#include "content.h"
#include "../core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    K_HEADLINE,
    K_KICKER,
    K_LEAD,
    K_TOPICS,
    K_SLUG,
    K_PUBLISHED,
    K_AUTHORS,
    K_IMAGE,
    K_CAPTION,
    K_CREDIT,
    K_ALT,
    K_STATUS,
    K_COMMENTS,
    K_COUNT
} story_key;

static const char *const key_names[K_COUNT] = {
    "headline", "kicker",  "lead",   "topics", "slug",   "published", "authors",
    "image",    "caption", "credit", "alt",    "status", "comments",
};

static const char KNOWN_KEYS[] = "headline, kicker, lead, topics, slug, published, authors, "
                                 "image, caption, credit, alt, status, comments";

/* Walks the file line by line. */
typedef struct {
    arena *a;
    const char *text;
    size_t len, pos;
    int line;          /* number of the line last returned */
    int seen[K_COUNT]; /* line each key was given on, 0 when not yet */
    content_story *out;
    content_error *err;
} story_reader;

static bool fail(story_reader *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(story_reader *r, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
    va_end(ap);
    r->err->line = line;
    return false;
}

/* The next line without its "\n" / "\r\n"; false at the end of the text. */
static bool next_line(story_reader *r, const char **line, size_t *n)
{
    if (r->pos >= r->len) return false;
    const char *s = r->text + r->pos;
    const char *nl = memchr(s, '\n', r->len - r->pos);
    size_t len = nl ? (size_t)(nl - s) : r->len - r->pos;
    r->pos += len + (nl ? 1 : 0);
    if (len > 0 && s[len - 1] == '\r') len--;
    r->line++;
    *line = s;
    *n = len;
    return true;
}

static bool is_fence(const char *line, size_t n)
{
    while (n > 0 && text_is_blank(line[n - 1]))
        n--;
    return n == 3 && memcmp(line, "---", 3) == 0;
}

/* Splits "a, b,,c" into trimmed, non-empty arena strings. */
static const char **split_list(arena *a, const char *v, size_t *count)
{
    size_t max = 1;
    for (const char *p = v; *p; p++)
        max += *p == ',';
    const char **items = arena_alloc(a, max * sizeof *items);
    *count = 0;
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *item = text_trim_blanks(p, &n);
        if (n > 0) items[(*count)++] = arena_strndup(a, item, n);
        if (!comma) break;
        p = comma + 1;
    }
    return *count ? items : NULL;
}

static bool set_checked(story_reader *r, story_key k, const char *v)
{
    content_story *s = r->out;
    if (k == K_SLUG) {
        if (!content_slug_is_valid(v))
            return fail(r, r->line,
                        "bad slug '%.80s' (expected lower-case letters and digits in words "
                        "joined by '-', at most 80 bytes)",
                        v);
        s->slug = v;
    } else if (k == K_PUBLISHED) {
        if (!content_parse_time(v, &s->published))
            return fail(r, r->line,
                        "bad published time '%.60s' (expected RFC 3339, e.g. "
                        "2023-10-26T09:30:00Z or 2023-10-26T12:30:00+03:00)",
                        v);
    } else if (k == K_STATUS) {
        if (strcmp(v, "draft") != 0 && strcmp(v, "scheduled") != 0 && strcmp(v, "published") != 0)
            return fail(r, r->line, "bad status '%.60s' (expected draft, scheduled or published)",
                        v);
        s->status = v;
    } else if (k == K_COMMENTS) {
        char *end;
        unsigned long days = strtoul(v, &end, 10);
        bool is_days = v[0] >= '0' && v[0] <= '9' && *end == '\0' && days >= 1 && days <= 36500;
        if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0 && !is_days)
            return fail(r, r->line,
                        "bad comments value '%.60s' (expected on, off, or a number of days from "
                        "1 to 36500)",
                        v);
        s->comments_off = strcmp(v, "off") == 0;
        s->comments_days = is_days ? (unsigned)days : 0;
    }
    return true;
}

/* Stores the value v (trimmed, not empty) of key k given on the current line. */
static bool set_value(story_reader *r, story_key k, const char *v)
{
    content_story *s = r->out;
    switch (k) {
    case K_HEADLINE:
        s->headline = v;
        break;
    case K_KICKER:
        s->kicker = v;
        break;
    case K_LEAD:
        s->lead = v;
        break;
    case K_IMAGE:
        s->image = v;
        break;
    case K_CAPTION:
        s->caption = v;
        break;
    case K_CREDIT:
        s->credit = v;
        break;
    case K_ALT:
        s->alt = v;
        break;
    case K_TOPICS:
        s->topics = split_list(r->a, v, &s->n_topics);
        break;
    case K_AUTHORS:
        s->authors = split_list(r->a, v, &s->n_authors);
        break;
    default:
        return set_checked(r, k, v);
    }
    return true;
}

/* One line inside the front matter. */
static bool parse_field(story_reader *r, const char *line, size_t n)
{
    line = text_trim_blanks(line, &n);
    if (n == 0 || line[0] == '#') return true;
    const char *colon = memchr(line, ':', n);
    if (!colon)
        return fail(r, r->line, "expected 'key: value', found '%.*s'", n > 60 ? 60 : (int)n, line);
    size_t klen = (size_t)(colon - line);
    const char *key = text_trim_blanks(line, &klen);
    story_key k = 0;
    while (k < K_COUNT && !(strlen(key_names[k]) == klen && !memcmp(key_names[k], key, klen)))
        k++;
    if (k == K_COUNT)
        return fail(r, r->line, "unknown key '%.*s' (known keys: %s)", klen > 40 ? 40 : (int)klen,
                    key, KNOWN_KEYS);
    if (r->seen[k])
        return fail(r, r->line, "duplicate key '%s' (first given on line %d)", key_names[k],
                    r->seen[k]);
    r->seen[k] = r->line;
    size_t vlen = n - (size_t)(colon + 1 - line);
    const char *value = text_trim_blanks(colon + 1, &vlen);
    if (vlen == 0) {
        if (k == K_HEADLINE) return fail(r, r->line, "the headline is empty");
        return true; /* an empty optional value means "not given" */
    }
    return set_value(r, k, arena_strndup(r->a, value, vlen));
}

/* The block between the opening and the closing "---". */
static bool parse_front_matter(story_reader *r)
{
    const char *line;
    size_t n;
    if (!next_line(r, &line, &n) || !is_fence(line, n))
        return fail(r, 1, "the file must start with a '---' line opening the front matter");
    int open = r->line;
    /* Look for the closing fence first: without it, every body line would be misread as a
     * bad field, which is a confusing error. */
    story_reader ahead = *r;
    do {
        if (!next_line(&ahead, &line, &n))
            return fail(r, open, "the front matter opened on line %d is not closed by a '---' line",
                        open);
    } while (!is_fence(line, n));
    while (next_line(r, &line, &n) && !is_fence(line, n))
        if (!parse_field(r, line, n)) return false;
    if (!r->seen[K_HEADLINE]) return fail(r, open, "missing required key 'headline'");
    if (r->out->status && strcmp(r->out->status, "scheduled") == 0 && !r->out->published)
        return fail(r, r->seen[K_STATUS], "status 'scheduled' needs a 'published' time");
    return true;
}

/* Rejects NUL bytes and invalid UTF-8, naming the line. */
static bool check_encoding(story_reader *r)
{
    const char *line;
    size_t n;
    while (r->pos < r->len) {
        size_t start = r->pos;
        next_line(r, &line, &n);
        size_t raw = r->pos - start;
        if (memchr(r->text + start, '\0', raw))
            return fail(r, r->line, "the line contains a NUL byte");
        if (!content_utf8_valid(r->text + start, raw))
            return fail(r, r->line, "the line is not valid UTF-8");
    }
    r->pos = 0;
    r->line = 0;
    return true;
}

/* The body with CRLF line endings turned into LF. */
static const char *copy_body(arena *a, const char *s, size_t n)
{
    char *body = arena_alloc(a, n + 1), *d = body;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')) *d++ = s[i];
    *d = '\0';
    return body;
}

bool content_parse_story(arena *a, const char *text, size_t len, content_story *out,
                         content_error *err)
{
    content_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    story_reader r = {
        .a = a, .text = text ? text : "", .len = text ? len : 0, .out = out, .err = err};
    if (!check_encoding(&r)) return false;
    if (r.len >= 3 && memcmp(r.text, "\xEF\xBB\xBF", 3) == 0) r.pos = 3; /* byte-order mark */
    if (!parse_front_matter(&r)) return false;
    if (!out->status) out->status = "published";
    out->body = copy_body(a, r.text + r.pos, r.len - r.pos);
    return true;
}
