/* digest.c — what the newsletter's emails say: the daily digest (the top stories of each
 * topic, with their lead and a link) and the confirmation email, each as a subject, a plain
 * text (wrapped at 72 characters) and an HTML version in which every text that came from the
 * newsroom or a reader is HTML-escaped. */
#include "newsletter.h"

#include <string.h>

enum { WRAP = 72 };

/* Appends text wrapped at WRAP characters (code points), each line starting with indent. */
static void put_wrapped(buf *out, const char *indent, const char *text)
{
    size_t col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        if (!*p) break;
        size_t bytes = strcspn(p, " \n\r\t"), chars = 0;
        for (size_t i = 0; i < bytes; i++)
            chars += ((unsigned char)p[i] & 0xC0) != 0x80;
        if (col && col + 1 + chars > WRAP) {
            buf_putc(out, '\n');
            col = 0;
        }
        if (col == 0) {
            buf_puts(out, indent);
            col = strlen(indent);
        } else {
            buf_putc(out, ' ');
            col++;
        }
        buf_append(out, p, bytes);
        col += chars;
        p += bytes;
    }
    if (col) buf_putc(out, '\n');
}

static void put_html(buf *out, const char *s)
{
    buf_append_html(out, s, strlen(s));
}

static void html_start(buf *h, const char *title)
{
    buf_puts(h, "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
    put_html(h, title);
    buf_puts(h, "</title>\n</head>\n<body style=\"font-family: Georgia, serif; max-width: 40em; "
                "margin: 0 auto; padding: 1em; color: #1a1a1a;\">\n");
}

static void put_story(buf *t, buf *h, const newsletter_story *s)
{
    put_wrapped(t, "* ", s->headline);
    if (s->lead && *s->lead) put_wrapped(t, "  ", s->lead);
    buf_printf(t, "  %s\n", s->url);
    if (s->comments) buf_printf(t, "  %lld comment%s\n", s->comments, s->comments == 1 ? "" : "s");
    buf_puts(t, "\n");
    buf_puts(h, "<li style=\"margin-bottom: 1em;\">\n<a href=\"");
    put_html(h, s->url);
    buf_puts(h, "\" style=\"font-weight: bold;\">");
    put_html(h, s->headline);
    buf_puts(h, "</a>\n");
    if (s->lead && *s->lead) {
        buf_puts(h, "<br>\n");
        put_html(h, s->lead);
        buf_puts(h, "\n");
    }
    if (s->comments)
        buf_printf(h, "<br>\n<small>%lld comment%s</small>\n", s->comments,
                   s->comments == 1 ? "" : "s");
    buf_puts(h, "</li>\n");
}

static const char *finish(arena *a, buf *b)
{
    const char *s = arena_strndup(a, b->data ? b->data : "", b->len);
    buf_free(b);
    return s;
}

void newsletter_digest_write(arena *a, const newsletter_digest *d, const char **subject,
                             const char **text, const char **html)
{
    *subject = arena_printf(a, "%s: the day's top stories, %s", d->site_name, d->day_label);
    buf t = {0}, h = {0};
    put_wrapped(&t, "", *subject);
    buf_puts(&t, "\n");
    html_start(&h, *subject);
    buf_puts(&h, "<h1 style=\"font-size: 1.4em;\">");
    put_html(&h, d->site_name);
    buf_puts(&h, "</h1>\n<p>The day's top stories, ");
    put_html(&h, d->day_label);
    buf_puts(&h, ".</p>\n");
    for (size_t i = 0; i < d->n; i++) {
        const newsletter_section *s = &d->sections[i];
        buf_puts(&t, "== ");
        buf_puts(&t, s->topic);
        buf_puts(&t, " ==\n\n");
        buf_puts(&h, "<h2 style=\"font-size: 1.15em; border-bottom: 1px solid #ccc;\"><a href=\"");
        put_html(&h, s->url);
        buf_puts(&h, "\">");
        put_html(&h, s->topic);
        buf_puts(&h, "</a></h2>\n<ul style=\"padding-left: 1.2em;\">\n");
        for (size_t k = 0; k < s->n; k++)
            put_story(&t, &h, &s->stories[k]);
        buf_puts(&h, "</ul>\n");
    }
    buf_puts(&t, "-- \nYou receive this email because you subscribed to the newsletter of\n");
    buf_printf(&t, "%s (%s).\nTo unsubscribe, open:\n%s\n", d->site_name, d->site_url,
               d->unsubscribe_url);
    buf_puts(&h, "<hr>\n<p style=\"font-size: 0.85em; color: #555;\">You receive this email "
                 "because you subscribed to the newsletter of <a href=\"");
    put_html(&h, d->site_url);
    buf_puts(&h, "\">");
    put_html(&h, d->site_name);
    buf_puts(&h, "</a>.\n<a href=\"");
    put_html(&h, d->unsubscribe_url);
    buf_puts(&h, "\">Unsubscribe</a></p>\n</body>\n</html>\n");
    *text = finish(a, &t);
    *html = finish(a, &h);
}

void newsletter_confirm_write(arena *a, const char *site_name, const char *site_url,
                              const char *confirm_url, const char **subject, const char **text,
                              const char **html)
{
    *subject = arena_printf(a, "Please confirm your subscription to %s", site_name);
    buf t = {0}, h = {0};
    put_wrapped(&t, "",
                arena_printf(a,
                             "Someone, probably you, asked to receive the daily newsletter of "
                             "%s (%s) at this address. To confirm, open this link within 48 "
                             "hours and press the button:",
                             site_name, site_url));
    buf_printf(&t, "\n%s\n\n", confirm_url);
    put_wrapped(&t, "",
                "If you did not ask for it, ignore this email: without your "
                "confirmation you will receive nothing more.");
    html_start(&h, *subject);
    buf_puts(&h, "<p>Someone, probably you, asked to receive the daily newsletter of <a href=\"");
    put_html(&h, site_url);
    buf_puts(&h, "\">");
    put_html(&h, site_name);
    buf_puts(&h, "</a> at this address.</p>\n<p><a href=\"");
    put_html(&h, confirm_url);
    buf_puts(&h, "\">Confirm your subscription</a> (within 48 hours).</p>\n<p>If you did not ask "
                 "for it, ignore this email: without your confirmation you will receive nothing "
                 "more.</p>\n</body>\n</html>\n");
    *text = finish(a, &t);
    *html = finish(a, &h);
}
