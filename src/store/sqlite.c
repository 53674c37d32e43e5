/* sqlite.c — the SQLite backend of store.h: opening and creating database files (with the
 * checks that keep Gazette away from files that are not its own), migrations, one
 * connection per thread with cached prepared statements, every write in one BEGIN IMMEDIATE
 * transaction, and the queries behind each store_* function. All SQL is constant text in
 * stmt_sql[]; user data only ever reaches SQLite through bound parameters. */
#include "store.h"

#include "../content/content.h"
#include "../core/buf.h"
#include "migrations.h"
#include "sqlite_internal.h"
#include "store_backend.h"
#include "store_checks.h"
#include "thread_conns.h"
#include "search_rank.h"
#include "search_snippet.h"
#include "search_text.h"
#include "search_tokenizer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { BUSY_TIMEOUT_MS = 5000, ERR_MAX = 512 };

/* ---- Statements ----------------------------------------------------------------------------
 * Article SELECTs return ART_COLS (read by read_article) and, with ART_BODY, the two bodies.
 * Parameters of the list and count statements: ?1 now, ?2 excluded id, ?3 topic slug,
 * ?4 author slug, ?5 limit, ?6 offset, ?7 since (LLONG_MIN: any), ?8 and ?9 the cursor's
 * published_at and id (LLONG_MAX both: from the newest; a row value, so SQLite seeks to it in
 * the newest-first index). The four variants of each (no filter, topic, author,
 * both) are consecutive so that ST_LIST + variant picks the right one. */
#define ART_COLS SQLITE_ART_COLS /* sqlite_internal.h */
#define ART_BODY SQLITE_ART_BODY
enum { ART_NCOLS = SQLITE_ART_NCOLS };
/* Live and a story: pages (kind 'page', migration 7) are never in lists, search or related. */
#define LIVE_ANY_KIND "a.status >= 1 AND a.published_at <= ?1"
#define LIVE LIVE_ANY_KIND " AND a.kind = 'story'"
/* A filtered list starts from the topic's (or author's) own links, so a small topic costs
 * little however big the archive; CROSS JOIN fixes that loop order for SQLite's planner. */
#define FROM_ALL " FROM articles a"
#define FROM_TOPIC                                                                                 \
    " FROM topics t CROSS JOIN article_topics x ON x.topic_id = t.id"                              \
    " CROSS JOIN articles a ON a.id = x.article_id"
#define FROM_AUTHOR                                                                                \
    " FROM authors u CROSS JOIN article_authors y ON y.author_id = u.id"                           \
    " CROSS JOIN articles a ON a.id = y.article_id"
#define FROM_BOTH                                                                                  \
    " FROM topics t CROSS JOIN authors u CROSS JOIN article_topics x ON x.topic_id = t.id"         \
    " CROSS JOIN articles a ON a.id = x.article_id"                                                \
    " CROSS JOIN article_authors y ON y.article_id = a.id AND y.author_id = u.id"
#define AND_TOPIC " AND t.slug = ?3"
#define AND_AUTHOR " AND u.slug = ?4"
#define LIST_WHERE(filters)                                                                        \
    " WHERE " LIVE " AND a.id <> ?2 AND max(a.published_at, a.updated_at) >= ?7"                   \
    " AND (a.published_at, a.id) < (?8, ?9)" filters
#define LIST_SQL(from, filters)                                                                    \
    "SELECT " ART_COLS from LIST_WHERE(                                                            \
        filters) " ORDER BY a.published_at DESC, a.id DESC LIMIT ?5 OFFSET ?6"
#define COUNT_SQL(from, filters) "SELECT count(*)" from LIST_WHERE(filters)

/* Comment SELECTs return COMMENT_COLS (read by read_comment) then the article's slug (or
 * NULL). Lists of ids (?1 of the bulk statements) are JSON arrays read with json_each. */
#define COMMENT_COLS                                                                               \
    "c.id, c.article_id, coalesce(c.parent_id, 0), c.author_name, c.author_email,"                 \
    " c.author_url, c.body, c.ip, c.user_agent, c.status, c.created_at,"                           \
    " c.staff_user_id IS NOT NULL"
#define COMMENT_NEWEST " ORDER BY c.created_at DESC, c.id DESC"

/* Topics or authors of a page of articles in one query: ?1 is a JSON array of article ids;
 * rows come grouped by the index in that array, each carrying its group's size. */
/* Full-text search (migration 3): ?1 now, ?2 the FTS5 query, ?3 topic slug or NULL, ?4 limit,
 * ?5 the phrases' document frequencies for gazette_rank (search_rank.c). CROSS JOIN keeps the
 * full-text index as the outer loop; articles_search_live (migration 5) checks the live rule of
 * each match without reading its row. Snippets are made by search_snippet.c from the indexed
 * text. */
#define SEARCH_FROM                                                                                \
    " FROM article_search CROSS JOIN articles a INDEXED BY articles_search_live"                   \
    " ON a.id = article_search.rowid"                                                              \
    " WHERE article_search MATCH ?2 AND " LIVE " AND (?3 IS NULL OR EXISTS (SELECT 1"              \
    " FROM article_topics x JOIN topics t ON t.id = x.topic_id"                                    \
    " WHERE x.article_id = a.id AND t.slug = ?3))"
#define SEARCH_TEXT(col, is_html) "gazette_search_text(" col ", " #is_html ")"
#define SEARCH_COLUMNS                                                                             \
    SEARCH_TEXT("headline", 0)                                                                     \
    ", " SEARCH_TEXT("kicker", 0) ", " SEARCH_TEXT("lead", 0) ", " SEARCH_TEXT(                    \
        "coalesce(body_html, body_markdown)", 1)

#define FILL_SQL(cols, link, other, table)                                                         \
    "SELECT j.key, count(*) OVER (PARTITION BY j.key), " cols " FROM json_each(?1) j"              \
    " JOIN " link " l ON l.article_id = j.value JOIN " table " e ON e.id = l." other               \
    " ORDER BY j.key, l.position"

enum stmt_id {
    ST_BEGIN,
    ST_BEGIN_IMMEDIATE,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_LIST, /* + variant: 0 none, 1 topic, 2 author, 3 both */
    ST_LIST_T,
    ST_LIST_A,
    ST_LIST_TA,
    ST_COUNT,
    ST_COUNT_T,
    ST_COUNT_A,
    ST_COUNT_TA,
    ST_FILL_TOPICS,
    ST_FILL_AUTHORS,
    ST_ARTICLE_LIVE,
    ST_ARTICLE_ANY,
    ST_ARTICLE_TOP,
    ST_RELATED,
    ST_CHANGED,
    ST_MISSING_READ_ALSO,
    ST_LAST_CHANGE,
    ST_ARTICLE_UPSERT,
    ST_ARTICLE_TOPICS_CLEAR,
    ST_ARTICLE_TOPIC_ADD,
    ST_ARTICLE_AUTHORS_CLEAR,
    ST_ARTICLE_AUTHOR_ADD,
    ST_READ_ALSO_CLEAR,
    ST_READ_ALSO_ADD,
    ST_TOPIC_ID_BY_SLUG,
    ST_TOPIC_ID_BY_NAME,
    ST_TOPIC_MAX_ID,
    ST_TOPIC_INSERT,
    ST_TOPIC_BY_SLUG,
    ST_TOPICS_LIST,
    ST_TOPICS_LEADING,
    ST_AUTHOR_ID_BY_SLUG,
    ST_AUTHOR_ID_BY_NAME,
    ST_AUTHOR_MAX_ID,
    ST_AUTHOR_INSERT,
    ST_AUTHOR_BY_SLUG,
    ST_ARTICLE_STAMPS,
    ST_AUTHOR_SET_BIO,
    ST_COMMENT_ARTICLE,
    ST_COMMENT_PARENT,
    ST_COMMENT_DUPLICATE,
    ST_COMMENT_KNOWN_EMAIL,
    ST_COMMENT_INSERT,
    ST_COMMENTS_FOR_ARTICLE,
    ST_COMMENTS_LIST,
    ST_COMMENTS_LIST_STATUS,
    ST_COMMENTS_RECENT,
    ST_COMMENTS_RECENT_ARTICLE,
    ST_COMMENTS_MISSING,
    ST_COMMENTS_SET_STATUS,
    ST_COMMENTS_DELETE,
    ST_COMMENT_COUNTS,
    ST_SETTING_GET,
    ST_SETTING_SET,
    ST_SETTINGS_LIST,
    ST_PUSH_VAPID_GET,
    ST_PUSH_VAPID_PUT,
    ST_PUSH_SUBSCRIBE,
    ST_PUSH_UNSUBSCRIBE,
    ST_PUSH_SUBSCRIPTION_DELETE,
    ST_PUSH_BREAKING_MARK,
    ST_PUSH_BREAKING_GET,
    ST_PUSH_QUEUE,
    ST_PUSH_BREAKING_QUEUED,
    ST_PUSH_DUE,
    ST_PUSH_CLAIM,
    ST_PUSH_FINISH,
    ST_PUSH_NEXT_DUE,
    ST_PUSH_COUNTS,
    ST_PUSH_PRUNE,
    ST_SEARCH,
    ST_SEARCH_HITS,
    ST_SEARCH_SAMPLE,
    ST_CHANGES_SINCE,
    ST_BY_IDS,
    ST_CHANGES_HEAD,
    ST_DATA_VERSION,
    ST_TOPICS_COUNTED,
    ST_AUTHORS_COUNTED,
    ST_API_KEY_ADD,
    ST_API_KEYS_LIST,
    ST_API_KEY_REVOKE,
    ST_ID_RANGE,
    ST_SEARCH_INDEX_DELETE,
    ST_SEARCH_INDEX_ADD,
    ST_SEARCH_LEN_SET,
    ST_SEARCH_PACK,
    ST_PAGE_LIVE,
    ST_PAGES_LIST,
    ST_REDIRECT,
    ST__N
};

