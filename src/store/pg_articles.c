/* pg_articles.c — stories in the PostgreSQL backend: reading them (lists with keyset
 * pagination, one by slug, the top story, by ids, related by topics, changed since, pages,
 * redirects, missing read-also links), saving them (store_articles_save: every input in one
 * write transaction, topics and authors created as named), and the story helpers
 * pg_internal.h lends pg_editor.c (pg_read_article, pg_collect_articles, pg_fill_links,
 * pg_check_article, pg_save_links). Behaves as sqlite.c does for every caller: same statuses,
 * orders, limits and messages. Lists of ids travel as one bigint[] parameter ("{1,2,3}")
 * unnested WITH ORDINALITY, so a page of stories costs one query whatever its length. */
#include "pg_internal.h"
#include "pg_stories.h"
#include "store_backend.h"

#include "../content/content.h"

#include <limits.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------------------------
 * The list and count statements take $1 now, $2 the excluded id, $3 the topic slug, $4 the
 * author slug (the variants filtering on them), $5 limit, $6 offset, $7 since, $8 and $9 the
 * cursor's published_at and id (LLONG_MAX both: from the newest). PostgreSQL must find a type
 * for every parameter sent, so each statement names all nine: a variant without a filter
 * checks that its slug is NULL (or since that $7 is there), and a count that its limit and
 * offset are (it ignores them); such checks are read once per run, never per row.
 *
 * How they read, at 100,000 stories (timings on a loaded 2-core machine):
 * - The whole site's list walks the articles_recent index newest first. Without "since" the
 *   conditions use only its columns (published_at, id, status, kind), so the count and the
 *   skipped rows of an offset never touch the table: the count of 95,000 live stories takes
 *   about 100 ms instead of 500, page 450 about 15 ms instead of 80.
 * - A topic's (or author's) list starts from that topic's links and looks each story up, as
 *   sqlite.c's CROSS JOINs do: a topic of 10 stories costs well under a millisecond however big
 *   the archive, where the planner, not knowing the topic's size, would walk the whole index
 *   (90 ms to 1 s). The OFFSET 0 keeps it from turning the lookups into a join of its choice.
 * - Either way the page's ids come first and only those rows are read whole. */
#define LIST_COND                                                                                  \
    PG_LIVE " AND a.id <> $2::bigint AND (a.published_at, a.id) < ($8::bigint, $9::bigint)"
#define ANY_AGE " AND $7::bigint IS NOT NULL"
#define AND_SINCE " AND greatest(a.published_at, a.updated_at) >= $7::bigint"
#define LINKS_OF_TOPIC                                                                             \
    " FROM (SELECT x.article_id AS id FROM topics t JOIN article_topics x ON x.topic_id = t.id"    \
    " WHERE t.slug = $3::text) l"
#define LINKS_OF_AUTHOR                                                                            \
    " FROM (SELECT y.article_id AS id FROM authors u JOIN article_authors y"                       \
    " ON y.author_id = u.id WHERE u.slug = $4::text) l"
#define LOOKED_UP(age)                                                                             \
    " CROSS JOIN LATERAL (SELECT a.id, a.published_at FROM articles a"                             \
    " WHERE a.id = l.id AND " LIST_COND age " OFFSET 0) a"
#define BY_AUTHOR_TOO                                                                              \
    " WHERE EXISTS (SELECT 1 FROM article_authors y JOIN authors u ON u.id = y.author_id"          \
    " WHERE y.article_id = a.id AND u.slug = $4::text)"
/* The live stories of a variant, as rows (a.id, a.published_at). */
#define ROWS_ALL(age)                                                                              \
    " FROM articles a WHERE " LIST_COND age " AND $3::text IS NULL AND $4::text IS NULL"
