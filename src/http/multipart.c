/* multipart.c — reads a multipart/form-data body (an upload form) with libmicrohttpd's post
 * processor, fed with the body the server has buffered already (req->body). Gazette parses no
 * multipart syntax itself: boundaries, headers and encodings are libmicrohttpd's. This file only
 * gathers what the processor hands over: the text fields (each at most HTTP_FORM_FIELD_MAX
 * bytes) and one file, copied into the request's arena. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

typedef struct reader {
    http_request *req;
    http_multipart *out;
    char *file_bytes; /* body_len bytes: a file is never larger than the body holding it */
    buf values[HTTP_FORM_MAX_FIELDS];
    const char *error;
} reader;

static int field_index(reader *r, const char *name)
{
    http_multipart *m = r->out;
    for (size_t i = 0; i < m->n_fields; i++)
        if (strcmp(m->names[i], name) == 0) return (int)i;
    if (m->n_fields == HTTP_FORM_MAX_FIELDS) return -1;
    m->names[m->n_fields] = arena_strdup(r->req->arena, name);
    return (int)m->n_fields++;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    reader *r = cls;
    http_multipart *m = r->out;
    if (!key) return MHD_YES;
    if (filename) {
        if (m->file_field && strcmp(m->file_field, key) != 0) {
            r->error = "one file per upload";
            return MHD_NO;
        }
        if (!m->file_field) {
            m->file_field = arena_strdup(r->req->arena, key);
            m->file_name = arena_strdup(r->req->arena, filename);
        }
        if (off + size > r->req->body_len || off != m->file_len) {
            r->error = "the file part is malformed";
            return MHD_NO;
        }
        memcpy(r->file_bytes + off, data, size);
        m->file_len = (size_t)off + size;
        return MHD_YES;
    }
    int i = field_index(r, key);
    if (i < 0) {
        r->error = "too many form fields";
        return MHD_NO;
    }
    if (r->values[i].len + size > HTTP_FORM_FIELD_MAX) {
        r->error = "a form field is too long";
        return MHD_NO;
    }
    buf_append(&r->values[i], data, size);
    return MHD_YES;
}

bool http_multipart_read(http_request *req, http_multipart *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *type = http_header(req, "Content-Type");
    if (!req->connection || !type || strncasecmp(type, "multipart/form-data", 19) != 0) {
        snprintf(err, errlen, "expected a multipart/form-data body (an upload form)");
        return false;
    }
    reader r = {.req = req, .out = out};
    r.file_bytes = arena_alloc(req->arena, req->body_len + 1);
    struct MHD_PostProcessor *pp =
        MHD_create_post_processor(req->connection, 64 * 1024, on_part, &r);
    if (!pp) {
        snprintf(err, errlen, "the upload form cannot be read (no boundary?)");
        return false;
    }
    bool ok = req->body_len == 0 || MHD_post_process(pp, req->body, req->body_len) == MHD_YES;
    ok = MHD_destroy_post_processor(pp) == MHD_YES && ok;
    for (size_t i = 0; i < out->n_fields; i++) {
        out->values[i] =
            arena_strndup(req->arena, r.values[i].data ? r.values[i].data : "", r.values[i].len);
        buf_free(&r.values[i]);
    }
    out->file = r.file_bytes;
    if (!ok || r.error) {
        snprintf(err, errlen, "the upload form cannot be read: %s",
                 r.error ? r.error : "it is malformed or incomplete");
        return false;
    }
    return true;
}

const char *http_multipart_value(const http_multipart *m, const char *name)
{
    for (size_t i = 0; i < m->n_fields; i++)
        if (strcmp(m->names[i], name) == 0) return m->values[i];
    return NULL;
}
