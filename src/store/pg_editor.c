/* pg_editor.c — the web editor's part of the PostgreSQL backend (store.h, migration 13), as
 * sqlite_editor.c is SQLite's: the newsroom's list of stories whatever their status, one story
 * by id, saving a story by id with the conflict check against the revision the writer started
 * from, and the revisions every save writes (also store_articles_save's, through
 * pg_revision_write). A save is one transaction that first locks the story's row (SELECT ...
 * FOR UPDATE), so two saves of one story take turns and the second sees the first's revision.
 * Names order as SQLite's COLLATE NOCASE does (PG_NOCASE, pg_stories.h). */
#include <stdio.h>
#include <string.h>

#include "pg_internal.h"
#include "../content/content.h"
#include "revision_links.h"
#include "pg_stories.h"

/* ---- The list ---------------------------------------------------------------------------
 * $1 status or NULL, $2 topic slug or NULL, $3 author slug or NULL, $4 owner user, $5 owner
 * author (both 0: anyone's), $6 tsquery or NULL, $7 its text search configuration, $8 limit,
 * $9 offset. */
#define EDITOR_WHERE                                                                               \
    " FROM articles a WHERE a.kind = 'story' AND ($1::bigint IS NULL OR a.status = $1::bigint)"    \
    " AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM article_topics x JOIN topics t"               \
    " ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = $2::text))"                      \
    " AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM article_authors y JOIN authors u"             \
    " ON u.id = y.author_id WHERE y.article_id = a.id AND u.slug = $3::text))"                     \
    " AND (($4::bigint = 0 AND $5::bigint = 0) OR ($5::bigint <> 0 AND EXISTS (SELECT 1"           \
    " FROM article_authors y WHERE y.article_id = a.id AND y.author_id = $5::bigint))"             \
    " OR ($4::bigint <> 0 AND (SELECT r.user_id FROM article_revisions r"                          \
    " WHERE r.article_id = a.id ORDER BY r.number LIMIT 1) = $4::bigint))"                         \
    " AND ($6::text IS NULL OR a.search_vector @@ to_tsquery($7::text::regconfig, $6::text))"

static const char list_sql[] =
    "SELECT " PG_ART_COLS EDITOR_WHERE " ORDER BY a.updated_at DESC, a.id DESC"
    " LIMIT $8::bigint OFFSET $9::bigint";
static const char count_sql[] = "SELECT count(*)" EDITOR_WHERE;

static void param_editor_query(pg_params *p, const store_editor_query *eq, const char *tsquery,
                               const char *config)
{
    pg_params_init(p);
    if (eq->status)
        pg_param_int(p, (long long)*eq->status);
    else
        pg_param_text(p, NULL);
    pg_param_text(p, eq->topic_slug);
    pg_param_text(p, eq->author_slug);
    pg_param_int(p, eq->owner_user_id);
    pg_param_int(p, eq->owner_author_id);
    pg_param_text(p, tsquery);
    pg_param_text(p, config);
}

static store_status list_in_tx(pg_conn *c, arena *a, const store_editor_query *eq,
                               store_article **out, size_t *n, size_t *total)
{
    const char *tsquery = NULL, *config = NULL;
    store_status rs = STORE_OK;
    if (eq->fts_query &&
        (rs = pg_search_tsquery(c, a, eq->fts_query, &tsquery, &config)) != STORE_OK)
        return rs;
    pg_params p;
    param_editor_query(&p, eq, tsquery, config);
    pg_param_int(&p, eq->limit > 100000 ? 100000 : (long long)eq->limit);
    pg_param_int(&p, eq->offset > 1000000000 ? 1000000000 : (long long)eq->offset);
    PGresult *r = NULL;
    if ((rs = pg_exec(c, list_sql, &p, &r, "listing stories")) != STORE_OK) return rs;
    rs = pg_collect_articles(c, r, a, false, out, n);
    PQclear(r);
    if (rs != STORE_OK || (rs = pg_fill_links(c, a, *out, *n)) != STORE_OK || !total) return rs;
    param_editor_query(&p, eq, tsquery, config);
    long long count = 0;
    rs = pg_exec_int(c, count_sql, &p, &count, "counting stories");
    *total = (size_t)count;
    return rs;
}