#define ROWS_TOPIC(age) LINKS_OF_TOPIC LOOKED_UP(age) " WHERE $4::text IS NULL"
#define ROWS_AUTHOR(age) LINKS_OF_AUTHOR LOOKED_UP(age) " WHERE $3::text IS NULL"
#define ROWS_BOTH(age) LINKS_OF_TOPIC LOOKED_UP(age) BY_AUTHOR_TOO
#define LIST_SQL(rows)                                                                             \
    "SELECT " PG_ART_COLS " FROM (SELECT a.id, a.published_at" rows                                \
    " ORDER BY a.published_at DESC, a.id DESC LIMIT $5::bigint OFFSET $6::bigint) page"            \
    " JOIN articles a ON a.id = page.id ORDER BY page.published_at DESC, page.id DESC"
#define COUNT_SQL(rows)                                                                            \
    "SELECT count(*) FROM (SELECT a.id" rows ") k"                                                 \
    " WHERE $5::bigint IS NOT NULL AND $6::bigint IS NOT NULL"
/* Index: topic (1) | author (2) | since (4). */
#define LIST_VARIANTS(SQL)                                                                         \
    {                                                                                              \
        SQL(ROWS_ALL(ANY_AGE)), SQL(ROWS_TOPIC(ANY_AGE)), SQL(ROWS_AUTHOR(ANY_AGE)),               \
            SQL(ROWS_BOTH(ANY_AGE)), SQL(ROWS_ALL(AND_SINCE)), SQL(ROWS_TOPIC(AND_SINCE)),         \
            SQL(ROWS_AUTHOR(AND_SINCE)), SQL(ROWS_BOTH(AND_SINCE)),                                \
    }
static const char *const list_sql[8] = LIST_VARIANTS(LIST_SQL);
static const char *const count_sql[8] = LIST_VARIANTS(COUNT_SQL);

/* Topics or authors of a page of stories in one query: $1 the stories' ids; rows come grouped
 * by the index in that array (0-based), each carrying its group's size, in position order. */
#define FILL_SQL(cols, link, other, table)                                                         \
    "SELECT j.ord - 1, count(*) OVER (PARTITION BY j.ord), " cols                                  \
    " FROM unnest($1::bigint[]) WITH ORDINALITY AS j (id, ord)"                                    \
    " JOIN " link " l ON l.article_id = j.id JOIN " table " e ON e.id = l." other                  \
    " ORDER BY j.ord, l.position"
static const char fill_topics_sql[] =
    FILL_SQL("e.id, e.slug, e.name, e.description", "article_topics", "topic_id", "topics");
static const char fill_authors_sql[] =
    FILL_SQL("e.id, e.slug, e.name, e.bio", "article_authors", "author_id", "authors");

/* One story: $1 now (not for any_sql), then $n the slug. */
static const char article_live_sql[] =
    "SELECT " PG_ART_COLS PG_ART_BODY " FROM articles a WHERE a.slug = $2::text AND " PG_LIVE;
static const char article_any_sql[] =
    "SELECT " PG_ART_COLS PG_ART_BODY " FROM articles a WHERE a.slug = $1::text";
static const char page_live_sql[] =
    "SELECT " PG_ART_COLS PG_ART_BODY " FROM articles a"
    " WHERE a.slug = $2::text AND " PG_LIVE_ANY_KIND " AND a.kind = 'page'";
static const char article_top_sql[] =
    "SELECT " PG_ART_COLS PG_ART_BODY " FROM articles a WHERE " PG_LIVE
    " ORDER BY a.published_at DESC, a.id DESC LIMIT 1";

/* ---- Reading ------------------------------------------------------------------------------ */
void pg_read_article(const PGresult *r, int row, arena *a, store_article *o, bool with_body)
{
    memset(o, 0, sizeof *o);
    o->id = pg_int(r, row, 0);
    o->slug = pg_text(a, r, row, 1);
    o->kicker = pg_text(a, r, row, 2);
    o->headline = pg_text(a, r, row, 3);
    o->lead = pg_text(a, r, row, 4);
    o->image_url = pg_text(a, r, row, 5);
    o->image_caption = pg_text(a, r, row, 6);
    o->image_credit = pg_text(a, r, row, 7);
    o->image_alt = pg_text(a, r, row, 8);
    o->status = (article_status)pg_int(r, row, 9);
    o->published_at = pg_int(r, row, 10);
    o->updated_at = pg_int(r, row, 11);
    o->comments_off = pg_int(r, row, 12) != 0;
    o->comments_days = (unsigned)pg_int(r, row, 13);
    o->created_at = pg_int(r, row, 14);
    o->body_format = pg_text(a, r, row, 15);
    o->is_page = !PQgetisnull(r, row, 16) && strcmp(PQgetvalue(r, row, 16), "page") == 0;
    o->sticky = pg_int(r, row, 17) != 0;
    if (with_body) {
        o->body_markdown = pg_text(a, r, row, PG_ART_NCOLS);
        o->body_html = pg_text(a, r, row, PG_ART_NCOLS + 1);
    }
}

