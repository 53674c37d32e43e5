/* dispatch.c — answering a request without the network: http_dispatch routes a request to its
 * handler and fills in error pages, exactly as the server does for every request it reads
 * (server.c calls it); the static export (src/site/export.c) calls it with requests it makes
 * itself, which have no connection. Also parses the raw query string of such offline requests. */
#include "http.h"

#include <string.h>

void http_error_response(const http_server_config *cfg, http_request *req, int status,
                         http_response *res)
{
    buf_free(&res->body);
    res->static_body = NULL;
    res->status = status;
    if (cfg->error_page) cfg->error_page(cfg->app, req, status, res);
    if (res->body.len == 0) {
        res->content_type = "text/plain; charset=utf-8";
        buf_printf(&res->body, "%d\n", status);
    }
}

void http_dispatch(const http_server_config *cfg, http_request *req, http_response *res)
{
    const http_route *route = NULL;
    http_params params = {0};
    if (req->path[0] != '/') return http_error_response(cfg, req, 400, res);
    switch (http_route_match(cfg->routes, cfg->n_routes, req->arena, req->method, req->path, &route,
                             &params)) {
    case HTTP_ROUTE_FOUND: {
        bool reading = cfg->read_begin && strcmp(route->method, "GET") == 0;
        if (reading) cfg->read_begin(cfg->app);
        res->status = 200;
        route->handler(cfg->app, req, &params, res);
        if (reading) cfg->read_end(cfg->app);
        if (res->status >= 400 && res->body.len == 0 && !res->static_body)
            http_error_response(cfg, req, res->status, res);
        return;
    }
    case HTTP_ROUTE_ADD_SLASH:
        return http_redirect(res, 301, arena_printf(req->arena, "%s/", req->path));
    case HTTP_ROUTE_METHOD_NOT_ALLOWED:
        http_error_response(cfg, req, 405, res);
        http_set_header(res, "Allow", "GET, HEAD");
        return;
    case HTTP_ROUTE_NOT_FOUND:
        if (cfg->not_found &&
            (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) &&
            cfg->not_found(cfg->app, req, res))
            return;
        return http_error_response(cfg, req, 404, res);
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) ('+' is a space, %HH a byte except %00) into a new arena string. */
static char *query_decode(arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%' && i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
                   (lo = hex_digit(s[i + 2])) >= 0 && (hi || lo)) {
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

const char *http_query_parse(arena *a, const char *query, const char *name)
{
    if (!query || !name) return NULL;
    for (const char *p = query; *p;) {
        size_t n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        size_t klen = eq ? (size_t)(eq - p) : n;
        char *key = query_decode(a, p, klen);
        if (strcmp(key, name) == 0)
            return eq ? query_decode(a, eq + 1, n - klen - 1) : NULL; /* as libmicrohttpd */
        p += n;
        if (*p == '&') p++;
    }
    return NULL;
}