store_status pg_store_editor_articles(store *s, arena *a, const store_editor_query *eq,
                                      store_article **out, size_t *n, size_t *total)
{
    *out = NULL;
    *n = 0;
    if (total) *total = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!eq) return pg_failf(c, STORE_INVALID, "no query given");
    if ((rs = pg_begin_read(c)) != STORE_OK) return rs;
    rs = pg_finish(c, list_in_tx(c, a, eq, out, n, total));
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
        if (total) *total = 0;
    }
    return rs;
}

/* ---- One story --------------------------------------------------------------------------- */
static const char latest_sql[] = "SELECT coalesce(max(number), 0) FROM article_revisions"
                                 " WHERE article_id = $1::bigint";

/* The number of the story's newest revision (0: none yet). */
static store_status latest_revision(pg_conn *c, long long id, long long *latest)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    return pg_exec_int(c, latest_sql, &p, latest, "reading the newest revision");
}

static store_status by_id_in_tx(pg_conn *c, arena *a, long long id, store_article *out,
                                int *revision)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    PGresult *r = NULL;
    store_status rs = pg_exec(c,
                              "SELECT " PG_ART_COLS PG_ART_BODY
                              " FROM articles a WHERE a.id = $1::bigint AND a.kind = 'story'",
                              &p, &r, "reading a story");
    if (rs != STORE_OK) return rs;
    store_article *v = NULL;
    size_t n = 0;
    rs = pg_collect_articles(c, r, a, true, &v, &n);
    PQclear(r);
    if (rs != STORE_OK) return rs;
    if (n == 0) return pg_failf(c, STORE_NOT_FOUND, "no story %lld", id);
    *out = v[0];
    if ((rs = pg_fill_links(c, a, out, 1)) != STORE_OK || !revision) return rs;
    long long latest = 0;
    rs = latest_revision(c, id, &latest);
    *revision = (int)latest;
    return rs;
}

store_status pg_store_article_by_id(store *s, arena *a, long long id, store_article *out,
                                    int *revision)
{
    memset(out, 0, sizeof *out);
    if (revision) *revision = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs == STORE_OK) rs = pg_begin_read(c);
    if (rs != STORE_OK) return rs;
    rs = pg_finish(c, by_id_in_tx(c, a, id, out, revision));
    if (rs != STORE_OK) {
        memset(out, 0, sizeof *out);
        if (revision) *revision = 0;
    }
    return rs;
}

store_status pg_store_article_owned_by(store *s, long long article_id, long long user_id,
                                       long long author_id, bool *owned)
{
    *owned = false;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article_id);
    pg_param_int(&p, user_id);
    pg_param_int(&p, author_id);
    long long yes = 0;
    rs = pg_exec_int(c,
                     "SELECT CASE WHEN ($3::bigint <> 0 AND EXISTS (SELECT 1 FROM article_authors"
                     " WHERE article_id = $1::bigint AND author_id = $3::bigint))"
                     " OR ($2::bigint <> 0 AND (SELECT user_id FROM article_revisions"
                     " WHERE article_id = $1::bigint ORDER BY number LIMIT 1) = $2::bigint)"
                     " THEN 1 ELSE 0 END",
                     &p, &yes, "checking who wrote a story");
    *owned = rs == STORE_OK && yes != 0;
    return rs;
}

/* ---- Authors ------------------------------------------------------------------------------ */
static store_status authors_query(store *s, arena *a, long long id, store_author **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    PGresult *r = NULL;
    rs = pg_exec(c,
                 "SELECT id, slug, name, bio FROM authors"
                 " WHERE $1::bigint = 0 OR id = $1::bigint"
                 " ORDER BY " PG_NOCASE("name") ", name, id",
                 &p, &r, "reading authors");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    store_author *v = rows > 0 ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        v[i] = (store_author){pg_int(r, i, 0), pg_text(a, r, i, 1), pg_text(a, r, i, 2),
                              pg_text(a, r, i, 3)};
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return rs;
}

