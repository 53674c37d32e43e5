/* keys.c — the site's VAPID key pair: made once (at `gazette init`, or on the first `serve` of
 * an older database) and kept in the store's push_vapid table. The private key never leaves
 * the process: not printed, not logged, not served. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "push.h"

static bool read_pair(store *s, push_key_pair *out, store_status *st)
{
    arena *a = arena_new();
    store_push_vapid v;
    *st = store_push_vapid_get(s, a, &v);
    if (*st == STORE_OK) {
        memcpy(out->private_key, v.private_key, PUSH_PRIVATE_KEY_BYTES);
        memcpy(out->public_key, v.public_key, PUSH_PUBLIC_KEY_BYTES);
        OPENSSL_cleanse((void *)v.private_key, PUSH_PRIVATE_KEY_BYTES);
    }
    arena_free(a);
    return *st == STORE_OK;
}

bool push_vapid_ensure(store *s, push_key_pair *out, char *err, size_t errlen)
{
    store_status st;
    if (!read_pair(s, out, &st)) {
        if (st != STORE_NOT_FOUND) {
            snprintf(err, errlen, "cannot read the Web Push keys: %s", store_last_error(s));
            return false;
        }
        push_key_pair fresh;
        push_status ps = push_key_pair_new(&fresh);
        if (ps != PUSH_OK) {
            snprintf(err, errlen, "cannot make the Web Push keys: %s", push_strerror(ps));
            return false;
        }
        st = store_push_vapid_put(s, fresh.private_key, fresh.public_key);
        OPENSSL_cleanse(&fresh, sizeof fresh);
        /* read back: another process may have saved its pair first */
        if (st != STORE_OK || !read_pair(s, out, &st)) {
            snprintf(err, errlen, "cannot save the Web Push keys: %s", store_last_error(s));
            return false;
        }
    }
    if (push_key_pair_check(out) != PUSH_OK) {
        OPENSSL_cleanse(out, sizeof *out);
        snprintf(err, errlen, "the Web Push keys in the database are damaged");
        return false;
    }
    return true;
}
