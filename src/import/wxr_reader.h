/* wxr_reader.h — reads a WordPress export (WXR 1.0-1.2: RSS 2.0 with the wp:, content:,
 * excerpt: and dc: namespaces) as a stream with libxml2's reader: one element of the channel at
 * a time (an <item>, a <wp:author>, a <wp:category> ...) is expanded into a small tree, handed
 * out, and freed when the next one is asked for, so a file of several gigabytes takes the
 * memory of its largest item. No network, no external entities, no DTD. The first fatal error
 * (malformed XML, a truncated file, bytes that are not UTF-8) ends the reading with a message
 * naming the line. */
#ifndef GAZETTE_IMPORT_WXR_READER_H
#define GAZETTE_IMPORT_WXR_READER_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "../core/arena.h"

typedef struct wxr_reader wxr_reader;

typedef enum {
    WXR_NS_NONE,    /* RSS's own elements: title, link, item, category ... */
    WXR_NS_WP,      /* http(s)://wordpress.org/export/1.x/ */
    WXR_NS_CONTENT, /* content:encoded */
    WXR_NS_EXCERPT, /* excerpt:encoded */
    WXR_NS_DC,      /* dc:creator */
    WXR_NS_OTHER,
} wxr_ns;

/* NULL with a message in err when the file cannot be opened. */
wxr_reader *wxr_open(const char *path, char *err, size_t errlen);
void wxr_close(wxr_reader *r);
/* The next element directly inside <channel>: 1 with *node (valid until the next call) and
 * *line (where it starts), 0 at the end of the file, -1 when reading stopped on an error
 * (wxr_error tells it). */
int wxr_next(wxr_reader *r, xmlNode **node, long *line);
/* "line 812: Input is not proper UTF-8 ..." once wxr_next returned -1; "" before. */
const char *wxr_error(const wxr_reader *r);
/* Bytes of the file read so far (for a progress bar). */
long long wxr_bytes_read(const wxr_reader *r);
/* The export's wp:wxr_version ("1.2"), once read; NULL before. */
const char *wxr_version(const wxr_reader *r);

wxr_ns wxr_node_ns(const xmlNode *n);
bool wxr_is(const xmlNode *n, wxr_ns ns, const char *name);
/* The text of n (CDATA included) as an arena string; "" for none. */
const char *wxr_text(arena *a, const xmlNode *n);
/* The text of parent's first child element ns:name, or NULL when there is none. */
const char *wxr_child(arena *a, const xmlNode *parent, wxr_ns ns, const char *name);

#endif
