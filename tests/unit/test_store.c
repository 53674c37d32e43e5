/* test_store.c — cmocka tests of the store (src/store: the SQLite backend, migrations and
 * status names). Every test works on a fresh database in its own mkdtemp directory under
 * /tmp; a few poke at the file directly with sqlite3 to set up odd cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../src/core/arena.h"
#include "../../src/store/store.h"
#include "../../src/store/migrations.h"
#include "store_fixture.h"

/* The schema version a new database has: the number of the last migration. */
/* the newest migration's number (numbers need not be contiguous) and how many there are */
#define LATEST (store_migrations[store_n_migrations - 1].number)
#define N_MIGRATIONS ((int)store_n_migrations)

/* ---- Helpers -------------------------------------------------------------------------- */
static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A published article with one topic, no author. */
static store_article_input story(const char *slug, const char *headline, long long published_at)
{
    static const char *default_topic[] = {"News"};
    return (store_article_input){.slug = slug,
                                 .headline = headline,
                                 .status = ARTICLE_PUBLISHED,
                                 .published_at = published_at,
                                 .topic_names = default_topic,
                                 .n_topics = 1};
}

static void save_ok(fixture *f, const store_article_input *in, size_t n, long long *ids)
{
    store_status st = store_articles_save(f->s, in, n, ids);
    if (st != STORE_OK) fprintf(stderr, "save: %s\n", store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
}

static void save_one(fixture *f, store_article_input in, long long *id)
{
    save_ok(f, &in, 1, id);
}

static bool exists_any(fixture *f, const char *slug)
{
    store_article art;
    store_status st = store_article_any_by_slug(f->s, f->a, slug, &art);
    assert_true(st == STORE_OK || st == STORE_NOT_FOUND);
    return st == STORE_OK;
}

/* ---- Opening, creating, migrations ----------------------------------------------------- */
static void test_create_then_open(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_create(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_schema_version(f->s), LATEST);
    assert_int_equal(store_last_change(f->s), 0);
    store_close(f->s);
    f->s = NULL;

    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM schema_migrations"), N_MIGRATIONS);
    assert_int_equal(raw_int(f->path, "SELECT version FROM schema_migrations ORDER BY version"), 1);
    assert_string_equal(
        raw_text(f->a, f->path, "SELECT name FROM schema_migrations ORDER BY version"),
        "initial schema");
    assert_string_equal(
        raw_text(f->a, f->path, "SELECT name FROM schema_migrations WHERE version = 2"),
        "comments and settings");
    long long applied = raw_int(f->path, "SELECT applied_at FROM schema_migrations");
    assert_true(applied > now_s() - 60 && applied <= now_s());
    if (!test_pg_admin())
        assert_string_equal(raw_text(f->a, f->path, "PRAGMA journal_mode"), "wal");

    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_schema_version(f->s), LATEST);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM schema_migrations"), N_MIGRATIONS);
}

static void test_open_missing(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_NOT_FOUND);
    assert_null(f->s);
    assert_non_null(strstr(f->err, "gazette init --db"));
    assert_int_equal(access(f->path, F_OK), -1); /* not created as a side effect */

    char deeper[256];
    snprintf(deeper, sizeof deeper, "%s/no/such/dir.db", f->dir);
    assert_int_equal(store_open(deeper, &f->s, f->err, sizeof f->err), STORE_NOT_FOUND);
    assert_int_equal(store_open(f->dir, &f->s, f->err, sizeof f->err), STORE_IO); /* a dir */
}

static void test_open_garbage(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)("not a database\n"[i % 15]);
    write_file(f->path, junk, sizeof junk);
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_SCHEMA);
    assert_null(f->s);
    assert_non_null(strstr(f->err, "not a SQLite database"));

    write_file(f->path, "hello", 5);
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_SCHEMA);

    /* refusing must not have written anything */
    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_size, 5);
}

static void test_open_foreign_or_empty(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    raw_exec(f->path, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_SCHEMA);
    assert_non_null(strstr(f->err, "not a Gazette"));
    /* the foreign database was left alone: still in its own journal mode, no new tables */
    assert_string_equal(raw_text(f->a, f->path, "PRAGMA journal_mode"), "delete");
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema"), 1);

    write_file(f->path, "", 0);
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_SCHEMA);
    assert_non_null(strstr(f->err, "gazette init --db"));
}

static void test_create_refuses_existing(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    write_file(f->path, "precious", 8);
    assert_int_equal(store_create(f->path, &f->s, f->err, sizeof f->err), STORE_CONFLICT);
    assert_null(f->s);
    assert_non_null(strstr(f->err, "already exists"));
    FILE *fp = fopen(f->path, "rb");
    char back[16] = {0};
    assert_int_equal(fread(back, 1, sizeof back, fp), 8);
    fclose(fp);
    assert_string_equal(back, "precious");

    /* an existing Gazette database is refused too */
    char other[160];
    snprintf(other, sizeof other, "%s/other.db", f->dir);
    assert_int_equal(store_create(other, &f->s, f->err, sizeof f->err), STORE_OK);
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_create(other, &f->s, f->err, sizeof f->err), STORE_CONFLICT);

    /* an existing empty file is fine (e.g. made by mktemp) */
    write_file(f->path, "", 0);
    assert_int_equal(store_create(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_schema_version(f->s), LATEST);
}

static void test_open_refuses_newer_schema(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_create(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    store_close(f->s);
    f->s = NULL;
    raw_exec(f->path, "INSERT INTO schema_migrations VALUES (999, 'from the future', 0)");
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_SCHEMA);
    assert_null(f->s);
    assert_non_null(strstr(f->err, "schema version 999"));
    assert_non_null(strstr(f->err, "newer gazette"));
}

static void test_open_applies_pending(void **state)
{
    fixture *f = *state;
    /* a database whose creation stopped after the bookkeeping table */
    raw_exec(f->path, sql_for_backend("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
                                      " name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                                      "CREATE TABLE schema_migrations (version bigint PRIMARY KEY,"
                                      " name text NOT NULL, applied_at bigint NOT NULL)"));
    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_schema_version(f->s), LATEST);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM schema_migrations"), N_MIGRATIONS);
    const char *tables = sql_for_backend("SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                                         " AND name",
                                         "SELECT count(*) FROM information_schema.tables"
                                         " WHERE table_schema = 'public' AND table_name");
    assert_int_equal(raw_int(f->path, arena_printf(f->a,
                                                   "%s IN ('articles', 'topics', 'authors',"
                                                   " 'article_topics', 'article_authors',"
                                                   " 'article_read_also', 'comments', 'settings')",
                                                   tables)),
                     8);
    save_one(f, story("works", "It works", 0), NULL);
}

static void test_create_in_unusable_place(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    /* the parent is a file: fails whatever our privileges */
    char blocker[160], path[200];
    snprintf(blocker, sizeof blocker, "%s/plainfile", f->dir);
    write_file(blocker, "x", 1);
    snprintf(path, sizeof path, "%s/sub.db", blocker);
    assert_int_equal(store_create(path, &f->s, f->err, sizeof f->err), STORE_IO);
    assert_null(f->s);
    assert_non_null(strstr(f->err, "cannot create"));
    assert_int_equal(store_create("/proc/gazette-test.db", &f->s, f->err, sizeof f->err), STORE_IO);
}

/* Checks run as an unprivileged user (root ignores file modes); returns a failure bitmask. */
static int readonly_checks(const char *dir)
{
    char path[200], err[512];
    store *s = NULL;
    int failed = 0;
    snprintf(path, sizeof path, "%s/ro/new.db", dir);
    if (store_create(path, &s, err, sizeof err) != STORE_IO) failed |= 1;
    printf("    create in read-only dir: %s\n", err);
    snprintf(path, sizeof path, "%s/ro/test.db", dir);
    if (store_open(path, &s, err, sizeof err) != STORE_IO) failed |= 2;
    printf("    open read-only file: %s\n", err);
    snprintf(path, sizeof path, "%s/rodir/test.db", dir);
    store_status st = store_open(path, &s, err, sizeof err);
    if (st != STORE_IO) failed |= 4;
    printf("    open writable file in read-only dir: %s\n", err);
    if (s) store_close(s);
    return failed;
}

static void make_db_in(fixture *f, const char *sub, mode_t file_mode, mode_t dir_mode)
{
    char dir[160], path[200];
    snprintf(dir, sizeof dir, "%s/%s", f->dir, sub);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/test.db", dir);
    store *s;
    assert_int_equal(store_create(path, &s, f->err, sizeof f->err), STORE_OK);
    store_close(s);
    assert_int_equal(chmod(path, file_mode), 0);
    assert_int_equal(chmod(dir, dir_mode), 0);
}

