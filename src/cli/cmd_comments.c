/* cmd_comments.c — moderation and settings from the shell until the admin screens exist:
 * `gazette comments list|approve|spam|trash|delete`, `gazette settings list|get|set` and
 * `gazette admin-token`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/admin_token.h"
#include "../content/content.h"
#include "cli.h"

static const char comments_help[] =
    "usage: gazette comments list --db FILE [--status pending|approved|spam|trash]\n"
    "       gazette comments approve|spam|trash|delete --db FILE ID...\n"
    "\n"
    "list prints one comment a line, newest first: id, status, time, story, name <email>, and\n"
    "the start of the text. approve, spam and trash set the status of every ID; delete removes\n"
    "them and their replies. All IDs are changed together, or none when one does not exist.\n";

static void print_comment(arena *a, const store_comment *c)
{
    char excerpt[64];
    size_t len = 0;
    for (const char *p = c->body; *p && len < 60; p++)
        excerpt[len++] = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : *p;
    while (len > 0 && ((unsigned char)excerpt[len - 1] & 0xC0) == 0x80)
        len--; /* whole chars */
    if (len > 0 && (unsigned char)excerpt[len - 1] >= 0xC0) len--;
    excerpt[len] = '\0';
    printf("%lld\t%s\t%s\t%s\t%s <%s>\t%s\n", c->id, comment_status_name(c->status),
           content_format_time(a, c->created_at), c->article_slug ? c->article_slug : "-",
           c->author_name, c->author_email, excerpt);
}

static int comments_list(store *s, const char *status_name)
{
    comment_status status;
    if (status_name && !comment_status_parse(status_name, &status)) {
        fprintf(stderr,
                "gazette comments list: bad --status '%s' (pending, approved, spam or "
                "trash)\n",
                status_name);
        return CLI_USAGE;
    }
    arena *a = arena_new();
    store_comment *comments;
    size_t n;
    store_status st =
        store_comments_list(s, a, status_name ? &status : NULL, 100000, 0, &comments, &n);
    for (size_t i = 0; st == STORE_OK && i < n; i++)
        print_comment(a, &comments[i]);
    if (st != STORE_OK) fprintf(stderr, "gazette comments list: %s\n", store_strerror(st));
    arena_free(a);
    return st == STORE_OK ? CLI_OK : CLI_FAILED;
}

static int comments_change(store *s, const char *action, const char **ids_text, size_t n)
{
    long long ids[1024];
    for (size_t i = 0; i < n; i++) {
        char *end;
        ids[i] = strtoll(ids_text[i], &end, 10);
        if (*end || ids[i] <= 0) {
            fprintf(stderr, "gazette comments %s: '%s' is not a comment id\n", action, ids_text[i]);
            return CLI_USAGE;
        }
    }
    comment_status status = COMMENT_APPROVED;
    if (strcmp(action, "spam") == 0) status = COMMENT_SPAM;
    if (strcmp(action, "trash") == 0) status = COMMENT_TRASH;
    store_status st = strcmp(action, "delete") == 0 ? store_comments_delete(s, ids, n)
                                                    : store_comments_set_status(s, ids, n, status);
    if (st == STORE_OK) {
        printf("%s %zu comment%s\n", strcmp(action, "delete") == 0 ? "deleted" : "marked", n,
               n == 1 ? "" : "s");
        return CLI_OK;
    }
    const char *detail = store_last_error(s);
    fprintf(stderr, "gazette comments %s: %s; nothing was changed\n", action,
            st == STORE_NOT_FOUND ? "no comment has one of these ids"
                                  : (detail && detail[0] ? detail : store_strerror(st)));
    return CLI_FAILED;
}

