/* store.c — the backend-independent parts of store.h: status messages, article and comment
 * status names. Everything that talks to a database lives in a backend (sqlite*.c, pg*.c); this
 * file forwards each call to the store's own (store_backend.h). */
#include "pg_core.h"
#include "store_backend.h"

#include <stdio.h>
#include <string.h>

const char *store_strerror(store_status status)
{
    switch (status) {
    case STORE_OK:
        return "ok";
    case STORE_NOT_FOUND:
        return "not found";
    case STORE_CONFLICT:
        return "already exists";
    case STORE_INVALID:
        return "invalid value";
    case STORE_BUSY:
        return "database busy (locked by another writer)";
    case STORE_IO:
        return "database input/output error";
    case STORE_SCHEMA:
        return "not a Gazette database, or one made by a newer Gazette";
    case STORE_FULL:
        return "the disk holding the database is full";
    case STORE_STALE:
        return "saved by someone else meanwhile";
    case STORE_UNAVAILABLE:
        return "the database server cannot be reached now";
    }
    return "unknown store error";
}

static const char *const status_names[] = {
    [ARTICLE_DRAFT] = "draft",
    [ARTICLE_SCHEDULED] = "scheduled",
    [ARTICLE_PUBLISHED] = "published",
};

const char *article_status_name(article_status st)
{
    if ((unsigned)st >= sizeof status_names / sizeof status_names[0]) return "unknown";
    return status_names[st];
}

bool article_status_parse(const char *name, article_status *out)
{
    if (!name) return false;
    for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            if (out) *out = (article_status)i;
            return true;
        }
    }
    return false;
}

static const char *const comment_names[] = {
    [COMMENT_PENDING] = "pending",
    [COMMENT_APPROVED] = "approved",
    [COMMENT_SPAM] = "spam",
    [COMMENT_TRASH] = "trash",
};

const char *comment_status_name(comment_status st)
{
    if ((unsigned)st >= sizeof comment_names / sizeof comment_names[0]) return "unknown";
    return comment_names[st];
}

bool comment_status_parse(const char *name, comment_status *out)
{
    if (!name) return false;
    for (size_t i = 0; i < sizeof comment_names / sizeof comment_names[0]; i++) {
        if (strcmp(name, comment_names[i]) == 0) {
            if (out) *out = (comment_status)i;
            return true;
        }
    }
    return false;
}

/* ---- Forwarding to the backend (store_backend.h) ------------------------------------------- */
#define STORE_FORWARD(ret, name, params, args)                                                     \
    ret store_##name params                                                                        \
    {                                                                                              \
        return s->backend->name args;                                                              \
    }
STORE_BACKEND_OPS(STORE_FORWARD)
#undef STORE_FORWARD

void store_read_end(store *s)
{
    s->backend->read_end(s);
}

void store_close(store *s)
{
    if (s) s->backend->close(s);
}

bool store_location_is_pg(const char *location)
{
    return location && (strncmp(location, "postgres://", 11) == 0 ||
                        strncmp(location, "postgresql://", 13) == 0);
}

store_status store_open(const char *location, store **out, char *err, size_t errlen)
{
    return store_location_is_pg(location) ? pg_store_open(location, out, err, errlen)
                                          : sqlite_store_open(location, out, err, errlen);
}

store_status store_create(const char *location, store **out, char *err, size_t errlen)
{
    return store_location_is_pg(location) ? pg_store_create(location, out, err, errlen)
                                          : sqlite_store_create(location, out, err, errlen);
}

const char *store_location_shown(const char *location, char *out, size_t n)
{
    if (!n) return out;
    if (store_location_is_pg(location)) /* user:PASSWORD@ and ?password=... */
        pg_redact_location(location, out, n);
    else
        snprintf(out, n, "%s", location ? location : "");
    return out;
}
