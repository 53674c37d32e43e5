/* export.c — the static export (export.h): lists every URL to write by filling the captures of
 * site_export_patterns (routes.c) from the store, the theme and the media folder; renders each
 * with http_dispatch, the server's own path from a request to its response, on a pool of worker
 * threads taking URLs from a shared counter (each thread has its own store connection, and an
 * arena reset for every page); writes each answer atomically (a temporary file in the same
 * folder, then rename); and draws the progress bar. Headers (cookies, cache lifetimes) are not
 * written: only bodies. The topic navigation every page shows is read once, at the start, and
 * shared by all pages (site_app.nav_topics): the export is one snapshot of the site. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "export.h"

enum { EXPORT_MAX_THREADS = 256, MEDIA_MAX_DEPTH = 16 };

typedef struct export_item {
    const char *url;  /* the path to GET */
    const char *file; /* where its body goes, relative to the export folder */
    int expect;       /* 200, or 404 for the 404 page */
    bool optional;    /* a 404 skips it: a media file the server would not serve either */
} export_item;

/* Sorted, distinct strings. */
typedef struct string_set {
    const char **v;
    size_t n, cap;
} string_set;

typedef struct export_job {
    site_app *app;
    http_server_config cfg; /* the routes, the app and the error page, as the server has them */
    const char *dir;
    arena *arena; /* every string of the item list */
    export_item *items;
    size_t n, cap;
    string_set articles, topics, authors, assets, media, wp_pages;
    atomic_size_t next, done, pages, files, skipped;
    atomic_ullong bytes;
    atomic_bool stop;
    atomic_uint running;
    pthread_mutex_t lock;
    bool failed;
    char err[512]; /* the first failure */
} export_job;

/* Records the first failure (later ones are consequences) and stops the workers; false. */
static bool fail(export_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(export_job *j, const char *fmt, ...)
{
    pthread_mutex_lock(&j->lock);
    if (!j->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->err, sizeof j->err, fmt, ap);
        va_end(ap);
        j->failed = true;
    }
    pthread_mutex_unlock(&j->lock);
    atomic_store(&j->stop, true);
    return false;
}

/* ---- what to write -------------------------------------------------------------------------- */

static bool set_add(export_job *j, string_set *s, const char *value)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        const char **v = realloc(s->v, cap * sizeof *v);
        if (!v) return fail(j, "out of memory");
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = value;
    return true;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void set_finish(string_set *s)
{
    if (s->n == 0) return;
    qsort(s->v, s->n, sizeof *s->v, compare_strings);
    size_t out = 1;
    for (size_t i = 1; i < s->n; i++)
        if (strcmp(s->v[i], s->v[out - 1]) != 0) s->v[out++] = s->v[i];
    s->n = out;
}

static bool add_item(export_job *j, const char *url, int expect, bool optional)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 1024;
        export_item *v = realloc(j->items, cap * sizeof *v);
        if (!v) return fail(j, "out of memory");
        j->items = v;
        j->cap = cap;
    }
    size_t len = strlen(url);
    const char *file =
        url[len - 1] == '/' ? arena_printf(j->arena, "%sindex.html", url + 1) : url + 1;
    j->items[j->n++] = (export_item){url, file, expect, optional};
    return true;
}

/* Every live story, and the topics and authors they have: one snapshot of the store. */
static bool collect_articles(export_job *j)
{
    store_article *articles;
    size_t n;
    store_article_query q = {.limit = SIZE_MAX / 2};
    store_status st = store_articles_list(j->app->store, j->arena, &q, &articles, &n, NULL);
    if (st != STORE_OK)
        return fail(j, "cannot list the stories: %s (%s)", store_strerror(st),
                    store_last_error(j->app->store));
    for (size_t i = 0; i < n; i++) {
        if (!set_add(j, &j->articles, articles[i].slug)) return false;
        for (size_t k = 0; k < articles[i].n_topics; k++)
            if (!set_add(j, &j->topics, articles[i].topics[k].slug)) return false;
        for (size_t k = 0; k < articles[i].n_authors; k++)
            if (!set_add(j, &j->authors, articles[i].authors[k].slug)) return false;
    }
    set_finish(&j->articles);
    set_finish(&j->topics);
    set_finish(&j->authors);
    const char **pages; /* imported WordPress pages (/pages/{slug}/) */
    if ((st = store_pages_list(j->app->store, j->arena, &pages, &n)) != STORE_OK)
        return fail(j, "cannot list the pages: %s", store_strerror(st));
    for (size_t i = 0; i < n; i++)
        if (!set_add(j, &j->wp_pages, pages[i])) return false;
    set_finish(&j->wp_pages);
    return true;
}

