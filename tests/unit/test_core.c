/* test_core.c — unit tests for the arena, the byte buffer, the router and the Cookie header
 * parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/arena.h"
#include "../../src/core/buf.h"
#include "../../src/http/http.h"

static void test_arena_allocations_are_zeroed_and_aligned(void **state)
{
    arena *a = arena_new();
    for (int i = 0; i < 10000; i++) {
        unsigned char *p = arena_alloc(a, (size_t)(i % 97) + 1);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (int k = 0; k < (i % 97) + 1; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xab, (size_t)(i % 97) + 1);
    }
    char *big = arena_alloc(a, 1 << 20); /* larger than a block */
    big[(1 << 20) - 1] = 'x';
    assert_string_equal(arena_printf(a, "%s-%d", "story", 42), "story-42");
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strndup(a, "kicker", 4), "kick");
    arena_reset(a);
    assert_string_equal(arena_strdup(a, "after reset"), "after reset");
    arena_free(a);
}

static void test_buf_appends_and_escapes(void **state)
{
    buf b = {0};
    buf_puts(&b, "<p>");
    buf_append_html(&b, "Tom & \"Jerry\" <'x'>", strlen("Tom & \"Jerry\" <'x'>"));
    buf_printf(&b, "%d", 7);
    assert_string_equal(b.data, "<p>Tom &amp; &quot;Jerry&quot; &lt;&#39;x&#39;&gt;7");
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, 'a');
    assert_int_equal(b.len, strlen(b.data));
    char *stolen = buf_steal(&b);
    assert_null(b.data);
    free(stolen);
    buf empty = {0};
    char *e = buf_steal(&empty);
    assert_string_equal(e, "");
    free(e);
}

static void handler(void *app, http_request *req, const http_params *params, http_response *res) {}

static const http_route routes[] = {
    {"GET", "/", handler},
    {"GET", "/news/{slug}/", handler},
    {"POST", "/news/{slug}/comments", handler},
    {"GET", "/media/{path*}", handler},
};

static http_route_result match(arena *a, const char *method, const char *path, http_params *p,
                               const http_route **found)
{
    return http_route_match(routes, 4, a, method, path, found, p);
}

static void test_router_matches_the_site_map(void **state)
{
    arena *a = arena_new();
    http_params p;
    const http_route *found = NULL;
    assert_int_equal(match(a, "GET", "/", &p, &found), HTTP_ROUTE_FOUND);
    assert_ptr_equal(found, &routes[0]);
    assert_int_equal(match(a, "GET", "/news/hamas-visited-moscow/", &p, &found), HTTP_ROUTE_FOUND);
    assert_string_equal(http_param(&p, "slug"), "hamas-visited-moscow");
    assert_null(http_param(&p, "nope"));
    assert_int_equal(match(a, "HEAD", "/news/x/", &p, &found), HTTP_ROUTE_FOUND);
    assert_int_equal(match(a, "POST", "/news/x/", &p, &found), HTTP_ROUTE_METHOD_NOT_ALLOWED);
    assert_int_equal(match(a, "POST", "/news/x/comments", &p, &found), HTTP_ROUTE_FOUND);
    assert_int_equal(match(a, "GET", "/news/x/comments", &p, &found),
                     HTTP_ROUTE_METHOD_NOT_ALLOWED);
    assert_int_equal(match(a, "GET", "/news/x", &p, &found), HTTP_ROUTE_ADD_SLASH);
    assert_int_equal(match(a, "GET", "/news//", &p, &found), HTTP_ROUTE_NOT_FOUND);
    assert_int_equal(match(a, "GET", "/news/a/b/", &p, &found), HTTP_ROUTE_NOT_FOUND);
    assert_int_equal(match(a, "GET", "/media/demo/a.svg", &p, &found), HTTP_ROUTE_FOUND);
    assert_string_equal(http_param(&p, "path"), "demo/a.svg");
    assert_int_equal(match(a, "GET", "/media/", &p, &found), HTTP_ROUTE_NOT_FOUND);
    assert_int_equal(match(a, "GET", "", &p, &found), HTTP_ROUTE_NOT_FOUND);
    arena_free(a);
}

static void test_redirect_refuses_other_sites(void **state)
{
    http_response res = {0};
    http_redirect(&res, 301, "//evil.example/");
    assert_int_equal(res.status, 400);
    http_response ok = {0};
    http_redirect(&ok, 301, "/news/x/");
    assert_int_equal(ok.status, 301);
    assert_string_equal(ok.header_values[0], "/news/x/");
    buf_free(&ok.body);
    http_response crlf = {0};
    http_redirect(&crlf, 302, "/x\r\nSet-Cookie: a=b");
    assert_int_equal(crlf.status, 400);
}

