/* vips_dl.h — the libvips (and GObject) functions the media files call, loaded at run time
 * with the first image instead of linked into the binary (vips_dl.c says why). Each member has
 * the type of the function it stands for (__typeof__ of libvips's own declaration), so calls
 * are checked as if they went to libvips directly. */
#ifndef GAZETTE_MEDIA_VIPS_DL_H
#define GAZETTE_MEDIA_VIPS_DL_H

#include <stdbool.h>
#include <stddef.h>
#include <vips/vips.h>

#define VIPS_DL_FUNCTIONS(X)                                                                       \
    X(vips_version)                                                                                \
    X(vips_init)                                                                                   \
    X(vips_shutdown)                                                                               \
    X(vips_error_buffer)                                                                           \
    X(vips_error_clear)                                                                            \
    X(vips_block_untrusted_set)                                                                    \
    X(vips_cache_set_max)                                                                          \
    X(vips_jpegload_buffer)                                                                        \
    X(vips_pngload_buffer)                                                                         \
    X(vips_webpload_buffer)                                                                        \
    X(vips_gifload_buffer)                                                                         \
    X(vips_image_get_width)                                                                        \
    X(vips_image_get_height)                                                                       \
    X(vips_image_get_orientation)                                                                  \
    X(vips_image_get_fields)                                                                       \
    X(vips_image_remove)                                                                           \
    X(vips_image_hasalpha)                                                                         \
    X(vips_image_copy_memory)                                                                      \
    X(vips_autorot)                                                                                \
    X(vips_colourspace)                                                                            \
    X(vips_flatten)                                                                                \
    X(vips_array_double_newv)                                                                      \
    X(vips_area_unref)                                                                             \
    X(vips_thumbnail_image)                                                                        \
    X(vips_jpegsave_buffer)                                                                        \
    X(vips_webpsave_buffer)                                                                        \
    X(g_object_ref)                                                                                \
    X(g_object_unref)

typedef struct vips_dl {
#define VIPS_DL_MEMBER(name) __typeof__(name) *name;
    VIPS_DL_FUNCTIONS(VIPS_DL_MEMBER)
#undef VIPS_DL_MEMBER
} vips_dl;

/* Loads libvips and every function above (once per process; later calls return the first
 * outcome). NULL with err filled when the library or a function is missing. */
const vips_dl *vips_dl_load(char *err, size_t errlen);
/* The functions once vips_dl_load succeeded; NULL before. */
const vips_dl *vips_dl_get(void);

#endif