static const char *const stmt_sql[ST__N] = {
    [ST_BEGIN] = "BEGIN",
    [ST_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_LIST] = LIST_SQL(FROM_ALL, ""),
    [ST_LIST_T] = LIST_SQL(FROM_TOPIC, AND_TOPIC),
    [ST_LIST_A] = LIST_SQL(FROM_AUTHOR, AND_AUTHOR),
    [ST_LIST_TA] = LIST_SQL(FROM_BOTH, AND_TOPIC AND_AUTHOR),
    [ST_COUNT] = COUNT_SQL(FROM_ALL, ""),
    [ST_COUNT_T] = COUNT_SQL(FROM_TOPIC, AND_TOPIC),
    [ST_COUNT_A] = COUNT_SQL(FROM_AUTHOR, AND_AUTHOR),
    [ST_COUNT_TA] = COUNT_SQL(FROM_BOTH, AND_TOPIC AND_AUTHOR),
    [ST_FILL_TOPICS] =
        FILL_SQL("e.id, e.slug, e.name, e.description", "article_topics", "topic_id", "topics"),
    [ST_FILL_AUTHORS] =
        FILL_SQL("e.id, e.slug, e.name, e.bio", "article_authors", "author_id", "authors"),
    [ST_ARTICLE_LIVE] = "SELECT " ART_COLS ART_BODY " FROM articles a WHERE a.slug = ?2 AND " LIVE,
    [ST_ARTICLE_ANY] = "SELECT " ART_COLS ART_BODY " FROM articles a WHERE a.slug = ?2",
    [ST_ARTICLE_TOP] = "SELECT " ART_COLS ART_BODY " FROM articles a WHERE " LIVE
                       " ORDER BY a.published_at DESC, a.id DESC LIMIT 1",
    /* ?2 target article, ?3 limit. A shared topic scores 2 when it is the primary topic of
     * either article, else 1. */
    /* ?2 since: stories saved since then, and stories whose publication time passed since then
     * (scheduled stories going live); ?3 limit */
    /* two index ranges (articles_updated, articles_recent): cheap to poll every second */
    [ST_CHANGED] = "SELECT " ART_COLS ART_BODY " FROM articles a WHERE a.id IN"
                   " (SELECT id FROM articles WHERE updated_at >= ?2 UNION"
                   " SELECT id FROM articles WHERE published_at >= ?2 AND published_at <= ?1)"
                   " ORDER BY a.updated_at, a.id LIMIT ?3",
    [ST_RELATED] = "SELECT " ART_COLS ","
                   " sum(CASE WHEN mine.position = 0 OR theirs.position = 0 THEN 2 ELSE 1 END)"
                   " AS score"
                   " FROM article_topics mine"
                   " CROSS JOIN article_topics theirs ON theirs.topic_id = mine.topic_id"
                   " AND theirs.article_id <> mine.article_id"
                   " CROSS JOIN articles a ON a.id = theirs.article_id"
                   " WHERE mine.article_id = ?2 AND " LIVE " GROUP BY a.id"
                   " ORDER BY score DESC, a.published_at DESC, a.id DESC LIMIT ?3",
    [ST_MISSING_READ_ALSO] = "SELECT a.slug, r.target_slug FROM articles a"
                             " JOIN article_read_also r ON r.article_id = a.id"
                             " WHERE " LIVE " AND NOT EXISTS (SELECT 1 FROM articles b"
                             " WHERE b.slug = r.target_slug AND b.status >= 1"
                             " AND b.published_at <= ?1)"
                             " GROUP BY a.id, r.target_slug ORDER BY a.slug, min(r.position)",
    /* Any article write (including one taking a story off the site) moves updated_at; a
     * scheduled story going live moves the newest live published_at. */
    [ST_LAST_CHANGE] = "SELECT max(coalesce((SELECT max(updated_at) FROM articles), 0),"
                       " coalesce((SELECT published_at FROM articles WHERE status >= 1"
                       " AND published_at <= ?1 ORDER BY published_at DESC LIMIT 1), 0))",
    /* ?12 the publication time to store, ?13 now, ?14 the published_at given (0: none): an
     * already published story saved again without a time keeps its original one. ?15
     * comments_off, ?16 comments_days. */
    [ST_ARTICLE_UPSERT] =
        "INSERT INTO articles (slug, kicker, headline, lead, body_markdown, body_html,"
        " image_url, image_caption, image_credit, image_alt, status, published_at, updated_at,"
        " created_at, comments_off, comments_days, body_format)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?15, ?16, ?17)"
        " ON CONFLICT (slug) DO UPDATE SET kicker = excluded.kicker,"
        " headline = excluded.headline, lead = excluded.lead,"
        " body_markdown = excluded.body_markdown, body_html = excluded.body_html,"
        " image_url = excluded.image_url, image_caption = excluded.image_caption,"
        " image_credit = excluded.image_credit, image_alt = excluded.image_alt,"
        " status = excluded.status,"
        " published_at = CASE WHEN ?14 = 0 AND articles.status = 2"
        " THEN articles.published_at ELSE excluded.published_at END,"
        " updated_at = excluded.updated_at, comments_off = excluded.comments_off,"
        " comments_days = excluded.comments_days, body_format = excluded.body_format"
        " RETURNING id",
    [ST_ARTICLE_TOPICS_CLEAR] = "DELETE FROM article_topics WHERE article_id = ?1",
    [ST_ARTICLE_TOPIC_ADD] = "INSERT INTO article_topics (article_id, topic_id, position)"
                             " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [ST_ARTICLE_AUTHORS_CLEAR] = "DELETE FROM article_authors WHERE article_id = ?1",
    [ST_ARTICLE_AUTHOR_ADD] = "INSERT INTO article_authors (article_id, author_id, position)"
                              " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [ST_READ_ALSO_CLEAR] = "DELETE FROM article_read_also WHERE article_id = ?1",
    [ST_READ_ALSO_ADD] = "INSERT INTO article_read_also (article_id, target_slug, position)"
                         " VALUES (?1, ?2, ?3)",
    [ST_TOPIC_ID_BY_SLUG] = "SELECT id FROM topics WHERE slug = ?1",
    [ST_TOPIC_ID_BY_NAME] = "SELECT id FROM topics WHERE name = ?1 ORDER BY id LIMIT 1",
    [ST_TOPIC_MAX_ID] = "SELECT coalesce(max(id), 0) FROM topics",
    [ST_TOPIC_INSERT] = "INSERT INTO topics (slug, name, description, created_at)"
                        " VALUES (?1, ?2, ?3, ?4) RETURNING id",
    [ST_TOPIC_BY_SLUG] = "SELECT id, slug, name, description FROM topics WHERE slug = ?1",
    /* ?1 now, ?2 minimum number of live articles (counting stops there). */
    [ST_TOPICS_LIST] = "SELECT t.id, t.slug, t.name, t.description FROM topics t"
                       " WHERE ?2 <= 0 OR (SELECT count(*) FROM (SELECT 1 FROM article_topics x"
                       " CROSS JOIN articles a ON a.id = x.article_id"
                       " WHERE x.topic_id = t.id AND " LIVE " LIMIT ?2)) >= ?2"
                       " ORDER BY t.name COLLATE NOCASE, t.name, t.id",
    /* ?2 limit: topics that lead the most live stories (as their primary topic) */
    [ST_TOPICS_LEADING] = "SELECT t.id, t.slug, t.name, t.description FROM topics t"
                          " JOIN article_topics x ON x.topic_id = t.id AND x.position = 0"
                          " JOIN articles a ON a.id = x.article_id WHERE " LIVE
                          " GROUP BY t.id ORDER BY count(*) DESC, t.name COLLATE NOCASE LIMIT ?2",
    [ST_AUTHOR_ID_BY_SLUG] = "SELECT id FROM authors WHERE slug = ?1",
    [ST_AUTHOR_ID_BY_NAME] = "SELECT id FROM authors WHERE name = ?1 ORDER BY id LIMIT 1",
    [ST_AUTHOR_MAX_ID] = "SELECT coalesce(max(id), 0) FROM authors",
    [ST_AUTHOR_INSERT] = "INSERT INTO authors (slug, name, bio) VALUES (?1, ?2, ?3) RETURNING id",
    [ST_AUTHOR_BY_SLUG] = "SELECT id, slug, name, bio FROM authors WHERE slug = ?1",
    /* ?1 now, ?2 limit, ?3 offset: what a sitemap lists, in the articles_live index's order */
    [ST_ARTICLE_STAMPS] = "SELECT a.id, a.slug, a.headline, a.published_at, a.updated_at"
                          " FROM articles a"
                          " WHERE " LIVE " ORDER BY a.published_at DESC, a.id DESC"
                          " LIMIT ?2 OFFSET ?3",
    [ST_AUTHOR_SET_BIO] = "UPDATE authors SET bio = ?2 WHERE slug = ?1",
    /* ?1 now, ?2 article id: a row when the story is live. */
    [ST_COMMENT_ARTICLE] = "SELECT a.comments_off FROM articles a WHERE a.id = ?2 AND " LIVE,
    /* ?1 parent id, ?2 max depth: the parent's article, status and depth (1 for a top-level
     * comment), found by walking up at most ?2 levels. */
    [ST_COMMENT_PARENT] = "WITH RECURSIVE up (id, parent_id, depth) AS ("
                          " SELECT id, parent_id, 1 FROM comments WHERE id = ?1"
                          " UNION ALL SELECT c.id, c.parent_id, up.depth + 1 FROM up"
                          " JOIN comments c ON c.id = up.parent_id WHERE up.depth < ?2)"
                          " SELECT p.article_id, p.status, (SELECT max(depth) FROM up)"
                          " FROM comments p WHERE p.id = ?1",
    /* ?1 article, ?2 oldest created_at that counts, ?3 body hash, ?4 email, ?5 body */
    [ST_COMMENT_DUPLICATE] = "SELECT 1 FROM comments WHERE article_id = ?1 AND created_at >= ?2"
                             " AND body_hash = ?3 AND author_email = ?4 COLLATE NOCASE"
                             " AND body = ?5 LIMIT 1",
    [ST_COMMENT_KNOWN_EMAIL] = "SELECT 1 FROM comments WHERE author_email = ?1 COLLATE NOCASE"
                               " AND status = 1 LIMIT 1",
    [ST_COMMENT_INSERT] = "INSERT INTO comments (article_id, parent_id, author_name, author_email,"
                          " author_url, body, ip, user_agent, status, created_at, body_hash)"
                          " VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                          " RETURNING id",
    /* ?1 article, ?2 the comment shown whatever its status */
    [ST_COMMENTS_FOR_ARTICLE] = "SELECT " COMMENT_COLS ", NULL FROM comments c"
                                " WHERE c.article_id = ?1 AND (c.status = 1 OR c.id = ?2)"
                                " ORDER BY c.created_at, c.id",
    /* ?1 status, ?2 limit, ?3 offset */
    [ST_COMMENTS_LIST] =
        "SELECT " COMMENT_COLS ", a.slug FROM comments c"
        " JOIN articles a ON a.id = c.article_id" COMMENT_NEWEST " LIMIT ?2 OFFSET ?3",
    [ST_COMMENTS_LIST_STATUS] =
        "SELECT " COMMENT_COLS ", a.slug FROM comments c"
        " JOIN articles a ON a.id = c.article_id WHERE c.status = ?1" COMMENT_NEWEST
        " LIMIT ?2 OFFSET ?3",
    /* ?1 now, ?2 article, ?3 limit. Site-wide, only comments on live stories. */
    [ST_COMMENTS_RECENT] =
        "SELECT " COMMENT_COLS ", a.slug FROM comments c"
        " JOIN articles a ON a.id = c.article_id WHERE c.status = 1 AND " LIVE COMMENT_NEWEST
        " LIMIT ?3",
    [ST_COMMENTS_RECENT_ARTICLE] =
        "SELECT " COMMENT_COLS ", a.slug FROM comments c"
        " JOIN articles a ON a.id = c.article_id"
        " WHERE c.article_id = ?2 AND c.status = 1" COMMENT_NEWEST " LIMIT ?3",
    [ST_COMMENTS_MISSING] = "SELECT j.value FROM json_each(?1) j WHERE NOT EXISTS"
                            " (SELECT 1 FROM comments c WHERE c.id = j.value) LIMIT 1",
    [ST_COMMENTS_SET_STATUS] =
        "UPDATE comments SET status = ?2 WHERE id IN (SELECT value FROM json_each(?1))",
    [ST_COMMENTS_DELETE] = "DELETE FROM comments WHERE id IN (SELECT value FROM json_each(?1))",
    [ST_COMMENT_COUNTS] = "SELECT j.key, (SELECT count(*) FROM comments c"
                          " WHERE c.article_id = j.value AND c.status = 1) FROM json_each(?1) j",
    [ST_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [ST_SETTING_SET] = "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [ST_SETTINGS_LIST] = "SELECT key, value FROM settings ORDER BY key",
    /* Web Push (migration 8) */
    [ST_PUSH_VAPID_GET] = "SELECT private_key, public_key FROM push_vapid WHERE id = 1",
    [ST_PUSH_VAPID_PUT] = "INSERT INTO push_vapid (id, private_key, public_key, created_at)"
                          " VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
    [ST_PUSH_SUBSCRIBE] = "INSERT INTO push_subscriptions (endpoint, p256dh, auth, created_at)"
                          " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (endpoint) DO UPDATE"
                          " SET p256dh = excluded.p256dh, auth = excluded.auth",
    [ST_PUSH_UNSUBSCRIBE] = "DELETE FROM push_subscriptions WHERE endpoint = ?1",
    [ST_PUSH_SUBSCRIPTION_DELETE] = "DELETE FROM push_subscriptions WHERE id = ?1",
    /* ?1 article id, ?2 now: no row changed when the story was marked before */
    [ST_PUSH_BREAKING_MARK] = "INSERT INTO push_breaking (article_id, marked_at, queued)"
                              " VALUES (?1, ?2, 0) ON CONFLICT (article_id) DO NOTHING",
    [ST_PUSH_BREAKING_GET] = "SELECT queued, marked_at FROM push_breaking WHERE article_id = ?1",
    /* ?1 article id, ?2 now: one waiting message per subscriber ("WHERE true" lets the parser
     * tell the upsert clause from a join) */
    [ST_PUSH_QUEUE] = "INSERT INTO push_messages (subscription_id, article_id, next_attempt_at)"
                      " SELECT id, ?1, ?2 FROM push_subscriptions WHERE true"
                      " ON CONFLICT (subscription_id, article_id) DO NOTHING",
    [ST_PUSH_BREAKING_QUEUED] = "UPDATE push_breaking SET queued = ?2 WHERE article_id = ?1",
    /* ?1 now, ?2 limit: waiting messages that are due, with what sending them needs */
    [ST_PUSH_DUE] = "SELECT m.id, m.subscription_id, m.article_id, m.attempts, s.endpoint,"
                    " s.p256dh, s.auth, a.slug, a.headline, a.lead,"
                    " a.status >= 1 AND a.published_at <= ?1"
                    " FROM push_messages m INDEXED BY push_messages_due"
                    " JOIN push_subscriptions s ON s.id = m.subscription_id"
                    " JOIN articles a ON a.id = m.article_id"
                    " WHERE m.state = 0 AND m.next_attempt_at <= ?1"
                    " ORDER BY m.next_attempt_at, m.id LIMIT ?2",
    /* ?1 id, ?2 lease end */
    [ST_PUSH_CLAIM] = "UPDATE push_messages SET attempts = attempts + 1, next_attempt_at = ?2"
                      " WHERE id = ?1 AND state = 0",
    /* ?1 id, ?2 state, ?3 retry time (state 0) or when it ended */
    [ST_PUSH_FINISH] = "UPDATE push_messages SET state = ?2,"
                       " next_attempt_at = CASE WHEN ?2 = 0 THEN ?3 ELSE next_attempt_at END,"
                       " done_at = CASE WHEN ?2 = 0 THEN NULL ELSE ?3 END"
                       " WHERE id = ?1 AND state = 0",
    [ST_PUSH_NEXT_DUE] = "SELECT min(next_attempt_at) FROM push_messages WHERE state = 0",
    /* ?1 the oldest end to keep; push_messages_due covers the range (a row's last
     * next_attempt_at is when its last attempt was claimed, before it ended) */
    [ST_PUSH_PRUNE] = "DELETE FROM push_messages WHERE state IN (1, 2) AND next_attempt_at < ?1"
                      " AND done_at < ?1",
    [ST_PUSH_COUNTS] = "SELECT -1, count(*) FROM push_subscriptions UNION ALL"
                       " SELECT state, count(*) FROM push_messages GROUP BY state",
    /* The newest matches with ids in [?6, ?7) (highest rowid first: FTS5 seeks to ?7, walks its
     * doclists backwards and stops at ?6 or at ?4 rows) with their bm25 rank; store_search
     * orders them. Ranking every match of a common word at 100,000 stories cost 144 ms at p99;
     * this window costs the same at any size, and the id range lets store_search read the
     * archive in slices, newest first, within a time budget. */
    [ST_SEARCH] = "SELECT article_search.rowid, gazette_rank(article_search, ?5, a.search_len),"
                  " a.published_at" SEARCH_FROM
                  " AND article_search.rowid >= ?6 AND article_search.rowid < ?7"
                  " ORDER BY article_search.rowid DESC LIMIT ?4",
    /* ?1 one phrase, ?2 how many: the phrase's newest matches, live or not (search_rank.h). */
    [ST_SEARCH_SAMPLE] = "SELECT rowid FROM article_search WHERE article_search MATCH ?1"
                         " ORDER BY rowid DESC LIMIT ?2",
    /* ?1 now, ?2 a JSON array of ids: those live, in the array's order */
    [ST_BY_IDS] = "SELECT " ART_COLS " FROM json_each(?2) j CROSS JOIN articles a ON a.id = j.value"
                  " WHERE " LIVE " ORDER BY j.key",
    [ST_CHANGES_SINCE] = "SELECT id, kind, ref FROM changes WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_CHANGES_HEAD] = "SELECT coalesce(max(id), 0) FROM changes",
    [ST_DATA_VERSION] = "PRAGMA data_version",
    /* ?1 now, ?2 a slug or NULL: topics (authors) with their live stories counted */
    [ST_TOPICS_COUNTED] = "SELECT t.id, t.slug, t.name, t.description, count(*),"
                          " max(max(a.published_at, a.updated_at)) FROM topics t"
                          " CROSS JOIN article_topics x ON x.topic_id = t.id"
                          " CROSS JOIN articles a ON a.id = x.article_id"
                          " WHERE " LIVE " AND (?2 IS NULL OR t.slug = ?2)"
                          " GROUP BY t.id ORDER BY t.name COLLATE NOCASE, t.name, t.id",
    [ST_AUTHORS_COUNTED] = "SELECT u.id, u.slug, u.name, u.bio, count(*),"
                           " max(max(a.published_at, a.updated_at)) FROM authors u"
                           " CROSS JOIN article_authors y ON y.author_id = u.id"
                           " CROSS JOIN articles a ON a.id = y.article_id"
                           " WHERE " LIVE " AND (?2 IS NULL OR u.slug = ?2)"
                           " GROUP BY u.id ORDER BY u.name COLLATE NOCASE, u.name, u.id",
    [ST_API_KEY_ADD] = "INSERT INTO api_keys (name, key_hash, created_at) VALUES (?1, ?2, ?3)",
    [ST_API_KEYS_LIST] = "SELECT name, key_hash, created_at FROM api_keys ORDER BY name",
    [ST_API_KEY_REVOKE] = "DELETE FROM api_keys WHERE name = ?1",
    [ST_ID_RANGE] = "SELECT (SELECT min(id) FROM articles), (SELECT max(id) FROM articles)",
    /* ?1 a JSON array of article ids: the hits of a page of ST_SEARCH with their indexed
     * text, read by rowid (no MATCH: search_snippet.c makes the passage), in the array's
     * order, each with its index in the array. */
    [ST_SEARCH_HITS] = "SELECT " ART_COLS ", s.body, s.lead, s.headline, s.kicker, j.key"
                       " FROM json_each(?1) j CROSS JOIN articles a ON a.id = j.value"
                       " CROSS JOIN article_search s ON s.rowid = a.id ORDER BY j.key",
    /* ?1 article id: the article's row in the index, replaced after every save. */
    [ST_SEARCH_INDEX_DELETE] = "DELETE FROM article_search WHERE rowid = ?1",
    [ST_SEARCH_INDEX_ADD] = "INSERT INTO article_search (rowid, headline, kicker, lead, body)"
                            " SELECT id, " SEARCH_COLUMNS " FROM articles WHERE id = ?1",
    /* ?1 article id: its length in indexed words, for ranking (migration 11) */
    [ST_SEARCH_LEN_SET] = SQLITE_SEARCH_LEN_SET,
    /* merges the index's segments into one (store_search_pack) */
    [ST_SEARCH_PACK] = "INSERT INTO article_search (article_search) VALUES ('optimize')",
    [ST_PAGE_LIVE] = "SELECT " ART_COLS ART_BODY
                     " FROM articles a WHERE a.slug = ?2 AND " LIVE_ANY_KIND " AND a.kind = 'page'",
    [ST_PAGES_LIST] =
        "SELECT a.slug FROM articles a WHERE " LIVE_ANY_KIND " AND a.kind = 'page' ORDER BY a.slug",
    [ST_REDIRECT] = "SELECT target FROM redirects WHERE path = ?1",
};

/* Topics and authors are looked up and created the same way; these name the statements. */
typedef struct {
    enum stmt_id by_slug, by_name, max_id, insert, link_clear, link_add;
    const char *kind; /* "topic", "author": messages and fallback slugs */
} entity_kind;

static const entity_kind topic_kind = {
    ST_TOPIC_ID_BY_SLUG,     ST_TOPIC_ID_BY_NAME,  ST_TOPIC_MAX_ID, ST_TOPIC_INSERT,
    ST_ARTICLE_TOPICS_CLEAR, ST_ARTICLE_TOPIC_ADD, "topic"};
static const entity_kind author_kind = {
    ST_AUTHOR_ID_BY_SLUG,     ST_AUTHOR_ID_BY_NAME,  ST_AUTHOR_MAX_ID, ST_AUTHOR_INSERT,
    ST_ARTICLE_AUTHORS_CLEAR, ST_ARTICLE_AUTHOR_ADD, "author"};

/* ---- Store and connections ------------------------------------------------------------- */
typedef struct conn {
    thread_conn link; /* first: the store's list of connections (thread_conns.h) */
    sqlite3 *db;
    sqlite3_stmt *stmts[ST__N];     /* prepared on first use, finalized at close */
    char err[ERR_MAX];              /* why the last call on this thread failed */
    search_df_cache df_cache;       /* search_rank.h */
    long long seen_data_version;    /* store_changed_since_last_look */
    sqlite3_int64 seen_own_changes; /* rows this connection had changed at that look */
    bool seen_valid;
    bool outer_read; /* inside store_read_begin / store_read_end */
} conn;

/* The SQLite backend's store (store_backend.h: the head comes first). */
typedef struct sqlite_store {
    store base;
    char *path;
    int version;
    thread_conns conns;        /* one per thread, closed by store_close */
    _Atomic unsigned cache_mb; /* store_set_cache_mb; 0: SQLite's default */
} sqlite_store;

static store_status map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return STORE_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_BUSY;
    case SQLITE_CONSTRAINT:
        return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? STORE_CONFLICT
                                                                                    : STORE_INVALID;
    case SQLITE_NOTADB:
    case SQLITE_ERROR: /* SQL that does not fit the schema: not the database we expect */
        return STORE_SCHEMA;
    case SQLITE_FULL:
        return STORE_FULL;
    default:
        return STORE_IO; /* IOERR, CANTOPEN, READONLY, PERM, CORRUPT, NOMEM... */
    }
}

