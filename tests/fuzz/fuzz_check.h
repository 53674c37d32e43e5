/* fuzz_check.h — what the fuzz targets share: FUZZ_CHECK, an assertion that stays on in every
 * build (a failed one is a crash libFuzzer reports, with the condition and line), and
 * fuzz_cstr, a NUL-terminated copy of the input for the APIs that take C strings. */
#ifndef GAZETTE_FUZZ_CHECK_H
#define GAZETTE_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A malloc'd copy of data[0..size) with a NUL after it (the caller frees it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
