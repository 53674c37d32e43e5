/* migrations.c — Gazette's SQLite schema, migration by migration (see migrations.h). */
#include "migrations.h"

const char store_migrations_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                          " version INTEGER PRIMARY KEY,"
                                          " name TEXT NOT NULL,"
                                          " applied_at INTEGER NOT NULL)";

/* Migration 1: topics, authors, articles and their links.
 * article_topics.position 0 is the primary topic. Lists read articles through
 * articles_live; topic pages and related stories go through article_topics_by_topic (which
 * covers position so the ranking query never touches the table). */
static const char migration_1_sql[] =
    "CREATE TABLE topics ("
    " id INTEGER PRIMARY KEY,"
    " slug TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " description TEXT,"
    " created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE authors ("
    " id INTEGER PRIMARY KEY,"
    " slug TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " bio TEXT"
    ") STRICT;"

    "CREATE TABLE articles ("
    " id INTEGER PRIMARY KEY,"
    " slug TEXT NOT NULL UNIQUE,"
    " kicker TEXT,"
    " headline TEXT NOT NULL CHECK (headline <> ''),"
    " lead TEXT,"
    " body_markdown TEXT,"
    " body_html TEXT,"
    " image_url TEXT,"
    " image_caption TEXT,"
    " image_credit TEXT,"
    " image_alt TEXT,"
    " status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 2),"
    " published_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX articles_live ON articles (status, published_at DESC, id DESC);"
    "CREATE INDEX articles_updated ON articles (updated_at);"

    "CREATE TABLE article_topics ("
    " article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
    " topic_id INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,"
    " position INTEGER NOT NULL,"
    " PRIMARY KEY (article_id, topic_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX article_topics_by_topic ON article_topics (topic_id, article_id, position);"

    "CREATE TABLE article_authors ("
    " article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
    " author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,"
    " position INTEGER NOT NULL,"
    " PRIMARY KEY (article_id, author_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX article_authors_by_author ON article_authors (author_id, article_id);"

    "CREATE TABLE article_read_also ("
    " article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
    " target_slug TEXT NOT NULL,"
    " position INTEGER NOT NULL,"
    " PRIMARY KEY (article_id, position)"
    ") STRICT, WITHOUT ROWID;";

/* Migration 2: readers' comments, site settings, and a per-story switch closing comments.
 * comments.parent_id is NULL for a top-level comment; deleting a comment deletes its replies
 * (comments_by_parent keeps that cascade from scanning the table). body_hash (FNV-1a 64 of the
 * body, 8 bytes) lets the duplicate check compare a short key before the body. Emails are
 * matched case-insensitively (ASCII), hence the NOCASE index. */
static const char migration_2_sql[] =
    "ALTER TABLE articles ADD COLUMN comments_off INTEGER NOT NULL DEFAULT 0"
    " CHECK (comments_off IN (0, 1));"

    "CREATE TABLE comments ("
    " id INTEGER PRIMARY KEY,"
    " article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
    " parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,"
    " author_name TEXT NOT NULL,"
    " author_email TEXT NOT NULL,"
    " author_url TEXT,"
    " body TEXT NOT NULL,"
    " ip TEXT,"
    " user_agent TEXT,"
    " status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),"
    " created_at INTEGER NOT NULL,"
    " body_hash BLOB NOT NULL"
    ") STRICT;"
    "CREATE INDEX comments_by_article ON comments (article_id, status, created_at);"
    "CREATE INDEX comments_by_status ON comments (status, created_at);"
    "CREATE INDEX comments_by_email ON comments (author_email COLLATE NOCASE, status);"
    "CREATE INDEX comments_by_parent ON comments (parent_id);"

    "CREATE TABLE settings ("
    " key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL"
    ") STRICT, WITHOUT ROWID;";

/* Migration 3: full-text search over stories. article_search keeps its own copy of each
 * article's searchable text (rowid = articles.id): headline, kicker, lead, and the body as plain
 * text. It is not contentless (content=''): snippet() needs the text. Every article is indexed
 * whatever its status; readers' queries join articles and apply the live rule. sqlite.c keeps
 * it in sync inside store_articles_save's transaction. gazette_search_text(text, is_html) is a
 * function sqlite.c registers on each of its connections: the plain text of body_html (tags
 * stripped, entities decoded), without the private-use characters snippets are marked with. */
static const char migration_3_sql[] =
    "CREATE VIRTUAL TABLE article_search USING fts5("
    " headline, kicker, lead, body,"
    " tokenize = 'unicode61 remove_diacritics 2'"
    ");"

    "INSERT INTO article_search (rowid, headline, kicker, lead, body)"
    " SELECT id, gazette_search_text(headline, 0), gazette_search_text(kicker, 0),"
    " gazette_search_text(lead, 0),"
    " gazette_search_text(coalesce(body_html, body_markdown), 1) FROM articles;";

