/* test_content.c — unit tests for the content module (src/content): Markdown rendering and
 * read-also markers, slugs, excerpts, UTF-8 validation, story files and RFC 3339 times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_helpers.h"

#include "../../src/content/content.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static content_markdown render(arena *a, const char *md)
{
    content_markdown out;
    char err[128] = "";
    memset(&out, 0, sizeof out);
    if (!content_render_markdown(a, md, &out, err, sizeof err)) fail_msg("render failed: %s", err);
    assert_non_null(out.html);
    return out;
}

/* Code points in a valid UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- Markdown ---------------------------------------------------------------------------- */

static void test_md_headings_and_emphasis(void **state)
{
    content_markdown m = render(*state, "# Title\n\nSome *emphasis* and **strong**.\n\n"
                                        "## Background\n\n### Details\n");
    assert_contains(m.html, "<h1>Title</h1>");
    assert_contains(m.html, "<h2>Background</h2>");
    assert_contains(m.html, "<h3>Details</h3>");
    assert_contains(m.html, "<em>emphasis</em>");
    assert_contains(m.html, "<strong>strong</strong>");
    assert_int_equal(m.n_read_also, 0);
}

static void test_md_table(void **state)
{
    content_markdown m = render(*state, "| City | Votes |\n|------|------:|\n| Oslo | 12 |\n");
    assert_contains(m.html, "<table>");
    assert_contains(m.html, "<th>City</th>");
    assert_contains(m.html, "<td>Oslo</td>");
    assert_contains(m.html, "<td align=\"right\">12</td>");
}

static void test_md_strikethrough(void **state)
{
    content_markdown m = render(*state, "This was ~~wrong~~ right.\n");
    assert_contains(m.html, "<del>wrong</del>");
}

static void test_md_autolink(void **state)
{
    content_markdown m =
        render(*state, "Visit www.example.com or https://example.org/a?b=c today.\n");
    assert_contains(m.html, "<a href=\"http://www.example.com\">www.example.com</a>");
    assert_contains(m.html, "<a href=\"https://example.org/a?b=c\">https://example.org/a?b=c</a>");
}

static void test_md_raw_html_omitted(void **state)
{
    content_markdown m = render(*state, "<script>alert(1)</script>\n\n"
                                        "Inline <img src=x onerror=alert(1)> image.\n\n"
                                        "<div onclick=\"evil()\">block</div>\n\n"
                                        "<iframe src=\"https://evil.example\"></iframe>\n");
    assert_not_contains(m.html, "<script");
    assert_not_contains(m.html, "alert(1)</script>");
    assert_not_contains(m.html, "<img");
    assert_not_contains(m.html, "onerror");
    assert_not_contains(m.html, "onclick");
    assert_not_contains(m.html, "<iframe");
    assert_contains(m.html, "<!-- raw HTML omitted -->");
}

static void test_md_unsafe_links_dropped(void **state)
{
    content_markdown m =
        render(*state, "[click](javascript:alert(1)) and [x](JAVASCRIPT:alert(2))\n\n"
                       "![img](javascript:alert(3)) [d](data:text/html,<b>hi</b>)\n\n"
                       "<javascript:alert(4)>\n\n[ok](https://example.com/)\n");
    assert_not_contains(m.html, "href=\"javascript");
    assert_not_contains(m.html, "href=\"JAVASCRIPT");
    assert_not_contains(m.html, "src=\"javascript");
    assert_not_contains(m.html, "data:text/html");
    assert_contains(m.html, "<a href=\"\">click</a>");
    assert_contains(m.html, "<a href=\"https://example.com/\">ok</a>");
}

static void test_md_code_is_escaped(void **state)
{
    content_markdown m = render(*state, "Use `<b>` here.\n\n```\n<script>x</script>\n```\n");
    assert_contains(m.html, "<code>&lt;b&gt;</code>");
    assert_contains(m.html, "&lt;script&gt;x&lt;/script&gt;");
}

static void test_md_read_also_marker(void **state)
{
    content_markdown m = render(*state, "Intro.\n\nSee also: [[some-slug]]\n\nMore text.\n");
    assert_contains(m.html, "<p>Intro.</p>\n<!--gazette:see-also:some-slug-->\n<p>More text.</p>");
    assert_not_contains(m.html, "[[");
    assert_int_equal(m.n_read_also, 1);
    assert_string_equal(m.read_also[0], "some-slug");
}

static void test_md_read_also_several(void **state)
{
    content_markdown m = render(*state, "SEE ALSO: [[first-story]]\n\n"
                                        "text\n\n"
                                        "see also:[[second-2023]]  \n\n"
                                        "See Also:   [[first-story]]\n\n"
                                        "> See also: [[quoted]]\n");
    assert_contains(m.html, "<!--gazette:see-also:first-story-->");
    assert_contains(m.html, "<!--gazette:see-also:second-2023-->");
    assert_contains(m.html, "<blockquote>\n<!--gazette:see-also:quoted-->\n</blockquote>");
    assert_int_equal(m.n_read_also, 3); /* each slug listed once, in order */
    assert_string_equal(m.read_also[0], "first-story");
    assert_string_equal(m.read_also[1], "second-2023");
    assert_string_equal(m.read_also[2], "quoted");
}

