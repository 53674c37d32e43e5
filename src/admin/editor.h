/* editor.h — the story editor of the newsroom (docs/newsroom.md, "The editor"): the handlers
 * site/routes.c registers under /admin/stories and /admin/preview, and what their files share:
 * the story form (story_form.c: reading, checking, turning into a store input and back), who
 * may do what with a story (story_rights.c), the story as text for diffs, and the site's time
 * zone. Screens: stories_list.c, story_screen.c, preview.c, revisions.c. */
#ifndef GAZETTE_ADMIN_EDITOR_H
#define GAZETTE_ADMIN_EDITOR_H

#include "../comments/comments.h"
#include "admin.h"

/* ---- handlers (routes.c) ---------------------------------------------------------------- */
void admin_stories_list(void *app, http_request *req, const http_params *params,
                        http_response *res);
void admin_story_new(void *app, http_request *req, const http_params *params, http_response *res);
void admin_story_create(void *app, http_request *req, const http_params *params,
                        http_response *res);
void admin_story_edit(void *app, http_request *req, const http_params *params, http_response *res);
void admin_story_save(void *app, http_request *req, const http_params *params, http_response *res);
void admin_story_preview(void *app, http_request *req, const http_params *params,
                         http_response *res);
void admin_story_revisions(void *app, http_request *req, const http_params *params,
                           http_response *res);
void admin_story_revision(void *app, http_request *req, const http_params *params,
                          http_response *res);
void admin_story_restore(void *app, http_request *req, const http_params *params,
                         http_response *res);

/* ---- the story form (story_form.c) -------------------------------------------------------
 * Field names: kicker, headline, lead, body, body_format ("markdown" or "html": imported
 * stories keep their sanitised HTML), topics and authors (comma-separated names, the field may
 * also repeat; the first topic is the primary one), image_url, image_caption, image_credit,
 * image_alt, slug (empty: made from the headline), comments ("on" when open), comments_days,
 * publish_at (datetime-local, the site's zone), revision (the one the form was opened at),
 * overwrite (the newer revision the writer chose to save over), action (save, schedule,
 * publish, unpublish; conflict_action when the overwrite button was pressed), csrf. */
enum {
    STORY_MAX_NAMES = 20,
    STORY_MAX_ERRORS = 16,
    STORY_HEADLINE_MAX = 300, /* characters */
    STORY_KICKER_MAX = 120,
    STORY_LEAD_MAX = 1000,
    STORY_NAME_MAX = 100,
    STORY_FIELD_MAX = 2000,      /* image URL, caption, credit, alt */
    STORY_BODY_MAX = 512 * 1024, /* bytes */
    STORY_COMMENTS_DAYS_MAX = 3650,
};

typedef struct story_form {
    const char *kicker, *headline, *lead, *body, *body_format, *slug;
    const char *image_url, *image_caption, *image_credit, *image_alt;
    const char *publish_at; /* as typed; "" when none */
    const char *topics[STORY_MAX_NAMES], *authors[STORY_MAX_NAMES];
    size_t n_topics, n_authors;
    bool too_many_names;
    bool comments_on;
    const char *comments_days; /* as typed */
    int revision, overwrite;
    const char *action;
} story_form;

typedef struct story_error {
    const char *field, *message;
} story_error;
typedef struct story_errors {
    story_error v[STORY_MAX_ERRORS];
    size_t n;
} story_errors;
void story_error_add(story_errors *errors, const char *field, const char *message);

/* Reads a posted form (fields from form_decode) into form: values trimmed, names split and
 * deduplicated, missing fields "". */
void story_form_read(arena *a, const form_field *fields, size_t n, story_form *form);
/* The form showing article as saved (publish_at written in zone). */
void story_form_from_article(arena *a, const store_article *article, const char *zone,
                             story_form *form);
/* Checks every field; false (errors filled) when any is wrong. */
bool story_form_check(arena *a, const story_form *form, story_errors *errors);
/* The store input of a checked form: the body rendered (Markdown) or sanitised (HTML), the
 * slug made from the headline when empty (*made_slug true). status and published_at are left
 * for the caller. false (errors filled) when the body cannot be rendered. */
bool story_form_input(arena *a, const story_form *form, store_article_input *in, bool *made_slug,
                      story_errors *errors);
/* The story a form describes, as the public theme shows it (preview, diffs): never fails; an
 * empty headline stays empty. */
store_article story_form_article(arena *a, const story_form *form);
/* The form's fields as the story template reads them (form.*, errors, error.FIELD). */
json_t *story_form_json(const story_form *form, const story_errors *errors);

/* ---- who may do what (story_rights.c) ----------------------------------------------------
 * Contributors see and edit their own stories while they are drafts and never publish; authors
 * see every story and edit and publish their own; editors and admins everything. A story is
 * the user's when it credits the author they write as or they saved its first revision. */
typedef struct story_rights {
    bool view, edit, publish;
} story_rights;
/* The rights of user on article (NULL: a new story). false with res filled (500/503) when the
 * store fails. */
bool story_rights_for(site_app *app, const admin_user *user, const store_article *article,
                      story_rights *out, http_response *res);

/* ---- the story screen (story_screen.c) --------------------------------------------------- */
typedef struct story_screen {
    const store_article *article; /* NULL: a new story */
    int revision;                 /* the story's newest revision */
    const story_form *form;       /* what the fields show */
    const story_errors *errors;   /* NULL: none */
    const story_rights *rights;
    const char *notice; /* a sentence above the form, or NULL */
    bool saved;         /* the page follows a successful save: editor.js drops its copy */
    json_t *conflict;   /* borrowed: {name, time, diff, latest, action} of a newer revision */
} story_screen;
/* Renders the story screen (status: res->status when set, else 200). */
void story_screen_render(site_app *app, http_request *req, const admin_user *user,
                         const story_screen *screen, http_response *res);

/* ---- shared helpers (story_rights.c) ------------------------------------------------------- */
/* The site's time zone (setting "time_zone", an IANA name; "UTC" when unset). */
const char *editor_zone(site_app *app, arena *a);
/* The story as lines of text ("Headline: ...", topics, image, then the body): what a diff
 * compares. */
char *story_text(arena *a, const store_article *article);
/* The story named by the route's {id}; false with res filled (404, 503...) when there is none. */
bool editor_find_story(site_app *app, http_request *req, const admin_user *user,
                       const http_params *params, store_article *out, int *revision,
                       http_response *res);
/* After a story was saved: drops its cached pages at once and applies the change to the page
 * cache (the lists showing it), so that the next page anyone asks for shows it. */
void editor_after_write(site_app *app, long long article_id);
/* A positive integer from text (a route capture, a form field); false for anything else. */
bool editor_parse_id(const char *text, long long *out);

#endif