/* The file part of every theme asset URL ("style.1a2b3c4d.css"). */
static bool collect_assets(export_job *j)
{
    const char *key;
    json_t *value;
    json_object_foreach(j->app->assets, key, value)
    {
        const char *url = json_string_value(value);
        const char *slash = url ? strrchr(url, '/') : NULL;
        if (slash && slash[1] && !set_add(j, &j->assets, arena_strdup(j->arena, slash + 1)))
            return false;
    }
    set_finish(&j->assets);
    return true;
}

/* Every regular file under the media folder (rel: the path below it, "" at the top), except
 * hidden ones; the media handler decides which of them it serves. */
static bool collect_media(export_job *j, const char *rel, int depth)
{
    const char *root = j->app->config.media_dir;
    char *path = rel[0] ? arena_printf(j->arena, "%s/%s", root, rel) : arena_strdup(j->arena, root);
    DIR *d = opendir(path);
    if (!d) return fail(j, "cannot read the media folder '%s': %s", path, strerror(errno));
    bool ok = true;
    struct dirent *e;
    errno = 0;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *child = rel[0] ? arena_printf(j->arena, "%s/%s", rel, e->d_name)
                             : arena_strdup(j->arena, e->d_name);
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            ok = fail(j, "cannot read '%s/%s': %s", path, e->d_name, strerror(errno));
        } else if (S_ISDIR(st.st_mode) && depth < MEDIA_MAX_DEPTH) {
            ok = collect_media(j, child, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            ok = set_add(j, &j->media, child);
        }
        errno = 0;
    }
    if (ok && errno != 0)
        ok = fail(j, "cannot read the media folder '%s': %s", path, strerror(errno));
    closedir(d);
    return ok;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Adds the URLs of pattern: filled is its beginning with the captures before rest filled in. */
static bool expand(export_job *j, const char *pattern, const char *filled, const char *rest,
                   bool optional)
{
    const char *open = strchr(rest, '{');
    if (!open) return add_item(j, arena_printf(j->arena, "%s%s", filled, rest), 200, optional);
    const char *close = strchr(open, '}');
    if (!close) return fail(j, "export pattern '%s' (routes.c) has an unclosed '{'", pattern);
    char *prefix = arena_printf(j->arena, "%s%.*s", filled, (int)(open - rest), rest);
    char *name = arena_strndup(j->arena, open + 1, (size_t)(close - open - 1));
    size_t len = strlen(prefix);
    const string_set *values = NULL;
    if (strcmp(name, "slug") == 0 && ends_with(prefix, len, "/news/"))
        values = &j->articles;
    else if (strcmp(name, "slug") == 0 && ends_with(prefix, len, "/topic/"))
        values = &j->topics;
    else if (strcmp(name, "slug") == 0 && ends_with(prefix, len, "/author/"))
        values = &j->authors;
    else if (strcmp(name, "slug") == 0 && ends_with(prefix, len, "/pages/"))
        values = &j->wp_pages;
    else if (strcmp(name, "file") == 0 && ends_with(prefix, len, "/assets/"))
        values = &j->assets;
    else if (strcmp(name, "path*") == 0 && ends_with(prefix, len, "/media/"))
        values = &j->media, optional = true;
    string_set sitemaps = {0};
    if (strcmp(name, "file") == 0 && ends_with(prefix, len, "/sitemaps/")) {
        store_status st = site_sitemap_files(j->app, j->arena, &sitemaps.v, &sitemaps.n);
        if (st != STORE_OK) return fail(j, "cannot list the sitemaps: %s", store_strerror(st));
        values = &sitemaps;
    }
    if (values) {
        for (size_t i = 0; i < values->n; i++)
            if (!expand(j, pattern, arena_printf(j->arena, "%s%s", prefix, values->v[i]), close + 1,
                        optional))
                return false;
        return true;
    }
    if (strcmp(name, "n") == 0 && ends_with(prefix, len, "/page/")) {
        /* pages 2.. of the list whose first page is the prefix without "page/" */
        char *base = arena_strndup(j->arena, prefix, len - strlen("page/"));
        size_t pages;
        store_status st = site_list_page_count(j->app, j->arena, base, &pages);
        if (st != STORE_OK)
            return fail(j, "cannot count the pages of %s: %s", base, store_strerror(st));
        for (size_t page = 2; page <= pages; page++)
            if (!expand(j, pattern, arena_printf(j->arena, "%s%zu", prefix, page), close + 1,
                        optional))
                return false;
        return true;
    }
    return fail(j, "export pattern '%s' (routes.c): no way to list the values of {%s}", pattern,
                name);
}

