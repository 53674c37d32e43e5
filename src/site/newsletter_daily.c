/* newsletter_daily.c — the server's daily newsletter: a thread that wakes every
 * CHECK_SECONDS and, once the hour set in newsletter_hour (0-23, UTC) has come, runs the
 * day's send (newsletter_run) unless it ran already today. The run itself sends each
 * subscriber at most one digest a day (newsletter_sends), so a restart, or `gazette
 * newsletter send` run by hand the same day, sends nothing twice. Off while newsletter_hour
 * is unset or not a number from 0 to 23. Stopped (waiting for a run in progress) by
 * site_newsletter_timer_stop. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../newsletter/newsletter.h"
#include "site.h"

enum { CHECK_SECONDS = 30 };

struct site_newsletter_timer {
    site_app *app;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    char last_day[11]; /* the day of the last run, "" before the first */
};

/* The hour (0-23) of newsletter_hour, or -1 when it is off. */
static int send_hour(store *s, arena *a)
{
    const char *text = NULL;
    if (store_setting_get(s, a, "newsletter_hour", &text) != STORE_OK || !text) return -1;
    char *end;
    long hour = strtol(text, &end, 10);
    return end == text || *end || hour < 0 || hour > 23 ? -1 : (int)hour;
}

static void tick(site_newsletter_timer *t)
{
    arena *a = arena_new();
    long long now = (long long)time(NULL);
    char day[11];
    newsletter_day(now, day);
    int hour = send_hour(t->app->store, a);
    if (hour >= 0 && (now % 86400) / 3600 >= hour && strcmp(day, t->last_day) != 0) {
        newsletter_run_options o = {.site_name = t->app->config.name,
                                    .base_url = t->app->config.base_url,
                                    .now = now,
                                    .quiet = true};
        memcpy(o.key, site_newsletter_key(t->app), sizeof o.key);
        newsletter_run_report r;
        char err[512] = "";
        if (newsletter_run(t->app->store, &o, &r, err, sizeof err)) {
            memcpy(t->last_day, day, sizeof day);
            printf("gazette: newsletter of %s: %zu sent, %zu already sent, %zu with nothing new, "
                   "%zu failed\n",
                   day, r.sent, r.already_sent, r.nothing_new, r.failed);
            fflush(stdout);
            if (r.failed) t->last_day[0] = '\0'; /* try those again at the next check */
        } else {
            fprintf(stderr, "gazette: newsletter: %s\n", err);
            memcpy(t->last_day, day, sizeof day); /* said once a day, not every check */
        }
    }
    arena_free(a);
}

static void *run(void *arg)
{
    site_newsletter_timer *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        pthread_mutex_unlock(&t->lock);
        tick(t);
        pthread_mutex_lock(&t->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CHECK_SECONDS;
        while (!t->stop)
            if (pthread_cond_timedwait(&t->wake, &t->lock, &until) == ETIMEDOUT) break;
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

site_newsletter_timer *site_newsletter_timer_start(site_app *app, char *err, size_t errlen)
{
    site_newsletter_timer *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->app = app;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    if (pthread_create(&t->thread, NULL, run, t) != 0) {
        snprintf(err, errlen, "cannot start the newsletter's thread");
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->wake);
        free(t);
        return NULL;
    }
    return t;
}

void site_newsletter_timer_stop(site_newsletter_timer *t)
{
    if (!t) return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->wake);
    free(t);
}
