/* story_form.c — the story screen's form (editor.h): reading the posted fields, checking each
 * one with a message a writer understands, turning a checked form into the store's input (the
 * Markdown rendered, imported HTML sanitised again, a slug made from the headline), into the
 * story the public theme shows (preview), and into the JSON the template reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../content/content.h"
#include "../content/html_sanitize.h"
#include "editor.h"
#include "schedule.h"

void story_error_add(story_errors *errors, const char *field, const char *message)
{
    if (errors->n < STORY_MAX_ERRORS) errors->v[errors->n++] = (story_error){field, message};
}

/* value without surrounding spaces, tabs and line ends (arena copy); "" for NULL. */
static const char *trimmed(arena *a, const char *value)
{
    if (!value) return "";
    while (*value == ' ' || *value == '\t' || *value == '\r' || *value == '\n')
        value++;
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r' ||
                     value[n - 1] == '\n'))
        n--;
    return arena_strndup(a, value, n);
}

/* The body as typed, with CRLF made LF (browsers send CRLF from a textarea). */
static const char *body_text(arena *a, const char *value)
{
    if (!value) return "";
    size_t n = strlen(value), len = 0;
    char *out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        if (!(value[i] == '\r' && value[i + 1] == '\n')) out[len++] = value[i];
    out[len] = 0;
    return out;
}

/* Adds the comma-separated names of value to list, skipping blanks and repeats. */
static void add_names(arena *a, const char *value, const char **list, size_t *n, bool *too_many)
{
    const char *p = value;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *name = trimmed(a, arena_strndup(a, p, len));
        bool seen = !*name;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = strcmp(list[i], name) == 0;
        if (!seen) {
            if (*n < STORY_MAX_NAMES)
                list[(*n)++] = name;
            else
                *too_many = true;
        }
        p = comma ? comma + 1 : NULL;
    }
}

static int small_number(const char *text)
{
    if (!text || !*text || strlen(text) > 9) return 0;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return atoi(text);
}

void story_form_read(arena *a, const form_field *fields, size_t n, story_form *form)
{
    memset(form, 0, sizeof *form);
    const char *body_format = trimmed(a, form_get(fields, n, "body_format"));
    form->kicker = trimmed(a, form_get(fields, n, "kicker"));
    form->headline = trimmed(a, form_get(fields, n, "headline"));
    form->lead = trimmed(a, form_get(fields, n, "lead"));
    form->body = body_text(a, form_get(fields, n, "body"));
    form->body_format = *body_format ? body_format : "markdown";
    form->slug = trimmed(a, form_get(fields, n, "slug"));
    form->image_url = trimmed(a, form_get(fields, n, "image_url"));
    form->image_caption = trimmed(a, form_get(fields, n, "image_caption"));
    form->image_credit = trimmed(a, form_get(fields, n, "image_credit"));
    form->image_alt = trimmed(a, form_get(fields, n, "image_alt"));
    form->publish_at = trimmed(a, form_get(fields, n, "publish_at"));
    form->comments_on = strcmp(trimmed(a, form_get(fields, n, "comments")), "on") == 0;
    form->comments_days = trimmed(a, form_get(fields, n, "comments_days"));
    form->revision = small_number(trimmed(a, form_get(fields, n, "revision")));
    form->overwrite = small_number(trimmed(a, form_get(fields, n, "overwrite")));
    const char *action = trimmed(a, form_get(fields, n, "action"));
    if (!*action) action = trimmed(a, form_get(fields, n, "conflict_action"));
    form->action = *action ? action : "save";
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fields[i].name, "topics") == 0)
            add_names(a, fields[i].value, form->topics, &form->n_topics, &form->too_many_names);
        else if (strcmp(fields[i].name, "authors") == 0)
            add_names(a, fields[i].value, form->authors, &form->n_authors, &form->too_many_names);
    }
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

