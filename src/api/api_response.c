/* api_response.c — JSON responses and argument parsing shared by the API endpoints (see
 * api_response.h). */
#include "api_response.h"

#include <stdlib.h>

void api_send_json(http_response *res, int status, json_t *body, const char *cache_control)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    res->status = text ? status : 500;
    res->content_type = "application/json";
    if (text) buf_puts(&res->body, text);
    free(text);
    http_set_header(res, "Cache-Control", cache_control);
}

void api_send_error(http_response *res, int status, const char *message)
{
    api_send_json(res, status, json_pack("{s:s, s:i}", "error", message, "status", status),
                  "no-store");
}

bool api_refuse(http_response *res, int status, const char *message)
{
    api_send_error(res, status, message);
    return false;
}

bool api_query_number(http_request *req, const char *name, long fallback, long max, long *out)
{
    const char *text = http_query(req, name);
    *out = fallback;
    if (!text) return true;
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || *end || n < 1 || n > max) return false;
    *out = n;
    return true;
}
