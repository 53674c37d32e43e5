/* subscription.c — what a browser sends to subscribe and unsubscribe (PushSubscription JSON),
 * the rules an endpoint URL must follow before Gazette ever sends to it (https, no address
 * of the site's own network), and the JSON notification a breaking story becomes. Every byte
 * read here comes from the network: anything unexpected is refused with a sentence saying
 * why. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../content/content.h"
#include "push.h"

/* ---- addresses ---------------------------------------------------------------------------- */
typedef struct {
    unsigned char prefix[4];
    unsigned bits;
} v4_range;

/* Not on the public Internet (RFC 6890 and friends): this network, private, shared (CGN),
 * loopback, link-local, IETF protocol assignments, documentation, benchmarking, multicast,
 * reserved and broadcast. */
static const v4_range v4_closed[] = {
    {{0, 0, 0, 0}, 8},     {{10, 0, 0, 0}, 8},      {{100, 64, 0, 0}, 10},  {{169, 254, 0, 0}, 16},
    {{172, 16, 0, 0}, 12}, {{192, 0, 0, 0}, 24},    {{192, 0, 2, 0}, 24},   {{192, 168, 0, 0}, 16},
    {{198, 18, 0, 0}, 15}, {{198, 51, 100, 0}, 24}, {{203, 0, 113, 0}, 24}, {{224, 0, 0, 0}, 3},
};

static bool in_prefix(const unsigned char *addr, const unsigned char *prefix, unsigned bits)
{
    for (unsigned i = 0; i < bits; i++) {
        unsigned byte = i / 8, mask = 0x80u >> (i % 8);
        if ((addr[byte] & mask) != (prefix[byte] & mask)) return false;
    }
    return true;
}

static bool v4_is_public(const unsigned char a[4], bool loopback_ok)
{
    if (a[0] == 127) return loopback_ok;
    for (size_t i = 0; i < sizeof v4_closed / sizeof v4_closed[0]; i++)
        if (in_prefix(a, v4_closed[i].prefix, v4_closed[i].bits)) return false;
    return true;
}

static bool v6_is_public(const unsigned char a[16], bool loopback_ok)
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    static const unsigned char documentation[4] = {0x20, 0x01, 0x0d, 0xb8};
    if (memcmp(a, zero, 15) == 0) return a[15] == 1 && loopback_ok; /* :: and ::1 */
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
        return v4_is_public(a + 12, loopback_ok);
    if (memcmp(a, zero, 12) == 0) return false;              /* IPv4-compatible, deprecated */
    if ((a[0] & 0xfe) == 0xfc) return false;                 /* unique local fc00::/7 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return false; /* link-local fe80::/10 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return false; /* site-local fec0::/10 */
    if (a[0] == 0xff) return false;                          /* multicast */
    if (memcmp(a, documentation, 4) == 0) return false;
    if (a[0] == 0x01 && a[1] == 0 && memcmp(a + 2, zero, 6) == 0) return false; /* discard */
    return true;
}

bool push_ip_is_public(const char *ip, bool loopback_ok)
{
    unsigned char bytes[16];
    if (!ip) return false;
    if (inet_pton(AF_INET, ip, bytes) == 1) return v4_is_public(bytes, loopback_ok);
    if (inet_pton(AF_INET6, ip, bytes) == 1) return v6_is_public(bytes, loopback_ok);
    return false;
}

bool push_setting_on(const char *value)
{
    return value && (strcmp(value, "1") == 0 || strcasecmp(value, "on") == 0 ||
                     strcasecmp(value, "true") == 0 || strcasecmp(value, "yes") == 0);
}

/* ---- endpoints ---------------------------------------------------------------------------- */
static bool is_loopback_host(const char *host)
{
    return strcasecmp(host, "localhost") == 0 ||
           push_ip_is_public(host, true) != push_ip_is_public(host, false);
}

