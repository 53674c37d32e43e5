/* varnish_purge.c — the Varnish purger (varnish_purge.h): a bounded queue of surrogate keys
 * filled by whatever thread invalidates pages, and one thread that sends them in batches to
 * every node with libcurl (PURGE, `xkey-purge: KEYS`), retrying failed nodes a few times.
 *
 * Each batch is sent once more REPEAT_MS later. A page Varnish was fetching at the moment of
 * the change may have been rendered just before it and reach Varnish just after the purge;
 * the page cache closes that race with its generation counter, but Varnish would keep such a
 * copy until its s-maxage. The repeat drops it; it costs one more miss per purged page. */
#include "varnish_purge.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

enum {
    MAX_QUEUED = 2048,  /* keys waiting; more turn the queue into one purge-all */
    BATCH_BYTES = 4000, /* keys in one request's header, at most (Varnish allows 8 KB) */
    ATTEMPTS = 4,       /* tries of one batch on one node */
    CONNECT_MS = 2000,  /* limits of one request */
    TRANSFER_MS = 5000,
    LOG_EVERY_SECONDS = 60, /* failures are logged at most this often */
    REPEAT_MS = 1000        /* each batch is sent again this much later */
};

static const long retry_wait_ms[ATTEMPTS - 1] = {250, 1000, 3000};

/* ---- node lists ---------------------------------------------------------------------------- */

static bool url_byte_ok(unsigned char c)
{
    return c > 0x20 && c < 0x7f;
}

/* Whether url (len bytes) names a user or password before its host: never echoed. */
static bool has_user_info(const char *url, size_t len)
{
    const char *host = memchr(url, '/', len);
    if (!host || (size_t)(host - url) + 2 > len || host[1] != '/') return memchr(url, '@', len);
    host += 2;
    size_t rest = len - (size_t)(host - url), authority = 0;
    while (authority < rest && !strchr("/?#", host[authority]))
        authority++;
    return memchr(host, '@', authority) != NULL;
}

static bool check_url(const char *url, size_t len, char *err, size_t errlen)
{
    int shown = (int)(len > 80 ? 80 : len);
    /* a password would end up in messages and logs; the VCL admits purgers by address */
    if (has_user_info(url, len)) {
        snprintf(err, errlen,
                 "a Varnish address may not hold a user name or password (the "
                 "VCL's acl purgers admits nodes by address)");
        return false;
    }
    size_t scheme = strncmp(url, "http://", 7) == 0 ? 7 : strncmp(url, "https://", 8) == 0 ? 8 : 0;
    if (!scheme || len <= scheme || url[scheme] == '/') {
        snprintf(err, errlen, "'%.*s' is not an http:// or https:// address of a Varnish node",
                 shown, url);
        return false;
    }
    if (len >= VARNISH_URL_MAX) {
        snprintf(err, errlen, "the Varnish address '%.40s...' is longer than %d bytes", url,
                 VARNISH_URL_MAX - 1);
        return false;
    }
    for (size_t i = 0; i < len; i++)
        if (!url_byte_ok((unsigned char)url[i])) {
            snprintf(err, errlen,
                     "the Varnish address '%.*s' holds a byte that is not visible ASCII", shown,
                     url);
            return false;
        }
    return true;
}

bool varnish_nodes_add(varnish_nodes *nodes, const char *list, char *err, size_t errlen)
{
    varnish_nodes grown = *nodes;
    for (const char *p = list; p && *p;) {
        p += strspn(p, ", \t");
        size_t len = strcspn(p, ", \t");
        if (!len) break;
        if (!check_url(p, len, err, errlen)) return false;
        bool known = false;
        for (size_t i = 0; i < grown.n && !known; i++)
            known = strlen(grown.urls[i]) == len && memcmp(grown.urls[i], p, len) == 0;
        if (!known) {
            if (grown.n == VARNISH_MAX_NODES) {
                snprintf(err, errlen, "more than %d Varnish nodes", VARNISH_MAX_NODES);
                return false;
            }
            memcpy(grown.urls[grown.n], p, len);
            grown.urls[grown.n++][len] = '\0';
        }
        p += len;
    }
    *nodes = grown;
    return true;
}

/* ---- the queue ----------------------------------------------------------------------------- */

typedef struct {
    char *url;
    CURL *curl; /* kept: the connection stays open between purges */
} node;

struct varnish_purger {
    node nodes[VARNISH_MAX_NODES];
    size_t n_nodes;
    pthread_t thread;
    pthread_mutex_t lock; /* guards the queue and stop */
    pthread_cond_t wake;
    char *keys[MAX_QUEUED]; /* escaped keys waiting, oldest first, no duplicates */
    size_t n_keys;
    bool everything; /* a purge-all is waiting (keys are then empty) */
    /* what was sent, to send again at repeat_due (the same rules as keys and everything) */
    char *repeat_keys[MAX_QUEUED];
    size_t n_repeat_keys;
    bool repeat_everything;
    struct timespec repeat_due; /* CLOCK_REALTIME, for pthread_cond_timedwait */
    bool stop;
    time_t last_log;
    unsigned long unlogged; /* failures since the last log line */
    atomic_ulong sent, failed, retries, purged_everything, overflows, repeats;
};

