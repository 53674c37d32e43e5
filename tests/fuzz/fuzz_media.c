/* fuzz_media.c — libFuzzer target for what the image pipeline reads before it decodes
 * (src/media): media_sniff and media_check (format by the first bytes, then the header read by
 * that format's own libvips loader, the size and pixel limits) on the raw input, and, on its
 * first line, the library address reader media_library_url_parse and the file-name cleaner
 * media_clean_file_name. Checks: a checked image is one of the four formats, within both limits,
 * with a 32-digit hex hash; every refusal has a message; a parsed address is rebuilt into the
 * same text; a cleaned name is 1-100 bytes of [A-Za-z0-9 ._-] without '/'. */
#include "../../src/media/media.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool started;
    char err[256];
    if (!started) FUZZ_CHECK(media_start("fuzz_media", err, sizeof err));
    started = true;

    media_format format;
    bool known = media_sniff(data, size, &format);
    media_limits limits = {.max_bytes = 64 * 1024, .max_pixels = 4000000};
    media_image img;
    char message[256] = "";
    media_status st = media_check(data, size, &limits, &img, message, sizeof message);
    if (st == MEDIA_OK) {
        FUZZ_CHECK(known && img.format == format);
        FUZZ_CHECK((unsigned long long)img.source_width * img.source_height <= limits.max_pixels);
        FUZZ_CHECK(strlen(img.hash) == MEDIA_HASH_HEX &&
                   strspn(img.hash, "0123456789abcdef") == MEDIA_HASH_HEX);
    } else {
        FUZZ_CHECK(message[0] != '\0');
        FUZZ_CHECK(st != MEDIA_NOT_IMAGE || !known);
    }

    char *text = fuzz_cstr(data, size);
    char *nl = strchr(text, '\n');
    if (nl) *nl = '\0';
    arena *a = arena_new();
    char hash[MEDIA_HASH_HEX + 1];
    unsigned w, h;
    if (media_library_url_parse(text, hash, &w, &h)) {
        FUZZ_CHECK(w >= 1 && w <= MEDIA_LARGEST && h >= 1);
        FUZZ_CHECK(strcmp(media_library_url(a, hash, w, h), text) == 0);
    }
    const char *clean = media_clean_file_name(a, text);
    size_t n = strlen(clean);
    FUZZ_CHECK(n >= 1 && n <= 100);
    FUZZ_CHECK(
        strspn(clean, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-") == n);
    arena_free(a);
    free(text);
    return 0;
}
