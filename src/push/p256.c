/* p256.c — P-256 keys, ECDH, ES256 signatures and HKDF for Web Push, through OpenSSL 3's
 * EVP interfaces (see p256.h). Keys are built from raw bytes with OSSL_PARAM_BLD; every
 * public key is checked to be a point on the curve before use. */
#include "p256.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <string.h>

static const char group_name[] = "prime256v1";

/* A key from params (selection: EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR), NULL on failure. */
static EVP_PKEY *key_from_params(OSSL_PARAM_BLD *bld, int selection)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &key, selection, params) <= 0)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return key;
}

/* True when key passes OpenSSL's check of its public half (point on the curve, right order),
 * and of the pair too when pairwise. */
static bool key_checks(EVP_PKEY *key, bool pairwise)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    bool ok =
        ctx && EVP_PKEY_public_check(ctx) == 1 && (!pairwise || EVP_PKEY_pairwise_check(ctx) == 1);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

EVP_PKEY *push_p256_public(const unsigned char point[PUSH_PUBLIC_KEY_BYTES])
{
    if (point[0] != 0x04) return NULL; /* uncompressed only, as browsers send it */
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *key = NULL;
    if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                         PUSH_PUBLIC_KEY_BYTES))
        key = key_from_params(bld, EVP_PKEY_PUBLIC_KEY);
    OSSL_PARAM_BLD_free(bld);
    if (key && !key_checks(key, false)) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    return key;
}

EVP_PKEY *push_p256_private(const push_key_pair *pair)
{
    if (pair->public_key[0] != 0x04) return NULL;
    BIGNUM *d = BN_secure_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *key = NULL;
    if (d && bld && BN_bin2bn(pair->private_key, PUSH_PRIVATE_KEY_BYTES, d) &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group_name, 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pair->public_key,
                                         PUSH_PUBLIC_KEY_BYTES) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
        key = key_from_params(bld, EVP_PKEY_KEYPAIR);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    if (key && !key_checks(key, true)) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    return key;
}

push_status push_p256_export(EVP_PKEY *key, push_key_pair *out)
{
    BIGNUM *d = NULL;
    size_t len = 0;
    bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
              BN_bn2binpad(d, out->private_key, PUSH_PRIVATE_KEY_BYTES) == PUSH_PRIVATE_KEY_BYTES &&
              EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                              out->public_key, PUSH_PUBLIC_KEY_BYTES, &len) == 1 &&
              len == PUSH_PUBLIC_KEY_BYTES && out->public_key[0] == 0x04;
    BN_clear_free(d);
    if (!ok) OPENSSL_cleanse(out, sizeof *out);
    return ok ? PUSH_OK : PUSH_CRYPTO_FAIL;
}

push_status push_p256_ecdh(EVP_PKEY *mine, EVP_PKEY *peer, unsigned char secret[32])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
    size_t len = 32;
    bool ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
              EVP_PKEY_derive(ctx, secret, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    return ok ? PUSH_OK : PUSH_CRYPTO_FAIL;
}

push_status push_p256_sign(EVP_PKEY *key, const void *data, size_t len, unsigned char sig[64])
{
    unsigned char der[80];
    size_t der_len = sizeof der;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
              EVP_DigestSign(md, der, &der_len, data, len) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) return PUSH_CRYPTO_FAIL;
    /* DER SEQUENCE { r INTEGER, s INTEGER } -> r || s, each left-padded to 32 bytes */
    const unsigned char *p = der;
    ECDSA_SIG *parsed = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    const BIGNUM *r = NULL, *s = NULL;
    if (parsed) ECDSA_SIG_get0(parsed, &r, &s);
    ok = parsed && BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32;
    ECDSA_SIG_free(parsed);
    return ok ? PUSH_OK : PUSH_CRYPTO_FAIL;
}

push_status push_hkdf(const unsigned char *salt, size_t salt_len, const unsigned char *ikm,
                      size_t ikm_len, const unsigned char *info, size_t info_len,
                      unsigned char *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
        OSSL_PARAM_construct_end(),
    };
    bool ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok ? PUSH_OK : PUSH_CRYPTO_FAIL;
}

push_status push_key_pair_new(push_key_pair *out)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    push_status st = key ? push_p256_export(key, out) : PUSH_CRYPTO_FAIL;
    EVP_PKEY_free(key);
    return st;
}

push_status push_key_pair_check(const push_key_pair *pair)
{
    EVP_PKEY *key = push_p256_private(pair);
    EVP_PKEY_free(key);
    return key ? PUSH_OK : PUSH_BAD_KEY;
}

push_status push_public_key_check(const unsigned char point[PUSH_PUBLIC_KEY_BYTES])
{
    EVP_PKEY *key = push_p256_public(point);
    EVP_PKEY_free(key);
    return key ? PUSH_OK : PUSH_BAD_KEY;
}

const char *push_strerror(push_status st)
{
    switch (st) {
    case PUSH_OK:
        return "no error";
    case PUSH_BAD_KEY:
        return "not a valid P-256 key";
    case PUSH_BAD_INPUT:
        return "a value out of range";
    case PUSH_CRYPTO_FAIL:
        return "the cryptographic library failed";
    }
    return "unknown error";
}
