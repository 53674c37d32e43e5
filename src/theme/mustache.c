/* mustache.c — owns Gazette's Mustache engine (API in mustache.h): the compiler (lexer with
 * set-delimiters, standalone-line rules, block re-indentation, tree building), the template set
 * (names -> compiled templates, loaded through the loader under a mutex, looked up without
 * locks) and the renderer (one pass over an immutable tree).
 *
 * Compiling is four passes over the source: lex() cuts it into tokens (text split after each
 * newline, tags with their trimmed names) and pairs open/close tags; mark_lines() applies the
 * spec's standalone-line rule; reindent() works out block indentation; build_tree() turns the
 * tokens into nodes allocated from the template's arena. Static partials and parents are linked
 * to the set's entry for their name (an entry never moves or dies before the set), and the
 * entries first met are compiled through the loader before the compile returns. */
#include "mustache.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"

enum { SET_BUCKETS = 64, RENDER_MAX_NESTING = 1024, SHOW_MAX = 60 };

/* Clamps a name length for "%.*s" in error messages. */
#define SHOW(n) ((int)((n) > SHOW_MAX ? SHOW_MAX : (n)))

/* ---- types ----------------------------------------------------------------------------- */

typedef enum { ENTRY_UNTRIED, ENTRY_QUEUED, ENTRY_LOADED, ENTRY_MISSING, ENTRY_BROKEN } entry_state;

/* One name in a set. Published once into a bucket and never moved or freed before the set, so
 * compiled templates can point at it; tpl changes when the name is compiled again. */
typedef struct entry {
    struct entry *next; /* bucket chain; immutable once published */
    char *name;
    _Atomic(mustache_template *) tpl;
    _Atomic int state; /* entry_state; written under the set's lock */
} entry;

struct mustache_set {
    mustache_loader loader;
    void *loader_data;
    pthread_mutex_t lock; /* serialises compiling; readers never take it */
    _Atomic(entry *) buckets[SET_BUCKETS];
    mustache_template *retired; /* replaced templates, kept until the set is freed */
};

typedef enum {
    N_TEXT,
    N_VAR,
    N_RAW,
    N_SECTION,
    N_INVERTED,
    N_PARTIAL,
    N_PARENT,
    N_BLOCK
} node_kind;

typedef struct {
    const char *full;   /* as written */
    const char **parts; /* split on '.'; nparts == 0 is the implicit iterator "." */
    int nparts;
} mname;

typedef struct node {
    node_kind kind;
    bool dynamic;       /* partial or parent named by the context value of name ({{>*x}}) */
    struct node *next;  /* next sibling */
    struct node *child; /* content of a section or block; the override blocks of a parent */
    const char *text;   /* N_TEXT: the bytes; partial, parent, block: indentation to add */
    size_t len;
    mname name;
    entry *entry; /* static partial or parent */
} node;

struct mustache_template {
    mustache_set *set;
    arena *mem; /* owns this struct, the tree and its strings */
    const char *name;
    node *root;
    mustache_template *retired_next;
};

typedef struct {
    entry **v;
    size_t len, cap;
} worklist; /* entries met while compiling, still to be loaded */

/* ---- small helpers --------------------------------------------------------------------- */

static _Noreturn void out_of_memory(void)
{
    fputs("gazette: out of memory\n", stderr);
    abort();
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) out_of_memory();
    return p;
}

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (!p) out_of_memory();
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) out_of_memory();
    return d;
}

