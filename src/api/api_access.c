/* api_access.c — read keys, CORS and caching of the public content API (see api_access.h),
 * the OPTIONS preflight of every /api/v1 path, and the page cache's policy for API requests.
 *
 * The page cache answers before any handler runs, keyed by path and query. So that it never
 * hands out what it should not, api_cache_policy (http_server_config.cache_policy) keeps API
 * requests away from it while read keys are required (a keyless client must get its 401, not
 * a copy made for a keyed one; answers are also private then), and adds an allowed Origin to
 * the key when the answer names that origin (Access-Control-Allow-Origin): each allowed origin
 * gets its own copy, every other request the copy without CORS headers. */
#include "api_access.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_keys.h"
#include "api_params.h"
#include "api_response.h"

static bool keys_required(site_app *app, arena *a)
{
    const char *mode = site_setting_text(app, a, API_READ_KEYS_SETTING);
    /* anything but "off" (a typo included) fails closed */
    return mode && strcmp(mode, "off") != 0 && mode[0];
}

/* The key the request presents, or NULL. */
static const char *presented_key(http_request *req)
{
    const char *auth = http_header(req, "Authorization");
    if (auth && strncasecmp(auth, "Bearer ", 7) == 0) return auth + 7;
    return http_header(req, "X-Api-Key");
}

/* Whether the request presents one of the site's keys (*valid); a store failure otherwise. */
static store_status key_check(site_app *app, http_request *req, bool *valid)
{
    const char *key = presented_key(req);
    store_api_key *keys;
    size_t n;
    *valid = false;
    if (!key) return STORE_OK;
    store_status st = store_api_keys_list(app->store, req->arena, &keys, &n);
    if (st == STORE_OK) *valid = api_key_matches(key, keys, n);
    return st;
}

/* The origins setting's shape: none (no CORS), every origin ("*"), or a list. */
typedef enum { CORS_NONE, CORS_ANY, CORS_LIST } cors_mode;

static cors_mode cors_of(const char *origins)
{
    if (!origins || strspn(origins, " \t,") == strlen(origins)) return CORS_NONE;
    return api_origin_allowed(origins, "*") ? CORS_ANY : CORS_LIST;
}

/* Access-Control-Allow-Origin and friends for this request; false when it earns none. */
static bool add_cors(site_app *app, http_request *req, http_response *res)
{
    const char *origins = site_setting_text(app, req->arena, API_CORS_SETTING);
    const char *origin = http_header(req, "Origin");
    switch (cors_of(origins)) {
    case CORS_NONE:
        return false;
    case CORS_ANY:
        http_set_header(res, "Access-Control-Allow-Origin", "*");
        break;
    case CORS_LIST:
        http_set_header(res, "Vary", "Origin"); /* the answer depends on it, for every cache */
        if (!api_origin_allowed(origins, origin) ||
            !http_set_header(res, "Access-Control-Allow-Origin", arena_strdup(req->arena, origin)))
            return false;
        break;
    }
    return true;
}

void api_cors(site_app *app, http_request *req, http_response *res)
{
    if (add_cors(app, req, res))
        http_set_header(res, "Access-Control-Expose-Headers", "Link, Last-Modified");
}

bool api_read_begin(site_app *app, http_request *req, http_response *res, api_read *r)
{
    api_cors(app, req, res);
    r->keys_required = keys_required(app, req->arena);
    bool valid = false;
    store_status st = r->keys_required ? key_check(app, req, &valid) : STORE_OK;
    if (st != STORE_OK) return api_refuse(res, site_status_for(st), store_strerror(st));
    if (!r->keys_required || valid) return true;
    api_send_error(res, 401,
                   "this API needs a read key: send 'Authorization: Bearer KEY' or "
                   "'X-Api-Key: KEY' (keys come from 'gazette api-key add')");
    http_set_header(res, "WWW-Authenticate", "Bearer realm=\"api\"");
    return false;
}

void api_read_send(site_app *app, http_request *req, http_response *res, const api_read *r,
                   json_t *body, long long last_modified)
{
    if (r->keys_required) {
        res->n_cache_tags = 0;
        res->cache_tags_overflow = false;
    } else if (res->n_cache_tags) {
        site_tag_view_stories(req, body, res);
    }
    if (last_modified > 0) {
        char *text = arena_alloc(req->arena, HTTP_DATE_SIZE);
        http_date_format((time_t)last_modified, text);
        http_set_header(res, "Last-Modified", text);
    }
    api_send_json(res, 200, body,
                  r->keys_required ? "private, max-age=60"
                                   : "public, max-age=60, stale-while-revalidate=30");
}

char *api_absolute_url(site_app *app, arena *a, const char *path_and_query)
{
    return arena_printf(a, "%s%s", app->config.base_url, path_and_query);
}

/* The public API path a preflight asks about: a GET route of /api/v1/ outside admin/ (the
 * route table gives api_preflight only those; this keeps it so if a route is added wrongly). */
static bool public_api_path(arena *a, const char *path)
{
    const http_route *route;
    http_params params;
    return strncmp(path, "/api/v1/admin/", 14) != 0 &&
           http_route_match(site_routes, site_n_routes, a, "GET", path, &route, &params) ==
               HTTP_ROUTE_FOUND &&
           strcmp(route->method, "GET") == 0;
}

void api_preflight(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    if (!public_api_path(req->arena, req->path)) return api_send_error(res, 404, "not found");
    res->status = 204;
    http_set_header(res, "Allow", "GET, HEAD, OPTIONS");
    http_set_header(res, "Cache-Control", "no-store");
    if (!add_cors(app, req, res)) return;
    http_set_header(res, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    http_set_header(res, "Access-Control-Allow-Headers", "Authorization, X-Api-Key");
    http_set_header(res, "Access-Control-Max-Age", "86400");
}

bool api_cache_policy(void *app_ptr, http_request *req, const char **variant)
{
    site_app *app = app_ptr;
    *variant = NULL;
    if (strncmp(req->path, "/api/", 5) != 0) return true;
    if (keys_required(app, req->arena)) return false;
    const char *origins = site_setting_text(app, req->arena, API_CORS_SETTING);
    const char *origin = http_header(req, "Origin");
    if (cors_of(origins) == CORS_LIST && api_origin_allowed(origins, origin)) *variant = origin;
    return true;
}
