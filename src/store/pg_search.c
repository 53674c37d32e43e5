/* pg_search.c — full-text search in PostgreSQL (store.h's store_search, pg_internal.h's search
 * index): articles.search_vector holds each story's words (headline weight A, kicker and lead
 * B, body C, the body as the plain text search_text.h gives every backend) in the text search
 * configuration of the site's language (setting site_language), under the GIN index
 * articles_search. A search reads the newest STORE_SEARCH_TOTAL_CAP + 1 live matches by id,
 * ranks them with ts_rank_cd (negated: lower is better, as bm25), and makes each hit's snippet
 * with ts_headline on the plain text, the matches between private-use markers that become
 * <mark> once everything else is escaped here. There is no time budget: partial is always
 * false (the GIN index answers from the matching ids alone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/buf.h"
#include "pg_internal.h"
#include "pg_tsquery.h"
#include "search_text.h"
#include "store_backend.h"

enum { SNIPPET_WORDS = 24 };

/* Text search configurations Debian's PostgreSQL 15 ships, by the language's ISO 639-1 code. */
static const struct {
    const char *code, *config;
} search_configs[] = {
    {"ar", "arabic"},     {"hy", "armenian"},   {"eu", "basque"},    {"ca", "catalan"},
    {"da", "danish"},     {"nl", "dutch"},      {"en", "english"},   {"fi", "finnish"},
    {"fr", "french"},     {"de", "german"},     {"el", "greek"},     {"hi", "hindi"},
    {"hu", "hungarian"},  {"id", "indonesian"}, {"ga", "irish"},     {"it", "italian"},
    {"lt", "lithuanian"}, {"ne", "nepali"},     {"no", "norwegian"}, {"nb", "norwegian"},
    {"nn", "norwegian"},  {"pt", "portuguese"}, {"ro", "romanian"},  {"ru", "russian"},
    {"sr", "serbian"},    {"es", "spanish"},    {"sv", "swedish"},   {"ta", "tamil"},
    {"tr", "turkish"},    {"yi", "yiddish"},
};

/* The configuration for a language tag ("en", "pt-BR"...): its primary subtag's, else
 * "simple" (words lower-cased, no stemming, no stop words). The default language is English. */
static const char *config_for_language(const char *tag)
{
    if (!tag || !*tag) tag = "en";
    char primary[4] = {0};
    size_t n = 0;
    while (tag[n] && tag[n] != '-' && tag[n] != '_' && n < 3) {
        char ch = tag[n];
        primary[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    if (tag[n] && tag[n] != '-' && tag[n] != '_') return "simple";
    for (size_t i = 0; i < sizeof search_configs / sizeof search_configs[0]; i++)
        if (strcmp(search_configs[i].code, primary) == 0) return search_configs[i].config;
    return "simple";
}

/* The site's text search configuration, read from its language setting. */
static store_status search_config(pg_conn *c, const char **config)
{
    PGresult *r;
    store_status rs = pg_exec(c, "SELECT value FROM settings WHERE key = 'site_language'", NULL, &r,
                              "reading the site's language");
    if (rs != STORE_OK) return rs;
    const char *tag = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : NULL;
    *config = config_for_language(tag);
    PQclear(r);
    return STORE_OK;
}

store_status pg_search_tsquery(pg_conn *c, arena *a, const char *fts_query, const char **tsquery,
                               const char **config)
{
    *tsquery = NULL;
    *config = NULL;
    const char *error = pg_tsquery_from_fts(a, fts_query, tsquery);
    if (error) return pg_failf(c, STORE_INVALID, "invalid search query: %s", error);
    return search_config(c, config);
}

/* ---- The index --------------------------------------------------------------------------- */
#define SEARCH_VECTOR_SET                                                                          \
    "UPDATE articles SET search_vector ="                                                          \
    " setweight(to_tsvector($2::regconfig, coalesce($3::text, '')), 'A')"                          \
    " || setweight(to_tsvector($2::regconfig, concat_ws(' ', $4::text, $5::text)), 'B')"           \
    " || setweight(to_tsvector($2::regconfig, coalesce($6::text, '')), 'C')"                       \
    " WHERE id = $1"

store_status pg_search_index(pg_conn *c, long long id)
{
    const char *config;
    store_status rs = search_config(c, &config);
    if (rs != STORE_OK) return rs;
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, id);
    PGresult *r;
    rs = pg_exec(c,
                 "SELECT headline, kicker, lead, coalesce(body_html, body_markdown)"
                 " FROM articles WHERE id = $1",
                 &p, &r, "reading a story to index");
    if (rs != STORE_OK) return rs;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return pg_failf(c, STORE_NOT_FOUND, "no story %lld to index", id);
    }
    arena *a = arena_new();
    const char *texts[4];
    for (int k = 0; k < 4; k++)
        texts[k] = search_text_plain(a, pg_text(a, r, 0, k), k == 3);
    PQclear(r);
    pg_params_init(&p);
    pg_param_int(&p, id);
    pg_param_text(&p, config);
    for (int k = 0; k < 4; k++)
        pg_param_text(&p, texts[k]);
    rs = pg_exec(c, SEARCH_VECTOR_SET, &p, NULL, "updating the search index");
    arena_free(a);
    return rs;
}

