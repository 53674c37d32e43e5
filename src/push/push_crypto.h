/* push_crypto.h — the cryptography of Web Push, pure (no network, no database, no clock), so
 * that every piece is unit-tested against the RFCs' own examples:
 *   - base64url without padding (RFC 4648 section 5), as Web Push writes every key;
 *   - P-256 keys: the site's VAPID key pair, and checks of a subscriber's public key;
 *   - message encryption (RFC 8291, with the aes128gcm content coding of RFC 8188): an
 *     ephemeral ECDH key, HKDF-SHA-256 keyed with the subscriber's auth secret, one record;
 *   - VAPID (RFC 8292): an ES256 JSON Web Token naming the push service's origin, and the
 *     Authorization header carrying it.
 * Built on OpenSSL 3 (EVP interfaces only). Every function returns a push_status; secrets
 * never leave through messages. */
#ifndef GAZETTE_PUSH_CRYPTO_H
#define GAZETTE_PUSH_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"
#include "../core/buf.h"

enum {
    PUSH_PUBLIC_KEY_BYTES = 65,  /* an uncompressed P-256 point: 0x04 || x || y */
    PUSH_PRIVATE_KEY_BYTES = 32, /* a P-256 scalar, big-endian */
    PUSH_AUTH_BYTES = 16,        /* the subscriber's auth secret */
    PUSH_SALT_BYTES = 16,
    PUSH_RECORD_SIZE = 4096,                                             /* rs of the one record */
    PUSH_HEADER_BYTES = PUSH_SALT_BYTES + 4 + 1 + PUSH_PUBLIC_KEY_BYTES, /* 86 */
    PUSH_TAG_BYTES = 16,
    /* the most a message may hold: one record of PUSH_RECORD_SIZE bytes, its tag and
     * delimiter included, and the body within the 4096 bytes every push service accepts */
    PUSH_MAX_PLAINTEXT = PUSH_RECORD_SIZE - PUSH_HEADER_BYTES - PUSH_TAG_BYTES - 1,
};

typedef enum {
    PUSH_OK = 0,
    PUSH_BAD_KEY,     /* a key that is not a valid P-256 key (or a pair that does not match) */
    PUSH_BAD_INPUT,   /* a length or value out of range (message too long, bad audience) */
    PUSH_CRYPTO_FAIL, /* OpenSSL failed (out of memory, no randomness) */
} push_status;

const char *push_strerror(push_status st);

/* ---- base64url ---------------------------------------------------------------------------
 * Encoding writes no padding. Decoding takes the URL-safe alphabet, with or without '='
 * padding (nothing after it), and refuses anything else (spaces, '+', '/', bad lengths). */
char *push_b64url_encode(arena *a, const unsigned char *bytes, size_t n);
/* Decodes text into out (at most cap bytes); false when text is not base64url or would not
 * fit. */
bool push_b64url_decode(const char *text, size_t text_len, unsigned char *out, size_t cap,
                        size_t *out_len);

/* ---- P-256 keys ------------------------------------------------------------------------- */
typedef struct push_key_pair {
    unsigned char private_key[PUSH_PRIVATE_KEY_BYTES];
    unsigned char public_key[PUSH_PUBLIC_KEY_BYTES];
} push_key_pair;

/* A new random key pair (the site's VAPID keys are made this way at `gazette init`). */
push_status push_key_pair_new(push_key_pair *out);
/* PUSH_OK when the pair is a valid P-256 key pair whose halves belong together. */
push_status push_key_pair_check(const push_key_pair *pair);
/* PUSH_OK when point is an uncompressed point on the P-256 curve (not the point at infinity). */
push_status push_public_key_check(const unsigned char point[PUSH_PUBLIC_KEY_BYTES]);

/* ---- Message encryption (RFC 8291) ------------------------------------------------------ */
/* What a test fixes; in real use the salt and the sender's key pair are new for every
 * message. */
typedef struct push_encrypt_fixed {
    unsigned char salt[PUSH_SALT_BYTES];
    push_key_pair sender; /* the application server's ephemeral key pair */
} push_encrypt_fixed;

/* Encrypts plaintext (at most PUSH_MAX_PLAINTEXT bytes) for the subscriber whose public key
 * and auth secret are given, appending the whole aes128gcm body (header, then one record
 * ending in the 0x02 delimiter, no further padding) to out. fixed is NULL except in tests. */
push_status push_encrypt(const unsigned char ua_public[PUSH_PUBLIC_KEY_BYTES],
                         const unsigned char auth[PUSH_AUTH_BYTES], const void *plaintext,
                         size_t len, const push_encrypt_fixed *fixed, buf *out);

/* ---- VAPID (RFC 8292) ------------------------------------------------------------------- */
/* The origin of an absolute http(s) URL, as the JWT's "aud" names it: "https://host" or
 * "https://host:port" (a default port left out, the scheme and host in lower case). NULL when
 * url is not an absolute http(s) URL with a host. */
char *push_url_origin(arena *a, const char *url);
/* An ES256 JWT {"aud": audience, "exp": expires, "sub": subject} signed with keys (the
 * signature raw r || s, 64 bytes, as JWS wants, not DER). *out is an arena string. */
push_status push_vapid_jwt(arena *a, const push_key_pair *keys, const char *audience,
                           long long expires, const char *subject, char **out);
/* The Authorization header value for a message to endpoint, valid until expires:
 * "vapid t=JWT, k=PUBLIC_KEY". PUSH_BAD_INPUT when endpoint has no origin. */
push_status push_vapid_authorization(arena *a, const push_key_pair *keys, const char *endpoint,
                                     long long expires, const char *subject, char **out);

#endif
