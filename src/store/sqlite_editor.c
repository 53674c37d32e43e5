/* sqlite_editor.c — the web editor's part of the SQLite backend (store.h, migration 13): the
 * newsroom's list of stories whatever their status, one story by id, saving a story by id with
 * the conflict check against the revision the writer started from, and the revisions every save
 * writes (also store_articles_save's, through sqlite_revision_write). Statements are prepared,
 * bound and finalized per call (these calls are rare next to page views); a save is one
 * BEGIN IMMEDIATE transaction. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../content/content.h"
#include "revision_links.h"
#include "sqlite_internal.h"

typedef sqlite_query query;

static store_status prepare(query *q, const char *sql)
{
    return sqlite_query_prepare(q, sql, "preparing an editor query");
}

/* NULL binds SQL NULL. */
/* Steps once: SQLITE_ROW or SQLITE_DONE become STORE_OK (*row says which). */
/* The first column of the one row a statement gives (0 when none). */
static store_status one_int(query *q, long long *out, const char *what)
{
    bool row = false;
    store_status rs = sqlite_query_step(q, &row, what);
    *out = rs == STORE_OK && row ? sqlite3_column_int64(q->st, 0) : 0;
    return rs;
}

/* ---- The list ---------------------------------------------------------------------------
 * ?1 status or NULL, ?2 topic slug or NULL, ?3 author slug or NULL, ?4 owner user, ?5 owner
 * author (both 0: anyone's), ?6 FTS5 query or NULL, ?7 limit, ?8 offset. */
#define EDITOR_WHERE                                                                               \
    " FROM articles a WHERE a.kind = 'story' AND (?1 IS NULL OR a.status = ?1)"                    \
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM article_topics x JOIN topics t"                     \
    " ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = ?2))"                            \
    " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_authors y JOIN authors u"                   \
    " ON u.id = y.author_id WHERE y.article_id = a.id AND u.slug = ?3))"                           \
    " AND ((?4 = 0 AND ?5 = 0) OR (?5 <> 0 AND EXISTS (SELECT 1 FROM article_authors y"            \
    " WHERE y.article_id = a.id AND y.author_id = ?5)) OR (?4 <> 0 AND (SELECT r.user_id"          \
    " FROM article_revisions r WHERE r.article_id = a.id ORDER BY r.number LIMIT 1) = ?4))"        \
    " AND (?6 IS NULL OR a.id IN (SELECT rowid FROM article_search WHERE article_search MATCH "    \
    "?6))"

static const char list_sql[] = "SELECT " SQLITE_ART_COLS EDITOR_WHERE
                               " ORDER BY a.updated_at DESC, a.id DESC LIMIT ?7 OFFSET ?8";
static const char count_sql[] = "SELECT count(*)" EDITOR_WHERE;

static void bind_editor_query(query *q, const store_editor_query *eq)
{
    if (eq->status)
        sqlite_query_int(q, 1, (long long)*eq->status);
    else
        sqlite_query_text(q, 1, NULL);
    sqlite_query_text(q, 2, eq->topic_slug);
    sqlite_query_text(q, 3, eq->author_slug);
    sqlite_query_int(q, 4, eq->owner_user_id);
    sqlite_query_int(q, 5, eq->owner_author_id);
    sqlite_query_text(q, 6, eq->fts_query);
}

/* FTS5 reports a query it cannot parse as SQLITE_ERROR when stepping: the writer's mistake. */
static store_status list_fail(query *q, store_status rs)
{
    if (rs != STORE_OK && q->rc == SQLITE_ERROR)
        return sqlite_failf(q->c, STORE_INVALID, "invalid search: %s", sqlite3_errmsg(q->db));
    return rs;
}

static store_status list_in_tx(query *q, arena *a, const store_editor_query *eq,
                               store_article **out, size_t *n, size_t *total)
{
    store_status rs = prepare(q, list_sql);
    if (rs != STORE_OK) return rs;
    bind_editor_query(q, eq);
    sqlite_query_int(q, 7, eq->limit > 100000 ? 100000 : (long long)eq->limit);
    sqlite_query_int(q, 8, eq->offset > 1000000000 ? 1000000000 : (long long)eq->offset);
    rs = sqlite_collect_articles(q->c, q->st, q->rc, a, false, out, n);
    if (rs != STORE_OK) {
        q->rc = sqlite3_errcode(q->db);
        return list_fail(q, rs);
    }
    if ((rs = sqlite_fill_links(q->c, a, *out, *n)) != STORE_OK || !total) return rs;
    if ((rs = prepare(q, count_sql)) != STORE_OK) return rs;
    bind_editor_query(q, eq);
    long long count = 0;
    rs = list_fail(q, one_int(q, &count, "counting stories"));
    *total = (size_t)count;
    return rs;
}