/* ---- Search ------------------------------------------------------------------------------ */
/* $1 config, $2 tsquery, $3 now, $4 topic slug or NULL: the newest STORE_SEARCH_TOTAL_CAP + 1
 * live matches, best first (ties newest first), with their rank. The headline (A) weighs ten
 * times the body (C). */
#define SEARCH_RANKED                                                                              \
    "SELECT m.id, -ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', m.search_vector, m.query) AS rank FROM ("    \
    " SELECT a.id, a.search_vector, q.query FROM to_tsquery($1::regconfig, $2) AS q (query)"       \
    " CROSS JOIN articles a WHERE a.search_vector @@ q.query"                                      \
    " AND a.status >= 1 AND a.published_at <= $3 AND a.kind = 'story'"                             \
    " AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM article_topics x"                             \
    " JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id AND t.slug = $4::text))"        \
    " ORDER BY a.id DESC LIMIT $5) m ORDER BY rank, m.id DESC"

/* $1 the ids as a bigint[] literal: the hits' rows and the four texts of their snippet. */
#define SEARCH_HITS                                                                                \
    "SELECT " PG_ART_COLS ", a.coalesce_body, a.lead, a.headline, a.kicker FROM ("                 \
    " SELECT *, coalesce(body_html, body_markdown) AS coalesce_body FROM articles"                 \
    " WHERE id = ANY($1::bigint[])) a"

/* $1 config, $2 tsquery, $3 options, $4..$7 the plain texts in order of preference: the
 * passage of the first text that matches (else of the first that is not empty). */
#define SEARCH_HEADLINE                                                                            \
    "SELECT ts_headline($1::regconfig, v.t, to_tsquery($1::regconfig, $2), $3) FROM (VALUES"       \
    " (1, $4::text), (2, $5::text), (3, $6::text), (4, $7::text)) AS v (k, t) WHERE v.t <> ''"     \
    " ORDER BY to_tsvector($1::regconfig, v.t) @@ to_tsquery($1::regconfig, $2) DESC, v.k"         \
    " LIMIT 1"

/* ts_headline leaves out what its parser reads as HTML tags, so '<' and '>' go to it as
 * private-use characters of their own (U+E002, U+E003) and come back as "&lt;" and "&gt;". */
#define MARK_OPEN SEARCH_TEXT_MARK_OPEN
#define MARK_CLOSE SEARCH_TEXT_MARK_CLOSE
#define LESS_THAN "\xEE\x80\x82"
#define GREATER_THAN "\xEE\x80\x83"

