/* test_push.c — unit tests for src/push: base64url, P-256 keys, message encryption against the
 * example of RFC 8291 Appendix A (fixed keys, salt and auth secret give the exact body), a
 * round trip through an independent decryption written here with OpenSSL, the VAPID JWT
 * (structure, claims, and its ES256 signature verified with OpenSSL), the subscription
 * parser's refusals, the alert's JSON, and the store's queue (marking once, leases, retries,
 * removal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit_helpers.h"
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/push/push.h"
#include "store_fixture.h"

/* RFC 8291 Appendix A */
static const char rfc_plaintext[] = "When I grow up, I want to be a watermelon";
static const char rfc_as_private[] = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
static const char rfc_as_public[] =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
static const char rfc_ua_private[] = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
static const char rfc_ua_public[] =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
static const char rfc_auth[] = "BTBZMqHH6r4Tts7J_aSIgg";
static const char rfc_salt[] = "DGv6ra1nlYgDCS1FRnbzlw";
static const char rfc_body[] =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYW"
    "AmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgS"
    "xsj_Qulcy4a-fN";

static void decode_exact(const char *text, unsigned char *out, size_t n)
{
    size_t got = 0;
    assert_true(push_b64url_decode(text, strlen(text), out, n, &got));
    assert_int_equal(got, n);
}

static void rfc_keys(push_key_pair *as, push_key_pair *ua, unsigned char auth[16],
                     unsigned char salt[16])
{
    decode_exact(rfc_as_private, as->private_key, 32);
    decode_exact(rfc_as_public, as->public_key, 65);
    decode_exact(rfc_ua_private, ua->private_key, 32);
    decode_exact(rfc_ua_public, ua->public_key, 65);
    decode_exact(rfc_auth, auth, 16);
    decode_exact(rfc_salt, salt, 16);
}

/* ---- base64url ------------------------------------------------------------------------ */

static void test_b64url_round_trip(void **state)
{
    arena *a = *state;
    unsigned char bytes[64], back[64];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 37 + 251);
    for (size_t n = 0; n <= sizeof bytes; n++) {
        char *text = push_b64url_encode(a, bytes, n);
        assert_int_equal(strlen(text), (n * 4 + 2) / 3);
        assert_null(strpbrk(text, "+/="));
        size_t got = 99;
        assert_true(push_b64url_decode(text, strlen(text), back, sizeof back, &got));
        assert_int_equal(got, n);
        assert_memory_equal(back, bytes, n);
    }
}

static void test_b64url_known_values(void **state)
{
    arena *a = *state;
    assert_string_equal(push_b64url_encode(a, (const unsigned char *)"", 0), "");
    assert_string_equal(push_b64url_encode(a, (const unsigned char *)"f", 1), "Zg");
    assert_string_equal(push_b64url_encode(a, (const unsigned char *)"fo", 2), "Zm8");
    assert_string_equal(push_b64url_encode(a, (const unsigned char *)"foo", 3), "Zm9v");
    assert_string_equal(push_b64url_encode(a, (const unsigned char *)"\xfb\xff\xbf", 3), "-_-_");
    unsigned char out[8];
    size_t n;
    assert_true(push_b64url_decode("Zm8=", 4, out, sizeof out, &n));
    assert_int_equal(n, 2);
    assert_memory_equal(out, "fo", 2);
    assert_true(push_b64url_decode("Zg==", 4, out, sizeof out, &n));
    assert_int_equal(n, 1);
}

