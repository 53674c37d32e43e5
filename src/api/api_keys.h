/* api_keys.h — read keys of the content API: random keys shown once by 'gazette api-key add',
 * of which only a BLAKE2b hash is stored (store_api_key_add), checked in constant time. */
#ifndef GAZETTE_API_KEYS_H
#define GAZETTE_API_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "../store/store.h"

enum { API_KEY_CHARS = 4 + 64, API_KEY_HASH_HEX = 64, API_KEY_NAME_MAX = 64 };

/* A new key ("gzk_" and 64 hex digits) and its stored form. */
void api_key_new(char key[API_KEY_CHARS + 1], char hash[API_KEY_HASH_HEX + 1]);
/* Whether presented is one of the keys whose hashes are given (every hash compared, in
 * constant time). */
bool api_key_matches(const char *presented, const store_api_key *keys, size_t n);
/* A key's name: 1..64 of [A-Za-z0-9._-]. */
bool api_key_name_is_valid(const char *name);

#endif
