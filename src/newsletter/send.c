/* send.c — the newsletter's settings and its daily run (newsletter.h): for each confirmed
 * subscriber, the top stories of the last 24 hours in the topics they chose (most approved
 * comments first, then newest; at most NEWSLETTER_STORIES_PER_TOPIC per topic, each story
 * once), claimed in the database, built as a MIME message and sent over SMTP. Used by
 * `gazette newsletter send` and by the server's daily timer. */
#include "newsletter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* MAX_FAILURES failed sends in a row stop a run: the server is down, the rest wait for the
 * next run rather than each waiting for its own timeout. */
enum { MAX_STORIES = 1000, SEND_TIMEOUT_SECONDS = 60, MAX_FAILURES = 3 };

static const char *setting(store *s, arena *a, const char *key)
{
    const char *value = NULL;
    return store_setting_get(s, a, key, &value) == STORE_OK && value && *value ? value : NULL;
}

bool newsletter_smtp_settings(store *s, arena *a, newsletter_smtp_config *cfg, char *err,
                              size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->url = setting(s, a, "smtp_url");
    cfg->from = setting(s, a, "smtp_from");
    cfg->user = setting(s, a, "smtp_user");
    cfg->password = getenv("GAZETTE_SMTP_PASSWORD");
    cfg->timeout_seconds = SEND_TIMEOUT_SECONDS;
    if (!cfg->url) {
        snprintf(err, errlen,
                 "the newsletter is off: set smtp_url (for example "
                 "'gazette settings set --db FILE smtp_url smtp://127.0.0.1:25')");
        return false;
    }
    if (strncmp(cfg->url, "smtp://", 7) != 0 && strncmp(cfg->url, "smtps://", 8) != 0) {
        snprintf(err, errlen, "the setting smtp_url must start with smtp:// or smtps://");
        return false;
    }
    const char *authority = strstr(cfg->url, "://") + 3;
    if (memchr(authority, '@', strcspn(authority, "/?#"))) { /* it would end up in messages */
        snprintf(err, errlen,
                 "smtp_url must not hold a user or password: put the user in "
                 "smtp_user and the password in GAZETTE_SMTP_PASSWORD");
        return false;
    }
    if (!cfg->from || newsletter_email_check(cfg->from, strlen(cfg->from)) != NEWSLETTER_EMAIL_OK) {
        snprintf(err, errlen,
                 "the newsletter is off: set smtp_from to the address it is sent "
                 "from (a plain address such as news@example.org)");
        return false;
    }
    return true;
}

void newsletter_day(long long now, char out[11])
{
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0 || !strftime(out, 11, "%Y-%m-%d", &tm))
        snprintf(out, 11, "0000-00-00");
}

