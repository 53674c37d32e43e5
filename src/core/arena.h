/* arena.h — region allocator: every allocation made during one request (or one CLI
 * command) comes from an arena and is released at once by arena_free. Nothing allocated
 * from an arena is ever freed on its own. Allocation failure aborts the process with a
 * message: running out of memory is not a recoverable condition for a request. */
#ifndef GAZETTE_ARENA_H
#define GAZETTE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
/* Drops everything allocated so far but keeps the first block for reuse. */
void arena_reset(arena *a);
void *arena_alloc(arena *a, size_t size);    /* zeroed, aligned to max_align_t */
char *arena_strdup(arena *a, const char *s); /* NULL stays NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
/* A growing array in the arena: returns a copy of old's len items of size bytes with room for
 * twice *cap items (16 at first) and updates *cap. The old block stays until the arena dies. */
void *arena_grow(arena *a, const void *old, size_t *cap, size_t len, size_t size);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);

#endif
