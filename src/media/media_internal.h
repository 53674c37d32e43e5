/* media_internal.h — what the media module's files share: the format's own loader and the
 * message helper. */
#ifndef GAZETTE_MEDIA_INTERNAL_H
#define GAZETTE_MEDIA_INTERNAL_H

#include <stdarg.h>
#include <vips/vips.h>

#include "media.h"
#include "vips_dl.h"

/* libvips's functions (vips_dl.h): valid once media_start succeeded. */
static inline const vips_dl *media_vips(void)
{
    return vips_dl_get();
}

/* Opens bytes with format's loader, failing on any decoding error later; NULL when even the
 * header does not load (libvips's error buffer is cleared). A JPEG is decoded shrink (1, 2, 4
 * or 8) times smaller, by libjpeg itself. */
VipsImage *media_load(const void *bytes, size_t len, media_format format, int shrink);
void media_message(char *message, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
