/* test_newsletter.c — unit tests for src/newsletter: the address check (every rule, header
 * injection), confirmation and unsubscribe tokens, quoted-printable bodies, folded and
 * RFC 2047 encoded headers, whole MIME messages (CRLF, line lengths, refused header values),
 * dates, the digest's HTML escaping, and the store's side (src/store/sqlite_newsletter.c):
 * requests, confirmations (expired, replaced, withdrawn), unsubscribing, the once-a-day claim
 * and the day's top stories. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "unit_helpers.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/content/content.h"
#include "../../src/core/arena.h"
#include "../../src/newsletter/newsletter.h"
#include "store_fixture.h"

static newsletter_email_status check(const char *s)
{
    return newsletter_email_check(s, strlen(s));
}

static char *repeat(arena *a, char c, size_t n)
{
    char *s = arena_alloc(a, n + 1);
    memset(s, c, n);
    return s;
}

/* ---- addresses ------------------------------------------------------------------------------ */
static void test_email_valid(void **state)
{
    (void)state;
    const char *good[] = {"alice@example.org",
                          "a.b.c@example.co.uk",
                          "first+tag@sub.example.org",
                          "o'brien@example.ie",
                          "x@xn--bcher-kva.example",
                          "UPPER@EXAMPLE.ORG",
                          "a-b_c=d?e^f{g}h|i~j!k#l$m%n&o*p/q`r@example.org",
                          "1@2.io"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(check(good[i]), NEWSLETTER_EMAIL_OK);
}

static void test_email_each_failure(void **state)
{
    arena *a = *state;
    assert_int_equal(check(""), NEWSLETTER_EMAIL_EMPTY);
    assert_int_equal(newsletter_email_check(NULL, 0), NEWSLETTER_EMAIL_EMPTY);
    assert_int_equal(check("alice@example.org\r\nBcc: evil@example.org"), NEWSLETTER_EMAIL_CONTROL);
    assert_int_equal(check("alice@example.org\nBcc: x@y.z"), NEWSLETTER_EMAIL_CONTROL);
    assert_int_equal(check("alice @example.org"), NEWSLETTER_EMAIL_CONTROL);
    assert_int_equal(check("alice\t@example.org"), NEWSLETTER_EMAIL_CONTROL);
    assert_int_equal(check("al\x7f"
                           "ice@example.org"),
                     NEWSLETTER_EMAIL_CONTROL);
    assert_int_equal(check("café@example.org"), NEWSLETTER_EMAIL_CONTROL);
    assert_int_equal(newsletter_email_check("a@b.c\0d@e.f", 11), NEWSLETTER_EMAIL_CONTROL);
    assert_int_equal(check("alice.example.org"), NEWSLETTER_EMAIL_NO_AT);
    assert_int_equal(check("alice@@example.org"), NEWSLETTER_EMAIL_MANY_AT);
    assert_int_equal(check("a@b@example.org"), NEWSLETTER_EMAIL_MANY_AT);
    assert_int_equal(check("@example.org"), NEWSLETTER_EMAIL_BAD_LOCAL);
    assert_int_equal(check(".alice@example.org"), NEWSLETTER_EMAIL_BAD_LOCAL);
    assert_int_equal(check("alice.@example.org"), NEWSLETTER_EMAIL_BAD_LOCAL);
    assert_int_equal(check("al..ice@example.org"), NEWSLETTER_EMAIL_BAD_LOCAL);
    assert_int_equal(check("\"quoted\"@example.org"), NEWSLETTER_EMAIL_BAD_LOCAL);
    assert_int_equal(check("<alice>@example.org"), NEWSLETTER_EMAIL_BAD_LOCAL);
    assert_int_equal(check("alice@"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@localhost"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@example..org"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@.example.org"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@example.org."), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@-example.org"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@example-.org"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@exa_mple.org"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    assert_int_equal(check("alice@[127.0.0.1]"), NEWSLETTER_EMAIL_BAD_DOMAIN);
    /* lengths: local part 64, label 63, whole address 254 */
    char *local64 = arena_printf(a, "%s@example.org", repeat(a, 'a', 64));
    char *local65 = arena_printf(a, "%s@example.org", repeat(a, 'a', 65));
    assert_int_equal(check(local64), NEWSLETTER_EMAIL_OK);
    assert_int_equal(check(local65), NEWSLETTER_EMAIL_BAD_LOCAL);
    assert_int_equal(check(arena_printf(a, "a@%s.org", repeat(a, 'b', 63))), NEWSLETTER_EMAIL_OK);
    assert_int_equal(check(arena_printf(a, "a@%s.org", repeat(a, 'b', 64))),
                     NEWSLETTER_EMAIL_BAD_DOMAIN);
    char *labels = arena_printf(a, "%s.%s.%s.%s", repeat(a, 'c', 63), repeat(a, 'd', 63),
                                repeat(a, 'e', 63), repeat(a, 'f', 61)); /* 253 */
    assert_int_equal(check(arena_printf(a, "a@%s", labels)), NEWSLETTER_EMAIL_TOO_LONG);
    char *fits = arena_printf(a, "%s.%s.%s.%s", repeat(a, 'c', 63), repeat(a, 'd', 63),
                              repeat(a, 'e', 63), repeat(a, 'f', 59));           /* 251 */
    assert_int_equal(check(arena_printf(a, "a@%s", fits)), NEWSLETTER_EMAIL_OK); /* 253 */
}

static void test_email_messages(void **state)
{
    (void)state;
    for (int s = NEWSLETTER_EMAIL_OK; s <= NEWSLETTER_EMAIL_BAD_DOMAIN; s++) {
        const char *m = newsletter_email_message((newsletter_email_status)s);
        assert_non_null(m);
        assert_true(strlen(m) > 10);
    }
    assert_non_null(strstr(newsletter_email_message(NEWSLETTER_EMAIL_NO_AT), "@"));
}

/* ---- tokens --------------------------------------------------------------------------------- */
static void test_confirm_tokens(void **state)
{
    arena *a = *state;
    char *t1 = newsletter_token_new(a), *t2 = newsletter_token_new(a);
    assert_int_equal(strlen(t1), NEWSLETTER_TOKEN_CHARS);
    assert_string_not_equal(t1, t2);
    assert_int_equal(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     NEWSLETTER_TOKEN_CHARS);
    unsigned char h1[NEWSLETTER_HASH_BYTES], h2[NEWSLETTER_HASH_BYTES], h3[NEWSLETTER_HASH_BYTES];
    assert_true(newsletter_token_hash(t1, h1));
    assert_true(newsletter_token_hash(t1, h3));
    assert_true(newsletter_token_hash(t2, h2));
    assert_memory_equal(h1, h3, sizeof h1);
    assert_memory_not_equal(h1, h2, sizeof h1);
    assert_memory_not_equal(h1, t1, sizeof h1); /* the hash, not the token */
    assert_false(newsletter_token_hash(NULL, h1));
    assert_false(newsletter_token_hash("", h1));
    assert_false(newsletter_token_hash(arena_strndup(a, t1, 42), h1));
    assert_false(newsletter_token_hash(arena_printf(a, "%sA", t1), h1));
    char *bad = arena_strdup(a, t1);
    bad[5] = '+';
    assert_false(newsletter_token_hash(bad, h1));
    bad[5] = '\n';
    assert_false(newsletter_token_hash(bad, h1));
}

static void test_unsubscribe_tokens(void **state)
{
    arena *a = *state;
    unsigned char site[32] = {1, 2, 3}, key[NEWSLETTER_KEY_BYTES], other[NEWSLETTER_KEY_BYTES];
    newsletter_key_derive(site, key);
    site[0] = 9;
    newsletter_key_derive(site, other);
    assert_memory_not_equal(key, other, sizeof key);
    char *token = newsletter_unsubscribe_token(a, key, 42);
    assert_true(strncmp(token, "42.", 3) == 0);
    assert_int_equal(strlen(token), 3 + 24);
    long long id = 0;
    assert_true(newsletter_unsubscribe_check(key, token, &id));
    assert_int_equal(id, 42);
    assert_false(newsletter_unsubscribe_check(other, token, &id)); /* another site's key */
    char *tampered = arena_strdup(a, token);
    tampered[1] = '3'; /* 43.MAC of 42 */
    assert_false(newsletter_unsubscribe_check(key, tampered, &id));
    tampered = arena_strdup(a, token);
    tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
    assert_false(newsletter_unsubscribe_check(key, tampered, &id));
    const char *bad[] = {NULL,
                         "",
                         ".",
                         "42",
                         "42.",
                         "042.AAAAAAAAAAAAAAAAAAAAAAAA",
                         "-1.AAAAAAAAAAAAAAAAAAAAAAAA",
                         "99999999999999999999999.AAAAAAAAAAAAAAAAAAAAAAAA",
                         "42.AAAAAAAAAAAAAAAAAAAAAAA",
                         "42.AAAAAAAAAAAAAAAAAAAAAAAAA",
                         "42.AAAAAAAAAAAAAAAAAAAAAAA=",
                         "42.AAAAAAAAAAAAAAAAAAAAAAAA\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(newsletter_unsubscribe_check(key, bad[i], &id));
    assert_int_equal(id, 42); /* untouched by the failures */
}

/* ---- quoted-printable ----------------------------------------------------------------------- */
static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* RFC 2045 decoding: soft breaks removed, =XX decoded, CRLF back to \n. */
static char *qp_decode(arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=') {
            assert_true(hex_value(s[1]) >= 0 && hex_value(s[2]) >= 0);
            *o++ = (char)(hex_value(s[1]) * 16 + hex_value(s[2]));
            s += 3;
        } else if (s[0] == '\r' && s[1] == '\n') {
            *o++ = '\n';
            s += 2;
        } else {
            *o++ = *s++;
        }
    }
    return out;
}

/* Every line (split at CRLF) at most max characters, no bare CR or LF, all ASCII. */
static void assert_lines(const char *s, size_t max)
{
    size_t col = 0;
    for (const char *p = s; *p; p++) {
        assert_true((unsigned char)*p < 0x80);
        if (p[0] == '\r') {
            assert_int_equal(p[1], '\n');
            col = 0;
            p++;
            continue;
        }
        assert_int_not_equal(*p, '\n');
        col++;
        if (col > max) fail_msg("a line longer than %zu: ...%.40s", max, p - 40 > s ? p - 40 : s);
    }
}

static void qp_roundtrip(arena *a, const char *text)
{
    buf out = {0};
    newsletter_qp_encode(&out, text, strlen(text));
    assert_lines(out.data ? out.data : "", 76);
    char *back = qp_decode(a, out.data ? out.data : "");
    assert_string_equal(back, text);
    /* no line ends with a blank, none starts with a dot */
    for (const char *p = out.data; p && *p; p++) {
        if (p[0] == '\r') assert_true(p == out.data || (p[-1] != ' ' && p[-1] != '\t'));
        if (p == out.data || p[-1] == '\n') assert_int_not_equal(*p, '.');
    }
    buf_free(&out);
}

static void test_quoted_printable(void **state)
{
    arena *a = *state;
    qp_roundtrip(a, "");
    qp_roundtrip(a, "Hello, world.\n");
    qp_roundtrip(a, "a = b, 100% sure\n");
    qp_roundtrip(a, "trailing blanks   \nand a tab\t\n");
    qp_roundtrip(a, ".a line with a dot\n.\n..\n");
    qp_roundtrip(a, "Café — déjà vu, 日本語のニュース, emoji 📰\n");
    qp_roundtrip(a, repeat(a, 'x', 500));
    qp_roundtrip(a, arena_printf(a, "%s\n", repeat(a, '=', 200)));
    char *mixed = arena_alloc(a, 2001);
    for (int i = 0; i < 2000; i++)
        mixed[i] = "é.. =\t\nxy"[i % 11] ? "é.. =\t\nxy"[i % 11] : 'z';
    qp_roundtrip(a, mixed);
    buf out = {0};
    newsletter_qp_encode(&out, "caf\xc3\xa9 \n", 7);
    assert_string_equal(out.data, "caf=C3=A9=20\r\n");
    buf_free(&out);
}

/* ---- headers and messages ------------------------------------------------------------------- */
/* Decodes the RFC 2047 B words of an encoded header value ("=?UTF-8?B?..?=" separated by
 * CRLF SP), checking each word is at most 75 characters and holds whole UTF-8 characters. */
static char *decode_words(arena *a, const char *value)
{
    buf out = {0};
    const char *p = value;
    while (*p) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 3;
            continue;
        }
        assert_true(strncmp(p, "=?UTF-8?B?", 10) == 0);
        const char *end = strstr(p + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - p <= 75);
        unsigned char bin[128];
        size_t len = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, p + 10, (size_t)(end - p - 10), NULL,
                                           &len, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_true(content_utf8_valid((const char *)bin, len));
        buf_append(&out, bin, len);
        p = end + 2;
    }
    char *s = arena_strdup(a, out.data ? out.data : "");
    buf_free(&out);
    return s;
}