static void test_b64url_refuses(void **state)
{
    (void)state;
    unsigned char out[8];
    size_t n;
    const char *bad[] = {"Zm9v+A", "Zm9v/A", "Zm 9v", "Z",    "Zm9vZ", "Zm8==",
                         "Zg=",    "=Zg",    "Zh",    "Zm9=", "Zg=a",  "Z\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(push_b64url_decode(bad[i], strlen(bad[i]), out, sizeof out, &n));
    /* does not fit */
    assert_false(push_b64url_decode("AAAAAAAAAAAA", 12, out, sizeof out, &n));
    assert_true(push_b64url_decode("AAAAAAAAAAA", 11, out, sizeof out, &n));
    assert_int_equal(n, 8);
}

/* ---- keys ----------------------------------------------------------------------------- */

static void test_key_pair_new_and_check(void **state)
{
    (void)state;
    push_key_pair a, b;
    assert_int_equal(push_key_pair_new(&a), PUSH_OK);
    assert_int_equal(push_key_pair_new(&b), PUSH_OK);
    assert_int_equal(a.public_key[0], 0x04);
    assert_memory_not_equal(a.private_key, b.private_key, 32);
    assert_int_equal(push_key_pair_check(&a), PUSH_OK);
    assert_int_equal(push_public_key_check(a.public_key), PUSH_OK);
    /* halves of two different pairs */
    memcpy(a.public_key, b.public_key, sizeof a.public_key);
    assert_int_equal(push_key_pair_check(&a), PUSH_BAD_KEY);
}

static void test_public_key_check_refuses(void **state)
{
    (void)state;
    push_key_pair as, ua;
    unsigned char auth[16], salt[16], point[65];
    rfc_keys(&as, &ua, auth, salt);
    assert_int_equal(push_public_key_check(ua.public_key), PUSH_OK);
    memcpy(point, ua.public_key, 65);
    point[64] ^= 1; /* off the curve */
    assert_int_equal(push_public_key_check(point), PUSH_BAD_KEY);
    memcpy(point, ua.public_key, 65);
    point[0] = 0x02; /* not the uncompressed form */
    assert_int_equal(push_public_key_check(point), PUSH_BAD_KEY);
    memset(point, 0, sizeof point);
    point[0] = 0x04;
    assert_int_equal(push_public_key_check(point), PUSH_BAD_KEY);
    memset(point + 1, 0xff, 64); /* coordinates beyond the field */
    assert_int_equal(push_public_key_check(point), PUSH_BAD_KEY);
}

/* ---- encryption ----------------------------------------------------------------------- */

static void test_encrypt_rfc8291_vector(void **state)
{
    arena *a = *state;
    push_key_pair ua;
    push_encrypt_fixed fixed;
    unsigned char auth[16];
    rfc_keys(&fixed.sender, &ua, auth, fixed.salt);
    buf out = {0};
    assert_int_equal(
        push_encrypt(ua.public_key, auth, rfc_plaintext, strlen(rfc_plaintext), &fixed, &out),
        PUSH_OK);
    assert_string_equal(push_b64url_encode(a, (unsigned char *)out.data, out.len), rfc_body);
    buf_free(&out);
}

/* An independent reading of what push_encrypt writes, as a browser does it: ECDH with the
 * subscriber's private key and the keyid, the same HKDF chain, AES-128-GCM open. */
static EVP_PKEY *private_key_of(const push_key_pair *pair)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *d = BN_bin2bn(pair->private_key, 32, NULL);
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pair->public_key, 65);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params), 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(d);
    return key;
}

static EVP_PKEY *public_key_of(const unsigned char point[65])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 65);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return key;
}

static void hkdf(const void *salt, size_t salt_len, const void *ikm, size_t ikm_len,
                 const void *info, size_t info_len, unsigned char *out, size_t n)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
        OSSL_PARAM_construct_end()};
    assert_int_equal(EVP_KDF_derive(ctx, out, n, params), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
}

/* Decrypts body for ua; returns the plaintext length, or -1 when anything does not hold. */
static int decrypt_body(const push_key_pair *ua, const unsigned char auth[16],
                        const unsigned char *body, size_t len, unsigned char *plain)
{
    if (len < 86 + 17) return -1;
    uint32_t rs = (uint32_t)body[16] << 24 | (uint32_t)body[17] << 16 | body[18] << 8 | body[19];
    if (rs != 4096 || body[20] != 65 || len - 86 > rs) return -1;
    const unsigned char *salt = body, *as_public = body + 21;
    EVP_PKEY *mine = private_key_of(ua), *peer = public_key_of(as_public);
    EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
    unsigned char secret[32], ikm[32], cek[16], nonce[12];
    size_t slen = sizeof secret;
    assert_int_equal(EVP_PKEY_derive_init(dctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(dctx, peer), 1);
    assert_int_equal(EVP_PKEY_derive(dctx, secret, &slen), 1);
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(peer);
    unsigned char info[14 + 130];
    memcpy(info, "WebPush: info\0", 14);
    memcpy(info + 14, ua->public_key, 65);
    memcpy(info + 79, as_public, 65);
    hkdf(auth, 16, secret, 32, info, sizeof info, ikm, 32);
    hkdf(salt, 16, ikm, 32, "Content-Encoding: aes128gcm\0", 28, cek, 16);
    hkdf(salt, 16, ikm, 32, "Content-Encoding: nonce\0", 24, nonce, 12);
    const unsigned char *record = body + 86;
    size_t clen = len - 86 - 16;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    EVP_DecryptInit_ex(c, EVP_aes_128_gcm(), NULL, cek, nonce);
    EVP_DecryptUpdate(c, plain, &n, record, (int)clen);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(record + clen));
    int ok = EVP_DecryptFinal_ex(c, plain + n, &fin);
    EVP_CIPHER_CTX_free(c);
    if (ok != 1 || n == 0 || plain[n - 1] != 0x02) return -1;
    return n - 1;
}

