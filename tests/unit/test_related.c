/* test_related.c — unit tests for the related-stories engine (src/related): the analyzer
 * (UTF-8, case folding, punctuation, apostrophes, HTML, stop words, stemming, names), the
 * index's compact encodings (varints, one-byte weights) and the index (ranking, remove,
 * near-duplicates, concurrent queries, unknown language, long sorted posting runs, churn). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "../../src/related/internal.h"
#include "../../src/related/related.h"

/* ---- Helpers -------------------------------------------------------------------------- */

typedef struct {
    char *terms[256];
    size_t n;
} term_list;

static void collect(void *ctx, const char *term, size_t len)
{
    term_list *l = ctx;
    if (l->n < 256) l->terms[l->n++] = strndup(term, len);
}

static void free_terms(term_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->terms[i]);
    l->n = 0;
}

static bool has_term(const term_list *l, const char *term)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->terms[i], term) == 0) return true;
    return false;
}

static size_t count_names(const term_list *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->terms[i][0] == '#';
    return n;
}

static term_list analyze(const char *language, const char *text)
{
    char err[128];
    related_analyzer *an = related_analyzer_new(language, err, sizeof err);
    assert_non_null(an);
    term_list l = {0};
    related_analyze(an, text, collect, &l);
    related_analyzer_free(an);
    return l;
}

/* ---- Analyzer ------------------------------------------------------------------------- */

static void test_stop_words_stemming_and_punctuation(void **state)
{
    term_list l = analyze("english", "The delegation visited Moscow, and (of course) met them!");
    assert_true(has_term(&l, "visit"));
    assert_true(has_term(&l, "deleg"));
    assert_true(has_term(&l, "moscow"));
    assert_true(has_term(&l, "cours"));
    assert_false(has_term(&l, "the"));
    assert_false(has_term(&l, "and"));
    assert_false(has_term(&l, "of"));
    assert_false(has_term(&l, "them"));
    assert_false(has_term(&l, ","));
    assert_int_equal(count_names(&l), 0);
    free_terms(&l);
}

static void test_utf8_accents_and_other_scripts(void **state)
{
    term_list l = analyze("english", "CAFÉ café Ελλάδα ΕΛΛΆΔΑ Москва 東京 naïve—résumé");
    assert_true(has_term(&l, "café"));
    assert_true(has_term(&l, "ελλάδα"));
    assert_true(has_term(&l, "москва"));
    assert_true(has_term(&l, "東京"));
    assert_true(has_term(&l, "naïv"));
    size_t cafe = 0, greek = 0;
    for (size_t i = 0; i < l.n; i++) {
        cafe += strcmp(l.terms[i], "café") == 0;
        greek += strcmp(l.terms[i], "ελλάδα") == 0;
    }
    assert_int_equal(cafe, 2);
    assert_int_equal(greek, 2);
    free_terms(&l);
    l = analyze("russian", "Делегация посетила Москву");
    assert_true(l.n == 3);
    free_terms(&l);
}

static void test_apostrophes_html_and_entities(void **state)
{
    term_list l =
        analyze("english", "<p>Erdogan’s words &amp; <b>Hamas'</b> don't rock&#39;n&#x27;roll</p>");
    assert_true(has_term(&l, "erdogan"));
    assert_true(has_term(&l, "word"));
    assert_true(has_term(&l, "hama"));
    assert_true(has_term(&l, "rock'n'rol"));
    assert_false(has_term(&l, "p"));
    assert_false(has_term(&l, "b"));
    assert_false(has_term(&l, "amp"));
    assert_false(has_term(&l, "don't"));
    free_terms(&l);
}

static void test_names(void **state)
{
    term_list l = analyze("english", "Maria Zakharova said the Gaza Strip was calm. Officials "
                                     "agreed. The Hamas delegation met in Moscow.");
    assert_true(has_term(&l, "#maria zakharova"));
    assert_true(has_term(&l, "#gaza strip"));
    assert_true(has_term(&l, "maria"));
    assert_true(has_term(&l, "zakharova"));
    assert_false(has_term(&l, "#officials"));
    assert_false(has_term(&l, "#the hamas"));
    assert_false(has_term(&l, "#hamas"));
    assert_int_equal(count_names(&l), 2);
    free_terms(&l);
    l = analyze("english", "Maria Zakharova: Hamas visited Moscow");
    assert_true(has_term(&l, "#maria zakharova"));
    assert_int_equal(count_names(&l), 1);
    free_terms(&l);
    l = analyze("german", "Angela Merkel traf Олаф Шольц in Berlin");
    assert_true(has_term(&l, "#angela merkel"));
    assert_true(has_term(&l, "#олаф шольц"));
    free_terms(&l);
}

