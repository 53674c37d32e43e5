/* fuzz_slug.c — libFuzzer target for slugs and UTF-8 (src/content/slug.c, utf8.c):
 * content_slugify must give "" (its documented failure) or a slug content_slug_is_valid
 * accepts, only [a-z0-9-], at most 80 bytes, and the same slug again when given one;
 * content_slug_is_valid must agree with that grammar; content_utf8_valid must agree with a
 * plain reference decoder (RFC 3629: no overlong forms, surrogates or code points past
 * U+10FFFF). */
#include "../../src/content/content.h"
#include "fuzz_check.h"

/* The slug grammar spelt out again: [a-z0-9]+(-[a-z0-9]+)*, 1..80 bytes. */
static bool slug_grammar(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 80) return false;
    bool after_dash = true;
    for (size_t i = 0; i < n; i++) {
        bool alnum = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
        if (!alnum && (s[i] != '-' || after_dash)) return false;
        after_dash = s[i] == '-';
    }
    return !after_dash;
}

/* Reference UTF-8 check: decode each sequence, then reject what RFC 3629 forbids. */
static bool utf8_reference(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t c = s[i], cp;
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (len == 0 || i + len > n) return false;
        cp = len == 1 ? c : c & (0xFFu >> (len + 1));
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_CHECK(content_utf8_valid((const char *)data, size) == utf8_reference(data, size));
    char *text = fuzz_cstr(data, size);
    arena *a = arena_new();
    char *slug = content_slugify(a, text);
    FUZZ_CHECK(slug != NULL);
    FUZZ_CHECK(slug[0] == '\0' || (slug_grammar(slug) && content_slug_is_valid(slug)));
    FUZZ_CHECK(strcmp(content_slugify(a, slug), slug) == 0);
    FUZZ_CHECK(content_slug_is_valid(text) == slug_grammar(text));
    if (content_slug_is_valid(text)) FUZZ_CHECK(strcmp(slug, text) == 0);
    FUZZ_CHECK(content_slugify(a, NULL)[0] == '\0' && !content_slug_is_valid(NULL));
    arena_free(a);
    free(text);
    return 0;
}