static void test_headers(void **state)
{
    arena *a = *state;
    buf out = {0};
    newsletter_header_put(&out, "Subject", "Plain ASCII subject");
    assert_string_equal(out.data, "Subject: Plain ASCII subject\r\n");
    buf_free(&out);
    const char *words = "The council meets tonight to decide on the harbour wall, the ferry "
                        "timetable, the library's Sunday hours and the new market square design";
    newsletter_header_put(&out, "Subject", words);
    assert_lines(out.data, 78);
    assert_non_null(strstr(out.data, "\r\n "));
    buf_free(&out);
    const char *utf8 = "Café, déjà vu — 日本語のニュース and a very long subject that needs "
                       "several encoded words 📰📰📰 to fit";
    newsletter_header_put(&out, "Subject", utf8);
    assert_lines(out.data, 78);
    assert_true(strncmp(out.data, "Subject: =?UTF-8?B?", 19) == 0);
    char *value = arena_strndup(a, out.data + 9, out.len - 11);
    assert_string_equal(decode_words(a, value), utf8);
    buf_free(&out);
    assert_string_equal(newsletter_date(a, 0), "Thu, 01 Jan 1970 00:00:00 +0000");
    assert_string_equal(newsletter_date(a, 1795606326), "Wed, 25 Nov 2026 11:32:06 +0000");
}