/* A story may close its comments a number of days after publication (0: the site's rule). */
static const char migration_4_sql[] =
    "ALTER TABLE articles ADD COLUMN comments_days INTEGER NOT NULL DEFAULT 0"
    " CHECK (comments_days >= 0);";

/* Migration 5: faster search. article_search is rebuilt (same columns, tokenizer and content,
 * refilled as in migration 3) with prefix indexes for 2, 3 and 4 characters, so short prefix
 * queries ("gaz*") read one prefix entry instead of merging every term they expand to, and with
 * its rank set to the weighted bm25 readers' queries sort by (headline weighing most).
 * articles_search_live covers the live rule for a lookup by id: ranking every match of a common
 * word checks each one without reading article rows (their bodies sit before status). */
static const char migration_5_sql[] =
    "DROP TABLE article_search;"
    "CREATE VIRTUAL TABLE article_search USING fts5("
    " headline, kicker, lead, body,"
    " tokenize = 'unicode61 remove_diacritics 2',"
    " prefix = '2 3 4'"
    ");"
    "INSERT INTO article_search (article_search, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, "
    "1.0)');"

    "INSERT INTO article_search (rowid, headline, kicker, lead, body)"
    " SELECT id, gazette_search_text(headline, 0), gazette_search_text(kicker, 0),"
    " gazette_search_text(lead, 0),"
    " gazette_search_text(coalesce(body_html, body_markdown), 1) FROM articles;"

    "CREATE INDEX articles_search_live ON articles (id, status, published_at);";

/* Migration 6: a log of changes for caches to follow, whichever process made them (the server,
 * the CLI, another node): kind 1 is a comment of story ref added, changed or removed; kind 2 a
 * site-wide change (settings, topics, authors). Stories are followed by their updated_at and
 * published_at (store_articles_changed_since). Triggers write the log in the writer's own
 * transaction; every thousandth row trims what is 10,000 rows old. articles_recent lets
 * followers find stories whose publication time has just come without reading every row, and
 * the newest-first lists skip to a deep page inside the index (the rows, bodies and all, are
 * read only for the stories shown: page 450 of 10,000 stories in 2 ms instead of 53). */
static const char migration_6_sql[] =
    "CREATE TABLE changes ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
    " ref INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TRIGGER changes_comment_insert AFTER INSERT ON comments BEGIN"
    " INSERT INTO changes (kind, ref) VALUES (1, NEW.article_id); END;"
    "CREATE TRIGGER changes_comment_update AFTER UPDATE ON comments BEGIN"
    " INSERT INTO changes (kind, ref) VALUES (1, NEW.article_id); END;"
    "CREATE TRIGGER changes_comment_delete AFTER DELETE ON comments BEGIN"
    " INSERT INTO changes (kind, ref) VALUES (1, OLD.article_id); END;"
    "CREATE TRIGGER changes_setting_insert AFTER INSERT ON settings BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_setting_update AFTER UPDATE ON settings BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_setting_delete AFTER DELETE ON settings BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_topic_insert AFTER INSERT ON topics BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_topic_update AFTER UPDATE ON topics BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_topic_delete AFTER DELETE ON topics BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_author_update AFTER UPDATE ON authors BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_author_delete AFTER DELETE ON authors BEGIN"
    " INSERT INTO changes (kind) VALUES (2); END;"
    "CREATE TRIGGER changes_trim AFTER INSERT ON changes WHEN NEW.id % 1000 = 0 BEGIN"
    " DELETE FROM changes WHERE id <= NEW.id - 10000; END;"
    "CREATE INDEX articles_recent ON articles (published_at DESC, id DESC, status);";

/* Migration 7: stories from elsewhere (the WordPress import, docs/import.md).
 * articles.body_format says what body_html was made from: 'markdown' (rendered from
 * body_markdown) or 'html' (sanitised HTML kept as the body itself, body_markdown NULL).
 * articles.kind: a 'story' is news; a 'page' (an imported WordPress page: "About", "Contact")
 * is served at /pages/{slug}/ and kept out of every list, feed, search and related list.
 * articles.sticky: the editor pinned the story (WordPress's sticky posts). The two indexes the
 * live lists and search walk are rebuilt with kind in them, so leaving pages out reads no row.
 * topics.parent_id keeps a category hierarchy. users are the newsroom's logins (no password
 * until one is set), linked to the author they write as. redirects map an old path (normalised:
 * percent-decoded, no trailing slash, "/?p=12" for query links) to a path of this site.
 * wp_import_map remembers what the import made of each WordPress object (kind 'post', 'page',
 * 'attachment', 'comment', 'category', 'tag'), so a second run creates nothing twice;
 * attachments keep their URL (local or remote), caption and alt text there, and as local_id
 * the WordPress id of the post they are attached to (what a [gallery] without ids shows). */
