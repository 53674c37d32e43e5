/* routes.c — the site map: every URL Gazette answers, and the handler behind it; and the
 * patterns of those the static export writes. */
#include "site.h"

#include "../admin/admin.h"
#include "../admin/editor.h"

const http_route site_routes[] = {
    /* pages for readers */
    {"GET", "/", site_home},
    {"GET", "/page/{n}/", site_home}, /* list pages 2.. (?page=N answers too) */
    {"GET", "/news/{slug}/", site_article},
    {"GET", "/topic/{slug}/", site_topic},
    {"GET", "/topic/{slug}/page/{n}/", site_topic},
    {"GET", "/author/{slug}/", site_author},
    {"GET", "/author/{slug}/page/{n}/", site_author},
    {"GET", "/search", site_search},
    {"GET", "/pages/{slug}/", site_page}, /* imported WordPress pages (docs/import.md) */
    /* feeds (docs/feeds.md): the whole site, one topic, one author */
    {"GET", "/feed.xml", site_feed_rss},
    {"GET", "/atom.xml", site_feed_atom},
    {"GET", "/feed.json", site_feed_json},
    {"GET", "/topic/{slug}/feed.xml", site_feed_rss},
    {"GET", "/topic/{slug}/atom.xml", site_feed_atom},
    {"GET", "/topic/{slug}/feed.json", site_feed_json},
    {"GET", "/author/{slug}/feed.xml", site_feed_rss},
    {"GET", "/author/{slug}/atom.xml", site_feed_atom},
    {"GET", "/author/{slug}/feed.json", site_feed_json},
    /* for search engines (docs/feeds.md) */
    {"GET", "/robots.txt", site_robots},
    {"GET", "/sitemap.xml", site_sitemap_index},
    {"GET", "/sitemaps/{file}", site_sitemap_file},
    {"GET", "/news-sitemap.xml", site_news_sitemap},
    /* live updates, Server-Sent Events (docs/live.md) */
    {"GET", "/live", site_live_home},
    {"GET", "/live/topic/{slug}", site_live_topic},
    {"GET", "/live/news/{slug}", site_live_story},
    /* comments (docs/comments.md) */
    {"POST", "/news/{slug}/comments", site_comment_post},
    {"GET", "/news/{slug}/comments/feed.xml", site_article_comments_feed},
    {"GET", "/comments/feed.xml", site_comments_feed},
    /* the daily newsletter (docs/newsletter.md) */
    {"GET", "/newsletter/", site_newsletter_page},
    {"POST", "/newsletter/subscribe", site_newsletter_subscribe},
    {"GET", "/newsletter/confirm", site_newsletter_confirm_page},
    {"POST", "/newsletter/confirm", site_newsletter_confirm},
    {"GET", "/newsletter/unsubscribe", site_newsletter_unsubscribe_page},
    {"POST", "/newsletter/unsubscribe", site_newsletter_unsubscribe},
    /* the newsroom (docs/newsroom.md): every screen checks the role on the server */
    {"GET", "/admin/", admin_dashboard},
    {"GET", "/admin/login", admin_login_page},
    {"POST", "/admin/login", admin_login_post},
    {"POST", "/admin/logout", admin_logout},
    {"GET", "/admin/reset/{token}", admin_reset_page},
    {"POST", "/admin/reset/{token}", admin_reset_post},
    {"GET", "/admin/account", admin_account_page},
    {"POST", "/admin/account/logout-all", admin_account_logout_all},
    {"POST", "/admin/account/password", admin_account_password},
    {"GET", "/admin/assets/{file}", admin_asset},
    /* the story editor (docs/newsroom.md, "The editor") */
    {"GET", "/admin/stories", admin_stories_list},
    {"GET", "/admin/stories/new", admin_story_new},
    {"POST", "/admin/stories/new", admin_story_create},
    {"GET", "/admin/stories/{id}", admin_story_edit},
    {"POST", "/admin/stories/{id}", admin_story_save},
    {"POST", "/admin/preview", admin_story_preview},
    {"GET", "/admin/stories/{id}/revisions", admin_story_revisions},
    {"GET", "/admin/stories/{id}/revisions/{n}", admin_story_revision},
    {"POST", "/admin/stories/{id}/revisions/{n}/restore", admin_story_restore},
    {"GET", "/admin/comments", admin_comments_page},
    {"POST", "/admin/comments", admin_comments_action},
    {"GET", "/admin/comments/{id}/reply", admin_comments_reply},
    {"POST", "/admin/comments/{id}/reply", admin_comments_reply},
    {"GET", "/admin/topics", admin_topics_page},
    {"POST", "/admin/topics", admin_topics_save},
    {"GET", "/admin/settings", admin_settings_page},
    {"POST", "/admin/settings", admin_settings_save},
    {"GET", "/admin/users", admin_users_page},
    {"POST", "/admin/users", admin_users_save},
    /* the media library (docs/media.md): uploads, alt/caption/credit, delete, the picker */
    {"GET", "/admin/media", admin_media_page},
    {"POST", "/admin/media", admin_media_upload},
    {"POST", "/admin/media/{id}", admin_media_save},
    {"POST", "/admin/media/{id}/delete", admin_media_delete},
    /* files */
    {"GET", "/assets/{file}", site_asset},
    {"GET", "/media/{path*}", site_media},
    /* the content API (docs/api.md) */
    {"GET", "/api/v1/articles", api_articles_list},
    {"GET", "/api/v1/articles/{slug}", api_article_one},
    {"GET", "/api/v1/topics", api_topics_list},
    {"GET", "/api/v1/topics/{slug}", api_topic_one},
    {"GET", "/api/v1/authors", api_authors_list},
    {"GET", "/api/v1/authors/{slug}", api_author_one},
    {"GET", "/api/v1/search", api_search},
    {"GET", "/api/v1/openapi.json", api_openapi},
    /* the CORS preflight of each of them (docs/api.md) */
    {"OPTIONS", "/api/v1/articles", api_preflight},
    {"OPTIONS", "/api/v1/articles/{slug}", api_preflight},
    {"OPTIONS", "/api/v1/topics", api_preflight},
    {"OPTIONS", "/api/v1/topics/{slug}", api_preflight},
    {"OPTIONS", "/api/v1/authors", api_preflight},
    {"OPTIONS", "/api/v1/authors/{slug}", api_preflight},
    {"OPTIONS", "/api/v1/search", api_preflight},
    {"OPTIONS", "/api/v1/openapi.json", api_preflight},
    /* moderation, for the newsroom (a bearer token from 'gazette admin-token') */
    {"GET", "/api/v1/admin/comments", api_admin_comments_list},
    {"GET", "/api/v1/admin/cache", api_admin_cache},
    {"POST", "/api/v1/admin/comments/{id}/{action}", api_admin_comment_action},
    /* breaking-news alerts by Web Push (docs/push.md) */
    {"GET", "/sw.js", site_service_worker},
    {"GET", "/api/v1/push/key", api_push_key},
    {"POST", "/api/v1/push/subscriptions", api_push_subscribe},
    {"POST", "/api/v1/push/unsubscribe", api_push_unsubscribe},
    {"POST", "/api/v1/admin/articles/{slug}/breaking", api_admin_article_breaking},
};

