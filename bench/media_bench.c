/* media_bench.c — how long the image pipeline takes on a 12-megapixel JPEG (4000×3000, a
 * smooth picture made here with libvips and saved at quality 90, roughly what a phone camera
 * gives): media_process from the uploaded bytes to the ten renditions on disk, five runs,
 * median and each run printed. Usage: media_bench [runs] (run from the repo root; writes into a
 * temporary folder it removes). `make bench-media` builds and runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vips/vips.h>

#include "../src/media/media.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A 4000×3000 colour picture with smooth shapes and a little grain, as JPEG bytes. */
static void *photo(size_t *len)
{
    VipsImage *noise = NULL, *blur = NULL, *grain = NULL, *sum = NULL, *bands[3], *rgb = NULL,
              *out = NULL;
    void *bytes = NULL;
    if (vips_gaussnoise(&noise, 4000, 3000, "mean", 128.0, "sigma", 60.0, NULL) ||
        vips_gaussblur(noise, &blur, 12.0, NULL) ||
        vips_gaussnoise(&grain, 4000, 3000, "mean", 0.0, "sigma", 4.0, NULL) ||
        vips_add(blur, grain, &sum, NULL))
        return NULL;
    bands[0] = sum, bands[1] = blur, bands[2] = sum;
    if (vips_bandjoin(bands, &rgb, 3, NULL) || vips_cast_uchar(rgb, &out, NULL) ||
        vips_jpegsave_buffer(out, &bytes, len, "Q", 90, NULL))
        bytes = NULL;
    VipsImage *all[] = {noise, blur, grain, sum, rgb, out};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i]) g_object_unref(all[i]);
    return bytes;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > 100) runs = 5;
    char err[256], dir[] = "/tmp/gazette-media-bench.XXXXXX";
    if (!media_start(argv[0], err, sizeof err) || !mkdtemp(dir)) {
        fprintf(stderr, "media_bench: %s\n", err);
        return 1;
    }
    size_t len = 0;
    void *bytes = photo(&len);
    if (!bytes) {
        fprintf(stderr, "media_bench: cannot make the test picture: %s\n", vips_error_buffer());
        return 1;
    }
    media_pipeline *p = media_pipeline_new(1, 60);
    double t[100];
    media_image img;
    for (int i = 0; i < runs; i++) {
        char msg[256];
        double start = now();
        media_status st = media_process(p, bytes, len, NULL, dir, &img, msg, sizeof msg);
        t[i] = now() - start;
        if (st != MEDIA_OK) {
            fprintf(stderr, "media_bench: %s\n", msg);
            return 1;
        }
        printf("run %d: %.3f s\n", i + 1, t[i]);
    }
    qsort(t, (size_t)runs, sizeof t[0], by_value);
    printf("12 MP JPEG (4000x3000, %.1f MB) -> %zu widths x JPEG+WebP: median %.3f s of %d runs "
           "(min %.3f, max %.3f)\n",
           (double)len / 1e6, img.n_widths, t[runs / 2], runs, t[0], t[runs - 1]);
    media_remove(dir, img.hash, img.width, img.height);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "media_bench: cannot remove %s\n", dir);
    g_free(bytes);
    media_pipeline_free(p);
    media_stop();
    return 0;
}
