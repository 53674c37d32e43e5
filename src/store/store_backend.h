/* store_backend.h — how store.h's functions reach a backend. A store begins with a pointer to
 * its backend's table of functions; store.c forwards every store_xxx call to the table's xxx,
 * and a backend implements store_xxx as <backend>_store_xxx (sqlite_store_xxx in sqlite*.c,
 * pg_store_xxx in pg*.c). STORE_BACKEND_OPS lists every forwarded function once: return
 * type, name without "store_", parameters, and the arguments that pass them on. Adding a
 * function to store.h means adding it here and to every backend. */
#ifndef GAZETTE_STORE_BACKEND_H
#define GAZETTE_STORE_BACKEND_H

#include "store.h"

/* clang-format off */
#define STORE_BACKEND_OPS(X) \
    X(int, schema_version, (store *s), (s)) \
    X(const char *, last_error, (store *s), (s)) \
    X(store_status, articles_save, (store *s, const store_article_input *inputs, size_t n, long long *ids), (s, inputs, n, ids)) \
    X(store_status, articles_list, (store *s, arena *a, const store_article_query *q, store_article **out, size_t *n, size_t *total), (s, a, q, out, n, total)) \
    X(store_status, article_stamps, (store *s, arena *a, size_t limit, size_t offset, store_article **out, size_t *n), (s, a, limit, offset, out, n)) \
    X(store_status, article_by_slug, (store *s, arena *a, const char *slug, store_article *out), (s, a, slug, out)) \
    X(store_status, article_any_by_slug, (store *s, arena *a, const char *slug, store_article *out), (s, a, slug, out)) \
    X(store_status, articles_by_ids, (store *s, arena *a, const long long *ids, size_t n_ids, store_article **out, size_t *n), (s, a, ids, n_ids, out, n)) \
    X(store_status, articles_related_by_topics, (store *s, arena *a, long long article_id, size_t limit, store_article **out, size_t *n), (s, a, article_id, limit, out, n)) \
    X(store_status, articles_changed_since, (store *s, arena *a, long long since, size_t limit, store_article **out, size_t *n), (s, a, since, limit, out, n)) \
    X(store_status, page_by_slug, (store *s, arena *a, const char *slug, store_article *out), (s, a, slug, out)) \
    X(store_status, pages_list, (store *s, arena *a, const char ***slugs, size_t *n), (s, a, slugs, n)) \
    X(store_status, redirect_lookup, (store *s, arena *a, const char *path, const char **target), (s, a, path, target)) \
    X(store_status, article_top, (store *s, arena *a, store_article *out), (s, a, out)) \
    X(store_status, missing_read_also, (store *s, arena *a, store_missing_link **out, size_t *n), (s, a, out, n)) \
    X(store_status, search, (store *s, arena *a, const char *fts_query, const char *topic_slug, size_t limit, size_t offset, store_search_hit **out, size_t *n, size_t *total, bool *partial), (s, a, fts_query, topic_slug, limit, offset, out, n, total, partial)) \
    X(store_status, search_pack, (store *s), (s)) \
    X(store_status, topic_add, (store *s, const char *slug, const char *name, const char *description, long long *id), (s, slug, name, description, id)) \
    X(store_status, topic_by_slug, (store *s, arena *a, const char *slug, store_topic *out), (s, a, slug, out)) \
    X(store_status, topics_list, (store *s, arena *a, size_t min_articles, store_topic **out, size_t *n), (s, a, min_articles, out, n)) \
    X(store_status, topics_leading, (store *s, arena *a, size_t limit, store_topic **out, size_t *n), (s, a, limit, out, n)) \
    X(store_status, author_by_slug, (store *s, arena *a, const char *slug, store_author *out), (s, a, slug, out)) \
    X(store_status, author_set_bio, (store *s, const char *slug, const char *bio), (s, slug, bio)) \
    X(store_status, topics_all, (store *s, arena *a, store_topic_entry **out, size_t *n), (s, a, out, n)) \
    X(store_status, topic_save, (store *s, long long *id, const char *slug, const char *name, const char *description, long long parent_id), (s, id, slug, name, description, parent_id)) \
    X(store_status, topics_counted, (store *s, arena *a, const char *slug, store_topic_count **out, size_t *n), (s, a, slug, out, n)) \
    X(store_status, authors_counted, (store *s, arena *a, const char *slug, store_author_count **out, size_t *n), (s, a, slug, out, n)) \
    X(store_status, api_key_add, (store *s, const char *name, const char *hash), (s, name, hash)) \
    X(store_status, api_keys_list, (store *s, arena *a, store_api_key **out, size_t *n), (s, a, out, n)) \
    X(store_status, api_key_revoke, (store *s, const char *name), (s, name)) \
    X(store_status, comment_add, (store *s, const store_comment_input *in, long long *id, comment_status *status), (s, in, id, status)) \
    X(store_status, comments_for_article, (store *s, arena *a, long long article_id, long long include_id, store_comment **out, size_t *n), (s, a, article_id, include_id, out, n)) \
    X(store_status, comments_list, (store *s, arena *a, const comment_status *status, size_t limit, size_t offset, store_comment **out, size_t *n), (s, a, status, limit, offset, out, n)) \
    X(store_status, comments_recent, (store *s, arena *a, long long article_id, size_t limit, store_comment **out, size_t *n), (s, a, article_id, limit, out, n)) \
    X(store_status, comments_set_status, (store *s, const long long *ids, size_t n, comment_status status), (s, ids, n, status)) \
    X(store_status, comments_delete, (store *s, const long long *ids, size_t n), (s, ids, n)) \
    X(store_status, comment_by_id, (store *s, arena *a, long long id, store_comment *out), (s, a, id, out)) \
    X(store_status, comment_staff_reply, (store *s, long long parent_id, long long staff_user_id, const char *author_name, const char *author_email, const char *body, long long *id), (s, parent_id, staff_user_id, author_name, author_email, body, id)) \
    X(store_status, comment_counts, (store *s, const long long *article_ids, size_t n, long long *counts), (s, article_ids, n, counts)) \
    X(store_status, user_add, (store *s, const store_user *in, const char *author_slug, long long *id), (s, in, author_slug, id)) \
    X(store_status, user_by_login, (store *s, arena *a, const char *login, store_user *out), (s, a, login, out)) \
    X(store_status, user_by_id, (store *s, arena *a, long long id, store_user *out), (s, a, id, out)) \
    X(store_status, users_list, (store *s, arena *a, store_user **out, size_t *n), (s, a, out, n)) \
    X(store_status, user_set_password, (store *s, long long id, const char *password_hash), (s, id, password_hash)) \
    X(store_status, user_set_role, (store *s, long long id, const char *role), (s, id, role)) \
    X(store_status, user_set_disabled, (store *s, long long id, bool disabled), (s, id, disabled)) \
    X(store_status, session_add, (store *s, const unsigned char *token_hash, long long user_id, long long expires_at, const char *ip, const char *user_agent), (s, token_hash, user_id, expires_at, ip, user_agent)) \
    X(store_status, session_find, (store *s, arena *a, const unsigned char *token_hash, long long now, store_session *session, store_user *user), (s, a, token_hash, now, session, user)) \
    X(store_status, session_touch, (store *s, const unsigned char *token_hash, long long now, long long expires_at), (s, token_hash, now, expires_at)) \
    X(store_status, session_delete, (store *s, const unsigned char *token_hash), (s, token_hash)) \
    X(store_status, sessions_end_user, (store *s, long long user_id, size_t *n), (s, user_id, n)) \
    X(store_status, reset_add, (store *s, const unsigned char *token_hash, long long user_id, long long expires_at), (s, token_hash, user_id, expires_at)) \
    X(store_status, reset_find, (store *s, const unsigned char *token_hash, long long now, long long *user_id), (s, token_hash, now, user_id)) \
    X(store_status, reset_use, (store *s, const unsigned char *token_hash, long long now, const char *password_hash, long long *user_id), (s, token_hash, now, password_hash, user_id)) \
    X(store_status, setting_get, (store *s, arena *a, const char *key, const char **value), (s, a, key, value)) \
    X(store_status, setting_set, (store *s, const char *key, const char *value), (s, key, value)) \
    X(store_status, settings_list, (store *s, arena *a, store_setting **out, size_t *n), (s, a, out, n)) \
    X(store_status, settings_set_many, (store *s, const store_setting *settings, size_t n), (s, settings, n)) \
    X(store_status, push_vapid_get, (store *s, arena *a, store_push_vapid *out), (s, a, out)) \
    X(store_status, push_vapid_put, (store *s, const unsigned char private_key[32], const unsigned char public_key[65]), (s, private_key, public_key)) \
    X(store_status, push_subscribe, (store *s, const char *endpoint, const unsigned char p256dh[65], const unsigned char auth[16]), (s, endpoint, p256dh, auth)) \
    X(store_status, push_unsubscribe, (store *s, const char *endpoint), (s, endpoint)) \
    X(store_status, push_subscription_delete, (store *s, long long subscription_id), (s, subscription_id)) \
    X(store_status, push_mark_breaking, (store *s, const char *slug, long long *queued, long long *marked_at), (s, slug, queued, marked_at)) \
    X(store_status, push_claim, (store *s, arena *a, long long now, long long lease_until, size_t limit, store_push_message **out, size_t *n), (s, a, now, lease_until, limit, out, n)) \
    X(store_status, push_message_finish, (store *s, long long id, push_message_state state, long long retry_at), (s, id, state, retry_at)) \
    X(store_status, push_next_due, (store *s, long long *at), (s, at)) \
    X(store_status, push_prune, (store *s, long long before, long long *removed), (s, before, removed)) \
    X(store_status, push_counts, (store *s, long long *subscribers, long long counts[3]), (s, subscribers, counts)) \
    X(store_status, newsletter_request, (store *s, const char *email, const char *topics, const unsigned char *hash, long long expires, long long *id), (s, email, topics, hash, expires, id)) \
    X(store_status, newsletter_withdraw, (store *s, long long id, const unsigned char *hash), (s, id, hash)) \
    X(store_status, newsletter_by_confirmation, (store *s, arena *a, const unsigned char *hash, store_subscriber *out), (s, a, hash, out)) \
    X(store_status, newsletter_confirm, (store *s, const unsigned char *hash, long long now), (s, hash, now)) \
    X(store_status, newsletter_subscriber, (store *s, arena *a, long long id, store_subscriber *out), (s, a, id, out)) \
    X(store_status, newsletter_unsubscribe, (store *s, long long id, long long now), (s, id, now)) \
    X(store_status, newsletter_confirmed, (store *s, arena *a, store_subscriber **out, size_t *n), (s, a, out, n)) \
    X(store_status, newsletter_top_stories, (store *s, arena *a, long long since, long long until, size_t limit, long long **ids, long long **comments, size_t *n), (s, a, since, until, limit, ids, comments, n)) \
    X(store_status, newsletter_claim, (store *s, long long subscriber_id, const char *day, long long now), (s, subscriber_id, day, now)) \
    X(store_status, newsletter_unclaim, (store *s, long long subscriber_id, const char *day), (s, subscriber_id, day)) \
    X(store_status, media_add, (store *s, const store_media_input *in, long long *id), (s, in, id)) \
    X(store_status, media_get, (store *s, arena *a, long long id, store_media *out), (s, a, id, out)) \
    X(store_status, media_list, (store *s, arena *a, size_t limit, size_t offset, store_media **out, size_t *n, size_t *total), (s, a, limit, offset, out, n, total)) \
    X(store_status, media_update, (store *s, long long id, const char *alt, const char *caption, const char *credit), (s, id, alt, caption, credit)) \
    X(store_status, media_delete, (store *s, long long id), (s, id)) \
    X(store_status, read_begin, (store *s), (s)) \
    X(store_status, changes_since, (store *s, arena *a, long long after, size_t limit, store_change **out, size_t *n), (s, a, after, limit, out, n)) \
    X(store_status, changes_head, (store *s, long long *head), (s, head)) \
    X(store_status, changed_since_last_look, (store *s, bool *changed), (s, changed)) \
    X(long long, last_change, (store *s), (s)) \
    X(store_status, editor_articles, (store *s, arena *a, const store_editor_query *q, store_article **out, size_t *n, size_t *total), (s, a, q, out, n, total)) \
    X(store_status, article_by_id, (store *s, arena *a, long long id, store_article *out, int *revision), (s, a, id, out, revision)) \
    X(store_status, article_owned_by, (store *s, long long article_id, long long user_id, long long author_id, bool *owned), (s, article_id, user_id, author_id, owned)) \
    X(store_status, authors_all, (store *s, arena *a, store_author **out, size_t *n), (s, a, out, n)) \
    X(store_status, author_by_id, (store *s, arena *a, long long id, store_author *out), (s, a, id, out)) \
    X(store_status, article_edit_save, (store *s, arena *a, const store_article_edit *e, long long *id, const char **slug, int *revision), (s, a, e, id, slug, revision)) \
    X(store_status, revisions_list, (store *s, arena *a, long long article_id, store_revision **out, size_t *n), (s, a, article_id, out, n)) \
    X(store_status, revision_get, (store *s, arena *a, long long article_id, int number, store_revision *out), (s, a, article_id, number, out)) \
    X(store_status, set_cache_mb, (store *s, unsigned mb), (s, mb)) \
    X(store_status, publish_due, (store *s, arena *a, long long now, size_t limit, long long **ids, size_t *n), (s, a, now, limit, ids, n))

