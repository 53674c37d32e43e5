/* frame.c — what every newsroom screen goes through: admin_require (the session cookie, its
 * user and their role), the CSRF check, and admin_render (a screen's template inside the admin
 * layout, with the navigation the role allows); also role names, the client's address and TLS
 * as a trusted proxy reports them, the admin theme's loading and its assets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "auth.h"

static const char *const role_names[] = {
    [ADMIN_ROLE_NONE] = "none",     [ADMIN_ROLE_CONTRIBUTOR] = "contributor",
    [ADMIN_ROLE_AUTHOR] = "author", [ADMIN_ROLE_EDITOR] = "editor",
    [ADMIN_ROLE_ADMIN] = "admin",
};

const char *admin_role_name(admin_role role)
{
    if ((unsigned)role > ADMIN_ROLE_ADMIN) return "none";
    return role_names[role];
}

admin_role admin_role_parse(const char *name)
{
    for (int r = ADMIN_ROLE_CONTRIBUTOR; name && r <= ADMIN_ROLE_ADMIN; r++)
        if (strcmp(name, role_names[r]) == 0) return (admin_role)r;
    return ADMIN_ROLE_NONE;
}

/* The admin theme's required templates: the frame itself and the screens of this module. */
static const char *const admin_templates[] = {"layout", "login", "message", NULL};

bool admin_start(site_app *app, const char *theme_dir, char *err, size_t errlen)
{
    app->admin_theme = theme_load_kind(theme_dir, admin_templates, "/admin/assets/", err, errlen);
    if (!app->admin_theme) return false;
    app->admin_assets = theme_assets_json(app->admin_theme);
    app->login_throttle = auth_throttle_new(8192);
    if (!app->admin_assets || !app->login_throttle) {
        snprintf(err, errlen, "out of memory");
        admin_stop(app);
        return false;
    }
    return true;
}

void admin_stop(site_app *app)
{
    auth_throttle_free(app->login_throttle);
    json_decref(app->admin_assets);
    theme_free(app->admin_theme);
    app->login_throttle = NULL;
    app->admin_assets = NULL;
    app->admin_theme = NULL;
}

/* Whether ip is one of the space-separated addresses of the trusted_proxies setting. */
static bool trusted_proxy(site_app *app, http_request *req, const char *ip)
{
    const char *list = site_setting_text(app, req->arena, "trusted_proxies");
    size_t n = strlen(ip);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, " ,");
        if (len == n && len && strncmp(p, ip, n) == 0) return true;
        p += len;
    }
    return false;
}

const char *admin_client_ip(site_app *app, http_request *req)
{
    const char *peer = http_client_ip(req);
    const char *forwarded = http_header(req, "X-Forwarded-For");
    if (!forwarded || !trusted_proxy(app, req, peer)) return peer;
    const char *hop = admin_forwarded_client(req->arena, forwarded);
    return hop ? hop : peer;
}

const char *admin_forwarded_client(arena *a, const char *header)
{
    if (!header) return NULL;
    const char *last = strrchr(header, ',');
    last = last ? last + 1 : header;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t len = strcspn(last, " \t");
    /* an address is hex digits, '.' and ':' (IPv6), nothing else */
    if (!len || len >= 64 || strspn(last, "0123456789abcdefABCDEF.:") < len) return NULL;
    return arena_strndup(a, last, len);
}

bool admin_request_is_tls(site_app *app, http_request *req)
{
    if (app->config.base_url && strncmp(app->config.base_url, "https://", 8) == 0) return true;
    const char *proto = http_header(req, "X-Forwarded-Proto");
    return proto && strcmp(proto, "https") == 0 && trusted_proxy(app, req, http_client_ip(req));
}

/* Cache-Control: no-store, once. */
static void no_store(http_response *res)
{
    if (!http_response_header(res, "Cache-Control"))
        http_set_header(res, "Cache-Control", "no-store");
}

/* ---- the session ----------------------------------------------------------------------------- */
/* The user of the request's session cookie, touching the session when it was last seen a
 * while ago; STORE_NOT_FOUND when there is no valid session. */
