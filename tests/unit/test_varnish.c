/* test_varnish.c — the Varnish side of the cache: surrogate keys (surrogate_keys.c), the node
 * list parser and the purger (varnish_purge.c). The purger is pointed at a tiny HTTP listener
 * on a loopback port that records every request's method and xkey-purge header and answers
 * with a status chosen by the test. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/http/http.h"
#include "../../src/http/varnish_purge.h"
#include "unit_helpers.h"

/* ---- surrogate keys -------------------------------------------------------------------- */

static void test_keys_escape_what_would_split_them(void **state)
{
    (void)state;
    buf b = {0};
    http_surrogate_key_append(&b, "a:12");
    http_surrogate_key_append(&b, "t:city hall");
    http_surrogate_key_append(&b, "s:caf\xc3\xa9,100%");
    http_surrogate_key_append(&b, "u:x\r\ny");
    assert_string_equal(b.data, "a:12 t:city%20hall s:caf%C3%A9%2C100%25 u:x%0D%0Ay");
    buf_free(&b);
}

static void test_tagged_answer_gets_both_headers(void **state)
{
    arena *a = *state;
    http_response res = {.status = 200};
    http_cache_tag(&res, "a:7");
    http_cache_tag(&res, "home");
    http_cache_tag(&res, "a:7"); /* once */
    http_add_surrogate_keys(a, &res);
    assert_string_equal(http_response_header(&res, "Surrogate-Key"), "a:7 home");
    assert_string_equal(http_response_header(&res, "xkey"), "a:7 home");

    http_response error = {.status = 404}, untagged = {.status = 200};
    http_cache_tag(&error, "a:7");
    http_add_surrogate_keys(a, &error);
    http_add_surrogate_keys(a, &untagged);
    assert_null(http_response_header(&error, "xkey"));
    assert_null(http_response_header(&untagged, "xkey"));
}

static void test_too_many_tags_end_with_the_catch_all(void **state)
{
    arena *a = *state;
    http_response res = {.status = 200};
    for (int i = 0; i < 60; i++)
        http_cache_tag(&res, arena_printf(a, "a:%d", i));
    http_add_surrogate_keys(a, &res);
    const char *keys = http_response_header(&res, "xkey");
    assert_non_null(keys);
    assert_contains(keys, "a:0 a:1 ");
    assert_contains(keys, " " HTTP_CACHE_TAG_ALL);
    assert_not_contains(keys, "a:59");
}

/* ---- node lists ------------------------------------------------------------------------ */

static void test_node_lists(void **state)
{
    (void)state;
    varnish_nodes nodes = {0};
    char err[256];
    assert_true(varnish_nodes_add(&nodes, "http://10.0.0.1:6081, https://cdn.example.org/purge",
                                  err, sizeof err));
    assert_true(
        varnish_nodes_add(&nodes, " http://10.0.0.1:6081 ,,http://10.0.0.2", err, sizeof err));
    assert_int_equal(nodes.n, 3);
    assert_string_equal(nodes.urls[1], "https://cdn.example.org/purge");
    assert_string_equal(nodes.urls[2], "http://10.0.0.2");
    const char *bad[] = {"ftp://10.0.0.3",   "10.0.0.3:6081",          "http://",
                         "http:///x",        "http://ok, gopher://no", "http://u:secret@10.0.0.4",
                         "ftp://u:secret@x", "secret@10.0.0.4"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        assert_false(varnish_nodes_add(&nodes, bad[i], err, sizeof err));
        assert_contains(err, "Varnish");
        assert_not_contains(err, "secret");
        assert_int_equal(nodes.n, 3); /* unchanged */
    }
    varnish_nodes many = {0};
    for (int i = 0; i < VARNISH_MAX_NODES; i++) {
        char url[64];
        snprintf(url, sizeof url, "http://10.1.0.%d", i);
        assert_true(varnish_nodes_add(&many, url, err, sizeof err));
    }
    assert_false(varnish_nodes_add(&many, "http://10.2.0.1", err, sizeof err));
    assert_contains(err, "more than");
}

