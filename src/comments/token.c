/* token.c — the signed comment-form token "v1.ARTICLE.ISSUED.NONCE.MAC" (MAC: libsodium
 * crypto_auth, HMAC-SHA512-256, hex) with its random nonce, and the same-origin check of a
 * form post (comments.h says why these two together stop cross-site posts). libsodium is
 * initialised here, once per process, through pthread_once: callers need not do it. */
#include "comments.h"

#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(COMMENT_KEY_BYTES == crypto_auth_KEYBYTES, "key size");

enum {
    NONCE_BYTES = COMMENT_NONCE_HEX / 2,
    MAC_HEX = crypto_auth_BYTES * 2,
    TOKEN_MAX_LEN = 200 /* a real one is at most 3 + 19 + 1 + 19 + 1 + 32 + 1 + 64 = 140 */
};

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_start(void)
{
    if (sodium_init() < 0) {
        fputs("gazette: libsodium could not be initialised\n", stderr);
        abort();
    }
}

static void ensure_sodium(void)
{
    pthread_once(&sodium_once, sodium_start);
}

char *comment_nonce_new(arena *a)
{
    ensure_sodium();
    unsigned char bytes[NONCE_BYTES];
    randombytes_buf(bytes, sizeof bytes);
    char *hex = arena_alloc(a, COMMENT_NONCE_HEX + 1);
    sodium_bin2hex(hex, COMMENT_NONCE_HEX + 1, bytes, sizeof bytes);
    return hex;
}

/* True when s[0..n) are lowercase hex digits. */
static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

char *comment_token_issue(arena *a, const unsigned char key[COMMENT_KEY_BYTES],
                          long long article_id, long long now, const char *nonce)
{
    if (!nonce || strlen(nonce) != COMMENT_NONCE_HEX || !is_hex(nonce, COMMENT_NONCE_HEX))
        return NULL;
    if (article_id < 0 || now < 0) return NULL;
    ensure_sodium();
    char *body = arena_printf(a, "v1.%lld.%lld.%s", article_id, now, nonce);
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)body, strlen(body), key);
    char mac_hex[MAC_HEX + 1];
    sodium_bin2hex(mac_hex, sizeof mac_hex, mac, sizeof mac);
    return arena_printf(a, "%s.%s", body, mac_hex);
}

/* Reads decimal digits at *p (at least one, no sign, no overflow) and advances past them. */
static bool read_number(const char **p, long long *out)
{
    const char *s = *p;
    long long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        int d = *s - '0';
        if (v > (LLONG_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    if (s == *p) return false;
    *p = s;
    *out = v;
    return true;
}

typedef struct {
    long long article, issued;
    const char *nonce; /* COMMENT_NONCE_HEX characters inside the token */
    size_t signed_len; /* bytes covered by the MAC */
    unsigned char mac[crypto_auth_BYTES];
} parsed_token;

static bool parse_token(const char *token, parsed_token *t)
{
    if (!token || strnlen(token, TOKEN_MAX_LEN + 1) > TOKEN_MAX_LEN) return false;
    if (strncmp(token, "v1.", 3) != 0) return false;
    const char *p = token + 3;
    if (!read_number(&p, &t->article) || *p++ != '.') return false;
    if (!read_number(&p, &t->issued) || *p++ != '.') return false;
    if (strnlen(p, COMMENT_NONCE_HEX) < COMMENT_NONCE_HEX || !is_hex(p, COMMENT_NONCE_HEX))
        return false;
    t->nonce = p;
    p += COMMENT_NONCE_HEX;
    if (*p != '.') return false;
    t->signed_len = (size_t)(p - token);
    p++;
    if (strlen(p) != MAC_HEX || !is_hex(p, MAC_HEX)) return false;
    size_t bin_len = 0;
    return sodium_hex2bin(t->mac, sizeof t->mac, p, MAC_HEX, NULL, &bin_len, NULL) == 0 &&
           bin_len == sizeof t->mac;
}

comment_token_status comment_token_check(const unsigned char key[COMMENT_KEY_BYTES],
                                         const char *token, long long article_id, long long now,
                                         long long min_age, long long max_age)
{
    parsed_token t;
    if (!parse_token(token, &t)) return TOKEN_MALFORMED;
    ensure_sodium();
    if (crypto_auth_verify(t.mac, (const unsigned char *)token, t.signed_len, key) != 0)
        return TOKEN_BAD_SIGNATURE;
    if (t.article != article_id) return TOKEN_WRONG_ARTICLE;
    long long age;
    if (__builtin_sub_overflow(now, t.issued, &age))
        return t.issued > now ? TOKEN_TOO_FAST : TOKEN_EXPIRED;
    if (age < min_age) return TOKEN_TOO_FAST;
    if (age > max_age) return TOKEN_EXPIRED;
    return TOKEN_OK;
}

const char *comment_token_message(comment_token_status status)
{
    switch (status) {
    case TOKEN_OK:
        return "The form is in order.";
    case TOKEN_MALFORMED:
        return "The form could not be read. Please reload the page and send your comment again.";
    case TOKEN_BAD_SIGNATURE:
        return "The form could not be verified. Please reload the page and send your comment "
               "again.";
    case TOKEN_WRONG_ARTICLE:
        return "The form belongs to a different article. Please reload this article and send "
               "your comment again.";
    case TOKEN_TOO_FAST:
        return "The form was sent too quickly after the page loaded. Please wait a few seconds "
               "and send it again.";
    case TOKEN_EXPIRED:
        return "The form has expired because the page was open for a long time. Please copy "
               "your comment, reload the page and send it again.";
    }
    return "Something went wrong with the form. Please reload the page and send your comment "
           "again.";
}

/* The "host[:port]" of an absolute http(s) URL, compared with host (case-insensitive). */
static bool url_names_host(const char *url, const char *host)
{
    const char *p = NULL;
    if (strncasecmp(url, "https://", 8) == 0)
        p = url + 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        p = url + 7;
    if (!p || !host || !*host) return false;
    size_t n = strcspn(p, "/?#");
    if (memchr(p, '@', n)) return false; /* user info: not how browsers write Origin */
    return strlen(host) == n && strncasecmp(p, host, n) == 0;
}

bool comment_post_same_origin(const char *host, const char *sec_fetch_site, const char *origin,
                              const char *referer)
{
    if (sec_fetch_site && strcasecmp(sec_fetch_site, "cross-site") == 0) return false;
    if (origin) return strcmp(origin, "null") != 0 && url_names_host(origin, host);
    if (referer) return url_names_host(referer, host);
    return true;
}
