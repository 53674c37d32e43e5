/* comments_screen.c — comment moderation for editors (/admin/comments): the pending, approved
 * and spam queues (?status=, 50 a page), per-comment and bulk approve / spam / delete in one
 * form (a row's button sends "one=ACTION:ID", the bulk bar "action" with the checked "ids"),
 * and a reply as staff (/admin/comments/{id}/reply: stored approved, marked staff). Everything
 * goes through the store's comment functions; the page cache follows through freshness. */
#include <stdlib.h>
#include <string.h>

#include "../content/content.h"
#include "admin.h"

enum { COMMENTS_PAGE = 50, COMMENTS_MAX_PAGE = 100000 };

static const char *const queues[] = {"pending", "approved", "spam"};

/* The queue named by ?status= (pending when absent); NULL for anything else. */
static const char *queue_of(const char *name)
{
    if (!name || !name[0]) return "pending";
    for (size_t i = 0; i < 3; i++)
        if (strcmp(name, queues[i]) == 0) return queues[i];
    return NULL;
}

static json_t *comment_row(arena *a, const store_comment *c)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "id",
                     (json_int_t)c->id, "story", c->article_slug ? c->article_slug : "", "author",
                     c->author_name ? c->author_name : "", "email",
                     c->author_email ? c->author_email : "", "url",
                     c->author_url ? c->author_url : "", "ip", c->ip ? c->ip : "", "body",
                     c->body ? c->body : "", "date", content_format_time(a, c->created_at), "staff",
                     c->staff, "is_reply", c->parent_id != 0, "pending",
                     c->status == COMMENT_PENDING, "spam", c->status == COMMENT_SPAM);
}

static json_t *tabs_json(const char *current)
{
    json_t *tabs = json_array();
    for (size_t i = 0; i < 3; i++)
        json_array_append_new(tabs, json_pack("{s:s, s:b}", "name", queues[i], "current",
                                              strcmp(queues[i], current) == 0));
    return tabs;
}

void admin_comments_page(void *app_ptr, http_request *req, const http_params *params,
                         http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_EDITOR);
    if (!user) return;
    const char *queue = queue_of(http_query(req, "status"));
    size_t page;
    if (!queue || !site_page_number(req, &page) || page > COMMENTS_MAX_PAGE)
        return admin_message(app, req, user, 400, "No such list",
                             "The status is pending, approved or spam, and the page a number.",
                             res);
    comment_status status;
    comment_status_parse(queue, &status);
    store_comment *comments;
    size_t n;
    store_status st = store_comments_list(app->store, req->arena, &status, COMMENTS_PAGE + 1,
                                          (page - 1) * COMMENTS_PAGE, &comments, &n);
    if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Something went wrong",
                             "The comments could not be read; try again in a moment.", res);
    json_t *rows = json_array();
    for (size_t i = 0; i < n && i < COMMENTS_PAGE; i++)
        json_array_append_new(rows, comment_row(req->arena, &comments[i]));
    json_t *view =
        json_pack("{s:o, s:o, s:s, s:b, s:I}", "comments", rows, "tabs", tabs_json(queue), "status",
                  queue, "has_comments", n > 0, "page", (json_int_t)page);
    if (page > 1)
        json_object_set_new(
            view, "prev_url",
            json_string(
                arena_printf(req->arena, "/admin/comments?status=%s&page=%zu", queue, page - 1)));
    if (n > COMMENTS_PAGE)
        json_object_set_new(
            view, "next_url",
            json_string(
                arena_printf(req->arena, "/admin/comments?status=%s&page=%zu", queue, page + 1)));
    const char *done = http_query(req, "done");
    if (done && strspn(done, "0123456789") == strlen(done) && strlen(done) < 6)
        json_object_set_new(view, "notice",
                            json_string(arena_printf(req->arena, "%s comment%s changed.", done,
                                                     strcmp(done, "1") == 0 ? "" : "s")));
    admin_render(app, req, user, "comments", "Comments", view, res);
}

/* A positive id from text; 0 when it is not one. */
static long long parse_id(const char *text)
{
    if (!text || !*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 18)
        return 0;
    return strtoll(text, NULL, 10);
}