store_status sqlite_store_editor_articles(store *s, arena *a, const store_editor_query *eq,
                                          store_article **out, size_t *n, size_t *total)
{
    *out = NULL;
    *n = 0;
    if (total) *total = 0;
    query q;
    store_status rs = sqlite_query_open(s, &q);
    if (rs != STORE_OK) return rs;
    if (!eq) return sqlite_failf(q.c, STORE_INVALID, "no query given");
    if ((rs = sqlite_begin_read(q.c)) == STORE_OK) rs = list_in_tx(&q, a, eq, out, n, total);
    sqlite_query_end(&q);
    rs = sqlite_finish(q.c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
        if (total) *total = 0;
    }
    return rs;
}

/* ---- One story --------------------------------------------------------------------------- */
static const char latest_sql[] =
    "SELECT coalesce(max(number), 0) FROM article_revisions WHERE article_id = ?1";

static store_status by_id_in_tx(query *q, arena *a, long long id, store_article *out, int *revision)
{
    store_status rs = prepare(q, "SELECT " SQLITE_ART_COLS SQLITE_ART_BODY
                                 " FROM articles a WHERE a.id = ?1 AND a.kind = 'story'");
    if (rs != STORE_OK) return rs;
    sqlite_query_int(q, 1, id);
    store_article *v;
    size_t n;
    if ((rs = sqlite_collect_articles(q->c, q->st, q->rc, a, true, &v, &n)) != STORE_OK) return rs;
    if (n == 0) return sqlite_failf(q->c, STORE_NOT_FOUND, "no story %lld", id);
    *out = v[0];
    if ((rs = sqlite_fill_links(q->c, a, out, 1)) != STORE_OK || !revision) return rs;
    if ((rs = prepare(q, latest_sql)) != STORE_OK) return rs;
    sqlite_query_int(q, 1, id);
    long long latest = 0;
    rs = one_int(q, &latest, "reading the newest revision");
    *revision = (int)latest;
    return rs;
}

store_status sqlite_store_article_by_id(store *s, arena *a, long long id, store_article *out,
                                        int *revision)
{
    memset(out, 0, sizeof *out);
    if (revision) *revision = 0;
    query q;
    store_status rs = sqlite_query_open(s, &q);
    if (rs != STORE_OK) return rs;
    if ((rs = sqlite_begin_read(q.c)) == STORE_OK) rs = by_id_in_tx(&q, a, id, out, revision);
    sqlite_query_end(&q);
    rs = sqlite_finish(q.c, rs);
    if (rs != STORE_OK) memset(out, 0, sizeof *out);
    return rs;
}

store_status sqlite_store_article_owned_by(store *s, long long article_id, long long user_id,
                                           long long author_id, bool *owned)
{
    *owned = false;
    query q;
    store_status rs = sqlite_query_open(s, &q);
    if (rs != STORE_OK) return rs;
    rs =
        prepare(&q, "SELECT (?3 <> 0 AND EXISTS (SELECT 1 FROM article_authors"
                    " WHERE article_id = ?1 AND author_id = ?3)) OR (?2 <> 0 AND (SELECT user_id"
                    " FROM article_revisions WHERE article_id = ?1 ORDER BY number LIMIT 1) = ?2)");
    if (rs == STORE_OK) {
        sqlite_query_int(&q, 1, article_id);
        sqlite_query_int(&q, 2, user_id);
        sqlite_query_int(&q, 3, author_id);
        long long yes = 0;
        rs = one_int(&q, &yes, "checking who wrote a story");
        *owned = yes != 0;
    }
    sqlite_query_end(&q);
    return rs;
}

/* ---- Authors ------------------------------------------------------------------------------ */
static store_status authors_query(store *s, arena *a, long long id, store_author **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    query q;
    store_status rs = sqlite_query_open(s, &q);
    if (rs != STORE_OK) return rs;
    rs = prepare(&q, "SELECT id, slug, name, bio FROM authors WHERE ?1 = 0 OR id = ?1"
                     " ORDER BY name COLLATE NOCASE, name, id");
    sqlite_query_int(&q, 1, id);
    store_author *v = NULL;
    size_t len = 0, cap = 0;
    bool row = true;
    while (rs == STORE_OK && (rs = sqlite_query_step(&q, &row, "reading authors")) == STORE_OK &&
           row) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        v[len++] = (store_author){sqlite3_column_int64(q.st, 0), sqlite_column_copy(a, q.st, 1),
                                  sqlite_column_copy(a, q.st, 2), sqlite_column_copy(a, q.st, 3)};
    }
    sqlite_query_end(&q);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

