/* auth.h — the newsroom's security primitives, free of HTTP so they can be tested alone:
 * passwords (Argon2id through libsodium), session and reset tokens (32 random bytes, stored as
 * their SHA-256), CSRF tokens derived from the session token, and the login throttle (per
 * account and per IP, in memory). */
#ifndef GAZETTE_ADMIN_AUTH_H
#define GAZETTE_ADMIN_AUTH_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* ---- passwords (password.c) --------------------------------------------------------------- */
enum {
    AUTH_PASSWORD_MIN = 10,  /* characters (bytes) a new password must have at least */
    AUTH_PASSWORD_MAX = 512, /* and at most */
    AUTH_HASH_BYTES = crypto_pwhash_STRBYTES,
};
typedef enum {
    AUTH_OK = 0,
    AUTH_TOO_SHORT,   /* fewer than AUTH_PASSWORD_MIN bytes */
    AUTH_TOO_LONG,    /* more than AUTH_PASSWORD_MAX bytes */
    AUTH_NO_MEMORY,   /* Argon2id could not get its memory */
    AUTH_INIT_FAILED, /* libsodium did not start */
} auth_status;
const char *auth_strerror(auth_status status);
/* Whether a new password is acceptable (length only: long passphrases beat rules). */
auth_status auth_password_check(const char *password);
/* The Argon2id string of password (crypto_pwhash_str, interactive limits) into out. */
auth_status auth_password_hash(const char *password, char out[AUTH_HASH_BYTES]);
/* Whether password matches stored (an Argon2id string). stored NULL (no such user, or no
 * password set) is checked against a dummy hash so that the answer takes the same time and is
 * false. Constant time in the password (libsodium's verification). */
bool auth_password_verify(const char *stored, const char *password);

/* ---- tokens (session.c) ------------------------------------------------------------------- */
enum {
    AUTH_TOKEN_BYTES = 32,
    AUTH_TOKEN_TEXT = 43 + 1,        /* base64url without padding, and the NUL */
    AUTH_TOKEN_HASH = 32,            /* SHA-256 of the token text */
    AUTH_CSRF_TEXT = 43 + 1,         /* base64url of 32 bytes */
    AUTH_SESSION_DAYS = 14,          /* a session unused this long expires */
    AUTH_RESET_HOURS = 24,           /* a reset link works this long, once */
    AUTH_SESSION_TOUCH_SECONDS = 60, /* the sliding expiry is written at most this often */
};
/* A new random token as text (what the cookie or the link carries). */
void auth_token_new(char text[AUTH_TOKEN_TEXT]);
/* Whether text looks like a token (43 base64url characters); anything else is refused before
 * it is hashed or looked up. */
bool auth_token_is_valid(const char *text);
/* The stored form of a token: SHA-256 of its text. */
void auth_token_hash(const char *text, unsigned char out[AUTH_TOKEN_HASH]);
/* The CSRF token of a session: a keyed BLAKE2b of a label under the session token, so it needs
 * no storage and changes with the session. */
void auth_csrf_for(const char *session_token, char out[AUTH_CSRF_TEXT]);
/* Constant-time comparison of a presented CSRF token with the expected one. */
bool auth_csrf_matches(const char *expected, const char *presented);

/* ---- the login throttle (throttle.c) -----------------------------------------------------
 * Counts failed logins per key ("a:LOGIN" per account, "i:IP" per address). After `free`
 * failures, each further attempt must wait 1 s, 2 s, 4 s ... (doubling per failure, capped at
 * AUTH_THROTTLE_MAX_DELAY) after the last failure; a success clears the account's count. Kept in
 * memory per server process (a restart forgets it), in a fixed table: the oldest entry gives
 * way when it is full, so an attacker cannot grow it. Thread-safe. */
enum {
    AUTH_THROTTLE_ACCOUNT_FREE = 5, /* failures an account may have before delays start */
    AUTH_THROTTLE_IP_FREE = 20,     /* and an address (several people may share one) */
    AUTH_THROTTLE_MAX_DELAY = 900,  /* seconds */
    AUTH_THROTTLE_FORGET = 86400,   /* seconds: an entry without failures this long is forgotten */
};
typedef struct auth_throttle auth_throttle;
auth_throttle *auth_throttle_new(size_t slots); /* NULL when out of memory */
void auth_throttle_free(auth_throttle *t);
/* Times are in milliseconds (auth_throttle_now: CLOCK_MONOTONIC), so that a delay of one second
 * is one second whenever within a second the failure came. */
long long auth_throttle_now(void);
/* Milliseconds to wait before key may try again at now (0: it may try now). */
long long auth_throttle_wait(auth_throttle *t, const char *key, unsigned free_failures,
                             long long now);
/* Records a failure of key at now. */
void auth_throttle_fail(auth_throttle *t, const char *key, long long now);
/* Forgets key's failures (a successful login). */
void auth_throttle_clear(auth_throttle *t, const char *key);
/* Each password check takes AUTH_HASH_MEMORY_MB of memory for a moment: at most
 * AUTH_MAX_HASHING run at once per throttle, so a flood of sign-ins from many addresses cannot
 * exhaust memory. auth_hashing_enter is false (the caller answers 503) when all are busy;
 * every true is followed by one auth_hashing_leave. */
enum { AUTH_MAX_HASHING = 4, AUTH_HASH_MEMORY_MB = 64 };
bool auth_hashing_enter(auth_throttle *t);
void auth_hashing_leave(auth_throttle *t);

#endif