/* clang-format on */

typedef struct store_backend {
    const char *name; /* "sqlite", "postgresql" */
#define STORE_BACKEND_FIELD(ret, name, params, args) ret(*name) params;
    STORE_BACKEND_OPS(STORE_BACKEND_FIELD)
#undef STORE_BACKEND_FIELD
    void (*read_end)(store *s);
    void (*close)(store *s);
} store_backend;

/* The head of every backend's store. */
struct store {
    const store_backend *backend;
};

/* The backends, and how each opens a location (store_open / store_create pick one). */
extern const store_backend sqlite_store_backend;
extern const store_backend pg_store_backend;
store_status sqlite_store_open(const char *location, store **out, char *err, size_t errlen);
store_status sqlite_store_create(const char *location, store **out, char *err, size_t errlen);
store_status pg_store_open(const char *location, store **out, char *err, size_t errlen);
store_status pg_store_create(const char *location, store **out, char *err, size_t errlen);

#define STORE_BACKEND_DECLARE_SQLITE(ret, name, params, args) ret sqlite_store_##name params;
#define STORE_BACKEND_DECLARE_PG(ret, name, params, args) ret pg_store_##name params;
STORE_BACKEND_OPS(STORE_BACKEND_DECLARE_SQLITE)
STORE_BACKEND_OPS(STORE_BACKEND_DECLARE_PG)
void sqlite_store_read_end(store *s);
void sqlite_store_close(store *s);
void pg_store_read_end(store *s);
void pg_store_close(store *s);

#endif
