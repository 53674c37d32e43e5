/* media.h — the image pipeline: an uploaded file becomes a set of responsive renditions.
 *
 * A file is judged by its bytes only (the name and the Content-Type the client sent are never
 * looked at): its first bytes must be those of a JPEG, PNG, WebP or GIF, its header must load in
 * libvips with that format's own loader (no other loader is ever tried), and its width x height
 * must stay under the pixel limit before a single pixel is decoded (a decompression bomb is a
 * tiny file claiming a huge picture). It is then decoded with libvips failing on any error
 * (truncated or damaged files are refused), turned upright by its EXIF orientation, converted
 * to sRGB, flattened onto white, and saved without any metadata (no EXIF, no GPS position, no
 * ICC profile) in JPEG and WebP at the standard widths below its own (never upscaled).
 *
 * Files are named by content: HASH-WxH.jpg and HASH-WxH.webp in the library folder, HASH the
 * BLAKE2b-128 of the uploaded bytes in hex. The largest JPEG's address,
 * /media/library/HASH-WxH.jpg, is what a story's image_url holds: it names every other rendition
 * (media_library_url_parse), so pages build srcset from the URL alone. Every file of an image is
 * written under a temporary name and renamed into place only when all of them were written: a
 * refusal or a failure leaves nothing behind.
 *
 * libvips is started once per process (media_start); the pipeline bounds how many images are
 * processed at once. */
#ifndef GAZETTE_MEDIA_H
#define GAZETTE_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

typedef enum {
    MEDIA_OK = 0,
    MEDIA_EMPTY,           /* zero bytes */
    MEDIA_TOO_LARGE,       /* more bytes than the size limit */
    MEDIA_NOT_IMAGE,       /* not a JPEG, PNG, WebP or GIF by its bytes */
    MEDIA_TOO_MANY_PIXELS, /* width x height over the pixel limit */
    MEDIA_DAMAGED,         /* the image does not decode: truncated or corrupt */
    MEDIA_BUSY,            /* too many images in progress; try again */
    MEDIA_IO,              /* the renditions could not be written */
} media_status;

const char *media_strerror(media_status status);

enum {
    MEDIA_HASH_HEX = 32,   /* hex digits of a content hash */
    MEDIA_MAX_WIDTHS = 6,  /* renditions per image */
    MEDIA_LARGEST = 1920,  /* the widest rendition */
    MEDIA_DEFAULT_MB = 20, /* setting media_max_mb */
};
#define MEDIA_DEFAULT_MAX_PIXELS (40ULL * 1000 * 1000)
#define MEDIA_LIBRARY_URL "/media/library/"
#define MEDIA_LIBRARY_DIR "library"

/* Starts libvips for this process (once; later calls do nothing): untrusted loaders blocked,
 * the operation cache off. false and err filled when it cannot start. */
bool media_start(const char *argv0, char *err, size_t errlen);
/* Shuts libvips down (at exit, after the last media_process). */
void media_stop(void);

typedef struct media_limits {
    size_t max_bytes;              /* 0: MEDIA_DEFAULT_MB MiB */
    unsigned long long max_pixels; /* 0: MEDIA_DEFAULT_MAX_PIXELS */
} media_limits;

typedef enum { MEDIA_JPEG = 1, MEDIA_PNG, MEDIA_WEBP, MEDIA_GIF } media_format;
const char *media_format_name(media_format format); /* "JPEG", ... */

/* The format the first bytes announce; false when they announce none of the four. */
bool media_sniff(const void *bytes, size_t len, media_format *out);

typedef struct media_image {
    char hash[MEDIA_HASH_HEX + 1];
    media_format format;
    unsigned source_width, source_height; /* as the file's header says (before turning) */
    unsigned width, height;               /* the largest rendition */
    unsigned widths[MEDIA_MAX_WIDTHS];    /* every rendition, narrowest first */
    size_t n_widths;
} media_image;

/* Checks bytes without decoding them: size, format by content, pixel count from the header.
 * On failure message (may be NULL) gets a sentence for the uploader ("not an image: ...",
 * "image too large: 60000×60000 pixels ..."). out (may be NULL) gets hash, format and the
 * header's size. */
media_status media_check(const void *bytes, size_t len, const media_limits *limits,
                         media_image *out, char *message, size_t msglen);

typedef struct media_pipeline media_pipeline;
/* At most concurrency images processed at once (0: 2); a caller waits up to wait_seconds for
 * its turn, then gets MEDIA_BUSY. */
media_pipeline *media_pipeline_new(unsigned concurrency, unsigned wait_seconds);
void media_pipeline_free(media_pipeline *p);

/* Checks, decodes and writes every rendition into dir/library/ (dir/library is created when
 * missing). MEDIA_OK with out filled, or a refusal with message set and nothing written. */
media_status media_process(media_pipeline *p, const void *bytes, size_t len,
                           const media_limits *limits, const char *dir, media_image *out,
                           char *message, size_t msglen);

/* Removes every rendition of the image (largest width x height as in its library URL). */
void media_remove(const char *dir, const char *hash, unsigned width, unsigned height);

/* The rendition widths of an image whose largest rendition is width wide, narrowest first:
 * the standard widths (320, 640, 960, 1280) below it, then width itself. Returns the count. */
size_t media_rendition_widths(unsigned width, unsigned out[MEDIA_MAX_WIDTHS]);
/* The height of the rendition w wide of an image whose largest is width x height. */
unsigned media_rendition_height(unsigned width, unsigned height, unsigned w);
/* "HASH-WxH.EXT" (ext "jpg" or "webp"). */
char *media_file_name(arena *a, const char *hash, unsigned w, unsigned h, const char *ext);
/* Whether url is a library image's address (/media/library/HASH-WxH.jpg); hash (33 bytes),
 * width and height of the largest rendition are filled. */
bool media_library_url_parse(const char *url, char hash[MEDIA_HASH_HEX + 1], unsigned *width,
                             unsigned *height);
/* The library address of the largest JPEG of an image. */
char *media_library_url(arena *a, const char *hash, unsigned width, unsigned height);

/* A file name fit to show and store: the last path segment, control characters and anything
 * but letters, digits, space, '.', '-', '_' replaced by '_', at most 100 bytes; "image" when
 * nothing is left. */
char *media_clean_file_name(arena *a, const char *name);

#endif
