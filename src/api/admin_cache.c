/* admin_cache.c — GET /api/v1/admin/cache: the page cache's figures (entries, bytes against
 * the budget, hits, misses, evictions, invalidations), behind the admin bearer token. */
#include "../site/site.h"
#include "api_response.h"

void api_admin_cache(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    if (!api_admin_authorised(app, req, res)) return;
    if (!app->cache) return api_send_json(res, 200, json_pack("{s:b}", "enabled", 0), "no-store");
    page_cache_stats s;
    page_cache_get_stats(app->cache, &s);
    api_send_json(res, 200,
                  json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "enabled", 1,
                            "entries", (json_int_t)s.entries, "bytes", (json_int_t)s.bytes,
                            "max_bytes", (json_int_t)s.max_bytes, "hits", (json_int_t)s.hits,
                            "misses", (json_int_t)s.misses, "stores", (json_int_t)s.stores,
                            "evictions", (json_int_t)s.evictions, "invalidations",
                            (json_int_t)s.invalidations),
                  "no-store");
}