const size_t site_n_routes = sizeof site_routes / sizeof site_routes[0];

/* What `gazette export static` writes (site/export.c, docs/export.md): the GET routes above
 * that a reader reaches by following links, as patterns whose captures the export fills with
 * every value there is: {slug} after /news/, /topic/ or /author/ with every live story, topic
 * or author (topics and authors of live stories), after /pages/ with every live imported
 * WordPress page; {n} with pages 2.. of the list the pattern
 * begins with; {file} after /assets/ with every theme asset; {path*} after /media/ with every
 * file of the media folder; {file} after /sitemaps/ with every sitemap the index names. A pattern
 * without captures is written as it is. A new feed or sitemap ("/feed.xml",
 * "/topic/{slug}/feed.xml") is exported by adding its pattern here; the export stops with an error
 * on a capture it cannot fill. Search, the API and redirects are not exported; the 404 page is
 * written as 404.html. */
const char *const site_export_patterns[] = {
    "/",
    "/page/{n}/",
    "/news/{slug}/",
    "/pages/{slug}/",
    "/news/{slug}/comments/feed.xml",
    "/topic/{slug}/",
    "/topic/{slug}/page/{n}/",
    "/author/{slug}/",
    "/author/{slug}/page/{n}/",
    "/comments/feed.xml",
    "/feed.xml",
    "/atom.xml",
    "/feed.json",
    "/topic/{slug}/feed.xml",
    "/topic/{slug}/atom.xml",
    "/topic/{slug}/feed.json",
    "/author/{slug}/feed.xml",
    "/author/{slug}/atom.xml",
    "/author/{slug}/feed.json",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemaps/{file}",
    "/news-sitemap.xml",
    "/assets/{file}",
    "/media/{path*}",
};

const size_t site_n_export_patterns = sizeof site_export_patterns / sizeof site_export_patterns[0];
