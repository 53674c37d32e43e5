/* account.c — the signed-in user's own pages: the dashboard (/admin/), and /admin/account with
 * "log out everywhere" and a password change. */
#include <string.h>

#include "admin.h"
#include "auth.h"

void admin_dashboard(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    if (!user) return;
    json_t *view = json_object();
    if (user->role >= ADMIN_ROLE_EDITOR) {
        comment_status pending = COMMENT_PENDING;
        store_comment *comments;
        size_t n = 0;
        if (store_comments_list(app->store, req->arena, &pending, 51, 0, &comments, &n) == STORE_OK)
            json_object_set_new(view, "pending_comments",
                                json_string(n > 50 ? "50+" : arena_printf(req->arena, "%zu", n)));
    }
    admin_render(app, req, user, "dashboard", "Newsroom", view, res);
}

void admin_account_page(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_NONE);
    if (!user) return;
    json_t *view = json_object();
    const char *done = http_query(req, "done");
    if (done && strcmp(done, "password") == 0)
        json_object_set_new(view, "notice", json_string("Your password is changed."));
    admin_render(app, req, user, "account", "Your account", view, res);
}

void admin_account_logout_all(void *app_ptr, http_request *req, const http_params *params,
                              http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_NONE);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    store_status st = store_sessions_end_user(app->store, user->id, NULL);
    if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Something went wrong",
                             "The sessions could not be ended; try again.", res);
    admin_set_session_cookie(app, req, res, NULL);
    admin_redirect(res, "/admin/login");
}

void admin_account_password(void *app_ptr, http_request *req, const http_params *params,
                            http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_NONE);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    const char *current = admin_form_value(req, "current");
    const char *password = admin_form_value(req, "password");
    const char *again = admin_form_value(req, "password_again");
    store_user stored;
    const char *error = NULL;
    auth_status as = auth_password_check(password);
    if (store_user_by_id(app->store, req->arena, user->id, &stored) != STORE_OK ||
        !auth_password_verify(stored.password_hash, current ? current : ""))
        error = "Your current password is not right.";
    else if (as != AUTH_OK)
        error = auth_strerror(as);
    else if (!again || strcmp(again, password) != 0)
        error = "The two new passwords differ.";
    char hash[AUTH_HASH_BYTES];
    if (!error && (as = auth_password_hash(password, hash)) != AUTH_OK) error = auth_strerror(as);
    if (!error && store_user_set_password(app->store, user->id, hash) != STORE_OK)
        error = "The password could not be saved; try again.";
    if (error) {
        res->status = 400;
        admin_render(app, req, user, "account", "Your account", json_pack("{s:s}", "error", error),
                     res);
        return;
    }
    /* every session ended with the change, this one too: sign in again with the new one */
    admin_set_session_cookie(app, req, res, NULL);
    admin_redirect(res, "/admin/login");
}