store_status pg_collect_articles(pg_conn *c, const PGresult *r, arena *a, bool with_body,
                                 store_article **out, size_t *n)
{
    int rows = PQntuples(r);
    store_article *v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        pg_read_article(r, i, a, &v[i], with_body);
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}

static const char *article_id_array(arena *a, const store_article *v, size_t n)
{
    long long *ids = arena_alloc(a, n * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = v[i].id;
    return pg_id_array(a, ids, n);
}

/* Fills topics (is_topics) or authors of v[0..n) from one FILL query. */
static store_status fill_one(pg_conn *c, arena *a, store_article *v, size_t n, const char *ids,
                             bool is_topics)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, ids);
    PGresult *r;
    store_status rs = pg_exec(c, is_topics ? fill_topics_sql : fill_authors_sql, &p, &r,
                              "reading topics and authors");
    if (rs != STORE_OK) return rs;
    for (int row = 0; row < PQntuples(r); row++) {
        long long k = pg_int(r, row, 0), count = pg_int(r, row, 1);
        if (k < 0 || (size_t)k >= n || count <= 0) continue;
        store_article *art = &v[k];
        long long id = pg_int(r, row, 2);
        const char *slug = pg_text(a, r, row, 3), *name = pg_text(a, r, row, 4);
        const char *extra = pg_text(a, r, row, 5);
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
    PQclear(r);
    return STORE_OK;
}

store_status pg_fill_links(pg_conn *c, arena *a, store_article *v, size_t n)
{
    if (n == 0) return STORE_OK;
    const char *ids = article_id_array(a, v, n);
    store_status rs = fill_one(c, a, v, n, ids, true);
    return rs != STORE_OK ? rs : fill_one(c, a, v, n, ids, false);
}

/* Runs an article statement and collects its rows with topics and authors, inside the read
 * the caller began. */
static store_status articles_query(pg_conn *c, arena *a, const char *sql, const pg_params *p,
                                   bool with_body, store_article **out, size_t *n)
{
    PGresult *r;
    store_status rs = pg_exec(c, sql, p, &r, "reading articles");
    if (rs != STORE_OK) return rs;
    pg_collect_articles(c, r, a, with_body, out, n);
    PQclear(r);
    return pg_fill_links(c, a, *out, *n);
}

/* Parameters $1..$9 of a list or count statement (a count ignores the cursor: its total is the
 * whole list's). */
static void list_params(pg_params *p, const store_article_query *q, long long now, bool cursor)
{
    pg_params_init(p);
    pg_param_int(p, now);
    pg_param_int(p, q->exclude_id);
    pg_param_text(p, q->topic_slug);
    pg_param_text(p, q->author_slug);
    pg_param_size(p, q->limit);
    pg_param_size(p, q->offset);
    pg_param_int(p, q->since);
    bool after = cursor && q->cursor_id;
    pg_param_int(p, after ? q->cursor_published_at : LLONG_MAX);
    pg_param_int(p, after ? q->cursor_id : LLONG_MAX);
}

static store_status list_in_tx(pg_conn *c, arena *a, const store_article_query *q, long long now,
                               store_article **out, size_t *n, size_t *total)
{
    int variant = (q->topic_slug ? 1 : 0) | (q->author_slug ? 2 : 0) | (q->since ? 4 : 0);
    pg_params p;
    list_params(&p, q, now, true);
    store_status rs = articles_query(c, a, list_sql[variant], &p, false, out, n);
    if (rs != STORE_OK || !total) return rs;
    list_params(&p, q, now, false);
    long long count = 0;
    rs = pg_exec_int(c, count_sql[variant], &p, &count, "counting articles");
    *total = (size_t)count;
    return rs;
}

