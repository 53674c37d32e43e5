/* fuzz_admin.c — libFuzzer target for what the newsroom reads from requests (src/admin): the
 * urlencoded form reader (admin_form_value, admin_form_values), the "next" path kept after
 * signing in (admin_safe_next), the X-Forwarded-For hop (admin_forwarded_client) and the token
 * check of cookies and links (auth_token_is_valid). The input's first line is used as next,
 * header and token; the rest as a form body. Checks: next is always an /admin/ path without
 * "//" or control characters; a hop is a short address of hex digits, '.' and ':'; a token that
 * passes is 43 base64url characters; form values are found consistently by both readers. */
#include "../../src/admin/admin.h"
#include "../../src/admin/auth.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char *nl = strchr(text, '\n');
    const char *line = text, *body = "";
    if (nl) {
        *nl = '\0';
        body = nl + 1;
    }
    arena *a = arena_new();
    const char *next = admin_safe_next(line);
    FUZZ_CHECK(strncmp(next, "/admin/", 7) == 0 && !strstr(next, "//") && !strchr(next, '\\'));
    for (const char *p = next; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
    const char *hop = admin_forwarded_client(a, line);
    if (hop) {
        size_t n = strlen(hop);
        FUZZ_CHECK(n > 0 && n < 64 && strspn(hop, "0123456789abcdefABCDEF.:") == n);
    }
    if (auth_token_is_valid(line)) {
        FUZZ_CHECK(strlen(line) == 43);
        char csrf[AUTH_CSRF_TEXT];
        auth_csrf_for(line, csrf);
        FUZZ_CHECK(auth_csrf_matches(csrf, csrf) && !auth_csrf_matches(csrf, line));
    }
    http_request req = {
        .arena = a, .method = "POST", .path = "/admin/", .body = body, .body_len = strlen(body)};
    bool ok = admin_form_ok(&req);
    const char *names[] = {"csrf", "ids", "action", "one", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *first = admin_form_value(&req, names[i]);
        const char *all[64];
        size_t n = admin_form_values(&req, names[i], all, 64);
        FUZZ_CHECK(ok || (!first && n == 0));
        FUZZ_CHECK((first != NULL) == (n > 0));
        if (first) FUZZ_CHECK(strcmp(first, all[0]) == 0);
    }
    arena_free(a);
    free(text);
    return 0;
}
