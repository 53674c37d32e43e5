/* fuzz_form.c — libFuzzer target for the comment form (src/comments): form_decode on the raw
 * POST body (application/x-www-form-urlencoded, not NUL-terminated), then what the server does
 * with the fields: comment_form_read, comment_validate (with and without an arena), the spam
 * rules, comment_render_html of the comment, the signed form token (comment_token_check of the
 * posted gz_token; a token issued for the posted article, time and nonce must verify) and the
 * CSRF check comment_post_same_origin (host, sec_fetch_site, origin and referer fields stand
 * for the request headers). */
#include <strings.h>

#include "../../src/comments/comments.h"
#include "fuzz_check.h"

static const unsigned char KEY[COMMENT_KEY_BYTES] = "0123456789abcdef0123456789abcdef";

static long long number(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    form_field *fields;
    size_t n;
    if (!form_decode(a, (const char *)data, size, &fields, &n)) {
        FUZZ_CHECK(n == 0);
        arena_free(a);
        return 0;
    }
    FUZZ_CHECK(n <= 64 && (n == 0 || fields != NULL));
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(fields[i].name && fields[i].value);

    comment_form form;
    comment_form_read(a, fields, n, &form);
    comment_errors errors;
    comment_validate(a, &form, &errors);
    FUZZ_CHECK(errors.n <= COMMENT_MAX_ERRORS);
    for (size_t i = 0; i < errors.n; i++)
        FUZZ_CHECK(errors.errors[i].field && errors.errors[i].message[0]);
    comment_validate(NULL, &form, &errors);

    comment_spam_rules rules = {.max_links = 2,
                                .blocked_words = form_get(fields, n, "blocked_words"),
                                .blocked_ips = form_get(fields, n, "blocked_ips")};
    const char *ip = form_get(fields, n, "ip");
    const char *reason = comment_spam_reason(a, &rules, &form, ip ? ip : "127.0.0.1");
    if (reason) FUZZ_CHECK(comment_spam_message(a, reason) != NULL);
    FUZZ_CHECK(comment_render_html(a, form.comment) != NULL);

    long long article = number(form_get(fields, n, "article"));
    long long now = number(form_get(fields, n, "now"));
    const char *nonce = form_get(fields, n, "nonce");
    comment_token_status st = comment_token_check(KEY, form.token, article, now, 3, 86400);
    FUZZ_CHECK(st >= TOKEN_OK && st <= TOKEN_EXPIRED && comment_token_message(st)[0]);
    char *token = comment_token_issue(a, KEY, article, now, nonce);
    if (token) {
        FUZZ_CHECK(comment_token_check(KEY, token, article, now, 0, 0) == TOKEN_OK);
        FUZZ_CHECK(comment_token_check(KEY, token, article, now, 1, 10) == TOKEN_TOO_FAST);
    }

    /* the CSRF check, on header values taken from the form */
    const char *host = form_get(fields, n, "host"), *site = form_get(fields, n, "sec_fetch_site");
    const char *origin = form_get(fields, n, "origin"), *referer = form_get(fields, n, "referer");
    if (comment_post_same_origin(host, site, origin, referer)) {
        FUZZ_CHECK(!site || strcasecmp(site, "cross-site") != 0);
        FUZZ_CHECK(!origin || (host && strcmp(origin, "null") != 0));
        FUZZ_CHECK(origin || !referer || host);
        const char *url = origin ? origin : referer;
        if (url) { /* the URL names exactly host, then ends or goes on with a path */
            const char *after = strstr(url, "://");
            FUZZ_CHECK(after && strncasecmp(after + 3, host, strlen(host)) == 0);
            FUZZ_CHECK(strchr("/?#", after[3 + strlen(host)]) != NULL);
        }
    }
    arena_free(a);
    return 0;
}
