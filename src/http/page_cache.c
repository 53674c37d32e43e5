/* page_cache.c — the in-memory page cache (page_cache.h): sharded hash table of prebuilt
 * libmicrohttpd responses, CLOCK eviction per shard, invalidation by tag, compression once
 * per entry (zlib gzip, brotli), strong ETags per encoding and 304 answers. */
#include "page_cache.h"

#include <brotli/encode.h>
#include <limits.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

enum {
    SHARDS = 16,
    BUCKETS = 1024,     /* per shard */
    COMPRESS_MIN = 256, /* smaller bodies are sent as they are */
    BROTLI_QUALITY = 5, /* compressed once per entry, again after each change: fast */
    GZIP_LEVEL = 6,
    TRIM_MIN = 4 << 20,       /* bytes freed between two malloc_trim calls, at least */
    ENTRY_OVERHEAD = 512,     /* bookkeeping, counted against the budget */
    RESPONSE_OVERHEAD = 5376, /* a libmicrohttpd response with its dozen headers, and what the
                                 allocator keeps around it (calibrated: RSS against the budget
                                 with 10,000 pages asked for, bench/memory.sh; raised from 5120
                                 when 20,000 pages at 100k stories cost 65.4 MB of RSS for the
                                 64 MB budget) */
};

/* The encodings an entry may hold, in order of preference. */
typedef enum { ENC_BROTLI, ENC_GZIP, ENC_IDENTITY, N_ENCODINGS } encoding;
static const char *const encoding_name[N_ENCODINGS] = {"br", "gzip", NULL};
static const char *const etag_suffix[N_ENCODINGS] = {"-br", "-gz", ""};

typedef struct entry {
    struct entry *next;                  /* bucket chain */
    struct entry *ring_next, *ring_prev; /* the shard's CLOCK ring */
    uint64_t hash;
    char *key;
    uint64_t *tags;
    size_t n_tags;
    struct MHD_Response *body[N_ENCODINGS]; /* NULL: that encoding is not kept */
    http_response head; /* what a 304 repeats: content type and the handler's headers */
    char *head_strings; /* head's strings */
    size_t length[N_ENCODINGS];
    char etag[N_ENCODINGS][40];
    time_t modified;
    size_t bytes;
    atomic_bool referenced;
} entry;

typedef struct {
    pthread_rwlock_t lock;
    entry *buckets[BUCKETS];
    entry *hand; /* CLOCK hand: the next entry considered for eviction */
    size_t bytes, entries;
} shard;

struct page_cache {
    shard shards[SHARDS];
    size_t max_bytes, shard_max;
    /* Freed entries leave holes between live ones, which free() cannot give back (it only
     * trims the top of a heap): once trim_every bytes were freed, malloc_trim returns the
     * holes' whole pages, so that the budget holds in resident memory under churn. */
    size_t trim_every;
    atomic_size_t freed_since_trim;
    atomic_ulong generation;
    atomic_ulong hits, misses, stores, evictions, invalidations;
};

static uint64_t fnv1a(const char *s)
{
    return http_hash_bytes(s, strlen(s));
}

uint64_t http_cache_tag_hash(const char *tag)
{
    return fnv1a(tag);
}

void http_cache_tag(http_response *res, const char *tag)
{
    uint64_t h = fnv1a(tag);
    for (size_t i = 0; i < res->n_cache_tags; i++)
        if (res->cache_tags[i] == h) return;
    if (res->n_cache_tags < HTTP_MAX_CACHE_TAGS - 1) {
        res->cache_tag_names[res->n_cache_tags] = tag;
        res->cache_tags[res->n_cache_tags++] = h;
    } else if (!res->cache_tags_overflow) { /* keep the last slot for the catch-all tag */
        res->cache_tags_overflow = true;
        res->cache_tag_names[res->n_cache_tags] = HTTP_CACHE_TAG_ALL;
        res->cache_tags[res->n_cache_tags++] = fnv1a(HTTP_CACHE_TAG_ALL);
    }
}

page_cache *page_cache_new(size_t max_bytes)
{
    if (!max_bytes) return NULL;
    page_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->max_bytes = max_bytes;
    c->shard_max = max_bytes / SHARDS;
    c->trim_every = max_bytes / 16 > TRIM_MIN ? max_bytes / 16 : TRIM_MIN;
    for (int i = 0; i < SHARDS; i++)
        pthread_rwlock_init(&c->shards[i].lock, NULL);
    return c;
}

/* What a block of ours really takes: its usable size and the allocator's header, not the
 * size asked for. */
