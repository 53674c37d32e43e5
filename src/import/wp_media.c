/* wp_media.c — attachments from the uploads folder into the media folder (wp_media.h). */
#include "wp_media.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static bool starts(const unsigned char *h, size_t n, size_t at, const char *magic, size_t len)
{
    return n >= at + len && memcmp(h + at, magic, len) == 0;
}

bool wp_media_type_matches(const char *name, const unsigned char *h, size_t n)
{
    const char *dot = strrchr(name, '.');
    if (!dot || strchr(dot, '/')) return false;
    const char *ext = dot + 1;
    if (!strcasecmp(ext, "jpg") || !strcasecmp(ext, "jpeg") || !strcasecmp(ext, "jpe"))
        return starts(h, n, 0, "\xFF\xD8\xFF", 3);
    if (!strcasecmp(ext, "png")) return starts(h, n, 0, "\x89PNG\r\n\x1A\n", 8);
    if (!strcasecmp(ext, "gif"))
        return starts(h, n, 0, "GIF87a", 6) || starts(h, n, 0, "GIF89a", 6);
    if (!strcasecmp(ext, "webp")) return starts(h, n, 0, "RIFF", 4) && starts(h, n, 8, "WEBP", 4);
    return false; /* what /media/ does not serve, SVG (scripts) and HTML stay remote */
}

/* A relative path of plain segments: no "..", no ".", no empty segment, no leading '/'. */
static bool safe_relative(const char *p)
{
    if (!*p || *p == '/' || strlen(p) > 1024) return false;
    for (const char *s = p; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == '\\') return false;
        s += n;
        if (*s == '/') s++;
    }
    return true;
}

static bool make_parents(char *path)
{
    for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        bool ok = mkdir(path, 0755) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok) return false;
    }
    return true;
}

static bool copy_bytes(int in, int out, long long size)
{
    char chunk[65536];
    long long total = 0;
    ssize_t n;
    while ((n = read(in, chunk, sizeof chunk)) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, chunk + off, (size_t)(n - off));
            if (w <= 0) return false;
            off += w;
        }
        total += n;
    }
    return n == 0 && total == size;
}

/* URL form of a relative path: bytes outside [A-Za-z0-9._~/-] as %XX. */
static char *url_path(arena *a, const char *p)
{
    char *out = arena_alloc(a, strlen(p) * 3 + 1), *o = out;
    for (const unsigned char *s = (const unsigned char *)p; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("._~/-", *s))
            *o++ = (char)*s;
        else
            o += sprintf(o, "%%%02X", *s);
    }
    *o = '\0';
    return out;
}

/* Copies src (size bytes) to dst through a temporary file; true when dst holds it all. */
static bool copy_file(int in, const char *dst, long long size, char *why, size_t whylen)
{
    char *tmp = malloc(strlen(dst) + 16);
    sprintf(tmp, "%s.part", dst);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = out >= 0 && copy_bytes(in, out, size);
    if (out >= 0 && close(out) != 0) ok = false;
    if (ok && rename(tmp, dst) != 0) ok = false;
    if (!ok) {
        snprintf(why, whylen, "cannot write '%s': %s", dst, strerror(errno ? errno : EIO));
        unlink(tmp);
    }
    free(tmp);
    return ok;
}

char *wp_media_copy(arena *a, const char *uploads, const char *media, const char *file,
                    const char *remote, char *why, size_t whylen)
{
    if ((!file || !*file) && remote) {
        const char *at = strstr(remote, "/wp-content/uploads/");
        if (at) {
            file = at + strlen("/wp-content/uploads/");
        } else if (strncmp(remote, "https://", 8) == 0 || strncmp(remote, "http://", 7) == 0) {
            file = strchr(remote + 8, '/'); /* WordPress.com keeps uploads at the root */
            file = file ? file + 1 : NULL;
        }
    }
    if (!file || !safe_relative(file)) {
        snprintf(why, whylen, "no safe file name in the export");
        return NULL;
    }
    char *src = arena_printf(a, "%s/%s", uploads, file);
    char *dst = arena_printf(a, "%s/wp/%s", media, file);
    int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb, db;
    if (in < 0 || fstat(in, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(why, whylen, "'%s' is not a readable file", src);
        if (in >= 0) close(in);
        return NULL;
    }
    unsigned char head[16];
    ssize_t n = pread(in, head, sizeof head, 0);
    const char *problem = sb.st_size == 0                   ? "the file is empty"
                          : sb.st_size > WP_MEDIA_MAX_BYTES ? "the file is over 256 MB"
                          : n <= 0 || !wp_media_type_matches(file, head, (size_t)n)
                              ? "its content is not what its name says (or a type not copied)"
                              : NULL;
    bool ok = !problem;
    if (problem) snprintf(why, whylen, "'%s': %s", src, problem);
    if (ok && stat(dst, &db) == 0 && S_ISREG(db.st_mode) && db.st_size == sb.st_size) {
        close(in); /* copied by an earlier run */
        return arena_printf(a, "/media/wp/%s", url_path(a, file));
    }
    if (ok && !make_parents(dst)) {
        snprintf(why, whylen, "cannot make the folders of '%s': %s", dst, strerror(errno));
        ok = false;
    }
    if (ok) ok = copy_file(in, dst, (long long)sb.st_size, why, whylen);
    close(in);
    return ok ? arena_printf(a, "/media/wp/%s", url_path(a, file)) : NULL;
}
