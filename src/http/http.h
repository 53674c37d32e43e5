/* http.h — what a handler sees of HTTP: a request (method, decoded path, query, headers, an
 * arena that dies with the request) and a response it fills (status, type, body, headers).
 * The libmicrohttpd glue (server.c) and the router (router.c) live behind it; handlers never
 * touch libmicrohttpd. */
#ifndef GAZETTE_HTTP_H
#define GAZETTE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../core/arena.h"
#include "../core/buf.h"

struct MHD_Connection;

typedef struct http_request {
    arena *arena;
    const char *method; /* "GET", "HEAD", "POST"... */
    const char *path;   /* the URL path, without the query string */
    /* NULL for a request made offline (http_dispatch), whose query string is in query */
    struct MHD_Connection *connection;
    const char *body; /* request body (POST), NUL-terminated, NULL when none */
    size_t body_len;
    /* offline requests only: the raw query string ("a=1&b=2"), or NULL */
    const char *query;
    /* the server's open streams (stream.h); NULL offline */
    struct http_streams *streams;
} http_request;

enum { HTTP_MAX_HEADERS = 12, HTTP_MAX_CACHE_TAGS = 48 };

typedef struct http_response {
    int status;
    const char *content_type;
    buf body;                /* owned: handed to libmicrohttpd without a copy */
    const void *static_body; /* or: bytes that outlive the response (theme assets) */
    size_t static_len;
    const char *header_names[HTTP_MAX_HEADERS];
    const char *header_values[HTTP_MAX_HEADERS];
    size_t n_headers;
    /* The page cache (page_cache.h) keeps a 200 answer to GET only when the handler tagged it
     * (http_cache_tag) and set no cookie and no private/no-store Cache-Control. */
    uint64_t cache_tags[HTTP_MAX_CACHE_TAGS];
    /* the tags' names (arena or static strings), for the Surrogate-Key header */
    const char *cache_tag_names[HTTP_MAX_CACHE_TAGS];
    size_t n_cache_tags;
    bool cache_tags_overflow; /* more tags than fit: the entry also carries HTTP_CACHE_TAG_ALL */
    /* or: a body written as it comes (stream.h: http_stream_answer); never cached */
    struct http_stream *stream;
} http_response;

/* Marks res as cacheable, depending on tag: the page cache drops it when the site invalidates
 * that tag. Tags name what a page shows: "a:ID" a story (its text and its comments), "home",
 * "t:SLUG" a topic's list, "u:SLUG" an author's list, "comments" the site-wide comment feed.
 * tag must live as long as the request (an arena or static string): its name is sent to CDNs
 * (http_add_surrogate_keys). */
void http_cache_tag(http_response *res, const char *tag);
uint64_t http_cache_tag_hash(const char *tag);
/* The tag every entry with too many story tags carries: invalidated by any story change. */
#define HTTP_CACHE_TAG_ALL "a:*"

/* ---- Surrogate keys (surrogate_keys.c) -----------------------------------------------------
 * A tag as a CDN key: bytes that are not visible ASCII, and ' ' ',' '%', written %HH; appended
 * to out after a space when out is not empty. */
void http_surrogate_key_append(buf *out, const char *tag);
/* Gives a tagged 200 answer the headers `Surrogate-Key` and `xkey`: its tags as keys. */
void http_add_surrogate_keys(arena *a, http_response *res);

/* Query-string argument by name (decoded), or NULL. */
const char *http_query(const http_request *req, const char *name);
/* Request header by name (case-insensitive), or NULL. */
const char *http_header(const http_request *req, const char *name);
/* Cookie sent by the client, or NULL. */
const char *http_cookie(const http_request *req, const char *name);
/* The value of cookie name in a Cookie header ("a=1; b=\"2\""; arena string, unquoted), or
 * NULL when header is NULL or holds no such cookie (cookie.c). */
const char *http_cookie_parse(arena *a, const char *header, const char *name);
/* The client's IP address as text ("127.0.0.1", "::1"); arena-allocated; "-" when unknown. */
const char *http_client_ip(const http_request *req);
/* Adds a response header; names and values must live as long as the request (arena or static).
 * Values containing CR or LF are refused (header injection). */
bool http_set_header(http_response *res, const char *name, const char *value);
/* Sets a redirect (301/302/303/307/308) to a local path; a location that is not a path on
 * this site ("//evil", "http://...") is refused and becomes a 400. */
void http_redirect(http_response *res, int status, const char *local_path);

/* ---- Conditional GET (conditional.c) ------------------------------------------------------
 * Every 200 answer to GET or HEAD carries a strong ETag (a hash of its bytes, unless the
 * handler set its own) and is answered 304 when the client's copy is current. A handler that
 * knows when its content last changed sets Last-Modified (http_date_format); If-Modified-Since
 * is then honoured too (If-None-Match wins when both are sent). */
enum { HTTP_DATE_SIZE = 32 };
uint64_t http_hash_bytes(const void *bytes, size_t n); /* FNV-1a, 64 bits */
/* The hash that names a body in its ETag: 64 bits, eight bytes a step (FNV-1a's byte a step
 * cost a quarter of an uncached page's CPU time). Not for keys that must match FNV-1a. */
uint64_t http_hash_body(const void *bytes, size_t n);
/* The value of a header the handler set (case-insensitive name), or NULL. */
const char *http_response_header(const http_response *res, const char *name);
/* "Sun, 06 Nov 1994 08:49:37 GMT" and back. */
bool http_date_parse(const char *text, time_t *out);
void http_date_format(time_t t, char out[HTTP_DATE_SIZE]);
/* Whether the client's copy (its If-None-Match / If-Modified-Since, each may be NULL) is the
 * answer with this etag (may be NULL) last modified at modified ((time_t)-1: unknown). */
