/* admin.h — the newsroom (/admin/...): who is signed in and what their role lets them do, the
 * CSRF check every state-changing form goes through, the admin frame pages are rendered in,
 * and the urlencoded form reader. Screens (comments, topics, settings, users, and the story
 * editor and media library of other modules) are handlers registered in site/routes.c; each
 * begins with admin_require. See docs/newsroom.md. */
#ifndef GAZETTE_ADMIN_H
#define GAZETTE_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../http/http.h"
#include "../site/site.h"

typedef enum {
    ADMIN_ROLE_NONE = 0,
    ADMIN_ROLE_CONTRIBUTOR = 1,
    ADMIN_ROLE_AUTHOR = 2,
    ADMIN_ROLE_EDITOR = 3,
    ADMIN_ROLE_ADMIN = 4
} admin_role;

typedef struct admin_user {
    long long id;
    const char *login, *display_name, *email;
    admin_role role;
    long long author_id; /* the authors row this user writes as, 0 when none */
    const char *csrf;    /* this session's CSRF token, for forms: <input name="csrf"> */
} admin_user;

/* The signed-in user if their role is at least `need`. Otherwise fills res and returns NULL:
 * no session -> 303 to /admin/login?next=PATH (GET) or 401 (other methods); role too low
 * -> 403 page. need ADMIN_ROLE_NONE: any signed-in user. Sets Cache-Control: no-store on res
 * in every case. It also ends the request's
 * read snapshot (site_read_begin): admin pages read fresh data and may write. */
const admin_user *admin_require(site_app *app, http_request *req, http_response *res,
                                admin_role need);
/* For every state-changing request: the form's csrf value must match the session's.
 * false -> res filled with 403 "The form has expired; reload the page and try again." */
bool admin_check_csrf(const admin_user *user, const char *form_csrf, http_response *res);
/* The same check without an answer: whether csrf is the session's token. */
bool admin_csrf_matches(const admin_user *user, const char *csrf);
/* Renders themes/admin/TEMPLATE.mustache inside the admin layout. view gets "user"
 * (login, display_name, role name, can_publish/can_edit_others/can_moderate/can_admin
 * booleans), "csrf", "title", "nav" added; steals the reference to view. The template renders
 * the page's main part only (the layout puts it in {{{content}}}); the layout also shows the
 * view's "notice" and "error", and loads its "scripts" (an array of URLs, such as the admin
 * theme's assets under /admin/assets/). Status stays as the caller set it (0 means 200). */
void admin_render(site_app *app, http_request *req, const admin_user *user,
                  const char *template_name, const char *title, json_t *view, http_response *res);
/* The value of a field of an application/x-www-form-urlencoded body (req->body), or NULL.
 * Arena string. Repeated fields: admin_form_values. */
const char *admin_form_value(http_request *req, const char *name);
size_t admin_form_values(http_request *req, const char *name, const char **out, size_t max);
const char *admin_role_name(admin_role role); /* "contributor", ... */

/* ---- also available ------------------------------------------------------------------------ */
/* The signed-in user whatever their role, or NULL (res is left alone but for a refreshed
 * session cookie): for endpoints that answer in their own way (the JSON admin API). */
const admin_user *admin_session(site_app *app, http_request *req, http_response *res);
/* The role called name ("editor"); ADMIN_ROLE_NONE for anything else. */
admin_role admin_role_parse(const char *name);
/* Whether the body is a well-formed urlencoded form (admin_form_value answers NULL for every
 * field of a malformed one). */
bool admin_form_ok(http_request *req);
/* A short page in the admin frame with a message (errors, confirmations): status, title and
 * message; user may be NULL (signed out). */
void admin_message(site_app *app, http_request *req, const admin_user *user, int status,
                   const char *title, const char *message, http_response *res);
/* A 303 to path (a local path) after a successful POST, with Cache-Control: no-store. */
void admin_redirect(http_response *res, const char *path);
/* The client's address for throttling: the peer, or the last X-Forwarded-For hop when the peer
 * is one of the setting trusted_proxies (space-separated addresses). Arena string. */
const char *admin_client_ip(site_app *app, http_request *req);
/* The last hop of an X-Forwarded-For header (the address the trusted proxy saw), or NULL when
 * it is not an IPv4 or IPv6 address. Arena string. */
const char *admin_forwarded_client(arena *a, const char *header);
/* Where to go after signing in: next when it is a path under /admin/ (no "//", no backslash,
 * no control character, not the login or logout page), else "/admin/". */
const char *admin_safe_next(const char *next);
/* Whether the request came over TLS: base_url is https, or a trusted proxy said
 * X-Forwarded-Proto: https. Session cookies are then Secure. */
bool admin_request_is_tls(site_app *app, http_request *req);

/* Sets the gz_session cookie (HttpOnly, SameSite=Lax, Path=/admin and /api/v1/admin, Secure
 * over TLS, kept AUTH_SESSION_DAYS) to token; token NULL clears it. */
void admin_set_session_cookie(site_app *app, http_request *req, http_response *res,
                              const char *token);
/* Loads themes/admin (templates and assets) into app->admin_theme; false with err. */
bool admin_start(site_app *app, const char *theme_dir, char *err, size_t errlen);
void admin_stop(site_app *app);

/* ---- handlers (routes.c) --------------------------------------------------------------------- */
void admin_login_page(void *app, http_request *req, const http_params *params, http_response *res);
void admin_login_post(void *app, http_request *req, const http_params *params, http_response *res);
void admin_logout(void *app, http_request *req, const http_params *params, http_response *res);
void admin_dashboard(void *app, http_request *req, const http_params *params, http_response *res);
void admin_account_page(void *app, http_request *req, const http_params *params,
                        http_response *res);
void admin_account_logout_all(void *app, http_request *req, const http_params *params,
                              http_response *res);
void admin_account_password(void *app, http_request *req, const http_params *params,
                            http_response *res);
void admin_reset_page(void *app, http_request *req, const http_params *params, http_response *res);
void admin_reset_post(void *app, http_request *req, const http_params *params, http_response *res);
void admin_asset(void *app, http_request *req, const http_params *params, http_response *res);
void admin_comments_page(void *app, http_request *req, const http_params *params,
                         http_response *res);
void admin_comments_action(void *app, http_request *req, const http_params *params,
                           http_response *res);
void admin_comments_reply(void *app, http_request *req, const http_params *params,
                          http_response *res);
void admin_topics_page(void *app, http_request *req, const http_params *params, http_response *res);
void admin_topics_save(void *app, http_request *req, const http_params *params, http_response *res);
void admin_settings_page(void *app, http_request *req, const http_params *params,
                         http_response *res);
void admin_settings_save(void *app, http_request *req, const http_params *params,
                         http_response *res);
void admin_users_page(void *app, http_request *req, const http_params *params, http_response *res);
void admin_users_save(void *app, http_request *req, const http_params *params, http_response *res);

#endif
