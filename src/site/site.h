/* site.h — the public site: the application state every handler receives (store, theme,
 * settings), the route table that is the site's map, and the page handlers. */
#ifndef GAZETTE_SITE_H
#define GAZETTE_SITE_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "../comments/comments.h"
#include "../related/related.h"

#include "../http/http.h"
#include "freshness.h"
#include "live.h"
#include "story_views.h"
#include "../store/store.h"
#include "../theme/theme.h"

typedef struct site_config {
    const char *name; /* "The Port Alder Courier" */
    const char *tagline;
    const char *language;  /* "en" */
    const char *base_url;  /* "http://127.0.0.1:8080", no trailing slash */
    const char *media_dir; /* served at /media/, NULL for none */
    size_t page_size;      /* stories per list page */
} site_config;

/* Comment settings, read from the settings snapshot on each use (docs/settings.md). */
typedef struct site_comment_settings {
    moderation_mode moderation;
    unsigned max_depth, close_after_days, max_links, min_seconds, max_age_seconds;
    const char *blocked_words, *blocked_ips;
} site_comment_settings;

/* The related-stories index and how many stories the build put in it (the index knows
 * which; slugs are read from the store when needed, not kept: 100,000 of them are megabytes). */
typedef struct related_catalog {
    related_index *index;
    size_t n;
} related_catalog;
typedef struct site_related site_related;
typedef struct site_push site_push;

/* A copy of something read from the store, good while content_version has not moved. */
typedef struct site_snapshot {
    json_t *value; /* NULL until first read */
    unsigned long version;
} site_snapshot;

typedef struct site_newsletter site_newsletter; /* newsletter.c */
struct auth_throttle;                           /* admin/auth.h */
struct media_pipeline;                          /* media/media.h */

typedef struct site_app {
    store *store;
    theme *theme;
    site_config config;
    json_t *assets;                               /* theme_assets_json, built once */
    unsigned char comment_key[COMMENT_KEY_BYTES]; /* signs comment form tokens */
    comment_rate_limiter *comment_limiter;
    atomic_ulong comments_refused; /* comments refused by the anti-spam checks, since start */
    site_newsletter *newsletter;   /* sign-up rate limiter and token key (site/newsletter.c) */
    site_related *related;         /* NULL: related stories by shared topics only */
    page_cache *cache;             /* NULL: every page rendered for every request */
    site_freshness *freshness;     /* keeps cache true to the store (freshness.h) */
    site_live *live;               /* live updates (live.h); NULL: /live/ answers 404 */
    site_push *push;               /* Web Push sender and rate limit (api/push.c); NULL: none */
    /* the newsroom (admin/admin.h): its own theme (themes/admin), its assets as JSON, and the
     * login throttle; NULL until admin_start (then /admin/ answers 503) */
    theme *admin_theme;
    json_t *admin_assets;
    struct auth_throttle *login_throttle;
    /* the image pipeline behind uploads (admin/media_upload.c); NULL: uploads answer 503 */
    struct media_pipeline *media;
    /* NULL: every page reads its topic navigation from the store. The static export, which
     * renders from one snapshot, reads it once (site_nav_topics) and sets it here. */
    json_t *nav_topics;
    /* The server's copies of what every page reads but rarely changes — the topic navigation (a
     * scan of every story's primary topic) and the settings — read again when content_version
     * has moved (freshness.c moves it when stories, settings or topics change). */
    atomic_ulong content_version;
    pthread_mutex_t snapshot_lock;
    site_snapshot nav, settings;
    /* NULL: every article page is built from the store. The server keeps each story's
     * reader-independent view data here (story_views.h, article_view.c). */
    story_views *story_views;
    /* NULL: no Varnish in front; else told of every change the cache is (varnish_purge.h) */
    varnish_purger *varnish;
} site_app;

/* ---- related stories (site/related_stories.c) ------------------------------------------- */
/* Builds an index of every live story; progress (may be NULL) is told as it goes. */
bool site_related_build(store *s, const char *language, related_catalog *out,
                        void (*progress)(void *ctx, size_t done, size_t total), void *ctx,
                        char *err, size_t errlen);
