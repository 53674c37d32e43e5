/* markup_scan.c — reading raw HTML as text, without parsing it: where a tag or a comment
 * ends, what a tag is called. The WordPress passes (wordpress_body.c, wordpress_autop.c) use
 * it to step over tags and comments while they rewrite the text between them. */
#include "markup_scan.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool markup_starts_with_ci(const char *s, size_t n, const char *prefix)
{
    size_t p = strlen(prefix);
    return n >= p && strncasecmp(s, prefix, p) == 0;
}

size_t markup_tag_end(const char *s, size_t n)
{
    size_t i = 1;
    if (i < n && s[i] == '/') i++;
    if (i >= n || !isalpha((unsigned char)s[i])) return 0;
    char quote = 0;
    bool after_eq = false;
    for (; i < n; i++) {
        char c = s[i];
        if (quote) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '>') return i + 1;
        if (after_eq && (c == '"' || c == '\'')) {
            quote = c;
            after_eq = false;
            continue;
        }
        if (c == '=')
            after_eq = true;
        else if (!isspace((unsigned char)c))
            after_eq = false;
    }
    return n;
}

size_t markup_comment_end(const char *s, size_t n)
{
    const char *e = memmem(s + 4, n - 4, "-->", 3);
    return e ? (size_t)(e - s) + 3 : n;
}

void markup_tag_name(const char *s, size_t n, char *name, size_t cap, bool *closing)
{
    size_t i = 1, o = 0;
    *closing = i < n && s[i] == '/';
    if (*closing) i++;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == ':') && o + 1 < cap)
        name[o++] = (char)tolower((unsigned char)s[i++]);
    name[o] = '\0';
}

bool markup_word_in(const char *word, const char *list)
{
    size_t n = strlen(word);
    if (n == 0) return false;
    for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
        if (p > list && p[-1] == ' ' && p[n] == ' ') return true;
    return false;
}
