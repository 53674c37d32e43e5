/* comments.c — comments on the article page: the settings that govern them, the threaded
 * list and the "Leave a Reply" form in the page's view model, and the POST that receives a
 * comment (validate, anti-spam, save in one transaction, then 303 back to it). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../api/article_json.h"
#include "../content/content.h"
#include "site.h"

enum { COMMENT_WINDOW_SECONDS = 600, HELD_SIG_BYTES = 8 };

static const char *setting_text(site_app *app, arena *a, const char *key)
{
    const char *text = site_setting_text(app, a, key);
    return text ? text : "";
}

void site_comment_settings_load(site_app *app, arena *a, site_comment_settings *out)
{
    const char *mode = setting_text(app, a, "comments.moderation");
    out->moderation = strcmp(mode, "hold-all") == 0  ? MODERATION_HOLD_ALL
                      : strcmp(mode, "publish") == 0 ? MODERATION_PUBLISH
                                                     : MODERATION_HOLD_FIRST;
    out->max_depth = site_setting_number(app, a, "comments.max_depth", 3, 10);
    if (out->max_depth == 0) out->max_depth = 1;
    out->close_after_days = site_setting_number(app, a, "comments.close_after_days", 0, 36500);
    out->max_links = site_setting_number(app, a, "comments.max_links", 2, 1000);
    out->min_seconds = site_setting_number(app, a, "comments.min_seconds", 3, 3600);
    out->max_age_seconds =
        site_setting_number(app, a, "comments.max_age_seconds", 86400, 30 * 86400);
    out->blocked_words = setting_text(app, a, "comments.blocked_words");
    out->blocked_ips = setting_text(app, a, "comments.blocked_ips");
}

bool site_comments_start(site_app *app, char *err, size_t errlen)
{
    arena *a = arena_new();
    const char *hex;
    size_t len = 0;
    bool ok = true;
    if (store_setting_get(app->store, a, "comments.secret", &hex) != STORE_OK ||
        sodium_hex2bin(app->comment_key, sizeof app->comment_key, hex, strlen(hex), NULL, &len,
                       NULL) != 0 ||
        len != sizeof app->comment_key) {
        char fresh[2 * COMMENT_KEY_BYTES + 1];
        randombytes_buf(app->comment_key, sizeof app->comment_key);
        sodium_bin2hex(fresh, sizeof fresh, app->comment_key, sizeof app->comment_key);
        store_status st = store_setting_set(app->store, "comments.secret", fresh);
        if (st != STORE_OK) {
            snprintf(err, errlen, "cannot save the comment signing key: %s", store_strerror(st));
            ok = false;
        }
    }
    unsigned per_window = site_setting_number(app, a, "comments.rate_limit", 5, 1000000);
    arena_free(a);
    app->comment_limiter = comment_rate_limiter_new(per_window, COMMENT_WINDOW_SECONDS);
    return ok && app->comment_limiter;
}

void site_comments_stop(site_app *app)
{
    comment_rate_limiter_free(app->comment_limiter);
    app->comment_limiter = NULL;
}

/* "12-<hex>": lets the writer of a held comment see it, and nobody else. */
char *site_held_ticket(site_app *app, arena *a, long long id)
{
    char message[32];
    unsigned char mac[crypto_auth_BYTES];
    snprintf(message, sizeof message, "held:%lld", id);
    crypto_auth(mac, (const unsigned char *)message, strlen(message), app->comment_key);
    char hex[2 * HELD_SIG_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, mac, HELD_SIG_BYTES);
    return arena_printf(a, "%lld-%s", id, hex);
}

static long long held_comment_id(site_app *app, http_request *req)
{
    const char *ticket = http_query(req, "held");
    if (!ticket) return 0;
    long long id = strtoll(ticket, NULL, 10);
    if (id <= 0) return 0;
    const char *expected = site_held_ticket(app, req->arena, id);
    size_t len = strlen(expected);
    return strlen(ticket) == len && sodium_memcmp(ticket, expected, len) == 0 ? id : 0;
}

bool site_comments_closed(const site_comment_settings *cs, const store_article *article)
{
    if (article->comments_off) return true;
    long long age = (long long)time(NULL) - article->published_at;
    unsigned days = article->comments_days ? article->comments_days : cs->close_after_days;
    return days && age > (long long)days * 86400;
}

static json_t *comment_json(arena *a, const store_comment *c, const char *article_url_path)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(c->id));
    json_object_set_new(j, "anchor", json_string(arena_printf(a, "comment-%lld", c->id)));
    json_object_set_new(j, "author", json_string(c->author_name));
    json_object_set_new(j, "staff", json_boolean(c->staff)); /* a reply from the newsroom */
    json_object_set_new(
        j, "website", c->author_url && c->author_url[0] ? json_string(c->author_url) : json_null());
    json_object_set_new(j, "body_html", json_string(comment_render_html(a, c->body)));
    json_object_set_new(j, "published_at", json_string(content_format_time(a, c->created_at)));
    json_object_set_new(j, "published_display",
                        json_string(article_display_time(a, c->created_at)));
    json_object_set_new(j, "pending", json_boolean(c->status == COMMENT_PENDING));
    json_object_set_new(
        j, "reply_url",
        json_string(arena_printf(a, "%s?reply=%lld#respond", article_url_path, c->id)));
    json_object_set_new(j, "replies", json_array());
    json_object_set_new(j, "has_replies", json_false());
    return j;
}

/* Nests the comments (oldest first) under their parents; a reply whose parent is not shown
 * is shown at the top level. can_reply is false at the deepest level. */
