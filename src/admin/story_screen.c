/* story_screen.c — the story screen (GET /admin/stories/new, GET /admin/stories/{id}): every
 * field of the story in one form, the buttons the user's rights allow, the live preview frame
 * and the autosave hooks editor.js works with; and story_screen_render, which story_save.c also
 * uses to show the form again with the writer's input after a refusal or a conflict. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../api/article_json.h"
#include "editor.h"
#include "schedule.h"

/* What a finished save says on the page it lands on (?done=ACTION). */
static const char *done_notice(const char *done)
{
    static const char *const notices[][2] = {
        {"save", "Saved."},
        {"publish", "Published: the story is live."},
        {"schedule", "Scheduled: the story goes live by itself at the time given."},
        {"unpublish", "Unpublished: readers no longer see the story; it is a draft again."},
        {"restore", "Restored: that revision is the story's text again (as a new revision)."},
    };
    for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(done, notices[i][0]) == 0) return notices[i][1];
    return NULL;
}

static json_t *names_json(const char *const *names, size_t stride, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_string(*(const char *const *)((const char *)names + i * stride)));
    return list;
}

/* Topic and author names already in use, for the inputs' suggestions. */
static void add_known_names(site_app *app, arena *a, json_t *view)
{
    store_topic *topics;
    store_author *authors;
    size_t n;
    if (store_topics_list(app->store, a, 0, &topics, &n) == STORE_OK)
        json_object_set_new(view, "known_topics",
                            names_json(n ? &topics[0].name : NULL, sizeof *topics, n));
    if (store_authors_all(app->store, a, &authors, &n) == STORE_OK)
        json_object_set_new(view, "known_authors",
                            names_json(n ? &authors[0].name : NULL, sizeof *authors, n));
}

static json_t *story_json(site_app *app, arena *a, const store_article *art, int revision,
                          const char *zone)
{
    if (!art) return json_pack("{s:b, s:s}", "is_new", 1, "status", "draft");
    long long now = (long long)time(NULL);
    bool live = art->status != ARTICLE_DRAFT && art->published_at <= now;
    const char *label = art->status == ARTICLE_DRAFT       ? "Draft"
                        : art->status == ARTICLE_PUBLISHED ? "Published"
                        : live                             ? "Scheduled (now live)"
                                                           : "Scheduled";
    json_t *story =
        json_pack("{s:I, s:b, s:s, s:s, s:b, s:s, s:s, s:I, s:s, s:s}", "id", art->id, "is_new", 0,
                  "status", article_status_name(art->status), "status_label", label, "live", live,
                  "url", arena_printf(a, "/news/%s/", art->slug), "when",
                  schedule_display(a, zone, art->published_at), "revision", (json_int_t)revision,
                  "revisions_url", arena_printf(a, "/admin/stories/%lld/revisions", art->id),
                  "updated", schedule_display(a, zone, art->updated_at));
    json_object_set_new(story, "scheduled", json_boolean(art->status == ARTICLE_SCHEDULED));
    json_object_set_new(story, "published", json_boolean(art->status == ARTICLE_PUBLISHED));
    return story;
}

void story_screen_render(site_app *app, http_request *req, const admin_user *user,
                         const story_screen *screen, http_response *res)
{
    arena *a = req->arena;
    const store_article *art = screen->article;
    const char *zone = editor_zone(app, a);
    json_t *view = story_form_json(screen->form, screen->errors);
    if (screen->errors && screen->errors->n)
        json_object_set_new(view, "error",
                            json_string("The story was not saved: see what is wrong below."));
    json_object_set_new(view, "story", story_json(app, a, art, screen->revision, zone));
    json_object_set_new(
        view, "action_url",
        json_string(art ? arena_printf(a, "/admin/stories/%lld", art->id) : "/admin/stories/new"));
    const story_rights *r = screen->rights;
    bool draft = !art || art->status == ARTICLE_DRAFT;
    json_object_set_new(view, "can_edit", json_boolean(r->edit));
    json_object_set_new(view, "read_only", json_boolean(!r->edit));
    json_object_set_new(view, "can_publish", json_boolean(r->edit && r->publish));
    json_object_set_new(view, "can_unpublish", json_boolean(r->edit && r->publish && !draft));
    json_object_set_new(view, "save_label", json_string(draft ? "Save draft" : "Save"));
    json_object_set_new(
        view, "publish_label",
        json_string(art && art->status == ARTICLE_PUBLISHED ? "Update live story" : "Publish now"));
    json_object_set_new(view, "zone", json_string(zone));
    json_object_set_new(
        view, "autosave_key",
        json_string(art ? arena_printf(a, "gazette:story:%lld", art->id) : "gazette:story:new"));
    json_object_set_new(view, "server_saved_ms",
                        json_integer(art ? (json_int_t)art->updated_at * 1000 : 0));
    json_object_set_new(view, "saved", json_boolean(screen->saved));
    if (screen->notice) json_object_set_new(view, "notice", json_string(screen->notice));
    if (screen->conflict) json_object_set_new(view, "conflict", json_incref(screen->conflict));
    add_known_names(app, a, view);
    json_t *script = json_object_get(app->admin_assets, "editor_js");
    json_object_set_new(view, "scripts", script ? json_pack("[O]", script) : json_array());
    if (!res->status) res->status = 200;
    admin_render(app, req, user, "story", art ? "Edit story" : "New story", view, res);
}

void admin_story_new(void *app_ptr, http_request *req, const http_params *params,
                     http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    if (!user) return;
    story_form form = {.kicker = "",
                       .headline = "",
                       .lead = "",
                       .body = "",
                       .body_format = "markdown",
                       .slug = "",
                       .image_url = "",
                       .image_caption = "",
                       .image_credit = "",
                       .image_alt = "",
                       .publish_at = "",
                       .comments_on = true,
                       .comments_days = "",
                       .action = "save"};
    store_author me;
    if (user->author_id &&
        store_author_by_id(app->store, req->arena, user->author_id, &me) == STORE_OK)
        form.authors[form.n_authors++] = me.name;
    else if (user->display_name && *user->display_name)
        form.authors[form.n_authors++] = user->display_name;
    story_rights rights;
    story_rights_for(app, user, NULL, &rights, res);
    story_screen screen = {.form = &form, .rights = &rights};
    story_screen_render(app, req, user, &screen, res);
}

void admin_story_edit(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    if (!user) return;
    store_article art;
    int revision;
    story_rights rights;
    if (!editor_find_story(app, req, user, params, &art, &revision, res) ||
        !story_rights_for(app, user, &art, &rights, res))
        return;
    if (!rights.view)
        return admin_message(app, req, user, 403, "Not your story",
                             "Contributors see and edit only their own stories.", res);
    story_form form;
    story_form_from_article(req->arena, &art, editor_zone(app, req->arena), &form);
    form.revision = revision;
    const char *done = http_query(req, "done");
    story_screen screen = {.article = &art,
                           .revision = revision,
                           .form = &form,
                           .rights = &rights,
                           .notice = done_notice(done),
                           .saved = done_notice(done) != NULL};
    story_screen_render(app, req, user, &screen, res);
}
