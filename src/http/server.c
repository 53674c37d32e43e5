/* server.c — the libmicrohttpd glue. One epoll-driven thread pool sized to the cores; each
 * request gets a context with its own arena, created on the first call of the access handler
 * (after which libmicrohttpd always reports completion) and freed when libmicrohttpd reports
 * the request complete, where the access-log line is written.
 * libmicrohttpd 0.9.75 drops keep-alive when a response is queued on the first call of the
 * access handler, so requests are always answered on a later call. Shutdown is graceful:
 * stop accepting, wait for in-flight requests, then stop the daemon. */
#include "http.h"
#include "page_cache.h"
#include "slow_clients.h"
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct http_server {
    struct MHD_Daemon *daemon;
    http_server_config cfg;
    int log_fd;
    atomic_int in_flight;
    unsigned port;
    slow_clients *slow;    /* closes connections whose requests arrive too slowly */
    http_streams *streams; /* open streamed answers (stream.h) */
    unsigned max_connections;
};

typedef struct request_context {
    http_request req;
    bool body_too_large;
    size_t body_limit; /* max_body, or what cfg.body_limit said for this request */
    buf body;
    int status;
    bool answered; /* a response is queued: any further body bytes are dropped */
    size_t bytes_sent;
    struct timespec began;
} request_context;

const char *http_query(const http_request *req, const char *name)
{
    if (!req->connection) return http_query_parse(req->arena, req->query, name);
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const http_request *req, const char *name)
{
    if (!req->connection) return NULL; /* an offline request (http_dispatch) has no headers */
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *http_cookie(const http_request *req, const char *name)
{
    return http_cookie_parse(req->arena, http_header(req, "Cookie"), name);
}

static void client_address(struct MHD_Connection *connection, char *addr, size_t cap)
{
    snprintf(addr, cap, "-");
    if (!connection) return;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr) return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, (socklen_t)cap);
}

const char *http_client_ip(const http_request *req)
{
    char addr[INET6_ADDRSTRLEN];
    client_address(req->connection, addr, sizeof addr);
    return arena_strdup(req->arena, addr);
}

bool http_set_header(http_response *res, const char *name, const char *value)
{
    if (res->n_headers == HTTP_MAX_HEADERS || strpbrk(value, "\r\n")) return false;
    res->header_names[res->n_headers] = name;
    res->header_values[res->n_headers] = value;
    res->n_headers++;
    return true;
}

void http_redirect(http_response *res, int status, const char *local_path)
{
    bool local = local_path[0] == '/' && local_path[1] != '/' && local_path[1] != '\\';
    if (!local || !http_set_header(res, "Location", local_path)) {
        res->status = 400;
        return;
    }
    res->status = status;
    res->content_type = "text/plain; charset=utf-8";
    buf_puts(&res->body, "Moved\n");
}

static request_context *request_context_new(http_server *srv, struct MHD_Connection *connection,
                                            const char *method, const char *url)
{
    request_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return NULL;
    ctx->req.arena = arena_new();
    ctx->req.connection = connection;
    ctx->req.method = arena_strdup(ctx->req.arena, method);
    ctx->req.path = arena_strdup(ctx->req.arena, url);
    ctx->req.streams = srv->streams;
    clock_gettime(CLOCK_MONOTONIC, &ctx->began);
    atomic_fetch_add(&srv->in_flight, 1);
    return ctx;
}

/* A 200 answer to GET or HEAD gets a strong ETag (unless the handler set one); when the
 * client's copy is current it becomes a 304 without a body (conditional.c). */
static bool answer_conditionally(request_context *ctx, http_response *res)
{
    const char *m = ctx->req.method;
    if (res->status != 200 || (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)) return false;
    const char *etag = http_response_header(res, "ETag");
    if (!etag) {
        const void *data = res->static_body ? res->static_body : (const void *)res->body.data;
        size_t len = res->static_body ? res->static_len : res->body.len;
        etag = arena_printf(ctx->req.arena, "\"%016llx\"",
                            (unsigned long long)http_hash_body(data, len));
        if (!http_set_header(res, "ETag", etag)) return false;
    }
    time_t modified;
    if (!http_date_parse(http_response_header(res, "Last-Modified"), &modified))
        modified = (time_t)-1;
    return http_client_copy_current(http_header(&ctx->req, "If-None-Match"),
                                    http_header(&ctx->req, "If-Modified-Since"), etag, modified);
}

