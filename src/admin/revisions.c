/* revisions.c — a story's history: GET /admin/stories/{id}/revisions lists every revision (who
 * saved it, when, its headline and status); GET /admin/stories/{id}/revisions/{n} shows the
 * line diff of revision n against the current version (?against=previous: against revision
 * n-1); POST /admin/stories/{id}/revisions/{n}/restore (CSRF) makes revision n's text the
 * story's again, as a new revision. Restoring brings back the kicker, headline, lead, body,
 * topics, authors, image and comment switch; the status, publication time and slug stay as
 * they are (publishing is its own action, and an address readers know keeps working). */
#include <stdio.h>
#include <string.h>

#include "../content/content.h"
#include "diff.h"
#include "editor.h"
#include "schedule.h"

/* The story of the route with the user's rights; false when res is answered already. */
static bool open_story(site_app *app, http_request *req, const admin_user *user,
                       const http_params *params, store_article *art, int *latest,
                       story_rights *rights, http_response *res)
{
    if (!editor_find_story(app, req, user, params, art, latest, res) ||
        !story_rights_for(app, user, art, rights, res))
        return false;
    if (!rights->view) {
        admin_message(app, req, user, 403, "Not your story",
                      "Contributors see only their own stories.", res);
        return false;
    }
    return true;
}

static const char *saved_by(const store_revision *r)
{
    return r->user_name && *r->user_name ? r->user_name : "the command line";
}

void admin_story_revisions(void *app_ptr, http_request *req, const http_params *params,
                           http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    store_article art;
    int latest;
    story_rights rights;
    if (!user || !open_story(app, req, user, params, &art, &latest, &rights, res)) return;
    store_revision *list;
    size_t n;
    store_status st = store_revisions_list(app->store, req->arena, art.id, &list, &n);
    if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Revisions cannot be read",
                             "The database did not answer; try again in a moment.", res);
    const char *zone = editor_zone(app, req->arena);
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            rows, json_pack("{s:i, s:s, s:s, s:s, s:s, s:b}", "number", list[i].number, "by",
                            saved_by(&list[i]), "when",
                            schedule_display(req->arena, zone, list[i].saved_at), "headline",
                            list[i].article.headline ? list[i].article.headline : "", "status",
                            article_status_name(list[i].article.status), "current",
                            list[i].number == latest));
    json_t *view = json_pack("{s:o, s:I, s:s, s:s}", "revisions", rows, "story_id",
                             (json_int_t)art.id, "headline", art.headline, "story_url",
                             arena_printf(req->arena, "/admin/stories/%lld", art.id));
    admin_render(app, req, user, "revisions", "Revisions", view, res);
}

/* Parses {n}; false with a 404 page. */
static bool revision_number(site_app *app, http_request *req, const admin_user *user,
                            const http_params *params, int *n, http_response *res)
{
    long long v;
    if (editor_parse_id(http_param(params, "n"), &v) && v <= 1000000000) {
        *n = (int)v;
        return true;
    }
    admin_message(app, req, user, 404, "No such revision", "There is no revision of that number.",
                  res);
    return false;
}

static bool load_revision(site_app *app, http_request *req, const admin_user *user, long long id,
                          int n, store_revision *out, http_response *res)
{
    store_status st = store_revision_get(app->store, req->arena, id, n, out);
    if (st == STORE_OK) return true;
    if (st == STORE_NOT_FOUND)
        admin_message(app, req, user, 404, "No such revision",
                      "The story has no revision of that number.", res);
    else
        admin_message(app, req, user, site_status_for(st), "The revision cannot be read",
                      "The database did not answer; try again in a moment.", res);
    return false;
}

void admin_story_revision(void *app_ptr, http_request *req, const http_params *params,
                          http_response *res)
{
    site_app *app = app_ptr;
    arena *a = req->arena;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    store_article art;
    int latest, n;
    story_rights rights;
    store_revision rev, prev;
    if (!user || !open_story(app, req, user, params, &art, &latest, &rights, res) ||
        !revision_number(app, req, user, params, &n, res) ||
        !load_revision(app, req, user, art.id, n, &rev, res))
        return;
    const char *against = http_query(req, "against");
    bool previous = against && strcmp(against, "previous") == 0;
    const char *old_text, *new_text, *compared;
    if (previous) {
        bool has_prev =
            n > 1 && store_revision_get(app->store, a, art.id, n - 1, &prev) == STORE_OK;
        old_text = has_prev ? story_text(a, &prev.article) : "";
        new_text = story_text(a, &rev.article);
        compared = has_prev ? arena_printf(a, "revision %d", n - 1) : "nothing (the first one)";
    } else { /* what restoring it would change: the current text into this revision's */
        old_text = story_text(a, &art);
        new_text = story_text(a, &rev.article);
        compared = "the current version";
    }
    diff_line *lines;
    size_t count, removed, added;
    diff_lines(a, old_text, new_text, &lines, &count);
    diff_count(lines, count, &removed, &added);
    json_t *view = json_pack(
        "{s:i, s:s, s:s, s:s, s:s, s:i, s:i, s:b, s:b, s:b, s:I, s:i, s:s, s:s, s:s}", "number", n,
        "by", saved_by(&rev), "when", schedule_display(a, editor_zone(app, a), rev.saved_at),
        "compared", compared, "diff", diff_html(a, lines, count, (size_t)-1), "removed",
        (int)removed, "added", (int)added, "previous", previous, "can_restore",
        rights.edit && n != latest, "is_current", n == latest, "story_id", (json_int_t)art.id,
        "latest", latest, "story_url", arena_printf(a, "/admin/stories/%lld", art.id),
        "revisions_url", arena_printf(a, "/admin/stories/%lld/revisions", art.id), "restore_url",
        arena_printf(a, "/admin/stories/%lld/revisions/%d/restore", art.id, n));
    admin_render(app, req, user, "revision", arena_printf(a, "Revision %d", n), view, res);
}

