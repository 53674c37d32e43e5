/* newsletter.c — the newsletter on the site (docs/newsletter.md): its state (the sign-up
 * rate limiter and the token key), the sign-up form in every page's footer
 * (site_newsletter_view) and at /newsletter/, and the answer page every newsletter handler
 * renders with the theme's newsletter template. The sign-up POST is in newsletter_subscribe.c,
 * the emailed links in newsletter_links.c, the daily send in newsletter_daily.c. None of these
 * pages is cached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../content/content.h"
#include "newsletter_pages.h"

enum { RATE_WINDOW_SECONDS = 3600 };

bool site_newsletter_start(site_app *app, char *err, size_t errlen)
{
    app->newsletter = calloc(1, sizeof *app->newsletter);
    if (!app->newsletter) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    arena *a = arena_new();
    unsigned per_hour = site_setting_number(app, a, "newsletter_rate_limit", 5, 1000000);
    arena_free(a);
    newsletter_key_derive(app->comment_key, app->newsletter->key);
    app->newsletter->limiter = comment_rate_limiter_new(per_hour, RATE_WINDOW_SECONDS);
    if (!app->newsletter->limiter) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

void site_newsletter_stop(site_app *app)
{
    if (!app->newsletter) return;
    comment_rate_limiter_free(app->newsletter->limiter);
    free(app->newsletter);
    app->newsletter = NULL;
}

const unsigned char *site_newsletter_key(site_app *app)
{
    return app->newsletter->key;
}

/* On when smtp_url and smtp_from are set (the settings snapshot: cheap on every page). */
bool site_newsletter_on(site_app *app, arena *a)
{
    const char *url = site_setting_text(app, a, "smtp_url");
    const char *from = site_setting_text(app, a, "smtp_from");
    return url && *url && from && *from;
}

static const char *form_token(site_app *app, arena *a)
{
    return comment_token_issue(a, app->comment_key, NEWSLETTER_FORM_ID, (long long)time(NULL),
                               comment_nonce_new(a));
}

void site_newsletter_view(site_app *app, http_request *req, json_t *site)
{
    if (!app->newsletter || !site_newsletter_on(app, req->arena)) return;
    json_t *topics = json_object_get(site, "nav_topics");
    json_object_set_new(site, "newsletter",
                        json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:b}", "form_id",
                                  "footer-newsletter", "action", "/newsletter/subscribe", "token",
                                  form_token(app, req->arena), "email", "", "error", false,
                                  "topics", topics ? json_incref(topics) : json_array(),
                                  "has_topics", json_array_size(topics) > 0));
}

bool site_newsletter_is_form_post(http_request *req)
{
    const char *type = http_header(req, "Content-Type");
    return type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* ---- answer pages ------------------------------------------------------------------------ */
void site_newsletter_answer(site_app *app, http_request *req, site_newsletter_answer_page *an,
                            http_response *res)
{
    json_t *view = site_view_new(app, req, "newsletter", an->title, NULL);
    json_t *page = json_pack("{s:s, s:s, s:b}", "title", an->title, "message", an->message, "error",
                             an->error);
    if (an->form) json_object_set_new(page, "form", an->form);
    if (an->button) json_object_set_new(page, "button", an->button);
    json_object_set_new(view, "newsletter_page", page);
    http_set_header(res, "Cache-Control", "private, no-store");
    site_render(app, req, "newsletter", view, res);
    if (res->status == 200) res->status = an->status;
}

void site_newsletter_say(site_app *app, http_request *req, int status, const char *title,
                         const char *message, http_response *res)
{
    site_newsletter_answer_page an = {status, title, message, status >= 400, NULL, NULL};
    site_newsletter_answer(app, req, &an, res);
}

json_t *site_newsletter_button(const char *action, const char *label, const char *name,
                               const char *value)
{
    return json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "action", action, "label", label, "fields",
                     "name", name, "value", value);
}

/* The sign-up form: every topic with a live story, the chosen ones checked. */
json_t *site_newsletter_signup_form(site_app *app, http_request *req, const char *email,
                                    const char *chosen, const char *error)
{
    json_t *topics = json_array();
    store_topic *list;
    size_t n;
    if (store_topics_list(app->store, req->arena, 1, &list, &n) == STORE_OK) {
        for (size_t i = 0; i < n; i++) {
            const char *slug = list[i].slug;
            size_t len = strlen(slug);
            bool checked = false;
            for (const char *p = chosen ? strstr(chosen, slug) : NULL; p; p = strstr(p + 1, slug))
                checked |= (p == chosen || p[-1] == ' ') && (p[len] == ' ' || !p[len]);
            json_array_append_new(topics, json_pack("{s:s, s:s, s:b}", "slug", slug, "name",
                                                    list[i].name, "checked", checked));
        }
    }
    bool keep = email && content_utf8_valid(email, strlen(email));
    return json_pack("{s:s, s:s, s:s, s:b, s:o, s:s, s:o}", "form_id", "newsletter", "action",
                     "/newsletter/subscribe", "token", form_token(app, req->arena), "has_topics",
                     json_array_size(topics) > 0, "topics", topics, "email", keep ? email : "",
                     "error", error ? json_string(error) : json_false());
}

void site_newsletter_off_page(site_app *app, http_request *req, http_response *res)
{
    site_newsletter_say(app, req, 404, "No newsletter",
                        "This site does not send a newsletter at the moment.", res);
}

void site_newsletter_page(void *app_ptr, http_request *req, const http_params *params,
                          http_response *res)
{
    site_app *app = app_ptr;
    if (!site_newsletter_on(app, req->arena)) return site_newsletter_off_page(app, req, res);
    site_newsletter_answer_page an = {
        200,
        "Daily newsletter",
        "The day's top stories of the topics you choose (all of them if you choose "
        "none), once a day. You confirm by email; every email has a link to leave.",
        false,
        site_newsletter_signup_form(app, req, NULL, NULL, NULL),
        NULL};
    site_newsletter_answer(app, req, &an, res);
}