void site_related_catalog_free(related_catalog *catalog);
/* Builds the index and starts the thread that rebuilds it when the database changes. */
site_related *site_related_start(store *s, const char *language, char *err, size_t errlen);
void site_related_stop(site_related *related);
/* Drops story pages (tagged "related") from cache, and the article views, whenever the index takes
 * in changes. Call before serving. */
void site_related_follow(site_related *related, page_cache *cache, story_views *views);
/* Purges story pages ("related") from the Varnish nodes too; call before serving. */
void site_related_purge_varnish(site_related *related, varnish_purger *purger);
/* The "You May Also Like" stories of article, best first (at most ARTICLE_RELATED_COUNT). */
store_status site_related_stories(site_app *app, arena *a, const store_article *article,
                                  store_article **out, size_t *n);

extern const http_route site_routes[];
extern const size_t site_n_routes;
/* The route patterns `gazette export static` writes, with how each capture is filled
 * (routes.c). */
extern const char *const site_export_patterns[];
extern const size_t site_n_export_patterns;

/* The error page for status (404 and 405 from the theme's not_found, everything else from
 * error; JSON under /api/). Leaks nothing of the error itself. */
void site_error_page(void *app, http_request *req, int status, http_response *res);

/* ---- handlers (one file each under src/site/ and src/api/) ------------------------------ */
void site_home(void *app, http_request *req, const http_params *params, http_response *res);
void site_article(void *app, http_request *req, const http_params *params, http_response *res);
void site_topic(void *app, http_request *req, const http_params *params, http_response *res);
void site_author(void *app, http_request *req, const http_params *params, http_response *res);
/* ---- imported content (site/old_links.c) -------------------------------------------------- */
/* A page (kind 'page': "About", "Contact" from a WordPress import) at /pages/{slug}/. */
void site_page(void *app, http_request *req, const http_params *params, http_response *res);
/* http_server_config.not_found: a 301 to where an old address moved (table redirects). */
bool site_redirect_old_path(void *app, http_request *req, http_response *res);
/* WordPress's id links on the home page ("/?p=12", "?page_id=", "?cat=", "?tag="): true with
 * a 301 in res when the redirects table knows where that went. */
bool site_redirect_old_query(site_app *app, http_request *req, http_response *res);
void site_asset(void *app, http_request *req, const http_params *params, http_response *res);
void site_media(void *app, http_request *req, const http_params *params, http_response *res);
void api_articles_list(void *app, http_request *req, const http_params *params, http_response *res);
void api_article_one(void *app, http_request *req, const http_params *params, http_response *res);
/* live updates over Server-Sent Events (site/live_routes.c, docs/live.md) */
void site_live_home(void *app, http_request *req, const http_params *params, http_response *res);
void site_live_topic(void *app, http_request *req, const http_params *params, http_response *res);
void site_live_story(void *app, http_request *req, const http_params *params, http_response *res);
/* the rest of the content API (api/directory.c, api/openapi.c, api/api_access.c) */
void api_topics_list(void *app, http_request *req, const http_params *params, http_response *res);
void api_topic_one(void *app, http_request *req, const http_params *params, http_response *res);
void api_authors_list(void *app, http_request *req, const http_params *params, http_response *res);
void api_author_one(void *app, http_request *req, const http_params *params, http_response *res);
void api_openapi(void *app, http_request *req, const http_params *params, http_response *res);
/* OPTIONS /api/v1/...: the CORS preflight (204) of a public API path, 404 for others. */
void api_preflight(void *app, http_request *req, const http_params *params, http_response *res);
/* For http_server_config.cache_policy (app is a site_app): API answers bypass the page cache
 * while read keys are required, and are kept per allowed CORS origin (api_access.c). */
bool api_cache_policy(void *app, http_request *req, const char **variant);
/* full-text search (site/search.c) */
void site_search(void *app, http_request *req, const http_params *params, http_response *res);
void api_search(void *app, http_request *req, const http_params *params, http_response *res);