static void test_encrypt_round_trip_random(void **state)
{
    (void)state;
    push_key_pair ua;
    unsigned char auth[16] = "0123456789abcdef";
    assert_int_equal(push_key_pair_new(&ua), PUSH_OK);
    static unsigned char text[PUSH_MAX_PLAINTEXT], plain[PUSH_MAX_PLAINTEXT + 32];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (unsigned char)(i * 7);
    size_t lengths[] = {0, 1, 41, 1000, PUSH_MAX_PLAINTEXT};
    buf first = {0};
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        buf out = {0};
        assert_int_equal(push_encrypt(ua.public_key, auth, text, lengths[k], NULL, &out), PUSH_OK);
        assert_int_equal(out.len, 86 + lengths[k] + 1 + 16);
        assert_true(out.len <= 4096);
        assert_int_equal(decrypt_body(&ua, auth, (unsigned char *)out.data, out.len, plain),
                         (int)lengths[k]);
        assert_memory_equal(plain, text, lengths[k]);
        /* a flipped bit anywhere in the record fails authentication */
        out.data[out.len - 17] ^= 0x10; /* the last byte of the ciphertext */
        assert_int_equal(decrypt_body(&ua, auth, (unsigned char *)out.data, out.len, plain), -1);
        if (k == 1) buf_append(&first, out.data, 16);
        buf_free(&out);
    }
    /* a new salt every time */
    buf again = {0};
    assert_int_equal(push_encrypt(ua.public_key, auth, text, 1, NULL, &again), PUSH_OK);
    assert_memory_not_equal(again.data, first.data, 16);
    buf_free(&again);
    buf_free(&first);
}

