/* pg_stories.h — what pg_articles.c (stories) and pg_topics.c (topics, authors, API keys) of
 * the PostgreSQL backend share besides pg_internal.h: the live rule as SQL and the name order
 * (the blank-text check is store_checks.h's, for both backends). */
#ifndef GAZETTE_PG_STORIES_H
#define GAZETTE_PG_STORIES_H

#include "store_checks.h"

/* Live and a story ($1 is now): published, or scheduled with its time come; pages (kind
 * 'page') are never in lists, search or related. */
#define PG_LIVE_ANY_KIND "a.status >= 1 AND a.published_at <= $1::bigint"
#define PG_LIVE PG_LIVE_ANY_KIND " AND a.kind = 'story'"

/* SQLite's "x COLLATE NOCASE": ASCII letters folded, nothing else. Text columns compare bytes
 * as SQLite's do (their collation is "C", pg_migrations.c), so "ORDER BY x" needs nothing. */
#define PG_NOCASE(col)                                                                             \
    "translate(" col ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"

#endif
