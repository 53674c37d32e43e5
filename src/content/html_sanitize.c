/* html_sanitize.c — the allow-list HTML sanitiser (content_sanitize_html): HTML from outside
 * (a WordPress export) is parsed by libxml2's HTML parser into a tree, and the tree is written
 * back out by us, element by element, keeping only what the tables below allow. libxml2 never
 * serialises anything: every text node and attribute value is escaped here.
 *
 * How an element is treated (table `elements`):
 *   KEEP    written with its allowed attributes, then its children, then its end tag;
 *   VOID    written as <name ... /> (br, hr, img, wbr, source), children ignored;
 *   EMBED   iframe: kept only when its src is https on a host of policy->embed_hosts, written
 *           empty (what a browser would show as fallback is dropped); otherwise dropped;
 *   DROP    dropped with everything inside (script, style, forms, svg, math, object ...);
 *   anything not in the table is unwrapped: its tag goes, its children stay.
 * Some names are renamed (h1 → h2, strike → s, tt → code, acronym → abbr). Comments,
 * processing instructions and the doctype are dropped. Elements nested deeper than
 * HTML_MAX_DEPTH kept elements are unwrapped, so the output never nests deeper than that; the
 * walk itself is iterative (libxml2's parent/next pointers), so no input can overflow the stack.
 *
 * Attributes: only those the element's entry lists plus the global dir, lang and class; every
 * on* handler, style, id, target ... is dropped. Values are checked by kind:
 *   URLs (href, src, cite, poster, srcset candidates): leading/trailing spaces and control
 *   characters stripped, tabs and newlines inside removed (as browsers do), then a URL with any
 *   other control character is refused; the scheme (a letter, then letters, digits, '+', '-'
 *   or '.', then ':', as a browser reads it) must be http or https (links also mailto and tel);
 *   no scheme means a relative URL or a #fragment, allowed. So javascript:, vbscript:, data: and
 * their entity- or whitespace-obfuscated spellings (libxml2 has already decoded &#x09; into a tab)
 *   never pass. An iframe src must be https://HOST/... with HOST (no port, no user) on the
 *   policy's list.
 *   numbers (width, height, colspan, rowspan, start): 1 to 5 digits.
 *   class: only tokens we give meaning to survive — align{left,right,center,none,wide,full},
 *   wp-caption, gallery, gallery-item, gallery-columns-N (N 1..9) — everything else is
 *   dropped, so imported markup cannot borrow the site's own classes.
 * Added attributes: a link to another site (http:, https:, //) gets
 * rel="noopener noreferrer nofollow"; img gets loading="lazy"; a kept iframe gets
 * sandbox="allow-scripts allow-same-origin allow-presentation" and loading="lazy"; video and
 * audio get controls.
 *
 * Also dropped: an img without a usable src, a p with nothing but whitespace in it.
 *
 * Text is written with & < > escaped; C0 control characters other than tab, newline and
 * carriage return, and U+FFFE / U+FFFF, are removed before parsing (libxml2 stops at them) and
 * again on output; attributes are always double-quoted with & < > " ' escaped. As no
 * raw-text element (script, style, textarea, title, xmp, iframe content ...) and no comment is
 * ever written, a browser parsing the output sees exactly the elements written here. */
#include "html_sanitize.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "../core/buf.h"
#include "content.h"

#define HTML_MAX_DEPTH 100
#define HTML_MAX_INPUT (16u << 20) /* 16 MiB: far above any real article */
/* libxml2 compares each attribute of a tag with all the earlier ones (quadratic): a tag with
 * 80 000 attributes takes half a minute. Real tags have a dozen at most. */
#define HTML_MAX_ATTRIBUTES 100

static const char *const default_embed_hosts[] = {
    "www.youtube.com",  "www.youtube-nocookie.com",
    "player.vimeo.com", "www.dailymotion.com",
    "w.soundcloud.com", "open.spotify.com",
    "embed.ted.com",    "video.wordpress.com",
    "bandcamp.com",     NULL,
};

