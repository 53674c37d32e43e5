/* vapid.c — Voluntary Application Server Identification (RFC 8292): the JSON Web Token an
 * application server signs for each push service, ES256 over
 * base64url(header) "." base64url(claims), with the push service's origin as "aud", an
 * expiry at most 24 hours away as "exp" and a contact ("mailto:" or the site's URL) as "sub";
 * and the header "Authorization: vapid t=JWT, k=PUBLIC_KEY". */
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "p256.h"

static const char jwt_header[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";

char *push_url_origin(arena *a, const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] &&
        (strcmp(scheme, "https") == 0 || strcmp(scheme, "http") == 0)) {
        CURLUcode pc = curl_url_get(u, CURLUPART_PORT, &port, 0);
        bool default_port = pc != CURLUE_OK ||
                            (strcmp(scheme, "https") == 0 && strcmp(port, "443") == 0) ||
                            (strcmp(scheme, "http") == 0 && strcmp(port, "80") == 0);
        for (char *p = host; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        out = default_port ? arena_printf(a, "%s://%s", scheme, host)
                           : arena_printf(a, "%s://%s:%s", scheme, host, port);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

push_status push_vapid_jwt(arena *a, const push_key_pair *keys, const char *audience,
                           long long expires, const char *subject, char **out)
{
    *out = NULL;
    if (!audience || !*audience || !subject || !*subject || expires <= 0) return PUSH_BAD_INPUT;
    json_t *claims =
        json_pack("{s:s, s:I, s:s}", "aud", audience, "exp", (json_int_t)expires, "sub", subject);
    char *claims_text = claims ? json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(claims);
    if (!claims_text) return PUSH_BAD_INPUT; /* a subject or audience that is not UTF-8 */
    char *signing_input = arena_printf(
        a, "%s.%s", push_b64url_encode(a, (const unsigned char *)jwt_header, sizeof jwt_header - 1),
        push_b64url_encode(a, (const unsigned char *)claims_text, strlen(claims_text)));
    free(claims_text);
    EVP_PKEY *key = push_p256_private(keys);
    if (!key) return PUSH_BAD_KEY;
    unsigned char sig[64];
    push_status st = push_p256_sign(key, signing_input, strlen(signing_input), sig);
    EVP_PKEY_free(key);
    if (st != PUSH_OK) return st;
    *out = arena_printf(a, "%s.%s", signing_input, push_b64url_encode(a, sig, sizeof sig));
    return PUSH_OK;
}

push_status push_vapid_authorization(arena *a, const push_key_pair *keys, const char *endpoint,
                                     long long expires, const char *subject, char **out)
{
    *out = NULL;
    const char *audience = push_url_origin(a, endpoint);
    if (!audience) return PUSH_BAD_INPUT;
    char *jwt;
    push_status st = push_vapid_jwt(a, keys, audience, expires, subject, &jwt);
    if (st != PUSH_OK) return st;
    *out = arena_printf(a, "vapid t=%s, k=%s", jwt,
                        push_b64url_encode(a, keys->public_key, PUSH_PUBLIC_KEY_BYTES));
    return PUSH_OK;
}