static bool in_list(char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0) return true;
    return false;
}

static bool queued(const varnish_purger *p, const char *key)
{
    return in_list(p->keys, p->n_keys, key);
}

static void drop_list(char **keys, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free(keys[i]);
    *n = 0;
}

static void drop_keys(varnish_purger *p)
{
    drop_list(p->keys, &p->n_keys);
}

/* The queue could not take more (lock held): one purge of everything replaces it. */
static void overflow(varnish_purger *p)
{
    drop_keys(p);
    p->everything = true;
    atomic_fetch_add(&p->overflows, 1);
}

void varnish_purger_tags(varnish_purger *p, const char *const *tags, size_t n)
{
    if (!p || !n) return;
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < n && !p->everything; i++) {
        buf key = {0};
        http_surrogate_key_append(&key, tags[i]);
        if (key.len == 0 || queued(p, key.data)) {
            buf_free(&key);
        } else if (p->n_keys == MAX_QUEUED || key.len > BATCH_BYTES) {
            buf_free(&key);
            overflow(p);
        } else {
            p->keys[p->n_keys++] = buf_steal(&key);
        }
    }
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

void varnish_purger_everything(varnish_purger *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    drop_keys(p);
    p->everything = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
}

/* Takes the next batch's header value off a queue (keys, *n, *everything) into out (lock
 * held): "*" for a purge of everything, else the oldest keys that fit in BATCH_BYTES. False
 * when nothing waits. */
static bool take_from(char **keys, size_t *n, bool *everything, buf *out)
{
    if (*everything) {
        *everything = false;
        drop_list(keys, n);
        buf_puts(out, "*");
        return true;
    }
    size_t taken = 0;
    while (taken < *n && out->len + 1 + strlen(keys[taken]) <= BATCH_BYTES) {
        if (out->len) buf_putc(out, ' ');
        buf_puts(out, keys[taken]);
        free(keys[taken++]);
    }
    memmove(keys, keys + taken, (*n - taken) * sizeof *keys);
    *n -= taken;
    return taken > 0;
}

static bool repeat_waiting(const varnish_purger *p)
{
    return p->n_repeat_keys || p->repeat_everything;
}

/* Keeps the batch just sent (a header value) to send again REPEAT_MS from now, merged with
 * what waits to be repeated already. */
static void repeat_later(varnish_purger *p, const char *batch)
{
    pthread_mutex_lock(&p->lock);
    if (!repeat_waiting(p)) {
        clock_gettime(CLOCK_REALTIME, &p->repeat_due);
        p->repeat_due.tv_sec += REPEAT_MS / 1000;
        p->repeat_due.tv_nsec += (REPEAT_MS % 1000) * 1000000L;
        if (p->repeat_due.tv_nsec >= 1000000000L)
            p->repeat_due.tv_sec++, p->repeat_due.tv_nsec -= 1000000000L;
    }
    if (strcmp(batch, "*") == 0) p->repeat_everything = true;
    for (const char *k = batch; !p->repeat_everything && *k;) {
        size_t len = strcspn(k, " ");
        char *key = strndup(k, len);
        if (!key || p->n_repeat_keys == MAX_QUEUED) {
            free(key);
            p->repeat_everything = true;
        } else if (in_list(p->repeat_keys, p->n_repeat_keys, key)) {
            free(key);
        } else {
            p->repeat_keys[p->n_repeat_keys++] = key;
        }
        k += len + (k[len] == ' ');
    }
    if (p->repeat_everything) drop_list(p->repeat_keys, &p->n_repeat_keys);
    pthread_mutex_unlock(&p->lock);
}

/* Waits for work (lock held): true when it is a repeat whose time has come. */
static bool wait_for_work(varnish_purger *p)
{
    while (!p->stop && !p->everything && !p->n_keys) {
        if (!repeat_waiting(p))
            pthread_cond_wait(&p->wake, &p->lock);
        else if (pthread_cond_timedwait(&p->wake, &p->lock, &p->repeat_due) == ETIMEDOUT)
            return true;
    }
    return false;
}

/* ---- sending ------------------------------------------------------------------------------- */

static size_t discard_body(char *data, size_t size, size_t count, void *arg)
{
    (void)data, (void)arg;
    return size * count;
}

/* One PURGE to one node: true when it answered 2xx; else why not in why. */
static bool send_purge(node *nd, struct curl_slist *headers, char *why, size_t whylen)
{
    if (!nd->curl && !(nd->curl = curl_easy_init())) {
        snprintf(why, whylen, "cannot start libcurl");
        return false;
    }
    CURL *c = nd->curl;
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, nd->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PURGE");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)TRANSFER_MS);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    if (rc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
        return false;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) return true;
    snprintf(why, whylen, "it answered HTTP %ld%s", status,
             status == 403 ? " (is this server's address in the VCL's purgers ACL?)" : "");
    return false;
}

