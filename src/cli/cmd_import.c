/* cmd_import.c — `gazette import wordpress EXPORT.xml`: the command line of the WordPress
 * import (src/import/wp_import.h): options, the site's time zone for local dates, the progress
 * bar and the summary. Exit status 1 when the export could not be read to its end or anything
 * had to be skipped (the summary says what and why); running it again imports what is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "../import/wp_import.h"
#include "cli.h"

static const char import_help[] =
    "usage: gazette import wordpress EXPORT.xml --db FILE [options]\n"
    "\n"
    "Imports a WordPress export (Tools > Export > All content; WXR 1.0 to 1.2): posts, pages,\n"
    "categories and tags (as topics), authors (with users to log in later, no password yet),\n"
    "comments with their threads, featured images and attachments, and a 301 redirect from\n"
    "every old link. Bodies are kept as sanitised HTML. Running it again imports only what is\n"
    "not there yet (an interrupted import finishes). See docs/import.md.\n"
    "\n"
    "options:\n"
    "  --db FILE        the site's database (created with 'gazette init')\n"
    "  --uploads DIR    a copy of the old site's wp-content/uploads: attachments are copied\n"
    "                   from it into --media; without it they stay remote URLs\n"
    "  --media DIR      the site's media folder (what 'serve --media' serves at /media/)\n"
    "  --timezone TZ    the old site's time zone (e.g. Europe/Paris), for dates the export\n"
    "                   gives only in local time; default UTC\n"
    "  --quiet          no progress bar\n"
    "  --stats          also print peak memory (for benchmarks)\n";

static bool known_zone(const char *tz)
{
    if (strcmp(tz, "UTC") == 0 || strcmp(tz, "GMT") == 0) return true;
    if (strstr(tz, "..") || tz[0] == '/') return false;
    char path[512];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int usage(const char *message, const char *arg)
{
    fprintf(stderr, "gazette import wordpress: %s%s; see 'gazette import wordpress --help'\n",
            message, arg ? arg : "");
    return CLI_USAGE;
}

int cli_import(int argc, char **argv)
{
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(import_help, stdout);
        return CLI_OK;
    }
    if (argc < 1 || strcmp(argv[0], "wordpress") != 0)
        return usage("unknown source; only 'wordpress' is known: ", argc ? argv[0] : "(none)");
    const char *db = NULL, *uploads = NULL, *media = NULL, *tz = "UTC", *paths[1];
    bool quiet = false, stats = false, help;
    size_t n_paths;
    cli_option options[] = {{"--db", &db, NULL},
                            {"--uploads", &uploads, NULL},
                            {"--media", &media, NULL},
                            {"--timezone", &tz, NULL},
                            {"--quiet", NULL, &quiet},
                            {"--stats", NULL, &stats},
                            {0}};
    int rc = cli_parse("import wordpress", import_help, argc - 1, argv + 1, options, paths, 1,
                       &n_paths, &help);
    if (rc != CLI_OK || help) return rc;
    if (n_paths != 1) return usage("give the export file (EXPORT.xml)", NULL);
    if (uploads && !media)
        return usage("--uploads needs --media DIR (where the copies go, served at /media/)", NULL);
    if (!known_zone(tz)) return usage("unknown time zone ", tz);
    struct stat sb;
    if (stat(paths[0], &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "gazette import wordpress: cannot read '%s': not a file\n", paths[0]);
        return CLI_FAILED;
    }
    if (uploads && (stat(uploads, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        return usage("--uploads is not a folder: ", uploads);
    if (media && mkdir(media, 0755) != 0 && (stat(media, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        return usage("--media is not a folder and cannot be made: ", media);
    store *s = cli_open_store("import wordpress", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    setenv("TZ", tz, 1); /* content_wp_time_local reads post_date in the site's zone */
    tzset();
    wp_import_options o = {.export_path = paths[0],
                           .uploads_dir = uploads,
                           .media_dir = media,
                           .progress = quiet ? NULL : cli_progress_bar,
                           .progress_ctx = "importing"};
    arena *a = arena_new();
    wp_import_report report;
    bool ok = wp_import_run(s, a, &o, &report);
    wp_import_report_print(stdout, &report);
    if (stats) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        long long items = report.counts[WPC_POSTS] + report.counts[WPC_PAGES];
        printf("stats: %lld posts and pages in %.3f s (%.0f/s), peak memory %ld KB\n", items,
               report.seconds, report.seconds > 0 ? (double)items / report.seconds : 0.0,
               ru.ru_maxrss);
    }
    arena_free(a);
    store_close(s);
    if (!ok)
        fprintf(stderr, "gazette import wordpress: the import is incomplete (see above); run it "
                        "again once the export is fixed\n");
    return ok ? CLI_OK : CLI_FAILED;
}
