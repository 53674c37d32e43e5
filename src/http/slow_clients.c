/* slow_clients.c — the slow-request watchdog (slow_clients.h). Every connection has a watch in
 * a list guarded by one mutex; libmicrohttpd reports a connection closed before it closes the
 * socket, and the watch leaves the list under the mutex then, so the watchdog never shuts down
 * a descriptor that has been closed (and perhaps reused). */
#include "slow_clients.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

typedef struct watch {
    slow_clients *owner;
    int fd;
    bool waiting; /* a request is being read */
    bool cut;     /* shut down already */
    struct timespec since;
    struct watch *prev, *next;
} watch;

struct slow_clients {
    unsigned timeout;
    pthread_mutex_t lock;
    watch *head;
    atomic_uint open; /* watches in the list */
    pthread_t thread;
    atomic_bool stopping;
};

static double seconds_between(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

static void *watchdog(void *arg)
{
    slow_clients *sc = arg;
    const struct timespec tick = {0, 250 * 1000 * 1000};
    while (!atomic_load(&sc->stopping)) {
        nanosleep(&tick, NULL);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        pthread_mutex_lock(&sc->lock);
        for (watch *w = sc->head; w; w = w->next) {
            if (w->waiting && !w->cut && seconds_between(&w->since, &now) >= sc->timeout) {
                shutdown(w->fd, SHUT_RDWR); /* libmicrohttpd sees the end and closes it */
                w->cut = true;
            }
        }
        pthread_mutex_unlock(&sc->lock);
    }
    return NULL;
}

slow_clients *slow_clients_start(unsigned timeout_seconds)
{
    slow_clients *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->timeout = timeout_seconds ? timeout_seconds : 30;
    pthread_mutex_init(&sc->lock, NULL);
    if (pthread_create(&sc->thread, NULL, watchdog, sc) != 0) {
        pthread_mutex_destroy(&sc->lock);
        free(sc);
        return NULL;
    }
    return sc;
}

void slow_clients_stop(slow_clients *sc)
{
    if (!sc) return;
    atomic_store(&sc->stopping, true);
    pthread_join(sc->thread, NULL);
    pthread_mutex_lock(&sc->lock);
    while (sc->head) { /* none left after MHD_stop_daemon; freed anyway */
        watch *w = sc->head;
        sc->head = w->next;
        free(w);
    }
    pthread_mutex_unlock(&sc->lock);
    pthread_mutex_destroy(&sc->lock);
    free(sc);
}

void slow_clients_on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode code)
{
    slow_clients *sc = cls;
    if (!sc) return;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        watch *w = info ? calloc(1, sizeof *w) : NULL;
        if (!w) return; /* unwatched: only libmicrohttpd's inactivity timeout applies */
        w->owner = sc;
        w->fd = info->connect_fd;
        w->waiting = true;
        clock_gettime(CLOCK_MONOTONIC, &w->since);
        pthread_mutex_lock(&sc->lock);
        w->next = sc->head;
        if (sc->head) sc->head->prev = w;
        sc->head = w;
        atomic_fetch_add(&sc->open, 1);
        pthread_mutex_unlock(&sc->lock);
        *socket_context = w;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        watch *w = *socket_context;
        pthread_mutex_lock(&sc->lock);
        if (w->prev)
            w->prev->next = w->next;
        else
            sc->head = w->next;
        if (w->next) w->next->prev = w->prev;
        atomic_fetch_sub(&sc->open, 1);
        pthread_mutex_unlock(&sc->lock);
        free(w);
        *socket_context = NULL;
    }
}

unsigned slow_clients_open(const slow_clients *sc)
{
    return sc ? atomic_load(&sc->open) : 0;
}

static void set_waiting(struct MHD_Connection *connection, bool waiting)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    watch *w = info ? info->socket_context : NULL;
    if (!w) return;
    pthread_mutex_lock(&w->owner->lock);
    w->waiting = waiting;
    clock_gettime(CLOCK_MONOTONIC, &w->since);
    pthread_mutex_unlock(&w->owner->lock);
}

void slow_clients_request_read(struct MHD_Connection *connection)
{
    set_waiting(connection, false);
}

void slow_clients_request_done(struct MHD_Connection *connection)
{
    set_waiting(connection, true);
}
