/* admin_comments.c — the moderation endpoints the newsroom's screens use, behind a bearer
 * token (created by 'gazette admin-token'; only its hash is stored):
 *   GET  /api/v1/admin/comments?status=pending&limit=&page=
 *   POST /api/v1/admin/comments/{id}/approve | spam | trash | delete */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api_response.h"
#include "../content/content.h"
#include "../admin/admin.h"
#include "../site/site.h"
#include "admin_token.h"

/* A newsroom session of an editor or above (docs/newsroom.md); a request that changes
 * something must also carry the session's CSRF token in X-CSRF-Token. */
static bool editor_session(site_app *app, http_request *req, http_response *res)
{
    if (!http_cookie(req, "gz_session")) return false;
    const admin_user *user = admin_session(app, req, res);
    if (!user || user->role < ADMIN_ROLE_EDITOR) return false;
    bool reading = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    return reading || admin_csrf_matches(user, http_header(req, "X-CSRF-Token"));
}

bool api_admin_authorised(site_app *app, http_request *req, http_response *res)
{
    const char *header = http_header(req, "Authorization");
    const char *stored;
    bool ok = header && strncmp(header, "Bearer ", 7) == 0 &&
              store_setting_get(app->store, req->arena, ADMIN_TOKEN_SETTING, &stored) == STORE_OK &&
              admin_token_matches(header + 7, stored);
    if (!ok && !header) ok = editor_session(app, req, res);
    if (!ok) {
        api_send_error(res, 401, "a valid token is required (Authorization: Bearer TOKEN)");
        http_set_header(res, "WWW-Authenticate", "Bearer");
    }
    return ok;
}

static json_t *moderation_json(arena *a, const store_comment *c)
{
    return json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
                     (json_int_t)c->id, "article_slug", c->article_slug ? c->article_slug : "",
                     "article_id", (json_int_t)c->article_id, "parent_id", (json_int_t)c->parent_id,
                     "author", c->author_name, "email", c->author_email, "url",
                     c->author_url ? c->author_url : "", "body", c->body, "status",
                     comment_status_name(c->status), "ip", c->ip ? c->ip : "", "created_at",
                     content_format_time(a, c->created_at));
}

void api_admin_comments_list(void *app_ptr, http_request *req, const http_params *params,
                             http_response *res)
{
    site_app *app = app_ptr;
    if (!api_admin_authorised(app, req, res)) return;
    const char *status_name = http_query(req, "status");
    comment_status status;
    if (status_name && !comment_status_parse(status_name, &status))
        return api_send_error(res, 400, "status must be pending, approved, spam or trash");
    const char *page_text = http_query(req, "page");
    long page = page_text ? strtol(page_text, NULL, 10) : 1;
    if (page < 1 || page > 100000) return api_send_error(res, 400, "page must be a number from 1");
    store_comment *comments;
    size_t n;
    store_status st = store_comments_list(app->store, req->arena, status_name ? &status : NULL, 50,
                                          (size_t)(page - 1) * 50, &comments, &n);
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, moderation_json(req->arena, &comments[i]));
    api_send_json(res, 200, json_pack("{s:o, s:I}", "comments", list, "page", (json_int_t)page),
                  "no-store");
}

void api_admin_comment_action(void *app_ptr, http_request *req, const http_params *params,
                              http_response *res)
{
    site_app *app = app_ptr;
    if (!api_admin_authorised(app, req, res)) return;
    char *end;
    long long id = strtoll(http_param(params, "id"), &end, 10);
    if (*end || id <= 0) return api_send_error(res, 404, "no such comment");
    const char *action = http_param(params, "action");
    store_status st;
    if (strcmp(action, "delete") == 0) {
        st = store_comments_delete(app->store, &id, 1);
    } else {
        comment_status status;
        const char *name = strcmp(action, "approve") == 0 ? "approved" : action;
        if (strcmp(action, "approved") == 0 || strcmp(action, "pending") == 0 ||
            !comment_status_parse(name, &status))
            return api_send_error(res, 404, "unknown action (approve, spam, trash or delete)");
        st = store_comments_set_status(app->store, &id, 1, status);
    }
    if (st == STORE_NOT_FOUND) return api_send_error(res, 404, "no such comment");
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    site_freshness_sync(app->freshness);
    api_send_json(res, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "done", action),
                  "no-store");
}
