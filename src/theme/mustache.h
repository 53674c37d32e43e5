/* mustache.h — Gazette's own Mustache engine. Templates are compiled once (at start-up) into
 * a tree and rendered many times against Jansson JSON data, concurrently from many threads
 * (a compiled template is immutable). Implements the whole spec in ../shared/data/mustache-spec/:
 * interpolation with HTML escaping, sections, inverted sections, comments, partials (with
 * standalone-line indentation), set delimiters, dynamic names and template inheritance
 * (parents {{<name}} and blocks {{$name}}). Lambdas are not supported (JSON data has no code).
 *
 * Partials and parents are looked up by name through a mustache_loader callback at compile time;
 * results are cached in the mustache_set so each partial compiles once. Recursive partials work
 * (they are resolved lazily at render time from the set).
 *
 * Details the spec leaves open:
 * - Falsy values: missing, null, false, [] and "" (so {{#caption}} guards optional text);
 *   0 and {} are true. Numbers print as JSON does (85, 1.21); true/false print as words;
 *   objects, arrays and null print nothing.
 * - A static partial or parent links to its name in the set, not to one compiled template:
 *   compiling a name again changes what every template using it renders (the old template is
 *   kept until mustache_set_free, so a render in progress finishes safely). A partial that
 *   fails to compile fails the compile of the template that names it (err says which one).
 * - Dynamic names ({{>*name}}, {{<*name}}) are looked up in the set without a lock; a name used
 *   for the first time is compiled through mustache_get (which locks). Names the loader does
 *   not know are not remembered, so hostile data cannot grow the set.
 * - Partials see the blocks of the parents being rendered around them.
 * - A render stops with MUSTACHE_ERR_DEPTH after MUSTACHE_MAX_DEPTH nested partials, parents or
 *   block overrides; out then holds what was rendered so far. Sections, blocks and parents may
 *   nest MUSTACHE_MAX_NESTING deep in one template (deeper is a syntax error).
 * - A render also stops, with MUSTACHE_ERR_LIMIT, once it has visited MUSTACHE_MAX_STEPS nodes
 *   or written MUSTACHE_MAX_OUTPUT bytes (out then holds what was rendered so far): sections
 *   nested over long lists would otherwise take time exponential in the nesting. */
#ifndef GAZETTE_MUSTACHE_H
#define GAZETTE_MUSTACHE_H

#include <jansson.h>
#include <stddef.h>

#include "../core/buf.h"

typedef struct mustache_set mustache_set;           /* a family of named templates */
typedef struct mustache_template mustache_template; /* one compiled template */

typedef enum {
    MUSTACHE_OK = 0,
    MUSTACHE_ERR_SYNTAX,    /* unclosed tag/section, mismatched section end, bad delimiters */
    MUSTACHE_ERR_NOT_FOUND, /* a named template the loader does not know */
    MUSTACHE_ERR_DEPTH,     /* partial recursion deeper than MUSTACHE_MAX_DEPTH while rendering */
    MUSTACHE_ERR_LIMIT,     /* more than MUSTACHE_MAX_STEPS nodes or MUSTACHE_MAX_OUTPUT bytes */
} mustache_status;

enum {
    MUSTACHE_MAX_DEPTH = 64,
    MUSTACHE_MAX_NESTING = 100,
    MUSTACHE_MAX_STEPS = 4000000,           /* nodes visited by one render */
    MUSTACHE_MAX_OUTPUT = 32 * 1024 * 1024, /* bytes written by one render */
};

typedef struct {
    mustache_status status;
    int line;          /* 1-based line of the error in the template source, 0 when unknown */
    char message[256]; /* human message, e.g. "unclosed section 'items' opened on line 3" */
} mustache_error;

const char *mustache_strerror(mustache_status status);

/* Returns the source of the template called name (malloc'd, NUL-terminated; the set frees it),
 * or NULL when there is none. A missing partial renders as empty text, as the spec says. */
typedef char *(*mustache_loader)(void *loader_data, const char *name);

mustache_set *mustache_set_new(mustache_loader loader, void *loader_data);
void mustache_set_free(mustache_set *set);

/* Compiles source under name (replacing an earlier one of the same name) and returns it;
 * NULL on a syntax error, described in err. The set owns the result. */
mustache_template *mustache_compile(mustache_set *set, const char *name, const char *source,
                                    mustache_error *err);
/* Finds a compiled template, compiling it through the loader when first asked for. */
mustache_template *mustache_get(mustache_set *set, const char *name, mustache_error *err);

/* Renders tpl with data as the root context, appending to out. Thread-safe for a set whose
 * templates were all compiled beforehand (mustache_get is also safe: the set locks on compile). */
mustache_status mustache_render(const mustache_template *tpl, json_t *data, buf *out);

#endif
