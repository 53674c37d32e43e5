/* test_comments.c — unit tests for src/comments: form decoding, reading and validating the
 * comment form, the signed form token, the rate limiter, spam rules and HTML rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/comments/comments.h"
#include "../../src/content/content.h"
#include "../../src/core/arena.h"

/* ---- Helpers -------------------------------------------------------------------------- */

static int setup_arena(void **state)
{
    *state = arena_new();
    return 0;
}

static int teardown_arena(void **state)
{
    arena_free(*state);
    return 0;
}

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
    const char *bad[] = {"a=%",   "a=%4",    "a=%zz",  "a=%4g", "a=%g4", "a=%00",
                         "a%00=1", "a=1&b=%", "%=1",    "a=%%41", "a=x%0"};
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

    const char *parents[][2] = {{"comment_parent=", "0"},      {"comment_parent=0", "0"},
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
    comment_validate_in(a, form, &e);
    for (size_t i = 0; i < e.n; i++)
        if (strcmp(e.errors[i].field, field) == 0) return e.errors[i].message;
    return NULL;
}

static void test_validate_accepts_valid_form(void **state)
{
    comment_form form = valid_form();
    comment_errors e;
    comment_validate(&form, &e);
    assert_int_equal(e.n, 0);
    form.url = "https://example.com/blog?x=1#top";
    form.parent = 5;
    comment_validate_in(*state, &form, &e);
    assert_int_equal(e.n, 0);
}

static void test_validate_empty_form_lists_every_problem(void **state)
{
    comment_form form = {.comment = "", .author = "", .email = "", .url = ""};
    comment_errors e;
    comment_validate(&form, &e);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.errors[0].field, "comment");
    assert_string_equal(e.errors[0].message, "Please write a comment.");
    assert_string_equal(e.errors[1].field, "author");
    assert_string_equal(e.errors[1].message, "Please give your name.");
    assert_string_equal(e.errors[2].field, "email");
    assert_string_equal(e.errors[2].message, "Please give your email address.");
    comment_form nulls = {0}; /* NULL fields count as empty */
    comment_validate(&nulls, &e);
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
    comment_validate(&form, &e);
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
        comment_validate_in(a, &form, &e);
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
    const char *good[] = {"http://example.com",  "https://example.com:8080/path?q=1&r=%20#f",
                          "http://[::1]:80/",    "HTTPS://EXAMPLE.COM",
                          "http://localhost",    "https://example.com/caf\xc3\xa9",
                          "https://a.b/c(d)"};
    const char *no_scheme[] = {"example.com", "javascript:alert(1)", "ftp://example.com",
                               "//example.com", "www.example.com", " http://example.com",
                               "data:text/html,<script>"};
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

