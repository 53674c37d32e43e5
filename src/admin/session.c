/* session.c — the tokens of sessions and reset links: 32 random bytes as base64url text, kept
 * server-side only as their SHA-256; and the CSRF token each session derives from its own. */
#include <stdlib.h>
#include <string.h>

#include "auth.h"

void auth_token_new(char text[AUTH_TOKEN_TEXT])
{
    unsigned char bytes[AUTH_TOKEN_BYTES];
    if (sodium_init() < 0) abort(); /* no randomness: never hand out a guessable token */
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2base64(text, AUTH_TOKEN_TEXT, bytes, sizeof bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bytes, sizeof bytes);
}

bool auth_token_is_valid(const char *text)
{
    if (!text || strlen(text) != AUTH_TOKEN_TEXT - 1) return false;
    for (const char *p = text; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

void auth_token_hash(const char *text, unsigned char out[AUTH_TOKEN_HASH])
{
    crypto_hash_sha256(out, (const unsigned char *)text, strlen(text));
}

void auth_csrf_for(const char *session_token, char out[AUTH_CSRF_TEXT])
{
    static const char label[] = "gazette admin csrf v1";
    unsigned char mac[32];
    /* keyed with the token text itself (not its stored hash, which the database holds) */
    size_t key_len = strlen(session_token);
    if (key_len > crypto_generichash_KEYBYTES_MAX) key_len = crypto_generichash_KEYBYTES_MAX;
    crypto_generichash(mac, sizeof mac, (const unsigned char *)label, sizeof label - 1,
                       (const unsigned char *)session_token, key_len);
    sodium_bin2base64(out, AUTH_CSRF_TEXT, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool auth_csrf_matches(const char *expected, const char *presented)
{
    if (!expected || !presented) return false;
    size_t n = strlen(expected);
    if (n == 0 || strlen(presented) != n) return false;
    return sodium_memcmp(expected, presented, n) == 0;
}