void story_form_from_article(arena *a, const store_article *article, const char *zone,
                             story_form *form)
{
    memset(form, 0, sizeof *form);
    bool html = article->body_format && strcmp(article->body_format, "html") == 0;
    form->kicker = or_empty(article->kicker);
    form->headline = or_empty(article->headline);
    form->lead = or_empty(article->lead);
    form->body = or_empty(html ? article->body_html : article->body_markdown);
    form->body_format = html ? "html" : "markdown";
    form->slug = or_empty(article->slug);
    form->image_url = or_empty(article->image_url);
    form->image_caption = or_empty(article->image_caption);
    form->image_credit = or_empty(article->image_credit);
    form->image_alt = or_empty(article->image_alt);
    const char *when = article->status == ARTICLE_SCHEDULED
                           ? schedule_format_local(a, zone, article->published_at)
                           : NULL;
    form->publish_at = when ? when : "";
    form->comments_on = !article->comments_off;
    form->comments_days =
        article->comments_days ? arena_printf(a, "%u", article->comments_days) : "";
    for (size_t i = 0; i < article->n_topics && i < STORY_MAX_NAMES; i++)
        form->topics[form->n_topics++] = article->topics[i].name;
    for (size_t i = 0; i < article->n_authors && i < STORY_MAX_NAMES; i++)
        form->authors[form->n_authors++] = article->authors[i].name;
    form->action = "save";
}

/* ---- checking ---------------------------------------------------------------------------- */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Control characters other than tab and line ends have no place in a story. */
static bool has_controls(const char *s, bool lines)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t' && !(lines && (c == '\n' || c == '\r'))) || c == 0x7f)
            return true;
    }
    return false;
}

/* One text field: valid UTF-8, no control characters, at most max characters. */
static void check_text(arena *a, story_errors *errors, const char *field, const char *label,
                       const char *value, size_t max, bool lines)
{
    if (!content_utf8_valid(value, strlen(value)))
        story_error_add(errors, field, arena_printf(a, "%s is not valid UTF-8 text.", label));
    else if (has_controls(value, lines))
        story_error_add(errors, field,
                        arena_printf(a, "%s holds control characters; retype it.", label));
    else if (chars(value) > max)
        story_error_add(errors, field,
                        arena_printf(a, "%s is too long: %zu characters; the limit is %zu.", label,
                                     chars(value), max));
}

/* "" or an http(s) URL or a path of this site; nothing that runs (javascript:, data:). */
static bool image_url_ok(const char *url)
{
    if (!*url) return true;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    if (url[0] == '/') return url[1] != '/';
    return strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
}

static void check_names(arena *a, story_errors *errors, const char *field, const char *label,
                        const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_text(a, errors, field, label, names[i], STORY_NAME_MAX, false);
}

