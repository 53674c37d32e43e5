/* story_save.c — the story screen's buttons (POST /admin/stories/new, POST /admin/stories/{id}):
 * save, schedule, publish, unpublish. Each request is checked in this order — signed in,
 * CSRF, the user's rights for the action (403), the fields (422, the form shown again with the
 * writer's input) — then saved in one transaction with its revision. A story saved by someone
 * else since the form was opened is not overwritten: the form comes back (409) with who saved
 * it, when, and the diff between their version and the writer's, and a button to save over it
 * deliberately. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "editor.h"
#include "schedule.h"

typedef enum { ACT_SAVE, ACT_SCHEDULE, ACT_PUBLISH, ACT_UNPUBLISH, ACT_UNKNOWN } story_action;

static story_action action_parse(const char *name)
{
    static const char *const names[] = {"save", "schedule", "publish", "unpublish"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) return (story_action)i;
    return ACT_UNKNOWN;
}

/* Reads the posted form; false with res filled when the request cannot go on. */
static bool read_request(site_app *app, http_request *req, const admin_user *user, story_form *form,
                         http_response *res)
{
    form_field *fields = NULL;
    size_t n = 0;
    if (req->body && !form_decode(req->arena, req->body, req->body_len, &fields, &n)) {
        admin_message(app, req, user, 400, "Unreadable form",
                      "The form could not be read; reload the page and try again.", res);
        return false;
    }
    if (!admin_check_csrf(user, form_get(fields, n, "csrf"), res)) return false;
    story_form_read(req->arena, fields, n, form);
    return true;
}

/* Whether a publication time read from the form (st, when) can be scheduled: readable and not
 * passed; false with the reason in errors. */
static bool publish_time_ok(schedule_status st, long long when, long long now, story_errors *errors)
{
    if (st != SCHEDULE_OK) {
        story_error_add(errors, "publish_at", schedule_message(st));
        return false;
    }
    if (when < now) {
        story_error_add(errors, "publish_at",
                        "That time has passed: choose a later one, or publish now.");
        return false;
    }
    return true;
}

/* Status and publication time for the action; false (errors filled) for a bad time. */
static bool decide_status(site_app *app, arena *a, const store_article *art, story_action act,
                          const story_form *form, store_article_input *in, story_errors *errors)
{
    long long now = (long long)time(NULL), when = 0;
    const char *zone = editor_zone(app, a);
    schedule_status st = SCHEDULE_EMPTY;
    if (act == ACT_SCHEDULE || (act == ACT_SAVE && art && art->status == ARTICLE_SCHEDULED))
        st = schedule_parse_local(zone, form->publish_at, &when);
    switch (act) {
    case ACT_SAVE:
        in->status = art ? art->status : ARTICLE_DRAFT;
        in->published_at = 0; /* keep */
        if (st == SCHEDULE_EMPTY || (st == SCHEDULE_OK && when == art->published_at)) return true;
        /* a scheduled story given another time: check it */
        if (!publish_time_ok(st, when, now, errors)) return false;
        in->published_at = when;
        return true;
    case ACT_SCHEDULE:
        if (!publish_time_ok(st, when, now, errors)) return false;
        in->status = ARTICLE_SCHEDULED;
        in->published_at = when;
        return true;
    case ACT_PUBLISH:
        in->status = ARTICLE_PUBLISHED;
        /* a story published already keeps its time; anything else goes live now */
        in->published_at = art && art->status == ARTICLE_PUBLISHED ? 0 : now;
        return true;
    case ACT_UNPUBLISH:
    case ACT_UNKNOWN:
        break;
    }
    in->status = ARTICLE_DRAFT;
    in->published_at = 0;
    return true;
}

/* The conflict box: who saved the newer revision, when, and what differs from the writer's. */
static json_t *conflict_json(site_app *app, arena *a, long long id, const story_form *form,
                             const char *action)
{
    store_article current;
    int latest = 0;
    store_revision rev = {0};
    if (store_article_by_id(app->store, a, id, &current, &latest) != STORE_OK) return NULL;
    if (latest > 0) store_revision_get(app->store, a, id, latest, &rev);
    store_article mine = story_form_article(a, form);
    mine.slug = *form->slug ? form->slug : current.slug;
    diff_line *lines;
    size_t n;
    diff_lines(a, story_text(a, &current), story_text(a, &mine), &lines, &n);
    const char *name =
        rev.user_name && *rev.user_name ? rev.user_name : "someone (the command line)";
    return json_pack(
        "{s:s, s:s, s:s, s:i, s:s}", "name", name, "time",
        schedule_display(a, editor_zone(app, a), rev.saved_at ? rev.saved_at : current.updated_at),
        "diff", diff_html(a, lines, n, 3), "latest", latest, "action", action);
}

