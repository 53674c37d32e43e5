/* wordpress_autop.h — WordPress's paragraphs (wpautop) for classic-editor post bodies; used by
 * content_wordpress_to_html (src/content/wordpress_body.c). The rules are in
 * wordpress_autop.c. */
#ifndef GAZETTE_WORDPRESS_AUTOP_H
#define GAZETTE_WORDPRESS_AUTOP_H

#include <stddef.h>

#include "../core/buf.h"

/* Appends s[0..n) to out with paragraphs and line breaks added. */
void wordpress_autop(const char *s, size_t n, buf *out);

#endif
