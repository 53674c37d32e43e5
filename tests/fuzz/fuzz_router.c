/* fuzz_router.c — libFuzzer target for the router, http_route_match (src/http/router.c), on
 * the site's real route table (site_routes, src/site/routes.c). The input's first line is the
 * method, the rest the path; a query string after '?' goes to http_query_parse (dispatch.c),
 * as an offline request reads its arguments. Checks: a found route allows the method and its
 * captures are non-empty (one segment each, except a final {name*}); a redirect is only asked
 * for a path without its trailing slash. */
#include "../../src/site/site.h"
#include "fuzz_check.h"

static bool allows(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char *nl = strchr(text, '\n');
    const char *method = "GET", *path = text, *query = NULL;
    if (nl) {
        *nl = '\0';
        method = text;
        path = nl + 1;
    }
    char *mark = strchr(path, '?');
    if (mark) {
        *mark = '\0';
        query = mark + 1;
    }
    arena *a = arena_new();
    if (query) { /* as an offline request reads its arguments (http_query_parse) */
        const char *names[] = {"q", "page", "", query};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const char *v = http_query_parse(a, query, names[i]);
            FUZZ_CHECK(!v || strlen(v) <= strlen(query));
        }
    }
    const http_route *found = NULL;
    http_params params;
    http_route_result r =
        http_route_match(site_routes, site_n_routes, a, method, path, &found, &params);
    FUZZ_CHECK(params.n <= 4);
    if (r == HTTP_ROUTE_FOUND) {
        FUZZ_CHECK(found >= site_routes && found < site_routes + site_n_routes);
        FUZZ_CHECK(allows(found->method, method));
        bool rest = strstr(found->pattern, "*}") != NULL;
        for (size_t i = 0; i < params.n; i++) {
            FUZZ_CHECK(params.values[i][0] != '\0');
            FUZZ_CHECK(http_param(&params, params.names[i]) != NULL);
            if (!(rest && i + 1 == params.n)) FUZZ_CHECK(!strchr(params.values[i], '/'));
        }
    } else if (r == HTTP_ROUTE_ADD_SLASH) {
        FUZZ_CHECK(path[0] && path[strlen(path) - 1] != '/');
    } else {
        FUZZ_CHECK(r == HTTP_ROUTE_NOT_FOUND || r == HTTP_ROUTE_METHOD_NOT_ALLOWED);
    }
    arena_free(a);
    free(text);
    return 0;
}
