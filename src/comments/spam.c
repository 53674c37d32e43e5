/* spam.c — cheap spam rules applied before a comment is stored: the honeypot field, the number
 * of links, blocked words and blocked addresses; plus the sentence shown to the sender. */
#include "comments.h"

#include <stdio.h>
#include <string.h>

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether s[0..) starts with the lowercase ASCII word w, ignoring case. */
static bool starts_ci(const char *s, const char *w)
{
    for (; *w; s++, w++)
        if (lower(*s) != *w) return false;
    return true;
}

/* Whether hay contains needle[0..n) ignoring ASCII case. */
static bool contains_ci(const char *hay, const char *needle, size_t n)
{
    if (!hay || n == 0) return false;
    for (; *hay; hay++) {
        size_t k = 0;
        while (k < n && hay[k] && lower(hay[k]) == lower(needle[k]))
            k++;
        if (k == n) return true;
    }
    return false;
}

/* Links: each http:// or https://, and each www. not just after "://" (already counted). */
static unsigned count_links(const char *s)
{
    unsigned n = 0;
    for (const char *p = s; p && *p; p++) {
        if (starts_ci(p, "http://") || starts_ci(p, "https://")) {
            n++;
        } else if (starts_ci(p, "www.")) {
            if (!(p - s >= 3 && strncmp(p - 3, "://", 3) == 0)) n++;
        }
    }
    return n;
}

/* Calls match on each trimmed, non-empty item of a comma-separated list until it says yes. */
static bool any_item(const char *list, bool (*match)(const char *item, size_t n, const void *ctx),
                     const void *ctx)
{
    if (!list) return false;
    while (*list) {
        const char *end = strchr(list, ',');
        if (!end) end = list + strlen(list);
        const char *b = list, *e = end;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > b && match(b, (size_t)(e - b), ctx)) return true;
        list = *end ? end + 1 : end;
    }
    return false;
}

static bool word_in_form(const char *word, size_t n, const void *ctx)
{
    const comment_form *f = ctx;
    return contains_ci(f->comment, word, n) || contains_ci(f->author, word, n) ||
           contains_ci(f->email, word, n) || contains_ci(f->url, word, n);
}

static bool same_ip(const char *item, size_t n, const void *ctx)
{
    const char *ip = ctx;
    return strlen(ip) == n && memcmp(item, ip, n) == 0;
}

const char *comment_spam_reason(arena *a, const comment_spam_rules *rules, const comment_form *form,
                                const char *ip)
{
    if (form->honeypot && *form->honeypot) return "honeypot filled";
    unsigned links = count_links(form->comment);
    if (links > rules->max_links)
        return a ? arena_printf(a, "too many links (%u > %u)", links, rules->max_links)
                 : "too many links";
    if (any_item(rules->blocked_words, word_in_form, form)) return "blocked word";
    if (ip && any_item(rules->blocked_ips, same_ip, ip)) return "blocked IP";
    return NULL;
}

const char *comment_spam_message(arena *a, const char *reason)
{
    if (!reason) return NULL;
    unsigned have, limit;
    if (strncmp(reason, "too many links", 14) == 0) {
        if (a && sscanf(reason, "too many links (%u > %u)", &have, &limit) == 2)
            return arena_printf(a,
                                "Your comment has more links than we allow (at most %u). Please "
                                "remove some and send it again.",
                                limit);
        return "Your comment has more links than we allow. Please remove some and send it again.";
    }
    if (strcmp(reason, "blocked word") == 0)
        return "Your comment contains a word or address that we do not accept. Please change it "
               "and send it again.";
    if (strcmp(reason, "blocked IP") == 0)
        return "Sorry, we cannot accept comments from your network at the moment.";
    return "Sorry, your comment could not be accepted. Please try again later.";
}
