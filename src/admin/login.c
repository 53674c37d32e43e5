/* login.c — signing in and out of the newsroom: GET/POST /admin/login, POST /admin/logout, and
 * the one-time reset links (GET/POST /admin/reset/{token}) 'gazette user reset-link' prints.
 *
 * The forms shown before anyone is signed in carry a CSRF token too: it is derived from a
 * random "gz_prelogin" cookie the form's page sets (double submit), so another site cannot sign
 * a browser in to an account of its choosing. A wrong login and a wrong password get the same
 * answer after the same work (auth_password_verify hashes a dummy for a missing account).
 * Failures are counted per account and per address (auth.h); past the free ones, a sign-in is
 * answered 429 with Retry-After until the delay has passed, without hashing anything. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "auth.h"

enum { LOGIN_MAX = 100 };

void admin_set_session_cookie(site_app *app, http_request *req, http_response *res,
                              const char *token)
{
    const char *secure = admin_request_is_tls(app, req) ? "; Secure" : "";
    long max_age = token ? AUTH_SESSION_DAYS * 86400L : 0;
    static const char *const paths[] = {"/admin", "/api/v1/admin"};
    for (size_t i = 0; i < 2; i++)
        http_set_header(res, "Set-Cookie",
                        arena_printf(req->arena,
                                     "gz_session=%s; Path=%s; Max-Age=%ld; HttpOnly; "
                                     "SameSite=Lax%s",
                                     token ? token : "", paths[i], max_age, secure));
}

/* The CSRF token of a signed-out form: from the request's gz_prelogin cookie, or a new cookie
 * set on res. */
static const char *prelogin_csrf(site_app *app, http_request *req, http_response *res)
{
    const char *token = http_cookie(req, "gz_prelogin");
    if (!auth_token_is_valid(token)) {
        char *fresh = arena_alloc(req->arena, AUTH_TOKEN_TEXT);
        auth_token_new(fresh);
        token = fresh;
        http_set_header(res, "Set-Cookie",
                        arena_printf(req->arena,
                                     "gz_prelogin=%s; Path=/admin; HttpOnly; SameSite=Strict%s",
                                     token, admin_request_is_tls(app, req) ? "; Secure" : ""));
    }
    char *csrf = arena_alloc(req->arena, AUTH_CSRF_TEXT);
    auth_csrf_for(token, csrf);
    return csrf;
}

/* Whether a signed-out form's csrf field matches its gz_prelogin cookie. */
static bool prelogin_ok(http_request *req)
{
    const char *token = http_cookie(req, "gz_prelogin");
    if (!auth_token_is_valid(token)) return false;
    char expected[AUTH_CSRF_TEXT];
    auth_csrf_for(token, expected);
    return auth_csrf_matches(expected, admin_form_value(req, "csrf"));
}

const char *admin_safe_next(const char *next)
{
    if (!next || strncmp(next, "/admin/", 7) != 0 || strstr(next, "//") || strchr(next, '\\') ||
        strncmp(next, "/admin/login", 12) == 0 || strncmp(next, "/admin/logout", 13) == 0)
        return "/admin/";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) return "/admin/";
    return next;
}

static void login_form(site_app *app, http_request *req, int status, const char *login,
                       const char *next, const char *error, http_response *res)
{
    json_t *view = json_pack("{s:s, s:s, s:s}", "login", login ? login : "", "next",
                             admin_safe_next(next), "login_csrf", prelogin_csrf(app, req, res));
    if (error) json_object_set_new(view, "error", json_string(error));
    res->status = status;
    admin_render(app, req, NULL, "login", "Sign in", view, res);
}

void admin_login_page(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    store_read_end(app->store);
    if (!app->admin_theme) return (void)(res->status = 503);
    login_form(app, req, 200, NULL, http_query(req, "next"), NULL, res);
}

