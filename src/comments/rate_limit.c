/* rate_limit.c — per-IP comment rate limiter: a fixed-window counter per address in an
 * open-addressing (linear probing, backward-shift deletion) hash table behind one mutex.
 * At most RL_MAX_ENTRIES addresses are remembered; when full, addresses whose window has
 * passed are dropped, and if none has, the least recently seen one. */
#include "comments.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    RL_CAPACITY = 16384, /* power of two, comfortably above RL_MAX_ENTRIES */
    RL_MAX_ENTRIES = 10000,
    RL_IP_MAX = 63 /* longer keys are truncated; real addresses are at most ~60 bytes */
};

typedef struct {
    char ip[RL_IP_MAX + 1];
    uint32_t hash;
    bool used;
    unsigned count;
    long long window_start, last_seen;
} rl_slot;

struct comment_rate_limiter {
    pthread_mutex_t mutex;
    unsigned max_posts, window_seconds;
    size_t entries;
    rl_slot *slots;
};

comment_rate_limiter *comment_rate_limiter_new(unsigned max_posts, unsigned window_seconds)
{
    comment_rate_limiter *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->slots = calloc(RL_CAPACITY, sizeof *l->slots);
    if (!l->slots || pthread_mutex_init(&l->mutex, NULL) != 0) {
        free(l->slots);
        free(l);
        return NULL;
    }
    l->max_posts = max_posts;
    l->window_seconds = window_seconds;
    return l;
}

void comment_rate_limiter_free(comment_rate_limiter *l)
{
    if (!l) return;
    pthread_mutex_destroy(&l->mutex);
    free(l->slots);
    free(l);
}

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t find_slot(const comment_rate_limiter *l, const char *key, uint32_t hash)
{
    size_t i = hash & (RL_CAPACITY - 1);
    while (l->slots[i].used && !(l->slots[i].hash == hash && strcmp(l->slots[i].ip, key) == 0))
        i = (i + 1) & (RL_CAPACITY - 1);
    return i;
}

/* Empties slot i, moving later entries of the probe run back so lookups still find them. */
static void remove_slot(comment_rate_limiter *l, size_t i)
{
    size_t j = i;
    for (;;) {
        l->slots[i].used = false;
        for (;;) {
            j = (j + 1) & (RL_CAPACITY - 1);
            if (!l->slots[j].used) {
                l->entries--;
                return;
            }
            size_t home = l->slots[j].hash & (RL_CAPACITY - 1);
            bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) break;
        }
        l->slots[i] = l->slots[j];
        i = j;
    }
}

static bool window_over(const comment_rate_limiter *l, const rl_slot *s, long long now)
{
    return now - s->window_start >= (long long)l->window_seconds || now < s->window_start;
}

/* Makes room for one more address: drops finished windows, else the stalest address. */
static void evict(comment_rate_limiter *l, long long now)
{
    size_t before = l->entries;
    for (size_t i = 0; i < RL_CAPACITY;) {
        if (l->slots[i].used && window_over(l, &l->slots[i], now))
            remove_slot(l, i); /* another entry may have moved into i: look again */
        else
            i++;
    }
    if (l->entries < before) return;
    size_t stalest = RL_CAPACITY;
    for (size_t i = 0; i < RL_CAPACITY; i++)
        if (l->slots[i].used &&
            (stalest == RL_CAPACITY || l->slots[i].last_seen < l->slots[stalest].last_seen))
            stalest = i;
    if (stalest < RL_CAPACITY) remove_slot(l, stalest);
}

bool comment_rate_limiter_allow(comment_rate_limiter *l, const char *ip, long long now)
{
    char key[RL_IP_MAX + 1];
    snprintf(key, sizeof key, "%s", ip ? ip : "");
    uint32_t hash = fnv1a(key);
    pthread_mutex_lock(&l->mutex);
    size_t i = find_slot(l, key, hash);
    if (!l->slots[i].used) {
        if (l->entries >= RL_MAX_ENTRIES) {
            evict(l, now);
            i = find_slot(l, key, hash);
        }
        l->slots[i] = (rl_slot){.hash = hash, .used = true, .window_start = now};
        memcpy(l->slots[i].ip, key, sizeof key);
        l->entries++;
    }
    rl_slot *s = &l->slots[i];
    s->last_seen = now;
    if (window_over(l, s, now)) {
        s->window_start = now;
        s->count = 0;
    }
    bool allowed = s->count < l->max_posts;
    if (allowed) s->count++;
    pthread_mutex_unlock(&l->mutex);
    return allowed;
}
