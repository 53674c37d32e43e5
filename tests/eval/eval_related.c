/* eval_related.c — measures the related-stories engine on the labelled BBC News set
 * (../shared/data/news/bbc/<category>/<nnn>.txt, read in place, never copied): for every story
 * the top 4 related, precision@4 = share with the same category, for the engine and two
 * baselines (tag overlap on names in the headline and first paragraph; most recent), plus
 * build and query times, memory, and a synthetic 10k-story build. The category is only the
 * label: the engine gets no topics. Usage: eval_related [data-dir] (run from the repo root). */
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/related/related.h"

enum { K = 4, MAX_TAGS = 64, COPIES = 9 };
static const long long YEAR_START = 1104537600; /* 2005-01-01T00:00:00Z */

typedef struct {
    int category;
    int number;
    char *headline, *lead, *body;
    long long published_at;
    char *tags[MAX_TAGS];
    size_t n_tags;
} doc;

typedef struct {
    doc *docs;
    size_t n, cap;
    char categories[16][64];
    int n_categories;
} corpus;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    size_t got = fread(text, 1, (size_t)size, f);
    text[got] = '\0';
    fclose(f);
    return text;
}

/* Headline = first line; lead = first paragraph after it; body = the rest. */
static void split_story(char *text, doc *d)
{
    char *nl = strchr(text, '\n');
    d->headline = text;
    d->lead = d->body = text + strlen(text);
    if (!nl) return;
    *nl = '\0';
    char *p = nl + 1;
    while (*p == '\n' || *p == '\r')
        p++;
    d->lead = p;
    char *end = strstr(p, "\n\n");
    if (!end) return;
    *end = '\0';
    d->body = end + 2;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_category(corpus *c, const char *root, int cat)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, c->categories[cat]);
    DIR *dir = opendir(path);
    if (!dir) return;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (!strstr(e->d_name, ".txt")) continue;
        snprintf(path, sizeof path, "%s/%s/%s", root, c->categories[cat], e->d_name);
        char *text = read_file(path);
        if (!text) continue;
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->docs = realloc(c->docs, c->cap * sizeof *c->docs);
        }
        doc *d = &c->docs[c->n++];
        memset(d, 0, sizeof *d);
        d->category = cat;
        d->number = atoi(e->d_name);
        split_story(text, d);
    }
    closedir(dir);
}

/* Publication order: by file number, then category (so categories interleave), spread evenly
 * over 2005. */
static int by_file_order(const void *a, const void *b)
{
    const doc *x = a, *y = b;
    if (x->number != y->number) return x->number - y->number;
    return x->category - y->category;
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
    qsort(c->docs, c->n, sizeof *c->docs, by_file_order);
    for (size_t i = 0; i < c->n; i++)
        c->docs[i].published_at = YEAR_START + (long long)(i * (365.0 * 86400 / c->n));
    return c->n > 0;
}

/* ---- The engine ----------------------------------------------------------------------- */

static related_index *build_engine(const doc *docs, size_t n, double *seconds, size_t *bytes)
{
    char err[256];
    size_t before = mallinfo2().uordblks;
    double t0 = now();
    related_index *x = related_index_new("english", err, sizeof err);
    if (!x) {
        fprintf(stderr, "eval: %s\n", err);
        exit(1);
    }
    related_index_write_lock(x);
    for (size_t i = 0; i < n; i++) {
        related_story s = {
            (long long)i,        docs[i].headline, NULL, docs[i].lead, docs[i].body, NULL, 0,
            docs[i].published_at};
        related_index_put(x, &s);
    }
    related_index_rebuild(x);
    related_index_unlock(x);
    *seconds = now() - t0;
    *bytes = mallinfo2().uordblks - before;
    return x;
}

static void eval_engine(const corpus *c)
{
    double build;
    size_t bytes;
    related_index *x = build_engine(c->docs, c->n, &build, &bytes);
    size_t hits = 0, returned = 0;
    double t0 = now(), worst = 0;
    for (size_t i = 0; i < c->n; i++) {
        long long ids[K];
        double q0 = now();
        size_t n = related_index_query(x, (long long)i, K, ids, NULL);
        double q = now() - q0;
        if (q > worst) worst = q;
        returned += n;
        for (size_t j = 0; j < n; j++)
            hits += c->docs[ids[j]].category == c->docs[i].category;
    }
    double total = now() - t0;
    printf("engine precision@4=%.3f (%zu hits of %zu slots, %zu returned)\n",
           (double)hits / (double)(K * c->n), hits, K * c->n, returned);
    printf("  build %zu stories: %.1f ms, index memory %.1f MB; queries: %.1f us mean, "
           "%.1f us worst\n",
           c->n, build * 1e3, bytes / 1048576.0, total / c->n * 1e6, worst * 1e6);
    related_index_free(x);
}

/* ---- Baselines ------------------------------------------------------------------------ */

