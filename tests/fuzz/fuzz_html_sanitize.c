/* fuzz_html_sanitize.c — libFuzzer target for the HTML sanitiser (content_sanitize_html,
 * src/content/html_sanitize.c) and the WordPress body conversion (content_wordpress_to_html,
 * src/content/wordpress_body.c, via content_wordpress_to_html_attached: block comments,
 * [caption], [gallery] with and without ids, URL lines, paragraphs). The input
 * is the HTML / post body; both functions run on it. Checks: invalid UTF-8 is an error with a
 * message and valid UTF-8 never is (but for a tag with over 100 attributes); and every output
 * passes a strict reader of its own here, independent of libxml2: valid UTF-8; text has no raw '<'
 * or '>' and only the entities the sanitiser writes; every tag is an allowed element with allowed
 * attributes (no on*, no style), every value double-quoted; URL attributes have no scheme but http,
 * https, mailto, tel (an iframe's only https); void elements self-closed, every other element
 * closed in order, at most 100 deep. */
#include "../../src/content/content.h"
#include "../../src/content/html_sanitize.h"
#include "fuzz_check.h"

#include <ctype.h>
#include <strings.h>

static const char *const allowed_elements[] = {
    "p",     "h2",     "h3",     "h4",         "h5",      "h6",      "ul",    "ol",      "li",
    "dl",    "dt",     "dd",     "blockquote", "pre",     "code",    "kbd",   "samp",    "var",
    "em",    "strong", "b",      "i",          "u",       "s",       "del",   "ins",     "sub",
    "sup",   "small",  "mark",   "abbr",       "q",       "cite",    "time",  "address", "a",
    "span",  "div",    "figure", "figcaption", "details", "summary", "table", "caption", "thead",
    "tbody", "tfoot",  "tr",     "th",         "td",      "video",   "audio", "iframe",  "br",
    "wbr",   "hr",     "img",    "source",
};
static const char void_elements[] = " br wbr hr img source ";
static const char allowed_attrs[] =
    " href title src alt width height srcset sizes type cite datetime start reversed colspan "
    "rowspan scope poster allowfullscreen open class dir lang rel loading sandbox controls ";
static const char url_attrs[] = " href src cite poster srcset ";

static bool in_list(const char *list, const char *word, size_t n)
{
    for (const char *p = list; (p = strchr(p, ' ')) && p[1]; p++)
        if (strncmp(p + 1, word, n) == 0 && p[1 + n] == ' ') return true;
    return false;
}

static bool element_allowed(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof allowed_elements / sizeof allowed_elements[0]; i++)
        if (strlen(allowed_elements[i]) == n && memcmp(allowed_elements[i], name, n) == 0)
            return true;
    return false;
}

/* The length of the entity at s ('&'), 0 when it is not one the sanitiser writes. */
static size_t entity_len(const char *s, bool in_attr)
{
    static const char *const text_ents[] = {"&amp;", "&lt;", "&gt;"};
    static const char *const attr_ents[] = {"&quot;", "&#39;"};
    for (size_t i = 0; i < 3; i++)
        if (strncmp(s, text_ents[i], strlen(text_ents[i])) == 0) return strlen(text_ents[i]);
    for (size_t i = 0; in_attr && i < 2; i++)
        if (strncmp(s, attr_ents[i], strlen(attr_ents[i])) == 0) return strlen(attr_ents[i]);
    return 0;
}

/* One decoded URL is safe as a browser reads it (surrounding spaces and controls stripped, tabs
 * and newlines removed): its scheme, if any, is http, https, mailto or tel (https for an
 * iframe). */
static void check_one_url(bool iframe, const char *v, size_t n)
{
    while (n && (unsigned char)v[0] <= 0x20)
        v++, n--;
    while (n && (unsigned char)v[n - 1] <= 0x20)
        n--;
    char url[64];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < sizeof url; i++)
        if (v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
            url[o++] = (char)tolower((unsigned char)v[i]);
    url[o] = '\0';
    if (iframe) {
        FUZZ_CHECK(strncmp(url, "https://", 8) == 0);
        return;
    }
    size_t s = 0;
    if (isalpha((unsigned char)url[0]))
        while (isalnum((unsigned char)url[s]) || url[s] == '+' || url[s] == '-' || url[s] == '.')
            s++;
    if (s == 0 || url[s] != ':') return; /* relative */
    FUZZ_CHECK((s == 4 && memcmp(url, "http", 4) == 0) ||
               (s == 5 && memcmp(url, "https", 5) == 0) ||
               (s == 6 && memcmp(url, "mailto", 6) == 0) || (s == 3 && memcmp(url, "tel", 3) == 0));
}