store_status sqlite_status(int rc)
{
    return map_rc(rc);
}

static void vmsg(char *err, size_t errlen, const char *fmt, va_list ap)
{
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
}

static store_status msg(char *err, size_t errlen, store_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static store_status msg(char *err, size_t errlen, store_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(err, errlen, fmt, ap);
    va_end(ap);
    return st;
}

static store_status failf(conn *c, store_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static store_status failf(conn *c, store_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return st;
}

static store_status db_fail(conn *c, int rc, const char *what)
{
    return failf(c, map_rc(rc), "%s: %s", what, sqlite3_errmsg(c->db));
}

static void conn_free(thread_conn *link)
{
    conn *c = (conn *)link;
    for (int i = 0; i < ST__N; i++)
        sqlite3_finalize(c->stmts[i]);
    sqlite3_close_v2(c->db);
    free(c);
}

/* SQL gazette_search_text(text, is_html): what the search index holds of a column
 * (search_text_plain). NULL stays NULL. */
static void search_text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    if (!text) return sqlite3_result_null(ctx);
    arena *a = arena_new();
    const char *plain = search_text_plain(a, text, sqlite3_value_int(argv[1]) != 0);
    sqlite3_result_text64(ctx, plain, strlen(plain), SQLITE_TRANSIENT, SQLITE_UTF8);
    arena_free(a);
}

/* Opens a raw connection with extended error codes, the busy timeout and Gazette's SQL
 * functions set. */
static int db_open(const char *path, int flags, sqlite3 **out)
{
    int rc = sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (*out) {
        sqlite3_extended_result_codes(*out, 1);
        sqlite3_busy_timeout(*out, BUSY_TIMEOUT_MS);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(*out, "gazette_search_text", 2,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                        NULL, search_text_fn, NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = search_rank_register(*out);
    if (rc == SQLITE_OK) rc = search_tokenizer_register(*out);
    return rc;
}

/* Per-connection settings (journal_mode is per-file and set once, at open/create). */
static int db_configure(sqlite3 *db)
{
    return sqlite3_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", NULL, NULL,
                        NULL);
}

/* PRAGMA cache_size in KiB (negative), mb 0 leaving SQLite's default. */
static int set_cache(sqlite3 *db, unsigned mb)
{
    if (!mb) return SQLITE_OK;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%llu", (unsigned long long)mb * 1024);
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

store_status sqlite_store_set_cache_mb(store *base, unsigned mb)
{
    sqlite_store *s = (sqlite_store *)base;
    s->cache_mb = mb;
    conn *c = (conn *)thread_conns_mine(&s->conns);
    int rc = c ? set_cache(c->db, mb) : SQLITE_OK;
    return rc == SQLITE_OK ? STORE_OK : db_fail(c, rc, "setting the page cache's size");
}

static store_status conn_add(sqlite_store *s, sqlite3 *db, conn **out)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) return STORE_IO;
    c->db = db;
    if (!thread_conns_add(&s->conns, &c->link)) {
        free(c); /* the caller still owns db */
        return STORE_IO;
    }
    *out = c;
    return STORE_OK;
}

/* This thread's connection, opened on its first call. */
static store_status conn_get(store *base, conn **out)
{
    sqlite_store *s = (sqlite_store *)base;
    conn *c = (conn *)thread_conns_mine(&s->conns);
    if (c) {
        c->err[0] = '\0';
        *out = c;
        return STORE_OK;
    }
    sqlite3 *db = NULL;
    int rc = db_open(s->path, SQLITE_OPEN_READWRITE, &db);
    if (rc == SQLITE_OK) rc = db_configure(db);
    if (rc == SQLITE_OK) rc = set_cache(db, s->cache_mb);
    store_status st = rc == SQLITE_OK ? conn_add(s, db, out) : map_rc(rc);
    if (st != STORE_OK) sqlite3_close_v2(db);
    return st;
}

const char *sqlite_store_last_error(store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    conn *c = s ? (conn *)thread_conns_mine(&s->conns) : NULL;
    return c ? c->err : "no database connection for this thread";
}

int sqlite_store_schema_version(store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    return s->version;
}

/* Call once the other threads are done with the store (joined, or never to call again):
 * their connections are closed here, or already were when they exited. */
void sqlite_store_close(store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    if (!s) return;
    thread_conns_close(&s->conns);
    free(s->path);
    free(s);
}

/* ---- Statement helpers ---------------------------------------------------------------- */
static store_status prep(conn *c, enum stmt_id id, sqlite3_stmt **out)
{
    *out = NULL;
    if (!c->stmts[id]) {
        int rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                    &c->stmts[id], NULL);
        if (rc != SQLITE_OK) return db_fail(c, rc, "preparing a query");
    }
    *out = c->stmts[id];
    return STORE_OK;
}

/* Every use of a cached statement ends here, so none keeps a read snapshot open. */
static void done(sqlite3_stmt *st)
{
    if (!st) return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Binding keeps the first error; text is bound without copying (it outlives the step). */
typedef struct {
    sqlite3_stmt *st;
    int rc;
} binder;

static void bind_text(binder *b, int i, const char *s)
{
    if (b->rc == SQLITE_OK) b->rc = sqlite3_bind_text(b->st, i, s, -1, SQLITE_STATIC);
}

static void bind_int(binder *b, int i, long long v)
{
    if (b->rc == SQLITE_OK) b->rc = sqlite3_bind_int64(b->st, i, v);
}

static long long clamp_size(size_t v)
{
    return v > (size_t)INT64_MAX ? INT64_MAX : (long long)v;
}

/* Steps st unless the binding or an earlier step failed; true while there is a row. After
 * the loop *rc is SQLITE_DONE or the error. */
static bool next_row(sqlite3_stmt *st, int *rc)
{
    if (*rc != SQLITE_OK && *rc != SQLITE_ROW) return false;
    *rc = sqlite3_step(st);
    return *rc == SQLITE_ROW;
}

/* Steps a statement to the end; *first (may be NULL) gets column 0 of the first row.
 * Returns STORE_NOT_FOUND when want_row and there was no row. */
static store_status run(conn *c, sqlite3_stmt *st, int bind_rc, bool want_row, long long *first,
                        const char *what)
{
    int rc = bind_rc, rows = 0;
    while (next_row(st, &rc)) {
        if (rows++ == 0 && first) *first = sqlite3_column_int64(st, 0);
    }
    store_status rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, what);
    done(st);
    if (rs == STORE_OK && want_row && rows == 0) rs = STORE_NOT_FOUND;
    return rs;
}

static store_status exec_id(conn *c, enum stmt_id id, const char *what)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, id, &st);
    return rs != STORE_OK ? rs : run(c, st, SQLITE_OK, false, NULL, what);
}

/* Ends the transaction the connection is in, if any: COMMIT when rs is STORE_OK (rolling
 * back if that fails), ROLLBACK otherwise. Returns the outcome. */
static store_status tx_finish(conn *c, store_status rs)
{
    if (c->outer_read) return rs;                 /* the outer read ends it (store_read_end) */
    if (sqlite3_get_autocommit(c->db)) return rs; /* never began, or SQLite rolled back */
    if (rs == STORE_OK) {
        c->err[0] = '\0'; /* a failure handled on the way (a retried insert) is no failure */
        rs = exec_id(c, ST_COMMIT, "committing");
        if (rs == STORE_OK || sqlite3_get_autocommit(c->db)) return rs;
    }
    char keep[ERR_MAX];
    memcpy(keep, c->err, sizeof keep);
    exec_id(c, ST_ROLLBACK, "rolling back");
    memcpy(c->err, keep, sizeof keep);
    return rs;
}

/* Starts a read transaction, unless the thread's outer read (store_read_begin) holds one. */
static store_status begin_read(conn *c)
{
    return c->outer_read ? STORE_OK : exec_id(c, ST_BEGIN, "starting a read");
}

store_status sqlite_store_read_begin(store *s)
{
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || c->outer_read) return rs;
    if ((rs = exec_id(c, ST_BEGIN, "starting the request's read")) == STORE_OK)
        c->outer_read = true;
    return rs;
}

void sqlite_store_read_end(store *s)
{
    conn *c;
    if (conn_get(s, &c) != STORE_OK || !c->outer_read) return;
    c->outer_read = false;
    tx_finish(c, STORE_OK);
}

static long long now_unix(void)
{
    return (long long)time(NULL);
}

/* ---- Opening and migrations ------------------------------------------------------------ */
/* Runs constant SQL returning at most one integer (0 when no row). */
static int db_int(sqlite3 *db, const char *sql, long long *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    *out = 0;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) *out = sqlite3_column_int64(st, 0);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int latest_migration(void)
{
    return store_n_migrations ? store_migrations[store_n_migrations - 1].number : 0;
}

