/* test_media.c — unit tests of the image pipeline (src/media): names and addresses, format
 * sniffing, real images made here with libvips (JPEG, PNG, WebP, GIF) turned into renditions,
 * and hostile files: a PHP script named .jpg, a PNG and a GIF claiming 60000×60000 pixels (tiny
 * on disk), a truncated JPEG, zero bytes, a file over the size limit. Every refusal leaves the
 * media folder empty. A JPEG carrying EXIF GPS tags and orientation 6 comes out upright with no
 * metadata at all. And the library table's store functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <vips/vips.h>

#include "../../src/media/media.h"
#include "../../src/store/store.h"
#include "pg_fixture.h"

typedef struct fixture {
    char dir[64];
    media_pipeline *pipeline;
    arena *arena;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/gazette-media-test.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    f->pipeline = media_pipeline_new(2, 10);
    f->arena = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, getenv("KEEP") ? "true %s" : "rm -rf %s", f->dir);
    if (system(cmd) != 0) return -1;
    media_pipeline_free(f->pipeline);
    arena_free(f->arena);
    free(f);
    return 0;
}

/* ---- images made for the tests ------------------------------------------------------------- */

/* A w x h colour picture with some noise (so JPEGs are not trivially small). */
static VipsImage *picture(int w, int h)
{
    VipsImage *noise = NULL, *rgb = NULL, *out = NULL;
    assert_int_equal(vips_gaussnoise(&noise, w, h, "mean", 128.0, "sigma", 40.0, NULL), 0);
    VipsImage *bands[3] = {noise, noise, noise};
    assert_int_equal(vips_bandjoin(bands, &rgb, 3, NULL), 0);
    assert_int_equal(vips_cast_uchar(rgb, &out, NULL), 0);
    g_object_unref(noise);
    g_object_unref(rgb);
    return out;
}

typedef struct blob {
    unsigned char *bytes;
    size_t len;
} blob;

static blob encode(VipsImage *image, const char *format)
{
    void *bytes = NULL;
    size_t len = 0;
    int rc = -1;
    if (strcmp(format, "jpeg") == 0) rc = vips_jpegsave_buffer(image, &bytes, &len, NULL);
    if (strcmp(format, "png") == 0) rc = vips_pngsave_buffer(image, &bytes, &len, NULL);
    if (strcmp(format, "webp") == 0) rc = vips_webpsave_buffer(image, &bytes, &len, NULL);
    if (strcmp(format, "gif") == 0) rc = vips_gifsave_buffer(image, &bytes, &len, NULL);
    assert_int_equal(rc, 0);
    g_object_unref(image);
    return (blob){bytes, len};
}