static void test_read_only_gives_io(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    assert_int_equal(chmod(f->dir, 0755), 0);
    make_db_in(f, "ro", 0444, 0555);
    make_db_in(f, "rodir", 0666, 0555);
    if (geteuid() != 0) {
        assert_int_equal(readonly_checks(f->dir), 0);
        return;
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(77);
        int failed = readonly_checks(f->dir);
        fflush(stdout);
        _exit(failed);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) skip(); /* cannot drop privileges here */
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- Saving and reading ---------------------------------------------------------------- */
static void test_round_trip_all_fields(void **state)
{
    fixture *f = *state;
    const char *topics[] = {"Politics", "Économie", "Europe"};
    const char *authors[] = {"Ada Lovelace", "Grace Hopper"};
    const char *read_also[] = {"older-story"};
    long long when = now_s() - 3600;
    store_article_input in = {
        .slug = "budget-vote",
        .kicker = "Parliament",
        .headline = "The budget passes",
        .lead = "By a narrow margin.",
        .body_markdown = "Body *text*.",
        .body_html = "<p>Body <em>text</em>.</p>",
        .image_url = "/img/vote.jpg",
        .image_caption = "The vote",
        .image_credit = "Photo: AP",
        .image_alt = "Members voting",
        .status = ARTICLE_PUBLISHED,
        .published_at = when,
        .topic_names = topics,
        .n_topics = 3,
        .author_names = authors,
        .n_authors = 2,
        .read_also_slugs = read_also,
        .n_read_also = 1,
    };
    long long id = 0;
    long long before = now_s();
    save_one(f, in, &id);
    assert_true(id > 0);

    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "budget-vote", &art), STORE_OK);
    assert_int_equal(art.id, id);
    assert_string_equal(art.slug, "budget-vote");
    assert_string_equal(art.kicker, "Parliament");
    assert_string_equal(art.headline, "The budget passes");
    assert_string_equal(art.lead, "By a narrow margin.");
    assert_string_equal(art.body_markdown, "Body *text*.");
    assert_string_equal(art.body_html, "<p>Body <em>text</em>.</p>");
    assert_string_equal(art.image_url, "/img/vote.jpg");
    assert_string_equal(art.image_caption, "The vote");
    assert_string_equal(art.image_credit, "Photo: AP");
    assert_string_equal(art.image_alt, "Members voting");
    assert_int_equal(art.status, ARTICLE_PUBLISHED);
    assert_int_equal(art.published_at, when);
    assert_true(art.updated_at >= before && art.updated_at <= now_s());
    assert_int_equal(art.n_topics, 3);
    assert_string_equal(art.topics[0].slug, "politics"); /* primary first */
    assert_string_equal(art.topics[0].name, "Politics");
    assert_string_equal(art.topics[1].slug, "economie");
    assert_string_equal(art.topics[1].name, "Économie");
    assert_string_equal(art.topics[2].slug, "europe");
    assert_null(art.topics[0].description);
    assert_int_equal(art.n_authors, 2);
    assert_string_equal(art.authors[0].slug, "ada-lovelace");
    assert_string_equal(art.authors[0].name, "Ada Lovelace");
    assert_string_equal(art.authors[1].slug, "grace-hopper");
    assert_null(art.authors[1].bio);

    /* the same through the other readers */
    store_article any, top;
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "budget-vote", &any), STORE_OK);
    assert_int_equal(any.id, id);
    assert_string_equal(any.body_html, art.body_html);
    assert_int_equal(any.n_topics, 3);
    assert_int_equal(store_article_top(f->s, f->a, &top), STORE_OK);
    assert_int_equal(top.id, id);
    assert_int_equal(top.n_authors, 2);
    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_null(list[0].body_markdown); /* lists leave bodies out */
    assert_null(list[0].body_html);
    assert_string_equal(list[0].image_alt, "Members voting");
    assert_int_equal(list[0].n_topics, 3);
    assert_string_equal(list[0].topics[2].name, "Europe");
    assert_int_equal(list[0].n_authors, 2);
}

static void test_null_fields_stay_null(void **state)
{
    fixture *f = *state;
    store_article_input in = {.slug = "bare", .headline = "Bare", .status = ARTICLE_PUBLISHED};
    long long before = now_s();
    save_one(f, in, NULL);
    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "bare", &art), STORE_OK);
    assert_null(art.kicker);
    assert_null(art.lead);
    assert_null(art.body_markdown);
    assert_null(art.body_html);
    assert_null(art.image_url);
    assert_null(art.image_caption);
    assert_null(art.image_credit);
    assert_null(art.image_alt);
    assert_int_equal(art.n_topics, 0);
    assert_null(art.topics);
    assert_int_equal(art.n_authors, 0);
    assert_true(art.published_at >= before && art.published_at <= now_s()); /* 0: now */
    in.kicker = "";                                                         /* empty is not NULL */
    save_one(f, in, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "bare", &art), STORE_OK);
    assert_string_equal(art.kicker, "");
}

static void test_upsert_keeps_id_replaces_links(void **state)
{
    fixture *f = *state;
    const char *t1[] = {"Politics", "Economy"};
    const char *a1[] = {"Ada Lovelace"};
    const char *r1[] = {"one", "two"};
    long long when = now_s() - 500;
    store_article_input in = story("same-slug", "First version", when);
    in.topic_names = t1;
    in.n_topics = 2;
    in.author_names = a1;
    in.n_authors = 1;
    in.read_also_slugs = r1;
    in.n_read_also = 2;
    long long id1, id2;
    save_one(f, in, &id1);

    const char *t2[] = {"Science", "science", "Politics"}; /* duplicate by slug */
    in.headline = "Second version";
    in.topic_names = t2;
    in.n_topics = 3;
    in.n_authors = 0;
    in.n_read_also = 1;
    in.published_at = 0; /* already published: keeps its time */
    save_one(f, in, &id2);
    assert_int_equal(id1, id2);

    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "same-slug", &art), STORE_OK);
    assert_string_equal(art.headline, "Second version");
    assert_int_equal(art.published_at, when);
    assert_int_equal(art.n_topics, 2);
    assert_string_equal(art.topics[0].slug, "science");
    assert_string_equal(art.topics[0].name, "Science");
    assert_string_equal(art.topics[1].slug, "politics");
    assert_int_equal(art.n_authors, 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM articles"), 1);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM article_read_also"), 1);
    assert_int_equal(raw_int(f->path, "SELECT max(position) FROM article_topics"), 1);
    /* topics are kept even when no longer used */
    store_topic t;
    assert_int_equal(store_topic_by_slug(f->s, f->a, "economy", &t), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM topics"), 3);

    /* taken off the site and put back with no time: dated anew */
    in.status = ARTICLE_DRAFT;
    save_one(f, in, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "same-slug", &art), STORE_NOT_FOUND);
    in.status = ARTICLE_PUBLISHED;
    save_one(f, in, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "same-slug", &art), STORE_OK);
    assert_true(art.published_at >= now_s() - 5);
}

static void test_batch_of_500(void **state)
{
    fixture *f = *state;
    enum { N = 500 };
    static const char *topic_pool[] = {"Politics", "Economy", "Science", "Sport",   "Culture",
                                       "World",    "Health",  "Tech",    "Climate", "Media"};
    static const char *author_pool[] = {"Ada Lovelace", "Grace Hopper", "Alan Turing",
                                        "Edsger Dijkstra", "Barbara Liskov"};
    store_article_input *in = arena_alloc(f->a, N * sizeof *in);
    const char **names = arena_alloc(f->a, N * 3 * sizeof *names);
    long long *ids = arena_alloc(f->a, N * sizeof *ids);
    long long base = now_s() - 10 * N;
    for (int i = 0; i < N; i++) {
        names[3 * i] = topic_pool[i % 10];
        names[3 * i + 1] = topic_pool[(i * 7 + 3) % 10];
        names[3 * i + 2] = author_pool[i % 5];
        char *body = arena_printf(f->a, "Paragraph one of story %d.\n\nParagraph two.", i);
        in[i] = (store_article_input){
            .slug = arena_printf(f->a, "story-%d", i),
            .headline = arena_printf(f->a, "Story number %d", i),
            .lead = "A lead.",
            .body_markdown = body,
            .body_html = arena_printf(f->a, "<p>%s</p>", body),
            .status = ARTICLE_PUBLISHED,
            .published_at = base + 10 * i,
            .topic_names = &names[3 * i],
            .n_topics = 2,
            .author_names = &names[3 * i + 2],
            .n_authors = 1,
        };
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    save_ok(f, in, N, ids);
    double secs = seconds_since(&t0);
    printf("    batch: %d articles in %.3f s = %.0f articles/second\n", N, secs, N / secs);
    for (int i = 0; i < N; i++)
        assert_true(ids[i] > 0);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM articles"), N);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM topics"), 10);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM authors"), 5);

    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 30};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, N);
    assert_int_equal(n, 30);
    assert_string_equal(list[0].slug, "story-499");
    for (size_t i = 0; i < n; i++) {
        assert_true(list[i].n_topics >= 1 && list[i].n_topics <= 2);
        assert_int_equal(list[i].n_authors, 1);
    }

    /* saving them all again updates in place */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    save_ok(f, in, N, NULL);
    secs = seconds_since(&t0);
    printf("    re-save: %d articles in %.3f s = %.0f articles/second\n", N, secs, N / secs);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM articles"), N);
}

static void test_invalid_input_writes_nothing(void **state)
{
    fixture *f = *state;
    store_article_input in[5];
    for (int i = 0; i < 5; i++)
        in[i] = story(arena_printf(f->a, "item-%d", i + 1), "Fine", now_s() - 10);
    in[0].topic_names = (const char *[]){"Brand New Topic"};

    in[2].headline = "   ";
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    assert_non_null(strstr(store_last_error(f->s), "article 3"));
    assert_non_null(strstr(store_last_error(f->s), "headline"));

    in[2].headline = "Fine";
    in[2].slug = "Not A Slug";
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    assert_non_null(strstr(store_last_error(f->s), "slug"));
    in[2].slug = NULL;
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    in[2].slug = "item-3";
    in[2].status = (article_status)7;
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    in[2].status = ARTICLE_PUBLISHED;
    in[2].topic_names = (const char *[]){"Ok", NULL};
    in[2].n_topics = 2;
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);
    in[2].headline = NULL;
    in[2].n_topics = 1;
    assert_int_equal(store_articles_save(f->s, in, 5, NULL), STORE_INVALID);

    for (int i = 0; i < 5; i++)
        assert_false(exists_any(f, in[i].slug));
    store_topic t;
    assert_int_equal(store_topic_by_slug(f->s, f->a, "brand-new-topic", &t), STORE_NOT_FOUND);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM topics"), 0);

    /* a failure inside the database half-way through rolls the whole batch back */
    raw_exec(f->path, sql_for_backend(
                          "CREATE TRIGGER boom BEFORE INSERT ON articles WHEN NEW.slug = 'item-3'"
                          " BEGIN SELECT RAISE(ABORT, 'boom'); END",
                          "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS"
                          " $$BEGIN RAISE EXCEPTION 'boom'; END$$;"
                          " CREATE TRIGGER boom BEFORE INSERT ON articles FOR EACH ROW"
                          " WHEN (NEW.slug = 'item-3') EXECUTE FUNCTION boom()"));
    in[2].headline = "Fine";
    long long ids[5] = {0};
    assert_int_not_equal(store_articles_save(f->s, in, 5, ids), STORE_OK);
    assert_non_null(strstr(store_last_error(f->s), "article 3"));
    for (int i = 0; i < 5; i++) {
        assert_false(exists_any(f, in[i].slug));
        assert_int_equal(ids[i], 0);
    }
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM topics"), 0);
    raw_exec(f->path, sql_for_backend("DROP TRIGGER boom", "DROP TRIGGER boom ON articles"));
    save_ok(f, in, 5, ids);
    assert_string_equal(store_last_error(f->s), "");
    assert_true(exists_any(f, "item-5"));
}