typedef struct {
    long long id;
    double rank;
} search_row;

/* ts_headline's text as HTML: escaped, our markers (the only ones: search_text_plain turns those
 * of the story into spaces) as <mark> and </mark>, the stand-ins for < and > as entities. */
static const char *snippet_html(arena *a, const char *text)
{
    static const char *const from[] = {MARK_OPEN, MARK_CLOSE, LESS_THAN, GREATER_THAN};
    static const char *const to[] = {"<mark>", "</mark>", "&lt;", "&gt;"};
    buf b = {0};
    const char *p = text, *start = text;
    while (*p) {
        int k = 0;
        while (k < 4 && strncmp(p, from[k], 3) != 0)
            k++;
        if (k == 4) {
            p++;
            continue;
        }
        buf_append_html(&b, start, (size_t)(p - start));
        buf_puts(&b, to[k]);
        p += 3;
        start = p;
    }
    buf_append_html(&b, start, (size_t)(p - start));
    const char *out = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}

/* text as ts_headline gets it: '<' and '>' as their stand-ins (arena; NULL stays NULL). */
static const char *headline_input(arena *a, const char *text)
{
    if (!text) return NULL;
    buf b = {0};
    for (const char *p = text; *p; p++) {
        if (*p == '<')
            buf_puts(&b, LESS_THAN);
        else if (*p == '>')
            buf_puts(&b, GREATER_THAN);
        else
            buf_putc(&b, *p);
    }
    const char *out = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}

/* The snippet of one hit from its four texts (body as HTML, lead, headline, kicker). */
static store_status search_snippet(pg_conn *c, arena *a, const char *config, const char *tsquery,
                                   const char *const texts[4], const char **out)
{
    static const char options[] =
        "StartSel=" MARK_OPEN ", StopSel=" MARK_CLOSE ", MaxWords=24, MinWords=12, ShortWord=0";
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, config);
    pg_param_text(&p, tsquery);
    pg_param_text(&p, options);
    for (int k = 0; k < 4; k++)
        pg_param_text(&p, headline_input(a, search_text_plain(a, texts[k], k == 0)));
    PGresult *r;
    store_status rs = pg_exec(c, SEARCH_HEADLINE, &p, &r, "making a search snippet");
    if (rs != STORE_OK) return rs;
    const char *text = PQntuples(r) > 0 ? pg_text(a, r, 0, 0) : NULL;
    *out = snippet_html(a, text ? text : "");
    PQclear(r);
    return STORE_OK;
}

/* The ranking pass: up to STORE_SEARCH_TOTAL_CAP + 1 rows, best first. */
static store_status search_rank(pg_conn *c, arena *a, const char *config, const char *tsquery,
                                const char *topic_slug, search_row **out, size_t *n)
{
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, config);
    pg_param_text(&p, tsquery);
    pg_param_int(&p, pg_now());
    pg_param_text(&p, topic_slug);
    pg_param_int(&p, STORE_SEARCH_TOTAL_CAP + 1);
    PGresult *r;
    store_status rs = pg_exec(c, SEARCH_RANKED, &p, &r, "searching");
    if (rs != STORE_OK) return rs;
    *n = (size_t)PQntuples(r);
    *out = *n ? arena_alloc(a, *n * sizeof **out) : NULL;
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (search_row){pg_int(r, (int)i, 0), strtod(PQgetvalue(r, (int)i, 1), NULL)};
    PQclear(r);
    return STORE_OK;
}

