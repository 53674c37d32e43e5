/* stopwords.c — the English stop-word list used by the analyzer when the language is English.
 * Other languages have no stop list: their common words are kept and simply weigh little
 * because their IDF is low. Entries are case-folded, with ASCII apostrophes, sorted (C locale)
 * so the list can be binary-searched. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const english[] = {
    "a",          "about",    "above",   "after",    "again",      "against",   "all",
    "also",       "although", "am",      "an",       "and",        "another",   "any",
    "are",        "around",   "as",      "at",       "back",       "be",        "because",
    "been",       "before",   "being",   "below",    "between",    "both",      "but",
    "by",         "can",      "can't",   "could",    "did",        "didn't",    "do",
    "does",       "doesn't",  "doing",   "don't",    "down",       "during",    "each",
    "even",       "few",      "for",     "from",     "further",    "get",       "got",
    "had",        "has",      "have",    "having",   "he",         "he's",      "her",
    "here",       "hers",     "herself", "him",      "himself",    "his",       "how",
    "however",    "i",        "i'm",     "i've",     "if",         "in",        "into",
    "is",         "isn't",    "it",      "it's",     "its",        "itself",    "just",
    "last",       "let's",    "like",    "made",     "make",       "many",      "may",
    "me",         "might",    "more",    "most",     "mr",         "mrs",       "ms",
    "much",       "must",     "my",      "myself",   "new",        "no",        "nor",
    "not",        "now",      "of",      "off",      "on",         "once",      "one",
    "only",       "or",       "other",   "our",      "ours",       "ourselves", "out",
    "over",       "own",      "per",     "said",     "same",       "says",      "she",
    "she's",      "should",   "since",   "so",       "some",       "still",     "such",
    "than",       "that",     "that's",  "the",      "their",      "theirs",    "them",
    "themselves", "then",     "there",   "there's",  "these",      "they",      "they're",
    "they've",    "this",     "those",   "though",   "through",    "to",        "too",
    "two",        "under",    "until",   "up",       "upon",       "us",        "very",
    "via",        "was",      "wasn't",  "way",      "we",         "we're",     "we've",
    "well",       "were",     "what",    "when",     "where",      "whether",   "which",
    "while",      "who",      "whom",    "why",      "will",       "with",      "within",
    "without",    "won't",    "would",   "year",     "years",      "yet",       "you",
    "you're",     "your",     "yours",   "yourself", "yourselves",
};

typedef struct {
    const char *word;
    size_t len;
} stop_key;

static int compare_key(const void *k, const void *e)
{
    const stop_key *key = k;
    const char *entry = *(const char *const *)e;
    int c = strncmp(key->word, entry, key->len);
    if (c != 0) return c;
    return entry[key->len] == '\0' ? 0 : -1;
}

bool related_english_stopword(const char *word, size_t len)
{
    stop_key key = {word, len};
    return bsearch(&key, english, sizeof english / sizeof english[0], sizeof english[0],
                   compare_key) != NULL;
}
