/* newsletter.c — the newsletter's pages (docs/newsletter.md): the sign-up form (in every
 * page's footer, through site_newsletter_view, and at /newsletter/), the subscription POST
 * (same-origin check, signed form token, honeypot, address and topic checks, per-IP rate,
 * then a pending subscriber and a confirmation email sent at once with a short timeout), the
 * confirmation (a GET showing a button, the POST confirming: link scanners only GET) and the
 * unsubscribe link (a GET showing a button, and the RFC 8058 one-click POST, whose token is
 * its only authority). Every answer is a page of the theme's newsletter template; none is
 * cached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../content/content.h"
#include "../core/text.h"
#include "../newsletter/newsletter.h"
#include "site.h"

/* The comment form's token, issued for this "article" number, signs the newsletter form:
 * stories are numbered from 1, so neither form's token passes for the other. */
enum { NEWSLETTER_FORM_ID = 0, MAX_TOPICS = 100, CONFIRM_TIMEOUT_SECONDS = 10 };
enum { RATE_WINDOW_SECONDS = 3600 };

struct site_newsletter {
    comment_rate_limiter *limiter;
    unsigned char key[NEWSLETTER_KEY_BYTES];
};

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
static bool newsletter_on(site_app *app, arena *a)
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
    if (!app->newsletter || !newsletter_on(app, req->arena)) return;
    json_t *topics = json_object_get(site, "nav_topics");
    json_object_set_new(site, "newsletter",
                        json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:b}", "form_id",
                                  "footer-newsletter", "action", "/newsletter/subscribe", "token",
                                  form_token(app, req->arena), "email", "", "error", false,
                                  "topics", topics ? json_incref(topics) : json_array(),
                                  "has_topics", json_array_size(topics) > 0));
}

/* ---- answer pages ------------------------------------------------------------------------ */
typedef struct {
    int status;
    const char *title, *message;
    bool error;
    json_t *form;   /* the sign-up form to show again, or NULL */
    json_t *button; /* {action, label, fields: [{name, value}]}, or NULL */
} answer;

static void render_answer(site_app *app, http_request *req, answer *an, http_response *res)
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

static void say(site_app *app, http_request *req, int status, const char *title,
                const char *message, http_response *res)
{
    answer an = {status, title, message, status >= 400, NULL, NULL};
    render_answer(app, req, &an, res);
}

static json_t *button(const char *action, const char *label, const char *name, const char *value)
{
    return json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "action", action, "label", label, "fields",
                     "name", name, "value", value);
}

/* The sign-up form: every topic with a live story, the chosen ones checked. */
static json_t *signup_form(site_app *app, http_request *req, const char *email, const char *chosen,
                           const char *error)
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

static void off_page(site_app *app, http_request *req, http_response *res)
{
    say(app, req, 404, "No newsletter", "This site does not send a newsletter at the moment.", res);
}

void site_newsletter_page(void *app_ptr, http_request *req, const http_params *params,
                          http_response *res)
{
    site_app *app = app_ptr;
    if (!newsletter_on(app, req->arena)) return off_page(app, req, res);
    answer an = {200,
                 "Daily newsletter",
                 "The day's top stories of the topics you choose (all of them if you choose "
                 "none), once a day. You confirm by email; every email has a link to leave.",
                 false,
                 signup_form(app, req, NULL, NULL, NULL),
                 NULL};
    render_answer(app, req, &an, res);
}

/* ---- subscribing ---------------------------------------------------------------------------- */
static bool is_form_post(http_request *req)
{
    const char *type = http_header(req, "Content-Type");
    return type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

static void log_refusal(http_request *req, const char *reason)
{
    fprintf(stderr, "gazette: newsletter sign-up refused from %s: %s\n", http_client_ip(req),
            reason);
}

static const char *token_refusal(comment_token_status status)
{
    switch (status) {
    case TOKEN_TOO_FAST:
        return "The form was sent too quickly after the page loaded. Please wait a few seconds "
               "and send it again.";
    case TOKEN_EXPIRED:
        return "The form has expired because the page was open for a long time. Please reload "
               "the page and subscribe again.";
    default:
        return "The form could not be verified. Please reload the page and subscribe again.";
    }
}

static bool seen_before(const form_field *fields, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(fields[k].name, "topic") == 0 && strcmp(fields[k].value, fields[i].value) == 0)
            return true;
    return false;
}

