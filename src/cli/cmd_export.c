/* cmd_export.c — `gazette export static DIR`: the command line of the static export (its
 * options, which are serve's, the checks of DIR, the summary line); the export itself is in
 * src/site/export.c. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../site/export.h"
#include "cli.h"

static const char export_help[] =
    "usage: gazette export static DIR --db FILE [options]\n"
    "\n"
    "Writes the whole public site into DIR, for any static web server (nginx, S3, GitHub\n"
    "Pages): the home page and its pages, every live story, every topic and author page with\n"
    "their pages, the story feeds (RSS, Atom, JSON Feed) of the site, topics and authors, the\n"
    "sitemaps and robots.txt, the comment feeds, the theme's assets, the media files, and the\n"
    "404 page as DIR/404.html. A page at /news/SLUG/ is written as DIR/news/SLUG/index.html;\n"
    "list pages are /page/N/, /topic/SLUG/page/N/, /author/SLUG/page/N/. Each file is written\n"
    "whole under a temporary name and renamed, so an interrupted export (Ctrl-C) leaves no\n"
    "partial file.\n"
    "Search and posting comments need the server: they do not work on a static copy\n"
    "(docs/export.md).\n"
    "\n"
    "DIR is created if missing. A DIR that is not empty is refused unless --force is given;\n"
    "then the files the export writes replace those of the same name, and other files (pages of\n"
    "stories since deleted, say) are left as they are.\n"
    "\n"
    "options:\n"
    "  --db FILE            the site's database (created with 'gazette init')\n"
    "  --theme DIR          theme folder (default: themes/default next to the binary)\n"
    "  --media DIR          folder copied to DIR/media/ (images); none by default\n"
    "  --threads N          pages rendered at once (default: one per core)\n"
    "  --base-url URL       public address used in canonical links and feeds (default\n"
    "                       http://127.0.0.1:8080; give the address the copy is served at)\n"
    "  --site-name NAME     the name in the masthead (default \"The Port Alder Courier\")\n"
    "  --language LANG      the stories' language, for related stories: a Snowball stemmer\n"
    "                       name such as english, french, german, spanish (default english)\n"
    "  --force              write into a DIR that is not empty\n"
    "\n"
    "A progress bar is drawn on standard error when it is a terminal; the last line says\n"
    "\"exported N pages, M files (X MB) in S s\" (M counts every file, pages included).\n";

/* Refuses a DIR that is not a folder, cannot be read, or is not empty (unless force). */
static int check_dir(const char *dir, bool force)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return CLI_OK; /* created by the export */
        fprintf(stderr, "gazette export: cannot use '%s': %s\n", dir, strerror(errno));
        return CLI_FAILED;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "gazette export: '%s' exists and is not a folder\n", dir);
        return CLI_FAILED;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "gazette export: cannot read the folder '%s': %s\n", dir, strerror(errno));
        return CLI_FAILED;
    }
    bool empty = true;
    struct dirent *e;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "gazette export: cannot write into the folder '%s': %s\n", dir,
                strerror(errno));
        return CLI_FAILED;
    }
    if (!empty && !force) {
        fprintf(stderr,
                "gazette export: '%s' is not empty; give --force to write into it (files of the "
                "same name are replaced, others left)\n",
                dir);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static bool parse_threads(const char *text, unsigned *out)
{
    if (!text) return true;
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || *end || n < 1 || n > 256) return false;
    *out = (unsigned)n;
    return true;
}

/* Database pages each export worker may keep in memory (store_set_cache_mb). */
enum { EXPORT_CACHE_MB = 64 };

static int run_export(const char *dir, const cli_site_options *site, unsigned threads)
{
    /* blocked before any thread starts: the export takes them to stop cleanly */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    site_app app;
    int rc = cli_site_open("export", site, &app);
    if (rc != CLI_OK) return rc;
    /* every worker reads the whole archive: without room for its pages SQLite fetches them
     * from the file again and again (11.9 million pread calls for 10,000 stories) */
    if (store_set_cache_mb(app.store, EXPORT_CACHE_MB) != STORE_OK)
        fprintf(stderr, "gazette export: %s (going on with the default)\n",
                store_last_error(app.store));
    site_export_options o = {.dir = dir, .threads = threads, .progress = isatty(STDERR_FILENO)};
    site_export_stats stats;
    char err[1024] = "";
    bool ok = site_export_static(&app, &o, &stats, err, sizeof err);
    cli_site_close(&app);
    if (!ok) fprintf(stderr, "gazette export: %s\n", err);
    printf("exported %zu pages, %zu files (%.1f MB) in %.1f s\n", stats.pages, stats.files,
           (double)stats.bytes / 1e6, stats.seconds);
    if (stats.skipped)
        printf("skipped %zu media files the server does not serve (hidden, or not an image)\n",
               stats.skipped);
    return ok ? CLI_OK : CLI_FAILED;
}

int cli_export(int argc, char **argv)
{
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(export_help, stdout);
        return CLI_OK;
    }
    if (argc < 1 || strcmp(argv[0], "static") != 0) {
        fprintf(stderr, "gazette export: %s; see 'gazette export --help'\n",
                argc < 1 ? "say what to export: 'gazette export static DIR'"
                         : "the only kind of export is 'static'");
        return CLI_USAGE;
    }
    cli_site_options site = {.base_url = "http://127.0.0.1:8080"};
    const char *threads_text = NULL, *positional[1];
    bool force = false, help;
    size_t n;
    cli_option options[] = {{"--db", &site.db, NULL},
                            {"--theme", &site.theme, NULL},
                            {"--media", &site.media, NULL},
                            {"--threads", &threads_text, NULL},
                            {"--base-url", &site.base_url, NULL},
                            {"--site-name", &site.site_name, NULL},
                            {"--language", &site.language, NULL},
                            {"--force", NULL, &force},
                            {0}};
    int rc =
        cli_parse("export", export_help, argc - 1, argv + 1, options, positional, 1, &n, &help);
    if (rc != CLI_OK || help) return rc;
    unsigned threads = 0;
    if (n == 0) {
        fputs("gazette export: the folder to write is missing: 'gazette export static DIR'\n",
              stderr);
        return CLI_USAGE;
    }
    if (!site.db) {
        fputs("gazette export: --db FILE is required; see 'gazette export --help'\n", stderr);
        return CLI_USAGE;
    }
    if (!parse_threads(threads_text, &threads)) {
        fputs("gazette export: --threads must be a number from 1 to 256\n", stderr);
        return CLI_USAGE;
    }
    rc = check_dir(positional[0], force);
    return rc != CLI_OK ? rc : run_export(positional[0], &site, threads);
}