static void test_md_read_also_invalid_stays_text(void **state)
{
    content_markdown m = render(*state, "See also: [[Not_A Slug]]\n\n"
                                        "See also: [[bad--slug]]\n\n"
                                        "See also: [[]]\n\n"
                                        "See also: [[ok-slug]] and more\n\n"
                                        "Please see also: [[ok-slug]]\n\n"
                                        "See also: *[[ok-slug]]*\n");
    assert_contains(m.html, "<p>See also: [[Not_A Slug]]</p>");
    assert_contains(m.html, "<p>See also: [[bad--slug]]</p>");
    assert_contains(m.html, "<p>See also: [[]]</p>");
    assert_contains(m.html, "<p>See also: [[ok-slug]] and more</p>");
    assert_contains(m.html, "<p>Please see also: [[ok-slug]]</p>");
    assert_not_contains(m.html, "gazette:");
    assert_int_equal(m.n_read_also, 0);
}

static void test_md_read_also_slug_too_long(void **state)
{
    char md[200], slug[82];
    memset(slug, 'a', 81);
    slug[81] = '\0';
    snprintf(md, sizeof md, "See also: [[%s]]\n", slug);
    content_markdown m = render(*state, md);
    assert_int_equal(m.n_read_also, 0);
    assert_not_contains(m.html, "gazette:");
    slug[80] = '\0'; /* exactly 80: fine */
    snprintf(md, sizeof md, "See also: [[%s]]\n", slug);
    m = render(*state, md);
    assert_int_equal(m.n_read_also, 1);
    assert_string_equal(m.read_also[0], slug);
}

static void test_md_marker_cannot_be_forged(void **state)
{
    content_markdown m = render(*state, "<!--gazette:see-also:evil-->\n\n"
                                        "Text <!--gazette:see-also:evil2--> inline\n\n"
                                        "`<!--gazette:see-also:evil3-->`\n\n"
                                        "&lt;!--gazette:see-also:evil4-->\n");
    assert_not_contains(m.html, "<!--gazette");
    assert_int_equal(m.n_read_also, 0);
}

static void test_md_invalid_utf8_rejected(void **state)
{
    content_markdown m;
    char err[128] = "";
    assert_false(content_render_markdown(*state, "caf\xC3", &m, err, sizeof err));
    assert_true(strlen(err) > 0);
    assert_false(content_render_markdown(*state, "ok \xED\xA0\x80 surrogate", &m, err, sizeof err));
    assert_false(content_render_markdown(*state, "\xC0\xAF", &m, NULL, 0));
    m = render(*state, "Café Ærø — “quoted” 😀\n");
    assert_contains(m.html, "<p>Café Ærø — “quoted” 😀</p>");
}

static void test_md_empty(void **state)
{
    content_markdown m = render(*state, "");
    assert_string_equal(m.html, "");
    assert_int_equal(m.n_read_also, 0);
    m = render(*state, NULL);
    assert_string_equal(m.html, "");
}

/* ---- read-also resolution ----------------------------------------------------------------- */

static int lookup_calls;

static bool fake_lookup(void *ctx, const char *slug, const char **headline, const char **url)
{
    lookup_calls++;
    assert_string_equal((const char *)ctx, "ctx");
    if (strcmp(slug, "known-story") == 0) {
        *headline = "Tom & Jerry <b>\"win\"</b> 'big'";
        *url = "/2023/10/known-story?a=1&b=2";
        return true;
    }
    return false;
}

static void test_resolve_known_and_unknown(void **state)
{
    lookup_calls = 0;
    const char *html = "<p>A</p>\n<!--gazette:see-also:known-story-->\n<p>B</p>\n"
                       "<!--gazette:see-also:missing-story-->\n<p>C</p>\n";
    char *out = content_resolve_read_also(*state, html, fake_lookup, "ctx");
    assert_string_equal(out, "<p>A</p>\n"
                             "<aside class=\"read-also\"><span class=\"read-also-label\">See "
                             "also:</span> <a href=\"/2023/10/known-story?a=1&amp;b=2\">Tom &amp; "
                             "Jerry &lt;b&gt;&quot;win&quot;&lt;/b&gt; &#39;big&#39;</a></aside>\n"
                             "<p>B</p>\n\n<p>C</p>\n");
    assert_int_equal(lookup_calls, 2);
}

static void test_resolve_without_markers(void **state)
{
    lookup_calls = 0;
    const char *html = "<p>Nothing to see <!-- raw HTML omitted --></p>\n";
    char *out = content_resolve_read_also(*state, html, fake_lookup, "ctx");
    assert_string_equal(out, html);
    assert_ptr_not_equal(out, html);
    assert_int_equal(lookup_calls, 0);
    assert_string_equal(content_resolve_read_also(*state, "", fake_lookup, "ctx"), "");
    assert_string_equal(content_resolve_read_also(*state, NULL, fake_lookup, "ctx"), "");
}