static enum MHD_Result queue(request_context *ctx, http_response *res)
{
    struct MHD_Response *r;
    size_t len = 0;
    if (res->stream) {
        /* a stream: never conditional (no ETag, no 304); no idle timeout but its own, and the
         * slow-client watchdog left it alone when its request arrived */
        r = http_stream_response(res->stream, ctx->req.connection);
        res->stream = NULL;
    } else if (answer_conditionally(ctx, res)) {
        res->status = 304;
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else if (res->static_body) {
        len = res->static_len;
        r = MHD_create_response_from_buffer(len, (void *)res->static_body, MHD_RESPMEM_PERSISTENT);
    } else {
        len = res->body.len;
        r = MHD_create_response_from_buffer(len, buf_steal(&res->body), MHD_RESPMEM_MUST_FREE);
    }
    if (!r) return MHD_NO;
    http_add_common_headers(r, res);
    ctx->status = res->status;
    ctx->bytes_sent = len;
    enum MHD_Result ok = MHD_queue_response(ctx->req.connection, (unsigned)res->status, r);
    MHD_destroy_response(r);
    ctx->answered = true;
    return ok;
}

static void fill_error(http_server *srv, request_context *ctx, int status, http_response *res)
{
    http_error_response(&srv->cfg, &ctx->req, status, res);
}

static void dispatch(http_server *srv, request_context *ctx, http_response *res)
{
    http_dispatch(&srv->cfg, &ctx->req, res);     /* dispatch.c: shared with the static export */
    http_add_surrogate_keys(ctx->req.arena, res); /* for a CDN in front (docs/varnish.vcl) */
}

typedef struct framing {
    int content_length, transfer_encoding;
    bool not_chunked, bad_name;
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    framing *f = cls;
    if (strcasecmp(key, "Content-Length") == 0) f->content_length++;
    if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encoding++;
        f->not_chunked = f->not_chunked || !value || strcasecmp(value, "chunked") != 0;
    }
    f->bad_name = f->bad_name || strpbrk(key, " \t") != NULL;
    return MHD_YES;
}

/* A request whose body could be delimited in two ways (RFC 9112 section 6.3: Content-Length
 * and Transfer-Encoding together, two of either, a coding other than chunked, or a header name
 * with a space before its colon) is refused: a proxy in front might read it otherwise than
 * libmicrohttpd does and carry a second, smuggled request. */
static bool framing_is_ambiguous(struct MHD_Connection *connection)
{
    framing f = {0};
    MHD_get_connection_values(connection, MHD_HEADER_KIND, count_framing, &f);
    return f.content_length > 1 || f.transfer_encoding > 1 || f.not_chunked || f.bad_name ||
           (f.content_length && f.transfer_encoding);
}

/* ---- The page cache's part ----------------------------------------------------------------- */

/* An answer that sets a cookie or asks not to be stored is never kept. */
static bool cacheable_headers(const http_response *res)
{
    for (size_t i = 0; i < res->n_headers; i++) {
        const char *name = res->header_names[i], *value = res->header_values[i];
        if (strcasecmp(name, "Set-Cookie") == 0) return false;
        if (strcasecmp(name, "Cache-Control") == 0 &&
            (strstr(value, "private") || strstr(value, "no-store")))
            return false;
    }
    return true;
}

/* GET and HEAD without credentials may be answered from, and kept in, the page cache. */
static bool cache_may_answer(request_context *ctx)
{
    const char *m = ctx->req.method;
    if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) return false;
    return !http_header(&ctx->req, "Authorization");
}

/* Appends s to b with the characters that separate a key's parts escaped, so that no two
 * different requests (a '?' inside the path, '&' inside a value) share a key. */
