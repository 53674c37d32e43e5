/* pipeline.c — turns a checked upload into its renditions (media.h): decode once with the
 * format's loader failing on any error, turn upright by EXIF orientation, sRGB, flatten onto
 * white, shrink to the largest width, then each smaller width from that, each saved as JPEG and
 * WebP with every piece of metadata stripped. Files are written under temporary names (fsynced)
 * and renamed into place only once every one of them is written; on any failure they are all
 * removed. A counting gate bounds how many images decode at once (each holds its full picture
 * in memory). libvips itself is process-wide: media_start initialises it once. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "media_internal.h"

/* ---- libvips, once per process ------------------------------------------------------------ */

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_started = -1; /* 0 ok, -1 failed (set once, under vips_once) */
static const char *vips_argv0;

/* libvips's warnings ("error in tile 0 x 280") are about uploaders' files, whose refusal the
 * uploader is told: they stay off the server's stderr. */
static void drop_warning(const gchar *domain, GLogLevelFlags level, const gchar *message,
                         gpointer data)
{
}

static char vips_load_error[256];

/* Loads libvips (vips_dl.c), checks that it has the ABI the headers describe (what VIPS_INIT
 * does, with the loaded functions) and starts it. */
static void start_vips(void)
{
    const vips_dl *v = vips_dl_load(vips_load_error, sizeof vips_load_error);
    if (!v) return;
    if (v->vips_version(3) - v->vips_version(5) != VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE) {
        snprintf(vips_load_error, sizeof vips_load_error,
                 "libvips has ABI version %d, gazette was built for %d",
                 v->vips_version(3) - v->vips_version(5), VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE);
        return;
    }
    if (v->vips_init(vips_argv0 ? vips_argv0 : "gazette") != 0) {
        snprintf(vips_load_error, sizeof vips_load_error, "%s", v->vips_error_buffer());
        v->vips_error_clear();
        return;
    }
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, drop_warning, NULL);
    v->vips_block_untrusted_set(TRUE); /* no loader marked unsafe for untrusted input, ever */
    v->vips_cache_set_max(0); /* every upload is new: caching operations only costs memory */
    vips_started = 0;
}

bool media_start(const char *argv0, char *err, size_t errlen)
{
    vips_argv0 = argv0;
    pthread_once(&vips_once, start_vips);
    if (vips_started != 0) {
        snprintf(err, errlen, "cannot start libvips: %s", vips_load_error);
        return false;
    }
    return true;
}

void media_stop(void)
{
    if (vips_started == 0) media_vips()->vips_shutdown();
}

/* ---- the gate ------------------------------------------------------------------------------ */

struct media_pipeline {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned running, limit, wait_seconds;
};

media_pipeline *media_pipeline_new(unsigned concurrency, unsigned wait_seconds)
{
    media_pipeline *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->limit = concurrency ? concurrency : 2;
    p->wait_seconds = wait_seconds;
    return p;
}

void media_pipeline_free(media_pipeline *p)
{
    if (!p) return;
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static bool gate_enter(media_pipeline *p)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += p->wait_seconds;
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    while (p->running >= p->limit && rc == 0)
        rc = pthread_cond_timedwait(&p->freed, &p->lock, &until);
    bool entered = p->running < p->limit;
    if (entered) p->running++;
    pthread_mutex_unlock(&p->lock);
    return entered;
}

static void gate_leave(media_pipeline *p)
{
    pthread_mutex_lock(&p->lock);
    p->running--;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* ---- files ---------------------------------------------------------------------------------- */

enum { MAX_FILES = 2 * MEDIA_MAX_WIDTHS };

typedef struct staged {
    char temp[MAX_FILES][4096], final[MAX_FILES][4096];
    bool existed[MAX_FILES], renamed[MAX_FILES];
    size_t n;
} staged;

static bool make_dir(const char *path)
{
    return mkdir(path, 0755) == 0 || errno == EEXIST;
}

static bool write_all(int fd, const void *bytes, size_t len)
{
    const char *p = bytes;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        len -= (size_t)w;
    }
    return true;
}

/* Writes bytes to a new temporary file in dir, to be renamed to dir/name. */
static bool stage_file(staged *s, const char *dir, const char *name, const void *bytes, size_t len)
{
    if (s->n == MAX_FILES) return false;
    size_t i = s->n;
    snprintf(s->temp[i], sizeof s->temp[i], "%s/.upload-XXXXXX", dir);
    snprintf(s->final[i], sizeof s->final[i], "%s/%s", dir, name);
    int fd = mkstemp(s->temp[i]);
    if (fd < 0) return false;
    s->n++;
    bool ok = fchmod(fd, 0644) == 0 && write_all(fd, bytes, len) && fsync(fd) == 0;
    return close(fd) == 0 && ok;
}

