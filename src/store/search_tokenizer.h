/* search_tokenizer.h — the FTS5 tokenizer of article_search (see search_tokenizer.c): unicode61
 * plus word pairs, so a phrase query reads the short list of stories holding its word pairs
 * instead of intersecting the long lists of its (often common) words. Private to src/store. */
#ifndef GAZETTE_SEARCH_TOKENIZER_H
#define GAZETTE_SEARCH_TOKENIZER_H

#include <sqlite3.h>

/* The tokenizer's name in CREATE VIRTUAL TABLE ... tokenize = 'gazette_pairs ARGS': ARGS are
 * unicode61's (remove_diacritics 2, ...). */
#define SEARCH_TOKENIZER_NAME "gazette_pairs"

/* The first byte of every word-pair token: a control character, which unicode61 never keeps in
 * a word, so a pair never equals or starts like a word (nor a reader's prefix). */
#define SEARCH_PAIR_MARK '\x1f'

/* Registers gazette_pairs on db (FTS5 and its unicode61 tokenizer must be compiled in), and
 * the SQL function gazette_search_len(text, ...): how many words the index counts in those
 * texts (the row length BM25 needs, kept in articles.search_len). An SQLite result code. */
int search_tokenizer_register(sqlite3 *db);

#endif
