/* store.h — the one interface between Gazette and its database. Handlers and the CLI call
 * these functions; none of them ever sees SQL. Today the backend is SQLite (sqlite.c: WAL,
 * foreign keys, busy timeout, one connection per thread, cached prepared statements, every
 * write in a transaction) or PostgreSQL (pg*.c: a location postgres://...), behind the same
 * functions (store_backend.h).
 *
 * Memory: every result is allocated from the arena the caller passes and lives as long as it.
 * Threads: a store is shared by all worker threads; each thread gets its own connection the
 * first time it calls in. Times are unix seconds (UTC). */
#ifndef GAZETTE_STORE_H
#define GAZETTE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"

typedef struct store store;

typedef enum {
    STORE_OK = 0,
    STORE_NOT_FOUND,   /* no such row */
    STORE_CONFLICT,    /* a unique value (slug) already taken */
    STORE_INVALID,     /* a value the store refuses (empty headline, bad status...) */
    STORE_BUSY,        /* the database stayed locked past the busy timeout */
    STORE_IO,          /* cannot open / read / write the database (disk full, permissions) */
    STORE_SCHEMA,      /* the database is not a Gazette database or is newer than this binary */
    STORE_FULL,        /* the disk (or file system) holding the database is full */
    STORE_STALE,       /* the story was saved again since the revision the caller started from */
    STORE_UNAVAILABLE, /* the database server cannot be reached now (restarting): try again */
} store_status;

const char *store_strerror(store_status status);

/* ---- Opening ----------------------------------------------------------------------------
 * location: a file path (SQLite). store_open refuses a file that does not exist
 * (STORE_NOT_FOUND) and a database whose migrations are behind (it applies them) or ahead
 * (STORE_SCHEMA). store_create makes a new database file and applies all migrations; it
 * refuses an existing non-empty file (STORE_CONFLICT). err gets a human message. */
store_status store_open(const char *location, store **out, char *err, size_t errlen);
store_status store_create(const char *location, store **out, char *err, size_t errlen);
void store_close(store *s);
/* Whether location names a PostgreSQL database (postgres:// or postgresql://). */
bool store_location_is_pg(const char *location);
/* location as it may be shown to people and logs: a PostgreSQL URL's password becomes "***"
 * (out, n bytes); anything else as it is. Returns out. */
const char *store_location_shown(const char *location, char *out, size_t n);
int store_schema_version(store *s); /* number of the last migration applied */
/* Each connection this store opens from now on (and this thread's, if open) keeps up to mb MB
 * of database pages in memory: SQLite's cache_size, 0 for its default of 2 MB. For bulk
 * readers such as the static export, which read the whole archive on every core and otherwise
 * fetch the same pages from the file again and again. PostgreSQL keeps its cache in the server:
 * nothing to do there. */
store_status store_set_cache_mb(store *s, unsigned mb);
/* Why the last store call made on this thread failed, for people ("" after a success), e.g.
 * "article 3 (some-slug): the headline is empty". Valid until this thread's next store call. */
const char *store_last_error(store *s);

/* ---- Content model ---------------------------------------------------------------------- */
typedef struct {
    long long id;
    const char *slug, *name, *description;
} store_topic;

typedef struct {
    long long id;
    const char *slug, *name, *bio;
} store_author;

typedef enum { ARTICLE_DRAFT = 0, ARTICLE_SCHEDULED = 1, ARTICLE_PUBLISHED = 2 } article_status;
const char *article_status_name(article_status st); /* "draft", "scheduled", "published" */
bool article_status_parse(const char *name, article_status *out);

typedef struct {
    long long id;
    const char *slug, *kicker, *headline, *lead;
    const char *body_markdown, *body_html; /* body_html: rendered once per change, kept */
    const char *image_url, *image_caption, *image_credit, *image_alt; /* NULL when none */
    article_status status;
    long long published_at, updated_at;
    long long created_at;    /* first saved: never changes (feeds build stable ids from it) */
    bool comments_off;       /* the editor closed comments on this story */
    unsigned comments_days;  /* comments close this many days after publication; 0: site rule */
    const char *body_format; /* "markdown" (body_html rendered from it) or "html" (imported) */
    bool is_page;            /* a page (/pages/{slug}/), not a story: in no list */
    bool sticky;             /* pinned by the editor (WordPress sticky posts) */
    store_topic *topics;     /* topics[0] is the primary topic */
    size_t n_topics;
    store_author *authors;
    size_t n_authors;
} store_article;

