/* sender.c — the thread `gazette serve` runs to deliver breaking-news alerts. It claims due
 * messages from the store's queue (store_push_claim: a lease, so that a message is never sent
 * by two senders, and one whose sender died is tried again), encrypts each for its subscriber
 * (push_encrypt), signs a VAPID token for the push service's origin, and POSTs a batch of
 * them at once with libcurl's multi interface, which keeps the connections to each push service
 * (at most 8, multiplexed over HTTP/2 where the service speaks it). What the push service
 * answers decides the message's fate (push.h). Only https is spoken,
 * redirects are not followed, and a connection to an address that is not public is refused
 * before any byte is sent, whatever the endpoint's host name resolved to (SSRF); the setting
 * push_allow_insecure lets tests use http on the loopback interface. */
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "push.h"

enum {
    BATCH = 64,           /* messages claimed, and sent at once, at a time */
    HOST_CONNECTIONS = 8, /* connections to one push service at most (HTTP/2 multiplexes) */
    LEASE_SECONDS = 120,  /* a claimed message is not due again before this */
    POLL_MS = 1000,       /* how often the queue is looked at when nobody wakes us */
    CONNECT_SECONDS = 10, /* limits of one POST */
    TRANSFER_SECONDS = 30,
    MAX_RETRY_SECONDS = 3600,
    JWT_HOURS = 12, /* a VAPID token is valid this long (RFC 8292: at most 24 hours) */
    KEEP_DAYS = 7,  /* delivered and given-up messages are forgotten after this */
    PRUNE_EVERY_SECONDS = 3600,
};

static const long backoff_seconds[PUSH_MAX_ATTEMPTS - 1] = {2, 10, 60, 300};

struct push_sender {
    store *store;
    char *base_url;
    push_key_pair keys;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken;
    atomic_bool stopping;
    /* the last store error logged, so that a failing store is not logged in a loop */
    char last_error[256];
    long long pruned_at; /* when old messages were last forgotten */
};

typedef enum { SENT, GONE, RETRY, FAILED } outcome;

push_fate push_fate_of_status(long status)
{
    if (status >= 200 && status < 300) return PUSH_DELIVERED;
    if (status == 404 || status == 410) return PUSH_GONE;
    if (status == 429 || (status >= 500 && status < 600)) return PUSH_RETRY;
    return PUSH_GIVE_UP;
}

long push_retry_delay(int attempts, long retry_after)
{
    if (attempts < 1 || attempts >= PUSH_MAX_ATTEMPTS) return -1;
    long wait = backoff_seconds[attempts - 1];
    if (retry_after > MAX_RETRY_SECONDS) retry_after = MAX_RETRY_SECONDS;
    return retry_after > wait ? retry_after : wait;
}

/* What one batch shares: its settings (read once per batch). */
typedef struct {
    push_sender *sender;
    bool allow_insecure;
    const char *contact;
    long long now;
} batch;

static bool setting_on(store *s, arena *a, const char *key)
{
    const char *value;
    return store_setting_get(s, a, key, &value) == STORE_OK && push_setting_on(value);
}

/* CURLOPT_PREREQFUNCTION: the address connected to must be public (SSRF). */
static int check_address(void *ctx, char *primary_ip, char *local_ip, int primary_port,
                         int local_port)
{
    const batch *b = ctx;
    return push_ip_is_public(primary_ip, b->allow_insecure) ? CURL_PREREQFUNC_OK
                                                            : CURL_PREREQFUNC_ABORT;
}

/* CURLOPT_XFERINFOFUNCTION: stopping the server cuts a transfer short. */
static int check_stopping(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                          curl_off_t ulnow)
{
    const batch *b = ctx;
    return atomic_load(&b->sender->stopping) ? 1 : 0;
}

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    return size * n;
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "gazette: push: %s\n", line);
}

/* The aes128gcm body and the Authorization header of message m; false when it cannot be made
 * (the message is then given up). */