store_status sqlite_store_authors_all(store *s, arena *a, store_author **out, size_t *n)
{
    return authors_query(s, a, 0, out, n);
}

store_status sqlite_store_author_by_id(store *s, arena *a, long long id, store_author *out)
{
    memset(out, 0, sizeof *out);
    store_author *v;
    size_t n;
    store_status rs = id > 0 ? authors_query(s, a, id, &v, &n) : STORE_NOT_FOUND;
    if (rs == STORE_OK && n == 0) rs = STORE_NOT_FOUND;
    if (rs == STORE_OK) *out = v[0];
    return rs;
}

/* ---- Revisions --------------------------------------------------------------------------- */
#define NAMES_OF(link, table, other)                                                               \
    "(SELECT json_group_array(name) FROM (SELECT e.name FROM " link " l JOIN " table " e"          \
    " ON e.id = l." other " WHERE l.article_id = a.id ORDER BY l.position))"

static const char revision_write_sql[] =
    "INSERT INTO article_revisions (article_id, number, user_id, user_name, saved_at, slug,"
    " kicker, headline, lead, body_markdown, body_html, body_format, image_url, image_caption,"
    " image_credit, image_alt, status, published_at, comments_off, comments_days, topics,"
    " authors)"
    " SELECT a.id, coalesce((SELECT max(number) FROM article_revisions"
    " WHERE article_id = a.id), 0) + 1, nullif(?2, 0), coalesce(?3, ''), ?4, a.slug, a.kicker,"
    " a.headline, a.lead, a.body_markdown, a.body_html, a.body_format, a.image_url,"
    " a.image_caption, a.image_credit, a.image_alt, a.status, a.published_at, a.comments_off,"
    " a.comments_days, " NAMES_OF("article_topics", "topics", "topic_id") ", " NAMES_OF(
        "article_authors", "authors", "author_id") " FROM articles a WHERE a.id = ?1"
                                                   " RETURNING number";

store_status sqlite_revision_write(conn *c, long long article_id, long long user_id,
                                   const char *user_name, long long now, int *number)
{
    query q = {.c = c, .db = sqlite_db(c)};
    store_status rs = prepare(&q, revision_write_sql);
    if (rs == STORE_OK) {
        sqlite_query_int(&q, 1, article_id);
        sqlite_query_int(&q, 2, user_id);
        sqlite_query_text(&q, 3, user_name);
        sqlite_query_int(&q, 4, now);
        long long n = 0;
        rs = one_int(&q, &n, "writing a revision");
        if (rs == STORE_OK && n == 0)
            rs =
                sqlite_failf(c, STORE_NOT_FOUND, "no story %lld to keep a revision of", article_id);
        if (number) *number = (int)n;
    }
    sqlite_query_end(&q);
    return rs;
}

#define REVISION_COLS                                                                              \
    "article_id, number, coalesce(user_id, 0), user_name, saved_at, slug, kicker, headline,"       \
    " lead, image_url, image_caption, image_credit, image_alt, status, published_at,"              \
    " comments_off, comments_days, body_format, topics, authors"
enum { REVISION_NCOLS = 20 };

static void read_revision(arena *a, sqlite3_stmt *st, store_revision *r, bool with_body)
{
    memset(r, 0, sizeof *r);
    r->article_id = sqlite3_column_int64(st, 0);
    r->number = sqlite3_column_int(st, 1);
    r->user_id = sqlite3_column_int64(st, 2);
    r->user_name = sqlite_column_copy(a, st, 3);
    r->saved_at = sqlite3_column_int64(st, 4);
    store_article *o = &r->article;
    o->id = r->article_id;
    o->slug = sqlite_column_copy(a, st, 5);
    o->kicker = sqlite_column_copy(a, st, 6);
    o->headline = sqlite_column_copy(a, st, 7);
    o->lead = sqlite_column_copy(a, st, 8);
    o->image_url = sqlite_column_copy(a, st, 9);
    o->image_caption = sqlite_column_copy(a, st, 10);
    o->image_credit = sqlite_column_copy(a, st, 11);
    o->image_alt = sqlite_column_copy(a, st, 12);
    o->status = (article_status)sqlite3_column_int(st, 13);
    o->published_at = sqlite3_column_int64(st, 14);
    o->comments_off = sqlite3_column_int(st, 15) != 0;
    o->comments_days = (unsigned)sqlite3_column_int(st, 16);
    o->body_format = sqlite_column_copy(a, st, 17);
    o->updated_at = r->saved_at;
    store_revision_links(a, sqlite_column_copy(a, st, 18), sqlite_column_copy(a, st, 19), o);
    if (with_body) {
        o->body_markdown = sqlite_column_copy(a, st, REVISION_NCOLS);
        o->body_html = sqlite_column_copy(a, st, REVISION_NCOLS + 1);
    }
}