const content_html_policy content_html_default_policy = {.embed_hosts = default_embed_hosts};

/* ---- the allow-list ------------------------------------------------------------------------ */

typedef enum { EL_UNWRAP = 0, EL_KEEP, EL_VOID, EL_EMBED, EL_DROP } element_kind;

typedef struct {
    const char *name;
    element_kind kind;
    const char *write_as; /* NULL: the same name */
    const char *attrs;    /* allowed attributes besides dir, lang, class: " a b c " */
} element_rule;

static const element_rule elements[] = {
    {"p", EL_KEEP, NULL, ""},
    {"h1", EL_KEEP, "h2", ""},
    {"h2", EL_KEEP, NULL, ""},
    {"h3", EL_KEEP, NULL, ""},
    {"h4", EL_KEEP, NULL, ""},
    {"h5", EL_KEEP, NULL, ""},
    {"h6", EL_KEEP, NULL, ""},
    {"ul", EL_KEEP, NULL, ""},
    {"ol", EL_KEEP, NULL, " start reversed "},
    {"li", EL_KEEP, NULL, ""},
    {"dl", EL_KEEP, NULL, ""},
    {"dt", EL_KEEP, NULL, ""},
    {"dd", EL_KEEP, NULL, ""},
    {"blockquote", EL_KEEP, NULL, " cite "},
    {"pre", EL_KEEP, NULL, ""},
    {"code", EL_KEEP, NULL, ""},
    {"tt", EL_KEEP, "code", ""},
    {"kbd", EL_KEEP, NULL, ""},
    {"samp", EL_KEEP, NULL, ""},
    {"var", EL_KEEP, NULL, ""},
    {"em", EL_KEEP, NULL, ""},
    {"strong", EL_KEEP, NULL, ""},
    {"b", EL_KEEP, NULL, ""},
    {"i", EL_KEEP, NULL, ""},
    {"u", EL_KEEP, NULL, ""},
    {"s", EL_KEEP, NULL, ""},
    {"strike", EL_KEEP, "s", ""},
    {"del", EL_KEEP, NULL, " cite datetime "},
    {"ins", EL_KEEP, NULL, " cite datetime "},
    {"sub", EL_KEEP, NULL, ""},
    {"sup", EL_KEEP, NULL, ""},
    {"small", EL_KEEP, NULL, ""},
    {"mark", EL_KEEP, NULL, ""},
    {"abbr", EL_KEEP, NULL, " title "},
    {"acronym", EL_KEEP, "abbr", " title "},
    {"q", EL_KEEP, NULL, " cite "},
    {"cite", EL_KEEP, NULL, ""},
    {"time", EL_KEEP, NULL, " datetime "},
    {"address", EL_KEEP, NULL, ""},
    {"a", EL_KEEP, NULL, " href title "},
    {"span", EL_KEEP, NULL, ""},
    {"div", EL_KEEP, NULL, ""},
    {"figure", EL_KEEP, NULL, ""},
    {"figcaption", EL_KEEP, NULL, ""},
    {"details", EL_KEEP, NULL, " open "},
    {"summary", EL_KEEP, NULL, ""},
    {"table", EL_KEEP, NULL, ""},
    {"caption", EL_KEEP, NULL, ""},
    {"thead", EL_KEEP, NULL, ""},
    {"tbody", EL_KEEP, NULL, ""},
    {"tfoot", EL_KEEP, NULL, ""},
    {"tr", EL_KEEP, NULL, ""},
    {"th", EL_KEEP, NULL, " colspan rowspan scope "},
    {"td", EL_KEEP, NULL, " colspan rowspan "},
    {"video", EL_KEEP, NULL, " src poster width height "},
    {"audio", EL_KEEP, NULL, " src "},
    {"br", EL_VOID, NULL, ""},
    {"wbr", EL_VOID, NULL, ""},
    {"hr", EL_VOID, NULL, ""},
    {"img", EL_VOID, NULL, " src alt title width height srcset sizes "},
    {"source", EL_VOID, NULL, " src type "},
    {"iframe", EL_EMBED, NULL, " src width height title allowfullscreen "},
    /* dropped with everything inside */
    {"script", EL_DROP, NULL, ""},
    {"style", EL_DROP, NULL, ""},
    {"noscript", EL_DROP, NULL, ""},
    {"template", EL_DROP, NULL, ""},
    {"object", EL_DROP, NULL, ""},
    {"embed", EL_DROP, NULL, ""},
    {"applet", EL_DROP, NULL, ""},
    {"param", EL_DROP, NULL, ""},
    {"form", EL_DROP, NULL, ""},
    {"input", EL_DROP, NULL, ""},
    {"button", EL_DROP, NULL, ""},
    {"select", EL_DROP, NULL, ""},
    {"option", EL_DROP, NULL, ""},
    {"optgroup", EL_DROP, NULL, ""},
    {"textarea", EL_DROP, NULL, ""},
    {"datalist", EL_DROP, NULL, ""},
    {"output", EL_DROP, NULL, ""},
    {"fieldset", EL_DROP, NULL, ""},
    {"keygen", EL_DROP, NULL, ""},
    {"svg", EL_DROP, NULL, ""},
    {"math", EL_DROP, NULL, ""},
    {"head", EL_DROP, NULL, ""},
    {"title", EL_DROP, NULL, ""},
    {"meta", EL_DROP, NULL, ""},
    {"link", EL_DROP, NULL, ""},
    {"base", EL_DROP, NULL, ""},
    {"frame", EL_DROP, NULL, ""},
    {"frameset", EL_DROP, NULL, ""},
    {"noframes", EL_DROP, NULL, ""},
    {"noembed", EL_DROP, NULL, ""},
    {"canvas", EL_DROP, NULL, ""},
    {"track", EL_DROP, NULL, ""},
    {"area", EL_DROP, NULL, ""},
    {"portal", EL_DROP, NULL, ""},
    {"dialog", EL_DROP, NULL, ""},
};