/* The chosen topics as "slug slug", each an existing topic; NULL (and *error) otherwise. */
static const char *read_topics(site_app *app, http_request *req, const form_field *fields, size_t n,
                               const char **error)
{
    buf out = {0};
    size_t count = 0;
    for (size_t i = 0; i < n && !*error; i++) {
        if (strcmp(fields[i].name, "topic") != 0 || !fields[i].value[0]) continue;
        store_topic topic;
        if (++count > MAX_TOPICS)
            *error = "Too many topics were chosen.";
        else if (!content_slug_is_valid(fields[i].value) ||
                 store_topic_by_slug(app->store, req->arena, fields[i].value, &topic) != STORE_OK)
            *error = "One of the chosen topics does not exist. Please reload the page and choose "
                     "again.";
        else if (!seen_before(fields, i))
            buf_printf(&out, "%s%s", out.len ? " " : "", fields[i].value);
    }
    const char *topics = *error ? NULL : arena_strdup(req->arena, out.data ? out.data : "");
    buf_free(&out);
    return topics;
}

/* Builds and sends the confirmation email; false with the reason in err. */
static bool send_confirmation(site_app *app, arena *a, const char *email, long long id,
                              const char *token, char *err, size_t errlen)
{
    newsletter_smtp_config cfg;
    if (!newsletter_smtp_settings(app->store, a, &cfg, err, errlen)) return false;
    cfg.timeout_seconds = CONFIRM_TIMEOUT_SECONDS;
    const char *base = app->config.base_url;
    const char *confirm = arena_printf(a, "%s/newsletter/confirm?token=%s", base, token);
    newsletter_message m = {
        .from_name = app->config.name,
        .from = cfg.from,
        .to = email,
        .unsubscribe_url = arena_printf(a, "%s/newsletter/unsubscribe?token=%s", base,
                                        newsletter_unsubscribe_token(a, app->newsletter->key, id)),
        .date = (long long)time(NULL)};
    newsletter_confirm_write(a, app->config.name, arena_printf(a, "%s/", base), confirm, &m.subject,
                             &m.text, &m.html);
    const char *message = newsletter_mime_build(a, &m);
    newsletter_smtp *smtp = message ? newsletter_smtp_open(&cfg) : NULL;
    bool ok = smtp && newsletter_smtp_send(smtp, email, message, err, errlen);
    if (!smtp) snprintf(err, errlen, "cannot build the message or start libcurl");
    newsletter_smtp_close(smtp);
    return ok;
}

static void check_inbox(site_app *app, http_request *req, http_response *res)
{
    say(app, req, 200, "Check your inbox",
        "Thank you. We have sent a confirmation link to the address you gave: open it within "
        "48 hours to start receiving the newsletter. If nothing arrives, look in your spam "
        "folder, or subscribe again to get a new link.",
        res);
}

/* Saves the request and emails the link; the reader's answer either way. */
static void subscribe(site_app *app, http_request *req, const char *email, const char *topics,
                      http_response *res)
{
    const char *token = newsletter_token_new(req->arena);
    unsigned char hash[NEWSLETTER_HASH_BYTES];
    newsletter_token_hash(token, hash);
    long long id = 0, now = (long long)time(NULL);
    store_status st = store_newsletter_request(app->store, email, topics, hash,
                                               now + NEWSLETTER_CONFIRM_SECONDS, &id);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette: newsletter: cannot save a subscriber: %s\n",
                store_last_error(app->store));
        return say(app, req, 503, "Please try again later",
                   "We could not record your subscription just now. Please try again in a few "
                   "minutes.",
                   res);
    }
    char err[512];
    if (!send_confirmation(app, req->arena, email, id, token, err, sizeof err)) {
        fprintf(stderr, "gazette: newsletter: cannot send a confirmation email: %s\n", err);
        if (store_newsletter_withdraw(app->store, id, hash) != STORE_OK)
            fprintf(stderr, "gazette: newsletter: %s\n", store_last_error(app->store));
        return say(app, req, 503, "Could not send the confirmation email",
                   "We could not send the confirmation email just now, so nothing was "
                   "recorded. Please try again in a few minutes.",
                   res);
    }
    check_inbox(app, req, res);
}

