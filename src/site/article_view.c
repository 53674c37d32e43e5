/* article_view.c — the article page served from its story's kept view (story_views.h): the
 * reader-independent parts (the story with its body, related stories and topics, the social
 * tags, the approved comment thread) are built once per story and content version; each
 * request adds only the "site" object, whether comments are open and the comment form with its
 * fresh token, then renders the template once. Pages that differ per reader (a held comment
 * shown to its writer, a reply form, a re-shown submission) are built afresh from the same
 * parts, with their own comment thread and form (site_article_page). */
#include <string.h>

#include "../api/article_json.h"
#include "site.h"

enum { ARTICLE_PAGE_BYTES = 32 * 1024 }; /* the demo's pages are 10 to 16 KB */

/* The parts of article's page that every reader sees (the approved comment thread too when
 * with_thread), and the page's cache tags, into out. False (with res->status) on a store
 * failure; *keep false when a part could not be read and the view must not be kept. */
static bool build_parts(site_app *app, http_request *req, const store_article *article,
                        bool with_thread, story_view *out, bool *keep, http_response *res)
{
    store_article *related;
    size_t n_related;
    store_status st = site_related_stories(app, req->arena, article, &related, &n_related);
    json_t *article_json =
        st == STORE_OK ? article_full_json(app->store, req->arena, article, related, n_related, &st)
                       : NULL;
    if (!article_json) {
        res->status = site_status_for(st);
        return false;
    }
    article_auto_read_also(req->arena, article_json,
                           site_setting_number(app, req->arena, "related.read_also_after", 0, 100));
    json_t *parts = json_object();
    json_object_set_new(parts, "page",
                        site_page_json(app, req, "article", article->headline, article->lead));
    site_social_article(app, req->arena, article, parts);
    json_object_set_new(parts, "article", article_json);
    *keep = with_thread && site_comments_thread_view(app, req->arena, article, parts);

    http_response tagged = {0}; /* the tags the page would get, as site_article_page gives them */
    site_tag_story_page(req, article, &tagged);
    site_tag_view_stories(req, parts, &tagged);
    *out = (story_view){.parts = parts,
                        .form = site_comment_form_blank(req->arena, article),
                        .article_id = article->id,
                        .published_at = article->published_at,
                        .comments_off = article->comments_off,
                        .comments_days = article->comments_days,
                        .n_tags = tagged.n_cache_tags,
                        .tags_overflow = tagged.cache_tags_overflow};
    memcpy(out->tags, tagged.cache_tags, tagged.n_cache_tags * sizeof *tagged.cache_tags);
    out->tag_names = json_array();
    for (size_t i = 0; i < tagged.n_cache_tags; i++)
        json_array_append_new(out->tag_names, json_string(tagged.cache_tag_names[i]));
    return true;
}

/* The kept view of slug, or a new one (kept unless something changed meanwhile). */
static bool view_for(site_app *app, http_request *req, const http_params *params, const char *slug,
                     story_view *out, http_response *res)
{
    /* read before the store is: a change committed after this point drops what is read */
    unsigned long generation = story_views_generation(app->story_views);
    unsigned long version = atomic_load(&app->content_version);
    if (story_views_get(app->story_views, slug, version, out)) return true;
    store_article article;
    bool keep = false;
    if (!site_find_article(app, req, params, &article, res) ||
        !build_parts(app, req, &article, true, out, &keep, res))
        return false;
    if (keep) story_views_put(app->story_views, slug, generation, version, out);
    return true;
}

/* A new view object with the "site" object and parts (shared: nothing below changes them). */
static json_t *page_view(site_app *app, http_request *req, json_t *parts)
{
    json_t *view = json_pack("{s:o}", "site", site_json(app, req));
    json_object_update(view, parts);
    return view;
}

/* Renders view (consumed) with the article template and gives res the page's tags. */
static void render_tagged(site_app *app, http_request *req, json_t *view, const story_view *v,
                          http_response *res)
{
    buf_reserve(&res->body, ARTICLE_PAGE_BYTES); /* one allocation for most pages */
    site_render(app, req, "article", view, res); /* untagged yet: no walk over the view */
    if (res->status != 200 || !v) return;
    memcpy(res->cache_tags, v->tags, v->n_tags * sizeof *v->tags);
    for (size_t i = 0; i < v->n_tags; i++) /* the request's copies: the view may go meanwhile */
        res->cache_tag_names[i] =
            arena_strdup(req->arena, json_string_value(json_array_get(v->tag_names, i)));
    res->n_cache_tags = v->n_tags;
    res->cache_tags_overflow = v->tags_overflow;
}

void site_article_page(site_app *app, http_request *req, const store_article *article,
                       const site_comment_submission *submission, http_response *res)
{
    story_view v;
    bool keep;
    if (!build_parts(app, req, article, false, &v, &keep, res)) return;
    json_t *view = page_view(app, req, v.parts);
    json_decref(v.parts);
    json_decref(v.form);
    site_comments_view(app, req, article, view, submission, res);
    int status = res->status;                                   /* a re-shown submission's 4xx */
    render_tagged(app, req, view, submission ? NULL : &v, res); /* a held one is private */
    json_decref(v.tag_names);
    if (res->status == 200) res->status = status;
}

bool site_article_from_view(site_app *app, http_request *req, const http_params *params,
                            http_response *res)
{
    if (!app->story_views || http_query(req, "held") || http_query(req, "reply")) return false;
    const char *slug = http_param(params, "slug");
    story_view v;
    if (!view_for(app, req, params, slug, &v, res)) return true; /* res has the status */
    json_t *view = page_view(app, req, v.parts);
    json_decref(v.parts);
    store_article story = {.id = v.article_id,
                           .published_at = v.published_at,
                           .comments_off = v.comments_off,
                           .comments_days = v.comments_days};
    site_comments_form_view(app, req, &story, v.form, view);
    json_decref(v.form);
    render_tagged(app, req, view, &v, res);
    json_decref(v.tag_names);
    return true;
}
