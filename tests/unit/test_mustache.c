/* test_mustache.c — owns the unit tests of Gazette's Mustache engine beyond the official spec
 * (which test_mustache_spec.c runs): syntax errors with their line and message, missing
 * partials, the recursion limit, compile-time loading of partials, recompiling a name, the
 * values Gazette chose for what the spec leaves open, concurrent rendering from several
 * threads, and hostile input (deep nesting, unclosed tags, random bytes) that must never crash. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/theme/mustache.h"

/* ---- helpers --------------------------------------------------------------------------- */

/* Partials served from a NULL-terminated list of name, source pairs; counts loader calls. */
typedef struct {
    const char *const *pairs;
    int calls;
} partials;

static char *load_from(void *data, const char *name)
{
    partials *p = data;
    p->calls++;
    for (size_t i = 0; p->pairs && p->pairs[i]; i += 2) {
        if (strcmp(p->pairs[i], name) == 0) {
            char *s = strdup(p->pairs[i + 1]);
            assert_non_null(s);
            return s;
        }
    }
    return NULL;
}

static json_t *parse_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!v) fail_msg("bad JSON in test: %s", jerr.text);
    return v;
}

/* Compiles tpl (with the given partials), renders it against JSON data, returns the status and
 * leaves the output in *out (caller frees). */
static mustache_status render_with(const char *const *pairs, const char *tpl, const char *data,
                                   char **out)
{
    partials p = {pairs, 0};
    mustache_set *set = mustache_set_new(load_from, &p);
    mustache_error err;
    mustache_template *t = mustache_compile(set, "test", tpl, &err);
    if (!t) fail_msg("compile failed on line %d: %s", err.line, err.message);
    json_t *d = parse_json(data);
    buf b = {0};
    mustache_status st = mustache_render(t, d, &b);
    *out = buf_steal(&b);
    json_decref(d);
    mustache_set_free(set);
    return st;
}

static void assert_renders(const char *const *pairs, const char *tpl, const char *data,
                           const char *expected)
{
    char *out;
    assert_int_equal(render_with(pairs, tpl, data, &out), MUSTACHE_OK);
    assert_string_equal(out, expected);
    free(out);
}

/* Compiles src expecting a syntax error on line; returns nothing, checks the message. */
static void assert_syntax_error(const char *src, int line, const char *message)
{
    mustache_set *set = mustache_set_new(NULL, NULL);
    mustache_error err;
    assert_null(mustache_compile(set, "bad", src, &err));
    assert_int_equal(err.status, MUSTACHE_ERR_SYNTAX);
    if (err.line != line || !strstr(err.message, message))
        fail_msg("got line %d \"%s\", expected line %d with \"%s\"", err.line, err.message, line,
                 message);
    mustache_set_free(set);
}

/* ---- syntax errors --------------------------------------------------------------------- */

static void test_error_unclosed_section(void **state)
{
    assert_syntax_error("<ul>\n  {{#items}}\n  <li>{{.}}</li>\n</ul>\n", 2,
                        "unclosed section 'items' opened on line 2");
    assert_syntax_error("{{$title}}x", 1, "unclosed block 'title' opened on line 1");
    assert_syntax_error("a\nb\n{{<layout}}", 3, "unclosed parent 'layout' opened on line 3");
}

static void test_error_mismatched_close(void **state)
{
    assert_syntax_error("{{#a}}\n{{#b}}\n{{/a}}\n", 3,
                        "mismatched close tag 'a' on line 3: section 'b' opened on line 2");
    assert_syntax_error("x\n{{/a}}", 2, "close tag 'a' on line 2 has no open section");
}

static void test_error_unclosed_tag(void **state)
{
    assert_syntax_error("one\ntwo {{name\nthree", 2, "unclosed tag '{{name' on line 2: no '}}'");
    assert_syntax_error("{{{raw}}", 1, "unclosed tag '{{{raw}}' on line 1: no '}}}'");
    assert_syntax_error("text {{", 1, "unclosed tag");
    assert_syntax_error("{{=<% %>=}}\n<%name", 2, "no '%>'");
}

static void test_error_bad_delimiters(void **state)
{
    assert_syntax_error("a\n{{=<%=}}", 2, "bad set-delimiter tag '<%' on line 2");
    assert_syntax_error("{{=a b c=}}", 1, "bad set-delimiter");
    assert_syntax_error("{{==}}", 1, "bad set-delimiter");
    assert_syntax_error("{{=a= b=}}", 1, "bad set-delimiter");
}

