/* text.h — small helpers on byte strings that several parsers share. */
#ifndef GAZETTE_TEXT_H
#define GAZETTE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A space or a tab. */
bool text_is_blank(char c);
/* Trims spaces and tabs on both sides of s[0..*n): returns the new start, *n the new length. */
const char *text_trim_blanks(const char *s, size_t *n);

#endif
