/* buf.h — a growable byte buffer owned by whoever declared it: zero-initialise, append,
 * then either buf_free it or take its bytes with buf_steal (the caller then frees them
 * with free()). Used to build responses, rendered templates and JSON. The bytes are
 * always NUL-terminated (the NUL is not counted in len). */
#ifndef GAZETTE_BUF_H
#define GAZETTE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *bytes, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with the five HTML-special characters escaped (& < > " '). */
void buf_append_html(buf *b, const char *s, size_t n);
void buf_free(buf *b);
char *buf_steal(buf *b); /* never NULL; the buffer is empty afterwards */

#endif