/* What the CLI (and later the editor) hands in to create or update a story. Topics and
 * authors are given by name; missing ones are created (slug made from the name). body_html
 * and read_also come from content_render_markdown. */
typedef struct {
    const char *slug; /* required, valid slug */
    const char *kicker, *headline, *lead, *body_markdown, *body_html;
    const char *body_format; /* NULL: "markdown" */
    const char *image_url, *image_caption, *image_credit, *image_alt;
    article_status status;
    long long published_at; /* 0: now */
    bool comments_off;
    unsigned comments_days;
    const char **topic_names;
    size_t n_topics;
    const char **author_names;
    size_t n_authors;
    const char **read_also_slugs; /* kept so the CLI can report links to missing stories */
    size_t n_read_also;
} store_article_input;

/* Inserts, or updates the article with the same slug. Saving n inputs happens in one
 * transaction: all or nothing. ids (may be NULL) receives each article's id. */
store_status store_articles_save(store *s, const store_article_input *inputs, size_t n,
                                 long long *ids);

/* ---- Reading ----------------------------------------------------------------------------
 * "Live" articles are those published, or scheduled, whose published_at <= now: a scheduled
 * story goes live by itself when its time comes. Readers see nothing else. */
typedef struct {
    const char *topic_slug;  /* NULL: any topic */
    const char *author_slug; /* NULL: any author */
    long long exclude_id;    /* 0: none */
    size_t limit, offset;
    /* 0: any age; else only stories published or updated at or after since */
    long long since;
    /* cursor_id 0: from the newest; else only the stories that come after the one published at
     * cursor_published_at with id cursor_id in the newest-first order (keyset pagination: a
     * story published meanwhile neither repeats nor hides one) */
    long long cursor_published_at, cursor_id;
} store_article_query;

/* Live articles, newest first, with topics and authors filled (bodies left NULL). total gets
 * the number matching the query without limit/offset (may be NULL). */
store_status store_articles_list(store *s, arena *a, const store_article_query *q,
                                 store_article **out, size_t *n, size_t *total);
/* Live articles, newest first, with only id, slug, headline, published_at and updated_at
 * filled: what a sitemap lists, read without the rest (a sitemap holds thousands). */
store_status store_article_stamps(store *s, arena *a, size_t limit, size_t offset,
                                  store_article **out, size_t *n);
/* One live article by slug, with body. */
store_status store_article_by_slug(store *s, arena *a, const char *slug, store_article *out);
/* Any article by slug whatever its status (CLI, editor). */
store_status store_article_any_by_slug(store *s, arena *a, const char *slug, store_article *out);
/* The live ones of ids, in the order given, with topics and authors (bodies left NULL): one
 * query however many. */
store_status store_articles_by_ids(store *s, arena *a, const long long *ids, size_t n_ids,
                                   store_article **out, size_t *n);
/* Up to limit live articles sharing topics with article_id, ranked by number of shared topics
 * (primary topic counting double), then newest first; the article itself excluded. */
store_status store_articles_related_by_topics(store *s, arena *a, long long article_id,
                                              size_t limit, store_article **out, size_t *n);
/* Every article (any status, with body, topics and authors) saved at or after since, or whose
 * publication time came at or after since and has passed: what an index must look at again.
 * Oldest change first, at most limit. */
store_status store_articles_changed_since(store *s, arena *a, long long since, size_t limit,
                                          store_article **out, size_t *n);
/* One live page (kind 'page': imported WordPress pages, served at /pages/{slug}/) by slug.
 * Pages are never returned by the other readers above. */
store_status store_page_by_slug(store *s, arena *a, const char *slug, store_article *out);
/* The slugs of every live page, by slug (the static export writes them). */
store_status store_pages_list(store *s, arena *a, const char ***slugs, size_t *n);
/* The local path an old URL path moved to (table redirects, filled by the WordPress import):
 * path normalised as content_redirect_key makes it. STORE_NOT_FOUND when there is none. */
store_status store_redirect_lookup(store *s, arena *a, const char *path, const char **target);
/* The live article with the newest published_at: the home page's top story. */
store_status store_article_top(store *s, arena *a, store_article *out);

/* Read-also targets named by live articles that do not exist as live articles:
 * pairs (article slug, missing slug). */
