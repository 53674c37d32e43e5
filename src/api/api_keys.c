/* api_keys.c — making and checking read keys of the content API (see api_keys.h). */
#include "api_keys.h"

#include <sodium.h>
#include <string.h>

static void key_hash(const char *key, char hash[API_KEY_HASH_HEX + 1])
{
    unsigned char digest[API_KEY_HASH_HEX / 2];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)key, strlen(key), NULL, 0);
    sodium_bin2hex(hash, API_KEY_HASH_HEX + 1, digest, sizeof digest);
}

void api_key_new(char key[API_KEY_CHARS + 1], char hash[API_KEY_HASH_HEX + 1])
{
    unsigned char raw[(API_KEY_CHARS - 4) / 2];
    randombytes_buf(raw, sizeof raw);
    memcpy(key, "gzk_", 4);
    sodium_bin2hex(key + 4, API_KEY_CHARS - 4 + 1, raw, sizeof raw);
    key_hash(key, hash);
}

bool api_key_matches(const char *presented, const store_api_key *keys, size_t n)
{
    if (!presented || strlen(presented) != API_KEY_CHARS) return false;
    char hash[API_KEY_HASH_HEX + 1];
    key_hash(presented, hash);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        if (keys[i].hash && strlen(keys[i].hash) == API_KEY_HASH_HEX)
            found |= sodium_memcmp(hash, keys[i].hash, API_KEY_HASH_HEX) == 0;
    return found;
}

bool api_key_name_is_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 1 && n <= API_KEY_NAME_MAX &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}