static bool fail(mustache_error *err, mustache_status status, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail(mustache_error *err, mustache_status status, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err->status = status;
    err->line = line;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

static void clear_error(mustache_error *err)
{
    err->status = MUSTACHE_OK;
    err->line = 0;
    err->message[0] = '\0';
}

const char *mustache_strerror(mustache_status status)
{
    switch (status) {
    case MUSTACHE_OK:
        return "ok";
    case MUSTACHE_ERR_SYNTAX:
        return "template syntax error";
    case MUSTACHE_ERR_NOT_FOUND:
        return "template not found";
    case MUSTACHE_ERR_DEPTH:
        return "template recursion too deep";
    case MUSTACHE_ERR_LIMIT:
        return "template render too large";
    }
    return "unknown mustache status";
}

/* ---- the set's name table (lock-free reads, writes under the lock) ---------------------- */

static size_t hash_name(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SET_BUCKETS;
}

static entry *entry_find(mustache_set *set, const char *name)
{
    entry *e = atomic_load_explicit(&set->buckets[hash_name(name)], memory_order_acquire);
    for (; e; e = e->next)
        if (strcmp(e->name, name) == 0) return e;
    return NULL;
}

/* Finds or adds the entry for name. Caller holds the lock. */
static entry *entry_intern(mustache_set *set, const char *name)
{
    entry *e = entry_find(set, name);
    if (e) return e;
    e = xcalloc(1, sizeof *e);
    e->name = xstrdup(name);
    atomic_init(&e->tpl, NULL);
    atomic_init(&e->state, ENTRY_UNTRIED);
    size_t b = hash_name(name);
    e->next = atomic_load_explicit(&set->buckets[b], memory_order_relaxed);
    atomic_store_explicit(&set->buckets[b], e, memory_order_release);
    return e;
}

mustache_set *mustache_set_new(mustache_loader loader, void *loader_data)
{
    mustache_set *set = xcalloc(1, sizeof *set);
    set->loader = loader;
    set->loader_data = loader_data;
    if (pthread_mutex_init(&set->lock, NULL) != 0) {
        fputs("gazette: pthread_mutex_init failed\n", stderr);
        abort();
    }
    for (size_t i = 0; i < SET_BUCKETS; i++)
        atomic_init(&set->buckets[i], NULL);
    return set;
}

static void template_free(mustache_template *t)
{
    if (t) arena_free(t->mem); /* the struct itself lives in its arena */
}

void mustache_set_free(mustache_set *set)
{
    if (!set) return;
    for (size_t i = 0; i < SET_BUCKETS; i++) {
        entry *e = atomic_load_explicit(&set->buckets[i], memory_order_relaxed);
        while (e) {
            entry *next = e->next;
            template_free(atomic_load_explicit(&e->tpl, memory_order_relaxed));
            free(e->name);
            free(e);
            e = next;
        }
    }
    while (set->retired) {
        mustache_template *next = set->retired->retired_next;
        template_free(set->retired);
        set->retired = next;
    }
    pthread_mutex_destroy(&set->lock);
    free(set);
}

/* ---- lexer ----------------------------------------------------------------------------- */

typedef enum {
    T_TEXT,
    T_VAR,
    T_RAW,
    T_SECTION,
    T_INVERTED,
    T_CLOSE,
    T_PARTIAL,
    T_PARENT,
    T_BLOCK,
    T_COMMENT,
    T_DELIM,
} tok_kind;

typedef struct {
    tok_kind kind;
    bool dynamic, removed, standalone;
    int line;
    size_t pair;       /* T_CLOSE: index of its opening tag */
    size_t line_first; /* index of the first token on this token's line */
    const char *s;     /* T_TEXT: the bytes (a '\n' only at the end); tags: the name */
    size_t len;
    size_t strip;    /* T_TEXT: leading bytes dropped by block re-indentation */
    const char *ind; /* partial, parent: indentation; block: see reindent() */
    size_t ind_len;
} tok;

typedef struct {
    const char *src, *end;
    int line;
    const char *open, *close; /* current delimiters (point into the source, or literals) */
    size_t olen, clen;
    tok *v;
    size_t len, cap;
    size_t opened[MUSTACHE_MAX_NESTING]; /* indices of tags not closed yet */
    size_t nopened;
    mustache_error *err;
} lexer;

static tok *push_tok(lexer *lx, tok_kind kind, const char *s, size_t len, int line)
{
    if (lx->len == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 64;
        lx->v = xrealloc(lx->v, lx->cap * sizeof *lx->v);
    }
    tok *t = &lx->v[lx->len++];
    *t = (tok){.kind = kind, .s = s, .len = len, .line = line, .ind = ""};
    return t;
}

static void lex_text(lexer *lx, const char *s, const char *e)
{
    while (s < e) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        const char *stop = nl ? nl + 1 : e;
        push_tok(lx, T_TEXT, s, (size_t)(stop - s), lx->line);
        if (nl) lx->line++;
        s = stop;
    }
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && isspace((unsigned char)**s))
        (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static const char *skip_word(const char *s, const char *e)
{
    while (s < e && !isspace((unsigned char)*s))
        s++;
    return s;
}

/* Finds the closing delimiter at or after from; with pre, the one right after a pre byte
 * (the '}' of {{{name}}} or the '=' of {{=<% %>=}}). */
static const char *find_close(const lexer *lx, const char *from, char pre)
{
    for (const char *p = from;; p++) {
        p = memmem(p, (size_t)(lx->end - p), lx->close, lx->clen);
        if (!p || !pre) return p;
        if (p > from && p[-1] == pre) return p;
    }
}

static bool set_delims(lexer *lx, const char *s, const char *e, int line)
{
    const char *a = s, *a_end = skip_word(s, e);
    const char *b = a_end;
    while (b < e && isspace((unsigned char)*b))
        b++;
    const char *b_end = skip_word(b, e);
    if (a == a_end || b == b_end || b_end != e || memchr(a, '=', (size_t)(a_end - a)) ||
        memchr(b, '=', (size_t)(b_end - b)))
        return fail(lx->err, MUSTACHE_ERR_SYNTAX, line,
                    "bad set-delimiter tag '%.*s' on line %d: expected two delimiters, "
                    "as in {{=<%% %%>=}}",
                    SHOW(e - s), s, line);
    lx->open = a;
    lx->olen = (size_t)(a_end - a);
    lx->close = b;
    lx->clen = (size_t)(b_end - b);
    push_tok(lx, T_DELIM, s, 0, line);
    return true;
}

static const char *kind_word(tok_kind k)
{
    return k == T_BLOCK ? "block" : k == T_PARENT ? "parent" : "section";
}

static bool open_tag(lexer *lx)
{
    tok *t = &lx->v[lx->len - 1];
    if (lx->nopened == MUSTACHE_MAX_NESTING)
        return fail(lx->err, MUSTACHE_ERR_SYNTAX, t->line,
                    "sections nested deeper than %d (line %d)", MUSTACHE_MAX_NESTING, t->line);
    lx->opened[lx->nopened++] = lx->len - 1;
    return true;
}

static bool close_tag(lexer *lx)
{
    tok *t = &lx->v[lx->len - 1];
    if (!lx->nopened)
        return fail(lx->err, MUSTACHE_ERR_SYNTAX, t->line,
                    "close tag '%.*s' on line %d has no open section", SHOW(t->len), t->s, t->line);
    const tok *o = &lx->v[lx->opened[--lx->nopened]];
    const char *s = t->s, *e = t->s + t->len;
    if (o->dynamic && s < e && *s == '*')
        s++, trim(&s, &e); /* closing {{<*x}}, a leading * is optional */
    if ((size_t)(e - s) != o->len || memcmp(s, o->s, o->len) != 0)
        return fail(lx->err, MUSTACHE_ERR_SYNTAX, t->line,
                    "mismatched close tag '%.*s' on line %d: %s '%.*s' opened on line %d is "
                    "still open",
                    SHOW(t->len), t->s, t->line, kind_word(o->kind), SHOW(o->len), o->s, o->line);
    t->pair = lx->opened[lx->nopened];
    return true;
}

static tok_kind tag_kind(char type)
{
    switch (type) {
    case '#':
        return T_SECTION;
    case '^':
        return T_INVERTED;
    case '/':
        return T_CLOSE;
    case '>':
        return T_PARTIAL;
    case '<':
        return T_PARENT;
    case '$':
        return T_BLOCK;
    case '{':
    case '&':
        return T_RAW;
    default:
        return T_VAR;
    }
}

/* Adds the tag whose type is type (0 for a plain variable) and whose content is [s, e). */
static bool add_tag(lexer *lx, char type, const char *s, const char *e, int line)
{
    trim(&s, &e);
    if (type == '!') return push_tok(lx, T_COMMENT, s, 0, line), true;
    if (type == '=') return set_delims(lx, s, e, line);
    bool dynamic = false;
    if ((type == '>' || type == '<') && s < e && *s == '*') {
        dynamic = true;
        s++;
        trim(&s, &e);
    }
    if (s == e) return fail(lx->err, MUSTACHE_ERR_SYNTAX, line, "empty tag on line %d", line);
    if (skip_word(s, e) != e)
        return fail(lx->err, MUSTACHE_ERR_SYNTAX, line, "bad tag name '%.*s' on line %d",
                    SHOW(e - s), s, line);
    tok *t = push_tok(lx, tag_kind(type), s, (size_t)(e - s), line);
    t->dynamic = dynamic;
    if (t->kind == T_CLOSE) return close_tag(lx);
    if (t->kind == T_SECTION || t->kind == T_INVERTED || t->kind == T_BLOCK || t->kind == T_PARENT)
        return open_tag(lx);
    return true;
}

/* Lexes the tag whose opening delimiter starts at at; returns where lexing goes on. */
static const char *lex_tag(lexer *lx, const char *at)
{
    const char *q = at + lx->olen;
    char type = (q < lx->end && strchr("#^/<>$!={&", *q)) ? *q : 0;
    if (type) q++;
    char pre = type == '{' ? '}' : type == '=' ? '=' : 0;
    const char *c = find_close(lx, q, pre);
    int line = lx->line;
    if (!c) {
        size_t shown = strcspn(at, "\r\n");
        fail(lx->err, MUSTACHE_ERR_SYNTAX, line, "unclosed tag '%.*s' on line %d: no '%s%.*s'",
             SHOW(shown > 20 ? 20 : shown), at, line, pre == '}' ? "}" : "", SHOW(lx->clen),
             lx->close);
        return NULL;
    }
    for (const char *p = at; (p = memchr(p, '\n', (size_t)(c - p))) != NULL; p++)
        lx->line++;
    const char *after = c + lx->clen; /* before a set-delimiter tag changes clen */
    return add_tag(lx, type, q, pre ? c - 1 : c, line) ? after : NULL;
}

static bool lex(lexer *lx)
{
    const char *p = lx->src;
    while (p < lx->end) {
        const char *o = memmem(p, (size_t)(lx->end - p), lx->open, lx->olen);
        lex_text(lx, p, o ? o : lx->end);
        if (!o) break;
        if (!(p = lex_tag(lx, o))) return false;
    }
    if (lx->nopened) {
        const tok *o = &lx->v[lx->opened[lx->nopened - 1]];
        return fail(lx->err, MUSTACHE_ERR_SYNTAX, o->line, "unclosed %s '%.*s' opened on line %d",
                    kind_word(o->kind), SHOW(o->len), o->s, o->line);
    }
    return true;
}

/* ---- standalone lines and block indentation -------------------------------------------- */

static size_t ws_run(const char *s, const char *e)
{
    const char *p = s;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    return (size_t)(p - s);
}

/* Whitespace only, up to an optional final "\n" or "\r\n". */
static bool blank_text(const tok *t)
{
    size_t n = t->len;
    if (n && t->s[n - 1] == '\n') {
        n--;
        if (n && t->s[n - 1] == '\r') n--;
    }
    return ws_run(t->s, t->s + n) == n;
}

/* The spec's rule, extended for inheritance: a line is standalone when it holds only
 * whitespace and either one non-interpolation tag, or only parent open/close tags. Parent
 * tags do not count beside another tag: {{<parent}}{{$block}} is standalone. */
static bool line_standalone(const tok *v, size_t a, size_t b)
{
    int tags = 0, parents = 0;
    for (size_t i = a; i < b; i++) {
        switch (v[i].kind) {
        case T_TEXT:
            if (!blank_text(&v[i])) return false;
            break;
        case T_VAR:
        case T_RAW:
            return false;
        case T_PARENT:
            parents++;
            break;
        case T_CLOSE:
            v[v[i].pair].kind == T_PARENT ? parents++ : tags++;
            break;
        default:
            tags++;
        }
    }
    return tags == 1 || (tags == 0 && parents > 0);
}

/* Tokens [a, b) are one line; next is the start of the following line (NULL at the end).
 * Standalone lines lose their text. Partials and parents on them are indented by the line's
 * leading whitespace. A block's indentation (made relative by reindent()) is, when standalone,
 * the leading whitespace of the next line (its first content line), else that of its own line. */
static void mark_line(lexer *lx, size_t a, size_t b, const char *next)
{
    bool standalone = line_standalone(lx->v, a, b);
    const tok *first = &lx->v[a];
    size_t lead = first->kind == T_TEXT ? ws_run(first->s, first->s + first->len) : 0;
    const char *lead_s = lead ? first->s : "";
    for (size_t i = a; i < b; i++) {
        tok *t = &lx->v[i];
        t->line_first = a;
        if (t->kind == T_TEXT) {
            t->removed = standalone;
            continue;
        }
        t->standalone = standalone;
        if (standalone && (t->kind == T_PARTIAL || t->kind == T_PARENT)) {
            t->ind = lead_s;
            t->ind_len = lead;
        } else if (t->kind == T_BLOCK && standalone && next) {
            t->ind = next;
            t->ind_len = ws_run(next, lx->end);
        } else if (t->kind == T_BLOCK && !standalone) {
            t->ind = lead_s;
            t->ind_len = lead;
        }
    }
}

static void mark_lines(lexer *lx)
{
    size_t a = 0;
    for (size_t i = 0; i < lx->len; i++) {
        const tok *t = &lx->v[i];
        if (t->kind == T_TEXT && t->s[t->len - 1] == '\n') {
            mark_line(lx, a, i + 1, t->s + t->len);
            a = i + 1;
        }
    }
    if (a < lx->len) mark_line(lx, a, lx->len, NULL);
}

static size_t common_ws(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0;
    while (i < an && i < bn && a[i] == b[i] && (a[i] == ' ' || a[i] == '\t'))
        i++;
    return i;
}

/* A block's content is stored without the block's own indentation D (the lines' common
 * whitespace at the definition site) and re-indented where it is rendered. So inside a block,
 * each line's leading whitespace loses D, and indentation recorded by partials, parents and
 * nested blocks becomes relative to D. A block keeps D relative to its enclosing block's. */
static void reindent(lexer *lx)
{
    const char *pre[MUSTACHE_MAX_NESTING + 1] = {""};
    size_t plen[MUSTACHE_MAX_NESTING + 1] = {0};
    int top = 0;
    for (size_t i = 0; i < lx->len; i++) {
        tok *t = &lx->v[i];
        if (t->kind == T_TEXT && !t->removed && t->line_first == i)
            t->strip = common_ws(t->s, t->len, pre[top], plen[top]);
        if (t->kind == T_PARTIAL || t->kind == T_PARENT || t->kind == T_BLOCK) {
            const char *d = t->ind;
            size_t k = common_ws(t->ind, t->ind_len, pre[top], plen[top]);
            t->ind += k;
            t->ind_len -= k;
            if (t->kind == T_BLOCK) {
                top++;
                pre[top] = d;
                plen[top] = t->ind_len + k;
            }
        }
        if (t->kind == T_CLOSE && lx->v[t->pair].kind == T_BLOCK) top--;
    }
}

/* ---- tree building --------------------------------------------------------------------- */

typedef struct {
    arena *mem;
    mustache_set *set;
    worklist *work;
    buf text; /* text not yet turned into a node */
    node *cont[MUSTACHE_MAX_NESTING + 1];
    node **tail[MUSTACHE_MAX_NESTING + 1];
    int top;
} builder;

static mname parse_name(arena *mem, const char *s, size_t len)
{
    mname m = {.full = arena_strndup(mem, s, len)};
    if (len == 1 && *s == '.') return m;
    m.nparts = 1;
    for (size_t i = 0; i < len; i++)
        m.nparts += s[i] == '.';
    m.parts = arena_alloc(mem, (size_t)m.nparts * sizeof *m.parts);
    char *copy = arena_strndup(mem, s, len);
    for (int i = 0; i < m.nparts; i++) {
        m.parts[i] = copy;
        char *dot = strchr(copy, '.');
        if (dot) *dot = '\0', copy = dot + 1;
    }
    return m;
}

static void append_node(builder *b, node *n)
{
    const node *c = b->cont[b->top];
    if (c->kind == N_PARENT && n->kind != N_BLOCK) return; /* a parent keeps only its blocks */
    *b->tail[b->top] = n;
    b->tail[b->top] = &n->next;
}

static void flush_text(builder *b)
{
    if (!b->text.len) return;
    node *n = arena_alloc(b->mem, sizeof *n);
    n->kind = N_TEXT;
    n->text = arena_strndup(b->mem, b->text.data, b->text.len);
    n->len = b->text.len;
    b->text.len = 0;
    append_node(b, n);
}

/* Links a static partial or parent to its entry, queueing it to be compiled when needed. */
static entry *link_entry(builder *b, const char *name)
{
    entry *e = entry_intern(b->set, name);
    int state = atomic_load_explicit(&e->state, memory_order_relaxed);
    if (state == ENTRY_UNTRIED || state == ENTRY_BROKEN) {
        atomic_store_explicit(&e->state, ENTRY_QUEUED, memory_order_relaxed);
        worklist *w = b->work;
        if (w->len == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 8;
            w->v = xrealloc(w->v, w->cap * sizeof *w->v);
        }
        w->v[w->len++] = e;
    }
    return e;
}

static node_kind node_kind_of(tok_kind k)
{
    switch (k) {
    case T_RAW:
        return N_RAW;
    case T_SECTION:
        return N_SECTION;
    case T_INVERTED:
        return N_INVERTED;
    case T_PARTIAL:
        return N_PARTIAL;
    case T_PARENT:
        return N_PARENT;
    case T_BLOCK:
        return N_BLOCK;
    default:
        return N_VAR;
    }
}

static void build_tok(builder *b, const tok *t)
{
    if (t->kind == T_TEXT && !t->removed) buf_append(&b->text, t->s + t->strip, t->len - t->strip);
    if (t->kind == T_TEXT || t->kind == T_COMMENT || t->kind == T_DELIM) return;
    flush_text(b);
    if (t->kind == T_CLOSE) {
        b->top--;
        return;
    }
    node *n = arena_alloc(b->mem, sizeof *n);
    n->kind = node_kind_of(t->kind);
    n->dynamic = t->dynamic;
    n->name = parse_name(b->mem, t->s, t->len);
    if (t->ind_len) {
        n->text = arena_strndup(b->mem, t->ind, t->ind_len);
        n->len = t->ind_len;
    }
    if ((n->kind == N_PARTIAL || n->kind == N_PARENT) && !n->dynamic)
        n->entry = link_entry(b, n->name.full);
    append_node(b, n);
    if (n->kind == N_SECTION || n->kind == N_INVERTED || n->kind == N_BLOCK ||
        n->kind == N_PARENT) {
        b->top++;
        b->cont[b->top] = n;
        b->tail[b->top] = &n->child;
    }
}

static node *build_tree(const lexer *lx, mustache_template *t, worklist *work)
{
    node root = {.kind = N_SECTION};
    builder b = {.mem = t->mem, .set = t->set, .work = work};
    b.cont[0] = &root;
    b.tail[0] = &root.child;
    for (size_t i = 0; i < lx->len; i++)
        build_tok(&b, &lx->v[i]);
    flush_text(&b);
    buf_free(&b.text);
    return root.child;
}

/* ---- compiling into a set (caller holds the lock) -------------------------------------- */

static mustache_template *parse_template(mustache_set *set, const char *name, const char *src,
                                         worklist *work, mustache_error *err)
{
    lexer lx = {.src = src, .end = src + strlen(src), .line = 1, .err = err};
    lx.open = "{{";
    lx.close = "}}";
    lx.olen = lx.clen = 2;
    if (!lex(&lx)) {
        free(lx.v);
        return NULL;
    }
    mark_lines(&lx);
    reindent(&lx);
    arena *mem = arena_new();
    mustache_template *t = arena_alloc(mem, sizeof *t);
    t->mem = mem;
    t->set = set;
    t->name = arena_strdup(mem, name);
    t->root = build_tree(&lx, t, work);
    free(lx.v);
    return t;
}

static void install(mustache_set *set, entry *e, mustache_template *t)
{
    mustache_template *old = atomic_exchange_explicit(&e->tpl, t, memory_order_acq_rel);
    if (old) {
        old->retired_next = set->retired;
        set->retired = old;
    }
    atomic_store_explicit(&e->state, ENTRY_LOADED, memory_order_relaxed);
}

static void prefix_error(mustache_error *err, const char *name)
{
    buf b = {0};
    buf_printf(&b, "in '%.*s': %s", SHOW(strlen(name)), name, err->message);
    size_t n = b.len < sizeof err->message ? b.len : sizeof err->message - 1;
    memcpy(err->message, b.data, n);
    err->message[n] = '\0';
    buf_free(&b);
}

/* Loads and compiles every queued entry, including those queued on the way. On a syntax error
 * the entry is marked broken (a later compile that uses it tries again) and the rest requeued. */
static bool load_work(mustache_set *set, worklist *work, mustache_error *err)
{
    for (size_t i = 0; i < work->len; i++) {
        entry *e = work->v[i];
        char *src = set->loader ? set->loader(set->loader_data, e->name) : NULL;
        if (!src) {
            atomic_store_explicit(&e->state, ENTRY_MISSING, memory_order_relaxed);
            continue;
        }
        mustache_template *t = parse_template(set, e->name, src, work, err);
        free(src);
        if (t) {
            install(set, e, t);
            continue;
        }
        atomic_store_explicit(&e->state, ENTRY_BROKEN, memory_order_relaxed);
        prefix_error(err, e->name);
        for (size_t j = i + 1; j < work->len; j++)
            if (atomic_load_explicit(&work->v[j]->state, memory_order_relaxed) == ENTRY_QUEUED)
                atomic_store_explicit(&work->v[j]->state, ENTRY_UNTRIED, memory_order_relaxed);
        return false;
    }
    return true;
}

static mustache_template *compile_locked(mustache_set *set, const char *name, const char *src,
                                         mustache_error *err)
{
    entry *e = entry_intern(set, name);
    /* marked first, so a template that uses itself links to its entry and is not queued */
    atomic_store_explicit(&e->state, ENTRY_QUEUED, memory_order_relaxed);
    worklist work = {0};
    mustache_template *t = parse_template(set, name, src, &work, err);
    if (t && !load_work(set, &work, err)) {
        template_free(t);
        t = NULL;
    }
    free(work.v);
    if (t) {
        install(set, e, t);
    } else {
        bool had = atomic_load_explicit(&e->tpl, memory_order_relaxed) != NULL;
        atomic_store_explicit(&e->state, had ? ENTRY_LOADED : ENTRY_BROKEN, memory_order_relaxed);
    }
    return t;
}

mustache_template *mustache_compile(mustache_set *set, const char *name, const char *source,
                                    mustache_error *err)
{
    mustache_error local;
    if (!err) err = &local;
    clear_error(err);
    pthread_mutex_lock(&set->lock);
    mustache_template *t = compile_locked(set, name, source, err);
    pthread_mutex_unlock(&set->lock);
    return t;
}

static mustache_template *get_locked(mustache_set *set, const char *name, mustache_error *err)
{
    entry *e = entry_find(set, name);
    mustache_template *t = e ? atomic_load_explicit(&e->tpl, memory_order_acquire) : NULL;
    if (t) return t;
    char *src = set->loader ? set->loader(set->loader_data, name) : NULL;
    if (!src) {
        if (e) atomic_store_explicit(&e->state, ENTRY_MISSING, memory_order_relaxed);
        fail(err, MUSTACHE_ERR_NOT_FOUND, 0, "no template named '%.*s'", SHOW(strlen(name)), name);
        return NULL;
    }
    t = compile_locked(set, name, src, err);
    free(src);
    return t;
}

mustache_template *mustache_get(mustache_set *set, const char *name, mustache_error *err)
{
    mustache_error local;
    if (!err) err = &local;
    clear_error(err);
    entry *e = entry_find(set, name); /* lock-free fast path */
    mustache_template *t = e ? atomic_load_explicit(&e->tpl, memory_order_acquire) : NULL;
    if (t) return t;
    pthread_mutex_lock(&set->lock);
    t = get_locked(set, name, err);
    pthread_mutex_unlock(&set->lock);
    return t;
}

/* ---- rendering ------------------------------------------------------------------------- */

typedef struct ctx {
    json_t *v;
    const struct ctx *up;
} ctx; /* the context stack, top first */

typedef struct bframe {
    const node *parent; /* a parent tag whose blocks override */
    const struct bframe *up;
} bframe; /* parents being rendered, innermost first */

typedef struct {
    buf *out;
    buf indent;   /* added before each template line (standalone partials, blocks) */
    bool pending; /* the last template byte written ended a line */
    int depth;    /* partials, parents and block overrides being rendered */
    int nesting;  /* render_list calls on the C stack */
    size_t steps; /* nodes visited, against MUSTACHE_MAX_STEPS */
    size_t start; /* out->len when the render began, for MUSTACHE_MAX_OUTPUT */
    mustache_status status;
    mustache_set *set;
} rstate;

static void render_list(rstate *st, const node *n, const ctx *c, const bframe *bf);

static json_t *lookup(const mname *m, const ctx *c)
{
    if (m->nparts == 0) return c->v;
    json_t *v = NULL;
    for (; c && !v; c = c->up)
        if (json_is_object(c->v)) v = json_object_get(c->v, m->parts[0]);
    for (int i = 1; v && i < m->nparts; i++)
        v = json_is_object(v) ? json_object_get(v, m->parts[i]) : NULL;
    return v;
}

/* Falsy: missing, null, false, [] and "" (the spec leaves strings to the language). */
static bool truthy(const json_t *v)
{
    if (!v) return false;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return false;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    default:
        return true;
    }
}

/* The shortest "%g" form that reads back as the same double: 1.21 -> "1.21". */
static size_t format_real(char *out, size_t size, double d)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, d);
        if (strtod(out, NULL) == d) break;
    }
    return strlen(out);
}

