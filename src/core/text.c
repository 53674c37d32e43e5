/* text.c — small helpers on byte strings that several parsers share (text.h). */
#include "text.h"

bool text_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

const char *text_trim_blanks(const char *s, size_t *n)
{
    while (*n > 0 && text_is_blank(*s))
        s++, (*n)--;
    while (*n > 0 && text_is_blank(s[*n - 1]))
        (*n)--;
    return s;
}
