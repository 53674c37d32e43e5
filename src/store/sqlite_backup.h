/* sqlite_backup.h — a consistent copy of a SQLite site database while it is in use
 * (`gazette backup`), with SQLite's online backup API. */
#ifndef GAZETTE_SQLITE_BACKUP_H
#define GAZETTE_SQLITE_BACKUP_H

#include <stdbool.h>
#include <stddef.h>

/* Called after each step with the pages copied so far and the database's page count. */
typedef void (*sqlite_backup_progress)(void *context, size_t done, size_t total);

/* Copies the database in from (which must exist and be a SQLite database) to the new file to
 * (which must not exist; its folder must), a few pages at a time, so that a server using from
 * is never blocked for long; the copy is the whole database as of one moment. It is written
 * under a temporary name beside to, checked (PRAGMA quick_check), and renamed to to only when
 * complete: a failed backup leaves nothing. False with err filled (what went wrong and where). */
bool sqlite_backup_copy(const char *from, const char *to, sqlite_backup_progress progress,
                        void *context, char *err, size_t errlen);

#endif