store_status pg_store_articles_list(store *s, arena *a, const store_article_query *q,
                                    store_article **out, size_t *n, size_t *total)
{
    *out = NULL;
    *n = 0;
    if (total) *total = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!q) return pg_failf(c, STORE_INVALID, "no query given");
    rs = pg_begin_read(c);
    if (rs == STORE_OK) rs = list_in_tx(c, a, q, pg_now(), out, n, total);
    rs = pg_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
        if (total) *total = 0;
    }
    return rs;
}

/* One article with body, topics and authors, in one snapshot: sql takes $1 now when with_now,
 * then the slug when there is one (NULL: the top story). */
static store_status article_one(store *s, arena *a, const char *sql, bool with_now,
                                const char *slug, store_article *out)
{
    memset(out, 0, sizeof *out);
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    if (with_now) pg_param_int(&p, pg_now());
    if (slug) pg_param_text(&p, slug);
    PGresult *r = NULL;
    if ((rs = pg_begin_read(c)) == STORE_OK &&
        (rs = pg_exec(c, sql, &p, &r, "reading an article")) == STORE_OK) {
        if (PQntuples(r) == 0)
            rs = pg_failf(c, STORE_NOT_FOUND, "no such article: %s", slug ? slug : "(top story)");
        else
            pg_read_article(r, 0, a, out, true);
        PQclear(r);
        if (rs == STORE_OK) rs = pg_fill_links(c, a, out, 1);
    }
    rs = pg_finish(c, rs);
    if (rs != STORE_OK) memset(out, 0, sizeof *out);
    return rs;
}

store_status pg_store_article_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    if (!slug) {
        memset(out, 0, sizeof *out);
        return STORE_NOT_FOUND;
    }
    return article_one(s, a, article_live_sql, true, slug, out);
}

store_status pg_store_article_any_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    if (!slug) {
        memset(out, 0, sizeof *out);
        return STORE_NOT_FOUND;
    }
    return article_one(s, a, article_any_sql, false, slug, out);
}

store_status pg_store_page_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    if (!slug) {
        memset(out, 0, sizeof *out);
        return STORE_NOT_FOUND;
    }
    return article_one(s, a, page_live_sql, true, slug, out);
}

store_status pg_store_article_top(store *s, arena *a, store_article *out)
{
    return article_one(s, a, article_top_sql, true, NULL, out);
}

store_status pg_store_pages_list(store *s, arena *a, const char ***slugs, size_t *n)
{
    *slugs = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    PGresult *r;
    rs = pg_exec(c,
                 "SELECT a.slug FROM articles a WHERE " PG_LIVE_ANY_KIND
                 " AND a.kind = 'page' ORDER BY a.slug",
                 &p, &r, "listing pages");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    const char **v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = pg_text(a, r, i, 0);
    PQclear(r);
    *slugs = v;
    *n = (size_t)rows;
    return STORE_OK;
}

store_status pg_store_redirect_lookup(store *s, arena *a, const char *path, const char **target)
{
    *target = NULL;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, path);
    PGresult *r;
    rs = pg_exec(c, "SELECT target FROM redirects WHERE path = $1::text", &p, &r,
                 "reading redirects");
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) > 0) *target = pg_text(a, r, 0, 0);
    PQclear(r);
    return *target ? STORE_OK : STORE_NOT_FOUND;
}

/* What a sitemap lists: $1 now, $2 limit, $3 offset. */
store_status pg_store_article_stamps(store *s, arena *a, size_t limit, size_t offset,
                                     store_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    pg_param_size(&p, limit);
    pg_param_size(&p, offset);
    PGresult *r;
    rs = pg_exec(c,
                 "SELECT a.id, a.slug, a.headline, a.published_at, a.updated_at"
                 " FROM articles a WHERE " PG_LIVE " ORDER BY a.published_at DESC, a.id DESC"
                 " LIMIT $2::bigint OFFSET $3::bigint",
                 &p, &r, "listing articles");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    store_article *v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = (store_article){.id = pg_int(r, i, 0),
                               .slug = pg_text(a, r, i, 1),
                               .headline = pg_text(a, r, i, 2),
                               .status = ARTICLE_PUBLISHED,
                               .published_at = pg_int(r, i, 3),
                               .updated_at = pg_int(r, i, 4)};
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}

