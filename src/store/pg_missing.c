/* pg_missing.c — the PostgreSQL backend's functions not written yet: each answers STORE_IO
 * with a message saying so. Whoever writes one in a pg_*.c file deletes it here; when this file
 * is empty it goes. */
#include "store_backend.h"
#include "pg_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* ---- pg_internal.h's core (pg.c, not written yet) ----------------------------------------
 * Weak, so that the feature files written before it link: pg.c's definitions replace these
 * (delete them with it). Each answers as if the server could not be reached. */
#define PG_WEAK __attribute__((weak))

PG_WEAK store_status pg_conn_get(store *s, pg_conn **out)
{
    *out = NULL;
    return missing("pg_conn_get");
}

PG_WEAK PGconn *pg_db(pg_conn *c)
{
    return NULL;
}

PG_WEAK store_status pg_fail(pg_conn *c, const PGresult *r, const char *what)
{
    return missing(what);
}

PG_WEAK store_status pg_failf(pg_conn *c, store_status st, const char *fmt, ...)
{
    return st;
}

PG_WEAK store_status pg_begin_write(pg_conn *c)
{
    return missing("pg_begin_write");
}

PG_WEAK store_status pg_begin_read(pg_conn *c)
{
    return missing("pg_begin_read");
}

PG_WEAK store_status pg_finish(pg_conn *c, store_status rs)
{
    return rs;
}

PG_WEAK void pg_params_init(pg_params *p)
{
    memset(p, 0, sizeof *p);
}

PG_WEAK void pg_param_int(pg_params *p, long long v) {}

PG_WEAK void pg_param_text(pg_params *p, const char *v) {}

PG_WEAK void pg_param_bytes(pg_params *p, const void *bytes, size_t n) {}

PG_WEAK store_status pg_exec(pg_conn *c, const char *sql, const pg_params *p, PGresult **out,
                             const char *what)
{
    if (out) *out = NULL;
    return missing("pg_exec");
}

PG_WEAK store_status pg_exec_int(pg_conn *c, const char *sql, const pg_params *p, long long *value,
                                 const char *what)
{
    return missing("pg_exec_int");
}

PG_WEAK const char *pg_text(arena *a, const PGresult *r, int row, int col)
{
    return NULL;
}

PG_WEAK long long pg_int(const PGresult *r, int row, int col)
{
    return 0;
}

PG_WEAK const unsigned char *pg_bytes(arena *a, const PGresult *r, int row, int col, size_t *n)
{
    *n = 0;
    return NULL;
}

PG_WEAK void pg_read_article(const PGresult *r, int row, arena *a, store_article *o, bool with_body)
{
    *o = (store_article){0};
}

PG_WEAK store_status pg_fill_links(pg_conn *c, arena *a, store_article *v, size_t n)
{
    return missing("pg_fill_links");
}

PG_WEAK long long pg_now(void)
{
    return (long long)time(NULL);
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
