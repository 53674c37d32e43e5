/* wordpress_body.c — a WordPress post body (post_content of a WXR export) turned into HTML
 * and then sanitised (content_wordpress_to_html). Three steps, in this order:
 *
 * 1. Block comments go: every "<!-- wp:... -->" and "<!-- /wp:... -->" (the block editor's
 *    markers). A body that had any is block-editor content, whose HTML is complete: it gets
 *    no paragraphs from step 3 (WordPress does the same: has_blocks() turns wpautop off).
 *
 * 2. Shortcodes, outside HTML tags:
 *    [caption id=".." align="alignX" width=".." caption="TEXT"]IMAGE TEXT[/caption] (also
 *      [wp_caption]) becomes <figure class="wp-caption alignX">IMAGE<figcaption>TEXT
 *      </figcaption></figure>. IMAGE is the leading <img>, optionally inside <a>...</a>; the
 *      caption is the caption="" attribute, or else what follows the image. Without a caption
 *      the content is kept as it is, as WordPress does.
 *    [gallery ids="1,2,3" columns="N"] (or include="...") becomes
 *      <figure class="gallery gallery-columns-N"> holding, for each ID the lookup finds,
 *      <figure class="gallery-item"><img src alt><figcaption>CAPTION</figcaption></figure>
 *      (no figcaption when the attachment has no caption; at most GALLERY_MAX_IMAGES = 100
 *      images, the rest are left out). A gallery without ids shows the post's own attached
 *      images, as WordPress does, when the caller names them
 *      (content_wordpress_to_html_attached; exclude="..." is honoured); a gallery of another
 *      post (id="..."), without ids and without attached images, with no ID found, or when
 *      lookup is NULL, is dropped.
 *    [[caption]] / [[gallery ...]] is WordPress's escape: written as [caption] / [gallery ...].
 *    Any other [shortcode] stays as text.
 *
 * 2b. A line holding nothing but an http(s) URL (outside tags; WordPress's auto-embed) becomes
 *    a player for YouTube (youtube.com/watch?v=ID, youtu.be/ID → an <iframe> of
 *    www.youtube-nocookie.com/embed/ID) and Vimeo (vimeo.com/NUMBER → player.vimeo.com), and a
 *    link <a href="URL">URL</a> for anything else (tweets, Instagram, WordPress.tv ...), so
 *    nothing is lost. The sanitiser still checks the iframe's host against the policy.
 *
 * 3. Paragraphs, for bodies without block comments (src/content/wordpress_autop.c).
 *
 * Then content_sanitize_html makes the result safe (src/content/html_sanitize.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "content.h"
#include "html_sanitize.h"
#include "markup_scan.h"
#include "wordpress_autop.h"

/* ---- step 1: block comments ---------------------------------------------------------------- */

static bool is_block_comment(const char *s, size_t n)
{
    size_t i = 4;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '/') i++;
    return markup_starts_with_ci(s + i, n - i, "wp:");
}

/* body without its block comments into out; returns whether there were any. */
static bool drop_block_comments(const char *s, size_t n, buf *out)
{
    bool any = false;
    for (size_t i = 0; i < n;) {
        const char *lt = memchr(s + i, '<', n - i);
        size_t next = lt ? (size_t)(lt - s) : n;
        buf_append(out, s + i, next - i);
        i = next;
        if (i >= n) break;
        if (markup_starts_with_ci(s + i, n - i, "<!--")) {
            size_t e = markup_comment_end(s + i, n - i);
            if (is_block_comment(s + i, e)) {
                any = true;
                /* the newline the editor writes after a marker goes with it */
                i += e;
                if (i < n && s[i] == '\n') i++;
                continue;
            }
            buf_append(out, s + i, e);
            i += e;
            continue;
        }
        buf_putc(out, '<');
        i++;
    }
    return any;
}

/* ---- step 2: shortcodes -------------------------------------------------------------------- */

#define SHORTCODE_MAX_ATTRS 16

typedef struct {
    const char *name[SHORTCODE_MAX_ATTRS]; /* NULL for a positional value */
    const char *value[SHORTCODE_MAX_ATTRS];
    size_t n;
} shortcode_attrs;

