/* index.c — the related-stories index: per story, field-weighted term frequencies turned into
 * a BM25-weighted vector of its most distinctive terms (normalised), an inverted index from
 * term to (story, weight) postings over those vectors, and queries that accumulate dot products
 * (cosine) over the query story's postings, add topic and name boosts, discount by age
 * difference, drop near-duplicates and diversify the result (greedy MMR).
 *
 * IDF changes as stories come and go. A put or remove computes the new story's vector with the
 * current statistics and leaves the other vectors as they are (slightly stale); once the
 * changes since the last full rebuild exceed half the collection, the put rebuilds every
 * vector, so the staleness stays bounded and bulk loading costs a small constant factor.
 * related_index_rebuild forces a full rebuild (call it after a bulk load).
 *
 * Memory (about 1 KB a story; the encodings are in internal.h and codec.c):
 *   - a story is a 48-byte record and one block holding its topic ids, its term frequencies
 *     (term-id gaps with small frequencies in the same varint) and its vector (two-byte term-id
 *     gaps and one-byte log-scaled weights: fixed width, quick to read in every cosine), with
 *     a few bytes of room so that a rebuild rarely has to move the block;
 *   - all postings live in one array of 32-bit entries (slot << 8 | weight code); each term
 *     owns a run of it with some room to grow, and a term whose run is full moves to the end
 *     (the hole is reclaimed by the next layout, at a rebuild or when holes exceed a quarter);
 *   - term texts live in one string arena, term records in one array, and the hash tables
 *     (terms, story ids, topics) use open addressing over 32-bit ids. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "related.h"

/* 80 terms, not 40: on the BBC set precision@4 is 0.87 with 40 and 0.91 with 80, for a query
 * time still well under 1 ms (see tests/eval/eval_related.c). */
enum { VECTOR_TERMS = 80, MMR_POOL_MIN = 24 };
/* Candidate generation walks the postings of the query's CANDIDATE_TERMS heaviest terms only,
 * skipping terms in more than 1/COMMON_SHARE of the stories (little weight after IDF, long
 * postings) unless that leaves fewer than MIN_CANDIDATE_TERMS; the best RESCORE_POOL
 * candidates by that partial score are then rescored with the full vectors. */
enum { CANDIDATE_TERMS = 30, MIN_CANDIDATE_TERMS = 8, COMMON_SHARE = 20, RESCORE_POOL = 64 };
/* At most WALK_CAP postings are walked per term: the heaviest ones. A term with more postings
 * than that keeps them sorted by weight, heaviest first (term_info.sorted). */
enum { WALK_CAP = 1000 };
/* Slots are 24 bits in a posting: at most this many stories are indexed at once; a put beyond
 * it leaves the story out (its page falls back to the store's topic ranking). */
#define MAX_SLOTS (UINT32_C(1) << 24)
/* Bytes of room after a story's vector: a rebuild moves the block only when the new vector is
 * longer than the old one by more than this. */
enum { VECTOR_ROOM = 8 };
#define EMPTY UINT32_MAX
static const double K1 = 1.2, B = 0.75;
static const double W_HEADLINE = 3.0, W_KICKER = 2.5, W_LEAD = 2.0, W_BODY = 1.0;
static const double NAME_WEIGHT = 1.3; /* name terms weigh more in a vector */
static const double SINGLETON = 0.3;   /* terms of one story only (typos, rare names) weigh less */
static const double NEAR_DUPLICATE = 0.9; /* cosine above which a story is a copy */
static const double TOO_SIMILAR = 0.6;    /* MMR: cosine between two picks */
static const double MMR_PENALTY = 0.5;    /* times that cosine, off the score */
static const double PRIMARY_TOPIC = 0.15, OTHER_TOPIC = 0.05, TOPIC_CAP = 0.3;
static const double NAME_BOOST = 0.02, NAME_CAP = 0.06;
static const double AGE_DAYS = 30.0, AGE_SHARE = 0.3;

typedef struct {
    uint32_t term;
    float w;
} term_weight;

typedef struct {
    uint32_t text;     /* offset of its NUL-terminated text in index->text */
    uint32_t hash, df; /* hash: low bits of hash_bytes(text), compared before the text */
    uint32_t off, n_post, cap_post; /* its run in index->post */
    bool name, sorted;
} term_info;

typedef struct {
    long long id, published_at;
    /* topic ids (uint32_t each, index->topic_text, in the story's order), then the term
     * frequencies, then the vector, then vec_room - vec_bytes spare bytes. Term frequencies:
     * per term, in term order, the id's gap from the previous one and twice the field-weighted
     * frequency (field weights are halves), packed by related_tf_put. Vector: per term, in
     * term order, the id's gap and the weight's code, packed by related_vec_put. */
    unsigned char *data;
    uint32_t n_tf, tf_bytes;
    float len;
    uint16_t n_topics, vec_bytes, vec_room;
    uint8_t n_vec;
    bool live;
} story_rec;