typedef struct {
    const char *article_slug, *missing_slug;
} store_missing_link;
store_status store_missing_read_also(store *s, arena *a, store_missing_link **out, size_t *n);

/* ---- Full-text search -------------------------------------------------------------------
 * Live articles matching an FTS5 query (build one from readers' text with search_query.h),
 * best first (bm25, the headline weighing most), optionally of one topic. Articles come with
 * topics and authors (bodies left NULL). snippet is HTML: a passage of the text with the
 * matches wrapped in <mark>...</mark> and everything else escaped. Only the newest
 * STORE_SEARCH_TOTAL_CAP matches (by store order, i.e. the most recently added stories) are
 * ranked, so a common word costs the same at any archive size. total (may be NULL) gets the
 * number of matches without limit/offset up to STORE_SEARCH_TOTAL_CAP, or
 * STORE_SEARCH_TOTAL_CAP + 1 when there are more ("more than 1,000"). A search reads the
 * archive newest first within a time budget (a few milliseconds): partial (may be NULL) is set
 * when it stopped there before the oldest stories, with fewer than STORE_SEARCH_TOTAL_CAP + 1
 * matches found; hits and total then cover the newest matches only (tell readers so). A small
 * archive is always read whole. STORE_INVALID (message in store_last_error) when the query is
 * empty or FTS5 rejects its syntax. */
#define STORE_SEARCH_TOTAL_CAP 1000
typedef struct {
    store_article article;
    const char *snippet;
    double rank; /* bm25: lower is better */
} store_search_hit;
store_status store_search(store *s, arena *a, const char *fts_query, const char *topic_slug,
                          size_t limit, size_t offset, store_search_hit **out, size_t *n,
                          size_t *total, bool *partial);

/* Packs the full-text index after bulk changes (an import, a first migration): SQLite's FTS5
 * keeps it as a dozen or more segments that every search reads, which makes searches at
 * 100,000 stories nearly twice as costly as with one. Rewrites the whole index in one write
 * transaction (tens of seconds at 100,000 stories; other writers wait). `gazette reindex`
 * runs it. */
store_status store_search_pack(store *s);

/* ---- Topics and authors ----------------------------------------------------------------- */
store_status store_topic_add(store *s, const char *slug, const char *name, const char *description,
                             long long *id);
store_status store_topic_by_slug(store *s, arena *a, const char *slug, store_topic *out);
/* All topics having at least min_articles live articles, by name. */
store_status store_topics_list(store *s, arena *a, size_t min_articles, store_topic **out,
                               size_t *n);
/* Up to limit topics ordered by how many live stories they lead (as primary topic), most
 * first: the site's main sections. */
store_status store_topics_leading(store *s, arena *a, size_t limit, store_topic **out, size_t *n);
store_status store_author_by_slug(store *s, arena *a, const char *slug, store_author *out);
store_status store_author_set_bio(store *s, const char *slug, const char *bio);
/* Every topic with its parent (0: none) and how many stories (any status) it has, by name:
 * the topics screen. */
typedef struct {
    store_topic topic;
    long long parent_id;
    size_t n_articles;
} store_topic_entry;
store_status store_topics_all(store *s, arena *a, store_topic_entry **out, size_t *n);
/* Adds (*id 0; *id gets the new id) or changes the topic *id: slug, name and description (may
 * be NULL), parent_id (0: none). STORE_CONFLICT when the slug is taken, STORE_NOT_FOUND for an
 * unknown id or parent, STORE_INVALID when the parent is the topic itself or one under it. */
store_status store_topic_save(store *s, long long *id, const char *slug, const char *name,
                              const char *description, long long parent_id);
/* A topic or author with how many live stories it has and when the newest of them was
 * published or changed (the later of the two; for Last-Modified). */
typedef struct {
    store_topic topic;
    size_t n_articles;
    long long last_change;
} store_topic_count;
typedef struct {
    store_author author;
    size_t n_articles;
    long long last_change;
} store_author_count;
/* Topics (authors) having live stories, by name; slug not NULL: only that one (none when it has
 * no live story). */
store_status store_topics_counted(store *s, arena *a, const char *slug, store_topic_count **out,
                                  size_t *n);
store_status store_authors_counted(store *s, arena *a, const char *slug, store_author_count **out,
                                   size_t *n);

/* ---- API read keys (migration 10) --------------------------------------------------------
 * Keys apps present to the content API when the site requires them. Only a hash of each key
 * is stored (api/api_keys.c makes and checks them); names are the operator's labels. */
