/* wordpress.c — dates of a WordPress export and the keys of its old links (wordpress.h). */
#include "wordpress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "content.h"

/* Splits "YYYY-MM-DD HH:MM:SS" into a struct tm (fields as written, not normalised). */
static bool wp_fields(const char *text, struct tm *tm)
{
    if (!text || strlen(text) != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' ||
        text[13] != ':' || text[16] != ':')
        return false;
    for (int i = 0; i < 19; i++)
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (text[i] < '0' || text[i] > '9'))
            return false;
    int y, mo, d, h, mi, s;
    if (sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return false;
    if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
    *tm = (struct tm){.tm_year = y - 1900,
                      .tm_mon = mo - 1,
                      .tm_mday = d,
                      .tm_hour = h,
                      .tm_min = mi,
                      .tm_sec = s,
                      .tm_isdst = -1};
    return true;
}

bool content_wp_time_utc(const char *text, long long *unix_seconds)
{
    struct tm tm;
    if (!wp_fields(text, &tm)) return false;
    char rfc[32];
    snprintf(rfc, sizeof rfc, "%.10sT%.8sZ", text, text + 11);
    return content_parse_time(rfc, unix_seconds); /* checks the day exists */
}

bool content_wp_time_local(const char *text, long long *unix_seconds)
{
    struct tm tm;
    long long check;
    if (!wp_fields(text, &tm) || !content_wp_time_utc(text, &check)) return false;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31)) return false;
    *unix_seconds = (long long)t;
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The id query WordPress answers on its root ("p=12"), or NULL. */
static const char *id_query(const char *q, size_t n)
{
    static const char *const names[] = {"p=", "page_id=", "cat=", "tag="};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = strlen(names[i]);
        if (n > len && strncmp(q, names[i], len) == 0 && !memchr(q, '&', n) && !memchr(q, '#', n))
            return q;
    }
    return NULL;
}

char *content_redirect_key(arena *a, const char *url, bool decode)
{
    if (!url) return NULL;
    const char *p = url;
    if (strncmp(p, "http://", 7) == 0 || strncmp(p, "https://", 8) == 0) {
        p += p[4] == 's' ? 8 : 7;
        p += strcspn(p, "/?#");
        if (*p == '\0' || *p == '#') p = "/";
    } else if (p[0] != '/') {
        return NULL;
    }
    size_t path_len = strcspn(p, "?#");
    const char *query = p[path_len] == '?' ? p + path_len + 1 : NULL;
    size_t query_len = query ? strcspn(query, "#") : 0;
    char *out = arena_alloc(a, path_len + query_len + 4), *o = out;
    *o++ = '/';
    for (size_t i = 0; i < path_len; i++) {
        char c = p[i];
        int hi, lo;
        if (decode && c == '%' && i + 2 < path_len && (hi = hex_value(p[i + 1])) >= 0 &&
            (lo = hex_value(p[i + 2])) >= 0) {
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if ((unsigned char)c < 0x20 || c == 0x7f) return NULL;
        if (c == '/' && o[-1] == '/') continue;
        *o++ = c;
    }
    while (o - out > 1 && o[-1] == '/')
        o--;
    *o = '\0';
    if (query && strcmp(out, "/") == 0 && id_query(query, query_len)) {
        for (size_t i = 0; i < query_len; i++)
            if ((unsigned char)query[i] < 0x20 || query[i] == 0x7f) return NULL;
        memcpy(o, "?", 1);
        memcpy(o + 1, query, query_len);
        o[1 + query_len] = '\0';
    }
    return out;
}
