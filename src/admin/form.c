/* form.c — the admin screens' reading of application/x-www-form-urlencoded bodies, on top of
 * the one decoder the site has (comments/form.c: form_decode refuses a malformed body whole). */
#include <string.h>

#include "admin.h"

/* The fields of req's body; false for a malformed one (or none at all). */
static bool fields_of(http_request *req, form_field **fields, size_t *n)
{
    *fields = NULL;
    *n = 0;
    if (!req->body) return true;
    return form_decode(req->arena, req->body, req->body_len, fields, n);
}

bool admin_form_ok(http_request *req)
{
    form_field *fields;
    size_t n;
    return fields_of(req, &fields, &n);
}

const char *admin_form_value(http_request *req, const char *name)
{
    form_field *fields;
    size_t n;
    if (!fields_of(req, &fields, &n)) return NULL;
    return form_get(fields, n, name);
}

size_t admin_form_values(http_request *req, const char *name, const char **out, size_t max)
{
    form_field *fields;
    size_t n, found = 0;
    if (!fields_of(req, &fields, &n)) return 0;
    for (size_t i = 0; i < n && found < max; i++)
        if (strcmp(fields[i].name, name) == 0) out[found++] = fields[i].value;
    return found;
}