/* ---- the purger against a listener ----------------------------------------------------- */

enum { MAX_SEEN = 64 };

typedef struct {
    int fd, port, status;
    pthread_t thread;
    pthread_mutex_t lock;
    char *seen[MAX_SEEN]; /* "PURGE a:1 home" per request */
    size_t n_seen;
} listener;

/* Reads one request's head from client; fills "METHOD KEYS" into out. */
static bool read_request(int client, char *out, size_t cap)
{
    char head[16384] = "";
    size_t n = 0;
    while (n < sizeof head - 1 && !strstr(head, "\r\n\r\n")) {
        ssize_t got = read(client, head + n, sizeof head - 1 - n);
        if (got <= 0) return false;
        n += (size_t)got;
        head[n] = '\0';
    }
    const char *keys = strcasestr(head, "\r\nxkey-purge: ");
    size_t method_len = strcspn(head, " ");
    size_t keys_len = keys ? strcspn(keys + 14, "\r") : 0;
    snprintf(out, cap, "%.*s %.*s", (int)method_len, head, (int)keys_len, keys ? keys + 14 : "");
    return true;
}

static void *listen_loop(void *arg)
{
    listener *l = arg;
    for (;;) {
        int client = accept(l->fd, NULL, NULL);
        if (client < 0) return NULL;
        char line[16384];
        while (read_request(client, line, sizeof line)) { /* keep-alive: many per connection */
            pthread_mutex_lock(&l->lock);
            if (l->n_seen < MAX_SEEN) l->seen[l->n_seen++] = strdup(line);
            int status = l->status;
            pthread_mutex_unlock(&l->lock);
            char answer[128];
            int len = snprintf(answer, sizeof answer,
                               "HTTP/1.1 %d X\r\nContent-Length: 2\r\n\r\nok", status);
            if (write(client, answer, (size_t)len) != len) break;
        }
        close(client);
    }
}

static void listener_start(listener *l, int status)
{
    memset(l, 0, sizeof *l);
    l->status = status;
    pthread_mutex_init(&l->lock, NULL);
    l->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(l->fd, (struct sockaddr *)&addr, sizeof addr), 0);
    socklen_t len = sizeof addr;
    getsockname(l->fd, (struct sockaddr *)&addr, &len);
    l->port = ntohs(addr.sin_port);
    assert_int_equal(listen(l->fd, 8), 0);
    pthread_create(&l->thread, NULL, listen_loop, l);
}

static void listener_stop(listener *l)
{
    shutdown(l->fd, SHUT_RDWR);
    close(l->fd);
    pthread_join(l->thread, NULL);
    for (size_t i = 0; i < l->n_seen; i++)
        free(l->seen[i]);
    pthread_mutex_destroy(&l->lock);
}

/* Waits (up to 10 s) until the purger has nothing queued and has counted want requests as sent
 * or failed. */
static varnish_purge_stats settle(varnish_purger *p, unsigned long want)
{
    varnish_purge_stats s;
    for (int i = 0; i < 1000; i++) {
        varnish_purger_get_stats(p, &s);
        if (s.queued == 0 && s.sent + s.failed >= want) break;
        usleep(10000);
    }
    return s;
}

