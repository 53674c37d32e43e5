/* related.h — the related-stories engine: text analysis (Unicode tokenising and case folding
 * with utf8proc, stop words, stemming with libstemmer in the site's language, names kept as
 * phrases) and a "more like this" index over the stories' most distinctive terms (BM25-weighted
 * vectors over an inverted index), boosted by shared topics and names, discounted for age
 * difference, with near-duplicates removed and diversity among the results. In memory; built
 * from the store at start and updated story by story. */
#ifndef GAZETTE_RELATED_H
#define GAZETTE_RELATED_H

#include <stdbool.h>
#include <stddef.h>

typedef struct related_index related_index;

/* One story as the engine sees it. Texts are plain text or HTML (tags are skipped); topics are
 * topic slugs, the first being the primary topic. */
typedef struct {
    long long id;
    const char *headline, *kicker, *lead, *body;
    const char *const *topics;
    size_t n_topics;
    long long published_at; /* unix seconds */
} related_story;

/* language: a libstemmer algorithm name ("english", "french", "german", ...). NULL with a
 * message in err when the language is unknown. */
related_index *related_index_new(const char *language, char *err, size_t errlen);
void related_index_free(related_index *index);

/* Adds a story, or replaces the story with the same id. Not thread-safe against queries: the
 * caller holds a write lock (see related_index_lock / unlock). At most 16,777,216 stories are
 * indexed at once (slots are 24 bits in the postings); beyond that a put leaves the story out
 * and queries about it find nothing. Only its first 65,535 topics count. */
void related_index_put(related_index *index, const related_story *story);
void related_index_remove(related_index *index, long long id);
size_t related_index_size(const related_index *index);
/* The bytes the index holds (its arrays and per-story blocks as allocated, without the
 * allocator's own overhead): what the bench and the admin figures report as its size. */
size_t related_index_bytes(const related_index *index);

/* Bulk loading: from here to the next related_index_rebuild, a put only analyses its story
 * (no vector, no postings, no automatic rebuild), and that rebuild computes every vector and
 * posting once, where puts alone would compute each vector about three times (theirs and
 * those of the automatic rebuilds on the way). Meanwhile queries about the stories put find
 * nothing. Same locking as put. */
void related_index_load_begin(related_index *index);

/* Recomputes every story's vector and the postings with the current IDF statistics. A put
 * weighs the new story with the statistics of the moment and leaves the other stories' vectors
 * slightly stale; the index rebuilds itself once the changes since the last rebuild exceed
 * half the collection. Call this after a bulk load (put for every story, then rebuild) for
 * exact weights. Same locking as put. */
void related_index_rebuild(related_index *index);

/* The k stories most related to story id (which must be in the index), best first; returns
 * how many were found (≤ k). Safe to call from many threads at once while nobody writes. */
size_t related_index_query(const related_index *index, long long id, size_t k, long long *out_ids,
                           double *out_scores);

/* A readers-writer lock owned by the index, for servers that update it while serving. */
void related_index_read_lock(related_index *index);
void related_index_write_lock(related_index *index);
void related_index_unlock(related_index *index);

/* ---- Text analysis (exposed for tests and for search highlighting) -----------------------
 * Splits text into terms: case-folded, stop words dropped, stemmed; runs of two or more
 * capitalised words ("Maria Zakharova", "Gaza Strip") are also emitted as one name term,
 * marked with a leading '#' ("#maria zakharova"). Calls emit for each term in order. */
typedef struct related_analyzer related_analyzer;
related_analyzer *related_analyzer_new(const char *language, char *err, size_t errlen);
void related_analyzer_free(related_analyzer *analyzer);
void related_analyze(related_analyzer *analyzer, const char *text,
                     void (*emit)(void *ctx, const char *term, size_t len), void *ctx);

#endif
