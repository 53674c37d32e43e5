/* smtp.c — sends a built message over SMTP with libcurl (newsletter.h says how TLS is used).
 * libcurl reads the message through a read callback from memory and does the SMTP dot
 * escaping itself. Error texts come from libcurl's error buffer, which never holds the
 * password (it is given apart from the URL). */
#include "newsletter.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct newsletter_smtp {
    CURL *curl;
    newsletter_smtp_config cfg;
    char error[CURL_ERROR_SIZE];
};

typedef struct {
    const char *data;
    size_t len, at;
} upload;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ready;

static void curl_start(void)
{
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static size_t read_message(char *out, size_t size, size_t count, void *arg)
{
    upload *u = arg;
    size_t room = size * count, left = u->len - u->at;
    size_t n = left < room ? left : room;
    memcpy(out, u->data + u->at, n);
    u->at += n;
    return n;
}

newsletter_smtp *newsletter_smtp_open(const newsletter_smtp_config *cfg)
{
    pthread_once(&curl_once, curl_start);
    if (!curl_ready) return NULL;
    newsletter_smtp *smtp = calloc(1, sizeof *smtp);
    if (!smtp) return NULL;
    smtp->curl = curl_easy_init();
    if (!smtp->curl) {
        free(smtp);
        return NULL;
    }
    smtp->cfg = *cfg;
    return smtp;
}

void newsletter_smtp_close(newsletter_smtp *smtp)
{
    if (!smtp) return;
    curl_easy_cleanup(smtp->curl);
    free(smtp);
}

/* Sets every option of one exchange; the first failure's code. */
static CURLcode configure(newsletter_smtp *smtp, const char *from, struct curl_slist *rcpt,
                          upload *u)
{
    CURL *c = smtp->curl;
    const newsletter_smtp_config *cfg = &smtp->cfg;
    bool tls_required = cfg->user && *cfg->user && strncmp(cfg->url, "smtps://", 8) != 0;
    CURLcode rc = curl_easy_setopt(c, CURLOPT_URL, cfg->url);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, smtp->error);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_TIMEOUT, cfg->timeout_seconds);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_USE_SSL,
                              tls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (!rc && cfg->user && *cfg->user) rc = curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user);
    if (!rc && cfg->user && *cfg->user)
        rc = curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_READDATA, u);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    if (!rc) rc = curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u->len);
    return rc;
}

bool newsletter_smtp_send(newsletter_smtp *smtp, const char *rcpt, const char *message, char *err,
                          size_t errlen)
{
    char from[NEWSLETTER_EMAIL_MAX + 3], to[NEWSLETTER_EMAIL_MAX + 3];
    if (newsletter_email_check(rcpt, strlen(rcpt)) != NEWSLETTER_EMAIL_OK ||
        newsletter_email_check(smtp->cfg.from, strlen(smtp->cfg.from)) != NEWSLETTER_EMAIL_OK) {
        snprintf(err, errlen, "refusing to send: an address is not valid");
        return false;
    }
    snprintf(from, sizeof from, "<%s>", smtp->cfg.from);
    snprintf(to, sizeof to, "<%s>", rcpt);
    struct curl_slist *list = curl_slist_append(NULL, to);
    if (!list) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    upload u = {message, strlen(message), 0};
    smtp->error[0] = '\0';
    CURLcode rc = configure(smtp, from, list, &u);
    if (rc == CURLE_OK) rc = curl_easy_perform(smtp->curl);
    curl_easy_setopt(smtp->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(list);
    if (rc != CURLE_OK)
        snprintf(err, errlen, "SMTP: %s", smtp->error[0] ? smtp->error : curl_easy_strerror(rc));
    return rc == CURLE_OK;
}