/* The checks of a sign-up, in order; a page for the reader when one fails. */
static bool refuse_signup(site_app *app, http_request *req, const form_field *fields, size_t n,
                          http_response *res)
{
    if (!comment_post_same_origin(http_header(req, "Host"), http_header(req, "Sec-Fetch-Site"),
                                  http_header(req, "Origin"), http_header(req, "Referer"))) {
        log_refusal(req, "cross-site post");
        say(app, req, 403, "Not subscribed",
            "This form was sent from another site. Please open this site and subscribe from "
            "there.",
            res);
        return true;
    }
    site_comment_settings cs;
    site_comment_settings_load(app, req->arena, &cs);
    const char *token = form_get(fields, n, "gz_token");
    comment_token_status ts =
        comment_token_check(app->comment_key, token ? token : "", NEWSLETTER_FORM_ID,
                            (long long)time(NULL), cs.min_seconds, cs.max_age_seconds);
    if (ts != TOKEN_OK) {
        log_refusal(req, "form token refused");
        say(app, req, 403, "Not subscribed", token_refusal(ts), res);
        return true;
    }
    return false;
}

void site_newsletter_subscribe(void *app_ptr, http_request *req, const http_params *params,
                               http_response *res)
{
    site_app *app = app_ptr;
    site_cache_refresh(app); /* settings changed elsewhere apply to this post */
    if (!newsletter_on(app, req->arena)) return off_page(app, req, res);
    form_field *fields = NULL;
    size_t n = 0;
    if (!is_form_post(req) ||
        !form_decode(req->arena, req->body ? req->body : "", req->body_len, &fields, &n))
        return say(app, req, 400, "Not subscribed",
                   "The form could not be read. Please reload the page and try again.", res);
    if (refuse_signup(app, req, fields, n, res)) return;
    const char *honeypot = form_get(fields, n, "gz_website");
    if (honeypot && *honeypot) { /* a bot: it learns nothing, nothing is stored or sent */
        log_refusal(req, "honeypot filled");
        return check_inbox(app, req, res);
    }
    const char *email = form_get(fields, n, "email");
    size_t len = email ? strlen(email) : 0;
    const char *trimmed = email ? text_trim_blanks(email, &len) : NULL;
    email = trimmed ? arena_strndup(req->arena, trimmed, len) : "";
    const char *error = NULL;
    newsletter_email_status es = newsletter_email_check(email, len);
    if (es != NEWSLETTER_EMAIL_OK) error = newsletter_email_message(es);
    const char *topics = error ? NULL : read_topics(app, req, fields, n, &error);
    if (error) {
        answer an = {422, "Not subscribed", error, true, signup_form(app, req, email, NULL, error),
                     NULL};
        return render_answer(app, req, &an, res);
    }
    if (!comment_rate_limiter_allow(app->newsletter->limiter, http_client_ip(req),
                                    (long long)time(NULL))) {
        log_refusal(req, "rate limit");
        return say(app, req, 429, "Please wait",
                   "Several subscriptions were asked from your address in a short time. Please "
                   "wait an hour and try again.",
                   res);
    }
    subscribe(app, req, email, topics, res);
}

/* ---- confirming ----------------------------------------------------------------------------- */
static void bad_confirm_link(site_app *app, http_request *req, http_response *res)
{
    say(app, req, 404, "Link not valid",
        "This confirmation link is not valid, or it was already used. If you have not "
        "confirmed yet, please subscribe again to get a new link.",
        res);
}

static void expired_link(site_app *app, http_request *req, http_response *res)
{
    say(app, req, 410, "Link expired",
        "This confirmation link has expired: links work for 48 hours. Please subscribe again "
        "to get a new one.",
        res);
}

void site_newsletter_confirm_page(void *app_ptr, http_request *req, const http_params *params,
                                  http_response *res)
{
    site_app *app = app_ptr;
    const char *token = http_query(req, "token");
    unsigned char hash[NEWSLETTER_HASH_BYTES];
    store_subscriber sub;
    if (!newsletter_token_hash(token, hash)) return bad_confirm_link(app, req, res);
    store_status st = store_newsletter_by_confirmation(app->store, req->arena, hash, &sub);
    if (st == STORE_NOT_FOUND) return bad_confirm_link(app, req, res);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    if (sub.confirm_expires < (long long)time(NULL)) return expired_link(app, req, res);
    answer an = {200,
                 "Confirm your subscription",
                 arena_printf(req->arena, "Press the button to receive the daily newsletter at %s.",
                              sub.email),
                 false,
                 NULL,
                 button("/newsletter/confirm", "Confirm my subscription", "token", token)};
    render_answer(app, req, &an, res);
}

