/* related_bench.c — scale figures for the related-stories engine and full-text search on a
 * synthetic site. Usage: related_bench N [data-dir] (run from the repo root; data-dir defaults
 * to ../shared/data/news/bbc, read in place, never copied).
 *
 * The site replicates the labelled BBC set (<category>/<nnn>.txt): story i keeps the headline
 * of BBC story i % count and gets a lead and body made of the paragraphs of 3 random stories of
 * the same category, shuffled, as many paragraphs as the original had (so word distributions
 * stay realistic and no two copies are identical); its topic is the category, its date is
 * spread over the last 2 years. Measured, one line per figure with its goal:
 *   - full rebuild: put all N (bulk loading) + related_index_rebuild, then the top-4 related list
 * of every story (2 threads under the read lock);
 *   - memory of the index: RSS growth across the build (/proc/self/statm), after malloc_trim
 *     as in the server, and the bytes the index says it holds (related_index_bytes);
 *   - one publish: put one new story, query its related (top 20) and re-query the top-4 of
 *     each of those 20 (the lists a publish changes); median and max over 50;
 *   - search: the same N stories saved into a fresh SQLite store (batches of 1,000), then
 *     1,000 reader queries of 1-3 corpus words (plain, prefix, phrase) through
 *     search_query_translate + store_search(limit 10); p50 and p99. */
#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/content/content.h"
#include "../src/core/arena.h"
#include "../src/related/related.h"
#include "../src/site/search_query.h"
#include "../src/store/store.h"

enum { K = 4, SOURCES = 3, PUBLISHES = 50, FANOUT = 20, QUERIES = 1000, BATCH = 1000 };
enum { THREADS = 2 };

static const double GOAL_REBUILD_S = 60.0, GOAL_PUBLISH_MS = 10.0, GOAL_MEMORY_MB = 200.0,
                    GOAL_SEARCH_P99_MS = 5.0;

typedef struct {
    int category;
    char *headline;
    char **paras;
    size_t n_paras;
} bbc_story;

typedef struct {
    bbc_story *s;
    size_t n, cap;
    char categories[16][64];
    int n_categories;
    size_t *by_cat[16]; /* indexes of the stories of each category */
    size_t n_by_cat[16];
} corpus;

typedef struct {
    char *headline, *lead, *body_md, *body_html, *slug;
    int category;
    long long published_at;
} story;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the whole process (all threads), or of the calling thread: on a shared
 * machine the wall time says as much about the neighbours as about the engine. */
static double cpu_clock(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
    return cpu_clock(CLOCK_PROCESS_CPUTIME_ID);
}

