/* store.c — the backend-independent parts of store.h: status messages, article and comment
 * status names. Everything that talks to a database lives in the backend (sqlite.c). */
#include "store.h"

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