/* The host of a parsed URL as an address when it is one ("[::1]" -> "::1"), else NULL. */
static const char *host_as_ip(arena *a, const char *host)
{
    unsigned char bytes[16];
    size_t n = strlen(host);
    const char *bare =
        host[0] == '[' && n > 2 && host[n - 1] == ']' ? arena_strndup(a, host + 1, n - 2) : host;
    if (strchr(bare, '%')) return bare; /* a zone id: an address, and never a public one */
    return inet_pton(AF_INET, bare, bytes) == 1 || inet_pton(AF_INET6, bare, bytes) == 1 ? bare
                                                                                         : NULL;
}

/* Checks the parts of a URL curl has parsed. */
static const char *url_problem(arena *a, CURLU *u, bool allow_insecure)
{
    char *scheme = NULL, *host = NULL, *user = NULL, *password = NULL, *fragment = NULL;
    const char *problem = NULL;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0])
        problem = "the endpoint must be an absolute URL with a host";
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK)
        problem = "the endpoint must not contain a user name or password";
    else if (curl_url_get(u, CURLUPART_FRAGMENT, &fragment, 0) == CURLUE_OK)
        problem = "the endpoint must not contain a fragment (#...)";
    if (!problem) {
        const char *ip = host_as_ip(a, host);
        bool loopback = is_loopback_host(ip ? ip : host);
        bool https = strcmp(scheme, "https") == 0, http = strcmp(scheme, "http") == 0;
        if (!https && !(http && allow_insecure && loopback))
            problem = "the endpoint must be an https:// URL";
        else if (loopback && !allow_insecure)
            problem = "the endpoint must be on the Internet, not this machine";
        else if (ip && !push_ip_is_public(ip, allow_insecure))
            problem = "the endpoint's address is not a public one";
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(password);
    curl_free(fragment);
    return problem;
}

const char *push_endpoint_problem(const char *endpoint, bool allow_insecure)
{
    size_t n = endpoint ? strlen(endpoint) : 0;
    if (n == 0) return "the endpoint is missing";
    if (n > PUSH_MAX_ENDPOINT) return "the endpoint is too long";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)endpoint[i] <= 0x20 || (unsigned char)endpoint[i] >= 0x7f)
            return "the endpoint must be a URL of printable ASCII characters";
    /* written out in full: curl reads "https:/host" or "https:host" too, and what is stored
     * must say plainly where it leads */
    if (strncasecmp(endpoint, "https://", 8) != 0 && strncasecmp(endpoint, "http://", 7) != 0)
        return "the endpoint must be an https:// URL";
    CURLU *u = curl_url();
    if (!u) return "the endpoint cannot be checked now";
    const char *problem = "the endpoint is not a valid URL";
    if (curl_url_set(u, CURLUPART_URL, endpoint, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        arena *a = arena_new();
        problem = url_problem(a, u, allow_insecure);
        arena_free(a);
    }
    curl_url_cleanup(u);
    return problem;
}

/* ---- JSON bodies -------------------------------------------------------------------------- */
static json_t *load_object(const char *json, size_t len, const char **problem)
{
    if (!json || len == 0) {
        *problem = "the body is empty; send the subscription as JSON";
        return NULL;
    }
    if (len > PUSH_MAX_REQUEST_BYTES) {
        *problem = "the body is too large";
        return NULL;
    }
    json_error_t error;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &error);
    if (!json_is_object(root)) {
        json_decref(root);
        *problem = root ? "the body must be a JSON object" : "the body is not valid JSON";
        return NULL;
    }
    return root;
}

/* The string member name of object, or NULL (with *problem) when missing or not a string. */
static const char *string_member(json_t *object, const char *name, const char *missing,
                                 const char **problem)
{
    json_t *v = json_object_get(object, name);
    if (!json_is_string(v)) {
        *problem = missing;
        return NULL;
    }
    /* a NUL inside the string would hide what follows it */
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        *problem = "a value contains a NUL character";
        return NULL;
    }
    return json_string_value(v);
}

