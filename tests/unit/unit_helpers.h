/* unit_helpers.h — what several unit-test files share: a fresh arena per test as cmocka
 * setup/teardown, and substring assertions that print the text they searched. Include after
 * <cmocka.h>. */
#ifndef GAZETTE_UNIT_HELPERS_H
#define GAZETTE_UNIT_HELPERS_H

#include <string.h>

#include "../../src/core/arena.h"

static inline int setup_arena(void **state)
{
    *state = arena_new();
    return 0;
}

static inline int teardown_arena(void **state)
{
    arena_free(*state);
    return 0;
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        if (!strstr((hay), (needle)))                                                              \
            fail_msg("expected to find \"%s\" in:\n%s", (needle), (hay));                          \
    } while (0)

#define assert_not_contains(hay, needle)                                                           \
    do {                                                                                           \
        if (strstr((hay), (needle))) fail_msg("did not expect \"%s\" in:\n%s", (needle), (hay));   \
    } while (0)

#endif
