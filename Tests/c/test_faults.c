/* Hostile servers and environments: size limits, name resolution, keys that
 * must never leak, redirects that must not be followed, fork(). (The
 * streaming failures live in test_stream.c, retries in test_retry.c.) */
#include "harness.h"

#include <sys/wait.h>
#include <unistd.h>

#define SECRET "sk-SECRET-0123456789abcdef"

static void test_body_over_the_limit(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "x [[mock: chunks=200]]");
    kimi_chat_response *resp = (kimi_chat_response *)1;
    CHECK_INT(kimi_client_options_set_max_response_bytes(opts, 512), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_TOO_LARGE);
    CHECK(resp == NULL);
    CHECK_CONTAINS(kimi_error_message(), "response body over the 512-byte limit on POST");
    CHECK_CONTAINS(kimi_error_message(), "(kimi_client_options_set_max_response_bytes)");
    CHECK_INT(kimi_error_kind(), KIMI_KIND_BAD_RESPONSE);
    /* The same client answers a small request afterwards. */
    kimi_chat_request_free(req);
    req = user_request(NULL, "small");
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_name_resolution_failure(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "x");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_client_options_set_base_url(opts, "http://no-such-host.invalid/v1"), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_TRANSPORT);
    CHECK_CONTAINS(kimi_error_message(), "no-such-host.invalid");
    CHECK_INT(kimi_error_kind(), KIMI_KIND_TRANSPORT);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

struct captured_log {
    char text[65536];
    size_t used;
};

static void capture(int level, const char *message, void *user_data) {
    struct captured_log *log = user_data;
    int n = snprintf(log->text + log->used, sizeof log->text - log->used, "%d %s\n", level, message);
    if (n > 0 && log->used + (size_t)n < sizeof log->text) log->used += (size_t)n;
}

static kimi_client *secret_client(struct captured_log *log) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    CHECK_INT(kimi_client_options_set_api_key(opts, SECRET), KIMI_OK);
    CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_DEBUG, capture, log), KIMI_OK);
    client = test_client_from(opts);
    return client;
}

static void test_the_key_never_leaks(void) {
    static struct captured_log log;
    kimi_client *client = secret_client(&log);
    kimi_chat_request *req = user_request(NULL, "hello");
    kimi_chat_response *resp = NULL;
    kimi_conversation *conv = kimi_conversation_new(client, NULL);
    char *json;

    /* A debug log of a whole exchange shows the headers, key redacted. */
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_CONTAINS(log.text, "> POST /v1/chat/completions HTTP/1.1");
    CHECK_CONTAINS(log.text, "> Authorization: [redacted]");
    CHECK_CONTAINS(log.text, "< HTTP/1.1 200 OK");
    CHECK(strstr(log.text, "0123456789abcdef") == NULL);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);

    /* A server that quotes the key back: redacted in message and body. */
    req = user_request(NULL, "x [[mock: echo_auth]]");
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_API);
    CHECK_CONTAINS(kimi_error_message(), "rejected header Authorization: Bearer [redacted]");
    CHECK(strstr(kimi_error_message(), "0123456789abcdef") == NULL);
    CHECK(strstr(kimi_error_body(), "0123456789abcdef") == NULL);
    CHECK_CONTAINS(kimi_error_body(), "[redacted]");
    CHECK(strstr(log.text, "0123456789abcdef") == NULL);

    /* Nothing that serialises state carries it. */
    json = kimi_chat_request_to_json(req);
    CHECK(json && strstr(json, "0123456789abcdef") == NULL);
    kimi_string_free(json);
    CHECK_INT(kimi_conversation_add_message(conv, "user", "hi"), KIMI_OK);
    CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    json = kimi_conversation_to_json(conv);
    CHECK(json && strstr(json, "0123456789abcdef") == NULL);
    kimi_string_free(json);
    CHECK(strstr(log.text, SECRET) == NULL);
    kimi_conversation_free(conv);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static int occurrences(const char *text, const char *needle) {
    int n = 0;
    for (text = strstr(text, needle); text; text = strstr(text + 1, needle)) n++;
    return n;
}

static void test_redirects_are_not_followed(void) {
    static struct captured_log log;
    kimi_client *client = secret_client(&log);
    kimi_chat_request *req =
        user_request(NULL, "x [[mock: redirect=http://localhost:9/v1/chat/completions]]");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_HTTP);
    CHECK_INT(kimi_error_http_status(), 307);
    CHECK_CONTAINS(kimi_error_message(), "HTTP 307 redirect to http://localhost:9/v1/chat/completions not followed");
    /* No second request went out: one request line in the debug log, and
       no connection to the redirect's host. */
    CHECK_INT(occurrences(log.text, "> POST "), 1);
    CHECK_INT(occurrences(log.text, "localhost port 9"), 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A child after fork() makes its own client and completes a request, while
 * the parent's client (with a warm connection) keeps working. */
static void test_fork_child_makes_its_own_client(void) {
    kimi_client *parent = test_client();
    kimi_chat_request *req = user_request(NULL, "before fork");
    kimi_chat_response *resp = NULL;
    int status = 0;
    pid_t pid;
    CHECK_INT(kimi_chat_create(parent, req, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        kimi_client *child = test_client();
        kimi_chat_request *creq = user_request(NULL, "in the child");
        kimi_chat_response *cresp = NULL;
        int ok = kimi_chat_create(child, creq, &cresp) == KIMI_OK &&
                 strcmp(kimi_chat_response_content(cresp, NULL), "You said: in the child") == 0;
        kimi_chat_response_free(cresp);
        kimi_chat_request_free(creq);
        kimi_client_free(child);
        _exit(ok ? 0 : 1);
    }
    CHECK(pid > 0);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(kimi_chat_create(parent, req, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: before fork");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(parent);
}

int main(void) {
    RUN(test_body_over_the_limit);
    RUN(test_name_resolution_failure);
    RUN(test_the_key_never_leaks);
    RUN(test_redirects_are_not_followed);
    RUN(test_fork_child_makes_its_own_client);
    return harness_finish();
}
