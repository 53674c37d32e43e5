/* admin_token.h — the newsroom's API token until accounts exist: a random token shown once by
 * 'gazette admin-token', of which only a hash is kept in the settings. */
#ifndef GAZETTE_ADMIN_TOKEN_H
#define GAZETTE_ADMIN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define ADMIN_TOKEN_SETTING "admin.token_hash"

enum { ADMIN_TOKEN_HEX = 64, ADMIN_TOKEN_HASH_HEX = 64 };

/* Fills token (ADMIN_TOKEN_HEX + 1 bytes) with a new random token and hash (its stored form). */
void admin_token_new(char token[ADMIN_TOKEN_HEX + 1], char hash[ADMIN_TOKEN_HASH_HEX + 1]);
/* Constant-time check of a presented token against the stored hash. */
bool admin_token_matches(const char *presented, const char *stored_hash);

#endif