/* Runs an article statement taking ($1 now, $2 number, $3 limit) in one snapshot, with topics
 * and authors. */
static store_status articles_read(store *s, arena *a, const char *sql, long long number,
                                  size_t limit, bool with_body, store_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    pg_param_int(&p, number);
    pg_param_size(&p, limit);
    if ((rs = pg_begin_read(c)) == STORE_OK) rs = articles_query(c, a, sql, &p, with_body, out, n);
    rs = pg_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
    }
    return rs;
}

/* $2 the story, $3 limit. A shared topic scores 2 when it is the primary topic of either
 * story, else 1. */
store_status pg_store_articles_related_by_topics(store *s, arena *a, long long article_id,
                                                 size_t limit, store_article **out, size_t *n)
{
    return articles_read(
        s, a,
        "SELECT " PG_ART_COLS " FROM (SELECT theirs.article_id AS id,"
        " sum(CASE WHEN mine.position = 0 OR theirs.position = 0 THEN 2 ELSE 1 END) AS score"
        " FROM article_topics mine JOIN article_topics theirs ON theirs.topic_id = mine.topic_id"
        " AND theirs.article_id <> mine.article_id"
        " WHERE mine.article_id = $2::bigint GROUP BY theirs.article_id) r"
        " JOIN articles a ON a.id = r.id WHERE " PG_LIVE
        " ORDER BY r.score DESC, a.published_at DESC, a.id DESC LIMIT $3::bigint",
        article_id, limit, false, out, n);
}

/* $2 since: stories saved since then, and stories whose publication time passed since then
 * (scheduled stories going live); $3 limit. */
store_status pg_store_articles_changed_since(store *s, arena *a, long long since, size_t limit,
                                             store_article **out, size_t *n)
{
    return articles_read(s, a,
                         "SELECT " PG_ART_COLS PG_ART_BODY " FROM articles a WHERE a.id IN"
                         " (SELECT id FROM articles WHERE updated_at >= $2::bigint UNION"
                         " SELECT id FROM articles WHERE published_at >= $2::bigint"
                         " AND published_at <= $1::bigint)"
                         " ORDER BY a.updated_at, a.id LIMIT $3::bigint",
                         since, limit, true, out, n);
}

/* $1 now, $2 the ids: the live ones, in the order given (a repeated id comes back each time). */
store_status pg_store_articles_by_ids(store *s, arena *a, const long long *ids, size_t n_ids,
                                      store_article **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK || n_ids == 0) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    pg_param_text(&p, pg_id_array(a, ids, n_ids));
    if ((rs = pg_begin_read(c)) == STORE_OK)
        rs = articles_query(c, a,
                            "SELECT " PG_ART_COLS
                            " FROM unnest($2::bigint[]) WITH ORDINALITY AS j (id, ord)"
                            " JOIN articles a ON a.id = j.id WHERE " PG_LIVE " ORDER BY j.ord",
                            &p, false, out, n);
    rs = pg_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
    }
    return rs;
}

store_status pg_store_missing_read_also(store *s, arena *a, store_missing_link **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, pg_now());
    PGresult *r;
    rs = pg_exec(c,
                 "SELECT a.slug, r.target_slug FROM articles a"
                 " JOIN article_read_also r ON r.article_id = a.id"
                 " WHERE " PG_LIVE " AND NOT EXISTS (SELECT 1 FROM articles b"
                 " WHERE b.slug = r.target_slug AND b.status >= 1"
                 " AND b.published_at <= $1::bigint)"
                 " GROUP BY a.id, a.slug, r.target_slug"
                 " ORDER BY a.slug, min(r.position)",
                 &p, &r, "listing read-also links");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    store_missing_link *v = rows ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = (store_missing_link){pg_text(a, r, i, 0), pg_text(a, r, i, 1)};
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return STORE_OK;
}