static store_status session_user(site_app *app, http_request *req, http_response *res,
                                 admin_user *out)
{
    const char *token = http_cookie(req, "gz_session");
    if (!auth_token_is_valid(token)) return STORE_NOT_FOUND;
    unsigned char hash[AUTH_TOKEN_HASH];
    auth_token_hash(token, hash);
    long long now = (long long)time(NULL);
    store_session session;
    store_user user;
    store_status st = store_session_find(app->store, req->arena, hash, now, &session, &user);
    if (st != STORE_OK) return st;
    if (now - session.last_seen_at >= AUTH_SESSION_TOUCH_SECONDS &&
        store_session_touch(app->store, hash, now, now + AUTH_SESSION_DAYS * 86400LL) == STORE_OK)
        admin_set_session_cookie(app, req, res, token); /* the browser's copy slides too */
    char *csrf = arena_alloc(req->arena, AUTH_CSRF_TEXT);
    auth_csrf_for(token, csrf);
    *out = (admin_user){.id = user.id,
                        .login = user.login,
                        .display_name = user.display_name,
                        .email = user.email,
                        .role = admin_role_parse(user.role),
                        .author_id = user.author_id,
                        .csrf = csrf};
    return STORE_OK;
}

/* "/admin/login?next=PATH" with PATH percent-encoded (only admin paths are kept). */
static const char *login_location(http_request *req)
{
    buf b = {0};
    buf_puts(&b, "/admin/login");
    if (strncmp(req->path, "/admin/", 7) == 0 && strcmp(req->path, "/admin/login") != 0) {
        buf_puts(&b, "?next=");
        for (const unsigned char *p = (const unsigned char *)req->path; *p; p++) {
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '/' || *p == '-' || *p == '_' || *p == '.')
                buf_putc(&b, (char)*p);
            else
                buf_printf(&b, "%%%02X", *p);
        }
    }
    const char *out = arena_strdup(req->arena, b.data ? b.data : "/admin/login");
    buf_free(&b);
    return out;
}

const admin_user *admin_session(site_app *app, http_request *req, http_response *res)
{
    store_read_end(app->store);
    admin_user *user = arena_alloc(req->arena, sizeof *user);
    return session_user(app, req, res, user) == STORE_OK ? user : NULL;
}

const admin_user *admin_require(site_app *app, http_request *req, http_response *res,
                                admin_role need)
{
    no_store(res);
    store_read_end(app->store); /* admin pages read fresh data and write (sessions) */
    if (!app->admin_theme) {
        res->status = 503;
        return NULL;
    }
    admin_user *user = arena_alloc(req->arena, sizeof *user);
    store_status st = session_user(app, req, res, user);
    if (st == STORE_NOT_FOUND) {
        if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
            http_redirect(res, 303, login_location(req));
        } else {
            admin_message(app, req, NULL, 401, "Please sign in",
                          "You are not signed in (or your session has ended). Sign in and try "
                          "again.",
                          res);
        }
        return NULL;
    }
    if (st != STORE_OK) {
        admin_message(app, req, NULL, site_status_for(st), "Something went wrong",
                      "The database could not be read; try again in a moment.", res);
        return NULL;
    }
    if (user->role < need) {
        admin_message(app, req, user, 403, "Not allowed",
                      "Your role does not allow this page. Ask an administrator if you need it.",
                      res);
        return NULL;
    }
    return user;
}

bool admin_csrf_matches(const admin_user *user, const char *csrf)
{
    return user && auth_csrf_matches(user->csrf, csrf);
}

bool admin_check_csrf(const admin_user *user, const char *form_csrf, http_response *res)
{
    if (user && auth_csrf_matches(user->csrf, form_csrf)) return true;
    res->status = 403;
    res->content_type = "text/plain; charset=utf-8";
    buf_free(&res->body);
    buf_puts(&res->body, "The form has expired; reload the page and try again.\n");
    no_store(res);
    return false;
}

/* ---- rendering ---------------------------------------------------------------------------------
 */
