/* test_comments.c — unit tests for src/comments: form decoding, reading and validating the
 * comment form, the signed form token, the rate limiter, spam rules and HTML rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit_helpers.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/comments/comments.h"
#include "../../src/content/content.h"
#include "../../src/core/arena.h"

/* ---- Helpers -------------------------------------------------------------------------- */

/* Deterministic xorshift PRNG so failures reproduce. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static char *repeat(arena *a, const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = arena_alloc(a, n * times + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    return s;
}

static bool decode(arena *a, const char *body, form_field **f, size_t *n)
{
    return form_decode(a, body, strlen(body), f, n);
}

/* ---- form_decode / form_get ----------------------------------------------------------- */

static void test_form_decode_basic(void **state)
{
    arena *a = *state;
    form_field *f;
    size_t n;
    assert_true(decode(a, "a=1&b=hello+world&c=%41%42%e2%82%AC&d=100%25+%2B", &f, &n));
    assert_int_equal(n, 4);
    assert_string_equal(f[0].name, "a");
    assert_string_equal(f[0].value, "1");
    assert_string_equal(form_get(f, n, "b"), "hello world");
    assert_string_equal(form_get(f, n, "c"), "AB\xe2\x82\xac");
    assert_string_equal(form_get(f, n, "d"), "100% +");
    assert_null(form_get(f, n, "missing"));
    assert_null(form_get(f, n, "A")); /* names are case-sensitive */
}

static void test_form_decode_edge_cases(void **state)
{
    arena *a = *state;
    form_field *f;
    size_t n;
    assert_true(decode(a, "", &f, &n));
    assert_int_equal(n, 0);
    assert_null(form_get(f, n, "a"));
    assert_true(form_decode(a, NULL, 0, &f, &n));
    assert_int_equal(n, 0);

    assert_true(decode(a, "flag&x=&=anon&y=a=b", &f, &n));
    assert_int_equal(n, 4);
    assert_string_equal(form_get(f, n, "flag"), "");
    assert_string_equal(form_get(f, n, "x"), "");
    assert_string_equal(form_get(f, n, ""), "anon");
    assert_string_equal(form_get(f, n, "y"), "a=b");

    assert_true(decode(a, "&&a=1&&b=2&", &f, &n)); /* empty segments are skipped */
    assert_int_equal(n, 2);

    assert_true(decode(a, "a=1&a=2", &f, &n));
    assert_string_equal(form_get(f, n, "a"), "1"); /* the first value wins */

    assert_true(form_decode(a, "a=1&b=2", 3, &f, &n)); /* only len bytes are read */
    assert_int_equal(n, 1);
    assert_string_equal(form_get(f, n, "a"), "1");

    assert_true(decode(a, "na%6De=v%3D1%26w", &f, &n));
    assert_string_equal(form_get(f, n, "name"), "v=1&w");
}

static void test_form_decode_rejects_malformed(void **state)
{
    arena *a = *state;
    form_field *f;
    size_t n;
    const char *bad[] = {"a=%",    "a=%4",    "a=%zz", "a=%4g",  "a=%g4", "a=%00",
                         "a%00=1", "a=1&b=%", "%=1",   "a=%%41", "a=x%0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(decode(a, bad[i], &f, &n));
        assert_int_equal(n, 0);
    }
    assert_false(form_decode(a, "a=1\0b", 5, &f, &n)); /* a raw NUL byte */
}

static void test_form_decode_field_limit(void **state)
{
    arena *a = *state;
    form_field *f;
    size_t n;
    char body[1024] = "";
    for (int i = 0; i < 64; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "%sf%d=%d", i ? "&" : "", i, i);
    assert_true(decode(a, body, &f, &n));
    assert_int_equal(n, 64);
    assert_string_equal(form_get(f, n, "f63"), "63");
    strcat(body, "&f64=64");
    assert_false(decode(a, body, &f, &n));
}

/* ---- comment_form_read ---------------------------------------------------------------- */

static void read_form(arena *a, const char *body, comment_form *form)
{
    form_field *f;
    size_t n;
    assert_true(decode(a, body, &f, &n));
    comment_form_read(a, f, n, form);
}

static void test_comment_form_read(void **state)
{
    arena *a = *state;
    comment_form form;
    read_form(a,
              "comment=+%0D%0A+Hello%0D%0Aworld%0D%0A%0D%0Abye%0Dx+%0D%0A&author=+Ann+&email=%09"
              "ann%40example.com+&comment_parent=12&gz_token=tok&gz_website=",
              &form);
    assert_string_equal(form.comment, "Hello\nworld\n\nbye\nx");
    assert_string_equal(form.author, "Ann");
    assert_string_equal(form.email, "ann@example.com");
    assert_string_equal(form.url, "");
    assert_string_equal(form.honeypot, "");
    assert_string_equal(form.token, "tok");
    assert_int_equal(form.parent, 12);

    read_form(a, "", &form); /* every field missing */
    assert_string_equal(form.comment, "");
    assert_string_equal(form.author, "");
    assert_string_equal(form.token, "");
    assert_int_equal(form.parent, 0);

    const char *parents[][2] = {
        {"comment_parent=", "0"},      {"comment_parent=0", "0"},
        {"comment_parent=+7+", "7"},   {"comment_parent=-1", "-1"},
        {"comment_parent=1x", "-1"},   {"comment_parent=abc", "-1"},
        {"comment_parent=%2B3", "-1"}, {"comment_parent=99999999999999999999", "-1"}};
    for (size_t i = 0; i < sizeof parents / sizeof *parents; i++) {
        read_form(a, parents[i][0], &form);
        assert_int_equal(form.parent, atoll(parents[i][1]));
    }
}

/* ---- comment_validate ----------------------------------------------------------------- */

static comment_form valid_form(void)
{
    return (comment_form){.comment = "A fine article.\n\tThanks.",
                          .author = "Zoë Ångström",
                          .email = "zoe@example.com",
                          .url = "",
                          .honeypot = "",
                          .token = "",
                          .parent = 0};
}

