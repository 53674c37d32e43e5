/* api_response.h — what every JSON endpoint shares: sending a JSON body or a JSON error, and
 * reading whole-number query arguments. */
#ifndef GAZETTE_API_RESPONSE_H
#define GAZETTE_API_RESPONSE_H

#include <jansson.h>
#include <stdbool.h>

#include "../http/http.h"

/* Sends body (consumed) with status and Cache-Control cache_control; a 500 if it cannot be
 * serialised. */
void api_send_json(http_response *res, int status, json_t *body, const char *cache_control);
/* {"error": message, "status": status}, never cached. */
void api_send_error(http_response *res, int status, const char *message);
/* api_send_error, then false: for argument readers ("return api_refuse(res, 400, ...)"). */
bool api_refuse(http_response *res, int status, const char *message);
/* An optional whole-number argument in 1..max (fallback when absent); false when malformed. */
bool api_query_number(http_request *req, const char *name, long fallback, long max, long *out);

#endif
