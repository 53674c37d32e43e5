/* settings_screen.c — the site settings an administrator changes in the browser
 * (/admin/settings): the site's name and language, the comment policy (moderation mode, days
 * after which comments close) and the time zone. Every field is checked before anything is
 * saved; all are saved in one transaction. Other settings stay with 'gazette settings'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../content/content.h"
#include "admin.h"

typedef struct {
    const char *key, *label;
} setting_field;

static const setting_field fields[] = {
    {"site_name", "Site name"},
    {"site_language", "Language"},
    {"comments.moderation", "Comment moderation"},
    {"comments.close_after_days", "Close comments after (days)"},
    {"time_zone", "Time zone"},
};
enum { N_FIELDS = sizeof fields / sizeof fields[0] };

static bool no_controls(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return false;
    return true;
}

/* "en", "fr-CA", "pt-BR", "zh-Hant": 2-3 letters, then subtags of 2-8 letters or digits. */
static bool language_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (n < 2 || n > 3 || strlen(s) > 35) return false;
    for (s += n; *s;) {
        if (*s++ != '-') return false;
        size_t k = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (k < 2 || k > 8) return false;
        s += k;
    }
    return true;
}

/* "UTC" or an IANA zone the system knows ("Europe/Paris"): a file under /usr/share/zoneinfo. */
static bool time_zone_ok(const char *s)
{
    if (strcmp(s, "UTC") == 0) return true;
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '/' || strstr(s, "..") ||
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+-") != n)
        return false;
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", s);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* What is wrong with the value of field i, or NULL. */
static const char *check(size_t i, const char *v)
{
    const char *key = fields[i].key;
    if (!v) return "is missing";
    if (strcmp(key, "site_name") == 0)
        return v[0] && strlen(v) <= 200 && content_utf8_valid(v, strlen(v)) && no_controls(v)
                   ? NULL
                   : "must be 1 to 200 characters";
    if (strcmp(key, "site_language") == 0)
        return language_ok(v) ? NULL : "must be a language tag such as en, fr or pt-BR";
    if (strcmp(key, "comments.moderation") == 0)
        return strcmp(v, "hold-all") == 0 || strcmp(v, "hold-first") == 0 ||
                       strcmp(v, "publish") == 0
                   ? NULL
                   : "must be hold-all, hold-first or publish";
    if (strcmp(key, "comments.close_after_days") == 0) {
        size_t n = strlen(v);
        return n && n <= 4 && strspn(v, "0123456789") == n && atoi(v) <= 3650
                   ? NULL
                   : "must be a number of days from 0 (never) to 3650";
    }
    return time_zone_ok(v) ? NULL : "must be UTC or a zone such as Europe/Paris";
}

/* The value shown for field i: the form's, else the stored one, else the default. */
static const char *current(site_app *app, http_request *req, size_t i)
{
    const char *v = site_setting_text(app, req->arena, fields[i].key);
    if (v && v[0]) return v;
    switch (i) {
    case 0:
        return app->config.name ? app->config.name : "";
    case 1:
        return app->config.language ? app->config.language : "en";
    case 2:
        return "hold-first";
    case 3:
        return "0";
    default:
        return "UTC";
    }
}

static void settings_screen(site_app *app, http_request *req, const admin_user *user,
                            const char *const values[N_FIELDS], const char *error,
                            http_response *res)
{
    json_t *view = json_object();
    for (size_t i = 0; i < N_FIELDS; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s", fields[i].key);
        for (char *p = key; *p; p++)
            if (*p == '.') *p = '_';
        json_object_set_new(view, key, json_string(values[i] ? values[i] : ""));
    }
    const char *mode = values[2] ? values[2] : "";
    json_object_set_new(view, "modes",
                        json_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}, {s:s, s:s, s:b}]", "value",
                                  "hold-all", "label", "Hold every comment for an editor",
                                  "selected", strcmp(mode, "hold-all") == 0, "value", "hold-first",
                                  "label", "Hold a commenter's first comment", "selected",
                                  strcmp(mode, "hold-first") == 0, "value", "publish", "label",
                                  "Publish at once", "selected", strcmp(mode, "publish") == 0));
    if (error) json_object_set_new(view, "error", json_string(error));
    const char *done = http_query(req, "done");
    if (!error && done && strcmp(done, "1") == 0)
        json_object_set_new(view, "notice", json_string("The settings are saved."));
    admin_render(app, req, user, "settings", "Settings", view, res);
}

void admin_settings_page(void *app_ptr, http_request *req, const http_params *params,
                         http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_ADMIN);
    if (!user) return;
    const char *values[N_FIELDS];
    for (size_t i = 0; i < N_FIELDS; i++)
        values[i] = current(app, req, i);
    settings_screen(app, req, user, values, NULL, res);
}

void admin_settings_save(void *app_ptr, http_request *req, const http_params *params,
                         http_response *res)
{
    site_app *app = app_ptr;
    const admin_user *user = admin_require(app, req, res, ADMIN_ROLE_ADMIN);
    if (!user || !admin_check_csrf(user, admin_form_value(req, "csrf"), res)) return;
    const char *values[N_FIELDS];
    store_setting list[N_FIELDS];
    const char *error = NULL;
    for (size_t i = 0; i < N_FIELDS; i++) {
        const char *v = admin_form_value(req, fields[i].key);
        values[i] = v;
        const char *why = check(i, v);
        if (why && !error) error = arena_printf(req->arena, "%s %s.", fields[i].label, why);
        list[i] = (store_setting){.key = fields[i].key, .value = v};
    }
    store_status st = error ? STORE_INVALID : store_settings_set_many(app->store, list, N_FIELDS);
    if (!error && st == STORE_OK) {
        atomic_fetch_add(&app->content_version, 1); /* the next page reads them again */
        site_freshness_sync(app->freshness);
        return admin_redirect(res, "/admin/settings?done=1");
    }
    res->status = error ? 400 : site_status_for(st);
    settings_screen(app, req, user, values,
                    error ? error : "The settings could not be saved; try again.", res);
}
