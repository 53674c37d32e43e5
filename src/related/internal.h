/* internal.h — declarations shared by the files of the related-stories engine (src/related/)
 * and not part of its public contract in related.h: the stop list and the compact encodings
 * the index stores its data in (codec.c). */
#ifndef GAZETTE_RELATED_INTERNAL_H
#define GAZETTE_RELATED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the case-folded word (len bytes, not necessarily NUL-terminated) is on the
 * English stop list. */
bool related_english_stopword(const char *word, size_t len);

/* ---- Varints: unsigned LEB128, 7 bits a byte, low bits first, at most 5 bytes ----------- */
enum { RELATED_VARINT_MAX = 5 };

static inline unsigned char *related_varint_put64(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static inline const unsigned char *related_varint_get64(const unsigned char *p, uint64_t *out)
{
    uint64_t v = 0;
    int shift = 0;
    while (*p & 0x80) {
        v |= (uint64_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *out = v | (uint64_t)*p++ << shift;
    return p;
}

/* The same encoding for 32-bit values (at most RELATED_VARINT_MAX bytes). */
static inline unsigned char *related_varint_put(unsigned char *p, uint32_t v)
{
    return related_varint_put64(p, v);
}

/* Reads what related_varint_put wrote (the index only decodes its own bytes). */
static inline const unsigned char *related_varint_get(const unsigned char *p, uint32_t *out)
{
    uint64_t v;
    p = related_varint_get64(p, &v);
    *out = (uint32_t)v;
    return p;
}

/* ---- Term frequencies: (term-id gap, twice the field-weighted frequency) pairs ----------
 * Twice the frequency is an even number from 2 to 14 for most terms of a story (a word said
 * one to seven times in the body, or once in the lead...): those go in three bits beside the
 * gap, in one varint (gap << 3 | f2 / 2 - 1), usually two bytes in all; any other value
 * writes 7 in those bits and the value in a varint after. */
enum { RELATED_TF_MAX = 10 + RELATED_VARINT_MAX }; /* bytes one pair may take */

static inline unsigned char *related_tf_put(unsigned char *p, uint32_t gap, uint32_t twice_freq)
{
    bool short_form = twice_freq % 2 == 0 && twice_freq >= 2 && twice_freq <= 14;
    uint64_t bits = short_form ? twice_freq / 2 - 1 : 7;
    p = related_varint_put64(p, (uint64_t)gap << 3 | bits);
    return short_form ? p : related_varint_put(p, twice_freq);
}

/* Reads the next pair; *term carries the running term id (the gaps are added to it). */
static inline const unsigned char *related_tf_next(const unsigned char *p, uint32_t *term,
                                                   uint32_t *twice_freq)
{
    uint64_t v;
    p = related_varint_get64(p, &v);
    *term += (uint32_t)(v >> 3);
    uint32_t bits = (uint32_t)(v & 7);
    if (bits < 7) {
        *twice_freq = 2 * (bits + 1);
        return p;
    }
    return related_varint_get(p, twice_freq);
}

/* ---- Vectors: (term id, weight code) entries, read in every cosine ---------------------
 * Fixed-width where possible, since a query decodes some hundred vectors: the gap from the
 * previous term id in two bytes (little-endian) and the weight code in one; a gap of 65,535
 * or more writes 0xffff and the absolute term id in four bytes before the code. */
enum { RELATED_VEC_MAX = 7 }; /* bytes one entry may take */

static inline unsigned char *related_vec_put(unsigned char *p, uint32_t prev, uint32_t term,
                                             uint8_t code)
{
    uint32_t gap = term - prev;
    if (gap < 0xffff) {
        *p++ = (unsigned char)gap;
        *p++ = (unsigned char)(gap >> 8);
    } else {
        *p++ = 0xff;
        *p++ = 0xff;
        for (int k = 0; k < 4; k++)
            *p++ = (unsigned char)(term >> (8 * k));
    }
    *p++ = code;
    return p;
}

/* Reads the next entry; *term carries the running term id. */
static inline const unsigned char *related_vec_next(const unsigned char *p, uint32_t *term,
                                                    uint8_t *code)
{
    uint32_t gap = (uint32_t)p[0] | (uint32_t)p[1] << 8;
    p += 2;
    if (gap < 0xffff) {
        *term += gap;
    } else {
        *term = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        p += 4;
    }
    *code = *p;
    return p + 1;
}

/* ---- Weights: one byte, log-scaled ----------------------------------------------------
 * The vectors are normalised, so weights lie in (0, 1]. Code 0 is weight 0; code c ≥ 1 is
 * 2^-((255 - c) / RELATED_WEIGHT_STEPS): RELATED_WEIGHT_STEPS codes per halving, so any
 * weight from 1 down to 2^-12.7 (1.5e-4) is kept within ±1.8 % (a cosine of two vectors
 * moves by less than that), and smaller ones round up to the smallest code. */
enum { RELATED_WEIGHT_STEPS = 20 };
uint8_t related_weight_encode(double w);
double related_weight_decode(uint8_t code);

#endif
