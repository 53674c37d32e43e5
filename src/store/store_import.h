/* store_import.h — writing what an import brings in (the WordPress importer, src/cli): topics
 * with their parents, authors with their users, imported stories and pages, comments with their
 * threads, redirects, and the map from the source's ids to ours (wp_import_map, migration 7)
 * that makes a second run create nothing twice. Writes go in batches: store_import_open starts
 * a write transaction, store_import_checkpoint commits it and starts the next, so an
 * interrupted import loses at most the batch in progress. One import per thread at a time;
 * the store's other functions must not be called on the same thread in between. */
#ifndef GAZETTE_STORE_IMPORT_H
#define GAZETTE_STORE_IMPORT_H

#include "store.h"

typedef struct store_import store_import;

store_status store_import_open(store *s, store_import **out);
store_status store_import_checkpoint(store_import *im);
/* Commits (commit true) or rolls back the batch in progress and frees im. */
store_status store_import_close(store_import *im, bool commit);
/* Why the last call failed, for people. */
const char *store_import_error(store_import *im);

/* What an object of the source became: local_id (an article, comment, topic or author id;
 * 0 for attachments), and for attachments their URL, caption and alt text (NULL when none). */
typedef struct {
    long long local_id;
    const char *url, *caption, *alt;
} store_import_mapping;
/* STORE_NOT_FOUND when the object was never imported. Strings are arena copies. */
store_status store_import_lookup(store_import *im, arena *a, const char *kind, long long source_id,
                                 store_import_mapping *out);
store_status store_import_remember(store_import *im, const char *kind, long long source_id,
                                   const store_import_mapping *m);
/* The source ids of the attachments remembered with local_id post_id (attached to that post),
 * in id order, at most max; *n gets how many. */
store_status store_import_attached(store_import *im, long long post_id, long long *ids, size_t max,
                                   size_t *n);

/* The topic with this slug (a valid slug), created with name and description when there is
 * none (*created then true). */
store_status store_import_topic(store_import *im, const char *slug, const char *name,
                                const char *description, long long *id, bool *created);
store_status store_import_topic_find(store_import *im, const char *slug, long long *id);
store_status store_import_topic_set_parent(store_import *im, long long id, long long parent_id);

/* A login of the source: the user with this login, or a new user without a password (role
 * 'author') writing as a new author (slug author_slug, made unique with -2, -3 ...). author_id
 * gets the author. *created tells whether a user was made. */
typedef struct {
    const char *login, *email, *display_name, *author_slug;
} store_import_login;
store_status store_import_user(store_import *im, arena *a, const store_import_login *u,
                               long long *author_id, bool *created);

/* An imported story or page: body_html is sanitised HTML (body_format 'html'). The slug is
 * made unique (-2, -3 ...) when another article has it; *slug_used says which was taken. */
typedef struct {
    const char *slug, *headline, *lead, *body_html;
    const char *image_url, *image_caption, *image_alt;
    article_status status;
    long long published_at;
    bool comments_off, is_page, sticky;
    const long long *topic_ids; /* topic_ids[0] the primary topic */
    size_t n_topics;
    const long long *author_ids;
    size_t n_authors;
} store_import_article;
store_status store_import_article_add(store_import *im, arena *a, const store_import_article *in,
                                      long long *id, const char **slug_used);

typedef struct {
    long long article_id, parent_id; /* parent_id 0: top level */
    const char *author_name, *author_email, *author_url, *body, *ip;
    comment_status status;
    long long created_at;
} store_import_comment;
store_status store_import_comment_add(store_import *im, const store_import_comment *in,
                                      long long *id);
store_status store_import_comment_set_parent(store_import *im, long long id, long long parent_id);

/* Old path (a content_redirect_key) to a local path; replaces an earlier target. */
store_status store_import_redirect(store_import *im, const char *path, const char *target);

#endif
