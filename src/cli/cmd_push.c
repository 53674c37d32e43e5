/* cmd_push.c — Web Push from the command line (docs/push.md): `gazette article breaking SLUG`,
 * with which an editor marks a live story as breaking news, queueing one alert for every
 * subscriber (the running server's sender delivers them); and `gazette push status`, how many
 * readers subscribed and what became of the alerts. */
#include <stdio.h>
#include <string.h>

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

static const char push_help[] =
    "usage: gazette push status --db FILE\n"
    "\n"
    "Prints how many readers subscribed to breaking-news alerts, and how many alerts wait to be\n"
    "sent, were delivered, or were given up. Alerts are queued with 'gazette article breaking'.\n";

int cli_push(int argc, char **argv)
{
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(push_help, stdout);
        return CLI_OK;
    }
    if (argc < 1 || strcmp(argv[0], "status") != 0) {
        fprintf(stderr, "gazette push: unknown subcommand '%s'; try 'gazette push --help'\n",
                argc ? argv[0] : "");
        return CLI_USAGE;
    }
    const char *db = NULL, *positional[1];
    size_t n;
    bool help;
    cli_option options[] = {{"--db", &db, NULL}, {0}};
    int rc =
        cli_parse("push status", push_help, argc - 1, argv + 1, options, positional, 0, &n, &help);
    if (rc != CLI_OK || help) return rc;
    store *s = cli_open_store("push status", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    long long subscribers, counts[3];
    store_status st = store_push_counts(s, &subscribers, counts);
    if (st == STORE_OK)
        printf("subscribers: %lld\nalerts waiting: %lld\nalerts delivered: %lld\n"
               "alerts given up: %lld\n",
               subscribers, counts[PUSH_MESSAGE_WAITING], counts[PUSH_MESSAGE_SENT],
               counts[PUSH_MESSAGE_FAILED]);
    else
        fprintf(stderr, "gazette push status: %s\n", store_last_error(s));
    store_close(s);
    return st == STORE_OK ? CLI_OK : CLI_FAILED;
}