/* Renames every staged file into place; on failure puts everything back as it was. */
static bool stage_commit(staged *s, const char *dir)
{
    bool ok = true;
    for (size_t i = 0; i < s->n && ok; i++) {
        s->existed[i] = access(s->final[i], F_OK) == 0;
        ok = rename(s->temp[i], s->final[i]) == 0;
        s->renamed[i] = ok;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        if (ok && fsync(dfd) != 0) ok = false;
        close(dfd);
    }
    return ok;
}

static void stage_abandon(staged *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (!s->renamed[i])
            unlink(s->temp[i]);
        else if (!s->existed[i])
            unlink(s->final[i]);
    }
}

/* ---- decoding and encoding ------------------------------------------------------------------ */

/* A JPEG whose upright width is at least twice the largest rendition's is decoded 2, 4 or 8
 * times smaller (libjpeg's shrink-on-load): a 12-megapixel photo is held in memory at
 * 2000×1500 (9 MB instead of 36 MB) and still gives the 1920-pixel rendition. The time goes
 * mostly to encoding (WebP above all), so this saves memory more than time. */
static VipsImage *load_for_largest(const void *bytes, size_t len, media_format format)
{
    VipsImage *image = media_load(bytes, len, format, 1);
    if (!image || format != MEDIA_JPEG) return image;
    int orientation = media_vips()->vips_image_get_orientation(image);
    unsigned w = (unsigned)(orientation >= 5 ? media_vips()->vips_image_get_height(image)
                                             : media_vips()->vips_image_get_width(image));
    int shrink = 1;
    while (shrink < 8 && w / (unsigned)(shrink * 2) >= MEDIA_LARGEST)
        shrink *= 2;
    if (shrink == 1) return image;
    media_vips()->g_object_unref(image);
    return media_load(bytes, len, format, shrink);
}

/* Drops every metadata item of image (EXIF with any GPS position, XMP, IPTC, ICC profile,
 * comments). Saving with "strip" is not enough: libvips 8.14's WebP writer ignores it and copies
 * the EXIF block (GPS included) into the file. With nothing left, it still writes an EXIF block
 * of its own making, holding only resolution and orientation (test_media checks that no position
 * survives in either format). */
static void strip_metadata(VipsImage *image)
{
    gchar **fields = media_vips()->vips_image_get_fields(image);
    for (size_t i = 0; fields && fields[i]; i++)
        media_vips()->vips_image_remove(image,
                                        fields[i]); /* built-in properties stay: it refuses them */
    g_strfreev(fields);
}

/* The upright sRGB picture without alpha, decoded into memory; NULL when it does not decode. */
static VipsImage *decode(const void *bytes, size_t len, media_format format)
{
    VipsImage *loaded = load_for_largest(bytes, len, format), *upright = NULL, *srgb = NULL,
              *flat = NULL, *mem = NULL;
    if (!loaded) return NULL;
    if (media_vips()->vips_autorot(loaded, &upright, NULL) == 0 &&
        media_vips()->vips_colourspace(upright, &srgb, VIPS_INTERPRETATION_sRGB, NULL) == 0) {
        if (media_vips()->vips_image_hasalpha(srgb)) {
            VipsArrayDouble *white = media_vips()->vips_array_double_newv(1, 255.0);
            if (media_vips()->vips_flatten(srgb, &flat, "background", white, NULL) != 0)
                flat = NULL;
            media_vips()->vips_area_unref(VIPS_AREA(white));
        } else {
            flat = srgb;
            (media_vips()->g_object_ref)(flat);
        }
        if (flat)
            mem = media_vips()->vips_image_copy_memory(flat); /* decodes: errors surface here */
    }
    if (flat) media_vips()->g_object_unref(flat);
    if (srgb) media_vips()->g_object_unref(srgb);
    if (upright) media_vips()->g_object_unref(upright);
    media_vips()->g_object_unref(loaded);
    if (!mem)
        media_vips()->vips_error_clear();
    else
        strip_metadata(mem);
    return mem;
}

/* in at exactly w x h (the same picture when it is that size already). */
static VipsImage *sized(VipsImage *in, unsigned w, unsigned h)
{
    VipsImage *out = NULL;
    if ((unsigned)media_vips()->vips_image_get_width(in) == w &&
        (unsigned)media_vips()->vips_image_get_height(in) == h) {
        (media_vips()->g_object_ref)(in);
        return in;
    }
    if (media_vips()->vips_thumbnail_image(in, &out, (int)w, "height", (int)h, "size",
                                           VIPS_SIZE_FORCE, NULL) != 0)
        return NULL;
    if ((unsigned)media_vips()->vips_image_get_width(out) != w ||
        (unsigned)media_vips()->vips_image_get_height(out) != h) {
        media_vips()->g_object_unref(out);
        return NULL;
    }
    return out;
}