static void test_encrypt_refuses(void **state)
{
    (void)state;
    push_key_pair as, ua;
    unsigned char auth[16], salt[16];
    rfc_keys(&as, &ua, auth, salt);
    buf out = {0};
    static unsigned char big[PUSH_MAX_PLAINTEXT + 1];
    assert_int_equal(push_encrypt(ua.public_key, auth, big, sizeof big, NULL, &out),
                     PUSH_BAD_INPUT);
    ua.public_key[10] ^= 0xff;
    assert_int_equal(push_encrypt(ua.public_key, auth, "x", 1, NULL, &out), PUSH_BAD_KEY);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

/* ---- VAPID ---------------------------------------------------------------------------- */

static void test_url_origin(void **state)
{
    arena *a = *state;
    assert_string_equal(push_url_origin(a, "https://fcm.googleapis.com/fcm/send/abc?x=1"),
                        "https://fcm.googleapis.com");
    assert_string_equal(push_url_origin(a, "https://Push.Example.NET:443/p/1"),
                        "https://push.example.net");
    assert_string_equal(push_url_origin(a, "https://push.example.net:8443/p/1"),
                        "https://push.example.net:8443");
    assert_string_equal(push_url_origin(a, "http://127.0.0.1:8081/push/7"),
                        "http://127.0.0.1:8081");
    assert_string_equal(push_url_origin(a, "http://[::1]:80/x"), "http://[::1]");
    assert_null(push_url_origin(a, "ftp://example.org/x"));
    assert_null(push_url_origin(a, "/relative/path"));
    assert_null(push_url_origin(a, "https://"));
    assert_null(push_url_origin(a, "not a url"));
}

static unsigned char *b64_decode_alloc(arena *a, const char *text, size_t len, size_t *n)
{
    unsigned char *out = arena_alloc(a, len + 1);
    assert_true(push_b64url_decode(text, len, out, len, n));
    return out;
}

static void test_vapid_jwt_verifies(void **state)
{
    arena *a = *state;
    push_key_pair keys;
    assert_int_equal(push_key_pair_new(&keys), PUSH_OK);
    char *auth_header;
    assert_int_equal(push_vapid_authorization(a, &keys, "https://push.example.net:8443/send/xyz",
                                              1900000000, "mailto:desk@news.example", &auth_header),
                     PUSH_OK);
    assert_int_equal(strncmp(auth_header, "vapid t=", 8), 0);
    const char *k = strstr(auth_header, ", k=");
    assert_non_null(k);
    assert_string_equal(k + 4, push_b64url_encode(a, keys.public_key, 65));
    const char *jwt = auth_header + 8;
    size_t jwt_len = (size_t)(k - jwt);
    const char *dot1 = memchr(jwt, '.', jwt_len);
    assert_non_null(dot1);
    const char *dot2 = memchr(dot1 + 1, '.', jwt_len - (size_t)(dot1 + 1 - jwt));
    assert_non_null(dot2);
    size_t n;
    char *header = (char *)b64_decode_alloc(a, jwt, (size_t)(dot1 - jwt), &n);
    header[n] = '\0';
    json_t *h = json_loads(header, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(h, "alg")), "ES256");
    assert_string_equal(json_string_value(json_object_get(h, "typ")), "JWT");
    json_decref(h);
    char *claims = (char *)b64_decode_alloc(a, dot1 + 1, (size_t)(dot2 - dot1 - 1), &n);
    claims[n] = '\0';
    json_t *c = json_loads(claims, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(c, "aud")),
                        "https://push.example.net:8443");
    assert_int_equal(json_integer_value(json_object_get(c, "exp")), 1900000000);
    assert_string_equal(json_string_value(json_object_get(c, "sub")), "mailto:desk@news.example");
    json_decref(c);
    /* the signature: raw r || s, verified by OpenSSL after turning it into DER */
    unsigned char *sig = b64_decode_alloc(a, dot2 + 1, jwt_len - (size_t)(dot2 + 1 - jwt), &n);
    assert_int_equal(n, 64);
    ECDSA_SIG *es = ECDSA_SIG_new();
    assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL)),
                     1);
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(es, &der);
    assert_true(der_len > 0);
    EVP_PKEY *pub = public_key_of(keys.public_key);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
    size_t signed_len = (size_t)(dot2 - jwt);
    assert_int_equal(
        EVP_DigestVerify(md, der, (size_t)der_len, (const unsigned char *)jwt, signed_len), 1);
    /* and not for other bytes */
    char *tampered = arena_strndup(a, jwt, signed_len);
    tampered[signed_len - 1] ^= 1;
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
    assert_int_not_equal(
        EVP_DigestVerify(md, der, (size_t)der_len, (const unsigned char *)tampered, signed_len), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pub);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
}

static void test_vapid_refuses(void **state)
{
    arena *a = *state;
    push_key_pair keys;
    assert_int_equal(push_key_pair_new(&keys), PUSH_OK);
    char *out;
    assert_int_equal(
        push_vapid_authorization(a, &keys, "mailto:x@y", 1900000000, "mailto:a@b", &out),
        PUSH_BAD_INPUT);
    assert_int_equal(push_vapid_jwt(a, &keys, "https://x", 1900000000, "", &out), PUSH_BAD_INPUT);
    keys.private_key[5] ^= 1;
    assert_int_equal(push_vapid_jwt(a, &keys, "https://x", 1900000000, "mailto:a@b", &out),
                     PUSH_BAD_KEY);
}

/* ---- subscriptions and endpoints --------------------------------------------------------- */

static const char *subscription_json(arena *a, const char *endpoint, const char *p256dh,
                                     const char *auth)
{
    return arena_printf(a,
                        "{\"endpoint\":\"%s\",\"expirationTime\":null,"
                        "\"keys\":{\"p256dh\":\"%s\",\"auth\":\"%s\"}}",
                        endpoint, p256dh, auth);
}

static bool parses(arena *a, const char *json, bool insecure, push_subscription *sub,
                   const char **problem)
{
    return push_subscription_parse(a, json, strlen(json), insecure, sub, problem);
}

