/* test_editor.c — cmocka tests of the web editor's pure parts and store functions: the line
 * diff (src/admin/diff.c), datetime-local times in a time zone (src/admin/schedule.c), and the
 * editor's store calls (src/store/sqlite_editor.c: saving by id, revisions, the conflict check,
 * unique slugs, the newsroom's list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/admin/diff.h"
#include "../../src/admin/editor.h"
#include "../../src/admin/schedule.h"
#include "store_fixture.h"

/* ---- diff ------------------------------------------------------------------------------- */
/* The script as one string: " a" same, "-a" removed, "+a" added, lines joined by '|'. */
static char *script(arena *a, const char *x, const char *y)
{
    diff_line *v;
    size_t n;
    diff_lines(a, x, y, &v, &n);
    char *out = arena_strdup(a, "");
    for (size_t i = 0; i < n; i++)
        out = arena_printf(a, "%s%s%c%.*s", out, i ? "|" : "", " -+"[v[i].op], (int)v[i].len,
                           v[i].text);
    return out;
}

static void test_diff_basic(void **state)
{
    arena *a = arena_new();
    assert_string_equal(script(a, "", ""), "");
    assert_string_equal(script(a, NULL, "a\nb\n"), "+a|+b");
    assert_string_equal(script(a, "a\nb", NULL), "-a|-b");
    assert_string_equal(script(a, "a\nb\nc\n", "a\nb\nc\n"), " a| b| c");
    assert_string_equal(script(a, "a\nb\nc", "a\nx\nc"), " a|-b|+x| c");
    assert_string_equal(script(a, "a\nc", "a\nb\nc"), " a|+b| c");
    assert_string_equal(script(a, "a\r\nb\r\n", "a\nb\n"), " a| b");
    arena_free(a);
}

/* Myers' classic example: ABCABBA -> CBABAC takes 5 edits. */
static void test_diff_shortest(void **state)
{
    arena *a = arena_new();
    diff_line *v;
    size_t n, removed, added;
    diff_lines(a, "A\nB\nC\nA\nB\nB\nA", "C\nB\nA\nB\nA\nC", &v, &n);
    diff_count(v, n, &removed, &added);
    assert_int_equal(removed + added, 5);
    /* applying the script to the old text gives the new one */
    char *rebuilt = arena_strdup(a, ""), *kept = arena_strdup(a, "");
    for (size_t i = 0; i < n; i++) {
        if (v[i].op != DIFF_REMOVED)
            rebuilt = arena_printf(a, "%s%.*s", rebuilt, (int)v[i].len, v[i].text);
        if (v[i].op != DIFF_ADDED) kept = arena_printf(a, "%s%.*s", kept, (int)v[i].len, v[i].text);
    }
    assert_string_equal(rebuilt, "CBABAC");
    assert_string_equal(kept, "ABCABBA");
    arena_free(a);
}

/* Random edits of random texts: the script always rebuilds both sides, and is never longer
 * than the edits made. */
static void test_diff_random(void **state)
{
    srand(42);
    for (int round = 0; round < 300; round++) {
        arena *a = arena_new();
        char x[400] = "", y[400] = "";
        int nx = rand() % 30, edits = 0;
        for (int i = 0; i < nx; i++) {
            char l[8];
            snprintf(l, sizeof l, "%c\n", 'a' + rand() % 4);
            strcat(x, l);
            int r = rand() % 6;
            if (r == 0) {
                edits++;
                continue;
            } /* dropped */
            if (r == 1) {
                snprintf(l, sizeof l, "%c\n", 'a' + rand() % 4);
                edits += 2;
            }
            strcat(y, l);
        }
        diff_line *v;
        size_t n, removed, added;
        diff_lines(a, x, y, &v, &n);
        diff_count(v, n, &removed, &added);
        assert_true((int)(removed + added) <= edits);
        char *rx = arena_strdup(a, ""), *ry = arena_strdup(a, "");
        for (size_t i = 0; i < n; i++) {
            if (v[i].op != DIFF_ADDED)
                rx = arena_printf(a, "%s%.*s\n", rx, (int)v[i].len, v[i].text);
            if (v[i].op != DIFF_REMOVED)
                ry = arena_printf(a, "%s%.*s\n", ry, (int)v[i].len, v[i].text);
        }
        assert_string_equal(rx, x);
        assert_string_equal(ry, y);
        arena_free(a);
    }
}

