/* cmd_user.c — `gazette user add|list|passwd|reset-link|logout-all`: the newsroom's accounts
 * from the shell (docs/newsroom.md). Passwords are read from a prompt without echo (termios)
 * or, when standard input is not a terminal, as its first line — never from a flag, which
 * would land in the shell's history and in ps. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../admin/admin.h"
#include "../admin/auth.h"
#include "../content/content.h"
#include "cli.h"

static const char user_help[] =
    "usage: gazette user add LOGIN --role ROLE [--name NAME] [--email EMAIL] --db FILE\n"
    "       gazette user list --db FILE\n"
    "       gazette user passwd LOGIN --db FILE\n"
    "       gazette user reset-link LOGIN [--base-url URL] --db FILE\n"
    "       gazette user logout-all LOGIN --db FILE\n"
    "\n"
    "Accounts of the newsroom at /admin/. ROLE is contributor (writes drafts), author\n"
    "(publishes their own stories), editor (publishes and edits anyone's, moderates comments,\n"
    "manages topics) or admin (also users and settings). 'add' and 'passwd' ask for the\n"
    "password twice without echo, or read it as the first line of standard input when that is\n"
    "not a terminal (at least 10 characters). 'add' links the user to the author named NAME\n"
    "(created when missing). 'reset-link' prints a one-time link, good for 24 hours, at which\n"
    "the user chooses a new password. 'logout-all' ends every session of the user.\n"
    "LOGIN is 1-64 letters, digits, '.', '_', '-' or '@'.\n";

static bool login_is_valid(const char *login)
{
    size_t n = strlen(login);
    if (n == 0 || n > 64) return false;
    for (const char *p = login; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-' || *p == '@'))
            return false;
    return true;
}

/* Reads one line (without its newline) from stdin, with echo off when it is a terminal. */
static bool read_line(const char *prompt, char *out, size_t cap)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        /* echo goes off before the prompt shows, so nothing typed after it is echoed */
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fputs(prompt, stderr);
        fflush(stderr);
    } else {
        tty = false;
    }
    bool ok = fgets(out, (int)cap, stdin) != NULL;
    if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
    if (!ok) return false;
    size_t n = strcspn(out, "\r\n");
    if (out[n] == '\0' && n == cap - 1) return false; /* longer than the buffer */
    out[n] = '\0';
    return true;
}

/* The new password (asked twice on a terminal) hashed into hash; prints what is wrong. */
static bool ask_password(const char *command, char hash[AUTH_HASH_BYTES])
{
    char first[AUTH_PASSWORD_MAX + 2], second[AUTH_PASSWORD_MAX + 2];
    bool ok = read_line("New password: ", first, sizeof first);
    if (!ok) {
        fprintf(stderr, "gazette user %s: no password given (or longer than %d characters)\n",
                command, AUTH_PASSWORD_MAX);
    } else if (auth_password_check(first) != AUTH_OK) {
        fprintf(stderr, "gazette user %s: %s\n", command,
                auth_strerror(auth_password_check(first)));
        ok = false;
    } else if (isatty(STDIN_FILENO) &&
               (!read_line("Once more: ", second, sizeof second) || strcmp(first, second) != 0)) {
        fprintf(stderr, "gazette user %s: the two passwords differ; nothing changed\n", command);
        ok = false;
    } else {
        auth_status as = auth_password_hash(first, hash);
        if (as != AUTH_OK) fprintf(stderr, "gazette user %s: %s\n", command, auth_strerror(as));
        ok = as == AUTH_OK;
    }
    sodium_memzero(first, sizeof first);
    sodium_memzero(second, sizeof second);
    return ok;
}

static int user_add(store *s, const char *login, const char *role, const char *name,
                    const char *email)
{
    if (admin_role_parse(role) == ADMIN_ROLE_NONE) {
        fprintf(stderr, "gazette user add: --role must be contributor, author, editor or admin\n");
        return CLI_USAGE;
    }
    if (email && (!strchr(email, '@') || strlen(email) > 254)) {
        fprintf(stderr, "gazette user add: --email '%s' is not an email address\n", email);
        return CLI_USAGE;
    }
    store_user existing;
    arena *a = arena_new();
    store_status st = store_user_by_login(s, a, login, &existing);
    if (st == STORE_OK) {
        fprintf(stderr, "gazette user add: the login '%s' is taken; see 'gazette user list'\n",
                login);
        arena_free(a);
        return CLI_FAILED;
    }
    char hash[AUTH_HASH_BYTES];
    if (!ask_password("add", hash)) {
        arena_free(a);
        return CLI_FAILED;
    }
    store_user in = {.login = login,
                     .display_name = name ? name : login,
                     .email = email,
                     .role = role,
                     .password_hash = hash};
    const char *author = content_slugify(a, in.display_name);
    long long id = 0;
    st = store_user_add(s, &in, author && author[0] ? author : NULL, &id);
    arena_free(a);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette user add: %s\n",
                st == STORE_CONFLICT ? "the login is taken" : store_last_error(s));
        return CLI_FAILED;
    }
    fprintf(stderr, "gazette user add: '%s' (%s) can sign in at /admin/login\n", login, role);
    return CLI_OK;
}

