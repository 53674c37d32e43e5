/* api_params.h — the content API's query arguments that are more than a number: the opaque
 * pagination cursor, the since= time, and the CORS origin list of the api_cors_origins
 * setting. Pure functions of text, no I/O (fuzzed by tests/fuzz/fuzz_api_params.c). */
#ifndef GAZETTE_API_PARAMS_H
#define GAZETTE_API_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

enum { API_CURSOR_MAX = 64 };

/* The cursor naming the story published at published_at with id id (its place in the
 * newest-first order): base64url text, arena-allocated. */
char *api_cursor_make(arena *a, long long published_at, long long id);
/* Reads a cursor made by api_cursor_make; false for anything else. */
bool api_cursor_parse(const char *text, long long *published_at, long long *id);
/* since=: RFC 3339 ("2023-10-26T09:30:00Z", offsets, bare dates) or unix seconds; false for
 * anything else, and for times before 1970 or after 9999. */
bool api_since_parse(const char *text, long long *unix_seconds);
/* Whether origin (an Origin header) is one of the space-separated origins of list, compared
 * exactly; "*" in the list allows every origin. NULL or empty list or origin: false. */
bool api_origin_allowed(const char *list, const char *origin);

#endif
