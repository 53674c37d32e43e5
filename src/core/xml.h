/* xml.h — writing text into XML 1.0 documents (feeds, sitemaps): escaping, and cleaning text so
 * that whatever bytes a story holds, the document stays well formed. Shared by every feed and
 * sitemap the site writes. */
#ifndef GAZETTE_XML_H
#define GAZETTE_XML_H

#include "arena.h"
#include "buf.h"

/* s as valid UTF-8 that XML 1.0 accepts: bytes that are not UTF-8 become U+FFFD, characters
 * XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF) are dropped. An arena copy
 * ("" for NULL). Also what JSON output (Jansson refuses invalid UTF-8) is built from. */
char *xml_clean(arena *a, const char *s);
/* Appends s cleaned as xml_clean does, with & < > " ' escaped, and CR as &#13; (so that it
 * reads back as CR, not LF): good in text and in attribute values. NULL appends nothing. */
void xml_append_text(buf *out, const char *s);
/* Appends a time as RFC 822 (RSS: "Thu, 26 Oct 2023 09:30:00 +0000", 4-digit year) or RFC 3339
 * ("2023-10-26T09:30:00Z"), UTC. */
void xml_append_rfc822(buf *out, long long unix_seconds);
void xml_append_rfc3339(buf *out, long long unix_seconds);

#endif
