/* media_upload.c — POST /admin/media: an image upload (multipart/form-data with a "file" part,
 * the "csrf" field and optional alt, caption and credit), for authors and above. The file goes
 * through the image pipeline (media/media.h: judged by content, size and pixel limits, damaged
 * files refused, metadata stripped, renditions written atomically) and then into the library
 * table; a refusal writes nothing. The answer is a 303 back to the library, or JSON (201 with
 * the image, or the error) when the client asks for JSON (Accept: application/json). Also the
 * pipeline's start and stop, and the larger body limit that uploads get. */
#include <stdio.h>
#include <string.h>

#include "../media/media.h"
#include "admin.h"
#include "media_library.h"

enum { MEDIA_MAX_MB_LIMIT = 1024, MEDIA_MAX_MP_LIMIT = 1000 };

bool site_media_start(site_app *app, char *err, size_t errlen)
{
    /* libvips itself starts with the first upload (process_upload): its modules and threads
     * cost resident memory that a server nobody uploads to should not carry */
    app->media = media_pipeline_new(2, 30);
    if (!app->media) snprintf(err, errlen, "out of memory");
    return app->media != NULL;
}

void site_media_stop(site_app *app)
{
    media_pipeline_free(app->media);
    app->media = NULL;
    media_stop();
}

static size_t max_upload_bytes(site_app *app, arena *a)
{
    unsigned mb = site_setting_number(app, a, "media_max_mb", MEDIA_DEFAULT_MB, MEDIA_MAX_MB_LIMIT);
    return (size_t)(mb ? mb : MEDIA_DEFAULT_MB) * 1024 * 1024;
}

/* Only a signed-in author or above may send a body that large: a stranger's upload is cut at
 * the server's usual limit (413) instead of being held in memory first. The form around the
 * file (boundaries, part headers, the other fields) is given 64 KiB. The handler checks the
 * session again (and answers a stranger). */
size_t site_body_limit(void *app_ptr, http_request *req)
{
    if (strcmp(req->method, "POST") != 0 || strcmp(req->path, "/admin/media") != 0) return 0;
    http_response probe = {0};
    const admin_user *user = admin_require(app_ptr, req, &probe, ADMIN_ROLE_AUTHOR);
    buf_free(&probe.body);
    return user ? max_upload_bytes(app_ptr, req->arena) + 64 * 1024 : 0;
}

bool media_wants_json(http_request *req)
{
    const char *accept = http_header(req, "Accept");
    return accept && strstr(accept, "application/json") != NULL;
}

void media_json_answer(http_response *res, int status, json_t *body)
{
    res->status = status;
    res->content_type = "application/json";
    http_set_header(res, "Cache-Control", "no-store");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text) buf_puts(&res->body, text);
    free(text);
}

/* A refusal: JSON {"error": message}, or the library page with the message above it. */
static void refuse(site_app *app, http_request *req, const admin_user *user, int status,
                   const char *message, http_response *res)
{
    if (media_wants_json(req))
        return media_json_answer(res, status, json_pack("{s:s}", "error", message));
    res->status = status;
    media_library_render(app, req, user, message, NULL, res);
}

static int status_for(media_status st)
{
    switch (st) {
    case MEDIA_TOO_LARGE:
        return 413;
    case MEDIA_BUSY:
        return 503;
    case MEDIA_IO:
        return 500;
    default:
        return 400;
    }
}

static char *widths_text(arena *a, const media_image *img)
{
    buf b = {0};
    for (size_t i = 0; i < img->n_widths; i++)
        buf_printf(&b, "%s%u", i ? " " : "", img->widths[i]);
    char *text = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return text;
}

/* Runs the pipeline and records the image; *id gets its row. false: res answered. */
static bool process_upload(site_app *app, http_request *req, const admin_user *user,
                           const http_multipart *form, long long *id, http_response *res)
{
    media_limits limits = {
        .max_bytes = max_upload_bytes(app, req->arena),
        .max_pixels = (unsigned long long)site_setting_number(
                          app, req->arena, "media_max_megapixels", 40, MEDIA_MAX_MP_LIMIT) *
                      1000000ULL};
    media_image img;
    char message[256];
    if (!media_start("gazette", message, sizeof message)) {
        refuse(app, req, user, 503, message, res);
        return false;
    }
    media_status st = media_process(app->media, form->file, form->file_len, &limits,
                                    app->config.media_dir, &img, message, sizeof message);
    if (st != MEDIA_OK) {
        refuse(app, req, user, status_for(st), message, res);
        return false;
    }
    store_media_input in = {.hash = img.hash,
                            .file_name = media_clean_file_name(req->arena, form->file_name),
                            .widths = widths_text(req->arena, &img),
                            .alt = http_multipart_value(form, "alt"),
                            .caption = http_multipart_value(form, "caption"),
                            .credit = http_multipart_value(form, "credit"),
                            .width = img.width,
                            .height = img.height,
                            .uploader_id = user->id};
    store_status rs = store_media_add(app->store, &in, id);
    if (rs == STORE_OK || rs == STORE_CONFLICT) return true; /* the same bytes: the same image */
    media_remove(app->config.media_dir, img.hash, img.width, img.height);
    fprintf(stderr, "gazette: saving an uploaded image failed: %s\n", store_last_error(app->store));
    refuse(app, req, user, site_status_for(rs), "the image could not be saved; try again", res);
    return false;
}

void admin_media_upload(void *app_ptr, http_request *req, const http_params *params,
                        http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_AUTHOR);
    if (!user) return;
    http_multipart form;
    char err[200];
    if (!http_multipart_read(req, &form, err, sizeof err)) {
        /* without a readable form there is no CSRF token to check: nothing is done */
        return refuse(app, req, user, 400, err, res);
    }
    if (!admin_check_csrf(user, http_multipart_value(&form, "csrf"), res)) return;
    if (!app->config.media_dir || !app->media)
        return refuse(app, req, user, 503,
                      "uploads are off: the server has no media folder (serve --media DIR)", res);
    if (!form.file_field) return refuse(app, req, user, 400, "choose an image file to upload", res);
    long long id = 0;
    if (!process_upload(app, req, user, &form, &id, res)) return;
    store_media m;
    if (store_media_get(app->store, req->arena, id, &m) != STORE_OK)
        return refuse(app, req, user, 500, "the image was saved but cannot be read back", res);
    if (media_wants_json(req)) return media_json_answer(res, 201, media_item_json(req, user, &m));
    const char *pick = http_multipart_value(&form, "pick");
    admin_redirect(res, arena_printf(req->arena, "/admin/media?uploaded=%lld%s", id,
                                     pick && strcmp(pick, "1") == 0 ? "&pick=1" : ""));
}