static void test_error_bad_names(void **state)
{
    assert_syntax_error("x {{}}", 1, "empty tag on line 1");
    assert_syntax_error("\n{{# }}{{/ }}", 2, "empty tag");
    assert_syntax_error("{{first name}}", 1, "bad tag name 'first name'");
}

static void test_error_in_partial(void **state)
{
    static const char *const pairs[] = {"good", "fine", "broken", "a\nb\n{{#x}}", NULL};
    partials p = {pairs, 0};
    mustache_set *set = mustache_set_new(load_from, &p);
    mustache_error err;
    assert_null(mustache_compile(set, "page", "{{>good}} {{>broken}}", &err));
    assert_int_equal(err.status, MUSTACHE_ERR_SYNTAX);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.message, "in 'broken': unclosed section 'x' opened on line 3");
    /* the error comes back each time a template names the broken partial */
    assert_null(mustache_compile(set, "other", "{{>broken}}", &err));
    assert_int_equal(err.line, 3);
    assert_null(mustache_compile(set, "x", "{{#a}}", NULL)); /* err may be NULL */
    mustache_set_free(set);
}

/* ---- partials, loading, recompiling ---------------------------------------------------- */

static void test_missing_partial_renders_empty(void **state)
{
    assert_renders(NULL, "[{{>nope}}]", "{}", "[]");
    assert_renders(NULL, "[{{>*which}}]", "{\"which\": \"nope\"}", "[]");
    assert_renders(NULL, "[{{<nope}}{{$a}}x{{/a}}{{/nope}}]", "{}", "[]");
    partials p = {NULL, 0};
    mustache_set *set = mustache_set_new(load_from, &p);
    mustache_error err;
    assert_null(mustache_get(set, "nope", &err));
    assert_int_equal(err.status, MUSTACHE_ERR_NOT_FOUND);
    mustache_set_free(set);
    set = mustache_set_new(NULL, NULL); /* no loader at all */
    assert_null(mustache_get(set, "x", &err));
    assert_int_equal(err.status, MUSTACHE_ERR_NOT_FOUND);
    assert_renders(NULL, "[{{>x}}]", "{}", "[]");
    mustache_set_free(set);
}

static void test_partials_compiled_at_load(void **state)
{
    static const char *const pairs[] = {"a", "A{{>c}}", "b", "B{{>a}}", "c", "C", NULL};
    partials p = {pairs, 0};
    mustache_set *set = mustache_set_new(load_from, &p);
    mustache_template *t = mustache_compile(set, "page", "{{>a}}{{>b}}{{>a}}{{>gone}}", NULL);
    assert_non_null(t);
    assert_int_equal(p.calls, 4); /* a, b, c and gone, each once */
    buf out = {0};
    assert_int_equal(mustache_render(t, NULL, &out), MUSTACHE_OK);
    assert_string_equal(out.data, "ACBACAC");
    assert_int_equal(p.calls, 4); /* rendering loads nothing */
    assert_ptr_equal(mustache_get(set, "a", NULL), mustache_get(set, "a", NULL));
    assert_non_null(mustache_compile(set, "page2", "{{>c}}{{>a}}", NULL));
    assert_int_equal(p.calls, 4);
    buf_free(&out);
    mustache_set_free(set);
}

static void test_recursive_partial_compiles_once(void **state)
{
    static const char *const pairs[] = {"node", "{{name}}({{#kids}}{{>node}}{{/kids}})", "page",
                                        "{{>node}}", NULL};
    partials p = {pairs, 0};
    mustache_set *set = mustache_set_new(load_from, &p);
    mustache_template *t = mustache_get(set, "page", NULL);
    assert_non_null(t);
    assert_int_equal(p.calls, 2);
    /* leaves say "kids": [] or the lookup would find their parent's kids, as the spec says */
    json_t *d = parse_json("{\"name\":\"a\",\"kids\":[{\"name\":\"b\",\"kids\":[{\"name\":\"c\","
                           "\"kids\":[]}]},{\"name\":\"d\",\"kids\":[]}]}");
    buf out = {0};
    assert_int_equal(mustache_render(t, d, &out), MUSTACHE_OK);
    assert_string_equal(out.data, "a(b(c())d())");
    buf_free(&out);
    json_decref(d);
    mustache_set_free(set);
}

static void test_recompile_replaces_everywhere(void **state)
{
    mustache_set *set = mustache_set_new(NULL, NULL);
    assert_non_null(mustache_compile(set, "p", "one", NULL));
    mustache_template *t = mustache_compile(set, "t", "[{{>p}}]", NULL);
    buf out = {0};
    mustache_render(t, NULL, &out);
    assert_string_equal(out.data, "[one]");
    assert_non_null(mustache_compile(set, "p", "two", NULL));
    out.len = 0;
    mustache_render(t, NULL, &out);
    assert_string_equal(out.data, "[two]");
    assert_null(mustache_compile(set, "p", "{{#broken}}", NULL)); /* keeps the good one */
    out.len = 0;
    mustache_render(t, NULL, &out);
    assert_string_equal(out.data, "[two]");
    buf_free(&out);
    mustache_set_free(set);
}