store_status sqlite_store_revisions_list(store *s, arena *a, long long article_id,
                                         store_revision **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    query q;
    store_status rs = sqlite_query_open(s, &q);
    if (rs != STORE_OK) return rs;
    rs = prepare(&q, "SELECT " REVISION_COLS " FROM article_revisions WHERE article_id = ?1"
                     " ORDER BY number DESC");
    sqlite_query_int(&q, 1, article_id);
    store_revision *v = NULL;
    size_t len = 0, cap = 0;
    bool row = true;
    while (rs == STORE_OK && (rs = sqlite_query_step(&q, &row, "reading revisions")) == STORE_OK &&
           row) {
        if (len == cap) v = arena_grow(a, v, &cap, len, sizeof *v);
        read_revision(a, q.st, &v[len++], false);
    }
    sqlite_query_end(&q);
    if (rs == STORE_OK) {
        *out = v;
        *n = len;
    }
    return rs;
}

store_status sqlite_store_revision_get(store *s, arena *a, long long article_id, int number,
                                       store_revision *out)
{
    memset(out, 0, sizeof *out);
    query q;
    store_status rs = sqlite_query_open(s, &q);
    if (rs != STORE_OK) return rs;
    rs = prepare(&q, "SELECT " REVISION_COLS ", body_markdown, body_html FROM article_revisions"
                     " WHERE article_id = ?1 AND number = ?2");
    sqlite_query_int(&q, 1, article_id);
    sqlite_query_int(&q, 2, number);
    bool row = false;
    if (rs == STORE_OK && (rs = sqlite_query_step(&q, &row, "reading a revision")) == STORE_OK) {
        if (row)
            read_revision(a, q.st, out, true);
        else
            rs = sqlite_failf(q.c, STORE_NOT_FOUND, "story %lld has no revision %d", article_id,
                              number);
    }
    sqlite_query_end(&q);
    return rs;
}

/* ---- Saving ------------------------------------------------------------------------------
 * ?1 id (update), ?2..?11 slug, kicker, headline, lead, body_markdown, body_html, image url,
 * caption, credit, alt; ?12 status; ?13 published_at (0: keep; a new story: now); ?14 now;
 * ?15 comments_off; ?16 comments_days; ?17 body_format. */
static const char update_sql[] =
    "UPDATE articles SET slug = ?2, kicker = ?3, headline = ?4, lead = ?5, body_markdown = ?6,"
    " body_html = ?7, image_url = ?8, image_caption = ?9, image_credit = ?10, image_alt = ?11,"
    " status = ?12, published_at = CASE WHEN ?13 = 0 THEN published_at ELSE ?13 END,"
    " updated_at = ?14, comments_off = ?15, comments_days = ?16, body_format = ?17"
    " WHERE id = ?1 AND kind = 'story' RETURNING id";
static const char insert_sql[] =
    "INSERT INTO articles (slug, kicker, headline, lead, body_markdown, body_html, image_url,"
    " image_caption, image_credit, image_alt, status, published_at, updated_at, created_at,"
    " comments_off, comments_days, body_format) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
    " ?11, ?12, CASE WHEN ?13 = 0 THEN ?14 ELSE ?13 END, ?14, ?14, ?15, ?16, ?17) RETURNING id";

static store_status write_row(query *q, const store_article_edit *e, const char *slug,
                              long long now, long long *id)
{
    const store_article_input *in = &e->input;
    store_status rs = prepare(q, e->id ? update_sql : insert_sql);
    if (rs != STORE_OK) return rs;
    if (e->id) sqlite_query_int(q, 1, e->id);
    const char *text[] = {
        slug,          in->kicker,    in->headline,      in->lead,         in->body_markdown,
        in->body_html, in->image_url, in->image_caption, in->image_credit, in->image_alt};
    for (int i = 0; i < 10; i++)
        sqlite_query_text(q, i + 2, text[i]);
    sqlite_query_int(q, 12, (long long)in->status);
    sqlite_query_int(q, 13, in->published_at);
    sqlite_query_int(q, 14, now);
    sqlite_query_int(q, 15, in->comments_off ? 1 : 0);
    sqlite_query_int(q, 16, (long long)in->comments_days);
    sqlite_query_text(q, 17, in->body_format ? in->body_format : "markdown");
    rs = one_int(q, id, "saving a story");
    if (rs == STORE_OK && *id == 0)
        rs = sqlite_failf(q->c, STORE_NOT_FOUND, "no story %lld", e->id);
    return rs;
}

