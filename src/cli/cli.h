/* cli.h — the gazette command line: one function per command, and the option parser they
 * share. Every command prints what went wrong and what to do about it; exit status 0 on
 * success, 1 when the work failed, 2 for a usage error (unknown flag, bad value). */
#ifndef GAZETTE_CLI_H
#define GAZETTE_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "../store/store.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

typedef struct cli_option {
    const char *name;   /* "--db" */
    const char **value; /* set for options taking a value; NULL for flags */
    bool *flag;         /* set for flags */
} cli_option;

/* Parses argv (after the command words) against options; positional arguments are collected
 * into positional (up to max_positional). --help prints help and sets *help. Returns CLI_OK or
 * CLI_USAGE after printing a one-line error naming the command. */
int cli_parse(const char *command, const char *help, int argc, char **argv,
              const cli_option *options, const char **positional, size_t max_positional,
              size_t *n_positional, bool *help_shown);

/* An option that may be given again (--varnish A --varnish B): each value goes into list. */
typedef struct cli_list_option {
    const char *name;
    const char **list;
    size_t *n, max; /* one more than max values is a usage error */
} cli_list_option;
/* cli_parse with options that may be repeated too (lists ends with a {0} entry). */
int cli_parse_lists(const char *command, const char *help, int argc, char **argv,
                    const cli_option *options, const cli_list_option *lists,
                    const char **positional, size_t max_positional, size_t *n_positional,
                    bool *help_shown);

/* Opens an existing database, printing a helpful message on failure. */
store *cli_open_store(const char *command, const char *db);

/* What `serve`, `demo` and `export static` take to make a site (NULL: the default). */
typedef struct cli_site_options {
    const char *db, *theme, *media, *base_url, *site_name, *language;
} cli_site_options;
struct site_app;
/* Loads the theme, opens the store, starts comments and related stories (cmd_serve.c): the one
 * set-up of a site, so that the export renders what the server sends. Prints what went wrong
 * and returns CLI_FAILED (or CLI_USAGE for an unknown --language); CLI_OK then
 * cli_site_close. Call with SIGINT and SIGTERM blocked: it starts a thread. */
int cli_site_open(const char *command, const cli_site_options *o, struct site_app *app);
void cli_site_close(struct site_app *app);

int cli_init(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_article(int argc, char **argv);
/* `gazette article breaking SLUG` (cmd_push.c) */
int cli_article_breaking(int argc, char **argv);
/* `gazette push status` (cmd_push.c) */
int cli_push(int argc, char **argv);
int cli_topic(int argc, char **argv);
int cli_comments(int argc, char **argv);
int cli_settings(int argc, char **argv);
int cli_admin_token(int argc, char **argv);
int cli_api_key(int argc, char **argv);
/* `gazette user add|list|passwd|reset-link|logout-all` (cmd_user.c) */
int cli_user(int argc, char **argv);
int cli_reindex(int argc, char **argv);
int cli_migrate(int argc, char **argv);
/* `gazette backup --db FILE --to FILE` (cmd_backup.c) */
int cli_backup(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_import(int argc, char **argv);

/* The progress bar of long commands on stderr: "LABEL [=====     ] done/total" (label is a
 * const char *; the signature fits the progress callbacks of site_related_build and
 * wp_import_run). */
void cli_progress_bar(void *label, size_t done, size_t total);
int cli_newsletter(int argc, char **argv);

/* Reads story files and directories of them (*.md, recursively, in name order), renders them,
 * and saves them all in one transaction. Reports every bad file (path:line: message) and saves
 * nothing when any is bad. Prints read-also links to missing stories as warnings. */
int cli_add_story_files(const char *command, store *s, const char *const *paths, size_t n_paths,
                        bool quiet);

#endif
