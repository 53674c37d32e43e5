/* cmd_backup.c — `gazette backup --db FILE --to FILE`: a consistent copy of a SQLite site
 * database, also while `gazette serve` uses it (store/sqlite_backup.c, SQLite's online backup
 * API), with a progress bar. A PostgreSQL database is backed up with pg_dump instead
 * (docs/deploy.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../store/sqlite_backup.h"
#include "../store/store_backend.h"
#include "cli.h"

static const char backup_help[] =
    "usage: gazette backup --db FILE --to FILE\n"
    "\n"
    "Copies the site database FILE to a new file, consistently, also while a server is using\n"
    "it (SQLite's online backup API: the copy is the whole database as of one moment, and the\n"
    "server goes on answering and writing meanwhile). The copy is checked and appears under\n"
    "its name only when complete; the --to file must not exist yet, and its folder must.\n"
    "Restore by stopping the server and putting the copy in the database's place.\n"
    "\n"
    "A PostgreSQL database (--db postgres://...) is backed up with pg_dump: see docs/deploy.md.\n";

int cli_backup(int argc, char **argv)
{
    const char *db = NULL, *to = NULL, *positional[1];
    size_t n;
    bool help;
    cli_option options[] = {{"--db", &db, NULL}, {"--to", &to, NULL}, {0}};
    int rc = cli_parse("backup", backup_help, argc, argv, options, positional, 0, &n, &help);
    if (rc != CLI_OK || help) return rc;
    if (!db || !to) {
        fprintf(stderr, "gazette backup: --db FILE and --to FILE are required; see 'gazette "
                        "backup --help'\n");
        return CLI_USAGE;
    }
    if (store_location_is_pg(db)) {
        fputs("gazette backup: --db is a PostgreSQL database; back it up with pg_dump "
              "(docs/deploy.md: Backups)\n",
              stderr);
        return CLI_USAGE;
    }
    char err[1024];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!sqlite_backup_copy(db, to, cli_progress_bar, "copying", err, sizeof err)) {
        fprintf(stderr, "gazette backup: %s\n", err);
        return CLI_FAILED;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("backed up %s to %s in %.2f s\n", db, to,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return CLI_OK;
}
