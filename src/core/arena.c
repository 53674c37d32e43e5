/* arena.c — region allocator (see arena.h). Blocks are chained; a request that needs a
 * large object gets a block of its own. */
#include "arena.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_BLOCK_SIZE = 64 * 1024 };

struct arena_block {
    struct arena_block *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

struct arena {
    struct arena_block *head;
};

static struct arena_block *arena_block_new(size_t size)
{
    struct arena_block *b = malloc(sizeof *b + size);
    if (!b) {
        fputs("gazette: out of memory\n", stderr);
        abort();
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena *arena_new(void)
{
    arena *a = calloc(1, sizeof *a);
    if (!a) {
        fputs("gazette: out of memory\n", stderr);
        abort();
    }
    a->head = arena_block_new(ARENA_BLOCK_SIZE);
    return a;
}

void arena_free(arena *a)
{
    if (!a) return;
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void arena_reset(arena *a)
{
    struct arena_block *b = a->head;
    while (b->next) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void *arena_alloc(arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (size == 0) size = align;
    struct arena_block *b = a->head;
    if (b->size - b->used < size) {
        size_t want = size > ARENA_BLOCK_SIZE / 4 ? size : ARENA_BLOCK_SIZE;
        struct arena_block *nb = arena_block_new(want);
        if (want == size && b->used < b->size / 2) {
            /* a big object: keep filling the current block afterwards */
            nb->next = b->next;
            b->next = nb;
            nb->used = size;
            memset(nb->data, 0, size);
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    if (!s) return NULL;
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return arena_strdup(a, "");
    char *d = arena_alloc(a, (size_t)n + 1);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    return d;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

void *arena_grow(arena *a, const void *old, size_t *cap, size_t len, size_t size)
{
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = arena_alloc(a, ncap * size);
    if (len) memcpy(p, old, len * size);
    *cap = ncap;
    return p;
}
