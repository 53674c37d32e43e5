/* admin_token.c — making and checking the API token (see admin_token.h): 32 random bytes in
 * hex, stored as their BLAKE2b hash, compared in constant time. */
#include "admin_token.h"

#include <sodium.h>
#include <string.h>

static void token_hash(const char *token, char hash[ADMIN_TOKEN_HASH_HEX + 1])
{
    unsigned char digest[ADMIN_TOKEN_HASH_HEX / 2];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hash, ADMIN_TOKEN_HASH_HEX + 1, digest, sizeof digest);
}

void admin_token_new(char token[ADMIN_TOKEN_HEX + 1], char hash[ADMIN_TOKEN_HASH_HEX + 1])
{
    unsigned char raw[ADMIN_TOKEN_HEX / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, ADMIN_TOKEN_HEX + 1, raw, sizeof raw);
    token_hash(token, hash);
}

bool admin_token_matches(const char *presented, const char *stored_hash)
{
    if (strlen(presented) != ADMIN_TOKEN_HEX || strlen(stored_hash) != ADMIN_TOKEN_HASH_HEX)
        return false;
    char hash[ADMIN_TOKEN_HASH_HEX + 1];
    token_hash(presented, hash);
    return sodium_memcmp(hash, stored_hash, ADMIN_TOKEN_HASH_HEX) == 0;
}