/* Another writer holding the lock past the busy timeout: STORE_BUSY, nothing written. */
static void test_busy_writer(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    sqlite3 *other;
    assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(
        store_articles_save(f->s, (store_article_input[]){story("x", "X", 0)}, 1, NULL),
        STORE_BUSY);
    double waited = seconds_since(&t0);
    printf("    gave up after %.1f s\n", waited);
    assert_true(waited > 4.5);
    store_article art;
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "x", &art), STORE_NOT_FOUND);
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    save_one(f, story("x", "X", 0), NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "x", &art), STORE_OK);
}

/* ---- Reading rules ---------------------------------------------------------------------- */
static void test_live_filtering(void **state)
{
    fixture *f = *state;
    long long now = now_s();
    save_one(f, story("live", "Live", now - 100), NULL);
    store_article_input draft = story("draft", "Draft", now - 50);
    draft.status = ARTICLE_DRAFT;
    save_one(f, draft, NULL);
    store_article_input scheduled = story("scheduled", "Scheduled", now + 1800);
    scheduled.status = ARTICLE_SCHEDULED;
    save_one(f, scheduled, NULL);
    /* a scheduled story whose time has come is live by itself */
    store_article_input due = story("due", "Due", now - 20);
    due.status = ARTICLE_SCHEDULED;
    save_one(f, due, NULL);
    save_one(f, story("future", "Future", now + 3600), NULL);

    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].slug, "due");
    assert_string_equal(list[1].slug, "live");

    store_article art;
    assert_int_equal(store_article_top(f->s, f->a, &art), STORE_OK);
    assert_string_equal(art.slug, "due");
    const char *hidden[] = {"draft", "scheduled", "future"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_article_by_slug(f->s, f->a, hidden[i], &art), STORE_NOT_FOUND);
        assert_int_equal(store_article_any_by_slug(f->s, f->a, hidden[i], &art), STORE_OK);
        assert_string_equal(art.slug, hidden[i]);
    }
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "future", &art), STORE_OK);
    assert_int_equal(art.published_at, now + 3600);
    assert_int_equal(store_article_by_slug(f->s, f->a, "nope", &art), STORE_NOT_FOUND);

    store_topic *topics;
    assert_int_equal(store_topics_list(f->s, f->a, 3, &topics, &n), STORE_OK);
    assert_int_equal(n, 0); /* "News" has two live articles, not three */
}

/* A PostgreSQL URL is shown without its password; anything else as it is. */
static void test_location_shown(void **state)
{
    char out[128];
    assert_string_equal(store_location_shown("site.db", out, sizeof out), "site.db");
    assert_string_equal(store_location_shown("postgres://ann:s3cr@t@db:5432/news", out, sizeof out),
                        "postgres://ann:***@db:5432/news");
    assert_string_equal(store_location_shown("postgresql://ann@db/news", out, sizeof out),
                        "postgresql://ann@db/news");
    assert_string_equal(store_location_shown("postgres://ann:pw@db/news?x=a@b", out, sizeof out),
                        "postgres://ann:***@db/news?x=a@b");
    assert_string_equal(store_location_shown("postgres://db/news", out, sizeof out),
                        "postgres://db/news");
    char tiny[8];
    assert_string_equal(store_location_shown("postgres://a:b@c/d", tiny, sizeof tiny), "postgre");
}

/* A bigger page cache for bulk readers changes nothing of what is read, on this thread's
 * connection and on a new thread's. */
static void *read_top(void *arg)
{
    fixture *f = arg;
    arena *a = arena_new();
    store_article art;
    store_status st = store_article_top(f->s, a, &art);
    arena_free(a);
    return (void *)(intptr_t)st;
}

static void test_set_cache_mb(void **state)
{
    fixture *f = *state;
    save_one(f, story("cached", "Cached", now_s() - 10), NULL);
    assert_int_equal(store_set_cache_mb(f->s, 16), STORE_OK);
    store_article art;
    assert_int_equal(store_article_top(f->s, f->a, &art), STORE_OK);
    assert_string_equal(art.slug, "cached");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_top, f), 0);
    void *rs;
    assert_int_equal(pthread_join(t, &rs), 0);
    assert_int_equal((intptr_t)rs, STORE_OK);
    assert_int_equal(store_set_cache_mb(f->s, 0), STORE_OK);
}

/* Scheduled publishing: the due stories are flipped once, the others stay scheduled. */
static void test_publish_due(void **state)
{
    fixture *f = *state;
    long long now = now_s();
    store_article_input due = story("due", "Due", now - 20);
    due.status = ARTICLE_SCHEDULED;
    long long due_id;
    save_one(f, due, &due_id);
    store_article_input later = story("later", "Later", now + 1800);
    later.status = ARTICLE_SCHEDULED;
    save_one(f, later, NULL);
    save_one(f, story("live", "Live", now - 100), NULL);

    long long *ids;
    size_t n;
    assert_int_equal(store_publish_due(f->s, f->a, now, 10, &ids, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], due_id);
    store_article art;
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "due", &art), STORE_OK);
    assert_int_equal(art.status, ARTICLE_PUBLISHED);
    assert_int_equal(art.published_at, now - 20); /* its time is kept */
    assert_int_equal(art.updated_at, now);
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "later", &art), STORE_OK);
    assert_int_equal(art.status, ARTICLE_SCHEDULED);
    /* once only */
    assert_int_equal(store_publish_due(f->s, f->a, now + 1, 10, &ids, &n), STORE_OK);
    assert_int_equal(n, 0);
    /* the later one when its time comes; limit 0 does nothing */
    assert_int_equal(store_publish_due(f->s, f->a, now + 1800, 0, &ids, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_publish_due(f->s, f->a, now + 1800, 10, &ids, &n), STORE_OK);
    assert_int_equal(n, 1);
}

/* The navigation's main sections: topics by the number of live stories they lead. */
static void test_topics_leading(void **state)
{
    fixture *f = *state;
    long long now = now_s();
    static const char *sport_first[] = {"Sport", "City Hall"};
    static const char *hall_first[] = {"City Hall"};
    static const char *weather_first[] = {"Weather", "Sport"};
    const char *slugs[] = {"s1", "s2", "s3", "h1", "h2", "w1"};
    for (int i = 0; i < 6; i++) {
        store_article_input in = story(slugs[i], slugs[i], now - 100 - i);
        in.topic_names = i < 3 ? sport_first : i < 5 ? hall_first : weather_first;
        in.n_topics = i < 3 || i == 5 ? 2 : 1;
        save_one(f, in, NULL);
    }
    store_article_input draft = story("w2", "w2", now - 10);
    draft.topic_names = weather_first;
    draft.status = ARTICLE_DRAFT;
    save_one(f, draft, NULL); /* drafts do not count */
    store_topic *topics;
    size_t n;
    assert_int_equal(store_topics_leading(f->s, f->a, 10, &topics, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(topics[0].name, "Sport");
    assert_string_equal(topics[1].name, "City Hall");
    assert_string_equal(topics[2].name, "Weather");
    assert_int_equal(store_topics_leading(f->s, f->a, 1, &topics, &n), STORE_OK);
    assert_int_equal(n, 1);
}

static void test_empty_site(void **state)
{
    fixture *f = *state;
    store_article art;
    assert_int_equal(store_article_top(f->s, f->a, &art), STORE_NOT_FOUND);
    store_article *list = (store_article *)1;
    size_t n = 9, total = 9;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, 42, 5, &list, &n), STORE_OK);
    assert_int_equal(n, 0);
    store_missing_link *links;
    assert_int_equal(store_missing_read_also(f->s, f->a, &links, &n), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(store_articles_save(f->s, NULL, 0, NULL), STORE_OK);
}

static void test_pagination_and_total(void **state)
{
    fixture *f = *state;
    store_article_input in[25];
    long long base = now_s() - 1000;
    for (int i = 0; i < 25; i++)
        in[i] = story(arena_printf(f->a, "p-%02d", i), "Paged", base + i);
    save_ok(f, in, 25, NULL);

    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 10);
    assert_int_equal(total, 25);
    for (int i = 0; i < 10; i++)
        assert_string_equal(list[i].slug, arena_printf(f->a, "p-%02d", 24 - i));
    q.offset = 20;
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 5);
    assert_int_equal(total, 25);
    assert_string_equal(list[4].slug, "p-00");
    q.offset = 30;
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 25);
    q = (store_article_query){.limit = 0};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, NULL), STORE_OK);
    assert_int_equal(n, 0);
    q = (store_article_query){.limit = SIZE_MAX};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, NULL), STORE_OK);
    assert_int_equal(n, 25);
    assert_int_equal(store_articles_list(f->s, f->a, NULL, &list, &n, NULL), STORE_INVALID);

    /* equal times: the newer row first, stable across pages */
    store_article_input same[3] = {story("same-a", "A", base - 5), story("same-b", "B", base - 5),
                                   story("same-c", "C", base - 5)};
    save_ok(f, same, 3, NULL);
    q = (store_article_query){.limit = 2, .offset = 25};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 28);
    assert_string_equal(list[0].slug, "same-c");
    assert_string_equal(list[1].slug, "same-b");
}