/* ---- Saving ------------------------------------------------------------------------------- */
/* Everything the store refuses, checked before anything is written. i is 1-based. */
static store_status check_input(pg_conn *c, const store_article_input *in, size_t i)
{
    char why[512];
    return store_article_input_ok(in, i, why, sizeof why) ? STORE_OK
                                                          : pg_failf(c, STORE_INVALID, "%s", why);
}

store_status pg_check_article(pg_conn *c, const store_article_input *in)
{
    return check_input(c, in, 1);
}

/* Topics and authors are looked up and created the same way; these name their SQL. link_by_slug
 * links the one whose slug is given in one statement ($1 article, $2 slug, $3 position): no row
 * when there is none, or when it is linked already. */
typedef struct {
    const char *by_slug, *by_name, *max_id, *insert, *link_add, *link_by_slug;
    const char *kind; /* "topic", "author": messages and fallback slugs */
} entity_kind;

/* insert: $1 slug, $2 name, $3 now (topics' created_at); no row when the slug is taken. */
static const entity_kind topic_kind = {
    "SELECT id FROM topics WHERE slug = $1::text",
    "SELECT id FROM topics WHERE name = $1::text ORDER BY id LIMIT 1",
    "SELECT coalesce(max(id), 0) FROM topics",
    "INSERT INTO topics (slug, name, created_at) VALUES ($1::text, $2::text, $3::bigint)"
    " ON CONFLICT (slug) DO NOTHING RETURNING id",
    "INSERT INTO article_topics (article_id, topic_id, position)"
    " VALUES ($1::bigint, $2::bigint, $3::bigint) ON CONFLICT DO NOTHING RETURNING 1",
    "INSERT INTO article_topics (article_id, topic_id, position)"
    " SELECT $1::bigint, id, $3::bigint FROM topics WHERE slug = $2::text"
    " ON CONFLICT DO NOTHING RETURNING 1",
    "topic"};
static const entity_kind author_kind = {
    "SELECT id FROM authors WHERE slug = $1::text",
    "SELECT id FROM authors WHERE name = $1::text ORDER BY id LIMIT 1",
    "SELECT coalesce(max(id), 0) FROM authors",
    "INSERT INTO authors (slug, name) VALUES ($1::text, $2::text)"
    " ON CONFLICT (slug) DO NOTHING RETURNING id",
    "INSERT INTO article_authors (article_id, author_id, position)"
    " VALUES ($1::bigint, $2::bigint, $3::bigint) ON CONFLICT DO NOTHING RETURNING 1",
    "INSERT INTO article_authors (article_id, author_id, position)"
    " SELECT $1::bigint, id, $3::bigint FROM authors WHERE slug = $2::text"
    " ON CONFLICT DO NOTHING RETURNING 1",
    "author"};

static store_status lookup_id(pg_conn *c, const char *sql, const char *text, long long *out)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, text);
    return pg_exec_int(c, sql, &p, out, "looking up");
}

/* Inserts a topic or an author; STORE_CONFLICT (nothing written, the transaction intact) when
 * the slug is taken. */
static store_status entity_insert(pg_conn *c, const entity_kind *k, const char *slug,
                                  const char *name, long long now, long long *id)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, slug);
    pg_param_text(&p, name);
    if (k == &topic_kind) pg_param_int(&p, now);
    store_status rs =
        pg_exec_int(c, k->insert, &p, id, k == &topic_kind ? "adding a topic" : "adding an author");
    return rs == STORE_NOT_FOUND ? STORE_CONFLICT : rs;
}

/* The id of the topic or author called name (slug: made from it): matched by slug, then by the
 * exact name, else created ("topic-<n>" when the name has nothing to make a slug from). A slug
 * another writer took meanwhile is that writer's topic: looked up again. */
