/* newsletter.h — the daily newsletter (docs/newsletter.md), the parts that need no HTTP:
 * checking a subscriber's address (address.c), the confirmation and unsubscribe tokens
 * (token.c), building a MIME message (mime.c: RFC 5322 headers, RFC 2047 subjects,
 * quoted-printable bodies), the digest and confirmation texts (digest.c), sending over SMTP
 * with libcurl (smtp.c), and the daily run that puts them together with the store (send.c). */
#ifndef GAZETTE_NEWSLETTER_H
#define GAZETTE_NEWSLETTER_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"
#include "../core/buf.h"
#include "../store/store.h"

/* ---- Addresses (address.c) ----------------------------------------------------------------
 * What we accept: local@domain, at most 254 bytes (local part at most 64), exactly one '@',
 * printable ASCII only (no CR, LF, NUL, space or other control characters: the address goes
 * into an SMTP command and a To: header); the local part dot-separated RFC 5322 atoms (no
 * quoted strings); the domain two or more dot-separated labels of letters, digits and
 * hyphens, 1..63 bytes each, not starting or ending with a hyphen (internationalised domains
 * in their xn-- form). */
enum { NEWSLETTER_EMAIL_MAX = 254, NEWSLETTER_LOCAL_MAX = 64, NEWSLETTER_LABEL_MAX = 63 };

typedef enum {
    NEWSLETTER_EMAIL_OK = 0,
    NEWSLETTER_EMAIL_EMPTY,
    NEWSLETTER_EMAIL_TOO_LONG,
    NEWSLETTER_EMAIL_CONTROL, /* CR, LF, NUL, space, other control or non-ASCII bytes */
    NEWSLETTER_EMAIL_NO_AT,
    NEWSLETTER_EMAIL_MANY_AT,
    NEWSLETTER_EMAIL_BAD_LOCAL,
    NEWSLETTER_EMAIL_BAD_DOMAIN,
} newsletter_email_status;

newsletter_email_status newsletter_email_check(const char *address, size_t len);
/* A sentence for the reader ("The email address has no @ ..."). */
const char *newsletter_email_message(newsletter_email_status status);

/* ---- Tokens (token.c) ---------------------------------------------------------------------
 * A confirmation token is 32 random bytes in base64url without padding (43 characters); the
 * database keeps only its SHA-256. An unsubscribe token is "ID.MAC": the subscriber's id and
 * a 144-bit HMAC of it (base64url, 24 characters) under the newsletter key, itself derived
 * from the site's comment signing key, so nothing secret is stored per subscriber and every
 * email can carry it. */
enum {
    NEWSLETTER_TOKEN_CHARS = 43,
    NEWSLETTER_HASH_BYTES = 32,
    NEWSLETTER_KEY_BYTES = 32,
    NEWSLETTER_CONFIRM_SECONDS = 48 * 3600
};

char *newsletter_token_new(arena *a);
/* False (hash untouched) when token is not 43 base64url characters. */
bool newsletter_token_hash(const char *token, unsigned char hash[NEWSLETTER_HASH_BYTES]);
/* The newsletter's own key, derived from the comment signing key (libsodium crypto_kdf). */
void newsletter_key_derive(const unsigned char site_key[32],
                           unsigned char key[NEWSLETTER_KEY_BYTES]);
char *newsletter_unsubscribe_token(arena *a, const unsigned char key[NEWSLETTER_KEY_BYTES],
                                   long long subscriber_id);
/* True (and *subscriber_id set) when token is one newsletter_unsubscribe_token made. */
bool newsletter_unsubscribe_check(const unsigned char key[NEWSLETTER_KEY_BYTES], const char *token,
                                  long long *subscriber_id);

/* ---- MIME messages (mime.c) ---------------------------------------------------------------
 * A multipart/alternative message (text/plain then text/html, UTF-8, quoted-printable) with
 * CRLF line ends, every line at most 78 characters except a List-Unsubscribe URL too long to
 * fold (at most 998, RFC 5322 2.1.1). */
typedef struct {
    const char *from_name;        /* display name (the site's name), any UTF-8 */
    const char *from, *to;        /* checked addresses (newsletter_email_check) */
    const char *subject;          /* any UTF-8; RFC 2047 encoded when not plain ASCII */
    const char *unsubscribe_url;  /* List-Unsubscribe (+ -Post: One-Click); NULL for none */
    const char *unsubscribe_mail; /* an address for a mailto: alternative, or NULL */
    const char *text, *html;      /* the two bodies, UTF-8, lines ending in \n */
    long long date;               /* unix seconds, for Date: */
} newsletter_message;