static void test_unknown_language(void **state)
{
    char err[128] = "";
    assert_null(related_analyzer_new("klingon", err, sizeof err));
    assert_non_null(strstr(err, "klingon"));
    err[0] = '\0';
    assert_null(related_index_new("klingon", err, sizeof err));
    assert_true(err[0] != '\0');
    related_index *x = related_index_new("french", err, sizeof err);
    assert_non_null(x);
    related_index_free(x);
}

/* ---- Encodings ------------------------------------------------------------------------ */

static void test_varint_round_trips(void **state)
{
    static const struct {
        uint32_t value;
        size_t bytes;
    } cases[] = {{0, 1},         {1, 1},         {127, 1},        {128, 2},
                 {16383, 2},     {16384, 3},     {2097151, 3},    {2097152, 4},
                 {268435455, 4}, {268435456, 5}, {UINT32_MAX, 5}, {0x80808080u, 5}};
    unsigned char buf[RELATED_VARINT_MAX * 12];
    unsigned char *p = buf;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *end = related_varint_put(p, cases[i].value);
        assert_int_equal((size_t)(end - p), cases[i].bytes);
        p = end;
    }
    const unsigned char *q = buf;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t v = 1;
        const unsigned char *next = related_varint_get(q, &v);
        assert_int_equal(v, cases[i].value);
        assert_int_equal((size_t)(next - q), cases[i].bytes);
        q = next;
    }
    assert_ptr_equal(q, p);
}

static void test_term_frequency_pairs(void **state)
{
    static const uint32_t gaps[] = {0, 1, 15, 16, 2047, 2048, 1u << 28, UINT32_MAX};
    static const uint32_t freqs[] = {2, 4, 14, 1, 3, 5, 16, 0, 15, 1000, UINT32_MAX};
    enum { N_GAPS = sizeof gaps / sizeof gaps[0], N_FREQS = sizeof freqs / sizeof freqs[0] };
    unsigned char buf[N_GAPS * N_FREQS * RELATED_TF_MAX];
    unsigned char *p = buf;
    for (size_t g = 0; g < N_GAPS; g++)
        for (size_t f = 0; f < N_FREQS; f++) {
            unsigned char *end = related_tf_put(p, gaps[g], freqs[f]);
            assert_true(end - p <= RELATED_TF_MAX);
            if (gaps[g] < 2048 && freqs[f] % 2 == 0 && freqs[f] >= 2 && freqs[f] <= 14)
                assert_true(end - p <= 2); /* the common case: one short varint */
            p = end;
        }
    const unsigned char *q = buf;
    uint32_t term = 0;
    uint64_t expected = 0;
    for (size_t g = 0; g < N_GAPS; g++)
        for (size_t f = 0; f < N_FREQS; f++) {
            uint32_t twice = 12345;
            q = related_tf_next(q, &term, &twice);
            expected += gaps[g];
            assert_int_equal(term, (uint32_t)expected); /* the running id, modulo 2^32 */
            assert_int_equal(twice, freqs[f]);
        }
    assert_ptr_equal(q, p);
}

static void test_vector_entries(void **state)
{
    /* increasing term ids with gaps of every width: 0, small, the largest short one, the
     * first escaped one, huge */
    static const uint32_t terms[] = {0,      0,      1,           65535,     131069,
                                     131070, 196605, 0x7fffffffu, UINT32_MAX};
    enum { N = sizeof terms / sizeof terms[0] };
    unsigned char buf[N * RELATED_VEC_MAX];
    unsigned char *p = buf;
    uint32_t prev = 0;
    for (size_t i = 0; i < N; i++) {
        unsigned char *end = related_vec_put(p, prev, terms[i], (uint8_t)(i * 31));
        assert_int_equal(end - p, terms[i] - prev < 0xffff ? 3 : RELATED_VEC_MAX);
        p = end;
        prev = terms[i];
    }
    const unsigned char *q = buf;
    uint32_t term = 0;
    for (size_t i = 0; i < N; i++) {
        uint8_t code = 0;
        q = related_vec_next(q, &term, &code);
        assert_int_equal(term, terms[i]);
        assert_int_equal(code, (uint8_t)(i * 31));
    }
    assert_ptr_equal(q, p);
}

