/* options.c — the option parser every command uses ("--db FILE" and "--db=FILE" forms),
 * and opening the database with an error message that says what to do. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_option *find_option(const cli_option *options, const char *name, size_t len)
{
    for (const cli_option *o = options; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
    return NULL;
}

static int usage_error(const char *command, const char *what, const char *arg)
{
    fprintf(stderr, "gazette %s: %s '%s'; see 'gazette %s --help'\n", command, what, arg, command);
    return CLI_USAGE;
}

static const cli_list_option *find_list(const cli_list_option *lists, const char *name, size_t len)
{
    for (const cli_list_option *l = lists; l && l->name; l++)
        if (strlen(l->name) == len && strncmp(l->name, name, len) == 0) return l;
    return NULL;
}

/* A repeatable option's value (from "--x=v" or the next argument) added to its list. */
static int add_to_list(const char *command, const cli_list_option *l, const char *arg,
                       const char *eq, int argc, char **argv, int *i)
{
    const char *value = eq ? eq + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    if (!value) return usage_error(command, "missing value for option", arg);
    if (!value[0]) return usage_error(command, "empty value for option", l->name);
    if (*l->n == l->max) return usage_error(command, "option given too many times", l->name);
    l->list[(*l->n)++] = value;
    return CLI_OK;
}

int cli_parse(const char *command, const char *help, int argc, char **argv,
              const cli_option *options, const char **positional, size_t max_positional,
              size_t *n_positional, bool *help_shown)
{
    return cli_parse_lists(command, help, argc, argv, options, NULL, positional, max_positional,
                           n_positional, help_shown);
}

int cli_parse_lists(const char *command, const char *help, int argc, char **argv,
                    const cli_option *options, const cli_list_option *lists,
                    const char **positional, size_t max_positional, size_t *n_positional,
                    bool *help_shown)
{
    *n_positional = 0;
    *help_shown = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(help, stdout);
            *help_shown = true;
            return CLI_OK;
        }
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (*n_positional == max_positional)
                return usage_error(command, "unexpected argument", arg);
            positional[(*n_positional)++] = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const cli_list_option *l = find_list(lists, arg, name_len);
        if (l) {
            int rc = add_to_list(command, l, arg, eq, argc, argv, &i);
            if (rc != CLI_OK) return rc;
            continue;
        }
        const cli_option *o = find_option(options, arg, name_len);
        if (!o) return usage_error(command, "unknown option", arg);
        if (o->flag) {
            if (eq) return usage_error(command, "this option takes no value", arg);
            *o->flag = true;
        } else if (eq) {
            *o->value = eq + 1;
        } else if (i + 1 < argc) {
            *o->value = argv[++i];
        } else {
            return usage_error(command, "missing value for option", arg);
        }
        if (o->value && (*o->value)[0] == '\0')
            return usage_error(command, "empty value for option", o->name);
    }
    return CLI_OK;
}

store *cli_open_store(const char *command, const char *db)
{
    if (!db) {
        fprintf(stderr, "gazette %s: --db FILE is required; see 'gazette %s --help'\n", command,
                command);
        return NULL;
    }
    store *s = NULL;
    char err[512] = "";
    store_status st = store_open(db, &s, err, sizeof err);
    if (st != STORE_OK) {
        char shown[512];
        store_location_shown(db, shown, sizeof shown);
        fprintf(stderr, "gazette: cannot open database '%s': %s\n", shown,
                err[0] ? err : store_strerror(st));
        if (st == STORE_NOT_FOUND)
            fprintf(stderr, "gazette: create it with 'gazette init --db %s'\n", shown);
        return NULL;
    }
    return s;
}
