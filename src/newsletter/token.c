/* token.c — the newsletter's tokens (newsletter.h): random confirmation tokens with their
 * SHA-256, the key derived from the site's signing key, and the "ID.MAC" unsubscribe token.
 * sodium_init is idempotent and thread-safe: every entry point calls it. */
#include "newsletter.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../comments/comments.h"

enum { RANDOM_BYTES = 32, UNSUB_MAC_BYTES = 18, UNSUB_MAC_CHARS = 24, ID_MAX_DIGITS = 18 };

_Static_assert(COMMENT_KEY_BYTES == crypto_kdf_KEYBYTES, "site key size");
_Static_assert(NEWSLETTER_KEY_BYTES == crypto_auth_KEYBYTES, "newsletter key size");

static void ensure_sodium(void)
{
    if (sodium_init() < 0) abort();
}

static bool is_b64url(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

char *newsletter_token_new(arena *a)
{
    ensure_sodium();
    unsigned char bytes[RANDOM_BYTES];
    randombytes_buf(bytes, sizeof bytes);
    size_t cap = sodium_base64_ENCODED_LEN(RANDOM_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, cap);
    sodium_bin2base64(out, cap, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

bool newsletter_token_hash(const char *token, unsigned char hash[NEWSLETTER_HASH_BYTES])
{
    if (!token || strnlen(token, NEWSLETTER_TOKEN_CHARS + 1) != NEWSLETTER_TOKEN_CHARS ||
        !is_b64url(token, NEWSLETTER_TOKEN_CHARS))
        return false;
    ensure_sodium();
    crypto_hash_sha256(hash, (const unsigned char *)token, NEWSLETTER_TOKEN_CHARS);
    return true;
}

void newsletter_key_derive(const unsigned char site_key[32],
                           unsigned char key[NEWSLETTER_KEY_BYTES])
{
    ensure_sodium();
    crypto_kdf_derive_from_key(key, NEWSLETTER_KEY_BYTES, 1, "newsltr1", site_key);
}

/* The 24 base64url characters of the MAC of id. */
static void unsub_mac(const unsigned char key[NEWSLETTER_KEY_BYTES], long long id,
                      char out[UNSUB_MAC_CHARS + 1])
{
    char message[48];
    int n = snprintf(message, sizeof message, "unsubscribe:%lld", id);
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)message, (size_t)n, key);
    sodium_bin2base64(out, UNSUB_MAC_CHARS + 1, mac, UNSUB_MAC_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

char *newsletter_unsubscribe_token(arena *a, const unsigned char key[NEWSLETTER_KEY_BYTES],
                                   long long subscriber_id)
{
    ensure_sodium();
    char mac[UNSUB_MAC_CHARS + 1];
    unsub_mac(key, subscriber_id, mac);
    return arena_printf(a, "%lld.%s", subscriber_id, mac);
}

bool newsletter_unsubscribe_check(const unsigned char key[NEWSLETTER_KEY_BYTES], const char *token,
                                  long long *subscriber_id)
{
    if (!token) return false;
    size_t digits = strspn(token, "0123456789");
    if (digits == 0 || digits > ID_MAX_DIGITS || token[0] == '0' || token[digits] != '.')
        return false;
    const char *mac = token + digits + 1;
    if (strlen(mac) != UNSUB_MAC_CHARS || !is_b64url(mac, UNSUB_MAC_CHARS)) return false;
    long long id = strtoll(token, NULL, 10);
    ensure_sodium();
    char expected[UNSUB_MAC_CHARS + 1];
    unsub_mac(key, id, expected);
    if (sodium_memcmp(expected, mac, UNSUB_MAC_CHARS) != 0) return false;
    *subscriber_id = id;
    return true;
}