typedef struct {
    const char *name, *hash;
    long long created_at;
} store_api_key;
/* STORE_CONFLICT when the name is taken. */
store_status store_api_key_add(store *s, const char *name, const char *hash);
/* Every key, by name. */
store_status store_api_keys_list(store *s, arena *a, store_api_key **out, size_t *n);
/* Deletes the key; STORE_NOT_FOUND when there is no such name. */
store_status store_api_key_revoke(store *s, const char *name);

/* ---- Comments ---------------------------------------------------------------------------
 * Readers' comments on a story. Stored with the commenter's email (never shown to readers) and
 * their IP and user agent (kept for moderation only). */
typedef enum {
    COMMENT_PENDING = 0,
    COMMENT_APPROVED = 1,
    COMMENT_SPAM = 2,
    COMMENT_TRASH = 3
} comment_status;
const char *comment_status_name(comment_status st); /* "pending", "approved", "spam", "trash" */
bool comment_status_parse(const char *name, comment_status *out);

typedef enum {
    MODERATION_HOLD_ALL = 0,   /* every comment waits for an editor */
    MODERATION_HOLD_FIRST = 1, /* an email with an approved comment goes straight through */
    MODERATION_PUBLISH = 2,    /* everything is published at once */
} moderation_mode;

typedef struct {
    long long id, article_id, parent_id; /* parent_id 0: a top-level comment */
    const char *article_slug;            /* filled by store_comments_list */
    const char *author_name, *author_email, *author_url, *body, *ip, *user_agent;
    comment_status status;
    long long created_at;
    bool staff; /* written by the newsroom (a staff reply from the moderation screen) */
} store_comment;

typedef struct {
    long long article_id, parent_id;
    const char *author_name, *author_email, *author_url, *body, *ip, *user_agent;
    moderation_mode moderation;
    unsigned max_depth; /* replies nest at most this deep (1 = no replies) */
} store_comment_input;

/* Saves a comment in one transaction (durable when this returns STORE_OK); the status follows the
 * moderation mode, decided inside the same transaction. STORE_INVALID (nothing written) when the
 * article does not exist or is not live, or the parent is not an approved comment of the same
 * article, or the reply would nest deeper than max_depth; STORE_CONFLICT when the same email
 * posted the same body on the same article in the last 24 hours (duplicate). */
store_status store_comment_add(store *s, const store_comment_input *in, long long *id,
                               comment_status *status);
/* The approved comments of an article, oldest first, plus the comment include_id whatever its
 * status (so a writer sees their own held comment); include_id 0 for none. */
store_status store_comments_for_article(store *s, arena *a, long long article_id,
                                        long long include_id, store_comment **out, size_t *n);
/* Comments of every article (or of one status when status is not NULL), newest first, with
 * article_slug filled. */
store_status store_comments_list(store *s, arena *a, const comment_status *status, size_t limit,
                                 size_t offset, store_comment **out, size_t *n);
/* The newest approved comments of one article (article_id != 0) or of the whole site. */
store_status store_comments_recent(store *s, arena *a, long long article_id, size_t limit,
                                   store_comment **out, size_t *n);
/* Sets the status of every id in one transaction; STORE_NOT_FOUND and nothing changed when any
 * id does not exist. store_comments_delete removes them (and their replies) the same way. */
store_status store_comments_set_status(store *s, const long long *ids, size_t n,
                                       comment_status status);
store_status store_comments_delete(store *s, const long long *ids, size_t n);
/* One comment (any status) with article_slug filled; STORE_NOT_FOUND when there is none. */
store_status store_comment_by_id(store *s, arena *a, long long id, store_comment *out);
/* A reply by a newsroom user (staff_user_id) to comment parent_id, stored approved on the
 * parent's article, marked as staff; a pending parent is approved with it. STORE_NOT_FOUND when
 * the parent does not exist, STORE_INVALID for an empty body. */
store_status store_comment_staff_reply(store *s, long long parent_id, long long staff_user_id,
                                       const char *author_name, const char *author_email,
                                       const char *body, long long *id);
/* counts[i] = number of approved comments of article_ids[i]. */
store_status store_comment_counts(store *s, const long long *article_ids, size_t n,
                                  long long *counts);

