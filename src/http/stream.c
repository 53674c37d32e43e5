/* stream.c — streamed answers (stream.h) on libmicrohttpd 0.9.75. A stream is a callback
 * response of unknown length (chunked) whose reader hands libmicrohttpd the bytes written so
 * far; when there are none it suspends the connection and returns 0 — the pattern
 * microhttpd.h prescribes for "no data yet" with internal polling, which would otherwise spin.
 * A write resumes the connection; libmicrohttpd then marks it ready and calls the reader again.
 *
 * Each stream has a lock guarding its bytes and its state; `suspended` is true exactly while
 * libmicrohttpd holds the connection suspended, so a write resumes only a suspended connection
 * (resuming any other is undefined) and never a finished one: a connection is never closed
 * while suspended (libmicrohttpd neither reads it nor times it out), and the server ends every
 * stream (http_streams_stop) before stopping the daemon, which must not find one suspended.
 *
 * References: the handler's (http_stream_answer's caller: the site's live hub keeps it), and
 * the response's, dropped when libmicrohttpd destroys the response (the client gone or the
 * stream ended). Lock order: registry, then stream, then libmicrohttpd's own (taken by suspend
 * in the reader and by resume in a write). The free callback takes the registry lock, then the
 * stream's, perhaps with libmicrohttpd's held; that is safe because nothing holds the registry
 * lock while resuming (http_streams_stop lets go of it first), and a stream being freed is not
 * suspended, so no writer holding its lock is waiting for libmicrohttpd.
 */
#include "stream.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct http_stream {
    pthread_mutex_t lock;
    atomic_int refs;
    http_streams *registry;
    struct MHD_Connection *connection; /* set when the response is made */
    char *bytes;                       /* written, not yet handed to libmicrohttpd: [sent, len) */
    size_t sent, len, cap;
    bool suspended; /* libmicrohttpd holds the connection suspended */
    bool ending;    /* end once the bytes are sent */
    bool over;      /* the client is gone, or was cut off: writes are refused */
    bool cut;       /* cut off (too much unread): the connection ends with an error */
    unsigned idle_seconds;
    http_stream *prev, *next; /* in the registry, while the response lives */
};

struct http_streams {
    pthread_mutex_t lock;
    unsigned max_open, open;
    bool stopping;
    http_stream *head;
};

enum { DEFAULT_MAX_OPEN = 10000, READ_BLOCK = 16 * 1024 };

http_streams *http_streams_new(unsigned max_open)
{
    http_streams *reg = calloc(1, sizeof *reg);
    if (!reg) return NULL;
    reg->max_open = max_open ? max_open : DEFAULT_MAX_OPEN;
    pthread_mutex_init(&reg->lock, NULL);
    return reg;
}

unsigned http_streams_open(http_streams *reg)
{
    if (!reg) return 0;
    pthread_mutex_lock(&reg->lock);
    unsigned n = reg->open;
    pthread_mutex_unlock(&reg->lock);
    return n;
}

/* Resumes s's connection when it is suspended (s locked). */
static void wake(http_stream *s)
{
    if (!s->suspended) return;
    s->suspended = false;
    MHD_resume_connection(s->connection);
}

/* Ends the streams one at a time, looking for the next one still going from the start of the
 * list each time: slow, but needs no memory (http_streams_stop when out of memory). */
static void end_one_by_one(http_streams *reg)
{
    for (;;) {
        http_stream *next = NULL;
        pthread_mutex_lock(&reg->lock);
        for (http_stream *s = reg->head; s && !next; s = s->next) {
            pthread_mutex_lock(&s->lock);
            if (!s->ending) {
                http_stream_retain(s);
                next = s;
            }
            pthread_mutex_unlock(&s->lock);
        }
        pthread_mutex_unlock(&reg->lock);
        if (!next) return;
        http_stream_end(next);
        http_stream_release(next);
    }
}

void http_streams_stop(http_streams *reg)
{
    if (!reg) return;
    /* the streams are taken out under the registry lock and ended outside it: ending one
     * resumes its connection, which takes libmicrohttpd's lock, which a worker may hold while
     * destroying another stream's response (whose free callback takes the registry lock) */
    pthread_mutex_lock(&reg->lock);
    reg->stopping = true;
    size_t n = 0;
    for (http_stream *s = reg->head; s; s = s->next)
        n++;
    http_stream **all = n ? calloc(n, sizeof *all) : NULL;
    size_t k = 0;
    for (http_stream *s = reg->head; s && all; s = s->next) {
        http_stream_retain(s);
        all[k++] = s;
    }
    pthread_mutex_unlock(&reg->lock);
    for (size_t i = 0; i < k; i++) {
        http_stream_end(all[i]);
        http_stream_release(all[i]);
    }
    free(all);
    if (n && !all) end_one_by_one(reg);
}