static void test_subscription_parse(void **state)
{
    arena *a = *state;
    push_subscription sub;
    const char *problem;
    const char *good = subscription_json(a, "https://fcm.googleapis.com/fcm/send/abc:APA91b",
                                         rfc_ua_public, rfc_auth);
    assert_true(parses(a, good, false, &sub, &problem));
    assert_string_equal(sub.endpoint, "https://fcm.googleapis.com/fcm/send/abc:APA91b");
    unsigned char point[65];
    decode_exact(rfc_ua_public, point, 65);
    assert_memory_equal(sub.p256dh, point, 65);
    /* loopback http only with allow_insecure */
    const char *local = subscription_json(a, "http://127.0.0.1:9/p", rfc_ua_public, rfc_auth);
    assert_false(parses(a, local, false, &sub, &problem));
    assert_non_null(problem);
    assert_true(parses(a, local, true, &sub, &problem));
    const char *refused[] = {
        subscription_json(a, "http://push.example/p", rfc_ua_public, rfc_auth),
        subscription_json(a, "http://10.0.0.1/p", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://127.0.0.1/p", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://localhost/p", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://169.254.169.254/latest", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://[::ffff:10.0.0.1]/p", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://[fd00::1]/p", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://a:b@push.example/p", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://push.example/p#frag", rfc_ua_public, rfc_auth),
        subscription_json(a, "javascript:alert(1)", rfc_ua_public, rfc_auth),
        /* curl reads these, but they do not say plainly where they lead (found by fuzzing) */
        subscription_json(a, "https:/u/pdates.push.example/x", rfc_ua_public, rfc_auth),
        subscription_json(a, "https:push.example/x", rfc_ua_public, rfc_auth),
        subscription_json(a, "https://push.example/p", rfc_auth, rfc_auth),
        subscription_json(a, "https://push.example/p", rfc_ua_public, rfc_ua_public),
        subscription_json(a, "https://push.example/p", rfc_ua_public, "BTBZMqHH6r4Tts7J/aSIgg"),
        "{\"endpoint\":\"https://push.example/p\"}",
        "{\"endpoint\":\"https://push.example/\\u0000x\",\"keys\":{}}",
        "[1,2]",
        "{",
        "",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        problem = NULL;
        assert_false(parses(a, refused[i], false, &sub, &problem));
        assert_non_null(problem);
        assert_null(sub.endpoint);
    }
    const char *endpoint;
    assert_true(
        push_unsubscribe_parse(a, "{\"endpoint\":\"https://x/y\"}", 26, &endpoint, &problem));
    assert_string_equal(endpoint, "https://x/y");
    assert_false(push_unsubscribe_parse(a, "{\"endpoint\":7}", 14, &endpoint, &problem));
}

static void test_ip_is_public(void **state)
{
    (void)state;
    const char *open[] = {"8.8.8.8", "142.250.74.46", "2a00:1450:4001:82a::200a", "1.1.1.1"};
    const char *closed[] = {"10.1.2.3",           "172.16.0.1", "172.31.255.255", "192.168.1.1",
                            "169.254.1.1",        "100.64.0.1", "0.0.0.0",        "224.0.0.1",
                            "255.255.255.255",    "::",         "fe80::1",        "fd12::1",
                            "::ffff:192.168.0.1", "ff02::1",    "2001:db8::1",    "not an ip"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        assert_true(push_ip_is_public(open[i], false));
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
        assert_false(push_ip_is_public(closed[i], true));
    assert_false(push_ip_is_public("127.0.0.1", false));
    assert_true(push_ip_is_public("127.0.0.1", true));
    assert_false(push_ip_is_public("::1", false));
    assert_true(push_ip_is_public("::1", true));
    assert_false(push_ip_is_public("::ffff:127.0.0.1", false));
    assert_true(push_ip_is_public("172.32.0.1", false));
}

static void test_payload_json(void **state)
{
    arena *a = *state;
    char *text = push_payload_json(a, "Dam \"gives\" way", "Water <rises>.",
                                   "https://news.example/news/dam/", "breaking-dam");
    json_t *o = json_loads(text, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "title")), "Dam \"gives\" way");
    assert_string_equal(json_string_value(json_object_get(o, "url")),
                        "https://news.example/news/dam/");
    assert_string_equal(json_string_value(json_object_get(o, "tag")), "breaking-dam");
    json_decref(o);
    /* a long lead is cut to fit one message */
    char *lead = arena_alloc(a, 20001);
    for (size_t i = 0; i < 20000; i++)
        lead[i] = i % 7 == 6 ? ' ' : 'x';
    text = push_payload_json(a, "Headline", lead, "https://n.example/", "t");
    assert_non_null(text);
    assert_true(strlen(text) <= PUSH_MAX_PLAINTEXT);
    o = json_loads(text, 0, NULL);
    assert_true(strlen(json_string_value(json_object_get(o, "body"))) < 1000);
    json_decref(o);
}