static void emit_text(rstate *st, const char *s, size_t n)
{
    if (!st->indent.len) {
        buf_append(st->out, s, n);
        st->pending = s[n - 1] == '\n';
        return;
    }
    while (n) {
        if (st->out->len - st->start > MUSTACHE_MAX_OUTPUT) { /* many lines, deeply indented */
            st->status = MUSTACHE_ERR_LIMIT;
            return;
        }
        if (st->pending) buf_append(st->out, st->indent.data, st->indent.len);
        const char *nl = memchr(s, '\n', n);
        size_t k = nl ? (size_t)(nl - s) + 1 : n;
        buf_append(st->out, s, k);
        st->pending = nl != NULL;
        s += k;
        n -= k;
    }
}

static void emit_value(rstate *st, const json_t *v, bool escape)
{
    char num[32];
    const char *s = num;
    size_t n;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        s = json_string_value(v);
        n = json_string_length(v);
        break;
    case JSON_INTEGER:
        n = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        n = format_real(num, sizeof num, json_real_value(v));
        break;
    case JSON_TRUE:
        s = "true", n = 4;
        break;
    case JSON_FALSE:
        s = "false", n = 5;
        break;
    default:
        return; /* null, missing, objects and arrays print nothing */
    }
    if (!n) return;
    if (st->pending && st->indent.len) buf_append(st->out, st->indent.data, st->indent.len);
    st->pending = false;
    if (escape)
        buf_append_html(st->out, s, n);
    else
        buf_append(st->out, s, n);
}