static void test_diff_html_escapes(void **state)
{
    arena *a = arena_new();
    diff_line *v;
    size_t n;
    diff_lines(a, "<b>\"x\" & 'y'</b>\nsame", "<script>alert(1)</script>\nsame", &v, &n);
    char *html = diff_html(a, v, n, (size_t)-1);
    assert_string_equal(html, "<pre class=\"diff\"><del>&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;"
                              "&lt;/b&gt;</del>\n<ins>&lt;script&gt;alert(1)&lt;/script&gt;"
                              "</ins>\n<span>same</span>\n</pre>");
    arena_free(a);
}

static void test_diff_html_context(void **state)
{
    arena *a = arena_new();
    diff_line *v;
    size_t n;
    diff_lines(a, "1\n2\n3\n4\n5\n6\n7\n8", "1\n2\n3\n4\n5\n6\n7\nX", &v, &n);
    char *html = diff_html(a, v, n, 2);
    assert_string_equal(html, "<pre class=\"diff\"><span class=\"skip\">…</span>\n<span>6</span>\n"
                              "<span>7</span>\n<del>8</del>\n<ins>X</ins>\n</pre>");
    arena_free(a);
}

/* A big rewrite stays bounded: past DIFF_MAX_EDITS everything is shown removed then added. */
static void test_diff_bounded(void **state)
{
    arena *a = arena_new();
    char *x = arena_strdup(a, ""), *y = arena_strdup(a, "");
    for (int i = 0; i < 3000; i++) {
        x = arena_printf(a, "%sold %d\n", x, i);
        y = arena_printf(a, "%snew %d\n", y, i);
    }
    diff_line *v;
    size_t n, removed, added;
    diff_lines(a, x, y, &v, &n);
    diff_count(v, n, &removed, &added);
    assert_int_equal(removed, 3000);
    assert_int_equal(added, 3000);
    assert_int_equal(v[0].op, DIFF_REMOVED);
    assert_int_equal(v[n - 1].op, DIFF_ADDED);
    arena_free(a);
}

/* ---- schedule --------------------------------------------------------------------------- */
static void test_schedule_parse(void **state)
{
    long long t;
    assert_int_equal(schedule_parse_local("UTC", "2026-12-06T14:30", &t), SCHEDULE_OK);
    assert_int_equal(t, 1796567400LL);
    assert_int_equal(schedule_parse_local("UTC", "2026-12-06 14:30:15", &t), SCHEDULE_OK);
    assert_int_equal(t, 1796567415LL);
    /* Paris is UTC+1 in winter, UTC+2 in summer */
    assert_int_equal(schedule_parse_local("Europe/Paris", "2026-12-06T14:30", &t), SCHEDULE_OK);
    assert_int_equal(t, 1796567400LL - 3600);
    assert_int_equal(schedule_parse_local("Europe/Paris", "2026-07-01T12:00", &t), SCHEDULE_OK);
    assert_int_equal(t, 1782907200LL - 7200);
    assert_int_equal(schedule_parse_local("America/New_York", "2026-01-15T09:00", &t), SCHEDULE_OK);
    assert_int_equal(t, 1768467600LL + 5 * 3600);
    /* the spring-forward gap (Paris, 29 March 2026, 02:00 -> 03:00) moves to 03:00 CEST */
    assert_int_equal(schedule_parse_local("Europe/Paris", "2026-03-29T02:30", &t), SCHEDULE_OK);
    assert_int_equal(t, 1774746000LL);
    /* the repeated autumn hour (25 October 2026, 02:30 twice) is read in standard time */
    assert_int_equal(schedule_parse_local("Europe/Paris", "2026-10-25T02:30", &t), SCHEDULE_OK);
    assert_int_equal(t, 1792891800LL);
}