store_status pg_store_authors_all(store *s, arena *a, store_author **out, size_t *n)
{
    return authors_query(s, a, 0, out, n);
}

store_status pg_store_author_by_id(store *s, arena *a, long long id, store_author *out)
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
/* The names of a story's topics or authors as a JSON array, in order ('[]' for none). */
#define NAMES_OF(link, table, other)                                                               \
    "coalesce((SELECT json_agg(e.name ORDER BY l.position) FROM " link " l JOIN " table " e"       \
    " ON e.id = l." other " WHERE l.article_id = a.id), '[]'::json)"

static const char revision_write_sql[] =
    "INSERT INTO article_revisions (article_id, number, user_id, user_name, saved_at, slug,"
    " kicker, headline, lead, body_markdown, body_html, body_format, image_url, image_caption,"
    " image_credit, image_alt, status, published_at, comments_off, comments_days, topics,"
    " authors)"
    " SELECT a.id, coalesce((SELECT max(number) FROM article_revisions"
    " WHERE article_id = a.id), 0) + 1, nullif($2::bigint, 0), coalesce($3::text, ''),"
    " $4::bigint, a.slug, a.kicker, a.headline, a.lead, a.body_markdown, a.body_html,"
    " a.body_format, a.image_url, a.image_caption, a.image_credit, a.image_alt, a.status,"
    " a.published_at, a.comments_off, a.comments_days, " NAMES_OF(
        "article_topics", "topics",
        "topic_id") ", " NAMES_OF("article_authors", "authors",
                                  "author_id") " FROM articles a"
                                               " WHERE a.id = $1::bigint"
                                               " RETURNING number";

store_status pg_revision_write(pg_conn *c, long long article_id, long long user_id,
                               const char *user_name, long long now, int *number)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article_id);
    pg_param_int(&p, user_id);
    pg_param_text(&p, user_name);
    pg_param_int(&p, now);
    long long n = 0;
    store_status rs = pg_exec_int(c, revision_write_sql, &p, &n, "writing a revision");
    if (rs == STORE_NOT_FOUND)
        rs = pg_failf(c, STORE_NOT_FOUND, "no story %lld to keep a revision of", article_id);
    if (number) *number = rs == STORE_OK ? (int)n : 0;
    return rs;
}

#define REVISION_COLS                                                                              \
    "article_id, number, coalesce(user_id, 0), user_name, saved_at, slug, kicker, headline,"       \
    " lead, image_url, image_caption, image_credit, image_alt, status, published_at,"              \
    " comments_off, comments_days, body_format, topics, authors"
enum { REVISION_NCOLS = 20 };

static void read_revision(arena *a, const PGresult *r, int row, store_revision *rev, bool with_body)
{
    memset(rev, 0, sizeof *rev);
    rev->article_id = pg_int(r, row, 0);
    rev->number = (int)pg_int(r, row, 1);
    rev->user_id = pg_int(r, row, 2);
    rev->user_name = pg_text(a, r, row, 3);
    rev->saved_at = pg_int(r, row, 4);
    store_article *o = &rev->article;
    o->id = rev->article_id;
    o->slug = pg_text(a, r, row, 5);
    o->kicker = pg_text(a, r, row, 6);
    o->headline = pg_text(a, r, row, 7);
    o->lead = pg_text(a, r, row, 8);
    o->image_url = pg_text(a, r, row, 9);
    o->image_caption = pg_text(a, r, row, 10);
    o->image_credit = pg_text(a, r, row, 11);
    o->image_alt = pg_text(a, r, row, 12);
    o->status = (article_status)pg_int(r, row, 13);
    o->published_at = pg_int(r, row, 14);
    o->comments_off = pg_int(r, row, 15) != 0;
    o->comments_days = (unsigned)pg_int(r, row, 16);
    o->body_format = pg_text(a, r, row, 17);
    o->updated_at = rev->saved_at;
    store_revision_links(a, pg_text(a, r, row, 18), pg_text(a, r, row, 19), o);
    if (with_body) {
        o->body_markdown = pg_text(a, r, row, REVISION_NCOLS);
        o->body_html = pg_text(a, r, row, REVISION_NCOLS + 1);
    }
}

