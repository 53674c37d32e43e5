/* xml.c — see xml.h. Text is decoded code point by code point (utf8proc), so an invalid byte is
 * replaced on its own and never swallows the escaping of what follows it. */
#include "xml.h"

#include <string.h>
#include <time.h>
#include <utf8proc.h>

/* Whether XML 1.0 allows code point cp in a document (the Char production). */
static bool xml_char_allowed(utf8proc_int32_t cp)
{
    if (cp < 0x20) return cp == 0x09 || cp == 0x0A || cp == 0x0D;
    return cp != 0xFFFE && cp != 0xFFFF;
}

/* Appends s cleaned; escaped too when escape is true. */
static void append_clean(buf *out, const char *s, bool escape)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t left = strlen(s);
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
        if (len <= 0) { /* not UTF-8: one byte becomes U+FFFD */
            buf_puts(out, "\xEF\xBF\xBD");
            p++, left--;
            continue;
        }
        if (xml_char_allowed(cp)) {
            if (escape && cp == '\r')
                buf_puts(out, "&#13;"); /* a parser would read a raw CR as LF */
            else if (escape && len == 1 && strchr("&<>\"'", (int)cp))
                buf_append_html(out, (const char *)p, 1);
            else
                buf_append(out, p, (size_t)len);
        }
        p += len, left -= (size_t)len;
    }
}

char *xml_clean(arena *a, const char *s)
{
    if (!s) return arena_strdup(a, "");
    buf b = {0};
    append_clean(&b, s, false);
    char *copy = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return copy;
}

void xml_append_text(buf *out, const char *s)
{
    if (s) append_clean(out, s, true);
}

void xml_append_rfc822(buf *out, long long unix_seconds)
{
    /* names written here, not with %a and %b, which would follow the locale */
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return;
    buf_printf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void xml_append_rfc3339(buf *out, long long unix_seconds)
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) return;
    buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
               tm.tm_hour, tm.tm_min, tm.tm_sec);
}