void http_streams_free(http_streams *reg)
{
    if (!reg) return;
    pthread_mutex_destroy(&reg->lock);
    free(reg);
}

http_stream *http_stream_answer(http_request *req, http_response *res, const char *content_type,
                                unsigned idle_seconds)
{
    http_streams *reg = req->streams;
    if (!reg) {
        res->status = 404;
        return NULL;
    }
    http_stream *s = calloc(1, sizeof *s);
    if (!s) {
        res->status = 503;
        return NULL;
    }
    pthread_mutex_lock(&reg->lock);
    bool full = reg->stopping || reg->open >= reg->max_open;
    if (!full) {
        reg->open++;
        s->next = reg->head;
        if (reg->head) reg->head->prev = s;
        reg->head = s;
    }
    pthread_mutex_unlock(&reg->lock);
    if (full) {
        free(s);
        res->status = 503;
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    atomic_init(&s->refs, 2); /* the caller's and the response's */
    s->registry = reg;
    s->idle_seconds = idle_seconds;
    res->status = 200;
    res->content_type = content_type;
    res->stream = s;
    return s;
}

bool http_stream_write(http_stream *s, const void *bytes, size_t len)
{
    pthread_mutex_lock(&s->lock);
    bool ok = !s->over && !s->ending;
    if (ok && s->len - s->sent + len > HTTP_STREAM_MAX_PENDING) {
        /* the client reads nothing: drop it rather than hold ever more for it */
        s->over = s->cut = true;
        ok = false;
        wake(s);
    } else if (ok) {
        if (s->sent && s->sent == s->len) s->sent = s->len = 0;
        if (s->len + len > s->cap) {
            size_t cap = s->cap ? s->cap : 512;
            while (cap < s->len + len)
                cap *= 2;
            char *grown = realloc(s->bytes, cap);
            if (!grown) {
                pthread_mutex_unlock(&s->lock);
                return false;
            }
            s->bytes = grown;
            s->cap = cap;
        }
        memcpy(s->bytes + s->len, bytes, len);
        s->len += len;
        wake(s);
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}

bool http_stream_closed(http_stream *s)
{
    pthread_mutex_lock(&s->lock);
    bool over = s->over || s->ending;
    pthread_mutex_unlock(&s->lock);
    return over;
}

void http_stream_end(http_stream *s)
{
    pthread_mutex_lock(&s->lock);
    s->ending = true;
    wake(s);
    pthread_mutex_unlock(&s->lock);
}

void http_stream_pending(http_stream *s, buf *out)
{
    pthread_mutex_lock(&s->lock);
    buf_append(out, s->bytes + s->sent, s->len - s->sent);
    pthread_mutex_unlock(&s->lock);
}

void http_stream_retain(http_stream *s)
{
    atomic_fetch_add(&s->refs, 1);
}

void http_stream_release(http_stream *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
    pthread_mutex_destroy(&s->lock);
    free(s->bytes);
    free(s);
}

/* The content reader: the bytes written so far; the end when the stream has ended; else the
 * connection is suspended until the next write. */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    http_stream *s = cls;
    ssize_t n;
    pthread_mutex_lock(&s->lock);
    if (s->cut) {
        n = MHD_CONTENT_READER_END_WITH_ERROR;
    } else if (s->len > s->sent) {
        size_t take = s->len - s->sent < max ? s->len - s->sent : max;
        memcpy(out, s->bytes + s->sent, take);
        s->sent += take;
        n = (ssize_t)take;
    } else if (s->ending) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        s->suspended = true;
        MHD_suspend_connection(s->connection);
        n = 0;
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* The response is destroyed: its connection is done with the stream. */
static void stream_gone(void *cls)
{
    http_stream *s = cls;
    http_streams *reg = s->registry;
    pthread_mutex_lock(&reg->lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        reg->head = s->next;
    if (s->next) s->next->prev = s->prev;
    reg->open--;
    pthread_mutex_unlock(&reg->lock);
    pthread_mutex_lock(&s->lock);
    s->over = true;
    s->suspended = false;
    s->connection = NULL;
    pthread_mutex_unlock(&s->lock);
    http_stream_release(s);
}

struct MHD_Response *http_stream_response(http_stream *s, struct MHD_Connection *connection)
{
    pthread_mutex_lock(&s->lock);
    s->connection = connection;
    pthread_mutex_unlock(&s->lock);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, READ_BLOCK,
                                                               stream_read, s, stream_gone);
    if (!r) {
        stream_gone(s);
        return NULL;
    }
    MHD_set_connection_option(connection, MHD_CONNECTION_OPTION_TIMEOUT, s->idle_seconds);
    return r;
}

void http_stream_unsent(http_stream *s)
{
    if (s) stream_gone(s);
}
