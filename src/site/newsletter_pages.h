/* newsletter_pages.h — what the newsletter's page handlers share (newsletter.c,
 * newsletter_subscribe.c, newsletter_links.c): the newsletter's state, and the answer page
 * every one of them renders with the theme's newsletter template. */
#ifndef GAZETTE_SITE_NEWSLETTER_PAGES_H
#define GAZETTE_SITE_NEWSLETTER_PAGES_H

#include "../newsletter/newsletter.h"
#include "site.h"

/* The comment form's token, issued for this "article" number, signs the newsletter form:
 * stories are numbered from 1, so neither form's token passes for the other. */
enum { NEWSLETTER_FORM_ID = 0 };

struct site_newsletter {
    comment_rate_limiter *limiter; /* sign-ups per IP address */
    unsigned char key[NEWSLETTER_KEY_BYTES];
};

/* One answer page: newsletter_page in the view (newsletter.mustache). */
typedef struct {
    int status;
    const char *title, *message;
    bool error;
    json_t *form;   /* the sign-up form to show (site_newsletter_signup_form), or NULL */
    json_t *button; /* {action, label, fields: [{name, value}]}, or NULL */
} site_newsletter_answer_page;

/* On when smtp_url and smtp_from are set (the settings snapshot: cheap on every page). */
bool site_newsletter_on(site_app *app, arena *a);
bool site_newsletter_is_form_post(http_request *req);
/* Renders the page (never cached; form and button consumed). */
void site_newsletter_answer(site_app *app, http_request *req, site_newsletter_answer_page *an,
                            http_response *res);
/* A page with a title and a sentence (an error when status >= 400). */
void site_newsletter_say(site_app *app, http_request *req, int status, const char *title,
                         const char *message, http_response *res);
/* 404: "This site does not send a newsletter" (smtp_url or smtp_from unset). */
void site_newsletter_off_page(site_app *app, http_request *req, http_response *res);
/* A POST button to action with one hidden field. */
json_t *site_newsletter_button(const char *action, const char *label, const char *name,
                               const char *value);
/* The sign-up form with every topic that has a live story, those in chosen (space-separated
 * slugs) ticked, email kept and error shown (both may be NULL). */
json_t *site_newsletter_signup_form(site_app *app, http_request *req, const char *email,
                                    const char *chosen, const char *error);

#endif
