/* newsletter_subscribe.c — POST /newsletter/subscribe: the same-origin check, the signed
 * form token, the honeypot, the address and topic checks and the per-IP rate, in that order;
 * then a pending subscriber and a confirmation email sent at once with a short timeout (a
 * failed send withdraws the request, so a retry starts clean). Every refusal is a page saying
 * what to do; nothing is stored or sent. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../content/content.h"
#include "../core/text.h"
#include "newsletter_pages.h"

enum { MAX_TOPICS = 100, CONFIRM_TIMEOUT_SECONDS = 10 };

/* ---- subscribing ---------------------------------------------------------------------------- */
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
    site_newsletter_say(
        app, req, 200, "Check your inbox",
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
        return site_newsletter_say(
            app, req, 503, "Please try again later",
            "We could not record your subscription just now. Please try again in a few "
            "minutes.",
            res);
    }
    char err[512];
    if (!send_confirmation(app, req->arena, email, id, token, err, sizeof err)) {
        fprintf(stderr, "gazette: newsletter: cannot send a confirmation email: %s\n", err);
        if (store_newsletter_withdraw(app->store, id, hash) != STORE_OK)
            fprintf(stderr, "gazette: newsletter: %s\n", store_last_error(app->store));
        return site_newsletter_say(
            app, req, 503, "Could not send the confirmation email",
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
        site_newsletter_say(
            app, req, 403, "Not subscribed",
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
        site_newsletter_say(app, req, 403, "Not subscribed", token_refusal(ts), res);
        return true;
    }
    return false;
}

void site_newsletter_subscribe(void *app_ptr, http_request *req, const http_params *params,
                               http_response *res)
{
    site_app *app = app_ptr;
    site_cache_refresh(app); /* settings changed elsewhere apply to this post */
    if (!site_newsletter_on(app, req->arena)) return site_newsletter_off_page(app, req, res);
    form_field *fields = NULL;
    size_t n = 0;
    if (!site_newsletter_is_form_post(req) ||
        !form_decode(req->arena, req->body ? req->body : "", req->body_len, &fields, &n))
        return site_newsletter_say(
            app, req, 400, "Not subscribed",
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
        site_newsletter_answer_page an = {422,
                                          "Not subscribed",
                                          error,
                                          true,
                                          site_newsletter_signup_form(app, req, email, NULL, error),
                                          NULL};
        return site_newsletter_answer(app, req, &an, res);
    }
    if (!comment_rate_limiter_allow(app->newsletter->limiter, http_client_ip(req),
                                    (long long)time(NULL))) {
        log_refusal(req, "rate limit");
        return site_newsletter_say(
            app, req, 429, "Please wait",
            "Several subscriptions were asked from your address in a short time. Please "
            "wait an hour and try again.",
            res);
    }
    subscribe(app, req, email, topics, res);
}
