/* thread_conns.h — a store's database connections, one per thread, as both backends keep them:
 * a thread's connection is found through a pthread key, every open one is on a list so that
 * closing the store closes them all, and a thread that exits takes its connection with it.
 * A backend's connection struct embeds a thread_conn and frees itself in free_conn. */
#ifndef GAZETTE_THREAD_CONNS_H
#define GAZETTE_THREAD_CONNS_H

#include <pthread.h>
#include <stdbool.h>

typedef struct thread_conns thread_conns;

typedef struct thread_conn {
    struct thread_conn *next;
    thread_conns *owner;
} thread_conn;

struct thread_conns {
    pthread_key_t key;                 /* this thread's connection */
    pthread_mutex_t lock;              /* guards head */
    thread_conn *head;                 /* every open connection */
    void (*free_conn)(thread_conn *c); /* closes and frees the backend's connection */
};

/* false when no thread key is left. */
bool thread_conns_init(thread_conns *t, void (*free_conn)(thread_conn *c));
/* This thread's connection, NULL before its first. */
thread_conn *thread_conns_mine(thread_conns *t);
/* Makes c this thread's connection; false (c left alone, unlisted) when that fails. */
bool thread_conns_add(thread_conns *t, thread_conn *c);
/* Once the other threads are done with the store: frees every connection and the key. */
void thread_conns_close(thread_conns *t);

#endif