static const element_rule *element_find(const char *name)
{
    for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
        if (strcmp(elements[i].name, name) == 0) return &elements[i];
    return NULL;
}

static bool attr_listed(const element_rule *rule, const char *attr)
{
    size_t n = strlen(attr);
    for (const char *p = strstr(rule->attrs, attr); p; p = strstr(p + 1, attr))
        if (p[-1] == ' ' && p[n] == ' ') return true;
    return false;
}

/* ---- value checks -------------------------------------------------------------------------- */

typedef enum { URL_LINK, URL_MEDIA, URL_EMBED } url_kind;

/* The URL as a browser would read it (surrounding spaces and controls stripped, tabs and
 * newlines removed), or NULL when it has another control character. */
static char *url_clean(arena *a, const char *v)
{
    size_t n = strlen(v), start = 0;
    while (start < n && (unsigned char)v[start] <= 0x20)
        start++;
    while (n > start && (unsigned char)v[n - 1] <= 0x20)
        n--;
    char *out = arena_alloc(a, n - start + 1), *o = out;
    for (size_t i = start; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\t' || c == '\n' || c == '\r') continue;
        if (c < 0x20 || c == 0x7f) return NULL;
        *o++ = (char)c;
    }
    *o = '\0';
    return out;
}

/* Length of the scheme of url (before its ':'), 0 when it has none (relative URL). */
static size_t url_scheme_len(const char *url)
{
    if (!isalpha((unsigned char)url[0])) return 0;
    size_t i = 1;
    while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.')
        i++;
    return url[i] == ':' ? i : 0;
}

static bool scheme_is(const char *url, size_t len, const char *scheme)
{
    return strlen(scheme) == len && strncasecmp(url, scheme, len) == 0;
}