/* ---- feeds and what search engines read (site/feed_pages.c, site/sitemaps.c) ------------- */
/* /feed.xml, /atom.xml, /feed.json, and the same under /topic/{slug}/ and /author/{slug}/ */
void site_feed_rss(void *app, http_request *req, const http_params *params, http_response *res);
void site_feed_atom(void *app, http_request *req, const http_params *params, http_response *res);
void site_feed_json(void *app, http_request *req, const http_params *params, http_response *res);
void site_robots(void *app, http_request *req, const http_params *params, http_response *res);
void site_sitemap_index(void *app, http_request *req, const http_params *params,
                        http_response *res);
void site_sitemap_file(void *app, http_request *req, const http_params *params, http_response *res);
void site_news_sitemap(void *app, http_request *req, const http_params *params, http_response *res);
/* The files under /sitemaps/ the index names ("stories-1.xml", ..., "sections.xml"). */
store_status site_sitemap_files(site_app *app, arena *a, const char ***names, size_t *n);

/* ---- comments (site/comments.c) --------------------------------------------------------- */
/* Reads (or creates, first time) the signing key and starts the rate limiter. */
bool site_comments_start(site_app *app, char *err, size_t errlen);
void site_comments_stop(site_app *app);
void site_comment_settings_load(site_app *app, arena *a, site_comment_settings *out);
/* Closed by the editor (comments: off) or older than the site's close_after_days. */
bool site_comments_closed(const site_comment_settings *cs, const store_article *article);
/* "ID-SIGNATURE": shown in the redirect after a held comment, so its writer can see it. */
char *site_held_ticket(site_app *app, arena *a, long long comment_id);
/* What a re-shown form carries: the reader's input and what was wrong with it. */
typedef struct site_comment_submission {
    const comment_form *form;
    const comment_errors *errors;
    const char *message; /* a sentence above the form, or NULL */
} site_comment_submission;
/* Adds comments, comments_open, comment_form (and the nonce cookie) to an article page view. */
void site_comments_view(site_app *app, http_request *req, const store_article *article,
                        json_t *view, const site_comment_submission *submission,
                        http_response *res);
/* The parts of site_comments_view that are the same for every reader (comments, has_comments,
 * comment_count: the approved thread); false when the store could not be read. */
bool site_comments_thread_view(site_app *app, arena *a, const store_article *article, json_t *view);
/* The comment form of a reader who is not replying, but its token (article needs its id and
 * slug). */
json_t *site_comment_form_blank(arena *a, const store_article *article);
/* The per-request parts for a reader who is not replying: comments_open and comment_form (blank
 * with a fresh token; article needs id, published_at, comments_off and comments_days). */
void site_comments_form_view(site_app *app, http_request *req, const store_article *article,
                             json_t *blank, json_t *view);
void site_comment_post(void *app, http_request *req, const http_params *params, http_response *res);
void site_comments_feed(void *app, http_request *req, const http_params *params,
                        http_response *res);
void site_article_comments_feed(void *app, http_request *req, const http_params *params,
                                http_response *res);
/* The bearer-token check of every /api/v1/admin/ endpoint: false (and a 401 in res) when the
 * request does not carry the token (admin_comments.c). */
bool api_admin_authorised(site_app *app, http_request *req, http_response *res);
void api_admin_cache(void *app, http_request *req, const http_params *params, http_response *res);
void api_admin_comments_list(void *app, http_request *req, const http_params *params,
                             http_response *res);
void api_admin_comment_action(void *app, http_request *req, const http_params *params,
                              http_response *res);
/* ---- Web Push (api/push.c, docs/push.md) ---------------------------------------------- */
/* Makes sure the site has its VAPID keys and starts the sender thread; NULL (err says why) on
 * failure. site_push_stop stops it (NULL is allowed). */
site_push *site_push_start(site_app *app, char *err, size_t errlen);
void site_push_stop(site_push *push);
void api_push_key(void *app, http_request *req, const http_params *params, http_response *res);
void api_push_subscribe(void *app, http_request *req, const http_params *params,
                        http_response *res);