bool http_client_copy_current(const char *if_none_match, const char *if_modified_since,
                              const char *etag, time_t modified);

/* ---- Upload forms (multipart.c) -----------------------------------------------------------
 * A multipart/form-data body read with libmicrohttpd's post processor: text fields and at most
 * one file (its bytes in the request's arena). */
enum { HTTP_FORM_MAX_FIELDS = 16, HTTP_FORM_FIELD_MAX = 8192 };
typedef struct http_multipart {
    const char *names[HTTP_FORM_MAX_FIELDS], *values[HTTP_FORM_MAX_FIELDS];
    size_t n_fields;
    const char *file_field, *file_name; /* NULL when the form held no file */
    const char *file;
    size_t file_len;
} http_multipart;
/* false with err set when the body is not a well-formed upload form (wrong type, malformed,
 * more than one file, too many or too long fields). */
bool http_multipart_read(http_request *req, http_multipart *out, char *err, size_t errlen);
const char *http_multipart_value(const http_multipart *m, const char *name);

/* ---- Router ------------------------------------------------------------------------------
 * A route is a method and a pattern of literal segments and {name} captures ("/news/{slug}/");
 * a final {name*} captures the rest of the path. HEAD is answered by GET routes. */
typedef struct http_params {
    const char *names[4];
    const char *values[4];
    size_t n;
} http_params;

typedef void (*http_handler)(void *app, http_request *req, const http_params *params,
                             http_response *res);

typedef struct http_route {
    const char *method;
    const char *pattern;
    http_handler handler;
} http_route;

const char *http_param(const http_params *params, const char *name);

typedef enum {
    HTTP_ROUTE_FOUND,
    HTTP_ROUTE_NOT_FOUND,
    HTTP_ROUTE_METHOD_NOT_ALLOWED,
    HTTP_ROUTE_ADD_SLASH, /* the path lacks only its trailing slash: redirect */
} http_route_result;

http_route_result http_route_match(const http_route *routes, size_t n_routes, arena *a,
                                   const char *method, const char *path, const http_route **found,
                                   http_params *params);

/* ---- Server ------------------------------------------------------------------------------ */
typedef struct http_server_config {
    const char *listen;       /* "127.0.0.1:8080" */
    unsigned threads;         /* 0: one per core */
    unsigned timeout_seconds; /* idle / slow client limit */
    size_t max_body;          /* bytes; larger requests get 413 */
    /* The body limit of one request when it is not max_body (may be NULL, or return 0 for
     * max_body): asked once per request, when its first body bytes arrive (headers, cookies and
     * the path are there), e.g. a larger one for a signed-in author's image upload. */
    size_t (*body_limit)(void *app, http_request *req);
    /* streamed answers open at once (stream.h); 0: 10000. At most three quarters of the
     * connection limit either way (lowered with a note on stderr). */
    unsigned max_streams;
    const char *access_log; /* file path, "-" for stdout, NULL for none */
    /* Called for every request with its route matched; fills res. */
    const http_route *routes;
    size_t n_routes;
    void *app;
    /* Called around the handler of every GET and HEAD (may be NULL): the site reads the whole
     * page from one database snapshot. */
    void (*read_begin)(void *app);
    void (*read_end)(void *app);
    /* Answers GET and HEAD from rendered pages when not NULL (page_cache.h). */
    struct page_cache *cache;
    /* Called before every answer from the cache: brings the cache up to date with whatever
     * changed since (may be NULL). */
    void (*cache_refresh)(void *app);
    /* Called for a GET or HEAD whose path no route matches, before the 404 (may be NULL): may
     * answer it (a redirect from an old address) and return true. */
    bool (*not_found)(void *app, http_request *req, http_response *res);
    /* Called next (may be NULL): false keeps this request away from the cache (neither
     * answered from it nor kept); *variant, when set, joins the cache key, for answers that
     * differ by more than path and query (an allowed CORS Origin). */
    bool (*cache_policy)(void *app, http_request *req, const char **variant);
    /* Fills res for errors (404, 405, 500...) the router or server produces. */
    void (*error_page)(void *app, http_request *req, int status, http_response *res);
} http_server_config;

typedef struct http_server http_server;

/* Answers req as the server does (dispatch.c): the route's handler, a 301 to add a missing
 * trailing slash, cfg->error_page for 404, 405 and error statuses left without a body. The
 * server calls it for every request; the static export calls it with no connection (then
 * http_query reads req->query, and there are no headers, no cookies and no client address). */
void http_dispatch(const http_server_config *cfg, http_request *req, http_response *res);
/* Fills res with the error page for status (cfg->error_page, else a plain "404\n"). */
void http_error_response(const http_server_config *cfg, http_request *req, int status,
                         http_response *res);
/* The value of argument name in a raw query string ("a=1&b=x+y%21"; '+' and %HH decoded, %00
 * kept as it is), or NULL when query is NULL, has no such argument, or has it without '='
 * ("?a"), as libmicrohttpd answers. Arena string. */
const char *http_query_parse(arena *a, const char *query, const char *name);

/* Starts listening; err gets a human message on failure. */
http_server *http_server_start(const http_server_config *cfg, char *err, size_t errlen);
/* Stops accepting, lets in-flight requests finish (up to grace_seconds), then stops. */
void http_server_stop(http_server *srv, unsigned grace_seconds);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const http_server *srv);
/* Blocks until SIGINT or SIGTERM arrives. Call with those signals blocked in every thread. */
int http_wait_for_shutdown_signal(void);

#endif