/* Whether the host of an https URL is on the policy's list. */
static bool embed_host_allowed(const char *url, const content_html_policy *policy)
{
    if (strncasecmp(url, "https://", 8) != 0 || !policy || !policy->embed_hosts) return false;
    const char *host = url + 8;
    size_t n = strcspn(host, "/?#");
    for (size_t i = 0; i < n; i++)
        if (host[i] == '@' || host[i] == ':' || host[i] == '\\') return false;
    for (const char *const *h = policy->embed_hosts; *h; h++)
        if (strlen(*h) == n && n > 0 && strncasecmp(host, *h, n) == 0) return true;
    return false;
}

/* The cleaned URL when it is allowed for its kind, NULL when not. */
static char *url_check(arena *a, const char *value, url_kind kind,
                       const content_html_policy *policy)
{
    char *url = url_clean(a, value);
    if (!url) return NULL;
    if (kind == URL_EMBED) return embed_host_allowed(url, policy) ? url : NULL;
    size_t s = url_scheme_len(url);
    if (s == 0) return url; /* relative, //host/..., #fragment, or empty */
    if (scheme_is(url, s, "http") || scheme_is(url, s, "https")) return url;
    if (kind == URL_LINK && (scheme_is(url, s, "mailto") || scheme_is(url, s, "tel"))) return url;
    return NULL;
}

/* A link to another site: http(s), or a scheme-relative //host (browsers read \ as /). */
static bool url_is_external(const char *url)
{
    size_t s = url_scheme_len(url);
    if (s) return scheme_is(url, s, "http") || scheme_is(url, s, "https");
    return (url[0] == '/' || url[0] == '\\') && (url[1] == '/' || url[1] == '\\');
}

static bool is_number(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 5) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)v[i])) return false;
    return true;
}

/* Only the characters a language tag, a MIME type or a date needs. */
static bool is_token(const char *v, const char *extra)
{
    if (!*v || strlen(v) > 200) return false;
    for (; *v; v++)
        if (!isalnum((unsigned char)*v) && !strchr(extra, *v)) return false;
    return true;
}

static bool class_token_allowed(const char *t, size_t n)
{
    static const char *const fixed[] = {"alignleft",  "alignright", "aligncenter",
                                        "alignnone",  "alignwide",  "alignfull",
                                        "wp-caption", "gallery",    "gallery-item"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strlen(fixed[i]) == n && memcmp(t, fixed[i], n) == 0) return true;
    return n == 17 && memcmp(t, "gallery-columns-", 16) == 0 && t[16] >= '1' && t[16] <= '9';
}

/* The allowed tokens of a class attribute, space-separated, or NULL when none is. */
static char *class_filter(arena *a, const char *v)
{
    buf out = {0};
    while (*v) {
        size_t skip = strspn(v, " \t\n\r\f");
        v += skip;
        size_t n = strcspn(v, " \t\n\r\f");
        if (n && class_token_allowed(v, n)) {
            if (out.len) buf_putc(&out, ' ');
            buf_append(&out, v, n);
        }
        v += n;
    }
    char *res = out.len ? arena_strdup(a, out.data) : NULL;
    buf_free(&out);
    return res;
}

/* A srcset whose every candidate is "URL" or "URL <number>w|x" with an allowed image URL,
 * rebuilt as "URL d, URL d"; NULL when any candidate is not. */
static char *srcset_check(arena *a, const char *v)
{
    buf out = {0};
    bool ok = true;
    const char *p = v;
    for (;;) {
        p += strspn(p, " \t\n\r\f,");
        if (!*p) break;
        size_t n = strcspn(p, " \t\n\r\f");
        while (n > 0 && p[n - 1] == ',')
            n--;
        char *url = url_check(a, arena_strndup(a, p, n), URL_MEDIA, NULL);
        p += n;
        p += strspn(p, " \t\n\r\f");
        size_t d = strcspn(p, ",");
        while (d > 0 && strchr(" \t\n\r\f", p[d - 1]))
            d--;
        bool desc_ok = d == 0;
        if (d > 1 && d < 12 && (p[d - 1] == 'w' || p[d - 1] == 'x')) {
            desc_ok = true;
            for (size_t i = 0; i < d - 1; i++)
                if (!isdigit((unsigned char)p[i]) && p[i] != '.') desc_ok = false;
        }
        if (!url || !*url || !desc_ok) {
            ok = false;
            break;
        }
        if (out.len) buf_puts(&out, ", ");
        buf_puts(&out, url);
        if (d) {
            buf_putc(&out, ' ');
            buf_append(&out, p, d);
        }
        p += d;
    }
    char *res = ok && out.len ? arena_strdup(a, out.data) : NULL;
    buf_free(&out);
    return res;
}