/* The message for field after validating form with an arena, or NULL. */
static const char *error_for(arena *a, const comment_form *form, const char *field)
{
    comment_errors e;
    comment_validate(a, form, &e);
    for (size_t i = 0; i < e.n; i++)
        if (strcmp(e.errors[i].field, field) == 0) return e.errors[i].message;
    return NULL;
}

static void test_validate_accepts_valid_form(void **state)
{
    comment_form form = valid_form();
    comment_errors e;
    comment_validate(NULL, &form, &e);
    assert_int_equal(e.n, 0);
    form.url = "https://example.com/blog?x=1#top";
    form.parent = 5;
    comment_validate(*state, &form, &e);
    assert_int_equal(e.n, 0);
}

static void test_validate_empty_form_lists_every_problem(void **state)
{
    comment_form form = {.comment = "", .author = "", .email = "", .url = ""};
    comment_errors e;
    comment_validate(NULL, &form, &e);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.errors[0].field, "comment");
    assert_string_equal(e.errors[0].message, "Please write a comment.");
    assert_string_equal(e.errors[1].field, "author");
    assert_string_equal(e.errors[1].message, "Please give your name.");
    assert_string_equal(e.errors[2].field, "email");
    assert_string_equal(e.errors[2].message, "Please give your email address.");
    comment_form nulls = {0}; /* NULL fields count as empty */
    comment_validate(NULL, &nulls, &e);
    assert_int_equal(e.n, 3);
}

static void test_validate_comment_length(void **state)
{
    arena *a = *state;
    comment_form form = valid_form();
    form.comment = repeat(a, "x", 5000);
    assert_null(error_for(a, &form, "comment"));
    form.comment = repeat(a, "\xc3\xa9", 5000); /* 10,000 bytes but 5,000 characters */
    assert_null(error_for(a, &form, "comment"));
    form.comment = repeat(a, "x", 5001);
    assert_string_equal(error_for(a, &form, "comment"),
                        "Your comment is too long: 5,001 characters; the limit is 5,000.");
    form.comment = repeat(a, "\xe2\x82\xac", 5123);
    assert_string_equal(error_for(a, &form, "comment"),
                        "Your comment is too long: 5,123 characters; the limit is 5,000.");
    form.comment = repeat(a, "ab", 612345);
    assert_string_equal(error_for(a, &form, "comment"),
                        "Your comment is too long: 1,224,690 characters; the limit is 5,000.");
    comment_errors e; /* without an arena the count is left out */
    comment_validate(NULL, &form, &e);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.errors[0].message,
                        "Your comment is too long; the limit is 5,000 characters.");
    form.comment = " ";
    assert_null(error_for(a, &form, "comment")); /* trimming is comment_form_read's job */
}

static void test_validate_control_characters(void **state)
{
    arena *a = *state;
    comment_form form = valid_form();
    const char *bad[] = {"a\x01z", "a\rz", "a\x1bz", "a\x7fz", "a\xc2\x85z", "a\x0bz"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        form.comment = bad[i];
        assert_string_equal(error_for(a, &form, "comment"),
                            "Your comment contains invisible control characters. Please remove "
                            "them.");
    }
    form = valid_form();
    form.author = "Ann\tB";
    assert_string_equal(error_for(a, &form, "author"),
                        "Your name contains invisible control characters. Please remove them.");
    form.author = "Ann\nBcc: x";
    assert_non_null(error_for(a, &form, "author"));
}

static void test_validate_utf8(void **state)
{
    arena *a = *state;
    const char *bad[] = {"\xff", "ab\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        comment_form form = valid_form();
        form.comment = form.author = form.email = form.url = bad[i];
        comment_errors e;
        comment_validate(a, &form, &e);
        assert_int_equal(e.n, 4);
        for (size_t k = 0; k < e.n; k++)
            assert_string_equal(e.errors[k].message, "This text is not valid UTF-8.");
    }
}

static void test_validate_name(void **state)
{
    arena *a = *state;
    comment_form form = valid_form();
    form.author = "";
    assert_string_equal(error_for(a, &form, "author"), "Please give your name.");
    form.author = repeat(a, "\xc3\xa5", 100);
    assert_null(error_for(a, &form, "author"));
    form.author = repeat(a, "n", 101);
    assert_string_equal(error_for(a, &form, "author"),
                        "Your name is too long (at most 100 characters).");
    form.author = repeat(a, "\xe6\x97\xa5", 101);
    assert_string_equal(error_for(a, &form, "author"),
                        "Your name is too long (at most 100 characters).");
}

static void test_validate_email(void **state)
{
    arena *a = *state;
    const char *msg =
        "That email address does not look right (it should look like name@example.com).";
    const char *good[] = {"a@example.com", "first.last+tag@mail.example.co.uk", "o'brien@ex.ie",
                          "x_y-z@a-b.c0m", "1@2.io"};
    const char *bad[] = {"plain",
                         "@example.com",
                         "a@",
                         "a@example",
                         "a@-example.com",
                         "a@example-.com",
                         "a@exa mple.com",
                         "a b@example.com",
                         "a\"b@example.com",
                         "a<b@example.com",
                         "a>b@example.com",
                         "a,b@example.com",
                         "a;b@example.com",
                         "a:b@example.com",
                         "a@example.com\r\nBcc: victim@example.com",
                         "a@example.com\n",
                         "a\t@example.com",
                         "a@@example.com",
                         "a@b@example.com",
                         "a@example..com",
                         "a@.example.com",
                         "a@example.com.",
                         "a@exam_ple.com",
                         "j\xc3\xb6rg@example.com",
                         "a@\xc3\xa9xample.com"};
    comment_form form = valid_form();
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        form.email = good[i];
        assert_null(error_for(a, &form, "email"));
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        form.email = bad[i];
        const char *got = error_for(a, &form, "email");
        assert_non_null(got);
        assert_string_equal(got, msg);
    }
    form.email = "";
    assert_string_equal(error_for(a, &form, "email"), "Please give your email address.");
    form.email = arena_printf(a, "%s@example.com", repeat(a, "l", 64));
    assert_null(error_for(a, &form, "email"));
    form.email = arena_printf(a, "%s@example.com", repeat(a, "l", 65));
    assert_string_equal(error_for(a, &form, "email"), msg);
    /* 254 bytes in all is fine, 255 is not */
    const char *label = repeat(a, "d", 60);
    char *domain = arena_printf(a, "%s.%s.%s.%s", label, label, label, label); /* 243 */
    form.email = arena_printf(a, "%s@%s", repeat(a, "l", 10), domain);
    assert_int_equal(strlen(form.email), 254);
    assert_null(error_for(a, &form, "email"));
    form.email = arena_printf(a, "%s@%s", repeat(a, "l", 11), domain);
    assert_string_equal(error_for(a, &form, "email"), msg);
    form.email = arena_printf(a, "a@%s.com", repeat(a, "d", 64)); /* a 64-byte label */
    assert_string_equal(error_for(a, &form, "email"), msg);
}