/* ---- Newsroom accounts (migrations 7 and 12, docs/newsroom.md) ----------------------------
 * Logins of journalists and editors. Only an Argon2id string of each password is stored
 * (NULL: no password yet, as for imported users), and of each session and reset link only the
 * SHA-256 of its token (STORE_TOKEN_HASH_BYTES). role is the role's name ("author"); the
 * admin module decides what names mean. */
enum { STORE_TOKEN_HASH_BYTES = 32 };
typedef struct {
    long long id, author_id, created_at; /* author_id 0: writes as nobody */
    const char *login, *email, *display_name, *role;
    const char *password_hash; /* NULL when none is set */
    bool disabled;
} store_user;
/* Adds a user (login, display_name, role required; email may be NULL; password_hash may be
 * NULL). When author_slug is not NULL, the user writes as that author, who is created (named
 * display_name) when missing. STORE_CONFLICT when the login is taken. */
store_status store_user_add(store *s, const store_user *in, const char *author_slug, long long *id);
store_status store_user_by_login(store *s, arena *a, const char *login, store_user *out);
store_status store_user_by_id(store *s, arena *a, long long id, store_user *out);
/* Every user, by login. */
store_status store_users_list(store *s, arena *a, store_user **out, size_t *n);
/* Sets the password and ends every session of the user (STORE_NOT_FOUND: no such user). */
store_status store_user_set_password(store *s, long long id, const char *password_hash);
store_status store_user_set_role(store *s, long long id, const char *role);
/* Disabling also ends every session of the user. */
store_status store_user_set_disabled(store *s, long long id, bool disabled);

typedef struct {
    long long user_id, created_at, expires_at, last_seen_at;
} store_session;
store_status store_session_add(store *s, const unsigned char *token_hash, long long user_id,
                               long long expires_at, const char *ip, const char *user_agent);
/* The session with token_hash unexpired at now, and its user; STORE_NOT_FOUND when there is
 * none, it has expired, or its user is disabled. */
store_status store_session_find(store *s, arena *a, const unsigned char *token_hash, long long now,
                                store_session *session, store_user *user);
/* Records a use at now and moves the expiry to expires_at. */
store_status store_session_touch(store *s, const unsigned char *token_hash, long long now,
                                 long long expires_at);
store_status store_session_delete(store *s, const unsigned char *token_hash);
/* Ends every session of the user; *n (may be NULL) gets how many there were. Expired
 * sessions of every user are removed on the way. */
store_status store_sessions_end_user(store *s, long long user_id, size_t *n);
/* A one-time password reset link for the user, good until expires_at. */
store_status store_reset_add(store *s, const unsigned char *token_hash, long long user_id,
                             long long expires_at);
/* The user of an unused, unexpired reset link (STORE_NOT_FOUND otherwise); reads only. */
store_status store_reset_find(store *s, const unsigned char *token_hash, long long now,
                              long long *user_id);
/* Spends the link and sets the user's password in one transaction (ending their sessions);
 * STORE_NOT_FOUND, nothing changed, when the link is unknown, used or expired. */
store_status store_reset_use(store *s, const unsigned char *token_hash, long long now,
                             const char *password_hash, long long *user_id);

/* ---- Site settings ----------------------------------------------------------------------
 * Text values by key (see docs/settings.md). */
store_status store_setting_get(store *s, arena *a, const char *key, const char **value);
store_status store_setting_set(store *s, const char *key, const char *value);
typedef struct {
    const char *key, *value;
} store_setting;
store_status store_settings_list(store *s, arena *a, store_setting **out, size_t *n);
/* Sets every one of settings in one transaction (a NULL or empty value removes the key). */
store_status store_settings_set_many(store *s, const store_setting *settings, size_t n);

/* ---- Web Push (migration 8, docs/push.md) ----------------------------------------------
 * The site's VAPID key pair (raw P-256 bytes, made by push/), readers' subscriptions, the
 * stories marked breaking, and the queue of messages the server's sender works through. */
typedef struct {
    const unsigned char *private_key, *public_key; /* 32 and 65 bytes */
} store_push_vapid;
/* STORE_NOT_FOUND when the site has none yet. */
store_status store_push_vapid_get(store *s, arena *a, store_push_vapid *out);
/* Keeps the pair unless the site has one already (another process may have been first):
 * read it back with store_push_vapid_get. */
store_status store_push_vapid_put(store *s, const unsigned char private_key[32],
                                  const unsigned char public_key[65]);

/* Adds a subscription, or replaces the keys of the one with the same endpoint. */
store_status store_push_subscribe(store *s, const char *endpoint, const unsigned char p256dh[65],
                                  const unsigned char auth[16]);