/* NULL when a field is missing or a header value holds CR, LF or NUL. */
char *newsletter_mime_build(arena *a, const newsletter_message *m);
/* Quoted-printable (RFC 2045 6.7) of s[0..n) onto out: \n becomes CRLF, lines at most 76
 * characters with soft breaks, trailing blanks and a leading '.' encoded. */
void newsletter_qp_encode(buf *out, const char *s, size_t n);
/* "Name: value" folded at spaces to 78 characters, value RFC 2047 encoded (base64 words cut
 * at character boundaries) when it holds anything but printable ASCII; ends in CRLF. */
void newsletter_header_put(buf *out, const char *name, const char *value);
/* RFC 5322 date-time in UTC: "Wed, 25 Nov 2026 12:52:06 +0000". */
char *newsletter_date(arena *a, long long unix_seconds);

/* ---- What the emails say (digest.c) ------------------------------------------------------- */
typedef struct {
    const char *headline, *lead, *url; /* url absolute */
    long long comments;                /* approved comments */
} newsletter_story;

typedef struct {
    const char *topic, *url; /* topic name and its page, absolute */
    newsletter_story *stories;
    size_t n;
} newsletter_section;

typedef struct {
    const char *site_name, *site_url, *day_label; /* day_label "25 November 2026" */
    const newsletter_section *sections;
    size_t n;
    const char *unsubscribe_url;
} newsletter_digest;

/* Fills the subject, text and HTML of a digest (every reader-supplied text escaped in HTML). */
void newsletter_digest_write(arena *a, const newsletter_digest *d, const char **subject,
                             const char **text, const char **html);
/* The same for the confirmation email. */
void newsletter_confirm_write(arena *a, const char *site_name, const char *site_url,
                              const char *confirm_url, const char **subject, const char **text,
                              const char **html);

/* ---- SMTP (smtp.c) ------------------------------------------------------------------------
 * One libcurl handle, reused for every message of a run (one connection when the server
 * keeps it). smtp:// uses STARTTLS when the server offers it, and requires it when a user is
 * set (a password is never sent in clear); smtps:// is TLS from the start. */
typedef struct {
    const char *url;      /* smtp://host:port or smtps://host:port */
    const char *from;     /* envelope sender and From: address */
    const char *user;     /* NULL: no login */
    const char *password; /* from GAZETTE_SMTP_PASSWORD only; never logged */
    long timeout_seconds; /* the whole exchange of one message */
} newsletter_smtp_config;

typedef struct newsletter_smtp newsletter_smtp;
newsletter_smtp *newsletter_smtp_open(const newsletter_smtp_config *cfg);
/* Sends message (CRLF lines) to rcpt; false with a reason in err (no secret in it). */
bool newsletter_smtp_send(newsletter_smtp *smtp, const char *rcpt, const char *message, char *err,
                          size_t errlen);
void newsletter_smtp_close(newsletter_smtp *smtp);

/* ---- Settings and the daily run (send.c) ---------------------------------------------------
 * The SMTP settings (smtp_url, smtp_from, smtp_user) from the store and the password from
 * the environment. False, with a sentence in err, when the newsletter is not set up. */
bool newsletter_smtp_settings(store *s, arena *a, newsletter_smtp_config *cfg, char *err,
                              size_t errlen);

enum { NEWSLETTER_STORIES_PER_TOPIC = 5, NEWSLETTER_WINDOW_SECONDS = 24 * 3600 };

typedef struct {
    const char *site_name, *base_url; /* base_url without trailing slash */
    unsigned char key[NEWSLETTER_KEY_BYTES];
    long long now;
    bool dry_run; /* build every message, claim and send none */
    bool quiet;   /* no line per subscriber on stdout */
} newsletter_run_options;

typedef struct {
    size_t subscribers, sent, already_sent, nothing_new, failed;
} newsletter_run_report;

/* The day's digest to every confirmed subscriber that has not had it yet (newsletter_sends):
 * a send is claimed in the database before the SMTP exchange and the claim is withdrawn when
 * the exchange fails, so a subscriber gets at most one digest per day however often this
 * runs. False (err filled) when the run could not start; failures of single subscribers are
 * counted and printed to stderr. */
bool newsletter_run(store *s, const newsletter_run_options *o, newsletter_run_report *report,
                    char *err, size_t errlen);
/* "2026-11-25": the day (UTC) a run at now belongs to. */
void newsletter_day(long long now, char out[11]);

#endif