static void show_again(site_app *app, http_request *req, const admin_user *user,
                       const store_article *art, int revision, const story_form *form,
                       const story_errors *errors, const story_rights *rights, int status,
                       json_t *conflict, http_response *res)
{
    res->status = status;
    story_screen screen = {.article = art,
                           .revision = revision,
                           .form = form,
                           .errors = errors,
                           .rights = rights,
                           .conflict = conflict};
    story_screen_render(app, req, user, &screen, res);
    json_decref(conflict);
}

static const char *refusal(const story_rights *rights, story_action act)
{
    if (!rights->edit)
        return rights->view ? "You may read this story but not change it: it is someone else's, "
                              "or no longer a draft."
                            : "Contributors see and edit only their own stories.";
    if (act != ACT_SAVE && !rights->publish)
        return "Your role may save drafts only; an editor publishes, schedules and unpublishes.";
    return NULL;
}

/* The save itself once the user may do it: art NULL for a new story. */
static void save_story(site_app *app, http_request *req, const admin_user *user,
                       const store_article *art, int revision, story_form *form,
                       const story_rights *rights, http_response *res)
{
    arena *a = req->arena;
    story_action act = action_parse(form->action);
    if (act == ACT_UNKNOWN)
        return admin_message(app, req, user, 400, "Unknown action",
                             "The form asked for something the editor does not do.", res);
    const char *why = refusal(rights, act);
    if (why) return admin_message(app, req, user, 403, "Not allowed", why, res);
    story_errors errors = {0};
    store_article_edit e = {.id = art ? art->id : 0,
                            .base_revision = art ? form->revision : 0,
                            .user_id = user->id,
                            .user_name = user->display_name};
    bool made_slug = false;
    if (!story_form_check(a, form, &errors) ||
        !story_form_input(a, form, &e.input, &made_slug, &errors) ||
        !decide_status(app, a, art, act, form, &e.input, &errors))
        return show_again(app, req, user, art, revision, form, &errors, rights, 422, NULL, res);
    e.unique_slug = made_slug;
    if (art && form->overwrite > form->revision) e.base_revision = form->overwrite;
    long long id;
    int new_revision;
    store_status st = store_article_edit_save(app->store, a, &e, &id, NULL, &new_revision);
    switch (st) {
    case STORE_OK:
        editor_after_write(app, id);
        return admin_redirect(res,
                              arena_printf(a, "/admin/stories/%lld?done=%s", id, form->action));
    case STORE_STALE:
        return show_again(app, req, user, art, revision, form, NULL, rights, 409,
                          conflict_json(app, a, art->id, form, form->action), res);
    case STORE_CONFLICT:
        story_error_add(&errors, "slug",
                        arena_printf(a,
                                     "Another story has the address /news/%s/; choose another "
                                     "slug, or leave it empty to make one from the headline.",
                                     e.input.slug));
        return show_again(app, req, user, art, revision, form, &errors, rights, 409, NULL, res);
    case STORE_INVALID:
        story_error_add(&errors, "form", arena_strdup(a, store_last_error(app->store)));
        return show_again(app, req, user, art, revision, form, &errors, rights, 422, NULL, res);
    case STORE_NOT_FOUND:
        return admin_message(app, req, user, 404, "No such story",
                             "The story was deleted meanwhile.", res);
    default:
        fprintf(stderr, "gazette: saving story %lld: %s\n", e.id, store_last_error(app->store));
        story_error_add(&errors, "form",
                        "The database did not take the story (busy or full); nothing was saved. "
                        "Try again in a moment: your text is still here.");
        return show_again(app, req, user, art, revision, form, &errors, rights, site_status_for(st),
                          NULL, res);
    }
}

void admin_story_create(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    story_form form;
    if (!user || !read_request(app, req, user, &form, res)) return;
    story_rights rights;
    story_rights_for(app, user, NULL, &rights, res);
    save_story(app, req, user, NULL, 0, &form, &rights, res);
}

void admin_story_save(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    story_form form;
    if (!user || !read_request(app, req, user, &form, res)) return;
    store_article art;
    int revision;
    story_rights rights;
    if (!editor_find_story(app, req, user, params, &art, &revision, res) ||
        !story_rights_for(app, user, &art, &rights, res))
        return;
    save_story(app, req, user, &art, revision, &form, &rights, res);
}
