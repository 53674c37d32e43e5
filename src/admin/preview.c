/* preview.c — POST /admin/preview: the story form's fields rendered by the public theme's
 * article template, as readers would see the story (without comments and related stories, which
 * a story not yet saved does not have). editor.js posts the form here as the writer types and
 * shows the answer in a sandboxed iframe (srcdoc); without JavaScript the "Preview" button
 * opens it in a new tab. The answer is never cached and carries a CSP sandbox: nothing in it
 * runs, whatever the writer typed. */
#include <string.h>

#include "../api/article_json.h"
#include "editor.h"

void admin_story_preview(void *app_ptr, http_request *req, const http_params *params,
                         http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    if (!user) return;
    form_field *fields = NULL;
    size_t n = 0;
    if (req->body && !form_decode(req->arena, req->body, req->body_len, &fields, &n))
        return admin_message(app, req, user, 400, "Unreadable form",
                             "The form could not be read; reload the page and try again.", res);
    if (!admin_check_csrf(user, form_get(fields, n, "csrf"), res)) return;
    story_form form;
    story_form_read(req->arena, fields, n, &form);
    if (!*form.headline) form.headline = "(no headline yet)"; /* a story being begun */
    story_errors errors;
    if (!story_form_check(req->arena, &form, &errors)) {
        /* what cannot be stored cannot be shown either: say what is wrong instead */
        buf b = {0};
        buf_puts(&b, "<!doctype html><meta charset=\"utf-8\"><title>Preview</title><ul>");
        for (size_t i = 0; i < errors.n; i++) {
            buf_puts(&b, "<li>");
            buf_append_html(&b, errors.v[i].message, strlen(errors.v[i].message));
            buf_puts(&b, "</li>");
        }
        buf_puts(&b, "</ul>");
        res->body = b;
        res->status = 422;
        res->content_type = "text/html; charset=utf-8";
        http_set_header(res, "Content-Security-Policy", "sandbox; default-src 'none'");
        return;
    }
    store_article article = story_form_article(req->arena, &form);
    store_status st = STORE_OK;
    json_t *article_view = article_full_json(app->store, req->arena, &article, NULL, 0, &st);
    if (!article_view) return (void)(res->status = site_status_for(st));
    json_object_set_new(article_view, "related", json_array());
    json_t *view = site_view_new(app, req, "article", article.headline, article.lead);
    json_object_set_new(view, "article", article_view);
    json_object_set_new(view, "is_page", json_true()); /* no comments, no related stories */
    json_object_set_new(view, "preview", json_true());
    site_render(app, req, "article", view, res);
    /* admin_require set no-store already; the page may load the site's styles and images */
    http_set_header(res, "Content-Security-Policy",
                    "sandbox; default-src 'none'; style-src 'self'; img-src 'self' https: "
                    "data:; font-src 'self'; frame-ancestors 'self'");
}
