/* api_access.h — who may read the public content API and how its answers travel: read keys
 * (setting api_read_keys: off or required), CORS for the origins of api_cors_origins, and the
 * caching of every public answer (Cache-Control, page-cache tags, Last-Modified). Every
 * public /api/v1 handler starts with api_read_begin and answers with api_read_send. */
#ifndef GAZETTE_API_ACCESS_H
#define GAZETTE_API_ACCESS_H

#include <jansson.h>

#include "../site/site.h"

#define API_READ_KEYS_SETTING "api_read_keys"
#define API_CORS_SETTING "api_cors_origins"

typedef struct {
    bool keys_required; /* answers are then private: never kept by the page cache */
} api_read;

/* Adds the CORS headers the request's Origin earns (api_cors, for answers needing no key);
 * when the site requires read keys and the
 * request carries no valid one (Authorization: Bearer KEY or X-Api-Key: KEY), answers 401
 * with WWW-Authenticate and returns false. */
bool api_read_begin(site_app *app, http_request *req, http_response *res, api_read *r);
void api_cors(site_app *app, http_request *req, http_response *res);
/* Sends body (consumed) as a 200: public and tagged for the page cache with every story it
 * shows when the handler tagged it (http_cache_tag) and keys are off; private and untagged
 * when keys are required. last_modified (unix seconds, 0: unknown) becomes Last-Modified. */
void api_read_send(site_app *app, http_request *req, http_response *res, const api_read *r,
                   json_t *body, long long last_modified);
/* "https://news.example.org/api/v1/..." for a path and query of this site. */
char *api_absolute_url(site_app *app, arena *a, const char *path_and_query);
/* Adds "canonical_url" (absolute) and image.absolute_url to a story's JSON and its related
 * stories' (articles.c). */
void api_article_absolutize(site_app *app, arena *a, json_t *article);

#endif
