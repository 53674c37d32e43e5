/* main.c — the gazette binary: reads the command word and hands the rest of the arguments to
 * that command (src/cli/cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: gazette COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  init          create a new site database            gazette init --db site.db\n"
    "  serve         serve a site over HTTP                gazette serve --db site.db\n"
    "  demo          create (if needed) and serve the demo gazette demo\n"
    "  article add   add stories from Markdown files       gazette article add --db site.db a.md\n"
    "  article breaking  alert subscribers to a live story  gazette article breaking --db "
    "site.db SLUG\n"
    "  push status   breaking-news alert subscribers, queue gazette push status --db site.db\n"
    "  topic add     add a topic                           gazette topic add --db site.db --name "
    "X\n"
    "  comments      list and moderate comments            gazette comments list --db site.db\n"
    "  settings      read and change site settings         gazette settings list --db site.db\n"
    "  admin-token   make a token for the moderation API   gazette admin-token --db site.db\n"
    "  api-key       read keys of the content API          gazette api-key add app --db site.db\n"
    "  user          newsroom accounts (/admin/)           gazette user add ann --role editor "
    "--db site.db\n"
    "  reindex       rebuild the related-stories index     gazette reindex --db site.db\n"
    "  backup        copy the database while it runs      gazette backup --db site.db --to "
    "copy.db\n"
    "  export static write the site as static files        gazette export static out --db "
    "site.db\n"
    "  import        import a WordPress export (WXR)       gazette import wordpress x.xml "
    "--db site.db\n"
    "  newsletter    send the day's digest to subscribers   gazette newsletter send --db "
    "site.db\n"
    "  migrate       copy a site into PostgreSQL            gazette migrate --from site.db --to "
    "postgres://...\n"
    "\n"
    "'gazette COMMAND --help' tells more about each.\n";

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {{"init", cli_init},         {"serve", cli_serve},
                    {"demo", cli_demo},         {"article", cli_article},
                    {"topic", cli_topic},       {"comments", cli_comments},
                    {"settings", cli_settings}, {"admin-token", cli_admin_token},
                    {"api-key", cli_api_key},   {"reindex", cli_reindex},
                    {"export", cli_export},     {"newsletter", cli_newsletter},
                    {"import", cli_import},     {"push", cli_push},
                    {"user", cli_user},         {"migrate", cli_migrate},
                    {"backup", cli_backup}};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("gazette 0.1.0");
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "gazette: unknown command '%s'; see 'gazette --help'\n", argv[1]);
    return CLI_USAGE;
}