/* ---- recursion limit ------------------------------------------------------------------- */

static void assert_depth_error(const char *const *pairs, const char *tpl, const char *data)
{
    char *out;
    assert_int_equal(render_with(pairs, tpl, data, &out), MUSTACHE_ERR_DEPTH);
    assert_true(strlen(out) <= 2 * MUSTACHE_MAX_DEPTH);
    free(out);
}

static void test_depth_limit(void **state)
{
    static const char *const pairs[] = {"loop",       "x{{>loop}}",   "dyn",
                                        "{{>*self}}", "parent",       "{{<parent}}{{/parent}}",
                                        "slot",       "{{$a}}{{/a}}", NULL};
    assert_depth_error(pairs, "{{>loop}}", "{}");
    assert_depth_error(pairs, "{{>dyn}}", "{\"self\": \"dyn\"}");
    assert_depth_error(pairs, "{{<parent}}{{/parent}}", "{}");
    /* an override that contains its own block */
    assert_depth_error(pairs, "{{<slot}}{{$a}}[{{$a}}{{/a}}]{{/a}}{{/slot}}", "{}");
    /* recursion bounded by the data is fine up to the limit */
    static const char *const tree[] = {"n", "<{{#n}}{{>n}}{{/n}}>", NULL};
    assert_renders(tree, "{{>n}}", "{\"n\":{\"n\":{\"n\":{\"n\":false}}}}", "<<<<>>>>");
}

/* ---- values ---------------------------------------------------------------------------- */

static void test_values(void **state)
{
    assert_renders(NULL, "{{i}} {{n}} {{r}} {{big}} {{tiny}} {{t}} {{f}} {{z}}",
                   "{\"i\": 85, \"n\": -7, \"r\": 1.21, \"big\": 1e100, \"tiny\": 0.1, "
                   "\"t\": true, \"f\": false, \"z\": 0.0}",
                   "85 -7 1.21 1e+100 0.1 true false 0");
    assert_renders(NULL, "[{{o}}][{{a}}][{{nul}}]",
                   "{\"o\": {\"k\": 1}, \"a\": [1], \"nul\": null}", "[][][]");
    assert_renders(NULL, "{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\": \"\"}", "no");
    assert_renders(NULL, "{{#z}}yes{{/z}}{{^z}}no{{/z}}", "{\"z\": 0}", "yes");
    assert_renders(NULL, "{{#o}}yes{{/o}}", "{\"o\": {}}", "yes");
    assert_renders(NULL, "{{a}}&{{{a}}}", "{\"a\": \"<i>'&\\\"\"}",
                   "&lt;i&gt;&#39;&amp;&quot;&<i>'&\"");
}

static void test_layout_inheritance(void **state)
{
    static const char *const pairs[] = {
        "layout",
        "<html>\n<head><title>{{$title}}{{site}}{{/title}}</title></head>\n<body>\n"
        "  <main>\n    {{$content}}\n    {{/content}}\n  </main>\n  {{>footer}}\n</body>\n",
        "footer", "<footer>\n  (c) {{site}}\n</footer>\n", NULL};
    assert_renders(pairs,
                   "{{<layout}}\n{{$title}}{{headline}} | {{site}}{{/title}}\n{{$content}}\n"
                   "<h1>{{headline}}</h1>\n{{#paras}}\n<p>{{.}}</p>\n{{/paras}}\n{{/content}}\n"
                   "{{/layout}}\n",
                   "{\"site\": \"Courier\", \"headline\": \"Hi\", \"paras\": [\"a\", \"b\"]}",
                   "<html>\n<head><title>Hi | Courier</title></head>\n<body>\n  <main>\n"
                   "    <h1>Hi</h1>\n    <p>a</p>\n    <p>b</p>\n  </main>\n  <footer>\n"
                   "    (c) Courier\n  </footer>\n</body>\n");
}

/* ---- threads --------------------------------------------------------------------------- */

typedef struct {
    const mustache_template *tpl;
    json_t *data;
    const char *expected;
    int mismatches;
} thread_job;