/* The story as it is, with revision's text in it: the store input of a restore. */
static bool restore_input(arena *a, const store_article *art, const store_revision *rev,
                          store_article_input *in, char *err, size_t errlen)
{
    const store_article *r = &rev->article;
    memset(in, 0, sizeof *in);
    in->slug = art->slug;
    in->kicker = r->kicker;
    in->headline = r->headline;
    in->lead = r->lead;
    in->body_format = r->body_format;
    in->body_markdown = r->body_markdown;
    in->body_html = r->body_html;
    if (!r->body_format || strcmp(r->body_format, "html") != 0) {
        content_markdown md;
        if (!content_render_markdown(a, r->body_markdown ? r->body_markdown : "", &md, err, errlen))
            return false;
        in->body_html = md.html;
        in->read_also_slugs = (const char **)md.read_also;
        in->n_read_also = md.n_read_also;
    }
    in->image_url = r->image_url;
    in->image_caption = r->image_caption;
    in->image_credit = r->image_credit;
    in->image_alt = r->image_alt;
    in->status = art->status;
    in->published_at = 0; /* keep */
    in->comments_off = r->comments_off;
    in->comments_days = r->comments_days;
    const char **topics = arena_alloc(a, (r->n_topics + 1) * sizeof *topics);
    for (size_t i = 0; i < r->n_topics; i++)
        topics[i] = r->topics[i].name;
    const char **authors = arena_alloc(a, (r->n_authors + 1) * sizeof *authors);
    for (size_t i = 0; i < r->n_authors; i++)
        authors[i] = r->authors[i].name;
    in->topic_names = topics;
    in->n_topics = r->n_topics;
    in->author_names = authors;
    in->n_authors = r->n_authors;
    return true;
}

void admin_story_restore(void *app_ptr, http_request *req, const http_params *params,
                         http_response *res)
{
    site_app *app = app_ptr;
    arena *a = req->arena;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    if (!user) return;
    form_field *fields = NULL;
    size_t nf = 0;
    if (req->body && !form_decode(a, req->body, req->body_len, &fields, &nf))
        return admin_message(app, req, user, 400, "Unreadable form",
                             "The form could not be read; reload the page and try again.", res);
    if (!admin_check_csrf(user, form_get(fields, nf, "csrf"), res)) return;
    store_article art;
    int latest, n;
    story_rights rights;
    store_revision rev;
    if (!open_story(app, req, user, params, &art, &latest, &rights, res) ||
        !revision_number(app, req, user, params, &n, res))
        return;
    if (!rights.edit)
        return admin_message(app, req, user, 403, "Not allowed",
                             "You may read this story but not change it.", res);
    if (!load_revision(app, req, user, art.id, n, &rev, res)) return;
    long long base;
    const char *seen = form_get(fields, nf, "revision");
    store_article_edit e = {.id = art.id,
                            .base_revision = editor_parse_id(seen, &base) ? (int)base : latest,
                            .user_id = user->id,
                            .user_name = user->display_name};
    char err[256];
    if (!restore_input(a, &art, &rev, &e.input, err, sizeof err))
        return admin_message(app, req, user, 422, "Cannot restore",
                             arena_printf(a, "That revision's body cannot be read: %s", err), res);
    long long id;
    int made;
    store_status st = store_article_edit_save(app->store, a, &e, &id, NULL, &made);
    if (st == STORE_STALE)
        return admin_message(app, req, user, 409, "The story changed",
                             "Someone saved the story since you opened this page; nothing was "
                             "restored. Look at the revisions again.",
                             res);
    if (st != STORE_OK)
        return admin_message(
            app, req, user, site_status_for(st), "Not restored",
            arena_printf(a, "Nothing was restored: %s", store_last_error(app->store)), res);
    editor_after_write(app, id);
    admin_redirect(res, arena_printf(a, "/admin/stories/%lld?done=restore", id));
}
