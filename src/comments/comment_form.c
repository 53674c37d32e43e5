/* comment_form.c — reading the posted comment form into a comment_form (trimmed fields, CRLF
 * made LF) and validating it, with messages written for the reader. */
#include "comments.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../content/content.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* A trimmed copy of s ("" for NULL); with newlines set, CRLF and lone CR become LF. */
static const char *trimmed(arena *a, const char *s, bool newlines)
{
    if (!s) return "";
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space(s[n - 1]))
        n--;
    char *out = arena_strndup(a, s, n);
    if (!newlines) return out;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (out[i] == '\r') {
            out[o++] = '\n';
            if (i + 1 < n && out[i + 1] == '\n') i++;
        } else {
            out[o++] = out[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* comment_parent: 0 when absent or empty, the number when it is one, -1 otherwise. */
static long long parse_parent(const char *s)
{
    if (!s) return 0;
    while (is_space(*s))
        s++;
    if (!*s) return 0;
    long long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > 99999999999999999LL) return -1; /* 18 digits are plenty */
        v = v * 10 + (*s - '0');
    }
    while (is_space(*s))
        s++;
    return *s ? -1 : v;
}

void comment_form_read(arena *a, const form_field *fields, size_t n, comment_form *form)
{
    form->comment = trimmed(a, form_get(fields, n, "comment"), true);
    form->author = trimmed(a, form_get(fields, n, "author"), false);
    form->email = trimmed(a, form_get(fields, n, "email"), false);
    form->url = trimmed(a, form_get(fields, n, "url"), false);
    form->honeypot = trimmed(a, form_get(fields, n, "gz_website"), false);
    form->token = trimmed(a, form_get(fields, n, "gz_token"), false);
    form->parent = parse_parent(form_get(fields, n, "comment_parent"));
}

/* ---- Validation ---------------------------------------------------------------------- */

static size_t count_code_points(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

/* True when valid UTF-8 s holds a C0/C1 control or DEL (LF and tab allowed if allow_lines). */
static bool has_control(const char *s, bool allow_lines)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (allow_lines && (*p == '\n' || *p == '\t')) continue;
        if (*p < 0x20 || *p == 0x7F) return true;
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) return true; /* U+0080..U+009F */
    }
    return false;
}

static bool email_domain_valid(const char *d)
{
    size_t labels = 0;
    while (true) {
        const char *start = d;
        while ((*d >= 'a' && *d <= 'z') || (*d >= 'A' && *d <= 'Z') || (*d >= '0' && *d <= '9') ||
               *d == '-')
            d++;
        size_t len = (size_t)(d - start);
        if (len == 0 || len > 63 || start[0] == '-' || d[-1] == '-') return false;
        labels++;
        if (*d == '\0') return labels >= 2;
        if (*d != '.') return false;
        d++;
    }
}

static bool email_valid(const char *s)
{
    if (strlen(s) > COMMENT_EMAIL_MAX) return false;
    const char *at = strchr(s, '@');
    if (!at) return false;
    size_t local = (size_t)(at - s);
    if (local < 1 || local > 64) return false;
    for (const char *p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || strchr("\"<>,;:@\\()[]", c)) return false;
    }
    return email_domain_valid(at + 1);
}

static size_t url_scheme_len(const char *s)
{
    if (strncasecmp(s, "http://", 7) == 0) return 7;
    if (strncasecmp(s, "https://", 8) == 0) return 8;
    return 0;
}

/* Host ([A-Za-z0-9.-]+ or [IPv6]), optional :port, optional path/query/fragment. */
static bool url_rest_valid(const char *p)
{
    const char *q = p;
    if (*p == '[') {
        for (q = ++p; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                      (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.';
             p++) {
        }
        if (p == q || *p != ']') return false;
        p++;
    } else {
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
               *p == '.' || *p == '-')
            p++;
        if (p == q || *q == '.' || *q == '-') return false;
    }
    if (*p == ':') {
        long port = 0;
        for (q = ++p; *p >= '0' && *p <= '9' && p - q < 6; p++)
            port = port * 10 + (*p - '0');
        if (p == q || port > 65535) return false;
    }
    if (*p && *p != '/' && *p != '?' && *p != '#') return false;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7F || strchr("\"'<>\\`", c)) return false;
    }
    return true;
}

/* "5,123" */
static void with_thousands(char out[32], size_t v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%zu", v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static const char *utf8_error = "This text is not valid UTF-8.";

/* The message for a comment that is too long; the count needs an arena. */
static const char *too_long_message(arena *a, size_t chars)
{
    if (!a) return "Your comment is too long; the limit is 5,000 characters.";
    char have[32], limit[32];
    with_thousands(have, chars);
    with_thousands(limit, COMMENT_MAX_CHARS);
    return arena_printf(a, "Your comment is too long: %s characters; the limit is %s.", have,
                        limit);
}

static const char *comment_problem(arena *a, const char *s)
{
    if (!content_utf8_valid(s, strlen(s))) return utf8_error;
    size_t chars = count_code_points(s);
    if (chars == 0) return "Please write a comment.";
    if (chars > COMMENT_MAX_CHARS) return too_long_message(a, chars);
    if (has_control(s, true))
        return "Your comment contains invisible control characters. Please remove them.";
    return NULL;
}

static const char *author_problem(const char *s)
{
    if (!content_utf8_valid(s, strlen(s))) return utf8_error;
    size_t chars = count_code_points(s);
    if (chars == 0) return "Please give your name.";
    if (chars > COMMENT_NAME_MAX_CHARS) return "Your name is too long (at most 100 characters).";
    if (has_control(s, false))
        return "Your name contains invisible control characters. Please remove them.";
    return NULL;
}

static const char *email_problem(const char *s)
{
    if (!content_utf8_valid(s, strlen(s))) return utf8_error;
    if (!*s) return "Please give your email address.";
    if (!email_valid(s))
        return "That email address does not look right (it should look like name@example.com).";
    return NULL;
}

static const char *url_problem(const char *s)
{
    if (!*s) return NULL;
    if (!content_utf8_valid(s, strlen(s))) return utf8_error;
    if (strlen(s) > COMMENT_URL_MAX)
        return "The website address is too long (at most 500 characters).";
    size_t scheme = url_scheme_len(s);
    if (!scheme) return "The website must start with http:// or https://.";
    if (!url_rest_valid(s + scheme))
        return "That website address does not look right (it should look like "
               "https://example.com).";
    return NULL;
}

static void check(comment_errors *e, const char *field, const char *message)
{
    if (message && e->n < COMMENT_MAX_ERRORS) e->errors[e->n++] = (comment_error){field, message};
}

void comment_validate(arena *a, const comment_form *form, comment_errors *errors)
{
    errors->n = 0;
    check(errors, "comment", comment_problem(a, form->comment ? form->comment : ""));
    check(errors, "author", author_problem(form->author ? form->author : ""));
    check(errors, "email", email_problem(form->email ? form->email : ""));
    check(errors, "url", url_problem(form->url ? form->url : ""));
    if (form->parent < 0)
        check(errors, "comment_parent",
              "The comment you are replying to could not be found. Please reload the page and "
              "try again.");
}