static size_t block_cost(void *p)
{
    return p ? malloc_usable_size(p) + sizeof(size_t) : 0;
}

static void entry_free(entry *e)
{
    if (!e) return;
    for (int i = 0; i < N_ENCODINGS; i++) {
        if (e->body[i]) MHD_destroy_response(e->body[i]);
    }
    free(e->key);
    free(e->tags);
    free(e->head_strings);
    free(e);
}

/* An entry's chain: shards take the hash modulo SHARDS, buckets what is left. */
static entry **bucket_of(shard *s, uint64_t hash)
{
    return &s->buckets[(hash / SHARDS) % BUCKETS];
}

/* Takes e out of its shard's chain and ring (write lock held). */
static void shard_unlink(shard *s, entry *e)
{
    entry **p = bucket_of(s, e->hash);
    while (*p && *p != e)
        p = &(*p)->next;
    if (*p) *p = e->next;
    if (e->ring_next == e) {
        s->hand = NULL;
    } else {
        e->ring_prev->ring_next = e->ring_next;
        e->ring_next->ring_prev = e->ring_prev;
        if (s->hand == e) s->hand = e->ring_next;
    }
    s->bytes -= e->bytes;
    s->entries--;
}

static void shard_drop_all(shard *s)
{
    for (int b = 0; b < BUCKETS; b++) {
        entry *e = s->buckets[b];
        while (e) {
            entry *next = e->next;
            entry_free(e);
            e = next;
        }
        s->buckets[b] = NULL;
    }
    s->hand = NULL;
    s->bytes = s->entries = 0;
}

void page_cache_free(page_cache *cache)
{
    if (!cache) return;
    for (int i = 0; i < SHARDS; i++) {
        shard_drop_all(&cache->shards[i]);
        pthread_rwlock_destroy(&cache->shards[i].lock);
    }
    free(cache);
}

unsigned long page_cache_generation(const page_cache *cache)
{
    return atomic_load(&cache->generation);
}

/* ---- Choosing what to send ----------------------------------------------------------------- */

/* Whether an Accept-Encoding header accepts coding (a listed name whose q is not zero). */
static bool accepts(const char *header, const char *coding)
{
    size_t want = strlen(coding);
    const char *p = header;
    while (p && *p) {
        p += strspn(p, " \t,");
        size_t name = strcspn(p, " \t,;");
        bool match = name == want && strncasecmp(p, coding, want) == 0;
        const char *end = p + strcspn(p, ",");
        if (match) {
            const char *q = p + name;
            while (q < end) { /* parameters: look for q=0, q=0.0, q=0.000 */
                q += strspn(q, " \t;");
                if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
                    const char *v = q + 2;
                    if (*v == '0') {
                        v++;
                        if (*v == '.') v += 1 + strspn(v + 1, "0");
                        v += strspn(v, " \t");
                        if (v >= end || *v == ';') return false;
                    }
                }
                q += strcspn(q, ";,");
            }
            return true;
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

static encoding choose_encoding(const entry *e, const char *accept_encoding)
{
    if (accept_encoding) {
        if (e->body[ENC_BROTLI] && accepts(accept_encoding, "br")) return ENC_BROTLI;
        if (e->body[ENC_GZIP] && accepts(accept_encoding, "gzip")) return ENC_GZIP;
    }
    return ENC_IDENTITY;
}

/* The headers of one representation: what every answer carries, then validators. */
static bool add_entry_headers(struct MHD_Response *r, const http_response *res, const entry *e,
                              encoding enc, bool vary)
{
    char last_modified[HTTP_DATE_SIZE];
    http_date_format(e->modified, last_modified);
    http_add_common_headers(r, res);
    bool ok = MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, e->etag[enc]) == MHD_YES;
    if (ok && !http_response_header(res, MHD_HTTP_HEADER_LAST_MODIFIED)) /* else the handler's */
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, last_modified) == MHD_YES;
    if (ok && vary)
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding") == MHD_YES;
    if (ok && encoding_name[enc])
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, encoding_name[enc]) ==
             MHD_YES;
    return ok;
}

/* Queues e's answer to this request: the 304 when the client's copy is current, else the
 * body in the best encoding the client accepts. */