static bool build(batch *b, arena *a, const store_push_message *m, buf *body, char **authorization)
{
    push_sender *s = b->sender;
    const char *url = arena_printf(a, "%s/news/%s/", s->base_url, m->slug);
    const char *tag = arena_printf(a, "breaking-%s", m->slug);
    char *payload = push_payload_json(a, m->headline, m->lead, url, tag);
    if (!payload || !m->p256dh || !m->auth) return false;
    push_status st = push_encrypt(m->p256dh, m->auth, payload, strlen(payload), NULL, body);
    if (st == PUSH_OK)
        st = push_vapid_authorization(a, &s->keys, m->endpoint, b->now + JWT_HOURS * 3600,
                                      b->contact, authorization);
    if (st != PUSH_OK) log_line("message %lld: %s", m->id, push_strerror(st));
    return st == PUSH_OK;
}

/* One message on its way: its request (made by start_transfer) and, once done, its fate. */
typedef struct {
    const store_push_message *m;
    const char *origin; /* for the log: the rest of an endpoint is the subscriber's secret */
    CURL *easy;         /* NULL when the message was settled without a request */
    struct curl_slist *headers;
    buf body;
    outcome result;
    long retry_after; /* seconds the push service asked to wait, 0 when it did not */
} transfer;

static bool set_headers(transfer *t, arena *a, const char *authorization)
{
    const char *lines[] = {
        arena_printf(a, "Authorization: %s", authorization),
        arena_printf(a, "TTL: %d", PUSH_TTL_SECONDS),
        "Urgency: high",
        "Content-Encoding: aes128gcm",
        "Content-Type: application/octet-stream",
        "Expect:", /* no 100-continue round trip for a 4 KB body */
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct curl_slist *h = curl_slist_append(t->headers, lines[i]);
        if (!h) return false;
        t->headers = h;
    }
    return true;
}

/* Checks and encrypts t's message and makes its POST, ready for the multi handle; false when
 * the message is settled without one (t->result says how). */
static bool start_transfer(batch *b, arena *a, transfer *t)
{
    const store_push_message *m = t->m;
    t->origin = push_url_origin(a, m->endpoint);
    if (!t->origin) t->origin = "(bad endpoint)";
    t->result = FAILED;
    if (!m->live) {
        log_line("'%s' is no longer live; alert to %s dropped", m->slug, t->origin);
        return false;
    }
    const char *problem = push_endpoint_problem(m->endpoint, b->allow_insecure);
    if (problem) {
        log_line("alert to %s dropped: %s", t->origin, problem);
        return false;
    }
    char *authorization;
    if (!build(b, a, m, &t->body, &authorization)) return false;
    t->result = RETRY; /* out of memory below: try again later */
    if (!set_headers(t, a, authorization) || !(t->easy = curl_easy_init())) return false;
    CURL *c = t->easy;
    curl_easy_setopt(c, CURLOPT_PRIVATE, t);
    curl_easy_setopt(c, CURLOPT_URL, m->endpoint);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, b->allow_insecure ? "https,http" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_SECONDS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TRANSFER_SECONDS);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "Gazette (Web Push)");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, t->body.data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)t->body.len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, check_address);
    curl_easy_setopt(c, CURLOPT_PREREQDATA, b);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stopping);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, b);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    return true;
}

