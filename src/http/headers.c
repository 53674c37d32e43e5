/* headers.c — the headers every answer carries, whether made for one request (server.c) or
 * kept by the page cache (page_cache.c): Content-Type, the security headers, and the
 * handler's own. */
#include "page_cache.h"

#include <microhttpd.h>
#include <strings.h>

/* The policy for every response a handler does not give its own (media files do): the default
 * theme loads only its own stylesheet and images (featured images may be on other https sites),
 * runs only its own script files (live updates, the breaking-news alerts button and its
 * service worker at /sw.js), never inline code, has no inline style, and its forms post to the
 * site itself. */
static const char default_csp[] = "default-src 'self'; img-src 'self' data: https:; "
                                  "style-src 'self'; script-src 'self'; worker-src 'self'; "
                                  "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
                                  "form-action 'self'";

void http_add_common_headers(struct MHD_Response *r, const http_response *res)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            res->content_type ? res->content_type : "text/html; charset=utf-8");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    bool own_csp = false;
    for (size_t i = 0; i < res->n_headers; i++) {
        MHD_add_response_header(r, res->header_names[i], res->header_values[i]);
        own_csp = own_csp || strcasecmp(res->header_names[i], "Content-Security-Policy") == 0;
    }
    if (!own_csp) MHD_add_response_header(r, "Content-Security-Policy", default_csp);
    if (res->status == 503) MHD_add_response_header(r, "Retry-After", "5");
}