static void collect_tag(void *ctx, const char *term, size_t len)
{
    doc *d = ctx;
    if (term[0] != '#' || d->n_tags == MAX_TAGS) return;
    for (size_t i = 0; i < d->n_tags; i++)
        if (strlen(d->tags[i]) == len && memcmp(d->tags[i], term, len) == 0) return;
    d->tags[d->n_tags++] = strndup(term, len);
}

static size_t shared_tags(const doc *a, const doc *b)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_tags; i++)
        for (size_t j = 0; j < b->n_tags; j++)
            n += strcmp(a->tags[i], b->tags[j]) == 0;
    return n;
}

/* Ranks the other stories by shared tags, then by recency (newest first). */
static size_t tag_top(const corpus *c, size_t self, size_t *top)
{
    size_t n = 0, score[K];
    for (size_t i = 0; i < c->n; i++) {
        if (i == self) continue;
        size_t s = shared_tags(&c->docs[self], &c->docs[i]);
        size_t at = n;
        while (at > 0 &&
               (score[at - 1] < s || (score[at - 1] == s &&
                                      c->docs[top[at - 1]].published_at < c->docs[i].published_at)))
            at--;
        if (at >= K) continue;
        if (n < K) n++;
        memmove(top + at + 1, top + at, (n - 1 - at) * sizeof *top);
        memmove(score + at + 1, score + at, (n - 1 - at) * sizeof *score);
        top[at] = i;
        score[at] = s;
    }
    return n;
}

static void eval_tags(corpus *c)
{
    char err[256];
    related_analyzer *an = related_analyzer_new("english", err, sizeof err);
    size_t tagged = 0;
    for (size_t i = 0; i < c->n; i++) {
        related_analyze(an, c->docs[i].headline, collect_tag, &c->docs[i]);
        related_analyze(an, c->docs[i].lead, collect_tag, &c->docs[i]);
        tagged += c->docs[i].n_tags > 0;
    }
    related_analyzer_free(an);
    double t0 = now();
    size_t hits = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t top[K], n = tag_top(c, i, top);
        for (size_t j = 0; j < n; j++)
            hits += c->docs[top[j]].category == c->docs[i].category;
    }
    printf("baseline tag-overlap precision@4=%.3f (%zu hits of %zu; %zu of %zu stories have "
           "name tags; %.1f ms)\n",
           (double)hits / (double)(K * c->n), hits, K * c->n, tagged, c->n, (now() - t0) * 1e3);
}

/* The "latest stories" box: the four newest other stories of the collection. */
static void eval_recent(const corpus *c)
{
    size_t hits = 0;
    for (size_t i = 0; i < c->n; i++) {
        size_t got = 0;
        for (size_t j = c->n; j-- > 0 && got < K;) {
            if (j == i) continue;
            hits += c->docs[j].category == c->docs[i].category;
            got++;
        }
    }
    printf("baseline most-recent precision@4=%.3f (%zu hits of %zu)\n",
           (double)hits / (double)(K * c->n), hits, K * c->n);
}

/* ---- Synthetic 10k -------------------------------------------------------------------- */

static unsigned long long next_random(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The set replicated COPIES times, each copy keeping its headline with the lead and body of
 * random other stories (shuffled bodies), dated over the same year. */
static void eval_synthetic(const corpus *c)
{
    size_t n = c->n * (COPIES + 1);
    doc *docs = calloc(n, sizeof *docs);
    unsigned long long seed = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        const doc *d = &c->docs[i % c->n];
        docs[i].headline = d->headline;
        docs[i].lead = i < c->n ? d->lead : c->docs[next_random(&seed) % c->n].lead;
        docs[i].body = i < c->n ? d->body : c->docs[next_random(&seed) % c->n].body;
        docs[i].published_at = YEAR_START + (long long)(next_random(&seed) % (365 * 86400));
    }
    double build;
    size_t bytes;
    related_index *x = build_engine(docs, n, &build, &bytes);
    double t0 = now();
    size_t queries = 2000;
    for (size_t i = 0; i < queries; i++) {
        long long ids[K];
        related_index_query(x, (long long)(next_random(&seed) % n), K, ids, NULL);
    }
    printf("synthetic %zu stories (set x%d, shuffled leads and bodies): build %.1f ms, index "
           "memory %.1f MB, query %.1f us mean over %zu\n",
           n, COPIES + 1, build * 1e3, bytes / 1048576.0, (now() - t0) / queries * 1e6, queries);
    related_index_free(x);
    free(docs);
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "../shared/data/news/bbc";
    corpus c = {0};
    if (!load_corpus(&c, root)) {
        fprintf(stderr, "eval: cannot read stories from %s\n", root);
        return 1;
    }
    printf("%zu stories in %d categories from %s; the engine gets no topics; dates: file order "
           "(number, then category) spread over 2005\n",
           c.n, c.n_categories, root);
    eval_engine(&c);
    eval_tags(&c);
    eval_recent(&c);
    eval_synthetic(&c);
    for (size_t i = 0; i < c.n; i++) {
        for (size_t t = 0; t < c.docs[i].n_tags; t++)
            free(c.docs[i].tags[t]);
        free(c.docs[i].headline);
    }
    free(c.docs);
    return 0;
}