static void test_resolve_malformed_markers(void **state)
{
    lookup_calls = 0;
    /* unterminated: copied as it is; invalid slug: dropped without a lookup */
    char *out = content_resolve_read_also(*state,
                                          "x<!--gazette:see-also:Bad_Slug-->y"
                                          "<!--gazette:see-also:known-story",
                                          fake_lookup, "ctx");
    assert_string_equal(out, "xy<!--gazette:see-also:known-story");
    assert_int_equal(lookup_calls, 0);
    out = content_resolve_read_also(*state, "<!--gazette:see-also:known-story-->", NULL, NULL);
    assert_string_equal(out, "");
}

static void test_resolve_adjacent_markers(void **state)
{
    char *out = content_resolve_read_also(
        *state, "<!--gazette:see-also:missing--><!--gazette:see-also:known-story-->!", fake_lookup,
        "ctx");
    assert_contains(out, "<a href=\"/2023/10/known-story?a=1&amp;b=2\">");
    assert_true(strncmp(out, "<aside", 6) == 0);
    assert_true(out[strlen(out) - 1] == '!');
}

static void test_render_then_resolve(void **state)
{
    content_markdown m =
        render(*state, "Body.\n\nSee also: [[known-story]]\n\nSee also: [[gone]]\n\nEnd.\n");
    assert_int_equal(m.n_read_also, 2);
    char *out = content_resolve_read_also(*state, m.html, fake_lookup, "ctx");
    assert_string_equal(out, "<p>Body.</p>\n"
                             "<aside class=\"read-also\"><span class=\"read-also-label\">See "
                             "also:</span> <a href=\"/2023/10/known-story?a=1&amp;b=2\">Tom &amp; "
                             "Jerry &lt;b&gt;&quot;win&quot;&lt;/b&gt; &#39;big&#39;</a></aside>\n"
                             "\n<p>End.</p>\n");
}

/* ---- slugs -------------------------------------------------------------------------------- */

static void test_slugify_examples(void **state)
{
    arena *a = *state;
    assert_string_equal(content_slugify(a, "Maria Zakharova: Hamas visited Moscow"),
                        "maria-zakharova-hamas-visited-moscow");
    assert_string_equal(content_slugify(a, "Café Ærø Straße Łódź"), "cafe-aero-strasse-lodz");
    assert_string_equal(
        content_slugify(a, "Storm after Erdogan’s words about Hamas. “Terrible and disgusting”"),
        "storm-after-erdogans-words-about-hamas-terrible-and-disgusting");
    assert_string_equal(content_slugify(a, "It's the economy, stupid!"), "its-the-economy-stupid");
    assert_string_equal(content_slugify(a, "  --Hello,   World--  "), "hello-world");
    assert_string_equal(content_slugify(a, "COVID-19 cases: 2,345 in 2023"),
                        "covid-19-cases-2-345-in-2023");
}

static void test_slugify_empty(void **state)
{
    arena *a = *state;
    assert_string_equal(content_slugify(a, "???"), "");
    assert_string_equal(content_slugify(a, ""), "");
    assert_string_equal(content_slugify(a, NULL), "");
    assert_string_equal(content_slugify(a, "’’ — “” ×÷"), "");
}

static void test_slugify_transliteration(void **state)
{
    arena *a = *state;
    assert_string_equal(content_slugify(a, "ÀÁÂÃÄÅ àáâãäå Çç ÈÉÊË ÌÍÎÏ Ðð Ññ ÒÓÔÕÖ Øø ÙÚÛÜ Ýýÿ"),
                        "aaaaaa-aaaaaa-cc-eeee-iiii-dd-nn-ooooo-oo-uuuu-yyy");
    assert_string_equal(content_slugify(a, "Þór æsir ßig"), "thor-aesir-ssig");
    assert_string_equal(content_slugify(a, "Œuvre œil Ĳssel ĳs"), "oeuvre-oeil-ijssel-ijs");
    assert_string_equal(content_slugify(a, "Dvořák Šťastný Žižka Čapek"),
                        "dvorak-stastny-zizka-capek");
    assert_string_equal(content_slugify(a, "Gdańsk Kraków Poznań Wrocław Zażółć gęślą jaźń"),
                        "gdansk-krakow-poznan-wroclaw-zazolc-gesla-jazn");
    assert_string_equal(content_slugify(a, "İstanbul Ağrı Şişli ığdır"),
                        "istanbul-agri-sisli-igdir");
    assert_string_equal(content_slugify(a, "Ħal Ġgħajra ŀl Ŀl ſ ĸ ŉ"), "hal-gghajra-ll-ll-s-k-n");
    assert_string_equal(content_slugify(a, "Timișoara Țara ẞ"), "timisoara-tara-ss");
    assert_string_equal(content_slugify(a, "2×2÷1"), "2-2-1");
}

