/* comment_hash.c — the short key of a comment's body that both backends store in
 * comments.body_hash and look duplicates up by (comment_hash.h). */
#include "comment_hash.h"

#include <stdint.h>

void store_body_hash(const char *body, unsigned char out[8])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)body; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    for (int i = 7; i >= 0; i--, h >>= 8)
        out[i] = (unsigned char)(h & 0xff);
}