static void test_topic_and_author_filters(void **state)
{
    fixture *f = *state;
    long long t = now_s() - 1000;
    const char *ada[] = {"Ada Lovelace"}, *both[] = {"Ada Lovelace", "Alan Turing"};
    const char *pol[] = {"Politics"}, *sci_pol[] = {"Science", "Politics"}, *sci[] = {"Science"};
    store_article_input in[4] = {story("a1", "A1", t + 1), story("a2", "A2", t + 2),
                                 story("a3", "A3", t + 3), story("a4", "A4", t + 4)};
    in[0].topic_names = pol;
    in[0].author_names = ada;
    in[0].n_authors = 1;
    in[1].topic_names = sci_pol;
    in[1].n_topics = 2;
    in[1].author_names = both;
    in[1].n_authors = 2;
    in[2].topic_names = sci;
    in[2].author_names = &both[1];
    in[2].n_authors = 1;
    in[3].topic_names = pol;
    in[3].status = ARTICLE_DRAFT;
    in[3].author_names = ada;
    in[3].n_authors = 1;
    long long ids[4];
    save_ok(f, in, 4, ids);

    store_article *list;
    size_t n, total;
    store_article_query q = {.topic_slug = "politics", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].slug, "a2");
    assert_string_equal(list[0].topics[0].slug, "science"); /* all topics, not just the filter */
    assert_int_equal(list[0].n_authors, 2);
    assert_string_equal(list[1].slug, "a1");

    q = (store_article_query){.author_slug = "alan-turing", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 2);
    assert_string_equal(list[0].slug, "a3");
    assert_string_equal(list[1].slug, "a2");

    q = (store_article_query){.topic_slug = "politics", .author_slug = "alan-turing", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].slug, "a2");

    q = (store_article_query){.topic_slug = "politics", .exclude_id = ids[1], .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 1);
    assert_string_equal(list[0].slug, "a1");

    q = (store_article_query){.exclude_id = ids[2], .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, 2);

    q = (store_article_query){.topic_slug = "no-such-topic", .limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
}

static void test_related_ranking(void **state)
{
    fixture *f = *state;
    long long t = now_s() - 10000;
    const char *target[] = {"A", "B", "C"};
    const char *c_xbc[] = {"X", "B", "C"}, *c_a[] = {"A"}, *c_xa[] = {"X", "A"}, *c_b[] = {"B"};
    const char *c_abc[] = {"A", "B", "C"}, *c_c[] = {"C"}, *c_z[] = {"Z"}, *c_yc[] = {"Y", "C"};
    struct {
        const char *slug, **topics;
        size_t n;
        long long at;
        article_status st;
    } rows[] = {
        {"target", target, 3, t + 100, ARTICLE_PUBLISHED},
        {"xbc", c_xbc, 3, t + 1, ARTICLE_PUBLISHED}, /* 1 + 1 = 2 */
        {"a", c_a, 1, t + 2, ARTICLE_PUBLISHED},     /* the target's primary: 2 */
        {"xa", c_xa, 2, t + 3, ARTICLE_PUBLISHED},   /* the target's primary: 2 */
        {"b", c_b, 1, t + 4, ARTICLE_PUBLISHED},     /* its own primary: 2 */
        {"abc", c_abc, 3, t + 0, ARTICLE_PUBLISHED}, /* 2 + 1 + 1 = 4, oldest */
        {"c", c_c, 1, t + 50, ARTICLE_PUBLISHED},    /* 2 (own primary), newest */
        {"cx", c_xa, 1, t + 60, ARTICLE_PUBLISHED},  /* "X" only: unrelated */
        {"z", c_z, 1, t + 70, ARTICLE_PUBLISHED},
        {"yc", c_yc, 2, t + 90, ARTICLE_PUBLISHED}, /* 1, the newest: still last */
        {"draft-abc", c_abc, 3, t + 80, ARTICLE_DRAFT},
        {"future-abc", c_abc, 3, now_s() + 999, ARTICLE_PUBLISHED},
    };
    enum { ROWS = sizeof rows / sizeof rows[0] };
    store_article_input in[ROWS];
    long long ids[ROWS];
    for (size_t i = 0; i < ROWS; i++) {
        in[i] = story(rows[i].slug, rows[i].slug, rows[i].at);
        in[i].topic_names = rows[i].topics;
        in[i].n_topics = rows[i].n;
        in[i].status = rows[i].st;
    }
    save_ok(f, in, ROWS, ids);

    store_article *list;
    size_t n;
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, ids[0], 10, &list, &n), STORE_OK);
    const char *want[] = {"abc", "c", "b", "xa", "a", "xbc", "yc"};
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(list[i].slug, want[i]);
        assert_int_not_equal(list[i].id, ids[0]);
        assert_true(list[i].n_topics > 0);
    }
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, ids[0], 2, &list, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].slug, "c");

    /* from "a": the target and the others sharing A */
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, ids[2], 10, &list, &n), STORE_OK);
    const char *want_a[] = {"target", "xa", "abc"};
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(list[i].slug, want_a[i]);
}

static void test_missing_read_also(void **state)
{
    fixture *f = *state;
    long long t = now_s() - 100;
    const char *links_a[] = {"b-live", "c-draft", "d-nowhere", "d-nowhere", "e-future"};
    const char *links_z[] = {"gone"};
    store_article_input in[5] = {story("a-live", "A", t), story("b-live", "B", t),
                                 story("c-draft", "C", t), story("e-future", "E", t + 9999),
                                 story("z-draft", "Z", t)};
    in[0].read_also_slugs = links_a;
    in[0].n_read_also = 5;
    in[2].status = ARTICLE_DRAFT;
    in[4].status = ARTICLE_DRAFT;
    in[4].read_also_slugs = links_z;
    in[4].n_read_also = 1;
    save_ok(f, in, 5, NULL);

    store_missing_link *links;
    size_t n;
    assert_int_equal(store_missing_read_also(f->s, f->a, &links, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(links[0].article_slug, "a-live");
    assert_string_equal(links[0].missing_slug, "c-draft");
    assert_string_equal(links[1].missing_slug, "d-nowhere");
    assert_string_equal(links[2].missing_slug, "e-future");
}

/* ---- Topics and authors ----------------------------------------------------------------- */
static void test_topics(void **state)
{
    fixture *f = *state;
    long long id = 0, id2 = 0;
    assert_int_equal(store_topic_add(f->s, "eco", "Economy", "Money matters", &id), STORE_OK);
    assert_true(id > 0);
    assert_int_equal(store_topic_add(f->s, "eco", "Other", NULL, &id2), STORE_CONFLICT);
    assert_non_null(strstr(store_last_error(f->s), "eco"));
    assert_int_equal(store_topic_add(f->s, "Bad Slug", "Bad", NULL, NULL), STORE_INVALID);
    assert_int_equal(store_topic_add(f->s, "no-name", " ", NULL, NULL), STORE_INVALID);
    assert_int_equal(store_topic_add(f->s, "arts", "arts", NULL, NULL), STORE_OK);

    store_topic t;
    assert_int_equal(store_topic_by_slug(f->s, f->a, "eco", &t), STORE_OK);
    assert_int_equal(t.id, id);
    assert_string_equal(t.name, "Economy");
    assert_string_equal(t.description, "Money matters");
    assert_int_equal(store_topic_by_slug(f->s, f->a, "nope", &t), STORE_NOT_FOUND);

    /* stories name topics: matched by slug of the name, then by name; new ones created */
    const char *names[] = {"Economy", "Zoology", "日本", "ARTS"};
    store_article_input in = story("s1", "S1", now_s() - 10);
    in.topic_names = names;
    in.n_topics = 4;
    save_one(f, in, NULL);
    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "s1", &art), STORE_OK);
    assert_int_equal(art.n_topics, 4);
    assert_int_equal(art.topics[0].id, id);
    assert_string_equal(art.topics[1].slug, "zoology");
    assert_true(strncmp(art.topics[2].slug, "topic-", 6) == 0);
    assert_string_equal(art.topics[2].name, "日本");
    assert_string_equal(art.topics[3].slug, "arts");
    long long nihon = art.topics[2].id;
    in.slug = "s2";
    in.n_topics = 3;
    save_one(f, in, NULL);
    assert_int_equal(store_article_by_slug(f->s, f->a, "s2", &art), STORE_OK);
    assert_int_equal(art.topics[2].id, nihon); /* found again by name */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM topics"), 4);

    store_topic *list;
    size_t n;
    assert_int_equal(store_topics_list(f->s, f->a, 0, &list, &n), STORE_OK);
    assert_int_equal(n, 4);
    assert_string_equal(list[0].name, "arts");
    assert_string_equal(list[1].name, "Economy");
    assert_string_equal(list[2].name, "Zoology");
    assert_int_equal(store_topics_list(f->s, f->a, 2, &list, &n), STORE_OK);
    assert_int_equal(n, 3); /* arts only has s1 */
    assert_int_equal(store_topics_list(f->s, f->a, 3, &list, &n), STORE_OK);
    assert_int_equal(n, 0);
}

