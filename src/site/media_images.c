/* media_images.c — responsive images on the public pages. A story whose image_url is a media
 * library address (/media/library/HASH-WxH.jpg, media.h) has its renditions at every standard
 * width below W in JPEG and WebP; the address alone names them, so a page needs no lookup: this
 * walks the view and gives every such "image" object srcset_webp, srcset_jpeg, width, height and
 * library: true, for a <picture> with a WebP source, a JPEG fallback and no layout shift. The
 * page cache stays right by itself: the image is part of the story, whose tag the page carries. */
#include <string.h>

#include "../media/media.h"
#include "site.h"

static json_t *srcset(const char *hash, unsigned width, unsigned height, const char *ext)
{
    unsigned widths[MEDIA_MAX_WIDTHS];
    size_t n = media_rendition_widths(width, widths);
    buf b = {0};
    for (size_t i = 0; i < n; i++) {
        unsigned h = media_rendition_height(width, height, widths[i]);
        buf_printf(&b, "%s" MEDIA_LIBRARY_URL "%s-%ux%u.%s %uw", i ? ", " : "", hash, widths[i], h,
                   ext, widths[i]);
    }
    json_t *text = json_stringn(b.data ? b.data : "", b.len);
    buf_free(&b);
    return text;
}

static void decorate(json_t *image)
{
    char hash[MEDIA_HASH_HEX + 1];
    unsigned width, height;
    if (!media_library_url_parse(json_string_value(json_object_get(image, "url")), hash, &width,
                                 &height))
        return;
    json_object_set_new(image, "library", json_true());
    json_object_set_new(image, "width", json_integer(width));
    json_object_set_new(image, "height", json_integer(height));
    json_object_set_new(image, "srcset_jpeg", srcset(hash, width, height, "jpg"));
    json_object_set_new(image, "srcset_webp", srcset(hash, width, height, "webp"));
}

void site_media_images(json_t *node)
{
    if (json_is_array(node)) {
        size_t i;
        json_t *item;
        json_array_foreach(node, i, item) site_media_images(item);
    } else if (json_is_object(node)) {
        const char *key;
        json_t *value;
        json_object_foreach(node, key, value)
        {
            if (strcmp(key, "image") == 0 && json_is_object(value))
                decorate(value);
            else if (json_is_array(value) || json_is_object(value))
                site_media_images(value);
        }
    }
}
