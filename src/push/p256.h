/* p256.h — what the push crypto files share inside src/push (not for other modules): P-256
 * keys as OpenSSL EVP_PKEYs made from raw bytes, ECDH, ES256 signing and HKDF-SHA-256. */
#ifndef GAZETTE_PUSH_P256_H
#define GAZETTE_PUSH_P256_H

#include <openssl/evp.h>

#include "push_crypto.h"

/* A private key (with its public half) from a raw pair; NULL when the bytes are not a key.
 * The caller frees it with EVP_PKEY_free. */
EVP_PKEY *push_p256_private(const push_key_pair *pair);
/* A public key from an uncompressed point; NULL when it is not a point on the curve. */
EVP_PKEY *push_p256_public(const unsigned char point[PUSH_PUBLIC_KEY_BYTES]);
/* The raw bytes of a generated key. */
push_status push_p256_export(EVP_PKEY *key, push_key_pair *out);
/* The ECDH shared secret (the x coordinate, 32 bytes) of mine and peer. */
push_status push_p256_ecdh(EVP_PKEY *mine, EVP_PKEY *peer, unsigned char secret[32]);
/* ES256: the SHA-256 ECDSA signature of data as raw r || s (64 bytes). */
push_status push_p256_sign(EVP_PKEY *key, const void *data, size_t len, unsigned char sig[64]);
/* HKDF-SHA-256 (RFC 5869), extract then expand, out_len bytes. */
push_status push_hkdf(const unsigned char *salt, size_t salt_len, const unsigned char *ikm,
                      size_t ikm_len, const unsigned char *info, size_t info_len,
                      unsigned char *out, size_t out_len);

#endif