static void test_authors(void **state)
{
    fixture *f = *state;
    const char *names[] = {"Ada Lovelace", "ada lovelace", "Grace Hopper"};
    store_article_input in = story("s1", "S1", now_s() - 10);
    in.author_names = names;
    in.n_authors = 3;
    save_one(f, in, NULL);
    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "s1", &art), STORE_OK);
    assert_int_equal(art.n_authors, 2);
    assert_string_equal(art.authors[0].name, "Ada Lovelace");
    assert_string_equal(art.authors[1].slug, "grace-hopper");

    store_author au;
    assert_int_equal(store_author_by_slug(f->s, f->a, "ada-lovelace", &au), STORE_OK);
    assert_null(au.bio);
    assert_int_equal(store_author_set_bio(f->s, "ada-lovelace", "Wrote the first program."),
                     STORE_OK);
    assert_int_equal(store_author_by_slug(f->s, f->a, "ada-lovelace", &au), STORE_OK);
    assert_string_equal(au.name, "Ada Lovelace");
    assert_string_equal(au.bio, "Wrote the first program.");
    assert_int_equal(store_author_set_bio(f->s, "nobody", "x"), STORE_NOT_FOUND);
    assert_int_equal(store_author_by_slug(f->s, f->a, "nobody", &au), STORE_NOT_FOUND);
    assert_int_equal(store_author_set_bio(f->s, "ada-lovelace", NULL), STORE_OK);
    assert_int_equal(store_author_by_slug(f->s, f->a, "ada-lovelace", &au), STORE_OK);
    assert_null(au.bio);
}

/* The sitemap's stamps list live stories only; created_at is set once and kept by later saves
 * (the feeds build their ids from it). */
static void test_stamps_and_created_at(void **state)
{
    fixture *f = *state;
    store_article_input in = story("s1", "S1", now_s() - 10);
    save_one(f, in, NULL);
    store_article_input draft = story("s2", "S2", now_s() - 10);
    draft.status = ARTICLE_DRAFT;
    save_one(f, draft, NULL);
    store_article *stamps;
    size_t n;
    assert_int_equal(store_article_stamps(f->s, f->a, 10, 0, &stamps, &n), STORE_OK);
    assert_int_equal(n, 1); /* the draft is not listed */
    assert_string_equal(stamps[0].slug, "s1");
    assert_string_equal(stamps[0].headline, "S1");
    assert_true(stamps[0].updated_at > 0 && stamps[0].published_at > 0);
    assert_int_equal(store_article_stamps(f->s, f->a, 10, 1, &stamps, &n), STORE_OK);
    assert_int_equal(n, 0);

    raw_exec(f->path, "UPDATE articles SET created_at = 1234 WHERE slug = 's1'");
    in.headline = "S1 edited";
    save_one(f, in, NULL);
    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "s1", &art), STORE_OK);
    assert_int_equal(art.created_at, 1234);
    assert_string_equal(art.headline, "S1 edited");
}

static void test_last_change(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_last_change(f->s), 0);
    long long now = now_s();
    save_one(f, story("old", "Old", now - 5000), NULL);
    store_article_input later = story("later", "Later", now + 3600);
    save_one(f, later, NULL);
    long long stamp = store_last_change(f->s);
    assert_true(stamp >= now && stamp <= now_s());

    /* pretend both were written long ago; "later" is now due */
    raw_exec(f->path, "UPDATE articles SET updated_at = 1000");
    raw_exec(f->path,
             arena_printf(f->a, "UPDATE articles SET published_at = %lld WHERE slug = 'later'",
                          now_s() - 30));
    stamp = store_last_change(f->s);
    assert_true(stamp >= now - 31 && stamp <= now_s() - 30); /* the moment it went live */
    raw_exec(f->path, "UPDATE articles SET published_at = 500");
    assert_int_equal(store_last_change(f->s), 1000);
}

static void test_status_names(void **state)
{
    article_status st;
    assert_string_equal(article_status_name(ARTICLE_DRAFT), "draft");
    assert_string_equal(article_status_name(ARTICLE_SCHEDULED), "scheduled");
    assert_string_equal(article_status_name(ARTICLE_PUBLISHED), "published");
    assert_true(article_status_parse("published", &st));
    assert_int_equal(st, ARTICLE_PUBLISHED);
    assert_true(article_status_parse("draft", &st));
    assert_int_equal(st, ARTICLE_DRAFT);
    assert_true(article_status_parse("scheduled", &st));
    assert_int_equal(st, ARTICLE_SCHEDULED);
    assert_false(article_status_parse("live", &st));
    assert_false(article_status_parse("", &st));
    assert_false(article_status_parse(NULL, &st));
    for (int s = STORE_OK; s <= STORE_SCHEMA; s++) {
        assert_non_null(store_strerror((store_status)s));
        assert_true(strlen(store_strerror((store_status)s)) > 0);
    }
}

/* ---- Comments --------------------------------------------------------------------------- */
static store_comment_input comment_in(long long article, long long parent, const char *email,
                                      const char *body, moderation_mode mode)
{
    return (store_comment_input){.article_id = article,
                                 .parent_id = parent,
                                 .author_name = "Reader",
                                 .author_email = email,
                                 .author_url = "https://example.org/",
                                 .body = body,
                                 .ip = "192.0.2.1",
                                 .user_agent = "test/1.0",
                                 .moderation = mode,
                                 .max_depth = 3};
}

static long long comment_ok(fixture *f, store_comment_input in, comment_status expect)
{
    long long id = 0;
    comment_status got = (comment_status)99;
    store_status st = store_comment_add(f->s, &in, &id, &got);
    if (st != STORE_OK) fprintf(stderr, "comment_add: %s\n", store_last_error(f->s));
    assert_int_equal(st, STORE_OK);
    assert_true(id > 0);
    assert_int_equal(got, expect);
    assert_string_equal(store_last_error(f->s), "");
    return id;
}

static void comment_refused(fixture *f, store_comment_input in, store_status expect,
                            const char *message)
{
    long long before = raw_int(f->path, "SELECT count(*) FROM comments");
    long long id = 42;
    comment_status got = COMMENT_SPAM;
    assert_int_equal(store_comment_add(f->s, &in, &id, &got), expect);
    assert_int_equal(id, 0);
    assert_int_equal(got, COMMENT_PENDING);
    if (message) assert_string_equal(store_last_error(f->s), message);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments"), before);
}

static long long live_story(fixture *f, const char *slug, long long published_at)
{
    long long id = 0;
    save_one(f, story(slug, "A story", published_at), &id);
    return id;
}

static void test_comment_status_names(void **state)
{
    comment_status st;
    const char *names[] = {"pending", "approved", "spam", "trash"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(comment_status_name((comment_status)i), names[i]);
        assert_true(comment_status_parse(names[i], &st));
        assert_int_equal(st, i);
    }
    assert_string_equal(comment_status_name((comment_status)9), "unknown");
    assert_false(comment_status_parse("Approved", &st));
    assert_false(comment_status_parse("", &st));
    assert_false(comment_status_parse(NULL, &st));
    assert_true(comment_status_parse("spam", NULL));
}