void api_push_unsubscribe(void *app, http_request *req, const http_params *params,
                          http_response *res);
void api_admin_article_breaking(void *app, http_request *req, const http_params *params,
                                http_response *res);
/* GET /sw.js: the theme's service worker (assets/sw.js), at the root so that it may show
 * alerts for the whole site (site/service_worker.c). */
void site_service_worker(void *app, http_request *req, const http_params *params,
                         http_response *res);
/* The article page of the route's {slug} from its kept view (built and kept when missing):
 * false when the request needs the page built for it (a held comment, a reply, no view cache),
 * true when res is answered (article_view.c). */
bool site_article_from_view(site_app *app, http_request *req, const http_params *params,
                            http_response *res);
/* Renders the article page for article with a comment submission (status set by caller). */
void site_article_page(site_app *app, http_request *req, const store_article *article,
                       const site_comment_submission *submission, http_response *res);

/* ---- the newsletter (site/newsletter.c, site/newsletter_daily.c; docs/newsletter.md) ------ */
/* Starts the sign-up rate limiter and derives the token key (after site_comments_start). */
bool site_newsletter_start(site_app *app, char *err, size_t errlen);
void site_newsletter_stop(site_app *app);
/* The key of unsubscribe tokens (newsletter.h). */
const unsigned char *site_newsletter_key(site_app *app);
/* Adds site.newsletter {action, token} (the footer's sign-up form) when the newsletter is on. */
void site_newsletter_view(site_app *app, http_request *req, json_t *site);
void site_newsletter_page(void *app, http_request *req, const http_params *params,
                          http_response *res);
void site_newsletter_subscribe(void *app, http_request *req, const http_params *params,
                               http_response *res);
void site_newsletter_confirm_page(void *app, http_request *req, const http_params *params,
                                  http_response *res);
void site_newsletter_confirm(void *app, http_request *req, const http_params *params,
                             http_response *res);
void site_newsletter_unsubscribe_page(void *app, http_request *req, const http_params *params,
                                      http_response *res);
void site_newsletter_unsubscribe(void *app, http_request *req, const http_params *params,
                                 http_response *res);
/* The server's daily send at newsletter_hour (a thread; stop waits for a run in progress). */
typedef struct site_newsletter_timer site_newsletter_timer;
site_newsletter_timer *site_newsletter_timer_start(site_app *app, char *err, size_t errlen);
void site_newsletter_timer_stop(site_newsletter_timer *timer);

/* ---- the media library (admin/media_*.c, site/media_images.c; docs/media.md) -------------- */
/* Starts libvips and the upload pipeline (serve only); false with err. */
bool site_media_start(site_app *app, char *err, size_t errlen);
void site_media_stop(site_app *app);
/* For http_server_config.body_limit: an upload (POST /admin/media) by a signed-in author or
 * above may carry media_max_mb; anyone else's body stays under max_body. */
size_t site_body_limit(void *app, http_request *req);
void admin_media_page(void *app, http_request *req, const http_params *params, http_response *res);
void admin_media_upload(void *app, http_request *req, const http_params *params,
                        http_response *res);
void admin_media_save(void *app, http_request *req, const http_params *params, http_response *res);
void admin_media_delete(void *app, http_request *req, const http_params *params,
                        http_response *res);
/* Adds srcset (WebP and JPEG), sizes, width and height to every "image" object of the view
 * whose url is a library image (/media/library/HASH-WxH.jpg): what the templates need for a
 * responsive <picture> without layout shift. */
void site_media_images(json_t *view);

/* ---- shared by the page handlers (site/render.c) ---------------------------------------- */
/* The topics of the navigation every page shows (site.nav_topics), read from the store. */
json_t *site_nav_topics(site_app *app, arena *a);
/* The "site" and "page" objects every template gets; view is a new object to fill. */
json_t *site_json(site_app *app, http_request *req);
json_t *site_page_json(site_app *app, http_request *req, const char *page_type, const char *title,
                       const char *description);