/* Parses 'a="x" b='y' c=z "w" v' (WordPress's shortcode_parse_atts, roughly). */
static void shortcode_parse_attrs(arena *a, const char *s, size_t n, shortcode_attrs *out)
{
    out->n = 0;
    size_t i = 0;
    while (i < n && out->n < SHORTCODE_MAX_ATTRS) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i >= n) break;
        size_t ns = i;
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
            i++;
        const char *name = NULL;
        size_t j = i;
        while (j < n && isspace((unsigned char)s[j]))
            j++;
        if (i > ns && j < n && s[j] == '=') {
            char *lower = arena_strndup(a, s + ns, i - ns);
            for (char *c = lower; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            name = lower;
            i = j + 1;
            while (i < n && isspace((unsigned char)s[i]))
                i++;
        } else {
            i = ns;
        }
        size_t vs, ve;
        if (i < n && (s[i] == '"' || s[i] == '\'')) {
            char q = s[i++];
            vs = i;
            while (i < n && s[i] != q)
                i++;
            ve = i;
            if (i < n) i++;
        } else {
            vs = i;
            while (i < n && !isspace((unsigned char)s[i]))
                i++;
            ve = i;
        }
        if (ve == vs && !name) {
            i++; /* a stray character: skip it */
            continue;
        }
        out->name[out->n] = name;
        out->value[out->n] = arena_strndup(a, s + vs, ve - vs);
        out->n++;
    }
}

static const char *shortcode_attr(const shortcode_attrs *at, const char *name)
{
    for (size_t i = 0; i < at->n; i++)
        if (at->name[i] && strcmp(at->name[i], name) == 0) return at->value[i];
    return NULL;
}

static bool is_align_class(const char *v)
{
    return v && (strcmp(v, "alignleft") == 0 || strcmp(v, "alignright") == 0 ||
                 strcmp(v, "aligncenter") == 0 || strcmp(v, "alignnone") == 0);
}

/* Length of the image at the start of content (after spaces): <img ...>, or <a ...><img ...></a>.
 */
static size_t caption_image_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    bool link = false;
    if (markup_starts_with_ci(s + i, n - i, "<a ") || markup_starts_with_ci(s + i, n - i, "<a\t") ||
        markup_starts_with_ci(s + i, n - i, "<a\n")) {
        size_t e = markup_tag_end(s + i, n - i);
        if (!e) return 0;
        i += e;
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        link = true;
    }
    if (!markup_starts_with_ci(s + i, n - i, "<img")) return 0;
    size_t e = markup_tag_end(s + i, n - i);
    if (!e) return 0;
    i += e;
    if (link) {
        size_t j = i;
        while (j < n && isspace((unsigned char)s[j]))
            j++;
        if (!markup_starts_with_ci(s + j, n - j, "</a>")) return 0;
        i = j + 4;
    }
    return i;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)(*s)[0]))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static void render_caption(const shortcode_attrs *at, const char *content, size_t n, buf *out)
{
    const char *cap = shortcode_attr(at, "caption");
    size_t img_len = n, cap_len = cap ? strlen(cap) : 0;
    if (!cap || !*cap) {
        img_len = caption_image_len(content, n);
        cap = content + img_len;
        cap_len = n - img_len;
    }
    trim(&cap, &cap_len);
    if (cap_len == 0 || img_len == 0) { /* WordPress shows the content as it is */
        buf_append(out, content, n);
        return;
    }
    const char *img = content;
    trim(&img, &img_len);
    const char *align = shortcode_attr(at, "align");
    buf_puts(out, "<figure class=\"wp-caption");
    if (is_align_class(align)) {
        buf_putc(out, ' ');
        buf_puts(out, align);
    }
    buf_puts(out, "\">");
    buf_append(out, img, img_len);
    buf_puts(out, "<figcaption>");
    buf_append(out, cap, cap_len);
    buf_puts(out, "</figcaption></figure>");
}

/* At most this many images per gallery, so that a short shortcode cannot make a huge page. */
#define GALLERY_MAX_IMAGES 100

/* Where gallery images come from (the caller's arguments, passed down as one). */
typedef struct {
    content_attachment_lookup lookup;
    void *ctx;
    const long long *attached;
    size_t n_attached;
} attachment_source;

