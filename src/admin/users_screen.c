/* users_screen.c — the newsroom's accounts for administrators (/admin/users): every user with
 * their role and state; add one (without a password: the page shows a one-time reset link to
 * hand to them, as 'gazette user reset-link' prints), change a role, disable or enable. An
 * administrator cannot demote or disable themselves (someone must be able to come back in). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../content/content.h"
#include "admin.h"
#include "auth.h"

static long long parse_id(const char *text)
{
    if (!text || !*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 18)
        return 0;
    return strtoll(text, NULL, 10);
}

static bool login_ok(const char *login)
{
    size_t n = login ? strlen(login) : 0;
    return n > 0 && n <= 64 &&
           strspn(login, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") == n;
}

static json_t *roles_json(admin_role selected)
{
    json_t *roles = json_array();
    for (int r = ADMIN_ROLE_CONTRIBUTOR; r <= ADMIN_ROLE_ADMIN; r++)
        json_array_append_new(roles, json_pack("{s:s, s:b}", "name", admin_role_name((admin_role)r),
                                               "selected", r == (int)selected));
    return roles;
}

static void users_screen(site_app *app, http_request *req, const admin_user *user, json_t *extra,
                         http_response *res)
{
    store_user *users;
    size_t n;
    store_status st = store_users_list(app->store, req->arena, &users, &n);
    if (st != STORE_OK) {
        json_decref(extra);
        return admin_message(app, req, user, site_status_for(st), "Something went wrong",
                             "The users could not be read; try again in a moment.", res);
    }
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        const store_user *u = &users[i];
        json_array_append_new(
            rows,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b}", "id", (json_int_t)u->id,
                      "login", u->login, "name", u->display_name, "email", u->email ? u->email : "",
                      "role", u->role, "roles", roles_json(admin_role_parse(u->role)), "disabled",
                      u->disabled, "no_password", !u->password_hash, "self", u->id == user->id));
    }
    json_t *view = extra ? extra : json_object();
    json_object_set_new(view, "users", rows);
    json_object_set_new(view, "new_roles", roles_json(ADMIN_ROLE_AUTHOR));
    admin_render(app, req, user, "users", "Users", view, res);
}

void admin_users_page(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_ADMIN);
    if (!user) return;
    json_t *view = json_object();
    const char *done = http_query(req, "done");
    if (done && strcmp(done, "1") == 0)
        json_object_set_new(view, "notice", json_string("The user is changed."));
    users_screen(app, req, user, view, res);
}

static void refuse(site_app *app, http_request *req, const admin_user *user, int status,
                   const char *error, http_response *res)
{
    res->status = status;
    users_screen(app, req, user, json_pack("{s:s}", "error", error), res);
}

/* The site's address as the administrator's browser reached it ("https://news.example"), for
 * a link they copy; "" (a path alone) when the request has no usable Host. */
static const char *site_address(site_app *app, http_request *req)
{
    const char *host = http_header(req, "Host");
    if (!host || !host[0] || strlen(host) > 255 ||
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
            strlen(host))
        return "";
    return arena_printf(req->arena, "%s://%s", admin_request_is_tls(app, req) ? "https" : "http",
                        host);
}

/* Adds a user without a password and shows their one-time reset link. */
static void add_user(site_app *app, http_request *req, const admin_user *user, http_response *res)
{
    const char *login = admin_form_value(req, "login"), *name = admin_form_value(req, "name");
    const char *email = admin_form_value(req, "email"), *role = admin_form_value(req, "role");
    if (!login_ok(login))
        return refuse(app, req, user, 400,
                      "The login is 1-64 letters, digits, '.', '_', '-' or '@'.", res);
    if (admin_role_parse(role) == ADMIN_ROLE_NONE)
        return refuse(app, req, user, 400, "Choose a role.", res);
    if (!name || !name[0]) name = login;
    if (strlen(name) > 200 || !content_utf8_valid(name, strlen(name)))
        return refuse(app, req, user, 400, "The name is at most 200 characters.", res);
    if (email && email[0] && (!strchr(email, '@') || strlen(email) > 254))
        return refuse(app, req, user, 400, "That is not an email address.", res);
    store_user in = {.login = login,
                     .display_name = name,
                     .email = email && email[0] ? email : NULL,
                     .role = role};
    const char *author = content_slugify(req->arena, name);
    long long id = 0;
    store_status st = store_user_add(app->store, &in, author && author[0] ? author : NULL, &id);
    if (st == STORE_CONFLICT) return refuse(app, req, user, 409, "That login is taken.", res);
    char token[AUTH_TOKEN_TEXT];
    unsigned char hash[AUTH_TOKEN_HASH];
    auth_token_new(token);
    auth_token_hash(token, hash);
    if (st == STORE_OK)
        st = store_reset_add(app->store, hash, id,
                             (long long)time(NULL) + AUTH_RESET_HOURS * 3600LL);
    if (st != STORE_OK)
        return refuse(app, req, user, site_status_for(st), "The user could not be added.", res);
    json_t *view = json_pack(
        "{s:s, s:s, s:s}", "notice",
        "The user is added. Give them this link (it works once, for 24 "
        "hours) to choose their password:",
        "reset_link", arena_printf(req->arena, "%s/admin/reset/%s", site_address(app, req), token),
        "added", login);
    sodium_memzero(token, sizeof token);
    users_screen(app, req, user, view, res);
}

void admin_users_save(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_ADMIN);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    const char *op = admin_form_value(req, "op");
    if (op && strcmp(op, "add") == 0) return add_user(app, req, user, res);
    long long id = parse_id(admin_form_value(req, "id"));
    const char *role = admin_form_value(req, "role");
    store_status st;
    if (!op || !id) return refuse(app, req, user, 400, "Nothing to do.", res);
    if (id == user->id)
        return refuse(app, req, user, 400,
                      "You cannot change your own role or disable yourself; ask another "
                      "administrator.",
                      res);
    if (strcmp(op, "role") == 0) {
        if (admin_role_parse(role) == ADMIN_ROLE_NONE)
            return refuse(app, req, user, 400, "Choose a role.", res);
        st = store_user_set_role(app->store, id, role);
    } else if (strcmp(op, "disable") == 0 || strcmp(op, "enable") == 0) {
        st = store_user_set_disabled(app->store, id, strcmp(op, "disable") == 0);
    } else {
        return refuse(app, req, user, 400, "Unknown action.", res);
    }
    if (st == STORE_NOT_FOUND) return refuse(app, req, user, 404, "No such user.", res);
    if (st != STORE_OK)
        return refuse(app, req, user, site_status_for(st), "The user could not be changed.", res);
    admin_redirect(res, "/admin/users?done=1");
}
