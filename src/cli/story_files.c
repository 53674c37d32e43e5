/* story_files.c — adding stories from Markdown files with front matter (docs/writing.md):
 * collect the files, parse and render each, check them all, then save them in one
 * transaction so that a bad file changes nothing. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../content/content.h"
#include "cli.h"

enum { STORY_MAX_BYTES = 4 * 1024 * 1024, STORY_MAX_FILES = 200000 };

typedef struct {
    char **paths;
    size_t n, cap;
} path_list;

static void path_list_add(path_list *l, arena *a, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **grown = arena_alloc(a, cap * sizeof *grown);
        if (l->n) memcpy(grown, l->paths, l->n * sizeof *grown);
        l->paths = grown;
        l->cap = cap;
    }
    l->paths[l->n++] = arena_strdup(a, path);
}

static bool has_md_suffix(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && strcmp(name + len - 3, ".md") == 0;
}

static int compare_paths(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Adds path, or every *.md under it when it is a directory. */
static bool collect(const char *command, arena *a, const char *path, path_list *out, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "gazette %s: cannot read '%s': %s\n", command, path, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        path_list_add(out, a, path);
        return true;
    }
    DIR *d = opendir(path);
    if (!d || depth > 16) {
        fprintf(stderr, "gazette %s: cannot read directory '%s'\n", command, path);
        if (d) closedir(d);
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *child = arena_printf(a, "%s/%s", path, e->d_name);
        struct stat cst;
        if (stat(child, &cst) == 0 && S_ISDIR(cst.st_mode))
            ok = collect(command, a, child, out, depth + 1);
        else if (has_md_suffix(e->d_name) && out->n < STORY_MAX_FILES)
            path_list_add(out, a, child);
    }
    closedir(d);
    return ok;
}

static char *read_story_file(arena *a, const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        if (f) fclose(f);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > STORY_MAX_BYTES) {
        snprintf(err, errlen, S_ISREG(st.st_mode) ? "file larger than 4 MB" : "not a file");
        fclose(f);
        return NULL;
    }
    char *text = arena_alloc(a, (size_t)st.st_size + 1);
    *len = fread(text, 1, (size_t)st.st_size, f);
    bool failed = ferror(f) || *len != (size_t)st.st_size;
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "cannot read the file");
        return NULL;
    }
    text[*len] = '\0';
    return text;
}

/* Turns one file into a store input; false after printing "path:line: message". */
static bool load_story(const char *command, arena *a, const char *path, store_article_input *in)
{
    char err[300] = "";
    size_t len;
    content_error cerr = {0};
    content_story story;
    content_markdown md;
    char *text = read_story_file(a, path, &len, err, sizeof err);
    if (!text) goto fail;
    if (!content_parse_story(a, text, len, &story, &cerr)) {
        fprintf(stderr, "gazette %s: %s:%d: %s\n", command, path, cerr.line, cerr.message);
        return false;
    }
    if (!content_render_markdown(a, story.body, &md, err, sizeof err)) goto fail;
    const char *slug = story.slug ? story.slug : content_slugify(a, story.headline);
    if (!slug[0]) {
        snprintf(err, sizeof err, "cannot make a slug from the headline; add a 'slug:' line");
        goto fail;
    }
    article_status status = ARTICLE_PUBLISHED;
    if (story.status) article_status_parse(story.status, &status);
    *in = (store_article_input){.slug = slug,
                                .kicker = story.kicker,
                                .headline = story.headline,
                                .lead = story.lead,
                                .body_markdown = story.body,
                                .body_html = md.html,
                                .image_url = story.image,
                                .image_caption = story.caption,
                                .image_credit = story.credit,
                                .image_alt = story.alt,
                                .status = status,
                                .published_at = story.published,
                                .comments_off = story.comments_off,
                                .comments_days = story.comments_days,
                                .topic_names = story.topics,
                                .n_topics = story.n_topics,
                                .author_names = story.authors,
                                .n_authors = story.n_authors,
                                .read_also_slugs = (const char **)md.read_also,
                                .n_read_also = md.n_read_also};
    return true;
fail:
    fprintf(stderr, "gazette %s: %s: %s\n", command, path, err);
    return false;
}

static int by_slug_then_position(const void *x, const void *y, void *ctx)
{
    const store_article_input *inputs = ctx;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    int c = strcmp(inputs[i].slug, inputs[j].slug);
    return c ? c : (i > j) - (i < j);
}

/* Reports every file whose slug an earlier file already has (sorting: 100,000 files at once
 * must not cost a comparison per pair). */
static bool check_unique_slugs(const char *command, store_article_input *inputs, char **paths,
                               size_t n)
{
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        fprintf(stderr, "gazette %s: out of memory\n", command);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, by_slug_then_position, inputs);
    bool ok = true;
    for (size_t k = 1, first = 0; k < n; k++) {
        if (strcmp(inputs[order[k]].slug, inputs[order[first]].slug) != 0) {
            first = k;
            continue;
        }
        fprintf(stderr, "gazette %s: %s and %s have the same slug '%s'\n", command,
                paths[order[first]], paths[order[k]], inputs[order[k]].slug);
        ok = false;
    }
    free(order);
    return ok;
}

static void report_missing_links(const char *command, store *s, arena *a)
{
    store_missing_link *missing;
    size_t n;
    if (store_missing_read_also(s, a, &missing, &n) != STORE_OK) return;
    for (size_t i = 0; i < n; i++)
        fprintf(stderr,
                "gazette %s: warning: story '%s' has a read-also link to '%s', which is not a "
                "published story; the link is not shown\n",
                command, missing[i].article_slug, missing[i].missing_slug);
}

int cli_add_story_files(const char *command, store *s, const char *const *paths, size_t n_paths,
                        bool quiet)
{
    arena *a = arena_new();
    path_list files = {0};
    bool ok = true;
    for (size_t i = 0; i < n_paths; i++)
        ok &= collect(command, a, paths[i], &files, 0);
    if (ok && files.n == 0) fprintf(stderr, "gazette %s: no story files (*.md) found\n", command);
    if (files.n) qsort(files.paths, files.n, sizeof *files.paths, compare_paths);
    store_article_input *inputs = arena_alloc(a, (files.n + 1) * sizeof *inputs);
    for (size_t i = 0; i < files.n; i++)
        ok &= load_story(command, a, files.paths[i], &inputs[i]);
    if (ok) ok = check_unique_slugs(command, inputs, files.paths, files.n);
    if (!ok || files.n == 0) {
        if (files.n) fprintf(stderr, "gazette %s: nothing was added\n", command);
        arena_free(a);
        return CLI_FAILED;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    store_status st = store_articles_save(s, inputs, files.n, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st != STORE_OK) {
        const char *detail = store_last_error(s);
        fprintf(stderr, "gazette %s: could not save the stories: %s; nothing was added\n", command,
                detail && detail[0] ? detail : store_strerror(st));
        arena_free(a);
        return CLI_FAILED;
    }
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (!quiet)
        printf("added %zu %s in %.3f s\n", files.n, files.n == 1 ? "story" : "stories", seconds);
    report_missing_links(command, s, a);
    arena_free(a);
    return CLI_OK;
}