/* What the end of t's transfer (rc, and the push service's answer) means for its message. */
static void finish_transfer(batch *b, transfer *t, CURLcode rc)
{
    const store_push_message *m = t->m;
    long status = 0;
    curl_off_t wait = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (curl_easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &wait) == CURLE_OK && wait > 0)
        t->retry_after = wait > MAX_RETRY_SECONDS ? MAX_RETRY_SECONDS : (long)wait;
    push_fate fate = push_fate_of_status(status);
    if (rc == CURLE_ABORTED_BY_CALLBACK && !atomic_load(&b->sender->stopping)) {
        log_line("'%s' to %s: refused, the host has an address that is not public", m->slug,
                 t->origin);
        t->result = FAILED;
    } else if (rc != CURLE_OK) {
        log_line("'%s' to %s: %s (attempt %d of %d)", m->slug, t->origin, curl_easy_strerror(rc),
                 m->attempts, PUSH_MAX_ATTEMPTS);
        t->result = RETRY;
    } else if (fate == PUSH_DELIVERED) {
        t->result = SENT;
    } else if (fate == PUSH_GONE) {
        log_line("'%s' to %s: HTTP %ld, the subscription is gone; removed", m->slug, t->origin,
                 status);
        t->result = GONE;
    } else {
        log_line("'%s' to %s: HTTP %ld (attempt %d of %d)", m->slug, t->origin, status, m->attempts,
                 PUSH_MAX_ATTEMPTS);
        t->result = fate == PUSH_RETRY ? RETRY : FAILED;
    }
}

/* Runs every started transfer of ts at once on the sender's multi handle (connections to a
 * push service are kept and shared, over HTTP/2 where it speaks it) until all are done. */
static void run_transfers(batch *b, CURLM *multi, transfer *ts, size_t n)
{
    size_t added = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ts[i].easy) continue;
        if (curl_multi_add_handle(multi, ts[i].easy) == CURLM_OK) {
            added++;
        } else {
            curl_easy_cleanup(ts[i].easy);
            ts[i].easy = NULL;
            ts[i].result = RETRY;
        }
    }
    int running = (int)added;
    while (running > 0) {
        if (curl_multi_perform(multi, &running) != CURLM_OK) break;
        if (running > 0 && curl_multi_poll(multi, NULL, 0, POLL_MS, NULL) != CURLM_OK) break;
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left))) {
        char *private = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &private);
        if (msg->msg == CURLMSG_DONE && private)
            finish_transfer(b, (transfer *)(void *)private, msg->data.result);
    }
    for (size_t i = 0; i < n; i++) {
        if (!ts[i].easy) continue;
        curl_multi_remove_handle(multi, ts[i].easy);
        curl_easy_cleanup(ts[i].easy);
        ts[i].easy = NULL;
    }
}

/* Records what became of m; counts deliveries in *sent. */
static void record(batch *b, const store_push_message *m, outcome o, long retry_after, int *sent)
{
    store *s = b->sender->store;
    store_status st = STORE_OK;
    long long now = (long long)time(NULL); /* not the batch's start: sending took a while */
    long wait = push_retry_delay(m->attempts, retry_after);
    if (o == SENT) {
        st = store_push_message_finish(s, m->id, PUSH_MESSAGE_SENT, 0);
        (*sent)++;
    } else if (o == GONE) {
        st = store_push_subscription_delete(s, m->subscription_id);
        if (st == STORE_NOT_FOUND) st = STORE_OK; /* removed meanwhile (unsubscribed) */
    } else if (o == RETRY && atomic_load(&b->sender->stopping)) {
        /* cut short by the shutdown: due again as soon as a server runs */
        st = store_push_message_finish(s, m->id, PUSH_MESSAGE_WAITING, now);
    } else if (o == RETRY && wait >= 0) {
        st = store_push_message_finish(s, m->id, PUSH_MESSAGE_WAITING, now + wait);
    } else {
        if (o == RETRY) log_line("'%s': given up after %d attempts", m->slug, m->attempts);
        st = store_push_message_finish(s, m->id, PUSH_MESSAGE_FAILED, 0);
    }
    if (st != STORE_OK) log_line("cannot record message %lld: %s", m->id, store_last_error(s));
}

static void log_store_error(push_sender *s, const char *what)
{
    const char *why = store_last_error(s->store);
    if (strcmp(why, s->last_error) == 0) return;
    snprintf(s->last_error, sizeof s->last_error, "%s", why);
    log_line("%s: %s", what, why);
}

/* Claims one batch, sends its messages all at once, and records what became of each;
 * returns how many messages it took. */
