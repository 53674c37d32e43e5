/* slug.c — URL slugs: content_slugify (transliterating Latin letters to ASCII, cutting at
 * 80 bytes on a word boundary) and content_slug_is_valid. */
#include "content.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { SLUG_MAX = 80, SLUG_SCRATCH = 96 };

/* ASCII spelling of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A);
 * NULL marks a character that is not a letter (× and ÷) and so separates words. */
/* clang-format off */
static const char *const latin_table[0x180 - 0xC0] = {
    /* U+00C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* U+00D0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    /* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
    /* U+0100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    /* U+0110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    /* U+0120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    /* U+0130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    /* U+0140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    /* U+0150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    /* U+0160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    /* U+0170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};
/* clang-format on */

/* A few letters outside those two blocks that turn up in Latin-script news copy. */
static const struct {
    uint32_t cp;
    const char *ascii;
} latin_extra[] = {
    {0x00AA, "a"}, {0x00BA, "o"}, {0x018F, "e"},  {0x01A0, "o"}, {0x01A1, "o"},
    {0x01AF, "u"}, {0x01B0, "u"}, {0x0218, "s"},  {0x0219, "s"}, {0x021A, "t"},
    {0x021B, "t"}, {0x0259, "e"}, {0x1E9E, "ss"},
};

/* Expected length of the UTF-8 sequence led by c, 0 when c cannot start one. */
static size_t utf8_lead_len(unsigned char c)
{
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return 2;
    if (c >= 0xE0 && c <= 0xEF) return 3;
    if (c >= 0xF0 && c <= 0xF4) return 4;
    return 0;
}

/* Lenient decoder: a malformed sequence yields U+FFFD and consumes one byte. */
static uint32_t utf8_next(const unsigned char *s, size_t *len)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = utf8_lead_len(s[0]);
    *len = 1;
    if (n == 1) return s[0];
    if (n == 0) return 0xFFFD;
    uint32_t cp = s[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0xFFFD; /* also stops at the NUL */
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
    *len = n;
    return cp;
}

/* Characters that vanish without splitting the word they sit in: apostrophes
 * ("Erdogan’s" → "erdogans"), combining accents, soft hyphens and zero-width characters. */
static bool slug_is_joiner(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x02BC || (cp >= 0x0300 && cp <= 0x036F) ||
           cp == 0x00AD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

/* The ASCII letters a code point stands for, or NULL when it separates words. */
static const char *slug_ascii(uint32_t cp, char *one)
{
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            one[0] = (char)cp;
            one[1] = '\0';
            return one;
        }
        return NULL;
    }
    if (cp >= 0xC0 && cp < 0x180) return latin_table[cp - 0xC0];
    for (size_t i = 0; i < sizeof latin_extra / sizeof latin_extra[0]; i++)
        if (latin_extra[i].cp == cp) return latin_extra[i].ascii;
    return NULL;
}

typedef struct {
    char s[SLUG_SCRATCH];
    size_t len;
    bool sep; /* a separator was seen since the last letter */
} slug_out;

static void slug_put(slug_out *o, const char *letters)
{
    if (o->sep && o->len > 0 && o->len < SLUG_SCRATCH - 1) o->s[o->len++] = '-';
    o->sep = false;
    for (; *letters && o->len < SLUG_SCRATCH - 1; letters++)
        o->s[o->len++] = *letters;
}

char *content_slugify(arena *a, const char *text)
{
    slug_out o = {.len = 0, .sep = false};
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    /* Stop once past SLUG_MAX + 1 bytes: enough to know where the word boundary is. */
    while (*p && o.len <= SLUG_MAX + 1) {
        size_t n;
        uint32_t cp = utf8_next(p, &n);
        p += n;
        char one[2];
        const char *letters = slug_ascii(cp, one);
        if (letters)
            slug_put(&o, letters);
        else if (!slug_is_joiner(cp))
            o.sep = true;
    }
    if (o.len > SLUG_MAX) {
        size_t cut = SLUG_MAX;
        if (o.s[SLUG_MAX] != '-') {
            while (cut > 0 && o.s[cut] != '-')
                cut--;
            if (cut == 0) cut = SLUG_MAX; /* a single word longer than the limit */
        }
        o.len = cut;
    }
    return arena_strndup(a, o.s, o.len);
}

bool content_slug_is_valid(const char *slug)
{
    if (!slug) return false;
    size_t n = strlen(slug);
    if (n == 0 || n > SLUG_MAX || slug[0] == '-' || slug[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++) {
        char c = slug[i];
        if (c == '-') {
            if (slug[i + 1] == '-') return false;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

char *content_slug_numbered(arena *a, const char *slug, int n)
{
    char suffix[16];
    int len = snprintf(suffix, sizeof suffix, "-%d", n);
    size_t keep = strlen(slug);
    if (keep + (size_t)len > SLUG_MAX) keep = SLUG_MAX - (size_t)len;
    while (keep > 0 && slug[keep - 1] == '-')
        keep--;
    return arena_printf(a, "%.*s%s", (int)keep, slug, suffix);
}
