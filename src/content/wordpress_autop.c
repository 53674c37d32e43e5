/* wordpress_autop.c — WordPress's paragraphs (wpautop) for classic-editor post bodies, the
 * third step of content_wordpress_to_html (src/content/wordpress_body.c): text written with
 * blank lines between paragraphs and plain newlines inside them becomes <p> and <br />.
 * Rules:
 *    - Block-level tags (p, div, h1-h6, lists, tables, blockquote, figure, hr, section ...)
 *      cut the body into runs of inline content (text, inline tags, comments).
 *    - At the top level and directly inside <blockquote>, a run is cut at blank lines into
 *      paragraphs, each wrapped in <p>...</p>.
 *    - Inside other containers of flow content (div, li, dd, td, th, figure, section ...) a run
 *      is cut into paragraphs only when it has a blank line in it; otherwise it stays inline.
 *    - Within a paragraph or a run left inline (also inside p, headings, dt, figcaption ...),
 *      a newline becomes <br /> (not one right after a <br>); newlines at either end of a run,
 *      next to a block tag, stay plain whitespace.
 *    - Between table rows and list items (table, tr, ul, ol, dl ...) text is left alone.
 *    - pre, script, style, textarea, svg, math, iframe, template and xmp elements are copied
 *      as they are; so are the insides of tags (newlines in attribute values) and comments.
 *    - A run holding nothing visible (whitespace, comments such as <!--more-->) makes no
 *      paragraph.
 * The output is not made safe here: content_sanitize_html runs after. */
#include "wordpress_autop.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markup_scan.h"

static const char block_tags[] =
    " address article aside blockquote caption col colgroup dd details div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main map menu "
    "nav ol p section summary table tbody td tfoot th thead tr ul ";
static const char void_block_tags[] = " hr col ";
static const char raw_tags[] = " pre script style textarea svg math iframe template xmp ";
/* Containers where runs become paragraphs only when they hold a blank line. */
static const char flow_containers[] = " article aside dd details div fieldset figure footer form "
                                      "header li main nav section td th ";
/* Containers whose text is left alone. */
static const char text_free_containers[] =
    " table thead tbody tfoot tr ul ol dl colgroup hgroup menu map ";

/* A run of inline content: its bytes and, per byte, whether it is inside a tag or comment. */
typedef struct {
    buf text, in_tag;
} inline_run;

static void run_add(inline_run *r, const char *s, size_t n, bool in_tag)
{
    buf_append(&r->text, s, n);
    for (size_t i = 0; i < n; i++)
        buf_putc(&r->in_tag, in_tag ? 1 : 0);
}

/* Whether r[from..to) holds something a reader sees: text or a tag that is not a comment. */
static bool run_visible(const inline_run *r, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        char c = r->text.data[i];
        if (r->in_tag.data[i]) {
            if (c == '<' && !markup_starts_with_ci(r->text.data + i, to - i, "<!--")) return true;
            continue;
        }
        if (!isspace((unsigned char)c)) return true;
    }
    return false;
}

/* Whether the text before position i (ignoring spaces) ends with a <br> tag. */
static bool after_br(const inline_run *r, size_t from, size_t i)
{
    while (i > from && (r->text.data[i - 1] == ' ' || r->text.data[i - 1] == '\t'))
        i--;
    if (i == from || r->text.data[i - 1] != '>' || !r->in_tag.data[i - 1]) return false;
    size_t lt = i - 1;
    while (lt > from && r->text.data[lt] != '<')
        lt--;
    char name[8];
    bool closing;
    markup_tag_name(r->text.data + lt, i - lt, name, sizeof name, &closing);
    return !closing && strcmp(name, "br") == 0;
}

/* r[from..to) with every newline outside tags turned into <br /> (blank lines into one). */
static void put_with_breaks(const inline_run *r, size_t from, size_t to, buf *out)
{
    for (size_t i = from; i < to; i++) {
        char c = r->text.data[i];
        if (c != '\n' || r->in_tag.data[i]) {
            buf_putc(out, c);
            continue;
        }
        size_t j = i;
        while (j < to && !r->in_tag.data[j] && isspace((unsigned char)r->text.data[j]))
            j++;
        if (!after_br(r, from, i)) buf_puts(out, "<br />");
        buf_putc(out, '\n');
        i = j - 1;
    }
}

/* Trims whitespace outside tags off both ends of [*from, *to). */
static void run_trim(const inline_run *r, size_t *from, size_t *to)
{
    while (*from < *to && !r->in_tag.data[*from] && isspace((unsigned char)r->text.data[*from]))
        (*from)++;
    while (*to > *from && !r->in_tag.data[*to - 1] && isspace((unsigned char)r->text.data[*to - 1]))
        (*to)--;
}

