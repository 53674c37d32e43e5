/* export.h — the static export (`gazette export static DIR`, docs/export.md): every page a
 * reader can reach, rendered by the site's own handlers through the router, written as files
 * a plain static web server can serve. */
#ifndef GAZETTE_SITE_EXPORT_H
#define GAZETTE_SITE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "site.h"

typedef struct site_export_options {
    const char *dir;  /* created when missing; files already there are replaced when written */
    unsigned threads; /* worker threads; 0: one per core */
    bool progress;    /* draw a progress bar on standard error */
} site_export_options;

typedef struct site_export_stats {
    size_t pages;             /* HTML pages written (404.html included) */
    size_t files;             /* all files written, pages included */
    size_t skipped;           /* media files the server would not serve either */
    unsigned long long bytes; /* of all files written */
    double seconds;
    bool interrupted; /* stopped by SIGINT or SIGTERM */
} site_export_stats;

/* Writes the site of app into o->dir: for every URL of site_export_patterns (routes.c), what
 * GET of it answers, at DIR/PATH (a path ending in '/' at DIR/PATH/index.html), and the 404
 * page at DIR/404.html. Each file is written under a temporary name in its folder and renamed,
 * so DIR never holds a partial file. Blocks SIGINT and SIGTERM while it runs: either stops the
 * workers after the file each is writing. False with a message in err when a page does not
 * answer as expected, a file cannot be written, or it was interrupted; stats tell what was
 * done. */
bool site_export_static(site_app *app, const site_export_options *o, site_export_stats *stats,
                        char *err, size_t errlen);

#endif