static void *render_many(void *arg)
{
    thread_job *job = arg;
    for (int i = 0; i < 300; i++) {
        buf out = {0};
        if (mustache_render(job->tpl, job->data, &out) != MUSTACHE_OK ||
            strcmp(out.data, job->expected) != 0)
            job->mismatches++;
        buf_free(&out);
    }
    return NULL;
}

static const char *const thread_pairs[] = {
    "layout", "<h1>{{$title}}?{{/title}}</h1>\n  {{$body}}{{/body}}\n{{>foot}}",
    "foot",   "-- {{site}} --\n",
    "card",   "<li>{{headline}} {{#tags}}#{{.}} {{/tags}}{{>*kind}}</li>\n",
    "wide",   "[wide]",
    "narrow", "[narrow {{score}}]",
    NULL};

static const char thread_page[] = "{{<layout}}{{$title}}{{site}}{{/title}}{{$body}}\n<ul>\n"
                                  "{{#items}}\n  {{>card}}\n{{/items}}\n</ul>\n{{/body}}"
                                  "{{/layout}}";

static char *thread_data_text(void)
{
    buf b = {0};
    buf_puts(&b, "{\"site\": \"S&P\", \"items\": [");
    for (int i = 0; i < 60; i++)
        buf_printf(&b,
                   "%s{\"headline\": \"story <%d>\", \"tags\": [\"t%d\", \"u\"], "
                   "\"kind\": \"%s\", \"score\": %d.5}",
                   i ? "," : "", i, i % 7, i % 3 ? "wide" : "narrow", i);
    buf_puts(&b, "]}");
    return buf_steal(&b);
}

static void test_concurrent_render(void **state)
{
    char *text = thread_data_text();
    json_t *data = parse_json(text);
    free(text);
    partials p1 = {thread_pairs, 0}, p2 = {thread_pairs, 0};
    mustache_set *ref_set = mustache_set_new(load_from, &p1);
    buf ref = {0};
    assert_int_equal(
        mustache_render(mustache_compile(ref_set, "page", thread_page, NULL), data, &ref),
        MUSTACHE_OK);
    /* the body block sits after two spaces, so its lines get them too */
    assert_non_null(strstr(ref.data,
                           "<h1>S&amp;P</h1>\n  \n  <ul>\n    <li>story &lt;0&gt; #t0 "
                           "#u [narrow 0.5]</li>\n    <li>story &lt;1&gt; #t1 #u [wide]"));
    assert_non_null(strstr(ref.data, "</li>\n  </ul>\n\n-- S&amp;P --\n"));
    /* a second set, so the threads also race to compile the dynamic partials on first use */
    mustache_set *set = mustache_set_new(load_from, &p2);
    mustache_template *t = mustache_compile(set, "page", thread_page, NULL);
    pthread_t th[4];
    thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (thread_job){t, data, ref.data, 0};
        assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].mismatches, 0);
    }
    assert_int_equal(p2.calls, p1.calls); /* each template loaded once */
    buf_free(&ref);
    json_decref(data);
    mustache_set_free(ref_set);
    mustache_set_free(set);
}

/* ---- hostile input --------------------------------------------------------------------- */

static char *repeat(const char *a, int n, const char *b, int m)
{
    buf out = {0};
    for (int i = 0; i < n; i++)
        buf_puts(&out, a);
    for (int i = 0; i < m; i++)
        buf_puts(&out, b);
    return buf_steal(&out);
}

static void test_hostile_nesting(void **state)
{
    char *deep = repeat("{{#a}}", 10000, "{{/a}}", 10000);
    assert_syntax_error(deep, 1, "nested deeper than 100");
    free(deep);
    char *ok = repeat("{{#a}}", MUSTACHE_MAX_NESTING, "{{/a}}", MUSTACHE_MAX_NESTING);
    char *out;
    assert_int_equal(render_with(NULL, ok, "{\"a\": true}", &out), MUSTACHE_OK);
    free(out);
    free(ok);
    char *inherit = repeat("{{<p}}{{$b}}", 5000, "", 0);
    assert_syntax_error(inherit, 1, "nested deeper");
    free(inherit);
}

/* {"a": [0, 0, ...] (n items), "s": "xxx..." (len bytes)} */
static char *list_data(int n, size_t len)
{
    buf b = {0};
    buf_puts(&b, "{\"a\": [0");
    for (int i = 1; i < n; i++)
        buf_puts(&b, ",0");
    buf_puts(&b, "], \"s\": \"");
    for (size_t i = 0; i < len; i++)
        buf_putc(&b, 'x');
    buf_puts(&b, "\"}");
    return buf_steal(&b);
}

/* Work that grows exponentially within the nesting limit (sections nested over lists) stops
 * at the step or output limit, quickly, with what was rendered so far. (Recursive partials
 * cannot do this: the first path to reach MUSTACHE_MAX_DEPTH ends the render.) */
