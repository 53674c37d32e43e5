/* test_html_sanitize.c — unit tests for the HTML sanitiser (src/content/html_sanitize.c) and
 * the WordPress body conversion (src/content/wordpress_body.c): a table of hostile inputs with
 * the exact safe output, allowed content kept as it is, depth and size bounds, invalid UTF-8,
 * shortcodes, block comments and paragraphs on bodies from WordPress's theme test data, and
 * (when ../shared/data/wxr is there) every post body of the two WXR test exports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "unit_helpers.h"
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../../src/content/content.h"
#include "../../src/content/html_sanitize.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static char *sanitize(arena *a, const char *html)
{
    char err[128] = "";
    char *out =
        content_sanitize_html(a, html, strlen(html), &content_html_default_policy, err, sizeof err);
    if (!out) fail_msg("sanitize failed: %s (input %s)", err, html);
    return out;
}

/* Case-insensitive strstr. */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0) return hay;
    return NULL;
}

/* Nothing in out that a browser would run: no script element, and in no tag an on*=
 * attribute, a style attribute or a javascript:/vbscript:/data: URL (in text they are words).
 * Attribute values are escaped, so a tag runs from '<' to the next '>'. */
static void assert_harmless(const char *out)
{
    if (find_ci(out, "<script")) fail_msg("<script in: %s", out);
    for (const char *lt = strchr(out, '<'); lt; lt = strchr(lt + 1, '<')) {
        const char *gt = strchr(lt, '>');
        if (!gt) fail_msg("unterminated tag in: %s", out);
        char tag[4096];
        size_t n = (size_t)(gt - lt) < sizeof tag - 1 ? (size_t)(gt - lt) : sizeof tag - 1;
        memcpy(tag, lt, n);
        tag[n] = '\0';
        if (find_ci(tag, "javascript:") || find_ci(tag, "vbscript:") || find_ci(tag, "\"data:"))
            fail_msg("dangerous URL in: %s", out);
        if (find_ci(tag, " style=")) fail_msg("style attribute in: %s", out);
        bool quoted = false;
        for (const char *p = tag; *p; p++) {
            if (*p == '"') quoted = !quoted;
            if (!quoted && p[0] == ' ' && strncasecmp(p + 1, "on", 2) == 0)
                fail_msg("event handler in: %s", out);
        }
    }
}

static bool attachments(void *ctx, long long id, const char **url, const char **caption,
                        const char **alt);

/* ---- hostile inputs ---------------------------------------------------------------------- */

typedef struct {
    const char *input, *expected;
} sanitize_case;

