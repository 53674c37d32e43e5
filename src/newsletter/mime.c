/* mime.c — builds the newsletter's emails as MIME messages (RFC 5322, 2045, 2046, 2047):
 * headers folded at spaces to 78 characters, non-ASCII header text as base64 encoded-words
 * cut at character boundaries, and a multipart/alternative body whose text/plain and
 * text/html parts are quoted-printable (so every body line is at most 76 characters and the
 * message is 7-bit clean whatever the stories say). */
#include "newsletter.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { LINE_MAX_CHARS = 78, QP_LINE = 76, WORD_BYTES = 42 /* 56 base64 chars, 68 a word */ };

static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E) return false;
    return true;
}

/* ---- quoted-printable ---------------------------------------------------------------------- */
static void qp_byte(buf *out, unsigned char c, size_t *col)
{
    static const char hex[] = "0123456789ABCDEF";
    char esc[3] = {'=', hex[c >> 4], hex[c & 15]};
    if (*col + 3 > QP_LINE - 1) { /* room for the soft break's '=' */
        buf_puts(out, "=\r\n");
        *col = 0;
    }
    buf_append(out, esc, 3);
    *col += 3;
}

void newsletter_qp_encode(buf *out, const char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            buf_puts(out, "\r\n");
            col = 0;
            continue;
        }
        if (c == '\r') continue; /* a CR is dropped: each LF makes a line end (CRLF) */
        size_t next = i + 1;
        while (next < n && s[next] == '\r') /* CRs are dropped: look past them */
            next++;
        bool line_end = next == n || s[next] == '\n';
        bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
        if (c == '.' && col == 0) literal = false; /* no line starting with a dot */
        if (!literal) {
            qp_byte(out, c, &col);
            continue;
        }
        if (col + 1 > QP_LINE - 1) {
            buf_puts(out, "=\r\n");
            col = 0;
            if (c == '.') {
                qp_byte(out, c, &col);
                continue;
            }
        }
        buf_putc(out, (char)c);
        col++;
    }
}

/* ---- headers --------------------------------------------------------------------------------- */
/* Length of the UTF-8 sequence starting with byte c (1 for anything broken). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* value as RFC 2047 B encoded-words of at most WORD_BYTES bytes each (never splitting a
 * character), one per line after the first. */
static void put_encoded_words(buf *out, const char *value, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t take = 0;
        while (i + take < n) {
            size_t len = utf8_len((unsigned char)value[i + take]);
            if (take + len > WORD_BYTES) break;
            take += len;
        }
        if (take == 0) take = 1;
        if (i + take > n) take = n - i;
        char b64[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)value + i, take,
                          sodium_base64_VARIANT_ORIGINAL);
        if (i > 0) buf_puts(out, "\r\n ");
        buf_printf(out, "=?UTF-8?B?%s?=", b64);
        i += take;
    }
}

/* value folded before a space wherever the line would pass 78 characters (a longer word
 * stays whole). */
static void put_folded(buf *out, size_t col, const char *value, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t word = value[i] == ' ' ? 1 : 0;
        while (i + word < n && value[i + word] != ' ')
            word++;
        if (i > 0 && value[i] == ' ' && col + word > LINE_MAX_CHARS) {
            buf_puts(out, "\r\n");
            col = 0;
        }
        buf_append(out, value + i, word);
        col += word;
        i += word;
    }
}

void newsletter_header_put(buf *out, const char *name, const char *value)
{
    buf_printf(out, "%s: ", name);
    size_t n = strlen(value);
    while (n && value[n - 1] == ' ') /* a folded line of blanks only is not allowed */
        n--;
    while (n && value[0] == ' ')
        value++, n--;
    if (plain_ascii(value))
        put_folded(out, strlen(name) + 2, value, n);
    else
        put_encoded_words(out, value, n);
    buf_puts(out, "\r\n");
}

char *newsletter_date(arena *a, long long unix_seconds)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    return arena_printf(a, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                        months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "Name" <address>, the name quoted (ASCII) or encoded (anything else). */
static void put_from(buf *out, const char *name, const char *address)
{
    if (!name || !*name) {
        buf_printf(out, "From: <%s>\r\n", address);
        return;
    }
    if (plain_ascii(name)) {
        buf_puts(out, "From: \"");
        for (const char *p = name; *p; p++) {
            if (*p == '"' || *p == '\\') buf_putc(out, '\\');
            buf_putc(out, *p);
        }
        buf_printf(out, "\"\r\n <%s>\r\n", address);
        return;
    }
    buf_puts(out, "From: ");
    put_encoded_words(out, name, strlen(name));
    buf_printf(out, "\r\n <%s>\r\n", address);
}

static bool header_safe(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

static char *random_hex(arena *a, size_t bytes)
{
    unsigned char raw[32];
    if (bytes > sizeof raw) bytes = sizeof raw;
    randombytes_buf(raw, bytes);
    char *hex = arena_alloc(a, bytes * 2 + 1);
    sodium_bin2hex(hex, bytes * 2 + 1, raw, bytes);
    return hex;
}

static void put_part(buf *out, const char *boundary, const char *type, const char *body)
{
    buf_printf(out, "--%s\r\nContent-Type: %s; charset=utf-8\r\n", boundary, type);
    buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    newsletter_qp_encode(out, body, strlen(body));
    buf_puts(out, "\r\n");
}

char *newsletter_mime_build(arena *a, const newsletter_message *m)
{
    if (!m->from || !m->to || !m->subject || !m->text || !m->html) return NULL;
    if (!header_safe(m->from) || !header_safe(m->to) || !header_safe(m->subject) ||
        (m->from_name && !header_safe(m->from_name)) ||
        (m->unsubscribe_url && !header_safe(m->unsubscribe_url)) ||
        (m->unsubscribe_mail && !header_safe(m->unsubscribe_mail)))
        return NULL;
    if (sodium_init() < 0) return NULL;
    const char *domain = strrchr(m->from, '@');
    const char *boundary = arena_printf(a, "=_gazette_%s", random_hex(a, 12));
    buf out = {0};
    put_from(&out, m->from_name, m->from);
    buf_printf(&out, "To: <%s>\r\n", m->to);
    newsletter_header_put(&out, "Subject", m->subject);
    buf_printf(&out, "Date: %s\r\n", newsletter_date(a, m->date));
    buf_printf(&out, "Message-ID: <%s.%lld@%s>\r\n", random_hex(a, 16), m->date,
               domain ? domain + 1 : "localhost");
    buf_puts(&out, "MIME-Version: 1.0\r\n");
    buf_printf(&out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n", boundary);
    if (m->unsubscribe_url) {
        buf_printf(&out, "List-Unsubscribe:\r\n <%s>", m->unsubscribe_url);
        if (m->unsubscribe_mail)
            buf_printf(&out, ",\r\n <mailto:%s?subject=unsubscribe>", m->unsubscribe_mail);
        buf_puts(&out, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    buf_puts(&out, "\r\nThis is a MIME message: a plain-text and an HTML version.\r\n\r\n");
    put_part(&out, boundary, "text/plain", m->text);
    put_part(&out, boundary, "text/html", m->html);
    buf_printf(&out, "--%s--\r\n", boundary);
    char *message = arena_strndup(a, out.data, out.len);
    buf_free(&out);
    return message;
}