/* The page's hits in rows' order, with articles, snippets, topics and authors. */
static store_status search_hits(pg_conn *c, arena *a, const char *config, const char *tsquery,
                                const search_row *rows, size_t len, store_search_hit *hits,
                                size_t *got)
{
    *got = 0;
    long long *ids = arena_alloc(a, len * sizeof *ids);
    for (size_t i = 0; i < len; i++)
        ids[i] = rows[i].id;
    pg_params p;
    pg_params_init(&p);
    pg_param_text(&p, pg_id_array(a, ids, len));
    PGresult *r;
    store_status rs = pg_exec(c, SEARCH_HITS, &p, &r, "reading search hits");
    if (rs != STORE_OK) return rs;
    for (size_t i = 0; i < len; i++) { /* in rank order; a row gone since is skipped */
        int row = -1;
        for (int k = 0; k < PQntuples(r) && row < 0; k++)
            if (pg_int(r, k, 0) == ids[i]) row = k;
        if (row < 0) continue;
        store_search_hit *h = &hits[(*got)++];
        pg_read_article(r, row, a, &h->article, false);
        h->rank = rows[i].rank;
        const char *texts[4];
        for (int k = 0; k < 4; k++)
            texts[k] = pg_text(a, r, row, PG_ART_NCOLS + k);
        if ((rs = search_snippet(c, a, config, tsquery, texts, &h->snippet)) != STORE_OK) break;
    }
    PQclear(r);
    if (rs != STORE_OK || *got == 0) return rs;
    store_article *arts =
        arena_alloc(a, *got * sizeof *arts); /* pg_fill_links wants them side by side */
    for (size_t i = 0; i < *got; i++)
        arts[i] = hits[i].article;
    rs = pg_fill_links(c, a, arts, *got);
    for (size_t i = 0; i < *got; i++)
        hits[i].article = arts[i];
    return rs;
}

static store_status search_in_tx(pg_conn *c, arena *a, const char *fts_query,
                                 const char *topic_slug, size_t limit, size_t offset,
                                 store_search_hit **out, size_t *n, size_t *total)
{
    const char *tsquery, *config;
    store_status rs = pg_search_tsquery(c, a, fts_query, &tsquery, &config);
    search_row *rows = NULL;
    size_t n_rows = 0;
    if (rs == STORE_OK) rs = search_rank(c, a, config, tsquery, topic_slug, &rows, &n_rows);
    if (rs != STORE_OK) return rs;
    size_t count = n_rows;
    if (n_rows > STORE_SEARCH_TOTAL_CAP) n_rows = STORE_SEARCH_TOTAL_CAP;
    size_t len = n_rows > offset ? n_rows - offset : 0;
    if (len > limit) len = limit;
    store_search_hit *hits = len ? arena_alloc(a, len * sizeof *hits) : NULL;
    size_t got = 0;
    if (len) rs = search_hits(c, a, config, tsquery, rows + offset, len, hits, &got);
    if (rs != STORE_OK) return rs;
    *out = got ? hits : NULL;
    *n = got;
    *total = count;
    return STORE_OK;
}

store_status pg_store_search(store *s, arena *a, const char *fts_query, const char *topic_slug,
                             size_t limit, size_t offset, store_search_hit **out, size_t *n,
                             size_t *total, bool *partial)
{
    *out = NULL;
    *n = 0;
    if (total) *total = 0;
    if (partial) *partial = false;
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    size_t count = 0;
    if ((rs = pg_begin_read(c)) == STORE_OK)
        rs = search_in_tx(c, a, fts_query, topic_slug, limit, offset, out, n, &count);
    rs = pg_finish(c, rs);
    if (rs != STORE_OK) {
        *out = NULL;
        *n = 0;
        count = 0;
    }
    if (total) *total = count;
    return rs;
}

/* VACUUM (outside any transaction, so sent as it is) merges the GIN index's pending list into
 * the index and refreshes the planner's statistics: what an import or a first migration
 * leaves to do. */
store_status pg_store_search_pack(store *s)
{
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    if (rs != STORE_OK) return rs;
    PGresult *r = PQexec(pg_db(c), "VACUUM (ANALYZE) articles");
    rs = PQresultStatus(r) == PGRES_COMMAND_OK ? STORE_OK
                                               : pg_fail(c, r, "packing the search index");
    PQclear(r);
    return rs;
}
