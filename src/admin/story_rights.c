/* story_rights.c — who may see, edit and publish a story (editor.h), and the small things every
 * editor screen shares: the story named by the route, the site's time zone, the story as text
 * for diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "editor.h"
#include "schedule.h"

bool story_rights_for(site_app *app, const admin_user *user, const store_article *article,
                      story_rights *out, http_response *res)
{
    memset(out, 0, sizeof *out);
    if (user->role >= ADMIN_ROLE_EDITOR) {
        *out = (story_rights){true, true, true};
        return true;
    }
    bool publisher = user->role >= ADMIN_ROLE_AUTHOR;
    if (!article) { /* a new story: the writer's own */
        *out = (story_rights){true, true, publisher};
        return true;
    }
    bool owned = false;
    store_status st =
        store_article_owned_by(app->store, article->id, user->id, user->author_id, &owned);
    if (st != STORE_OK) {
        res->status = site_status_for(st);
        return false;
    }
    out->view = owned || publisher;
    out->edit = owned && (publisher || article->status == ARTICLE_DRAFT);
    out->publish = owned && publisher;
    return true;
}

const char *editor_zone(site_app *app, arena *a)
{
    const char *zone = site_setting_text(app, a, "time_zone");
    return zone && *zone ? zone : "UTC";
}

bool editor_parse_id(const char *text, long long *out)
{
    *out = 0;
    if (!text || !*text || strlen(text) > 18 || text[0] == '0') return false;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9') return false;
    *out = strtoll(text, NULL, 10);
    return *out > 0;
}

bool editor_find_story(site_app *app, http_request *req, const admin_user *user,
                       const http_params *params, store_article *out, int *revision,
                       http_response *res)
{
    long long id;
    if (!editor_parse_id(http_param(params, "id"), &id)) {
        admin_message(app, req, user, 404, "No such story", "There is no story at this address.",
                      res);
        return false;
    }
    store_status st = store_article_by_id(app->store, req->arena, id, out, revision);
    if (st == STORE_NOT_FOUND)
        admin_message(app, req, user, 404, "No such story",
                      "There is no story at this address (it may have been deleted).", res);
    else if (st != STORE_OK)
        admin_message(app, req, user, site_status_for(st), "The story cannot be read",
                      "The database did not answer; try again in a moment.", res);
    return st == STORE_OK;
}

static void put_line(buf *b, const char *label, const char *value)
{
    buf_printf(b, "%s: %s\n", label, value ? value : "");
}

static void put_names(buf *b, const char *label, const char *const *names, size_t stride, size_t n)
{
    buf_printf(b, "%s: ", label);
    for (size_t i = 0; i < n; i++) {
        const char *name = *(const char *const *)((const char *)names + i * stride);
        buf_printf(b, "%s%s", i ? ", " : "", name ? name : "");
    }
    buf_puts(b, "\n");
}

char *story_text(arena *a, const store_article *art)
{
    buf b = {0};
    put_line(&b, "Kicker", art->kicker);
    put_line(&b, "Headline", art->headline);
    put_line(&b, "Lead", art->lead);
    put_line(&b, "Slug", art->slug);
    put_names(&b, "Topics", art->n_topics ? &art->topics[0].name : NULL, sizeof *art->topics,
              art->n_topics);
    put_names(&b, "Authors", art->n_authors ? &art->authors[0].name : NULL, sizeof *art->authors,
              art->n_authors);
    put_line(&b, "Image", art->image_url);
    put_line(&b, "Caption", art->image_caption);
    put_line(&b, "Credit", art->image_credit);
    put_line(&b, "Alt text", art->image_alt);
    buf_printf(&b, "Comments: %s", art->comments_off ? "off" : "on");
    if (art->comments_days) buf_printf(&b, " (close after %u days)", art->comments_days);
    buf_puts(&b, "\n\n");
    bool html = art->body_format && strcmp(art->body_format, "html") == 0;
    const char *body = html ? art->body_html : art->body_markdown;
    buf_puts(&b, body ? body : "");
    char *text = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return text;
}

void editor_after_write(site_app *app, long long article_id)
{
    site_freshness_forget_story(app->cache, app->story_views, article_id);
    site_freshness_sync(app->freshness);
}
