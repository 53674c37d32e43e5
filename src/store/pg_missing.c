/* pg_missing.c — the PostgreSQL backend's functions not written yet: each answers STORE_IO
 * with a message saying so. Whoever writes one in a pg_*.c file deletes it here; when this file
 * is empty it goes. */
#include "store_backend.h"

#include <stdio.h>

static store_status missing(const char *what)
{
    fprintf(stderr, "gazette: %s is not in the PostgreSQL backend yet\n", what);
    return STORE_IO;
}

int pg_store_schema_version(store *s)
{
    missing("store_schema_version");
    return 0;
}

const char *pg_store_last_error(store *s)
{
    missing("store_last_error");
    return "not in the PostgreSQL backend yet";
}

store_status pg_store_articles_save(store *s, const store_article_input *inputs, size_t n,
                                    long long *ids)
{
    return missing("store_articles_save");
}

store_status pg_store_articles_list(store *s, arena *a, const store_article_query *q,
                                    store_article **out, size_t *n, size_t *total)
{
    return missing("store_articles_list");
}

store_status pg_store_article_stamps(store *s, arena *a, size_t limit, size_t offset,
                                     store_article **out, size_t *n)
{
    return missing("store_article_stamps");
}

store_status pg_store_article_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    return missing("store_article_by_slug");
}

store_status pg_store_article_any_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    return missing("store_article_any_by_slug");
}

store_status pg_store_articles_by_ids(store *s, arena *a, const long long *ids, size_t n_ids,
                                      store_article **out, size_t *n)
{
    return missing("store_articles_by_ids");
}

store_status pg_store_articles_related_by_topics(store *s, arena *a, long long article_id,
                                                 size_t limit, store_article **out, size_t *n)
{
    return missing("store_articles_related_by_topics");
}

store_status pg_store_articles_changed_since(store *s, arena *a, long long since, size_t limit,
                                             store_article **out, size_t *n)
{
    return missing("store_articles_changed_since");
}

store_status pg_store_page_by_slug(store *s, arena *a, const char *slug, store_article *out)
{
    return missing("store_page_by_slug");
}

store_status pg_store_pages_list(store *s, arena *a, const char ***slugs, size_t *n)
{
    return missing("store_pages_list");
}

store_status pg_store_redirect_lookup(store *s, arena *a, const char *path, const char **target)
{
    return missing("store_redirect_lookup");
}

store_status pg_store_article_top(store *s, arena *a, store_article *out)
{
    return missing("store_article_top");
}

store_status pg_store_missing_read_also(store *s, arena *a, store_missing_link **out, size_t *n)
{
    return missing("store_missing_read_also");
}

store_status pg_store_search(store *s, arena *a, const char *fts_query, const char *topic_slug,
                             size_t limit, size_t offset, store_search_hit **out, size_t *n,
                             size_t *total, bool *partial)
{
    return missing("store_search");
}

store_status pg_store_search_pack(store *s)
{
    return missing("store_search_pack");
}

store_status pg_store_topic_add(store *s, const char *slug, const char *name,
                                const char *description, long long *id)
{
    return missing("store_topic_add");
}

store_status pg_store_topic_by_slug(store *s, arena *a, const char *slug, store_topic *out)
{
    return missing("store_topic_by_slug");
}

store_status pg_store_topics_list(store *s, arena *a, size_t min_articles, store_topic **out,
                                  size_t *n)
{
    return missing("store_topics_list");
}

store_status pg_store_topics_leading(store *s, arena *a, size_t limit, store_topic **out, size_t *n)
{
    return missing("store_topics_leading");
}

store_status pg_store_author_by_slug(store *s, arena *a, const char *slug, store_author *out)
{
    return missing("store_author_by_slug");
}

store_status pg_store_author_set_bio(store *s, const char *slug, const char *bio)
{
    return missing("store_author_set_bio");
}

store_status pg_store_topics_all(store *s, arena *a, store_topic_entry **out, size_t *n)
{
    return missing("store_topics_all");
}

store_status pg_store_topic_save(store *s, long long *id, const char *slug, const char *name,
                                 const char *description, long long parent_id)
{
    return missing("store_topic_save");
}

store_status pg_store_topics_counted(store *s, arena *a, const char *slug, store_topic_count **out,
                                     size_t *n)
{
    return missing("store_topics_counted");
}

store_status pg_store_authors_counted(store *s, arena *a, const char *slug,
                                      store_author_count **out, size_t *n)
{
    return missing("store_authors_counted");
}

store_status pg_store_api_key_add(store *s, const char *name, const char *hash)
{
    return missing("store_api_key_add");
}

store_status pg_store_api_keys_list(store *s, arena *a, store_api_key **out, size_t *n)
{
    return missing("store_api_keys_list");
}

store_status pg_store_api_key_revoke(store *s, const char *name)
{
    return missing("store_api_key_revoke");
}