static void test_schedule_refusals(void **state)
{
    long long t = 1;
    assert_int_equal(schedule_parse_local("UTC", "", &t), SCHEDULE_EMPTY);
    assert_int_equal(t, 0);
    assert_int_equal(schedule_parse_local("UTC", NULL, &t), SCHEDULE_EMPTY);
    assert_int_equal(schedule_parse_local("UTC", "tomorrow", &t), SCHEDULE_MALFORMED);
    assert_int_equal(schedule_parse_local("UTC", "2026-12-06", &t), SCHEDULE_MALFORMED);
    assert_int_equal(schedule_parse_local("UTC", "2026-12-06T14:30Z", &t), SCHEDULE_MALFORMED);
    assert_int_equal(schedule_parse_local("UTC", "2026-1-06T14:30", &t), SCHEDULE_MALFORMED);
    assert_int_equal(schedule_parse_local("UTC", "2026-02-30T10:00", &t), SCHEDULE_NO_SUCH_DAY);
    assert_int_equal(schedule_parse_local("UTC", "2026-12-06T24:00", &t), SCHEDULE_NO_SUCH_DAY);
    assert_int_equal(schedule_parse_local("UTC", "2025-02-29T10:00", &t), SCHEDULE_NO_SUCH_DAY);
    assert_int_equal(schedule_parse_local("UTC", "2028-02-29T10:00", &t), SCHEDULE_OK);
    assert_int_equal(schedule_parse_local("Mars/Olympus", "2026-12-06T14:30", &t),
                     SCHEDULE_BAD_ZONE);
    assert_int_equal(schedule_parse_local("../../etc/passwd", "2026-12-06T14:30", &t),
                     SCHEDULE_BAD_ZONE);
    assert_int_equal(schedule_parse_local("", "2026-12-06T14:30", &t), SCHEDULE_BAD_ZONE);
    assert_true(schedule_zone_valid("Europe/Paris"));
    assert_true(schedule_zone_valid("UTC"));
    assert_false(schedule_zone_valid("/etc/localtime"));
    assert_false(schedule_zone_valid(NULL));
    assert_string_not_equal(schedule_message(SCHEDULE_MALFORMED), "");
}

static void test_schedule_format(void **state)
{
    arena *a = arena_new();
    assert_string_equal(schedule_format_local(a, "UTC", 1796567400LL), "2026-12-06T14:30");
    assert_string_equal(schedule_format_local(a, "Europe/Paris", 1796567400LL), "2026-12-06T15:30");
    assert_string_equal(schedule_format_local(a, "UTC", 1796567405LL), "2026-12-06T14:30:05");
    assert_null(schedule_format_local(a, "Nowhere/None", 1796567400LL));
    assert_string_equal(schedule_display(a, "Europe/Paris", 1796567400LL),
                        "6 December 2026, 15:30 (Europe/Paris)");
    /* round trip */
    long long t;
    assert_int_equal(schedule_parse_local("Asia/Kolkata",
                                          schedule_format_local(a, "Asia/Kolkata", 1796567400LL),
                                          &t),
                     SCHEDULE_OK);
    assert_int_equal(t, 1796567400LL);
    arena_free(a);
}

