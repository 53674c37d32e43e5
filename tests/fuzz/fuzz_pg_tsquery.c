/* fuzz_pg_tsquery.c — libFuzzer target for pg_tsquery_from_fts (src/store/pg_tsquery.c), which
 * reads an FTS5 query and writes it again as PostgreSQL to_tsquery text. The input is used twice:
 * as an FTS5 query as it is, and as a reader's text through search_query_translate, whose every
 * translation must be read. Checked beyond "no crash": a refusal has a message and no output;
 * an output is never empty and has the shape the target's own reader accepts: single-quoted
 * operands (with \ escapes only inside), each maybe followed by :*, joined by " & ", " | ",
 * " & !" or " <-> ", so that nothing of the input is ever outside quotes; and valid UTF-8 (what
 * PostgreSQL accepts). */
#include <stdbool.h>

#include "../../src/content/content.h"
#include "../../src/site/search_query.h"
#include "../../src/store/pg_tsquery.h"
#include "fuzz_check.h"

/* One quoted operand at *p (at its opening quote); moves *p past it and its :* if any. */
static void check_operand(const char **p)
{
    FUZZ_CHECK(**p == '\'');
    (*p)++;
    while (**p != '\'') {
        FUZZ_CHECK(**p != '\0');
        if (**p == '\\') {
            (*p)++;
            FUZZ_CHECK(**p == '\\' || **p == '\'');
        } else {
            FUZZ_CHECK(**p != '\\');
        }
        (*p)++;
    }
    (*p)++;
    if (strncmp(*p, ":*", 2) == 0) *p += 2;
}

static void check_shape(const char *out)
{
    FUZZ_CHECK(out != NULL && out[0] != '\0');
    static const char *const ops[] = {" & !", " & ", " | ", " <-> "};
    const char *p = out;
    check_operand(&p);
    while (*p) {
        size_t k = 0;
        while (k < 4 && strncmp(p, ops[k], strlen(ops[k])) != 0)
            k++;
        FUZZ_CHECK(k < 4);
        p += strlen(ops[k]);
        check_operand(&p);
    }
}

static void check_one(arena *a, const char *fts, bool must_read)
{
    const char *out = "unset";
    const char *error = pg_tsquery_from_fts(a, fts, &out);
    if (error) {
        FUZZ_CHECK(!must_read);
        FUZZ_CHECK(error[0] != '\0' && out == NULL);
        return;
    }
    check_shape(out);
    FUZZ_CHECK(content_utf8_valid(out, strlen(out)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    arena *a = arena_new();
    check_one(a, text, false);
    const char *fts;
    if (search_query_translate(a, text, &fts) == SEARCH_QUERY_OK) check_one(a, fts, true);
    const char *out;
    FUZZ_CHECK(pg_tsquery_from_fts(a, NULL, &out) != NULL && out == NULL);
    arena_free(a);
    free(text);
    return 0;
}