static bool queue_entry(const entry *e, struct MHD_Connection *connection,
                        const page_cache_request *rq, page_cache_sent *sent)
{
    encoding enc = choose_encoding(e, rq->accept_encoding);
    bool unchanged = http_client_copy_current(rq->if_none_match, rq->if_modified_since,
                                              e->etag[enc], e->modified);
    unsigned status = unchanged ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
    struct MHD_Response *r = e->body[enc];
    if (unchanged) { /* made for the occasion: a 304 is small, and keeping one per entry is not */
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!r ||
            !add_entry_headers(r, &e->head, e, enc, e->body[ENC_GZIP] || e->body[ENC_BROTLI])) {
            if (r) MHD_destroy_response(r);
            return false;
        }
    }
    enum MHD_Result queued = MHD_queue_response(connection, status, r);
    if (unchanged) MHD_destroy_response(r);
    if (queued != MHD_YES) return false;
    sent->status = (int)status;
    sent->bytes = unchanged ? 0 : e->length[enc];
    return true;
}

bool page_cache_serve(page_cache *cache, struct MHD_Connection *connection, const char *key,
                      const page_cache_request *rq, page_cache_sent *sent)
{
    uint64_t h = fnv1a(key);
    shard *s = &cache->shards[h % SHARDS];
    bool served = false;
    pthread_rwlock_rdlock(&s->lock);
    for (entry *e = *bucket_of(s, h); e; e = e->next) {
        if (e->hash != h || strcmp(e->key, key) != 0) continue;
        atomic_store_explicit(&e->referenced, true, memory_order_relaxed);
        served = queue_entry(e, connection, rq, sent);
        break;
    }
    pthread_rwlock_unlock(&s->lock);
    atomic_fetch_add_explicit(served ? &cache->hits : &cache->misses, 1, memory_order_relaxed);
    return served;
}

/* ---- Building an entry ---------------------------------------------------------------------- */

/* Gives back the tail of a buffer allocated for the worst case: an entry must cost what the
 * budget counts (a compressor's bound is about the input's size, not the output's). */
static unsigned char *shrink(unsigned char *bytes, size_t len)
{
    unsigned char *smaller = realloc(bytes, len ? len : 1);
    return smaller ? smaller : bytes;
}

static bool gzip_bytes(const void *in, size_t n, unsigned char **out, size_t *out_len)
{
    if (n > UINT_MAX / 2) return false;
    z_stream z = {0};
    if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    uLong cap = deflateBound(&z, (uLong)n);
    unsigned char *packed = malloc(cap);
    int rc = Z_MEM_ERROR;
    if (packed) {
        z.next_in = (Bytef *)in;
        z.avail_in = (uInt)n;
        z.next_out = packed;
        z.avail_out = (uInt)cap;
        rc = deflate(&z, Z_FINISH);
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(packed);
        return false;
    }
    *out = shrink(packed, *out_len);
    return true;
}

static bool brotli_bytes(const void *in, size_t n, unsigned char **out, size_t *out_len)
{
    size_t cap = BrotliEncoderMaxCompressedSize(n);
    unsigned char *packed = cap ? malloc(cap) : NULL;
    if (!packed) return false;
    *out_len = cap;
    if (!BrotliEncoderCompress(BROTLI_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, n, in,
                               out_len, packed)) {
        free(packed);
        return false;
    }
    *out = shrink(packed, *out_len);
    return true;
}

static bool compressible(const char *content_type)
{
    if (!content_type) return true; /* HTML by default */
    return strncmp(content_type, "text/", 5) == 0 ||
           strncmp(content_type, "application/json", 16) == 0 ||
           strncmp(content_type, "application/rss+xml", 19) == 0 ||
           strncmp(content_type, "application/atom+xml", 20) == 0 ||
           strncmp(content_type, "application/xml", 15) == 0 ||
           strncmp(content_type, "image/svg+xml", 13) == 0;
}

/* What the surrogate-key headers (surrogate_keys.c: as long as the page's tags make them) add
 * to one libmicrohttpd response beyond the calibrated RESPONSE_OVERHEAD: each header is a
 * node and two copied strings. */
static size_t surrogate_key_cost(const http_response *res)
{
    size_t cost = 0;
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->header_names[i], "xkey") == 0 ||
            strcasecmp(res->header_names[i], "Surrogate-Key") == 0)
            cost += 64 + strlen(res->header_names[i]) + strlen(res->header_values[i]) + 2;
    return cost;
}

/* Makes the response objects of one encoding from bytes (taken: freed on failure too). */
static bool add_encoding(entry *e, const http_response *res, encoding enc, unsigned char *bytes,
                         size_t len, bool vary)
{
    size_t cost = block_cost(bytes); /* before the response owns (and may free) bytes */
    struct MHD_Response *body = MHD_create_response_from_buffer(len, bytes, MHD_RESPMEM_MUST_FREE);
    if (!body) {
        free(bytes);
        return false;
    }
    e->body[enc] = body;
    e->length[enc] = len;
    e->bytes += cost + RESPONSE_OVERHEAD + surrogate_key_cost(res);
    return add_entry_headers(body, res, e, enc, vary);
}