static void render_section(rstate *st, const node *n, const ctx *c, const bframe *bf)
{
    json_t *v = lookup(&n->name, c);
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v) && st->status == MUSTACHE_OK; i++) {
            ctx item = {json_array_get(v, i), c};
            render_list(st, n->child, &item, bf);
        }
    } else if (truthy(v)) {
        ctx item = {v, c};
        render_list(st, n->child, &item, bf);
    }
}

static const mustache_template *resolve(rstate *st, const node *n, const ctx *c)
{
    if (!n->dynamic) return atomic_load_explicit(&n->entry->tpl, memory_order_acquire);
    const json_t *v = lookup(&n->name, c);
    if (!json_is_string(v) || json_string_length(v) == 0) return NULL;
    const char *name = json_string_value(v);
    entry *e = entry_find(st->set, name);
    if (e) {
        mustache_template *t = atomic_load_explicit(&e->tpl, memory_order_acquire);
        if (t || atomic_load_explicit(&e->state, memory_order_relaxed) == ENTRY_MISSING) return t;
    }
    return mustache_get(st->set, name, NULL); /* first use: compile under the set's lock */
}

/* Renders body with indent added to the indentation, counting it as one level of inclusion. */
static void render_nested(rstate *st, const node *body, const char *indent, size_t indent_len,
                          const ctx *c, const bframe *bf)
{
    if (st->depth >= MUSTACHE_MAX_DEPTH) {
        st->status = MUSTACHE_ERR_DEPTH;
        return;
    }
    size_t saved = st->indent.len;
    if (indent_len) buf_append(&st->indent, indent, indent_len);
    st->depth++;
    render_list(st, body, c, bf);
    st->depth--;
    st->indent.len = saved;
}