static unsigned long long rng = 0x9e3779b97f4a7c15ull;
static unsigned long long next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("related_bench: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static double rss_mb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1048576.0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = xmalloc((size_t)size + 1);
    size_t got = fread(text, 1, (size_t)size, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

/* Headline = first line; paragraphs = the blank-line separated blocks after it. */
static void split_story(char *text, bbc_story *d)
{
    char *nl = strchr(text, '\n');
    d->headline = text;
    d->paras = NULL;
    d->n_paras = 0;
    if (!nl) return;
    *nl = '\0';
    size_t cap = 0;
    char *p = nl + 1;
    while (*p) {
        while (*p == '\n' || *p == '\r')
            p++;
        if (!*p) break;
        char *end = strstr(p, "\n\n");
        char *next = end ? end + 2 : p + strlen(p);
        if (end) *end = '\0';
        size_t len = strlen(p);
        while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            p[--len] = '\0';
        if (len) {
            if (d->n_paras == cap) {
                cap = cap ? cap * 2 : 8;
                d->paras = realloc(d->paras, cap * sizeof *d->paras);
            }
            d->paras[d->n_paras++] = p;
        }
        p = next;
    }
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_files(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_category(corpus *c, const char *root, int cat)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, c->categories[cat]);
    DIR *dir = opendir(path);
    if (!dir) return;
    char **files = NULL;
    size_t n_files = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strstr(e->d_name, ".txt")) continue;
        if (n_files == cap) {
            cap = cap ? cap * 2 : 256;
            files = realloc(files, cap * sizeof *files);
        }
        files[n_files++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(files, n_files, sizeof *files, compare_files);
    for (size_t i = 0; i < n_files; i++) {
        snprintf(path, sizeof path, "%s/%s/%s", root, c->categories[cat], files[i]);
        free(files[i]);
        char *text = read_file(path);
        if (!text) continue;
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->s = realloc(c->s, c->cap * sizeof *c->s);
        }
        bbc_story *d = &c->s[c->n];
        d->category = cat;
        split_story(text, d);
        if (d->n_paras == 0) {
            free(text);
            continue;
        }
        c->n++;
    }
    free(files);
}

static bool load_corpus(corpus *c, const char *root)
{
    DIR *dir = opendir(root);
    if (!dir) return false;
    char *names[16];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && n < 16)
        if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
    closedir(dir);
    qsort(names, (size_t)n, sizeof *names, compare_names);
    for (int i = 0; i < n; i++) {
        snprintf(c->categories[i], sizeof c->categories[i], "%s", names[i]);
        free(names[i]);
    }
    c->n_categories = n;
    for (int i = 0; i < n; i++)
        load_category(c, root, i);
    for (int i = 0; i < n; i++) {
        c->by_cat[i] = xmalloc(c->n * sizeof *c->by_cat[i]);
        for (size_t j = 0; j < c->n; j++)
            if (c->s[j].category == i) c->by_cat[i][c->n_by_cat[i]++] = j;
    }
    return c->n > 0;
}

/* ---- The synthetic site --------------------------------------------------------------- */

static char *join(char **parts, size_t n, const char *sep)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(parts[i]) + strlen(sep);
    char *out = xmalloc(len), *p = out;
    for (size_t i = 0; i < n; i++) {
        if (i) p = stpcpy(p, sep);
        p = stpcpy(p, parts[i]);
    }
    *p = '\0';
    return out;
}

static void make_story(const corpus *c, size_t i, long long start, long long span, story *out)
{
    const bbc_story *base = &c->s[i % c->n];
    int cat = base->category;
    char *pool[4096];
    size_t n_pool = 0;
    for (int k = 0; k < SOURCES; k++) {
        const bbc_story *src = &c->s[c->by_cat[cat][next_random() % c->n_by_cat[cat]]];
        for (size_t p = 0; p < src->n_paras && n_pool < 4096; p++)
            pool[n_pool++] = src->paras[p];
    }
    for (size_t p = n_pool; p > 1; p--) { /* Fisher-Yates */
        size_t j = next_random() % p;
        char *t = pool[p - 1];
        pool[p - 1] = pool[j];
        pool[j] = t;
    }
    size_t want = base->n_paras < n_pool ? base->n_paras : n_pool;
    out->headline = base->headline;
    out->lead = strdup(pool[0]);
    out->body_md = join(pool + 1, want > 1 ? want - 1 : 0, "\n\n");
    out->category = cat;
    out->published_at = start + (long long)(next_random() % (unsigned long long)span);
    char slug[64];
    snprintf(slug, sizeof slug, "story-%zu", i);
    out->slug = strdup(slug);
    arena *a = arena_new();
    content_markdown md;
    char err[256];
    out->body_html = content_render_markdown(a, out->body_md, &md, err, sizeof err)
                         ? strdup(md.html)
                         : strdup(out->body_md);
    arena_free(a);
}

static void put_story(related_index *x, const corpus *c, const story *s, long long id)
{
    const char *topics[1] = {c->categories[s->category]};
    related_story rs = {id, s->headline, NULL, s->lead, s->body_html, topics, 1, s->published_at};
    related_index_put(x, &rs);
}

/* ---- All related lists, on THREADS threads -------------------------------------------- */

typedef struct {
    related_index *x;
    size_t from, to, returned;
} lists_job;

