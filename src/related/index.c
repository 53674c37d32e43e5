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
 * related_index_rebuild forces a full rebuild (call it after a bulk load). */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    uint32_t slot;
    float w;
} posting;

typedef struct {
    char *text;
    uint32_t df, hash; /* hash: low bits of hash_bytes(text), compared before the text */
    bool name, sorted;
    posting *post;
    uint32_t n_post, cap_post;
} term_info;

typedef struct {
    long long id, published_at;
    bool live;
    uint32_t *topics; /* topic ids (index->topic_text), in the story's order */
    size_t n_topics;
    /* term frequencies, by term id: per term the varint of the id's delta from the previous one
     * and the varint of twice the field-weighted frequency (field weights are halves) */
    unsigned char *tf;
    term_weight *vec; /* sorted by term id */
    uint32_t n_tf, n_vec;
    double len;
} story_rec;

struct related_index {
    pthread_rwlock_t lock;
    related_analyzer *an;
    term_info *terms;
    uint32_t n_terms, cap_terms;
    uint32_t *term_table; /* open addressing: term ids */
    size_t term_mask;
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
    double total_len;
    /* scratch for put (used under the write lock only) */
    float *acc;
    uint32_t *touched;
    uint32_t n_touched, cap_scratch;
    double field_weight;
    term_weight *vbuf; /* make_vector scratch */
    uint32_t cap_vbuf;
    unsigned char *tfbuf; /* encoding scratch */
    size_t cap_tfbuf;
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

/* ---- Terms ---------------------------------------------------------------------------- */

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

static uint32_t intern(related_index *x, const char *s, size_t n)
{
    uint32_t h = (uint32_t)hash_bytes(s, n);
    size_t i = h & x->term_mask;
    for (; x->term_table[i] != EMPTY; i = (i + 1) & x->term_mask) {
        const term_info *ti = &x->terms[x->term_table[i]];
        if (ti->hash == h && strncmp(ti->text, s, n) == 0 && ti->text[n] == '\0')
            return x->term_table[i];
    }
    if (x->n_terms == x->cap_terms) {
        x->cap_terms = x->cap_terms ? x->cap_terms * 2 : 1024;
        x->terms = xrealloc(x->terms, x->cap_terms * sizeof *x->terms);
    }
    uint32_t id = x->n_terms++;
    term_info *ti = &x->terms[id];
    memset(ti, 0, sizeof *ti);
    ti->text = xrealloc(NULL, n + 1);
    memcpy(ti->text, s, n);
    ti->text[n] = '\0';
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

static uint32_t alloc_slot(related_index *x)
{
    if (x->n_free) return x->free_slots[--x->n_free];
    if (x->n_slots == x->cap_slots) {
        x->cap_slots = x->cap_slots ? x->cap_slots * 2 : 256;
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
    return x;
}

static void free_story(story_rec *r)
{
    free(r->topics);
    free(r->tf);
    free(r->vec);
    memset(r, 0, sizeof *r);
}

void related_index_free(related_index *x)
{
    if (!x) return;
    for (uint32_t s = 0; s < x->n_slots; s++)
        free_story(&x->stories[s]);
    for (uint32_t t = 0; t < x->n_terms; t++) {
        free(x->terms[t].text);
        free(x->terms[t].post);
    }
    free(x->terms);
    free(x->term_table);
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

/* ---- Vectors and postings ------------------------------------------------------------- */

static int by_weight_desc(const void *a, const void *b)
{
    float x = ((const term_weight *)a)->w, y = ((const term_weight *)b)->w;
    return (x < y) - (x > y);
}

static int posting_desc(const void *a, const void *b)
{
    const posting *x = a, *y = b;
    if (x->w != y->w) return (x->w < y->w) - (x->w > y->w);
    return (x->slot > y->slot) - (x->slot < y->slot);
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

static inline const unsigned char *get_varint(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    int shift = 0;
    while (*p & 0x80) {
        v |= (uint32_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *out = v | (uint32_t)*p++ << shift;
    return p;
}

/* Reads the next (term, twice its weighted frequency) pair of a story's packed tf list: term
 * ids are stored as gaps from the previous one, so *term carries the running id. */
static inline const unsigned char *tf_next(const unsigned char *p, uint32_t *term,
                                           uint32_t *twice_freq)
{
    uint32_t gap;
    p = get_varint(p, &gap);
    *term += gap;
    return get_varint(p, twice_freq);
}

static inline unsigned char *put_varint(unsigned char *p, uint32_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
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

/* The story's BM25 weights with the current statistics: its top terms, normalised. Terms no
 * other story has cannot match but still count in the norm, damped, so that the cosine of
 * two stories is not inflated to "duplicate" by ignoring what only one of them says.
 * factor: term_factor by term id, or NULL to compute it here. */
static void make_vector(related_index *x, story_rec *r, const float *factor)
{
    double n = (double)x->n_live, avg = x->total_len / (n > 0 ? n : 1);
    if (x->cap_vbuf < 2 * r->n_tf) {
        x->cap_vbuf = r->n_tf * 4;
        x->vbuf = xrealloc(x->vbuf, x->cap_vbuf * sizeof *x->vbuf);
    }
    term_weight *v = x->vbuf;
    double norm_len = K1 * (1 - B + B * r->len / (avg > 0 ? avg : 1));
    const unsigned char *p = r->tf;
    uint32_t t = 0;
    for (uint32_t i = 0; i < r->n_tf; i++) {
        uint32_t f2;
        p = tf_next(p, &t, &f2);
        double f = f2 * 0.5;
        double w = (factor ? factor[t] : term_factor(x, t)) * f * (K1 + 1) / (f + norm_len);
        v[i] = (term_weight){t, (float)w};
    }
    uint32_t m = r->n_tf;
    if (m > VECTOR_TERMS) {
        /* the VECTOR_TERMS-th heaviest, found on a copy; then keep the terms up to it, which
         * leaves them in term order (the order is total: exactly VECTOR_TERMS are kept) */
        term_weight *sel = v + r->n_tf;
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
    for (uint32_t i = 0; i < m; i++)
        v[i].w = norm > 0 ? (float)(v[i].w / norm) : 0;
    if (r->n_vec != m) {
        free(r->vec);
        r->vec = xrealloc(NULL, (m ? m : 1) * sizeof *r->vec);
    }
    if (m) memcpy(r->vec, v, m * sizeof *v);
    r->n_vec = m;
}

static void add_postings(related_index *x, uint32_t slot)
{
    const story_rec *r = &x->stories[slot];
    for (uint32_t i = 0; i < r->n_vec; i++) {
        term_info *ti = &x->terms[r->vec[i].term];
        if (ti->n_post == ti->cap_post) {
            ti->cap_post = ti->cap_post ? ti->cap_post + ti->cap_post / 2 + 1 : 4;
            ti->post = xrealloc(ti->post, ti->cap_post * sizeof *ti->post);
        }
        posting np = {slot, r->vec[i].w};
        if (ti->sorted) {
            uint32_t lo = 0, hi = ti->n_post;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (posting_desc(&ti->post[mid], &np) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            memmove(ti->post + lo + 1, ti->post + lo, (ti->n_post - lo) * sizeof *ti->post);
            ti->post[lo] = np;
            ti->n_post++;
        } else {
            ti->post[ti->n_post++] = np;
            if (ti->n_post > WALK_CAP) {
                qsort(ti->post, ti->n_post, sizeof *ti->post, posting_desc);
                ti->sorted = true;
            }
        }
    }
}

static void remove_postings(related_index *x, uint32_t slot)
{
    const story_rec *r = &x->stories[slot];
    for (uint32_t i = 0; i < r->n_vec; i++) {
        term_info *ti = &x->terms[r->vec[i].term];
        for (uint32_t p = 0; p < ti->n_post; p++)
            if (ti->post[p].slot == slot) {
                if (ti->sorted)
                    memmove(ti->post + p, ti->post + p + 1,
                            (ti->n_post - p - 1) * sizeof *ti->post);
                else
                    ti->post[p] = ti->post[ti->n_post - 1];
                ti->n_post--;
                break;
            }
    }
}

void related_index_rebuild(related_index *x)
{
    float *factor = xrealloc(NULL, (x->n_terms ? x->n_terms : 1) * sizeof *factor);
    for (uint32_t t = 0; t < x->n_terms; t++) {
        factor[t] = (float)term_factor(x, t);
        x->terms[t].n_post = 0;
    }
    for (uint32_t s = 0; s < x->n_slots; s++) {
        if (!x->stories[s].live) continue;
        make_vector(x, &x->stories[s], factor);
        for (uint32_t i = 0; i < x->stories[s].n_vec; i++)
            x->terms[x->stories[s].vec[i].term].n_post++;
    }
    free(factor);
    /* postings sized exactly (with a little room for puts), then filled */
    for (uint32_t t = 0; t < x->n_terms; t++) {
        term_info *ti = &x->terms[t];
        uint32_t want = ti->n_post + ti->n_post / 8;
        if (ti->cap_post < ti->n_post || ti->cap_post > want + 8) {
            ti->cap_post = want;
            free(ti->post);
            ti->post = want ? xrealloc(NULL, want * sizeof *ti->post) : NULL;
        }
        ti->n_post = 0;
    }
    for (uint32_t s = 0; s < x->n_slots; s++) {
        const story_rec *r = &x->stories[s];
        if (!r->live) continue;
        for (uint32_t i = 0; i < r->n_vec; i++) {
            term_info *ti = &x->terms[r->vec[i].term];
            ti->post[ti->n_post++] = (posting){s, r->vec[i].w};
        }
    }
    for (uint32_t t = 0; t < x->n_terms; t++) {
        term_info *ti = &x->terms[t];
        ti->sorted = ti->n_post > WALK_CAP;
        if (ti->sorted) qsort(ti->post, ti->n_post, sizeof *ti->post, posting_desc);
    }
    x->dirty = 0;
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

static void analyze_fields(related_index *x, story_rec *r, const related_story *st)
{
    const char *texts[] = {st->headline, st->kicker, st->lead, st->body};
    const double weights[] = {W_HEADLINE, W_KICKER, W_LEAD, W_BODY};
    x->n_touched = 0;
    for (int f = 0; f < 4; f++) {
        x->field_weight = weights[f];
        related_analyze(x->an, texts[f], collect_term, x);
    }
    qsort(x->touched, x->n_touched, sizeof *x->touched, by_u32);
    size_t need = (size_t)x->n_touched * 10 + 1;
    if (x->cap_tfbuf < need) {
        x->cap_tfbuf = need * 2;
        x->tfbuf = xrealloc(x->tfbuf, x->cap_tfbuf);
    }
    unsigned char *p = x->tfbuf;
    uint32_t prev = 0;
    r->n_tf = x->n_touched;
    r->len = 0;
    for (uint32_t i = 0; i < x->n_touched; i++) {
        uint32_t t = x->touched[i];
        double f2 = (double)x->acc[t] * 2 + 0.5;
        p = put_varint(p, t - prev);
        p = put_varint(p, f2 < 4294967295.0 ? (uint32_t)f2 : UINT32_MAX);
        prev = t;
        r->len += x->acc[t];
        x->acc[t] = 0;
        x->terms[t].df++;
    }
    size_t bytes = (size_t)(p - x->tfbuf);
    r->tf = xrealloc(NULL, bytes ? bytes : 1);
    memcpy(r->tf, x->tfbuf, bytes);
}

void related_index_put(related_index *x, const related_story *st)
{
    related_index_remove(x, st->id);
    uint32_t slot = alloc_slot(x);
    story_rec *r = &x->stories[slot];
    memset(r, 0, sizeof *r);
    r->id = st->id;
    r->published_at = st->published_at;
    r->n_topics = st->topics ? st->n_topics : 0;
    r->topics = xcalloc(r->n_topics, sizeof *r->topics);
    for (size_t i = 0; i < r->n_topics; i++)
        r->topics[i] = intern_topic(x, st->topics[i] ? st->topics[i] : "");
    analyze_fields(x, r, st);
    r->live = true;
    x->n_live++;
    x->total_len += r->len;
    insert_id(x, slot);
    if (++x->dirty * 2 > x->n_live) {
        related_index_rebuild(x);
    } else {
        make_vector(x, r, NULL);
        add_postings(x, slot);
    }
}

void related_index_remove(related_index *x, long long id)
{
    size_t at = find_id(x, id);
    if (at == SIZE_MAX) return;
    uint32_t slot = x->id_table[at];
    story_rec *r = &x->stories[slot];
    remove_postings(x, slot);
    const unsigned char *p = r->tf;
    uint32_t t = 0;
    for (uint32_t i = 0; i < r->n_tf; i++) {
        uint32_t f2;
        p = tf_next(p, &t, &f2);
        x->terms[t].df--;
    }
    x->total_len -= r->len;
    x->n_live--;
    delete_id(x, at);
    free_story(r);
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
    for (size_t i = 0; i < a->n_topics; i++)
        for (size_t j = 0; j < b->n_topics; j++)
            if (a->topics[i] == b->topics[j])
                boost += (i == 0 && j == 0) ? PRIMARY_TOPIC : OTHER_TOPIC;
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

static void scatter(float *tw, const story_rec *r, bool on)
{
    for (uint32_t i = 0; i < r->n_vec; i++)
        tw[r->vec[i].term] = on ? r->vec[i].w : 0;
}

/* Cosine of r with the vector scattered in tw, and the number of name terms they share. */
static double scattered_cosine(const related_index *x, const float *tw, const story_rec *r,
                               int *names)
{
    double dot = 0;
    int nm = 0;
    for (uint32_t i = 0; i < r->n_vec; i++) {
        float w = tw[r->vec[i].term];
        if (w != 0) {
            dot += (double)w * r->vec[i].w;
            if (names && x->terms[r->vec[i].term].name) nm++;
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
    memcpy(by_w, q->vec, m * sizeof *by_w);
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
        for (uint32_t p = 0; p < n_walk; p++) {
            uint32_t s = ti->post[p].slot;
            float pw = ti->post[p].w;
            if (pw == 0) continue; /* weights are > 0 but for empty vectors: seen ≤ n_slots */
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
    scatter(qs->tw, q, true);
    for (size_t i = 0; i < n_pre; i++) {
        const story_rec *r = &x->stories[pre[i].slot];
        int nm;
        double cos = scattered_cosine(x, qs->tw, r, &nm);
        if (cos > NEAR_DUPLICATE) continue;
        candidate cand = {pre[i].slot, cos, final_score(q, r, cos, nm)};
        keep_best(c, &n, limit, cand);
    }
    scatter(qs->tw, q, false);
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
        scatter(qs->tw, picked, true);
        for (size_t i = 0; i < pool; i++) {
            if (taken[i]) continue;
            double sim = scattered_cosine(x, qs->tw, &x->stories[c[i].slot], NULL);
            if (sim > max_sim[i]) max_sim[i] = sim;
        }
        scatter(qs->tw, picked, false);
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