/* ---- writing ------------------------------------------------------------------------------- */

typedef struct {
    arena *a;
    buf out;
    const content_html_policy *policy;
    int depth; /* kept elements open */
} sanitizer;

/* Whether a node was written with its tags: libxml2 leaves _private to the application. */
static char kept_mark;

/* Appends t escaped: & < > always, " and ' too in an attribute value. Left out: C0 control
 * characters other than tab, LF and CR, and U+FFFE / U+FFFF (none is allowed in XML, and the
 * output may end up in a feed). */
static void put_escaped(buf *out, const char *t, bool attr)
{
    for (; *t; t++) {
        unsigned char c = (unsigned char)*t;
        if (c == '&')
            buf_puts(out, "&amp;");
        else if (c == '<')
            buf_puts(out, "&lt;");
        else if (c == '>')
            buf_puts(out, "&gt;");
        else if (attr && c == '"')
            buf_puts(out, "&quot;");
        else if (attr && c == '\'')
            buf_puts(out, "&#39;");
        else if (c == 0xEF && (unsigned char)t[1] == 0xBF &&
                 ((unsigned char)t[2] == 0xBE || (unsigned char)t[2] == 0xBF))
            t += 2;
        else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
            buf_putc(out, (char)c);
    }
}

static void put_attr(sanitizer *s, const char *name, const char *value)
{
    buf_putc(&s->out, ' ');
    buf_puts(&s->out, name);
    buf_puts(&s->out, "=\"");
    put_escaped(&s->out, value, true);
    buf_putc(&s->out, '"');
}

/* The decoded value of an attribute (libxml2 keeps it as text children). */
static char *attr_value(arena *a, xmlAttr *attr)
{
    buf v = {0};
    for (xmlNode *t = attr->children; t; t = t->next)
        if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
            buf_puts(&v, (const char *)t->content);
    char *res = arena_strdup(a, v.data ? v.data : "");
    buf_free(&v);
    return res;
}

static xmlAttr *find_attr(xmlNode *el, const char *name)
{
    for (xmlAttr *attr = el->properties; attr; attr = attr->next)
        if (attr->name && strcasecmp((const char *)attr->name, name) == 0) return attr;
    return NULL;
}

/* The checked value of one attribute of el, or NULL when it is not to be written. */
static const char *attr_checked(sanitizer *s, const char *el, const char *name, const char *v)
{
    if (strcmp(name, "href") == 0) {
        const char *url = url_check(s->a, v, URL_LINK, s->policy);
        return url && *url ? url : NULL;
    }
    if (strcmp(name, "cite") == 0 || strcmp(name, "poster") == 0)
        return url_check(s->a, v, URL_MEDIA, s->policy);
    if (strcmp(name, "src") == 0) {
        const char *url =
            url_check(s->a, v, strcmp(el, "iframe") == 0 ? URL_EMBED : URL_MEDIA, s->policy);
        return url && *url ? url : NULL;
    }
    if (strcmp(name, "srcset") == 0) return srcset_check(s->a, v);
    if (strcmp(name, "width") == 0 || strcmp(name, "height") == 0 || strcmp(name, "start") == 0 ||
        strcmp(name, "colspan") == 0 || strcmp(name, "rowspan") == 0)
        return is_number(v) ? v : NULL;
    if (strcmp(name, "class") == 0) return class_filter(s->a, v);
    if (strcmp(name, "dir") == 0)
        return strcasecmp(v, "ltr") == 0 || strcasecmp(v, "rtl") == 0 || strcasecmp(v, "auto") == 0
                   ? v
                   : NULL;
    if (strcmp(name, "lang") == 0) return is_token(v, "-") ? v : NULL;
    if (strcmp(name, "type") == 0) return is_token(v, "/+.-") ? v : NULL;
    if (strcmp(name, "datetime") == 0) return is_token(v, "-:.+TZ ") ? v : NULL;
    if (strcmp(name, "scope") == 0)
        return strcmp(v, "row") == 0 || strcmp(v, "col") == 0 || strcmp(v, "rowgroup") == 0 ||
                       strcmp(v, "colgroup") == 0
                   ? v
                   : NULL;
    if (strcmp(name, "sizes") == 0) return is_token(v, " (),.:%-") ? v : NULL;
    if (strcmp(name, "allowfullscreen") == 0 || strcmp(name, "open") == 0 ||
        strcmp(name, "reversed") == 0)
        return "";
    return v; /* alt, title: any text, escaped when written */
}