static newsletter_message sample(arena *a)
{
    return (newsletter_message){.from_name = "Courrier du Port — édition",
                                .from = "news@example.org",
                                .to = "alice@example.org",
                                .subject = "Les nouvelles du jour : café, marché et météo",
                                .unsubscribe_url = arena_printf(
                                    a, "https://news.example.org/newsletter/unsubscribe?token=%s",
                                    "42.AAAAAAAAAAAAAAAAAAAAAAAA"),
                                .text = "Line one\n.starts with a dot\ntrailing \n",
                                .html = "<p>Un <b>café</b> — déjà</p>\n",
                                .date = 1795606326};
}

static void test_mime_message(void **state)
{
    arena *a = *state;
    newsletter_message m = sample(a);
    char *msg = newsletter_mime_build(a, &m);
    assert_non_null(msg);
    /* header lines within 78 except the unfoldable List-Unsubscribe URL line */
    for (char *line = msg, *end; (end = strstr(line, "\r\n")); line = end + 2) {
        size_t len = (size_t)(end - line);
        if (strncmp(line, " <https://", 10) != 0) assert_true(len <= 78);
        assert_true(len <= 998);
        assert_null(memchr(line, '\n', len));
    }
    assert_lines(strstr(msg, "\r\n\r\n"), 78); /* the body */
    assert_non_null(strstr(msg, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(msg, "Content-Type: multipart/alternative;\r\n boundary=\"=_gazette_"));
    assert_non_null(strstr(msg, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    assert_non_null(strstr(msg, "\r\nDate: Wed, 25 Nov 2026 11:32:06 +0000\r\n"));
    assert_non_null(strstr(msg, "@example.org>\r\n"));
    assert_non_null(strstr(msg, "\r\nTo: <alice@example.org>\r\n"));
    assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
    assert_non_null(strstr(msg, "From: =?UTF-8?B?"));
    assert_non_null(strstr(msg, "Content-Type: text/plain; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: quoted-printable\r\n"));
    assert_non_null(strstr(msg, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_non_null(strstr(msg, "\r\n=2Estarts with a dot\r\n"));
    assert_non_null(strstr(msg, "trailing=20\r\n"));
    assert_null(strstr(msg, "\r\n.")); /* nothing for SMTP to mistake for the end */
    char *second = newsletter_mime_build(a, &m);
    assert_string_not_equal(msg, second); /* a new boundary and Message-ID each time */
    m.from_name = "Plain \"Quoted\" Name";
    assert_non_null(
        strstr(newsletter_mime_build(a, &m), "From: \"Plain \\\"Quoted\\\" Name\"\r\n"));
}

static void test_mime_refuses_injection(void **state)
{
    arena *a = *state;
    const char *hostile = "x\r\nBcc: evil@example.org";
    newsletter_message m = sample(a);
    m.subject = hostile;
    assert_null(newsletter_mime_build(a, &m));
    m = sample(a);
    m.to = "alice@example.org\nBcc: evil@example.org";
    assert_null(newsletter_mime_build(a, &m));
    m = sample(a);
    m.from_name = hostile;
    assert_null(newsletter_mime_build(a, &m));
    m = sample(a);
    m.unsubscribe_url = "https://x/\r\nBcc: y";
    assert_null(newsletter_mime_build(a, &m));
    m = sample(a);
    m.subject = NULL;
    assert_null(newsletter_mime_build(a, &m));
    m = sample(a);
    m.unsubscribe_url = NULL; /* allowed: no List-Unsubscribe then */
    char *msg = newsletter_mime_build(a, &m);
    assert_non_null(msg);
    assert_null(strstr(msg, "List-Unsubscribe"));
}

/* ---- what the emails say -------------------------------------------------------------------- */
static void test_digest_escapes(void **state)
{
    arena *a = *state;
    newsletter_story stories[] = {{"<script>alert(1)</script> & \"quotes\"", "A <b>lead</b>",
                                   "https://x.example/news/a/?q=\"1\"&b", 3},
                                  {"Second", NULL, "https://x.example/news/b/", 0}};
    newsletter_section sections[] = {{"Topic <i>", "https://x.example/topic/t/", stories, 2}};
    newsletter_digest d = {"Site & Co",
                           "https://x.example/",
                           "25 November 2026",
                           sections,
                           1,
                           "https://x.example/newsletter/unsubscribe?token=1.x"};
    const char *subject, *text, *html;
    newsletter_digest_write(a, &d, &subject, &text, &html);
    assert_string_equal(subject, "Site & Co: the day's top stories, 25 November 2026");
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "<b>lead"));
    assert_null(strstr(html, "Topic <i>"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
    assert_non_null(strstr(html, "href=\"https://x.example/news/a/?q=&quot;1&quot;&amp;b\""));
    assert_non_null(strstr(html, "3 comments"));
    assert_non_null(strstr(text, "<script>alert(1)</script>")); /* plain text stays plain */
    assert_non_null(strstr(text, "https://x.example/newsletter/unsubscribe?token=1.x"));
    for (const char *line = text, *end; (end = strchr(line, '\n')); line = end + 1)
        assert_true((size_t)(end - line) <= 78 || strstr(line, "https://"));
    const char *csubject, *ctext, *chtml;
    newsletter_confirm_write(a, "Site <&>", "https://x.example/", "https://x.example/c?token=T",
                             &csubject, &ctext, &chtml);
    assert_non_null(strstr(ctext, "https://x.example/c?token=T"));
    assert_non_null(strstr(chtml, "Site &lt;&amp;&gt;"));
}

/* ---- the store ------------------------------------------------------------------------------ */
static void hash_of(const char *seed, unsigned char out[NEWSLETTER_HASH_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)seed, strlen(seed));
}

static store_subscriber subscriber(fixture *f, long long id)
{
    store_subscriber sub;
    assert_int_equal(store_newsletter_subscriber(f->s, f->a, id, &sub), STORE_OK);
    return sub;
}

static void test_store_request_confirm(void **state)
{
    fixture *f = *state;
    long long now = (long long)time(NULL), id = 0, again = 0;
    unsigned char h1[32], h2[32], h3[32];
    hash_of("one", h1);
    hash_of("two", h2);
    hash_of("three", h3);
    assert_int_equal(store_newsletter_request(f->s, "alice@example.org", "", h1, now + 100, &id),
                     STORE_OK);
    store_subscriber sub;
    assert_int_equal(store_newsletter_by_confirmation(f->s, f->a, h1, &sub), STORE_OK);
    assert_int_equal(sub.id, id);
    assert_int_equal(sub.status, SUBSCRIBER_PENDING);
    assert_string_equal(sub.email, "alice@example.org");
    /* the same address, another case: the same subscriber, the new link replaces the old */
    assert_int_equal(
        store_newsletter_request(f->s, "ALICE@Example.org", "harbour", h2, now + 100, &again),
        STORE_OK);
    assert_int_equal(again, id);
    assert_int_equal(store_newsletter_by_confirmation(f->s, f->a, h1, &sub), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_confirm(f->s, h1, now), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_confirm(f->s, h2, now), STORE_OK);
    sub = subscriber(f, id);
    assert_int_equal(sub.status, SUBSCRIBER_CONFIRMED);
    assert_string_equal(sub.topics, "harbour");
    assert_int_equal(sub.confirm_expires, 0);
    assert_int_equal(store_newsletter_confirm(f->s, h2, now), STORE_NOT_FOUND); /* used */
    /* a new request of a confirmed subscriber changes nothing until confirmed; withdrawn, it
     * leaves them as they were */
    assert_int_equal(store_newsletter_request(f->s, "alice@example.org", "", h3, now + 100, &again),
                     STORE_OK);
    sub = subscriber(f, id);
    assert_int_equal(sub.status, SUBSCRIBER_CONFIRMED);
    assert_string_equal(sub.topics, "harbour");
    assert_int_equal(store_newsletter_withdraw(f->s, id, h3), STORE_OK);
    assert_int_equal(subscriber(f, id).status, SUBSCRIBER_CONFIRMED);
    assert_int_equal(store_newsletter_by_confirmation(f->s, f->a, h3, &sub), STORE_NOT_FOUND);
    /* expired: refused, nothing changes */
    long long bob = 0;
    unsigned char h4[32], h5[32];
    hash_of("four", h4);
    hash_of("five", h5);
    assert_int_equal(store_newsletter_request(f->s, "bob@example.org", "", h4, now - 1, &bob),
                     STORE_OK);
    assert_int_equal(store_newsletter_confirm(f->s, h4, now), STORE_INVALID);
    assert_int_equal(subscriber(f, bob).status, SUBSCRIBER_PENDING);
    /* a withdrawn first request leaves no subscriber behind; a wrong hash withdraws nothing */
    long long carol = 0;
    assert_int_equal(store_newsletter_request(f->s, "carol@example.org", "", h5, now + 100, &carol),
                     STORE_OK);
    assert_int_equal(store_newsletter_withdraw(f->s, carol, h4), STORE_OK);
    assert_int_equal(subscriber(f, carol).status, SUBSCRIBER_PENDING);
    assert_int_equal(store_newsletter_withdraw(f->s, carol, h5), STORE_OK);
    assert_int_equal(store_newsletter_subscriber(f->s, f->a, carol, &sub), STORE_NOT_FOUND);
    /* unsubscribing */
    store_subscriber *list;
    size_t n;
    assert_int_equal(store_newsletter_confirmed(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(store_newsletter_unsubscribe(f->s, id, now), STORE_OK);
    assert_int_equal(subscriber(f, id).status, SUBSCRIBER_UNSUBSCRIBED);
    assert_int_equal(store_newsletter_unsubscribe(f->s, id, now), STORE_OK); /* twice: fine */
    assert_int_equal(store_newsletter_unsubscribe(f->s, 999, now), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_confirmed(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 0);
}

static void test_store_claims(void **state)
{
    fixture *f = *state;
    long long now = (long long)time(NULL), id = 0, pending = 0;
    unsigned char h1[32], h2[32];
    hash_of("claim-1", h1);
    hash_of("claim-2", h2);
    assert_int_equal(store_newsletter_request(f->s, "a@example.org", "", h1, now + 9, &id),
                     STORE_OK);
    assert_int_equal(store_newsletter_confirm(f->s, h1, now), STORE_OK);
    assert_int_equal(store_newsletter_request(f->s, "p@example.org", "", h2, now + 9, &pending),
                     STORE_OK);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-01-10", now), STORE_OK);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-01-10", now), STORE_CONFLICT);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-01-11", now), STORE_OK);
    assert_int_equal(store_newsletter_unclaim(f->s, id, "2026-01-10"), STORE_OK);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-01-10", now), STORE_OK);
    assert_int_equal(store_newsletter_claim(f->s, pending, "2026-01-10", now), STORE_NOT_FOUND);
    assert_int_equal(store_newsletter_unsubscribe(f->s, id, now), STORE_OK);
    assert_int_equal(store_newsletter_claim(f->s, id, "2026-01-12", now), STORE_NOT_FOUND);
}

static void test_store_top_stories(void **state)
{
    fixture *f = *state;
    long long now = (long long)time(NULL), ids[4];
    static const char *topic[] = {"Harbour"};
    store_article_input in[4] = {{.slug = "newest",
                                  .headline = "Newest",
                                  .status = ARTICLE_PUBLISHED,
                                  .published_at = now - 600,
                                  .topic_names = topic,
                                  .n_topics = 1},
                                 {.slug = "discussed",
                                  .headline = "Discussed",
                                  .status = ARTICLE_PUBLISHED,
                                  .published_at = now - 7200,
                                  .topic_names = topic,
                                  .n_topics = 1},
                                 {.slug = "old",
                                  .headline = "Old",
                                  .status = ARTICLE_PUBLISHED,
                                  .published_at = now - 90000,
                                  .topic_names = topic,
                                  .n_topics = 1},
                                 {.slug = "draft",
                                  .headline = "Draft",
                                  .status = ARTICLE_DRAFT,
                                  .published_at = now - 60,
                                  .topic_names = topic,
                                  .n_topics = 1}};
    assert_int_equal(store_articles_save(f->s, in, 4, ids), STORE_OK);
    for (int i = 0; i < 2; i++) {
        store_comment_input c = {.article_id = ids[1],
                                 .author_name = "Reader",
                                 .author_email = "r@example.org",
                                 .body = i ? "Second comment" : "First comment",
                                 .moderation = MODERATION_PUBLISH,
                                 .max_depth = 3};
        long long cid;
        comment_status cs;
        assert_int_equal(store_comment_add(f->s, &c, &cid, &cs), STORE_OK);
    }
    long long *top, *comments;
    size_t n;
    assert_int_equal(
        store_newsletter_top_stories(f->s, f->a, now - 86400, now, 10, &top, &comments, &n),
        STORE_OK);
    assert_int_equal(n, 2); /* not the old story, not the draft */
    assert_int_equal(top[0], ids[1]);
    assert_int_equal(comments[0], 2);
    assert_int_equal(top[1], ids[0]);
    assert_int_equal(comments[1], 0);
    assert_int_equal(
        store_newsletter_top_stories(f->s, f->a, now - 86400, now, 1, &top, &comments, &n),
        STORE_OK);
    assert_int_equal(n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup_arena, teardown_arena)
        T(test_email_valid),
        T(test_email_each_failure),
        T(test_email_messages),
        T(test_confirm_tokens),
        T(test_unsubscribe_tokens),
        T(test_quoted_printable),
        T(test_headers),
        T(test_mime_message),
        T(test_mime_refuses_injection),
        T(test_digest_escapes),
#undef T
        cmocka_unit_test_setup_teardown(test_store_request_confirm, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_claims, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_store_top_stories, setup_db, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
