/* fuzz_story_file.c — libFuzzer target for story files (src/content/story_file.c): the
 * front-matter parser content_parse_story, given the input bytes as they are (not
 * NUL-terminated, so reads past the end show), and the RFC 3339 dates of src/content/time.c
 * (content_parse_time on the first line of the input, content_format_time back). Checks: a
 * parsed story has what the format promises (a headline, a known status, a valid slug), an
 * error names a line, and a parsed time prints and parses back to the same second. */
#include "../../src/content/content.h"
#include "fuzz_check.h"

/* Seconds of 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the years RFC 3339 can write. */
static const long long FIRST_SECOND = -62167219200LL, END_SECOND = 253402300800LL;

static void check_time(arena *a, const char *text)
{
    long long t;
    if (!content_parse_time(text, &t)) return;
    char *s = content_format_time(a, t);
    long long back;
    bool ok = content_parse_time(s, &back);
    if (t >= FIRST_SECOND && t < END_SECOND) FUZZ_CHECK(ok && back == t);
    if (ok) FUZZ_CHECK(back == t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    content_story story;
    content_error err;
    if (content_parse_story(a, (const char *)data, size, &story, &err)) {
        FUZZ_CHECK(story.headline && story.headline[0] != '\0' && story.body != NULL);
        FUZZ_CHECK(strcmp(story.status, "draft") == 0 || strcmp(story.status, "scheduled") == 0 ||
                   strcmp(story.status, "published") == 0);
        FUZZ_CHECK(!story.slug || content_slug_is_valid(story.slug));
        FUZZ_CHECK(story.n_topics == 0 || story.topics != NULL);
        for (size_t i = 0; i < story.n_topics; i++)
            FUZZ_CHECK(story.topics[i][0] != '\0' && !strchr(story.topics[i], ','));
        for (size_t i = 0; i < story.n_authors; i++)
            FUZZ_CHECK(story.authors[i][0] != '\0' && !strchr(story.authors[i], ','));
        FUZZ_CHECK(!(story.comments_off && story.comments_days));
        if (story.published) {
            char *s = content_format_time(a, story.published);
            check_time(a, s);
        }
    } else {
        FUZZ_CHECK(err.message[0] != '\0' && err.line >= 0);
    }
    char *text = fuzz_cstr(data, size);
    text[strcspn(text, "\r\n")] = '\0';
    check_time(a, text);
    content_parse_time(NULL, NULL);
    arena_free(a);
    free(text);
    return 0;
}
