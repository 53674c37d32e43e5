/* media_library.c — the media library screen, /admin/media: a grid of the uploaded images,
 * newest first, paginated, each with its alt text, caption and credit editable and a delete
 * button (editors and above for every image, authors for their own uploads), and the upload
 * form (authors and above). With ?pick=1 it is the story screen's picker: each image gets a
 * "Use this image" button (themes/admin/assets/media.js) that fills the story form's image_url,
 * image_alt, image_caption and image_credit fields, in the window that opened the picker or, with
 * ?return=/admin/..., on that page's address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api/article_json.h"
#include "../media/media.h"
#include "media_library.h"

enum { LIBRARY_PAGE_SIZE = 24, MEDIA_TEXT_MAX = 1000 };

static bool may_change(const admin_user *user, const store_media *m)
{
    return user->role >= ADMIN_ROLE_EDITOR ||
           (user->role >= ADMIN_ROLE_AUTHOR && m->uploader_id == user->id);
}

json_t *media_item_json(http_request *req, const admin_user *user, const store_media *m)
{
    unsigned widths[MEDIA_MAX_WIDTHS];
    size_t n = media_rendition_widths(m->width, widths);
    unsigned tw = widths[0], th = media_rendition_height(m->width, m->height, tw);
    const char *base = MEDIA_LIBRARY_URL;
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(m->id));
    json_object_set_new(j, "url",
                        json_string(media_library_url(req->arena, m->hash, m->width, m->height)));
    json_object_set_new(
        j, "thumb",
        json_string(arena_printf(req->arena, "%s%s", base,
                                 media_file_name(req->arena, m->hash, tw, th, "jpg"))));
    json_object_set_new(j, "thumb_width", json_integer(tw));
    json_object_set_new(j, "thumb_height", json_integer(th));
    json_object_set_new(j, "width", json_integer(m->width));
    json_object_set_new(j, "height", json_integer(m->height));
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_integer(widths[i]));
    json_object_set_new(j, "widths", list);
    json_object_set_new(j, "file_name", json_string(m->file_name));
    json_object_set_new(j, "alt", json_string(m->alt));
    json_object_set_new(j, "caption", json_string(m->caption));
    json_object_set_new(j, "credit", json_string(m->credit));
    json_object_set_new(j, "uploader", json_string(m->uploader_name));
    json_object_set_new(j, "created", json_string(article_display_time(req->arena, m->created_at)));
    bool mine = user && may_change(user, m);
    json_object_set_new(j, "can_edit", json_boolean(mine));
    json_object_set_new(j, "can_delete", json_boolean(mine));
    return j;
}

/* ?return=: a local admin path the picker may send the chosen image to, or NULL. */
static const char *return_path(http_request *req)
{
    const char *r = http_query(req, "return");
    if (!r || strncmp(r, "/admin/", 7) != 0 || strpbrk(r, "\\\r\n") || strstr(r, "//")) return NULL;
    return r;
}

static size_t page_of(http_request *req)
{
    const char *p = http_query(req, "page");
    char *end;
    long n = p ? strtol(p, &end, 10) : 1;
    return p && (*end || n < 1 || n > 100000) ? 1 : (size_t)n;
}

static json_t *pagination(http_request *req, size_t page, size_t total, bool pick)
{
    size_t pages = total ? (total + LIBRARY_PAGE_SIZE - 1) / LIBRARY_PAGE_SIZE : 1;
    if (pages <= 1) return json_null();
    const char *extra = pick ? "&pick=1" : "";
    json_t *j = json_pack("{s:i, s:i}", "page", (json_int_t)page, "pages", (json_int_t)pages);
    if (page > 1)
        json_object_set_new(
            j, "prev_url",
            json_string(arena_printf(req->arena, "/admin/media?page=%zu%s", page - 1, extra)));
    if (page < pages)
        json_object_set_new(
            j, "next_url",
            json_string(arena_printf(req->arena, "/admin/media?page=%zu%s", page + 1, extra)));
    return j;
}

