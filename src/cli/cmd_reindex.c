/* cmd_reindex.c — `gazette reindex`: builds the related-stories index of every live story
 * from the database, with a progress bar, and reports how long it took and how big it is;
 * then packs the full-text search index (store_search_pack). A
 * running server keeps its own index and rebuilds it by itself when stories change; this
 * command checks the whole collection (and measures it) from the shell. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../site/site.h"
#include "cli.h"

static const char reindex_help[] =
    "usage: gazette reindex --db FILE [--language LANG] [--show SLUG]\n"
    "\n"
    "Rebuilds the related-stories index of every published story, with a progress bar, and\n"
    "prints the time it took. --show SLUG also prints that story's four related stories.\n"
    "Then packs the full-text search index into one piece (worth doing after an import).\n"
    "LANG is a Snowball stemmer name (english, french, german, spanish, ...; default english).\n";

static void show_related(store *s, const related_catalog *c, const char *slug)
{
    arena *a = arena_new();
    store_article article;
    if (store_article_by_slug(s, a, slug, &article) != STORE_OK) {
        fprintf(stderr, "gazette reindex: no published story '%s'\n", slug);
    } else {
        long long ids[4];
        double scores[4];
        size_t n = related_index_query(c->index, article.id, 4, ids, scores), n_live = 0;
        store_article *found = NULL;
        printf("related to %s:\n", slug);
        if (n && store_articles_by_ids(s, a, ids, n, &found, &n_live) != STORE_OK) n_live = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n_live; k++)
                if (found[k].id == ids[i]) printf("  %.3f  %s\n", scores[i], found[k].slug);
    }
    arena_free(a);
}

int cli_reindex(int argc, char **argv)
{
    const char *db = NULL, *language = "english", *show = NULL, *positional[1];
    size_t n;
    bool help;
    cli_option options[] = {
        {"--db", &db, NULL}, {"--language", &language, NULL}, {"--show", &show, NULL}, {0}};
    int rc = cli_parse("reindex", reindex_help, argc, argv, options, positional, 0, &n, &help);
    if (rc != CLI_OK || help) return rc;
    store *s = cli_open_store("reindex", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    related_catalog catalog;
    char err[256];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool ok =
        site_related_build(s, language, &catalog, cli_progress_bar, "indexing", err, sizeof err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (ok) {
        double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        printf("indexed %zu stories in %.3f s\n", catalog.n, seconds);
        if (show) show_related(s, &catalog, show);
        site_related_catalog_free(&catalog);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ok = store_search_pack(s) == STORE_OK;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (ok)
            printf("packed the search index in %.3f s\n", seconds);
        else
            snprintf(err, sizeof err, "packing the search index: %s", store_last_error(s));
    }
    if (!ok) fprintf(stderr, "gazette reindex: %s\n", err);
    store_close(s);
    return ok ? CLI_OK : (strstr(err, "language") ? CLI_USAGE : CLI_FAILED);
}