static bool list_urls(export_job *j)
{
    if (!collect_articles(j) || !collect_assets(j)) return false;
    if (j->app->config.media_dir && !collect_media(j, "", 0)) return false;
    set_finish(&j->media);
    for (size_t i = 0; i < site_n_export_patterns; i++)
        if (!expand(j, site_export_patterns[i], "", site_export_patterns[i], false)) return false;
    return add_item(j, "/404.html", 404, false);
}

/* ---- writing -------------------------------------------------------------------------------- */

/* Creates every folder of path (which names a folder) that is missing. */
static bool make_dirs(char *path, char *msg, size_t cap)
{
    /* the folder itself first: its parents exist but for the first file of a folder tree */
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return true;
    char *slash = strrchr(path, '/');
    if (errno == ENOENT && slash && slash != path) {
        *slash = '\0';
        bool parent = make_dirs(path, msg, cap);
        *slash = '/';
        if (!parent) return false;
        if (mkdir(path, 0777) == 0 || errno == EEXIST) return true;
    }
    snprintf(msg, cap, "cannot create the folder '%s': %s", path, strerror(errno));
    return false;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        data += w;
        len -= (size_t)w;
    }
    return true;
}

/* Writes data to DIR/file through a temporary file in the same folder and a rename. tag makes
 * the temporary name unique among the files being written. */
static bool write_atomically(export_job *j, const char *file, size_t tag, const void *data,
                             size_t len, char *msg, size_t cap)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", j->dir, file);
    char *slash = strrchr(path, '/');
    int m = snprintf(tmp, sizeof tmp, "%.*s/.%s.%ld-%zu.tmp", (int)(slash - path), path, slash + 1,
                     (long)getpid(), tag);
    if (n < 0 || (size_t)n >= sizeof path || m < 0 || (size_t)m >= sizeof tmp) {
        snprintf(msg, cap, "the path of '%s' is too long", file);
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ENOENT) {
        *slash = '\0';
        bool made = make_dirs(path, msg, cap);
        *slash = '/';
        if (!made) return false;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    }
    if (fd < 0) {
        snprintf(msg, cap, "cannot create '%s': %s", tmp, strerror(errno));
        return false;
    }
    bool ok = write_all(fd, data, len);
    int saved = errno;
    if (close(fd) != 0 && ok) ok = false, saved = errno;
    if (ok && rename(tmp, path) != 0) ok = false, saved = errno;
    if (!ok) {
        snprintf(msg, cap, "cannot write '%s': %s", path, strerror(saved));
        unlink(tmp);
    }
    return ok;
}

/* Renders one URL as the server would answer GET of it, and writes the body. */
static bool export_one(export_job *j, arena *a, size_t index)
{
    const export_item *item = &j->items[index];
    http_request req = {.arena = a, .method = "GET", .path = item->url};
    http_response res = {0};
    http_dispatch(&j->cfg, &req, &res);
    bool ok = true;
    if (res.status != item->expect) {
        if (item->optional && res.status == 404)
            atomic_fetch_add(&j->skipped, 1);
        else
            ok = fail(j, "GET %s answered %d, not %d; nothing more is written", item->url,
                      res.status, item->expect);
    } else {
        const void *data = res.static_body ? res.static_body : res.body.data;
        size_t len = res.static_body ? res.static_len : res.body.len;
        char msg[PATH_MAX + 128];
        ok = write_atomically(j, item->file, index, data ? data : "", len, msg, sizeof msg);
        if (!ok) {
            fail(j, "%s", msg);
        } else {
            atomic_fetch_add(&j->files, 1);
            atomic_fetch_add(&j->bytes, (unsigned long long)len);
            if (res.content_type && strncmp(res.content_type, "text/html", 9) == 0)
                atomic_fetch_add(&j->pages, 1);
        }
    }
    buf_free(&res.body);
    return ok;
}

