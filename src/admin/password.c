/* password.c — passwords as Argon2id strings (libsodium crypto_pwhash_str with the interactive
 * limits), and their verification in the same time whether or not the account exists. */
#include <pthread.h>
#include <string.h>

#include "auth.h"

const char *auth_strerror(auth_status status)
{
    switch (status) {
    case AUTH_OK:
        return "ok";
    case AUTH_TOO_SHORT:
        return "the password is too short (at least 10 characters)";
    case AUTH_TOO_LONG:
        return "the password is too long (at most 512 characters)";
    case AUTH_NO_MEMORY:
        return "not enough memory to hash the password";
    case AUTH_INIT_FAILED:
        return "libsodium failed to initialise";
    }
    return "unknown error";
}

auth_status auth_password_check(const char *password)
{
    size_t n = password ? strlen(password) : 0;
    if (n < AUTH_PASSWORD_MIN) return AUTH_TOO_SHORT;
    if (n > AUTH_PASSWORD_MAX) return AUTH_TOO_LONG;
    return AUTH_OK;
}

auth_status auth_password_hash(const char *password, char out[AUTH_HASH_BYTES])
{
    if (sodium_init() < 0) return AUTH_INIT_FAILED;
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return AUTH_NO_MEMORY;
    return AUTH_OK;
}

/* A hash of a random password, made once: what a missing account is checked against. */
static char dummy_hash[AUTH_HASH_BYTES];
static bool dummy_ready;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char random_password[AUTH_TOKEN_TEXT];
    auth_token_new(random_password);
    dummy_ready = auth_password_hash(random_password, dummy_hash) == AUTH_OK;
}

bool auth_password_verify(const char *stored, const char *password)
{
    if (sodium_init() < 0 || !password) return false;
    size_t n = strlen(password);
    if (n > AUTH_PASSWORD_MAX) n = AUTH_PASSWORD_MAX; /* bounded work for absurd input */
    if (!stored || strncmp(stored, "$argon2", 7) != 0) {
        pthread_once(&dummy_once, make_dummy);
        volatile int spent = dummy_ready ? crypto_pwhash_str_verify(dummy_hash, password, n) : -1;
        (void)spent; /* the work is what matters: the same time as a real check */
        return false;
    }
    return crypto_pwhash_str_verify(stored, password, n) == 0;
}