/* Whether slug belongs to a story other than id. */
static store_status slug_taken(query *q, const char *slug, long long id, bool *taken)
{
    store_status rs = prepare(q, "SELECT count(*) FROM articles WHERE slug = ?1 AND id <> ?2");
    if (rs != STORE_OK) return rs;
    sqlite_query_text(q, 1, slug);
    sqlite_query_int(q, 2, id);
    long long n = 0;
    rs = one_int(q, &n, "checking the slug");
    *taken = n > 0;
    return rs;
}

/* The slug to save: the one asked for, or with unique_slug the first free of slug, slug-2,
 * slug-3 ... (cut so that the suffix fits in 80 bytes). */
static store_status pick_slug(query *q, arena *a, const store_article_edit *e, const char **out)
{
    const char *want = e->input.slug;
    bool taken = false;
    store_status rs = slug_taken(q, want, e->id, &taken);
    if (rs != STORE_OK || !taken) {
        *out = want;
        return rs;
    }
    if (!e->unique_slug)
        return sqlite_failf(q->c, STORE_CONFLICT, "the slug '%s' belongs to another story", want);
    for (int n = 2; n < 1000 && rs == STORE_OK; n++) {
        const char *candidate = content_slug_numbered(a, want, n);
        if ((rs = slug_taken(q, candidate, e->id, &taken)) == STORE_OK && !taken) {
            *out = candidate;
            return STORE_OK;
        }
    }
    return rs != STORE_OK ? rs : sqlite_failf(q->c, STORE_CONFLICT, "no free slug like '%s'", want);
}

static store_status edit_in_tx(query *q, arena *a, const store_article_edit *e, long long now,
                               long long *id, const char **slug, int *revision)
{
    store_status rs;
    if (e->id) {
        long long exists = 0, latest = 0;
        if ((rs = prepare(q, "SELECT count(*) FROM articles WHERE id = ?1 AND kind = 'story'")) !=
            STORE_OK)
            return rs;
        sqlite_query_int(q, 1, e->id);
        if ((rs = one_int(q, &exists, "finding the story")) != STORE_OK) return rs;
        if (!exists) return sqlite_failf(q->c, STORE_NOT_FOUND, "no story %lld", e->id);
        if ((rs = prepare(q, latest_sql)) != STORE_OK) return rs;
        sqlite_query_int(q, 1, e->id);
        if ((rs = one_int(q, &latest, "reading the newest revision")) != STORE_OK) return rs;
        if (e->base_revision >= 0 && latest != e->base_revision)
            return sqlite_failf(q->c, STORE_STALE, "story %lld has revision %lld, newer than %d",
                                e->id, latest, e->base_revision);
    }
    if ((rs = pick_slug(q, a, e, slug)) != STORE_OK) return rs;
    if ((rs = write_row(q, e, *slug, now, id)) != STORE_OK) return rs;
    sqlite_query_end(q);
    arena *scratch = arena_new();
    store_article_input in = e->input;
    in.slug = *slug;
    rs = sqlite_save_links(q->c, scratch, &in, now, *id);
    arena_free(scratch);
    if (rs == STORE_OK)
        rs = sqlite_revision_write(q->c, *id, e->user_id, e->user_name, now, revision);
    return rs;
}

store_status sqlite_store_article_edit_save(store *s, arena *a, const store_article_edit *e,
                                            long long *id, const char **slug, int *revision)
{
    *id = 0;
    *revision = 0;
    if (slug) *slug = NULL;
    query q;
    store_status rs = sqlite_query_open(s, &q);
    if (rs != STORE_OK) return rs;
    if (!e) return sqlite_failf(q.c, STORE_INVALID, "nothing to save");
    if ((rs = sqlite_check_article(q.c, &e->input)) != STORE_OK) return rs;
    const char *saved_slug = NULL;
    if ((rs = sqlite_begin_write(q.c)) == STORE_OK)
        rs = edit_in_tx(&q, a, e, (long long)time(NULL), id, &saved_slug, revision);
    sqlite_query_end(&q);
    rs = sqlite_finish(q.c, rs);
    if (rs != STORE_OK) {
        *id = 0;
        *revision = 0;
    } else if (slug) {
        *slug = saved_slug;
    }
    return rs;
}