/* "a:login" with the login lower-cased (ASCII), so case games do not reset the count. */
static const char *account_key(arena *a, const char *login)
{
    char *key = arena_printf(a, "a:%.*s", LOGIN_MAX, login);
    for (char *p = key + 2; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return key;
}

/* 429 with Retry-After when the account or the address must wait; true when answered. */
static bool throttled(site_app *app, http_request *req, const char *account, const char *ip,
                      const char *login, const char *next, http_response *res)
{
    long long now = auth_throttle_now();
    long long wait_ms =
        auth_throttle_wait(app->login_throttle, account, AUTH_THROTTLE_ACCOUNT_FREE, now);
    long long wait_ip = auth_throttle_wait(app->login_throttle, ip, AUTH_THROTTLE_IP_FREE, now);
    if (wait_ip > wait_ms) wait_ms = wait_ip;
    if (!wait_ms) return false;
    unsigned wait = (unsigned)((wait_ms + 999) / 1000); /* whole seconds, rounded up */
    http_set_header(res, "Retry-After", arena_printf(req->arena, "%u", wait));
    login_form(app, req, 429, login, next,
               arena_printf(req->arena, "Too many failed sign-ins. Wait %u second%s and try again.",
                            wait, wait == 1 ? "" : "s"),
               res);
    return true;
}

void admin_login_post(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    if (!app->admin_theme) return (void)(res->status = 503);
    const char *login = admin_form_value(req, "login"),
               *password = admin_form_value(req, "password");
    const char *next = admin_form_value(req, "next");
    if (!prelogin_ok(req)) {
        login_form(app, req, 403, login, next,
                   "The form has expired; reload the page and try again.", res);
        return;
    }
    if (!login || !login[0] || !password || !password[0] || strlen(login) > LOGIN_MAX) {
        login_form(app, req, 400, login, next, "Enter your login and your password.", res);
        return;
    }
    const char *account = account_key(req->arena, login);
    const char *ip = arena_printf(req->arena, "i:%s", admin_client_ip(app, req));
    if (throttled(app, req, account, ip, login, next, res)) return;
    store_user user = {0};
    store_status st = store_user_by_login(app->store, req->arena, login, &user);
    if (st != STORE_OK && st != STORE_NOT_FOUND) {
        login_form(app, req, site_status_for(st), login, next,
                   "The database could not be read; try again in a moment.", res);
        return;
    }
    const char *stored = st == STORE_OK ? user.password_hash : NULL;
    if (!auth_hashing_enter(app->login_throttle)) { /* the server adds Retry-After to a 503 */
        login_form(app, req, 503, login, next, "The server is busy; try again in a moment.", res);
        return;
    }
    bool ok = auth_password_verify(stored, password) && !user.disabled;
    auth_hashing_leave(app->login_throttle);
    if (!ok) {
        long long now = auth_throttle_now();
        auth_throttle_fail(app->login_throttle, account, now);
        auth_throttle_fail(app->login_throttle, ip, now);
        login_form(app, req, 401, login, next, "Wrong login or password.", res);
        return;
    }
    auth_throttle_clear(app->login_throttle, account);
    char token[AUTH_TOKEN_TEXT];
    unsigned char hash[AUTH_TOKEN_HASH];
    auth_token_new(token);
    auth_token_hash(token, hash);
    long long expires = (long long)time(NULL) + AUTH_SESSION_DAYS * 86400LL;
    st = store_session_add(app->store, hash, user.id, expires, admin_client_ip(app, req),
                           http_header(req, "User-Agent"));
    if (st != STORE_OK) {
        login_form(app, req, site_status_for(st), login, next,
                   "The database could not be written; try again in a moment.", res);
        return;
    }
    admin_set_session_cookie(app, req, res, arena_strdup(req->arena, token));
    sodium_memzero(token, sizeof token);
    admin_redirect(res, arena_strdup(req->arena, admin_safe_next(next)));
}

void admin_logout(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_NONE);
    if (!user) return;
    if (!admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    unsigned char hash[AUTH_TOKEN_HASH];
    auth_token_hash(http_cookie(req, "gz_session"), hash);
    store_status st = store_session_delete(app->store, hash);
    if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Something went wrong",
                             "The session could not be ended; try again.", res);
    admin_set_session_cookie(app, req, res, NULL);
    admin_redirect(res, "/admin/login");
}

/* ---- reset links --------------------------------------------------------------------------------
 */
static void reset_form(site_app *app, http_request *req, int status, const char *error,
                       http_response *res)
{
    json_t *view =
        json_pack("{s:s, s:s}", "action", req->path, "login_csrf", prelogin_csrf(app, req, res));
    if (error) json_object_set_new(view, "error", json_string(error));
    res->status = status;
    admin_render(app, req, NULL, "reset", "Choose a new password", view, res);
}

static void reset_gone(site_app *app, http_request *req, http_response *res)
{
    admin_message(app, req, NULL, 410, "This link does not work",
                  "This reset link has been used or has expired. Ask an administrator for a new "
                  "one ('gazette user reset-link').",
                  res);
}

void admin_reset_page(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    store_read_end(app->store);
    if (!app->admin_theme) return (void)(res->status = 503);
    const char *token = http_param(params, "token");
    unsigned char hash[AUTH_TOKEN_HASH];
    long long user_id;
    if (!auth_token_is_valid(token)) return reset_gone(app, req, res);
    auth_token_hash(token, hash);
    store_status st = store_reset_find(app->store, hash, (long long)time(NULL), &user_id);
    if (st == STORE_NOT_FOUND) return reset_gone(app, req, res);
    if (st != STORE_OK)
        return admin_message(app, req, NULL, site_status_for(st), "Something went wrong",
                             "The database could not be read; try again in a moment.", res);
    reset_form(app, req, 200, NULL, res);
}

void admin_reset_post(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    if (!app->admin_theme) return (void)(res->status = 503);
    const char *token = http_param(params, "token");
    if (!auth_token_is_valid(token)) return reset_gone(app, req, res);
    if (!prelogin_ok(req))
        return reset_form(app, req, 403, "The form has expired; reload the page and try again.",
                          res);
    const char *password = admin_form_value(req, "password");
    const char *again = admin_form_value(req, "password_again");
    auth_status as = auth_password_check(password);
    if (as != AUTH_OK) return reset_form(app, req, 400, auth_strerror(as), res);
    if (!again || strcmp(password, again) != 0)
        return reset_form(app, req, 400, "The two passwords differ.", res);
    char pw_hash[AUTH_HASH_BYTES];
    if ((as = auth_password_hash(password, pw_hash)) != AUTH_OK)
        return reset_form(app, req, 503, auth_strerror(as), res);
    unsigned char hash[AUTH_TOKEN_HASH];
    auth_token_hash(token, hash);
    long long user_id;
    store_status st = store_reset_use(app->store, hash, (long long)time(NULL), pw_hash, &user_id);
    if (st == STORE_NOT_FOUND) return reset_gone(app, req, res);
    if (st != STORE_OK)
        return admin_message(app, req, NULL, site_status_for(st), "Something went wrong",
                             "The password could not be saved; try again in a moment.", res);
    admin_message(app, req, NULL, 200, "Password set",
                  "Your new password is set and your other sessions have ended. You can sign in "
                  "now.",
                  res);
}
