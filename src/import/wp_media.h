/* wp_media.h — copying a WordPress attachment from a copy of the old site's uploads folder
 * (wp-content/uploads) into the site's media folder, served at /media/. A file is copied only
 * when it is a regular file inside the uploads folder, not empty, at most WP_MEDIA_MAX_BYTES,
 * an image /media/ serves (JPEG, PNG, GIF, WebP; SVG is refused: it can hold scripts) and its
 * first bytes match what its extension says it is; the copy is written to a temporary name,
 * checked against the source's size and renamed into place. Anything else stays a remote URL. */
#ifndef GAZETTE_IMPORT_WP_MEDIA_H
#define GAZETTE_IMPORT_WP_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

#define WP_MEDIA_MAX_BYTES (256LL * 1024 * 1024)

/* file: the attachment's _wp_attached_file ("2013/03/photo.jpg"); when NULL it is taken from
 * remote after "/wp-content/uploads/", or (WordPress.com) the whole path of remote. Copies
 * uploads/file to media/wp/file (folders made as needed; an identical copy already there is kept)
 * and returns its URL
 * ("/media/wp/2013/03/photo.jpg", escaped for a URL), or NULL with the reason in why. */
char *wp_media_copy(arena *a, const char *uploads, const char *media, const char *file,
                    const char *remote, char *why, size_t whylen);

/* Whether the first bytes (n of them) of a file are what its name's extension says. */
bool wp_media_type_matches(const char *name, const unsigned char *head, size_t n);

#endif
