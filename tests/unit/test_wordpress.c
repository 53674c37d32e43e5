/* test_wordpress.c — unit tests for the pure pieces of the WordPress import: export dates (GMT,
 * and local time in the site's zone), the keys of old links (src/content/wordpress.c), and the
 * content check of uploaded files (src/import/wp_media.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../src/content/wordpress.h"
#include "../../src/import/wp_media.h"

static void gmt_dates(void **state)
{
    long long t = 0;
    assert_true(content_wp_time_utc("2023-01-13 18:38:05", &t));
    assert_int_equal(t, 1673635085);
    assert_true(content_wp_time_utc("1970-01-01 00:00:00", &t));
    assert_int_equal(t, 0);
    assert_true(content_wp_time_utc("2024-02-29 12:00:00", &t));
    assert_false(content_wp_time_utc("0000-00-00 00:00:00", &t)); /* drafts */
    assert_false(content_wp_time_utc("2023-02-30 10:00:00", &t)); /* no such day */
    assert_false(content_wp_time_utc("2023-01-13T18:38:05", &t));
    assert_false(content_wp_time_utc("2023-01-13 18:38", &t));
    assert_false(content_wp_time_utc("2023-01-13 24:00:00", &t));
    assert_false(content_wp_time_utc("", &t));
    assert_false(content_wp_time_utc(NULL, &t));
    assert_false(content_wp_time_utc("2023-01-13 18:38:0x", &t));
}

static void local_dates(void **state)
{
    long long t = 0;
    setenv("TZ", "Europe/Paris", 1);
    tzset();
    assert_true(content_wp_time_local("2020-01-02 10:00:00", &t)); /* winter: UTC+1 */
    assert_int_equal(t, 1577955600);
    assert_true(content_wp_time_local("2020-07-02 10:00:00", &t)); /* summer: UTC+2 */
    assert_int_equal(t, 1593676800);
    assert_false(content_wp_time_local("0000-00-00 00:00:00", &t));
    setenv("TZ", "UTC", 1);
    tzset();
    assert_true(content_wp_time_local("2020-01-02 10:00:00", &t));
    assert_int_equal(t, 1577959200);
}

static void link_keys(void **state)
{
    arena *a = arena_new();
    assert_string_equal(content_redirect_key(a, "https://example.org/2012/01/hello-world/", true),
                        "/2012/01/hello-world");
    assert_string_equal(content_redirect_key(a, "http://example.org", true), "/");
    assert_string_equal(content_redirect_key(a, "https://example.org/?p=12", true), "/?p=12");
    assert_string_equal(content_redirect_key(a, "/?page_id=7", false), "/?page_id=7");
    assert_string_equal(content_redirect_key(a, "/?cat=3", false), "/?cat=3");
    assert_string_equal(content_redirect_key(a, "/?tag=news", false), "/?tag=news");
    /* other queries and fragments are dropped */
    assert_string_equal(content_redirect_key(a, "/a/b/?utm_source=x#top", false), "/a/b");
    assert_string_equal(content_redirect_key(a, "/?p=12&preview=true", false), "/");
    assert_string_equal(content_redirect_key(a, "/news/?p=12", false), "/news");
    /* escapes decoded when asked, slashes folded */
    assert_string_equal(content_redirect_key(a, "/caf%C3%A9//menu///", true), "/caf\xc3\xa9/menu");
    assert_string_equal(content_redirect_key(a, "/caf%C3%A9/", false), "/caf%C3%A9");
    assert_string_equal(content_redirect_key(a, "/100%/", true), "/100%");
    assert_string_equal(content_redirect_key(a, "/%zz/", true), "/%zz");
    assert_string_equal(content_redirect_key(a, "/", false), "/");
    assert_string_equal(content_redirect_key(a, "////", false), "/");
    /* refused */
    assert_null(content_redirect_key(a, "ftp://example.org/x", true));
    assert_null(content_redirect_key(a, "relative/path", true));
    assert_null(content_redirect_key(a, "/a%00b", true));
    assert_null(content_redirect_key(a, "/a%0d%0aLocation:x", true));
    assert_null(content_redirect_key(a, NULL, true));
    arena_free(a);
}

static void media_magic(void **state)
{
    const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0};
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    const unsigned char webp[] = {'R', 'I', 'F', 'F', 1, 2, 3, 4, 'W', 'E', 'B', 'P'};
    const unsigned char text[] = "<html>";
    assert_true(wp_media_type_matches("2008/06/a.jpg", jpeg, sizeof jpeg));
    assert_true(wp_media_type_matches("A.JPEG", jpeg, sizeof jpeg));
    assert_false(wp_media_type_matches("a.png", jpeg, sizeof jpeg));
    assert_true(wp_media_type_matches("a.png", png, sizeof png));
    assert_true(wp_media_type_matches("a.webp", webp, sizeof webp));
    assert_false(wp_media_type_matches("a.jpg", text, sizeof text - 1));
    assert_false(wp_media_type_matches("a.svg", text, sizeof text - 1)); /* never copied */
    assert_false(wp_media_type_matches("noextension", jpeg, sizeof jpeg));
    assert_false(wp_media_type_matches("dir.jpg/file", jpeg, sizeof jpeg));
    assert_false(wp_media_type_matches("a.jpg", jpeg, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gmt_dates),
        cmocka_unit_test(local_dates),
        cmocka_unit_test(link_keys),
        cmocka_unit_test(media_magic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