static const char migration_7_sql[] =
    "ALTER TABLE articles ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown'"
    " CHECK (body_format IN ('markdown', 'html'));"
    "ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'story'"
    " CHECK (kind IN ('story', 'page'));"
    "ALTER TABLE articles ADD COLUMN sticky INTEGER NOT NULL DEFAULT 0 CHECK (sticky IN (0, 1));"
    "DROP INDEX articles_search_live;"
    "CREATE INDEX articles_search_live ON articles (id, status, published_at, kind);"
    "DROP INDEX articles_recent;"
    "CREATE INDEX articles_recent ON articles (published_at DESC, id DESC, status, kind);"

    "ALTER TABLE topics ADD COLUMN parent_id INTEGER REFERENCES topics (id) ON DELETE SET NULL;"

    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " login TEXT NOT NULL UNIQUE,"
    " email TEXT,"
    " display_name TEXT NOT NULL,"
    " password_hash TEXT,"
    " role TEXT NOT NULL DEFAULT 'author',"
    " author_id INTEGER REFERENCES authors (id) ON DELETE SET NULL,"
    " created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE redirects ("
    " path TEXT PRIMARY KEY,"
    " target TEXT NOT NULL CHECK (substr(target, 1, 1) = '/' AND substr(target, 1, 2) <> '//')"
    ") STRICT, WITHOUT ROWID;"

    "CREATE TABLE wp_import_map ("
    " kind TEXT NOT NULL,"
    " wp_id INTEGER NOT NULL,"
    " local_id INTEGER NOT NULL DEFAULT 0,"
    " url TEXT,"
    " caption TEXT,"
    " alt TEXT,"
    " PRIMARY KEY (kind, wp_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX wp_import_map_by_local ON wp_import_map (kind, local_id, wp_id);";

/* Migration 8: Web Push for breaking news (docs/push.md). push_vapid holds the site's one VAPID
 * key pair (raw P-256 bytes; never listed with the settings, never served but its public half).
 * push_subscriptions are readers' browsers, one row per push endpoint URL (subscribing again
 * replaces the keys). push_breaking records each story an editor marked breaking: once only,
 * so a story is never announced twice. push_messages is the queue: one row per subscriber and
 * story, state 0 waiting (next_attempt_at says when it may be sent), 1 delivered, 2 given up;
 * push_messages_due is what the sender polls. A subscription removed (unsubscribed, or gone at
 * the push service) takes its messages with it. */
static const char migration_8_sql[] =
    "CREATE TABLE push_vapid ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " private_key BLOB NOT NULL CHECK (length(private_key) = 32),"
    " public_key BLOB NOT NULL CHECK (length(public_key) = 65),"
    " created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE push_subscriptions ("
    " id INTEGER PRIMARY KEY,"
    " endpoint TEXT NOT NULL UNIQUE,"
    " p256dh BLOB NOT NULL CHECK (length(p256dh) = 65),"
    " auth BLOB NOT NULL CHECK (length(auth) = 16),"
    " created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE push_breaking ("
    " article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
    " marked_at INTEGER NOT NULL,"
    " queued INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE push_messages ("
    " id INTEGER PRIMARY KEY,"
    " subscription_id INTEGER NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,"
    " article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
    " state INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2)),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL,"
    " done_at INTEGER,"
    " UNIQUE (subscription_id, article_id)"
    ") STRICT;"
    "CREATE INDEX push_messages_due ON push_messages (state, next_attempt_at);"
    "CREATE INDEX push_messages_by_article ON push_messages (article_id);";
/* Migration 9: the daily newsletter (docs/newsletter.md). A subscriber is pending (0) until
 * they confirm by email, then confirmed (1), or unsubscribed (2). topics holds the slugs they
 * chose, space-separated ('' for every topic); a subscription asked for again keeps its state
 * and waits in pending_topics with a new confirmation (confirm_hash: the SHA-256 of the
 * emailed token, never the token; confirm_expires: when it stops working). newsletter_sends
 * records each day's digest per subscriber before it is sent: at most one a day. */
