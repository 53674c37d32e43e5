/* fuzz_push_subscription.c — libFuzzer target for what browsers send to the Web Push endpoints
 * (src/push/subscription.c): push_subscription_parse (with and without push_allow_insecure),
 * push_unsubscribe_parse, push_endpoint_problem and the base64url decoder of push_crypto.h.
 * Checks: a subscription accepted has an endpoint that passes the endpoint rules (https unless
 * insecure is allowed) and a p256dh that is a point on the curve; what base64url decodes
 * encodes back to the same text (one encoding per byte string). */
#include <strings.h>

#include "../../src/push/push.h"
#include "fuzz_check.h"

static void check_subscription(arena *a, const char *text, size_t size, bool insecure)
{
    push_subscription sub;
    const char *problem = NULL;
    if (push_subscription_parse(a, text, size, insecure, &sub, &problem)) {
        FUZZ_CHECK(problem == NULL);
        FUZZ_CHECK(push_endpoint_problem(sub.endpoint, insecure) == NULL);
        FUZZ_CHECK(strlen(sub.endpoint) <= PUSH_MAX_ENDPOINT);
        FUZZ_CHECK(insecure || strncasecmp(sub.endpoint, "https://", 8) == 0);
        FUZZ_CHECK(push_public_key_check(sub.p256dh) == PUSH_OK);
        /* what the strict mode accepts, the insecure one (tests) accepts too */
        if (!insecure) {
            push_subscription loose;
            const char *why;
            FUZZ_CHECK(push_subscription_parse(a, text, size, true, &loose, &why));
            FUZZ_CHECK(strcmp(loose.endpoint, sub.endpoint) == 0);
        }
    } else {
        FUZZ_CHECK(problem != NULL && problem[0] != '\0');
    }
}

static void check_b64url(arena *a, const char *text, size_t size)
{
    unsigned char out[256];
    size_t n = 0;
    if (!push_b64url_decode(text, size, out, sizeof out, &n)) return;
    const char *back = push_b64url_encode(a, out, n);
    size_t unpadded = size;
    while (unpadded > 0 && text[unpadded - 1] == '=')
        unpadded--;
    FUZZ_CHECK(strlen(back) == unpadded && memcmp(back, text, unpadded) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    arena *a = arena_new();
    check_subscription(a, text, size, false);
    check_subscription(a, text, size, true);
    const char *endpoint, *problem;
    if (push_unsubscribe_parse(a, text, size, &endpoint, &problem))
        FUZZ_CHECK(endpoint && endpoint[0] && strlen(endpoint) <= PUSH_MAX_ENDPOINT);
    else
        FUZZ_CHECK(problem != NULL);
    const char *why = push_endpoint_problem(text, false);
    if (!why) FUZZ_CHECK(push_endpoint_problem(text, true) == NULL);
    check_b64url(a, text, size);
    arena_free(a);
    free(text);
    return 0;
}
