/* pg_missing.c — the PostgreSQL backend's functions not written yet: each answers STORE_IO
 * with a message saying so. Whoever writes one in a pg_*.c file deletes it here; when this file
 * is empty it goes. */
#include "pg_internal.h"
#include "store_backend.h"

#include <stdio.h>

static store_status missing(const char *what)
{
    fprintf(stderr, "gazette: %s is not in the PostgreSQL backend yet\n", what);
    return STORE_IO;
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

store_status pg_store_user_add(store *s, const store_user *in, const char *author_slug,
                               long long *id)
{
    return missing("store_user_add");
}

store_status pg_store_user_by_login(store *s, arena *a, const char *login, store_user *out)
{
    return missing("store_user_by_login");
}

store_status pg_store_user_by_id(store *s, arena *a, long long id, store_user *out)
{
    return missing("store_user_by_id");
}

store_status pg_store_users_list(store *s, arena *a, store_user **out, size_t *n)
{
    return missing("store_users_list");
}

store_status pg_store_user_set_password(store *s, long long id, const char *password_hash)
{
    return missing("store_user_set_password");
}

store_status pg_store_user_set_role(store *s, long long id, const char *role)
{
    return missing("store_user_set_role");
}

store_status pg_store_user_set_disabled(store *s, long long id, bool disabled)
{
    return missing("store_user_set_disabled");
}

store_status pg_store_session_add(store *s, const unsigned char *token_hash, long long user_id,
                                  long long expires_at, const char *ip, const char *user_agent)
{
    return missing("store_session_add");
}

store_status pg_store_session_find(store *s, arena *a, const unsigned char *token_hash,
                                   long long now, store_session *session, store_user *user)
{
    return missing("store_session_find");
}

store_status pg_store_session_touch(store *s, const unsigned char *token_hash, long long now,
                                    long long expires_at)
{
    return missing("store_session_touch");
}

store_status pg_store_session_delete(store *s, const unsigned char *token_hash)
{
    return missing("store_session_delete");
}

store_status pg_store_sessions_end_user(store *s, long long user_id, size_t *n)
{
    return missing("store_sessions_end_user");
}

store_status pg_store_reset_add(store *s, const unsigned char *token_hash, long long user_id,
                                long long expires_at)
{
    return missing("store_reset_add");
}

store_status pg_store_reset_find(store *s, const unsigned char *token_hash, long long now,
                                 long long *user_id)
{
    return missing("store_reset_find");
}

store_status pg_store_reset_use(store *s, const unsigned char *token_hash, long long now,
                                const char *password_hash, long long *user_id)
{
    return missing("store_reset_use");
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

store_status pg_store_newsletter_request(store *s, const char *email, const char *topics,
                                         const unsigned char *hash, long long expires,
                                         long long *id)
{
    return missing("store_newsletter_request");
}

store_status pg_store_newsletter_withdraw(store *s, long long id, const unsigned char *hash)
{
    return missing("store_newsletter_withdraw");
}

store_status pg_store_newsletter_by_confirmation(store *s, arena *a, const unsigned char *hash,
                                                 store_subscriber *out)
{
    return missing("store_newsletter_by_confirmation");
}

store_status pg_store_newsletter_confirm(store *s, const unsigned char *hash, long long now)
{
    return missing("store_newsletter_confirm");
}

store_status pg_store_newsletter_subscriber(store *s, arena *a, long long id, store_subscriber *out)
{
    return missing("store_newsletter_subscriber");
}

store_status pg_store_newsletter_unsubscribe(store *s, long long id, long long now)
{
    return missing("store_newsletter_unsubscribe");
}

store_status pg_store_newsletter_confirmed(store *s, arena *a, store_subscriber **out, size_t *n)
{
    return missing("store_newsletter_confirmed");
}

store_status pg_store_newsletter_top_stories(store *s, arena *a, long long since, long long until,
                                             size_t limit, long long **ids, long long **comments,
                                             size_t *n)
{
    return missing("store_newsletter_top_stories");
}

store_status pg_store_newsletter_claim(store *s, long long subscriber_id, const char *day,
                                       long long now)
{
    return missing("store_newsletter_claim");
}

store_status pg_store_newsletter_unclaim(store *s, long long subscriber_id, const char *day)
{
    return missing("store_newsletter_unclaim");
}

store_status pg_store_media_add(store *s, const store_media_input *in, long long *id)
{
    return missing("store_media_add");
}

store_status pg_store_media_get(store *s, arena *a, long long id, store_media *out)
{
    return missing("store_media_get");
}

store_status pg_store_media_list(store *s, arena *a, size_t limit, size_t offset, store_media **out,
                                 size_t *n, size_t *total)
{
    return missing("store_media_list");
}

store_status pg_store_media_update(store *s, long long id, const char *alt, const char *caption,
                                   const char *credit)
{
    return missing("store_media_update");
}

store_status pg_store_media_delete(store *s, long long id)
{
    return missing("store_media_delete");
}

store_status pg_store_editor_articles(store *s, arena *a, const store_editor_query *q,
                                      store_article **out, size_t *n, size_t *total)
{
    return missing("store_editor_articles");
}

store_status pg_store_article_by_id(store *s, arena *a, long long id, store_article *out,
                                    int *revision)
{
    return missing("store_article_by_id");
}

store_status pg_store_article_owned_by(store *s, long long article_id, long long user_id,
                                       long long author_id, bool *owned)
{
    return missing("store_article_owned_by");
}

store_status pg_store_authors_all(store *s, arena *a, store_author **out, size_t *n)
{
    return missing("store_authors_all");
}

store_status pg_store_author_by_id(store *s, arena *a, long long id, store_author *out)
{
    return missing("store_author_by_id");
}

store_status pg_store_article_edit_save(store *s, arena *a, const store_article_edit *e,
                                        long long *id, const char **slug, int *revision)
{
    return missing("store_article_edit_save");
}

store_status pg_store_revisions_list(store *s, arena *a, long long article_id, store_revision **out,
                                     size_t *n)
{
    return missing("store_revisions_list");
}

store_status pg_store_revision_get(store *s, arena *a, long long article_id, int number,
                                   store_revision *out)
{
    return missing("store_revision_get");
}


/* pg_internal.h's search index, until pg_search.c lands */
store_status pg_search_index(pg_conn *c, long long id)
{
    return missing("pg_search_index");
}