/* Every code point of the two Latin blocks gives a valid slug or nothing. */
static void test_slugify_latin_blocks_complete(void **state)
{
    for (unsigned cp = 0xC0; cp < 0x180; cp++) {
        char s[4] = {(char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)), 'x', '\0'};
        char *slug = content_slugify(*state, s);
        if (cp == 0xD7 || cp == 0xF7) {
            assert_string_equal(slug, "x");
        } else {
            if (!content_slug_is_valid(slug) || slug[strlen(slug) - 1] != 'x' || strlen(slug) < 2)
                fail_msg("U+%04X gave \"%s\"", cp, slug);
        }
    }
}

static void test_slugify_other_scripts(void **state)
{
    arena *a = *state;
    assert_string_equal(content_slugify(a, "Путин meets Xi 习近平 in Moscow"),
                        "meets-xi-in-moscow");
    assert_string_equal(content_slugify(a, "Ελλάδα"), "");
    assert_string_equal(content_slugify(a, "e\xCC\x81te\xCC\x81"), "ete"); /* combining accents */
    assert_string_equal(content_slugify(a, "emoji 😀 here"), "emoji-here");
    assert_string_equal(content_slugify(a, "bad \xC3 utf8 \xFF end"), "bad-utf8-end");
}

static void test_slugify_long(void **state)
{
    arena *a = *state;
    const char *h = "The government announced on Thursday that the new budget will include "
                    "significant investments in infrastructure and education";
    char *s = content_slugify(a, h);
    assert_string_equal(s, "the-government-announced-on-thursday-that-the-new-budget-will-include");
    assert_true(strlen(s) <= 80);
    assert_true(content_slug_is_valid(s));

    /* a word ending exactly at byte 80 is kept */
    char exact[128];
    memset(exact, 'a', 78);
    memcpy(exact + 78, " bc de", 7); /* "aaa…a" (78) + "-bc" would be 81 */
    s = content_slugify(a, exact);
    assert_int_equal(strlen(s), 78);
    memset(exact, 'a', 77);
    memcpy(exact + 77, " bc de", 7); /* 77 + "-bc" = 80 */
    s = content_slugify(a, exact);
    assert_int_equal(strlen(s), 80);
    assert_string_equal(s + 77, "-bc");

    /* one word longer than the limit is cut at 80 bytes */
    char longword[200];
    memset(longword, 'x', 150);
    longword[150] = '\0';
    s = content_slugify(a, longword);
    assert_int_equal(strlen(s), 80);
    assert_true(content_slug_is_valid(s));
}

/* The candidates after a taken slug: slug-2, slug-3 ..., still valid at the 80-byte limit. */
static void test_slug_numbered(void **state)
{
    arena *a = arena_new();
    assert_string_equal(content_slug_numbered(a, "city-budget", 2), "city-budget-2");
    assert_string_equal(content_slug_numbered(a, "x", 999), "x-999");
    char long_slug[81];
    memset(long_slug, 'a', 80);
    long_slug[76] = '-'; /* the cut (77 bytes kept) would end on this '-': it goes too */
    long_slug[80] = '\0';
    const char *numbered = content_slug_numbered(a, long_slug, 12);
    assert_int_equal(strlen(numbered), 76 + 3);
    assert_true(content_slug_is_valid(numbered));
    assert_string_equal(numbered + strlen(numbered) - 3, "-12");
    arena_free(a);
}

static void test_slug_is_valid(void **state)
{
    assert_true(content_slug_is_valid("a"));
    assert_true(content_slug_is_valid("some-story-2023"));
    assert_true(content_slug_is_valid("2023"));
    assert_false(content_slug_is_valid(""));
    assert_false(content_slug_is_valid(NULL));
    assert_false(content_slug_is_valid("-a"));
    assert_false(content_slug_is_valid("a-"));
    assert_false(content_slug_is_valid("a--b"));
    assert_false(content_slug_is_valid("A-b"));
    assert_false(content_slug_is_valid("a_b"));
    assert_false(content_slug_is_valid("a b"));
    assert_false(content_slug_is_valid("caf\xC3\xA9"));
    char s[90];
    memset(s, 'a', 80);
    s[80] = '\0';
    assert_true(content_slug_is_valid(s));
    s[80] = 'a';
    s[81] = '\0';
    assert_false(content_slug_is_valid(s));
}

/* ---- excerpts ----------------------------------------------------------------------------- */

static void test_excerpt_short_unchanged(void **state)
{
    assert_string_equal(content_excerpt(*state, "Short text.", 100), "Short text.");
    assert_string_equal(content_excerpt(*state, "Exactly ten", 11), "Exactly ten");
    assert_string_equal(content_excerpt(*state, "", 10), "");
    assert_string_equal(content_excerpt(*state, NULL, 10), "");
    assert_string_equal(content_excerpt(*state, "  spaced \n\n  out\t", 50), "spaced out");
}

static void test_excerpt_word_boundary(void **state)
{
    char *e = content_excerpt(*state, "The quick brown fox jumps over the lazy dog", 20);
    assert_string_equal(e, "The quick brown fox…");
    assert_true(utf8_chars(e) <= 20);
    e = content_excerpt(*state, "The quick brown fox jumps over the lazy dog", 18);
    assert_string_equal(e, "The quick brown…");
    e = content_excerpt(*state, "Hello, world again", 8);
    assert_string_equal(e, "Hello…"); /* no dangling comma */
    e = content_excerpt(*state, "Supercalifragilistic word", 6);
    assert_string_equal(e, "Super…"); /* one long word: cut inside it */
    assert_string_equal(content_excerpt(*state, "Some text", 0), "");
    assert_string_equal(content_excerpt(*state, "Some text", 1), "…");
}