/* Refuses files that are not SQLite, not Gazette's, or from a newer Gazette. */
static store_status check_identity(sqlite3 *db, const char *path, bool creating, char *err,
                                   size_t errlen)
{
    long long objects = 0, ours = 0, version = 0;
    int rc = db_int(db, "SELECT count(*) FROM sqlite_schema", &objects);
    if (rc == SQLITE_OK)
        rc = db_int(db,
                    "SELECT count(*) FROM sqlite_schema"
                    " WHERE type = 'table' AND name = 'schema_migrations'",
                    &ours);
    if ((rc & 0xff) == SQLITE_NOTADB)
        return msg(err, errlen, STORE_SCHEMA, "'%s' is not a SQLite database (nor a Gazette one)",
                   path);
    if (rc != SQLITE_OK)
        return msg(err, errlen, map_rc(rc), "cannot open '%s': %s", path, sqlite3_errmsg(db));
    if (creating) return STORE_OK; /* an empty file: checked by store_create */
    if (objects == 0)
        return msg(err, errlen, STORE_SCHEMA,
                   "'%s' is an empty database; create a Gazette database with "
                   "'gazette init --db %s'",
                   path, path);
    if (!ours)
        return msg(err, errlen, STORE_SCHEMA,
                   "'%s' is a SQLite database but not a Gazette one (no schema_migrations table)",
                   path);
    if (db_int(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", &version))
        return msg(err, errlen, STORE_SCHEMA, "'%s' is not a Gazette database: %s", path,
                   sqlite3_errmsg(db));
    if (version > latest_migration())
        return msg(err, errlen, STORE_SCHEMA,
                   "'%s' has schema version %lld but this gazette only knows up to %d; "
                   "use a newer gazette",
                   path, version, latest_migration());
    return STORE_OK;
}

/* WAL needs write access to the file and its directory; say so up front, not mid-request. */
static store_status set_wal(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    if (sqlite3_db_readonly(db, "main") == 1)
        return msg(err, errlen, STORE_IO,
                   "'%s' is read-only; Gazette needs write access to it and to its directory",
                   path);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    bool wal = rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
               strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    store_status rs = STORE_OK;
    if (rc != SQLITE_ROW)
        rs = msg(err, errlen, map_rc(rc), "cannot set up '%s': %s", path, sqlite3_errmsg(db));
    else if (!wal)
        rs = msg(err, errlen, STORE_IO,
                 "cannot switch '%s' to WAL mode (is its directory writable?)", path);
    sqlite3_finalize(st);
    if (rs == STORE_OK && (rc = db_configure(db)) != SQLITE_OK)
        rs = msg(err, errlen, map_rc(rc), "cannot set up '%s': %s", path, sqlite3_errmsg(db));
    return rs;
}

/* Applies one migration unless another process did it first; its own transaction. */
static int apply_migration(sqlite3 *db, const store_migration *m)
{
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_stmt *st = NULL;
    rc =
        sqlite3_prepare_v2(db, "SELECT 1 FROM schema_migrations WHERE version = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 1, m->number);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) { /* not applied yet */
        rc = sqlite3_exec(db, m->sql, NULL, NULL, NULL);
        st = NULL;
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(
                db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                -1, &st, NULL);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 1, m->number);
        if (rc == SQLITE_OK) rc = sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(st, 3, now_unix());
        if (rc == SQLITE_OK) rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static store_status migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    for (size_t i = 0; i < store_n_migrations; i++) {
        const store_migration *m = &store_migrations[i];
        int rc = apply_migration(db, m);
        if (rc != SQLITE_OK)
            return msg(err, errlen, map_rc(rc), "'%s': migration %d (%s) failed: %s", path,
                       m->number, m->name, sqlite3_errmsg(db));
    }
    return STORE_OK;
}

static store_status store_new(const char *path, sqlite3 *db, store **out)
{
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return STORE_IO;
    }
    s->version = latest_migration();
    if (!thread_conns_init(&s->conns, conn_free)) {
        free(s->path);
        free(s);
        return STORE_IO;
    }
    s->base.backend = &sqlite_store_backend;
    conn *c;
    if (conn_add(s, db, &c) != STORE_OK) {
        sqlite_store_close(&s->base);
        return STORE_IO;
    }
    *out = &s->base;
    return STORE_OK;
}

/* Shared by store_open and store_create once the file is known to exist. */
static store_status store_start(const char *path, bool creating, store **out, char *err,
                                size_t errlen)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (creating ? SQLITE_OPEN_CREATE : 0);
    int rc = db_open(path, flags, &db);
    store_status rs = STORE_OK;
    if (rc != SQLITE_OK)
        rs = msg(err, errlen, map_rc(rc) == STORE_SCHEMA ? STORE_IO : map_rc(rc),
                 "cannot open '%s': %s", path, db ? sqlite3_errmsg(db) : "out of memory");
    if (rs == STORE_OK) rs = check_identity(db, path, creating, err, errlen);
    if (rs == STORE_OK) rs = set_wal(db, path, err, errlen);
    if (rs == STORE_OK && creating) {
        rc = sqlite3_exec(db, store_migrations_table_sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            rs = msg(err, errlen, map_rc(rc), "cannot initialise '%s': %s", path,
                     sqlite3_errmsg(db));
    }
    if (rs == STORE_OK) rs = migrate(db, path, err, errlen);
    if (rs == STORE_OK && (rs = store_new(path, db, out)) != STORE_OK)
        msg(err, errlen, rs, "out of memory or thread keys opening '%s'", path);
    if (rs != STORE_OK) sqlite3_close_v2(db);
    return rs;
}

store_status sqlite_store_open(const char *location, store **out, char *err, size_t errlen)
{
    *out = NULL;
    msg(err, errlen, STORE_OK, "%s", "");
    if (!location || !*location)
        return msg(err, errlen, STORE_INVALID, "no database file given (--db FILE)");
    struct stat sb;
    if (stat(location, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return msg(err, errlen, STORE_NOT_FOUND,
                       "database file '%s' does not exist; create it with "
                       "'gazette init --db %s'",
                       location, location);
        return msg(err, errlen, STORE_IO, "cannot access '%s': %s", location, strerror(errno));
    }
    if (!S_ISREG(sb.st_mode))
        return msg(err, errlen, STORE_IO, "'%s' is not a regular file", location);
    return store_start(location, false, out, err, errlen);
}

static void remove_db_files(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char name[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (snprintf(name, sizeof name, "%s%s", path, suffixes[i]) < (int)sizeof name) unlink(name);
    }
}

store_status sqlite_store_create(const char *location, store **out, char *err, size_t errlen)
{
    *out = NULL;
    msg(err, errlen, STORE_OK, "%s", "");
    if (!location || !*location)
        return msg(err, errlen, STORE_INVALID, "no database file given (--db FILE)");
    int fd = open(location, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    bool made = fd >= 0;
    if (made) {
        close(fd);
    } else {
        struct stat sb;
        if (errno != EEXIST)
            return msg(err, errlen, STORE_IO, "cannot create '%s': %s", location, strerror(errno));
        if (stat(location, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > 0)
            return msg(err, errlen, STORE_CONFLICT,
                       "'%s' already exists; open it with --db, or remove it first", location);
    }
    store_status rs = store_start(location, true, out, err, errlen);
    if (rs != STORE_OK && made) remove_db_files(location);
    return rs;
}

/* ---- Reading articles ------------------------------------------------------------------ */
static void read_article(sqlite3_stmt *st, arena *a, store_article *o, bool with_body)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(st, 0);
    o->slug = sqlite_column_copy(a, st, 1);
    o->kicker = sqlite_column_copy(a, st, 2);
    o->headline = sqlite_column_copy(a, st, 3);
    o->lead = sqlite_column_copy(a, st, 4);
    o->image_url = sqlite_column_copy(a, st, 5);
    o->image_caption = sqlite_column_copy(a, st, 6);
    o->image_credit = sqlite_column_copy(a, st, 7);
    o->image_alt = sqlite_column_copy(a, st, 8);
    o->status = (article_status)sqlite3_column_int(st, 9);
    o->published_at = sqlite3_column_int64(st, 10);
    o->updated_at = sqlite3_column_int64(st, 11);
    o->comments_off = sqlite3_column_int(st, 12) != 0;
    o->comments_days = (unsigned)sqlite3_column_int(st, 13);
    o->created_at = sqlite3_column_int64(st, 14);
    o->body_format = sqlite_column_copy(a, st, 15);
    const unsigned char *kind = sqlite3_column_text(st, 16);
    o->is_page = kind && strcmp((const char *)kind, "page") == 0;
    o->sticky = sqlite3_column_int(st, 17) != 0;
    if (with_body) {
        o->body_markdown = sqlite_column_copy(a, st, ART_NCOLS);
        o->body_html = sqlite_column_copy(a, st, ART_NCOLS + 1);
    }
}

/* Steps a bound article statement, collecting every row; resets it. */
static store_status collect_articles(conn *c, sqlite3_stmt *st, int bind_rc, arena *a,
                                     bool with_body, store_article **out, size_t *n)
{
    store_article *v = NULL;
    size_t len = 0, cap = 0;
    int rc = bind_rc;
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        read_article(st, a, &v[len++], with_body);
    }
    store_status rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "reading articles");
    done(st);
    *out = rs == STORE_OK ? v : NULL;
    *n = rs == STORE_OK ? len : 0;
    return rs;
}

/* "[id,id,...]" for json_each. */
static char *ids_json(arena *a, const store_article *v, size_t n)
{
    size_t cap = n * 22 + 3, len = 0;
    char *s = arena_alloc(a, cap);
    s[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%lld", i ? "," : "", v[i].id);
    s[len++] = ']';
    return s;
}

/* Fills topics (is_topics) or authors of v[0..n) from one FILL query. */
static store_status fill_one(conn *c, arena *a, store_article *v, size_t n, const char *ids,
                             bool is_topics)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, is_topics ? ST_FILL_TOPICS : ST_FILL_AUTHORS, &st);
    if (rs != STORE_OK) return rs;
    int rc = sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
    while (next_row(st, &rc)) {
        long long k = sqlite3_column_int64(st, 0), count = sqlite3_column_int64(st, 1);
        if (k < 0 || (size_t)k >= n || count <= 0) continue;
        store_article *art = &v[k];
        long long id = sqlite3_column_int64(st, 2);
        const char *slug = sqlite_column_copy(a, st, 3), *name = sqlite_column_copy(a, st, 4);
        const char *extra = sqlite_column_copy(a, st, 5);
        if (is_topics) {
            if (!art->topics) art->topics = arena_alloc(a, (size_t)count * sizeof *art->topics);
            if (art->n_topics < (size_t)count)
                art->topics[art->n_topics++] = (store_topic){id, slug, name, extra};
        } else {
            if (!art->authors) art->authors = arena_alloc(a, (size_t)count * sizeof *art->authors);
            if (art->n_authors < (size_t)count)
                art->authors[art->n_authors++] = (store_author){id, slug, name, extra};
        }
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "reading topics and authors");
    done(st);
    return rs;
}

/* Topics (in position order, primary first) and authors for a page: two queries. */
static store_status fill_links(conn *c, arena *a, store_article *v, size_t n)
{
    if (n == 0) return STORE_OK;
    const char *ids = ids_json(a, v, n);
    store_status rs = fill_one(c, a, v, n, ids, true);
    return rs != STORE_OK ? rs : fill_one(c, a, v, n, ids, false);
}

/* Binds ?1..?4 and ?7..?9 of a list or count statement (a count ignores the cursor: its total
 * is the whole list's). */
static void bind_filters(binder *b, const store_article_query *q, long long now, bool cursor)
{
    bind_int(b, 1, now);
    bind_int(b, 2, q->exclude_id);
    if (q->topic_slug) bind_text(b, 3, q->topic_slug);
    if (q->author_slug) bind_text(b, 4, q->author_slug);
    bind_int(b, 7, q->since ? q->since : LLONG_MIN);
    bool after = cursor && q->cursor_id;
    bind_int(b, 8, after ? q->cursor_published_at : LLONG_MAX);
    bind_int(b, 9, after ? q->cursor_id : LLONG_MAX);
}

static store_status list_in_tx(conn *c, arena *a, const store_article_query *q, long long now,
                               store_article **out, size_t *n, size_t *total)
{
    int variant = (q->topic_slug ? 1 : 0) | (q->author_slug ? 2 : 0);
    sqlite3_stmt *st;
    store_status rs = prep(c, (enum stmt_id)(ST_LIST + variant), &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_filters(&b, q, now, true);
    bind_int(&b, 5, clamp_size(q->limit));
    bind_int(&b, 6, clamp_size(q->offset));
    rs = collect_articles(c, st, b.rc, a, false, out, n);
    if (rs == STORE_OK) rs = fill_links(c, a, *out, *n);
    if (rs != STORE_OK || !total) return rs;
    if ((rs = prep(c, (enum stmt_id)(ST_COUNT + variant), &st)) != STORE_OK) return rs;
    b = (binder){st, SQLITE_OK};
    bind_filters(&b, q, now, false);
    long long count = 0;
    rs = run(c, st, b.rc, false, &count, "counting articles");
    *total = (size_t)count;
    return rs;
}

store_status sqlite_store_articles_list(store *s, arena *a, const store_article_query *q,
                                        store_article **out, size_t *n, size_t *total)
{
    *out = NULL;
    *n = 0;
    if (total) *total = 0;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!q) return failf(c, STORE_INVALID, "no query given");
    rs = begin_read(c);
    if (rs == STORE_OK) rs = list_in_tx(c, a, q, now_unix(), out, n, total);
    rs = tx_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
        if (total) *total = 0;
    }
    return rs;
}

/* One article (slug NULL: the top story) with body, topics and authors, in one snapshot. */
static store_status article_one(store *s, arena *a, enum stmt_id id, const char *slug,
                                store_article *out)
{
    memset(out, 0, sizeof *out);
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    sqlite3_stmt *st;
    if ((rs = begin_read(c)) == STORE_OK && (rs = prep(c, id, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_int(&b, 1, now_unix());
        if (slug) bind_text(&b, 2, slug);
        store_article *v;
        size_t n;
        rs = collect_articles(c, st, b.rc, a, true, &v, &n);
        if (rs == STORE_OK && n == 0)
            rs = failf(c, STORE_NOT_FOUND, "no such article: %s", slug ? slug : "(top story)");
        if (rs == STORE_OK) {
            *out = v[0];
            rs = fill_links(c, a, out, 1);
        }
    }
    rs = tx_finish(c, rs);
    if (rs != STORE_OK) memset(out, 0, sizeof *out);
    return rs;
}

store_status sqlite_store_article_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    if (!slug) {
        memset(out, 0, sizeof *out);
        return STORE_NOT_FOUND;
    }
    return article_one(s, a, ST_ARTICLE_LIVE, slug, out);
}

store_status sqlite_store_article_any_by_slug(store *s, arena *a, const char *slug,
                                              store_article *out)
{
    if (!slug) {
        memset(out, 0, sizeof *out);
        return STORE_NOT_FOUND;
    }
    return article_one(s, a, ST_ARTICLE_ANY, slug, out);
}

store_status sqlite_store_page_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    if (!slug) {
        memset(out, 0, sizeof *out);
        return STORE_NOT_FOUND;
    }
    return article_one(s, a, ST_PAGE_LIVE, slug, out);
}

store_status sqlite_store_pages_list(store *s, arena *a, const char ***slugs, size_t *n)
{
    *slugs = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_PAGES_LIST, &st)) != STORE_OK) return rs;
    const char **v = NULL;
    size_t len = 0, cap = 0;
    int rc = sqlite3_bind_int64(st, 1, now_unix());
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        v[len++] = sqlite_column_copy(a, st, 0);
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "listing pages");
    done(st);
    if (rs == STORE_OK) {
        *slugs = v;
        *n = len;
    }
    return rs;
}

store_status sqlite_store_redirect_lookup(store *s, arena *a, const char *path, const char **target)
{
    *target = NULL;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_REDIRECT, &st)) != STORE_OK) return rs;
    int rc = sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    if (next_row(st, &rc)) *target = sqlite_column_copy(a, st, 0);
    rs = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "reading redirects");
    done(st);
    if (rs == STORE_OK && !*target) rs = STORE_NOT_FOUND;
    return rs;
}

