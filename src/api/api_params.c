/* api_params.c — cursors, since= and origin lists of the content API (see api_params.h). A
 * cursor is "PUBLISHED.ID" in decimal, base64url-encoded without padding: opaque to apps, and
 * anything not made here is refused. */
#include "api_params.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../content/content.h"

static const long long LATEST_TIME = 253402300799LL; /* 9999-12-31T23:59:59Z */

char *api_cursor_make(arena *a, long long published_at, long long id)
{
    char plain[48];
    int n = snprintf(plain, sizeof plain, "%lld.%lld", published_at, id);
    size_t cap = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, cap);
    sodium_bin2base64(out, cap, (const unsigned char *)plain, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* A decimal number of [min, max] filling s[0..n) exactly: digits, a '-' first when min < 0, no
 * leading zero. */
static bool decimal(const char *s, size_t n, long long min, long long max, long long *out)
{
    bool negative = n > 0 && s[0] == '-' && min < 0;
    size_t i = negative ? 1 : 0;
    if (i == n || n - i > 18 || (s[i] == '0' && n - i > 1)) return false;
    long long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (negative && v == 0) return false; /* "-0": one spelling per number */
    v = negative ? -v : v;
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

bool api_cursor_parse(const char *text, long long *published_at, long long *id)
{
    if (!text) return false;
    size_t len = strlen(text);
    unsigned char plain[API_CURSOR_MAX];
    size_t n;
    if (len == 0 || len > API_CURSOR_MAX ||
        sodium_base642bin(plain, sizeof plain - 1, text, len, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    const char *s = (const char *)plain, *dot = memchr(s, '.', n);
    if (!dot) return false;
    size_t head = (size_t)(dot - s);
    return decimal(s, head, -LATEST_TIME, LATEST_TIME, published_at) &&
           decimal(dot + 1, n - head - 1, 1, 0x7fffffffffffffffLL / 10, id);
}

bool api_since_parse(const char *text, long long *unix_seconds)
{
    if (!text || !*text) return false;
    long long t;
    if (strspn(text, "0123456789") == strlen(text)) {
        if (!decimal(text, strlen(text), 0, LATEST_TIME, &t)) return false;
    } else if (strlen(text) > 40 || !content_parse_time(text, &t) || t < 0 || t > LATEST_TIME) {
        return false;
    }
    *unix_seconds = t;
    return true;
}

bool api_origin_allowed(const char *list, const char *origin)
{
    if (!list || !origin || !*origin) return false;
    size_t olen = strlen(origin);
    for (const char *p = list; *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,");
        if (n == 1 && *p == '*') return true;
        if (n && n == olen && memcmp(p, origin, n) == 0) return true;
        p += n;
    }
    return false;
}