static varnish_purger *purger_for(const listener *l)
{
    varnish_nodes nodes = {0};
    char url[64], err[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", l->port);
    assert_true(varnish_nodes_add(&nodes, url, err, sizeof err));
    varnish_purger *p = varnish_purger_start(&nodes, err, sizeof err);
    assert_non_null(p);
    return p;
}

static void test_purges_reach_the_node_as_one_batch_of_keys(void **state)
{
    (void)state;
    listener l;
    listener_start(&l, 200);
    varnish_purger *p = purger_for(&l);
    const char *tags[] = {"a:5", "home", "t:city hall", "a:5"};
    varnish_purger_tags(p, tags, 4);
    varnish_purge_stats s = settle(p, 2); /* the batch, and its repeat a second later */
    assert_int_equal(s.sent, 2);
    assert_int_equal(s.repeats, 1);
    assert_int_equal(s.failed, 0);
    pthread_mutex_lock(&l.lock);
    assert_int_equal(l.n_seen, 2);
    assert_string_equal(l.seen[0], "PURGE a:5 home t:city%20hall");
    assert_string_equal(l.seen[1], "PURGE a:5 home t:city%20hall");
    pthread_mutex_unlock(&l.lock);

    varnish_purger_everything(p);
    s = settle(p, 4);
    assert_int_equal(s.everything, 2);
    pthread_mutex_lock(&l.lock);
    assert_int_equal(l.n_seen, 4);
    assert_string_equal(l.seen[2], "PURGE *");
    assert_string_equal(l.seen[3], "PURGE *");
    pthread_mutex_unlock(&l.lock);
    varnish_purger_stop(p);
    listener_stop(&l);
}

static void test_a_full_queue_becomes_one_purge_of_everything(void **state)
{
    arena *a = *state;
    listener l;
    listener_start(&l, 200);
    varnish_purger *p = purger_for(&l);
    enum { N = 5000 }; /* more keys than the queue holds, in one go */
    const char **tags = arena_alloc(a, N * sizeof *tags);
    for (int i = 0; i < N; i++)
        tags[i] = arena_printf(a, "a:%d", i);
    varnish_purger_tags(p, tags, N);
    varnish_purge_stats s = settle(p, 1);
    assert_true(s.overflows >= 1);
    assert_true(s.everything >= 1);
    pthread_mutex_lock(&l.lock);
    bool everything = false;
    for (size_t i = 0; i < l.n_seen; i++)
        everything |= strcmp(l.seen[i], "PURGE *") == 0;
    assert_true(everything);
    pthread_mutex_unlock(&l.lock);
    varnish_purger_stop(p);
    listener_stop(&l);
}

static void test_refusals_are_retried_then_counted_as_failed(void **state)
{
    (void)state;
    listener l;
    listener_start(&l, 403); /* not in the VCL's purgers ACL */
    varnish_purger *p = purger_for(&l);
    varnish_purger_tags(p, (const char *const[]){"a:1"}, 1);
    varnish_purge_stats s = settle(p, 1);
    assert_int_equal(s.sent, 0);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.retries, 3);
    pthread_mutex_lock(&l.lock);
    assert_int_equal(l.n_seen, 4); /* the first try and three more */
    pthread_mutex_unlock(&l.lock);
    varnish_purger_stop(p);
    listener_stop(&l);
}

static void test_null_purger_is_a_no_op(void **state)
{
    (void)state;
    varnish_purger_tags(NULL, (const char *const[]){"a:1"}, 1);
    varnish_purger_everything(NULL);
    varnish_purge_stats s;
    varnish_purger_get_stats(NULL, &s);
    assert_int_equal(s.nodes, 0);
    varnish_purger_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_escape_what_would_split_them),
        cmocka_unit_test_setup_teardown(test_tagged_answer_gets_both_headers, setup_arena,
                                        teardown_arena),
        cmocka_unit_test_setup_teardown(test_too_many_tags_end_with_the_catch_all, setup_arena,
                                        teardown_arena),
        cmocka_unit_test(test_node_lists),
        cmocka_unit_test(test_purges_reach_the_node_as_one_batch_of_keys),
        cmocka_unit_test_setup_teardown(test_a_full_queue_becomes_one_purge_of_everything,
                                        setup_arena, teardown_arena),
        cmocka_unit_test(test_refusals_are_retried_then_counted_as_failed),
        cmocka_unit_test(test_null_purger_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