static void *lists_worker(void *arg)
{
    lists_job *j = arg;
    related_index_read_lock(j->x);
    for (size_t i = j->from; i < j->to; i++) {
        long long ids[K];
        j->returned += related_index_query(j->x, (long long)i, K, ids, NULL);
    }
    related_index_unlock(j->x);
    return NULL;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(double *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, compare_double);
    size_t at = (size_t)(p * (double)(n - 1) + 0.5);
    return v[at < n ? at : n - 1];
}

static const char *verdict(bool ok)
{
    return ok ? "ok" : "MISSED";
}

/* ---- Search queries ------------------------------------------------------------------- */

/* A random word (ASCII letters only, at least 3) of a random paragraph, copied into out. */
static bool random_words(const corpus *c, size_t count, char *out, size_t outlen)
{
    const bbc_story *s = &c->s[next_random() % c->n];
    const char *p = s->paras[next_random() % s->n_paras];
    size_t len = strlen(p);
    /* collect word starts */
    size_t starts[2048], lens[2048], n = 0;
    for (size_t i = 0; i < len && n < 2048;) {
        while (i < len && !((p[i] | 32) >= 'a' && (p[i] | 32) <= 'z'))
            i++;
        size_t b = i;
        while (i < len && ((p[i] | 32) >= 'a' && (p[i] | 32) <= 'z'))
            i++;
        if (i - b >= 3) {
            starts[n] = b;
            lens[n] = i - b;
            n++;
        }
    }
    if (n < count) return false;
    size_t at = next_random() % (n - count + 1);
    size_t o = 0;
    for (size_t k = 0; k < count; k++) {
        if (o + lens[at + k] + 2 >= outlen) return false;
        if (k) out[o++] = ' ';
        memcpy(out + o, p + starts[at + k], lens[at + k]);
        o += lens[at + k];
    }
    out[o] = '\0';
    return true;
}

/* Reader text: 60 % one to three consecutive words, 20 % a prefix (4 letters + *), 20 % a
 * quoted phrase of two or three words. */
static void reader_query(const corpus *c, char *out, size_t outlen, int *kind)
{
    char words[256];
    unsigned r = (unsigned)(next_random() % 10);
    if (r < 6) {
        *kind = 0;
        while (!random_words(c, 1 + next_random() % 3, out, outlen))
            ;
    } else if (r < 8) {
        *kind = 1;
        while (!random_words(c, 1, words, sizeof words) || strlen(words) < 4)
            ;
        snprintf(out, outlen, "%.4s*", words);
    } else {
        *kind = 2;
        while (!random_words(c, 2 + next_random() % 2, words, 200))
            ;
        snprintf(out, outlen, "\"%.200s\"", words);
    }
}

/* One timed query, for SLOWEST. */
typedef struct {
    double ms, cpu_ms;
    int kind;
    size_t hits, total;
    bool partial;
    char text[256];
} slow_query;

static int compare_slow(const void *a, const void *b)
{
    double x = ((const slow_query *)a)->ms, y = ((const slow_query *)b)->ms;
    return (x < y) - (x > y);
}

