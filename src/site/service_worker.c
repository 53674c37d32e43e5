/* service_worker.c — GET /sw.js: the theme's service worker (themes/NAME/assets/sw.js), which
 * shows breaking-news alerts and opens the story when one is clicked. It is served from the
 * site's root, not from /assets/, because a service worker only controls pages under the path
 * it is served from; and it is not cached for long, so that a new theme's worker replaces the
 * old one (browsers also check it at least once a day). */
#include <string.h>

#include "site.h"

void site_service_worker(void *app_ptr, http_request *req, const http_params *params,
                         http_response *res)
{
    site_app *app = app_ptr;
    const char *url = json_string_value(json_object_get(app->assets, "sw_js"));
    const theme_asset *asset =
        url && strncmp(url, "/assets/", 8) == 0 ? theme_asset_find(app->theme, url + 8) : NULL;
    if (!asset) return (void)(res->status = 404);
    res->static_body = asset->bytes;
    res->static_len = asset->len;
    res->content_type = "text/javascript; charset=utf-8";
    http_set_header(res, "Cache-Control", "public, max-age=300");
    http_cache_tag(res, "assets"); /* a new theme means a new process */
}