/* Keeps what a later 304 repeats of res: its content type and headers, in one allocation
 * (e->head's strings point into it). */
static bool keep_head(entry *e, const http_response *res)
{
    size_t need = strlen(res->content_type ? res->content_type : "") + 1;
    for (size_t i = 0; i < res->n_headers; i++)
        need += strlen(res->header_names[i]) + strlen(res->header_values[i]) + 2;
    char *p = e->head_strings = malloc(need);
    if (!p) return false;
    e->head.status = 304;
    e->head.content_type = res->content_type ? p : NULL;
    p = stpcpy(p, res->content_type ? res->content_type : "") + 1;
    for (size_t i = 0; i < res->n_headers; i++) {
        e->head.header_names[i] = p;
        p = stpcpy(p, res->header_names[i]) + 1;
        e->head.header_values[i] = p;
        p = stpcpy(p, res->header_values[i]) + 1;
    }
    e->head.n_headers = res->n_headers;
    e->bytes += block_cost(e->head_strings);
    return true;
}

static entry *entry_build(const http_response *res, const char *key, uint64_t key_hash)
{
    const unsigned char *data =
        res->static_body ? res->static_body : (const unsigned char *)res->body.data;
    size_t len = res->static_body ? res->static_len : res->body.len;
    entry *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->hash = key_hash;
    e->key = strdup(key);
    e->tags = malloc((res->n_cache_tags ? res->n_cache_tags : 1) * sizeof *e->tags);
    if (!e->key || !e->tags) goto fail;
    memcpy(e->tags, res->cache_tags, res->n_cache_tags * sizeof *e->tags);
    e->n_tags = res->n_cache_tags;
    /* when the handler says when its content changed, that; else now */
    if (!http_date_parse(http_response_header(res, MHD_HTTP_HEADER_LAST_MODIFIED), &e->modified))
        e->modified = time(NULL);
    e->bytes = block_cost(e) + block_cost(e->key) + block_cost(e->tags) + ENTRY_OVERHEAD;
    if (!keep_head(e, res)) goto fail;

    /* the body's hash names this version in every ETag */
    uint64_t body_hash = http_hash_body(data, len);
    for (int enc = 0; enc < N_ENCODINGS; enc++)
        snprintf(e->etag[enc], sizeof e->etag[enc], "\"%016llx%s\"", (unsigned long long)body_hash,
                 etag_suffix[enc]);

    unsigned char *packed[2] = {NULL, NULL};
    size_t packed_len[2] = {0, 0};
    if (len >= COMPRESS_MIN && compressible(res->content_type)) {
        if (!brotli_bytes(data, len, &packed[0], &packed_len[0]) || packed_len[0] >= len)
            free(packed[0]), packed[0] = NULL;
        if (!gzip_bytes(data, len, &packed[1], &packed_len[1]) || packed_len[1] >= len)
            free(packed[1]), packed[1] = NULL;
    }
    bool vary = packed[0] || packed[1];
    bool ok = true;
    for (int i = 0; i < 2; i++)
        if (packed[i])
            ok = add_encoding(e, res, i == 0 ? ENC_BROTLI : ENC_GZIP, packed[i], packed_len[i],
                              vary) &&
                 ok;
    unsigned char *plain = malloc(len ? len : 1);
    if (plain && len) memcpy(plain, data, len);
    ok = plain && add_encoding(e, res, ENC_IDENTITY, plain, len, vary) && ok;
    if (ok) return e;
fail:
    entry_free(e);
    return NULL;
}

static void note_freed(page_cache *cache, size_t bytes)
{
    atomic_fetch_add_explicit(&cache->freed_since_trim, bytes, memory_order_relaxed);
}

/* Gives freed pages back to the system once enough were freed (no lock held: malloc_trim
 * takes the allocator's own locks, a few milliseconds for a big heap). */
static void trim_if_due(page_cache *cache)
{
    if (atomic_load_explicit(&cache->freed_since_trim, memory_order_relaxed) < cache->trim_every)
        return;
    if (atomic_exchange(&cache->freed_since_trim, 0) >= cache->trim_every) malloc_trim(0);
}

/* Evicts by CLOCK until extra more bytes fit (write lock held). */
static void make_room(page_cache *cache, shard *s, size_t extra)
{
    while (s->hand && s->bytes + extra > cache->shard_max) {
        entry *e = s->hand;
        if (atomic_exchange_explicit(&e->referenced, false, memory_order_relaxed)) {
            s->hand = e->ring_next;
            continue;
        }
        shard_unlink(s, e);
        note_freed(cache, e->bytes);
        entry_free(e);
        atomic_fetch_add_explicit(&cache->evictions, 1, memory_order_relaxed);
    }
}