static store_status entity_id(pg_conn *c, arena *scratch, const entity_kind *k, const char *name,
                              const char *slug, long long now, long long *id)
{
    store_status rs = *slug ? lookup_id(c, k->by_slug, slug, id) : STORE_NOT_FOUND;
    if (rs == STORE_NOT_FOUND) rs = lookup_id(c, k->by_name, name, id);
    if (rs != STORE_NOT_FOUND) return rs;
    if (*slug) {
        rs = entity_insert(c, k, slug, name, now, id);
        return rs == STORE_CONFLICT ? lookup_id(c, k->by_slug, slug, id) : rs;
    }
    long long max_id = 0;
    if ((rs = pg_exec_int(c, k->max_id, NULL, &max_id, "numbering")) != STORE_OK) return rs;
    rs = STORE_CONFLICT;
    for (long long n = max_id + 1; rs == STORE_CONFLICT && n <= max_id + 100; n++)
        rs = entity_insert(c, k, arena_printf(scratch, "%s-%lld", k->kind, n), name, now, id);
    if (rs == STORE_CONFLICT) rs = pg_failf(c, rs, "no free slug for the %s '%s'", k->kind, name);
    return rs;
}

/* Runs a link insert ($1 article, $2 other id or text, $3 position); *added tells whether a
 * row went in (duplicates are skipped). */
static store_status link_add(pg_conn *c, const char *sql, long long article, long long other,
                             const char *text, long long pos, bool *added)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article);
    if (text)
        pg_param_text(&p, text);
    else
        pg_param_int(&p, other);
    pg_param_int(&p, pos);
    PGresult *r;
    store_status rs = pg_exec(c, sql, &p, &r, "linking an article");
    *added = rs == STORE_OK && PQntuples(r) > 0;
    if (rs == STORE_OK) PQclear(r);
    return rs;
}

/* Links the article to the topics or authors named, in order (the old links are gone). The
 * usual name, one whose slug exists, costs one statement; the others are looked up by name or
 * created first. */
static store_status link_entities(pg_conn *c, arena *scratch, const entity_kind *k,
                                  long long article, const char **names, size_t n, long long now)
{
    store_status rs = STORE_OK;
    long long pos = 0;
    for (size_t i = 0; i < n && rs == STORE_OK; i++) {
        const char *slug = content_slugify(scratch, names[i]);
        bool added = false;
        if (*slug) rs = link_add(c, k->link_by_slug, article, 0, slug, pos, &added);
        long long other;
        if (rs == STORE_OK && !added) rs = entity_id(c, scratch, k, names[i], slug, now, &other);
        if (rs == STORE_OK && !added)
            rs = link_add(c, k->link_add, article, other, NULL, pos, &added);
        if (added) pos++;
    }
    return rs;
}

static store_status link_read_also(pg_conn *c, long long article, const char **slugs, size_t n)
{
    store_status rs = STORE_OK;
    for (size_t i = 0; i < n && rs == STORE_OK; i++) {
        bool added;
        rs = link_add(c,
                      "INSERT INTO article_read_also (article_id, target_slug, position)"
                      " VALUES ($1::bigint, $2::text, $3::bigint) RETURNING 1",
                      article, 0, slugs[i], (long long)i, &added);
    }
    return rs;
}

/* The story's topics, authors and read-also links go in one statement. */
static store_status unlink_all(pg_conn *c, long long article)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article);
    return pg_exec(c,
                   "WITH t AS (DELETE FROM article_topics WHERE article_id = $1::bigint),"
                   " u AS (DELETE FROM article_authors WHERE article_id = $1::bigint)"
                   " DELETE FROM article_read_also WHERE article_id = $1::bigint",
                   &p, NULL, "unlinking an article");
}

store_status pg_save_links(pg_conn *c, arena *scratch, const store_article_input *in, long long now,
                           long long id)
{
    store_status rs = pg_search_index(c, id);
    if (rs == STORE_OK) rs = unlink_all(c, id);
    if (rs == STORE_OK)
        rs = link_entities(c, scratch, &topic_kind, id, in->topic_names, in->n_topics, now);
    if (rs == STORE_OK)
        rs = link_entities(c, scratch, &author_kind, id, in->author_names, in->n_authors, now);
    if (rs == STORE_OK) rs = link_read_also(c, id, in->read_also_slugs, in->n_read_also);
    return rs;
}