static void put_start_tag(sanitizer *s, xmlNode *el, const element_rule *rule)
{
    const char *name = rule->write_as ? rule->write_as : rule->name;
    buf_putc(&s->out, '<');
    buf_puts(&s->out, name);
    const char *href = NULL;
    for (xmlAttr *attr = el->properties; attr; attr = attr->next) {
        char *an = arena_strdup(s->a, attr->name ? (const char *)attr->name : "");
        for (char *c = an; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        if (strcmp(an, "dir") != 0 && strcmp(an, "lang") != 0 && strcmp(an, "class") != 0 &&
            !attr_listed(rule, an))
            continue;
        if (find_attr(el, an) != attr) continue; /* a repeated attribute: the first counts */
        const char *v = attr_checked(s, rule->name, an, attr_value(s->a, attr));
        if (!v) continue;
        put_attr(s, an, v);
        if (strcmp(an, "href") == 0) href = v;
    }
    if (href && url_is_external(href)) put_attr(s, "rel", "noopener noreferrer nofollow");
    if (strcmp(name, "img") == 0 || strcmp(name, "iframe") == 0) put_attr(s, "loading", "lazy");
    if (strcmp(name, "iframe") == 0)
        put_attr(s, "sandbox", "allow-scripts allow-same-origin allow-presentation");
    if (strcmp(name, "video") == 0 || strcmp(name, "audio") == 0) put_attr(s, "controls", "");
    buf_puts(&s->out, rule->kind == EL_VOID ? " />" : ">");
}

static void put_end_tag(sanitizer *s, const element_rule *rule)
{
    buf_puts(&s->out, "</");
    buf_puts(&s->out, rule->write_as ? rule->write_as : rule->name);
    buf_putc(&s->out, '>');
}

/* Whether el has a child element or text other than whitespace (an empty <p> is dropped). */
static bool has_content(xmlNode *el)
{
    for (xmlNode *c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) return true;
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content &&
            ((const char *)c->content)[strspn((const char *)c->content, " \t\r\n")] != '\0')
            return true;
    }
    return false;
}

