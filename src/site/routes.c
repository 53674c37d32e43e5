/* routes.c — the site map: every URL Gazette answers, and the handler behind it. */
#include "site.h"

const http_route site_routes[] = {
    /* pages for readers */
    {"GET", "/", site_home},
    {"GET", "/news/{slug}/", site_article},
    {"GET", "/topic/{slug}/", site_topic},
    {"GET", "/author/{slug}/", site_author},
    {"GET", "/search", site_search},
    /* comments (docs/comments.md) */
    {"POST", "/news/{slug}/comments", site_comment_post},
    {"GET", "/news/{slug}/comments/feed.xml", site_article_comments_feed},
    {"GET", "/comments/feed.xml", site_comments_feed},
    /* files */
    {"GET", "/assets/{file}", site_asset},
    {"GET", "/media/{path*}", site_media},
    /* the content API (docs/api.md) */
    {"GET", "/api/v1/articles", api_articles_list},
    {"GET", "/api/v1/articles/{slug}", api_article_one},
    {"GET", "/api/v1/search", api_search},
    /* moderation, for the newsroom (a bearer token from 'gazette admin-token') */
    {"GET", "/api/v1/admin/comments", api_admin_comments_list},
    {"POST", "/api/v1/admin/comments/{id}/{action}", api_admin_comment_action},
};

const size_t site_n_routes = sizeof site_routes / sizeof site_routes[0];
