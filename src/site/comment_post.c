/* comment_post.c — POST /news/{slug}/comments: a reader's comment. Order of checks: the story
 * takes comments, the form decodes, the fields are valid, the signed token (and its CSRF
 * cookie) holds, the anti-spam rules pass, the IP is within its rate; then the comment is
 * saved in one transaction and the reader is sent back to it with a 303. Anything refused
 * shows the article page again with the reader's text kept and a message saying why. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../api/article_json.h"
#include "../content/content.h"
#include "site.h"

/* Shows the page again with the form as the reader sent it. */
static void reshow(site_app *app, http_request *req, const store_article *article,
                   const comment_form *form, const comment_errors *errors, const char *message,
                   int status, http_response *res)
{
    site_comment_submission sub = {form, errors, message};
    res->status = status;
    http_set_header(res, "Cache-Control", "private, no-store");
    site_article_page(app, req, article, &sub, res);
}

static void log_refusal(site_app *app, http_request *req, const char *slug, const char *reason)
{
    unsigned long count = atomic_fetch_add(&app->comments_refused, 1) + 1;
    fprintf(stderr, "gazette: comment refused on %s from %s: %s (%lu refused since start)\n", slug,
            http_client_ip(req), reason, count);
}

static bool is_form_post(http_request *req)
{
    const char *type = http_header(req, "Content-Type");
    return type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* Runs the same-origin, token, spam and rate checks; a sentence for the reader when one fails. */
static const char *refusal(site_app *app, http_request *req, const store_article *article,
                           const site_comment_settings *cs, const comment_form *form,
                           const char **reason)
{
    if (!comment_post_same_origin(http_header(req, "Host"), http_header(req, "Sec-Fetch-Site"),
                                  http_header(req, "Origin"), http_header(req, "Referer"))) {
        *reason = "cross-site post";
        return "This form was sent from another site. Please open the story on this site and "
               "send your comment from there.";
    }
    long long now = (long long)time(NULL);
    comment_token_status ts =
        comment_token_check(app->comment_key, form->token ? form->token : "", article->id, now,
                            cs->min_seconds, cs->max_age_seconds);
    if (ts != TOKEN_OK) {
        *reason = "form token refused";
        return comment_token_message(ts);
    }
    comment_spam_rules rules = {cs->max_links, cs->blocked_words, cs->blocked_ips};
    const char *ip = http_client_ip(req);
    if ((*reason = comment_spam_reason(req->arena, &rules, form, ip)))
        return comment_spam_message(req->arena, *reason);
    if (!comment_rate_limiter_allow(app->comment_limiter, ip, now)) {
        *reason = "rate limit";
        return "You have sent several comments in a short time. Please wait a few minutes "
               "before sending another.";
    }
    return NULL;
}

static void save(site_app *app, http_request *req, const store_article *article,
                 const site_comment_settings *cs, const comment_form *form, http_response *res)
{
    const char *agent = http_header(req, "User-Agent");
    store_comment_input in = {.article_id = article->id,
                              .parent_id = form->parent,
                              .author_name = form->author,
                              .author_email = form->email,
                              .author_url = form->url,
                              .body = form->comment,
                              .ip = http_client_ip(req),
                              .user_agent = agent ? agent : "",
                              .moderation = cs->moderation,
                              .max_depth = cs->max_depth};
    long long id = 0;
    comment_status status;
    store_status st = store_comment_add(app->store, &in, &id, &status);
    if (st == STORE_OK) /* the next page shows it */
        site_freshness_forget_story(app->cache, app->story_views, article->id);
    const char *path = article_url(req->arena, article->slug);
    if (st == STORE_OK && status == COMMENT_APPROVED)
        return http_redirect(res, 303, arena_printf(req->arena, "%s#comment-%lld", path, id));
    if (st == STORE_OK)
        return http_redirect(res, 303,
                             arena_printf(req->arena, "%s?held=%s#comment-%lld", path,
                                          site_held_ticket(app, req->arena, id), id));
    if (st == STORE_CONFLICT)
        return reshow(app, req, article, form, NULL, "You have already posted this comment.", 409,
                      res);
    if (st == STORE_INVALID)
        return reshow(app, req, article, form, NULL,
                      "The comment you are replying to cannot be answered any more. Please "
                      "post your comment without replying.",
                      422, res);
    /* busy (503), disk full (503) or broken (500): the theme's error page; the reason goes to
     * the log only */
    fprintf(stderr, "gazette: cannot save a comment on %s: %s (%s)\n", article->slug,
            store_strerror(st), store_last_error(app->store));
    res->status = site_status_for(st);
}

void site_comment_post(void *app_ptr, http_request *req, const http_params *params,
                       http_response *res)
{
    site_app *app = app_ptr;
    site_cache_refresh(app); /* settings changed elsewhere apply to this post */
    store_article article;
    if (!site_find_article(app, req, params, &article, res)) return;
    const char *slug = article.slug;
    site_comment_settings cs;
    site_comment_settings_load(app, req->arena, &cs);
    comment_form form = {0};
    if (site_comments_closed(&cs, &article))
        return reshow(app, req, &article, &form, NULL, "Comments are closed on this story.", 403,
                      res);
    form_field *fields = NULL;
    size_t n = 0;
    if (!is_form_post(req) ||
        !form_decode(req->arena, req->body ? req->body : "", req->body_len, &fields, &n))
        return reshow(app, req, &article, &form, NULL,
                      "The form could not be read. Please reload the page and try again.", 400,
                      res);
    comment_form_read(req->arena, fields, n, &form);
    comment_errors errors = {0};
    comment_validate(req->arena, &form, &errors);
    if (errors.n)
        return reshow(app, req, &article, &form, &errors, "Please correct the fields marked below.",
                      422, res);
    const char *reason = NULL;
    const char *message = refusal(app, req, &article, &cs, &form, &reason);
    if (message) {
        log_refusal(app, req, slug, reason);
        return reshow(app, req, &article, &form, NULL, message,
                      strcmp(reason, "rate limit") == 0 ? 429 : 403, res);
    }
    save(app, req, &article, &cs, &form, res);
}
