/* names.c — how library images are named and addressed: the rendition widths and heights of
 * an image, its file names, its URL and reading one back, and uploaders' file names made safe
 * to keep. Pure functions: the pipeline and the pages compute the same names from the same
 * two numbers (the largest rendition's width and height). */
#include <stdio.h>
#include <string.h>

#include "media.h"

static const unsigned standard_widths[] = {320, 640, 960, 1280};

size_t media_rendition_widths(unsigned width, unsigned out[MEDIA_MAX_WIDTHS])
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof standard_widths / sizeof standard_widths[0]; i++)
        if (standard_widths[i] < width) out[n++] = standard_widths[i];
    out[n++] = width;
    return n;
}

unsigned media_rendition_height(unsigned width, unsigned height, unsigned w)
{
    if (!width) return 0;
    unsigned long long h = ((unsigned long long)w * height + width / 2) / width;
    return h ? (unsigned)h : 1;
}

char *media_file_name(arena *a, const char *hash, unsigned w, unsigned h, const char *ext)
{
    return arena_printf(a, "%s-%ux%u.%s", hash, w, h, ext);
}

char *media_library_url(arena *a, const char *hash, unsigned width, unsigned height)
{
    return arena_printf(a, MEDIA_LIBRARY_URL "%s-%ux%u.jpg", hash, width, height);
}

/* Reads a decimal number of 1 to 5 digits without a leading zero; *p moves past it. */
static bool read_dimension(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    size_t n = 0;
    if (*s == '0') return false;
    for (; *s >= '0' && *s <= '9' && n < 6; s++, n++)
        v = v * 10 + (unsigned)(*s - '0');
    if (n == 0 || n > 5) return false;
    *out = v;
    *p = s;
    return true;
}

bool media_library_url_parse(const char *url, char hash[MEDIA_HASH_HEX + 1], unsigned *width,
                             unsigned *height)
{
    if (!url) return false;
    size_t prefix = strlen(MEDIA_LIBRARY_URL);
    if (strncmp(url, MEDIA_LIBRARY_URL, prefix) != 0) return false;
    const char *p = url + prefix;
    for (size_t i = 0; i < MEDIA_HASH_HEX; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return false;
    const char *q = p + MEDIA_HASH_HEX;
    unsigned w, h;
    if (*q++ != '-' || !read_dimension(&q, &w) || *q++ != 'x' || !read_dimension(&q, &h) ||
        strcmp(q, ".jpg") != 0 || w > MEDIA_LARGEST)
        return false;
    memcpy(hash, p, MEDIA_HASH_HEX);
    hash[MEDIA_HASH_HEX] = '\0';
    *width = w;
    *height = h;
    return true;
}

char *media_clean_file_name(arena *a, const char *name)
{
    const char *base = name ? name : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t len = strlen(base);
    if (len > 100) len = 100;
    char *out = arena_strndup(a, base, len);
    bool any = false;
    for (char *p = out; *p; p++) {
        char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ' ';
        if (!keep) *p = '_';
        any = any || (c != '.' && c != ' ' && keep);
    }
    return any ? out : arena_strdup(a, "image");
}
