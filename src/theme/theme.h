/* theme.h — a theme folder loaded once at start-up: its page templates compiled by the Mustache
 * engine, and its static assets read into memory under fingerprinted names
 * ("style.css" -> "/assets/style.1a2b3c4d.css") so they can be cached for a year. */
#ifndef GAZETTE_THEME_H
#define GAZETTE_THEME_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/buf.h"

typedef struct theme theme;

typedef struct theme_asset {
    char *name; /* "style.css" */
    char *url;  /* "/assets/style.1a2b3c4d.css" */
    char *bytes;
    size_t len;
    const char *content_type;
} theme_asset;

/* The page templates every theme must have (docs/themes.md). */
extern const char *const theme_required_templates[];

/* Loads and compiles dir/NAME.mustache for every required template and reads dir/assets/.
 * NULL with a message naming the file (and line) on any error. */
theme *theme_load(const char *dir, char *err, size_t errlen);
/* The same for a theme of another kind (the admin theme, themes/admin): required lists the
 * templates it must have (NULL-terminated; others compile when first rendered) and assets are
 * named under asset_prefix ("/admin/assets/") instead of "/assets/". */
theme *theme_load_kind(const char *dir, const char *const *required, const char *asset_prefix,
                       char *err, size_t errlen);
void theme_free(theme *t);

/* Renders the named page template with view as its data, appending to out. */
bool theme_render(const theme *t, const char *template_name, json_t *view, buf *out);

/* Finds an asset by the file part of its fingerprinted URL ("style.1a2b3c4d.css"). */
const theme_asset *theme_asset_find(const theme *t, const char *fingerprinted_name);
/* {"style_css": "/assets/style.1a2b3c4d.css", ...}: a new reference. */
json_t *theme_assets_json(const theme *t);

#endif