/* Removes the subscription of endpoint (and its waiting messages); STORE_NOT_FOUND when there
 * is none. */
store_status store_push_unsubscribe(store *s, const char *endpoint);
store_status store_push_subscription_delete(store *s, long long subscription_id);

/* Marks the live story slug breaking and queues one message for every subscriber, in one
 * transaction; *queued gets their number. STORE_NOT_FOUND when no live story has that slug;
 * STORE_CONFLICT (nothing queued, *queued = what was queued the first time, *marked_at when)
 * when the story was marked already. */
store_status store_push_mark_breaking(store *s, const char *slug, long long *queued,
                                      long long *marked_at);

typedef struct {
    long long id, subscription_id, article_id;
    int attempts; /* including this one */
    const char *endpoint;
    const unsigned char *p256dh, *auth; /* 65 and 16 bytes */
    const char *slug, *headline, *lead; /* lead may be NULL */
    bool live;                          /* the story is still live */
} store_push_message;
/* Claims up to limit waiting messages due at now, oldest first, in one transaction: each
 * counts an attempt and is not due again before lease_until, so that a sender that dies while
 * sending leaves it to be tried again later, and two senders never take the same message. */
store_status store_push_claim(store *s, arena *a, long long now, long long lease_until,
                              size_t limit, store_push_message **out, size_t *n);
typedef enum {
    PUSH_MESSAGE_WAITING = 0,
    PUSH_MESSAGE_SENT = 1,
    PUSH_MESSAGE_FAILED = 2
} push_message_state;
/* Records how a claimed message ended (SENT or FAILED), or when to try it again (WAITING). */
store_status store_push_message_finish(store *s, long long id, push_message_state state,
                                       long long retry_at);
/* When the next waiting message is due; STORE_NOT_FOUND when none waits. */
store_status store_push_next_due(store *s, long long *at);
/* Forgets delivered and given-up messages that ended before before (the queue would
 * otherwise keep one row per subscriber and alert for ever); *removed gets how many. */
store_status store_push_prune(store *s, long long before, long long *removed);
/* Subscribers, and messages by state (counts[3], indexed by push_message_state). */
store_status store_push_counts(store *s, long long *subscribers, long long counts[3]);
/* ---- Newsletter (sqlite_newsletter.c, migration 9; docs/newsletter.md) --------------------
 * Subscribers of the daily digest and the record of what was sent. Confirmation tokens are
 * known to the store only by their SHA-256 (hash: STORE_NEWSLETTER_HASH_BYTES bytes). */
enum { STORE_NEWSLETTER_HASH_BYTES = 32 };
typedef enum {
    SUBSCRIBER_PENDING = 0,      /* asked, never confirmed */
    SUBSCRIBER_CONFIRMED = 1,    /* receives the digest */
    SUBSCRIBER_UNSUBSCRIBED = 2, /* left; kept so that old links still answer */
} subscriber_status;

typedef struct {
    long long id;
    const char *email;
    subscriber_status status;
    const char *topics;        /* topic slugs, space-separated; "" for every topic */
    long long confirm_expires; /* of the waiting confirmation; 0 when none */
} store_subscriber;

/* A request to subscribe email (checked by the caller) to topics: a new pending subscriber,
 * or the existing one, whatever its state, with this confirmation waiting (it replaces any
 * earlier one; the subscriber's state and topics change only when it is confirmed). One
 * transaction; *id gets the subscriber. */
store_status store_newsletter_request(store *s, const char *email, const char *topics,
                                      const unsigned char *hash, long long expires, long long *id);
/* Undoes a request whose confirmation email could not be sent: drops the confirmation if it
 * is still hash, and the subscriber too if they were never confirmed. */
store_status store_newsletter_withdraw(store *s, long long id, const unsigned char *hash);
/* The subscriber waiting for confirmation hash (expired or not); STORE_NOT_FOUND when none. */
store_status store_newsletter_by_confirmation(store *s, arena *a, const unsigned char *hash,
                                              store_subscriber *out);
/* Confirms: the subscriber becomes confirmed with the topics of the request. STORE_NOT_FOUND
 * for an unknown hash, STORE_INVALID (nothing changed) when it expired before now. */
