/* openapi.c — GET /api/v1/openapi.json: the OpenAPI description of the public content API.
 * Its one source is src/api/openapi.json, built into the binary by the assembler's .incbin
 * (the Makefile makes this object depend on the file; the build runs from the repository
 * root, where the path below is looked up), so the server reads no file at run time. */
#include "api_access.h"

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl gazette_openapi_json\n"
        "gazette_openapi_json:\n"
        ".incbin \"src/api/openapi.json\"\n"
        ".globl gazette_openapi_json_end\n"
        "gazette_openapi_json_end:\n"
        ".byte 0\n"
        ".previous\n");

extern const char gazette_openapi_json[], gazette_openapi_json_end[];

void api_openapi(void *app_ptr, http_request *req, const http_params *params, http_response *res)
{
    api_cors(app_ptr, req, res); /* the description itself needs no read key */
    res->status = 200;
    res->content_type = "application/json";
    res->static_body = gazette_openapi_json;
    res->static_len = (size_t)(gazette_openapi_json_end - gazette_openapi_json);
    http_set_header(res, "Cache-Control", "public, max-age=300");
    http_cache_tag(res, "openapi");
}
