/* base64url.c — base64 with the URL- and filename-safe alphabet (RFC 4648 section 5), the
 * form Web Push gives every key in: written without padding, read with or without it. */
#include <string.h>

#include "push_crypto.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *push_b64url_encode(arena *a, const unsigned char *bytes, size_t n)
{
    char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1), *p = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)bytes[i] << 16 | (unsigned)bytes[i + 1] << 8 | bytes[i + 2];
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = alphabet[(v >> 6) & 63];
        *p++ = alphabet[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)bytes[i] << 16;
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        unsigned v = (unsigned)bytes[i] << 16 | (unsigned)bytes[i + 1] << 8;
        *p++ = alphabet[v >> 18];
        *p++ = alphabet[(v >> 12) & 63];
        *p++ = alphabet[(v >> 6) & 63];
    }
    *p = '\0';
    return out;
}

static int digit_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

bool push_b64url_decode(const char *text, size_t text_len, unsigned char *out, size_t cap,
                        size_t *out_len)
{
    size_t n = text_len;
    /* padding: only at the end, and only as much as the length calls for */
    while (n > 0 && text[n - 1] == '=')
        n--;
    if (n < text_len && (text_len % 4 != 0 || text_len - n > 2)) return false;
    if (n % 4 == 1) return false; /* 6 bits cannot end a byte */
    size_t need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (need > cap) return false;
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int v = digit_value(text[i]);
        if (v < 0) return false;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* the bits left over must be zero: one encoding per byte string */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return false;
    *out_len = o;
    return true;
}
