/* topics_screen.c — the topics screen for editors (/admin/topics): every topic with its slug,
 * parent, description and number of stories; a form that adds one or (?edit=ID) changes one.
 * The slug is made from the name when left empty; a topic cannot sit under itself. */
#include <stdlib.h>
#include <string.h>

#include "../content/content.h"
#include "admin.h"

enum { TOPIC_NAME_MAX = 100, TOPIC_DESCRIPTION_MAX = 1000 };

typedef struct {
    long long id, parent_id;
    const char *name, *slug, *description;
} topic_form;

static long long parse_id(const char *text)
{
    if (!text || !*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 18)
        return 0;
    return strtoll(text, NULL, 10);
}

static void topics_screen(site_app *app, http_request *req, const admin_user *user,
                          const topic_form *form, const char *error, http_response *res)
{
    store_topic_entry *topics;
    size_t n;
    store_status st = store_topics_all(app->store, req->arena, &topics, &n);
    if (st != STORE_OK)
        return admin_message(app, req, user, site_status_for(st), "Something went wrong",
                             "The topics could not be read; try again in a moment.", res);
    json_t *rows = json_array(), *parents = json_array();
    json_array_append_new(parents, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)0, "name",
                                             "(none)", "selected", form->parent_id == 0));
    for (size_t i = 0; i < n; i++) {
        const store_topic_entry *t = &topics[i];
        const char *parent = "";
        for (size_t j = 0; j < n; j++)
            if (topics[j].topic.id == t->parent_id) parent = topics[j].topic.name;
        json_array_append_new(
            rows, json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)t->topic.id, "name",
                            t->topic.name, "slug", t->topic.slug, "description",
                            t->topic.description ? t->topic.description : "", "parent", parent,
                            "stories", (json_int_t)t->n_articles));
        if (t->topic.id != form->id)
            json_array_append_new(parents, json_pack("{s:I, s:s, s:b}", "id",
                                                     (json_int_t)t->topic.id, "name", t->topic.name,
                                                     "selected", t->topic.id == form->parent_id));
    }
    json_t *view =
        json_pack("{s:o, s:o, s:{s:I, s:s, s:s, s:s}, s:b}", "topics", rows, "parents", parents,
                  "form", "id", (json_int_t)form->id, "name", form->name ? form->name : "", "slug",
                  form->slug ? form->slug : "", "description",
                  form->description ? form->description : "", "editing", form->id != 0);
    if (error) json_object_set_new(view, "error", json_string(error));
    const char *done = http_query(req, "done");
    if (!error && done && strcmp(done, "1") == 0)
        json_object_set_new(view, "notice", json_string("The topic is saved."));
    admin_render(app, req, user, "topics", "Topics", view, res);
}

void admin_topics_page(void *app_ptr, http_request *req, const http_params *params,
                       http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_EDITOR);
    if (!user) return;
    topic_form form = {0};
    long long edit = parse_id(http_query(req, "edit"));
    if (edit) {
        store_topic_entry *topics;
        size_t n;
        if (store_topics_all(app->store, req->arena, &topics, &n) == STORE_OK)
            for (size_t i = 0; i < n; i++)
                if (topics[i].topic.id == edit)
                    form = (topic_form){.id = edit,
                                        .parent_id = topics[i].parent_id,
                                        .name = topics[i].topic.name,
                                        .slug = topics[i].topic.slug,
                                        .description = topics[i].topic.description};
        if (!form.id)
            return admin_message(app, req, user, 404, "No such topic", "That topic does not exist.",
                                 res);
    }
    topics_screen(app, req, user, &form, NULL, res);
}

/* What is wrong with the form, or NULL; fills an empty slug from the name. */
static const char *check_form(arena *a, topic_form *f)
{
    if (!f->name || !f->name[0] || strlen(f->name) > TOPIC_NAME_MAX * 4 ||
        !content_utf8_valid(f->name, strlen(f->name)))
        return "Give the topic a name (at most 100 characters).";
    if (!f->slug || !f->slug[0]) f->slug = content_slugify(a, f->name);
    if (!f->slug || !content_slug_is_valid(f->slug))
        return "The slug is lower-case letters, digits and single hyphens (at most 80).";
    if (f->description && (strlen(f->description) > TOPIC_DESCRIPTION_MAX * 4 ||
                           !content_utf8_valid(f->description, strlen(f->description))))
        return "The description is too long (at most 1000 characters).";
    return NULL;
}

void admin_topics_save(void *app_ptr, http_request *req, const http_params *params,
                       http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_EDITOR);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    topic_form form = {.id = parse_id(admin_form_value(req, "id")),
                       .parent_id = parse_id(admin_form_value(req, "parent")),
                       .name = admin_form_value(req, "name"),
                       .slug = admin_form_value(req, "slug"),
                       .description = admin_form_value(req, "description")};
    const char *error = check_form(req->arena, &form);
    long long id = form.id;
    store_status st = error ? STORE_INVALID
                            : store_topic_save(app->store, &id, form.slug, form.name,
                                               form.description, form.parent_id);
    if (!error && st == STORE_OK) {
        site_freshness_sync(app->freshness);
        return admin_redirect(res, "/admin/topics?done=1");
    }
    if (!error)
        error = st == STORE_CONFLICT    ? "Another topic has that slug; choose another."
                : st == STORE_NOT_FOUND ? "That topic (or the parent chosen) no longer exists."
                : st == STORE_INVALID   ? "A topic cannot sit under itself or under a topic "
                                          "below it."
                                        : "The topic could not be saved; try again.";
    res->status = st == STORE_CONFLICT ? 409 : st == STORE_NOT_FOUND ? 404 : 400;
    topics_screen(app, req, user, &form, error, res);
}
