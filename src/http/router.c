/* router.c — matches a method and path against the route table. Patterns are split on '/';
 * a segment "{name}" captures one non-empty path segment, "{name*}" (last) the rest of the
 * path. A path that would match with a trailing slash added asks for a redirect, so
 * "/news/slug" leads to "/news/slug/". */
#include "http.h"

#include <string.h>

const char *http_param(const http_params *params, const char *name)
{
    for (size_t i = 0; i < params->n; i++)
        if (strcmp(params->names[i], name) == 0) return params->values[i];
    return NULL;
}

/* Matches path against pattern; captures go into params (values allocated in a). */
static bool route_matches(const char *pattern, const char *path, arena *a, http_params *params)
{
    params->n = 0;
    const char *p = pattern, *s = path;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || params->n == 4) return false;
            bool rest = close > p + 1 && close[-1] == '*';
            size_t name_len = (size_t)(close - p - 1) - (rest ? 1 : 0);
            size_t value_len = rest ? strlen(s) : strcspn(s, "/");
            if (value_len == 0) return false;
            params->names[params->n] = arena_strndup(a, p + 1, name_len);
            params->values[params->n] = arena_strndup(a, s, value_len);
            params->n++;
            p = close + 1;
            s += value_len;
        } else {
            if (*p != *s) return false;
            p++;
            s++;
        }
    }
    return *s == '\0';
}

static bool method_allows(const char *route_method, const char *method)
{
    if (strcmp(route_method, method) == 0) return true;
    return strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0;
}

http_route_result http_route_match(const http_route *routes, size_t n_routes, arena *a,
                                   const char *method, const char *path, const http_route **found,
                                   http_params *params)
{
    bool path_known = false;
    for (size_t i = 0; i < n_routes; i++) {
        if (!route_matches(routes[i].pattern, path, a, params)) continue;
        if (method_allows(routes[i].method, method)) {
            *found = &routes[i];
            return HTTP_ROUTE_FOUND;
        }
        path_known = true;
    }
    if (path_known) return HTTP_ROUTE_METHOD_NOT_ALLOWED;
    size_t len = strlen(path);
    if (len > 0 && path[len - 1] != '/') {
        char *with_slash = arena_printf(a, "%s/", path);
        for (size_t i = 0; i < n_routes; i++)
            if (route_matches(routes[i].pattern, with_slash, a, params))
                return HTTP_ROUTE_ADD_SLASH;
    }
    params->n = 0;
    return HTTP_ROUTE_NOT_FOUND;
}