/* Appends one gallery item for attachment id; false when the lookup does not know it. */
static bool gallery_item(const attachment_source *src, long long id, buf *items)
{
    const char *url = NULL, *caption = NULL, *alt = NULL;
    if (id <= 0 || !src->lookup(src->ctx, id, &url, &caption, &alt) || !url || !*url) return false;
    buf_puts(items, "<figure class=\"gallery-item\"><img src=\"");
    buf_append_html(items, url, strlen(url));
    buf_puts(items, "\" alt=\"");
    if (alt) buf_append_html(items, alt, strlen(alt));
    buf_puts(items, "\" />");
    if (caption && *caption) {
        buf_puts(items, "<figcaption>");
        buf_append_html(items, caption, strlen(caption));
        buf_puts(items, "</figcaption>");
    }
    buf_puts(items, "</figure>");
    return true;
}

/* Whether id is one of the numbers of the list "1,2, 3". */
static bool id_listed(const char *list, long long id)
{
    for (const char *p = list; p && *p;) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (v == id) return true;
        p = end;
    }
    return false;
}

static void render_gallery(const shortcode_attrs *at, const attachment_source *src, buf *out)
{
    const char *ids = shortcode_attr(at, "ids");
    if (!ids) ids = shortcode_attr(at, "include");
    const char *exclude = shortcode_attr(at, "exclude");
    if (!src->lookup || (!ids && (src->n_attached == 0 || shortcode_attr(at, "id")))) return;
    const char *cols = shortcode_attr(at, "columns");
    int columns = cols && cols[0] >= '1' && cols[0] <= '9' && cols[1] == '\0' ? cols[0] - '0' : 3;
    buf items = {0};
    size_t found = 0;
    if (ids) {
        for (const char *p = ids; *p && found < GALLERY_MAX_IMAGES;) {
            char *end;
            long long id = strtoll(p, &end, 10);
            if (end == p) {
                p++;
                continue;
            }
            p = end;
            found += gallery_item(src, id, &items);
        }
    } else { /* the post's own attachments, as WordPress shows them */
        for (size_t i = 0; i < src->n_attached && found < GALLERY_MAX_IMAGES; i++)
            if (!id_listed(exclude, src->attached[i]))
                found += gallery_item(src, src->attached[i], &items);
    }
    if (items.len) {
        buf_printf(out, "<figure class=\"gallery gallery-columns-%d\">", columns);
        buf_append(out, items.data, items.len);
        buf_puts(out, "</figure>");
    }
    buf_free(&items);
}

/* What searches to the end of the body already failed. Shortcodes are read from left to right,
 * so a search that found nothing from one place finds nothing from any later place either:
 * remembering it keeps "[caption[caption[caption..." linear. */
typedef struct {
    bool no_bracket;        /* no ']' left */
    bool no_double_bracket; /* no "]]" left */
    bool no_close[2];       /* no "[/caption]", no "[/wp_caption]" left */
} shortcode_memo;

static const char *memo_find(bool *gone, const char *s, size_t n, const char *needle)
{
    const char *found = *gone ? NULL : memmem(s, n, needle, strlen(needle));
    if (!found) *gone = true;
    return found;
}

/* If a shortcode we handle starts at s[0] == '[', writes what it becomes and returns the
 * length it spans; 0 when it is not one (the '[' is then plain text). */
static size_t expand_shortcode(arena *a, const char *s, size_t n, const attachment_source *src,
                               shortcode_memo *memo, buf *out)
{
    bool escaped = n > 1 && s[1] == '[';
    size_t i = escaped ? 2 : 1, ns = i;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
        i++;
    char name[16];
    if (i - ns == 0 || i - ns >= sizeof name || i >= n) return 0;
    if (s[i] != ']' && s[i] != '/' && !isspace((unsigned char)s[i])) return 0;
    memcpy(name, s + ns, i - ns);
    name[i - ns] = '\0';
    bool caption = strcmp(name, "caption") == 0 || strcmp(name, "wp_caption") == 0;
    if (!caption && strcmp(name, "gallery") != 0) return 0;
    const char *close = memo_find(&memo->no_bracket, s + i, n - i, "]");
    if (!close) return 0;
    size_t open_end = (size_t)(close - s) + 1;
    if (escaped) {
        /* [[name ...]] or [[name]...[/name]]: everything up to "]]", one bracket less */
        const char *e = memo_find(&memo->no_double_bracket, s, n, "]]");
        if (!e) return 0;
        buf_append(out, s + 1, (size_t)(e - s));
        return (size_t)(e - s) + 2;
    }
    shortcode_attrs at;
    size_t attr_end = open_end - 1;
    if (attr_end > i && s[attr_end - 1] == '/') attr_end--; /* [name /] */
    shortcode_parse_attrs(a, s + i, attr_end - i, &at);
    if (!caption) {
        render_gallery(&at, src, out);
        return open_end;
    }
    char closing[24];
    snprintf(closing, sizeof closing, "[/%s]", name);
    const char *end =
        memo_find(&memo->no_close[name[0] == 'w'], s + open_end, n - open_end, closing);
    if (!end) return open_end; /* a caption without content shows nothing */
    render_caption(&at, s + open_end, (size_t)(end - (s + open_end)), out);
    return (size_t)(end - s) + strlen(closing);
}