static comment_token_status check_at(const char *token, const char *nonce, long long article,
                                     long long now)
{
    return comment_token_check(test_key, token, nonce, article, now, T_MIN, T_MAX);
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
    assert_int_equal(check_at(token, nonce, T_ARTICLE, T_NOW + 5), TOKEN_OK);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, T_NOW + T_MIN), TOKEN_OK);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, T_NOW + T_MAX), TOKEN_OK);
    /* the same inputs give the same token; article 0 and time 0 work */
    assert_string_equal(token, comment_token_issue(a, test_key, T_ARTICLE, T_NOW, nonce));
    char *zero = comment_token_issue(a, test_key, 0, 0, nonce);
    assert_int_equal(comment_token_check(test_key, zero, nonce, 0, 10, 0, 100), TOKEN_OK);
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
    assert_int_equal(check_at(tamper(a, token, 0, 1), nonce, T_ARTICLE, when), TOKEN_MALFORMED);
    assert_int_equal(check_at(tamper(a, token, 1, 0), nonce, T_ARTICLE, when),
                     TOKEN_BAD_SIGNATURE);
    assert_int_equal(check_at(tamper(a, token, 2, 9), nonce, T_ARTICLE, when),
                     TOKEN_BAD_SIGNATURE);
    assert_int_equal(check_at(tamper(a, token, 3, 31), nonce, T_ARTICLE, when),
                     TOKEN_BAD_SIGNATURE);
    for (size_t i = 0; i < 64; i += 7)
        assert_int_equal(check_at(tamper(a, token, 4, i), nonce, T_ARTICLE, when),
                         TOKEN_BAD_SIGNATURE);
    /* a token for another article, re-labelled: the signature fails, not the article check */
    char *other = comment_token_issue(a, test_key, 43, T_NOW, nonce);
    other[4] = '2';
    assert_int_equal(check_at(other, nonce, T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
    assert_int_equal(comment_token_check(other_key, token, nonce, T_ARTICLE, when, T_MIN, T_MAX),
                     TOKEN_BAD_SIGNATURE);
    /* the nonce in the token was signed: swapping in the cookie's nonce does not help */
    const char *nonce2 = "ffeeddccbbaa99887766554433221100";
    char *swapped = arena_strdup(a, token);
    memcpy(strstr(swapped, nonce), nonce2, COMMENT_NONCE_HEX);
    assert_int_equal(check_at(swapped, nonce2, T_ARTICLE, when), TOKEN_BAD_SIGNATURE);
}

static void test_token_each_failure(void **state)
{
    arena *a = *state;
    const char *nonce = "00112233445566778899aabbccddeeff";
    char *token = comment_token_issue(a, test_key, T_ARTICLE, T_NOW, nonce);
    long long ok = T_NOW + 10;
    assert_int_equal(check_at(token, nonce, 43, ok), TOKEN_WRONG_ARTICLE);
    assert_int_equal(check_at(token, NULL, T_ARTICLE, ok), TOKEN_NO_COOKIE);
    assert_int_equal(check_at(token, "", T_ARTICLE, ok), TOKEN_NO_COOKIE);
    assert_int_equal(check_at(token, "ffeeddccbbaa99887766554433221100", T_ARTICLE, ok),
                     TOKEN_NO_COOKIE);
    assert_int_equal(check_at(token, "00112233445566778899aabbccddeef", T_ARTICLE, ok),
                     TOKEN_NO_COOKIE);
    assert_int_equal(check_at(token, "00112233445566778899aabbccddeeff0", T_ARTICLE, ok),
                     TOKEN_NO_COOKIE);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, T_NOW), TOKEN_TOO_FAST);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, T_NOW + T_MIN - 1), TOKEN_TOO_FAST);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, T_NOW - 100), TOKEN_TOO_FAST);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, T_NOW + T_MAX + 1), TOKEN_EXPIRED);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, 9000000000000000000LL), TOKEN_EXPIRED);
    assert_int_equal(check_at(token, nonce, T_ARTICLE, -9000000000000000000LL), TOKEN_TOO_FAST);
    /* the documented order: signature, article, cookie, too fast, expired */
    assert_int_equal(check_at(tamper(a, token, 4, 0), NULL, 43, T_NOW), TOKEN_BAD_SIGNATURE);
    assert_int_equal(check_at(token, NULL, 43, T_NOW), TOKEN_WRONG_ARTICLE);
    assert_int_equal(check_at(token, NULL, T_ARTICLE, T_NOW), TOKEN_NO_COOKIE);
    assert_int_equal(comment_token_check(test_key, token, nonce, T_ARTICLE, T_NOW + 5, 10, 1),
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
        assert_int_equal(check_at(t, nonce, 42, T_NOW + 10), TOKEN_MALFORMED);
    }
    assert_int_equal(check_at(NULL, nonce, 42, T_NOW + 10), TOKEN_MALFORMED);
    char *token = comment_token_issue(a, test_key, 42, T_NOW, nonce);
    token[strlen(token) - 1] = 'G';
    assert_int_equal(check_at(token, nonce, 42, T_NOW + 10), TOKEN_MALFORMED);
    /* a huge token */
    size_t huge = 1 << 20;
    char *big = arena_alloc(a, huge + 1);
    memcpy(big, "v1.", 3);
    memset(big + 3, '7', huge - 3);
    assert_int_equal(check_at(big, nonce, 42, T_NOW + 10), TOKEN_MALFORMED);
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
        comment_token_status st = check_at(s, nonce, 42, T_NOW + 10);
        assert_int_not_equal(st, TOKEN_OK);
        assert_true(st == TOKEN_MALFORMED || st == TOKEN_BAD_SIGNATURE);
    }
}

static void test_token_messages(void **state)
{
    comment_token_status all[] = {TOKEN_MALFORMED, TOKEN_BAD_SIGNATURE, TOKEN_WRONG_ARTICLE,
                                  TOKEN_TOO_FAST,  TOKEN_EXPIRED,       TOKEN_NO_COOKIE};
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
    assert_non_null(strstr(comment_token_message(TOKEN_NO_COOKIE), "cookie"));
    assert_non_null(comment_token_message(TOKEN_OK));
    assert_non_null(comment_token_message((comment_token_status)99));
}