store_status sqlite_store_article_top(store *s, arena *a, store_article *out)
{
    return article_one(s, a, ST_ARTICLE_TOP, NULL, out);
}

store_status sqlite_store_article_stamps(store *s, arena *a, size_t limit, size_t offset,
                                         store_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_ARTICLE_STAMPS, &st)) != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, now_unix());
    bind_int(&b, 2, clamp_size(limit));
    bind_int(&b, 3, clamp_size(offset));
    store_article *v = NULL;
    size_t len = 0, cap = 0;
    int rc = b.rc;
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        v[len++] = (store_article){.id = sqlite3_column_int64(st, 0),
                                   .slug = sqlite_column_copy(a, st, 1),
                                   .headline = sqlite_column_copy(a, st, 2),
                                   .status = ARTICLE_PUBLISHED,
                                   .published_at = sqlite3_column_int64(st, 3),
                                   .updated_at = sqlite3_column_int64(st, 4)};
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "listing articles");
    done(st);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

store_status sqlite_store_articles_related_by_topics(store *s, arena *a, long long article_id,
                                                     size_t limit, store_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    sqlite3_stmt *st;
    if ((rs = begin_read(c)) == STORE_OK && (rs = prep(c, ST_RELATED, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_int(&b, 1, now_unix());
        bind_int(&b, 2, article_id);
        bind_int(&b, 3, clamp_size(limit));
        rs = collect_articles(c, st, b.rc, a, false, out, n);
        if (rs == STORE_OK) rs = fill_links(c, a, *out, *n);
    }
    rs = tx_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
    }
    return rs;
}

store_status sqlite_store_articles_changed_since(store *s, arena *a, long long since, size_t limit,
                                                 store_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    sqlite3_stmt *st;
    if ((rs = begin_read(c)) == STORE_OK && (rs = prep(c, ST_CHANGED, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_int(&b, 1, now_unix());
        bind_int(&b, 2, since);
        bind_int(&b, 3, clamp_size(limit));
        rs = collect_articles(c, st, b.rc, a, true, out, n);
        if (rs == STORE_OK) rs = fill_links(c, a, *out, *n);
    }
    rs = tx_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
    }
    return rs;
}

store_status sqlite_store_missing_read_also(store *s, arena *a, store_missing_link **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_MISSING_READ_ALSO, &st)) != STORE_OK) return rs;
    store_missing_link *v = NULL;
    size_t len = 0, cap = 0;
    int rc = sqlite3_bind_int64(st, 1, now_unix());
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        v[len++] = (store_missing_link){sqlite_column_copy(a, st, 0), sqlite_column_copy(a, st, 1)};
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "listing read-also links");
    done(st);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

long long sqlite_store_last_change(store *s)
{
    conn *c;
    sqlite3_stmt *st;
    if (conn_get(s, &c) != STORE_OK || prep(c, ST_LAST_CHANGE, &st) != STORE_OK) return 0;
    long long stamp = 0;
    run(c, st, sqlite3_bind_int64(st, 1, now_unix()), false, &stamp, "reading last change");
    return stamp;
}

/* ---- Saving articles ------------------------------------------------------------------- */
/* Everything the store refuses, checked before anything is written. i is 1-based. */
static store_status check_input(conn *c, const store_article_input *in, size_t i)
{
    char why[512];
    return store_article_input_ok(in, i, why, sizeof why) ? STORE_OK
                                                          : failf(c, STORE_INVALID, "%s", why);
}

static store_status lookup_id(conn *c, enum stmt_id id, const char *text, long long *out)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, id, &st);
    if (rs != STORE_OK) return rs;
    return run(c, st, sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC), true, out, "looking up");
}

/* Inserts a topic (description, created_at) or an author (bio); returns its id. */
static store_status entity_insert(conn *c, const entity_kind *k, const char *slug, const char *name,
                                  const char *extra, long long now, long long *id)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, k->insert, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_text(&b, 1, slug);
    bind_text(&b, 2, name);
    bind_text(&b, 3, extra);
    if (k == &topic_kind) bind_int(&b, 4, now);
    return run(c, st, b.rc, true, id, k == &topic_kind ? "adding a topic" : "adding an author");
}

/* The id of the topic or author called name: matched by the slug of the name, then by the
 * exact name, else created ("topic-<n>" when the name has nothing to make a slug from). */
static store_status entity_id(conn *c, arena *scratch, const entity_kind *k, const char *name,
                              long long now, long long *id)
{
    const char *slug = content_slugify(scratch, name);
    store_status rs = *slug ? lookup_id(c, k->by_slug, slug, id) : STORE_NOT_FOUND;
    if (rs == STORE_NOT_FOUND) rs = lookup_id(c, k->by_name, name, id);
    if (rs != STORE_NOT_FOUND) return rs;
    if (*slug) return entity_insert(c, k, slug, name, NULL, now, id);
    long long max_id = 0;
    sqlite3_stmt *st;
    if ((rs = prep(c, k->max_id, &st)) != STORE_OK ||
        (rs = run(c, st, SQLITE_OK, false, &max_id, "numbering")) != STORE_OK)
        return rs;
    rs = STORE_CONFLICT;
    for (long long n = max_id + 1; rs == STORE_CONFLICT && n <= max_id + 100; n++)
        rs = entity_insert(c, k, arena_printf(scratch, "%s-%lld", k->kind, n), name, NULL, now, id);
    return rs;
}

/* Runs a link insert (?1 article, ?2 other id or text, ?3 position); *added tells whether a
 * row went in (duplicates are skipped). */
static store_status link_add(conn *c, enum stmt_id id, long long article, long long other,
                             const char *text, long long pos, bool *added)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, id, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, article);
    if (text)
        bind_text(&b, 2, text);
    else
        bind_int(&b, 2, other);
    bind_int(&b, 3, pos);
    rs = run(c, st, b.rc, false, NULL, "linking an article");
    *added = sqlite3_changes(c->db) > 0;
    return rs;
}

static store_status link_clear(conn *c, enum stmt_id id, long long article)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, id, &st);
    if (rs != STORE_OK) return rs;
    return run(c, st, sqlite3_bind_int64(st, 1, article), false, NULL, "unlinking an article");
}

/* Replaces the article's topics or authors by those named, in order. */
static store_status replace_entities(conn *c, arena *scratch, const entity_kind *k,
                                     long long article, const char **names, size_t n, long long now)
{
    store_status rs = link_clear(c, k->link_clear, article);
    long long pos = 0;
    for (size_t i = 0; i < n && rs == STORE_OK; i++) {
        long long other;
        bool added = false;
        rs = entity_id(c, scratch, k, names[i], now, &other);
        if (rs == STORE_OK) rs = link_add(c, k->link_add, article, other, NULL, pos, &added);
        if (added) pos++;
    }
    return rs;
}

static store_status replace_read_also(conn *c, long long article, const char **slugs, size_t n)
{
    store_status rs = link_clear(c, ST_READ_ALSO_CLEAR, article);
    for (size_t i = 0; i < n && rs == STORE_OK; i++) {
        bool added;
        rs = link_add(c, ST_READ_ALSO_ADD, article, 0, slugs[i], (long long)i, &added);
    }
    return rs;
}

static store_status upsert_article(conn *c, const store_article_input *in, long long now,
                                   long long *id)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_ARTICLE_UPSERT, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    const char *text[] = {in->slug,          in->kicker,    in->headline,  in->lead,
                          in->body_markdown, in->body_html, in->image_url, in->image_caption,
                          in->image_credit,  in->image_alt};
    for (int i = 0; i < 10; i++)
        bind_text(&b, i + 1, text[i]);
    bind_int(&b, 11, (long long)in->status);
    bind_int(&b, 12, in->published_at ? in->published_at : now);
    bind_int(&b, 13, now);
    bind_int(&b, 14, in->published_at);
    bind_int(&b, 15, in->comments_off ? 1 : 0);
    bind_int(&b, 16, (long long)in->comments_days);
    bind_text(&b, 17, in->body_format ? in->body_format : "markdown");
    return run(c, st, b.rc, true, id, "saving an article");
}

/* Replaces the article's row in the search index by its text as just saved. */
static store_status reindex_article(conn *c, long long id)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_SEARCH_INDEX_DELETE, &st);
    if (rs == STORE_OK)
        rs = run(c, st, sqlite3_bind_int64(st, 1, id), false, NULL, "updating the search index");
    if (rs == STORE_OK) rs = prep(c, ST_SEARCH_INDEX_ADD, &st);
    if (rs == STORE_OK)
        rs = run(c, st, sqlite3_bind_int64(st, 1, id), false, NULL, "updating the search index");
    if (rs == STORE_OK) rs = prep(c, ST_SEARCH_LEN_SET, &st);
    if (rs == STORE_OK)
        rs = run(c, st, sqlite3_bind_int64(st, 1, id), false, NULL, "updating the search index");
    return rs;
}

/* Everything of a story saved besides its row: search index, topics, authors, read-also. */
static store_status save_links(conn *c, arena *scratch, const store_article_input *in,
                               long long now, long long id)
{
    store_status rs = reindex_article(c, id);
    if (rs == STORE_OK)
        rs = replace_entities(c, scratch, &topic_kind, id, in->topic_names, in->n_topics, now);
    if (rs == STORE_OK)
        rs = replace_entities(c, scratch, &author_kind, id, in->author_names, in->n_authors, now);
    if (rs == STORE_OK) rs = replace_read_also(c, id, in->read_also_slugs, in->n_read_also);
    return rs;
}

static store_status save_one(conn *c, arena *scratch, const store_article_input *in, size_t i,
                             long long now, long long *id)
{
    store_status rs = upsert_article(c, in, now, id);
    if (rs == STORE_OK) rs = save_links(c, scratch, in, now, *id);
    if (rs == STORE_OK) rs = sqlite_revision_write(c, *id, 0, NULL, now, NULL);
    if (rs != STORE_OK) {
        char keep[ERR_MAX];
        memcpy(keep, c->err, sizeof keep);
        failf(c, rs, "article %zu (%s): %s", i, in->slug, keep);
    }
    return rs;
}

store_status sqlite_store_articles_save(store *s, const store_article_input *inputs, size_t n,
                                        long long *ids)
{
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || n == 0) return rs;
    if (!inputs) return failf(c, STORE_INVALID, "no articles given");
    for (size_t i = 0; i < n && rs == STORE_OK; i++)
        rs = check_input(c, &inputs[i], i + 1);
    if (rs != STORE_OK) return rs;
    arena *scratch = arena_new();
    long long now = now_unix();
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    for (size_t i = 0; i < n && rs == STORE_OK; i++) {
        long long id = 0;
        rs = save_one(c, scratch, &inputs[i], i + 1, now, &id);
        if (ids) ids[i] = id;
        arena_reset(scratch);
    }
    rs = tx_finish(c, rs);
    arena_free(scratch);
    if (rs != STORE_OK && ids) memset(ids, 0, n * sizeof *ids);
    return rs;
}

/* ---- Full-text search ------------------------------------------------------------------ */
/* FTS5 reports a query it cannot parse (or a column filter naming no column) as SQLITE_ERROR
 * when stepping: the reader's mistake, not the database's. */
static store_status search_fail(conn *c, int rc)
{
    if (rc == SQLITE_ERROR)
        return failf(c, STORE_INVALID, "invalid search query: %s", sqlite3_errmsg(c->db));
    return db_fail(c, rc, "searching");
}

static void bind_search(binder *b, const char *fts_query, const char *topic_slug)
{
    bind_int(b, 1, now_unix());
    bind_text(b, 2, fts_query);
    if (topic_slug) bind_text(b, 3, topic_slug);
}

typedef struct {
    long long id, published_at;
    double rank;
} search_row;

/* Best first: rank, then newest, then the highest id. */
static int search_row_cmp(const void *pa, const void *pb)
{
    const search_row *x = pa, *y = pb;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    if (x->published_at != y->published_at) return x->published_at > y->published_at ? -1 : 1;
    return x->id > y->id ? -1 : x->id < y->id;
}

enum { SEARCH_DF_SAMPLE = 256, SEARCH_MAX_PHRASES = 64, SNIPPET_WORDS = 24 };
/* The ranking pass's work budget (CPU milliseconds) and slices of ids (search_rank_rows). */
enum { SEARCH_BUDGET_MS = 4, SEARCH_SLICE_IDS = 8192, SEARCH_SLICE_MAX_IDS = 16384 };

/* One word's document frequency, estimated from its newest SEARCH_DF_SAMPLE matches. */
static store_status search_sample(conn *c, const char *word_query, long long lowest,
                                  long long highest, double *df)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_SEARCH_SAMPLE, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_text(&b, 1, word_query);
    bind_int(&b, 2, SEARCH_DF_SAMPLE);
    long long found = 0, last = highest;
    int rc = b.rc;
    while (next_row(st, &rc)) {
        found++;
        last = sqlite3_column_int64(st, 0);
    }
    rs = rc == SQLITE_DONE ? STORE_OK : search_fail(c, rc);
    done(st);
    *df = search_rank_estimate_df(found, SEARCH_DF_SAMPLE, last, lowest, highest);
    return rs;
}

/* Document frequencies for gazette_rank, one per phrase of the query: its rarest word's
 * (search_sample, cached per connection); none when the query was not split into phrases
 * (then every phrase weighs the same). */
static store_status search_dfs(conn *c, arena *a, const char *const *phrases, size_t n_phrases,
                               long long lowest, long long highest, double **out)
{
    *out = NULL;
    if (!n_phrases) return STORE_OK;
    store_status rs = STORE_OK;
    double *dfs = arena_alloc(a, n_phrases * sizeof *dfs);
    long long now = now_unix();
    for (size_t i = 0; i < n_phrases; i++) {
        const char *words[SEARCH_MAX_PHRASES];
        size_t n_words = search_rank_words(a, phrases[i], words, SEARCH_MAX_PHRASES);
        dfs[i] = (double)(highest - lowest + 1);
        for (size_t w = 0; w < n_words; w++) {
            double df;
            if (!search_df_cache_get(&c->df_cache, words[w], now, &df)) {
                if ((rs = search_sample(c, words[w], lowest, highest, &df)) != STORE_OK) return rs;
                search_df_cache_put(&c->df_cache, words[w], now, df);
            }
            if (df < dfs[i]) dfs[i] = df;
        }
    }
    *out = dfs;
    return STORE_OK;
}

static char *id_list_json(const long long *ids, size_t n);

