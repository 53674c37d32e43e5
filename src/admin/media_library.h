/* media_library.h — what the media library's files (media_library.c, media_upload.c) share. */
#ifndef GAZETTE_ADMIN_MEDIA_LIBRARY_H
#define GAZETTE_ADMIN_MEDIA_LIBRARY_H

#include "admin.h"

/* Renders the library (themes/admin/media.mustache) for the request's ?page, ?pick and
 * ?uploaded, with error or notice (either may be NULL) above it. Keeps res->status when set. */
void media_library_render(site_app *app, http_request *req, const admin_user *user,
                          const char *error, const char *notice, http_response *res);
/* One image as the library and the JSON answers show it (addresses, sizes, words, rights). */
json_t *media_item_json(http_request *req, const admin_user *user, const store_media *m);
bool media_wants_json(http_request *req);
/* Answers body (consumed) as JSON with status, never stored. */
void media_json_answer(http_response *res, int status, json_t *body);

#endif
