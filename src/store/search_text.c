/* search_text.c — a story's column as the full-text index holds it (search_text.h): the plain
 * text of HTML (content_excerpt with no limit), with the snippet markers turned into spaces. */
#include "search_text.h"

#include <stdint.h>
#include <string.h>

#include "../content/content.h"

char *search_text_plain(arena *a, const char *text, bool is_html)
{
    if (!text) return NULL;
    if (is_html) text = content_excerpt(a, text, SIZE_MAX);
    size_t len = strlen(text), n = 0;
    char *out = arena_alloc(a, len + 1);
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)text[i] == 0xEE && i + 2 < len && (unsigned char)text[i + 1] == 0x80 &&
            ((unsigned char)text[i + 2] == 0x80 || (unsigned char)text[i + 2] == 0x81)) {
            out[n++] = ' ';
            i += 2;
        } else {
            out[n++] = text[i];
        }
    }
    out[n] = '\0';
    return out;
}