store_status store_newsletter_confirm(store *s, const unsigned char *hash, long long now);
store_status store_newsletter_subscriber(store *s, arena *a, long long id, store_subscriber *out);
/* Unsubscribes at once (a waiting confirmation is dropped too); STORE_NOT_FOUND for no such
 * subscriber. */
store_status store_newsletter_unsubscribe(store *s, long long id, long long now);
/* Every confirmed subscriber, by id. */
store_status store_newsletter_confirmed(store *s, arena *a, store_subscriber **out, size_t *n);
/* The ids of live stories published after since and at or before until, most approved
 * comments first, then newest; comments[i] is the count of ids[i]. At most limit. */
store_status store_newsletter_top_stories(store *s, arena *a, long long since, long long until,
                                          size_t limit, long long **ids, long long **comments,
                                          size_t *n);
/* Records that subscriber_id gets day's digest ("2026-11-25"), in one transaction, before it
 * is sent: STORE_CONFLICT when it was recorded already, STORE_NOT_FOUND when the subscriber
 * is not confirmed (any more). store_newsletter_unclaim withdraws it after a failed send. */
store_status store_newsletter_claim(store *s, long long subscriber_id, const char *day,
                                    long long now);
store_status store_newsletter_unclaim(store *s, long long subscriber_id, const char *day);

/* ---- The media library (sqlite_media.c, migration 14; docs/media.md) ----------------------
 * Uploaded images: the files are the media module's (media.h); the store keeps their name,
 * sizes and the words a story copies (alt, caption, credit). */
typedef struct {
    long long id;
    const char *hash;                   /* 32 hex digits */
    const char *file_name;              /* the uploader's, made safe */
    unsigned width, height;             /* the largest rendition */
    const char *widths;                 /* "320 640 960 1280 1920" */
    const char *alt, *caption, *credit; /* "" when none */
    long long uploader_id;              /* 0 when unknown (the user was removed) */
    const char *uploader_name;          /* their display name, "" when unknown */
    long long created_at;
} store_media;
typedef struct {
    const char *hash, *file_name, *widths, *alt, *caption, *credit;
    unsigned width, height;
    long long uploader_id; /* 0: none */
} store_media_input;
/* Adds an image; STORE_CONFLICT (and *id the existing row's) when its hash is in already. */
store_status store_media_add(store *s, const store_media_input *in, long long *id);
store_status store_media_get(store *s, arena *a, long long id, store_media *out);
/* Newest first; total (may be NULL) gets the number of images. */
store_status store_media_list(store *s, arena *a, size_t limit, size_t offset, store_media **out,
                              size_t *n, size_t *total);
/* Sets alt, caption and credit (NULL leaves one as it is); STORE_NOT_FOUND for no such id. */
store_status store_media_update(store *s, long long id, const char *alt, const char *caption,
                                const char *credit);
/* Removes the row (the caller removes the files); STORE_NOT_FOUND for no such id. */
store_status store_media_delete(store *s, long long id);

/* ---- Scheduled publishing (sqlite_schedule.c, pg_schedule.c) -------------------------------
 * Readers see a scheduled story from its time on, with no write. This is the moment the site
 * acts on it: the stories whose time has come (scheduled, published_at <= now) become
 * published, with updated_at = now, in one transaction, so caches, purges and the log hear of
 * it. It happens once however many servers share the database: on PostgreSQL only the node
 * holding the scheduler's advisory lock flips them (the others flip nothing and return
 * STORE_OK). *ids (arena a) gets the stories this call published, oldest first, at most
 * limit. */
store_status store_publish_due(store *s, arena *a, long long now, size_t limit, long long **ids,
                               size_t *n);

/* ---- One snapshot per request -------------------------------------------------------------
 * Between store_read_begin and store_read_end every read of this thread runs in one read
 * transaction: one consistent snapshot, and no lock taken and released per query (a page makes
 * dozens). No writes in between (they fail). Nested calls are ignored. */
store_status store_read_begin(store *s);
void store_read_end(store *s);

/* ---- Changes, for caches ------------------------------------------------------------------
 * Comments and site-wide things (settings, topics, authors) changed by any process are logged
 * (migration 6); stories are followed with store_articles_changed_since. */
typedef enum { STORE_CHANGE_COMMENTS = 1, STORE_CHANGE_SITE = 2 } store_change_kind;
typedef struct {
    long long id;
    store_change_kind kind;
    long long article_id; /* STORE_CHANGE_COMMENTS: whose comments */
} store_change;
/* Changes logged after id after, oldest first, at most limit. */
store_status store_changes_since(store *s, arena *a, long long after, size_t limit,
                                 store_change **out, size_t *n);