static void test_weight_codes(void **state)
{
    assert_int_equal(related_weight_encode(0), 0);
    assert_int_equal(related_weight_encode(-0.5), 0);
    assert_int_equal(related_weight_encode(NAN), 0);
    assert_int_equal(related_weight_encode(1), 255);
    assert_int_equal(related_weight_encode(7.5), 255);
    assert_int_equal(related_weight_encode(INFINITY), 255);
    assert_int_equal(related_weight_encode(1e-30), 1); /* tiny but not zero: the smallest */
    assert_true(related_weight_decode(0) == 0);
    assert_true(related_weight_decode(255) == 1);
    /* every code decodes to a weight that encodes back to it, in increasing order */
    for (int c = 1; c < 256; c++) {
        double w = related_weight_decode((uint8_t)c);
        assert_int_equal(related_weight_encode(w), c);
        assert_true(w > related_weight_decode((uint8_t)(c - 1)));
    }
    /* from 1 down to the smallest code, the relative error stays within 1.8 % */
    double smallest = related_weight_decode(1), worst = 0;
    uint8_t last = 255;
    for (double w = 1; w >= smallest; w *= 0.9993) {
        uint8_t c = related_weight_encode(w);
        assert_true(c <= last); /* monotonic */
        last = c;
        double err = fabs(related_weight_decode(c) - w) / w;
        if (err > worst) worst = err;
    }
    assert_true(worst < 0.018);
}

/* ---- Index ---------------------------------------------------------------------------- */

static const char *const world[] = {"world", "middle-east"};
static const char *const culture[] = {"culture"};

static const related_story stories[] = {
    {1, "Maria Zakharova: Hamas visited Moscow", NULL,
     "A Hamas delegation visited Moscow, Russian foreign ministry spokeswoman Maria Zakharova "
     "said.",
     "The Hamas delegation held talks in Moscow with Russian officials about the war in the Gaza "
     "Strip and the hostages. Zakharova said Moscow keeps contacts with all sides.",
     world, 2, 1700000000},
    {2, "Hamas delegation in Moscow meets Russian officials", NULL,
     "Russian officials met a Hamas delegation in Moscow on Thursday.",
     "The delegation from Hamas discussed the Gaza Strip, the hostages and humanitarian aid with "
     "Russian deputy foreign minister in Moscow.",
     world, 2, 1700090000},
    {3, "La Reina Del Sur Season 4 release date", "Television",
     "The fourth season of the drama series is coming to streaming this summer.",
     "Fans of the telenovela can expect new episodes, cast returns and a trailer soon.", culture, 1,
     1700050000},
    {4, "Erdogan's words about Hamas spark storm", NULL,
     "Turkish president Recep Tayyip Erdogan defended Hamas in a speech.",
     "Israel criticised the remarks by Erdogan about Hamas and the war in the Gaza Strip.", world,
     1, 1700100000},
};

static related_index *build_index(void)
{
    char err[128];
    related_index *x = related_index_new("english", err, sizeof err);
    assert_non_null(x);
    related_index_write_lock(x);
    for (size_t i = 0; i < 4; i++)
        related_index_put(x, &stories[i]);
    related_index_rebuild(x);
    related_index_unlock(x);
    assert_int_equal(related_index_size(x), 4);
    return x;
}

static void test_obvious_ranking(void **state)
{
    related_index *x = build_index();
    long long ids[4];
    double scores[4];
    size_t n = related_index_query(x, 1, 4, ids, scores);
    assert_true(n >= 1);
    assert_int_equal(ids[0], 2);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(ids[i], 1);
    for (size_t i = 0; i + 1 < n; i++)
        assert_true(scores[i] >= scores[i + 1] - 1e-9);
    if (n == 3) assert_int_equal(ids[2], 3);
    assert_int_equal(related_index_query(x, 999, 4, ids, scores), 0);
    related_index_free(x);
}

static void test_remove_and_replace(void **state)
{
    related_index *x = build_index();
    long long ids[4];
    related_index_write_lock(x);
    related_index_remove(x, 2);
    related_index_remove(x, 2);
    related_index_unlock(x);
    assert_int_equal(related_index_size(x), 3);
    size_t n = related_index_query(x, 1, 4, ids, NULL);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(ids[i], 2);
    assert_true(n >= 1 && ids[0] == 4);
    related_index_put(x, &stories[1]);
    related_index_put(x, &stories[1]);
    related_index_rebuild(x);
    assert_int_equal(related_index_size(x), 4);
    n = related_index_query(x, 1, 4, ids, NULL);
    assert_true(n >= 1 && ids[0] == 2);
    related_index_free(x);
}

