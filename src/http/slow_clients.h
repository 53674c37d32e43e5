/* slow_clients.h — closes connections whose requests arrive too slowly (slowloris).
 * libmicrohttpd's connection timeout counts inactivity only, so a client sending one byte of
 * its headers every second holds a connection for ever. A watchdog thread gives each request
 * timeout seconds, from the connection's opening or its previous answer, to arrive whole
 * (headers and body); past that the socket is shut down and libmicrohttpd closes it. */
#ifndef GAZETTE_SLOW_CLIENTS_H
#define GAZETTE_SLOW_CLIENTS_H

#include <microhttpd.h>
#include <stdbool.h>

typedef struct slow_clients slow_clients;

/* Starts the watchdog thread; NULL when it cannot (out of memory, no thread). */
slow_clients *slow_clients_start(unsigned timeout_seconds);
/* Stops the watchdog. Call after MHD_stop_daemon (every connection closed). */
void slow_clients_stop(slow_clients *sc);

/* The MHD_OPTION_NOTIFY_CONNECTION callback (cls: the slow_clients). */
void slow_clients_on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                                enum MHD_ConnectionNotificationCode code);
/* How many connections are open (watched) now. */
unsigned slow_clients_open(const slow_clients *sc);
/* The request on connection has arrived whole: no deadline while it is answered. */
void slow_clients_request_read(struct MHD_Connection *connection);
/* The answer is done: the next request on this connection has timeout seconds from now. */
void slow_clients_request_done(struct MHD_Connection *connection);

#endif