/* The newest change's id (0 when none): where a follower starts. */
store_status store_changes_head(store *s, long long *head);
/* Whether anyone (another thread or process, or this thread itself) has written since this
 * thread last asked (true the first time): SQLite's PRAGMA data_version on this thread's
 * connection and that connection's own count of changed rows, cheap enough to ask before every
 * request and every few milliseconds. */
store_status store_changed_since_last_look(store *s, bool *changed);

/* The newest updated_at of anything readers can see: a cheap "has the site changed" stamp. */
long long store_last_change(store *s);

/* ---- The editor (migration 13, sqlite_editor.c; docs/newsroom.md) -------------------------
 * Stories as the newsroom sees them, whatever their status, and their revisions. Every save
 * (store_article_edit_save, and store_articles_save for the CLI) writes one revision holding
 * every field as saved, its topics and authors, who saved and when, in the same transaction.
 * Revisions are numbered 1, 2, 3 ... per story. Imported pages (is_page) are not edited here. */
typedef struct {
    const article_status *status;         /* NULL: any */
    const char *topic_slug, *author_slug; /* NULL: any */
    /* Only the stories of one writer (0 and 0: everyone's): those credited to author
     * owner_author_id or first saved by user owner_user_id. */
    long long owner_user_id, owner_author_id;
    const char *fts_query; /* NULL: any; else an FTS5 query (search_query.h) over the text */
    size_t limit, offset;
} store_editor_query;
/* Stories (any status; not pages) matching q, last saved first, with topics and authors
 * (bodies left NULL). total (may be NULL) gets how many match without limit/offset.
 * STORE_INVALID when FTS5 rejects fts_query. */
store_status store_editor_articles(store *s, arena *a, const store_editor_query *q,
                                   store_article **out, size_t *n, size_t *total);
/* Any story by id (any status), with body, topics and authors; *revision (may be NULL) gets
 * the number of its newest revision (0 when it has none yet). */
store_status store_article_by_id(store *s, arena *a, long long id, store_article *out,
                                 int *revision);
/* Whether the story was written by user_id: credited to author_id (when not 0), or its first
 * revision was saved by user_id (when not 0). */
store_status store_article_owned_by(store *s, long long article_id, long long user_id,
                                    long long author_id, bool *owned);

/* Every author (with or without stories), by name; one by id (STORE_NOT_FOUND: none). */
store_status store_authors_all(store *s, arena *a, store_author **out, size_t *n);
store_status store_author_by_id(store *s, arena *a, long long id, store_author *out);

typedef struct {
    long long id;              /* 0: a new story */
    store_article_input input; /* published_at 0: keep the story's (a new story: now) */
    /* The taken slug is not an error: the story gets slug-2, slug-3 ... (the editor's slug made
     * from the headline). Otherwise a slug of another story is STORE_CONFLICT. */
    bool unique_slug;
    /* The revision the writer started from (0 for a new story): when the story has a newer one,
     * nothing is saved and the answer is STORE_STALE. -1 saves whatever came since. */
    int base_revision;
    long long user_id;     /* who saves (0: unknown, the command line) */
    const char *user_name; /* their display name, kept with the revision */
} store_article_edit;
/* Creates or updates one story by id and writes its revision, in one transaction: all or
 * nothing. *id gets the story's id, *slug (arena a, may be NULL) the slug saved, *revision the
 * new revision's number. STORE_NOT_FOUND: no story e->id (or it is a page). */
store_status store_article_edit_save(store *s, arena *a, const store_article_edit *e, long long *id,
                                     const char **slug, int *revision);

typedef struct {
    long long article_id;
    int number;
    long long user_id;     /* 0: the command line, an import, or a user since deleted */
    const char *user_name; /* "" when nobody known */
    long long saved_at;
    /* every field as saved (id = article_id); topics and authors carry names and slugs made
     * from them (ids 0); updated_at = saved_at */
    store_article article;
} store_revision;
/* A story's revisions, newest first, without bodies. */
store_status store_revisions_list(store *s, arena *a, long long article_id, store_revision **out,
                                  size_t *n);
/* One revision with everything; STORE_NOT_FOUND when the story has no such revision. */
store_status store_revision_get(store *s, arena *a, long long article_id, int number,
                                store_revision *out);

#endif