static int run_search(const corpus *c, const story *site, size_t n)
{
    /* SEARCH_DB=PATH keeps the search site at PATH and reuses it when it is already there (a
     * 100,000-story site takes minutes to save; the latency figures do not need a fresh one). */
    const char *keep = getenv("SEARCH_DB");
    char dir[] = "/tmp/gazette-related-bench-XXXXXX";
    char path[256], err[256];
    bool reuse = keep && access(keep, F_OK) == 0;
    if (keep) {
        snprintf(path, sizeof path, "%s", keep);
    } else {
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(path, sizeof path, "%s/site.db", dir);
    }
    store *st;
    if ((reuse ? store_open(path, &st, err, sizeof err)
               : store_create(path, &st, err, sizeof err)) != STORE_OK) {
        fprintf(stderr, "related_bench: opening %s: %s\n", path, err);
        return 1;
    }
    double t0 = now();
    store_article_input *in = calloc(BATCH, sizeof *in);
    const char **topic = calloc(n, sizeof *topic);
    for (size_t b = 0; b < n && !reuse; b += BATCH) {
        size_t m = n - b < BATCH ? n - b : BATCH;
        for (size_t k = 0; k < m; k++) {
            const story *s = &site[b + k];
            topic[b + k] = c->categories[s->category];
            in[k] = (store_article_input){.slug = s->slug,
                                          .headline = s->headline,
                                          .lead = s->lead,
                                          .body_markdown = s->body_md,
                                          .body_html = s->body_html,
                                          .status = ARTICLE_PUBLISHED,
                                          .published_at = s->published_at,
                                          .topic_names = &topic[b + k],
                                          .n_topics = 1};
        }
        if (store_articles_save(st, in, m, NULL) != STORE_OK) {
            fprintf(stderr, "related_bench: store_articles_save: %s\n", store_last_error(st));
            return 1;
        }
    }
    double load = now() - t0;
    if (reuse) {
        printf("  search site: reusing %s (SEARCH_DB)\n", path);
    } else {
        printf("  search site: %zu stories saved into SQLite in %.1f s (batches of %d)\n", n, load,
               BATCH);
        /* as `gazette reindex` does after an import; SEARCH_PACK=0 measures the index as the
         * batches left it */
        const char *pack = getenv("SEARCH_PACK");
        if (!pack || strcmp(pack, "0") != 0) {
            t0 = now();
            if (store_search_pack(st) != STORE_OK) {
                fprintf(stderr, "related_bench: store_search_pack: %s\n", store_last_error(st));
                return 1;
            }
            printf("  search index packed in %.1f s (store_search_pack)\n", now() - t0);
        }
    }

    double *lat = xmalloc(QUERIES * sizeof *lat), *cpu = xmalloc(QUERIES * sizeof *cpu),
           *by_kind[3];
    slow_query *slow = calloc(QUERIES, sizeof *slow);
    size_t n_kind[3] = {0}, hits_total = 0, empty = 0, partial = 0;
    for (int k = 0; k < 3; k++)
        by_kind[k] = xmalloc(QUERIES * sizeof *by_kind[k]);
    arena *a = arena_new();
    /* warm-up: the first queries page the database in */
    for (int w = 0; w < 20; w++) {
        char text[256];
        int kind;
        const char *fts;
        reader_query(c, text, sizeof text, &kind);
        store_search_hit *hits;
        size_t got, total;
        if (search_query_translate(a, text, &fts) == SEARCH_QUERY_OK)
            store_search(st, a, fts, NULL, 10, 0, &hits, &got, &total, NULL);
        arena_reset(a);
    }
    for (size_t q = 0; q < QUERIES; q++) {
        char text[256];
        int kind;
        reader_query(c, text, sizeof text, &kind);
        double q0 = now(), c0 = cpu_now();
        const char *fts;
        store_search_hit *hits = NULL;
        size_t got = 0, total = 0;
        bool cut = false;
        if (search_query_translate(a, text, &fts) == SEARCH_QUERY_OK &&
            store_search(st, a, fts, NULL, 10, 0, &hits, &got, &total, &cut) != STORE_OK)
            fprintf(stderr, "related_bench: search [%s]: %s\n", text, store_last_error(st));
        lat[q] = (now() - q0) * 1e3;
        cpu[q] = (cpu_now() - c0) * 1e3;
        slow[q] = (slow_query){lat[q], cpu[q], kind, got, total, cut, ""};
        snprintf(slow[q].text, sizeof slow[q].text, "%s", text);
        by_kind[kind][n_kind[kind]++] = lat[q];
        hits_total += got;
        empty += got == 0;
        partial += cut;
        arena_reset(a);
    }
    arena_free(a);
    double p50 = percentile(lat, QUERIES, 0.50), p99 = percentile(lat, QUERIES, 0.99);
    printf("search latency (%d queries, limit 10): p50 %.2f ms, p99 %.2f ms, max %.2f ms  "
           "[goal p99 <= %.0f ms: %s]\n",
           QUERIES, p50, p99, lat[QUERIES - 1], GOAL_SEARCH_P99_MS,
           verdict(p99 <= GOAL_SEARCH_P99_MS));
    printf("  CPU time per query (steadier on a loaded machine): p50 %.2f ms, p99 %.2f ms\n",
           percentile(cpu, QUERIES, 0.50), percentile(cpu, QUERIES, 0.99));
    free(cpu);
    static const char *kinds[3] = {"words", "prefix", "phrase"};
    for (int k = 0; k < 3; k++)
        if (n_kind[k])
            printf("  %s: %zu queries, p50 %.2f ms, p99 %.2f ms\n", kinds[k], n_kind[k],
                   percentile(by_kind[k], n_kind[k], 0.50),
                   percentile(by_kind[k], n_kind[k], 0.99));
    printf("  %.1f hits per query on average, %zu queries with none, %zu stopped at the time "
           "budget (newest matches only)\n",
           (double)hits_total / QUERIES, empty, partial);
    const char *show = getenv("SLOWEST"); /* SLOWEST=K: the K slowest queries, slowest first */
    if (show && atoi(show) > 0) {
        qsort(slow, QUERIES, sizeof *slow, compare_slow);
        for (int k = 0; k < atoi(show) && k < QUERIES; k++)
            printf("  slow %.2f ms (cpu %.2f) %-6s %2zu hits of %4zu%s  %s\n", slow[k].ms,
                   slow[k].cpu_ms, kinds[slow[k].kind], slow[k].hits, slow[k].total,
                   slow[k].partial ? "+" : " ", slow[k].text);
    }
    free(slow);
    store_close(st);
    if (!keep) {
        unlink(path);
        char side[300];
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
        rmdir(dir);
    }
    free(lat);
    for (int k = 0; k < 3; k++)
        free(by_kind[k]);
    free(in);
    free(topic);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || atol(argv[1]) <= 0) {
        fprintf(stderr, "usage: related_bench N [data-dir]\n");
        return 2;
    }
    size_t n = (size_t)atol(argv[1]);
    const char *root = argc > 2 ? argv[2] : "../shared/data/news/bbc";
    setvbuf(stdout, NULL, _IOLBF, 0);  /* figures show up as they come, even when piped */
    const char *only = getenv("ONLY"); /* "related" or "search": one half only */
    corpus c = {0};
    if (!load_corpus(&c, root)) {
        fprintf(stderr, "related_bench: cannot read stories from %s\n", root);
        return 1;
    }
    long long span = 2LL * 365 * 86400, start = (long long)time(NULL) - span - 86400;
    story *site = calloc(n + PUBLISHES, sizeof *site);
    double t0 = now();
    for (size_t i = 0; i < n + PUBLISHES; i++)
        make_story(&c, i, start, span, &site[i]);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(site[i].headline) + strlen(site[i].lead) + strlen(site[i].body_html);
    printf("N=%zu: %zu BBC stories in %d categories replicated (headline of story i%%%zu, "
           "paragraphs of %d random same-category stories shuffled, dates over 2 years), "
           "%.1f MB of text, generated in %.1f s\n",
           n, c.n, c.n_categories, c.n, SOURCES, (double)bytes / 1048576.0, now() - t0);

    if (!only || strcmp(only, "search") != 0) {
        char err[256];
        double rss0 = rss_mb();
        related_index *x = related_index_new("english", err, sizeof err);
        if (!x) {
            fprintf(stderr, "related_bench: %s\n", err);
            return 1;
        }
        t0 = now();
        double cpu0 = cpu_now();
        related_index_write_lock(x);
        related_index_load_begin(x); /* as the server's build does */
        for (size_t i = 0; i < n; i++)
            put_story(x, &c, &site[i], (long long)i);
        double t_put = now() - t0;
        related_index_rebuild(x);
        related_index_unlock(x);
        double t_index = now() - t0;
        malloc_trim(0); /* as the server does after its build (src/site/related_stories.c) */
        double rss1 = rss_mb();
        double held = (double)related_index_bytes(x) / 1048576.0;

        t0 = now();
        pthread_t th[THREADS];
        lists_job jobs[THREADS];
        for (int k = 0; k < THREADS; k++) {
            jobs[k] = (lists_job){x, n * (size_t)k / THREADS, n * (size_t)(k + 1) / THREADS, 0};
            pthread_create(&th[k], NULL, lists_worker, &jobs[k]);
        }
        size_t returned = 0;
        for (int k = 0; k < THREADS; k++) {
            pthread_join(th[k], NULL);
            returned += jobs[k].returned;
        }
        double t_lists = now() - t0, total = t_index;
        total += t_lists;
        double cpu = cpu_now() - cpu0;
        printf("full rebuild: %.1f s (%.1f s of CPU) = index %.1f s (put %.1f s + rebuild %.1f s) "
               "+ all %zu related lists %.1f s on %d threads (%.0f us/list, %.2f related per "
               "list)  [goal <= %.0f s: %s]\n",
               total, cpu, t_index, t_put, t_index - t_put, n, t_lists, THREADS,
               t_lists * THREADS / (double)n * 1e6, (double)returned / (double)n, GOAL_REBUILD_S,
               verdict(total <= GOAL_REBUILD_S));
        double mem = rss1 - rss0;
        printf("index memory: %.1f MB RSS growth (%.1f -> %.1f MB; the index holds %.1f MB)  "
               "[goal <= %.0f MB: %s]\n",
               mem, rss0, rss1, held, GOAL_MEMORY_MB, verdict(mem <= GOAL_MEMORY_MB));

        double pub[PUBLISHES], put_ms[PUBLISHES], pub_cpu[PUBLISHES];
        for (size_t p = 0; p < PUBLISHES; p++) {
            long long id = (long long)(n + p), cand[FANOUT];
            story *s = &site[n + p];
            double p0 = now(), c0 = cpu_clock(CLOCK_THREAD_CPUTIME_ID);
            related_index_write_lock(x);
            put_story(x, &c, s, id);
            related_index_unlock(x);
            put_ms[p] = (now() - p0) * 1e3;
            related_index_read_lock(x);
            size_t got = related_index_query(x, id, FANOUT, cand, NULL);
            for (size_t k = 0; k < got; k++) {
                long long ids[K];
                related_index_query(x, cand[k], K, ids, NULL);
            }
            related_index_unlock(x);
            pub[p] = (now() - p0) * 1e3;
            pub_cpu[p] = (cpu_clock(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e3;
        }
        double put_med = percentile(put_ms, PUBLISHES, 0.5);
        double med = percentile(pub, PUBLISHES, 0.5), max = pub[PUBLISHES - 1];
        double cpu_med = percentile(pub_cpu, PUBLISHES, 0.5), cpu_max = pub_cpu[PUBLISHES - 1];
        printf("one publish (put + related of the new story + related of its top %d): median "
               "%.2f ms, max %.2f ms over %d (CPU: median %.2f ms, max %.2f ms; put alone: "
               "median %.2f ms)  [goal <= %.0f ms: %s on the median, max %s]\n",
               FANOUT, med, max, PUBLISHES, cpu_med, cpu_max, put_med, GOAL_PUBLISH_MS,
               verdict(med <= GOAL_PUBLISH_MS), max <= GOAL_PUBLISH_MS ? "within" : "over");
        related_index_free(x);
    }
    if (!only || strcmp(only, "related") != 0)
        if (run_search(&c, site, n) != 0) return 1;
    printf("(no external reference program for these figures: absolute numbers against the "
           "issue's goals, no ratio)\n");
    return 0;
}