/* ---- what the sender makes of an answer ------------------------------------------------ */

static void test_fate_and_retries(void **state)
{
    (void)state;
    assert_int_equal(push_fate_of_status(201), PUSH_DELIVERED);
    assert_int_equal(push_fate_of_status(202), PUSH_DELIVERED);
    assert_int_equal(push_fate_of_status(200), PUSH_DELIVERED);
    assert_int_equal(push_fate_of_status(404), PUSH_GONE);
    assert_int_equal(push_fate_of_status(410), PUSH_GONE);
    assert_int_equal(push_fate_of_status(429), PUSH_RETRY);
    assert_int_equal(push_fate_of_status(500), PUSH_RETRY);
    assert_int_equal(push_fate_of_status(503), PUSH_RETRY);
    long refused[] = {0, 100, 301, 400, 401, 403, 413, 600};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(push_fate_of_status(refused[i]), PUSH_GIVE_UP);
    /* 2 s, 10 s, 1 min, 5 min, then given up after the fifth attempt */
    assert_int_equal(push_retry_delay(1, 0), 2);
    assert_int_equal(push_retry_delay(2, 0), 10);
    assert_int_equal(push_retry_delay(3, 0), 60);
    assert_int_equal(push_retry_delay(4, 0), 300);
    assert_int_equal(push_retry_delay(PUSH_MAX_ATTEMPTS, 0), -1);
    assert_int_equal(push_retry_delay(0, 0), -1);
    /* Retry-After when longer, at most an hour */
    assert_int_equal(push_retry_delay(1, 120), 120);
    assert_int_equal(push_retry_delay(4, 120), 300);
    assert_int_equal(push_retry_delay(1, 86400), 3600);
    assert_int_equal(push_retry_delay(PUSH_MAX_ATTEMPTS, 120), -1);
}

/* ---- the store's queue ------------------------------------------------------------------ */

static store_article_input push_story(const char *slug, article_status status)
{
    static const char *topic[] = {"News"};
    return (store_article_input){.slug = slug,
                                 .headline = "A headline",
                                 .lead = "A lead.",
                                 .status = status,
                                 .published_at = status == ARTICLE_SCHEDULED ? 4102444800 : 0,
                                 .topic_names = topic,
                                 .n_topics = 1};
}

static void test_store_vapid_keys(void **state)
{
    fixture *f = *state;
    store_push_vapid v;
    assert_int_equal(store_push_vapid_get(f->s, f->a, &v), STORE_NOT_FOUND);
    push_key_pair first, again;
    char err[256];
    assert_true(push_vapid_ensure(f->s, &first, err, sizeof err));
    assert_true(push_vapid_ensure(f->s, &again, err, sizeof err));
    assert_memory_equal(&first, &again, sizeof first);
    /* a second pair offered later does not replace the first */
    push_key_pair other;
    assert_int_equal(push_key_pair_new(&other), PUSH_OK);
    assert_int_equal(store_push_vapid_put(f->s, other.private_key, other.public_key), STORE_OK);
    assert_int_equal(store_push_vapid_get(f->s, f->a, &v), STORE_OK);
    assert_memory_equal(v.public_key, first.public_key, 65);
}

