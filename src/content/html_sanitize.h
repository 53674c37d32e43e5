/* html_sanitize.h — HTML from outside (a WordPress export) made safe to show on our pages: an
 * allow-list of elements and attributes over libxml2's HTML parser, and the WordPress body
 * conventions (block comments, [caption] and [gallery] shortcodes, paragraphs written as blank
 * lines) turned into plain HTML. Pure functions over strings: nothing here knows about the
 * database or HTTP. */
#ifndef GAZETTE_HTML_SANITIZE_H
#define GAZETTE_HTML_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

/* What the allow-list lets through besides the fixed set of structural elements (p, h2-h6,
 * lists, blockquote, pre/code, em/strong, a, img, figure/figcaption, tables, br, hr ...). */
typedef struct content_html_policy {
    /* Hosts an <iframe> may load from ("www.youtube.com", "player.vimeo.com"); NULL-terminated
     * list, NULL for none. Every other iframe is dropped with its content. */
    const char *const *embed_hosts;
} content_html_policy;

/* The allow-list Gazette uses when a site sets nothing else (YouTube, Vimeo, ...). */
extern const content_html_policy content_html_default_policy;

/* Returns html (len bytes, need not be NUL-terminated) with everything not on the allow-list
 * removed: scripts, styles and their text, event handlers, style attributes, javascript: and
 * data: URLs, forms, objects; what remains is well-formed, with every attribute quoted and
 * escaped. Arena string; NULL with a message in err only when html is not valid UTF-8, is
 * over 16 MiB, has a tag with more than 100 attributes (libxml2 slows down quadratically on
 * those), or libxml2 cannot parse it at all. The rules are in html_sanitize.c and
 * docs/import.md. */
char *content_sanitize_html(arena *a, const char *html, size_t len,
                            const content_html_policy *policy, char *err, size_t errlen);

/* Finds an attachment a [gallery ids="1,2"] shortcode names, by its WordPress post ID: sets
 * url (and caption, alt; may be NULL) and returns true, or false when there is none. */
typedef bool (*content_attachment_lookup)(void *ctx, long long wp_id, const char **url,
                                          const char **caption, const char **alt);

/* A WordPress post body to safe HTML: block comments (<!-- wp:... -->) dropped, [caption]
 * becomes <figure> with <figcaption>, [gallery] a <figure class="gallery"> of the images
 * lookup finds (lookup may be NULL: galleries are then dropped), other shortcodes are kept as
 * text, text separated by blank lines becomes paragraphs (as WordPress shows it), then
 * content_sanitize_html. Same return and errors as content_sanitize_html. */
char *content_wordpress_to_html(arena *a, const char *body, size_t len,
                                const content_html_policy *policy, content_attachment_lookup lookup,
                                void *ctx, char *err, size_t errlen);

/* content_wordpress_to_html for a post with attached images: attached (n_attached IDs, in
 * WordPress's menu order; the importer knows them from the attachments whose wp:post_parent is
 * this post) is what a [gallery] without ids= shows, as WordPress shows the post's own
 * images; content_wordpress_to_html drops such galleries. */
char *content_wordpress_to_html_attached(arena *a, const char *body, size_t len,
                                         const content_html_policy *policy,
                                         content_attachment_lookup lookup, void *ctx,
                                         const long long *attached, size_t n_attached, char *err,
                                         size_t errlen);

#endif