static void test_cookie_header_parsing(void **state)
{
    arena *a = arena_new();
    const char *h = "a=1; gz_nonce=0123abcd;b = \" two \" ;\tc=;flag; d=x=y; a=again";
    assert_string_equal(http_cookie_parse(a, h, "gz_nonce"), "0123abcd");
    assert_string_equal(http_cookie_parse(a, h, "a"), "1"); /* the first one wins */
    assert_string_equal(http_cookie_parse(a, h, "b"), " two ");
    assert_string_equal(http_cookie_parse(a, h, "c"), "");
    assert_string_equal(http_cookie_parse(a, h, "d"), "x=y");
    assert_null(http_cookie_parse(a, h, "flag"));
    assert_null(http_cookie_parse(a, h, "gz"));
    assert_null(http_cookie_parse(a, h, ""));
    assert_null(http_cookie_parse(a, NULL, "a"));
    assert_string_equal(http_cookie_parse(a, "q=\"", "q"), "\"");
    assert_string_equal(http_cookie_parse(a, "q=\"\"", "q"), "");
    arena_free(a);
}

/* The query string of an offline request (http_dispatch, the static export). */
static void test_offline_query_parsing(void **state)
{
    arena *a = arena_new();
    const char *q = "page=2&q=harbour+bridge&t=%C3%A9t%C3%A9&z=%00&flag&e=&page=3";
    assert_string_equal(http_query_parse(a, q, "page"), "2"); /* the first one wins */
    assert_string_equal(http_query_parse(a, q, "q"), "harbour bridge");
    assert_string_equal(http_query_parse(a, q, "t"), "\xc3\xa9t\xc3\xa9");
    assert_string_equal(http_query_parse(a, q, "z"), "%00"); /* never a NUL */
    assert_string_equal(http_query_parse(a, q, "e"), "");
    assert_null(http_query_parse(a, q, "flag"));
    assert_null(http_query_parse(a, q, "missing"));
    assert_null(http_query_parse(a, NULL, "page"));
    assert_string_equal(http_query_parse(a, "x=%4", "x"), "%4");
    http_request req = {.arena = a, .method = "GET", .path = "/", .query = q};
    assert_string_equal(http_query(&req, "page"), "2");
    assert_null(http_header(&req, "Cookie"));
    assert_null(http_cookie(&req, "gz_nonce"));
    assert_string_equal(http_client_ip(&req), "-");
    arena_free(a);
}

static void test_conditional_get_decisions(void **state)
{
    (void)state;
    time_t t;
    assert_true(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t));
    assert_int_equal((long long)t, 784111777LL);
    char text[HTTP_DATE_SIZE];
    http_date_format(t, text);
    assert_string_equal(text, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_false(http_date_parse(NULL, &t));
    assert_false(http_date_parse("yesterday", &t));
    assert_false(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT trailing", &t));

    const char *etag = "\"00000000000000ab\"";
    assert_true(http_client_copy_current(etag, NULL, etag, -1));
    assert_true(http_client_copy_current("\"x\", \"00000000000000ab\"", NULL, etag, -1));
    assert_true(http_client_copy_current("*", NULL, etag, -1));
    assert_false(http_client_copy_current("\"other\"", NULL, etag, -1));
    assert_false(http_client_copy_current("  ", NULL, etag, -1));
    /* If-None-Match wins over If-Modified-Since */
    assert_false(
        http_client_copy_current("\"other\"", "Sun, 06 Nov 1994 08:49:37 GMT", etag, 784111777));
    assert_true(http_client_copy_current(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", etag, 784111777));
    assert_false(http_client_copy_current(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", etag, 784111778));
    assert_false(http_client_copy_current(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", etag, -1));
    assert_false(http_client_copy_current(NULL, "garbage", etag, 1));
    assert_false(http_client_copy_current(NULL, NULL, etag, 1));

    http_response res = {0};
    assert_true(http_set_header(&res, "last-modified", "x"));
    assert_string_equal(http_response_header(&res, "Last-Modified"), "x");
    assert_null(http_response_header(&res, "ETag"));
    assert_true(http_hash_bytes("", 0) == 1469598103934665603ull);
}

/* The ETag hash of a body: the same bytes the same hash; one byte changed anywhere, a byte more
 * (even a zero) or a byte less, another hash; unaligned starts work. */
static void test_body_hash_names_each_version(void **state)
{
    (void)state;
    char body[200], copy[201];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (char)('a' + i % 26);
    uint64_t h = http_hash_body(body, sizeof body);
    memcpy(copy + 1, body, sizeof body);
    assert_true(http_hash_body(copy + 1, sizeof body) == h);
    for (size_t len = 0; len < sizeof body; len++)
        assert_true(http_hash_body(body, len) != h);
    for (size_t i = 0; i < sizeof body; i++) {
        body[i] ^= 1;
        assert_true(http_hash_body(body, sizeof body) != h);
        body[i] ^= 1;
    }
    assert_true(http_hash_body("a", 1) != http_hash_body("a\0", 2));
    assert_true(http_hash_body("", 0) != http_hash_body("\0", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_allocations_are_zeroed_and_aligned),
        cmocka_unit_test(test_buf_appends_and_escapes),
        cmocka_unit_test(test_router_matches_the_site_map),
        cmocka_unit_test(test_redirect_refuses_other_sites),
        cmocka_unit_test(test_cookie_header_parsing),
        cmocka_unit_test(test_offline_query_parsing),
        cmocka_unit_test(test_conditional_get_decisions),
        cmocka_unit_test(test_body_hash_names_each_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
