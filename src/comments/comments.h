/* comments.h — readers' comments, everything that does not need the database or HTTP:
 * decoding the posted form, validating it, the signed form token (anti-bot timing + CSRF),
 * the per-IP rate limiter, spam rules, and turning a comment's plain text into safe HTML. */
#ifndef GAZETTE_COMMENTS_H
#define GAZETTE_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

/* ---- Form decoding (application/x-www-form-urlencoded) --------------------------------- */
typedef struct {
    const char *name, *value; /* decoded ('+' is a space, %HH escapes), NUL-terminated */
} form_field;

/* false for a malformed body (a bad % escape, a %00, more than 64 fields). */
bool form_decode(arena *a, const char *body, size_t len, form_field **fields, size_t *n);
/* The first value of name, or NULL. */
const char *form_get(const form_field *fields, size_t n, const char *name);

/* ---- The comment form -------------------------------------------------------------------
 * Field names are WordPress's: comment, author, email, url, comment_parent; plus our token
 * field "gz_token" and the honeypot "gz_website" (hidden from people, filled by bots). */
enum {
    COMMENT_MAX_CHARS = 5000,
    COMMENT_NAME_MAX_CHARS = 100,
    COMMENT_EMAIL_MAX = 254,
    COMMENT_URL_MAX = 500,
    COMMENT_MAX_ERRORS = 8
};

typedef struct {
    const char *comment, *author, *email, *url; /* trimmed; url "" when not given */
    const char *honeypot, *token;
    long long parent; /* 0: not a reply */
} comment_form;

typedef struct {
    const char *field;   /* "comment", "author", "email", "url", "comment_parent" or "form" */
    const char *message; /* "Please write a comment.", "The email address is not valid." ... */
} comment_error;

typedef struct {
    comment_error errors[COMMENT_MAX_ERRORS];
    size_t n;
} comment_errors;

/* Reads the fields into form (trimming surrounding whitespace; CRLF in the comment becomes LF). */
void comment_form_read(arena *a, const form_field *fields, size_t n, comment_form *form);
/* Checks every rule: comment 1..5000 characters, name 1..100, valid UTF-8 everywhere, no
 * control characters except newlines and tabs in the comment, email syntactically valid,
 * url empty or http(s)://host..., comment_parent a non-negative number. Messages that quote
 * a number ("Your comment is too long: 5,123 characters; the limit is 5,000.") are built in a;
 * with a NULL arena they leave the number out. */
void comment_validate(arena *a, const comment_form *form, comment_errors *errors);

/* ---- Signed form token ------------------------------------------------------------------
 * "v1.ARTICLE.ISSUED.NONCE.MAC": MAC is an HMAC (libsodium crypto_auth) of the rest under the
 * site's secret key; the nonce is random per rendering. The token proves the form came from
 * one of this site's pages for this article, not too quickly and not too long ago. It binds to
 * no cookie, so the page carrying it can be cached and served to every reader (readers get no
 * cookie at all); cross-site posts are refused by comment_post_same_origin (CSRF). */
enum { COMMENT_KEY_BYTES = 32, COMMENT_NONCE_HEX = 32 };

typedef enum {
    TOKEN_OK = 0,
    TOKEN_MALFORMED,
    TOKEN_BAD_SIGNATURE,
    TOKEN_WRONG_ARTICLE,
    TOKEN_TOO_FAST, /* posted sooner than min_age seconds after the form was shown */
    TOKEN_EXPIRED,  /* older than max_age seconds */
} comment_token_status;

/* A new random nonce (hex, COMMENT_NONCE_HEX characters). */
char *comment_nonce_new(arena *a);
/* NULL when nonce is not COMMENT_NONCE_HEX lowercase hex digits or article_id/now < 0. */
char *comment_token_issue(arena *a, const unsigned char key[COMMENT_KEY_BYTES],
                          long long article_id, long long now, const char *nonce);
comment_token_status comment_token_check(const unsigned char key[COMMENT_KEY_BYTES],
                                         const char *token, long long article_id, long long now,
                                         long long min_age, long long max_age);

/* Whether a form post comes from this site's own pages (CSRF defence, with the token): a
 * browser names where a post comes from in Sec-Fetch-Site, Origin or Referer. "cross-site" in
 * Sec-Fetch-Site, an Origin of "null", or an Origin (else a Referer) whose host and port are
 * not host (the request's Host header) is refused. A request with none of the three is not
 * from a browser form of another site (every current browser sends Origin with a cross-site
 * POST) and passes. Any argument may be NULL. */
bool comment_post_same_origin(const char *host, const char *sec_fetch_site, const char *origin,
                              const char *referer);
/* A sentence for the reader: what happened and what to do ("The form was sent too quickly
 * after the page loaded. Please wait a few seconds and send it again."). */
const char *comment_token_message(comment_token_status status);

/* ---- Rate limit -------------------------------------------------------------------------
 * At most max_posts per window_seconds per IP address; thread-safe (one mutex, held only for
 * the lookup); memory bounded (oldest entries dropped beyond 10,000 addresses). */
typedef struct comment_rate_limiter comment_rate_limiter;
comment_rate_limiter *comment_rate_limiter_new(unsigned max_posts, unsigned window_seconds);
void comment_rate_limiter_free(comment_rate_limiter *limiter);
bool comment_rate_limiter_allow(comment_rate_limiter *limiter, const char *ip, long long now);

/* ---- Spam rules -------------------------------------------------------------------------- */
typedef struct {
    unsigned max_links;        /* links (http://, https://, www.) allowed in a comment */
    const char *blocked_words; /* comma-separated, matched case-insensitively in any field */
    const char *blocked_ips;   /* comma-separated exact addresses */
} comment_spam_rules;

/* NULL when the comment passes; else a short reason for the log ("honeypot filled", "too many
 * links (5 > 2)", "blocked word", "blocked IP"). Numbers are printed in a; with a NULL arena
 * they are left out ("too many links"). */
const char *comment_spam_reason(arena *a, const comment_spam_rules *rules, const comment_form *form,
                                const char *ip);
/* The sentence shown to a human whose comment was refused for that reason (a as above). */
const char *comment_spam_message(arena *a, const char *reason);

/* ---- Rendering --------------------------------------------------------------------------
 * Plain text to HTML: everything escaped; blank lines separate <p> paragraphs; single newlines
 * become <br>; bare http(s) URLs become <a href="..." rel="nofollow ugc noopener">...</a>. */
char *comment_render_html(arena *a, const char *text);

#endif
