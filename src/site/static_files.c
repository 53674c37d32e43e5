/* static_files.c — theme assets (from memory, fingerprinted, cached for a year) and the media
 * folder (/media/..., files on disk; paths are checked so nothing outside it can be read). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "site.h"

enum { MEDIA_MAX_BYTES = 32 * 1024 * 1024 };

void site_asset(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const theme_asset *asset = theme_asset_find(app->theme, http_param(params, "file"));
    if (!asset) return (void)(res->status = 404);
    res->static_body = asset->bytes;
    res->static_len = asset->len;
    res->content_type = asset->content_type;
    http_set_header(res, "Cache-Control", "public, max-age=31536000, immutable");
    http_cache_tag(res, "assets"); /* kept compressed; a new theme means a new process */
}

/* Media paths are segments of [A-Za-z0-9._-], none starting with '.', joined by '/'. */
static bool media_path_is_safe(const char *path)
{
    bool segment_start = true;
    for (const char *p = path; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (segment_start) return false;
            segment_start = true;
            continue;
        }
        if (segment_start && c == '.') return false;
        segment_start = false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return !segment_start;
}

static const char *media_type(const char *path)
{
    static const char *const types[][2] = {
        {".svg", "image/svg+xml"}, {".png", "image/png"},   {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},   {".webp", "image/webp"}, {".gif", "image/gif"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(dot, types[i][0]) == 0) return types[i][1];
    return NULL;
}

void site_media(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const char *rel = http_param(params, "path");
    const char *type = rel ? media_type(rel) : NULL;
    if (!app->config.media_dir || !rel || !media_path_is_safe(rel) || !type)
        return (void)(res->status = 404);
    char *path = arena_printf(req->arena, "%s/%s", app->config.media_dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MEDIA_MAX_BYTES) {
        if (fd >= 0) close(fd);
        return (void)(res->status = 404);
    }
    buf_reserve(&res->body, (size_t)st.st_size);
    ssize_t got = read(fd, res->body.data, (size_t)st.st_size);
    close(fd);
    if (got != st.st_size) return (void)(res->status = 500);
    res->body.len = (size_t)got;
    res->content_type = type;
    /* library images are named by their content (docs/media.md): they never change */
    http_set_header(res, "Cache-Control",
                    strncmp(rel, "library/", 8) == 0 ? "public, max-age=31536000, immutable"
                                                     : "public, max-age=86400");
    /* an SVG opened directly must not run scripts */
    http_set_header(res, "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'");
}
