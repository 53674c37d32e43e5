/* revision_links.c — a revision's topics and authors from their JSON arrays of names
 * (revision_links.h). */
#include "revision_links.h"

#include <jansson.h>

#include "../content/content.h"

/* Names from a JSON array of strings; anything else gives none. */
static void read_names(arena *a, const char *text, const char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    json_t *list = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_array(list) && json_array_size(list) > 0) {
        *names = arena_alloc(a, json_array_size(list) * sizeof **names);
        for (size_t i = 0; i < json_array_size(list); i++) {
            const char *name = json_string_value(json_array_get(list, i));
            if (name) (*names)[(*n)++] = arena_strdup(a, name);
        }
    }
    json_decref(list);
}

void store_revision_links(arena *a, const char *topics_json, const char *authors_json,
                          store_article *o)
{
    const char **names;
    size_t n;
    read_names(a, topics_json, &names, &n);
    o->topics = n ? arena_alloc(a, n * sizeof *o->topics) : NULL;
    for (size_t i = 0; i < n; i++)
        o->topics[o->n_topics++] = (store_topic){0, content_slugify(a, names[i]), names[i], NULL};
    read_names(a, authors_json, &names, &n);
    o->authors = n ? arena_alloc(a, n * sizeof *o->authors) : NULL;
    for (size_t i = 0; i < n; i++)
        o->authors[o->n_authors++] =
            (store_author){0, content_slugify(a, names[i]), names[i], NULL};
}