/* The lowest and highest article ids (0 and -1 when there are none). */
static store_status article_id_range(conn *c, long long *lowest, long long *highest)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_ID_RANGE, &st);
    if (rs != STORE_OK) return rs;
    *lowest = 0;
    *highest = -1;
    int rc = SQLITE_OK;
    if (next_row(st, &rc) && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *lowest = sqlite3_column_int64(st, 0);
        *highest = sqlite3_column_int64(st, 1);
    }
    if (rc == SQLITE_ROW) rc = SQLITE_DONE;
    done(st);
    return rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "searching");
}

/* CPU time of the calling thread: the work a search did, which a busy machine does not
 * inflate the way it inflates the wall clock. */
static double thread_cpu_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The ranking pass: matches with their rank, newest first, up to want rows, reading the ids
 * from highest down in slices of SEARCH_SLICE_IDS (doubling each time up to
 * SEARCH_SLICE_MAX_IDS). A slice costs at most what its part of the archive holds, so the work
 * done (CPU time) is checked between slices: past SEARCH_BUDGET_MS (always after the first
 * slice) the pass stops and *partial says that older stories were not read. */
static store_status search_rank_rows(conn *c, arena *a, const char *fts_query,
                                     const char *topic_slug, const double *dfs, size_t n_phrases,
                                     long long lowest, long long highest, size_t want,
                                     search_row **out, size_t *n_out, bool *partial)
{
    double start = thread_cpu_ms();
    search_row *rows = NULL;
    size_t n_rows = 0, rows_cap = 0;
    long long upper = highest + 1, slice = SEARCH_SLICE_IDS;
    store_status rs = STORE_OK;
    *partial = false;
    while (rs == STORE_OK && upper > lowest && n_rows < want) {
        if (upper <= highest) { /* not the first slice */
            if (thread_cpu_ms() - start > SEARCH_BUDGET_MS) {
                *partial = true;
                break;
            }
            if (slice < SEARCH_SLICE_MAX_IDS) slice *= 2;
        }
        long long lower = upper - slice > lowest ? upper - slice : lowest;
        sqlite3_stmt *st;
        if ((rs = prep(c, ST_SEARCH, &st)) != STORE_OK) break;
        binder b = {st, SQLITE_OK};
        bind_search(&b, fts_query, topic_slug);
        bind_int(&b, 4, (long long)(want - n_rows));
        if (n_phrases && b.rc == SQLITE_OK)
            b.rc = sqlite3_bind_blob(st, 5, dfs, (int)(n_phrases * sizeof *dfs), SQLITE_STATIC);
        bind_int(&b, 6, lower);
        bind_int(&b, 7, upper);
        int rc = b.rc;
        while (next_row(st, &rc)) {
            if (n_rows == rows_cap) rows = arena_grow(a, rows, &rows_cap, n_rows, sizeof *rows);
            rows[n_rows++] = (search_row){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 2),
                                          sqlite3_column_double(st, 1)};
        }
        rs = rc == SQLITE_DONE ? STORE_OK : search_fail(c, rc);
        done(st);
        upper = lower;
    }
    *out = rows;
    *n_out = n_rows;
    return rs;
}

/* Two steps: search_rank_rows reads the newest STORE_SEARCH_TOTAL_CAP + 1 matches with their
 * rank, ordered here best first (ties newest first); ST_SEARCH_HITS reads the hits of the page
 * (one statement) and each gets its snippet. Only the newest STORE_SEARCH_TOTAL_CAP matches are
 * ranked: a news archive's older stories matching a common word are reached with a more precise
 * query or a topic filter. */
static store_status search_in_tx(conn *c, arena *a, const char *fts_query, const char *topic_slug,
                                 size_t limit, size_t offset, store_search_hit **out, size_t *n,
                                 size_t *total, bool *partial)
{
    const char **phrases = arena_alloc(a, SEARCH_MAX_PHRASES * sizeof *phrases);
    size_t n_phrases = search_rank_phrases(a, fts_query, phrases, SEARCH_MAX_PHRASES);
    long long lowest, highest;
    store_status rs = article_id_range(c, &lowest, &highest);
    double *dfs = NULL;
    if (rs == STORE_OK) rs = search_dfs(c, a, phrases, n_phrases, lowest, highest, &dfs);
    search_row *rows = NULL;
    size_t n_rows = 0;
    if (rs == STORE_OK)
        rs = search_rank_rows(c, a, fts_query, topic_slug, dfs, n_phrases, lowest, highest,
                              STORE_SEARCH_TOTAL_CAP + 1, &rows, &n_rows, partial);
    if (rs != STORE_OK) return rs;
    sqlite3_stmt *st;
    binder b;
    int rc;
    long long count = (long long)n_rows;
    if (n_rows > STORE_SEARCH_TOTAL_CAP) n_rows = STORE_SEARCH_TOTAL_CAP;
    if (n_rows > 1) qsort(rows, n_rows, sizeof *rows, search_row_cmp);
    size_t len = n_rows > offset ? n_rows - offset : 0;
    if (len > limit) len = limit;
    store_search_hit *hits = len ? arena_alloc(a, len * sizeof *hits) : NULL;
    long long *ids = len ? arena_alloc(a, len * sizeof *ids) : NULL;
    for (size_t i = 0; i < len; i++)
        ids[i] = rows[offset + i].id;
    size_t got = 0;
    char *json = len ? id_list_json(ids, len) : NULL;
    if (len && !json) return failf(c, STORE_IO, "out of memory");
    if (len && (rs = prep(c, ST_SEARCH_HITS, &st)) == STORE_OK) {
        b = (binder){st, SQLITE_OK};
        bind_text(&b, 1, json);
        rc = b.rc;
        while (got < len && next_row(st, &rc)) {
            long long key = sqlite3_column_int64(st, ART_NCOLS + 4);
            store_search_hit *h = &hits[got++];
            h->rank = rows[offset + (key >= 0 && (size_t)key < len ? (size_t)key : 0)].rank;
            read_article(st, a, &h->article, false);
            const char *columns[4];
            for (int k = 0; k < 4; k++)
                columns[k] = (const char *)sqlite3_column_text(st, ART_NCOLS + k);
            h->snippet = search_snippet_html(a, columns, 4, phrases, n_phrases, SNIPPET_WORDS);
        }
        rs = rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : search_fail(c, rc);
        done(st);
    }
    free(json);
    len = got;
    if (rs == STORE_OK && len) { /* fill_links wants the articles side by side */
        store_article *arts = arena_alloc(a, len * sizeof *arts);
        for (size_t i = 0; i < len; i++)
            arts[i] = hits[i].article;
        rs = fill_links(c, a, arts, len);
        for (size_t i = 0; i < len; i++)
            hits[i].article = arts[i];
    }
    if (rs != STORE_OK) return rs;
    if (count > STORE_SEARCH_TOTAL_CAP) count = STORE_SEARCH_TOTAL_CAP + 1;
    *out = hits;
    *n = len;
    *total = (size_t)count;
    return STORE_OK;
}

store_status sqlite_store_search(store *s, arena *a, const char *fts_query, const char *topic_slug,
                                 size_t limit, size_t offset, store_search_hit **out, size_t *n,
                                 size_t *total, bool *partial)
{
    *out = NULL;
    *n = 0;
    if (total) *total = 0;
    if (partial) *partial = false;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!fts_query || store_blank(fts_query)) return failf(c, STORE_INVALID, "empty search query");
    size_t count = 0;
    bool cut = false;
    rs = begin_read(c);
    if (rs == STORE_OK)
        rs = search_in_tx(c, a, fts_query, topic_slug, limit, offset, out, n, &count, &cut);
    rs = tx_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
        count = 0;
        cut = false;
    }
    if (total) *total = count;
    if (partial) *partial = cut;
    return rs;
}

store_status sqlite_store_search_pack(store *s)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_SEARCH_PACK, &st)) == STORE_OK)
        rs = run(c, st, SQLITE_OK, false, NULL, "packing the search index");
    return tx_finish(c, rs);
}

/* ---- Topics and authors ---------------------------------------------------------------- */
store_status sqlite_store_topic_add(store *s, const char *slug, const char *name,
                                    const char *description, long long *id)
{
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!content_slug_is_valid(slug))
        return failf(c, STORE_INVALID, "invalid topic slug '%s'", slug ? slug : "");
    if (store_blank(name)) return failf(c, STORE_INVALID, "topic %s: the name is empty", slug);
    long long new_id = 0;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK)
        rs = entity_insert(c, &topic_kind, slug, name, description, now_unix(), &new_id);
    rs = tx_finish(c, rs);
    if (rs == STORE_CONFLICT) failf(c, rs, "topic '%s' already exists", slug);
    if (id) *id = rs == STORE_OK ? new_id : 0;
    return rs;
}

/* Reads one topic or author row (id, slug, name, description/bio) by slug. */
static store_status entity_by_slug(store *s, arena *a, enum stmt_id id, const char *slug,
                                   long long *out_id, const char **out_texts)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, id, &st)) != STORE_OK) return rs;
    int rc = sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out_id = sqlite3_column_int64(st, 0);
        for (int i = 0; i < 3; i++)
            out_texts[i] = sqlite_column_copy(a, st, i + 1);
        rs = STORE_OK;
    } else {
        rs = rc == SQLITE_DONE ? failf(c, STORE_NOT_FOUND, "no such slug: %s", slug ? slug : "")
                               : db_fail(c, rc, "reading");
    }
    done(st);
    return rs;
}

store_status sqlite_store_topic_by_slug(store *s, arena *a, const char *slug, store_topic *out)
{
    const char *t[3] = {NULL, NULL, NULL};
    long long id = 0;
    store_status rs = entity_by_slug(s, a, ST_TOPIC_BY_SLUG, slug, &id, t);
    *out = rs == STORE_OK ? (store_topic){id, t[0], t[1], t[2]} : (store_topic){0};
    return rs;
}

store_status sqlite_store_author_by_slug(store *s, arena *a, const char *slug, store_author *out)
{
    const char *t[3] = {NULL, NULL, NULL};
    long long id = 0;
    store_status rs = entity_by_slug(s, a, ST_AUTHOR_BY_SLUG, slug, &id, t);
    *out = rs == STORE_OK ? (store_author){id, t[0], t[1], t[2]} : (store_author){0};
    return rs;
}

static store_status topics_query(store *s, arena *a, int statement, size_t number,
                                 store_topic **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, statement, &st)) != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, now_unix());
    bind_int(&b, 2, clamp_size(number));
    store_topic *v = NULL;
    size_t len = 0, cap = 0;
    int rc = b.rc;
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        v[len++] = (store_topic){sqlite3_column_int64(st, 0), sqlite_column_copy(a, st, 1),
                                 sqlite_column_copy(a, st, 2), sqlite_column_copy(a, st, 3)};
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "listing topics");
    done(st);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

store_status sqlite_store_topics_list(store *s, arena *a, size_t min_articles, store_topic **out,
                                      size_t *n)
{
    return topics_query(s, a, ST_TOPICS_LIST, min_articles, out, n);
}

store_status sqlite_store_topics_leading(store *s, arena *a, size_t limit, store_topic **out,
                                         size_t *n)
{
    return topics_query(s, a, ST_TOPICS_LEADING, limit, out, n);
}

/* Reads topic or author rows with their counts (ST_TOPICS_COUNTED, ST_AUTHORS_COUNTED): each
 * row is (id, slug, name, text, count, last change), stored into v by put. */
typedef void (*counted_put)(void *v, size_t i, sqlite3_stmt *st, arena *a);

static store_status counted_query(store *s, arena *a, enum stmt_id id, const char *slug,
                                  size_t size, counted_put put, void **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, id, &st)) != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, now_unix());
    if (slug) bind_text(&b, 2, slug);
    void *v = NULL;
    size_t len = 0, cap = 0;
    int rc = b.rc;
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, size);
        put(v, len++, st, a);
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "counting stories");
    done(st);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

static void put_topic_count(void *v, size_t i, sqlite3_stmt *st, arena *a)
{
    ((store_topic_count *)v)[i] =
        (store_topic_count){{sqlite3_column_int64(st, 0), sqlite_column_copy(a, st, 1),
                             sqlite_column_copy(a, st, 2), sqlite_column_copy(a, st, 3)},
                            (size_t)sqlite3_column_int64(st, 4),
                            sqlite3_column_int64(st, 5)};
}

static void put_author_count(void *v, size_t i, sqlite3_stmt *st, arena *a)
{
    ((store_author_count *)v)[i] =
        (store_author_count){{sqlite3_column_int64(st, 0), sqlite_column_copy(a, st, 1),
                              sqlite_column_copy(a, st, 2), sqlite_column_copy(a, st, 3)},
                             (size_t)sqlite3_column_int64(st, 4),
                             sqlite3_column_int64(st, 5)};
}

store_status sqlite_store_topics_counted(store *s, arena *a, const char *slug,
                                         store_topic_count **out, size_t *n)
{
    return counted_query(s, a, ST_TOPICS_COUNTED, slug, sizeof **out, put_topic_count, (void **)out,
                         n);
}

store_status sqlite_store_authors_counted(store *s, arena *a, const char *slug,
                                          store_author_count **out, size_t *n)
{
    return counted_query(s, a, ST_AUTHORS_COUNTED, slug, sizeof **out, put_author_count,
                         (void **)out, n);
}

/* ---- API read keys ---------------------------------------------------------------------- */
store_status sqlite_store_api_key_add(store *s, const char *name, const char *hash)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (store_blank(name) || store_blank(hash))
        return failf(c, STORE_INVALID, "the key's name is empty");
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_API_KEY_ADD, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_text(&b, 1, name);
        bind_text(&b, 2, hash);
        bind_int(&b, 3, now_unix());
        rs = run(c, st, b.rc, false, NULL, "saving an API key");
    }
    rs = tx_finish(c, rs);
    if (rs == STORE_CONFLICT) failf(c, rs, "an API key named '%s' already exists", name);
    return rs;
}

store_status sqlite_store_api_keys_list(store *s, arena *a, store_api_key **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_API_KEYS_LIST, &st)) != STORE_OK) return rs;
    store_api_key *v = NULL;
    size_t len = 0, cap = 0;
    int rc = SQLITE_OK;
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        v[len++] = (store_api_key){sqlite_column_copy(a, st, 0), sqlite_column_copy(a, st, 1),
                                   sqlite3_column_int64(st, 2)};
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "listing API keys");
    done(st);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

store_status sqlite_store_api_key_revoke(store *s, const char *name)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!name) return failf(c, STORE_NOT_FOUND, "no key named");
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_API_KEY_REVOKE, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_text(&b, 1, name);
        rs = run(c, st, b.rc, false, NULL, "deleting an API key");
        if (rs == STORE_OK && sqlite3_changes(c->db) == 0)
            rs = failf(c, STORE_NOT_FOUND, "no API key named '%s'", name);
    }
    return tx_finish(c, rs);
}