static void check_url(const char *el, size_t el_len, const char *attr, const char *v, size_t n)
{
    bool iframe = el_len == 6 && memcmp(el, "iframe", 6) == 0 && strcmp(attr, "src") == 0;
    if (strcmp(attr, "srcset") != 0) {
        check_one_url(iframe, v, n);
        return;
    }
    for (size_t i = 0; i < n;) { /* "URL d, URL d": each candidate's URL */
        while (i < n && (v[i] == ' ' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ' ')
            i++;
        if (i > s) check_one_url(false, v + s, i - s);
        while (i < n && v[i] != ',')
            i++;
    }
}

/* Reads one tag at s[0] == '<'; returns its length. Pushes/pops the open-element stack. */
static size_t check_tag(const char *s, const char **stack, size_t *stack_len, size_t *depth)
{
    size_t i = 1;
    bool closing = s[i] == '/';
    if (closing) i++;
    size_t ns = i;
    while (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]))
        i++;
    size_t n = i - ns;
    FUZZ_CHECK(n > 0 && element_allowed(s + ns, n));
    bool is_void = in_list(void_elements, s + ns, n);
    if (closing) {
        FUZZ_CHECK(s[i] == '>' && !is_void);
        FUZZ_CHECK(*depth > 0);
        (*depth)--;
        FUZZ_CHECK(stack_len[*depth] == n && memcmp(stack[*depth], s + ns, n) == 0);
        return i + 1;
    }
    char attr[32];
    while (s[i] == ' ' && s[i + 1] != '/') {
        i++;
        size_t as = i;
        while (islower((unsigned char)s[i]))
            i++;
        size_t an = i - as;
        FUZZ_CHECK(an > 0 && an < sizeof attr);
        memcpy(attr, s + as, an);
        attr[an] = '\0';
        FUZZ_CHECK(in_list(allowed_attrs, attr, an));
        FUZZ_CHECK(strncmp(attr, "on", 2) != 0);
        FUZZ_CHECK(s[i] == '=' && s[i + 1] == '"');
        i += 2;
        /* the value, decoded into a small buffer for the URL check */
        char value[256];
        size_t vn = 0;
        while (s[i] != '"') {
            FUZZ_CHECK(s[i] != '\0' && s[i] != '<' && s[i] != '>' && s[i] != '\'');
            char c = s[i];
            size_t e = 1;
            if (c == '&') {
                e = entity_len(s + i, true);
                FUZZ_CHECK(e > 0);
                c = s[i + 1] == 'a'   ? '&'
                    : s[i + 1] == 'l' ? '<'
                    : s[i + 1] == 'g' ? '>'
                    : s[i + 1] == 'q' ? '"'
                                      : '\'';
            }
            if (vn + 1 < sizeof value) value[vn++] = c;
            i += e;
        }
        i++;
        if (in_list(url_attrs, attr, an)) check_url(s + ns, n, attr, value, vn);
    }
    if (is_void) {
        FUZZ_CHECK(strncmp(s + i, " />", 3) == 0);
        return i + 3;
    }
    FUZZ_CHECK(s[i] == '>');
    FUZZ_CHECK(*depth < 100);
    stack[*depth] = s + ns;
    stack_len[*depth] = n;
    (*depth)++;
    return i + 1;
}

static void check_output(const char *out)
{
    FUZZ_CHECK(content_utf8_valid(out, strlen(out)));
    const char *stack[100];
    size_t stack_len[100], depth = 0;
    for (size_t i = 0; out[i];) {
        if (out[i] == '<') {
            i += check_tag(out + i, stack, stack_len, &depth);
        } else if (out[i] == '&') {
            size_t e = entity_len(out + i, false);
            FUZZ_CHECK(e > 0);
            i += e;
        } else {
            FUZZ_CHECK(out[i] != '>');
            unsigned char c = (unsigned char)out[i];
            FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
            i++;
        }
    }
    FUZZ_CHECK(depth == 0);
}

/* Attachments for [gallery]: odd IDs exist, some with URLs and captions that need care. */
static bool lookup(void *ctx, long long id, const char **url, const char **caption,
                   const char **alt)
{
    (void)ctx;
    if (id % 2 == 0) return false;
    *url = id % 3 == 0 ? "javascript:alert(1)" : "https://example.com/a.jpg?x=1&y=\"2\"";
    *caption = id % 5 == 0 ? "<script>alert(1)</script> & \"caption\"" : NULL;
    *alt = id % 7 == 0 ? NULL : "<b>alt</b>";
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    bool valid = content_utf8_valid(in, size);
    arena *a = arena_new();
    char err[128] = "";
    char *out = content_sanitize_html(a, in, size, &content_html_default_policy, err, sizeof err);
    if (valid) {
        FUZZ_CHECK(out != NULL || strstr(err, "attributes") != NULL);
        if (out) check_output(out);
    } else {
        FUZZ_CHECK(out == NULL && err[0] != '\0');
    }
    err[0] = '\0';
    static const long long attached[] = {1, 2, 3, 15, 35};
    out = content_wordpress_to_html_attached(a, in, size, &content_html_default_policy, lookup,
                                             NULL, attached, 5, err, sizeof err);
    if (valid) {
        FUZZ_CHECK(out != NULL || strstr(err, "attributes") != NULL);
        if (out) check_output(out);
    } else {
        FUZZ_CHECK(out == NULL && err[0] != '\0');
    }
    arena_free(a);
    return 0;
}
