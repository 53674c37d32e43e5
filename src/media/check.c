/* check.c — judging an upload before any pixel is decoded: its size, its format by its first
 * bytes (never by name or declared type), and its width x height from the header read by that
 * format's own libvips loader. Also the loader call itself (media_load), which the pipeline
 * uses to decode, failing on any error. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>
#include <vips/vips.h>

#include "media_internal.h"

const char *media_strerror(media_status status)
{
    switch (status) {
    case MEDIA_OK:
        return "ok";
    case MEDIA_EMPTY:
        return "the file is empty";
    case MEDIA_TOO_LARGE:
        return "file too large";
    case MEDIA_NOT_IMAGE:
        return "not an image";
    case MEDIA_TOO_MANY_PIXELS:
        return "image too large";
    case MEDIA_DAMAGED:
        return "the image is damaged or incomplete";
    case MEDIA_BUSY:
        return "too many images are being processed; try again in a moment";
    case MEDIA_IO:
        return "the image could not be saved";
    }
    return "unknown media error";
}

const char *media_format_name(media_format format)
{
    switch (format) {
    case MEDIA_JPEG:
        return "JPEG";
    case MEDIA_PNG:
        return "PNG";
    case MEDIA_WEBP:
        return "WebP";
    case MEDIA_GIF:
        return "GIF";
    }
    return "?";
}

bool media_sniff(const void *bytes, size_t len, media_format *out)
{
    const unsigned char *b = bytes;
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
        *out = MEDIA_JPEG;
    } else if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) {
        *out = MEDIA_PNG;
    } else if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) {
        *out = MEDIA_WEBP;
    } else if (len >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0)) {
        *out = MEDIA_GIF;
    } else {
        return false;
    }
    return true;
}

/* The format's own loader only: a file that starts like a PNG is never handed to another.
 * Decoding fails on errors and truncation. libvips 8.14's PNG loader lets a truncated file
 * through with VIPS_FAIL_ON_ERROR but stops with VIPS_FAIL_ON_TRUNCATED (checked by
 * test_media), so PNG asks for that; WARNING would refuse the many real PNGs libpng warns
 * about (an sRGB profile it thinks incorrect). */
VipsImage *media_load(const void *bytes, size_t len, media_format format, int shrink)
{
    const VipsFailOn png_fail_on = VIPS_FAIL_ON_TRUNCATED;
    VipsImage *image = NULL;
    void *b = (void *)bytes;
    int rc = -1;
    if (!media_vips()) return NULL; /* media_start was not called, or failed */
    switch (format) {
    case MEDIA_JPEG:
        rc = media_vips()->vips_jpegload_buffer(b, len, &image, "fail_on", VIPS_FAIL_ON_ERROR,
                                                "shrink", shrink > 1 ? shrink : 1, NULL);
        break;
    case MEDIA_PNG:
        rc = media_vips()->vips_pngload_buffer(b, len, &image, "fail_on", png_fail_on, NULL);
        break;
    case MEDIA_WEBP:
        rc =
            media_vips()->vips_webpload_buffer(b, len, &image, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
        break;
    case MEDIA_GIF:
        rc = media_vips()->vips_gifload_buffer(b, len, &image, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
        break;
    }
    if (rc != 0) {
        media_vips()->vips_error_clear();
        return NULL;
    }
    return image;
}

void media_message(char *message, size_t msglen, const char *fmt, ...)
{
    if (!message || !msglen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, msglen, fmt, ap);
    va_end(ap);
}

/* Whether a PNG's IEND chunk (with its fixed CRC) is among its last bytes. libvips 8.14's PNG
 * loader does not always fail on a PNG cut short (an error in its last strip may be lost between
 * threads): a cut file has no IEND, whatever the loader says. */
static bool png_has_end(const void *bytes, size_t len)
{
    static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    size_t tail = len < 1024 ? len : 1024;
    return memmem((const unsigned char *)bytes + len - tail, tail, iend, sizeof iend) != NULL;
}

static void hash_hex(const void *bytes, size_t len, char out[MEDIA_HASH_HEX + 1])
{
    unsigned char digest[MEDIA_HASH_HEX / 2];
    crypto_generichash(digest, sizeof digest, bytes, len, NULL, 0);
    sodium_bin2hex(out, MEDIA_HASH_HEX + 1, digest, sizeof digest);
}

media_status media_check(const void *bytes, size_t len, const media_limits *limits,
                         media_image *out, char *message, size_t msglen)
{
    size_t max_bytes =
        limits && limits->max_bytes ? limits->max_bytes : (size_t)MEDIA_DEFAULT_MB * 1024 * 1024;
    unsigned long long max_pixels =
        limits && limits->max_pixels ? limits->max_pixels : MEDIA_DEFAULT_MAX_PIXELS;
    media_image image = {0};
    if (len == 0) {
        media_message(message, msglen, "the file is empty: choose an image to upload");
        return MEDIA_EMPTY;
    }
    if (len > max_bytes) {
        media_message(message, msglen, "file too large: %.1f MB, the limit is %.0f MB",
                      (double)len / (1024.0 * 1024.0), (double)max_bytes / (1024.0 * 1024.0));
        return MEDIA_TOO_LARGE;
    }
    if (!media_sniff(bytes, len, &image.format)) {
        media_message(message, msglen,
                      "not an image: only JPEG, PNG, WebP and GIF files are accepted "
                      "(judged by the file's content, not its name)");
        return MEDIA_NOT_IMAGE;
    }
    VipsImage *header = media_load(bytes, len, image.format, 1);
    if (header && image.format == MEDIA_PNG && !png_has_end(bytes, len)) {
        media_vips()->g_object_unref(header);
        header = NULL;
    }
    if (!header) {
        media_message(message, msglen,
                      "the image is damaged or incomplete: its %s header "
                      "cannot be read",
                      media_format_name(image.format));
        return MEDIA_DAMAGED;
    }
    unsigned w = (unsigned)media_vips()->vips_image_get_width(header),
             h = (unsigned)media_vips()->vips_image_get_height(header);
    media_vips()->g_object_unref(header);
    if ((unsigned long long)w * h > max_pixels || w > VIPS_MAX_COORD || h > VIPS_MAX_COORD) {
        media_message(message, msglen,
                      "image too large: %u×%u pixels; at most %.0f megapixels are accepted", w, h,
                      (double)max_pixels / 1e6);
        return MEDIA_TOO_MANY_PIXELS;
    }
    image.source_width = w;
    image.source_height = h;
    hash_hex(bytes, len, image.hash);
    if (out) *out = image;
    return MEDIA_OK;
}
