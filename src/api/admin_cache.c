/* admin_cache.c — GET /api/v1/admin/cache: the page cache's figures (entries, bytes against
 * the budget, hits, misses, evictions, invalidations), the article views' ("views") and the
 * Varnish purger's ("varnish": purges sent and failed), behind the admin bearer token. */
#include "../site/site.h"
#include "api_response.h"

void api_admin_cache(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    if (!api_admin_authorised(app, req, res)) return;
    json_t *body;
    if (app->cache) {
        page_cache_stats s;
        page_cache_get_stats(app->cache, &s);
        body = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "enabled", 1, "entries",
                         (json_int_t)s.entries, "bytes", (json_int_t)s.bytes, "max_bytes",
                         (json_int_t)s.max_bytes, "hits", (json_int_t)s.hits, "misses",
                         (json_int_t)s.misses, "stores", (json_int_t)s.stores, "evictions",
                         (json_int_t)s.evictions, "invalidations", (json_int_t)s.invalidations);
    } else {
        body = json_pack("{s:b}", "enabled", 0);
    }
    json_t *views = json_pack("{s:b}", "enabled", app->story_views != NULL);
    if (app->story_views) {
        story_views_stats v;
        story_views_get_stats(app->story_views, &v);
        json_t *figures = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I}", "views", (json_int_t)v.views, "max_views",
            (json_int_t)v.max_views, "hits", (json_int_t)v.hits, "misses", (json_int_t)v.misses,
            "stores", (json_int_t)v.stores, "invalidations", (json_int_t)v.invalidations);
        json_object_update(views, figures);
        json_decref(figures);
    }
    json_object_set_new(body, "views", views);
    json_t *varnish = json_pack("{s:b}", "enabled", app->varnish != NULL);
    if (app->varnish) {
        varnish_purge_stats p;
        varnish_purger_get_stats(app->varnish, &p);
        json_t *figures = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "nodes", (json_int_t)p.nodes, "sent",
            (json_int_t)p.sent, "failed", (json_int_t)p.failed, "retries", (json_int_t)p.retries,
            "everything", (json_int_t)p.everything, "overflows", (json_int_t)p.overflows, "queued",
            (json_int_t)p.queued, "repeats", (json_int_t)p.repeats);
        json_object_update(varnish, figures);
        json_decref(figures);
    }
    json_object_set_new(body, "varnish", varnish);
    api_send_json(res, 200, body, "no-store");
}