static int user_list(store *s)
{
    arena *a = arena_new();
    store_user *users;
    size_t n;
    store_status st = store_users_list(s, a, &users, &n);
    for (size_t i = 0; st == STORE_OK && i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\n", users[i].login, users[i].role, users[i].display_name,
               users[i].email ? users[i].email : "-",
               users[i].disabled        ? "disabled"
               : users[i].password_hash ? "active"
                                        : "no password");
    if (st != STORE_OK) fprintf(stderr, "gazette user list: %s\n", store_strerror(st));
    arena_free(a);
    return st == STORE_OK ? CLI_OK : CLI_FAILED;
}

/* The user called login, or prints that there is none. */
static bool find_user(store *s, arena *a, const char *command, const char *login, store_user *u)
{
    store_status st = store_user_by_login(s, a, login, u);
    if (st == STORE_OK) return true;
    fprintf(stderr, "gazette user %s: %s\n", command,
            st == STORE_NOT_FOUND ? "no such user; see 'gazette user list'" : store_strerror(st));
    return false;
}

static int user_passwd(store *s, const char *login)
{
    arena *a = arena_new();
    store_user u;
    char hash[AUTH_HASH_BYTES];
    bool ok = find_user(s, a, "passwd", login, &u) && ask_password("passwd", hash);
    store_status st = ok ? store_user_set_password(s, u.id, hash) : STORE_OK;
    arena_free(a);
    if (st != STORE_OK) fprintf(stderr, "gazette user passwd: %s\n", store_strerror(st));
    if (ok && st == STORE_OK)
        fprintf(stderr, "gazette user passwd: password changed; every session of '%s' ended\n",
                login);
    return ok && st == STORE_OK ? CLI_OK : CLI_FAILED;
}

static int user_reset_link(store *s, const char *login, const char *base_url)
{
    arena *a = arena_new();
    store_user u;
    bool ok = find_user(s, a, "reset-link", login, &u);
    arena_free(a);
    if (!ok) return CLI_FAILED;
    char token[AUTH_TOKEN_TEXT];
    unsigned char hash[AUTH_TOKEN_HASH];
    auth_token_new(token);
    auth_token_hash(token, hash);
    store_status st =
        store_reset_add(s, hash, u.id, (long long)time(NULL) + AUTH_RESET_HOURS * 3600LL);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette user reset-link: %s\n", store_strerror(st));
        return CLI_FAILED;
    }
    size_t n = base_url ? strlen(base_url) : 0;
    while (n && base_url[n - 1] == '/')
        n--;
    printf("%.*s/admin/reset/%s\n", (int)n, base_url ? base_url : "", token);
    fprintf(stderr, "gazette user reset-link: works once, for %d hours\n", AUTH_RESET_HOURS);
    sodium_memzero(token, sizeof token);
    return CLI_OK;
}

static int user_logout_all(store *s, const char *login)
{
    arena *a = arena_new();
    store_user u;
    bool ok = find_user(s, a, "logout-all", login, &u);
    arena_free(a);
    size_t n = 0;
    store_status st = ok ? store_sessions_end_user(s, u.id, &n) : STORE_OK;
    if (st != STORE_OK) fprintf(stderr, "gazette user logout-all: %s\n", store_strerror(st));
    if (ok && st == STORE_OK) printf("%zu session%s ended\n", n, n == 1 ? "" : "s");
    return ok && st == STORE_OK ? CLI_OK : CLI_FAILED;
}

int cli_user(int argc, char **argv)
{
    static const char *const actions[] = {"add", "list", "passwd", "reset-link", "logout-all"};
    const char *action = argc > 0 ? argv[0] : "";
    if (argc > 0 && (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0)) {
        fputs(user_help, stdout);
        return CLI_OK;
    }
    size_t which = 0;
    while (which < 5 && strcmp(action, actions[which]) != 0)
        which++;
    if (which == 5) {
        fprintf(stderr, "gazette user: expected add, list, passwd, reset-link or logout-all; see "
                        "'gazette user --help'\n");
        return CLI_USAGE;
    }
    const char *db = NULL, *role = NULL, *name = NULL, *email = NULL, *base_url = NULL, *words[1];
    size_t n;
    bool help;
    cli_option options[] = {
        {"--db", &db, NULL},       {"--role", &role, NULL},         {"--name", &name, NULL},
        {"--email", &email, NULL}, {"--base-url", &base_url, NULL}, {0}};
    int rc = cli_parse("user", user_help, argc - 1, argv + 1, options, words, 1, &n, &help);
    if (rc != CLI_OK || help) return rc;
    bool list = which == 1;
    if (n != (list ? 0u : 1u)) {
        fprintf(stderr, "gazette user %s: %s; see 'gazette user --help'\n", action,
                list ? "takes no login" : "give the user's LOGIN");
        return CLI_USAGE;
    }
    if (!list && !login_is_valid(words[0])) {
        fprintf(stderr,
                "gazette user %s: bad login '%s': use 1-64 letters, digits, '.', '_', '-' or "
                "'@'\n",
                action, words[0]);
        return CLI_USAGE;
    }
    if (which == 0 && !role) {
        fprintf(stderr, "gazette user add: give --role (contributor, author, editor or admin)\n");
        return CLI_USAGE;
    }
    store *s = cli_open_store("user", db);
    if (!s) return db ? CLI_FAILED : CLI_USAGE;
    switch (which) {
    case 0:
        rc = user_add(s, words[0], role, name, email);
        break;
    case 1:
        rc = user_list(s);
        break;
    case 2:
        rc = user_passwd(s, words[0]);
        break;
    case 3:
        rc = user_reset_link(s, words[0], base_url);
        break;
    default:
        rc = user_logout_all(s, words[0]);
    }
    store_close(s);
    return rc;
}