static void test_excerpt_multibyte(void **state)
{
    const char *text = "Żółć ąę ŁÓDŹ 😀😀😀😀 тест ещё раз и ещё";
    for (size_t max = 1; max < 40; max++) {
        char *e = content_excerpt(*state, text, max);
        assert_true(content_utf8_valid(e, strlen(e)));
        assert_true(utf8_chars(e) <= max);
    }
    assert_string_equal(content_excerpt(*state, "😀😀😀😀😀😀", 4), "😀😀😀…");
    assert_string_equal(content_excerpt(*state, "Żółć ąę", 6), "Żółć…");
    assert_string_equal(content_excerpt(*state, "Żółć ąę", 7), "Żółć ąę");
}

static void test_excerpt_html(void **state)
{
    const char *html = "<h2>Title</h2>\n<p>Some <em>emph</em>asis &amp; <a href=\"/x?a=1&amp;b=2\">"
                       "a link</a>.</p>\n<!-- raw HTML omitted -->\n"
                       "<!--gazette:see-also:some-slug-->\n"
                       "<ul>\n<li>one</li><li>two</li>\n</ul><p>Tom &lt;3 &quot;Jerry&quot; "
                       "&#39;x&#39; &#x27;y&#x27; &apos;z&apos; &nbsp;end</p>";
    assert_string_equal(content_excerpt(*state, html, 200),
                        "Title Some emphasis & a link. one two Tom <3 \"Jerry\" 'x' 'y' 'z' end");
    assert_string_equal(content_excerpt(*state, html, 25), "Title Some emphasis & a…");
    assert_string_equal(content_excerpt(*state, html, 23), "Title Some emphasis &…");
}

static void test_excerpt_plain_text_markup_chars(void **state)
{
    assert_string_equal(content_excerpt(*state, "a < b and c > d", 50), "a < b and c > d");
    assert_string_equal(content_excerpt(*state, "AT&T &unknown; & co", 50), "AT&T &unknown; & co");
    assert_string_equal(content_excerpt(*state, "x <y", 50), "x <y");
    assert_string_equal(content_excerpt(*state, "&#0; &#xD800; &#99999999;", 50),
                        "&#0; &#xD800; &#99999999;");
    assert_string_equal(content_excerpt(*state, "&#233;t&#xE9;", 50), "été");
}

static void test_excerpt_of_markdown(void **state)
{
    content_markdown m =
        render(*state, "# Big news\n\nThe *council* voted **7–2** on "
                       "Tuesday.\n\n<script>x()</script>\n\nSee also: [[old-story]]\n");
    assert_string_equal(content_excerpt(*state, m.html, 100),
                        "Big news The council voted 7–2 on Tuesday.");
    assert_string_equal(content_excerpt(*state, m.html, 31), "Big news The council voted 7–2…");
    assert_string_equal(content_excerpt(*state, m.html, 30), "Big news The council voted…");
}

/* ---- UTF-8 -------------------------------------------------------------------------------- */

