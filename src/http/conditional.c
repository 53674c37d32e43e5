/* conditional.c — conditional GET (RFC 9110 section 13): the validators an answer carries (a
 * strong ETag named by a hash of its bytes, Last-Modified) and the decision whether a client's
 * copy is still current, for answers made for one request (server.c) and for those the page
 * cache keeps (page_cache.c). */
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

uint64_t http_hash_bytes(const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    uint64_t h = 1469598103934665603ull; /* FNV-1a, 64 bits */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static uint64_t rotate_left(uint64_t x, int bits)
{
    return (x << bits) | (x >> (64 - bits));
}

/* A final avalanche, so that every input bit moves about half of the output bits. */
static uint64_t avalanche(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

static uint64_t body_step(uint64_t h, uint64_t word)
{
    return rotate_left(h ^ (rotate_left(word * 0x87c37b91114253d5ull, 31) * 0x4cf5ad432745937full),
                       27) *
               5 +
           0x52dce729ull;
}

uint64_t http_hash_body(const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    uint64_t seed = 0x9e3779b97f4a7c15ull ^ (n * 0xc2b2ae3d27d4eb4full), word;
    /* four independent lanes over 32-byte blocks keep the multipliers busy */
    uint64_t lane[4] = {seed, seed ^ 0x1, seed ^ 0x2, seed ^ 0x3};
    for (; n >= 4 * sizeof word; p += 4 * sizeof word, n -= 4 * sizeof word)
        for (int i = 0; i < 4; i++) {
            memcpy(&word, p + i * sizeof word, sizeof word);
            lane[i] = body_step(lane[i], word);
        }
    uint64_t h = lane[0];
    for (int i = 1; i < 4; i++)
        h = body_step(h, avalanche(lane[i]));
    for (; n >= sizeof word; p += sizeof word, n -= sizeof word) {
        memcpy(&word, p, sizeof word);
        h = body_step(h, word);
    }
    if (n) { /* the last bytes, zero-padded: the length in the seed tells "a" from "a\0" */
        word = 0;
        memcpy(&word, p, n);
        h = body_step(h, word);
    }
    return avalanche(h);
}

const char *http_response_header(const http_response *res, const char *name)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->header_names[i], name) == 0) return res->header_values[i];
    return NULL;
}

bool http_date_parse(const char *text, time_t *out)
{
    struct tm tm = {0};
    const char *end = text ? strptime(text, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;
    if (!end || *end) return false;
    time_t t = timegm(&tm);
    if (t == (time_t)-1) return false;
    *out = t;
    return true;
}

void http_date_format(time_t t, char out[HTTP_DATE_SIZE])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, HTTP_DATE_SIZE, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        snprintf(out, HTTP_DATE_SIZE, "Thu, 01 Jan 1970 00:00:00 GMT");
}

/* If-None-Match lists etag, or is "*". A W/ prefix compares weakly: the same here, since
 * every ETag Gazette sends is strong. */
static bool etag_listed(const char *header, const char *etag)
{
    const char *p = header + strspn(header, " \t");
    if (!*p) return false;
    if (p[0] == '*' && (p[1] == '\0' || p[1] == ' ' || p[1] == ',')) return true;
    return strstr(header, etag) != NULL;
}

bool http_client_copy_current(const char *if_none_match, const char *if_modified_since,
                              const char *etag, time_t modified)
{
    if (if_none_match) return etag && etag_listed(if_none_match, etag);
    time_t since;
    return if_modified_since && modified != (time_t)-1 &&
           http_date_parse(if_modified_since, &since) && modified <= since;
}
