/* schedule.h — the time a writer types into the story screen's datetime-local input
 * ("2026-12-06T14:30", wall-clock time in the site's time zone) read as a moment (unix
 * seconds), and a moment written back the same way for the input's value. Zones are IANA names
 * ("Europe/Paris", "UTC") read from the system's zoneinfo by GLib's GTimeZone, which knows each
 * zone's daylight-saving rules (thread-safe, nothing depends on the TZ environment). */
#ifndef GAZETTE_ADMIN_SCHEDULE_H
#define GAZETTE_ADMIN_SCHEDULE_H

#include <stdbool.h>

#include "../core/arena.h"

typedef enum {
    SCHEDULE_OK = 0,
    SCHEDULE_EMPTY,       /* nothing typed */
    SCHEDULE_MALFORMED,   /* not YYYY-MM-DDTHH:MM (optionally :SS) */
    SCHEDULE_NO_SUCH_DAY, /* February 30th, hour 25 ... */
    SCHEDULE_BAD_ZONE,    /* the site's time zone is not a known IANA name */
} schedule_status;

/* A sentence for the writer ("" for SCHEDULE_OK). */
const char *schedule_message(schedule_status status);
/* Whether zone is an IANA time zone name this system knows ("UTC", "Europe/Paris"). */
bool schedule_zone_valid(const char *zone);
/* text as wall-clock time in zone. A time that a daylight-saving change skips (02:30 on the
 * spring-forward night) becomes the first moment after the change (03:00); one it repeats (the
 * autumn night) is read in standard time (the second of the two). */
schedule_status schedule_parse_local(const char *zone, const char *text, long long *unix_seconds);
/* "2026-12-06T14:30" in zone ("2026-12-06T14:30:05" when the seconds are not 0; arena string),
 * or NULL when zone is not valid. */
char *schedule_format_local(arena *a, const char *zone, long long unix_seconds);
/* "6 December 2026, 14:30 (Europe/Paris)" for people (arena string); UTC when zone is not
 * valid. */
char *schedule_display(arena *a, const char *zone, long long unix_seconds);

#endif