static void test_utf8_valid(void **state)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"", true},
        {"plain ASCII", true},
        {"caf\xC3\xA9", true},
        {"\xE2\x80\xA6", true},
        {"\xF0\x9F\x98\x80", true},
        {"\xF4\x8F\xBF\xBF", true},  /* U+10FFFF */
        {"\xEF\xBF\xBD", true},      /* U+FFFD */
        {"\xC3", false},             /* truncated */
        {"\xE2\x80", false},         /* truncated */
        {"\x80", false},             /* lone continuation */
        {"\xC0\xAF", false},         /* overlong '/' */
        {"\xC1\xBF", false},         /* overlong */
        {"\xE0\x80\xAF", false},     /* overlong */
        {"\xF0\x80\x80\xAF", false}, /* overlong */
        {"\xED\xA0\x80", false},     /* surrogate */
        {"\xF4\x90\x80\x80", false}, /* above U+10FFFF */
        {"\xF5\x80\x80\x80", false},
        {"\xFF", false},
        {"\xC3\x28", false},
        {"ok \xE2\x82\xAC then \xE2\x28\xA1", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (content_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
            fail_msg("case %zu: expected %s", i, cases[i].ok ? "valid" : "invalid");
    assert_true(content_utf8_valid("a\0b", 3));         /* NUL is a character */
    assert_true(content_utf8_valid("\xC3\xA9\xC3", 2)); /* only n bytes are read */
    assert_false(content_utf8_valid("\xC3\xA9\xC3", 3));
}

/* ---- story files -------------------------------------------------------------------------- */

static bool parse(arena *a, const char *text, content_story *s, content_error *e)
{
    return content_parse_story(a, text, strlen(text), s, e);
}

static void expect_error(arena *a, const char *text, int line, const char *needle)
{
    content_story s;
    content_error e;
    if (parse(a, text, &s, &e)) fail_msg("expected an error containing \"%s\"", needle);
    if (e.line != line) fail_msg("expected line %d, got %d (%s)", line, e.line, e.message);
    assert_contains(e.message, needle);
}

static const char FULL_STORY[] = "---\n"
                                 "headline: Storm after Erdogan’s words: “Terrible”\n"
                                 "kicker: Diplomacy\n"
                                 "lead: Ankara and Jerusalem trade words.\n"
                                 "topics: World, Middle East ,  , Turkey\n"
                                 "slug: storm-after-erdogans-words\n"
                                 "published: 2023-10-26T12:30:00+03:00\n"
                                 "authors: Jane Doe, John Roe\n"
                                 "image: /media/storm.jpg\n"
                                 "caption: The president speaking in Ankara\n"
                                 "credit: Photo: Agency\n"
                                 "alt: A man at a lectern\n"
                                 "status: scheduled\n"
                                 "---\n"
                                 "First paragraph.\n\nSee also: [[other-story]]\n";

static void test_story_full(void **state)
{
    content_story s;
    content_error e;
    assert_true(parse(*state, FULL_STORY, &s, &e));
    assert_string_equal(s.headline, "Storm after Erdogan’s words: “Terrible”");
    assert_string_equal(s.kicker, "Diplomacy");
    assert_string_equal(s.lead, "Ankara and Jerusalem trade words.");
    assert_int_equal(s.n_topics, 3);
    assert_string_equal(s.topics[0], "World");
    assert_string_equal(s.topics[1], "Middle East");
    assert_string_equal(s.topics[2], "Turkey");
    assert_string_equal(s.slug, "storm-after-erdogans-words");
    assert_int_equal(s.published, 1698312600);
    assert_int_equal(s.n_authors, 2);
    assert_string_equal(s.authors[0], "Jane Doe");
    assert_string_equal(s.authors[1], "John Roe");
    assert_string_equal(s.image, "/media/storm.jpg");
    assert_string_equal(s.caption, "The president speaking in Ankara");
    assert_string_equal(s.credit, "Photo: Agency");
    assert_string_equal(s.alt, "A man at a lectern");
    assert_string_equal(s.status, "scheduled");
    assert_string_equal(s.body, "First paragraph.\n\nSee also: [[other-story]]\n");
}

static void test_story_minimal_defaults(void **state)
{
    content_story s;
    content_error e;
    assert_true(parse(*state, "---\nheadline: Just a headline\n---\n", &s, &e));
    assert_string_equal(s.headline, "Just a headline");
    assert_string_equal(s.status, "published");
    assert_null(s.kicker);
    assert_null(s.lead);
    assert_null(s.slug);
    assert_null(s.image);
    assert_null(s.topics);
    assert_int_equal(s.n_topics, 0);
    assert_null(s.authors);
    assert_int_equal(s.n_authors, 0);
    assert_int_equal(s.published, 0);
    assert_string_equal(s.body, "");
    assert_int_equal(e.line, 0);
}

static void test_story_comments_and_blank_lines(void **state)
{
    content_story s;
    content_error e;
    assert_true(parse(*state,
                      "---\n# a comment\n\n   \nheadline:   Spaced out  \n  # indented comment\n"
                      "kicker:\nstatus: draft\n---\nBody\n",
                      &s, &e));
    assert_string_equal(s.headline, "Spaced out");
    assert_null(s.kicker); /* empty value: not given */
    assert_string_equal(s.status, "draft");
    assert_string_equal(s.body, "Body\n");
}

static void test_story_unknown_key(void **state)
{
    expect_error(*state, "---\nheadline: H\nhedline: Typo\n---\n", 3, "unknown key 'hedline'");
    expect_error(*state, "---\nheadline: H\nhedline: Typo\n---\n", 3, "headline, kicker");
    expect_error(*state, "---\nHeadline: H\n---\n", 2, "'Headline'");
}

static void test_story_duplicate_key(void **state)
{
    expect_error(*state, "---\nheadline: One\nkicker: K\nheadline: Two\n---\n", 4,
                 "duplicate key 'headline'");
    expect_error(*state, "---\nheadline: One\nkicker: K\nheadline: Two\n---\n", 4, "line 2");
    expect_error(*state, "---\nheadline: One\nkicker:\nkicker: K\n---\n", 4,
                 "duplicate key 'kicker'");
}

static void test_story_missing_closing_fence(void **state)
{
    expect_error(*state, "---\nheadline: H\n\nBody text\n", 1, "not closed");
    expect_error(*state, "---\n", 1, "not closed");
}

static void test_story_missing_headline(void **state)
{
    expect_error(*state, "---\nkicker: K\n---\nBody\n", 1, "missing required key 'headline'");
    expect_error(*state, "---\n---\n", 1, "headline");
    expect_error(*state, "---\nkicker: K\nheadline:   \n---\n", 3, "headline is empty");
}

static void test_story_bad_published(void **state)
{
    expect_error(*state, "---\nheadline: H\npublished: yesterday\n---\n", 3,
                 "bad published time 'yesterday'");
    expect_error(*state, "---\nheadline: H\npublished: 2023-02-30T10:00:00Z\n---\n", 3,
                 "published");
    expect_error(*state, "---\nheadline: H\npublished: 2023-10-26T10:00:00\n---\n", 3, "published");
}

static void test_story_bad_status(void **state)
{
    expect_error(*state, "---\nheadline: H\nstatus: live\n---\n", 3, "bad status 'live'");
    expect_error(*state, "---\nheadline: H\nstatus: Published\n---\n", 3, "draft, scheduled");
    expect_error(*state, "---\nheadline: H\nstatus: scheduled\n---\n", 3, "published");
}

/* comments: on, off, or the number of days after publication when they close */
static void test_story_comments_key(void **state)
{
    content_story s;
    content_error e;
    assert_true(parse(*state, "---\nheadline: H\ncomments: 14\n---\nBody\n", &s, &e));
    assert_int_equal(s.comments_days, 14);
    assert_false(s.comments_off);
    assert_true(parse(*state, "---\nheadline: H\ncomments: off\n---\nBody\n", &s, &e));
    assert_true(s.comments_off);
    assert_int_equal(s.comments_days, 0);
    expect_error(*state, "---\nheadline: H\ncomments: 0\n---\n", 3, "number of days");
    expect_error(*state, "---\nheadline: H\ncomments: -3\n---\n", 3, "bad comments value");
    expect_error(*state, "---\nheadline: H\ncomments: 14 days\n---\n", 3, "bad comments value");
}

static void test_story_other_bad_lines(void **state)
{
    expect_error(*state, "---\nheadline: H\nslug: Not A Slug\n---\n", 3, "bad slug 'Not A Slug'");
    expect_error(*state, "---\nheadline: H\njust some words\n---\n", 3, "key: value");
    expect_error(*state, "---\nheadline: H\n: value\n---\n", 3, "unknown key ''");
    expect_error(*state, "---\nheadline: H\n---\nbody \xC3 bad\n", 4, "UTF-8");
}

static void test_story_nul_byte(void **state)
{
    content_story s;
    content_error e;
    static const char text[] = "---\nheadline: H\0x\n---\n";
    assert_false(content_parse_story(*state, text, sizeof text - 1, &s, &e));
    assert_int_equal(e.line, 2);
    assert_contains(e.message, "NUL");
}

static void test_story_without_front_matter(void **state)
{
    expect_error(*state, "# Just Markdown\n\nNo front matter here.\n", 1, "---");
    expect_error(*state, "", 1, "---");
    expect_error(*state, "\n---\nheadline: H\n---\n", 1, "---");
    expect_error(*state, "----\nheadline: H\n---\n", 1, "---");
}

static void test_story_crlf(void **state)
{
    content_story s;
    content_error e;
    assert_true(parse(*state,
                      "---\r\nheadline: Windows line endings\r\ntopics: A, B\r\n"
                      "published: 2023-10-26\r\n---\r\nLine one.\r\n\r\nLine two.\r\n",
                      &s, &e));
    assert_string_equal(s.headline, "Windows line endings");
    assert_int_equal(s.n_topics, 2);
    assert_string_equal(s.topics[1], "B");
    assert_int_equal(s.published, 1698278400);
    assert_string_equal(s.body, "Line one.\n\nLine two.\n");
}

static void test_story_bom_and_length(void **state)
{
    content_story s;
    content_error e;
    const char *text = "\xEF\xBB\xBF---\nheadline: BOM\n---\nBody that is cut here";
    assert_true(content_parse_story(*state, text, strlen(text) - 9, &s, &e));
    assert_string_equal(s.headline, "BOM");
    assert_string_equal(s.body, "Body that is");
    /* no newline after the closing fence */
    assert_true(parse(*state, "---\nheadline: H\n---", &s, &e));
    assert_string_equal(s.body, "");
}

/* ---- time --------------------------------------------------------------------------------- */

static void test_time_parse(void **state)
{
    long long t = 0;
    assert_true(content_parse_time("2023-10-26T09:30:00Z", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-26t09:30:00z", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-26 09:30:00Z", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("1970-01-01T00:00:00Z", &t));
    assert_int_equal(t, 0);
    assert_true(content_parse_time("1969-12-31T23:59:59Z", &t));
    assert_int_equal(t, -1);
    assert_true(content_parse_time("2000-01-01T00:00:00Z", &t));
    assert_int_equal(t, 946684800);
    assert_true(content_parse_time("2024-02-29T00:00:00Z", &t));
    assert_int_equal(t, 1709164800);
    assert_true(content_parse_time("2000-02-29", &t)); /* divisible by 400: leap */
}

static void test_time_offsets_and_fractions(void **state)
{
    long long t = 0;
    assert_true(content_parse_time("2023-10-26T12:30:00+03:00", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-26T04:00:00-05:30", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-26T09:30:00+00:00", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-26T09:30:00-00:00", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-26T09:30:00.999Z", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-26T12:30:00.123456+03:00", &t));
    assert_int_equal(t, 1698312600);
    assert_true(content_parse_time("2023-10-27T01:00:00+14:00", &t)); /* crosses a day */
    assert_int_equal(t, 1698318000);
    assert_true(content_parse_time("2023-10-26", &t));
    assert_int_equal(t, 1698278400);
}

static void test_time_rejects(void **state)
{
    static const char *const bad[] = {
        "",
        "2023-02-30T10:00:00Z",
        "2023-13-01T10:00:00Z",
        "2023-00-10T10:00:00Z",
        "2023-02-29",
        "1900-02-29",
        "2023-04-31",
        "2023-10-00",
        "2023-10-26T24:00:00Z",
        "2023-10-26T10:60:00Z",
        "2023-10-26T10:00:61Z",
        "2023-10-26T10:00:00",
        "2023-10-26T10:00Z",
        "2023-10-26T10:00:00+0300",
        "2023-10-26T10:00:00+24:00",
        "2023-10-26T10:00:00+03:60",
        "2023-10-26T10:00:00.Z",
        "2023-10-26T10:00:00Z trailing",
        "2023-10-26 ",
        "2023-1-26",
        "23-10-26",
        " 2023-10-26",
        "yesterday",
        "2023-10-26X10:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long t = 42;
        if (content_parse_time(bad[i], &t)) fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, 42);
    }
    long long t;
    assert_false(content_parse_time(NULL, &t));
}

static void test_time_format(void **state)
{
    arena *a = *state;
    assert_string_equal(content_format_time(a, 1698312600), "2023-10-26T09:30:00Z");
    assert_string_equal(content_format_time(a, 0), "1970-01-01T00:00:00Z");
    assert_string_equal(content_format_time(a, -1), "1969-12-31T23:59:59Z");
    assert_string_equal(content_format_time(a, 1709164800), "2024-02-29T00:00:00Z");
    assert_string_equal(content_format_time(a, 253402300799LL), "9999-12-31T23:59:59Z");
    assert_string_equal(content_format_time(a, -62135596800LL), "0001-01-01T00:00:00Z");
}

static void test_time_round_trip(void **state)
{
    arena *a = *state;
    /* every 7 hours 13 minutes 17 seconds across 1900..2100, plus the ends of that range */
    for (long long t = -2208988800LL; t < 4102444800LL; t += 7 * 3600 + 13 * 60 + 17) {
        long long back = 0;
        char *s = content_format_time(a, t);
        if (!content_parse_time(s, &back) || back != t) fail_msg("%lld -> %s -> %lld", t, s, back);
        arena_reset(a);
    }
    static const char *const texts[] = {"2023-10-26T09:30:00Z", "2000-02-29T23:59:59Z",
                                        "1999-12-31T00:00:00Z", "2100-03-01T12:00:00Z"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        long long t;
        assert_true(content_parse_time(texts[i], &t));
        assert_string_equal(content_format_time(a, t), texts[i]);
    }
}

/* ------------------------------------------------------------------------------------------- */

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_arena, teardown_arena)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_md_headings_and_emphasis),
        T(test_md_table),
        T(test_md_strikethrough),
        T(test_md_autolink),
        T(test_md_raw_html_omitted),
        T(test_md_unsafe_links_dropped),
        T(test_md_code_is_escaped),
        T(test_md_read_also_marker),
        T(test_md_read_also_several),
        T(test_md_read_also_invalid_stays_text),
        T(test_md_read_also_slug_too_long),
        T(test_md_marker_cannot_be_forged),
        T(test_md_invalid_utf8_rejected),
        T(test_md_empty),
        T(test_resolve_known_and_unknown),
        T(test_resolve_without_markers),
        T(test_resolve_malformed_markers),
        T(test_resolve_adjacent_markers),
        T(test_render_then_resolve),
        T(test_slugify_examples),
        T(test_slugify_empty),
        T(test_slugify_transliteration),
        T(test_slugify_latin_blocks_complete),
        T(test_slugify_other_scripts),
        T(test_slugify_long),
        T(test_slug_is_valid),
        T(test_slug_numbered),
        T(test_excerpt_short_unchanged),
        T(test_excerpt_word_boundary),
        T(test_excerpt_multibyte),
        T(test_excerpt_html),
        T(test_excerpt_plain_text_markup_chars),
        T(test_excerpt_of_markdown),
        T(test_utf8_valid),
        T(test_story_full),
        T(test_story_minimal_defaults),
        T(test_story_comments_and_blank_lines),
        T(test_story_unknown_key),
        T(test_story_duplicate_key),
        T(test_story_missing_closing_fence),
        T(test_story_missing_headline),
        T(test_story_bad_published),
        T(test_story_bad_status),
        T(test_story_comments_key),
        T(test_story_other_bad_lines),
        T(test_story_nul_byte),
        T(test_story_without_front_matter),
        T(test_story_crlf),
        T(test_story_bom_and_length),
        T(test_time_parse),
        T(test_time_offsets_and_fractions),
        T(test_time_rejects),
        T(test_time_format),
        T(test_time_round_trip),
    };
    return cmocka_run_group_tests_name("content", tests, NULL, NULL);
}
