/* diff.c — line diff (diff.h). The texts are split into lines, the common first and last lines
 * set aside, and the middle compared with Myers' greedy algorithm ("An O(ND) Difference
 * Algorithm and Its Variations", 1986): for d = 0, 1, 2 ... it keeps, per diagonal k = x - y, the
 * furthest x reached with d edits, following runs of equal lines for free. Each round's frontier
 * is saved, so the edit script is found by walking back from the end. Lines are compared by a
 * hash first, then by bytes. */
#include "diff.h"

#include <stdint.h>
#include <string.h>

#include "../core/buf.h"

typedef struct {
    const char *text;
    size_t len;
    uint64_t hash;
} line;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* The lines of text ("a\nb\n" and "a\nb" both have two; "" has none). */
static line *split(arena *a, const char *text, size_t *n)
{
    *n = 0;
    if (!text || !*text) return arena_alloc(a, sizeof(line)); /* none, but a real pointer */
    size_t count = 1;
    for (const char *p = text; *p; p++)
        if (*p == '\n' && p[1]) count++;
    line *v = arena_alloc(a, count * sizeof *v);
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t keep = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
        v[*n] = (line){p, keep, fnv1a(p, keep)};
        (*n)++;
        p += len + (end ? 1 : 0);
    }
    return v;
}

static bool same(const line *x, const line *y)
{
    return x->hash == y->hash && x->len == y->len && memcmp(x->text, y->text, x->len) == 0;
}

typedef struct {
    diff_line *v;
    size_t n;
} script;

static void emit(script *s, diff_op op, const line *l)
{
    s->v[s->n++] = (diff_line){op, l->text, l->len};
}

/* Runs the greedy search over x[0..nx) and y[0..ny); returns the number of edits d of the
 * shortest script and the saved frontiers (trace[d] holds V before round d, for diagonals
 * -d-1..d+1), or -1 when it needs more than DIFF_MAX_EDITS. */
static long search(arena *a, const line *x, long nx, const line *y, long ny, long ***trace_out)
{
    long max = nx + ny, limit = max < DIFF_MAX_EDITS ? max : DIFF_MAX_EDITS;
    long *v = arena_alloc(a, (size_t)(2 * max + 3) * sizeof *v);
    long off = max + 1; /* v[off + k] is diagonal k */
    long **trace = arena_alloc(a, (size_t)(limit + 1) * sizeof *trace);
    for (long d = 0; d <= limit; d++) {
        size_t width = (size_t)(2 * d + 3);
        trace[d] = arena_alloc(a, width * sizeof **trace);
        memcpy(trace[d], v + off - d - 1, width * sizeof *v);
        for (long k = -d; k <= d; k += 2) {
            long px = k == -d || (k != d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1]
                                                                             : v[off + k - 1] + 1;
            long py = px - k;
            while (px < nx && py < ny && same(&x[px], &y[py])) {
                px++;
                py++;
            }
            v[off + k] = px;
            if (px >= nx && py >= ny) {
                *trace_out = trace;
                return d;
            }
        }
    }
    return -1;
}

/* Walks back from (nx, ny) through the frontiers, emitting the script backwards into s. */
static void walk_back(script *s, long **trace, long d_end, const line *x, long nx, const line *y,
                      long ny)
{
    long px = nx, py = ny;
    for (long d = d_end; d >= 0; d--) {
        long *v = trace[d] + d + 1; /* v[k] for k in -d-1..d+1 */
        long k = px - py;
        long prev_k = k == -d || (k != d && v[k - 1] < v[k + 1]) ? k + 1 : k - 1;
        long prev_x = d == 0 ? 0 : v[prev_k], prev_y = d == 0 ? 0 : prev_x - prev_k;
        while (px > prev_x && py > prev_y) {
            emit(s, DIFF_SAME, &x[--px]);
            py--;
        }
        if (d == 0) break;
        if (px == prev_x)
            emit(s, DIFF_ADDED, &y[--py]);
        else
            emit(s, DIFF_REMOVED, &x[--px]);
    }
}

static void reverse(diff_line *v, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        diff_line t = v[i];
        v[i] = v[n - 1 - i];
        v[n - 1 - i] = t;
    }
}

void diff_lines(arena *a, const char *old_text, const char *new_text, diff_line **out, size_t *n)
{
    size_t nx, ny;
    line *x = split(a, old_text, &nx), *y = split(a, new_text, &ny);
    script s = {arena_alloc(a, (nx + ny + 1) * sizeof *s.v), 0};
    size_t head = 0, tail = 0;
    while (head < nx && head < ny && same(&x[head], &y[head]))
        emit(&s, DIFF_SAME, &x[head++]);
    while (tail < nx - head && tail < ny - head && same(&x[nx - 1 - tail], &y[ny - 1 - tail]))
        tail++;
    const line *mx = x + head, *my = y + head;
    long mnx = (long)(nx - head - tail), mny = (long)(ny - head - tail);
    long **trace = NULL;
    long d = mnx + mny > 0 ? search(a, mx, mnx, my, mny, &trace) : -1;
    if (d >= 0) {
        script middle = {s.v + s.n, 0};
        walk_back(&middle, trace, d, mx, mnx, my, mny);
        reverse(middle.v, middle.n);
        s.n += middle.n;
    } else {
        for (long i = 0; i < mnx; i++)
            emit(&s, DIFF_REMOVED, &mx[i]);
        for (long i = 0; i < mny; i++)
            emit(&s, DIFF_ADDED, &my[i]);
    }
    for (size_t i = nx - tail; i < nx; i++)
        emit(&s, DIFF_SAME, &x[i]);
    *out = s.v;
    *n = s.n;
}

void diff_count(const diff_line *lines, size_t n, size_t *removed, size_t *added)
{
    *removed = *added = 0;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].op == DIFF_REMOVED) (*removed)++;
        if (lines[i].op == DIFF_ADDED) (*added)++;
    }
}

/* Whether line i is within context lines of a change. */
static bool near_change(const diff_line *lines, size_t n, size_t i, size_t context)
{
    if (lines[i].op != DIFF_SAME || context == (size_t)-1) return true;
    size_t from = i > context ? i - context : 0, to = n - i - 1 > context ? i + context : n - 1;
    for (size_t j = from; j <= to; j++)
        if (lines[j].op != DIFF_SAME) return true;
    return false;
}

char *diff_html(arena *a, const diff_line *lines, size_t n, size_t context)
{
    static const char *const open[] = {"<span>", "<del>", "<ins>"};
    static const char *const close[] = {"</span>\n", "</del>\n", "</ins>\n"};
    buf b = {0};
    buf_puts(&b, "<pre class=\"diff\">");
    bool skipping = false;
    for (size_t i = 0; i < n; i++) {
        if (!near_change(lines, n, i, context)) {
            if (!skipping) buf_puts(&b, "<span class=\"skip\">…</span>\n");
            skipping = true;
            continue;
        }
        skipping = false;
        buf_puts(&b, open[lines[i].op]);
        buf_append_html(&b, lines[i].text, lines[i].len);
        buf_puts(&b, close[lines[i].op]);
    }
    buf_puts(&b, "</pre>");
    char *html = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return html;
}