static void key_append(buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '%' || c == '?' || c == '&' || c == '=' || c < 0x20 || c == 0x7f)
            buf_printf(b, "%%%02X", c);
        else
            buf_putc(b, (char)c);
    }
}

static enum MHD_Result key_add_argument(void *cls, enum MHD_ValueKind kind, const char *name,
                                        const char *value)
{
    buf *b = cls;
    buf_putc(b, b->data && memchr(b->data, '?', b->len) ? '&' : '?');
    key_append(b, name);
    if (value) {
        buf_putc(b, '=');
        key_append(b, value);
    }
    return MHD_YES;
}

/* The request's cache key: the path, then the query arguments in the order sent, then the
 * variant (after a byte that key_append never leaves in the key). */
static const char *cache_key(request_context *ctx, const char *variant)
{
    buf b = {0};
    key_append(&b, ctx->req.path);
    MHD_get_connection_values(ctx->req.connection, MHD_GET_ARGUMENT_KIND, key_add_argument, &b);
    if (variant) {
        buf_putc(&b, '\x01');
        key_append(&b, variant);
    }
    const char *key = arena_strndup(ctx->req.arena, b.data ? b.data : "", b.len);
    buf_free(&b);
    return key;
}

/* Notes what the cache queued, for the access log. */
static enum MHD_Result sent_from_cache(request_context *ctx, const page_cache_sent *sent)
{
    ctx->status = sent->status;
    ctx->bytes_sent = sent->bytes;
    ctx->answered = true;
    return MHD_YES;
}

/* Answers from the cache, or runs the handler and keeps its answer when it may be kept. */
static enum MHD_Result answer_cached(http_server *srv, request_context *ctx)
{
    if (srv->cfg.cache_refresh) srv->cfg.cache_refresh(srv->cfg.app);
    const char *variant = NULL;
    if (srv->cfg.cache_policy && !srv->cfg.cache_policy(srv->cfg.app, &ctx->req, &variant)) {
        http_response res = {0};
        dispatch(srv, ctx, &res);
        enum MHD_Result ok = queue(ctx, &res);
        buf_free(&res.body);
        return ok;
    }
    const char *key = cache_key(ctx, variant);
    page_cache_request rq = {http_header(&ctx->req, "Accept-Encoding"),
                             http_header(&ctx->req, "If-None-Match"),
                             http_header(&ctx->req, "If-Modified-Since")};
    page_cache_sent sent;
    if (page_cache_serve(srv->cfg.cache, ctx->req.connection, key, &rq, &sent))
        return sent_from_cache(ctx, &sent);
    unsigned long generation = page_cache_generation(srv->cfg.cache);
    http_response res = {0};
    dispatch(srv, ctx, &res);
    if (res.status == 200 && res.n_cache_tags && !res.stream && cacheable_headers(&res) &&
        page_cache_store_and_serve(srv->cfg.cache, ctx->req.connection, key, generation, &res, &rq,
                                   &sent)) {
        buf_free(&res.body);
        return sent_from_cache(ctx, &sent);
    }
    enum MHD_Result ok = queue(ctx, &res);
    buf_free(&res.body);
    return ok;
}

static size_t request_body_limit(http_server *srv, request_context *ctx)
{
    size_t limit = srv->cfg.body_limit ? srv->cfg.body_limit(srv->cfg.app, &ctx->req) : 0;
    return limit ? limit : srv->cfg.max_body;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    http_server *srv = cls;
    request_context *ctx = *con_cls;
    if (!ctx) {
        *con_cls = ctx = request_context_new(srv, connection, method, url);
        if (!ctx) return MHD_NO;
        /* answered on a later call, which keeps keep-alive; a request with ambiguous framing
         * is answered at once, and its connection closed */
        if (!framing_is_ambiguous(connection)) return MHD_YES;
        http_response res = {0};
        fill_error(srv, ctx, 400, &res);
        http_set_header(&res, "Connection", "close");
        enum MHD_Result ok = queue(ctx, &res);
        buf_free(&res.body);
        return ok;
    }
    if (ctx->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!ctx->body_limit) ctx->body_limit = request_body_limit(srv, ctx);
        if (ctx->body.len + *upload_data_size > ctx->body_limit)
            ctx->body_too_large = true;
        else
            buf_append(&ctx->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    slow_clients_request_read(connection);
    if (srv->cfg.cache && !ctx->body_too_large && cache_may_answer(ctx))
        return answer_cached(srv, ctx);
    http_response res = {0};
    if (ctx->body_too_large) {
        fill_error(srv, ctx, 413, &res);
        http_set_header(&res, "Connection", "close");
    } else {
        ctx->req.body = ctx->body.data;
        ctx->req.body_len = ctx->body.len;
        dispatch(srv, ctx, &res);
    }
    enum MHD_Result ok = queue(ctx, &res);
    buf_free(&res.body);
    return ok;
}

/* Copies text for a log line, replacing control characters, quotes and backslashes so that a
 * crafted URL cannot forge log lines. */
static void log_safe_copy(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
    }
    dst[i] = '\0';
}

