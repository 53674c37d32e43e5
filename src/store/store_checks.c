/* store_checks.c — the input checks both backends make before writing (store_checks.h). */
#include "store_checks.h"

#include <stdio.h>

#include "../content/content.h"

bool store_blank(const char *s)
{
    if (!s) return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static bool names_ok(size_t i, const char *slug, const char *what, const char **names, size_t n,
                     char *why, size_t cap)
{
    if (n && !names) {
        snprintf(why, cap, "article %zu (%s): no %s list", i, slug, what);
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        if (store_blank(names[k])) {
            snprintf(why, cap, "article %zu (%s): %s %zu is empty", i, slug, what, k + 1);
            return false;
        }
    }
    return true;
}

bool store_article_input_ok(const store_article_input *in, size_t i, char *why, size_t cap)
{
    if (!content_slug_is_valid(in->slug)) {
        snprintf(why, cap,
                 "article %zu: invalid slug '%s' (a-z, 0-9 and single '-', 1 to 80 bytes)", i,
                 in->slug ? in->slug : "");
        return false;
    }
    if (store_blank(in->headline)) {
        snprintf(why, cap, "article %zu (%s): the headline is empty", i, in->slug);
        return false;
    }
    switch (in->status) {
    case ARTICLE_DRAFT:
    case ARTICLE_SCHEDULED:
    case ARTICLE_PUBLISHED:
        break;
    default:
        snprintf(why, cap, "article %zu (%s): unknown status %d", i, in->slug, (int)in->status);
        return false;
    }
    return names_ok(i, in->slug, "topic", in->topic_names, in->n_topics, why, cap) &&
           names_ok(i, in->slug, "author", in->author_names, in->n_authors, why, cap) &&
           names_ok(i, in->slug, "read-also slug", in->read_also_slugs, in->n_read_also, why, cap);
}

static bool refuse(char *why, size_t cap, const char *problem)
{
    snprintf(why, cap, "%s", problem);
    return false;
}

bool store_comment_input_ok(const store_comment_input *in, char *why, size_t cap)
{
    if (!in) return refuse(why, cap, "no comment given");
    if (store_blank(in->body)) return refuse(why, cap, "the comment is empty");
    if (store_blank(in->author_name)) return refuse(why, cap, "the name is empty");
    if (store_blank(in->author_email)) return refuse(why, cap, "the email is empty");
    if (in->parent_id < 0) return refuse(why, cap, "the comment you reply to does not exist");
    switch (in->moderation) {
    case MODERATION_HOLD_ALL:
    case MODERATION_HOLD_FIRST:
    case MODERATION_PUBLISH:
        return true;
    }
    snprintf(why, cap, "unknown moderation mode %d", (int)in->moderation);
    return false;
}