static void test_store_queue(void **state)
{
    fixture *f = *state;
    store_article_input stories[] = {push_story("live", ARTICLE_PUBLISHED),
                                     push_story("draft", ARTICLE_DRAFT),
                                     push_story("later", ARTICLE_SCHEDULED)};
    assert_int_equal(store_articles_save(f->s, stories, 3, NULL), STORE_OK);
    unsigned char p256dh[65], auth[16];
    decode_exact(rfc_ua_public, p256dh, 65);
    decode_exact(rfc_auth, auth, 16);
    assert_int_equal(store_push_subscribe(f->s, "https://a.example/1", p256dh, auth), STORE_OK);
    assert_int_equal(store_push_subscribe(f->s, "https://b.example/2", p256dh, auth), STORE_OK);
    assert_int_equal(store_push_subscribe(f->s, "https://a.example/1", p256dh, auth), STORE_OK);
    long long subscribers, counts[3], queued, marked;
    assert_int_equal(store_push_counts(f->s, &subscribers, counts), STORE_OK);
    assert_int_equal(subscribers, 2);
    /* only live stories */
    assert_int_equal(store_push_mark_breaking(f->s, "draft", &queued, &marked), STORE_NOT_FOUND);
    assert_int_equal(store_push_mark_breaking(f->s, "later", &queued, &marked), STORE_NOT_FOUND);
    assert_int_equal(store_push_mark_breaking(f->s, "none", &queued, &marked), STORE_NOT_FOUND);
    long long at;
    assert_int_equal(store_push_next_due(f->s, &at), STORE_NOT_FOUND);
    /* once */
    assert_int_equal(store_push_mark_breaking(f->s, "live", &queued, &marked), STORE_OK);
    assert_int_equal(queued, 2);
    long long first_marked = marked;
    assert_int_equal(store_push_mark_breaking(f->s, "live", &queued, &marked), STORE_CONFLICT);
    assert_int_equal(queued, 2);
    assert_int_equal(marked, first_marked);
    /* claiming leases */
    long long now = (long long)time(NULL);
    store_push_message *m;
    size_t n;
    assert_int_equal(store_push_claim(f->s, f->a, now, now + 120, 10, &m, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(m[0].attempts, 1);
    assert_true(m[0].live);
    assert_string_equal(m[0].slug, "live");
    assert_string_equal(m[0].lead, "A lead.");
    assert_memory_equal(m[0].p256dh, p256dh, 65);
    assert_int_equal(store_push_claim(f->s, f->a, now, now + 120, 10, &m, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_push_claim(f->s, f->a, now + 121, now + 240, 10, &m, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(m[1].attempts, 2);
    /* one delivered, one to try again now */
    assert_int_equal(store_push_message_finish(f->s, m[0].id, PUSH_MESSAGE_SENT, 0), STORE_OK);
    assert_int_equal(store_push_message_finish(f->s, m[1].id, PUSH_MESSAGE_WAITING, now), STORE_OK);
    assert_int_equal(store_push_next_due(f->s, &at), STORE_OK);
    assert_int_equal(at, now);
    long long gone = m[1].subscription_id;
    assert_int_equal(store_push_claim(f->s, f->a, now, now + 120, 10, &m, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].attempts, 3);
    /* a delivered message is never claimed again; removing a subscription drops its queue */
    assert_int_equal(store_push_subscription_delete(f->s, gone), STORE_OK);
    assert_int_equal(store_push_subscription_delete(f->s, gone), STORE_NOT_FOUND);
    assert_int_equal(store_push_claim(f->s, f->a, now + 1000, now + 1200, 10, &m, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_push_counts(f->s, &subscribers, counts), STORE_OK);
    assert_int_equal(subscribers, 1);
    assert_int_equal(counts[PUSH_MESSAGE_SENT], 1);
    assert_int_equal(counts[PUSH_MESSAGE_WAITING], 0);
    /* delivered messages are forgotten once old enough, never waiting ones */
    long long removed;
    assert_int_equal(store_push_prune(f->s, now - 10, &removed), STORE_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(store_push_prune(f->s, now + 100000, &removed), STORE_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(store_push_counts(f->s, &subscribers, counts), STORE_OK);
    assert_int_equal(counts[PUSH_MESSAGE_SENT], 0);
    assert_int_equal(store_push_unsubscribe(f->s, "https://nobody.example/"), STORE_NOT_FOUND);
    assert_int_equal(store_push_unsubscribe(f->s, "https://a.example/1"), STORE_OK);
    assert_int_equal(store_push_counts(f->s, &subscribers, counts), STORE_OK);
    assert_int_equal(subscribers, 0);
    assert_int_equal(store_push_message_finish(f->s, 1, (push_message_state)7, 0), STORE_INVALID);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_arena, teardown_arena)
    const struct CMUnitTest tests[] = {
        T(test_b64url_round_trip),
        T(test_b64url_known_values),
        T(test_b64url_refuses),
        T(test_key_pair_new_and_check),
        T(test_public_key_check_refuses),
        T(test_encrypt_rfc8291_vector),
        T(test_encrypt_round_trip_random),
        T(test_encrypt_refuses),
        T(test_url_origin),
        T(test_vapid_jwt_verifies),
        T(test_vapid_refuses),
        T(test_subscription_parse),
        T(test_ip_is_public),
        T(test_payload_json),
        T(test_fate_and_retries),
        cmocka_unit_test_setup_teardown(test_store_vapid_keys, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_queue, setup_db, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