/* What to do with element el, given its rule (NULL: not in the table). */
static element_kind element_decide(sanitizer *s, xmlNode *el, const element_rule *rule)
{
    if (!rule) return EL_UNWRAP;
    if (rule->kind == EL_DROP) return EL_DROP;
    if (rule->kind == EL_EMBED) {
        xmlAttr *src = find_attr(el, "src");
        if (!src || !url_check(s->a, attr_value(s->a, src), URL_EMBED, s->policy)) return EL_DROP;
    }
    if (strcmp(rule->name, "source") == 0) {
        /* only as the source of a video or audio element we kept (libxml2 nests a second
         * source inside the first: look past them) */
        xmlNode *p = el->parent;
        while (p && p->name &&
               (strcasecmp((const char *)p->name, "source") == 0 ||
                strcasecmp((const char *)p->name, "track") == 0))
            p = p->parent;
        bool ok = p && p->_private == &kept_mark && p->name &&
                  (strcasecmp((const char *)p->name, "video") == 0 ||
                   strcasecmp((const char *)p->name, "audio") == 0);
        xmlAttr *src = find_attr(el, "src");
        if (!ok || !src || !url_check(s->a, attr_value(s->a, src), URL_MEDIA, s->policy))
            return EL_DROP;
    }
    if (strcmp(rule->name, "img") == 0) {
        xmlAttr *src = find_attr(el, "src");
        const char *url = src ? url_check(s->a, attr_value(s->a, src), URL_MEDIA, s->policy) : NULL;
        if (!url || !*url) return EL_DROP; /* an image with nothing to show */
    }
    if (rule->kind == EL_VOID) return EL_VOID;
    if (strcmp(rule->name, "p") == 0 && !has_content(el)) return EL_DROP;
    if (s->depth >= HTML_MAX_DEPTH) return EL_UNWRAP;
    return rule->kind;
}

/* Elements HTML5 defines as void. libxml2's parser knows HTML4 only: after <source>, <track>,
 * <wbr>, <embed> ... it nests what follows inside them, so their "children" are really the
 * content after them and are walked whether the element itself is kept or dropped. */
static bool html5_void(const char *name)
{
    static const char list[] =
        " area base br col embed hr img input keygen link meta param source track wbr ";
    size_t n = strlen(name);
    for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
        if (p[-1] == ' ' && p[n] == ' ') return true;
    return false;
}

/* Handles node on the way down; returns whether to descend into its children. */
static bool enter_node(sanitizer *s, xmlNode *node)
{
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
        if (node->content) put_escaped(&s->out, (const char *)node->content, false);
        return false;
    }
    if (node->type != XML_ELEMENT_NODE || !node->name) return false; /* comments, PIs, DTD */
    char *name = arena_strdup(s->a, (const char *)node->name);
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    const element_rule *rule = element_find(name);
    switch (element_decide(s, node, rule)) {
    case EL_DROP:
        return html5_void(name);
    case EL_VOID:
        put_start_tag(s, node, rule);
        return html5_void(name);
    case EL_EMBED:
        put_start_tag(s, node, rule);
        put_end_tag(s, rule);
        return false;
    case EL_KEEP:
        put_start_tag(s, node, rule);
        node->_private = &kept_mark;
        s->depth++;
        return true;
    case EL_UNWRAP:
    default:
        return true;
    }
}

static void leave_node(sanitizer *s, xmlNode *node)
{
    if (node->_private != &kept_mark) return;
    char *name = arena_strdup(s->a, (const char *)node->name);
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    put_end_tag(s, element_find(name));
    s->depth--;
}

/* Depth-first over the children of top, without recursion. */
static void walk(sanitizer *s, xmlNode *top)
{
    xmlNode *node = top->children;
    while (node) {
        if (enter_node(s, node) && node->children) {
            node = node->children;
            continue;
        }
        leave_node(s, node);
        while (!node->next) {
            node = node->parent;
            if (!node || node == top) return;
            leave_node(s, node);
        }
        node = node->next;
    }
}

/* ---- the attribute bound ------------------------------------------------------------------- */

/* Whether some tag of html has more than HTML_MAX_ATTRIBUTES attributes, read the way libxml2's
 * htmlParseStartTag reads them: after "<name", blanks, then a name, optionally '=' and a value
 * that is quoted (to the same quote) or runs to a blank or '>'; a character that cannot start a
 * name is skipped to the next blank. Everything else (text, comments, end tags) just moves on,
 * which can only count more, never fewer. */
