/* push.c — the Web Push endpoints (docs/push.md):
 *   GET  /api/v1/push/key                       the site's VAPID public key (base64url)
 *   POST /api/v1/push/subscriptions             a browser's PushSubscription JSON -> 201
 *   POST /api/v1/push/unsubscribe               {"endpoint": URL} -> 204
 *   POST /api/v1/admin/articles/{slug}/breaking mark a live story breaking (bearer token) -> 202
 * Subscribing is a browser request that changes state: a cross-site one is refused (the
 * same-origin check of comment posts), the body must be JSON (a form cannot send it without
 * a CORS preflight), and each IP address may change subscriptions only so often. And the
 * server's part of Web Push: site_push_start makes sure the site has its VAPID keys and starts
 * the sender thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../content/content.h"
#include "../push/push.h"
#include "../site/site.h"
#include "api_response.h"

enum { SUBSCRIBE_WINDOW_SECONDS = 600 };

struct site_push {
    push_sender *sender;
    comment_rate_limiter *limiter; /* subscription changes per IP address */
};

site_push *site_push_start(site_app *app, char *err, size_t errlen)
{
    site_push *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    arena *a = arena_new();
    unsigned per_window = site_setting_number(app, a, "push_rate_limit", 20, 1000000);
    arena_free(a);
    p->limiter = comment_rate_limiter_new(per_window ? per_window : 1, SUBSCRIBE_WINDOW_SECONDS);
    p->sender =
        p->limiter ? push_sender_start(app->store, app->config.base_url, err, errlen) : NULL;
    if (!p->sender) {
        if (!p->limiter) snprintf(err, errlen, "out of memory");
        comment_rate_limiter_free(p->limiter);
        free(p);
        return NULL;
    }
    return p;
}

void site_push_stop(site_push *p)
{
    if (!p) return;
    push_sender_stop(p->sender);
    comment_rate_limiter_free(p->limiter);
    free(p);
}

void api_push_key(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    store_push_vapid keys;
    store_status st = store_push_vapid_get(app->store, req->arena, &keys);
    if (st == STORE_NOT_FOUND)
        return api_send_error(res, 503, "Web Push is not set up yet; start the server once");
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    const char *key = push_b64url_encode(req->arena, keys.public_key, PUSH_PUBLIC_KEY_BYTES);
    api_send_json(res, 200, json_pack("{s:s}", "public_key", key), "public, max-age=300");
}

/* The checks every browser POST here passes first: same origin, a JSON body of a sane size.
 * False (res filled) when one fails. */
static bool browser_post_ok(http_request *req, http_response *res)
{
    if (!comment_post_same_origin(http_header(req, "Host"), http_header(req, "Sec-Fetch-Site"),
                                  http_header(req, "Origin"), http_header(req, "Referer"))) {
        api_send_error(res, 403, "cross-site requests cannot change subscriptions");
        return false;
    }
    const char *type = http_header(req, "Content-Type");
    size_t n = type ? strcspn(type, "; \t") : 0;
    if (!type || n != 16 || strncasecmp(type, "application/json", 16) != 0) {
        api_send_error(res, 415, "send the body as application/json");
        return false;
    }
    if (req->body_len > PUSH_MAX_REQUEST_BYTES) {
        api_send_error(res, 413, "the body is too large");
        return false;
    }
    return true;
}

static bool allow_insecure(site_app *app, arena *a)
{
    return push_setting_on(site_setting_text(app, a, PUSH_SETTING_ALLOW_INSECURE));
}

static bool within_rate(site_app *app, http_request *req, http_response *res)
{
    if (!app->push) {
        api_send_error(res, 503, "Web Push is not running on this server");
        return false;
    }
    if (comment_rate_limiter_allow(app->push->limiter, http_client_ip(req), (long long)time(NULL)))
        return true;
    api_send_error(res, 429, "too many subscription changes from your address; try again later");
    http_set_header(res, "Retry-After", "600");
    return false;
}

void api_push_subscribe(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    if (!browser_post_ok(req, res)) return;
    push_subscription sub;
    const char *problem;
    if (!push_subscription_parse(req->arena, req->body, req->body_len,
                                 allow_insecure(app, req->arena), &sub, &problem))
        return api_send_error(res, 400, problem);
    if (!within_rate(app, req, res)) return;
    store_status st = store_push_subscribe(app->store, sub.endpoint, sub.p256dh, sub.auth);
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    api_send_json(res, 201, json_pack("{s:b}", "subscribed", 1), "no-store");
}

void api_push_unsubscribe(void *app_ptr, http_request *req, const http_params *params,
                          http_response *res)
{
    site_app *app = app_ptr;
    if (!browser_post_ok(req, res)) return;
    const char *endpoint, *problem;
    if (!push_unsubscribe_parse(req->arena, req->body, req->body_len, &endpoint, &problem))
        return api_send_error(res, 400, problem);
    if (!within_rate(app, req, res)) return;
    store_status st = store_push_unsubscribe(app->store, endpoint);
    if (st != STORE_OK && st != STORE_NOT_FOUND) /* gone already is as good as gone */
        return api_send_error(res, site_status_for(st), store_strerror(st));
    res->status = 204;
    http_set_header(res, "Cache-Control", "no-store");
}

void api_admin_article_breaking(void *app_ptr, http_request *req, const http_params *params,
                                http_response *res)
{
    site_app *app = app_ptr;
    if (!api_admin_authorised(app, req, res)) return;
    const char *slug = http_param(params, "slug");
    if (!slug || !content_slug_is_valid(slug)) return api_send_error(res, 404, "no such story");
    long long queued, marked_at;
    store_status st = store_push_mark_breaking(app->store, slug, &queued, &marked_at);
    if (st == STORE_NOT_FOUND) return api_send_error(res, 404, "no live story has that slug");
    if (st == STORE_CONFLICT) {
        json_t *body = json_pack("{s:s, s:i, s:s, s:I, s:s}", "error",
                                 "the story was marked breaking already; no new alerts were sent",
                                 "status", 409, "slug", slug, "queued", (json_int_t)queued,
                                 "marked_at", content_format_time(req->arena, marked_at));
        return api_send_json(res, 409, body, "no-store");
    }
    if (st != STORE_OK) return api_send_error(res, site_status_for(st), store_strerror(st));
    if (app->push) push_sender_wake(app->push->sender);
    api_send_json(res, 202,
                  json_pack("{s:s, s:I, s:s}", "slug", slug, "queued", (json_int_t)queued,
                            "marked_at", content_format_time(req->arena, marked_at)),
                  "no-store");
}
