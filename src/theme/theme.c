/* theme.c — loading a theme folder (see theme.h): templates through a Mustache loader that
 * reads DIR/NAME.mustache, assets read whole and named by a hash of their bytes. */
#include "theme.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mustache.h"

const char *const theme_required_templates[] = {"layout",     "home",      "article", "topic",
                                                "author",     "not_found", "error",   "search",
                                                "newsletter", NULL};

enum { THEME_MAX_ASSETS = 64, THEME_MAX_FILE = 8 * 1024 * 1024 };

struct theme {
    char *dir;
    const char *const *required; /* templates compiled at load */
    const char *asset_prefix;    /* "/assets/" */
    mustache_set *templates;
    theme_asset assets[THEME_MAX_ASSETS];
    size_t n_assets;
};

/* Reads a whole file (at most THEME_MAX_FILE bytes); NULL with errno set on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > THEME_MAX_FILE) {
        fclose(f);
        errno = EFBIG;
        return NULL;
    }
    char *data = malloc((size_t)st.st_size + 1);
    size_t got = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!data || got != (size_t)st.st_size) {
        free(data);
        errno = EIO;
        return NULL;
    }
    data[got] = '\0';
    if (len) *len = got;
    return data;
}

/* Template names are plain relative names ("article", "partials/card"): no "..", no "/" first. */
static bool template_name_is_safe(const char *name)
{
    if (!name[0] || name[0] == '/' || strstr(name, "..")) return false;
    for (const char *p = name; *p; p++)
        if (!(*p == '/' || *p == '_' || *p == '-' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

static char *load_template_source(void *loader_data, const char *name)
{
    const theme *t = loader_data;
    if (!template_name_is_safe(name)) return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.mustache", t->dir, name);
    return read_file(path, NULL);
}

static const char *content_type_for(const char *name)
{
    static const char *const types[][2] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0) return types[i][1];
    return "application/octet-stream";
}

static bool load_asset(theme *t, const char *name, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/assets/%s", t->dir, name);
    theme_asset *as = &t->assets[t->n_assets];
    as->bytes = read_file(path, &as->len);
    if (!as->bytes) {
        snprintf(err, errlen, "cannot read theme asset '%s': %s", path, strerror(errno));
        return false;
    }
    unsigned char hash[8];
    crypto_generichash(hash, sizeof hash, (const unsigned char *)as->bytes, as->len, NULL, 0);
    const char *dot = strrchr(name, '.');
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    as->name = strdup(name);
    if (asprintf(&as->url, "%s%.*s.%s%s", t->asset_prefix, (int)stem, name, hex, dot ? dot : "") <
        0)
        as->url = NULL;
    as->content_type = content_type_for(name);
    if (!as->name || !as->url) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    t->n_assets++;
    return true;
}

static bool load_assets(theme *t, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/assets", t->dir);
    DIR *d = opendir(path);
    if (!d) return errno == ENOENT; /* a theme without assets is allowed */
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (t->n_assets == THEME_MAX_ASSETS) {
            snprintf(err, errlen, "too many theme assets in '%s' (at most %d)", path,
                     THEME_MAX_ASSETS);
            ok = false;
        } else {
            ok = load_asset(t, e->d_name, err, errlen);
        }
    }
    closedir(d);
    return ok;
}

static bool compile_templates(theme *t, char *err, size_t errlen)
{
    for (size_t i = 0; t->required[i]; i++) {
        const char *name = t->required[i];
        char *source = load_template_source(t, name);
        if (!source) {
            snprintf(err, errlen, "theme '%s' has no template '%s.mustache'", t->dir, name);
            return false;
        }
        mustache_error merr = {0};
        mustache_template *tpl = mustache_compile(t->templates, name, source, &merr);
        free(source);
        if (!tpl) {
            snprintf(err, errlen, "%s/%s.mustache:%d: %s", t->dir, name, merr.line, merr.message);
            return false;
        }
    }
    return true;
}

theme *theme_load(const char *dir, char *err, size_t errlen)
{
    return theme_load_kind(dir, theme_required_templates, "/assets/", err, errlen);
}

theme *theme_load_kind(const char *dir, const char *const *required, const char *asset_prefix,
                       char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return NULL;
    }
    theme *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->dir = strdup(dir);
    t->required = required;
    t->asset_prefix = asset_prefix;
    t->templates = mustache_set_new(load_template_source, t);
    if (!t->dir || !t->templates || !compile_templates(t, err, errlen) ||
        !load_assets(t, err, errlen)) {
        theme_free(t);
        return NULL;
    }
    return t;
}

void theme_free(theme *t)
{
    if (!t) return;
    mustache_set_free(t->templates);
    for (size_t i = 0; i < t->n_assets; i++) {
        free(t->assets[i].name);
        free(t->assets[i].url);
        free(t->assets[i].bytes);
    }
    free(t->dir);
    free(t);
}

bool theme_render(const theme *t, const char *template_name, json_t *view, buf *out)
{
    mustache_error err = {0};
    mustache_template *tpl = mustache_get(t->templates, template_name, &err);
    return tpl && mustache_render(tpl, view, out) == MUSTACHE_OK;
}

const theme_asset *theme_asset_find(const theme *t, const char *fingerprinted_name)
{
    for (size_t i = 0; i < t->n_assets; i++)
        if (strcmp(t->assets[i].url + strlen(t->asset_prefix), fingerprinted_name) == 0)
            return &t->assets[i];
    return NULL;
}

json_t *theme_assets_json(const theme *t)
{
    json_t *assets = json_object();
    for (size_t i = 0; i < t->n_assets; i++) {
        char key[256];
        snprintf(key, sizeof key, "%s", t->assets[i].name);
        for (char *p = key; *p; p++)
            if (*p == '.' || *p == '-') *p = '_';
        json_object_set_new(assets, key, json_string(t->assets[i].url));
    }
    return assets;
}
