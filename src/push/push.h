/* push.h — Web Push for breaking news (docs/push.md), apart from the cryptography
 * (push_crypto.h): reading what a browser sends to subscribe, the rules an endpoint URL must
 * follow, the notification a story becomes, the site's VAPID keys in the store, and the
 * sender thread that works through the queue of messages with libcurl. */
#ifndef GAZETTE_PUSH_H
#define GAZETTE_PUSH_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"
#include "../store/store.h"
#include "push_crypto.h"

enum {
    PUSH_MAX_REQUEST_BYTES = 4096, /* a subscribe or unsubscribe body */
    PUSH_MAX_ENDPOINT = 1024,      /* bytes of an endpoint URL */
    PUSH_MAX_ATTEMPTS = 5,         /* tries of one message before it is given up */
    PUSH_TTL_SECONDS = 4 * 3600,   /* how long a push service keeps an undelivered alert */
};

/* The setting that lets tests subscribe http:// endpoints on the loopback interface. */
#define PUSH_SETTING_ALLOW_INSECURE "push_allow_insecure"
/* True for a setting's text that turns a switch on: "1", "on", "true", "yes" (any case). */
bool push_setting_on(const char *value);
/* The contact in every VAPID token ("mailto:desk@example.org"); the site's URL when unset. */
#define PUSH_SETTING_CONTACT "push_contact"

/* ---- What browsers send (subscription.c) -------------------------------------------------- */
typedef struct push_subscription {
    const char *endpoint;
    unsigned char p256dh[PUSH_PUBLIC_KEY_BYTES];
    unsigned char auth[PUSH_AUTH_BYTES];
} push_subscription;

/* Checks an endpoint URL: printable ASCII, at most PUSH_MAX_ENDPOINT bytes, absolute https
 * with a host, no user name or password, no fragment; a host that is an IP address must be a
 * public one. allow_insecure (tests) also takes http:// and loopback addresses, but only for a
 * loopback host (127.0.0.0/8, ::1, localhost). NULL when it is acceptable, else why not. */
const char *push_endpoint_problem(const char *endpoint, bool allow_insecure);
/* True when ip (text, IPv4 or IPv6) is an address a push service may have: not loopback,
 * private, link-local, shared, multicast or reserved. loopback_ok allows 127.0.0.0/8 and ::1. */
bool push_ip_is_public(const char *ip, bool loopback_ok);
/* Reads a PushSubscription as JSON ({"endpoint", "expirationTime", "keys": {"p256dh",
 * "auth"}}; other members are ignored): the endpoint passes push_endpoint_problem, p256dh is a
 * P-256 point (65 bytes), auth 16 bytes, both base64url. False with *problem (a sentence for
 * the client) when anything is wrong. */
bool push_subscription_parse(arena *a, const char *json, size_t len, bool allow_insecure,
                             push_subscription *out, const char **problem);
/* Reads {"endpoint": URL} (the body of an unsubscribe); other members are ignored. */
bool push_unsubscribe_parse(arena *a, const char *json, size_t len, const char **endpoint,
                            const char **problem);

/* ---- The notification (subscription.c) -------------------------------------------------- */
/* {"title": headline, "body": lead, "url": url, "tag": tag} as JSON, at most
 * PUSH_MAX_PLAINTEXT bytes (a long lead is cut at a word). NULL when it cannot be made. */
char *push_payload_json(arena *a, const char *headline, const char *lead, const char *url,
                        const char *tag);

/* ---- The site's VAPID keys (keys.c) ------------------------------------------------------ */
/* Reads the site's key pair, making and saving one first when the database has none. False
 * with a message in err on failure. */
bool push_vapid_ensure(store *s, push_key_pair *out, char *err, size_t errlen);

/* ---- The sender (sender.c) --------------------------------------------------------------- */
/* What a push service's answer means for a message (RFC 8030 and the services' habits). */
typedef enum {
    PUSH_DELIVERED, /* 2xx (201 Created, 202 Accepted) */
    PUSH_GONE,      /* 404, 410: the subscription expired; remove it */
    PUSH_RETRY,     /* 429, 5xx: try again later */
    PUSH_GIVE_UP,   /* anything else (400, 401, 403, 413...): trying again would not help */
} push_fate;
push_fate push_fate_of_status(long http_status);
/* Seconds to wait before the next try of a message that has had attempts tries (1 or more):
 * 2, 10, 60, 300, or what the service asked (Retry-After, up to an hour) when longer; -1 when
 * it has had PUSH_MAX_ATTEMPTS and is given up. */
long push_retry_delay(int attempts, long retry_after);

typedef struct push_sender push_sender;
/* Starts the thread that sends due messages: POST with TTL, Urgency: high, the aes128gcm
 * body and the VAPID header; 2xx: delivered; 404 or 410: the subscription is removed; 429, 5xx
 * and network errors: tried again later (2 s, 10 s, 1 min, 5 min, or the Retry-After asked),
 * given up after PUSH_MAX_ATTEMPTS; any other answer: given up. base_url (no trailing slash)
 * makes the stories' absolute URLs. It looks at the queue every second, and at once when
 * woken. Call with SIGINT and SIGTERM blocked. */
push_sender *push_sender_start(store *s, const char *base_url, char *err, size_t errlen);
void push_sender_wake(push_sender *sender);
/* Stops the thread (a send in progress is cut short) and frees the sender; NULL is allowed. */
void push_sender_stop(push_sender *sender);

#endif