json_t *site_view_new(site_app *app, http_request *req, const char *page_type, const char *title,
                      const char *description);
/* Renders template with view (consumed) into res as a 200 HTML page, or a 500. */
/* For http_server_config.read_begin / read_end: a page is read from one snapshot. */
void site_read_begin(void *app);
void site_read_end(void *app);
/* Lets the page cache keep a story's page: tags it with the story and the stories its "See
 * also" links name (freshness.c drops it when any of them changes). */
void site_tag_story_page(http_request *req, const store_article *article, http_response *res);
/* ---- the <head> tags for machines (site/social.c) ------------------------------------------- */
/* [{type, title, url}]: the three feeds under prefix ("/", "/topic/x/"); name the topic's or
 * author's (NULL for the site's). */
json_t *site_feed_links(site_app *app, arena *a, const char *prefix, const char *name);
/* Sets page.social (OpenGraph and Twitter card of a "website"), page.feeds (the site's feeds)
 * and page.json_ld (null) on the page object of a view: called by site_view_new. */
void site_social_defaults(site_app *app, arena *a, json_t *page, const char *title,
                          const char *description);
/* A story page: its canonical URL, OpenGraph "article" tags, card and NewsArticle JSON-LD. */
void site_social_article(site_app *app, arena *a, const store_article *article, json_t *view);
/* A topic or author page: adds its own feeds (under base, "/topic/x/") to page.feeds. */
void site_social_list(site_app *app, arena *a, json_t *view, const char *base, const char *name);
/* Sets page.canonical (and the OpenGraph URL) to the address of page n of the list whose first
 * page is base: "/topic/x/page/2/" also when the request said "?page=2". */
void site_canonical_list_page(site_app *app, http_request *req, json_t *view, const char *base,
                              size_t n);
/* Tags res with every story the view shows (objects with an integer "id" and a "headline":
 * cards, related stories, the story itself), so that a change to any of them drops the page. */
void site_tag_view_stories(http_request *req, json_t *view, http_response *res);
/* Renders the template; a page whose handler tagged it (http_cache_tag) is also tagged with
 * every story the view shows. */
void site_render(site_app *app, http_request *req, const char *template_name, json_t *view,
                 http_response *res);
/* A whole-number site setting, or fallback when it is missing or not a number up to max. */
/* A setting's text (arena copy), or NULL when unset; from the settings snapshot. */
const char *site_setting_text(site_app *app, arena *a, const char *key);
unsigned site_setting_number(site_app *app, arena *a, const char *key, unsigned fallback,
                             unsigned max);
/* Parses ?page=N (1 when absent); false for a malformed or out-of-range value. */
bool site_page_number(http_request *req, size_t *page);
/* The page of a list (home, topic, author) and the path of its first page (*base): N from a
 * path ending in /page/N/ (the route capture {n}), else ?page=N, else 1. False when res is
 * answered already: 404 for a malformed or out-of-range N ("0", "abc", "02"), a 301 to *base
 * for /page/1/. */
bool site_list_page(http_request *req, const http_params *params, size_t *page, const char **base,
                    http_response *res);
/* {"page","pages","prev_url","next_url"} or NULL when there is one page. base is the path of
 * the first page ("/", "/topic/x/"); page N > 1 is at base + "page/N/". */
json_t *site_pagination(http_request *req, const char *base, size_t page, size_t total,
                        size_t page_size);
/* The number of pages (at least 1) of the list whose first page is base ("/", "/topic/SLUG/",
 * "/author/SLUG/"), as its handler paginates it (pages.c); STORE_NOT_FOUND for another path. */
store_status site_list_page_count(site_app *app, arena *a, const char *base, size_t *pages);
/* The live story named by the route's {slug}; false (with res->status 404, or 503/500 when
 * the store fails) when there is none. */
bool site_find_article(site_app *app, http_request *req, const http_params *params,
                       store_article *out, http_response *res);
/* Maps a store failure to a response status: NOT_FOUND 404, BUSY 503, others 500. */
int site_status_for(store_status st);

#endif
