/* cmd_serve.c — `gazette serve` (serve a site's database over HTTP until SIGINT/SIGTERM) and
 * `gazette demo` (create the demo site when its database is missing, then serve it); and
 * cli_site_open, the site they and `gazette export static` render from. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../admin/admin.h"
#include "../site/site.h"
#include "cli.h"

typedef struct {
    const char *db, *listen, *theme, *media, *access_log, *threads, *base_url, *site_name;
    const char *language, *timeout, *cache_mb, *max_streams, *story_views;
    const char *varnish[VARNISH_MAX_NODES]; /* --varnish, as given (each may list several) */
    size_t n_varnish;
} serve_options;

static const char serve_help[] =
    "usage: gazette serve --db FILE [options]\n"
    "\n"
    "Serves the site in FILE over HTTP until interrupted (Ctrl-C or SIGTERM; requests in\n"
    "progress are allowed to finish).\n"
    "\n"
    "options:\n"
    "  --db FILE            the site's database (created with 'gazette init'): a SQLite file,\n"
    "                       or postgres://USER@HOST:PORT/DATABASE (several servers may share\n"
    "                       one; docs/deploy.md)\n"
    "  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080; port 0 picks a free one)\n"
    "  --theme DIR          theme folder (default: themes/default next to the binary)\n"
    "  --media DIR          folder served at /media/ (images; uploads go to DIR/library);\n"
    "                       none by default: uploads are off\n"
    "  --access-log FILE    append one line per request to FILE ('-' for standard output)\n"
    "  --threads N          worker threads (default: one per core; four per core on\n"
    "                       PostgreSQL, whose workers mostly wait for the database)\n"
    "  --timeout SECONDS    closes a connection idle this long, or whose request headers are\n"
    "                       not all in after this long (slow clients); default 30\n"
    "  --cache-mb N         memory for the page cache, in MB (default 64; 0 turns it off)\n"
    "  --story-views N      article pages' reader-independent view data kept in memory, in\n"
    "                       stories (default 256, about 30 KB each; 0 turns it off): pages\n"
    "                       not in the page cache are then built without reading the store\n"
    "  --max-streams N      live-update streams open at once (/live, docs/live.md); more get\n"
    "                       503 (default 10000, and at most 3/4 of the connection limit)\n"
    "  --base-url URL       public address used in canonical links (default http://LISTEN)\n"
    "  --site-name NAME     the name in the masthead (default \"The Port Alder Courier\")\n"
    "  --language LANG      the stories' language, for related stories: a Snowball stemmer\n"
    "                       name such as english, french, german, spanish (default english)\n"
    "  --varnish URL        a Varnish node in front (http://127.0.0.1:6081): it is sent a\n"
    "                       PURGE with the keys of the pages that change (docs/varnish.vcl,\n"
    "                       docs/deploy.md); may be given again, or list URLs separated by\n"
    "                       commas; the setting varnish_urls adds more\n"
    "\n"
    "With the setting newsletter_hour, the server also sends the daily newsletter at that hour\n"
    "(UTC); see docs/newsletter.md.\n";

static const char demo_help[] =
    "usage: gazette demo [--db FILE] [--listen ADDR:PORT] [options]\n"
    "\n"
    "Serves the demo site. When FILE (default demo.db) does not exist, it is created first with\n"
    "the demo stories from content/demo/ (images: content/media/) next to the binary. Takes every "
    "option of\n"
    "'gazette serve'.\n";

/* The folder holding themes/ and content/: the one the gazette binary is in, or one or two
 * levels above it (sanitizer builds live in build/asan/). Falls back to the current folder. */
static const char *data_dir(char *out, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", out, cap - 1);
    if (n <= 0) return ".";
    out[n] = '\0';
    for (int level = 0; level < 3; level++) {
        char *slash = strrchr(out, '/');
        if (!slash) break;
        *slash = '\0';
        char probe[PATH_MAX + 64];
        snprintf(probe, sizeof probe, "%s/themes/default/layout.mustache", out);
        if (access(probe, R_OK) == 0) return out;
    }
    return ".";
}