store_status sqlite_store_author_set_bio(store *s, const char *slug, const char *bio)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!slug) return failf(c, STORE_NOT_FOUND, "no author given");
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_AUTHOR_SET_BIO, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_text(&b, 1, slug);
        bind_text(&b, 2, bio);
        rs = run(c, st, b.rc, false, NULL, "setting a bio");
        if (rs == STORE_OK && sqlite3_changes(c->db) == 0)
            rs = failf(c, STORE_NOT_FOUND, "no such author: %s", slug);
    }
    return tx_finish(c, rs);
}

/* ---- Comments --------------------------------------------------------------------------- */
enum { DUPLICATE_WINDOW = 24 * 60 * 60 };

static store_status check_comment(conn *c, const store_comment_input *in)
{
    char why[256];
    return store_comment_input_ok(in, why, sizeof why) ? STORE_OK
                                                       : failf(c, STORE_INVALID, "%s", why);
}

/* The story takes comments: live and not closed. */
static store_status comment_check_article(conn *c, const store_comment_input *in, long long now)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_COMMENT_ARTICLE, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, now);
    bind_int(&b, 2, in->article_id);
    long long off = 0;
    rs = run(c, st, b.rc, true, &off, "checking the story");
    if (rs == STORE_NOT_FOUND || (rs == STORE_OK && off))
        rs = failf(c, STORE_INVALID, "the story does not take comments");
    return rs;
}

/* The parent is an approved comment of the same story, and the reply fits under max_depth. */
static store_status comment_check_parent(conn *c, const store_comment_input *in, unsigned max_depth)
{
    if (in->parent_id == 0) return STORE_OK;
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_COMMENT_PARENT, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, in->parent_id);
    bind_int(&b, 2, (long long)max_depth);
    int rc = b.rc;
    long long article = 0, status = -1, depth = 0;
    if (next_row(st, &rc)) {
        article = sqlite3_column_int64(st, 0);
        status = sqlite3_column_int64(st, 1);
        depth = sqlite3_column_int64(st, 2);
        rc = SQLITE_DONE;
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "checking the comment replied to");
    done(st);
    if (rs != STORE_OK) return rs;
    if (article != in->article_id || status != COMMENT_APPROVED)
        return failf(c, STORE_INVALID, "the comment you reply to does not exist");
    if (depth + 1 > (long long)max_depth)
        return failf(c, STORE_INVALID, "replies nest at most %u deep", max_depth);
    return STORE_OK;
}

static store_status comment_check_duplicate(conn *c, const store_comment_input *in,
                                            const unsigned char hash[8], long long now)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_COMMENT_DUPLICATE, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, in->article_id);
    bind_int(&b, 2, now - DUPLICATE_WINDOW);
    if (b.rc == SQLITE_OK) b.rc = sqlite3_bind_blob(st, 3, hash, 8, SQLITE_STATIC);
    bind_text(&b, 4, in->author_email);
    bind_text(&b, 5, in->body);
    rs = run(c, st, b.rc, true, NULL, "looking for a duplicate");
    if (rs == STORE_OK) return failf(c, STORE_CONFLICT, "duplicate comment");
    return rs == STORE_NOT_FOUND ? STORE_OK : rs;
}

static store_status comment_decide(conn *c, const store_comment_input *in, comment_status *out)
{
    *out = COMMENT_PENDING;
    if (in->moderation == MODERATION_PUBLISH) *out = COMMENT_APPROVED;
    if (in->moderation != MODERATION_HOLD_FIRST) return STORE_OK;
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_COMMENT_KNOWN_EMAIL, &st);
    if (rs != STORE_OK) return rs;
    rs = run(c, st, sqlite3_bind_text(st, 1, in->author_email, -1, SQLITE_STATIC), true, NULL,
             "looking up the commenter");
    if (rs == STORE_OK) *out = COMMENT_APPROVED;
    return rs == STORE_NOT_FOUND ? STORE_OK : rs;
}

static store_status comment_insert(conn *c, const store_comment_input *in,
                                   const unsigned char hash[8], comment_status status,
                                   long long now, long long *id)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_COMMENT_INSERT, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, in->article_id);
    bind_int(&b, 2, in->parent_id);
    const char *text[] = {in->author_name, in->author_email, in->author_url,
                          in->body,        in->ip,           in->user_agent};
    for (int i = 0; i < 6; i++)
        bind_text(&b, i + 3, text[i]);
    bind_int(&b, 9, (long long)status);
    bind_int(&b, 10, now);
    if (b.rc == SQLITE_OK) b.rc = sqlite3_bind_blob(st, 11, hash, 8, SQLITE_STATIC);
    return run(c, st, b.rc, true, id, "saving a comment");
}

store_status sqlite_store_comment_add(store *s, const store_comment_input *in, long long *id,
                                      comment_status *status)
{
    if (id) *id = 0;
    if (status) *status = COMMENT_PENDING;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = check_comment(c, in)) != STORE_OK) return rs;
    unsigned max_depth = in->max_depth ? in->max_depth : 1;
    unsigned char hash[8];
    store_body_hash(in->body, hash);
    long long now = now_unix(), new_id = 0;
    comment_status cs = COMMENT_PENDING;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK) rs = comment_check_article(c, in, now);
    if (rs == STORE_OK) rs = comment_check_parent(c, in, max_depth);
    if (rs == STORE_OK) rs = comment_check_duplicate(c, in, hash, now);
    if (rs == STORE_OK) rs = comment_decide(c, in, &cs);
    if (rs == STORE_OK) rs = comment_insert(c, in, hash, cs, now, &new_id);
    rs = tx_finish(c, rs);
    if (rs == STORE_OK) {
        if (id) *id = new_id;
        if (status) *status = cs;
    }
    return rs;
}

static void read_comment(sqlite3_stmt *st, arena *a, store_comment *o)
{
    *o = (store_comment){
        .id = sqlite3_column_int64(st, 0),
        .article_id = sqlite3_column_int64(st, 1),
        .parent_id = sqlite3_column_int64(st, 2),
        .author_name = sqlite_column_copy(a, st, 3),
        .author_email = sqlite_column_copy(a, st, 4),
        .author_url = sqlite_column_copy(a, st, 5),
        .body = sqlite_column_copy(a, st, 6),
        .ip = sqlite_column_copy(a, st, 7),
        .user_agent = sqlite_column_copy(a, st, 8),
        .status = (comment_status)sqlite3_column_int(st, 9),
        .created_at = sqlite3_column_int64(st, 10),
        .staff = sqlite3_column_int(st, 11) != 0,
        .article_slug = sqlite_column_copy(a, st, 12),
    };
}

/* Steps a bound comment statement, collecting every row; resets it. */
static store_status collect_comments(conn *c, sqlite3_stmt *st, int bind_rc, arena *a,
                                     store_comment **out, size_t *n)
{
    store_comment *v = NULL;
    size_t len = 0, cap = 0;
    int rc = bind_rc;
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        read_comment(st, a, &v[len++]);
    }
    store_status rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "reading comments");
    done(st);
    *out = rs == STORE_OK ? v : NULL;
    *n = rs == STORE_OK ? len : 0;
    return rs;
}

/* Prepares statement id on this thread's connection for a read into *out / *n. */
static store_status comments_start(store *s, enum stmt_id id, conn **c, sqlite3_stmt **st,
                                   store_comment **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    store_status rs = conn_get(s, c);
    return rs != STORE_OK ? rs : prep(*c, id, st);
}

store_status sqlite_store_comments_for_article(store *s, arena *a, long long article_id,
                                               long long include_id, store_comment **out, size_t *n)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = comments_start(s, ST_COMMENTS_FOR_ARTICLE, &c, &st, out, n);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, article_id);
    bind_int(&b, 2, include_id);
    return collect_comments(c, st, b.rc, a, out, n);
}

store_status sqlite_store_comments_list(store *s, arena *a, const comment_status *status,
                                        size_t limit, size_t offset, store_comment **out, size_t *n)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs =
        comments_start(s, status ? ST_COMMENTS_LIST_STATUS : ST_COMMENTS_LIST, &c, &st, out, n);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    if (status) bind_int(&b, 1, (long long)*status);
    bind_int(&b, 2, clamp_size(limit));
    bind_int(&b, 3, clamp_size(offset));
    return collect_comments(c, st, b.rc, a, out, n);
}

store_status sqlite_store_comments_recent(store *s, arena *a, long long article_id, size_t limit,
                                          store_comment **out, size_t *n)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = comments_start(
        s, article_id ? ST_COMMENTS_RECENT_ARTICLE : ST_COMMENTS_RECENT, &c, &st, out, n);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    if (!article_id) bind_int(&b, 1, now_unix());
    bind_int(&b, 2, article_id);
    bind_int(&b, 3, clamp_size(limit));
    return collect_comments(c, st, b.rc, a, out, n);
}

/* "[id,id,...]" (malloc'd, NULL when out of memory) for json_each. */
static char *id_list_json(const long long *ids, size_t n)
{
    size_t cap = n * 22 + 3, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%lld", i ? "," : "", ids[i]);
    out[len++] = ']';
    out[len] = '\0';
    return out;
}

store_status sqlite_store_articles_by_ids(store *s, arena *a, const long long *ids, size_t n_ids,
                                          store_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || n_ids == 0) return rs;
    char *json = id_list_json(ids, n_ids);
    if (!json) return failf(c, STORE_IO, "out of memory");
    sqlite3_stmt *st;
    if ((rs = begin_read(c)) == STORE_OK && (rs = prep(c, ST_BY_IDS, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_int(&b, 1, now_unix());
        bind_text(&b, 2, json);
        rs = collect_articles(c, st, b.rc, a, false, out, n);
        if (rs == STORE_OK) rs = fill_links(c, a, *out, *n);
    }
    rs = tx_finish(c, rs);
    free(json);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
    }
    return rs;
}

/* Runs the bulk statement (?1 the ids, ?2 the status when set_status) in one transaction after
 * checking that every id exists. */
static store_status comments_bulk(store *s, const long long *ids, size_t n, enum stmt_id id,
                                  int status)
{
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || n == 0) return rs;
    if (!ids) return failf(c, STORE_INVALID, "no comment ids given");
    char *json = id_list_json(ids, n);
    if (!json) return failf(c, STORE_IO, "out of memory");
    sqlite3_stmt *st;
    long long missing = 0;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_COMMENTS_MISSING, &st)) == STORE_OK) {
        rs = run(c, st, sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC), true, &missing,
                 "checking comments");
        rs = rs == STORE_NOT_FOUND ? STORE_OK
             : rs == STORE_OK      ? failf(c, STORE_NOT_FOUND, "no such comment: %lld", missing)
                                   : rs;
    }
    if (rs == STORE_OK && (rs = prep(c, id, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_text(&b, 1, json);
        if (id == ST_COMMENTS_SET_STATUS) bind_int(&b, 2, status);
        rs = run(c, st, b.rc, false, NULL,
                 id == ST_COMMENTS_DELETE ? "deleting comments" : "moderating comments");
    }
    rs = tx_finish(c, rs);
    free(json);
    return rs;
}

store_status sqlite_store_comments_set_status(store *s, const long long *ids, size_t n,
                                              comment_status status)
{
    if ((unsigned)status > COMMENT_TRASH) {
        conn *c;
        store_status rs = conn_get(s, &c);
        return rs != STORE_OK ? rs
                              : failf(c, STORE_INVALID, "unknown comment status %d", (int)status);
    }
    return comments_bulk(s, ids, n, ST_COMMENTS_SET_STATUS, (int)status);
}

store_status sqlite_store_comments_delete(store *s, const long long *ids, size_t n)
{
    return comments_bulk(s, ids, n, ST_COMMENTS_DELETE, 0);
}

store_status sqlite_store_comment_counts(store *s, const long long *article_ids, size_t n,
                                         long long *counts)
{
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || n == 0) return rs;
    if (!article_ids || !counts) return failf(c, STORE_INVALID, "no article ids given");
    memset(counts, 0, n * sizeof *counts);
    char *json = id_list_json(article_ids, n);
    if (!json) return failf(c, STORE_IO, "out of memory");
    sqlite3_stmt *st;
    if ((rs = prep(c, ST_COMMENT_COUNTS, &st)) == STORE_OK) {
        int rc = sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
        while (next_row(st, &rc)) {
            long long k = sqlite3_column_int64(st, 0);
            if (k >= 0 && (size_t)k < n) counts[k] = sqlite3_column_int64(st, 1);
        }
        rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "counting comments");
        done(st);
    }
    free(json);
    if (rs != STORE_OK) memset(counts, 0, n * sizeof *counts);
    return rs;
}

/* ---- Web Push ------------------------------------------------------------------------------ */
static void bind_blob(binder *b, int i, const unsigned char *bytes, int n)
{
    if (b->rc == SQLITE_OK) b->rc = sqlite3_bind_blob(b->st, i, bytes, n, SQLITE_STATIC);
}

/* An arena copy of blob column i when it has exactly n bytes, else NULL. */
static const unsigned char *col_blob(arena *a, sqlite3_stmt *st, int i, int n)
{
    const void *bytes = sqlite3_column_blob(st, i);
    if (!bytes || sqlite3_column_bytes(st, i) != n) return NULL;
    unsigned char *copy = arena_alloc(a, (size_t)n);
    memcpy(copy, bytes, (size_t)n);
    return copy;
}

store_status sqlite_store_push_vapid_get(store *s, arena *a, store_push_vapid *out)
{
    *out = (store_push_vapid){0};
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_PUSH_VAPID_GET, &st)) != STORE_OK) return rs;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->private_key = col_blob(a, st, 0, 32);
        out->public_key = col_blob(a, st, 1, 65);
        rs = out->private_key && out->public_key
                 ? STORE_OK
                 : failf(c, STORE_INVALID, "the stored VAPID keys have the wrong size");
    } else {
        rs = rc == SQLITE_DONE ? failf(c, STORE_NOT_FOUND, "the site has no VAPID keys yet")
                               : db_fail(c, rc, "reading the VAPID keys");
    }
    done(st);
    return rs;
}

store_status sqlite_store_push_vapid_put(store *s, const unsigned char private_key[32],
                                         const unsigned char public_key[65])
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_PUSH_VAPID_PUT, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_blob(&b, 1, private_key, 32);
        bind_blob(&b, 2, public_key, 65);
        bind_int(&b, 3, now_unix());
        rs = run(c, st, b.rc, false, NULL, "saving the VAPID keys");
    }
    return tx_finish(c, rs);
}