static void test_near_duplicate_is_dropped(void **state)
{
    related_index *x = build_index();
    related_story copy = stories[0];
    copy.id = 77;
    related_index_put(x, &copy);
    related_index_rebuild(x);
    long long ids[4];
    size_t n = related_index_query(x, 1, 4, ids, NULL);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(ids[i], 77);
    assert_int_equal(ids[0], 2);
    related_index_free(x);
}

/* A story of a few words of its own (w<id>x<k>) and the shared words of its group, so that
 * the stories of a group are related. */
static void churn_story(related_story *st, char *text, size_t cap, long long id, int group)
{
    static const char *const groups[][6] = {
        {"harbour", "ferry", "fishing", "trawler", "dock", "quay"},
        {"election", "ballot", "candidate", "council", "vote", "mayor"},
        {"orchestra", "concert", "violin", "symphony", "choir", "opera"}};
    size_t at = 0;
    for (int k = 0; k < 4; k++)
        at += (size_t)snprintf(text + at, cap - at, "w%lldx%d ", id, k);
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 6; k++)
            at += (size_t)snprintf(text + at, cap - at, "%s ", groups[group][k]);
    *st = (related_story){
        .id = id, .headline = groups[group][0], .body = text, .published_at = 1700000000 + id};
}

/* Puts, removes and replaces many stories: the index must answer as one built from scratch
 * with the same stories, and give back what it no longer needs. */
static void test_churn_matches_fresh_build(void **state)
{
    char err[128], text[4096];
    related_index *churned = related_index_new("english", err, sizeof err);
    related_index *fresh = related_index_new("english", err, sizeof err);
    assert_non_null(churned);
    assert_non_null(fresh);
    related_story st;
    for (long long id = 1; id <= 60; id++) {
        churn_story(&st, text, sizeof text, id, (int)(id % 3));
        related_index_put(churned, &st);
    }
    size_t bytes_60 = related_index_bytes(churned);
    for (int round = 0; round < 5; round++)
        for (long long id = 1; id <= 60; id++) {
            if (id % 4 == round % 4) related_index_remove(churned, id);
            churn_story(&st, text, sizeof text, id, (int)(id % 3));
            related_index_put(churned, &st);
        }
    for (long long id = 41; id <= 60; id++)
        related_index_remove(churned, id);
    for (long long id = 1; id <= 40; id++) {
        churn_story(&st, text, sizeof text, id, (int)(id % 3));
        related_index_put(fresh, &st);
    }
    related_index_rebuild(churned);
    related_index_rebuild(fresh);
    assert_int_equal(related_index_size(churned), 40);
    assert_true(related_index_bytes(churned) < bytes_60 * 2);
    for (long long id = 1; id <= 40; id++) {
        long long a[4], b[4];
        double sa[4], sb[4];
        size_t na = related_index_query(churned, id, 4, a, sa);
        size_t nb = related_index_query(fresh, id, 4, b, sb);
        assert_int_equal(na, nb);
        assert_int_equal(na, 4);
        for (size_t i = 0; i < na; i++) {
            assert_int_equal(a[i], b[i]);
            assert_true(fabs(sa[i] - sb[i]) < 1e-6);
            assert_int_equal(a[i] % 3, id % 3); /* its own group */
        }
    }
    for (long long id = 41; id <= 60; id++) {
        long long a[4];
        assert_int_equal(related_index_query(churned, id, 4, a, NULL), 0);
    }
    related_index_free(churned);
    related_index_free(fresh);
}

/* A bulk load (puts after related_index_load_begin) ends in the same index as plain puts. */
static void test_bulk_load_matches_puts(void **state)
{
    char err[128];
    related_index *plain = build_index();
    related_index *bulk = related_index_new("english", err, sizeof err);
    assert_non_null(bulk);
    related_index_load_begin(bulk);
    for (size_t i = 0; i < 4; i++)
        related_index_put(bulk, &stories[i]);
    long long ids[4], want[4];
    double scores[4], want_scores[4];
    assert_int_equal(related_index_query(bulk, 1, 4, ids, NULL), 0); /* not yet */
    related_index_rebuild(bulk);
    for (long long id = 1; id <= 4; id++) {
        size_t n = related_index_query(bulk, id, 4, ids, scores);
        assert_int_equal(n, related_index_query(plain, id, 4, want, want_scores));
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(ids[i], want[i]);
            assert_true(fabs(scores[i] - want_scores[i]) < 1e-9);
        }
    }
    related_index_free(plain);
    related_index_free(bulk);
}