static void write_access_log(http_server *srv, request_context *ctx)
{
    char addr[INET6_ADDRSTRLEN];
    client_address(ctx->req.connection, addr, sizeof addr);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - ctx->began.tv_sec) * 1e3 +
                (double)(now.tv_nsec - ctx->began.tv_nsec) / 1e6;
    time_t wall = time(NULL);
    struct tm tm;
    gmtime_r(&wall, &tm);
    char when[32];
    strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    char path[1024], method[16];
    log_safe_copy(path, sizeof path, ctx->req.path);
    log_safe_copy(method, sizeof method, ctx->req.method);
    char line[2048];
    int n = snprintf(line, sizeof line, "%s - - [%s] \"%s %s\" %d %zu %.3fms\n", addr, when, method,
                     path, ctx->status, ctx->bytes_sent, ms);
    if (n > 0 &&
        write(srv->log_fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
        fputs("gazette: cannot write the access log\n", stderr);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *srv = cls;
    request_context *ctx = *con_cls;
    slow_clients_request_done(connection);
    if (!ctx) return;
    if (srv->log_fd >= 0) write_access_log(srv, ctx);
    buf_free(&ctx->body);
    arena_free(ctx->req.arena);
    free(ctx);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes %HH escapes in paths and query arguments in place, like libmicrohttpd's own, except
 * that %00 is left as it is: a NUL inside a path would cut it short and make it name another
 * resource ("/news/a%00b/" must not become "/news/a"). */
static size_t unescape(void *cls, struct MHD_Connection *connection, char *s)
{
    char *out = s;
    for (const char *in = s; *in; in++) {
        int hi, lo;
        if (in[0] == '%' && (hi = hex_value(in[1])) >= 0 && (lo = hex_value(in[2])) >= 0 &&
            (hi || lo)) {
            *out++ = (char)(hi * 16 + lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

static bool parse_listen(const char *listen, struct sockaddr_storage *ss, bool *ipv6)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen) return false;
    char host[64];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof host) return false;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || colon[1] == '\0' || port < 0 || port > 65535) return false;
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        *ipv6 = true;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1;
    }
    *ipv6 = false;
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &v4->sin_addr) == 1;
}

static bool open_access_log(http_server *srv, const char *path, char *err, size_t errlen)
{
    srv->log_fd = -1;
    if (!path) return true;
    if (strcmp(path, "-") == 0) {
        srv->log_fd = STDOUT_FILENO;
        return true;
    }
    srv->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (srv->log_fd < 0)
        snprintf(err, errlen, "cannot open access log '%s': %s", path, strerror(errno));
    return srv->log_fd >= 0;
}

/* Connections past this are closed as soon as accepted (on_accept). Each is a file descriptor,
 * and the database, media files and each thread's event loop need descriptors too: the limit
 * stays that far below the process's own, so that a flood of connections is refused cleanly
 * instead of making everything else fail with EMFILE. */
enum { ACCEPT_HEADROOM = 64 };

static unsigned connection_limit(unsigned threads)
{
    unsigned limit = 20000;
    rlim_t reserve = ACCEPT_HEADROOM + 64 + 8 * (rlim_t)threads;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < limit + reserve)
        limit = rl.rlim_cur > reserve + 16 ? (unsigned)(rl.rlim_cur - reserve) : 16;
    return limit;
}