/* End of the blank line starting at i (a newline, spaces, a newline ...), or i when none. */
static size_t blank_line_end(const inline_run *r, size_t i, size_t to)
{
    if (r->text.data[i] != '\n' || r->in_tag.data[i]) return i;
    size_t j = i + 1, newlines = 1;
    while (j < to && !r->in_tag.data[j] && isspace((unsigned char)r->text.data[j]))
        newlines += r->text.data[j++] == '\n';
    return newlines >= 2 ? j : i;
}

static bool run_has_blank_line(const inline_run *r, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (blank_line_end(r, i, to) != i) return true;
    return false;
}

static void put_paragraphs(const inline_run *r, size_t from, size_t to, buf *out)
{
    size_t start = from, i = from;
    for (;;) {
        size_t e = i < to ? blank_line_end(r, i, to) : i;
        if (i < to && e == i) {
            i++;
            continue;
        }
        size_t ps = start, pe = i; /* one paragraph: [start, i) */
        run_trim(r, &ps, &pe);
        if (run_visible(r, ps, pe)) {
            buf_puts(out, "<p>");
            put_with_breaks(r, ps, pe, out);
            buf_puts(out, "</p>\n");
        } else if (pe > ps) {
            buf_append(out, r->text.data + ps, pe - ps);
            buf_putc(out, '\n');
        }
        if (i >= to) return;
        start = i = e;
    }
}

static void flush_run(inline_run *r, const char *container, buf *out)
{
    size_t from = 0, to = r->text.len;
    if (to == 0) return;
    if (!run_visible(r, from, to) ||
        (container && markup_word_in(container, text_free_containers))) {
        buf_append(out, r->text.data, r->text.len);
    } else {
        size_t ts = from, te = to;
        run_trim(r, &ts, &te);
        bool paragraphs =
            !container || strcmp(container, "blockquote") == 0 ||
            (markup_word_in(container, flow_containers) && run_has_blank_line(r, ts, te));
        buf_append(out, r->text.data, ts); /* whitespace next to the block tag stays */
        if (paragraphs)
            put_paragraphs(r, ts, te, out);
        else
            put_with_breaks(r, ts, te, out);
        buf_append(out, r->text.data + te, to - te);
    }
    r->text.len = r->in_tag.len = 0;
}

#define AUTOP_MAX_STACK 256

typedef struct {
    char names[AUTOP_MAX_STACK][16];
    size_t n;
} block_stack;

static const char *stack_top(const block_stack *st)
{
    return st->n ? st->names[st->n - 1] : NULL;
}

static void stack_close(block_stack *st, const char *name)
{
    for (size_t i = st->n; i > 0; i--)
        if (strcmp(st->names[i - 1], name) == 0) {
            st->n = i - 1;
            return;
        }
}

/* Copies the raw element starting at s (tag length t) through its end tag; returns its length. */
static size_t raw_element_len(const char *s, size_t n, size_t t, const char *name)
{
    char end[24];
    snprintf(end, sizeof end, "</%s", name);
    size_t el = strlen(end);
    for (size_t i = t; i + el <= n; i++)
        if (s[i] == '<' && strncasecmp(s + i, end, el) == 0) {
            const char *gt = memchr(s + i, '>', n - i);
            return gt ? (size_t)(gt - s) + 1 : n;
        }
    return n;
}

void wordpress_autop(const char *s, size_t n, buf *out)
{
    inline_run run = {{0}, {0}};
    block_stack *st = calloc(1, sizeof *st);
    if (!st) abort();
    for (size_t i = 0; i < n;) {
        if (s[i] != '<') {
            const char *lt = memchr(s + i, '<', n - i);
            size_t next = lt ? (size_t)(lt - s) : n;
            run_add(&run, s + i, next - i, false);
            i = next;
            continue;
        }
        if (markup_starts_with_ci(s + i, n - i, "<!--")) {
            size_t e = markup_comment_end(s + i, n - i);
            run_add(&run, s + i, e, true);
            i += e;
            continue;
        }
        size_t t = markup_tag_end(s + i, n - i);
        if (!t) {
            run_add(&run, s + i, 1, false);
            i++;
            continue;
        }
        char name[16];
        bool closing;
        markup_tag_name(s + i, t, name, sizeof name, &closing);
        if (!closing && markup_word_in(name, raw_tags)) {
            flush_run(&run, stack_top(st), out);
            size_t e = raw_element_len(s + i, n - i, t, name);
            buf_append(out, s + i, e);
            i += e;
            continue;
        }
        if (!markup_word_in(name, block_tags)) {
            run_add(&run, s + i, t, true);
            i += t;
            continue;
        }
        flush_run(&run, stack_top(st), out);
        buf_append(out, s + i, t);
        if (closing)
            stack_close(st, name);
        else if (!markup_word_in(name, void_block_tags) && s[i + t - 2] != '/' &&
                 st->n < AUTOP_MAX_STACK)
            strcpy(st->names[st->n++], name);
        i += t;
    }
    flush_run(&run, stack_top(st), out);
    buf_free(&run.text);
    buf_free(&run.in_tag);
    free(st);
}
