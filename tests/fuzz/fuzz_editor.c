/* fuzz_editor.c — libFuzzer target for what the story editor parses and prints itself
 * (src/admin/schedule.c, src/admin/diff.c). The input is split at its first NUL byte: the
 * first part is a datetime-local text read in a zone with daylight-saving time (a time read
 * back from its own formatting gives the same moment); the rest is cut in two halves, the old
 * and new texts of a line diff, which must account for every line of both exactly once and
 * whose HTML must hold no tag but its own (everything of the texts escaped). */
#include "../../src/admin/diff.h"
#include "../../src/admin/schedule.h"
#include "fuzz_check.h"

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        if (*p == '\n' && p[1]) n++;
    return *s ? n + 1 : 0;
}

/* Removes each occurrence of the diff's own tags; what is left must have no '<'. */
static bool only_own_tags(char *html)
{
    static const char *const tags[] = {"<pre class=\"diff\">",
                                       "</pre>",
                                       "<span class=\"skip\">",
                                       "<span>",
                                       "</span>",
                                       "<del>",
                                       "</del>",
                                       "<ins>",
                                       "</ins>"};
    for (char *p = strchr(html, '<'); p; p = strchr(p, '<')) {
        bool known = false;
        for (size_t i = 0; i < sizeof tags / sizeof tags[0] && !known; i++) {
            size_t n = strlen(tags[i]);
            if (strncmp(p, tags[i], n) == 0) {
                known = true;
                p += n;
            }
        }
        if (!known) return false;
    }
    return true;
}

static void check_schedule(arena *a, const char *text)
{
    long long t1 = 0, t2 = 0;
    if (schedule_parse_local("Europe/Paris", text, &t1) != SCHEDULE_OK) return;
    char *again = schedule_format_local(a, "Europe/Paris", t1);
    FUZZ_CHECK(again != NULL);
    FUZZ_CHECK(schedule_parse_local("Europe/Paris", again, &t2) == SCHEDULE_OK);
    FUZZ_CHECK(t2 == t1);
    FUZZ_CHECK(schedule_display(a, "Europe/Paris", t1) != NULL);
}

static void check_diff(arena *a, const char *old_text, const char *new_text)
{
    diff_line *v;
    size_t n, removed, added;
    diff_lines(a, old_text, new_text, &v, &n);
    diff_count(v, n, &removed, &added);
    size_t same = n - removed - added;
    FUZZ_CHECK(same + removed == count_lines(old_text));
    FUZZ_CHECK(same + added == count_lines(new_text));
    FUZZ_CHECK(only_own_tags(diff_html(a, v, n, 3)));
    FUZZ_CHECK(only_own_tags(diff_html(a, v, n, (size_t)-1)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    size_t first = strlen(text);
    arena *a = arena_new();
    check_schedule(a, text);
    const char *rest = first < size ? text + first + 1 : "";
    size_t rest_len = first < size ? size - first - 1 : 0;
    char *old_text = arena_strndup(a, rest, rest_len / 2);
    char *new_text = arena_strndup(a, rest + rest_len / 2, rest_len - rest_len / 2);
    check_diff(a, old_text, new_text);
    arena_free(a);
    free(text);
    return 0;
}