static void expand_shortcodes(arena *a, const char *s, size_t n, const attachment_source *src,
                              buf *out)
{
    shortcode_memo memo = {0};
    for (size_t i = 0; i < n;) {
        size_t next = i;
        while (next < n && s[next] != '[' && s[next] != '<')
            next++;
        buf_append(out, s + i, next - i);
        i = next;
        if (i >= n) break;
        size_t used = 0;
        if (s[i] == '<') {
            used = markup_starts_with_ci(s + i, n - i, "<!--") ? markup_comment_end(s + i, n - i)
                                                               : markup_tag_end(s + i, n - i);
            if (used) buf_append(out, s + i, used);
        } else {
            used = expand_shortcode(a, s + i, n - i, src, &memo, out);
        }
        if (!used) {
            buf_putc(out, s[i]);
            used = 1;
        }
        i += used;
    }
}

/* ---- step 2b: lines that are a URL (WordPress's auto-embeds) -------------------------------- */

/* Length of the http(s) URL at s (up to whitespace, '<', '>' or '"'), 0 when there is none. */
static size_t bare_url_len(const char *s, size_t n)
{
    if (!markup_starts_with_ci(s, n, "http://") && !markup_starts_with_ci(s, n, "https://"))
        return 0;
    size_t i = 0;
    while (i < n && !isspace((unsigned char)s[i]) && !strchr("<>\"'", s[i]))
        i++;
    return i;
}