static const char migration_9_sql[] =
    "CREATE TABLE newsletter_subscribers ("
    " id INTEGER PRIMARY KEY,"
    " email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " status INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 2),"
    " topics TEXT NOT NULL DEFAULT '',"
    " pending_topics TEXT,"
    " confirm_hash BLOB UNIQUE,"
    " confirm_expires INTEGER,"
    " created_at INTEGER NOT NULL,"
    " confirmed_at INTEGER,"
    " unsubscribed_at INTEGER"
    ") STRICT;"
    "CREATE INDEX newsletter_subscribers_by_status ON newsletter_subscribers (status, id);"

    "CREATE TABLE newsletter_sends ("
    " subscriber_id INTEGER NOT NULL REFERENCES newsletter_subscribers (id) ON DELETE CASCADE,"
    " day TEXT NOT NULL,"
    " sent_at INTEGER NOT NULL,"
    " PRIMARY KEY (subscriber_id, day)"
    ") STRICT, WITHOUT ROWID;";

/* Migration 10: read keys of the content API (api/api_keys.c): a name and the BLAKE2b hash of
 * the key, never the key itself. */
static const char migration_10_sql[] = "CREATE TABLE api_keys ("
                                       " id INTEGER PRIMARY KEY,"
                                       " name TEXT NOT NULL UNIQUE,"
                                       " key_hash TEXT NOT NULL UNIQUE,"
                                       " created_at INTEGER NOT NULL"
                                       ") STRICT;";

/* Migration 11: search at scale. article_search is rebuilt (same columns, content, prefix
 * indexes and rank) with the tokenizer gazette_pairs (search_tokenizer.c), which sqlite.c
 * registers on each of its connections: unicode61 as before, plus each pair of neighbouring
 * words, so a phrase of common words reads its pairs' short lists instead of intersecting its
 * words' long ones. articles.search_len is the article's length in indexed words (what FTS5
 * keeps in its docsize table; gazette_search_len counts it), in articles_search_live so the
 * live check of each match brings it to the ranking without a docsize lookup. Matches and
 * ranking stay the same. */
static const char migration_11_sql[] =
    "DROP TABLE article_search;"
    "CREATE VIRTUAL TABLE article_search USING fts5("
    " headline, kicker, lead, body,"
    " tokenize = 'gazette_pairs remove_diacritics 2',"
    " prefix = '2 3 4'"
    ");"
    "INSERT INTO article_search (article_search, rank) VALUES ('rank', 'bm25(10.0, 5.0, 3.0, "
    "1.0)');"

    "INSERT INTO article_search (rowid, headline, kicker, lead, body)"
    " SELECT id, gazette_search_text(headline, 0), gazette_search_text(kicker, 0),"
    " gazette_search_text(lead, 0),"
    " gazette_search_text(coalesce(body_html, body_markdown), 1) FROM articles;"
    /* one b-tree instead of the dozen segments a bulk insert leaves: every term is looked up
     * once (new stories add small segments that FTS5 merges as usual) */
    "INSERT INTO article_search (article_search) VALUES ('optimize');"

    "ALTER TABLE articles ADD COLUMN search_len INTEGER;"
    "UPDATE articles SET search_len = (SELECT gazette_search_len(s.headline, s.kicker, s.lead,"
    " s.body) FROM article_search s WHERE s.rowid = articles.id);"
    "DROP INDEX articles_search_live;"
    "CREATE INDEX articles_search_live ON articles (id, status, published_at, kind, search_len);";

/* Migration 12: the newsroom's accounts (docs/newsroom.md). users (migration 7) gain a switch
 * that shuts an account out without deleting it (its stories keep their author). sessions are
 * signed-in browsers: the SHA-256 of the random token in the gz_session cookie (never the token
 * itself), whose user, and until when (expires_at slides forward as the session is used).
 * password_resets are the one-time links 'gazette user reset-link' prints, stored the same way;
 * used_at is set when the link is spent. Both go with their user. comments.staff_user_id marks a
 * reply an editor wrote from the moderation screen (kept when the user is deleted: NULL). */
static const char migration_12_sql[] =
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));"
    "ALTER TABLE users ADD COLUMN password_changed_at INTEGER;"

    "CREATE TABLE sessions ("
    " token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " last_seen_at INTEGER NOT NULL,"
    " ip TEXT,"
    " user_agent TEXT"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX sessions_by_user ON sessions (user_id);"

    "CREATE TABLE password_resets ("
    " token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " used_at INTEGER"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX password_resets_by_user ON password_resets (user_id);"

    "ALTER TABLE comments ADD COLUMN staff_user_id INTEGER REFERENCES users (id)"
    " ON DELETE SET NULL;";