/* Encodes one rendition in both formats and stages the two files. */
static bool stage_rendition(staged *s, const char *dir, const char *hash, VipsImage *image,
                            unsigned w, unsigned h)
{
    void *jpeg = NULL, *webp = NULL;
    size_t jpeg_len = 0, webp_len = 0;
    bool ok =
        media_vips()->vips_jpegsave_buffer(image, &jpeg, &jpeg_len, "Q", 82, "strip", TRUE,
                                           "optimize_coding", TRUE, "interlace", TRUE, NULL) == 0 &&
        media_vips()->vips_webpsave_buffer(image, &webp, &webp_len, "Q", 80, "strip", TRUE, NULL) ==
            0;
    if (ok) {
        char name[MEDIA_HASH_HEX + 40];
        snprintf(name, sizeof name, "%s-%ux%u.jpg", hash, w, h);
        ok = stage_file(s, dir, name, jpeg, jpeg_len);
        snprintf(name, sizeof name, "%s-%ux%u.webp", hash, w, h);
        ok = ok && stage_file(s, dir, name, webp, webp_len);
    }
    g_free(jpeg);
    g_free(webp);
    return ok;
}

/* Decodes and stages every rendition; fills the sizes of img. */
static media_status render(const void *bytes, size_t len, const char *dir, media_image *img,
                           staged *s, char *message, size_t msglen)
{
    VipsImage *full = decode(bytes, len, img->format);
    if (!full) {
        media_message(message, msglen,
                      "the image is damaged or incomplete: the %s data does not "
                      "decode (a truncated or corrupt file)",
                      media_format_name(img->format));
        return MEDIA_DAMAGED;
    }
    unsigned w0 = (unsigned)media_vips()->vips_image_get_width(full),
             h0 = (unsigned)media_vips()->vips_image_get_height(full);
    img->width = w0 < MEDIA_LARGEST ? w0 : MEDIA_LARGEST;
    img->height = media_rendition_height(w0, h0, img->width);
    img->n_widths = media_rendition_widths(img->width, img->widths);
    VipsImage *largest = sized(full, img->width, img->height);
    VipsImage *base = largest ? media_vips()->vips_image_copy_memory(largest) : NULL;
    media_vips()->g_object_unref(full);
    if (largest) media_vips()->g_object_unref(largest);
    bool ok = base != NULL;
    for (size_t i = img->n_widths; ok && i-- > 0;) {
        unsigned w = img->widths[i], h = media_rendition_height(img->width, img->height, w);
        VipsImage *r = sized(base, w, h);
        ok = r && stage_rendition(s, dir, img->hash, r, w, h);
        if (r) media_vips()->g_object_unref(r);
    }
    if (base) media_vips()->g_object_unref(base);
    if (!ok) {
        media_vips()->vips_error_clear();
        media_message(message, msglen, "the image could not be saved (resizing or writing failed)");
        return MEDIA_IO;
    }
    return MEDIA_OK;
}

media_status media_process(media_pipeline *p, const void *bytes, size_t len,
                           const media_limits *limits, const char *dir, media_image *out,
                           char *message, size_t msglen)
{
    media_image img;
    media_status st = media_check(bytes, len, limits, &img, message, msglen);
    if (st != MEDIA_OK) return st;
    char library[4096];
    snprintf(library, sizeof library, "%s/" MEDIA_LIBRARY_DIR, dir);
    if (!make_dir(dir) || !make_dir(library)) {
        media_message(message, msglen,
                      "the image could not be saved: the media folder cannot "
                      "be created");
        return MEDIA_IO;
    }
    if (!gate_enter(p)) {
        media_message(message, msglen, "%s", media_strerror(MEDIA_BUSY));
        return MEDIA_BUSY;
    }
    staged *s = calloc(1, sizeof *s);
    if (!s) {
        gate_leave(p);
        return MEDIA_IO;
    }
    st = render(bytes, len, library, &img, s, message, msglen);
    gate_leave(p);
    if (st == MEDIA_OK && !stage_commit(s, library)) {
        media_message(message, msglen,
                      "the image could not be saved: writing to the media "
                      "folder failed (%s)",
                      strerror(errno));
        st = MEDIA_IO;
    }
    if (st != MEDIA_OK) stage_abandon(s);
    free(s);
    if (st == MEDIA_OK) *out = img;
    return st;
}

void media_remove(const char *dir, const char *hash, unsigned width, unsigned height)
{
    unsigned widths[MEDIA_MAX_WIDTHS];
    size_t n = media_rendition_widths(width, widths);
    static const char *const exts[] = {"jpg", "webp"};
    for (size_t i = 0; i < n; i++) {
        unsigned h = media_rendition_height(width, height, widths[i]);
        for (size_t e = 0; e < 2; e++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/" MEDIA_LIBRARY_DIR "/%s-%ux%u.%s", dir, hash,
                     widths[i], h, exts[e]);
            unlink(path);
        }
    }
}