/* Whether s[0..n) is made of the characters of a video ID and no longer than max. */
static bool is_video_id(const char *s, size_t n, size_t max, bool digits_only)
{
    if (n == 0 || n > max) return false;
    for (size_t i = 0; i < n; i++)
        if (!(isdigit((unsigned char)s[i]) ||
              (!digits_only && (isalpha((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))))
            return false;
    return true;
}

/* The embed URL of a YouTube or Vimeo page URL, into out; false when url is neither. */
static bool video_embed_src(const char *url, size_t n, buf *out)
{
    const char *p = url + (markup_starts_with_ci(url, n, "https://") ? 8 : 7);
    size_t rest = n - (size_t)(p - url);
    static const char *const youtube[] = {"www.youtube.com/watch?", "youtube.com/watch?",
                                          "m.youtube.com/watch?"};
    for (size_t i = 0; i < 3; i++) {
        if (!markup_starts_with_ci(p, rest, youtube[i])) continue;
        const char *q = p + strlen(youtube[i]);
        const char *end = url + n;
        while (q < end) { /* the v= parameter */
            size_t len = (size_t)(end - q);
            const char *amp = memchr(q, '&', len);
            size_t plen = amp ? (size_t)(amp - q) : len;
            if (plen > 2 && q[0] == 'v' && q[1] == '=' && is_video_id(q + 2, plen - 2, 11, false)) {
                buf_puts(out, "https://www.youtube-nocookie.com/embed/");
                buf_append(out, q + 2, plen - 2);
                return true;
            }
            q += plen + (amp ? 1 : 0);
        }
        return false;
    }
    if (markup_starts_with_ci(p, rest, "youtu.be/")) {
        const char *id = p + 9;
        size_t len = strcspn(id, "?#&/");
        if (id + len > url + n) len = (size_t)(url + n - id);
        if (!is_video_id(id, len, 11, false)) return false;
        buf_puts(out, "https://www.youtube-nocookie.com/embed/");
        buf_append(out, id, len);
        return true;
    }
    if (markup_starts_with_ci(p, rest, "vimeo.com/") ||
        markup_starts_with_ci(p, rest, "www.vimeo.com/")) {
        const char *id = strchr(p, '/') + 1;
        size_t len = (size_t)(url + n - id);
        if (!is_video_id(id, len, 12, true)) return false;
        buf_puts(out, "https://player.vimeo.com/video/");
        buf_append(out, id, len);
        return true;
    }
    return false;
}

/* A line that is only a URL: a video player for YouTube and Vimeo, a link otherwise. */
static void render_bare_url(const char *url, size_t n, buf *out)
{
    buf src = {0};
    if (video_embed_src(url, n, &src)) {
        buf_puts(out, "<iframe src=\"");
        buf_append_html(out, src.data, src.len);
        buf_puts(out, "\" width=\"560\" height=\"315\" title=\"Video\" allowfullscreen></iframe>");
    } else {
        /* the URL is HTML text already (&amp; for &) and has no quote or angle bracket */
        buf_puts(out, "<a href=\"");
        buf_append(out, url, n);
        buf_puts(out, "\">");
        buf_append(out, url, n);
        buf_puts(out, "</a>");
    }
    buf_free(&src);
}

/* Copies s, turning every line that holds nothing but an http(s) URL (outside tags and
 * comments) into render_bare_url's HTML. */
static void embed_bare_urls(const char *s, size_t n, buf *out)
{
    for (size_t i = 0; i < n;) {
        if (i == 0 || s[i - 1] == '\n') {
            size_t j = i;
            while (j < n && (s[j] == ' ' || s[j] == '\t'))
                j++;
            size_t u = bare_url_len(s + j, n - j), k = j + u;
            while (u && k < n && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (u && (k == n || s[k] == '\n')) {
                buf_append(out, s + i, j - i);
                render_bare_url(s + j, u, out);
                buf_append(out, s + j + u, k - j - u);
                i = k;
                continue;
            }
        }
        size_t used = 0;
        if (s[i] == '<')
            used = markup_starts_with_ci(s + i, n - i, "<!--") ? markup_comment_end(s + i, n - i)
                                                               : markup_tag_end(s + i, n - i);
        if (!used) used = 1;
        buf_append(out, s + i, used);
        i += used;
    }
}

/* ---- the entry point ----------------------------------------------------------------------- */

char *content_wordpress_to_html(arena *a, const char *body, size_t len,
                                const content_html_policy *policy, content_attachment_lookup lookup,
                                void *ctx, char *err, size_t errlen)
{
    return content_wordpress_to_html_attached(a, body, len, policy, lookup, ctx, NULL, 0, err,
                                              errlen);
}

char *content_wordpress_to_html_attached(arena *a, const char *body, size_t len,
                                         const content_html_policy *policy,
                                         content_attachment_lookup lookup, void *ctx,
                                         const long long *attached, size_t n_attached, char *err,
                                         size_t errlen)
{
    attachment_source src = {lookup, ctx, attached, n_attached};
    if (!body) body = "";
    if (!content_utf8_valid(body, len)) {
        snprintf(err, errlen, "the post body is not valid UTF-8");
        return NULL;
    }
    buf lf = {0}, plain = {0}, expanded = {0}, html = {0};
    for (size_t i = 0; i < len; i++) /* CR LF and lone CR as LF, as WordPress does */
        if (body[i] != '\r')
            buf_putc(&lf, body[i]);
        else if (i + 1 >= len || body[i + 1] != '\n')
            buf_putc(&lf, '\n');
    bool blocks = drop_block_comments(lf.data ? lf.data : "", lf.len, &plain);
    buf_free(&lf);
    expand_shortcodes(a, plain.data ? plain.data : "", plain.len, &src, &expanded);
    buf_free(&plain);
    embed_bare_urls(expanded.data ? expanded.data : "", expanded.len, &plain);
    buf_free(&expanded);
    expanded = plain;
    const buf *final = &expanded;
    if (!blocks) {
        wordpress_autop(expanded.data ? expanded.data : "", expanded.len, &html);
        final = &html;
    }
    char *res =
        content_sanitize_html(a, final->data ? final->data : "", final->len, policy, err, errlen);
    buf_free(&expanded);
    buf_free(&html);
    return res;
}
