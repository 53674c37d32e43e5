/* cmd_content.c — commands that create a database and put content in it: `gazette init`,
 * `gazette article add`, `gazette topic add`. */
#include <stdio.h>
#include <string.h>

#include "../content/content.h"
#include "../push/push.h"
#include "cli.h"

static const char init_help[] =
    "usage: gazette init --db FILE | --db postgres://USER@HOST:PORT/DATABASE\n"
    "\n"
    "Creates a new, empty Gazette database: a SQLite file FILE, which must not exist yet, or the\n"
    "schema in a new PostgreSQL database (made with createdb; it must hold no tables). The\n"
    "site's Web Push (VAPID) keys are made at the same time (docs/push.md).\n";

int cli_init(int argc, char **argv)
{
    const char *db = NULL;
    const char *positional[1];
    size_t n;
    bool help;
    cli_option options[] = {{"--db", &db, NULL}, {0}};
    int rc = cli_parse("init", init_help, argc, argv, options, positional, 0, &n, &help);
    if (rc != CLI_OK || help) return rc;
    if (!db) {
        fputs("gazette init: --db FILE is required; see 'gazette init --help'\n", stderr);
        return CLI_USAGE;
    }
    store *s = NULL;
    char err[512] = "", shown[512];
    store_location_shown(db, shown, sizeof shown);
    store_status st = store_create(db, &s, err, sizeof err);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette init: cannot create '%s': %s\n", shown,
                err[0] ? err : store_strerror(st));
        return CLI_FAILED;
    }
    push_key_pair keys;
    bool keys_ok = push_vapid_ensure(s, &keys, err, sizeof err);
    memset(&keys, 0, sizeof keys);
    if (!keys_ok) {
        fprintf(stderr, "gazette init: %s\n", err);
        store_close(s);
        return CLI_FAILED;
    }
    printf("created %s (schema version %d)\n", shown, store_schema_version(s));
    store_close(s);
    return CLI_OK;
}

/* Commands with one subcommand, "add": returns -1 when argv starts with it, else the exit
 * status after printing help or a usage error. */
static int expect_add(const char *command, const char *help, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "add") == 0) return -1;
    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        fputs(help, stdout);
        return CLI_OK;
    }
    fprintf(stderr, "gazette %s: unknown subcommand '%s'; try 'gazette %s add --help'\n", command,
            argc ? argv[0] : "", command);
    return CLI_USAGE;
}

static const char article_help[] =
    "usage: gazette article add --db FILE PATH...\n"
    "       gazette article breaking --db FILE SLUG   (alerts subscribers; see --help)\n"
    "\n"
    "Adds (or updates, matched by slug) stories from Markdown files with front matter. PATH is\n"
    "a file or a directory, read recursively for *.md files. All files are checked first; if any\n"
    "is bad, its path, line and the problem are printed and nothing is added.\n"
    "See docs/writing.md for the file format and the read-also syntax.\n"
    "\n"
    "options:\n"
    "  --db FILE   the site's database (created with 'gazette init')\n"
    "  --quiet     print only errors and warnings\n";

int cli_article(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "breaking") == 0)
        return cli_article_breaking(argc - 1, argv + 1);
    int rc = expect_add("article", article_help, argc, argv);
    if (rc >= 0) return rc;
    const char *db = NULL;
    bool quiet = false, help;
    const char *paths[1024];
    size_t n_paths;
    cli_option options[] = {{"--db", &db, NULL}, {"--quiet", NULL, &quiet}, {0}};
    rc = cli_parse("article add", article_help, argc - 1, argv + 1, options, paths, 1024, &n_paths,
                   &help);
    if (rc != CLI_OK || help) return rc;
    if (n_paths == 0) {
        fputs("gazette article add: give at least one story file or directory; see 'gazette "
              "article add --help'\n",
              stderr);
        return CLI_USAGE;
    }
    store *s = cli_open_store("article add", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    rc = cli_add_story_files("article add", s, paths, n_paths, quiet);
    store_close(s);
    return rc;
}

static const char topic_help[] =
    "usage: gazette topic add --db FILE --name NAME [--slug SLUG] [--description TEXT]\n"
    "\n"
    "Adds a topic. The slug is made from the name when not given. Topics named in a story's\n"
    "front matter are created automatically; this command is for adding a description.\n";

int cli_topic(int argc, char **argv)
{
    int rc = expect_add("topic", topic_help, argc, argv);
    if (rc >= 0) return rc;
    const char *db = NULL, *name = NULL, *slug = NULL, *description = NULL;
    const char *positional[1];
    size_t n;
    bool help;
    cli_option options[] = {{"--db", &db, NULL},
                            {"--name", &name, NULL},
                            {"--slug", &slug, NULL},
                            {"--description", &description, NULL},
                            {0}};
    rc = cli_parse("topic add", topic_help, argc - 1, argv + 1, options, positional, 0, &n, &help);
    if (rc != CLI_OK || help) return rc;
    if (!name) {
        fputs("gazette topic add: --name NAME is required; see 'gazette topic add --help'\n",
              stderr);
        return CLI_USAGE;
    }
    arena *a = arena_new();
    if (!slug) slug = content_slugify(a, name);
    if (!content_slug_is_valid(slug)) {
        fprintf(stderr,
                "gazette topic add: '%s' is not a usable slug (lower-case letters, digits "
                "and single hyphens); give one with --slug\n",
                slug);
        arena_free(a);
        return CLI_USAGE;
    }
    store *s = cli_open_store("topic add", db);
    rc = db ? CLI_FAILED : CLI_USAGE;
    if (s) {
        store_status st = store_topic_add(s, slug, name, description, NULL);
        if (st == STORE_OK)
            printf("added topic '%s' at /topic/%s/\n", name, slug);
        else
            fprintf(stderr, "gazette topic add: %s\n",
                    st == STORE_CONFLICT ? "a topic with that slug already exists"
                                         : store_strerror(st));
        rc = st == STORE_OK ? CLI_OK : CLI_FAILED;
        store_close(s);
    }
    arena_free(a);
    return rc;
}