void media_library_render(site_app *app, http_request *req, const admin_user *user,
                          const char *error, const char *notice, http_response *res)
{
    size_t page = page_of(req), n = 0, total = 0;
    const char *pick_arg = http_query(req, "pick");
    bool pick = pick_arg && strcmp(pick_arg, "1") == 0;
    store_media *images = NULL;
    store_status rs = store_media_list(app->store, req->arena, LIBRARY_PAGE_SIZE,
                                       (page - 1) * LIBRARY_PAGE_SIZE, &images, &n, &total);
    if (rs != STORE_OK) {
        admin_message(app, req, user, site_status_for(rs), "Media library",
                      "The library cannot be read just now; try again.", res);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, media_item_json(req, user, &images[i]));
    const char *uploaded = http_query(req, "uploaded");
    if (!notice && uploaded && !error) notice = "The image was uploaded.";
    if (!notice && http_query(req, "deleted") && !error) notice = "The image was deleted.";
    json_t *view = json_pack(
        "{s:o, s:o, s:b, s:b, s:i, s:i, s:b}", "images", list, "pagination",
        pagination(req, page, total, pick), "pick", pick, "can_upload",
        user->role >= ADMIN_ROLE_AUTHOR, "max_mb",
        (json_int_t)site_setting_number(app, req->arena, "media_max_mb", MEDIA_DEFAULT_MB, 1024),
        "total", (json_int_t)total, "uploads_on", app->config.media_dir && app->media);
    const char *ret = return_path(req);
    if (ret) json_object_set_new(view, "return", json_string(ret));
    if (error) json_object_set_new(view, "error", json_string(error));
    if (notice) json_object_set_new(view, "notice", json_string(notice));
    json_t *script = app->admin_assets ? json_object_get(app->admin_assets, "media_js") : NULL;
    if (script) json_object_set_new(view, "scripts", json_pack("[O]", script));
    admin_render(app, req, user, "media", pick ? "Choose an image" : "Media library", view, res);
}

void admin_media_page(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_CONTRIBUTOR);
    if (user) media_library_render(app, req, user, NULL, NULL, res);
}

/* The image named by the route's {id} that user may change; NULL with res answered. */
static const store_media *changeable(site_app *app, http_request *req, const http_params *params,
                                     const admin_user *user, http_response *res)
{
    const char *id_text = http_param(params, "id");
    char *end;
    long long id = id_text ? strtoll(id_text, &end, 10) : 0;
    store_media *m = arena_alloc(req->arena, sizeof *m);
    store_status rs =
        id > 0 && !*end ? store_media_get(app->store, req->arena, id, m) : STORE_NOT_FOUND;
    if (rs != STORE_OK) {
        admin_message(app, req, user, site_status_for(rs), "Media library",
                      rs == STORE_NOT_FOUND ? "There is no such image (deleted already?)."
                                            : "The library cannot be read just now; try again.",
                      res);
        return NULL;
    }
    if (!may_change(user, m)) {
        admin_message(app, req, user, 403, "Not allowed",
                      "Only editors, and the author who uploaded it, may change this image.", res);
        return NULL;
    }
    return m;
}

static bool text_ok(const char *s)
{
    return !s || strlen(s) <= MEDIA_TEXT_MAX;
}

void admin_media_save(void *app_ptr, http_request *req, const http_params *params,
                      http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_AUTHOR);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    const store_media *m = changeable(app, req, params, user, res);
    if (!m) return;
    const char *alt = admin_form_value(req, "alt"), *caption = admin_form_value(req, "caption"),
               *credit = admin_form_value(req, "credit");
    if (!text_ok(alt) || !text_ok(caption) || !text_ok(credit)) {
        res->status = 400;
        return media_library_render(
            app, req, user, "Alt text, caption and credit may have at most 1000 characters.", NULL,
            res);
    }
    store_status rs = store_media_update(app->store, m->id, alt, caption, credit);
    if (rs != STORE_OK) {
        res->status = site_status_for(rs);
        return media_library_render(app, req, user, "The image could not be saved; try again.",
                                    NULL, res);
    }
    if (media_wants_json(req)) {
        store_media now;
        if (store_media_get(app->store, req->arena, m->id, &now) == STORE_OK)
            return media_json_answer(res, 200, media_item_json(req, user, &now));
    }
    admin_redirect(res, arena_printf(req->arena, "/admin/media#media-%lld", m->id));
}

void admin_media_delete(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_AUTHOR);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    const store_media *m = changeable(app, req, params, user, res);
    if (!m) return;
    store_status rs = store_media_delete(app->store, m->id);
    if (rs != STORE_OK) {
        res->status = site_status_for(rs);
        return media_library_render(app, req, user, "The image could not be deleted; try again.",
                                    NULL, res);
    }
    /* the row first: files without a row are harmless, a row without files is not */
    if (app->config.media_dir) media_remove(app->config.media_dir, m->hash, m->width, m->height);
    if (media_wants_json(req)) return media_json_answer(res, 200, json_pack("{s:b}", "deleted", 1));
    admin_redirect(res, "/admin/media?deleted=1");
}