static void put32be(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* A PNG that claims w x h pixels: signature, a valid IHDR, a tiny IDAT and IEND. */
static blob png_bomb(uint32_t w, uint32_t h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char *b = calloc(1, 80);
    size_t n = 0;
    memcpy(b, sig, 8), n = 8;
    put32be(b + n, 13), memcpy(b + n + 4, "IHDR", 4);
    put32be(b + n + 8, w), put32be(b + n + 12, h);
    b[n + 16] = 8, b[n + 17] = 2; /* 8-bit RGB */
    put32be(b + n + 21, (uint32_t)crc32(0, b + n + 4, 17));
    n += 25;
    put32be(b + n, 2), memcpy(b + n + 4, "IDAT\x78\x9c", 6);
    put32be(b + n + 10, (uint32_t)crc32(0, b + n + 4, 6));
    n += 14;
    put32be(b + n, 0), memcpy(b + n + 4, "IEND", 4);
    put32be(b + n + 8, (uint32_t)crc32(0, b + n + 4, 4));
    n += 12;
    return (blob){b, n};
}

/* A GIF whose logical screen and only image claim 60000 x 60000. */
static blob gif_bomb(void)
{
    static const unsigned char gif[] = {
        'G',  'I',  'F',  '8',  '9',  'a',  0x60, 0xEA, 0x60, 0xEA,
        0x80, 0,    0,    0,    0,    0,    0xFF, 0xFF, 0xFF,    /* two-colour table */
        0x2C, 0,    0,    0,    0,    0x60, 0xEA, 0x60, 0xEA, 0, /* image descriptor */
        0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};
    unsigned char *b = malloc(sizeof gif);
    memcpy(b, gif, sizeof gif);
    return (blob){b, sizeof gif};
}

/* An EXIF APP1 segment: orientation 6 (turn 90° clockwise) and a GPS position (51°30'N). */
static const unsigned char exif_app1[] = {
    0xFF, 0xE1, 0x00, 0x64, 'E', 'x', 'i', 'f', 0, 0,
    /* TIFF header, IFD0 at 8 */
    'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,
    /* IFD0: 2 entries: Orientation = 6, GPSInfo -> 38 */
    0x02, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x25, 0x88,
    0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* GPS IFD at 38: GPSLatitudeRef "N", GPSLatitude -> 68 */
    0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 'N', 0x00, 0x00, 0x00, 0x02, 0x00,
    0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* at 68: 51/1 30/1 0/1 */
    51, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

static blob jpeg_with_exif(int w, int h)
{
    blob plain = encode(picture(w, h), "jpeg");
    blob b = {malloc(plain.len + sizeof exif_app1), plain.len + sizeof exif_app1};
    memcpy(b.bytes, plain.bytes, 2); /* SOI */
    memcpy(b.bytes + 2, exif_app1, sizeof exif_app1);
    memcpy(b.bytes + 2 + sizeof exif_app1, plain.bytes + 2, plain.len - 2);
    g_free(plain.bytes);
    return b;
}

static void blob_free(blob b)
{
    g_free(b.bytes); /* g_free and free are the same allocator on glibc builds of GLib */
}

/* The number of entries in dir/library (missing folder: 0). */
static int files_in_library(const fixture *f)
{
    char path[128];
    snprintf(path, sizeof path, "%s/library", f->dir);
    DIR *d = opendir(path);
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static bool library_has(const fixture *f, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/library/%s", f->dir, name);
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static VipsImage *load_rendition(const fixture *f, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/library/%s", f->dir, name);
    VipsImage *image = vips_image_new_from_file(path, NULL);
    assert_non_null(image);
    return image;
}

/* ---- names ------------------------------------------------------------------------------- */

static void test_names_and_addresses(void **state)
{
    fixture *f = *state;
    unsigned widths[MEDIA_MAX_WIDTHS];
    assert_int_equal(media_rendition_widths(1920, widths), 5);
    assert_int_equal(widths[0], 320);
    assert_int_equal(widths[4], 1920);
    assert_int_equal(media_rendition_widths(1000, widths), 4);
    assert_int_equal(widths[3], 1000);
    assert_int_equal(media_rendition_widths(200, widths), 1);
    assert_int_equal(widths[0], 200);
    assert_int_equal(media_rendition_height(1920, 1080, 640), 360);
    assert_int_equal(media_rendition_height(1920, 1, 320), 1); /* never 0 */

    char hash[MEDIA_HASH_HEX + 1];
    unsigned w, h;
    const char *url = media_library_url(f->arena, "0123456789abcdef0123456789abcdef", 1920, 1080);
    assert_string_equal(url, "/media/library/0123456789abcdef0123456789abcdef-1920x1080.jpg");
    assert_true(media_library_url_parse(url, hash, &w, &h));
    assert_string_equal(hash, "0123456789abcdef0123456789abcdef");
    assert_int_equal(w, 1920);
    assert_int_equal(h, 1080);
    assert_false(media_library_url_parse("/media/photo.jpg", hash, &w, &h));
    assert_false(media_library_url_parse(
        "/media/library/0123456789abcdef0123456789abcdef-1920x1080.webp", hash, &w, &h));
    assert_false(media_library_url_parse(
        "/media/library/0123456789ABCDEF0123456789abcdef-10x10.jpg", hash, &w, &h));
    assert_false(media_library_url_parse(
        "/media/library/0123456789abcdef0123456789abcdef-4000x10.jpg", hash, &w, &h));
    assert_false(media_library_url_parse(
        "/media/library/0123456789abcdef0123456789abcdef-010x10.jpg", hash, &w, &h));
    assert_false(media_library_url_parse(NULL, hash, &w, &h));

    assert_string_equal(media_clean_file_name(f->arena, "../../etc/pass wd.jpg"), "pass wd.jpg");
    assert_string_equal(media_clean_file_name(f->arena, "C:\\x\\<script>.png"), "_script_.png");
    assert_string_equal(media_clean_file_name(f->arena, "..."), "image");
    assert_string_equal(media_clean_file_name(f->arena, NULL), "image");
}

static void test_sniffing_by_content(void **state)
{
    media_format fmt;
    assert_true(media_sniff("\xFF\xD8\xFF\xE0", 4, &fmt));
    assert_int_equal(fmt, MEDIA_JPEG);
    assert_true(media_sniff("\x89PNG\r\n\x1a\n", 8, &fmt));
    assert_int_equal(fmt, MEDIA_PNG);
    assert_true(media_sniff("RIFF\0\0\0\0WEBPVP8 ", 16, &fmt));
    assert_int_equal(fmt, MEDIA_WEBP);
    assert_true(media_sniff("GIF89a", 6, &fmt));
    assert_int_equal(fmt, MEDIA_GIF);
    assert_false(media_sniff("<?php", 5, &fmt));
    assert_false(media_sniff("<svg xmlns=", 11, &fmt));
    assert_false(media_sniff("\xFF\xD8", 2, &fmt));
    assert_false(media_sniff("", 0, &fmt));
}

/* ---- real images --------------------------------------------------------------------------- */

static void test_jpeg_becomes_every_width_in_two_formats(void **state)
{
    fixture *f = *state;
    blob b = encode(picture(2400, 1200), "jpeg");
    media_image img;
    char msg[256] = "";
    assert_int_equal(
        media_process(f->pipeline, b.bytes, b.len, NULL, f->dir, &img, msg, sizeof msg), MEDIA_OK);
    assert_int_equal(img.format, MEDIA_JPEG);
    assert_int_equal(img.source_width, 2400);
    assert_int_equal(img.width, 1920);
    assert_int_equal(img.height, 960);
    assert_int_equal(img.n_widths, 5);
    assert_int_equal(strlen(img.hash), MEDIA_HASH_HEX);
    assert_int_equal(files_in_library(f), 10);
    for (size_t i = 0; i < img.n_widths; i++) {
        unsigned w = img.widths[i], h = media_rendition_height(1920, 960, w);
        const char *jpg = media_file_name(f->arena, img.hash, w, h, "jpg");
        const char *webp = media_file_name(f->arena, img.hash, w, h, "webp");
        assert_true(library_has(f, jpg));
        assert_true(library_has(f, webp));
        VipsImage *r = load_rendition(f, webp);
        assert_int_equal(vips_image_get_width(r), (int)w);
        assert_int_equal(vips_image_get_height(r), (int)h);
        g_object_unref(r);
    }
    /* the same bytes again: the same names, nothing new */
    media_image again;
    assert_int_equal(
        media_process(f->pipeline, b.bytes, b.len, NULL, f->dir, &again, msg, sizeof msg),
        MEDIA_OK);
    assert_string_equal(again.hash, img.hash);
    assert_int_equal(files_in_library(f), 10);
    media_remove(f->dir, img.hash, img.width, img.height);
    assert_int_equal(files_in_library(f), 0);
    blob_free(b);
}

/* A JPEG twice as wide as the largest rendition is decoded shrunk by libjpeg: same names and
 * sizes, and a cut one is still refused. */
static void test_large_jpeg_is_shrunk_on_load(void **state)
{
    fixture *f = *state;
    blob b = encode(picture(4000, 3000), "jpeg");
    media_image img;
    char msg[256] = "";
    assert_int_equal(
        media_process(f->pipeline, b.bytes, b.len, NULL, f->dir, &img, msg, sizeof msg), MEDIA_OK);
    assert_int_equal(img.source_width, 4000);
    assert_int_equal(img.width, 1920);
    assert_int_equal(img.height, 1440);
    assert_true(library_has(f, media_file_name(f->arena, img.hash, 1920, 1440, "webp")));
    assert_true(library_has(f, media_file_name(f->arena, img.hash, 320, 240, "jpg")));
    media_remove(f->dir, img.hash, img.width, img.height);
    assert_int_equal(
        media_process(f->pipeline, b.bytes, b.len * 3 / 4, NULL, f->dir, &img, msg, sizeof msg),
        MEDIA_DAMAGED);
    assert_int_equal(files_in_library(f), 0);
    blob_free(b);
}

static void test_small_png_webp_gif_are_never_upscaled(void **state)
{
    fixture *f = *state;
    static const char *const formats[] = {"png", "webp", "gif"};
    static const media_format expected[] = {MEDIA_PNG, MEDIA_WEBP, MEDIA_GIF};
    for (size_t i = 0; i < 3; i++) {
        blob b = encode(picture(500, 300 + (int)i), formats[i]);
        media_image img;
        char msg[256] = "";
        assert_int_equal(
            media_process(f->pipeline, b.bytes, b.len, NULL, f->dir, &img, msg, sizeof msg),
            MEDIA_OK);
        assert_int_equal(img.format, expected[i]);
        assert_int_equal(img.width, 500);
        assert_int_equal(img.height, 300 + i);
        assert_int_equal(img.n_widths, 2); /* 320 and 500 */
        assert_true(
            library_has(f, media_file_name(f->arena, img.hash, 500, 300 + (unsigned)i, "jpg")));
        blob_free(b);
    }
    assert_int_equal(files_in_library(f), 12);
}

static void test_exif_gps_is_stripped_and_orientation_applied(void **state)
{
    fixture *f = *state;
    blob b = jpeg_with_exif(400, 200);
    /* the test file does carry the position */
    VipsImage *in = vips_image_new_from_buffer(b.bytes, b.len, "", NULL);
    assert_non_null(in);
    assert_true(vips_image_get_typeof(in, "exif-ifd3-GPSLatitudeRef") != 0);
    assert_int_equal(vips_image_get_orientation(in), 6);
    g_object_unref(in);

    media_image img;
    char msg[256] = "";
    assert_int_equal(
        media_process(f->pipeline, b.bytes, b.len, NULL, f->dir, &img, msg, sizeof msg), MEDIA_OK);
    assert_int_equal(img.width, 200); /* turned upright: 200 wide, 400 high */
    assert_int_equal(img.height, 400);
    static const char *const exts[] = {"jpg", "webp"};
    for (size_t e = 0; e < 2; e++) {
        const char *name = media_file_name(f->arena, img.hash, 200, 400, exts[e]);
        VipsImage *out = load_rendition(f, name);
        /* libvips 8.14 writes a WebP EXIF block of its own (resolution only): no JPEG one */
        if (e == 0) assert_int_equal(vips_image_get_typeof(out, "exif-data"), 0);
        assert_int_equal(vips_image_get_typeof(out, "exif-ifd3-GPSLatitudeRef"), 0);
        assert_int_equal(vips_image_get_typeof(out, "exif-ifd3-GPSLatitude"), 0);
        assert_int_equal(vips_image_get_typeof(out, "icc-profile-data"), 0);
        g_object_unref(out);
        /* and no trace of it in the bytes */
        char path[256];
        snprintf(path, sizeof path, "%s/library/%s", f->dir, name);
        gchar *bytes;
        gsize len;
        assert_true(g_file_get_contents(path, &bytes, &len, NULL));
        if (e == 0) assert_null(memmem(bytes, len, "Exif", 4));
        assert_null(memmem(bytes, len, "\x02\x00\x05\x00\x03\x00", 6)); /* GPSLatitude */
        g_free(bytes);
    }
    blob_free(b);
}

/* ---- hostile files -------------------------------------------------------------------------- */

static void expect_refusal(fixture *f, blob b, const media_limits *limits, media_status want,
                           const char *message_start)
{
    media_image img;
    char msg[256] = "";
    assert_int_equal(
        media_process(f->pipeline, b.bytes, b.len, limits, f->dir, &img, msg, sizeof msg), want);
    if (strncmp(msg, message_start, strlen(message_start)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", msg, message_start);
    assert_int_equal(files_in_library(f), 0);
}

static void test_php_named_jpg_is_not_an_image(void **state)
{
    const char php[] = "<?php system($_GET['cmd']); ?>\n";
    unsigned char *b = malloc(sizeof php);
    memcpy(b, php, sizeof php);
    expect_refusal(*state, (blob){b, sizeof php - 1}, NULL, MEDIA_NOT_IMAGE, "not an image");
    free(b);
}

static void test_decompression_bombs_are_refused_before_decoding(void **state)
{
    blob png = png_bomb(60000, 60000);
    assert_true(png.len < 100);
    expect_refusal(*state, png, NULL, MEDIA_TOO_MANY_PIXELS, "image too large: 60000×60000 pixels");
    free(png.bytes);
    blob gif = gif_bomb();
    expect_refusal(*state, gif, NULL, MEDIA_TOO_MANY_PIXELS, "image too large: 60000×60000 pixels");
    free(gif.bytes);
    /* a lower limit of the site's own */
    blob small = encode(picture(1000, 1000), "png");
    media_limits limits = {.max_pixels = 500 * 1000};
    expect_refusal(*state, small, &limits, MEDIA_TOO_MANY_PIXELS, "image too large: 1000×1000");
    blob_free(small);
}

static void test_truncated_jpeg_is_damaged(void **state)
{
    blob b = encode(picture(800, 600), "jpeg");
    expect_refusal(*state, (blob){b.bytes, b.len / 2}, NULL, MEDIA_DAMAGED, "the image is damaged");
    /* only a header's worth */
    expect_refusal(*state, (blob){b.bytes, 20}, NULL, MEDIA_DAMAGED, "the image is damaged");
    blob_free(b);
    blob p = encode(picture(300, 300), "png");
    expect_refusal(*state, (blob){p.bytes, p.len - 40}, NULL, MEDIA_DAMAGED,
                   "the image is damaged");
    blob_free(p);
}

static void test_empty_and_oversized_files(void **state)
{
    unsigned char none[1];
    expect_refusal(*state, (blob){none, 0}, NULL, MEDIA_EMPTY, "the file is empty");
    blob b = encode(picture(600, 600), "png");
    media_limits limits = {.max_bytes = 1024};
    expect_refusal(*state, b, &limits, MEDIA_TOO_LARGE, "file too large");
    blob_free(b);
}

static void test_check_alone_reads_only_the_header(void **state)
{
    blob b = png_bomb(1200, 800); /* no pixel data at all: the header is all check reads */
    media_image img;
    char msg[128];
    assert_int_equal(media_check(b.bytes, b.len, NULL, &img, msg, sizeof msg), MEDIA_OK);
    assert_int_equal(img.source_width, 1200);
    assert_int_equal(img.source_height, 800);
    free(b.bytes);
}

/* ---- the library table (src/store/sqlite_media.c) ------------------------------------------ */

static void test_store_media_rows(void **state)
{
    fixture *f = *state;
    char path[256], err[256], pg_db[48] = "";
    snprintf(path, sizeof path, "%s/site.db", f->dir);
    if (test_pg_admin()) /* on PostgreSQL: a database of the test's own */
        pg_test_database_new(test_pg_admin(), pg_db, sizeof pg_db, path, sizeof path);
    store *s = NULL;
    assert_int_equal(store_create(path, &s, err, sizeof err), STORE_OK);
    store_media_input in = {.hash = "0123456789abcdef0123456789abcdef",
                            .file_name = "harbour.jpg",
                            .widths = "320 640 800",
                            .alt = "The harbour",
                            .width = 800,
                            .height = 600};
    long long id = 0, again = 0;
    assert_int_equal(store_media_add(s, &in, &id), STORE_OK);
    assert_true(id > 0);
    assert_int_equal(store_media_add(s, &in, &again), STORE_CONFLICT); /* the same bytes */
    assert_int_equal(again, id);
    store_media_input bad = in;
    bad.hash = "short";
    assert_int_equal(store_media_add(s, &bad, &again), STORE_INVALID);
    store_media_input second = in;
    second.hash = "fedcba9876543210fedcba9876543210";
    long long id2 = 0;
    assert_int_equal(store_media_add(s, &second, &id2), STORE_OK);

    store_media m;
    assert_int_equal(store_media_get(s, f->arena, id, &m), STORE_OK);
    assert_string_equal(m.file_name, "harbour.jpg");
    assert_string_equal(m.alt, "The harbour");
    assert_string_equal(m.caption, "");
    assert_int_equal(m.width, 800);
    assert_int_equal(m.uploader_id, 0);
    assert_int_equal(store_media_update(s, id, NULL, "Dawn", "Photo: A"), STORE_OK);
    assert_int_equal(store_media_get(s, f->arena, id, &m), STORE_OK);
    assert_string_equal(m.alt, "The harbour"); /* NULL left it */
    assert_string_equal(m.caption, "Dawn");
    assert_int_equal(store_media_update(s, 999, "x", NULL, NULL), STORE_NOT_FOUND);

    store_media *list;
    size_t n, total;
    assert_int_equal(store_media_list(s, f->arena, 1, 0, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);
    assert_int_equal(list[0].id, id2); /* newest first (same second: higher id first) */
    assert_int_equal(store_media_delete(s, id), STORE_OK);
    assert_int_equal(store_media_delete(s, id), STORE_NOT_FOUND);
    assert_int_equal(store_media_get(s, f->arena, id, &m), STORE_NOT_FOUND);
    store_close(s);
    pg_test_database_drop(pg_db);
}

int main(void)
{
    char err[256];
    if (!media_start("test_media", err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_and_addresses, setup, teardown),
        cmocka_unit_test(test_sniffing_by_content),
        cmocka_unit_test_setup_teardown(test_jpeg_becomes_every_width_in_two_formats, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_large_jpeg_is_shrunk_on_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_png_webp_gif_are_never_upscaled, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_exif_gps_is_stripped_and_orientation_applied, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_php_named_jpg_is_not_an_image, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decompression_bombs_are_refused_before_decoding, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncated_jpeg_is_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_oversized_files, setup, teardown),
        cmocka_unit_test(test_check_alone_reads_only_the_header),
        cmocka_unit_test_setup_teardown(test_store_media_rows, setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    media_stop();
    return failed;
}
