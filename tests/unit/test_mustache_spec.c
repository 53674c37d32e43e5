/* test_mustache_spec.c — owns the Mustache conformance run: loads every JSON file of the
 * official spec (../shared/data/mustache-spec from the current directory, or the folder named by
 * $GAZETTE_MUSTACHE_SPEC), registers one cmocka test per case ("<file>: <case name>") at run
 * time, and prints per-file and total counts to stderr. Lambda cases (~lambdas.json) are skipped:
 * their data holds no code in JSON. */
#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/theme/mustache.h"

enum { PASSED, FAILED, SKIPPED };

typedef struct {
    char *file;
    int n[3]; /* indexed by PASSED, FAILED, SKIPPED */
} tally;

typedef struct {
    const json_t *test;
    tally *file, *total;
    bool lambda;
} spec_case;

typedef struct {
    json_t **docs; /* parsed spec files, kept alive while the tests run */
    size_t ndocs;
    tally *files;
    tally total;
    struct CMUnitTest *tests;
    spec_case *cases;
    size_t ntests, cap;
} spec_run;

static char *load_partial(void *data, const char *name)
{
    const char *src = json_string_value(json_object_get(data, name));
    if (!src) return NULL;
    char *copy = strdup(src);
    if (!copy) abort();
    return copy;
}

static void count(const spec_case *sc, int outcome)
{
    sc->file->n[outcome]++;
    sc->total->n[outcome]++;
}

static void report_mismatch(const spec_case *sc, const char *expected, const char *got,
                            const mustache_error *err, mustache_status status)
{
    const char *tpl = json_string_value(json_object_get(sc->test, "template"));
    fprintf(stderr, "--- %s: %s\n", sc->file->file,
            json_string_value(json_object_get(sc->test, "name")));
    fprintf(stderr, "template: [%s]\n", tpl);
    if (err->status != MUSTACHE_OK)
        fprintf(stderr, "compile error (line %d): %s\n", err->line, err->message);
    if (status != MUSTACHE_OK) fprintf(stderr, "render status: %s\n", mustache_strerror(status));
    fprintf(stderr, "expected: [%s]\ngot:      [%s]\n", expected, got);
}

static void run_case(void **state)
{
    const spec_case *sc = *state;
    if (sc->lambda) {
        count(sc, SKIPPED);
        skip();
    }
    const char *tpl = json_string_value(json_object_get(sc->test, "template"));
    const char *expected = json_string_value(json_object_get(sc->test, "expected"));
    json_t *partials = json_object_get(sc->test, "partials");
    mustache_set *set = mustache_set_new(load_partial, partials);
    mustache_error err = {0};
    mustache_template *t = mustache_compile(set, "(spec template)", tpl ? tpl : "", &err);
    buf out = {0};
    mustache_status status =
        t ? mustache_render(t, json_object_get(sc->test, "data"), &out) : err.status;
    const char *got = out.data ? out.data : "";
    bool ok = t && status == MUSTACHE_OK && expected && strcmp(got, expected) == 0;
    if (!ok) report_mismatch(sc, expected ? expected : "(none)", got, &err, status);
    buf_free(&out);
    mustache_set_free(set);
    count(sc, ok ? PASSED : FAILED);
    if (!ok) fail_msg("output differs from the spec");
}

static void add_case(spec_run *run, tally *file, const json_t *test, bool lambda)
{
    if (run->ntests == run->cap) {
        run->cap = run->cap ? run->cap * 2 : 256;
        run->tests = realloc(run->tests, run->cap * sizeof *run->tests);
        run->cases = realloc(run->cases, run->cap * sizeof *run->cases);
        if (!run->tests || !run->cases) abort();
    }
    run->cases[run->ntests] = (spec_case){.test = test, .file = file, .lambda = lambda};
    char *name = NULL;
    if (asprintf(&name, "%s: %s", file->file, json_string_value(json_object_get(test, "name"))) < 0)
        abort();
    run->tests[run->ntests] =
        (struct CMUnitTest){.name = name, .test_func = run_case, .initial_state = NULL};
    run->ntests++;
}

static bool load_file(spec_run *run, size_t index, const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        fprintf(stderr, "mustache spec: cannot read %s: %s (line %d)\n", path, jerr.text,
                jerr.line);
        return false;
    }
    run->docs[index] = doc;
    tally *t = &run->files[index];
    t->file = strdup(file);
    if (!t->file) abort();
    const json_t *tests = json_object_get(doc, "tests");
    bool lambda = strstr(file, "lambdas") != NULL;
    for (size_t i = 0; i < json_array_size(tests); i++)
        add_case(run, t, json_array_get(tests, i), lambda);
    return true;
}

static int is_json(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Loads every spec file of dir; the cases point into run->files, so that array is sized first. */
static bool load_spec(spec_run *run, const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, is_json, alphasort);
    if (n <= 0) {
        fprintf(stderr, "mustache spec: no spec files in %s (set GAZETTE_MUSTACHE_SPEC)\n", dir);
        return false;
    }
    run->ndocs = (size_t)n;
    run->docs = calloc((size_t)n, sizeof *run->docs);
    run->files = calloc((size_t)n, sizeof *run->files);
    if (!run->docs || !run->files) abort();
    bool ok = true;
    for (int i = 0; i < n; i++) {
        ok = ok && load_file(run, (size_t)i, dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
    for (size_t i = 0; i < run->ntests; i++) { /* cases are final now: point the tests at them */
        run->cases[i].total = &run->total;
        run->tests[i].initial_state = &run->cases[i];
    }
    return ok;
}

static void free_spec(spec_run *run)
{
    for (size_t i = 0; i < run->ntests; i++)
        free((char *)run->tests[i].name);
    for (size_t i = 0; i < run->ndocs; i++) {
        json_decref(run->docs[i]);
        free(run->files[i].file);
    }
    free(run->tests);
    free(run->cases);
    free(run->docs);
    free(run->files);
}

int main(void)
{
    const char *dir = getenv("GAZETTE_MUSTACHE_SPEC");
    if (!dir || !*dir) dir = "../shared/data/mustache-spec";
    spec_run run = {0};
    if (!load_spec(&run, dir)) {
        free_spec(&run);
        return 1;
    }
    int failures = _cmocka_run_group_tests("mustache spec", run.tests, run.ntests, NULL, NULL);
    for (size_t i = 0; i < run.ndocs; i++)
        fprintf(stderr, "mustache spec: %s: %d passed, %d failed, %d skipped\n", run.files[i].file,
                run.files[i].n[PASSED], run.files[i].n[FAILED], run.files[i].n[SKIPPED]);
    fprintf(stderr, "mustache spec: %d passed, %d failed, %d skipped\n", run.total.n[PASSED],
            run.total.n[FAILED], run.total.n[SKIPPED]);
    free_spec(&run);
    return failures ? 1 : 0;
}
