/* fuzz_analyze.c — libFuzzer target for the text analyser of the related-stories engine and
 * search highlighting, related_analyze (src/related/analyze.c): UTF-8 decoding with utf8proc,
 * tags skipped, entities decoded, case folding, stop words, stemming and name phrases. The
 * input is the text (plain or HTML); it is analysed in English and in German. Checks: every
 * term is non-empty valid UTF-8 with no NUL, and a name term is "#" and two or more words. */
#include "../../src/content/content.h"
#include "../../src/related/related.h"
#include "fuzz_check.h"

static void check_term(void *ctx, const char *term, size_t len)
{
    (void)ctx;
    FUZZ_CHECK(len > 0 && memchr(term, '\0', len) == NULL && content_utf8_valid(term, len));
    if (term[0] == '#') FUZZ_CHECK(len > 1 && memchr(term, ' ', len) != NULL);
}

/* One analyser per language for the whole run, as a server keeps one (stemmers are costly). */
static related_analyzer *analyzer(const char *language)
{
    static related_analyzer *english, *german;
    related_analyzer **an = strcmp(language, "english") == 0 ? &english : &german;
    if (!*an) {
        char err[128];
        *an = related_analyzer_new(language, err, sizeof err);
        FUZZ_CHECK(*an != NULL);
    }
    return *an;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    related_analyze(analyzer("english"), text, check_term, NULL);
    related_analyze(analyzer("german"), text, check_term, NULL);
    free(text);
    return 0;
}
