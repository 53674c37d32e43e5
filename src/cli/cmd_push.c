/* cmd_push.c — `gazette article breaking SLUG`: an editor marks a live story as breaking news,
 * which queues one Web Push alert for every subscriber (docs/push.md); the running server's
 * sender delivers them. */
#include <stdio.h>

#include "../content/content.h"
#include "cli.h"

static const char breaking_help[] =
    "usage: gazette article breaking --db FILE SLUG\n"
    "\n"
    "Marks the live story SLUG as breaking news and queues an alert (headline, lead and link)\n"
    "for every reader subscribed to breaking-news alerts. A running 'gazette serve' on the same\n"
    "database sends them within seconds; if none runs, they wait for the next one. A story is\n"
    "announced once: marking it again sends nothing (exit status 1).\n"
    "\n"
    "options:\n"
    "  --db FILE   the site's database\n";

int cli_article_breaking(int argc, char **argv)
{
    const char *db = NULL;
    const char *slugs[1];
    size_t n_slugs;
    bool help;
    cli_option options[] = {{"--db", &db, NULL}, {0}};
    int rc = cli_parse("article breaking", breaking_help, argc, argv, options, slugs, 1, &n_slugs,
                       &help);
    if (rc != CLI_OK || help) return rc;
    if (n_slugs != 1) {
        fputs("gazette article breaking: give the slug of one story; see 'gazette article "
              "breaking --help'\n",
              stderr);
        return CLI_USAGE;
    }
    store *s = cli_open_store("article breaking", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    long long queued = 0, marked_at = 0;
    store_status st = store_push_mark_breaking(s, slugs[0], &queued, &marked_at);
    arena *a = arena_new();
    if (st == STORE_OK) {
        printf("marked '%s' breaking: %lld alert%s queued\n", slugs[0], queued,
               queued == 1 ? "" : "s");
    } else if (st == STORE_CONFLICT) {
        fprintf(stderr,
                "gazette article breaking: '%s' was marked breaking already (%s, %lld alert%s "
                "queued); nothing new is sent\n",
                slugs[0], content_format_time(a, marked_at), queued, queued == 1 ? "" : "s");
    } else if (st == STORE_NOT_FOUND) {
        fprintf(stderr,
                "gazette article breaking: no live story has the slug '%s'; only a published "
                "story can be announced\n",
                slugs[0]);
    } else {
        fprintf(stderr, "gazette article breaking: %s\n", store_last_error(s));
    }
    arena_free(a);
    store_close(s);
    return st == STORE_OK ? CLI_OK : CLI_FAILED;
}