/* More stories share a term than a query walks (1,000): that term's postings are kept sorted
 * by weight, through puts and removes after the rebuild. */
static void test_long_posting_runs(void **state)
{
    char err[128], text[512];
    related_index *x = related_index_new("english", err, sizeof err);
    assert_non_null(x);
    for (long long id = 1; id <= 1300; id++) {
        /* every story says "lighthouse"; stories 1..10 also say "keeper" and "lantern" and
         * six words of a pool of 20, so that they are related but no two are copies */
        size_t at = (size_t)snprintf(text, sizeof text, "lighthouse u%lld v%lld", id, id);
        if (id <= 10) {
            at += (size_t)snprintf(text + at, sizeof text - at, " keeper lantern");
            for (int k = 0; k < 6; k++)
                at += (size_t)snprintf(text + at, sizeof text - at, " pool%lld", (id * 3 + k) % 20);
        }
        related_story st = {
            .id = id, .headline = "Coast", .body = text, .published_at = 1700000000 + id};
        related_index_put(x, &st);
    }
    related_index_rebuild(x);
    for (long long id = 1201; id <= 1300; id++)
        related_index_remove(x, id);
    related_story extra = {.id = 5000,
                           .headline = "Coast",
                           .body = "lighthouse keeper lantern",
                           .published_at = 1700000000};
    related_index_put(x, &extra);
    assert_int_equal(related_index_size(x), 1201);
    long long ids[4];
    size_t n = related_index_query(x, 5000, 4, ids, NULL);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        assert_true(ids[i] <= 10); /* the keepers, found through the shorter runs */
    n = related_index_query(x, 700, 4, ids, NULL);
    for (size_t i = 0; i < n; i++)
        assert_true(ids[i] != 700 && (ids[i] <= 1200 || ids[i] == 5000));
    related_index_free(x);
}

/* A story with no words at all, and one with nothing but a topic: no vector, no crash. */
static void test_empty_stories(void **state)
{
    related_index *x = build_index();
    const char *const topics[] = {"world"};
    related_story empty = {.id = 90, .published_at = 1700000000};
    related_story bare = {.id = 91,
                          .headline = "",
                          .body = "<p></p>",
                          .topics = topics,
                          .n_topics = 1,
                          .published_at = 1700000000};
    related_index_put(x, &empty);
    related_index_put(x, &bare);
    long long ids[4];
    assert_int_equal(related_index_query(x, 90, 4, ids, NULL), 0);
    assert_int_equal(related_index_query(x, 91, 4, ids, NULL), 0);
    related_index_rebuild(x);
    size_t n = related_index_query(x, 1, 4, ids, NULL);
    for (size_t i = 0; i < n; i++)
        assert_true(ids[i] != 90 && ids[i] != 91);
    related_index_remove(x, 90);
    related_index_remove(x, 91);
    assert_int_equal(related_index_size(x), 4);
    related_index_free(x);
}

typedef struct {
    related_index *x;
    int failures;
} worker;

static void *query_many(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 2000; i++) {
        long long ids[4];
        related_index_read_lock(w->x);
        size_t n = related_index_query(w->x, 1 + i % 4, 4, ids, NULL);
        related_index_unlock(w->x);
        if (i % 4 == 0 && (n < 1 || ids[0] != 2)) w->failures++;
    }
    return NULL;
}

static void test_concurrent_queries(void **state)
{
    related_index *x = build_index();
    pthread_t threads[4];
    worker workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (worker){x, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, query_many, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].failures, 0);
    }
    related_index_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stop_words_stemming_and_punctuation),
        cmocka_unit_test(test_utf8_accents_and_other_scripts),
        cmocka_unit_test(test_apostrophes_html_and_entities),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_unknown_language),
        cmocka_unit_test(test_varint_round_trips),
        cmocka_unit_test(test_term_frequency_pairs),
        cmocka_unit_test(test_vector_entries),
        cmocka_unit_test(test_weight_codes),
        cmocka_unit_test(test_obvious_ranking),
        cmocka_unit_test(test_remove_and_replace),
        cmocka_unit_test(test_near_duplicate_is_dropped),
        cmocka_unit_test(test_concurrent_queries),
        cmocka_unit_test(test_churn_matches_fresh_build),
        cmocka_unit_test(test_long_posting_runs),
        cmocka_unit_test(test_bulk_load_matches_puts),
        cmocka_unit_test(test_empty_stories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