store_status pg_store_revisions_list(store *s, arena *a, long long article_id, store_revision **out,
                                     size_t *n)
{
    *out = NULL;
    *n = 0;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article_id);
    PGresult *r = NULL;
    rs = pg_exec(c,
                 "SELECT " REVISION_COLS " FROM article_revisions WHERE article_id = $1::bigint"
                 " ORDER BY number DESC",
                 &p, &r, "reading revisions");
    if (rs != STORE_OK) return rs;
    int rows = PQntuples(r);
    store_revision *v = rows > 0 ? arena_alloc(a, (size_t)rows * sizeof *v) : NULL;
    for (int i = 0; i < rows; i++)
        read_revision(a, r, i, &v[i], false);
    PQclear(r);
    *out = v;
    *n = (size_t)rows;
    return rs;
}

store_status pg_store_revision_get(store *s, arena *a, long long article_id, int number,
                                   store_revision *out)
{
    memset(out, 0, sizeof *out);
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, article_id);
    pg_param_int(&p, number);
    PGresult *r = NULL;
    rs = pg_exec(c,
                 "SELECT " REVISION_COLS ", body_markdown, body_html FROM article_revisions"
                 " WHERE article_id = $1::bigint AND number = $2::bigint",
                 &p, &r, "reading a revision");
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) > 0)
        read_revision(a, r, 0, out, true);
    else
        rs = pg_failf(c, STORE_NOT_FOUND, "story %lld has no revision %d", article_id, number);
    PQclear(r);
    return rs;
}

/* ---- Saving ------------------------------------------------------------------------------
 * $1 id (update), $2..$11 slug, kicker, headline, lead, body_markdown, body_html, image url,
 * caption, credit, alt; $12 status; $13 published_at (0: keep; a new story: now); $14 now;
 * $15 comments_off; $16 comments_days; $17 body_format. The insert has no $1: its numbers
 * start at $1 for the slug, so the same parameters are given from the slug on. */
static const char update_sql[] =
    "UPDATE articles SET slug = $2::text, kicker = $3::text, headline = $4::text,"
    " lead = $5::text, body_markdown = $6::text, body_html = $7::text, image_url = $8::text,"
    " image_caption = $9::text, image_credit = $10::text, image_alt = $11::text,"
    " status = $12::bigint, published_at = CASE WHEN $13::bigint = 0 THEN published_at"
    " ELSE $13::bigint END, updated_at = $14::bigint, comments_off = $15::bigint,"
    " comments_days = $16::bigint, body_format = $17::text"
    " WHERE id = $1::bigint AND kind = 'story' RETURNING id";
static const char insert_sql[] =
    "INSERT INTO articles (slug, kicker, headline, lead, body_markdown, body_html, image_url,"
    " image_caption, image_credit, image_alt, status, published_at, updated_at, created_at,"
    " comments_off, comments_days, body_format) VALUES ($1::text, $2::text, $3::text,"
    " $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::bigint,"
    " CASE WHEN $12::bigint = 0 THEN $13::bigint ELSE $12::bigint END, $13::bigint,"
    " $13::bigint, $14::bigint, $15::bigint, $16::text) RETURNING id";

static store_status write_row(pg_conn *c, const store_article_edit *e, const char *slug,
                              long long now, long long *id)
{
    const store_article_input *in = &e->input;
    pg_params p;
    pg_params_init(&p);
    if (e->id) pg_param_int(&p, e->id);
    const char *text[] = {
        slug,          in->kicker,    in->headline,      in->lead,         in->body_markdown,
        in->body_html, in->image_url, in->image_caption, in->image_credit, in->image_alt};
    for (int i = 0; i < 10; i++)
        pg_param_text(&p, text[i]);
    pg_param_int(&p, (long long)in->status);
    pg_param_int(&p, in->published_at);
    pg_param_int(&p, now);
    pg_param_int(&p, in->comments_off ? 1 : 0);
    pg_param_int(&p, (long long)in->comments_days);
    pg_param_text(&p, in->body_format ? in->body_format : "markdown");
    store_status rs = pg_exec_int(c, e->id ? update_sql : insert_sql, &p, id, "saving a story");
    if (rs == STORE_NOT_FOUND) rs = pg_failf(c, STORE_NOT_FOUND, "no story %lld", e->id);
    return rs;
}