struct related_index {
    pthread_rwlock_t lock;
    related_analyzer *an;
    term_info *terms;
    uint32_t n_terms, cap_terms;
    char *text; /* term texts, NUL-terminated, one after the other */
    size_t text_len, text_cap;
    uint32_t *term_table; /* open addressing: term ids */
    size_t term_mask;
    uint32_t *post; /* postings: slot << 8 | weight code; runs owned by terms */
    size_t post_len, post_cap, post_holes;
    story_rec *stories;
    uint32_t n_slots, cap_slots;
    uint32_t *free_slots;
    uint32_t n_free;
    uint32_t *id_table; /* open addressing: slots, keyed by story id */
    size_t id_mask;
    char **topic_text; /* topic id -> slug; ids are never reused or freed before the index */
    uint32_t n_topic_ids, cap_topic_ids;
    uint32_t *topic_table; /* open addressing: topic ids, keyed by slug */
    size_t topic_mask;
    size_t n_live, dirty;
    bool loading; /* related_index_load_begin: puts only analyse */
    double total_len;
    float weight_of[256]; /* weight code -> weight */
    /* scratch for put (used under the write lock only) */
    float *acc;
    uint32_t *touched;
    uint32_t n_touched, cap_scratch;
    double field_weight;
    term_weight *vbuf; /* make_vector scratch */
    uint32_t cap_vbuf;
    unsigned char *tfbuf; /* encoding scratch */
    size_t cap_tfbuf;
    unsigned char vecbuf[VECTOR_TERMS * RELATED_VEC_MAX];
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("related: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("related: out of memory\n", stderr);
        abort();
    }
    return p;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t hash_id(long long id)
{
    uint64_t x = (uint64_t)id + 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint32_t *new_table(size_t cap)
{
    uint32_t *t = xrealloc(NULL, cap * sizeof *t);
    for (size_t i = 0; i < cap; i++)
        t[i] = EMPTY;
    return t;
}

/* ---- Story blocks and postings: the packed forms -------------------------------------- */

static inline uint32_t *story_topics(const story_rec *r)
{
    return (uint32_t *)(void *)r->data;
}

static inline const unsigned char *story_tf(const story_rec *r)
{
    return r->data + (size_t)r->n_topics * sizeof(uint32_t);
}

static inline const unsigned char *story_vec(const story_rec *r)
{
    return story_tf(r) + r->tf_bytes;
}

/* Reads the next (term, twice its weighted frequency) pair of a story's packed tf list (see
 * related_tf_put): term ids are stored as gaps, so *term carries the running id. */
static inline const unsigned char *tf_next(const unsigned char *p, uint32_t *term,
                                           uint32_t *twice_freq)
{
    return related_tf_next(p, term, twice_freq);
}

/* Reads the next (term, weight code) of a story's packed vector; *term carries the running
 * id as in tf_next. */
static inline const unsigned char *vec_next(const unsigned char *p, uint32_t *term, uint8_t *code)
{
    return related_vec_next(p, term, code);
}

static inline uint32_t posting_make(uint32_t slot, uint8_t code)
{
    return slot << 8 | code;
}

static inline uint32_t posting_slot(uint32_t e)
{
    return e >> 8;
}

static inline uint8_t posting_code(uint32_t e)
{
    return (uint8_t)(e & 0xff);
}

/* Heavier first, then lower slot: the order of a sorted run. */
static inline bool posting_before(uint32_t a, uint32_t b)
{
    uint8_t ca = posting_code(a), cb = posting_code(b);
    return ca > cb || (ca == cb && posting_slot(a) < posting_slot(b));
}

static int posting_desc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return posting_before(y, x) - posting_before(x, y);
}

/* ---- Terms ---------------------------------------------------------------------------- */

static const char *term_text(const related_index *x, const term_info *ti)
{
    return x->text + ti->text;
}

static void grow_term_table(related_index *x)
{
    size_t cap = (x->term_mask + 1) * 2;
    free(x->term_table);
    x->term_table = new_table(cap);
    x->term_mask = cap - 1;
    for (uint32_t t = 0; t < x->n_terms; t++) {
        size_t i = x->terms[t].hash & x->term_mask;
        while (x->term_table[i] != EMPTY)
            i = (i + 1) & x->term_mask;
        x->term_table[i] = t;
    }
}

static uint32_t append_text(related_index *x, const char *s, size_t n)
{
    if (x->text_len + n + 1 > x->text_cap || x->text_len + n + 1 > UINT32_MAX) {
        if (x->text_len + n + 1 > UINT32_MAX) {
            fputs("related: too much term text\n", stderr);
            abort();
        }
        size_t cap = x->text_cap ? x->text_cap : 65536;
        while (cap < x->text_len + n + 1)
            cap += cap / 2;
        x->text = xrealloc(x->text, cap);
        x->text_cap = cap;
    }
    uint32_t at = (uint32_t)x->text_len;
    memcpy(x->text + at, s, n);
    x->text[at + n] = '\0';
    x->text_len += n + 1;
    return at;
}

static uint32_t intern(related_index *x, const char *s, size_t n)
{
    uint32_t h = (uint32_t)hash_bytes(s, n);
    size_t i = h & x->term_mask;
    for (; x->term_table[i] != EMPTY; i = (i + 1) & x->term_mask) {
        const term_info *ti = &x->terms[x->term_table[i]];
        const char *text = term_text(x, ti);
        if (ti->hash == h && strncmp(text, s, n) == 0 && text[n] == '\0') return x->term_table[i];
    }
    if (x->n_terms == x->cap_terms) {
        x->cap_terms = x->cap_terms ? x->cap_terms + x->cap_terms / 2 : 4096;
        x->terms = xrealloc(x->terms, x->cap_terms * sizeof *x->terms);
    }
    uint32_t id = x->n_terms++;
    term_info *ti = &x->terms[id];
    memset(ti, 0, sizeof *ti);
    ti->text = append_text(x, s, n);
    ti->name = n > 0 && s[0] == '#';
    ti->hash = h;
    x->term_table[i] = id;
    if ((size_t)x->n_terms * 2 > x->term_mask) grow_term_table(x);
    return id;
}

/* ---- Topics: slugs interned as small integers, so that boosts compare ints -------------- */

static void place_topic(related_index *x, uint32_t id)
{
    const char *s = x->topic_text[id];
    size_t i = hash_bytes(s, strlen(s)) & x->topic_mask;
    while (x->topic_table[i] != EMPTY)
        i = (i + 1) & x->topic_mask;
    x->topic_table[i] = id;
}

static uint32_t intern_topic(related_index *x, const char *s)
{
    size_t i = hash_bytes(s, strlen(s)) & x->topic_mask;
    for (; x->topic_table[i] != EMPTY; i = (i + 1) & x->topic_mask)
        if (strcmp(x->topic_text[x->topic_table[i]], s) == 0) return x->topic_table[i];
    if (x->n_topic_ids == x->cap_topic_ids) {
        x->cap_topic_ids = x->cap_topic_ids ? x->cap_topic_ids * 2 : 64;
        x->topic_text = xrealloc(x->topic_text, x->cap_topic_ids * sizeof *x->topic_text);
    }
    uint32_t id = x->n_topic_ids++;
    x->topic_text[id] = strdup(s);
    if (!x->topic_text[id]) abort();
    x->topic_table[i] = id;
    if ((size_t)x->n_topic_ids * 2 > x->topic_mask) {
        size_t cap = (x->topic_mask + 1) * 2;
        free(x->topic_table);
        x->topic_table = new_table(cap);
        x->topic_mask = cap - 1;
        for (uint32_t t = 0; t < x->n_topic_ids; t++)
            place_topic(x, t);
    }
    return id;
}

/* ---- Story slots and the id table ----------------------------------------------------- */

static size_t find_id(const related_index *x, long long id)
{
    size_t i = hash_id(id) & x->id_mask;
    for (; x->id_table[i] != EMPTY; i = (i + 1) & x->id_mask)
        if (x->stories[x->id_table[i]].id == id) return i;
    return SIZE_MAX;
}

static void place_id(related_index *x, uint32_t slot)
{
    size_t i = hash_id(x->stories[slot].id) & x->id_mask;
    while (x->id_table[i] != EMPTY)
        i = (i + 1) & x->id_mask;
    x->id_table[i] = slot;
}

/* Adds a live slot to the id table, growing it first when it is half full. */
static void insert_id(related_index *x, uint32_t slot)
{
    if (x->n_live * 2 + 2 > x->id_mask) {
        size_t cap = (x->id_mask + 1) * 2;
        free(x->id_table);
        x->id_table = new_table(cap);
        x->id_mask = cap - 1;
        for (uint32_t s = 0; s < x->n_slots; s++)
            if (x->stories[s].live && s != slot) place_id(x, s);
    }
    place_id(x, slot);
}

/* Linear-probing deletion by backward shift: no tombstones. */
static void delete_id(related_index *x, size_t i)
{
    x->id_table[i] = EMPTY;
    for (size_t j = (i + 1) & x->id_mask; x->id_table[j] != EMPTY; j = (j + 1) & x->id_mask) {
        size_t k = hash_id(x->stories[x->id_table[j]].id) & x->id_mask;
        bool movable = (j > i) ? (k <= i || k > j) : (k <= i && k > j);
        if (movable) {
            x->id_table[i] = x->id_table[j];
            x->id_table[j] = EMPTY;
            i = j;
        }
    }
}

/* A free slot, or EMPTY when MAX_SLOTS stories are indexed. */
static uint32_t alloc_slot(related_index *x)
{
    if (x->n_free) return x->free_slots[--x->n_free];
    if (x->n_slots == MAX_SLOTS) return EMPTY;
    if (x->n_slots == x->cap_slots) {
        x->cap_slots = x->cap_slots ? x->cap_slots + x->cap_slots / 2 : 256;
        if (x->cap_slots > MAX_SLOTS) x->cap_slots = MAX_SLOTS;
        x->stories = xrealloc(x->stories, x->cap_slots * sizeof *x->stories);
        x->free_slots = xrealloc(x->free_slots, x->cap_slots * sizeof *x->free_slots);
    }
    return x->n_slots++;
}

/* ---- Life cycle and locks ------------------------------------------------------------- */

related_index *related_index_new(const char *language, char *err, size_t errlen)
{
    related_analyzer *an = related_analyzer_new(language, err, errlen);
    if (!an) return NULL;
    related_index *x = xcalloc(1, sizeof *x);
    x->an = an;
    pthread_rwlock_init(&x->lock, NULL);
    x->term_table = new_table(4096);
    x->term_mask = 4095;
    x->id_table = new_table(256);
    x->id_mask = 255;
    x->topic_table = new_table(64);
    x->topic_mask = 63;
    for (int c = 0; c < 256; c++)
        x->weight_of[c] = (float)related_weight_decode((uint8_t)c);
    return x;
}

void related_index_free(related_index *x)
{
    if (!x) return;
    for (uint32_t s = 0; s < x->n_slots; s++)
        free(x->stories[s].data);
    free(x->terms);
    free(x->text);
    free(x->term_table);
    free(x->post);
    for (uint32_t t = 0; t < x->n_topic_ids; t++)
        free(x->topic_text[t]);
    free(x->topic_text);
    free(x->topic_table);
    free(x->stories);
    free(x->free_slots);
    free(x->id_table);
    free(x->acc);
    free(x->touched);
    free(x->vbuf);
    free(x->tfbuf);
    related_analyzer_free(x->an);
    pthread_rwlock_destroy(&x->lock);
    free(x);
}

void related_index_read_lock(related_index *x)
{
    pthread_rwlock_rdlock(&x->lock);
}

void related_index_write_lock(related_index *x)
{
    pthread_rwlock_wrlock(&x->lock);
}

void related_index_unlock(related_index *x)
{
    pthread_rwlock_unlock(&x->lock);
}

size_t related_index_size(const related_index *x)
{
    return x->n_live;
}

size_t related_index_bytes(const related_index *x)
{
    size_t bytes = sizeof *x;
    bytes += (size_t)x->cap_terms * sizeof *x->terms + x->text_cap;
    bytes += (x->term_mask + 1 + x->id_mask + 1 + x->topic_mask + 1) * sizeof(uint32_t);
    bytes += x->post_cap * sizeof *x->post;
    bytes += (size_t)x->cap_slots * (sizeof *x->stories + sizeof *x->free_slots);
    for (uint32_t s = 0; s < x->n_slots; s++) {
        const story_rec *r = &x->stories[s];
        if (r->data) bytes += (size_t)r->n_topics * sizeof(uint32_t) + r->tf_bytes + r->vec_room;
    }
    for (uint32_t t = 0; t < x->n_topic_ids; t++)
        bytes += strlen(x->topic_text[t]) + 1;
    bytes += (size_t)x->cap_topic_ids * sizeof *x->topic_text;
    bytes += (size_t)x->cap_scratch * (sizeof *x->acc + sizeof *x->touched);
    bytes += x->cap_vbuf * sizeof *x->vbuf + x->cap_tfbuf;
    return bytes;
}

/* ---- Vectors -------------------------------------------------------------------------- */

static int by_weight_desc(const void *a, const void *b)
{
    float x = ((const term_weight *)a)->w, y = ((const term_weight *)b)->w;
    return (x < y) - (x > y);
}

/* Heavier first, then lower term id: a total order, so the top terms do not depend on the
 * selection algorithm. */
static inline bool tw_before(term_weight a, term_weight b)
{
    return a.w > b.w || (a.w == b.w && a.term < b.term);
}

/* Moves the k heaviest of v[0..n) to v[0..k) (in no particular order): quickselect. */
static void select_top(term_weight *v, uint32_t n, uint32_t k)
{
    uint32_t lo = 0, hi = n; /* the k-th lies in [lo, hi) */
    while (hi - lo > 1) {
        term_weight pivot = v[lo + (hi - lo) / 2];
        uint32_t i = lo, j = hi - 1;
        while (i <= j) {
            while (tw_before(v[i], pivot))
                i++;
            while (tw_before(pivot, v[j]))
                j--;
            if (i <= j) {
                term_weight t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        /* [lo, j] ≥ pivot side, [i, hi) ≤ pivot side, (j, i) equal to pivot */
        if (k <= j)
            hi = j + 1;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* The weight of term t in a story before length normalisation: idf, name and singleton
 * factors. */
static double term_factor(const related_index *x, uint32_t t)
{
    const term_info *ti = &x->terms[t];
    double n = (double)x->n_live, df = ti->df;
    double w = log(1.0 + (n - df + 0.5) / (df + 0.5));
    if (ti->name) w *= NAME_WEIGHT;
    if (ti->df < 2) w *= SINGLETON;
    return w;
}

/* The BM25 weights of a story (its packed term frequencies tf, n_tf terms, length len) with
 * the current statistics: its top terms, normalised, encoded into x->vecbuf. Terms no other
 * story has cannot match but still count in the norm, damped, so that the cosine of two
 * stories is not inflated to "duplicate" by ignoring what only one of them says. factor:
 * term_factor by term id, or NULL to compute it here. Returns the encoded size; *n_vec is
 * the number of terms. */
static size_t make_vector(related_index *x, const unsigned char *tf, uint32_t n_tf, double len,
                          const float *factor, uint8_t *n_vec)
{
    double n = (double)x->n_live, avg = x->total_len / (n > 0 ? n : 1);
    if (x->cap_vbuf < 2 * n_tf) {
        x->cap_vbuf = n_tf * 4;
        x->vbuf = xrealloc(x->vbuf, x->cap_vbuf * sizeof *x->vbuf);
    }
    term_weight *v = x->vbuf;
    double norm_len = K1 * (1 - B + B * len / (avg > 0 ? avg : 1));
    const unsigned char *p = tf;
    uint32_t t = 0;
    for (uint32_t i = 0; i < n_tf; i++) {
        uint32_t f2;
        p = tf_next(p, &t, &f2);
        double f = f2 * 0.5;
        double w = (factor ? factor[t] : term_factor(x, t)) * f * (K1 + 1) / (f + norm_len);
        v[i] = (term_weight){t, (float)w};
    }
    uint32_t m = n_tf;
    if (m > VECTOR_TERMS) {
        /* the VECTOR_TERMS-th heaviest, found on a copy; then keep the terms up to it, which
         * leaves them in term order (the order is total: exactly VECTOR_TERMS are kept) */
        term_weight *sel = v + n_tf;
        memcpy(sel, v, m * sizeof *v);
        select_top(sel, m, VECTOR_TERMS);
        term_weight last = sel[0];
        for (uint32_t i = 1; i < VECTOR_TERMS; i++)
            if (tw_before(last, sel[i])) last = sel[i];
        uint32_t k = 0;
        for (uint32_t i = 0; i < m; i++)
            if (!tw_before(last, v[i])) v[k++] = v[i];
        m = k;
    }
    double norm = 0;
    for (uint32_t i = 0; i < m; i++)
        norm += (double)v[i].w * v[i].w;
    norm = sqrt(norm);
    unsigned char *out = x->vecbuf;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < m; i++) {
        out = related_vec_put(out, prev, v[i].term,
                              related_weight_encode(norm > 0 ? v[i].w / norm : 0));
        prev = v[i].term;
    }
    *n_vec = (uint8_t)m;
    return (size_t)(out - x->vecbuf);
}

/* Stores the vector in x->vecbuf (bytes long, n_vec terms) as r's, moving r's block when the
 * room after its term frequencies is too small. */
static void set_vector(story_rec *r, const unsigned char *vec, size_t bytes, uint8_t n_vec)
{
    if (bytes > r->vec_room) {
        size_t head = (size_t)r->n_topics * sizeof(uint32_t) + r->tf_bytes;
        r->vec_room = (uint16_t)(bytes + VECTOR_ROOM);
        r->data = xrealloc(r->data, head + r->vec_room);
    }
    memcpy(r->data + (size_t)r->n_topics * sizeof(uint32_t) + r->tf_bytes, vec, bytes);
    r->vec_bytes = (uint16_t)bytes;
    r->n_vec = n_vec;
}

static void remake_vector(related_index *x, story_rec *r, const float *factor)
{
    uint8_t n_vec;
    size_t bytes = make_vector(x, story_tf(r), r->n_tf, r->len, factor, &n_vec);
    set_vector(r, x->vecbuf, bytes, n_vec);
}

/* ---- Postings ------------------------------------------------------------------------- */

/* Lays out every term's run from the stories' vectors: runs in term order, each with room
 * for an eighth more, long runs sorted heaviest first. The old array is freed first, so the
 * peak is one array. */
static void layout_postings(related_index *x)
{
    for (uint32_t t = 0; t < x->n_terms; t++)
        x->terms[t].n_post = 0;
    for (uint32_t s = 0; s < x->n_slots; s++) {
        const story_rec *r = &x->stories[s];
        if (!r->live) continue;
        const unsigned char *p = story_vec(r);
        uint32_t t = 0;
        uint8_t code;
        for (uint32_t i = 0; i < r->n_vec; i++) {
            p = vec_next(p, &t, &code);
            x->terms[t].n_post++;
        }
    }
    size_t total = 0;
    for (uint32_t t = 0; t < x->n_terms; t++) {
        term_info *ti = &x->terms[t];
        ti->off = (uint32_t)total;
        ti->cap_post = ti->n_post ? ti->n_post + ti->n_post / 8 + 1 : 0;
        total += ti->cap_post;
        ti->n_post = 0;
    }
    if (total > UINT32_MAX) {
        fputs("related: too many postings\n", stderr);
        abort();
    }
    free(x->post);
    x->post_cap = total + total / 16 + 1024; /* room for runs that move to the end */
    x->post = xrealloc(NULL, x->post_cap * sizeof *x->post);
    x->post_len = total;
    x->post_holes = 0;
    for (uint32_t s = 0; s < x->n_slots; s++) {
        const story_rec *r = &x->stories[s];
        if (!r->live) continue;
        const unsigned char *p = story_vec(r);
        uint32_t t = 0;
        uint8_t code;
        for (uint32_t i = 0; i < r->n_vec; i++) {
            p = vec_next(p, &t, &code);
            term_info *ti = &x->terms[t];
            x->post[ti->off + ti->n_post++] = posting_make(s, code);
        }
    }
    for (uint32_t t = 0; t < x->n_terms; t++) {
        term_info *ti = &x->terms[t];
        ti->sorted = ti->n_post > WALK_CAP;
        if (ti->sorted) qsort(x->post + ti->off, ti->n_post, sizeof *x->post, posting_desc);
    }
}

/* Makes room for one more posting in ti's run: grows it in place when it ends the array,
 * else moves it to the end with half as much room again. */
static void grow_run(related_index *x, term_info *ti)
{
    uint32_t cap = ti->cap_post + ti->cap_post / 2 + 4;
    bool last = ti->off + ti->cap_post == x->post_len && ti->cap_post > 0;
    size_t need = last ? x->post_len - ti->cap_post + cap : x->post_len + cap;
    if (need > UINT32_MAX) {
        fputs("related: too many postings\n", stderr);
        abort();
    }
    if (need > x->post_cap) {
        size_t grown = x->post_cap + x->post_cap / 4;
        x->post_cap = grown > need ? grown : need;
        x->post = xrealloc(x->post, x->post_cap * sizeof *x->post);
    }
    if (!last) {
        memcpy(x->post + x->post_len, x->post + ti->off, ti->n_post * sizeof *x->post);
        x->post_holes += ti->cap_post;
        ti->off = (uint32_t)x->post_len;
    }
    ti->cap_post = cap;
    x->post_len = ti->off + (size_t)cap;
}

static void add_postings(related_index *x, uint32_t slot)
{
    const story_rec *r = &x->stories[slot];
    const unsigned char *p = story_vec(r);
    uint32_t t = 0;
    uint8_t code;
    for (uint32_t i = 0; i < r->n_vec; i++) {
        p = vec_next(p, &t, &code);
        term_info *ti = &x->terms[t];
        if (ti->n_post == ti->cap_post) grow_run(x, ti);
        uint32_t *run = x->post + ti->off, np = posting_make(slot, code);
        if (ti->sorted) {
            uint32_t lo = 0, hi = ti->n_post;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (posting_before(run[mid], np))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            memmove(run + lo + 1, run + lo, (ti->n_post - lo) * sizeof *run);
            run[lo] = np;
            ti->n_post++;
        } else {
            run[ti->n_post++] = np;
            if (ti->n_post > WALK_CAP) {
                qsort(run, ti->n_post, sizeof *run, posting_desc);
                ti->sorted = true;
            }
        }
    }
    /* runs that moved left holes: lay out again once they are a quarter of the array */
    if (x->post_holes > 4096 && x->post_holes * 4 > x->post_len) layout_postings(x);
}

static void remove_postings(related_index *x, uint32_t slot)
{
    const story_rec *r = &x->stories[slot];
    const unsigned char *p = story_vec(r);
    uint32_t t = 0;
    uint8_t code;
    for (uint32_t i = 0; i < r->n_vec; i++) {
        p = vec_next(p, &t, &code);
        term_info *ti = &x->terms[t];
        uint32_t *run = x->post + ti->off, entry = posting_make(slot, code);
        if (ti->sorted) {
            /* the entry is in the run (it was added with this very code): binary search */
            uint32_t lo = 0, hi = ti->n_post;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (posting_before(run[mid], entry))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < ti->n_post && run[lo] == entry) {
                memmove(run + lo, run + lo + 1, (ti->n_post - lo - 1) * sizeof *run);
                ti->n_post--;
            }
            continue;
        }
        for (uint32_t k = 0; k < ti->n_post; k++)
            if (run[k] == entry) {
                run[k] = run[ti->n_post - 1];
                ti->n_post--;
                break;
            }
    }
}

void related_index_rebuild(related_index *x)
{
    float *factor = xrealloc(NULL, (x->n_terms ? x->n_terms : 1) * sizeof *factor);
    for (uint32_t t = 0; t < x->n_terms; t++)
        factor[t] = (float)term_factor(x, t);
    for (uint32_t s = 0; s < x->n_slots; s++)
        if (x->stories[s].live) remake_vector(x, &x->stories[s], factor);
    free(factor);
    layout_postings(x);
    x->dirty = 0;
    x->loading = false;
}

void related_index_load_begin(related_index *x)
{
    x->loading = true;
}

/* ---- Put and remove ------------------------------------------------------------------- */

static void collect_term(void *ctx, const char *term, size_t len)
{
    related_index *x = ctx;
    uint32_t t = intern(x, term, len);
    if (x->n_terms > x->cap_scratch) {
        uint32_t cap = x->cap_scratch ? x->cap_scratch : 1024;
        while (cap < x->n_terms)
            cap *= 2;
        x->acc = xrealloc(x->acc, cap * sizeof *x->acc);
        memset(x->acc + x->cap_scratch, 0, (cap - x->cap_scratch) * sizeof *x->acc);
        x->touched = xrealloc(x->touched, cap * sizeof *x->touched);
        x->cap_scratch = cap;
    }
    if (x->acc[t] == 0) x->touched[x->n_touched++] = t;
    x->acc[t] += (float)x->field_weight;
}

static int by_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Analyses the story's fields into x->tfbuf (packed as in story_rec); returns its size and
 * sets r's n_tf and len, and the terms' df. */
static size_t analyze_fields(related_index *x, story_rec *r, const related_story *st)
{
    const char *texts[] = {st->headline, st->kicker, st->lead, st->body};
    const double weights[] = {W_HEADLINE, W_KICKER, W_LEAD, W_BODY};
    x->n_touched = 0;
    for (int f = 0; f < 4; f++) {
        x->field_weight = weights[f];
        related_analyze(x->an, texts[f], collect_term, x);
    }
    qsort(x->touched, x->n_touched, sizeof *x->touched, by_u32);
    size_t need = (size_t)x->n_touched * RELATED_TF_MAX + 1;
    if (x->cap_tfbuf < need) {
        x->cap_tfbuf = need * 2;
        x->tfbuf = xrealloc(x->tfbuf, x->cap_tfbuf);
    }
    unsigned char *p = x->tfbuf;
    uint32_t prev = 0;
    double len = 0;
    r->n_tf = x->n_touched;
    for (uint32_t i = 0; i < x->n_touched; i++) {
        uint32_t t = x->touched[i];
        double f2 = (double)x->acc[t] * 2 + 0.5;
        p = related_tf_put(p, t - prev, f2 < 4294967295.0 ? (uint32_t)f2 : UINT32_MAX);
        prev = t;
        len += x->acc[t];
        x->acc[t] = 0;
        x->terms[t].df++;
    }
    r->len = (float)len;
    return (size_t)(p - x->tfbuf);
}

void related_index_put(related_index *x, const related_story *st)
{
    related_index_remove(x, st->id);
    uint32_t slot = alloc_slot(x);
    if (slot == EMPTY) return; /* MAX_SLOTS stories: see there */
    story_rec *r = &x->stories[slot];
    memset(r, 0, sizeof *r);
    r->id = st->id;
    r->published_at = st->published_at;
    size_t n_topics = st->topics ? st->n_topics : 0;
    r->n_topics = (uint16_t)(n_topics < UINT16_MAX ? n_topics : UINT16_MAX);
    size_t tf_bytes = analyze_fields(x, r, st);
    if (tf_bytes > UINT32_MAX) {
        fputs("related: story too long\n", stderr);
        abort();
    }
    r->tf_bytes = (uint32_t)tf_bytes;
    r->live = true;
    x->n_live++;
    x->total_len += r->len;
    insert_id(x, slot);
    uint8_t n_vec = 0;
    size_t vec_bytes = 0;
    if (x->loading) /* room for the vector the rebuild will make: 3 bytes a term */
        r->vec_room = (uint16_t)((r->n_tf < VECTOR_TERMS ? r->n_tf : VECTOR_TERMS) * 3);
    else
        vec_bytes = make_vector(x, x->tfbuf, r->n_tf, r->len, NULL, &n_vec);
    size_t head = (size_t)r->n_topics * sizeof(uint32_t) + tf_bytes;
    r->vec_room = (uint16_t)((vec_bytes > r->vec_room ? vec_bytes : r->vec_room) + VECTOR_ROOM);
    r->data = xrealloc(NULL, head + r->vec_room);
    for (size_t i = 0; i < r->n_topics; i++) {
        uint32_t topic = intern_topic(x, st->topics[i] ? st->topics[i] : "");
        memcpy(r->data + i * sizeof topic, &topic, sizeof topic);
    }
    memcpy(r->data + (size_t)r->n_topics * sizeof(uint32_t), x->tfbuf, tf_bytes);
    set_vector(r, x->vecbuf, vec_bytes, n_vec);
    if (x->loading) {
        x->dirty++;
        return;
    }
    if (++x->dirty * 2 > x->n_live)
        related_index_rebuild(x);
    else
        add_postings(x, slot);
}

void related_index_remove(related_index *x, long long id)
{
    size_t at = find_id(x, id);
    if (at == SIZE_MAX) return;
    uint32_t slot = x->id_table[at];
    story_rec *r = &x->stories[slot];
    remove_postings(x, slot);
    const unsigned char *p = story_tf(r);
    uint32_t t = 0;
    for (uint32_t i = 0; i < r->n_tf; i++) {
        uint32_t f2;
        p = tf_next(p, &t, &f2);
        x->terms[t].df--;
    }
    x->total_len -= r->len;
    x->n_live--;
    delete_id(x, at);
    free(r->data);
    memset(r, 0, sizeof *r);
    x->free_slots[x->n_free++] = slot;
    x->dirty++;
}

/* ---- Queries -------------------------------------------------------------------------- */

typedef struct {
    uint32_t slot;
    double cosine, score;
} candidate;

static int by_score_desc(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->score != y->score) return (x->score < y->score) - (x->score > y->score);
    return (x->slot > y->slot) - (x->slot < y->slot);
}

static double topic_boost(const story_rec *a, const story_rec *b)
{
    double boost = 0;
    const uint32_t *ta = story_topics(a), *tb = story_topics(b);
    for (size_t i = 0; i < a->n_topics; i++)
        for (size_t j = 0; j < b->n_topics; j++)
            if (ta[i] == tb[j]) boost += (i == 0 && j == 0) ? PRIMARY_TOPIC : OTHER_TOPIC;
    return boost < TOPIC_CAP ? boost : TOPIC_CAP;
}

static double final_score(const story_rec *q, const story_rec *c, double cosine, int names)
{
    double boost = NAME_BOOST * names;
    double score = cosine + topic_boost(q, c) + (boost < NAME_CAP ? boost : NAME_CAP);
    double days = fabs((double)(q->published_at - c->published_at)) / 86400.0;
    double discount = 1.0 / (1.0 + days / AGE_DAYS);
    return score * ((1.0 - AGE_SHARE) + AGE_SHARE * discount);
}

/* Keeps c[0..*n) as the best `limit` candidates, best first (insertion into a short list:
 * cheaper than sorting thousands of candidates). */
static void keep_best(candidate *c, size_t *n, size_t limit, candidate cand)
{
    if (*n == limit && by_score_desc(&cand, &c[*n - 1]) >= 0) return;
    size_t at = *n < limit ? (*n)++ : *n - 1;
    while (at > 0 && by_score_desc(&cand, &c[at - 1]) < 0) {
        c[at] = c[at - 1];
        at--;
    }
    c[at] = cand;
}

/* Per-thread query scratch: dense accumulators indexed by slot, reset after each query through
 * the list of slots it touched, so a query costs the postings it visits, not the size of the
 * index. Each thread has its own (queries run concurrently under the read lock). */
typedef struct {
    float *dot; /* float: half the cache footprint of the random accesses */
    unsigned char *names;
    uint32_t *seen;
    size_t cap;
    float *tw; /* by term id: the weights of one scattered vector, zero elsewhere */
    size_t cap_tw;
} query_scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *p)
{
    query_scratch *qs = p;
    if (!qs) return;
    free(qs->dot);
    free(qs->names);
    free(qs->seen);
    free(qs->tw);
    free(qs);
}

static void make_scratch_key(void)
{
    if (pthread_key_create(&scratch_key, free_scratch) != 0) abort();
}

static query_scratch *get_scratch(size_t n_slots, size_t n_terms)
{
    pthread_once(&scratch_once, make_scratch_key);
    query_scratch *qs = pthread_getspecific(scratch_key);
    if (!qs) {
        qs = xcalloc(1, sizeof *qs);
        if (pthread_setspecific(scratch_key, qs) != 0) abort();
    }
    if (qs->cap < n_slots) {
        size_t cap = qs->cap ? qs->cap : 1024;
        while (cap < n_slots)
            cap *= 2;
        free(qs->dot);
        free(qs->names);
        free(qs->seen);
        qs->dot = xcalloc(cap, sizeof *qs->dot); /* all zero between queries */
        qs->names = xcalloc(cap, 1);
        qs->seen = xrealloc(NULL, cap * sizeof *qs->seen);
        qs->cap = cap;
    }
    if (qs->cap_tw < n_terms) {
        size_t cap = qs->cap_tw ? qs->cap_tw : 4096;
        while (cap < n_terms)
            cap *= 2;
        free(qs->tw);
        qs->tw = xcalloc(cap, sizeof *qs->tw);
        qs->cap_tw = cap;
    }
    return qs;
}

static void scatter(const related_index *x, float *tw, const story_rec *r, bool on)
{
    const unsigned char *p = story_vec(r);
    uint32_t t = 0;
    uint8_t code;
    for (uint32_t i = 0; i < r->n_vec; i++) {
        p = vec_next(p, &t, &code);
        tw[t] = on ? x->weight_of[code] : 0;
    }
}

/* Cosine of r with the vector scattered in tw, and the number of name terms they share. */
static double scattered_cosine(const related_index *x, const float *tw, const story_rec *r,
                               int *names)
{
    double dot = 0;
    int nm = 0;
    const unsigned char *p = story_vec(r);
    uint32_t t = 0;
    uint8_t code;
    for (uint32_t i = 0; i < r->n_vec; i++) {
        p = vec_next(p, &t, &code);
        float w = tw[t];
        if (w != 0) {
            dot += (double)w * x->weight_of[code];
            if (names && x->terms[t].name) nm++;
        }
    }
    if (names) *names = nm < 255 ? nm : 255;
    return dot;
}

/* Candidates: the `limit` best-scoring stories sharing a vector term, best first. */
static size_t gather(const related_index *x, uint32_t self, size_t limit, candidate **out)
{
    const story_rec *q = &x->stories[self];
    query_scratch *qs = get_scratch(x->n_slots, x->n_terms);
    float *dot = qs->dot;
    unsigned char *names = qs->names;
    uint32_t *seen = qs->seen;
    size_t n_seen = 0;
    /* the query's terms, heaviest first; the common ones moved to the back */
    term_weight by_w[VECTOR_TERMS];
    uint32_t m = q->n_vec < VECTOR_TERMS ? q->n_vec : VECTOR_TERMS, n_rare = 0, n_common = 0;
    term_weight common[VECTOR_TERMS];
    const unsigned char *qp = story_vec(q);
    uint32_t qt = 0;
    for (uint32_t i = 0; i < m; i++) {
        uint8_t code;
        qp = vec_next(qp, &qt, &code);
        by_w[i] = (term_weight){qt, x->weight_of[code]};
    }
    qsort(by_w, m, sizeof *by_w, by_weight_desc);
    size_t common_df = x->n_live / COMMON_SHARE;
    for (uint32_t i = 0; i < m; i++) {
        if (x->terms[by_w[i].term].df > common_df)
            common[n_common++] = by_w[i];
        else
            by_w[n_rare++] = by_w[i];
    }
    memcpy(by_w + n_rare, common, n_common * sizeof *common);
    uint32_t walk = n_rare < CANDIDATE_TERMS ? n_rare : CANDIDATE_TERMS;
    if (walk < MIN_CANDIDATE_TERMS) walk = m < MIN_CANDIDATE_TERMS ? m : MIN_CANDIDATE_TERMS;
    for (uint32_t i = 0; i < walk; i++) {
        const term_info *ti = &x->terms[by_w[i].term];
        double qw = by_w[i].w;
        uint32_t n_walk = ti->n_post < WALK_CAP ? ti->n_post : WALK_CAP; /* see WALK_CAP */
        const uint32_t *run = x->post + ti->off;
        for (uint32_t p = 0; p < n_walk; p++) {
            uint32_t s = posting_slot(run[p]);
            uint8_t code = posting_code(run[p]);
            if (code == 0) continue; /* weights are > 0 but for empty vectors: seen ≤ n_slots */
            float pw = x->weight_of[code];
            if (dot[s] == 0) seen[n_seen++] = s;
            dot[s] += (float)(qw * pw);
            if (ti->name && names[s] < 255) names[s]++;
        }
    }
    size_t pool = limit > RESCORE_POOL ? limit : RESCORE_POOL;
    candidate *pre = xrealloc(NULL, pool * sizeof *pre);
    size_t n_pre = 0;
    /* final_score reads the candidate's record (a cache miss or two each, for tens of
     * thousands of candidates at 100k): skip the candidates whose score cannot reach the pool,
     * bounded by dot + the largest boosts (the age discount is ≤ 1). The pool is the top
     * `pool` under a total order, whatever the visiting order, so the result is exact; the
     * first pass over the strongest partial dot products raises the bar early. */
    double extra = (q->n_topics ? TOPIC_CAP : 0);
    double max_dot = 0;
    for (size_t i = 0; i < n_seen; i++)
        if (dot[seen[i]] > max_dot && seen[i] != self) max_dot = dot[seen[i]];
    for (int pass = 0; pass < 2; pass++) {
        double cut = max_dot * 0.5;
        for (size_t i = 0; i < n_seen; i++) {
            uint32_t s = seen[i];
            double d = dot[s];
            if (s == self || (pass == 0) != (d >= cut)) continue;
            double nb = NAME_BOOST * names[s];
            if (n_pre == pool && d + extra + (nb < NAME_CAP ? nb : NAME_CAP) < pre[n_pre - 1].score)
                continue;
            candidate cand = {s, d, final_score(q, &x->stories[s], d, names[s])};
            keep_best(pre, &n_pre, pool, cand);
        }
    }
    for (size_t i = 0; i < n_seen; i++) {
        dot[seen[i]] = 0;
        names[seen[i]] = 0;
    }
    candidate *c = xrealloc(NULL, limit * sizeof *c);
    size_t n = 0;
    scatter(x, qs->tw, q, true);
    for (size_t i = 0; i < n_pre; i++) {
        const story_rec *r = &x->stories[pre[i].slot];
        int nm;
        double cos = scattered_cosine(x, qs->tw, r, &nm);
        if (cos > NEAR_DUPLICATE) continue;
        candidate cand = {pre[i].slot, cos, final_score(q, r, cos, nm)};
        keep_best(c, &n, limit, cand);
    }
    scatter(x, qs->tw, q, false);
    free(pre);
    *out = c;
    return n;
}

/* Greedy MMR over the candidates: each pick is the one with the best score after a
 * penalty for being too similar to a story already picked. */
static size_t diversify(const related_index *x, candidate *c, size_t n, size_t k,
                        long long *out_ids, double *out_scores)
{
    size_t pool = n;
    query_scratch *qs = get_scratch(x->n_slots, x->n_terms);
    double *max_sim = xcalloc(pool, sizeof *max_sim);
    bool *taken = xcalloc(pool, sizeof *taken);
    size_t got = 0;
    while (got < k && got < pool) {
        size_t best = SIZE_MAX;
        double best_adj = 0;
        for (size_t i = 0; i < pool; i++) {
            if (taken[i]) continue;
            double adj = c[i].score - (max_sim[i] > TOO_SIMILAR ? MMR_PENALTY * max_sim[i] : 0);
            if (best == SIZE_MAX || adj > best_adj) best = i, best_adj = adj;
        }
        taken[best] = true;
        out_ids[got] = x->stories[c[best].slot].id;
        if (out_scores) out_scores[got] = best_adj;
        got++;
        if (got == k) break;
        const story_rec *picked = &x->stories[c[best].slot];
        scatter(x, qs->tw, picked, true);
        for (size_t i = 0; i < pool; i++) {
            if (taken[i]) continue;
            double sim = scattered_cosine(x, qs->tw, &x->stories[c[i].slot], NULL);
            if (sim > max_sim[i]) max_sim[i] = sim;
        }
        scatter(x, qs->tw, picked, false);
    }
    free(max_sim);
    free(taken);
    return got;
}

size_t related_index_query(const related_index *x, long long id, size_t k, long long *out_ids,
                           double *out_scores)
{
    size_t at = find_id(x, id);
    if (at == SIZE_MAX || k == 0) return 0;
    candidate *c;
    size_t n = gather(x, x->id_table[at], MMR_POOL_MIN + 4 * k, &c);
    size_t got = diversify(x, c, n, k, out_ids, out_scores);
    free(c);
    return got;
}
