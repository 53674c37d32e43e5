/* time.c — RFC 3339 timestamps: content_parse_time (with offsets, fractional seconds and bare
 * dates) and content_format_time (always UTC, "Z"). Calendar arithmetic is done by hand on
 * the proleptic Gregorian calendar, so nothing depends on the TZ environment. */
#include "content.h"

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* The inverse: civil date of a day count. */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long long)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned content_days_in_month(long long y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool content_read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c) return false;
    (*p)++;
    return true;
}

/* "HH:MM:SS[.frac]" then "Z" or "+HH:MM"/"-HH:MM"; *secs gets the UTC seconds of the day
 * (may fall outside 0..86399 after applying the offset). */
static bool parse_clock(const char *p, long long *secs)
{
    int h, mi, s;
    if (!content_read_digits(&p, 2, &h) || !expect(&p, ':') || !content_read_digits(&p, 2, &mi) ||
        !expect(&p, ':') || !content_read_digits(&p, 2, &s))
        return false;
    if (h > 23 || mi > 59 || s > 60) return false; /* 60: a leap second */
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9')
            p++; /* fractions are truncated */
    }
    long long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (!content_read_digits(&p, 2, &oh) || !expect(&p, ':') ||
            !content_read_digits(&p, 2, &om))
            return false;
        if (oh > 23 || om > 59) return false;
        offset = sign * (oh * 3600LL + om * 60LL);
    } else {
        return false;
    }
    if (*p) return false;
    *secs = h * 3600LL + mi * 60LL + s - offset;
    return true;
}

bool content_parse_time(const char *text, long long *unix_seconds)
{
    if (!text) return false;
    const char *p = text;
    int y, m, d;
    if (!content_read_digits(&p, 4, &y) || !expect(&p, '-') || !content_read_digits(&p, 2, &m) ||
        !expect(&p, '-') || !content_read_digits(&p, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || (unsigned)d > content_days_in_month(y, (unsigned)m))
        return false;
    long long secs = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (!parse_clock(p + 1, &secs)) return false;
    } else if (*p) {
        return false;
    }
    *unix_seconds = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400LL + secs;
    return true;
}

char *content_format_time(arena *a, long long unix_seconds)
{
    long long days = unix_seconds / 86400, rem = unix_seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    long long y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return arena_printf(a, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", y, m, d, rem / 3600,
                        rem / 60 % 60, rem % 60);
}