/* Applies action to ids: approve, spam, pending, trash or delete. */
static store_status moderate(site_app *app, const char *action, const long long *ids, size_t n,
                             bool *known)
{
    *known = true;
    if (strcmp(action, "delete") == 0) return store_comments_delete(app->store, ids, n);
    comment_status status;
    const char *name = strcmp(action, "approve") == 0 ? "approved" : action;
    if (strcmp(action, "approved") == 0 || !comment_status_parse(name, &status)) {
        *known = false;
        return STORE_INVALID;
    }
    return store_comments_set_status(app->store, ids, n, status);
}

void admin_comments_action(void *app_ptr, http_request *req, const http_params *params,
                           http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_EDITOR);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    const char *queue = queue_of(admin_form_value(req, "status"));
    const char *one = admin_form_value(req, "one");
    const char *action = admin_form_value(req, "action");
    long long ids[COMMENTS_PAGE];
    size_t n = 0;
    if (one && strchr(one, ':')) { /* a row's own button: "approve:12" */
        action = arena_strndup(req->arena, one, (size_t)(strchr(one, ':') - one));
        ids[n] = parse_id(strchr(one, ':') + 1);
        n = ids[0] ? 1 : 0;
    } else {
        const char *values[COMMENTS_PAGE];
        size_t k = admin_form_values(req, "ids", values, COMMENTS_PAGE);
        for (size_t i = 0; i < k; i++)
            if ((ids[n] = parse_id(values[i])) != 0) n++;
    }
    if (!action || n == 0)
        return admin_message(app, req, user, 400, "Nothing to do",
                             "Tick at least one comment and choose what to do with it.", res);
    bool known;
    store_status st = moderate(app, action, ids, n, &known);
    if (!known)
        return admin_message(app, req, user, 400, "Unknown action",
                             "The action is approve, spam, pending, trash or delete.", res);
    if (st == STORE_NOT_FOUND)
        return admin_message(app, req, user, 404, "No such comment",
                             "A comment was deleted meanwhile; nothing was changed.", res);
    if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Something went wrong",
                             "The comments could not be changed; try again.", res);
    site_freshness_sync(app->freshness);
    admin_redirect(res, arena_printf(req->arena, "/admin/comments?status=%s&done=%zu",
                                     queue ? queue : "pending", n));
}

/* GET shows the comment and a reply form; POST saves the reply. */
void admin_comments_reply(void *app_ptr, http_request *req, const http_params *params,
                          http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_EDITOR);
    if (!user) return;
    long long id = parse_id(http_param(params, "id"));
    bool posting = strcmp(req->method, "POST") == 0;
    if (posting && !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    const char *body = posting ? admin_form_value(req, "body") : NULL;
    const char *error = NULL;
    if (posting) {
        size_t len = body ? strlen(body) : 0;
        if (len == 0 || len > COMMENT_MAX_CHARS * 4)
            error = "Write a reply (at most 5000 characters).";
        long long reply_id = 0;
        store_status st =
            error ? STORE_INVALID
                  : store_comment_staff_reply(app->store, id, user->id, user->display_name,
                                              user->email, body, &reply_id);
        if (!error && st == STORE_OK) {
            site_freshness_sync(app->freshness);
            return admin_redirect(res, "/admin/comments?status=approved&done=1");
        }
        if (!error)
            error = st == STORE_NOT_FOUND ? "That comment no longer exists."
                                          : "The reply could not be saved; try again.";
    }
    store_comment found;
    store_status st =
        id ? store_comment_by_id(app->store, req->arena, id, &found) : STORE_NOT_FOUND;
    if (st == STORE_NOT_FOUND)
        return admin_message(app, req, user, 404, "No such comment", "That comment does not exist.",
                             res);
    if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Something went wrong",
                             "The comment could not be read; try again in a moment.", res);
    json_t *view = json_pack("{s:o, s:s, s:s}", "comment", comment_row(req->arena, &found),
                             "action", req->path, "body", body ? body : "");
    if (error) json_object_set_new(view, "error", json_string(error));
    if (error) res->status = 400;
    admin_render(app, req, user, "comment_reply", "Reply as staff", view, res);
}
