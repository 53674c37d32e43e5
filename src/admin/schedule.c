/* schedule.c — datetime-local text in the site's time zone, both ways (schedule.h). The text is
 * parsed by hand (strict: digits where digits go, real calendar days); the zone's offset at that
 * wall-clock time comes from GLib's GTimeZone (g_time_zone_adjust_time). */
#include "schedule.h"

#include "../content/content.h"

#include <glib.h>
#include <string.h>
#include <time.h>

const char *schedule_message(schedule_status status)
{
    switch (status) {
    case SCHEDULE_OK:
        return "";
    case SCHEDULE_EMPTY:
        return "Give a date and time to schedule the story for.";
    case SCHEDULE_MALFORMED:
        return "The date and time should look like 2026-12-31T09:30.";
    case SCHEDULE_NO_SUCH_DAY:
        return "That date or time does not exist.";
    case SCHEDULE_BAD_ZONE:
        return "The site's time zone setting is not a known time zone; an admin can fix it "
               "under Settings.";
    }
    return "Invalid date and time.";
}

/* IANA names only: letters, digits, '/', '_', '+', '-'; no "..", no leading '/'. */
static bool zone_name_ok(const char *zone)
{
    size_t n = zone ? strlen(zone) : 0;
    if (n == 0 || n > 64 || zone[0] == '/' || strstr(zone, "..")) return false;
    for (size_t i = 0; i < n; i++) {
        char c = zone[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '_' || c == '+' || c == '-';
        if (!ok) return false;
    }
    return true;
}

static GTimeZone *zone_open(const char *zone)
{
    return zone_name_ok(zone) ? g_time_zone_new_identifier(zone) : NULL;
}

bool schedule_zone_valid(const char *zone)
{
    GTimeZone *tz = zone_open(zone);
    if (tz) g_time_zone_unref(tz);
    return tz != NULL;
}

static bool expect(const char **p, char c)
{
    if (**p != c) return false;
    (*p)++;
    return true;
}

/* "YYYY-MM-DDTHH:MM[:SS]" (a space may stand for the T) into a struct tm. */
static schedule_status parse_fields(const char *text, struct tm *tm)
{
    int y, mo, d, h, mi, s = 0;
    const char *p = text;
    if (!content_read_digits(&p, 4, &y) || !expect(&p, '-') || !content_read_digits(&p, 2, &mo) ||
        !expect(&p, '-') || !content_read_digits(&p, 2, &d) ||
        !(expect(&p, 'T') || expect(&p, ' ')) || !content_read_digits(&p, 2, &h) ||
        !expect(&p, ':') || !content_read_digits(&p, 2, &mi))
        return SCHEDULE_MALFORMED;
    if (*p == ':' && (p++, !content_read_digits(&p, 2, &s))) return SCHEDULE_MALFORMED;
    if (*p) return SCHEDULE_MALFORMED;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > (int)content_days_in_month(y, (unsigned)mo) ||
        h > 23 || mi > 59 || s > 59)
        return SCHEDULE_NO_SUCH_DAY;
    *tm = (struct tm){.tm_year = y - 1900,
                      .tm_mon = mo - 1,
                      .tm_mday = d,
                      .tm_hour = h,
                      .tm_min = mi,
                      .tm_sec = s};
    return SCHEDULE_OK;
}

schedule_status schedule_parse_local(const char *zone, const char *text, long long *unix_seconds)
{
    *unix_seconds = 0;
    while (text && (*text == ' ' || *text == '\t'))
        text++;
    if (!text || !*text) return SCHEDULE_EMPTY;
    struct tm tm;
    schedule_status st = parse_fields(text, &tm);
    if (st != SCHEDULE_OK) return st;
    GTimeZone *tz = zone_open(zone);
    if (!tz) return SCHEDULE_BAD_ZONE;
    gint64 wall = (gint64)timegm(&tm); /* the wall-clock fields counted as if UTC */
    gint interval = g_time_zone_adjust_time(tz, G_TIME_TYPE_STANDARD, &wall);
    *unix_seconds = (long long)(wall - g_time_zone_get_offset(tz, interval));
    g_time_zone_unref(tz);
    return SCHEDULE_OK;
}

/* The moment in zone (UTC when zone is not valid); NULL only when GLib cannot represent it. */
static GDateTime *local_moment(const char *zone, long long unix_seconds, bool *zone_ok)
{
    GTimeZone *tz = zone_open(zone);
    *zone_ok = tz != NULL;
    if (!tz) tz = g_time_zone_new_utc();
    GDateTime *utc = g_date_time_new_from_unix_utc((gint64)unix_seconds);
    GDateTime *local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
    if (utc) g_date_time_unref(utc);
    g_time_zone_unref(tz);
    return local;
}

char *schedule_format_local(arena *a, const char *zone, long long unix_seconds)
{
    bool zone_ok;
    GDateTime *t = local_moment(zone, unix_seconds, &zone_ok);
    char *out = NULL;
    if (t && zone_ok) {
        int s = g_date_time_get_second(t);
        out = arena_printf(a, "%04d-%02d-%02dT%02d:%02d", g_date_time_get_year(t),
                           g_date_time_get_month(t), g_date_time_get_day_of_month(t),
                           g_date_time_get_hour(t), g_date_time_get_minute(t));
        if (s) out = arena_printf(a, "%s:%02d", out, s);
    }
    if (t) g_date_time_unref(t);
    return out;
}

char *schedule_display(arena *a, const char *zone, long long unix_seconds)
{
    static const char *const months[12] = {"January",   "February", "March",    "April",
                                           "May",       "June",     "July",     "August",
                                           "September", "October",  "November", "December"};
    bool zone_ok;
    GDateTime *t = local_moment(zone, unix_seconds, &zone_ok);
    if (!t) return arena_strdup(a, "?");
    char *out =
        arena_printf(a, "%d %s %d, %02d:%02d (%s)", g_date_time_get_day_of_month(t),
                     months[g_date_time_get_month(t) - 1], g_date_time_get_year(t),
                     g_date_time_get_hour(t), g_date_time_get_minute(t), zone_ok ? zone : "UTC");
    g_date_time_unref(t);
    return out;
}