static const char *day_label(arena *a, long long now)
{
    static const char months[12][10] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    return arena_printf(a, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

/* The day's stories, best first, with their approved comment counts. */
typedef struct {
    store_article *articles;
    long long *comments;
    size_t n;
} day_stories;

static store_status load_stories(store *s, arena *a, long long now, day_stories *out)
{
    long long *ids, *counts;
    size_t n;
    store_status st = store_newsletter_top_stories(s, a, now - NEWSLETTER_WINDOW_SECONDS, now,
                                                   MAX_STORIES, &ids, &counts, &n);
    if (st == STORE_OK) st = store_articles_by_ids(s, a, ids, n, &out->articles, &out->n);
    if (st != STORE_OK) return st;
    out->comments = arena_alloc(a, (out->n + 1) * sizeof *out->comments);
    for (size_t i = 0; i < out->n; i++)
        for (size_t k = 0; k < n; k++)
            if (ids[k] == out->articles[i].id) out->comments[i] = counts[k];
    return STORE_OK;
}

static bool has_topic(const store_article *article, const char *slug)
{
    for (size_t i = 0; i < article->n_topics; i++)
        if (strcmp(article->topics[i].slug, slug) == 0) return true;
    return false;
}

typedef struct {
    arena *a;
    const newsletter_run_options *o;
    const day_stories *day;
    bool *shown; /* per story: already in this subscriber's digest */
    newsletter_section *sections;
    size_t n, cap, stories;
} digest_builder;

static newsletter_story story_of(digest_builder *b, size_t i)
{
    const store_article *article = &b->day->articles[i];
    return (newsletter_story){article->headline, article->lead,
                              arena_printf(b->a, "%s/news/%s/", b->o->base_url, article->slug),
                              b->day->comments[i]};
}

/* A section of the stories for which belongs(story) holds, not shown yet, best first. */
static void add_section(digest_builder *b, const store_topic *topic,
                        bool (*belongs)(const store_article *, const store_topic *))
{
    newsletter_section section = {
        topic->name, arena_printf(b->a, "%s/topic/%s/", b->o->base_url, topic->slug), NULL, 0};
    section.stories = arena_alloc(b->a, NEWSLETTER_STORIES_PER_TOPIC * sizeof *section.stories);
    for (size_t i = 0; i < b->day->n && section.n < NEWSLETTER_STORIES_PER_TOPIC; i++) {
        if (b->shown[i] || !belongs(&b->day->articles[i], topic)) continue;
        b->shown[i] = true;
        section.stories[section.n++] = story_of(b, i);
    }
    if (!section.n) return;
    if (b->n == b->cap) b->sections = arena_grow(b->a, b->sections, &b->cap, b->n, sizeof section);
    b->sections[b->n++] = section;
    b->stories += section.n;
}

static bool leads_topic(const store_article *article, const store_topic *topic)
{
    return article->n_topics && strcmp(article->topics[0].slug, topic->slug) == 0;
}

static bool in_topic(const store_article *article, const store_topic *topic)
{
    return has_topic(article, topic->slug);
}

/* The sections of one subscriber: the topics they chose in their order, or, for every topic,
 * each story under its primary topic, topics in the order of their best story. */
static void build_sections(digest_builder *b, const char *topics)
{
    b->shown = arena_alloc(b->a, (b->day->n + 1) * sizeof *b->shown);
    if (!*topics) {
        for (size_t i = 0; i < b->day->n; i++)
            if (!b->shown[i] && b->day->articles[i].n_topics)
                add_section(b, &b->day->articles[i].topics[0], leads_topic);
        return;
    }
    for (const char *p = topics; *p;) {
        size_t len = strcspn(p, " ");
        const char *slug = arena_strndup(b->a, p, len);
        p += len + (p[len] == ' ');
        for (size_t i = 0; i < b->day->n; i++) {
            const store_article *article = &b->day->articles[i];
            for (size_t k = 0; k < article->n_topics; k++)
                if (strcmp(article->topics[k].slug, slug) == 0) {
                    add_section(b, &article->topics[k], in_topic);
                    i = b->day->n; /* one section per chosen topic */
                    break;
                }
        }
    }
}

typedef struct {
    store *s;
    const newsletter_run_options *o;
    const newsletter_smtp_config *cfg;
    newsletter_smtp *smtp;
    const day_stories *day;
    const char *day_key, *label;
    newsletter_run_report *report;
} run_state;

/* Builds, claims and sends one subscriber's digest. */
static void send_one(run_state *r, arena *a, const store_subscriber *sub)
{
    digest_builder b = {.a = a, .o = r->o, .day = r->day};
    build_sections(&b, sub->topics);
    if (!b.n) {
        r->report->nothing_new++;
        return;
    }
    const char *unsubscribe = arena_printf(a, "%s/newsletter/unsubscribe?token=%s", r->o->base_url,
                                           newsletter_unsubscribe_token(a, r->o->key, sub->id));
    newsletter_digest d = {
        r->o->site_name, arena_printf(a, "%s/", r->o->base_url), r->label, b.sections, b.n,
        unsubscribe};
    newsletter_message m = {.from_name = r->o->site_name,
                            .from = r->cfg->from,
                            .to = sub->email,
                            .unsubscribe_url = unsubscribe,
                            .date = r->o->now};
    newsletter_digest_write(a, &d, &m.subject, &m.text, &m.html);
    const char *message = newsletter_mime_build(a, &m);
    if (!message) {
        fprintf(stderr, "gazette newsletter: cannot build the digest of subscriber %lld\n",
                sub->id);
        r->report->failed++;
        return;
    }
    if (r->o->dry_run) {
        if (!r->o->quiet)
            printf("would send to %s: %zu stories in %zu topics\n", sub->email, b.stories, b.n);
        r->report->sent++;
        return;
    }
    store_status st = store_newsletter_claim(r->s, sub->id, r->day_key, r->o->now);
    if (st == STORE_CONFLICT || st == STORE_NOT_FOUND) {
        r->report->already_sent += st == STORE_CONFLICT;
        return;
    }
    char err[512];
    if (st != STORE_OK) {
        fprintf(stderr, "gazette newsletter: subscriber %lld: %s\n", sub->id,
                store_last_error(r->s));
        r->report->failed++;
    } else if (!newsletter_smtp_send(r->smtp, sub->email, message, err, sizeof err)) {
        fprintf(stderr, "gazette newsletter: cannot send to subscriber %lld: %s\n", sub->id, err);
        if (store_newsletter_unclaim(r->s, sub->id, r->day_key) != STORE_OK)
            fprintf(stderr, "gazette newsletter: subscriber %lld: %s\n", sub->id,
                    store_last_error(r->s));
        r->report->failed++;
    } else {
        if (!r->o->quiet)
            printf("sent to subscriber %lld: %zu stories in %zu topics\n", sub->id, b.stories, b.n);
        r->report->sent++;
    }
}

bool newsletter_run(store *s, const newsletter_run_options *o, newsletter_run_report *report,
                    char *err, size_t errlen)
{
    memset(report, 0, sizeof *report);
    arena *a = arena_new();
    newsletter_smtp_config cfg;
    store_subscriber *subs = NULL;
    size_t n = 0;
    day_stories day = {0};
    char day_key[11];
    newsletter_day(o->now, day_key);
    bool ok = newsletter_smtp_settings(s, a, &cfg, err, errlen);
    store_status st = STORE_OK;
    if (ok && (st = store_newsletter_confirmed(s, a, &subs, &n)) == STORE_OK && n)
        st = load_stories(s, a, o->now, &day);
    if (ok && st != STORE_OK) {
        snprintf(err, errlen, "%s", store_last_error(s));
        ok = false;
    }
    report->subscribers = n;
    run_state r = {s, o, &cfg, NULL, &day, day_key, day_label(a, o->now), report};
    if (ok && n && !(r.smtp = newsletter_smtp_open(&cfg))) {
        snprintf(err, errlen, "cannot start libcurl");
        ok = false;
    }
    arena *per = arena_new();
    size_t in_a_row = 0;
    for (size_t i = 0; ok && i < n; i++) {
        size_t failed = report->failed;
        send_one(&r, per, &subs[i]);
        arena_reset(per);
        in_a_row = report->failed > failed ? in_a_row + 1 : 0;
        if (in_a_row == MAX_FAILURES && i + 1 < n) {
            fprintf(stderr,
                    "gazette newsletter: %d sends failed in a row; the other %zu "
                    "subscribers wait for the next run\n",
                    MAX_FAILURES, n - i - 1);
            report->failed += n - i - 1;
            break;
        }
    }
    arena_free(per);
    newsletter_smtp_close(r.smtp);
    arena_free(a);
    return ok;
}
