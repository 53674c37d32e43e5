/* newsletter_links.c — the links the newsletter's emails carry: the confirmation (a GET
 * showing a button, the POST confirming: link scanners only GET) and unsubscribing (a GET
 * showing a button, and the RFC 8058 one-click POST, whose unguessable token is its only
 * authority: it comes from mail providers, so it has no form token). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "newsletter_pages.h"

/* ---- confirming ----------------------------------------------------------------------------- */
static void bad_confirm_link(site_app *app, http_request *req, http_response *res)
{
    site_newsletter_say(
        app, req, 404, "Link not valid",
        "This confirmation link is not valid, or it was already used. If you have not "
        "confirmed yet, please subscribe again to get a new link.",
        res);
}

static void expired_link(site_app *app, http_request *req, http_response *res)
{
    site_newsletter_say(
        app, req, 410, "Link expired",
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
    site_newsletter_answer_page an = {
        200,
        "Confirm your subscription",
        arena_printf(req->arena, "Press the button to receive the daily newsletter at %s.",
                     sub.email),
        false,
        NULL,
        site_newsletter_button("/newsletter/confirm", "Confirm my subscription", "token", token)};
    site_newsletter_answer(app, req, &an, res);
}

void site_newsletter_confirm(void *app_ptr, http_request *req, const http_params *params,
                             http_response *res)
{
    site_app *app = app_ptr;
    form_field *fields = NULL;
    size_t n = 0;
    if (!site_newsletter_is_form_post(req) ||
        !form_decode(req->arena, req->body ? req->body : "", req->body_len, &fields, &n))
        return site_newsletter_say(
            app, req, 400, "Not confirmed",
            "The form could not be read. Please open the link in the email again.", res);
    if (!comment_post_same_origin(http_header(req, "Host"), http_header(req, "Sec-Fetch-Site"),
                                  http_header(req, "Origin"), http_header(req, "Referer")))
        return site_newsletter_say(
            app, req, 403, "Not confirmed",
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
        return site_newsletter_say(
            app, req, site_status_for(st), "Please try again later",
            "We could not confirm your subscription just now. Please open the link "
            "again in a few minutes.",
            res);
    }
    site_newsletter_say(
        app, req, 200, "Subscription confirmed",
        "Thank you: you will receive the day's top stories once a day. Every email has a link "
        "to unsubscribe.",
        res);
}

/* ---- unsubscribing -------------------------------------------------------------------------- */
static void bad_unsubscribe_link(site_app *app, http_request *req, http_response *res)
{
    site_newsletter_say(
        app, req, 404, "Link not valid",
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
        return site_newsletter_say(
            app, req, 200, "Already unsubscribed",
            "This address is already unsubscribed: it receives no newsletter.", res);
    site_newsletter_answer_page an = {
        200,
        "Unsubscribe",
        arena_printf(req->arena, "Press the button to stop the newsletter to %s.", sub.email),
        false,
        NULL,
        site_newsletter_button(arena_printf(req->arena, "/newsletter/unsubscribe?token=%s", token),
                               "Unsubscribe", "List-Unsubscribe", "One-Click")};
    site_newsletter_answer(app, req, &an, res);
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
        return site_newsletter_say(
            app, req, 400, "Not unsubscribed",
            "The request could not be read. Please open the unsubscribe link again.", res);
    if (!newsletter_unsubscribe_check(app->newsletter->key, http_query(req, "token"), &id))
        return bad_unsubscribe_link(app, req, res);
    store_status st = store_newsletter_unsubscribe(app->store, id, (long long)time(NULL));
    if (st == STORE_NOT_FOUND) return bad_unsubscribe_link(app, req, res);
    if (st != STORE_OK) {
        fprintf(stderr, "gazette: newsletter: cannot unsubscribe: %s\n",
                store_last_error(app->store));
        return site_newsletter_say(
            app, req, site_status_for(st), "Please try again later",
            "We could not unsubscribe you just now. Please open the link again in a few "
            "minutes.",
            res);
    }
    site_newsletter_say(app, req, 200, "Unsubscribed",
                        "You are unsubscribed: this address will receive no more newsletters.",
                        res);
}
