/* pg_schedule.c — scheduled publishing in the PostgreSQL backend (store.h, store_publish_due).
 * Several nodes run the same once-a-second job on one database: the one that takes the
 * scheduler's transaction-level advisory lock flips the due stories, the others skip this
 * second. The UPDATE re-checks status = 1 under its row locks too, so even without the lock
 * no story could be flipped (and announced) twice. */
#include "pg_internal.h"
#include "store_backend.h"

/* The advisory lock key of the scheduler ("GZSCHED" in ASCII). */
#define SCHEDULER_LOCK 0x475a5343484544LL

store_status pg_store_publish_due(store *s, arena *a, long long now, size_t limit, long long **ids,
                                  size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (limit == 0) return STORE_OK;
    /* every node asks every second: a read first, so that a second with nothing due costs
     * no write transaction and no lock */
    pg_conn *c;
    store_status rs = pg_conn_get(s, &c);
    pg_params p;
    pg_params_init(&p);
    pg_param_int(&p, now);
    long long due = 0;
    if (rs == STORE_OK)
        rs = pg_exec_int(c,
                         "SELECT count(*) FROM (SELECT 1 FROM articles WHERE status = 1"
                         " AND published_at <= $1::bigint LIMIT 1) d",
                         &p, &due, "looking for scheduled stories");
    if (rs != STORE_OK || !due) return rs;
    if ((rs = pg_begin_write(c)) != STORE_OK) return rs;
    pg_params_init(&p);
    pg_param_int(&p, SCHEDULER_LOCK);
    long long got = 0;
    rs = pg_exec_int(c, "SELECT pg_try_advisory_xact_lock($1)::int", &p, &got,
                     "taking the scheduler's lock");
    PGresult *r = NULL;
    if (rs == STORE_OK && got) {
        pg_params_init(&p);
        pg_param_int(&p, now);
        pg_param_int(&p, (long long)limit);
        rs = pg_exec(c,
                     "UPDATE articles SET status = 2, updated_at = $1 WHERE id IN"
                     " (SELECT id FROM articles WHERE status = 1 AND published_at <= $1"
                     " ORDER BY published_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
                     " AND status = 1 RETURNING id",
                     &p, &r, "publishing scheduled stories");
    }
    rs = pg_finish(c, rs);
    if (rs == STORE_OK && r) {
        size_t rows = (size_t)PQntuples(r);
        long long *found = arena_alloc(a, (rows ? rows : 1) * sizeof *found);
        if (!found) {
            rs = pg_failf(c, STORE_IO, "out of memory");
        } else {
            for (size_t i = 0; i < rows; i++)
                found[i] = pg_int(r, (int)i, 0);
            *ids = found;
            *n = rows;
        }
    }
    PQclear(r);
    return rs;
}
