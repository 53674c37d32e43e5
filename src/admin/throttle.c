/* throttle.c — the login throttle (auth.h): a fixed table of failure counts keyed by a BLAKE2b
 * hash of "a:LOGIN" or "i:IP", found by linear probing from the hash; when the probe finds no
 * free slot, the entry with the oldest failure gives way. One mutex guards the table (a login
 * takes far longer hashing its password than waiting for it). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"

enum { PROBE = 16 };

typedef struct {
    uint64_t key; /* 0: free */
    unsigned failures;
    long long last_failure; /* ms */
} throttle_entry;

struct auth_throttle {
    pthread_mutex_t lock;
    unsigned hashing; /* password checks running (guarded by lock) */
    throttle_entry *slots;
    size_t n;
};

auth_throttle *auth_throttle_new(size_t slots)
{
    if (slots < PROBE) slots = PROBE;
    auth_throttle *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->slots = calloc(slots, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    t->n = slots;
    pthread_mutex_init(&t->lock, NULL);
    return t;
}

void auth_throttle_free(auth_throttle *t)
{
    if (!t) return;
    pthread_mutex_destroy(&t->lock);
    free(t->slots);
    free(t);
}

static uint64_t key_hash(const char *key)
{
    uint64_t h = 0;
    crypto_generichash((unsigned char *)&h, sizeof h, (const unsigned char *)key, strlen(key), NULL,
                       0);
    return h ? h : 1;
}

/* The entry of key (create: a free or the oldest slot of its probe, emptied), or NULL. */
static throttle_entry *find(auth_throttle *t, uint64_t h, bool create, long long now)
{
    throttle_entry *victim = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        throttle_entry *e = &t->slots[(h + i) % t->n];
        if (e->key == h) return e;
        bool stale = e->key && now - e->last_failure > AUTH_THROTTLE_FORGET * 1000LL;
        if (!e->key || stale) {
            if (!victim || victim->key) victim = e;
        } else if (!victim || (victim->key && e->last_failure < victim->last_failure)) {
            victim = e;
        }
    }
    if (!create) return NULL;
    *victim = (throttle_entry){.key = h};
    return victim;
}

static unsigned delay_for(unsigned failures, unsigned free_failures)
{
    if (failures < free_failures) return 0;
    unsigned extra = failures - free_failures; /* 0 after the free ones: 1 s */
    if (extra >= 10) return AUTH_THROTTLE_MAX_DELAY;
    unsigned d = 1u << extra;
    return d > AUTH_THROTTLE_MAX_DELAY ? AUTH_THROTTLE_MAX_DELAY : d;
}

long long auth_throttle_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    /* never 0 or near it, so that a fresh entry (last_failure 0) looks long forgotten */
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + AUTH_THROTTLE_FORGET * 2000LL;
}

long long auth_throttle_wait(auth_throttle *t, const char *key, unsigned free_failures,
                             long long now)
{
    uint64_t h = key_hash(key);
    pthread_mutex_lock(&t->lock);
    throttle_entry *e = find(t, h, false, now);
    long long wait = 0;
    if (e && now - e->last_failure <= AUTH_THROTTLE_FORGET * 1000LL) {
        long long until = e->last_failure + delay_for(e->failures, free_failures) * 1000LL;
        if (until > now) wait = until - now;
    }
    pthread_mutex_unlock(&t->lock);
    return wait;
}

void auth_throttle_fail(auth_throttle *t, const char *key, long long now)
{
    uint64_t h = key_hash(key);
    pthread_mutex_lock(&t->lock);
    throttle_entry *e = find(t, h, true, now);
    if (now - e->last_failure > AUTH_THROTTLE_FORGET * 1000LL) e->failures = 0;
    if (e->failures < 1000) e->failures++;
    e->last_failure = now;
    pthread_mutex_unlock(&t->lock);
}

void auth_throttle_clear(auth_throttle *t, const char *key)
{
    uint64_t h = key_hash(key);
    pthread_mutex_lock(&t->lock);
    throttle_entry *e = find(t, h, false, 0);
    if (e) *e = (throttle_entry){0};
    pthread_mutex_unlock(&t->lock);
}

bool auth_hashing_enter(auth_throttle *t)
{
    pthread_mutex_lock(&t->lock);
    bool ok = t->hashing < AUTH_MAX_HASHING;
    if (ok) t->hashing++;
    pthread_mutex_unlock(&t->lock);
    return ok;
}

void auth_hashing_leave(auth_throttle *t)
{
    pthread_mutex_lock(&t->lock);
    if (t->hashing) t->hashing--;
    pthread_mutex_unlock(&t->lock);
}