static void test_comment_round_trip(void **state)
{
    fixture *f = *state;
    long long art = live_story(f, "story", now_s() - 60);
    store_comment_input in =
        comment_in(art, 0, "Ada@Example.org", "Hello, «world».\nTwo", MODERATION_PUBLISH);
    long long id = comment_ok(f, in, COMMENT_APPROVED);
    long long reply = comment_ok(f,
                                 (store_comment_input){.article_id = art,
                                                       .parent_id = id,
                                                       .author_name = "Bob",
                                                       .author_email = "bob@example.org",
                                                       .body = "A reply",
                                                       .moderation = MODERATION_PUBLISH,
                                                       .max_depth = 2},
                                 COMMENT_APPROVED);
    store_comment *v;
    size_t n;
    assert_int_equal(store_comments_for_article(f->s, f->a, art, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, id);
    assert_int_equal(v[0].article_id, art);
    assert_int_equal(v[0].parent_id, 0);
    assert_string_equal(v[0].author_name, "Reader");
    assert_string_equal(v[0].author_email, "Ada@Example.org");
    assert_string_equal(v[0].author_url, "https://example.org/");
    assert_string_equal(v[0].body, "Hello, «world».\nTwo");
    assert_string_equal(v[0].ip, "192.0.2.1");
    assert_string_equal(v[0].user_agent, "test/1.0");
    assert_int_equal(v[0].status, COMMENT_APPROVED);
    assert_true(v[0].created_at > now_s() - 60 && v[0].created_at <= now_s());
    assert_int_equal(v[1].id, reply);
    assert_int_equal(v[1].parent_id, id);
    assert_null(v[1].author_url);
    assert_null(v[1].ip);
    assert_null(v[1].user_agent);
    /* the duplicate key is stored alongside */
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments WHERE length(body_hash) = 8"),
                     2);
    /* no comments: an empty list, not an error */
    long long other = live_story(f, "quiet", now_s() - 60);
    assert_int_equal(store_comments_for_article(f->s, f->a, other, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 0);
}

static void test_comment_refusals(void **state)
{
    fixture *f = *state;
    long long now = now_s();
    long long art = live_story(f, "open", now - 60);
    long long other = live_story(f, "other", now - 60);
    store_article_input draft = story("draft", "Draft", now - 60);
    draft.status = ARTICLE_DRAFT;
    store_article_input future = story("future", "Future", now + 3600);
    future.status = ARTICLE_SCHEDULED;
    store_article_input closed = story("closed", "Closed", now - 60);
    closed.comments_off = true;
    long long draft_id, future_id, closed_id;
    save_one(f, draft, &draft_id);
    save_one(f, future, &future_id);
    save_one(f, closed, &closed_id);

    const char *no_comments = "the story does not take comments";
    long long ids[] = {999999, draft_id, future_id, closed_id};
    for (int i = 0; i < 4; i++)
        comment_refused(f, comment_in(ids[i], 0, "a@b.c", "Hi", MODERATION_PUBLISH), STORE_INVALID,
                        no_comments);

    const char *no_parent = "the comment you reply to does not exist";
    long long top =
        comment_ok(f, comment_in(art, 0, "a@b.c", "Top", MODERATION_PUBLISH), COMMENT_APPROVED);
    long long held =
        comment_ok(f, comment_in(art, 0, "a@b.c", "Held", MODERATION_HOLD_ALL), COMMENT_PENDING);
    long long elsewhere =
        comment_ok(f, comment_in(other, 0, "a@b.c", "Other", MODERATION_PUBLISH), COMMENT_APPROVED);
    comment_refused(f, comment_in(art, 999999, "a@b.c", "Re", MODERATION_PUBLISH), STORE_INVALID,
                    no_parent);
    comment_refused(f, comment_in(art, held, "a@b.c", "Re", MODERATION_PUBLISH), STORE_INVALID,
                    no_parent);
    comment_refused(f, comment_in(art, elsewhere, "a@b.c", "Re", MODERATION_PUBLISH), STORE_INVALID,
                    no_parent);
    comment_refused(f, comment_in(art, -1, "a@b.c", "Re", MODERATION_PUBLISH), STORE_INVALID,
                    no_parent);
    /* a spam-marked parent is no parent either */
    assert_int_equal(store_comments_set_status(f->s, &top, 1, COMMENT_SPAM), STORE_OK);
    comment_refused(f, comment_in(art, top, "a@b.c", "Re", MODERATION_PUBLISH), STORE_INVALID,
                    no_parent);

    comment_refused(f, comment_in(art, 0, "a@b.c", "  \n", MODERATION_PUBLISH), STORE_INVALID,
                    "the comment is empty");
    comment_refused(f, comment_in(art, 0, "a@b.c", NULL, MODERATION_PUBLISH), STORE_INVALID, NULL);
    comment_refused(f, comment_in(art, 0, "", "Hi", MODERATION_PUBLISH), STORE_INVALID,
                    "the email is empty");
    store_comment_input no_name = comment_in(art, 0, "a@b.c", "Hi", MODERATION_PUBLISH);
    no_name.author_name = " ";
    comment_refused(f, no_name, STORE_INVALID, "the name is empty");
    comment_refused(f, comment_in(art, 0, "a@b.c", "Hi", (moderation_mode)7), STORE_INVALID, NULL);
    assert_int_equal(store_comment_add(f->s, NULL, NULL, NULL), STORE_INVALID);

    /* the story reopened: comments go through */
    closed.comments_off = false;
    save_one(f, closed, NULL);
    comment_ok(f, comment_in(closed_id, 0, "a@b.c", "Hi", MODERATION_PUBLISH), COMMENT_APPROVED);
}

static void test_comment_moderation(void **state)
{
    fixture *f = *state;
    long long art = live_story(f, "story", now_s() - 60);
    store_comment *v;
    size_t n;

    /* hold first: a new email waits */
    long long first = comment_ok(
        f, comment_in(art, 0, "new@example.org", "First", MODERATION_HOLD_FIRST), COMMENT_PENDING);
    long long second = comment_ok(
        f, comment_in(art, 0, "NEW@example.org", "Second", MODERATION_HOLD_FIRST), COMMENT_PENDING);
    assert_int_equal(store_comments_for_article(f->s, f->a, art, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 0);
    /* the writer still sees their own held comment */
    assert_int_equal(store_comments_for_article(f->s, f->a, art, first, &v, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, first);
    assert_int_equal(v[0].status, COMMENT_PENDING);

    /* once approved, the same email in another case goes straight through */
    assert_int_equal(store_comments_set_status(f->s, &first, 1, COMMENT_APPROVED), STORE_OK);
    long long third = comment_ok(
        f, comment_in(art, 0, "New@Example.ORG", "Third", MODERATION_HOLD_FIRST), COMMENT_APPROVED);
    /* ...on any story */
    long long art2 = live_story(f, "story-2", now_s() - 60);
    comment_ok(f, comment_in(art2, 0, "new@example.org", "Elsewhere", MODERATION_HOLD_FIRST),
               COMMENT_APPROVED);
    /* another email still waits; so does everyone under hold-all */
    comment_ok(f, comment_in(art, 0, "other@example.org", "Fourth", MODERATION_HOLD_FIRST),
               COMMENT_PENDING);
    comment_ok(f, comment_in(art, 0, "new@example.org", "Fifth", MODERATION_HOLD_ALL),
               COMMENT_PENDING);
    comment_ok(f, comment_in(art, 0, "stranger@example.org", "Sixth", MODERATION_PUBLISH),
               COMMENT_APPROVED);

    assert_int_equal(store_comments_for_article(f->s, f->a, art, second, &v, &n), STORE_OK);
    assert_int_equal(n, 4); /* first, second (included), third, sixth: oldest first */
    assert_int_equal(v[0].id, first);
    assert_int_equal(v[1].id, second);
    assert_int_equal(v[2].id, third);
    assert_string_equal(v[3].body, "Sixth");

    /* approvals later marked spam do not count */
    raw_exec(f->path, "UPDATE comments SET status = 2 WHERE lower(author_email) = "
                      "'new@example.org'");
    comment_ok(f, comment_in(art, 0, "new@example.org", "Seventh", MODERATION_HOLD_FIRST),
               COMMENT_PENDING);
}

static void test_comment_depth(void **state)
{
    fixture *f = *state;
    long long art = live_story(f, "story", now_s() - 60);
    const char *too_deep = "replies nest at most 3 deep";
    long long d1 =
        comment_ok(f, comment_in(art, 0, "a@b.c", "d1", MODERATION_PUBLISH), COMMENT_APPROVED);
    long long d2 =
        comment_ok(f, comment_in(art, d1, "a@b.c", "d2", MODERATION_PUBLISH), COMMENT_APPROVED);
    long long d3 =
        comment_ok(f, comment_in(art, d2, "a@b.c", "d3", MODERATION_PUBLISH), COMMENT_APPROVED);
    comment_refused(f, comment_in(art, d3, "a@b.c", "d4", MODERATION_PUBLISH), STORE_INVALID,
                    too_deep);
    /* siblings at allowed depths are fine */
    comment_ok(f, comment_in(art, d2, "a@b.c", "d3 bis", MODERATION_PUBLISH), COMMENT_APPROVED);

    store_comment_input in = comment_in(art, d1, "a@b.c", "flat", MODERATION_PUBLISH);
    in.max_depth = 1;
    comment_refused(f, in, STORE_INVALID, "replies nest at most 1 deep");
    in.max_depth = 0; /* treated as 1: no replies */
    comment_refused(f, in, STORE_INVALID, "replies nest at most 1 deep");
    in.parent_id = 0;
    comment_ok(f, in, COMMENT_APPROVED);
    in = comment_in(art, d3, "a@b.c", "deep", MODERATION_PUBLISH);
    in.max_depth = 4;
    comment_ok(f, in, COMMENT_APPROVED);
    in.max_depth = 1000;
    in.body = "deep 2";
    comment_ok(f, in, COMMENT_APPROVED);
}

static void test_comment_duplicate(void **state)
{
    fixture *f = *state;
    long long art = live_story(f, "story", now_s() - 60);
    long long art2 = live_story(f, "story-2", now_s() - 60);
    comment_ok(f, comment_in(art, 0, "a@b.c", "Same words", MODERATION_HOLD_ALL), COMMENT_PENDING);
    /* even while the first is held, and whatever the case of the email */
    comment_refused(f, comment_in(art, 0, "A@B.C", "Same words", MODERATION_PUBLISH),
                    STORE_CONFLICT, "duplicate comment");
    /* other story, other email, other body: all fine */
    comment_ok(f, comment_in(art2, 0, "a@b.c", "Same words", MODERATION_PUBLISH), COMMENT_APPROVED);
    comment_ok(f, comment_in(art, 0, "x@b.c", "Same words", MODERATION_PUBLISH), COMMENT_APPROVED);
    comment_ok(f, comment_in(art, 0, "a@b.c", "Same words!", MODERATION_PUBLISH), COMMENT_APPROVED);
    /* more than 24 hours later it is a new comment */
    raw_exec(f->path, "UPDATE comments SET created_at = created_at - 86401");
    comment_ok(f, comment_in(art, 0, "a@b.c", "Same words", MODERATION_PUBLISH), COMMENT_APPROVED);
}

static void test_comments_list_and_recent(void **state)
{
    fixture *f = *state;
    long long a1 = live_story(f, "one", now_s() - 60);
    long long a2 = live_story(f, "two", now_s() - 60);
    long long ids[6];
    for (int i = 0; i < 6; i++) {
        const char *body = arena_printf(f->a, "c%d", i);
        ids[i] = comment_ok(f,
                            comment_in(i % 2 ? a2 : a1, 0, "a@b.c", body,
                                       i < 4 ? MODERATION_PUBLISH : MODERATION_HOLD_ALL),
                            i < 4 ? COMMENT_APPROVED : COMMENT_PENDING);
    }
    assert_int_equal(store_comments_set_status(f->s, &ids[3], 1, COMMENT_SPAM), STORE_OK);
    /* c0 a1 approved, c1 a2 approved, c2 a1 approved, c3 a2 spam, c4 a1 pending, c5 a2 pending */

    store_comment *v;
    size_t n;
    assert_int_equal(store_comments_list(f->s, f->a, NULL, 100, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(v[i].id, ids[5 - i]); /* newest first */
    assert_string_equal(v[0].article_slug, "two");
    assert_string_equal(v[1].article_slug, "one");
    assert_string_equal(v[0].author_email, "a@b.c");

    assert_int_equal(store_comments_list(f->s, f->a, NULL, 2, 1, &v, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, ids[4]);
    assert_int_equal(v[1].id, ids[3]);
    assert_int_equal(store_comments_list(f->s, f->a, NULL, 10, 6, &v, &n), STORE_OK);
    assert_int_equal(n, 0);

    comment_status pending = COMMENT_PENDING, spam = COMMENT_SPAM, trash = COMMENT_TRASH;
    assert_int_equal(store_comments_list(f->s, f->a, &pending, 100, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, ids[5]);
    assert_int_equal(v[1].id, ids[4]);
    assert_int_equal(v[0].status, COMMENT_PENDING);
    assert_string_equal(v[1].article_slug, "one");
    assert_int_equal(store_comments_list(f->s, f->a, &spam, 100, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, ids[3]);
    assert_int_equal(store_comments_list(f->s, f->a, &trash, 100, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 0);

    /* recent: approved only, newest first, slugs filled */
    assert_int_equal(store_comments_recent(f->s, f->a, 0, 10, &v, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[0].id, ids[2]);
    assert_int_equal(v[1].id, ids[1]);
    assert_int_equal(v[2].id, ids[0]);
    assert_string_equal(v[1].article_slug, "two");
    assert_int_equal(store_comments_recent(f->s, f->a, 0, 2, &v, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_comments_recent(f->s, f->a, a1, 10, &v, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, ids[2]);
    assert_int_equal(v[1].id, ids[0]);
    assert_string_equal(v[0].article_slug, "one");

    /* a story taken off the site drops out of the site-wide list */
    store_article_input off = story("two", "A story", now_s() - 60);
    off.status = ARTICLE_DRAFT;
    save_one(f, off, NULL);
    assert_int_equal(store_comments_recent(f->s, f->a, 0, 10, &v, &n), STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].id, ids[2]);
    assert_int_equal(v[1].id, ids[0]);
}

static void test_comments_set_status_and_delete(void **state)
{
    fixture *f = *state;
    long long art = live_story(f, "story", now_s() - 60);
    long long top =
        comment_ok(f, comment_in(art, 0, "a@b.c", "top", MODERATION_PUBLISH), COMMENT_APPROVED);
    long long reply =
        comment_ok(f, comment_in(art, top, "a@b.c", "reply", MODERATION_PUBLISH), COMMENT_APPROVED);
    long long reply2 = comment_ok(f, comment_in(art, reply, "a@b.c", "reply 2", MODERATION_PUBLISH),
                                  COMMENT_APPROVED);
    long long lone =
        comment_ok(f, comment_in(art, 0, "x@b.c", "lone", MODERATION_HOLD_ALL), COMMENT_PENDING);

    /* one missing id: nothing changes */
    long long with_missing[] = {lone, 999999, top};
    assert_int_equal(store_comments_set_status(f->s, with_missing, 3, COMMENT_TRASH),
                     STORE_NOT_FOUND);
    assert_non_null(strstr(store_last_error(f->s), "999999"));
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments WHERE status = 3"), 0);
    assert_int_equal(raw_int(f->path, "SELECT status FROM comments WHERE id = (SELECT max(id)"
                                      " FROM comments)"),
                     COMMENT_PENDING);
    assert_int_equal(store_comments_set_status(f->s, &top, 1, (comment_status)4), STORE_INVALID);
    assert_int_equal(store_comments_set_status(f->s, NULL, 0, COMMENT_SPAM), STORE_OK);

    long long both[] = {lone, top, lone}; /* repeats are harmless */
    assert_int_equal(store_comments_set_status(f->s, both, 3, COMMENT_TRASH), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments WHERE status = 3"), 2);
    assert_int_equal(store_comments_set_status(f->s, both, 2, COMMENT_APPROVED), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments WHERE status = 1"), 4);

    /* delete: missing id, nothing removed */
    assert_int_equal(store_comments_delete(f->s, with_missing, 3), STORE_NOT_FOUND);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments"), 4);
    /* deleting a comment deletes its replies, and theirs */
    assert_int_equal(store_comments_delete(f->s, &top, 1), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments"), 1);
    store_comment *v;
    size_t n;
    assert_int_equal(store_comments_for_article(f->s, f->a, art, 0, &v, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].id, lone);
    assert_int_equal(store_comments_delete(f->s, &reply2, 1), STORE_NOT_FOUND);
    assert_int_equal(store_comments_set_status(f->s, &reply, 1, COMMENT_SPAM), STORE_NOT_FOUND);

    /* a parent and its reply in the same batch */
    top = comment_ok(f, comment_in(art, 0, "a@b.c", "top again", MODERATION_PUBLISH),
                     COMMENT_APPROVED);
    reply = comment_ok(f, comment_in(art, top, "a@b.c", "reply again", MODERATION_PUBLISH),
                       COMMENT_APPROVED);
    long long pair[] = {top, reply};
    assert_int_equal(store_comments_delete(f->s, pair, 2), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments"), 1);
}

static void test_comment_counts(void **state)
{
    fixture *f = *state;
    long long a1 = live_story(f, "one", now_s() - 60);
    long long a2 = live_story(f, "two", now_s() - 60);
    long long a3 = live_story(f, "three", now_s() - 60);
    for (int i = 0; i < 5; i++)
        comment_ok(f,
                   comment_in(a1, 0, "a@b.c", arena_printf(f->a, "a1 %d", i), MODERATION_PUBLISH),
                   COMMENT_APPROVED);
    comment_ok(f, comment_in(a2, 0, "a@b.c", "a2", MODERATION_PUBLISH), COMMENT_APPROVED);
    comment_ok(f, comment_in(a2, 0, "a@b.c", "a2 held", MODERATION_HOLD_ALL), COMMENT_PENDING);
    comment_ok(f, comment_in(a3, 0, "a@b.c", "a3 held", MODERATION_HOLD_ALL), COMMENT_PENDING);

    long long ids[] = {a1, 999999, a2, a3, a1};
    long long counts[5] = {-1, -1, -1, -1, -1};
    assert_int_equal(store_comment_counts(f->s, ids, 5, counts), STORE_OK);
    assert_int_equal(counts[0], 5);
    assert_int_equal(counts[1], 0);
    assert_int_equal(counts[2], 1);
    assert_int_equal(counts[3], 0);
    assert_int_equal(counts[4], 5);
    assert_int_equal(store_comment_counts(f->s, NULL, 0, NULL), STORE_OK);

    /* a long list (a big front page) in one go */
    enum { MANY = 500 };
    long long many[MANY], many_counts[MANY];
    for (int i = 0; i < MANY; i++)
        many[i] = i % 2 ? a1 : a2;
    assert_int_equal(store_comment_counts(f->s, many, MANY, many_counts), STORE_OK);
    for (int i = 0; i < MANY; i++)
        assert_int_equal(many_counts[i], i % 2 ? 5 : 1);
}

/* ---- Settings, comments_off, upgrade ---------------------------------------------------- */
static void test_settings(void **state)
{
    fixture *f = *state;
    const char *value = "x";
    store_setting *list;
    size_t n;
    assert_int_equal(store_setting_get(f->s, f->a, "site.title", &value), STORE_NOT_FOUND);
    assert_null(value);
    assert_int_equal(store_settings_list(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 0);

    assert_int_equal(store_setting_set(f->s, "site.title", "The Gazette"), STORE_OK);
    assert_int_equal(store_setting_set(f->s, "comments.moderation", "hold-first"), STORE_OK);
    assert_int_equal(store_setting_set(f->s, "empty", ""), STORE_OK);
    assert_int_equal(store_setting_get(f->s, f->a, "site.title", &value), STORE_OK);
    assert_string_equal(value, "The Gazette");
    assert_int_equal(store_setting_set(f->s, "site.title", "Le Journal « du soir »"), STORE_OK);
    assert_int_equal(store_setting_get(f->s, f->a, "site.title", &value), STORE_OK);
    assert_string_equal(value, "Le Journal « du soir »");
    assert_int_equal(store_setting_get(f->s, f->a, "empty", &value), STORE_OK);
    assert_string_equal(value, "");
    assert_int_equal(store_setting_get(f->s, f->a, "Site.Title", &value), STORE_NOT_FOUND);

    assert_int_equal(store_settings_list(f->s, f->a, &list, &n), STORE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].key, "comments.moderation");
    assert_string_equal(list[0].value, "hold-first");
    assert_string_equal(list[1].key, "empty");
    assert_string_equal(list[2].key, "site.title");
    assert_string_equal(list[2].value, "Le Journal « du soir »");

    assert_int_equal(store_setting_set(f->s, "", "v"), STORE_INVALID);
    assert_int_equal(store_setting_set(f->s, NULL, "v"), STORE_INVALID);
    assert_int_equal(store_setting_set(f->s, "k", NULL), STORE_INVALID);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM settings"), 3);
}

static void test_comments_off_round_trip(void **state)
{
    fixture *f = *state;
    long long now = now_s();
    store_article_input in = story("closed", "Closed", now - 60);
    in.comments_off = true;
    in.comments_days = 9;
    long long id;
    save_one(f, in, &id);
    save_one(f, story("open", "Open", now - 120), NULL);

    store_article art;
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "closed", &art), STORE_OK);
    assert_true(art.comments_off);
    assert_int_equal(store_article_by_slug(f->s, f->a, "closed", &art), STORE_OK);
    assert_true(art.comments_off);
    assert_string_equal(art.headline, "Closed"); /* columns after it still line up */
    assert_int_equal(art.comments_days, 9);
    assert_null(art.body_markdown);
    assert_int_equal(store_article_top(f->s, f->a, &art), STORE_OK);
    assert_true(art.comments_off);
    assert_int_equal(store_article_by_slug(f->s, f->a, "open", &art), STORE_OK);
    assert_false(art.comments_off);

    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 10};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(n, 2);
    assert_true(list[0].comments_off);
    assert_false(list[1].comments_off);
    long long open_id = list[1].id;
    assert_int_equal(store_articles_related_by_topics(f->s, f->a, open_id, 5, &list, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_true(list[0].comments_off);

    /* saved again without it: open again (the input is the whole truth) */
    in.comments_off = false;
    in.body_markdown = "Body";
    save_one(f, in, NULL);
    assert_int_equal(store_article_any_by_slug(f->s, f->a, "closed", &art), STORE_OK);
    assert_false(art.comments_off);
    assert_string_equal(art.body_markdown, "Body");
}

static void test_upgrade_from_schema_1(void **state)
{
    skip_unless_sqlite();
    fixture *f = *state;
    assert_int_equal(store_create(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    save_one(f, story("old-story", "Old story", now_s() - 600), NULL);
    store_close(f->s);
    f->s = NULL;
    /* back to what a migration-1 Gazette left behind */
    raw_exec(f->path, "DROP TABLE comments; DROP TABLE settings;"
                      " ALTER TABLE articles DROP COLUMN comments_off;"
                      " DELETE FROM schema_migrations WHERE version = 2");
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM pragma_table_info('articles')"
                                      " WHERE name = 'comments_off'"),
                     0);

    assert_int_equal(store_open(f->path, &f->s, f->err, sizeof f->err), STORE_OK);
    assert_int_equal(store_schema_version(f->s), LATEST);
    assert_int_equal(raw_int(f->path, "SELECT max(version) FROM schema_migrations"), LATEST);
    store_article art;
    assert_int_equal(store_article_by_slug(f->s, f->a, "old-story", &art), STORE_OK);
    assert_false(art.comments_off);
    assert_string_equal(art.headline, "Old story");
    comment_ok(f, comment_in(art.id, 0, "a@b.c", "First!", MODERATION_PUBLISH), COMMENT_APPROVED);
    assert_int_equal(store_setting_set(f->s, "k", "v"), STORE_OK);
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                                      " AND name LIKE 'comments_by_%'"),
                     4);
}

/* ---- Concurrent comment writers --------------------------------------------------------- */
enum { COMMENT_WRITERS = 4, COMMENTS_EACH = 250 };

typedef struct {
    store *s;
    long long article, ids[COMMENTS_EACH];
    int index, errors;
} comment_writer_ctx;

static void *comment_writer(void *p)
{
    comment_writer_ctx *w = p;
    char body[64];
    for (int i = 0; i < COMMENTS_EACH; i++) {
        snprintf(body, sizeof body, "writer %d comment %d", w->index, i);
        store_comment_input in =
            comment_in(w->article, 0, "same@example.org", body, MODERATION_HOLD_FIRST);
        comment_status st;
        if (store_comment_add(w->s, &in, &w->ids[i], &st) != STORE_OK || w->ids[i] <= 0)
            w->errors++;
    }
    return NULL;
}

static void test_concurrent_comment_adds(void **state)
{
    fixture *f = *state;
    long long art = live_story(f, "busy", now_s() - 60);
    static comment_writer_ctx ctx[COMMENT_WRITERS];
    pthread_t th[COMMENT_WRITERS];
    for (int i = 0; i < COMMENT_WRITERS; i++) {
        ctx[i] = (comment_writer_ctx){.s = f->s, .article = art, .index = i};
        assert_int_equal(pthread_create(&th[i], NULL, comment_writer, &ctx[i]), 0);
    }
    for (int i = 0; i < COMMENT_WRITERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(ctx[i].errors, 0);
    }
    enum { TOTAL = COMMENT_WRITERS * COMMENTS_EACH };
    assert_int_equal(raw_int(f->path, "SELECT count(*) FROM comments"), TOTAL);
    /* every id handed out is a row, and no two writers got the same one */
    comment_status pending = COMMENT_PENDING;
    store_comment *v;
    size_t n;
    assert_int_equal(store_comments_list(f->s, f->a, &pending, TOTAL + 10, 0, &v, &n), STORE_OK);
    assert_int_equal(n, TOTAL);
    for (int w = 0; w < COMMENT_WRITERS; w++) {
        for (int i = 0; i < COMMENTS_EACH; i++) {
            char body[64];
            snprintf(body, sizeof body, "writer %d comment %d", w, i);
            bool found = false;
            for (size_t k = 0; k < n && !found; k++)
                found = v[k].id == ctx[w].ids[i] && strcmp(v[k].body, body) == 0;
            assert_true(found);
        }
    }
    assert_int_equal(raw_int(f->path, "SELECT count(DISTINCT id) FROM comments"), TOTAL);
}

/* ---- Threads ---------------------------------------------------------------------------- */
typedef struct {
    store *s;
    int errors, iterations;
    size_t last_total;
    atomic_int *stop;
} reader_ctx;

static void *reader(void *p)
{
    reader_ctx *r = p;
    arena *a = arena_new();
    while (!*r->stop || r->iterations < 20) {
        store_article *list, art;
        store_topic *topics;
        size_t n, total;
        store_article_query q = {.limit = 20, .topic_slug = r->iterations % 2 ? "politics" : NULL};
        if (store_articles_list(r->s, a, &q, &list, &n, &total) != STORE_OK) r->errors++;
        if (!q.topic_slug) {
            if (total < r->last_total || n > total) r->errors++; /* never goes back */
            r->last_total = total;
        }
        if (n > 0) {
            if (store_article_by_slug(r->s, a, list[0].slug, &art) != STORE_OK) r->errors++;
            if (store_articles_related_by_topics(r->s, a, list[0].id, 5, &list, &n) != STORE_OK)
                r->errors++;
        }
        if (store_topics_list(r->s, a, 1, &topics, &n) != STORE_OK) r->errors++;
        store_last_change(r->s);
        arena_reset(a);
        r->iterations++;
    }
    arena_free(a);
    return NULL;
}

static void test_concurrent_reads_while_writing(void **state)
{
    fixture *f = *state;
    enum { READERS = 4, BATCHES = 20, PER_BATCH = 25 };
    atomic_int stop = 0;
    reader_ctx ctx[READERS];
    pthread_t th[READERS];
    for (int i = 0; i < READERS; i++) {
        ctx[i] = (reader_ctx){.s = f->s, .stop = &stop};
        assert_int_equal(pthread_create(&th[i], NULL, reader, &ctx[i]), 0);
    }
    const char *topics[] = {"Politics", "World"};
    long long base = now_s() - 100000;
    for (int b = 0; b < BATCHES; b++) {
        store_article_input in[PER_BATCH];
        for (int i = 0; i < PER_BATCH; i++) {
            int k = b * PER_BATCH + i;
            in[i] = story(arena_printf(f->a, "c-%d", k), "Concurrent", base + k);
            in[i].topic_names = topics;
            in[i].n_topics = 1 + k % 2;
        }
        save_ok(f, in, PER_BATCH, NULL);
    }
    stop = 1;
    int iterations = 0;
    for (int i = 0; i < READERS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(ctx[i].errors, 0);
        iterations += ctx[i].iterations;
    }
    printf("    %d reader iterations alongside %d writes\n", iterations, BATCHES * PER_BATCH);
    store_article *list;
    size_t n, total;
    store_article_query q = {.limit = 1};
    assert_int_equal(store_articles_list(f->s, f->a, &q, &list, &n, &total), STORE_OK);
    assert_int_equal(total, BATCHES * PER_BATCH);
}

static void *one_read(void *p)
{
    store *s = p;
    store_article *list;
    size_t n;
    arena *a = arena_new();
    store_article_query q = {.limit = 1};
    store_status st = store_articles_list(s, a, &q, &list, &n, NULL);
    arena_free(a);
    return (void *)(intptr_t)st;
}

/* Threads that come and go (thread-per-connection servers) do not pile up connections. */
static void test_short_lived_threads(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 50; i++) {
        pthread_t th;
        void *ret;
        assert_int_equal(pthread_create(&th, NULL, one_read, f->s), 0);
        assert_int_equal(pthread_join(th, &ret), 0);
        assert_int_equal((intptr_t)ret, STORE_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_then_open, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_open_missing, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_open_garbage, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_open_foreign_or_empty, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_existing, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses_newer_schema, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_open_applies_pending, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_create_in_unusable_place, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_gives_io, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_all_fields, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_null_fields_stay_null, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_upsert_keeps_id_replaces_links, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_batch_of_500, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_input_writes_nothing, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_busy_writer, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_live_filtering, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_publish_due, setup_db, teardown),
        cmocka_unit_test(test_location_shown),
        cmocka_unit_test_setup_teardown(test_set_cache_mb, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_topics_leading, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_empty_site, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_pagination_and_total, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_topic_and_author_filters, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_related_ranking, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_missing_read_also, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_topics, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_authors, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_stamps_and_created_at, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_last_change, setup_db, teardown),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test_setup_teardown(test_concurrent_reads_while_writing, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_short_lived_threads, setup_db, teardown),
        cmocka_unit_test(test_comment_status_names),
        cmocka_unit_test_setup_teardown(test_comment_round_trip, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comment_refusals, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comment_moderation, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comment_depth, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comment_duplicate, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comments_list_and_recent, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comments_set_status_and_delete, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comment_counts, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_settings, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_comments_off_round_trip, setup_db, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_from_schema_1, setup_dir, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_comment_adds, setup_db, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