/* $12 the publication time to store, $13 now, $14 the published_at given (0: none): an
 * already published story saved again without a time keeps its original one. $15
 * comments_off, $16 comments_days, $17 body_format. */
static const char upsert_sql[] =
    "INSERT INTO articles (slug, kicker, headline, lead, body_markdown, body_html,"
    " image_url, image_caption, image_credit, image_alt, status, published_at, updated_at,"
    " created_at, comments_off, comments_days, body_format)"
    " VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text,"
    " $9::text, $10::text, $11::bigint, $12::bigint, $13::bigint, $13::bigint, $15::bigint,"
    " $16::bigint, $17::text)"
    " ON CONFLICT (slug) DO UPDATE SET kicker = excluded.kicker,"
    " headline = excluded.headline, lead = excluded.lead,"
    " body_markdown = excluded.body_markdown, body_html = excluded.body_html,"
    " image_url = excluded.image_url, image_caption = excluded.image_caption,"
    " image_credit = excluded.image_credit, image_alt = excluded.image_alt,"
    " status = excluded.status,"
    " published_at = CASE WHEN $14::bigint = 0 AND articles.status = 2"
    " THEN articles.published_at ELSE excluded.published_at END,"
    " updated_at = excluded.updated_at, comments_off = excluded.comments_off,"
    " comments_days = excluded.comments_days, body_format = excluded.body_format"
    " RETURNING id";

static store_status upsert_article(pg_conn *c, const store_article_input *in, long long now,
                                   long long *id)
{
    pg_params p;
    pg_params_init(&p);
    const char *text[] = {in->slug,          in->kicker,    in->headline,  in->lead,
                          in->body_markdown, in->body_html, in->image_url, in->image_caption,
                          in->image_credit,  in->image_alt};
    for (int i = 0; i < 10; i++)
        pg_param_text(&p, text[i]);
    pg_param_int(&p, (long long)in->status);
    pg_param_int(&p, in->published_at ? in->published_at : now);
    pg_param_int(&p, now);
    pg_param_int(&p, in->published_at);
    pg_param_int(&p, in->comments_off ? 1 : 0);
    pg_param_int(&p, (long long)in->comments_days);
    pg_param_text(&p, in->body_format ? in->body_format : "markdown");
    return pg_exec_int(c, upsert_sql, &p, id, "saving an article");
}

/* One input, inside the write transaction; a failure's message names the story. */
static store_status save_one(store *s, pg_conn *c, arena *scratch, const store_article_input *in,
                             size_t i, long long now, long long *id)
{
    store_status rs = upsert_article(c, in, now, id);
    if (rs == STORE_OK) rs = pg_save_links(c, scratch, in, now, *id);
    if (rs == STORE_OK) rs = pg_revision_write(c, *id, 0, NULL, now, NULL);
    if (rs != STORE_OK) {
        const char *why = arena_strdup(scratch, pg_store_last_error(s));
        pg_failf(c, rs, "article %zu (%s): %s", i, in->slug, why ? why : "");
    }
    return rs;
}

store_status pg_store_articles_save(store *s, const store_article_input *inputs, size_t n,
                                    long long *ids)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK || n == 0) return rs;
    if (!inputs) return pg_failf(c, STORE_INVALID, "no articles given");
    for (size_t i = 0; i < n && rs == STORE_OK; i++)
        rs = check_input(c, &inputs[i], i + 1);
    if (rs != STORE_OK) return rs;
    arena *scratch = arena_new();
    long long now = pg_now();
    rs = pg_begin_write(c);
    for (size_t i = 0; i < n && rs == STORE_OK; i++) {
        long long id = 0;
        rs = save_one(s, c, scratch, &inputs[i], i + 1, now, &id);
        if (ids) ids[i] = id;
        arena_reset(scratch);
    }
    rs = pg_finish(c, rs);
    arena_free(scratch);
    if (rs != STORE_OK && ids) memset(ids, 0, n * sizeof *ids);
    return rs;
}
