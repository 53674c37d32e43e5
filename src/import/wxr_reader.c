/* wxr_reader.c — the streaming WXR reader (wxr_reader.h) over libxml2's xmlTextReader: walks
 * to each element at depth 2 (rss > channel > element), expands it, hands it out, and skips
 * past it on the next call, which lets the reader free that subtree. Errors come through a
 * structured error handler that keeps the first fatal one with its line. */
#include "wxr_reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

struct wxr_reader {
    xmlTextReaderPtr reader;
    bool expanded; /* the last node handed out: skip its subtree before reading on */
    bool failed;
    char error[512];
    char version[16];
    bool have_version;
};

static void on_error(void *ctx, xmlErrorPtr e)
{
    wxr_reader *r = ctx;
    if (!e || e->level < XML_ERR_ERROR || r->error[0]) return;
    char message[400];
    snprintf(message, sizeof message, "%s", e->message ? e->message : "malformed XML");
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
        message[--n] = '\0';
    snprintf(r->error, sizeof r->error, "line %d: %s", e->line, message);
}

wxr_reader *wxr_open(const char *path, char *err, size_t errlen)
{
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    fclose(probe);
    wxr_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* no network, no DTD loading, no entity substitution (XML_PARSE_NOENT left out) */
    r->reader = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_COMPACT);
    if (!r->reader) {
        snprintf(err, errlen, "cannot read '%s' as XML", path);
        free(r);
        return NULL;
    }
    xmlTextReaderSetStructuredErrorHandler(r->reader, on_error, r);
    return r;
}

void wxr_close(wxr_reader *r)
{
    if (!r) return;
    xmlFreeTextReader(r->reader);
    free(r);
}

const char *wxr_error(const wxr_reader *r)
{
    return r->error;
}

long long wxr_bytes_read(const wxr_reader *r)
{
    long n = xmlTextReaderByteConsumed(r->reader);
    return n > 0 ? n : 0;
}

const char *wxr_version(const wxr_reader *r)
{
    return r->have_version ? r->version : NULL;
}

/* Ends the reading; within an element (started at line within, else 0) the message says that
 * element was not read. libxml2's multi-line messages are made one line. */
static int stop(wxr_reader *r, long within)
{
    r->failed = true;
    if (!r->error[0])
        snprintf(r->error, sizeof r->error,
                 "line %d: the file ends inside an element or is not XML",
                 xmlTextReaderGetParserLineNumber(r->reader));
    for (char *nl; (nl = strchr(r->error, '\n'));)
        *nl = ' ';
    if (within) {
        size_t n = strlen(r->error);
        snprintf(r->error + n, sizeof r->error - n,
                 " (the element starting at line %ld and everything after it were not read)",
                 within);
    }
    return -1;
}

int wxr_next(wxr_reader *r, xmlNode **node, long *line)
{
    *node = NULL;
    *line = 0;
    if (r->failed) return -1;
    for (;;) {
        int rc;
        if (r->expanded) {
            r->expanded = false;
            rc = xmlTextReaderNext(r->reader);
        } else {
            rc = xmlTextReaderRead(r->reader);
        }
        if (rc < 0 || r->error[0]) return stop(r, 0);
        if (rc == 0) return 0;
        if (xmlTextReaderNodeType(r->reader) != XML_READER_TYPE_ELEMENT ||
            xmlTextReaderDepth(r->reader) != 2)
            continue;
        xmlNode *current = xmlTextReaderCurrentNode(r->reader);
        long at = current ? (long)xmlGetLineNo(current) : 0;
        if (at <= 0) at = xmlTextReaderGetParserLineNumber(r->reader);
        xmlNode *n = xmlTextReaderExpand(r->reader);
        if (!n || r->error[0]) return stop(r, at);
        r->expanded = true;
        if (wxr_is(n, WXR_NS_WP, "wxr_version")) {
            xmlChar *v = xmlNodeGetContent(n);
            snprintf(r->version, sizeof r->version, "%s", v ? (const char *)v : "");
            xmlFree(v);
            r->have_version = true;
            continue;
        }
        *node = n;
        *line = at;
        return 1;
    }
}

wxr_ns wxr_node_ns(const xmlNode *n)
{
    if (!n->ns || !n->ns->href) return WXR_NS_NONE;
    const char *href = (const char *)n->ns->href;
    if (strncmp(href, "https://", 8) == 0)
        href += 8;
    else if (strncmp(href, "http://", 7) == 0)
        href += 7;
    if (strncmp(href, "wordpress.org/export/", 21) == 0) {
        size_t len = strlen(href);
        return len >= 9 && strcmp(href + len - 9, "/excerpt/") == 0 ? WXR_NS_EXCERPT : WXR_NS_WP;
    }
    if (strcmp(href, "purl.org/rss/1.0/modules/content/") == 0) return WXR_NS_CONTENT;
    if (strcmp(href, "purl.org/dc/elements/1.1/") == 0) return WXR_NS_DC;
    return WXR_NS_OTHER;
}

bool wxr_is(const xmlNode *n, wxr_ns ns, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && wxr_node_ns(n) == ns &&
           strcmp((const char *)n->name, name) == 0;
}

const char *wxr_text(arena *a, const xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    const char *out = arena_strdup(a, v ? (const char *)v : "");
    xmlFree(v);
    return out;
}

const char *wxr_child(arena *a, const xmlNode *parent, wxr_ns ns, const char *name)
{
    for (const xmlNode *c = parent->children; c; c = c->next)
        if (wxr_is(c, ns, name)) return wxr_text(a, c);
    return NULL;
}
