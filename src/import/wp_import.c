/* wp_import.c — the WordPress import (wp_import.h): what each element of a WXR export becomes
 * in Gazette, pass by pass, with the counts and messages of the report. Attachments are
 * copied by wp_media.c. */
#include "wp_import.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../content/content.h"
#include "../content/html_sanitize.h"
#include "../content/wordpress.h"
#include "../store/store_import.h"
#include "wp_media.h"
#include "wxr_reader.h"

/* A category as the export declares it: its place in the hierarchy makes its old URL. */
typedef struct {
    char *nicename, *parent, *slug;
    long long topic_id, wp_id;
} wp_category;

typedef struct {
    store *s;
    store_import *im;
    arena *a;    /* the report's strings */
    arena *item; /* one element's strings, reset after each */
    const wp_import_options *o;
    wp_import_report *r;
    wp_category *categories;
    size_t n_categories, cap_categories;
    size_t batch;         /* objects written since the last commit */
    long long file_size;  /* bytes, for the progress bar */
    int pass;             /* 0 or 1 */
    size_t last_progress; /* the last position told to the progress bar */
    bool store_failed;    /* a write failed: nothing more is written */
} importer;

/* ---- Report ------------------------------------------------------------------------------ */
static void note(importer *im, long line, bool skipped, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void note(importer *im, long line, bool skipped, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wp_import_message *m = arena_alloc(im->a, sizeof *m);
    m->line = line;
    m->skipped = skipped;
    m->text = arena_vprintf(im->a, fmt, ap);
    va_end(ap);
    if (im->r->last)
        im->r->last->next = m;
    else
        im->r->messages = m;
    im->r->last = m;
    if (skipped)
        im->r->n_skipped++;
    else
        im->r->n_warnings++;
}

static const char *const left_out_names[8] = {"menu items",
                                              "revisions",
                                              "trashed or auto-draft items",
                                              "pingbacks and trackbacks",
                                              "other post types",
                                              "other taxonomies",
                                              "",
                                              ""};
enum { LO_MENU, LO_REVISION, LO_TRASH, LO_PINGBACK, LO_TYPE, LO_TAXONOMY };

static void left_out(importer *im, int why)
{
    im->r->counts[WPC_LEFT_OUT]++;
    im->r->left_out_by_type[why]++;
}

/* A store failure ends the import: what is committed stays, the batch in progress goes. */
static bool stored(importer *im, store_status st, long line, const char *what)
{
    if (st == STORE_OK) return true;
    if (!im->store_failed)
        snprintf(im->r->fatal, sizeof im->r->fatal, "line %ld: %s: %s (%s)", line, what,
                 store_import_error(im->im), store_strerror(st));
    im->store_failed = true;
    return false;
}

/* Counts one object written; commits the batch when it is full. */
static void written(importer *im, long line)
{
    if (++im->batch < WP_IMPORT_BATCH) return;
    im->batch = 0;
    stored(im, store_import_checkpoint(im->im), line, "committing a batch");
}

static void progress(importer *im, long long bytes, bool force)
{
    if (!im->o->progress) return;
    size_t total = (size_t)(im->file_size > 0 ? im->file_size * 2 : 2);
    size_t done = (size_t)(im->pass * (im->file_size > 0 ? im->file_size : 1) + bytes);
    if (done > total) done = total;
    if (!force && done - im->last_progress < total / 200 + 1) return;
    im->last_progress = done;
    im->o->progress(im->o->progress_ctx, done, total);
}

/* ---- Small conversions -------------------------------------------------------------------- */
static long long number(const char *text)
{
    if (!text) return 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
        end++;
    return *end == '\0' && v > 0 ? v : 0;
}

static bool empty(const char *s)
{
    return !s || !*s;
}

/* %XX escapes decoded (WordPress writes non-ASCII nicenames and post names that way). */
static char *percent_decode(arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned hi, lo;
        if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%1x%1x", &hi, &lo) == 2 && (hi || lo)) {
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return content_utf8_valid(out, strlen(out)) ? out : arena_strdup(a, s);
}

/* Our slug for a WordPress name: the name itself when it is one, else made from it or from
 * the title, else prefix-ID. */
static const char *slug_for(arena *a, const char *wp_name, const char *title, const char *prefix,
                            long long id)
{
    if (wp_name && content_slug_is_valid(wp_name)) return wp_name;
    const char *s = wp_name ? content_slugify(a, percent_decode(a, wp_name)) : "";
    if (!*s && title) s = content_slugify(a, title);
    return *s ? s : arena_printf(a, "%s-%lld", prefix, id);
}

/* Plain text of a bit of HTML, keeping its line breaks (comments are stored as text). */
static char *plain_text(arena *a, const char *html)
{
    size_t n = strlen(html);
    char *out = arena_alloc(a, n + 1), *o = out;
    static const struct {
        const char *entity, *text;
    } entities[] = {{"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
                    {"&#39;", "'"}, {"&#039;", "'"}, {"&nbsp;", " "}};
    for (size_t i = 0; i < n;) {
        if (html[i] == '<') {
            bool para = strncmp(html + i, "</p", 3) == 0 || strncmp(html + i, "<br", 3) == 0;
            const char *close = strchr(html + i, '>');
            i = close ? (size_t)(close - html) + 1 : n;
            if (para) *o++ = '\n';
            continue;
        }
        bool done = false;
        for (size_t k = 0; k < sizeof entities / sizeof entities[0] && !done; k++) {
            size_t len = strlen(entities[k].entity);
            if (strncmp(html + i, entities[k].entity, len) == 0) {
                size_t tl = strlen(entities[k].text);
                memcpy(o, entities[k].text, tl);
                o += tl;
                i += len;
                done = true;
            }
        }
        if (!done) *o++ = html[i++];
    }
    *o = '\0';
    /* trim */
    char *start = out;
    while (*start == ' ' || *start == '\n' || *start == '\t' || *start == '\r')
        start++;
    size_t len = strlen(start);
    while (len && (start[len - 1] == ' ' || start[len - 1] == '\n' || start[len - 1] == '\t' ||
                   start[len - 1] == '\r'))
        start[--len] = '\0';
    return start;
}

/* A post's or comment's time: the GMT field, else the local one read in the site's zone. */
static bool wp_time(const char *gmt, const char *local, long long *out)
{
    return content_wp_time_utc(gmt, out) || content_wp_time_local(local, out);
}

static void redirect(importer *im, const char *old, bool decode, const char *target, long line)
{
    if (im->store_failed || !old) return;
    char *key = content_redirect_key(im->item, old, decode);
    if (!key || strcmp(key, "/") == 0) return;
    char *target_key = content_redirect_key(im->item, target, false);
    if (target_key && strcmp(key, target_key) == 0) return; /* the same place: no loop */
    if (stored(im, store_import_redirect(im->im, key, target), line, "saving a redirect"))
        im->r->counts[WPC_REDIRECTS]++;
}

/* ---- Pass 1: authors, terms, attachments --------------------------------------------------- */
static void import_author(importer *im, xmlNode *n, long line)
{
    const char *login = wxr_child(im->item, n, WXR_NS_WP, "author_login");
    if (empty(login)) return note(im, line, true, "an author without wp:author_login");
    const char *display = wxr_child(im->item, n, WXR_NS_WP, "author_display_name");
    if (empty(display)) display = login;
    store_import_login u = {login, wxr_child(im->item, n, WXR_NS_WP, "author_email"), display,
                            slug_for(im->item, NULL, login, "author",
                                     number(wxr_child(im->item, n, WXR_NS_WP, "author_id")))};
    if (!*content_slugify(im->item, login))
        u.author_slug = slug_for(im->item, NULL, display, "author", 0);
    long long author_id;
    bool created;
    if (!stored(im, store_import_user(im->im, im->item, &u, &author_id, &created), line,
                "saving an author"))
        return;
    if (!created) {
        im->r->counts[WPC_ALREADY]++;
        return;
    }
    im->r->counts[WPC_AUTHORS]++;
    im->r->counts[WPC_USERS]++;
    written(im, line);
}

/* A category or tag: the topic with its slug (made when missing). */
static void import_term(importer *im, long line, bool is_tag, long long wp_id, const char *wp_slug,
                        const char *name, const char *description, const char *parent)
{
    if (empty(name) && empty(wp_slug))
        return note(im, line, true, "a %s without a name or slug", is_tag ? "tag" : "category");
    if (empty(name)) name = wp_slug;
    const char *slug = slug_for(im->item, wp_slug, name, is_tag ? "tag" : "topic", wp_id);
    long long id;
    bool created;
    store_import_mapping before;
    bool mapped = wp_id && store_import_lookup(im->im, im->item, is_tag ? "tag" : "category", wp_id,
                                               &before) == STORE_OK;
    if (!stored(im, store_import_topic(im->im, slug, name, description, &id, &created), line,
                "saving a topic"))
        return;
    if (created) { /* a category and a tag of the same slug are one topic */
        im->r->counts[is_tag ? WPC_TAGS : WPC_TOPICS]++;
        written(im, line);
    } else if (mapped) {
        im->r->counts[WPC_ALREADY]++;
    }
    if (wp_id && !mapped)
        stored(im,
               store_import_remember(im->im, is_tag ? "tag" : "category", wp_id,
                                     &(store_import_mapping){.local_id = id}),
               line, "writing the import map");
    const char *target = arena_printf(im->item, "/topic/%s/", slug);
    const char *feed = arena_printf(im->item, "/topic/%s/feed.xml", slug);
    if (is_tag) {
        redirect(im, arena_printf(im->item, "/tag/%s/", wp_slug ? wp_slug : slug), true, target,
                 line);
        redirect(im, arena_printf(im->item, "/tag/%s/feed/", wp_slug ? wp_slug : slug), true, feed,
                 line);
        redirect(im, arena_printf(im->item, "/?tag=%s", wp_slug ? wp_slug : slug), true, target,
                 line);
        return;
    }
    if (wp_id) redirect(im, arena_printf(im->item, "/?cat=%lld", wp_id), false, target, line);
    if (im->n_categories == im->cap_categories) {
        im->cap_categories = im->cap_categories ? im->cap_categories * 2 : 64;
        im->categories = realloc(im->categories, im->cap_categories * sizeof *im->categories);
        if (!im->categories) abort();
    }
    im->categories[im->n_categories++] = (wp_category){
        strdup(wp_slug ? wp_slug : slug), strdup(parent ? parent : ""), strdup(slug), id, wp_id};
}

static void import_category_element(importer *im, xmlNode *n, long line)
{
    arena *a = im->item;
    import_term(im, line, false, number(wxr_child(a, n, WXR_NS_WP, "term_id")),
                wxr_child(a, n, WXR_NS_WP, "category_nicename"),
                wxr_child(a, n, WXR_NS_WP, "cat_name"),
                wxr_child(a, n, WXR_NS_WP, "category_description"),
                wxr_child(a, n, WXR_NS_WP, "category_parent"));
}

static void import_tag_element(importer *im, xmlNode *n, long line)
{
    arena *a = im->item;
    import_term(im, line, true, number(wxr_child(a, n, WXR_NS_WP, "term_id")),
                wxr_child(a, n, WXR_NS_WP, "tag_slug"), wxr_child(a, n, WXR_NS_WP, "tag_name"),
                wxr_child(a, n, WXR_NS_WP, "tag_description"), NULL);
}

/* wp:term (WXR 1.1+): categories and tags again in another form, and other taxonomies. */
static void import_term_element(importer *im, xmlNode *n, long line)
{
    arena *a = im->item;
    const char *taxonomy = wxr_child(a, n, WXR_NS_WP, "term_taxonomy");
    bool is_tag = taxonomy && strcmp(taxonomy, "post_tag") == 0;
    if (!taxonomy || (!is_tag && strcmp(taxonomy, "category") != 0))
        return left_out(im, LO_TAXONOMY);
    import_term(im, line, is_tag, number(wxr_child(a, n, WXR_NS_WP, "term_id")),
                wxr_child(a, n, WXR_NS_WP, "term_slug"), wxr_child(a, n, WXR_NS_WP, "term_name"),
                wxr_child(a, n, WXR_NS_WP, "term_description"),
                wxr_child(a, n, WXR_NS_WP, "term_parent"));
}

/* The value of the post's meta key, or NULL. */
static const char *meta(arena *a, xmlNode *item, const char *key)
{
    for (xmlNode *c = item->children; c; c = c->next) {
        if (!wxr_is(c, WXR_NS_WP, "postmeta")) continue;
        const char *k = wxr_child(a, c, WXR_NS_WP, "meta_key");
        if (k && strcmp(k, key) == 0) return wxr_child(a, c, WXR_NS_WP, "meta_value");
    }
    return NULL;
}

static void import_attachment(importer *im, xmlNode *n, long line)
{
    arena *a = im->item;
    long long id = number(wxr_child(a, n, WXR_NS_WP, "post_id"));
    if (!id) return note(im, line, true, "an attachment without wp:post_id");
    store_import_mapping m;
    store_status st = store_import_lookup(im->im, a, "attachment", id, &m);
    if (st == STORE_OK) {
        im->r->counts[WPC_ALREADY]++;
        return;
    }
    if (!stored(im, st == STORE_NOT_FOUND ? STORE_OK : st, line, "reading the import map")) return;
    const char *remote = wxr_child(a, n, WXR_NS_WP, "attachment_url");
    const char *file = meta(a, n, "_wp_attached_file");
    m = (store_import_mapping){.local_id = number(wxr_child(a, n, WXR_NS_WP, "post_parent"))};
    m.caption = wxr_child(a, n, WXR_NS_EXCERPT, "encoded");
    if (m.caption) m.caption = content_excerpt(a, m.caption, SIZE_MAX);
    if (empty(m.caption)) m.caption = NULL;
    m.alt = meta(a, n, "_wp_attachment_image_alt");
    if (empty(m.alt)) m.alt = NULL;
    if (im->o->uploads_dir) {
        char why[300] = "";
        m.url =
            wp_media_copy(a, im->o->uploads_dir, im->o->media_dir, file, remote, why, sizeof why);
        if (!m.url)
            note(im, line, false, "attachment %lld: not copied (%s); kept as its remote URL", id,
                 why);
    }
    bool local = m.url != NULL;
    if (!m.url && remote &&
        (strncmp(remote, "http://", 7) == 0 || strncmp(remote, "https://", 8) == 0))
        m.url = remote;
    if (!m.url) return note(im, line, true, "attachment %lld: no file and no http(s) URL", id);
    if (!stored(im, store_import_remember(im->im, "attachment", id, &m), line,
                "writing the import map"))
        return;
    im->r->counts[local ? WPC_ATTACHMENTS_COPIED : WPC_ATTACHMENTS_REMOTE]++;
    if (local) redirect(im, wxr_child(a, n, WXR_NS_NONE, "link"), true, m.url, line);
    if (local && remote) redirect(im, remote, true, m.url, line);
    written(im, line);
}

/* Parents of categories (known once all are read) and the old category URLs, which spell the
 * whole path of nicenames: /category/parent/child/. */
static void finish_categories(importer *im)
{
    for (size_t i = 0; i < im->n_categories && !im->store_failed; i++) {
        wp_category *c = &im->categories[i];
        const char *path = "";
        const wp_category *at = c;
        for (int depth = 0; at && depth < 20; depth++) { /* a cycle stops at 20 levels */
            path = arena_printf(im->item, "/%s%s", at->nicename, path);
            const wp_category *parent = NULL;
            for (size_t k = 0; *at->parent && k < im->n_categories; k++)
                if (strcmp(im->categories[k].nicename, at->parent) == 0)
                    parent = &im->categories[k];
            if (at == c && parent)
                stored(im, store_import_topic_set_parent(im->im, c->topic_id, parent->topic_id), 0,
                       "setting a topic's parent");
            at = parent;
        }
        const char *target = arena_printf(im->item, "/topic/%s/", c->slug);
        const char *feed = arena_printf(im->item, "/topic/%s/feed.xml", c->slug);
        redirect(im, arena_printf(im->item, "/category%s/", path), true, target, 0);
        redirect(im, arena_printf(im->item, "/category%s/feed/", path), true, feed, 0);
        redirect(im, arena_printf(im->item, "/category/%s/", c->nicename), true, target, 0);
        redirect(im, arena_printf(im->item, "/category/%s/feed/", c->nicename), true, feed, 0);
        arena_reset(im->item);
    }
    static const char *const feeds[][2] = {{"/feed/", "/feed.xml"},
                                           {"/feed/rss2/", "/feed.xml"},
                                           {"/feed/atom/", "/feed.xml"},
                                           {"/rss/", "/feed.xml"},
                                           {"/comments/feed/", "/comments/feed.xml"}};
    for (size_t i = 0; i < sizeof feeds / sizeof feeds[0]; i++)
        redirect(im, feeds[i][0], false, feeds[i][1], 0);
}

/* ---- Pass 2: posts, pages and their comments ----------------------------------------------- */
/* The gallery shortcode's lookup (html_sanitize.h): attachments imported in pass 1. */
static bool attachment_lookup(void *ctx, long long wp_id, const char **url, const char **caption,
                              const char **alt)
{
    importer *im = ctx;
    store_import_mapping m;
    if (store_import_lookup(im->im, im->item, "attachment", wp_id, &m) != STORE_OK) return false;
    *url = m.url;
    if (caption) *caption = m.caption;
    if (alt) *alt = m.alt;
    return true;
}

/* The topics of an item: categories first (the first is the primary topic), then tags. */
static size_t item_topics(importer *im, xmlNode *n, long line, long long *ids, size_t max)
{
    size_t count = 0;
    for (int want_tags = 0; want_tags < 2; want_tags++) {
        for (xmlNode *c = n->children; c && count < max; c = c->next) {
            if (!wxr_is(c, WXR_NS_NONE, "category")) continue;
            xmlChar *domain = xmlGetProp(c, (const xmlChar *)"domain");
            xmlChar *nicename = xmlGetProp(c, (const xmlChar *)"nicename");
            bool is_tag = domain && strcmp((const char *)domain, "post_tag") == 0;
            bool is_cat = !domain || strcmp((const char *)domain, "category") == 0;
            if ((want_tags ? is_tag : is_cat)) {
                const char *name = wxr_text(im->item, c);
                const char *wp_slug =
                    nicename ? arena_strdup(im->item, (const char *)nicename) : NULL;
                const char *slug = slug_for(im->item, wp_slug, name, is_tag ? "tag" : "topic", 0);
                long long id;
                bool created = false;
                if (*name || wp_slug)
                    if (stored(im,
                               store_import_topic(im->im, slug, *name ? name : slug, NULL, &id,
                                                  &created),
                               line, "saving a topic")) {
                        bool dup = false;
                        for (size_t k = 0; k < count; k++)
                            dup |= ids[k] == id;
                        if (!dup) ids[count++] = id;
                        if (created) im->r->counts[is_tag ? WPC_TAGS : WPC_TOPICS]++;
                    }
            }
            xmlFree(domain);
            xmlFree(nicename);
        }
    }
    return count;
}

/* The post's status, or false when such items are left out (trash, auto-draft, inherit). */
static bool post_status(const char *wp_status, article_status *out, wp_import_count *sub)
{
    *sub = WPC__N;
    if (!wp_status || strcmp(wp_status, "publish") == 0) {
        *out = ARTICLE_PUBLISHED;
        return true;
    }
    if (strcmp(wp_status, "future") == 0) {
        *out = ARTICLE_SCHEDULED;
        *sub = WPC_SCHEDULED;
        return true;
    }
    if (strcmp(wp_status, "draft") == 0 || strcmp(wp_status, "pending") == 0 ||
        strcmp(wp_status, "private") == 0) {
        *out = ARTICLE_DRAFT;
        *sub = WPC_DRAFTS;
        return true;
    }
    return false;
}

static comment_status comment_state(const char *approved)
{
    if (!approved || strcmp(approved, "1") == 0) return COMMENT_APPROVED;
    if (strcmp(approved, "spam") == 0) return COMMENT_SPAM;
    if (strcmp(approved, "trash") == 0 || strcmp(approved, "post-trashed") == 0)
        return COMMENT_TRASH;
    return COMMENT_PENDING;
}

/* One wp:comment; returns its local id (0 when not imported). */
static long long import_comment(importer *im, xmlNode *c, long long article_id, long line)
{
    arena *a = im->item;
    long long wp_id = number(wxr_child(a, c, WXR_NS_WP, "comment_id"));
    const char *type = wxr_child(a, c, WXR_NS_WP, "comment_type");
    if (type && (strcmp(type, "pingback") == 0 || strcmp(type, "trackback") == 0)) {
        left_out(im, LO_PINGBACK);
        return 0;
    }
    if (!wp_id) {
        note(im, line, true, "a comment without wp:comment_id");
        return 0;
    }
    store_import_mapping m;
    if (store_import_lookup(im->im, a, "comment", wp_id, &m) == STORE_OK) {
        im->r->counts[WPC_ALREADY]++;
        return 0;
    }
    const char *body = plain_text(a, wxr_child(a, c, WXR_NS_WP, "comment_content") ?: "");
    if (!*body) {
        note(im, line, true, "comment %lld is empty", wp_id);
        return 0;
    }
    long long when;
    if (!wp_time(wxr_child(a, c, WXR_NS_WP, "comment_date_gmt"),
                 wxr_child(a, c, WXR_NS_WP, "comment_date"), &when)) {
        note(im, line, false, "comment %lld has no valid date; dated now", wp_id);
        when = (long long)time(NULL);
    }
    const char *name = plain_text(a, wxr_child(a, c, WXR_NS_WP, "comment_author") ?: "");
    store_import_comment in = {.article_id = article_id,
                               .author_name = *name ? name : "Anonymous",
                               .author_email = wxr_child(a, c, WXR_NS_WP, "comment_author_email"),
                               .author_url = wxr_child(a, c, WXR_NS_WP, "comment_author_url"),
                               .body = body,
                               .ip = wxr_child(a, c, WXR_NS_WP, "comment_author_IP"),
                               .status =
                                   comment_state(wxr_child(a, c, WXR_NS_WP, "comment_approved")),
                               .created_at = when};
    if (in.author_url && strncmp(in.author_url, "http://", 7) != 0 &&
        strncmp(in.author_url, "https://", 8) != 0)
        in.author_url = NULL;
    long long id = 0;
    if (!stored(im, store_import_comment_add(im->im, &in, &id), line, "saving a comment") ||
        !stored(im,
                store_import_remember(im->im, "comment", wp_id,
                                      &(store_import_mapping){.local_id = id}),
                line, "writing the import map"))
        return 0;
    static const wp_import_count by_status[] = {WPC_COMMENTS_PENDING, WPC_COMMENTS_APPROVED,
                                                WPC_COMMENTS_SPAM, WPC_COMMENTS_TRASH};
    im->r->counts[by_status[in.status]]++;
    return id;
}

/* Every comment of the item, then their threads (a reply may come before its parent). */
static void import_comments(importer *im, xmlNode *n, long long article_id, long line)
{
    for (xmlNode *c = n->children; c && !im->store_failed; c = c->next)
        if (wxr_is(c, WXR_NS_WP, "comment")) import_comment(im, c, article_id, line);
    for (xmlNode *c = n->children; c && !im->store_failed; c = c->next) {
        if (!wxr_is(c, WXR_NS_WP, "comment")) continue;
        long long wp_id = number(wxr_child(im->item, c, WXR_NS_WP, "comment_id"));
        long long parent = number(wxr_child(im->item, c, WXR_NS_WP, "comment_parent"));
        store_import_mapping mine, theirs;
        if (!wp_id || !parent ||
            store_import_lookup(im->im, im->item, "comment", wp_id, &mine) != STORE_OK)
            continue;
        if (store_import_lookup(im->im, im->item, "comment", parent, &theirs) != STORE_OK) {
            note(im, line, false,
                 "comment %lld replies to comment %lld, which is not there; "
                 "shown as a top-level comment",
                 wp_id, parent);
            continue;
        }
        stored(im, store_import_comment_set_parent(im->im, mine.local_id, theirs.local_id), line,
               "threading a comment");
    }
}

/* The authors of an item: its dc:creator's login (a user made on the spot when the export
 * did not list it). */
static size_t item_authors(importer *im, xmlNode *n, long line, long long *ids)
{
    const char *login = wxr_child(im->item, n, WXR_NS_DC, "creator");
    if (empty(login)) return 0;
    store_import_login u = {login, NULL, login, slug_for(im->item, NULL, login, "author", 0)};
    bool created;
    if (!stored(im, store_import_user(im->im, im->item, &u, &ids[0], &created), line,
                "saving an author"))
        return 0;
    if (created) {
        im->r->counts[WPC_AUTHORS]++;
        im->r->counts[WPC_USERS]++;
    }
    return 1;
}

/* The headline: the title as plain text, or the body's first words when there is none. */
static const char *headline_of(importer *im, const char *title, const char *body_html, long line,
                               long long id)
{
    const char *h = title ? content_excerpt(im->item, title, SIZE_MAX) : "";
    if (*h) return h;
    h = body_html ? content_excerpt(im->item, body_html, 60) : "";
    note(im, line, false, "post %lld has no title; headline \"%s\"", id, *h ? h : "Untitled");
    return *h ? h : "Untitled";
}

/* Fills in the featured image from the _thumbnail_id attachment. */
static void featured_image(importer *im, xmlNode *n, long line, long long id,
                           store_import_article *art)
{
    long long thumb = number(meta(im->item, n, "_thumbnail_id"));
    if (!thumb) return;
    store_import_mapping m;
    if (store_import_lookup(im->im, im->item, "attachment", thumb, &m) != STORE_OK) {
        note(im, line, false, "post %lld: featured image %lld is not in the export", id, thumb);
        return;
    }
    art->image_url = m.url;
    art->image_caption = m.caption;
    art->image_alt = m.alt;
}

static void post_redirects(importer *im, xmlNode *n, long line, long long wp_id, bool is_page,
                           const char *slug)
{
    const char *target = arena_printf(im->item, "/%s/%s/", is_page ? "pages" : "news", slug);
    redirect(im, wxr_child(im->item, n, WXR_NS_NONE, "link"), true, target, line);
    redirect(im, arena_printf(im->item, "/?p=%lld", wp_id), false, target, line);
    if (is_page) redirect(im, arena_printf(im->item, "/?page_id=%lld", wp_id), false, target, line);
    const char *guid = wxr_child(im->item, n, WXR_NS_NONE, "guid");
    if (guid && strstr(guid, "?p=")) redirect(im, guid, true, target, line);
    const char *link = wxr_child(im->item, n, WXR_NS_NONE, "link");
    if (!is_page && link && !strchr(link, '?'))
        redirect(im, arena_printf(im->item, "%s/feed/", link), true,
                 arena_printf(im->item, "/news/%s/comments/feed.xml", slug), line);
}

enum { MAX_ITEM_TOPICS = 64, MAX_GALLERY = 200 };

/* A post or a page with its comments (one item); ~80 lines: the fields in the order an
 * article has them. */
static void import_post(importer *im, xmlNode *n, long line, bool is_page)
{
    arena *a = im->item;
    const char *kind = is_page ? "page" : "post";
    long long wp_id = number(wxr_child(a, n, WXR_NS_WP, "post_id"));
    if (!wp_id) return note(im, line, true, "a %s without wp:post_id", kind);
    store_import_mapping m;
    store_status st = store_import_lookup(im->im, a, kind, wp_id, &m);
    if (st == STORE_OK) { /* left as it is; comments added since the last export come in */
        im->r->counts[WPC_ALREADY]++;
        import_comments(im, n, m.local_id, line);
        return written(im, line);
    }
    if (!stored(im, st == STORE_NOT_FOUND ? STORE_OK : st, line, "reading the import map")) return;
    store_import_article art = {.is_page = is_page};
    wp_import_count sub;
    if (!post_status(wxr_child(a, n, WXR_NS_WP, "status"), &art.status, &sub))
        return left_out(im, LO_TRASH);
    const char *raw = wxr_child(a, n, WXR_NS_CONTENT, "encoded");
    char err[256] = "";
    long long attached[MAX_GALLERY];
    size_t n_attached = 0; /* what a [gallery] without ids shows: the post's own attachments */
    if (raw && strstr(raw, "[gallery"))
        stored(im, store_import_attached(im->im, wp_id, attached, MAX_GALLERY, &n_attached), line,
               "reading attachments");
    art.body_html = content_wordpress_to_html_attached(
        a, raw ? raw : "", raw ? strlen(raw) : 0, &content_html_default_policy, attachment_lookup,
        im, attached, n_attached, err, sizeof err);
    if (!art.body_html)
        return note(im, line, true, "%s %lld: its body cannot be read: %s", kind, wp_id, err);
    const char *title = wxr_child(a, n, WXR_NS_NONE, "title");
    art.headline = headline_of(im, title, art.body_html, line, wp_id);
    art.slug = slug_for(a, wxr_child(a, n, WXR_NS_WP, "post_name"), art.headline,
                        is_page ? "page" : "post", wp_id);
    const char *excerpt = wxr_child(a, n, WXR_NS_EXCERPT, "encoded");
    art.lead = excerpt ? content_excerpt(a, excerpt, SIZE_MAX) : NULL;
    if (!wp_time(wxr_child(a, n, WXR_NS_WP, "post_date_gmt"),
                 wxr_child(a, n, WXR_NS_WP, "post_date"), &art.published_at)) {
        art.published_at = (long long)time(NULL);
        if (art.status != ARTICLE_DRAFT)
            note(im, line, false, "%s %lld has no valid date; dated now", kind, wp_id);
    }
    const char *sticky = wxr_child(a, n, WXR_NS_WP, "is_sticky");
    art.sticky = sticky && strcmp(sticky, "1") == 0;
    const char *comments = wxr_child(a, n, WXR_NS_WP, "comment_status");
    art.comments_off = comments && strcmp(comments, "closed") == 0;
    featured_image(im, n, line, wp_id, &art);
    long long topics[MAX_ITEM_TOPICS], authors[1];
    art.topic_ids = topics;
    art.n_topics = is_page ? 0 : item_topics(im, n, line, topics, MAX_ITEM_TOPICS);
    art.author_ids = authors;
    art.n_authors = item_authors(im, n, line, authors);
    long long id = 0;
    const char *slug = NULL;
    if (im->store_failed ||
        !stored(im, store_import_article_add(im->im, a, &art, &id, &slug), line, "saving a post") ||
        !stored(im,
                store_import_remember(im->im, kind, wp_id, &(store_import_mapping){.local_id = id}),
                line, "writing the import map"))
        return;
    im->r->counts[is_page ? WPC_PAGES : WPC_POSTS]++;
    if (!is_page && sub != WPC__N) im->r->counts[sub]++;
    post_redirects(im, n, line, wp_id, is_page, slug);
    import_comments(im, n, id, line);
    written(im, line);
}

/* ---- The two passes ------------------------------------------------------------------------ */
static void pass_one(importer *im, xmlNode *n, long line)
{
    if (wxr_is(n, WXR_NS_WP, "author")) return import_author(im, n, line);
    if (wxr_is(n, WXR_NS_WP, "category")) return import_category_element(im, n, line);
    if (wxr_is(n, WXR_NS_WP, "tag")) return import_tag_element(im, n, line);
    if (wxr_is(n, WXR_NS_WP, "term")) return import_term_element(im, n, line);
    if (wxr_is(n, WXR_NS_NONE, "item")) {
        const char *type = wxr_child(im->item, n, WXR_NS_WP, "post_type");
        if (type && strcmp(type, "attachment") == 0) import_attachment(im, n, line);
    }
}

static void pass_two(importer *im, xmlNode *n, long line)
{
    if (!wxr_is(n, WXR_NS_NONE, "item")) return;
    const char *type = wxr_child(im->item, n, WXR_NS_WP, "post_type");
    if (!type) type = "post"; /* WXR 1.0 items may lack it */
    if (strcmp(type, "post") == 0 || strcmp(type, "page") == 0)
        return import_post(im, n, line, strcmp(type, "page") == 0);
    if (strcmp(type, "attachment") == 0) return;
    if (strcmp(type, "nav_menu_item") == 0 || strcmp(type, "wp_navigation") == 0)
        return left_out(im, LO_MENU);
    if (strcmp(type, "revision") == 0) return left_out(im, LO_REVISION);
    left_out(im, LO_TYPE);
}

/* Reads the export once, handing each element to visit. False when reading stopped early. */
static bool read_pass(importer *im, void (*visit)(importer *, xmlNode *, long))
{
    char err[512];
    wxr_reader *reader = wxr_open(im->o->export_path, err, sizeof err);
    if (!reader) {
        snprintf(im->r->fatal, sizeof im->r->fatal, "%s", err);
        return false;
    }
    xmlNode *n;
    long line;
    int rc;
    while (!im->store_failed && (rc = wxr_next(reader, &n, &line)) == 1) {
        visit(im, n, line);
        arena_reset(im->item);
        progress(im, wxr_bytes_read(reader), false);
    }
    bool ok = !im->store_failed && rc == 0;
    if (!im->store_failed && rc < 0 && !im->r->fatal[0])
        snprintf(im->r->fatal, sizeof im->r->fatal, "%s", wxr_error(reader));
    const char *version = wxr_version(reader);
    if (im->pass == 0 && version && strcmp(version, "1.0") != 0 && strcmp(version, "1.1") != 0 &&
        strcmp(version, "1.2") != 0)
        note(im, 0, false, "export version %s: only 1.0 to 1.2 are known; read as 1.2", version);
    if (im->pass == 0 && !version && ok)
        note(im, 0, false, "no wp:wxr_version: is this a WordPress export?");
    wxr_close(reader);
    return ok;
}

bool wp_import_run(store *s, arena *a, const wp_import_options *o, wp_import_report *report)
{
    memset(report, 0, sizeof *report);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    importer im = {.s = s, .a = a, .item = arena_new(), .o = o, .r = report};
    struct stat sb;
    im.file_size = stat(o->export_path, &sb) == 0 ? (long long)sb.st_size : 0;
    store_status st = store_import_open(s, &im.im);
    if (st == STORE_INVALID) {
        snprintf(report->fatal, sizeof report->fatal,
                 "an import writes a SQLite file: import into one, then copy it with "
                 "'gazette migrate --from FILE --to postgres://...'");
        arena_free(im.item);
        return false;
    }
    if (st != STORE_OK) {
        snprintf(report->fatal, sizeof report->fatal, "cannot write to the database: %s",
                 store_strerror(st));
        arena_free(im.item);
        return false;
    }
    bool complete = read_pass(&im, pass_one);
    if (!im.store_failed) finish_categories(&im);
    im.pass = 1;
    char first_fatal[sizeof report->fatal];
    memcpy(first_fatal, report->fatal, sizeof first_fatal);
    if (!im.store_failed) complete = read_pass(&im, pass_two) && complete;
    if (first_fatal[0]) memcpy(report->fatal, first_fatal, sizeof first_fatal);
    progress(&im, im.file_size, true);
    st = store_import_close(im.im, !im.store_failed);
    if (st != STORE_OK && !report->fatal[0])
        snprintf(report->fatal, sizeof report->fatal, "committing the last batch: %s",
                 store_strerror(st));
    for (size_t i = 0; i < im.n_categories; i++) {
        free(im.categories[i].nicename);
        free(im.categories[i].parent);
        free(im.categories[i].slug);
    }
    free(im.categories);
    arena_free(im.item);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    report->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return complete && !report->fatal[0] && report->n_skipped == 0;
}

void wp_import_report_print(FILE *out, const wp_import_report *r)
{
    const long long *c = r->counts;
    fprintf(out,
            "imported: %lld posts (%lld drafts, %lld scheduled), %lld pages, %lld topics from "
            "categories, %lld from tags, %lld authors, %lld users (no password yet)\n",
            c[WPC_POSTS], c[WPC_DRAFTS], c[WPC_SCHEDULED], c[WPC_PAGES], c[WPC_TOPICS], c[WPC_TAGS],
            c[WPC_AUTHORS], c[WPC_USERS]);
    fprintf(out, "comments: %lld approved, %lld pending, %lld spam, %lld trash\n",
            c[WPC_COMMENTS_APPROVED], c[WPC_COMMENTS_PENDING], c[WPC_COMMENTS_SPAM],
            c[WPC_COMMENTS_TRASH]);
    fprintf(out, "attachments: %lld copied, %lld kept as remote URLs; %lld redirects\n",
            c[WPC_ATTACHMENTS_COPIED], c[WPC_ATTACHMENTS_REMOTE], c[WPC_REDIRECTS]);
    fprintf(out, "already imported (left as they are): %lld\n", c[WPC_ALREADY]);
    fprintf(out, "left out by design: %lld", c[WPC_LEFT_OUT]);
    const char *sep = " (";
    for (int i = 0; i < 8; i++)
        if (r->left_out_by_type[i]) {
            fprintf(out, "%s%lld %s", sep, r->left_out_by_type[i], left_out_names[i]);
            sep = ", ";
        }
    fprintf(out, "%s\n", *sep == ',' ? ")" : "");
    fprintf(out, "skipped: %zu, warnings: %zu\n", r->n_skipped, r->n_warnings);
    for (const wp_import_message *m = r->messages; m; m = m->next) {
        if (m->line)
            fprintf(out, "  %s line %ld: %s\n", m->skipped ? "skipped" : "warning", m->line,
                    m->text);
        else
            fprintf(out, "  %s: %s\n", m->skipped ? "skipped" : "warning", m->text);
    }
    if (r->fatal[0])
        fprintf(out,
                "stopped: %s\nwhat came before was imported; fix the file (or get a new "
                "export) and run the same command again to import the rest\n",
                r->fatal);
    fprintf(out, "took %.2f s\n", r->seconds);
}