static bool read_key(json_t *keys, const char *name, unsigned char *out, size_t n,
                     const char *wrong, const char **problem)
{
    const char *text = string_member(keys, name, wrong, problem);
    size_t got = 0;
    if (!text) return false;
    if (!push_b64url_decode(text, strlen(text), out, n, &got) || got != n) {
        *problem = wrong;
        return false;
    }
    return true;
}

static bool read_subscription(arena *a, json_t *root, bool allow_insecure, push_subscription *out,
                              const char **problem)
{
    const char *endpoint =
        string_member(root, "endpoint", "the subscription has no endpoint", problem);
    if (!endpoint) return false;
    if ((*problem = push_endpoint_problem(endpoint, allow_insecure))) return false;
    json_t *expiration = json_object_get(root, "expirationTime");
    if (expiration && !json_is_null(expiration) && !json_is_number(expiration)) {
        *problem = "expirationTime must be null or a number";
        return false;
    }
    json_t *keys = json_object_get(root, "keys");
    if (!json_is_object(keys)) {
        *problem = "the subscription has no keys";
        return false;
    }
    if (!read_key(keys, "p256dh", out->p256dh, PUSH_PUBLIC_KEY_BYTES,
                  "keys.p256dh must be a P-256 public key (65 bytes, base64url)", problem) ||
        !read_key(keys, "auth", out->auth, PUSH_AUTH_BYTES,
                  "keys.auth must be 16 bytes in base64url", problem))
        return false;
    if (push_public_key_check(out->p256dh) != PUSH_OK) {
        *problem = "keys.p256dh is not a point on the P-256 curve";
        return false;
    }
    out->endpoint = arena_strdup(a, endpoint);
    return true;
}

bool push_subscription_parse(arena *a, const char *json, size_t len, bool allow_insecure,
                             push_subscription *out, const char **problem)
{
    *problem = NULL;
    memset(out, 0, sizeof *out);
    json_t *root = load_object(json, len, problem);
    bool ok = root && read_subscription(a, root, allow_insecure, out, problem);
    json_decref(root);
    if (!ok) memset(out, 0, sizeof *out);
    return ok;
}

bool push_unsubscribe_parse(arena *a, const char *json, size_t len, const char **endpoint,
                            const char **problem)
{
    *problem = NULL;
    *endpoint = NULL;
    json_t *root = load_object(json, len, problem);
    const char *text =
        root ? string_member(root, "endpoint", "the body has no endpoint", problem) : NULL;
    if (text && (strlen(text) == 0 || strlen(text) > PUSH_MAX_ENDPOINT)) {
        *problem = "the endpoint is empty or too long";
        text = NULL;
    }
    if (text) *endpoint = arena_strdup(a, text);
    json_decref(root);
    return *endpoint != NULL;
}

/* ---- the notification ------------------------------------------------------------------- */
static char *payload_text(const char *title, const char *body, const char *url, const char *tag)
{
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s}", "title", title, "body", body, "url", url, "tag", tag);
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return text;
}

char *push_payload_json(arena *a, const char *headline, const char *lead, const char *url,
                        const char *tag)
{
    if (!headline || !url || !tag) return NULL;
    /* the longest first; shorter when that does not fit in one message */
    static const size_t lead_chars[] = {600, 200, 0};
    for (size_t i = 0; i < sizeof lead_chars / sizeof lead_chars[0]; i++) {
        const char *body = lead && lead_chars[i] ? content_excerpt(a, lead, lead_chars[i]) : "";
        const char *title = i == 2 ? content_excerpt(a, headline, 200) : headline;
        char *text = payload_text(title, body ? body : "", url, tag);
        if (text && strlen(text) <= PUSH_MAX_PLAINTEXT) {
            char *copy = arena_strdup(a, text);
            free(text);
            return copy;
        }
        free(text);
    }
    return NULL;
}