store_status pg_store_comment_add(store *s, const store_comment_input *in, long long *id,
                                  comment_status *status)
{
    return missing("store_comment_add");
}

store_status pg_store_comments_for_article(store *s, arena *a, long long article_id,
                                           long long include_id, store_comment **out, size_t *n)
{
    return missing("store_comments_for_article");
}

store_status pg_store_comments_list(store *s, arena *a, const comment_status *status, size_t limit,
                                    size_t offset, store_comment **out, size_t *n)
{
    return missing("store_comments_list");
}

store_status pg_store_comments_recent(store *s, arena *a, long long article_id, size_t limit,
                                      store_comment **out, size_t *n)
{
    return missing("store_comments_recent");
}

store_status pg_store_comments_set_status(store *s, const long long *ids, size_t n,
                                          comment_status status)
{
    return missing("store_comments_set_status");
}

store_status pg_store_comments_delete(store *s, const long long *ids, size_t n)
{
    return missing("store_comments_delete");
}

store_status pg_store_comment_by_id(store *s, arena *a, long long id, store_comment *out)
{
    return missing("store_comment_by_id");
}

store_status pg_store_comment_staff_reply(store *s, long long parent_id, long long staff_user_id,
                                          const char *author_name, const char *author_email,
                                          const char *body, long long *id)
{
    return missing("store_comment_staff_reply");
}

store_status pg_store_comment_counts(store *s, const long long *article_ids, size_t n,
                                     long long *counts)
{
    return missing("store_comment_counts");
}

store_status pg_store_setting_get(store *s, arena *a, const char *key, const char **value)
{
    return missing("store_setting_get");
}

store_status pg_store_setting_set(store *s, const char *key, const char *value)
{
    return missing("store_setting_set");
}

store_status pg_store_settings_list(store *s, arena *a, store_setting **out, size_t *n)
{
    return missing("store_settings_list");
}

store_status pg_store_settings_set_many(store *s, const store_setting *settings, size_t n)
{
    return missing("store_settings_set_many");
}

store_status pg_store_push_vapid_get(store *s, arena *a, store_push_vapid *out)
{
    return missing("store_push_vapid_get");
}

store_status pg_store_push_vapid_put(store *s, const unsigned char private_key[32],
                                     const unsigned char public_key[65])
{
    return missing("store_push_vapid_put");
}

store_status pg_store_push_subscribe(store *s, const char *endpoint, const unsigned char p256dh[65],
                                     const unsigned char auth[16])
{
    return missing("store_push_subscribe");
}

store_status pg_store_push_unsubscribe(store *s, const char *endpoint)
{
    return missing("store_push_unsubscribe");
}

store_status pg_store_push_subscription_delete(store *s, long long subscription_id)
{
    return missing("store_push_subscription_delete");
}

store_status pg_store_push_mark_breaking(store *s, const char *slug, long long *queued,
                                         long long *marked_at)
{
    return missing("store_push_mark_breaking");
}

store_status pg_store_push_claim(store *s, arena *a, long long now, long long lease_until,
                                 size_t limit, store_push_message **out, size_t *n)
{
    return missing("store_push_claim");
}

store_status pg_store_push_message_finish(store *s, long long id, push_message_state state,
                                          long long retry_at)
{
    return missing("store_push_message_finish");
}

store_status pg_store_push_next_due(store *s, long long *at)
{
    return missing("store_push_next_due");
}

store_status pg_store_push_prune(store *s, long long before, long long *removed)
{
    return missing("store_push_prune");
}

store_status pg_store_push_counts(store *s, long long *subscribers, long long counts[3])
{
    return missing("store_push_counts");
}

store_status pg_store_read_begin(store *s)
{
    return missing("store_read_begin");
}

store_status pg_store_changes_since(store *s, arena *a, long long after, size_t limit,
                                    store_change **out, size_t *n)
{
    return missing("store_changes_since");
}

store_status pg_store_changes_head(store *s, long long *head)
{
    return missing("store_changes_head");
}

store_status pg_store_changed_since_last_look(store *s, bool *changed)
{
    return missing("store_changed_since_last_look");
}

long long pg_store_last_change(store *s)
{
    missing("store_last_change");
    return 0;
}

void pg_store_read_end(store *s) {}

void pg_store_close(store *s) {}

store_status pg_store_open(const char *location, store **out, char *err, size_t errlen)
{
    snprintf(err, errlen, "the PostgreSQL backend is not written yet");
    *out = NULL;
    return STORE_IO;
}

store_status pg_store_create(const char *location, store **out, char *err, size_t errlen)
{
    return pg_store_open(location, out, err, errlen);
}

#define PG_BACKEND_ENTRY(ret, name, params, args) .name = pg_store_##name,
const store_backend pg_store_backend = {
    .name = "postgresql",
    STORE_BACKEND_OPS(PG_BACKEND_ENTRY).read_end = pg_store_read_end,
    .close = pg_store_close,
};
#undef PG_BACKEND_ENTRY