/* ---- the story form -------------------------------------------------------------------- */
static void test_story_form(void **state)
{
    arena *a = arena_new();
    form_field fields[] = {
        {"headline", "  Ferry late  "},
        {"body", "one\r\ntwo\r\n"},
        {"topics", "Harbour, City,, harbour"},
        {"topics", "City, Port"},
        {"authors", " Ada "},
        {"comments", "on"},
        {"revision", "7"},
        {"overwrite", "x9"},
        {"conflict_action", "publish"},
    };
    story_form f;
    story_form_read(a, fields, sizeof fields / sizeof fields[0], &f);
    assert_string_equal(f.headline, "Ferry late");
    assert_string_equal(f.body, "one\ntwo\n");
    assert_int_equal(f.n_topics, 4); /* Harbour, City, harbour, Port: repeats dropped */
    assert_string_equal(f.topics[3], "Port");
    assert_int_equal(f.n_authors, 1);
    assert_string_equal(f.authors[0], "Ada");
    assert_true(f.comments_on);
    assert_int_equal(f.revision, 7);
    assert_int_equal(f.overwrite, 0);
    assert_string_equal(f.action, "publish"); /* no action: the conflict box's */
    assert_string_equal(f.body_format, "markdown");
    story_errors e;
    assert_true(story_form_check(a, &f, &e));
    store_article_input in;
    bool made;
    assert_true(story_form_input(a, &f, &in, &made, &e));
    assert_true(made);
    assert_string_equal(in.slug, "ferry-late");
    assert_string_equal(in.body_html, "<p>one\ntwo</p>\n");
    assert_null(in.kicker);
    assert_false(in.comments_off);

    form_field bad[] = {
        {"headline", " "},         {"slug", "Bad Slug"},    {"image_url", "javascript:x"},
        {"comments_days", "9999"}, {"body_format", "docx"}, {"kicker", "a\x01b"},
        {"lead", "\xff"}};
    story_form_read(a, bad, sizeof bad / sizeof bad[0], &f);
    assert_false(story_form_check(a, &f, &e));
    const char *want[] = {"headline", "kicker",    "lead",         "body",
                          "slug",     "image_url", "comments_days"};
    assert_int_equal(e.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < e.n; i++)
        assert_string_equal(e.v[i].field, want[i]);
    /* imported HTML is sanitised again on the way in */
    form_field html[] = {{"headline", "H"},
                         {"body_format", "html"},
                         {"body", "<p onclick=\"x()\">Hi<script>alert(1)</script></p>"}};
    story_form_read(a, html, 3, &f);
    assert_true(story_form_check(a, &f, &e));
    assert_true(story_form_input(a, &f, &in, &made, &e));
    assert_null(in.body_markdown);
    assert_string_equal(in.body_format, "html");
    assert_null(strstr(in.body_html, "script"));
    assert_null(strstr(in.body_html, "onclick"));
    assert_non_null(strstr(in.body_html, "Hi"));
    arena_free(a);
}

/* ---- store: the editor's calls ---------------------------------------------------------- */
static const char *topics_a[] = {"Harbour", "City"};
static const char *authors_a[] = {"Ada Lovelace"};

static store_article_edit edit(long long id, const char *slug, const char *headline,
                               const char *body, int base)
{
    return (store_article_edit){.id = id,
                                .input = {.slug = slug,
                                          .headline = headline,
                                          .body_markdown = body,
                                          .body_html = body,
                                          .status = ARTICLE_DRAFT,
                                          .topic_names = topics_a,
                                          .n_topics = 2,
                                          .author_names = authors_a,
                                          .n_authors = 1},
                                .base_revision = base,
                                .user_id = 0,
                                .user_name = "Ada"};
}