static void test_validate_url(void **state)
{
    arena *a = *state;
    const char *scheme_msg = "The website must start with http:// or https://.";
    const char *shape_msg =
        "That website address does not look right (it should look like https://example.com).";
    const char *good[] = {"http://example.com", "https://example.com:8080/path?q=1&r=%20#f",
                          "http://[::1]:80/",   "HTTPS://EXAMPLE.COM",
                          "http://localhost",   "https://example.com/caf\xc3\xa9",
                          "https://a.b/c(d)"};
    const char *no_scheme[] = {
        "example.com",     "javascript:alert(1)", "ftp://example.com",      "//example.com",
        "www.example.com", " http://example.com", "data:text/html,<script>"};
    const char *bad_shape[] = {"http://",
                               "https://:80",
                               "http://exa mple.com",
                               "http://example.com/a b",
                               "http://example.com/\"onmouseover=\"x",
                               "http://example.com/'x",
                               "http://example.com/<script>",
                               "http://user@example.com",
                               "http://example.com:99999",
                               "http://example.com:",
                               "http://example.com:8x",
                               "http://.example.com",
                               "http://-example.com",
                               "http://[]/",
                               "http://[::1/",
                               "http://example.com\\@evil.com",
                               "http://example.com/\r\nX: y",
                               "http://example.com/`"};
    comment_form form = valid_form();
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        form.url = good[i];
        assert_null(error_for(a, &form, "url"));
    }
    for (size_t i = 0; i < sizeof no_scheme / sizeof *no_scheme; i++) {
        form.url = no_scheme[i];
        assert_string_equal(error_for(a, &form, "url"), scheme_msg);
    }
    for (size_t i = 0; i < sizeof bad_shape / sizeof *bad_shape; i++) {
        form.url = bad_shape[i];
        const char *got = error_for(a, &form, "url");
        assert_non_null(got);
        assert_string_equal(got, shape_msg);
    }
    form.url = arena_printf(a, "https://example.com/%s", repeat(a, "p", 500 - 20));
    assert_int_equal(strlen(form.url), 500);
    assert_null(error_for(a, &form, "url"));
    form.url = arena_printf(a, "https://example.com/%s", repeat(a, "p", 501 - 20));
    assert_string_equal(error_for(a, &form, "url"),
                        "The website address is too long (at most 500 characters).");
}

static void test_validate_parent(void **state)
{
    comment_form form = valid_form();
    form.parent = -1;
    assert_string_equal(error_for(*state, &form, "comment_parent"),
                        "The comment you are replying to could not be found. Please reload the "
                        "page and try again.");
    form.parent = 123456789;
    assert_null(error_for(*state, &form, "comment_parent"));
}

/* ---- Token ---------------------------------------------------------------------------- */

static const unsigned char test_key[COMMENT_KEY_BYTES] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_key[COMMENT_KEY_BYTES] = "0123456789abcdef0123456789abcdeF";
enum { T_NOW = 1700000000, T_MIN = 3, T_MAX = 86400, T_ARTICLE = 42 };

static comment_token_status check_at(const char *token, long long article, long long now)
{
    return comment_token_check(test_key, token, article, now, T_MIN, T_MAX);
}

