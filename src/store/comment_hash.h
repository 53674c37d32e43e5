/* comment_hash.h — comments.body_hash, the duplicate check's short key, the same for every
 * backend (comment_hash.c). Private to src/store. */
#ifndef GAZETTE_COMMENT_HASH_H
#define GAZETTE_COMMENT_HASH_H

/* comments.body_hash of a comment body: FNV-1a 64, big-endian (the duplicate check's key). */
void store_body_hash(const char *body, unsigned char out[8]);

#endif