static json_t *comment_tree(arena *a, const store_comment *comments, size_t n,
                            const char *article_path, unsigned max_depth)
{
    json_t *top = json_array(), *by_id = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *c = comment_json(a, &comments[i], article_path);
        char key[32], parent_key[32];
        snprintf(key, sizeof key, "%lld", comments[i].id);
        snprintf(parent_key, sizeof parent_key, "%lld", comments[i].parent_id);
        json_t *parent = comments[i].parent_id ? json_object_get(by_id, parent_key) : NULL;
        json_int_t depth = parent ? json_integer_value(json_object_get(parent, "depth")) + 1 : 1;
        json_object_set_new(c, "depth", json_integer(depth));
        json_object_set_new(c, "can_reply", json_boolean(depth < (json_int_t)max_depth));
        json_array_append(parent ? json_object_get(parent, "replies") : top, c);
        if (parent) json_object_set_new(parent, "has_replies", json_true());
        json_object_set_new(by_id, key, c);
    }
    json_decref(by_id);
    return top;
}

/* The reader's text as valid UTF-8 (JSON needs it): each byte of a broken sequence becomes
 * U+FFFD, so a form refused for bad bytes still comes back with everything else kept. */
static const char *valid_utf8(arena *a, const char *text)
{
    if (!text) return "";
    size_t len = strlen(text);
    if (content_utf8_valid(text, len)) return text;
    buf out = {0};
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t want = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (want && i + want <= len && content_utf8_valid(text + i, want)) {
            buf_append(&out, text + i, want);
            i += want;
        } else {
            buf_puts(&out, "\xEF\xBF\xBD");
            i++;
        }
    }
    const char *copy = arena_strdup(a, out.data);
    buf_free(&out);
    return copy;
}

static json_t *form_values_json(arena *a, const site_comment_submission *sub)
{
    const comment_form *f = sub ? sub->form : NULL;
    return json_pack("{s:s, s:s, s:s, s:s}", "comment", valid_utf8(a, f ? f->comment : NULL),
                     "author", valid_utf8(a, f ? f->author : NULL), "email",
                     valid_utf8(a, f ? f->email : NULL), "url", valid_utf8(a, f ? f->url : NULL));
}

static json_t *form_errors_json(const site_comment_submission *sub, json_t **list)
{
    json_t *errors = json_object();
    *list = json_array();
    for (size_t i = 0; sub && sub->errors && i < sub->errors->n; i++) {
        const comment_error *e = &sub->errors->errors[i];
        if (!json_object_get(errors, e->field))
            json_object_set_new(errors, e->field, json_string(e->message));
        json_array_append_new(*list,
                              json_pack("{s:s, s:s}", "field", e->field, "message", e->message));
    }
    return errors;
}

/* The parent a reply form answers: ?reply=ID on a GET, comment_parent on a re-shown POST. */
static long long reply_parent(http_request *req, const site_comment_submission *sub)
{
    if (sub && sub->form) return sub->form->parent;
    const char *text = http_query(req, "reply");
    long long id = text ? strtoll(text, NULL, 10) : 0;
    return id > 0 ? id : 0;
}

static const char *author_of(const store_comment *comments, size_t n, long long id)
{
    for (size_t i = 0; i < n; i++)
        if (comments[i].id == id) return comments[i].author_name;
    return NULL;
}

static json_t *comment_form_json(site_app *app, http_request *req, const store_article *article,
                                 const site_comment_submission *sub, const char *replying_to,
                                 long long parent)
{
    const char *token = comment_token_issue(req->arena, app->comment_key, article->id,
                                            (long long)time(NULL), comment_nonce_new(req->arena));
    json_t *error_list;
    json_t *errors = form_errors_json(sub, &error_list);
    return json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:i}", "action",
                     arena_printf(req->arena, "%scomments", article_url(req->arena, article->slug)),
                     "token", token, "parent", (json_int_t)(replying_to ? parent : 0),
                     "replying_to", replying_to ? json_string(replying_to) : json_null(), "values",
                     form_values_json(req->arena, sub), "errors", errors, "error_list", error_list,
                     "has_error_list", json_array_size(error_list) > 0, "has_errors",
                     json_array_size(error_list) > 0 || (sub && sub->message), "message",
                     sub && sub->message ? json_string(sub->message) : json_null(), "comment_max",
                     COMMENT_MAX_CHARS);
}

void site_comments_view(site_app *app, http_request *req, const store_article *article,
                        json_t *view, const site_comment_submission *sub, http_response *res)
{
    site_comment_settings cs;
    site_comment_settings_load(app, req->arena, &cs);
    long long held = held_comment_id(app, req);
    store_comment *comments = NULL;
    size_t n = 0;
    if (store_comments_for_article(app->store, req->arena, article->id, held, &comments, &n) !=
        STORE_OK)
        n = 0;
    const char *path = article_url(req->arena, article->slug);
    json_object_set_new(view, "comments",
                        comment_tree(req->arena, comments, n, path, cs.max_depth));
    json_object_set_new(view, "has_comments", json_boolean(n > 0));
    size_t approved = 0;
    for (size_t i = 0; i < n; i++)
        approved += comments[i].status == COMMENT_APPROVED;
    json_object_set_new(view, "comment_count", json_integer((json_int_t)approved));
    bool open = !site_comments_closed(&cs, article);
    json_object_set_new(view, "comments_open", json_boolean(open));
    if (held) http_set_header(res, "Cache-Control", "private, no-store");
    if (!open && sub && sub->message)
        json_object_set_new(view, "comments_message", json_string(sub->message));
    if (!open) return;
    long long parent = reply_parent(req, sub);
    const char *replying_to = parent ? author_of(comments, n, parent) : NULL;
    json_object_set_new(view, "comment_form",
                        comment_form_json(app, req, article, sub, replying_to, parent));
}