bool story_form_check(arena *a, const story_form *form, story_errors *errors)
{
    memset(errors, 0, sizeof *errors);
    if (!*form->headline)
        story_error_add(errors, "headline", "Write a headline.");
    else
        check_text(a, errors, "headline", "The headline", form->headline, STORY_HEADLINE_MAX,
                   false);
    check_text(a, errors, "kicker", "The kicker", form->kicker, STORY_KICKER_MAX, false);
    check_text(a, errors, "lead", "The lead", form->lead, STORY_LEAD_MAX, true);
    if (strcmp(form->body_format, "markdown") != 0 && strcmp(form->body_format, "html") != 0)
        story_error_add(errors, "body", "The body format must be markdown or html.");
    if (strlen(form->body) > STORY_BODY_MAX)
        story_error_add(errors, "body",
                        arena_printf(a, "The body is too long: %zu bytes; the limit is %d.",
                                     strlen(form->body), STORY_BODY_MAX));
    else if (!content_utf8_valid(form->body, strlen(form->body)))
        story_error_add(errors, "body", "The body is not valid UTF-8 text.");
    if (*form->slug && !content_slug_is_valid(form->slug))
        story_error_add(errors, "slug",
                        "The slug may hold only a-z, 0-9 and single hyphens (at most 80); leave "
                        "it empty to make one from the headline.");
    if (!image_url_ok(form->image_url))
        story_error_add(errors, "image_url",
                        "The image address must start with https://, http:// or / (a file of "
                        "this site).");
    check_text(a, errors, "image_url", "The image address", form->image_url, STORY_FIELD_MAX,
               false);
    check_text(a, errors, "image_caption", "The caption", form->image_caption, STORY_FIELD_MAX,
               false);
    check_text(a, errors, "image_credit", "The credit", form->image_credit, STORY_FIELD_MAX, false);
    check_text(a, errors, "image_alt", "The alt text", form->image_alt, STORY_FIELD_MAX, false);
    check_names(a, errors, "topics", "A topic's name", form->topics, form->n_topics);
    check_names(a, errors, "authors", "An author's name", form->authors, form->n_authors);
    if (form->too_many_names)
        story_error_add(
            errors, "topics",
            arena_printf(a, "At most %d topics and %d authors.", STORY_MAX_NAMES, STORY_MAX_NAMES));
    const char *days = form->comments_days;
    if (*days && (strspn(days, "0123456789") != strlen(days) || strlen(days) > 4 ||
                  atoi(days) > STORY_COMMENTS_DAYS_MAX))
        story_error_add(errors, "comments_days",
                        arena_printf(a,
                                     "Comments close after a whole number of days, 0 to %d "
                                     "(0 or empty: the site's rule).",
                                     STORY_COMMENTS_DAYS_MAX));
    return errors->n == 0;
}

/* ---- into the store, the theme, the template ------------------------------------------------ */
static const char *null_if_empty(const char *s)
{
    return s && *s ? s : NULL;
}

/* body_html (and read-also slugs) of the form's body; false with a message in err. */
static bool render_body(arena *a, const story_form *form, const char **html, char ***read_also,
                        size_t *n_read_also, char *err, size_t errlen)
{
    *read_also = NULL;
    *n_read_also = 0;
    if (strcmp(form->body_format, "html") == 0) {
        *html = *form->body ? content_sanitize_html(a, form->body, strlen(form->body),
                                                    &content_html_default_policy, err, errlen)
                            : "";
        return *html != NULL;
    }
    content_markdown md;
    if (!content_render_markdown(a, form->body, &md, err, errlen)) return false;
    *html = md.html;
    *read_also = md.read_also;
    *n_read_also = md.n_read_also;
    return true;
}

bool story_form_input(arena *a, const story_form *form, store_article_input *in, bool *made_slug,
                      story_errors *errors)
{
    memset(in, 0, sizeof *in);
    char err[256] = "";
    const char *html;
    char **read_also;
    size_t n_read_also;
    if (!render_body(a, form, &html, &read_also, &n_read_also, err, sizeof err)) {
        story_error_add(errors, "body", arena_printf(a, "The body cannot be read: %s", err));
        return false;
    }
    *made_slug = !*form->slug;
    const char *slug = *form->slug ? form->slug : content_slugify(a, form->headline);
    in->slug = *slug ? slug : "story";
    in->kicker = null_if_empty(form->kicker);
    in->headline = form->headline;
    in->lead = null_if_empty(form->lead);
    bool is_html = strcmp(form->body_format, "html") == 0;
    in->body_markdown = is_html ? NULL : form->body;
    in->body_html = html;
    in->body_format = form->body_format;
    in->image_url = null_if_empty(form->image_url);
    in->image_caption = null_if_empty(form->image_caption);
    in->image_credit = null_if_empty(form->image_credit);
    in->image_alt = null_if_empty(form->image_alt);
    in->comments_off = !form->comments_on;
    in->comments_days = (unsigned)small_number(form->comments_days);
    in->topic_names = (const char **)form->topics;
    in->n_topics = form->n_topics;
    in->author_names = (const char **)form->authors;
    in->n_authors = form->n_authors;
    in->read_also_slugs = (const char **)read_also;
    in->n_read_also = n_read_also;
    return true;
}

