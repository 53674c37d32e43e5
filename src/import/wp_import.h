/* wp_import.h — a WordPress export (WXR) into a Gazette site: authors and users, categories
 * and tags (as topics), attachments (copied into the media folder or kept as remote URLs),
 * posts and pages with their comments, and redirects from every old link. The export is read
 * twice as a stream (wxr_reader.h): the first pass takes what posts refer to (authors, terms,
 * attachments), the second the posts, pages and comments. Writes are committed every
 * WP_IMPORT_BATCH objects; wp_import_map remembers each object, so a second run (after a kill,
 * or on a longer export) imports only what is not there yet. docs/import.md tells the rules. */
#ifndef GAZETTE_IMPORT_WP_IMPORT_H
#define GAZETTE_IMPORT_WP_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../store/store.h"

enum { WP_IMPORT_BATCH = 200 };

typedef struct wp_import_options {
    const char *export_path;
    const char *uploads_dir; /* the site's wp-content/uploads copy, or NULL: remote URLs */
    const char *media_dir;   /* where copies go (served at /media/); needed with uploads_dir */
    /* told (done, total) in bytes of the export read, both passes counted; may be NULL */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
} wp_import_options;

/* What was imported, left out by design, skipped on a problem, and warned about. */
typedef enum {
    WPC_POSTS,
    WPC_DRAFTS, /* of the posts: draft, pending, private */
    WPC_SCHEDULED,
    WPC_PAGES,
    WPC_TOPICS,
    WPC_TAGS,
    WPC_AUTHORS,
    WPC_USERS,
    WPC_COMMENTS_APPROVED,
    WPC_COMMENTS_PENDING,
    WPC_COMMENTS_SPAM,
    WPC_COMMENTS_TRASH,
    WPC_ATTACHMENTS_COPIED,
    WPC_ATTACHMENTS_REMOTE,
    WPC_REDIRECTS,
    WPC_ALREADY,  /* objects imported by an earlier run, left as they are */
    WPC_LEFT_OUT, /* by design: menus, revisions, trash, pingbacks ... (see docs/import.md) */
    WPC__N
} wp_import_count;

typedef struct wp_import_message {
    long line;    /* in the export; 0 when none */
    bool skipped; /* an object not imported because of a problem (exit status 1) */
    char *text;
    struct wp_import_message *next;
} wp_import_message;

typedef struct wp_import_report {
    long long counts[WPC__N];
    long long left_out_by_type[8]; /* see wp_import_left_out_names */
    wp_import_message *messages, *last;
    size_t n_skipped, n_warnings;
    char fatal[600]; /* why reading stopped before the end of the file; "" when it did not */
    double seconds;
} wp_import_report;

/* Runs the import; the report is filled as it goes (arena strings in a). Returns true when
 * the whole export was read and nothing had to be skipped. */
bool wp_import_run(store *s, arena *a, const wp_import_options *o, wp_import_report *report);
/* The summary: counts per kind, then every skipped object and warning with its line. */
void wp_import_report_print(FILE *out, const wp_import_report *report);

#endif
