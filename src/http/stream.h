/* stream.h — answers that go on: a handler answers with a stream (http_stream_answer) instead of
 * a body, and whoever holds the stream writes to it later, from any thread, for as long as the
 * client stays (Server-Sent Events, src/site/live.c). The server sends what is written as it
 * comes; a stream with nothing to send costs no thread and no polling: its connection is
 * suspended and resumed by the next write. The server keeps every open stream in a registry
 * (http_streams) that caps how many may be open and ends them all when it stops. Handlers
 * never see libmicrohttpd. */
#ifndef GAZETTE_HTTP_STREAM_H
#define GAZETTE_HTTP_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

typedef struct http_stream http_stream;
typedef struct http_streams http_streams;

/* ---- For handlers ------------------------------------------------------------------------ */

/* Answers req with a stream of content_type: res becomes a 200 whose body is whatever is
 * written to the returned stream; headers set on res are sent as usual. idle_seconds is how
 * long the client may leave written bytes unread before its connection is closed (the
 * server's own idle timeout does not apply: a stream is quiet by nature; write something at
 * least that often — a heartbeat — so that it can tell a dead client). Returns the stream with
 * one reference for the caller (http_stream_release), or NULL with res answered: 503 when
 * the server holds its maximum of open streams or is stopping, 404 for a request made offline
 * (the static export). */
http_stream *http_stream_answer(http_request *req, http_response *res, const char *content_type,
                                unsigned idle_seconds);
/* Queues bytes for the client and wakes its connection. Thread-safe. False when the stream is
 * over: the client has gone, the server is stopping, or more than HTTP_STREAM_MAX_PENDING
 * bytes wait unread (the client is then cut off); the holder should let it go. */
enum { HTTP_STREAM_MAX_PENDING = 256 * 1024 };
bool http_stream_write(http_stream *s, const void *bytes, size_t len);
/* Whether the stream is over (see http_stream_write). */
bool http_stream_closed(http_stream *s);
/* Ends the stream once what was written has been sent. */
void http_stream_end(http_stream *s);
/* Appends to out what was written and not yet sent, leaving it queued (for tests). */
void http_stream_pending(http_stream *s, buf *out);
void http_stream_retain(http_stream *s);
void http_stream_release(http_stream *s);

/* ---- For the server (server.c) ----------------------------------------------------------- */

/* A registry allowing at most max_open streams at once (0: 10000). */
http_streams *http_streams_new(unsigned max_open);
/* Ends every stream and refuses new ones; the connections finish their answers. Call before
 * waiting for requests in flight and stopping the daemon: libmicrohttpd must not be stopped
 * with a suspended connection. */
void http_streams_stop(http_streams *reg);
/* Frees the registry; every stream's connection must be gone (after MHD_stop_daemon). */
void http_streams_free(http_streams *reg);
unsigned http_streams_open(http_streams *reg);
/* The libmicrohttpd answer sending s on connection (the response's own reference to s is the
 * one http_stream_answer kept for it; it is dropped when the response is destroyed); NULL when
 * out of memory (that reference dropped too). Sets the connection's idle timeout. */
struct MHD_Response;
struct MHD_Response *http_stream_response(http_stream *s, struct MHD_Connection *connection);
/* Drops the reference kept for the response when no response is made (a failure). */
void http_stream_unsent(http_stream *s);

#endif