static const sanitize_case hostile[] = {
    {"<p>Hello <script>alert(1)</script>world</p>", "<p>Hello world</p>"},
    {"<SCRIPT SRC=//evil.example/x.js></SCRIPT>after", "after"},
    {"<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"},
    {"<img src=x onerror=alert(1)>", "<img src=\"x\" loading=\"lazy\" />"},
    {"<img src=\"javascript:alert(1)\" alt=\"a\">", ""}, /* no image to show: dropped */
    {"<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">x", "x"},
    {"<img alt=\"no src\">", ""},
    {"<p onclick=\"steal()\" onmouseover=x style=\"color:red\" id=p1>t</p>", "<p>t</p>"},
    {"<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>"},
    {"<a href=\" JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>"},
    {"<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<a>x</a>"},
    {"<a href=\"jav&#10;ascript:alert(1)\">x</a>", "<a>x</a>"},
    {"<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
     "<a>x</a>"},
    {"<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
     "<a href=\"javascript&amp;colon;alert(1)\">x</a>"},
    {"<a href=\"vbscript:msgbox(1)\">x</a>", "<a>x</a>"},
    {"<a href=\"data:text/html,<script>alert(1)</script>\">x</a>", "<a>x</a>"},
    {"<a href=\"https://example.com/\" target=\"_blank\" onclick=\"x()\">x</a>",
     "<a href=\"https://example.com/\" rel=\"noopener noreferrer nofollow\">x</a>"},
    {"<svg onload=alert(1)><circle r=1 /></svg>after", "after"},
    {"<svg><script>alert(1)</script></svg>", ""},
    {"<math><mtext><script>alert(1)</script></mtext></math>", ""},
    {"<iframe src=\"https://evil.example/x\">fallback</iframe>after", "after"},
    {"<iframe src=\"javascript:alert(1)\"></iframe>", ""},
    {"<iframe src=\"http://www.youtube.com/embed/x\"></iframe>", ""},
    {"<iframe src=\"https://www.youtube.com.evil.example/embed/x\"></iframe>", ""},
    {"<iframe src=\"https://www.youtube.com@evil.example/embed/x\"></iframe>", ""},
    {"<iframe src=\"https://www.youtube.com:8080/embed/x\"></iframe>", ""},
    {"<iframe src=\"//www.youtube.com/embed/x\"></iframe>", ""},
    {"<iframe srcdoc=\"<script>alert(1)</script>\" src=\"https://player.vimeo.com/video/1\" "
     "onload=x></iframe>",
     "<iframe src=\"https://player.vimeo.com/video/1\" loading=\"lazy\" sandbox=\"allow-scripts "
     "allow-same-origin allow-presentation\"></iframe>"},
    {"<div><p>unclosed <em>em<table><tr><td>cell",
     "<div><p>unclosed <em>em<table><tr><td>cell</td></tr></table></em></p></div>"},
    {"<form action=/x><form><input name=a value=b><p>inside</p></form></form>after", "after"},
    {"<button>b</button><select><option>o</option></select><textarea><b>t</b></textarea>ok", "ok"},
    {"<!-- <script>alert(1)</script> -->x", "x"},
    {"<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->", "<p>a</p>"},
    {"<style>body{background:url(javascript:alert(1))}</style>x", "x"},
    {"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>x", "x"},
    {"<template><script>alert(1)</script></template>x", "x"},
    {"<object data=\"x.swf\"><param name=a value=b>obj</object><embed src=x.swf>x", "x"},
    {"<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\"><link rel=stylesheet "
     "href=x><base href=//evil.example/>x",
     "x"},
    {"<head><title>t</title></head>text", "text"},
    {"<a href=x title='\"><script>alert(1)</script>'>y</a>",
     "<a href=\"x\" title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">y</a>"},
    {"<img src=\"/a.jpg\" srcset=\"/a.jpg 1x, javascript:alert(1) 2x\">",
     "<img src=\"/a.jpg\" loading=\"lazy\" />"},
    {"<blockquote cite=\"javascript:alert(1)\">q</blockquote>", "<blockquote>q</blockquote>"},
    {"<video src=\"javascript:x\" autoplay onplay=x poster=\"data:x\"></video>",
     "<video controls=\"\"></video>"},
    {"<p class=\"admin-only aligncenter\" dir=\"x\" lang=\"en\">c</p>",
     "<p class=\"aligncenter\" lang=\"en\">c</p>"},
    {"<td>cell</td>", "<td>cell</td>"}, /* libxml2 keeps a lone cell */
    {"a < b & c > d", "a &lt; b &amp; c &gt; d"},
    {"ctl\x01\x02\x1f\x7f", "ctl\x7f"},
    {"a\0b", "ab"},
    {"<abbr title=\"t\x01\x1f\xef\xbf\xbeu\">x\xef\xbf\xbfy</abbr>",
     "<abbr title=\"tu\">xy</abbr>"},
};

static void test_hostile_table(void **state)
{
    arena *a = *state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char err[128] = "";
        const char *in = hostile[i].input;
        size_t len = strlen(in);
        if (strcmp(in, "a") == 0) len = 3; /* the case with a NUL byte in it */
        char *out =
            content_sanitize_html(a, in, len, &content_html_default_policy, err, sizeof err);
        if (!out) fail_msg("case %zu failed: %s", i, err);
        if (strcmp(out, hostile[i].expected) != 0)
            fail_msg("case %zu: input\n  %s\ngave\n  %s\nexpected\n  %s", i, in, out,
                     hostile[i].expected);
        assert_harmless(out);
    }
}

static void test_broken_comments(void **state)
{
    arena *a = *state;
    const char *inputs[] = {
        "<!-- unterminated <script>alert(1)</script>",
        "<!--> <img src=x onerror=alert(1)> -->",
        "<!---> <img src=x onerror=alert(1)> -->",
        "a <!-- b --!> <img src=x onerror=alert(1)> c",
        "<! foo <img src=x onerror=alert(1)> >",
        "<? xml <img src=x onerror=alert(1)> ?>",
        "<![CDATA[<img src=x onerror=alert(1)>]]>",
        "<a href=\"x\" <script>alert(1)</script>",
        "<img src=\"x\" onerror=\"alert(1)\"",
        "<<img src=x onerror=alert(1)>>",
        "</p onclick=x><p/onclick=x>t",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        assert_harmless(sanitize(a, inputs[i]));
}

static void test_invalid_utf8_is_an_error(void **state)
{
    arena *a = *state;
    const char *bad[] = {"ab\xff", "\xc0\xaf", "\xed\xa0\x80", "<p>\xe2\x82</p>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[128] = "";
        assert_null(content_sanitize_html(a, bad[i], strlen(bad[i]), &content_html_default_policy,
                                          err, sizeof err));
        assert_contains(err, "UTF-8");
        err[0] = '\0';
        assert_null(content_wordpress_to_html(
            a, bad[i], strlen(bad[i]), &content_html_default_policy, NULL, NULL, err, sizeof err));
        assert_contains(err, "UTF-8");
    }
}

static void test_empty_input(void **state)
{
    arena *a = *state;
    assert_string_equal(sanitize(a, ""), "");
    char err[64];
    char *out = content_wordpress_to_html(a, "", 0, &content_html_default_policy, NULL, NULL, err,
                                          sizeof err);
    assert_non_null(out);
    assert_string_equal(out, "");
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_deep_nesting_is_bounded(void **state)
{
    arena *a = *state;
    /* 150 levels: 100 kept, the rest unwrapped, the text kept */
    char *in = arena_alloc(a, 150 * 11 + 16);
    char *p = in;
    for (int i = 0; i < 150; i++)
        p += sprintf(p, "<div>");
    p += sprintf(p, "deep");
    for (int i = 0; i < 150; i++)
        p += sprintf(p, "</div>");
    char *out = sanitize(a, in);
    assert_int_equal(count(out, "<div>"), 100);
    assert_int_equal(count(out, "</div>"), 100);
    assert_contains(out, "deep");

    /* 100 000 levels of several kinds: no crash, balanced, bounded output */
    size_t n = 100000;
    char *big = malloc(n * 4 + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        memcpy(big + i * 4, i % 2 ? "<b> " : "<i> ", 4);
    big[n * 4] = '\0';
    out = sanitize(a, big);
    free(big);
    assert_true(count(out, "<b>") + count(out, "<i>") <= 100);
    assert_int_equal(count(out, "<b>"), count(out, "</b>"));
    assert_int_equal(count(out, "<i>"), count(out, "</i>"));
}

static void test_too_many_attributes_is_an_error(void **state)
{
    arena *a = *state;
    char in[2048] = "<p";
    for (int i = 0; i < 100; i++)
        sprintf(in + strlen(in), " a%d", i);
    strcat(in, " title=\"x > y z\">t</p>");
    char err[128] = "";
    /* 101 attributes (the quoted '>' does not end the tag) */
    assert_null(
        content_sanitize_html(a, in, strlen(in), &content_html_default_policy, err, sizeof err));
    assert_contains(err, "attributes");
    /* 100 is fine */
    char *title = strstr(in, " title=");
    strcpy(title, ">t</p>");
    assert_string_equal(sanitize(a, in), "<p>t</p>");
}

/* Inputs that would take quadratic time in a naive scanner: 256 KiB of each must come back
 * (the test would hang otherwise); bodies that expand past the size limit are an error. */
static void test_pathological_inputs_stay_linear(void **state)
{
    arena *a = *state;
    const char *patterns[] = {"[caption", "[caption]",     "[[caption", "[gallery ids=\"",
                              "<a x=\"",  "<a ",           "x<br>\n",   "<p>",
                              "<!x",      "\n \n",         "<pre>",     "</div>",
                              "<b><i>",   "https://x.y/\n"};
    size_t size = 256 << 10;
    char *in = malloc(size + 1);
    assert_non_null(in);
    for (size_t k = 0; k < sizeof patterns / sizeof patterns[0]; k++) {
        size_t pl = strlen(patterns[k]), n = 0;
        while (n + pl <= size) {
            memcpy(in + n, patterns[k], pl);
            n += pl;
        }
        in[n] = '\0';
        char err[128] = "";
        char *out = content_wordpress_to_html(a, in, n, &content_html_default_policy, attachments,
                                              NULL, err, sizeof err);
        if (!out && !strstr(err, "attributes") && !strstr(err, "too large"))
            fail_msg("pattern %s: %s", patterns[k], err);
        out = content_sanitize_html(a, in, n, &content_html_default_policy, err, sizeof err);
        if (!out && !strstr(err, "attributes")) fail_msg("pattern %s: %s", patterns[k], err);
        arena_reset(a);
    }
    free(in);
}

/* ---- allowed content --------------------------------------------------------------------- */

static void test_allowed_content_kept_exactly(void **state)
{
    arena *a = *state;
    const char *same[] = {
        "<h2>Title</h2><p>Some <em>em</em>, <strong>strong</strong>, <b>b</b>, <i>i</i>, <u>u</u>, "
        "<s>s</s>, <sub>2</sub>, <sup>3</sup>, <small>s</small>, <mark>m</mark>, "
        "<abbr title=\"HyperText\">HTML</abbr>, <q>q</q>, <cite>c</cite>, <code>x</code>.</p>",
        "<ul><li>one</li><li>two<ol start=\"3\"><li>three</li></ol></li></ul>"
        "<dl><dt>term</dt><dd>definition</dd></dl>",
        "<blockquote cite=\"https://example.com/q\"><p>Quote</p></blockquote><hr />"
        "<pre><code>int main(void) { return 1 &lt; 2; }\n</code></pre>",
        "<table><caption>Results</caption><thead><tr><th scope=\"col\">A</th><th>B</th></tr>"
        "</thead><tbody><tr><td colspan=\"2\">both</td></tr><tr><td rowspan=\"2\">x</td><td>y"
        "</td></tr></tbody><tfoot><tr><td>f</td><td>g</td></tr></tfoot></table>",
        "<p><a href=\"/news/local/\">relative</a> <a href=\"#notes\">fragment</a> "
        "<a href=\"mailto:desk@example.com\">mail</a> <a "
        "href=\"https://example.com/a?b=1&amp;c=2\" "
        "rel=\"noopener noreferrer nofollow\">external</a></p>",
        "<figure class=\"wp-caption aligncenter\"><img src=\"https://example.com/a.jpg\" "
        "alt=\"A &quot;quoted&quot; harbour\" width=\"640\" height=\"480\" loading=\"lazy\" />"
        "<figcaption>The harbour at dawn</figcaption></figure>",
        "<img src=\"/a.jpg\" srcset=\"/a-300.jpg 300w, /a-600.jpg 600w\" sizes=\"(max-width: "
        "600px) "
        "100vw, 600px\" loading=\"lazy\" />",
        "<iframe src=\"https://www.youtube-nocookie.com/embed/abc\" width=\"560\" height=\"315\" "
        "title=\"Video\" allowfullscreen=\"\" loading=\"lazy\" sandbox=\"allow-scripts "
        "allow-same-origin allow-presentation\"></iframe>",
        "<video src=\"https://example.com/v.mp4\" poster=\"/p.jpg\" width=\"640\" controls=\"\">"
        "<source src=\"/v.webm\" type=\"video/webm\" />Fallback</video>",
        "<audio controls=\"\"><source src=\"https://example.com/a.mp3\" type=\"audio/mpeg\" />"
        "</audio>",
        "<p dir=\"rtl\" lang=\"he\">שלום</p><p>Ελληνικά — “quotes” &amp; café</p><br />",
        "<details open=\"\"><summary>More</summary><p>Hidden</p></details>",
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char *out = sanitize(a, same[i]);
        if (strcmp(out, same[i]) != 0) fail_msg("changed:\n  %s\ninto\n  %s", same[i], out);
    }
}

static void test_renamed_and_unwrapped(void **state)
{
    arena *a = *state;
    assert_string_equal(sanitize(a, "<h1>T</h1>"), "<h2>T</h2>");
    assert_string_equal(sanitize(a, "<strike>x</strike><tt>y</tt><acronym title=\"t\">z</acronym>"),
                        "<s>x</s><code>y</code><abbr title=\"t\">z</abbr>");
    assert_string_equal(sanitize(a, "<font color=red>f</font><center>c</center><section>"
                                    "<article>s</article></section><custom-el>e</custom-el>"),
                        "fcse");
    assert_string_equal(sanitize(a, "<div class=\"wp-block-group x\" id=a style=b>d</div>"),
                        "<div>d</div>");
    assert_string_equal(sanitize(a, "&nbsp;&eacute;&#233;&#x263A;"),
                        "\xc2\xa0\xc3\xa9\xc3\xa9\xe2\x98\xba");
}

static void test_document_level_tags(void **state)
{
    arena *a = *state;
    /* a charset in the fragment does not change how it is read */
    assert_string_equal(sanitize(a, "<meta charset=\"iso-8859-1\"><p>caf\xc3\xa9</p>"),
                        "<p>caf\xc3\xa9</p>");
    assert_string_equal(sanitize(a, "<meta http-equiv=\"Content-Type\" content=\"text/html; "
                                    "charset=utf-16\"><p>caf\xc3\xa9</p>"),
                        "<p>caf\xc3\xa9</p>");
    /* html, body and head tags inside the fragment */
    assert_string_equal(sanitize(a, "<p>a</p></body><p>b</p><body onload=x><html><p>c</p>"),
                        "<p>a</p><p>b</p><p>c</p>");
}

static void test_custom_policy(void **state)
{
    arena *a = *state;
    static const char *const hosts[] = {"embed.example.org", NULL};
    content_html_policy policy = {.embed_hosts = hosts};
    const char *in = "<iframe src=\"https://embed.example.org/v/1\"></iframe>"
                     "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>";
    char err[64];
    char *out = content_sanitize_html(a, in, strlen(in), &policy, err, sizeof err);
    assert_non_null(out);
    assert_contains(out, "embed.example.org");
    assert_not_contains(out, "youtube");
    content_html_policy none = {.embed_hosts = NULL};
    out = content_sanitize_html(a, in, strlen(in), &none, err, sizeof err);
    assert_string_equal(out, "");
}

/* ---- WordPress bodies -------------------------------------------------------------------- */

static const char *wp(arena *a, const char *body, content_attachment_lookup lookup)
{
    char err[128] = "";
    char *out = content_wordpress_to_html(a, body, strlen(body), &content_html_default_policy,
                                          lookup, NULL, err, sizeof err);
    if (!out) fail_msg("wordpress_to_html failed: %s", err);
    assert_harmless(out);
    return out;
}

static bool attachments(void *ctx, long long id, const char **url, const char **caption,
                        const char **alt)
{
    (void)ctx;
    switch (id) {
    case 755:
        *url = "https://example.com/755.jpg";
        *caption = "Boardwalk & pier";
        *alt = "A \"boardwalk\"";
        return true;
    case 757:
        *url = "https://example.com/757.jpg";
        *caption = NULL;
        *alt = NULL;
        return true;
    case 758:
        *url = "javascript:alert(1)";
        *caption = "<script>alert(1)</script>";
        *alt = "x";
        return true;
    default:
        return false;
    }
}

/* From "Post Format: Image (Caption)" of themeunittestdata.wordpress.xml. */
static void test_wp_caption(void **state)
{
    arena *a = *state;
    const char *body =
        "[caption id=\"attachment_754\" align=\"alignnone\" width=\"604\"]<a "
        "href=\"https://wpthemetestdata.files.wordpress.com/2008/06/100_5478.jpg\"><img "
        "class=\"wp-image-754 size-large\" "
        "src=\"https://wpthemetestdata.files.wordpress.com/2008/06/100_5478.jpg?w=604\" alt=\"Bell "
        "on Wharf\" width=\"604\" height=\"453\" /></a> Bell on wharf in San Francisco[/caption]";
    assert_string_equal(
        wp(a, body, NULL),
        "<figure class=\"wp-caption alignnone\"><a "
        "href=\"https://wpthemetestdata.files.wordpress.com/2008/06/100_5478.jpg\" "
        "rel=\"noopener noreferrer nofollow\"><img "
        "src=\"https://wpthemetestdata.files.wordpress.com/2008/06/100_5478.jpg?w=604\" alt=\"Bell "
        "on Wharf\" width=\"604\" height=\"453\" loading=\"lazy\" /></a><figcaption>Bell on wharf "
        "in San Francisco</figcaption></figure>");

    /* the caption in an attribute (from "Markup: Image Alignment"), with HTML in the text */
    const char *attr = "[caption id=\"attachment_612\" align=\"aligncenter\" width=\"640\" "
                       "caption=\"Chunk of resinous blackboy husk, <em>Clarkson</em>.\"]<img "
                       "src=\"/r.jpg\" alt=\"R\" />[/caption]";
    assert_string_equal(wp(a, attr, NULL),
                        "<figure class=\"wp-caption aligncenter\"><img src=\"/r.jpg\" alt=\"R\" "
                        "loading=\"lazy\" /><figcaption>Chunk of resinous blackboy husk, "
                        "<em>Clarkson</em>.</figcaption></figure>");

    /* an unknown alignment is left out; a caption with no text shows the image as it is */
    assert_string_equal(
        wp(a, "[caption align=\"x\" caption=\"C\"]<img src=\"/a.jpg\">[/caption]", NULL),
        "<figure class=\"wp-caption\"><img src=\"/a.jpg\" loading=\"lazy\" />"
        "<figcaption>C</figcaption></figure>");
    assert_string_equal(wp(a, "[caption]<img src=\"/a.jpg\">[/caption]", NULL),
                        "<p><img src=\"/a.jpg\" loading=\"lazy\" /></p>\n");
    /* hostile content inside the caption is sanitised like the rest */
    assert_string_equal(wp(a,
                           "[caption caption=\"<img src=x onerror=alert(1)>\"]<img src=\"/a.jpg\" "
                           "onload=x>[/caption]",
                           NULL),
                        "<figure class=\"wp-caption\"><img src=\"/a.jpg\" loading=\"lazy\" />"
                        "<figcaption><img src=\"x\" loading=\"lazy\" /></figcaption></figure>");
}

static void test_wp_gallery(void **state)
{
    arena *a = *state;
    /* from "Post Format: Gallery": text, a gallery, text */
    const char *body = "This is a test for Jetpack's Tiled Gallery.\n\n"
                       "[gallery type=\"rectangular\" columns=\"4\" ids=\"755,757,758,760\" "
                       "orderby=\"rand\"]\n\n"
                       "This is some text after the Tiled Gallery.";
    assert_string_equal(
        wp(a, body, attachments),
        "<p>This is a test for Jetpack's Tiled Gallery.</p>\n\n\n"
        "<figure class=\"gallery gallery-columns-4\"><figure class=\"gallery-item\"><img "
        "src=\"https://example.com/755.jpg\" alt=\"A &quot;boardwalk&quot;\" loading=\"lazy\" />"
        "<figcaption>Boardwalk &amp; pier</figcaption></figure><figure class=\"gallery-item\">"
        "<img src=\"https://example.com/757.jpg\" alt=\"\" loading=\"lazy\" /></figure>"
        "<figure class=\"gallery-item\"><figcaption>"
        "&lt;script&gt;alert(1)&lt;/script&gt;</figcaption></figure></figure>\n\n"
        "<p>This is some text after the Tiled Gallery.</p>\n");
    /* without ids: the post's attached images (exclude= honoured), when the caller names them */
    const long long attached[] = {757, 1, 755};
    char err[64];
    const char *no_ids = "[gallery columns=\"2\" exclude=\"755\"]";
    char *out =
        content_wordpress_to_html_attached(a, no_ids, strlen(no_ids), &content_html_default_policy,
                                           attachments, NULL, attached, 3, err, sizeof err);
    assert_non_null(out);
    assert_string_equal(out, "<figure class=\"gallery gallery-columns-2\"><figure "
                             "class=\"gallery-item\"><img src=\"https://example.com/757.jpg\" "
                             "alt=\"\" loading=\"lazy\" /></figure></figure>");
    const char *other_post = "[gallery id=\"12\"]";
    out = content_wordpress_to_html_attached(a, other_post, strlen(other_post),
                                             &content_html_default_policy, attachments, NULL,
                                             attached, 3, err, sizeof err);
    assert_string_equal(out, "");
    /* no lookup, no ids, nothing found: dropped */
    assert_string_equal(wp(a, "[gallery ids=\"755\"]", NULL), "");
    assert_string_equal(wp(a, "[gallery columns=\"2\"]", attachments), "");
    assert_string_equal(wp(a, "[gallery ids=\"1,2\"]", attachments), "");
    /* unquoted values (as in the block test data) and include= */
    assert_contains(wp(a, "[gallery columns=2 ids=\"755\"]", attachments),
                    "<figure class=\"gallery gallery-columns-2\">");
    assert_contains(wp(a, "[gallery include=\"757\"]", attachments), "757.jpg");
    /* at most 100 images, however many IDs */
    char many[2048] = "[gallery ids=\"";
    for (int i = 0; i < 300; i++)
        strcat(many, "757,");
    strcat(many, "\"]");
    assert_int_equal(count(wp(a, many, attachments), "<img "), 100);
}

static void test_wp_other_shortcodes_stay(void **state)
{
    arena *a = *state;
    assert_string_equal(wp(a, "[audio https://example.com/a.mp3]", NULL),
                        "<p>[audio https://example.com/a.mp3]</p>\n");
    assert_string_equal(wp(a, "Use [[caption]] and [[gallery ids=\"1\"]] in WordPress.", NULL),
                        "<p>Use [caption] and [gallery ids=\"1\"] in WordPress.</p>\n");
    assert_string_equal(wp(a, "[caption unclosed", NULL), "<p>[caption unclosed</p>\n");
    assert_string_equal(wp(a, "<a title=\"[gallery ids=755]\" href=\"/x\">x</a>", attachments),
                        "<p><a title=\"[gallery ids=755]\" href=\"/x\">x</a></p>\n");
}

static void test_wp_block_comments(void **state)
{
    arena *a = *state;
    const char *body = "<!-- wp:paragraph -->\n<p>This post tests various embed blocks:</p>\n"
                       "<!-- /wp:paragraph -->\n\n"
                       "<!-- wp:heading {\"level\":3} -->\n<h3>Head</h3>\n<!-- /wp:heading -->\n\n"
                       "<!-- wp:paragraph -->\n<p>Line one\nline two</p>\n<!-- /wp:paragraph -->";
    /* block content: markers dropped, no paragraphs or breaks added */
    assert_string_equal(wp(a, body, NULL),
                        "<p>This post tests various embed blocks:</p>\n\n<h3>Head</h3>\n\n"
                        "<p>Line one\nline two</p>\n");
}

static void test_wp_autop(void **state)
{
    arena *a = *state;
    /* blank lines make paragraphs, single newlines breaks */
    assert_string_equal(wp(a, "First line\nsecond line\n\nNew paragraph.\r\n\r\nThird.", NULL),
                        "<p>First line<br />\nsecond line</p>\n<p>New paragraph.</p>\n"
                        "<p>Third.</p>\n");
    /* nothing inside lists, tables and pre; no <br> after a <br> */
    assert_string_equal(wp(a, "<ul>\n\t<li>one</li>\n\t<li>two</li>\n</ul>", NULL),
                        "<ul>\n\t<li>one</li>\n\t<li>two</li>\n</ul>");
    assert_string_equal(wp(a, "<table>\n<tr>\n<td>a</td>\n</tr>\n</table>", NULL),
                        "<table>\n<tr>\n<td>a</td>\n</tr>\n</table>");
    assert_string_equal(wp(a, "<pre>line 1\n\nline 3</pre>", NULL), "<pre>line 1\n\nline 3</pre>");
    assert_string_equal(wp(a, "a<br>\nb", NULL), "<p>a<br />\nb</p>\n");
    /* a blockquote's text becomes a paragraph; a div's only with a blank line */
    assert_string_equal(wp(a, "<blockquote>Quoted text</blockquote>", NULL),
                        "<blockquote><p>Quoted text</p>\n</blockquote>");
    assert_string_equal(wp(a, "<div>inline</div>", NULL), "<div>inline</div>");
    assert_string_equal(wp(a, "<div>one\n\ntwo</div>", NULL),
                        "<div><p>one</p>\n<p>two</p>\n</div>");
    /* <!--more--> alone makes no empty paragraph; text in headings gets breaks only */
    assert_string_equal(wp(a, "Intro.\n\n<!--more-->\n\nRest.", NULL),
                        "<p>Intro.</p>\n\n<p>Rest.</p>\n");
    assert_string_equal(wp(a, "<h2>Two\nlines</h2>", NULL), "<h2>Two<br />\nlines</h2>");
    /* newlines inside a tag stay */
    assert_string_equal(wp(a, "<a\nhref=\"/x\"\ntitle=\"t\">x</a>", NULL),
                        "<p><a href=\"/x\" title=\"t\">x</a></p>\n");
}

/* From "Edge Case: Nested And Mixed Lists" and "Template: More Tag". */
static void test_wp_real_classic_bodies(void **state)
{
    arena *a = *state;
    const char *lists = "Nested and mixed lists are an interesting beast.\n"
                        "<ul>\n\t<li>Lists within lists do not break the ordered list numbering "
                        "order</li>\n\t<li>Your list styles go deep enough.</li>\n</ul>\n"
                        "<h3>Ordered - Unordered - Ordered</h3>\n<ol>\n\t<li>ordered item</li>\n"
                        "\t<li>ordered item\n<ul>\n\t<li><strong>unordered</strong></li>\n</ul>\n"
                        "</li>\n</ol>";
    assert_string_equal(wp(a, lists, NULL),
                        "<p>Nested and mixed lists are an interesting beast.</p>\n\n"
                        "<ul>\n\t<li>Lists within lists do not break the ordered list numbering "
                        "order</li>\n\t<li>Your list styles go deep enough.</li>\n</ul>\n"
                        "<h3>Ordered - Unordered - Ordered</h3>\n<ol>\n\t<li>ordered item</li>\n"
                        "\t<li>ordered item\n<ul>\n\t<li><strong>unordered</strong></li>\n</ul>\n"
                        "</li>\n</ol>");
    const char *more = "Lorem ipsum dolor sit amet.\n\n<!--more-->\n\n"
                       "<a href=\"https://example.com\" target=\"_blank\">Link</a> after more.";
    assert_string_equal(wp(a, more, NULL),
                        "<p>Lorem ipsum dolor sit amet.</p>\n\n<p><a href=\"https://example.com\" "
                        "rel=\"noopener noreferrer nofollow\">Link</a> after more.</p>\n");
}

/* From "Post Format: Video (YouTube)" and "Block category: Embeds". */
static void test_wp_bare_urls(void **state)
{
    arena *a = *state;
    const char *iframe_attrs = "\" width=\"560\" height=\"315\" title=\"Video\" "
                               "allowfullscreen=\"\" loading=\"lazy\" sandbox=\"allow-scripts "
                               "allow-same-origin allow-presentation\"></iframe>";
    char expected[512];
    snprintf(expected, sizeof expected,
             "<iframe src=\"https://www.youtube-nocookie.com/embed/SQEQr7c0-dw%s\n\n"
             "<p>Learn more about <a href=\"https://codex.wordpress.org/Embeds\" "
             "rel=\"noopener noreferrer nofollow\">WordPress Embeds</a>.</p>\n",
             iframe_attrs);
    assert_string_equal(wp(a,
                           "https://www.youtube.com/watch?v=SQEQr7c0-dw\n\nLearn more about <a "
                           "href=\"https://codex.wordpress.org/Embeds\">WordPress Embeds</a>.",
                           NULL),
                        expected);
    snprintf(expected, sizeof expected,
             "<figure><div>\n<iframe src=\"https://www.youtube-nocookie.com/embed/ex8fMxXJDJw%s\n"
             "</div></figure>\n",
             iframe_attrs);
    assert_string_equal(wp(a,
                           "<!-- wp:core-embed/youtube {\"url\":\"https://youtu.be/ex8fMxXJDJw\"} "
                           "-->\n<figure class=\"wp-block-embed-youtube wp-block-embed\"><div "
                           "class=\"wp-block-embed__wrapper\">\nhttps://youtu.be/ex8fMxXJDJw\n"
                           "</div></figure>\n<!-- /wp:core-embed/youtube -->",
                           NULL),
                        expected);
    assert_contains(wp(a, "https://vimeo.com/12345", NULL),
                    "<iframe src=\"https://player.vimeo.com/video/12345\"");
    /* anything else becomes a link, the URL as it was written (already HTML) */
    assert_string_equal(
        wp(a, "  https://www.instagram.com/p/B/?a=1&amp;b=2  ", NULL),
        "  <p><a href=\"https://www.instagram.com/p/B/?a=1&amp;b=2\" "
        "rel=\"noopener noreferrer nofollow\">https://www.instagram.com/p/B/?a=1&amp;"
        "b=2</a></p>\n  ");
    /* not alone on its line, inside a tag, or not http(s): left alone */
    assert_string_equal(wp(a, "See https://example.com/ now", NULL),
                        "<p>See https://example.com/ now</p>\n");
    assert_string_equal(wp(a, "<a title=\"x\nhttps://example.com/\n\" href=\"/y\">y</a>", NULL),
                        "<p><a title=\"x\nhttps://example.com/\n\" href=\"/y\">y</a></p>\n");
    assert_string_equal(wp(a, "javascript:alert(1)", NULL), "<p>javascript:alert(1)</p>\n");
    /* a bad video ID is just a link */
    assert_string_equal(wp(a, "https://youtu.be/<script>", NULL), "<p>https://youtu.be/</p>\n");
    assert_contains(wp(a, "https://youtu.be/abc%22onload", NULL), "<a href=");
    assert_string_equal(wp(a, "https://www.youtube.com/watch?v=abc\"onload=x", NULL),
                        "<p>https://www.youtube.com/watch?v=abc\"onload=x</p>\n");
}

static void test_empty_paragraphs_dropped(void **state)
{
    arena *a = *state;
    assert_string_equal(sanitize(a, "<p></p><p> \n </p><p><!-- c --></p><p><br></p>x"),
                        "<p><br /></p>x");
}

/* ---- every body of the WordPress test exports -------------------------------------------- */

typedef struct {
    arena *a;
    size_t bodies, figures, with_blocks;
} wxr_stats;

static void check_wxr_bodies(xmlNode *node, wxr_stats *st)
{
    for (; node; node = node->next) {
        if (node->type != XML_ELEMENT_NODE) continue;
        if (strcmp((const char *)node->name, "encoded") == 0 && node->ns &&
            strstr((const char *)node->ns->href, "purl.org/rss/1.0/modules/content")) {
            xmlChar *body = xmlNodeGetContent(node);
            const char *b = body ? (const char *)body : "";
            char *out = (char *)wp(st->a, b, attachments);
            assert_true(content_utf8_valid(out, strlen(out)));
            assert_not_contains(out, "<!--");
            assert_not_contains(out, "[caption");
            assert_not_contains(out, "[gallery ids");
            st->bodies++;
            st->figures += count(out, "<figcaption>");
            st->with_blocks += strstr(b, "<!-- wp:") != NULL;
            xmlFree(body);
            arena_reset(st->a);
        }
        check_wxr_bodies(node->children, st);
    }
}

static void test_wxr_test_data(void **state)
{
    const char *files[] = {"../shared/data/wxr/themeunittestdata.wordpress.xml",
                           "../shared/data/wxr/64-block-test-data.xml"};
    wxr_stats st = {.a = arena_new()};
    for (size_t i = 0; i < 2; i++) {
        xmlDoc *doc = xmlReadFile(files[i], NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
        if (!doc) {
            arena_free(st.a);
            skip();
        }
        check_wxr_bodies(xmlDocGetRootElement(doc), &st);
        xmlFreeDoc(doc);
    }
    arena_free(st.a);
    (void)state;
    assert_true(st.bodies > 200);
    assert_true(st.with_blocks > 50);
    assert_true(st.figures >= 10); /* the captions of the theme test data */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hostile_table, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_broken_comments, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_is_an_error, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_empty_input, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_deep_nesting_is_bounded, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_too_many_attributes_is_an_error, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_pathological_inputs_stay_linear, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_allowed_content_kept_exactly, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_renamed_and_unwrapped, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_document_level_tags, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_custom_policy, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_wp_caption, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_wp_gallery, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_wp_other_shortcodes_stay, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_wp_block_comments, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_wp_autop, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_wp_real_classic_bodies, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_wp_bare_urls, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_empty_paragraphs_dropped, setup_arena, teardown_arena),
        cmocka_unit_test(test_wxr_test_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