/* libmicrohttpd's messages, on stderr, except those saying a send failed: the client has
 * gone, which is how every live-update stream ends (at the next heartbeat after the reader
 * closed the page) and no fault of the server's. */
static void log_message(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (strncmp(fmt, "Failed to send", 14) == 0) return;
    vfprintf(stderr, fmt, ap);
}

/* Streams stay open: at most three quarters of the connections may be streams, so that pages
 * are still served when the streams are at their cap (a low descriptor limit lowers it; a cap
 * the operator chose is lowered with a note on stderr). */
static unsigned stream_limit(unsigned wanted, unsigned max_connections)
{
    unsigned room = max_connections - max_connections / 4;
    if (!wanted) return room < 10000 ? room : 10000; /* the default, lowered without a word */
    if (wanted <= room) return wanted;
    fprintf(stderr,
            "gazette: at most %u live-update streams (not %u): the server takes %u connections, "
            "and a quarter of them are kept for pages; raise the descriptor limit (ulimit -n) "
            "for more\n",
            room, wanted, max_connections);
    return room;
}

/* libmicrohttpd, at its own connection limit, stops accepting and leaves new connections
 * waiting in the kernel's queue; its limit is set ACCEPT_HEADROOM above ours, so that a
 * connection past ours is accepted and closed at once: the client learns it now. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    http_server *srv = cls;
    return slow_clients_open(srv->slow) < srv->max_connections ? MHD_YES : MHD_NO;
}

http_server *http_server_start(const http_server_config *cfg, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    bool ipv6;
    if (!parse_listen(cfg->listen, &ss, &ipv6)) {
        snprintf(err, errlen, "bad listen address '%s': expected HOST:PORT such as 127.0.0.1:8080",
                 cfg->listen);
        return NULL;
    }
    http_server *srv = calloc(1, sizeof *srv);
    if (!srv) return NULL;
    srv->cfg = *cfg;
    if (!open_access_log(srv, cfg->access_log, err, errlen)) {
        free(srv);
        return NULL;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cfg->threads ? cfg->threads : (cores > 0 ? (unsigned)cores : 1);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME | (ipv6 ? MHD_USE_IPv6 : 0);
    unsigned timeout = cfg->timeout_seconds ? cfg->timeout_seconds : 30;
    srv->slow = slow_clients_start(timeout);
    srv->max_connections = connection_limit(threads);
    srv->streams = http_streams_new(stream_limit(cfg->max_streams, srv->max_connections));
    srv->daemon = MHD_start_daemon(
        flags, 0, srv->slow ? on_accept : NULL, srv, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER,
        log_message, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, timeout,
        MHD_OPTION_NOTIFY_CONNECTION, slow_clients_on_connection, srv->slow,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_CONNECTION_LIMIT,
        srv->max_connections + ACCEPT_HEADROOM, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot listen on %s (address in use or not available)", cfg->listen);
        slow_clients_stop(srv->slow);
        http_streams_free(srv->streams);
        if (srv->log_fd > STDERR_FILENO) close(srv->log_fd);
        free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    return srv;
}

unsigned http_server_port(const http_server *srv)
{
    return srv->port;
}

void http_server_stop(http_server *srv, unsigned grace_seconds)
{
    if (!srv) return;
    MHD_socket listen_fd = MHD_quiesce_daemon(srv->daemon);
    http_streams_stop(srv->streams); /* open streams end now, and none is left suspended */
    for (unsigned waited = 0; atomic_load(&srv->in_flight) > 0 && waited < grace_seconds * 100;
         waited++)
        usleep(10 * 1000);
    MHD_stop_daemon(srv->daemon);
    slow_clients_stop(srv->slow);
    http_streams_free(srv->streams);
    if (listen_fd != MHD_INVALID_SOCKET) close(listen_fd);
    if (srv->log_fd > STDERR_FILENO) close(srv->log_fd);
    free(srv);
}

int http_wait_for_shutdown_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
}