static void shard_insert(page_cache *cache, shard *s, entry *e)
{
    entry **bucket = bucket_of(s, e->hash);
    for (entry *old = *bucket; old; old = old->next)
        if (old->hash == e->hash && strcmp(old->key, e->key) == 0) {
            shard_unlink(s, old);
            note_freed(cache, old->bytes);
            entry_free(old);
            break;
        }
    make_room(cache, s, e->bytes);
    e->next = *bucket;
    *bucket = e;
    if (s->hand) { /* join the ring just behind the hand: considered last */
        e->ring_next = s->hand;
        e->ring_prev = s->hand->ring_prev;
        s->hand->ring_prev->ring_next = e;
        s->hand->ring_prev = e;
    } else {
        e->ring_next = e->ring_prev = e;
        s->hand = e;
    }
    s->bytes += e->bytes;
    s->entries++;
}

bool page_cache_store_and_serve(page_cache *cache, struct MHD_Connection *connection,
                                const char *key, unsigned long generation, http_response *res,
                                const page_cache_request *rq, page_cache_sent *sent)
{
    uint64_t h = fnv1a(key);
    entry *e = entry_build(res, key, h);
    if (!e) return false;
    /* the asking client gets its answer through the entry: validators and encodings too */
    page_cache_request plain = {rq->accept_encoding, NULL, NULL};
    if (!queue_entry(e, connection, &plain, sent)) {
        entry_free(e);
        return false;
    }
    shard *s = &cache->shards[h % SHARDS];
    pthread_rwlock_wrlock(&s->lock);
    bool keep = atomic_load(&cache->generation) == generation && e->bytes <= cache->shard_max;
    if (keep) shard_insert(cache, s, e);
    pthread_rwlock_unlock(&s->lock);
    if (keep)
        atomic_fetch_add_explicit(&cache->stores, 1, memory_order_relaxed);
    else
        entry_free(e); /* libmicrohttpd keeps its own reference to what it queued */
    trim_if_due(cache);
    return true;
}

/* ---- Invalidation ---------------------------------------------------------------------------- */

static bool carries_any(const entry *e, const uint64_t *tags, size_t n)
{
    for (size_t i = 0; i < e->n_tags; i++)
        for (size_t k = 0; k < n; k++)
            if (e->tags[i] == tags[k]) return true;
    return false;
}

void page_cache_invalidate(page_cache *cache, const uint64_t *tags, size_t n)
{
    if (!cache || !n) return;
    atomic_fetch_add(&cache->generation, 1);
    unsigned long dropped = 0;
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &cache->shards[i];
        pthread_rwlock_wrlock(&s->lock);
        for (int b = 0; b < BUCKETS; b++) {
            entry *e = s->buckets[b];
            while (e) {
                entry *next = e->next;
                if (carries_any(e, tags, n)) {
                    shard_unlink(s, e);
                    note_freed(cache, e->bytes);
                    entry_free(e);
                    dropped++;
                }
                e = next;
            }
        }
        pthread_rwlock_unlock(&s->lock);
    }
    atomic_fetch_add(&cache->invalidations, dropped);
    trim_if_due(cache);
}

void page_cache_clear(page_cache *cache)
{
    if (!cache) return;
    atomic_fetch_add(&cache->generation, 1);
    unsigned long dropped = 0;
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &cache->shards[i];
        pthread_rwlock_wrlock(&s->lock);
        dropped += s->entries;
        note_freed(cache, s->bytes);
        shard_drop_all(s);
        pthread_rwlock_unlock(&s->lock);
    }
    atomic_fetch_add(&cache->invalidations, dropped);
    trim_if_due(cache);
}

void page_cache_get_stats(page_cache *cache, page_cache_stats *out)
{
    *out = (page_cache_stats){.max_bytes = cache->max_bytes,
                              .hits = atomic_load(&cache->hits),
                              .misses = atomic_load(&cache->misses),
                              .stores = atomic_load(&cache->stores),
                              .evictions = atomic_load(&cache->evictions),
                              .invalidations = atomic_load(&cache->invalidations)};
    for (int i = 0; i < SHARDS; i++) {
        shard *s = &cache->shards[i];
        pthread_rwlock_rdlock(&s->lock);
        out->entries += s->entries;
        out->bytes += s->bytes;
        pthread_rwlock_unlock(&s->lock);
    }
}
