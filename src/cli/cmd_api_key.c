/* cmd_api_key.c — `gazette api-key add|list|revoke`: the read keys apps present to the content
 * API when the site requires them (settings api_read_keys required; docs/api.md). A new key is
 * printed once; only its hash is stored. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../api/api_keys.h"
#include "../content/content.h"
#include "cli.h"

static const char api_key_help[] =
    "usage: gazette api-key add NAME --db FILE      make a key named NAME and print it once\n"
    "       gazette api-key list --db FILE          list the keys (names and dates, never keys)\n"
    "       gazette api-key revoke NAME --db FILE   delete the key: it stops working at once\n"
    "\n"
    "Read keys matter when the site requires them:\n"
    "  gazette settings set --db FILE api_read_keys required\n"
    "Apps send a key as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'. NAME is 1-64 letters,\n"
    "digits, '.', '_' or '-'.\n";

static int api_key_add(store *s, const char *name)
{
    char key[API_KEY_CHARS + 1], hash[API_KEY_HASH_HEX + 1];
    api_key_new(key, hash);
    store_status st = store_api_key_add(s, name, hash);
    if (st == STORE_OK) {
        puts(key);
        fprintf(stderr, "gazette api-key: key '%s' made; it is shown only this once\n", name);
        return CLI_OK;
    }
    fprintf(stderr, "gazette api-key add: %s\n",
            st == STORE_CONFLICT ? "a key with that name exists; revoke it first or pick another"
                                 : store_strerror(st));
    return CLI_FAILED;
}

static int api_key_list(store *s)
{
    arena *a = arena_new();
    store_api_key *keys;
    size_t n;
    store_status st = store_api_keys_list(s, a, &keys, &n);
    for (size_t i = 0; st == STORE_OK && i < n; i++)
        printf("%s\t%s\n", keys[i].name, content_format_time(a, keys[i].created_at));
    if (st != STORE_OK) fprintf(stderr, "gazette api-key list: %s\n", store_strerror(st));
    arena_free(a);
    return st == STORE_OK ? CLI_OK : CLI_FAILED;
}

static int api_key_revoke(store *s, const char *name)
{
    store_status st = store_api_key_revoke(s, name);
    if (st == STORE_OK) return CLI_OK;
    fprintf(stderr, "gazette api-key revoke: %s\n",
            st == STORE_NOT_FOUND ? "no key with that name; see 'gazette api-key list'"
                                  : store_strerror(st));
    return CLI_FAILED;
}

int cli_api_key(int argc, char **argv)
{
    const char *action = argc > 0 ? argv[0] : "";
    bool add = strcmp(action, "add") == 0, list = strcmp(action, "list") == 0,
         revoke = strcmp(action, "revoke") == 0;
    if (argc > 0 && (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0)) {
        fputs(api_key_help, stdout);
        return CLI_OK;
    }
    if (!add && !list && !revoke) {
        fprintf(stderr, "gazette api-key: expected add, list or revoke; see 'gazette api-key "
                        "--help'\n");
        return CLI_USAGE;
    }
    const char *db = NULL, *words[1];
    size_t n;
    bool help;
    cli_option options[] = {{"--db", &db, NULL}, {0}};
    int rc = cli_parse("api-key", api_key_help, argc - 1, argv + 1, options, words, 1, &n, &help);
    if (rc != CLI_OK || help) return rc;
    if (n != (list ? 0u : 1u)) {
        fprintf(stderr, "gazette api-key %s: %s; see 'gazette api-key --help'\n", action,
                list ? "takes no name" : "give the key's NAME");
        return CLI_USAGE;
    }
    if (!list && !api_key_name_is_valid(words[0])) {
        fprintf(stderr,
                "gazette api-key %s: bad name '%s': use 1-64 letters, digits, '.', '_' "
                "or '-'\n",
                action, words[0]);
        return CLI_USAGE;
    }
    store *s = cli_open_store("api-key", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    rc = add ? api_key_add(s, words[0]) : list ? api_key_list(s) : api_key_revoke(s, words[0]);
    store_close(s);
    return rc;
}