static bool too_many_attributes(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt) return false;
        i = (size_t)(lt - s) + 1;
        if (i >= n || !isalpha((unsigned char)s[i])) continue;
        while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>' && s[i] != '/')
            i++;
        size_t count = 0;
        for (;;) {
            while (i < n && isspace((unsigned char)s[i]))
                i++;
            if (i >= n || s[i] == '>' || (s[i] == '/' && i + 1 < n && s[i + 1] == '>')) break;
            if (++count > HTML_MAX_ATTRIBUTES) return true;
            while (i < n && !isspace((unsigned char)s[i]) && s[i] != '=' && s[i] != '>')
                i++;
            while (i < n && isspace((unsigned char)s[i]))
                i++;
            if (i >= n || s[i] != '=') continue;
            i++;
            while (i < n && isspace((unsigned char)s[i]))
                i++;
            if (i < n && (s[i] == '"' || s[i] == '\'')) {
                const char *q = memchr(s + i + 1, s[i], n - i - 1);
                i = q ? (size_t)(q - s) + 1 : n;
            } else {
                while (i < n && !isspace((unsigned char)s[i]) && s[i] != '>')
                    i++;
            }
        }
    }
    return false;
}

/* ---- the entry point ----------------------------------------------------------------------- */

static const char wrap_open[] = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>";
static const char wrap_close[] = "</body></html>";

/* The fragment inside a document of our own, without the characters XML does not allow: C0
 * controls but tab, LF, CR (form feed becomes a space) and U+FFFE, U+FFFF. libxml2 would stop
 * reading at them, losing the rest of the text. */
static void fragment_as_document(const char *html, size_t len, buf *doc_text)
{
    buf_puts(doc_text, wrap_open);
    for (size_t i = 0, start = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)html[i] : 0;
        size_t skip = 0;
        if (i == len || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
            skip = 1;
        else if (c == 0xEF && i + 2 < len && (unsigned char)html[i + 1] == 0xBF &&
                 ((unsigned char)html[i + 2] & 0xFE) == 0xBE)
            skip = 3;
        if (!skip) continue;
        buf_append(doc_text, html + start, i - start);
        if (c == '\f') buf_putc(doc_text, ' ');
        i += skip - 1;
        start = i + 1;
    }
    buf_puts(doc_text, wrap_close);
}

char *content_sanitize_html(arena *a, const char *html, size_t len,
                            const content_html_policy *policy, char *err, size_t errlen)
{
    if (!html) html = "";
    if (!content_utf8_valid(html, len)) {
        snprintf(err, errlen, "the HTML is not valid UTF-8");
        return NULL;
    }
    if (len > HTML_MAX_INPUT) {
        snprintf(err, errlen, "the HTML is too large (%zu bytes; at most %u)", len, HTML_MAX_INPUT);
        return NULL;
    }
    if (too_many_attributes(html, len)) {
        snprintf(err, errlen, "the HTML has a tag with more than %d attributes",
                 HTML_MAX_ATTRIBUTES);
        return NULL;
    }
    buf doc_text = {0};
    fragment_as_document(html, len, &doc_text);

    xmlInitParser();
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        buf_free(&doc_text);
        snprintf(err, errlen, "cannot make an HTML parser (out of memory?)");
        return NULL;
    }
    htmlDocPtr doc =
        htmlCtxtReadMemory(ctxt, doc_text.data, (int)doc_text.len, NULL, "UTF-8",
                           HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                               HTML_PARSE_NODEFDTD | HTML_PARSE_IGNORE_ENC);
    buf_free(&doc_text);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        if (doc) xmlFreeDoc(doc);
        htmlFreeParserCtxt(ctxt);
        snprintf(err, errlen, "libxml2 could not parse the HTML");
        return NULL;
    }
    sanitizer s = {.a = a, .policy = policy};
    buf_puts(&s.out, ""); /* never NULL data, even for empty output */
    /* html and body are not in the table (unwrapped), head is dropped */
    if (enter_node(&s, root)) walk(&s, root);
    leave_node(&s, root);
    char *res = arena_strndup(a, s.out.data, s.out.len);
    buf_free(&s.out);
    xmlFreeDoc(doc);
    htmlFreeParserCtxt(ctxt);
    return res;
}
