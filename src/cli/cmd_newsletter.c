/* cmd_newsletter.c — `gazette newsletter send`: the day's digest to every confirmed
 * subscriber (src/newsletter/send.c does the work; docs/newsletter.md). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../comments/comments.h"
#include "../content/content.h"
#include "../newsletter/newsletter.h"
#include "cli.h"

static const char newsletter_help[] =
    "usage: gazette newsletter send --db FILE [--dry-run] [--now TIME] [--base-url URL]\n"
    "                               [--site-name NAME] [--quiet]\n"
    "\n"
    "Sends the day's digest (the top stories of the last 24 hours in each subscriber's topics,\n"
    "at most 5 per topic) to every confirmed subscriber who has not had today's yet; a\n"
    "subscriber with no new story gets nothing. Run it as often as you like: nobody gets two\n"
    "digests on the same day (UTC). The SMTP server comes from the settings smtp_url, smtp_from\n"
    "and smtp_user, the password from the environment variable GAZETTE_SMTP_PASSWORD.\n"
    "\n"
    "options:\n"
    "  --db FILE         the site's database\n"
    "  --dry-run         build every digest and say who would get what; send and record nothing\n"
    "  --now TIME        act as if it were TIME (2026-11-25T07:00:00Z; default: now)\n"
    "  --base-url URL    the site's public address, for links (default: the setting\n"
    "                    newsletter_base_url)\n"
    "  --site-name NAME  the name the emails come from (default \"The Port Alder Courier\")\n"
    "  --quiet           no line per subscriber\n";

/* The newsletter key, derived from the site's signing key; false when the site has none yet
 * (it is made when the server first starts: nobody can have subscribed before). */
static bool site_key(store *s, arena *a, unsigned char key[NEWSLETTER_KEY_BYTES])
{
    const char *hex = NULL;
    unsigned char site[COMMENT_KEY_BYTES];
    size_t len = 0;
    if (store_setting_get(s, a, "comments.secret", &hex) != STORE_OK || !hex ||
        sodium_hex2bin(site, sizeof site, hex, strlen(hex), NULL, &len, NULL) != 0 ||
        len != sizeof site)
        return false;
    newsletter_key_derive(site, key);
    sodium_memzero(site, sizeof site);
    return true;
}

static int send_digests(store *s, arena *a, newsletter_run_options *o)
{
    if (!site_key(s, a, o->key)) {
        puts("nothing to send: the site has no subscribers yet (it was never served)");
        return CLI_OK;
    }
    newsletter_run_report r;
    char err[512] = "";
    if (!newsletter_run(s, o, &r, err, sizeof err)) {
        fprintf(stderr, "gazette newsletter send: %s\n", err);
        return CLI_FAILED;
    }
    printf("%zu subscribers: %zu %s, %zu already had today's, %zu with nothing new, %zu "
           "failed\n",
           r.subscribers, r.sent, o->dry_run ? "would be sent" : "sent", r.already_sent,
           r.nothing_new, r.failed);
    return r.failed ? CLI_FAILED : CLI_OK;
}

int cli_newsletter(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "send") != 0) {
        bool help = argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0);
        if (help)
            fputs(newsletter_help, stdout);
        else
            fprintf(stderr,
                    "gazette newsletter: unknown subcommand '%s'; try 'gazette newsletter "
                    "send --help'\n",
                    argc ? argv[0] : "");
        return help ? CLI_OK : CLI_USAGE;
    }
    const char *db = NULL, *now = NULL, *base_url = NULL, *site_name = NULL;
    bool dry_run = false, quiet = false, help = false;
    const char *positional[1];
    size_t n;
    cli_option options[] = {{"--db", &db, NULL},
                            {"--now", &now, NULL},
                            {"--base-url", &base_url, NULL},
                            {"--site-name", &site_name, NULL},
                            {"--dry-run", NULL, &dry_run},
                            {"--quiet", NULL, &quiet},
                            {0}};
    int rc = cli_parse("newsletter send", newsletter_help, argc - 1, argv + 1, options, positional,
                       0, &n, &help);
    if (rc != CLI_OK || help) return rc;
    newsletter_run_options o = {.site_name = site_name ? site_name : "The Port Alder Courier",
                                .now = (long long)time(NULL),
                                .dry_run = dry_run,
                                .quiet = quiet};
    if (!db) {
        fputs("gazette newsletter send: --db FILE is required; see 'gazette newsletter send "
              "--help'\n",
              stderr);
        return CLI_USAGE;
    }
    if (now && !content_parse_time(now, &o.now)) {
        fprintf(stderr,
                "gazette newsletter send: --now '%s' is not a time like "
                "2026-11-25T07:00:00Z\n",
                now);
        return CLI_USAGE;
    }
    store *s = cli_open_store("newsletter send", db);
    if (!s) return CLI_FAILED;
    arena *a = arena_new();
    const char *setting = NULL;
    if (!base_url && store_setting_get(s, a, "newsletter_base_url", &setting) == STORE_OK)
        base_url = setting;
    size_t len = base_url ? strlen(base_url) : 0;
    if (len && base_url[len - 1] == '/') base_url = arena_strndup(a, base_url, len - 1);
    if (!base_url || (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8))) {
        fputs("gazette newsletter send: the emails need the site's address for their links: give "
              "--base-url https://news.example.org, or set newsletter_base_url\n",
              stderr);
        rc = CLI_USAGE;
    } else {
        o.base_url = base_url;
        rc = send_digests(s, a, &o);
    }
    arena_free(a);
    store_close(s);
    return rc;
}