/* Logs a failure unless one was logged less than a minute ago (then counts it). */
static void log_failure(varnish_purger *p, const char *url, const char *why, bool giving_up)
{
    time_t now = time(NULL);
    if (p->last_log && now - p->last_log < LOG_EVERY_SECONDS) {
        p->unlogged++;
        return;
    }
    fprintf(stderr, "gazette: varnish: purge at %s failed: %s; %s", url, why,
            giving_up ? "given up" : "trying again");
    if (p->unlogged) fprintf(stderr, " (%lu more failures since the last message)", p->unlogged);
    fputc('\n', stderr);
    p->last_log = now;
    p->unlogged = 0;
}

/* Waits ms, or less when the purger stops; true when it stops. */
static bool pause_or_stop(varnish_purger *p, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&p->lock);
    while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &until) == 0) {
    }
    bool stop = p->stop;
    pthread_mutex_unlock(&p->lock);
    return stop;
}

/* Sends one batch to every node, trying the failed ones again (fewer tries when stopping);
 * true when some node took it. */
static bool send_batch(varnish_purger *p, const char *keys, bool stopping)
{
    buf header = {0};
    buf_printf(&header, "xkey-purge: %s", keys);
    struct curl_slist *headers = curl_slist_append(NULL, header.data);
    buf_free(&header);
    bool done[VARNISH_MAX_NODES] = {0};
    size_t left = p->n_nodes;
    for (int attempt = 0; headers && left && attempt < ATTEMPTS; attempt++) {
        if (attempt > 0) {
            atomic_fetch_add(&p->retries, 1);
            if (stopping || pause_or_stop(p, retry_wait_ms[attempt - 1])) stopping = true;
        }
        bool last = attempt == ATTEMPTS - 1 || stopping;
        for (size_t i = 0; i < p->n_nodes; i++) {
            char why[CURL_ERROR_SIZE + 96];
            if (done[i]) continue;
            if (send_purge(&p->nodes[i], headers, why, sizeof why)) {
                done[i] = true;
                left--;
                atomic_fetch_add(&p->sent, 1);
            } else {
                log_failure(p, p->nodes[i].url, why, last);
            }
        }
        if (last) break;
    }
    if (!headers) log_failure(p, "every node", "out of memory", true);
    atomic_fetch_add(&p->failed, headers ? left : p->n_nodes);
    curl_slist_free_all(headers);
    return headers && left < p->n_nodes;
}

static void *purge_thread(void *arg)
{
    varnish_purger *p = arg;
    for (;;) {
        buf batch = {0};
        pthread_mutex_lock(&p->lock);
        bool repeat = wait_for_work(p), stopping = p->stop;
        bool any = repeat
                       ? take_from(p->repeat_keys, &p->n_repeat_keys, &p->repeat_everything, &batch)
                       : take_from(p->keys, &p->n_keys, &p->everything, &batch);
        pthread_mutex_unlock(&p->lock);
        if (any) {
            if (strcmp(batch.data, "*") == 0) atomic_fetch_add(&p->purged_everything, 1);
            if (repeat) atomic_fetch_add(&p->repeats, 1);
            if (send_batch(p, batch.data, stopping) && !repeat && !stopping)
                repeat_later(p, batch.data);
        }
        buf_free(&batch);
        if (stopping && !any) return NULL;
    }
}

/* ---- start, stop, figures ------------------------------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ready;

static void curl_start(void)
{
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static void purger_free(varnish_purger *p)
{
    drop_keys(p);
    drop_list(p->repeat_keys, &p->n_repeat_keys);
    for (size_t i = 0; i < p->n_nodes; i++) {
        if (p->nodes[i].curl) curl_easy_cleanup(p->nodes[i].curl);
        free(p->nodes[i].url);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
}

varnish_purger *varnish_purger_start(const varnish_nodes *nodes, char *err, size_t errlen)
{
    pthread_once(&curl_once, curl_start);
    if (!curl_ready) {
        snprintf(err, errlen, "libcurl could not start");
        return NULL;
    }
    varnish_purger *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    for (size_t i = 0; i < nodes->n; i++, p->n_nodes++)
        if (!(p->nodes[i].url = strdup(nodes->urls[i]))) {
            snprintf(err, errlen, "out of memory");
            purger_free(p);
            return NULL;
        }
    if (pthread_create(&p->thread, NULL, purge_thread, p) != 0) {
        snprintf(err, errlen, "cannot start the Varnish purge thread");
        purger_free(p);
        return NULL;
    }
    return p;
}

void varnish_purger_stop(varnish_purger *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    purger_free(p);
}

void varnish_purger_get_stats(varnish_purger *p, varnish_purge_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    out->queued = p->n_keys + (p->everything ? 1 : 0);
    pthread_mutex_unlock(&p->lock);
    out->nodes = p->n_nodes;
    out->sent = atomic_load(&p->sent);
    out->failed = atomic_load(&p->failed);
    out->retries = atomic_load(&p->retries);
    out->everything = atomic_load(&p->purged_everything);
    out->overflows = atomic_load(&p->overflows);
    out->repeats = atomic_load(&p->repeats);
}