static size_t send_batch(push_sender *s, CURLM *multi, arena *a)
{
    batch b = {.sender = s, .now = (long long)time(NULL)};
    store_push_message *messages;
    size_t n;
    if (store_push_claim(s->store, a, b.now, b.now + LEASE_SECONDS, BATCH, &messages, &n) !=
        STORE_OK) {
        log_store_error(s, "cannot read the queue");
        return 0;
    }
    s->last_error[0] = '\0';
    if (n == 0) return 0;
    const char *contact;
    b.allow_insecure = setting_on(s->store, a, PUSH_SETTING_ALLOW_INSECURE);
    b.contact =
        store_setting_get(s->store, a, PUSH_SETTING_CONTACT, &contact) == STORE_OK && contact[0]
            ? contact
            : s->base_url;
    transfer *ts = arena_alloc(a, n * sizeof *ts);
    for (size_t i = 0; i < n; i++) {
        ts[i].m = &messages[i];
        if (!start_transfer(&b, a, &ts[i]) && ts[i].easy) {
            curl_easy_cleanup(ts[i].easy);
            ts[i].easy = NULL;
        }
    }
    run_transfers(&b, multi, ts, n);
    int sent = 0;
    for (size_t i = 0; i < n; i++) {
        record(&b, ts[i].m, ts[i].result, ts[i].retry_after, &sent);
        curl_slist_free_all(ts[i].headers);
        buf_free(&ts[i].body);
    }
    if (sent) log_line("%d alert%s delivered", sent, sent == 1 ? "" : "s");
    return n;
}

/* Sleeps up to POLL_MS, or until woken or stopped. */
static void nap(push_sender *s)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += POLL_MS / 1000;
    until.tv_nsec += (POLL_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    while (!s->woken && !atomic_load(&s->stopping))
        if (pthread_cond_timedwait(&s->cond, &s->lock, &until) != 0) break;
    s->woken = false;
    pthread_mutex_unlock(&s->lock);
}

/* Once an hour: forgets messages that ended more than KEEP_DAYS ago. */
static void prune(push_sender *s)
{
    long long now = (long long)time(NULL), removed;
    if (now - s->pruned_at < PRUNE_EVERY_SECONDS) return;
    s->pruned_at = now;
    if (store_push_prune(s->store, now - KEEP_DAYS * 86400LL, &removed) != STORE_OK)
        log_store_error(s, "cannot forget old messages");
}

static void *sender_main(void *arg)
{
    push_sender *s = arg;
    CURLM *multi = curl_multi_init();
    arena *a = arena_new();
    if (multi) {
        curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)HOST_CONNECTIONS);
        curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    } else {
        log_line("cannot start libcurl; no alerts will be sent");
    }
    while (multi && !atomic_load(&s->stopping)) {
        size_t took = send_batch(s, multi, a);
        arena_reset(a);
        if (took == 0) {
            prune(s);
            nap(s);
        }
    }
    arena_free(a);
    curl_multi_cleanup(multi);
    return NULL;
}

push_sender *push_sender_start(store *st, const char *base_url, char *err, size_t errlen)
{
    push_sender *s = calloc(1, sizeof *s);
    if (!s || !(s->base_url = strdup(base_url ? base_url : ""))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->store = st;
    atomic_init(&s->stopping, false);
    if (!push_vapid_ensure(st, &s->keys, err, errlen)) {
        free(s->base_url);
        free(s);
        return NULL;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&s->lock, NULL);
    if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        snprintf(err, errlen, "cannot start the Web Push sender thread");
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
        OPENSSL_cleanse(&s->keys, sizeof s->keys);
        free(s->base_url);
        free(s);
        curl_global_cleanup();
        return NULL;
    }
    return s;
}

void push_sender_wake(push_sender *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    s->woken = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void push_sender_stop(push_sender *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stopping, true);
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    OPENSSL_cleanse(&s->keys, sizeof s->keys);
    free(s->base_url);
    free(s);
    curl_global_cleanup();
}