store_article story_form_article(arena *a, const story_form *form)
{
    store_article art = {0};
    char err[256];
    const char *html;
    char **read_also;
    size_t n_read_also;
    if (!render_body(a, form, &html, &read_also, &n_read_also, err, sizeof err))
        html = arena_printf(a, "<p>%s</p>", "(The body cannot be shown: it is not valid text.)");
    const char *slug = *form->slug ? form->slug : content_slugify(a, form->headline);
    art.slug = content_slug_is_valid(slug) ? slug : "preview";
    art.kicker = null_if_empty(form->kicker);
    art.headline = form->headline;
    art.lead = null_if_empty(form->lead);
    art.body_markdown = strcmp(form->body_format, "html") == 0 ? NULL : form->body;
    art.body_html = html;
    art.body_format = form->body_format;
    art.image_url = null_if_empty(form->image_url);
    art.image_caption = null_if_empty(form->image_caption);
    art.image_credit = null_if_empty(form->image_credit);
    art.image_alt = null_if_empty(form->image_alt);
    art.comments_off = !form->comments_on;
    art.comments_days = (unsigned)small_number(form->comments_days);
    art.status = ARTICLE_DRAFT;
    art.published_at = art.updated_at = art.created_at = (long long)time(NULL);
    art.topics = arena_alloc(a, (form->n_topics + 1) * sizeof *art.topics);
    for (size_t i = 0; i < form->n_topics; i++)
        art.topics[art.n_topics++] =
            (store_topic){0, content_slugify(a, form->topics[i]), form->topics[i], NULL};
    art.authors = arena_alloc(a, (form->n_authors + 1) * sizeof *art.authors);
    for (size_t i = 0; i < form->n_authors; i++)
        art.authors[art.n_authors++] =
            (store_author){0, content_slugify(a, form->authors[i]), form->authors[i], NULL};
    return art;
}

static json_t *joined(const char *const *names, size_t n)
{
    buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(&b, ", ");
        buf_puts(&b, names[i]);
    }
    json_t *s = json_stringn(b.data ? b.data : "", b.len);
    buf_free(&b);
    return s;
}

/* A JSON string of text, or "" when it is not valid UTF-8 (jansson refuses it). */
static json_t *text_json(const char *text)
{
    json_t *s = json_string(text ? text : "");
    return s ? s : json_string("");
}

json_t *story_form_json(const story_form *form, const story_errors *errors)
{
    json_t *f = json_object();
    const char *names[] = {"kicker",    "headline",   "lead",          "body",
                           "slug",      "image_url",  "image_caption", "image_credit",
                           "image_alt", "publish_at", "comments_days", "body_format"};
    const char *values[] = {form->kicker,        form->headline,      form->lead,
                            form->body,          form->slug,          form->image_url,
                            form->image_caption, form->image_credit,  form->image_alt,
                            form->publish_at,    form->comments_days, form->body_format};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        json_object_set_new(f, names[i], text_json(values[i]));
    json_object_set_new(f, "topics", joined(form->topics, form->n_topics));
    json_object_set_new(f, "authors", joined(form->authors, form->n_authors));
    json_object_set_new(f, "comments_on", json_boolean(form->comments_on));
    json_object_set_new(f, "is_html", json_boolean(strcmp(form->body_format, "html") == 0));
    json_object_set_new(f, "revision", json_integer(form->revision));
    json_t *view = json_pack("{s:o}", "form", f);
    json_t *list = json_array(), *by_field = json_object();
    for (size_t i = 0; errors && i < errors->n; i++) {
        json_array_append_new(list, json_pack("{s:s, s:s}", "field", errors->v[i].field, "message",
                                              errors->v[i].message));
        if (!json_object_get(by_field, errors->v[i].field))
            json_object_set_new(by_field, errors->v[i].field, json_string(errors->v[i].message));
    }
    json_object_set_new(view, "errors",
                        json_array_size(list) ? list : (json_decref(list), json_null()));
    json_object_set_new(view, "error_for", by_field);
    return view;
}
