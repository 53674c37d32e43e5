/* address.c — the check of a subscriber's email address (newsletter.h states the rules). The
 * address ends up in an SMTP RCPT command and a To: header, so anything that could end a line
 * or a header (CR, LF, NUL, other control characters) is refused before anything else. */
#include "newsletter.h"

#include <string.h>

/* RFC 5322 atext: letters, digits and !#$%&'*+-/=?^_`{|}~ */
static bool is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool is_label_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static bool local_ok(const char *s, size_t n)
{
    if (n == 0 || n > NEWSLETTER_LOCAL_MAX || s[0] == '.' || s[n - 1] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !is_atext((unsigned char)s[i])) return false;
    }
    return true;
}

static bool domain_ok(const char *s, size_t n)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            if (!is_label_char((unsigned char)s[i])) return false;
            continue;
        }
        size_t len = i - start;
        if (len == 0 || len > NEWSLETTER_LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
            return false;
        labels++;
        start = i + 1;
    }
    return labels >= 2;
}

newsletter_email_status newsletter_email_check(const char *address, size_t len)
{
    if (!address || len == 0) return NEWSLETTER_EMAIL_EMPTY;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)address[i];
        if (c <= 0x20 || c >= 0x7F) return NEWSLETTER_EMAIL_CONTROL;
    }
    if (len > NEWSLETTER_EMAIL_MAX) return NEWSLETTER_EMAIL_TOO_LONG;
    const char *at = memchr(address, '@', len);
    if (!at) return NEWSLETTER_EMAIL_NO_AT;
    size_t local = (size_t)(at - address);
    if (memchr(at + 1, '@', len - local - 1)) return NEWSLETTER_EMAIL_MANY_AT;
    if (!local_ok(address, local)) return NEWSLETTER_EMAIL_BAD_LOCAL;
    if (!domain_ok(at + 1, len - local - 1)) return NEWSLETTER_EMAIL_BAD_DOMAIN;
    return NEWSLETTER_EMAIL_OK;
}

const char *newsletter_email_message(newsletter_email_status status)
{
    switch (status) {
    case NEWSLETTER_EMAIL_OK:
        return "The email address is in order.";
    case NEWSLETTER_EMAIL_EMPTY:
        return "Please enter your email address.";
    case NEWSLETTER_EMAIL_TOO_LONG:
        return "The email address is too long: an address has at most 254 characters.";
    case NEWSLETTER_EMAIL_CONTROL:
        return "The email address contains spaces, line breaks or other characters an address "
               "cannot have. Please type it again.";
    case NEWSLETTER_EMAIL_NO_AT:
        return "The email address needs an @, as in name@example.org.";
    case NEWSLETTER_EMAIL_MANY_AT:
        return "The email address has more than one @. Please enter one address.";
    case NEWSLETTER_EMAIL_BAD_LOCAL:
        return "The part of the email address before the @ is not valid (at most 64 letters, "
               "digits and ._%+- characters).";
    case NEWSLETTER_EMAIL_BAD_DOMAIN:
        return "The part of the email address after the @ is not a valid domain, as in "
               "example.org.";
    }
    return "The email address is not valid.";
}