/* Whether slug belongs to a story other than id. */
static store_status slug_taken(pg_conn *c, const char *slug, long long id, bool *taken)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, slug);
    pg_param_int(&p, id);
    long long n = 0;
    store_status rs =
        pg_exec_int(c, "SELECT count(*) FROM articles WHERE slug = $1::text AND id <> $2::bigint",
                    &p, &n, "checking the slug");
    *taken = n > 0;
    return rs;
}

/* The slug to save: the one asked for, or with unique_slug the first free of slug, slug-2,
 * slug-3 ... (cut so that the suffix fits in 80 bytes). */
static store_status pick_slug(pg_conn *c, arena *a, const store_article_edit *e, const char **out)
{
    const char *want = e->input.slug;
    bool taken = false;
    store_status rs = slug_taken(c, want, e->id, &taken);
    if (rs != STORE_OK || !taken) {
        *out = want;
        return rs;
    }
    if (!e->unique_slug)
        return pg_failf(c, STORE_CONFLICT, "the slug '%s' belongs to another story", want);
    for (int n = 2; n < 1000 && rs == STORE_OK; n++) {
        const char *candidate = content_slug_numbered(a, want, n);
        if ((rs = slug_taken(c, candidate, e->id, &taken)) == STORE_OK && !taken) {
            *out = candidate;
            return STORE_OK;
        }
    }
    return rs != STORE_OK ? rs : pg_failf(c, STORE_CONFLICT, "no free slug like '%s'", want);
}

/* Locks the story's row for the rest of the transaction and checks that the writer started
 * from its newest revision (base_revision -1: whatever it is). */
static store_status lock_story(pg_conn *c, const store_article_edit *e)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, e->id);
    store_status rs = pg_exec_int(c,
                                  "SELECT id FROM articles WHERE id = $1::bigint"
                                  " AND kind = 'story' FOR UPDATE",
                                  &p, NULL, "finding the story");
    if (rs == STORE_NOT_FOUND) return pg_failf(c, STORE_NOT_FOUND, "no story %lld", e->id);
    long long latest = 0;
    if (rs != STORE_OK || (rs = latest_revision(c, e->id, &latest)) != STORE_OK) return rs;
    if (e->base_revision >= 0 && latest != e->base_revision)
        return pg_failf(c, STORE_STALE, "story %lld has revision %lld, newer than %d", e->id,
                        latest, e->base_revision);
    return STORE_OK;
}

static store_status edit_in_tx(pg_conn *c, arena *a, const store_article_edit *e, long long now,
                               long long *id, const char **slug, int *revision)
{
    store_status rs;
    if (e->id && (rs = lock_story(c, e)) != STORE_OK) return rs;
    if ((rs = pick_slug(c, a, e, slug)) != STORE_OK) return rs;
    if ((rs = write_row(c, e, *slug, now, id)) != STORE_OK) return rs;
    arena *scratch = arena_new();
    store_article_input in = e->input;
    in.slug = *slug;
    rs = pg_save_links(c, scratch, &in, now, *id);
    arena_free(scratch);
    if (rs == STORE_OK) rs = pg_revision_write(c, *id, e->user_id, e->user_name, now, revision);
    return rs;
}

store_status pg_store_article_edit_save(store *s, arena *a, const store_article_edit *e,
                                        long long *id, const char **slug, int *revision)
{
    *id = 0;
    *revision = 0;
    if (slug) *slug = NULL;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    if (!e) return pg_failf(c, STORE_INVALID, "nothing to save");
    if ((rs = pg_check_article(c, &e->input)) != STORE_OK) return rs;
    if ((rs = pg_begin_write(c)) != STORE_OK) return rs;
    const char *saved_slug = NULL;
    rs = pg_finish(c, edit_in_tx(c, a, e, pg_now(), id, &saved_slug, revision));
    if (rs != STORE_OK) {
        *id = 0;
        *revision = 0;
    } else if (slug) {
        *slug = saved_slug;
    }
    return rs;
}