/* Migration 13: the editor's revisions (docs/newsroom.md). Every save of a story (the web
 * editor's and store_articles_save's) writes one row holding every field as saved, with its
 * topics and authors as JSON arrays of names (in order, primary first), in the same
 * transaction. number counts 1, 2, 3 ... per story; user_id is who saved (NULL: the command
 * line or an import), user_name their display name then (kept when the user goes). Stories
 * already there get revision 1, as they stand. */
static const char migration_13_sql[] =
    "CREATE TABLE article_revisions ("
    " article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
    " number INTEGER NOT NULL CHECK (number >= 1),"
    " user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,"
    " user_name TEXT NOT NULL DEFAULT '',"
    " saved_at INTEGER NOT NULL,"
    " slug TEXT NOT NULL,"
    " kicker TEXT,"
    " headline TEXT NOT NULL,"
    " lead TEXT,"
    " body_markdown TEXT,"
    " body_html TEXT,"
    " body_format TEXT NOT NULL,"
    " image_url TEXT,"
    " image_caption TEXT,"
    " image_credit TEXT,"
    " image_alt TEXT,"
    " status INTEGER NOT NULL,"
    " published_at INTEGER NOT NULL,"
    " comments_off INTEGER NOT NULL,"
    " comments_days INTEGER NOT NULL,"
    " topics TEXT NOT NULL DEFAULT '[]',"
    " authors TEXT NOT NULL DEFAULT '[]',"
    " PRIMARY KEY (article_id, number)"
    ") STRICT, WITHOUT ROWID;"
    "INSERT INTO article_revisions (article_id, number, user_id, user_name, saved_at, slug,"
    " kicker, headline, lead, body_markdown, body_html, body_format, image_url, image_caption,"
    " image_credit, image_alt, status, published_at, comments_off, comments_days, topics,"
    " authors)"
    " SELECT a.id, 1, NULL, '', a.updated_at, a.slug, a.kicker, a.headline, a.lead,"
    " a.body_markdown, a.body_html, a.body_format, a.image_url, a.image_caption, a.image_credit,"
    " a.image_alt, a.status, a.published_at, a.comments_off, a.comments_days,"
    " (SELECT json_group_array(name) FROM (SELECT t.name FROM article_topics x"
    " JOIN topics t ON t.id = x.topic_id WHERE x.article_id = a.id ORDER BY x.position)),"
    " (SELECT json_group_array(name) FROM (SELECT u.name FROM article_authors y"
    " JOIN authors u ON u.id = y.author_id WHERE y.article_id = a.id ORDER BY y.position))"
    " FROM articles a WHERE a.kind = 'story';";

/* Migration 14: the media library (docs/media.md). One row per uploaded image, named by the
 * hash of its bytes (the files are media_dir/library/HASH-WxH.jpg and .webp, one pair per
 * width in widths, a space-separated list narrowest first; width x height is the largest
 * rendition). file_name is the uploader's name for it, made safe; alt, caption and credit are
 * what a story copies when it picks the image. media_recent orders the library's grid. */
static const char migration_14_sql[] =
    "CREATE TABLE media ("
    " id INTEGER PRIMARY KEY,"
    " hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 32),"
    " file_name TEXT NOT NULL,"
    " width INTEGER NOT NULL CHECK (width > 0),"
    " height INTEGER NOT NULL CHECK (height > 0),"
    " widths TEXT NOT NULL,"
    " alt TEXT NOT NULL DEFAULT '',"
    " caption TEXT NOT NULL DEFAULT '',"
    " credit TEXT NOT NULL DEFAULT '',"
    " uploader_id INTEGER REFERENCES users (id) ON DELETE SET NULL,"
    " created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX media_recent ON media (created_at DESC, id DESC);";

const store_migration store_migrations[] = {
    {1, "initial schema", migration_1_sql},
    {2, "comments and settings", migration_2_sql},
    {3, "full-text search", migration_3_sql},
    {4, "comment days per story", migration_4_sql},
    {5, "search prefix indexes and rank", migration_5_sql},
    {6, "change log for caches", migration_6_sql},
    {7, "imported stories, pages, users, redirects", migration_7_sql},
    {8, "web push for breaking news", migration_8_sql},
    {9, "newsletter subscribers and sends", migration_9_sql},
    {10, "content API read keys", migration_10_sql},
    {11, "search word pairs for phrases", migration_11_sql},
    {12, "newsroom accounts, sessions, password resets", migration_12_sql},
    {13, "story revisions", migration_13_sql},
    {14, "media library", migration_14_sql},
};

const size_t store_n_migrations = sizeof store_migrations / sizeof store_migrations[0];
