/* encrypt.c — Web Push message encryption (RFC 8291) in the aes128gcm content coding
 * (RFC 8188). For each message: a new P-256 key pair and ECDH with the subscriber's key; the
 * input keying material is HKDF-SHA-256(salt = auth secret, ikm = ECDH secret, info =
 * "WebPush: info" 0x00 || ua_public || as_public); then RFC 8188 derives the content key
 * (16 bytes, info "Content-Encoding: aes128gcm" 0x00) and the nonce (12 bytes, info
 * "Content-Encoding: nonce" 0x00) from a random 16-byte salt. The body is the header
 * salt || rs (4096, big-endian) || idlen (65) || keyid (as_public), then one record:
 * AES-128-GCM of plaintext || 0x02 with its 16-byte tag. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "p256.h"

enum { ECDH_BYTES = 32, IKM_BYTES = 32, CEK_BYTES = 16, NONCE_BYTES = 12 };

static const char key_info_label[] = "WebPush: info"; /* followed by 0x00 */
static const char cek_info[] = "Content-Encoding: aes128gcm";
static const char nonce_info[] = "Content-Encoding: nonce";

/* The record: AES-128-GCM(cek, nonce) of plaintext || 0x02, then the tag, appended to out. */
static push_status seal_record(const unsigned char cek[CEK_BYTES],
                               const unsigned char nonce[NONCE_BYTES], const void *plaintext,
                               size_t len, buf *out)
{
    static const unsigned char delimiter = 0x02; /* last (and only) record, no padding */
    buf_reserve(out, len + 1 + PUSH_TAG_BYTES);
    unsigned char *dst = (unsigned char *)out->data + out->len;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n1 = 0, n2 = 0, n3 = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_BYTES, NULL) == 1 &&
              EVP_EncryptInit_ex(ctx, NULL, NULL, cek, nonce) == 1 &&
              (len == 0 || EVP_EncryptUpdate(ctx, dst, &n1, plaintext, (int)len) == 1) &&
              EVP_EncryptUpdate(ctx, dst + n1, &n2, &delimiter, 1) == 1 &&
              EVP_EncryptFinal_ex(ctx, dst + n1 + n2, &n3) == 1 &&
              (size_t)(n1 + n2 + n3) == len + 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, PUSH_TAG_BYTES, dst + len + 1) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) return PUSH_CRYPTO_FAIL;
    out->len += len + 1 + PUSH_TAG_BYTES;
    out->data[out->len] = '\0';
    return PUSH_OK;
}

/* The content key and nonce of RFC 8188 from the RFC 8291 input keying material. */
static push_status derive_keys(const unsigned char ua_public[PUSH_PUBLIC_KEY_BYTES],
                               const unsigned char auth[PUSH_AUTH_BYTES],
                               const push_key_pair *sender,
                               const unsigned char salt[PUSH_SALT_BYTES],
                               const unsigned char ecdh[ECDH_BYTES], unsigned char cek[CEK_BYTES],
                               unsigned char nonce[NONCE_BYTES])
{
    unsigned char info[sizeof key_info_label + 2 * PUSH_PUBLIC_KEY_BYTES];
    memcpy(info, key_info_label, sizeof key_info_label); /* the NUL is the 0x00 separator */
    memcpy(info + sizeof key_info_label, ua_public, PUSH_PUBLIC_KEY_BYTES);
    memcpy(info + sizeof key_info_label + PUSH_PUBLIC_KEY_BYTES, sender->public_key,
           PUSH_PUBLIC_KEY_BYTES);
    unsigned char ikm[IKM_BYTES];
    push_status st =
        push_hkdf(auth, PUSH_AUTH_BYTES, ecdh, ECDH_BYTES, info, sizeof info, ikm, sizeof ikm);
    if (st == PUSH_OK)
        st = push_hkdf(salt, PUSH_SALT_BYTES, ikm, sizeof ikm, (const unsigned char *)cek_info,
                       sizeof cek_info, cek, CEK_BYTES);
    if (st == PUSH_OK)
        st = push_hkdf(salt, PUSH_SALT_BYTES, ikm, sizeof ikm, (const unsigned char *)nonce_info,
                       sizeof nonce_info, nonce, NONCE_BYTES);
    OPENSSL_cleanse(ikm, sizeof ikm);
    return st;
}

static void put_header(const unsigned char salt[PUSH_SALT_BYTES],
                       const unsigned char sender_public[PUSH_PUBLIC_KEY_BYTES], buf *out)
{
    unsigned char header[PUSH_HEADER_BYTES];
    memcpy(header, salt, PUSH_SALT_BYTES);
    header[16] = (unsigned char)(PUSH_RECORD_SIZE >> 24);
    header[17] = (unsigned char)(PUSH_RECORD_SIZE >> 16);
    header[18] = (unsigned char)(PUSH_RECORD_SIZE >> 8);
    header[19] = (unsigned char)PUSH_RECORD_SIZE;
    header[20] = PUSH_PUBLIC_KEY_BYTES;
    memcpy(header + 21, sender_public, PUSH_PUBLIC_KEY_BYTES);
    buf_append(out, header, sizeof header);
}

push_status push_encrypt(const unsigned char ua_public[PUSH_PUBLIC_KEY_BYTES],
                         const unsigned char auth[PUSH_AUTH_BYTES], const void *plaintext,
                         size_t len, const push_encrypt_fixed *fixed, buf *out)
{
    if (len > PUSH_MAX_PLAINTEXT) return PUSH_BAD_INPUT;
    push_encrypt_fixed fresh;
    if (!fixed) {
        push_status st = push_key_pair_new(&fresh.sender);
        if (st != PUSH_OK) return st;
        if (RAND_bytes(fresh.salt, PUSH_SALT_BYTES) != 1) return PUSH_CRYPTO_FAIL;
        fixed = &fresh;
    }
    EVP_PKEY *peer = push_p256_public(ua_public);
    EVP_PKEY *mine = peer ? push_p256_private(&fixed->sender) : NULL;
    unsigned char ecdh[ECDH_BYTES], cek[CEK_BYTES], nonce[NONCE_BYTES];
    push_status st = !peer ? PUSH_BAD_KEY : !mine ? PUSH_BAD_KEY : push_p256_ecdh(mine, peer, ecdh);
    if (st == PUSH_OK)
        st = derive_keys(ua_public, auth, &fixed->sender, fixed->salt, ecdh, cek, nonce);
    if (st == PUSH_OK) {
        size_t start = out->len;
        put_header(fixed->salt, fixed->sender.public_key, out);
        st = seal_record(cek, nonce, plaintext, len, out);
        if (st != PUSH_OK) out->len = start;
    }
    EVP_PKEY_free(mine);
    EVP_PKEY_free(peer);
    OPENSSL_cleanse(ecdh, sizeof ecdh);
    OPENSSL_cleanse(cek, sizeof cek);
    OPENSSL_cleanse(&fresh, sizeof fresh);
    return st;
}
