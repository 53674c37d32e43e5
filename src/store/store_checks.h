/* store_checks.h — what every backend refuses before it writes anything, written once: blank
 * text, an article input's slug, headline, status and names, a comment's required fields and
 * moderation mode. Each check says why in why (cap bytes); the backend records that as its
 * STORE_INVALID message. */
#ifndef GAZETTE_STORE_CHECKS_H
#define GAZETTE_STORE_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* NULL, or nothing but spaces, tabs and line ends. */
bool store_blank(const char *s);
/* i: the input's 1-based place in a batch, for the message. */
bool store_article_input_ok(const store_article_input *in, size_t i, char *why, size_t cap);
bool store_comment_input_ok(const store_comment_input *in, char *why, size_t cap);

#endif