static const node *find_override(const bframe *bf, const char *name)
{
    const node *found = NULL;
    for (; bf; bf = bf->up) /* the outermost parent's override wins */
        for (const node *b = bf->parent->child; b; b = b->next)
            if (strcmp(b->name.full, name) == 0) found = b;
    return found;
}

static void render_block(rstate *st, const node *n, const ctx *c, const bframe *bf)
{
    const node *o = find_override(bf, n->name.full);
    if (o) {
        render_nested(st, o->child, n->text, n->len, c, bf);
        return;
    }
    size_t saved = st->indent.len;
    if (n->len) buf_append(&st->indent, n->text, n->len);
    render_list(st, n->child, c, bf);
    st->indent.len = saved;
}

static void render_node(rstate *st, const node *n, const ctx *c, const bframe *bf)
{
    const mustache_template *t;
    switch (n->kind) {
    case N_TEXT:
        emit_text(st, n->text, n->len);
        break;
    case N_VAR:
    case N_RAW:
        emit_value(st, lookup(&n->name, c), n->kind == N_VAR);
        break;
    case N_SECTION:
        render_section(st, n, c, bf);
        break;
    case N_INVERTED:
        if (!truthy(lookup(&n->name, c))) render_list(st, n->child, c, bf);
        break;
    case N_PARTIAL:
        if ((t = resolve(st, n, c))) render_nested(st, t->root, n->text, n->len, c, bf);
        break;
    case N_PARENT:
        if ((t = resolve(st, n, c))) {
            bframe f = {n, bf};
            render_nested(st, t->root, n->text, n->len, c, &f);
        }
        break;
    case N_BLOCK:
        render_block(st, n, c, bf);
        break;
    }
}

static void render_list(rstate *st, const node *n, const ctx *c, const bframe *bf)
{
    if (st->nesting >= RENDER_MAX_NESTING) {
        st->status = MUSTACHE_ERR_DEPTH;
        return;
    }
    st->nesting++;
    for (; n && st->status == MUSTACHE_OK; n = n->next) {
        if (++st->steps > MUSTACHE_MAX_STEPS || st->out->len - st->start > MUSTACHE_MAX_OUTPUT) {
            st->status = MUSTACHE_ERR_LIMIT;
            break;
        }
        render_node(st, n, c, bf);
    }
    st->nesting--;
}

mustache_status mustache_render(const mustache_template *tpl, json_t *data, buf *out)
{
    if (!tpl) return MUSTACHE_ERR_NOT_FOUND;
    rstate st = {.out = out, .pending = true, .set = tpl->set, .start = out->len};
    ctx root = {data, NULL};
    buf_append(out, "", 0); /* out->data is a string even when nothing is written */
    render_list(&st, tpl->root, &root, NULL);
    buf_free(&st.indent);
    return st.status;
}