static long long save_edit(fixture *f, store_article_edit e, int want_revision)
{
    long long id;
    int rev;
    const char *slug;
    store_status st = store_article_edit_save(f->s, f->a, &e, &id, &slug, &rev);
    if (st != STORE_OK) fprintf(stderr, "edit: %s\n", store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
    assert_int_equal(rev, want_revision);
    return id;
}

static void test_edit_revisions(void **state)
{
    fixture *f = *state;
    long long id = save_edit(f, edit(0, "ferry", "Ferry late", "one\ntwo\n", 0), 1);
    assert_true(id > 0);
    store_article_edit e = edit(id, "ferry-late", "Ferry late again", "one\nthree\n", 1);
    e.input.kicker = "Transport";
    save_edit(f, e, 2);
    store_article art;
    int rev;
    assert_int_equal(store_article_by_id(f->s, f->a, id, &art, &rev), STORE_OK);
    assert_int_equal(rev, 2);
    assert_string_equal(art.slug, "ferry-late"); /* the slug may change by id */
    assert_string_equal(art.kicker, "Transport");
    assert_int_equal(art.status, ARTICLE_DRAFT);
    assert_int_equal(art.n_topics, 2);
    assert_string_equal(art.topics[0].name, "Harbour");

    store_revision *list;
    size_t n;
    assert_int_equal(store_revisions_list(f->s, f->a, id, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].number, 2);
    assert_int_equal(list[1].number, 1);
    assert_string_equal(list[1].article.headline, "Ferry late");
    assert_string_equal(list[0].user_name, "Ada");
    assert_null(list[0].article.body_markdown);

    store_revision one;
    assert_int_equal(store_revision_get(f->s, f->a, id, 1, &one), STORE_OK);
    assert_string_equal(one.article.body_markdown, "one\ntwo\n");
    assert_string_equal(one.article.slug, "ferry");
    assert_int_equal(one.article.n_topics, 2);
    assert_string_equal(one.article.topics[1].name, "City");
    assert_string_equal(one.article.topics[1].slug, "city");
    assert_int_equal(one.article.n_authors, 1);
    assert_string_equal(one.article.authors[0].name, "Ada Lovelace");
    assert_int_equal(store_revision_get(f->s, f->a, id, 3, &one), STORE_NOT_FOUND);
    assert_int_equal(store_revision_get(f->s, f->a, id + 1, 1, &one), STORE_NOT_FOUND);

    /* the CLI's saves keep a revision too */
    store_article_input in = {
        .slug = "ferry-late", .headline = "From the CLI", .status = ARTICLE_PUBLISHED};
    assert_int_equal(store_articles_save(f->s, &in, 1, NULL), STORE_OK);
    assert_int_equal(store_article_by_id(f->s, f->a, id, &art, &rev), STORE_OK);
    assert_int_equal(rev, 3);
    assert_int_equal(store_revision_get(f->s, f->a, id, 3, &one), STORE_OK);
    assert_int_equal(one.user_id, 0);
    assert_string_equal(one.user_name, "");
    assert_string_equal(one.article.headline, "From the CLI");
}

static void test_edit_stale(void **state)
{
    fixture *f = *state;
    long long id = save_edit(f, edit(0, "vote", "Vote", "a\n", 0), 1);
    save_edit(f, edit(id, "vote", "Vote (first writer)", "b\n", 1), 2);
    /* the second writer opened revision 1 too */
    store_article_edit late = edit(id, "vote", "Vote (second writer)", "c\n", 1);
    long long got;
    int rev;
    assert_int_equal(store_article_edit_save(f->s, f->a, &late, &got, NULL, &rev), STORE_STALE);
    assert_int_equal(got, 0);
    store_article art;
    assert_int_equal(store_article_by_id(f->s, f->a, id, &art, &rev), STORE_OK);
    assert_string_equal(art.headline, "Vote (first writer)");
    assert_int_equal(rev, 2);
    /* overwriting deliberately */
    late.base_revision = -1;
    save_edit(f, late, 3);
    assert_int_equal(store_article_by_id(f->s, f->a, id, &art, &rev), STORE_OK);
    assert_string_equal(art.headline, "Vote (second writer)");
}

static void test_edit_slugs(void **state)
{
    fixture *f = *state;
    long long a = save_edit(f, edit(0, "storm", "Storm", "", 0), 1);
    /* a taken slug: the editor's made-up slug gets a number ... */
    store_article_edit e = edit(0, "storm", "Storm", "", 0);
    e.unique_slug = true;
    long long b, c;
    int rev;
    const char *slug;
    assert_int_equal(store_article_edit_save(f->s, f->a, &e, &b, &slug, &rev), STORE_OK);
    assert_string_equal(slug, "storm-2");
    assert_int_equal(store_article_edit_save(f->s, f->a, &e, &c, &slug, &rev), STORE_OK);
    assert_string_equal(slug, "storm-3");
    assert_true(a != b && b != c);
    /* ... a slug the writer typed is refused, and nothing is written */
    e.unique_slug = false;
    assert_int_equal(store_article_edit_save(f->s, f->a, &e, &c, &slug, &rev), STORE_CONFLICT);
    store_article art;
    assert_int_equal(store_article_by_id(f->s, f->a, b, &art, &rev), STORE_OK);
    store_article_edit move = edit(b, "storm", "Storm", "", 1);
    assert_int_equal(store_article_edit_save(f->s, f->a, &move, &c, &slug, &rev), STORE_CONFLICT);
    /* saving a story under its own slug is fine */
    move.input.slug = "storm-2";
    assert_int_equal(store_article_edit_save(f->s, f->a, &move, &c, &slug, &rev), STORE_OK);
    assert_int_equal(rev, 2);
    /* an 80-byte slug keeps within 80 bytes with its number */
    char long_slug[81];
    memset(long_slug, 'x', 80);
    long_slug[80] = 0;
    store_article_edit l = edit(0, long_slug, "Long", "", 0);
    save_edit(f, l, 1);
    l.unique_slug = true;
    assert_int_equal(store_article_edit_save(f->s, f->a, &l, &c, &slug, &rev), STORE_OK);
    assert_int_equal(strlen(slug), 80);
    assert_string_equal(slug + 78, "-2");
    /* bad input is refused before anything is written */
    store_article_edit bad = edit(0, "ok-slug", "  ", "", 0);
    assert_int_equal(store_article_edit_save(f->s, f->a, &bad, &c, &slug, &rev), STORE_INVALID);
    store_article_edit missing = edit(99999, "gone", "Gone", "", 1);
    assert_int_equal(store_article_edit_save(f->s, f->a, &missing, &c, &slug, &rev),
                     STORE_NOT_FOUND);
}

static void test_editor_list(void **state)
{
    fixture *f = *state;
    raw_exec(f->path, "INSERT INTO users (id, login, display_name, created_at)"
                      " VALUES (7, 'bo', 'Bo', 0)");
    long long draft = save_edit(f, edit(0, "draft-one", "Draft about harbour", "x", 0), 1);
    store_article_edit p = edit(0, "published-one", "Published", "y", 0);
    p.input.status = ARTICLE_PUBLISHED;
    static const char *other_author[] = {"Bo"};
    p.input.author_names = other_author;
    p.user_id = 7;
    long long pub = save_edit(f, p, 1);

    store_article *v;
    size_t n, total;
    store_editor_query q = {.limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    article_status st = ARTICLE_DRAFT;
    q.status = &st;
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, draft);
    assert_int_equal(v[0].n_authors, 1);
    q = (store_editor_query){.author_slug = "bo", .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, pub);
    q = (store_editor_query){.owner_user_id = 7, .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, pub);
    q = (store_editor_query){.topic_slug = "harbour", .fts_query = "\"harbour\"", .limit = 10};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, draft);
    q.fts_query = "\"unbalanced";
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_INVALID);
    q = (store_editor_query){.limit = 1, .offset = 1};
    assert_int_equal(store_editor_articles(f->s, f->a, &q, &v, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 2);

    bool owned;
    assert_int_equal(store_article_owned_by(f->s, pub, 7, 0, &owned), STORE_OK);
    assert_true(owned);
    assert_int_equal(store_article_owned_by(f->s, draft, 7, 0, &owned), STORE_OK);
    assert_false(owned);
    /* credited as the author is owning too */
    long long ada = raw_int(f->path, "SELECT id FROM authors WHERE name = 'Ada Lovelace'");
    assert_true(ada > 0);
    assert_int_equal(store_article_owned_by(f->s, draft, 0, ada, &owned), STORE_OK);
    assert_true(owned);
    assert_int_equal(store_article_owned_by(f->s, pub, 0, ada, &owned), STORE_OK);
    assert_false(owned);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_basic),
        cmocka_unit_test(test_diff_shortest),
        cmocka_unit_test(test_diff_random),
        cmocka_unit_test(test_diff_html_escapes),
        cmocka_unit_test(test_diff_html_context),
        cmocka_unit_test(test_diff_bounded),
        cmocka_unit_test(test_schedule_parse),
        cmocka_unit_test(test_schedule_refusals),
        cmocka_unit_test(test_schedule_format),
        cmocka_unit_test(test_story_form),
        cmocka_unit_test_setup_teardown(test_edit_revisions, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_edit_stale, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_edit_slugs, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_editor_list, setup_db, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
