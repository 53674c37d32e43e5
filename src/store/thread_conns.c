/* thread_conns.c — one database connection per thread for a store (thread_conns.h). */
#include "thread_conns.h"

#include <stddef.h>

static void unlink_conn(thread_conns *t, thread_conn *c)
{
    for (thread_conn **p = &t->head; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            return;
        }
    }
}

/* Thread exit: the thread's connection goes with it (a server may start many threads). */
static void on_thread_exit(void *p)
{
    thread_conn *c = p;
    thread_conns *t = c->owner;
    pthread_mutex_lock(&t->lock);
    unlink_conn(t, c);
    pthread_mutex_unlock(&t->lock);
    t->free_conn(c);
}

bool thread_conns_init(thread_conns *t, void (*free_conn)(thread_conn *c))
{
    t->head = NULL;
    t->free_conn = free_conn;
    if (pthread_key_create(&t->key, on_thread_exit) != 0) return false;
    pthread_mutex_init(&t->lock, NULL);
    return true;
}

thread_conn *thread_conns_mine(thread_conns *t)
{
    return pthread_getspecific(t->key);
}

bool thread_conns_add(thread_conns *t, thread_conn *c)
{
    c->owner = t;
    pthread_mutex_lock(&t->lock);
    c->next = t->head;
    t->head = c;
    pthread_mutex_unlock(&t->lock);
    if (pthread_setspecific(t->key, c) == 0) return true;
    pthread_mutex_lock(&t->lock);
    unlink_conn(t, c);
    pthread_mutex_unlock(&t->lock);
    return false;
}

void thread_conns_close(thread_conns *t)
{
    pthread_setspecific(t->key, NULL);
    pthread_mutex_lock(&t->lock);
    thread_conn *c = t->head;
    t->head = NULL;
    pthread_mutex_unlock(&t->lock);
    while (c) {
        thread_conn *next = c->next;
        t->free_conn(c);
        c = next;
    }
    pthread_key_delete(t->key);
    pthread_mutex_destroy(&t->lock);
}
