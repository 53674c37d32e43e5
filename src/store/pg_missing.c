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

store_status pg_search_index(pg_conn *c, long long id)
{
    return missing("pg_search_index");
}

store_status pg_search_tsquery(pg_conn *c, arena *a, const char *fts_query, const char **tsquery,
                               const char **config)
{
    return missing("pg_search_tsquery");
}