static void *worker(void *arg)
{
    export_job *j = arg;
    arena *a = arena_new();
    while (!atomic_load(&j->stop)) {
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n) break;
        arena_reset(a); /* a fresh arena for every page */
        export_one(j, a, i);
        atomic_fetch_add(&j->done, 1);
    }
    arena_free(a);
    atomic_fetch_sub(&j->running, 1);
    return NULL;
}

/* ---- progress ------------------------------------------------------------------------------- */

/* n with thousands separators ("10,240"). */
static const char *grouped(char *out, size_t cap, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return out;
}

static void draw_progress(size_t done, size_t total)
{
    enum { WIDTH = 30 };
    char bar[WIDTH + 1], a[32], b[32];
    size_t filled = total ? done * WIDTH / total : WIDTH;
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %s/%s files", bar, grouped(a, sizeof a, done),
            grouped(b, sizeof b, total));
    fflush(stderr);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- the export ----------------------------------------------------------------------------- */

/* Starts the workers, waits for them while drawing progress and watching for SIGINT/SIGTERM
 * (blocked in every thread, taken here with sigtimedwait), joins them. */
static void run_workers(export_job *j, unsigned threads, bool progress, site_export_stats *stats)
{
    pthread_t ids[EXPORT_MAX_THREADS];
    unsigned started = 0;
    atomic_store(&j->running, threads);
    for (; started < threads; started++) {
        if (pthread_create(&ids[started], NULL, worker, j) != 0) {
            atomic_fetch_sub(&j->running, threads - started);
            if (started == 0) fail(j, "cannot start a worker thread: %s", strerror(errno));
            break;
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    const struct timespec tick = {0, 100 * 1000 * 1000};
    while (atomic_load(&j->running) > 0) {
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
            stats->interrupted = true;
            atomic_store(&j->stop, true);
        }
        if (progress) draw_progress(atomic_load(&j->done), j->n);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(ids[i], NULL);
    if (progress) {
        draw_progress(atomic_load(&j->done), j->n);
        fputc('\n', stderr);
    }
}

bool site_export_static(site_app *app, const site_export_options *o, site_export_stats *stats,
                        char *err, size_t errlen)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *stats = (site_export_stats){0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = o->threads ? o->threads : (cores > 0 ? (unsigned)cores : 1);
    if (threads > EXPORT_MAX_THREADS) threads = EXPORT_MAX_THREADS;
    export_job j = {.app = app,
                    .cfg = {.routes = site_routes,
                            .n_routes = site_n_routes,
                            .app = app,
                            .read_begin = site_read_begin,
                            .read_end = site_read_end,
                            .error_page = site_error_page},
                    .dir = o->dir,
                    .arena = arena_new()};
    pthread_mutex_init(&j.lock, NULL);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);

    char *dir = arena_strdup(j.arena, o->dir);
    char msg[PATH_MAX + 128];
    /* every page shows the same topic navigation: read once, not once per page */
    json_t *nav_before = app->nav_topics;
    if (!nav_before) app->nav_topics = site_nav_topics(app, j.arena);
    if (!make_dirs(dir, msg, sizeof msg))
        fail(&j, "%s", msg);
    else if (list_urls(&j))
        run_workers(&j, threads, o->progress, stats);
    if (!nav_before) {
        json_decref(app->nav_topics);
        app->nav_topics = NULL;
    }

    pthread_sigmask(SIG_SETMASK, &old, NULL);
    stats->pages = atomic_load(&j.pages);
    stats->files = atomic_load(&j.files);
    stats->skipped = atomic_load(&j.skipped);
    stats->bytes = atomic_load(&j.bytes);
    stats->seconds = seconds_since(&t0);
    bool ok = !j.failed && !stats->interrupted;
    if (j.failed)
        snprintf(err, errlen, "%s", j.err);
    else if (stats->interrupted)
        snprintf(err, errlen, "interrupted; the %zu files written are complete", stats->files);
    free(j.items);
    free(j.articles.v);
    free(j.topics.v);
    free(j.authors.v);
    free(j.assets.v);
    free(j.media.v);
    free(j.wp_pages.v);
    pthread_mutex_destroy(&j.lock);
    arena_free(j.arena);
    return ok;
}