static bool all_lower_hex(const char *s, size_t n)
{
    if (strlen(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdef", s[i])) return false;
    return true;
}

static void test_nonce(void **state)
{
    arena *a = *state;
    char *n1 = comment_nonce_new(a), *n2 = comment_nonce_new(a);
    assert_true(all_lower_hex(n1, COMMENT_NONCE_HEX));
    assert_true(all_lower_hex(n2, COMMENT_NONCE_HEX));
    assert_string_not_equal(n1, n2);
}

static void test_token_round_trip(void **state)
{
    arena *a = *state;
    char *nonce = comment_nonce_new(a);
    char *token = comment_token_issue(a, test_key, T_ARTICLE, T_NOW, nonce);
    assert_non_null(token);
    char *prefix = arena_printf(a, "v1.42.%d.%s.", T_NOW, nonce);
    assert_memory_equal(token, prefix, strlen(prefix));
    assert_true(all_lower_hex(token + strlen(prefix), 64));
    assert_int_equal(check_at(token, T_ARTICLE, T_NOW + 5), TOKEN_OK);
    assert_int_equal(check_at(token, T_ARTICLE, T_NOW + T_MIN), TOKEN_OK);
    assert_int_equal(check_at(token, T_ARTICLE, T_NOW + T_MAX), TOKEN_OK);
    /* the same inputs give the same token; article 0 and time 0 work */
    assert_string_equal(token, comment_token_issue(a, test_key, T_ARTICLE, T_NOW, nonce));
    char *zero = comment_token_issue(a, test_key, 0, 0, nonce);
    assert_int_equal(comment_token_check(test_key, zero, 0, 10, 0, 100), TOKEN_OK);
}

static void test_token_issue_refuses_bad_input(void **state)
{
    arena *a = *state;
    const char *nonce = "00112233445566778899aabbccddeeff";
    assert_null(comment_token_issue(a, test_key, 1, T_NOW, NULL));
    assert_null(comment_token_issue(a, test_key, 1, T_NOW, ""));
    assert_null(comment_token_issue(a, test_key, 1, T_NOW, "00112233445566778899AABBCCDDEEFF"));
    assert_null(comment_token_issue(a, test_key, 1, T_NOW, "00112233445566778899aabbccddeef"));
    assert_null(comment_token_issue(a, test_key, 1, T_NOW, "00112233445566778899aabbccddeeff0"));
    assert_null(comment_token_issue(a, test_key, 1, T_NOW, "0011223344556677.899aabbccddeeff"));
    assert_null(comment_token_issue(a, test_key, -1, T_NOW, nonce));
    assert_null(comment_token_issue(a, test_key, 1, -5, nonce));
    assert_non_null(comment_token_issue(a, test_key, 1, T_NOW, nonce));
}

/* token with the character at the start of part (0-based, '.'-separated) + offset changed. */
static char *tamper(arena *a, const char *token, int part, size_t offset)
{
    char *t = arena_strdup(a, token), *p = t;
    for (int i = 0; i < part; i++)
        p = strchr(p, '.') + 1;
    p[offset] = p[offset] == '1' ? '2' : '1';
    return t;
}

static void test_token_tampering_each_part(void **state)
{
    arena *a = *state;
    const char *nonce = "00112233445566778899aabbccddeeff";
    char *token = comment_token_issue(a, test_key, T_ARTICLE, T_NOW, nonce);
    long long when = T_NOW + 10;
    assert_int_equal(check_at(tamper(a, token, 0, 1), T_ARTICLE, when), TOKEN_MALFORMED);
    assert_int_equal(check_at(tamper(a, token, 1, 0), T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
    assert_int_equal(check_at(tamper(a, token, 2, 9), T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
    assert_int_equal(check_at(tamper(a, token, 3, 31), T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
    for (size_t i = 0; i < 64; i += 7)
        assert_int_equal(check_at(tamper(a, token, 4, i), T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
    /* a token for another article, re-labelled: the signature fails, not the article check */
    char *other = comment_token_issue(a, test_key, 43, T_NOW, nonce);
    other[4] = '2';
    assert_int_equal(check_at(other, T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
    assert_int_equal(comment_token_check(other_key, token, T_ARTICLE, when, T_MIN, T_MAX),
                     TOKEN_BAD_SIGNATURE);
    /* the nonce in the token was signed: swapping in another does not help */
    const char *nonce2 = "ffeeddccbbaa99887766554433221100";
    char *swapped = arena_strdup(a, token);
    memcpy(strstr(swapped, nonce), nonce2, COMMENT_NONCE_HEX);
    assert_int_equal(check_at(swapped, T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
}

static void test_token_each_failure(void **state)
{
    arena *a = *state;
    const char *nonce = "00112233445566778899aabbccddeeff";
    char *token = comment_token_issue(a, test_key, T_ARTICLE, T_NOW, nonce);
    long long ok = T_NOW + 10;
    assert_int_equal(check_at(token, 43, ok), TOKEN_WRONG_ARTICLE);
    assert_int_equal(check_at(token, T_ARTICLE, T_NOW), TOKEN_TOO_FAST);
    assert_int_equal(check_at(token, T_ARTICLE, T_NOW + T_MIN - 1), TOKEN_TOO_FAST);
    assert_int_equal(check_at(token, T_ARTICLE, T_NOW - 100), TOKEN_TOO_FAST);
    assert_int_equal(check_at(token, T_ARTICLE, T_NOW + T_MAX + 1), TOKEN_EXPIRED);
    assert_int_equal(check_at(token, T_ARTICLE, 9000000000000000000LL), TOKEN_EXPIRED);
    assert_int_equal(check_at(token, T_ARTICLE, -9000000000000000000LL), TOKEN_TOO_FAST);
    /* the documented order: signature, article, too fast, expired */
    assert_int_equal(check_at(tamper(a, token, 4, 0), 43, T_NOW), TOKEN_BAD_SIGNATURE);
    assert_int_equal(check_at(token, 43, T_NOW), TOKEN_WRONG_ARTICLE);
    assert_int_equal(comment_token_check(test_key, token, T_ARTICLE, T_NOW + 5, 10, 1),
                     TOKEN_TOO_FAST);
}

static void test_token_malformed(void **state)
{
    arena *a = *state;
    const char *nonce = "00112233445566778899aabbccddeeff";
    const char *mac = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    const char *bad[] = {
        "",
        "v1",
        "v1.",
        "v1....",
        "v2.42.1700000000.00112233445566778899aabbccddeeff.%s",
        "V1.42.1700000000.00112233445566778899aabbccddeeff.%s",
        "v1.-42.1700000000.00112233445566778899aabbccddeeff.%s",
        "v1.+42.1700000000.00112233445566778899aabbccddeeff.%s",
        "v1.4x2.1700000000.00112233445566778899aabbccddeeff.%s",
        "v1.42.17000000x0.00112233445566778899aabbccddeeff.%s",
        "v1.99999999999999999999.1700000000.00112233445566778899aabbccddeeff.%s",
        "v1.42.9223372036854775808.00112233445566778899aabbccddeeff.%s",
        "v1.42..00112233445566778899aabbccddeeff.%s",
        "v1..1700000000.00112233445566778899aabbccddeeff.%s",
        "v1.42.1700000000.00112233445566778899AABBCCDDEEFF.%s",
        "v1.42.1700000000.00112233445566778899aabbccddeef.%s",
        "v1.42.1700000000.00112233445566778899aabbccddeeffa.%s",
        "v1.42.1700000000.00112233445566778899aabbccddeeff%s",
        "v1.42.1700000000.00112233445566778899aabbccddeeff.%s0",
        "v1.42.1700000000.00112233445566778899aabbccddeeff.%s.",
        "v1.42.1700000000.00112233445566778899aabbccddeeff..%s",
        " v1.42.1700000000.00112233445566778899aabbccddeeff.%s",
        "v1.42.1700000000.00112233445566778899aabbccddeeff.%s ",
        "v1 42 1700000000 00112233445566778899aabbccddeeff %s",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *t = arena_printf(a, bad[i], mac);
        assert_int_equal(check_at(t, 42, T_NOW + 10), TOKEN_MALFORMED);
    }
    assert_int_equal(check_at(NULL, 42, T_NOW + 10), TOKEN_MALFORMED);
    char *token = comment_token_issue(a, test_key, 42, T_NOW, nonce);
    token[strlen(token) - 1] = 'G';
    assert_int_equal(check_at(token, 42, T_NOW + 10), TOKEN_MALFORMED);
    /* a huge token */
    size_t huge = 1 << 20;
    char *big = arena_alloc(a, huge + 1);
    memcpy(big, "v1.", 3);
    memset(big + 3, '7', huge - 3);
    assert_int_equal(check_at(big, 42, T_NOW + 10), TOKEN_MALFORMED);
}

static void test_token_hostile_strings(void **state)
{
    arena *a = *state;
    const char *nonce = "00112233445566778899aabbccddeeff";
    const char *token = comment_token_issue(a, test_key, 42, T_NOW, nonce);
    size_t len = strlen(token);
    const char alphabet[] = "v1.0123456789abcdefABCDEF-+ xV\xff\x80";
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    char s[400];
    for (int i = 0; i < 10000; i++) {
        uint64_t r = next_random(&seed);
        size_t n;
        switch (i % 4) {
        case 0: /* change one character */
            memcpy(s, token, len + 1);
            n = r % len;
            do
                s[n] = (char)(1 + next_random(&seed) % 255);
            while (s[n] == token[n]);
            break;
        case 1: /* cut short */
            n = r % len;
            memcpy(s, token, n);
            s[n] = '\0';
            break;
        case 2: /* insert a character */
            n = r % (len + 1);
            memcpy(s, token, n);
            s[n] = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
            memcpy(s + n + 1, token + n, len - n + 1);
            break;
        default: /* random from an alphabet close to the real one */
            n = r % (sizeof s - 1);
            if (n > 3 && (r >> 40) % 2) memcpy(s, "v1.", 3);
            for (size_t k = (r >> 40) % 2 && n > 3 ? 3 : 0; k < n; k++)
                s[k] = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
            s[n] = '\0';
            break;
        }
        comment_token_status st = check_at(s, 42, T_NOW + 10);
        assert_int_not_equal(st, TOKEN_OK);
        assert_true(st == TOKEN_MALFORMED || st == TOKEN_BAD_SIGNATURE);
    }
}

static void test_token_messages(void **state)
{
    comment_token_status all[] = {TOKEN_MALFORMED, TOKEN_BAD_SIGNATURE, TOKEN_WRONG_ARTICLE,
                                  TOKEN_TOO_FAST, TOKEN_EXPIRED};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        const char *m = comment_token_message(all[i]);
        assert_non_null(m);
        assert_true(strlen(m) > 20);
        assert_int_equal(m[strlen(m) - 1], '.');
        assert_true(strstr(m, "reload") || strstr(m, "wait"));
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(m, comment_token_message(all[k]));
    }
    assert_non_null(strstr(comment_token_message(TOKEN_TOO_FAST), "wait a few seconds"));
    assert_non_null(comment_token_message(TOKEN_OK));
    assert_non_null(comment_token_message((comment_token_status)99));
}

static void test_same_origin(void **state)
{
    (void)state;
    const char *host = "news.example:8080";
    /* none of the three: not a browser form of another site */
    assert_true(comment_post_same_origin(host, NULL, NULL, NULL));
    assert_true(comment_post_same_origin(NULL, NULL, NULL, NULL));
    assert_true(comment_post_same_origin(host, "same-origin", "http://news.example:8080", NULL));
    assert_true(comment_post_same_origin(host, NULL, "https://NEWS.example:8080", NULL));
    assert_true(comment_post_same_origin(host, NULL, NULL, "http://news.example:8080/news/x/"));
    /* cross-site */
    assert_false(comment_post_same_origin(host, "cross-site", NULL, NULL));
    assert_false(comment_post_same_origin(host, "cross-site", "http://news.example:8080", NULL));
    assert_false(comment_post_same_origin(host, NULL, "http://evil.example", NULL));
    assert_false(
        comment_post_same_origin(host, NULL, "http://news.example:8080.evil.example", NULL));
    assert_false(comment_post_same_origin(host, NULL, "http://news.example", NULL));
    assert_false(comment_post_same_origin(host, NULL, "null", NULL));
    assert_false(comment_post_same_origin(host, NULL, "", NULL));
    assert_false(comment_post_same_origin(host, NULL, "news.example:8080", NULL));
    assert_false(comment_post_same_origin(host, NULL, "http://user@news.example:8080", NULL));
    assert_false(
        comment_post_same_origin(host, NULL, NULL, "https://evil.example/news.example:8080"));
    assert_false(comment_post_same_origin(host, NULL, NULL, "ftp://news.example:8080/"));
    /* Origin decides when both are present; a missing Host refuses any named origin */
    assert_false(
        comment_post_same_origin(host, NULL, "http://evil.example", "http://news.example:8080/"));
    assert_false(comment_post_same_origin(NULL, NULL, "http://news.example:8080", NULL));
    assert_false(comment_post_same_origin("", NULL, NULL, "http://news.example:8080/"));
}

/* ---- Rate limiter --------------------------------------------------------------------- */

static void test_rate_limit_allow_deny_reset(void **state)
{
    comment_rate_limiter *l = comment_rate_limiter_new(3, 60);
    assert_non_null(l);
    long long t = 1000;
    for (int i = 0; i < 3; i++)
        assert_true(comment_rate_limiter_allow(l, "203.0.113.7", t + i));
    assert_false(comment_rate_limiter_allow(l, "203.0.113.7", t + 10));
    assert_false(comment_rate_limiter_allow(l, "203.0.113.7", t + 59));
    assert_true(comment_rate_limiter_allow(l, "203.0.113.8", t + 10)); /* another address */
    assert_true(comment_rate_limiter_allow(l, "2001:db8::1", t + 10));
    assert_true(comment_rate_limiter_allow(l, "203.0.113.7", t + 60)); /* a new window */
    assert_true(comment_rate_limiter_allow(l, "203.0.113.7", t + 61));
    assert_true(comment_rate_limiter_allow(l, "203.0.113.7", t + 62));
    assert_false(comment_rate_limiter_allow(l, "203.0.113.7", t + 63));
    assert_true(comment_rate_limiter_allow(l, NULL, t)); /* no address: one shared bucket */
    comment_rate_limiter_free(l);
    comment_rate_limiter_free(NULL);

    l = comment_rate_limiter_new(0, 60); /* nobody may post */
    assert_false(comment_rate_limiter_allow(l, "203.0.113.7", t));
    comment_rate_limiter_free(l);
}

static void ip_for(char out[32], unsigned i)
{
    snprintf(out, 32, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
}

static void test_rate_limit_evicts_stalest(void **state)
{
    comment_rate_limiter *l = comment_rate_limiter_new(1, 1000000);
    char ip[32];
    for (unsigned i = 0; i < 10000; i++) {
        ip_for(ip, i);
        assert_true(comment_rate_limiter_allow(l, ip, i));
    }
    for (unsigned i = 0; i < 10000; i += 97) { /* all remembered */
        ip_for(ip, i);
        if (i == 0) continue;
        assert_false(comment_rate_limiter_allow(l, ip, 10000 + i));
    }
    /* a new address pushes out address 0, the least recently seen */
    assert_true(comment_rate_limiter_allow(l, "198.51.100.1", 30000));
    ip_for(ip, 0);
    assert_true(comment_rate_limiter_allow(l, ip, 30001)); /* forgotten, so allowed again */
    ip_for(ip, 9999);
    assert_false(comment_rate_limiter_allow(l, ip, 30002));
    assert_false(comment_rate_limiter_allow(l, "198.51.100.1", 30003));
    /* churn through many more addresses: the table stays consistent */
    for (unsigned i = 20000; i < 45000; i++) {
        ip_for(ip, i);
        assert_true(comment_rate_limiter_allow(l, ip, 40000 + i));
    }
    for (unsigned i = 44000; i < 45000; i++) {
        ip_for(ip, i);
        assert_false(comment_rate_limiter_allow(l, ip, 100000));
    }
    comment_rate_limiter_free(l);
}

static void test_rate_limit_drops_finished_windows(void **state)
{
    comment_rate_limiter *l = comment_rate_limiter_new(1, 10);
    char ip[32];
    for (unsigned i = 0; i < 10000; i++) {
        ip_for(ip, i);
        assert_true(comment_rate_limiter_allow(l, ip, 0));
    }
    assert_true(comment_rate_limiter_allow(l, "198.51.100.1", 100)); /* sweeps all windows */
    for (unsigned i = 0; i < 10000; i += 3) {
        ip_for(ip, i);
        assert_true(comment_rate_limiter_allow(l, ip, 100));
        assert_false(comment_rate_limiter_allow(l, ip, 101));
    }
    assert_false(comment_rate_limiter_allow(l, "198.51.100.1", 105));
    comment_rate_limiter_free(l);
}

typedef struct {
    comment_rate_limiter *limiter;
    int allowed;
} rl_thread_arg;

static void *hammer(void *p)
{
    rl_thread_arg *arg = p;
    char ip[32];
    for (unsigned i = 0; i < 2000; i++) {
        ip_for(ip, i % 50);
        arg->allowed += comment_rate_limiter_allow(arg->limiter, ip, 5000);
    }
    return NULL;
}

static void test_rate_limit_threads(void **state)
{
    comment_rate_limiter *l = comment_rate_limiter_new(7, 60);
    pthread_t threads[4];
    rl_thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (rl_thread_arg){l, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, hammer, &args[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        total += args[i].allowed;
    }
    assert_int_equal(total, 50 * 7);
    comment_rate_limiter_free(l);
}

/* ---- Spam ----------------------------------------------------------------------------- */

static const comment_spam_rules rules = {
    .max_links = 2, .blocked_words = " casino , Viagra,, ", .blocked_ips = "10.0.0.1, 192.168.1.1"};

static void test_spam_clean_and_honeypot(void **state)
{
    comment_form form = valid_form();
    assert_null(comment_spam_reason(NULL, &rules, &form, "203.0.113.7"));
    assert_null(comment_spam_reason(NULL, &rules, &form, NULL));
    form.honeypot = "http://spam.example";
    form.comment = "http://a.example http://b.example http://c.example";
    assert_string_equal(comment_spam_reason(NULL, &rules, &form, "10.0.0.1"), "honeypot filled");
    const char *m = comment_spam_message(NULL, "honeypot filled");
    assert_null(strstr(m, "honeypot"));
    assert_null(strstr(m, "spam"));
    assert_true(strlen(m) > 10);
    comment_spam_rules none = {0};
    form = valid_form();
    assert_null(comment_spam_reason(NULL, &none, &form, "10.0.0.1"));
    assert_null(comment_spam_message(NULL, NULL));
}

static void test_spam_links(void **state)
{
    arena *a = *state;
    comment_form form = valid_form();
    form.comment = "See http://www.example.com and https://example.org/x.";
    form.url = "https://my.example/ http://www.x.example";
    assert_null(comment_spam_reason(a, &rules, &form, "203.0.113.7"));
    form.comment = "HTTPS://a.example, www.b.example and http://c.example";
    assert_string_equal(comment_spam_reason(a, &rules, &form, "203.0.113.7"),
                        "too many links (3 > 2)");
    assert_string_equal(comment_spam_reason(NULL, &rules, &form, "203.0.113.7"), "too many links");
    form.comment = "www.a.example www.b.example WWW.c.example www.d.example www.e.example";
    const char *reason = comment_spam_reason(a, &rules, &form, "203.0.113.7");
    assert_string_equal(reason, "too many links (5 > 2)");
    assert_string_equal(comment_spam_message(a, reason),
                        "Your comment has more links than we allow (at most 2). Please remove "
                        "some and send it again.");
    assert_string_equal(comment_spam_message(NULL, reason),
                        "Your comment has more links than we allow. Please remove some and send "
                        "it again.");
    comment_spam_rules zero = {.max_links = 0};
    form.comment = "no links here, just http";
    assert_null(comment_spam_reason(NULL, &zero, &form, NULL));
    form.comment = "one: http://x.example";
    assert_string_equal(comment_spam_reason(a, &zero, &form, NULL), "too many links (1 > 0)");
}

static void test_spam_blocked_words_and_ips(void **state)
{
    comment_form form = valid_form();
    const char **fields[] = {&form.comment, &form.author, &form.email, &form.url};
    const char *values[] = {"Best CaSiNo in town", "viagras", "me@casino.example",
                            "http://VIAGRA.example"};
    for (size_t i = 0; i < 4; i++) {
        form = valid_form();
        *fields[i] = values[i];
        assert_string_equal(comment_spam_reason(NULL, &rules, &form, "203.0.113.7"),
                            "blocked word");
    }
    form = valid_form();
    form.comment = "cas ino, via gra";
    assert_null(comment_spam_reason(NULL, &rules, &form, "203.0.113.7"));
    comment_spam_rules empty_items = {.max_links = 9, .blocked_words = " , ,", .blocked_ips = ","};
    assert_null(comment_spam_reason(NULL, &empty_items, &form, ""));

    assert_string_equal(comment_spam_reason(NULL, &rules, &form, "192.168.1.1"), "blocked IP");
    assert_string_equal(comment_spam_reason(NULL, &rules, &form, "10.0.0.1"), "blocked IP");
    assert_null(comment_spam_reason(NULL, &rules, &form, "192.168.1.10"));
    assert_null(comment_spam_reason(NULL, &rules, &form, "10.0.0"));
    assert_null(comment_spam_reason(NULL, &rules, &form, "0.0.1"));
    assert_null(comment_spam_reason(NULL, &rules, &form, ""));
    /* order: links before words before addresses */
    form.comment = "casino http://a.example http://b.example http://c.example";
    assert_string_equal(comment_spam_reason(NULL, &rules, &form, "10.0.0.1"), "too many links");
    form.comment = "casino";
    assert_string_equal(comment_spam_reason(NULL, &rules, &form, "10.0.0.1"), "blocked word");

    const char *word = comment_spam_message(NULL, "blocked word");
    const char *ip = comment_spam_message(NULL, "blocked IP");
    assert_true(strlen(word) > 10 && strlen(ip) > 10);
    assert_string_not_equal(word, ip);
    assert_non_null(comment_spam_message(NULL, "something new"));
}

/* ---- Rendering ------------------------------------------------------------------------ */

static void test_render_escaping_and_paragraphs(void **state)
{
    arena *a = *state;
    assert_string_equal(comment_render_html(a, ""), "");
    assert_string_equal(comment_render_html(a, NULL), "");
    assert_string_equal(comment_render_html(a, "\n \n\t\n"), "");
    assert_string_equal(comment_render_html(a, "Hello"), "<p>Hello</p>\n");
    assert_string_equal(comment_render_html(a, "a & b < c > d \"e\" 'f'"),
                        "<p>a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;</p>\n");
    assert_string_equal(comment_render_html(a, "one\ntwo"), "<p>one<br>\ntwo</p>\n");
    assert_string_equal(comment_render_html(a, "one\n\ntwo"), "<p>one</p>\n<p>two</p>\n");
    assert_string_equal(comment_render_html(a, "\n\none\r\n\r\n\r\ntwo\r\nthree\r\n"),
                        "<p>one</p>\n<p>two<br>\nthree</p>\n");
    assert_string_equal(comment_render_html(a, "one\n  \t \ntwo\rthree"),
                        "<p>one</p>\n<p>two<br>\nthree</p>\n");
    assert_string_equal(comment_render_html(a, "caf\xc3\xa9 \xe2\x82\xac"),
                        "<p>caf\xc3\xa9 \xe2\x82\xac</p>\n");
}

#define LINK(u) "<a href=\"" u "\" rel=\"nofollow ugc noopener\">" u "</a>"

static void test_render_links(void **state)
{
    arena *a = *state;
    const char *cases[][2] = {
        {"see https://example.com/a?b=1&c=2 now",
         "<p>see " LINK("https://example.com/a?b=1&amp;c=2") " now</p>\n"},
        {"Go to http://example.com.", "<p>Go to " LINK("http://example.com") ".</p>\n"},
        {"(http://example.com/x)", "<p>(" LINK("http://example.com/x") ")</p>\n"},
        {"http://en.example.org/wiki/Foo_(bar)",
         "<p>" LINK("http://en.example.org/wiki/Foo_(bar)") "</p>\n"},
        {"http://example.com/x?!,;:", "<p>" LINK("http://example.com/x") "?!,;:</p>\n"},
        {"Wow:https://example.com!", "<p>Wow:" LINK("https://example.com") "!</p>\n"},
        {"HTTP://EXAMPLE.COM", "<p>" LINK("HTTP://EXAMPLE.COM") "</p>\n"},
        {"http://[2001:db8::1]:8080/p", "<p>" LINK("http://[2001:db8::1]:8080/p") "</p>\n"},
        {"a\nhttp://x.example\nb", "<p>a<br>\n" LINK("http://x.example") "<br>\nb</p>\n"},
        {"http://a.example http://b.example",
         "<p>" LINK("http://a.example") " " LINK("http://b.example") "</p>\n"},
        {"http://a.example/<b>", "<p>" LINK("http://a.example/") "&lt;b&gt;</p>\n"},
        {"http://a.example/'x'", "<p>" LINK("http://a.example/") "&#39;x&#39;</p>\n"},
        {"caf\xc3\xa9 http://a.example/\xc3\xa9",
         "<p>caf\xc3\xa9 " LINK("http://a.example/") "\xc3\xa9</p>\n"},
        {"http://", "<p>http://</p>\n"},
        {"http://.", "<p>http://.</p>\n"},
        {"https://...", "<p>https://...</p>\n"},
        {"http://-x", "<p>http://-x</p>\n"},
        {"http://x.example:port", "<p>http://x.example:port</p>\n"},
        {"http://user@x.example", "<p>http://user@x.example</p>\n"},
        {"ftp://example.com www.example.com", "<p>ftp://example.com www.example.com</p>\n"},
        {"javascript:alert(1)", "<p>javascript:alert(1)</p>\n"},
        {"javascript:http://x.example", "<p>javascript:" LINK("http://x.example") "</p>\n"},
        {"http://x.example/?next=JavaScript:alert(1)",
         "<p>http://x.example/?next=JavaScript:alert(1)</p>\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(comment_render_html(a, cases[i][0]), cases[i][1]);
}

static bool starts_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool contains_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0) return true;
    return false;
}

/* Fails unless html is made only of escaped text and our own tags, with safe hrefs. */
static void assert_safe_html(const char *html)
{
    static const char *fixed[] = {"<p>", "</p>", "<br>", "</a>"};
    static const char *after_href = "\" rel=\"nofollow ugc noopener\">";
    assert_true(content_utf8_valid(html, strlen(html)));
    assert_false(contains_ci(html, strlen(html), "<script"));
    const char *p = html;
    while (*p) {
        if (*p != '<') {
            assert_true(*p != '>' && *p != '"' && *p != '\'');
            p++;
            continue;
        }
        bool matched = false;
        for (size_t i = 0; i < 4 && !matched; i++)
            if (starts_ci(p, fixed[i])) {
                p += strlen(fixed[i]);
                matched = true;
            }
        if (matched) continue;
        assert_true(strncmp(p, "<a href=\"", 9) == 0);
        const char *href = p + 9, *end = strchr(href, '"');
        assert_non_null(end);
        size_t n = (size_t)(end - href);
        assert_true(starts_ci(href, "http://") || starts_ci(href, "https://"));
        assert_false(contains_ci(href, n, "javascript:"));
        assert_false(contains_ci(href, n, "onerror="));
        assert_false(contains_ci(href, n, "onload="));
        assert_null(memchr(href, '<', n));
        assert_null(memchr(href, '>', n));
        assert_null(memchr(href, '\'', n));
        assert_true(strncmp(end, after_href, strlen(after_href)) == 0);
        p = end + strlen(after_href);
    }
}

static void test_render_xss_payloads(void **state)
{
    arena *a = *state;
    const char *payloads[] = {
        "<script>alert(1)</script>",
        "<SCRIPT SRC=http://evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "\"><svg onload=alert(1)>",
        "'><svg/onload=alert(1)>",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "&#x6A;avascript:alert(1)",
        "&#106;&#97;vascript:alert(1)",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<a href='jav&#x09;ascript:alert(1)'>x</a>",
        "http://example.com/\"onmouseover=\"alert(1)",
        "http://example.com/'onmouseover='alert(1)",
        "https://example.com/<script>alert(1)</script>",
        "http://x.example/?q=\"><img src=x onerror=alert(1)>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<body onload=alert(1)>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
        "\xef\xbc\x9cscript\xef\xbc\x9e"
        "alert(1)\xef\xbc\x9c/script\xef\xbc\x9e",
        "\xe2\x80\xaehttp://evil.example/gpj.exe",
        "http://evil.example\xe2\x80\x8b/x",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<style>@import'javascript:alert(1)';</style>",
        "http://javascript:alert(1)",
        "https://javascript:alert(1)//example.com",
        "<<script>script>alert(1)<</script>/script>",
        "http://example.com/?a=1&amp;b=<b>bold</b>",
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        "\" onfocus=\"alert(1)\" autofocus=\"",
        "<a href=http://example.com onclick=alert(1)>x</a>",
        "http://exa<mple.com/\nhttp://x.example/`onload=1`",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof *payloads; i++) {
        const char *html = comment_render_html(a, payloads[i]);
        assert_safe_html(html);
        /* the payload's own markup never survives as markup */
        assert_null(strstr(html, "<img"));
        assert_null(strstr(html, "<svg"));
        assert_null(strstr(html, "<iframe"));
    }
    assert_null(strstr(comment_render_html(a, "http://javascript:alert(1)"), "<a"));
}

static void test_render_random_input_is_safe(void **state)
{
    arena *a = *state;
    static const char *pieces[] = {
        "<",     ">",   "&", "\"", "'",    "http://",  "https://",     "x.example",   "/",  ".",
        ")",     "(",   " ", "\n", "\r\n", "\xc3\xa9", "\xe2\x80\xae", "javascript:", "on", "=",
        "[::1]", ":80", "?", "#",  "\t",   "`"};
    uint64_t seed = 12345;
    for (int i = 0; i < 3000; i++) {
        char text[512] = "";
        size_t n = next_random(&seed) % 40;
        for (size_t k = 0; k < n; k++)
            strcat(text, pieces[next_random(&seed) % (sizeof pieces / sizeof *pieces)]);
        assert_safe_html(comment_render_html(a, text));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup_arena, teardown_arena)
        T(test_form_decode_basic),
        T(test_form_decode_edge_cases),
        T(test_form_decode_rejects_malformed),
        T(test_form_decode_field_limit),
        T(test_comment_form_read),
        T(test_validate_accepts_valid_form),
        T(test_validate_empty_form_lists_every_problem),
        T(test_validate_comment_length),
        T(test_validate_control_characters),
        T(test_validate_utf8),
        T(test_validate_name),
        T(test_validate_email),
        T(test_validate_url),
        T(test_validate_parent),
        T(test_nonce),
        T(test_token_round_trip),
        T(test_token_issue_refuses_bad_input),
        T(test_token_tampering_each_part),
        T(test_token_each_failure),
        T(test_token_malformed),
        T(test_token_hostile_strings),
        T(test_token_messages),
        T(test_same_origin),
        T(test_rate_limit_allow_deny_reset),
        T(test_rate_limit_evicts_stalest),
        T(test_rate_limit_drops_finished_windows),
        T(test_rate_limit_threads),
        T(test_spam_clean_and_honeypot),
        T(test_spam_links),
        T(test_spam_blocked_words_and_ips),
        T(test_render_escaping_and_paragraphs),
        T(test_render_links),
        T(test_render_xss_payloads),
        T(test_render_random_input_is_safe),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