void site_newsletter_confirm(void *app_ptr, http_request *req, const http_params *params,
                             http_response *res)
{
    site_app *app = app_ptr;
    form_field *fields = NULL;
    size_t n = 0;
    if (!is_form_post(req) ||
        !form_decode(req->arena, req->body ? req->body : "", req->body_len, &fields, &n))
        return say(app, req, 400, "Not confirmed",
                   "The form could not be read. Please open the link in the email again.", res);
    if (!comment_post_same_origin(http_header(req, "Host"), http_header(req, "Sec-Fetch-Site"),
                                  http_header(req, "Origin"), http_header(req, "Referer")))
        return say(app, req, 403, "Not confirmed",
                   "This form was sent from another site. Please open the link in the email "
                   "again.",
                   res);
    unsigned char hash[NEWSLETTER_HASH_BYTES];
    if (!newsletter_token_hash(form_get(fields, n, "token"), hash))
        return bad_confirm_link(app, req, res);
    store_status st = store_newsletter_confirm(app->store, hash, (long long)time(NULL));
    if (st == STORE_NOT_FOUND) return bad_confirm_link(app, req, res);
    if (st == STORE_INVALID) return expired_link(app, req, res);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette: newsletter: cannot confirm: %s\n", store_last_error(app->store));
        return say(app, req, site_status_for(st), "Please try again later",
                   "We could not confirm your subscription just now. Please open the link "
                   "again in a few minutes.",
                   res);
    }
    say(app, req, 200, "Subscription confirmed",
        "Thank you: you will receive the day's top stories once a day. Every email has a link "
        "to unsubscribe.",
        res);
}

/* ---- unsubscribing -------------------------------------------------------------------------- */
static void bad_unsubscribe_link(site_app *app, http_request *req, http_response *res)
{
    say(app, req, 404, "Link not valid",
        "This unsubscribe link is not valid. Please use the link of a recent newsletter email.",
        res);
}

void site_newsletter_unsubscribe_page(void *app_ptr, http_request *req, const http_params *params,
                                      http_response *res)
{
    site_app *app = app_ptr;
    const char *token = http_query(req, "token");
    long long id;
    store_subscriber sub;
    if (!newsletter_unsubscribe_check(app->newsletter->key, token, &id))
        return bad_unsubscribe_link(app, req, res);
    store_status st = store_newsletter_subscriber(app->store, req->arena, id, &sub);
    if (st == STORE_NOT_FOUND) return bad_unsubscribe_link(app, req, res);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    if (sub.status == SUBSCRIBER_UNSUBSCRIBED)
        return say(app, req, 200, "Already unsubscribed",
                   "This address is already unsubscribed: it receives no newsletter.", res);
    answer an = {
        200,
        "Unsubscribe",
        arena_printf(req->arena, "Press the button to stop the newsletter to %s.", sub.email),
        false,
        NULL,
        button(arena_printf(req->arena, "/newsletter/unsubscribe?token=%s", token), "Unsubscribe",
               "List-Unsubscribe", "One-Click")};
    render_answer(app, req, &an, res);
}

/* The RFC 8058 body: List-Unsubscribe=One-Click, as a URL-encoded form or multipart. */
static bool one_click(http_request *req)
{
    const char *type = http_header(req, "Content-Type");
    const char *body = req->body ? req->body : "";
    form_field *fields;
    size_t n;
    if (type && strncasecmp(type, "multipart/form-data", 19) == 0)
        return strstr(body, "name=\"List-Unsubscribe\"") && strstr(body, "One-Click");
    if (!form_decode(req->arena, body, req->body_len, &fields, &n)) return false;
    const char *value = form_get(fields, n, "List-Unsubscribe");
    return value && strcmp(value, "One-Click") == 0;
}

void site_newsletter_unsubscribe(void *app_ptr, http_request *req, const http_params *params,
                                 http_response *res)
{
    site_app *app = app_ptr;
    long long id;
    if (!one_click(req))
        return say(app, req, 400, "Not unsubscribed",
                   "The request could not be read. Please open the unsubscribe link again.", res);
    if (!newsletter_unsubscribe_check(app->newsletter->key, http_query(req, "token"), &id))
        return bad_unsubscribe_link(app, req, res);
    store_status st = store_newsletter_unsubscribe(app->store, id, (long long)time(NULL));
    if (st == STORE_NOT_FOUND) return bad_unsubscribe_link(app, req, res);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette: newsletter: cannot unsubscribe: %s\n",
                store_last_error(app->store));
        return say(app, req, site_status_for(st), "Please try again later",
                   "We could not unsubscribe you just now. Please open the link again in a few "
                   "minutes.",
                   res);
    }
    say(app, req, 200, "Unsubscribed",
        "You are unsubscribed: this address will receive no more newsletters.", res);
}