store_status sqlite_store_push_subscribe(store *s, const char *endpoint,
                                         const unsigned char p256dh[65],
                                         const unsigned char auth[16])
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!endpoint || !*endpoint) return failf(c, STORE_INVALID, "the push endpoint is empty");
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_PUSH_SUBSCRIBE, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_text(&b, 1, endpoint);
        bind_blob(&b, 2, p256dh, 65);
        bind_blob(&b, 3, auth, 16);
        bind_int(&b, 4, now_unix());
        rs = run(c, st, b.rc, false, NULL, "saving a push subscription");
    }
    return tx_finish(c, rs);
}

/* Runs a one-parameter DELETE in its own transaction; STORE_NOT_FOUND when nothing went. */
static store_status push_delete(store *s, enum stmt_id id, const char *text, long long number)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, id, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        if (text)
            bind_text(&b, 1, text);
        else
            bind_int(&b, 1, number);
        rs = run(c, st, b.rc, false, NULL, "removing a push subscription");
        if (rs == STORE_OK && sqlite3_changes(c->db) == 0)
            rs = failf(c, STORE_NOT_FOUND, "no such push subscription");
    }
    /* nothing to undo when nothing was found: commit keeps the transaction short */
    return rs == STORE_NOT_FOUND ? (tx_finish(c, STORE_OK), rs) : tx_finish(c, rs);
}

store_status sqlite_store_push_unsubscribe(store *s, const char *endpoint)
{
    return push_delete(s, ST_PUSH_UNSUBSCRIBE, endpoint ? endpoint : "", 0);
}

store_status sqlite_store_push_subscription_delete(store *s, long long subscription_id)
{
    return push_delete(s, ST_PUSH_SUBSCRIPTION_DELETE, NULL, subscription_id);
}

/* Inside store_push_mark_breaking's transaction: the marking and the queue. */
static store_status mark_in_tx(conn *c, const char *slug, long long now, long long *queued,
                               long long *marked_at)
{
    sqlite3_stmt *st;
    long long article = 0;
    store_status rs = prep(c, ST_ARTICLE_LIVE, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, now);
    bind_text(&b, 2, slug);
    if ((rs = run(c, st, b.rc, true, &article, "finding the story")) != STORE_OK)
        return rs == STORE_NOT_FOUND ? failf(c, rs, "no live story has the slug '%s'", slug) : rs;
    if ((rs = prep(c, ST_PUSH_BREAKING_MARK, &st)) != STORE_OK) return rs;
    b = (binder){st, SQLITE_OK};
    bind_int(&b, 1, article);
    bind_int(&b, 2, now);
    if ((rs = run(c, st, b.rc, false, NULL, "marking the story breaking")) != STORE_OK) return rs;
    if (sqlite3_changes(c->db) == 0) { /* marked before: say when, queue nothing */
        if ((rs = prep(c, ST_PUSH_BREAKING_GET, &st)) != STORE_OK) return rs;
        int rc = sqlite3_bind_int64(st, 1, article);
        if (next_row(st, &rc)) {
            *queued = sqlite3_column_int64(st, 0);
            *marked_at = sqlite3_column_int64(st, 1);
        }
        done(st);
        return failf(c, STORE_CONFLICT, "the story '%s' was marked breaking already", slug);
    }
    if ((rs = prep(c, ST_PUSH_QUEUE, &st)) != STORE_OK) return rs;
    b = (binder){st, SQLITE_OK};
    bind_int(&b, 1, article);
    bind_int(&b, 2, now);
    if ((rs = run(c, st, b.rc, false, NULL, "queueing notifications")) != STORE_OK) return rs;
    *queued = sqlite3_changes64(c->db);
    *marked_at = now;
    if ((rs = prep(c, ST_PUSH_BREAKING_QUEUED, &st)) != STORE_OK) return rs;
    b = (binder){st, SQLITE_OK};
    bind_int(&b, 1, article);
    bind_int(&b, 2, *queued);
    return run(c, st, b.rc, false, NULL, "marking the story breaking");
}

store_status sqlite_store_push_mark_breaking(store *s, const char *slug, long long *queued,
                                             long long *marked_at)
{
    *queued = 0;
    *marked_at = 0;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!slug || !*slug) return failf(c, STORE_INVALID, "no story slug given");
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK) rs = mark_in_tx(c, slug, now_unix(), queued, marked_at);
    if (rs == STORE_CONFLICT) { /* nothing was written: end the transaction, keep the answer */
        char keep[ERR_MAX];
        memcpy(keep, c->err, sizeof keep);
        tx_finish(c, STORE_OK);
        memcpy(c->err, keep, sizeof keep);
        return rs;
    }
    rs = tx_finish(c, rs);
    if (rs != STORE_OK && rs != STORE_NOT_FOUND) *queued = 0;
    return rs;
}

static void read_push_message(arena *a, sqlite3_stmt *st, store_push_message *m)
{
    *m = (store_push_message){.id = sqlite3_column_int64(st, 0),
                              .subscription_id = sqlite3_column_int64(st, 1),
                              .article_id = sqlite3_column_int64(st, 2),
                              .attempts = sqlite3_column_int(st, 3) + 1,
                              .endpoint = sqlite_column_copy(a, st, 4),
                              .p256dh = col_blob(a, st, 5, 65),
                              .auth = col_blob(a, st, 6, 16),
                              .slug = sqlite_column_copy(a, st, 7),
                              .headline = sqlite_column_copy(a, st, 8),
                              .lead = sqlite_column_copy(a, st, 9),
                              .live = sqlite3_column_int(st, 10) != 0};
}

static store_status claim_in_tx(conn *c, arena *a, long long now, long long lease_until,
                                size_t limit, store_push_message **out, size_t *n)
{
    sqlite3_stmt *st;
    store_status rs = prep(c, ST_PUSH_DUE, &st);
    if (rs != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, now);
    bind_int(&b, 2, clamp_size(limit));
    store_push_message *rows = NULL;
    size_t cap = 0, len = 0;
    int rc = b.rc;
    while (next_row(st, &rc)) {
        if (len == cap) rows = arena_grow(a, rows, &cap, len, sizeof *rows);
        read_push_message(a, st, &rows[len++]);
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "reading the push queue");
    done(st);
    for (size_t i = 0; rs == STORE_OK && i < len; i++) {
        if ((rs = prep(c, ST_PUSH_CLAIM, &st)) != STORE_OK) break;
        b = (binder){st, SQLITE_OK};
        bind_int(&b, 1, rows[i].id);
        bind_int(&b, 2, lease_until);
        rs = run(c, st, b.rc, false, NULL, "claiming a push message");
    }
    *out = rows;
    *n = len;
    return rs;
}

store_status sqlite_store_push_claim(store *s, arena *a, long long now, long long lease_until,
                                     size_t limit, store_push_message **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK) rs = claim_in_tx(c, a, now, lease_until, limit, out, n);
    rs = tx_finish(c, rs);
    if (rs != STORE_OK) *n = 0;
    return rs;
}

store_status sqlite_store_push_message_finish(store *s, long long id, push_message_state state,
                                              long long retry_at)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if ((unsigned)state > PUSH_MESSAGE_FAILED)
        return failf(c, STORE_INVALID, "unknown push message state %d", (int)state);
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_PUSH_FINISH, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_int(&b, 1, id);
        bind_int(&b, 2, (int)state);
        bind_int(&b, 3, state == PUSH_MESSAGE_WAITING ? retry_at : now_unix());
        rs = run(c, st, b.rc, false, NULL, "recording a push message");
    }
    return tx_finish(c, rs);
}

store_status sqlite_store_push_next_due(store *s, long long *at)
{
    *at = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_PUSH_NEXT_DUE, &st)) != STORE_OK) return rs;
    int rc = sqlite3_step(st);
    bool some = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (some) *at = sqlite3_column_int64(st, 0);
    rs = rc == SQLITE_ROW || rc == SQLITE_DONE ? (some ? STORE_OK : STORE_NOT_FOUND)
                                               : db_fail(c, rc, "reading the push queue");
    done(st);
    return rs;
}

store_status sqlite_store_push_prune(store *s, long long before, long long *removed)
{
    *removed = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_PUSH_PRUNE, &st)) == STORE_OK) {
        rs = run(c, st, sqlite3_bind_int64(st, 1, before), false, NULL,
                 "removing old push messages");
        if (rs == STORE_OK) *removed = sqlite3_changes64(c->db);
    }
    return tx_finish(c, rs);
}

store_status sqlite_store_push_counts(store *s, long long *subscribers, long long counts[3])
{
    *subscribers = 0;
    counts[0] = counts[1] = counts[2] = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_PUSH_COUNTS, &st)) != STORE_OK) return rs;
    int rc = SQLITE_OK;
    while (next_row(st, &rc)) {
        int state = sqlite3_column_int(st, 0);
        long long count = sqlite3_column_int64(st, 1);
        if (state == -1)
            *subscribers = count;
        else if (state >= 0 && state <= 2)
            counts[state] = count;
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "counting push messages");
    done(st);
    return rs;
}

/* ---- Changes ----------------------------------------------------------------------------- */
store_status sqlite_store_changes_since(store *s, arena *a, long long after, size_t limit,
                                        store_change **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_CHANGES_SINCE, &st)) != STORE_OK) return rs;
    binder b = {st, SQLITE_OK};
    bind_int(&b, 1, after);
    bind_int(&b, 2, clamp_size(limit));
    store_change *rows = NULL;
    size_t cap = 0;
    int rc = b.rc;
    while (next_row(st, &rc)) {
        if (*n == cap) rows = arena_grow(a, rows, &cap, *n, sizeof *rows);
        rows[(*n)++] = (store_change){sqlite3_column_int64(st, 0),
                                      (store_change_kind)sqlite3_column_int(st, 1),
                                      sqlite3_column_int64(st, 2)};
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "reading the change log");
    done(st);
    if (rs != STORE_OK) *n = 0;
    *out = rows;
    return rs;
}

store_status sqlite_store_changes_head(store *s, long long *head)
{
    *head = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_CHANGES_HEAD, &st)) != STORE_OK) return rs;
    return run(c, st, SQLITE_OK, true, head, "reading the change log");
}

store_status sqlite_store_changed_since_last_look(store *s, bool *changed)
{
    *changed = true;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_DATA_VERSION, &st)) != STORE_OK) return rs;
    long long version = 0;
    if ((rs = run(c, st, SQLITE_OK, true, &version, "reading the data version")) != STORE_OK)
        return rs;
    /* data_version does not move for this connection's own commits: a write made by this
     * thread (an editor's save, a comment) shows in its count of changed rows instead */
    sqlite3_int64 own = sqlite3_total_changes64(c->db);
    *changed = !c->seen_valid || version != c->seen_data_version || own != c->seen_own_changes;
    c->seen_data_version = version;
    c->seen_own_changes = own;
    c->seen_valid = true;
    return STORE_OK;
}

/* ---- Site settings ---------------------------------------------------------------------- */
store_status sqlite_store_setting_get(store *s, arena *a, const char *key, const char **value)
{
    *value = NULL;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_SETTING_GET, &st)) != STORE_OK) return rs;
    int rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *value = sqlite_column_copy(a, st, 0);
        rs = STORE_OK;
    } else {
        rs = rc == SQLITE_DONE ? failf(c, STORE_NOT_FOUND, "no such setting: %s", key ? key : "")
                               : db_fail(c, rc, "reading a setting");
    }
    done(st);
    return rs;
}

store_status sqlite_store_setting_set(store *s, const char *key, const char *value)
{
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!key || !*key) return failf(c, STORE_INVALID, "the setting name is empty");
    if (!value) return failf(c, STORE_INVALID, "setting %s: no value given", key);
    rs = exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
    if (rs == STORE_OK && (rs = prep(c, ST_SETTING_SET, &st)) == STORE_OK) {
        binder b = {st, SQLITE_OK};
        bind_text(&b, 1, key);
        bind_text(&b, 2, value);
        rs = run(c, st, b.rc, false, NULL, "saving a setting");
    }
    return tx_finish(c, rs);
}

store_status sqlite_store_settings_list(store *s, arena *a, store_setting **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c;
    sqlite3_stmt *st;
    store_status rs = conn_get(s, &c);
    if (rs != STORE_OK || (rs = prep(c, ST_SETTINGS_LIST, &st)) != STORE_OK) return rs;
    store_setting *v = NULL;
    size_t len = 0, cap = 0;
    int rc = SQLITE_OK;
    while (next_row(st, &rc)) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        v[len++] = (store_setting){sqlite_column_copy(a, st, 0), sqlite_column_copy(a, st, 1)};
    }
    rs = rc == SQLITE_DONE ? STORE_OK : db_fail(c, rc, "listing settings");
    done(st);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

/* ---- Lent to the backend's other files (sqlite_internal.h) ------------------------------ */
store_status sqlite_conn(store *s, conn **out, sqlite3 **db)
{
    store_status rs = conn_get(s, out);
    *db = rs == STORE_OK ? (*out)->db : NULL;
    return rs;
}

store_status sqlite_fail(conn *c, int rc, const char *what)
{
    return db_fail(c, rc, what);
}

store_status sqlite_failf(conn *c, store_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return st;
}

store_status sqlite_begin_write(conn *c)
{
    return exec_id(c, ST_BEGIN_IMMEDIATE, "starting to write");
}

store_status sqlite_begin_read(conn *c)
{
    return begin_read(c);
}

store_status sqlite_finish(conn *c, store_status rs)
{
    return tx_finish(c, rs);
}

store_status sqlite_check_article(conn *c, const store_article_input *in)
{
    return check_input(c, in, 1);
}

store_status sqlite_save_links(conn *c, arena *scratch, const store_article_input *in,
                               long long now, long long id)
{
    return save_links(c, scratch, in, now, id);
}

store_status sqlite_collect_articles(conn *c, sqlite3_stmt *st, int bind_rc, arena *a,
                                     bool with_body, store_article **out, size_t *n)
{
    return collect_articles(c, st, bind_rc, a, with_body, out, n);
}

store_status sqlite_fill_links(conn *c, arena *a, store_article *v, size_t n)
{
    return fill_links(c, a, v, n);
}

sqlite3 *sqlite_db(conn *c)
{
    return c->db;
}

/* ---- The backend's table (store_backend.h) ------------------------------------------------ */
#define SQLITE_BACKEND_ENTRY(ret, name, params, args) .name = sqlite_store_##name,
const store_backend sqlite_store_backend = {
    .name = "sqlite",
    STORE_BACKEND_OPS(SQLITE_BACKEND_ENTRY).read_end = sqlite_store_read_end,
    .close = sqlite_store_close,
};
#undef SQLITE_BACKEND_ENTRY
