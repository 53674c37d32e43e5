/* form.c — application/x-www-form-urlencoded decoding (form_decode, form_get): fields split on
 * '&', name and value on the first '=', '+' is a space, %HH escapes; malformed bodies (a bad or
 * truncated escape, %00 or a raw NUL, more than 64 fields) are refused as a whole. */
#include "comments.h"

#include <string.h>

enum { FORM_MAX_FIELDS = 64 };

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new NUL-terminated string; NULL when malformed. */
static char *decode_part(arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\0') return NULL;
        if (c == '+') {
            out[o++] = ' ';
        } else if (c == '%') {
            if (n - i < 3) return NULL;
            int hi = hex_value((unsigned char)s[i + 1]), lo = hex_value((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return NULL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return out;
}

/* Number of non-empty '&'-separated segments in body[0..len). */
static size_t count_segments(const char *body, size_t len)
{
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || body[i] == '&') {
            if (i > start) count++;
            start = i + 1;
        }
    }
    return count;
}

bool form_decode(arena *a, const char *body, size_t len, form_field **fields, size_t *n)
{
    *fields = NULL;
    *n = 0;
    if (!body) len = 0;
    size_t count = count_segments(body, len);
    if (count > FORM_MAX_FIELDS) return false;
    form_field *out = arena_alloc(a, (count ? count : 1) * sizeof *out);
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && body[i] != '&') continue;
        if (i > start) {
            const char *seg = body + start;
            size_t seg_len = i - start;
            const char *eq = memchr(seg, '=', seg_len);
            size_t name_len = eq ? (size_t)(eq - seg) : seg_len;
            out[k].name = decode_part(a, seg, name_len);
            out[k].value = eq ? decode_part(a, eq + 1, seg_len - name_len - 1) : "";
            if (!out[k].name || !out[k].value) return false;
            k++;
        }
        start = i + 1;
    }
    *fields = out;
    *n = k;
    return true;
}

const char *form_get(const form_field *fields, size_t n, const char *name)
{
    if (!fields || !name) return NULL;
    for (size_t i = 0; i < n; i++)
        if (fields[i].name && strcmp(fields[i].name, name) == 0) return fields[i].value;
    return NULL;
}