int cli_comments(int argc, char **argv)
{
    static const char *const actions[] = {"list", "approve", "spam", "trash", "delete"};
    const char *action = argc ? argv[0] : "";
    bool known = false;
    for (size_t i = 0; i < 5; i++)
        known |= strcmp(action, actions[i]) == 0;
    if (!known) {
        bool help = strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0;
        if (help)
            fputs(comments_help, stdout);
        else
            fprintf(stderr,
                    "gazette comments: unknown subcommand '%s'; see 'gazette comments "
                    "--help'\n",
                    action);
        return help ? CLI_OK : CLI_USAGE;
    }
    const char *db = NULL, *status = NULL, *ids[1024];
    size_t n;
    bool help;
    bool is_list = strcmp(action, "list") == 0;
    cli_option options[] = {{"--db", &db, NULL}, {is_list ? "--status" : "", &status, NULL}, {0}};
    int rc = cli_parse("comments", comments_help, argc - 1, argv + 1, options, ids,
                       is_list ? 0 : 1024, &n, &help);
    if (rc != CLI_OK || help) return rc;
    if (!is_list && n == 0) {
        fprintf(stderr, "gazette comments %s: give at least one comment id\n", action);
        return CLI_USAGE;
    }
    store *s = cli_open_store("comments", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    rc = is_list ? comments_list(s, status) : comments_change(s, action, ids, n);
    store_close(s);
    return rc;
}

static const char settings_help[] =
    "usage: gazette settings list --db FILE\n"
    "       gazette settings get --db FILE KEY\n"
    "       gazette settings set --db FILE KEY VALUE\n"
    "\n"
    "Site settings; see docs/settings.md for the keys (comments.moderation, comments.max_depth,\n"
    "comments.close_after_days, ...). A running server reads them as it goes.\n";

int cli_settings(int argc, char **argv)
{
    const char *action = argc ? argv[0] : "";
    const char *db = NULL, *words[3];
    size_t n;
    bool help;
    cli_option options[] = {{"--db", &db, NULL}, {0}};
    bool list = strcmp(action, "list") == 0, get = strcmp(action, "get") == 0,
         set = strcmp(action, "set") == 0;
    if (!list && !get && !set) {
        help = strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0;
        if (help)
            fputs(settings_help, stdout);
        else
            fprintf(stderr,
                    "gazette settings: unknown subcommand '%s'; see 'gazette settings "
                    "--help'\n",
                    action);
        return help ? CLI_OK : CLI_USAGE;
    }
    int rc = cli_parse("settings", settings_help, argc - 1, argv + 1, options, words, 3, &n, &help);
    if (rc != CLI_OK || help) return rc;
    if (n != (size_t)(list ? 0 : get ? 1 : 2)) {
        fprintf(stderr,
                "gazette settings %s: wrong number of arguments; see 'gazette settings "
                "--help'\n",
                action);
        return CLI_USAGE;
    }
    store *s = cli_open_store("settings", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    arena *a = arena_new();
    store_status st;
    if (list) {
        store_setting *all;
        size_t count;
        st = store_settings_list(s, a, &all, &count);
        for (size_t i = 0; st == STORE_OK && i < count; i++)
            if (strcmp(all[i].key, "comments.secret") != 0 &&
                strcmp(all[i].key, "admin.token_hash") != 0)
                printf("%s=%s\n", all[i].key, all[i].value);
    } else if (get) {
        const char *value;
        st = store_setting_get(s, a, words[0], &value);
        if (st == STORE_OK) puts(value);
    } else {
        st = store_setting_set(s, words[0], words[1]);
    }
    if (st != STORE_OK)
        fprintf(stderr, "gazette settings %s: %s\n", action,
                st == STORE_NOT_FOUND ? "no such setting" : store_strerror(st));
    arena_free(a);
    store_close(s);
    return st == STORE_OK ? CLI_OK : CLI_FAILED;
}

static const char admin_token_help[] =
    "usage: gazette admin-token --db FILE\n"
    "\n"
    "Makes a new token for the moderation API (/api/v1/admin/...) and prints it once; only its\n"
    "hash is kept, and the previous token stops working.\n";

int cli_admin_token(int argc, char **argv)
{
    const char *db = NULL, *positional[1];
    size_t n;
    bool help;
    cli_option options[] = {{"--db", &db, NULL}, {0}};
    int rc =
        cli_parse("admin-token", admin_token_help, argc, argv, options, positional, 0, &n, &help);
    if (rc != CLI_OK || help) return rc;
    store *s = cli_open_store("admin-token", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    char token[ADMIN_TOKEN_HEX + 1], hash[ADMIN_TOKEN_HASH_HEX + 1];
    admin_token_new(token, hash);
    store_status st = store_setting_set(s, ADMIN_TOKEN_SETTING, hash);
    if (st == STORE_OK)
        puts(token);
    else
        fprintf(stderr, "gazette admin-token: %s\n", store_strerror(st));
    store_close(s);
    return st == STORE_OK ? CLI_OK : CLI_FAILED;
}