static void test_hostile_blowup(void **state)
{
    char *out;
    /* sections nested over a list: 100^5 items */
    char *data = list_data(100, 1);
    char *tpl = repeat("{{#a}}", 5, "-{{/a}}", 5);
    assert_int_equal(render_with(NULL, tpl, data, &out), MUSTACHE_ERR_LIMIT);
    assert_true(strlen(out) <= (size_t)MUSTACHE_MAX_STEPS);
    free(out);
    free(tpl);
    free(data);
    /* a big value written for each of many items stops at the output limit */
    data = list_data(10000, 65536);
    assert_int_equal(render_with(NULL, "{{#a}}{{s}}{{/a}}", data, &out), MUSTACHE_ERR_LIMIT);
    size_t n = strlen(out);
    assert_true(n > (size_t)MUSTACHE_MAX_OUTPUT && n <= (size_t)MUSTACHE_MAX_OUTPUT + 65536);
    free(out);
    free(data);
}

static void test_hostile_unclosed(void **state)
{
    char *opens = repeat("{{", 10000, "", 0);
    assert_syntax_error(opens, 1, "unclosed tag");
    free(opens);
    char *half = repeat("x\n", 500, "{{{a}}", 1);
    assert_syntax_error(half, 501, "unclosed tag");
    free(half);
    assert_syntax_error("{{=| |=}}\n|#a|\n{{/a}}", 2, "unclosed section 'a' opened on line 2");
    assert_syntax_error("{{! never closed", 1, "unclosed tag");
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Mustache-flavoured noise: tag characters, names, whitespace and any non-NUL byte. */
static char *random_source(uint64_t *seed, size_t len)
{
    static const char *const bits[] = {"{{", "}}",   "{{{", "}}}", "#",   "^",         "/", ">",
                                       "<",  "$",    "!",   "=",   "&",   "*",         ".", " ",
                                       "\n", "\r\n", "a",   "b",   "x.y", "{{=| |=}}", "|", "\t"};
    buf b = {0};
    while (b.len < len) {
        uint64_t r = next_random(seed);
        if (r % 5 == 0)
            buf_putc(&b, (char)(1 + (r >> 8) % 255));
        else
            buf_puts(&b, bits[(r >> 8) % (sizeof bits / sizeof *bits)]);
    }
    return buf_steal(&b);
}

typedef struct {
    uint64_t seed;
} noise_loader;

static char *load_noise(void *data, const char *name)
{
    noise_loader *n = data;
    return random_source(&n->seed, 1 + next_random(&n->seed) % 64);
}

static void test_hostile_random(void **state)
{
    uint64_t seed = 0x9E3779B97F4A7C15u;
    json_t *data = parse_json("{\"a\": [1, {\"b\": \"a\"}, [true]], \"b\": \"x\", \"x\": {\"y\": "
                              "\"b\"}, \"*\": null, \"\": 1}");
    int compiled = 0;
    for (int i = 0; i < 3000; i++) {
        noise_loader nl = {seed + (uint64_t)i};
        mustache_set *set = mustache_set_new(load_noise, &nl);
        char *src = random_source(&seed, 1 + next_random(&seed) % 200);
        mustache_error err;
        mustache_template *t = mustache_compile(set, "noise", src, &err);
        if (t) {
            compiled++;
            buf out = {0};
            mustache_render(t, data, &out);
            buf_free(&out);
        } else {
            assert_true(err.line >= 1 && err.message[0]);
        }
        free(src);
        mustache_set_free(set);
    }
    assert_true(compiled > 0);
    json_decref(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_unclosed_section),
        cmocka_unit_test(test_error_mismatched_close),
        cmocka_unit_test(test_error_unclosed_tag),
        cmocka_unit_test(test_error_bad_delimiters),
        cmocka_unit_test(test_error_bad_names),
        cmocka_unit_test(test_error_in_partial),
        cmocka_unit_test(test_missing_partial_renders_empty),
        cmocka_unit_test(test_partials_compiled_at_load),
        cmocka_unit_test(test_recursive_partial_compiles_once),
        cmocka_unit_test(test_recompile_replaces_everywhere),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_layout_inheritance),
        cmocka_unit_test(test_concurrent_render),
        cmocka_unit_test(test_hostile_nesting),
        cmocka_unit_test(test_hostile_blowup),
        cmocka_unit_test(test_hostile_unclosed),
        cmocka_unit_test(test_hostile_random),
    };
    return cmocka_run_group_tests_name("mustache", tests, NULL, NULL);
}