int cli_site_open(const char *command, const cli_site_options *o, site_app *app)
{
    char dir[PATH_MAX], theme_dir[PATH_MAX + 32], err[512] = "";
    snprintf(theme_dir, sizeof theme_dir, "%s/themes/default", data_dir(dir, sizeof dir));
    memset(app, 0, sizeof *app);
    pthread_mutex_init(&app->snapshot_lock, NULL);
    app->config = (site_config){.name = o->site_name ? o->site_name : "The Port Alder Courier",
                                .tagline = "News from Port Alder and the world",
                                .language = "en",
                                .base_url = o->base_url,
                                .media_dir = o->media,
                                .page_size = 24};
    app->theme = theme_load(o->theme ? o->theme : theme_dir, err, sizeof err);
    if (!app->theme) {
        fprintf(stderr, "gazette %s: cannot load the theme: %s\n", command, err);
        return CLI_FAILED;
    }
    app->store = cli_open_store(command, o->db);
    if (!app->store) {
        theme_free(app->theme);
        return CLI_FAILED;
    }
    if (!site_comments_start(app, err, sizeof err)) {
        fprintf(stderr, "gazette %s: %s\n", command, err);
        store_close(app->store);
        theme_free(app->theme);
        return CLI_FAILED;
    }
    if (!site_newsletter_start(app, err, sizeof err)) {
        fprintf(stderr, "gazette %s: newsletter: %s\n", command, err);
        site_newsletter_stop(app);
        site_comments_stop(app);
        store_close(app->store);
        theme_free(app->theme);
        return CLI_FAILED;
    }
    app->related =
        site_related_start(app->store, o->language ? o->language : "english", err, sizeof err);
    if (!app->related) {
        fprintf(stderr, "gazette %s: related stories: %s\n", command, err);
        site_newsletter_stop(app);
        site_comments_stop(app);
        store_close(app->store);
        theme_free(app->theme);
        return o->language ? CLI_USAGE : CLI_FAILED;
    }
    /* the newsroom's theme sits next to the default one (themes/admin) */
    char admin_dir[PATH_MAX + 32];
    snprintf(admin_dir, sizeof admin_dir, "%s/themes/admin", data_dir(dir, sizeof dir));
    if (!admin_start(app, admin_dir, err, sizeof err)) {
        fprintf(stderr, "gazette %s: cannot load the newsroom theme: %s\n", command, err);
        site_related_stop(app->related);
        site_newsletter_stop(app);
        site_comments_stop(app);
        store_close(app->store);
        theme_free(app->theme);
        return CLI_FAILED;
    }
    app->assets = theme_assets_json(app->theme);
    return CLI_OK;
}

void cli_site_close(site_app *app)
{
    json_decref(app->nav.value);
    json_decref(app->settings.value);
    pthread_mutex_destroy(&app->snapshot_lock);
    json_decref(app->assets);
    admin_stop(app);
    site_related_stop(app->related);
    site_newsletter_stop(app);
    site_comments_stop(app);
    store_close(app->store);
    theme_free(app->theme);
}

/* A whole number from min to max in text (when given; *out is left alone when not). */
static bool parse_count(const char *text, long min, long max, unsigned *out)
{
    char *end;
    long n = text ? strtol(text, &end, 10) : 0;
    if (!text) return true;
    if (end == text || *end || n < min || n > max) return false;
    *out = (unsigned)n;
    return true;
}

/* The Varnish nodes of --varnish into nodes; false after printing what is wrong. */
static bool varnish_options(const char *command, const serve_options *o, varnish_nodes *nodes)
{
    char err[512];
    for (size_t i = 0; i < o->n_varnish; i++)
        if (!varnish_nodes_add(nodes, o->varnish[i], err, sizeof err)) {
            fprintf(stderr, "gazette %s: --varnish: %s\n", command, err);
            return false;
        }
    return true;
}

/* nodes (from --varnish) and those of the setting varnish_urls get a purger (app->varnish
 * stays NULL when there are none); false after printing what is wrong. */
static bool start_varnish(const char *command, varnish_nodes nodes, site_app *app)
{
    char err[512];
    arena *a = arena_new();
    const char *setting = NULL;
    store_status st = store_setting_get(app->store, a, "varnish_urls", &setting);
    bool ok = st == STORE_OK || st == STORE_NOT_FOUND;
    if (!ok)
        fprintf(stderr, "gazette %s: reading the setting varnish_urls: %s\n", command,
                store_last_error(app->store));
    else if (setting && !varnish_nodes_add(&nodes, setting, err, sizeof err))
        ok = false, fprintf(stderr, "gazette %s: the setting varnish_urls: %s\n", command, err);
    arena_free(a);
    if (!ok || !nodes.n) return ok;
    app->varnish = varnish_purger_start(&nodes, err, sizeof err);
    if (!app->varnish) {
        fprintf(stderr, "gazette %s: varnish: %s\n", command, err);
        return false;
    }
    site_freshness_purge_varnish(app->freshness, app->varnish);
    site_related_purge_varnish(app->related, app->varnish);
    return true;
}

/* Every open connection is a file descriptor: the soft limit (often 1024) is raised to the hard
 * one, so that the server's own connection limit, not EMFILE, decides when to refuse. */
