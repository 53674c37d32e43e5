/* fuzz_newsletter.c — libFuzzer target for the newsletter's parsers and encoders
 * (src/newsletter): newsletter_email_check must agree with the address grammar written again
 * here as a POSIX regular expression plus the length rules; newsletter_unsubscribe_check must
 * accept only "ID.MAC" shaped tokens (and never one it did not make, for this key);
 * newsletter_token_hash must accept exactly 43 base64url characters; quoted-printable output
 * must be ASCII lines of at most 76 characters that decode back to the input; an encoded
 * header must keep every line within 78 characters and carry no bare CR or LF. */
#include <regex.h>

#include "../../src/newsletter/newsletter.h"
#include "fuzz_check.h"

static const char address_re[] =
    "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    "@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$";

/* s is NUL-terminated after its n bytes (regexec reads up to the NUL). */
static bool address_reference(const char *s, size_t n)
{
    static regex_t re;
    static bool compiled;
    if (!compiled) {
        FUZZ_CHECK(regcomp(&re, address_re, REG_EXTENDED | REG_NOSUB) == 0);
        compiled = true;
    }
    if (n == 0 || n > NEWSLETTER_EMAIL_MAX || memchr(s, '\0', n)) return false;
    const char *at = memchr(s, '@', n);
    if (!at || at - s > NEWSLETTER_LOCAL_MAX) return false;
    size_t label = 0;
    for (const char *p = at + 1; p < s + n; p++) {
        label = *p == '.' ? 0 : label + 1;
        if (label > NEWSLETTER_LABEL_MAX) return false;
    }
    return regexec(&re, s, 0, NULL, 0) == 0;
}

static bool is_b64url(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", s[i]) ||
            !s[i])
            return false;
    return true;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Checks the quoted-printable form of data and decodes it back. */
static void check_qp(const uint8_t *data, size_t size)
{
    buf out = {0};
    newsletter_qp_encode(&out, (const char *)data, size);
    const char *p = out.data ? out.data : "";
    buf back = {0};
    size_t col = 0;
    while (*p) {
        FUZZ_CHECK((unsigned char)*p < 0x80);
        if (p[0] == '\r') {
            FUZZ_CHECK(p[1] == '\n');
            buf_putc(&back, '\n');
            p += 2;
            col = 0;
            continue;
        }
        FUZZ_CHECK(*p != '\n');
        if (p[0] == '=' && p[1] == '\r') {
            FUZZ_CHECK(p[2] == '\n');
            p += 3;
            col = 0;
            continue;
        }
        if (p[0] == '=') {
            FUZZ_CHECK(hex_value(p[1]) >= 0 && hex_value(p[2]) >= 0);
            buf_putc(&back, (char)(hex_value(p[1]) * 16 + hex_value(p[2])));
            p += 3;
            col += 3;
        } else {
            buf_putc(&back, *p++);
            col++;
        }
        FUZZ_CHECK(col <= 76);
    }
    /* the input without its CRs before a LF (the encoder makes CRLF of each \n) */
    buf want = {0};
    for (size_t i = 0; i < size; i++)
        if (!(data[i] == '\r' && i + 1 < size && data[i + 1] == '\n') && data[i] != '\r')
            buf_putc(&want, (char)data[i]);
    FUZZ_CHECK(back.len == want.len && (!want.len || memcmp(back.data, want.data, want.len) == 0));
    buf_free(&want);
    buf_free(&back);
    buf_free(&out);
}

/* A header of data (CR and LF, which callers never pass, left out). */
static void check_header(const char *text)
{
    bool plain = true, long_word = false;
    size_t word = 0;
    for (const char *p = text; *p; p++) {
        plain &= (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7F;
        word = *p == ' ' ? 0 : word + 1;
        long_word |= word > 60;
    }
    buf out = {0};
    newsletter_header_put(&out, "Subject", text);
    for (const char *line = out.data, *end; (end = strstr(line, "\r\n")); line = end + 2) {
        FUZZ_CHECK(!memchr(line, '\n', (size_t)(end - line)) &&
                   !memchr(line, '\r', (size_t)(end - line)));
        if (!plain || !long_word) FUZZ_CHECK(end - line <= 78);
    }
    FUZZ_CHECK(out.len >= 2 && strcmp(out.data + out.len - 2, "\r\n") == 0);
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    FUZZ_CHECK((newsletter_email_check((const char *)data, size) == NEWSLETTER_EMAIL_OK) ==
               address_reference(text, size));
    static const unsigned char key[NEWSLETTER_KEY_BYTES] = {7};
    long long id = -1;
    if (newsletter_unsubscribe_check(key, text, &id)) {
        arena *a = arena_new();
        FUZZ_CHECK(id > 0 && strcmp(newsletter_unsubscribe_token(a, key, id), text) == 0);
        arena_free(a);
    }
    unsigned char hash[NEWSLETTER_HASH_BYTES];
    FUZZ_CHECK(newsletter_token_hash(text, hash) ==
               (strlen(text) == NEWSLETTER_TOKEN_CHARS && is_b64url(text, NEWSLETTER_TOKEN_CHARS)));
    check_qp(data, size);
    for (char *p = text; *p; p++)
        if (*p == '\r' || *p == '\n') *p = ' ';
    check_header(text);
    free(text);
    return 0;
}
