/* old_links.c — what a site moved from WordPress keeps answering: its pages at /pages/{slug}/
 * (kept out of every list), and a 301 from every old address the import recorded in the
 * redirects table — paths the router does not know (/2012/01/hello/, /category/news/,
 * /feed/) and WordPress's id links on the home page (/?p=12). */
#include <string.h>

#include "../api/article_json.h"
#include "../content/content.h"
#include "../content/wordpress.h"
#include "site.h"

static bool redirect_key(site_app *app, http_request *req, const char *key, http_response *res)
{
    const char *target;
    if (!key || store_redirect_lookup(app->store, req->arena, key, &target) != STORE_OK)
        return false;
    http_redirect(res, 301, target); /* a target that is not a local path becomes a 400 */
    http_set_header(res, "Cache-Control", "public, max-age=3600");
    return true;
}

bool site_redirect_old_path(void *app, http_request *req, http_response *res)
{
    return redirect_key(app, req, content_redirect_key(req->arena, req->path, false), res);
}

bool site_redirect_old_query(site_app *app, http_request *req, http_response *res)
{
    static const char *const names[] = {"p", "page_id", "cat", "tag"};
    if (strcmp(req->path, "/") != 0) return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *value = http_query(req, names[i]);
        if (!value || !*value || strlen(value) > 200) continue;
        const char *key = content_redirect_key(
            req->arena, arena_printf(req->arena, "/?%s=%s", names[i], value), false);
        if (redirect_key(app, req, key, res)) return true;
    }
    return false;
}

void site_page(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const char *slug = http_param(params, "slug");
    store_article page;
    if (!content_slug_is_valid(slug)) return (void)(res->status = 404);
    store_status st = store_page_by_slug(app->store, req->arena, slug, &page);
    if (st != STORE_OK) return (void)(res->status = site_status_for(st));
    json_t *article = article_summary_json(req->arena, &page);
    json_object_set_new(article, "url",
                        json_string(arena_printf(req->arena, "/pages/%s/", page.slug)));
    json_object_set_new(article, "body_html", json_string(page.body_html ? page.body_html : ""));
    json_object_set_new(article, "related", json_array());
    json_t *view = site_view_new(app, req, "page", page.headline, page.lead);
    json_object_set_new(view, "article", article);
    json_object_set_new(view, "is_page", json_true());
    http_cache_tag(res, arena_printf(req->arena, "a:%lld", page.id));
    site_render(app, req, "article", view, res);
}