static json_t *user_json(const admin_user *u)
{
    return json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}", "login", u->login, "display_name",
                     u->display_name ? u->display_name : u->login, "role", admin_role_name(u->role),
                     "can_write", u->role >= ADMIN_ROLE_CONTRIBUTOR, "can_publish",
                     u->role >= ADMIN_ROLE_AUTHOR, "can_edit_others", u->role >= ADMIN_ROLE_EDITOR,
                     "can_moderate", u->role >= ADMIN_ROLE_EDITOR, "can_admin",
                     u->role >= ADMIN_ROLE_ADMIN);
}

/* The navigation of a role: what it may open, the current page marked. */
static json_t *nav_json(const admin_user *u, const char *path)
{
    static const struct {
        const char *label, *href;
        admin_role need;
    } items[] = {
        {"Dashboard", "/admin/", ADMIN_ROLE_CONTRIBUTOR},
        {"Stories", "/admin/stories", ADMIN_ROLE_CONTRIBUTOR},
        {"Media", "/admin/media", ADMIN_ROLE_CONTRIBUTOR},
        {"Comments", "/admin/comments", ADMIN_ROLE_EDITOR},
        {"Topics", "/admin/topics", ADMIN_ROLE_EDITOR},
        {"Users", "/admin/users", ADMIN_ROLE_ADMIN},
        {"Settings", "/admin/settings", ADMIN_ROLE_ADMIN},
        {"Account", "/admin/account", ADMIN_ROLE_CONTRIBUTOR},
    };
    json_t *nav = json_array();
    for (size_t i = 0; u && i < sizeof items / sizeof items[0]; i++) {
        if (u->role < items[i].need) continue;
        size_t n = strlen(items[i].href);
        bool current = strcmp(items[i].href, "/admin/") == 0 ? strcmp(path, "/admin/") == 0
                                                             : strncmp(path, items[i].href, n) == 0;
        json_array_append_new(nav, json_pack("{s:s, s:s, s:b}", "label", items[i].label, "href",
                                             items[i].href, "current", current));
    }
    return nav;
}

void admin_render(site_app *app, http_request *req, const admin_user *user,
                  const char *template_name, const char *title, json_t *view, http_response *res)
{
    no_store(res);
    if (!view) view = json_object();
    json_t *site = json_pack("{s:s, s:O}", "name", app->config.name ? app->config.name : "Gazette",
                             "assets", app->admin_assets ? app->admin_assets : json_null());
    json_object_set_new(view, "site", site);
    json_object_set_new(view, "title", json_string(title ? title : ""));
    json_object_set_new(view, "nav", nav_json(user, req->path));
    if (user) {
        json_object_set_new(view, "user", user_json(user));
        json_object_set_new(view, "csrf", json_string(user->csrf));
    }
    buf content = {0};
    bool ok = app->admin_theme && theme_render(app->admin_theme, template_name, view, &content);
    if (ok) {
        json_object_set_new(view, "content",
                            json_stringn(content.data ? content.data : "", content.len));
        ok = theme_render(app->admin_theme, "layout", view, &res->body);
    }
    buf_free(&content);
    json_decref(view);
    if (!ok) {
        fprintf(stderr, "gazette: rendering admin '%s' for %s failed\n", template_name, req->path);
        buf_free(&res->body);
        res->status = 500;
        res->content_type = "text/plain; charset=utf-8";
        buf_puts(&res->body, "The page could not be rendered.\n");
        return;
    }
    if (!res->status) res->status = 200;
    res->content_type = "text/html; charset=utf-8";
}

void admin_message(site_app *app, http_request *req, const admin_user *user, int status,
                   const char *title, const char *message, http_response *res)
{
    res->status = status;
    admin_render(app, req, user, "message", title, json_pack("{s:s}", "message", message), res);
}

void admin_redirect(http_response *res, const char *path)
{
    no_store(res);
    http_redirect(res, 303, path);
}

void admin_asset(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    site_app *app = app_ptr;
    const theme_asset *asset =
        app->admin_theme ? theme_asset_find(app->admin_theme, http_param(params, "file")) : NULL;
    if (!asset) return (void)(res->status = 404);
    res->static_body = asset->bytes;
    res->static_len = asset->len;
    res->content_type = asset->content_type;
    /* not tagged: nothing of the newsroom goes into the page cache */
    http_set_header(res, "Cache-Control", "public, max-age=31536000, immutable");
}