static void raise_file_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* On PostgreSQL an uncached page is a dozen or more round trips to the database, during which
 * its worker waits: more workers than cores keep the cores busy (each holds one connection, so
 * a few nodes stay well under PostgreSQL's default 100 connections). */
static unsigned database_wait_threads(void)
{
    enum { PER_CORE = 4, MOST = 32 };
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long n = (cores > 0 ? cores : 1) * PER_CORE;
    return (unsigned)(n < MOST ? n : MOST);
}

static int run_server(const char *command, const serve_options *o)
{
    unsigned threads = 0, timeout = 30, cache_mb = 64, max_streams = 0; /* 0: the default */
    unsigned max_views = 256;
    if (!parse_count(o->story_views, 0, 1000000, &max_views)) {
        fprintf(stderr, "gazette %s: --story-views must be a number of stories from 0 to 1000000\n",
                command);
        return CLI_USAGE;
    }
    if (!parse_count(o->cache_mb, 0, 1 << 20, &cache_mb)) {
        fprintf(stderr, "gazette %s: --cache-mb must be a number of megabytes from 0 to %d\n",
                command, 1 << 20);
        return CLI_USAGE;
    }
    if (!parse_count(o->max_streams, 1, 1000000, &max_streams)) {
        fprintf(stderr, "gazette %s: --max-streams must be a number from 1 to 1000000\n", command);
        return CLI_USAGE;
    }
    if (!parse_count(o->threads, 1, 256, &threads)) {
        fprintf(stderr, "gazette %s: --threads must be a number from 1 to 256\n", command);
        return CLI_USAGE;
    }
    if (!threads && store_location_is_pg(o->db)) threads = database_wait_threads();
    if (!parse_count(o->timeout, 1, 3600, &timeout)) {
        fprintf(stderr, "gazette %s: --timeout must be a number of seconds from 1 to 3600\n",
                command);
        return CLI_USAGE;
    }
    varnish_nodes nodes = {0};
    if (!varnish_options(command, o, &nodes)) return CLI_USAGE;
    raise_file_limit();
    /* blocked before any thread starts, so that only http_wait_for_shutdown_signal sees them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    char base_url[300], err[512] = "";
    snprintf(base_url, sizeof base_url, "http://%s", o->listen);
    cli_site_options site = {.db = o->db,
                             .theme = o->theme,
                             .media = o->media,
                             .base_url = o->base_url ? o->base_url : base_url,
                             .site_name = o->site_name,
                             .language = o->language};
    site_app app;
    int rc = cli_site_open(command, &site, &app);
    if (rc != CLI_OK) return rc;
    app.cache = cache_mb ? page_cache_new((size_t)cache_mb << 20) : NULL;
    /* with or without the page cache: the topic navigation follows content_version */
    app.freshness =
        cache_mb && !app.cache
            ? NULL
            : site_freshness_start(app.store, app.cache, &app.content_version, err, sizeof err);
    app.story_views = story_views_new(max_views); /* NULL (0 or no memory): none */
    site_related_follow(app.related, app.cache, app.story_views);
    if (app.freshness) site_freshness_follow_views(app.freshness, app.story_views);
    if (!app.freshness) {
        fprintf(stderr, "gazette %s: page cache: %s\n", command,
                app.cache || !cache_mb ? err : "out of memory");
        cli_site_close(&app); /* stops the related watcher, which drops pages from the cache */
        page_cache_free(app.cache);
        story_views_free(app.story_views);
        return CLI_FAILED;
    }
    if (!start_varnish(command, nodes, &app)) {
        site_freshness_stop(app.freshness);
        cli_site_close(&app);
        page_cache_free(app.cache);
        story_views_free(app.story_views);
        return CLI_FAILED;
    }
    app.live = site_live_new(); /* NULL (out of memory): /live answers 404 */
    /* image uploads (docs/media.md): the gate here, libvips with the first upload (503 when it
     * cannot start) */
    if (!site_media_start(&app, err, sizeof err))
        fprintf(stderr, "gazette %s: image uploads are off: %s\n", command, err);
    site_freshness_feed_live(app.freshness, app.live);

    http_server_config cfg = {.listen = o->listen,
                              .threads = threads,
                              .timeout_seconds = timeout,
                              .max_body = 1024 * 1024,
                              .max_streams = max_streams,
                              .access_log = o->access_log,
                              .routes = site_routes,
                              .n_routes = site_n_routes,
                              .app = &app,
                              .cache = app.cache,
                              .cache_refresh = site_cache_refresh,
                              .cache_policy = api_cache_policy,
                              .read_begin = site_read_begin,
                              .read_end = site_read_end,
                              .not_found = site_redirect_old_path,
                              .error_page = site_error_page,
                              .body_limit = site_body_limit};
    /* breaking-news alerts (docs/push.md): the VAPID keys (made now for an older database)
     * and the thread that sends the queued messages */
    app.push = site_push_start(&app, err, sizeof err);
    http_server *srv = app.push ? http_server_start(&cfg, err, sizeof err) : NULL;
    site_newsletter_timer *newsletter =
        srv ? site_newsletter_timer_start(&app, err, sizeof err) : NULL;
    rc = CLI_FAILED;
    if (srv && !newsletter) {
        fprintf(stderr, "gazette %s: newsletter: %s\n", command, err);
        http_server_stop(srv, 10);
    } else if (!srv) {
        fprintf(stderr, "gazette %s: %s\n", command, err);
    } else {
        char shown[512];
        printf("gazette: serving %s on port %u (database %s); Ctrl-C stops\n", app.config.base_url,
               http_server_port(srv), store_location_shown(o->db, shown, sizeof shown));
        fflush(stdout);
        int sig = http_wait_for_shutdown_signal();
        printf("gazette: %s received, finishing requests in progress\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
        site_newsletter_timer_stop(newsletter);
        http_server_stop(srv, 10);
        rc = CLI_OK;
    }
    site_push_stop(app.push);
    site_freshness_stop(app.freshness);
    site_live_free(app.live); /* after the server: every stream has ended */
    site_media_stop(&app);
    cli_site_close(&app); /* stops the related watcher, which drops pages from the cache */
    varnish_purger_stop(app.varnish); /* after every thread that purges */
    page_cache_free(app.cache);
    story_views_free(app.story_views);
    return rc;
}

static int parse_serve_options(const char *command, const char *help, int argc, char **argv,
                               serve_options *o, bool *help_shown)
{
    const char *positional[1];
    size_t n;
    cli_option options[] = {{"--db", &o->db, NULL},
                            {"--listen", &o->listen, NULL},
                            {"--theme", &o->theme, NULL},
                            {"--media", &o->media, NULL},
                            {"--access-log", &o->access_log, NULL},
                            {"--threads", &o->threads, NULL},
                            {"--base-url", &o->base_url, NULL},
                            {"--site-name", &o->site_name, NULL},
                            {"--language", &o->language, NULL},
                            {"--timeout", &o->timeout, NULL},
                            {"--cache-mb", &o->cache_mb, NULL},
                            {"--max-streams", &o->max_streams, NULL},
                            {"--story-views", &o->story_views, NULL},
                            {0}};
    cli_list_option lists[] = {{"--varnish", o->varnish, &o->n_varnish, VARNISH_MAX_NODES}, {0}};
    return cli_parse_lists(command, help, argc, argv, options, lists, positional, 0, &n,
                           help_shown);
}

int cli_serve(int argc, char **argv)
{
    serve_options o = {.listen = "127.0.0.1:8080"};
    bool help;
    int rc = parse_serve_options("serve", serve_help, argc, argv, &o, &help);
    if (rc != CLI_OK || help) return rc;
    if (!o.db) {
        fputs("gazette serve: --db FILE is required; see 'gazette serve --help'\n", stderr);
        return CLI_USAGE;
    }
    return run_server("serve", &o);
}

/* Creates the demo database from content/demo/ next to the binary. */
static int create_demo(const char *db, const char *content_dir)
{
    store *s = NULL;
    char err[512] = "";
    store_status st = store_create(db, &s, err, sizeof err);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette demo: cannot create '%s': %s\n", db,
                err[0] ? err : store_strerror(st));
        return CLI_FAILED;
    }
    const char *paths[] = {content_dir};
    int rc = cli_add_story_files("demo", s, paths, 1, false);
    store_close(s);
    if (rc != CLI_OK)
        unlink(db);
    else
        printf("created the demo site in %s\n", db);
    return rc;
}

int cli_demo(int argc, char **argv)
{
    serve_options o = {.listen = "127.0.0.1:8080", .db = "demo.db"};
    bool help;
    int rc = parse_serve_options("demo", demo_help, argc, argv, &o, &help);
    if (rc != CLI_OK || help) return rc;
    char dir[PATH_MAX], content_dir[PATH_MAX + 32], media_dir[PATH_MAX + 32];
    const char *base = data_dir(dir, sizeof dir);
    snprintf(content_dir, sizeof content_dir, "%s/content/demo", base);
    snprintf(media_dir, sizeof media_dir, "%s/content/media", base);
    if (!o.media) o.media = media_dir;
    struct stat st;
    if (stat(o.db, &st) != 0) {
        if (errno != ENOENT) {
            fprintf(stderr, "gazette demo: cannot use '%s': %s\n", o.db, strerror(errno));
            return CLI_FAILED;
        }
        rc = create_demo(o.db, content_dir);
        if (rc != CLI_OK) return rc;
    }
    return run_server("demo", &o);
}
