/* The retry policy against mock scenarios that fail the first K requests
 * ("times=K key=NAME"): what is retried, what never is, how long the waits
 * are, and that a cancel ends a wait. Retries are counted through the log
 * callback, which is also how users see them. */
#include "harness.h"

struct log_record {
    pthread_mutex_t lock;
    int retries;
    char last[512];
};

static void count_retries(int level, const char *message, void *user_data) {
    struct log_record *log = user_data;
    pthread_mutex_lock(&log->lock);
    if (level == KIMI_LOG_WARN && strncmp(message, "retry ", 6) == 0) log->retries++;
    snprintf(log->last, sizeof log->last, "%s", message);
    pthread_mutex_unlock(&log->lock);
}

static struct log_record retry_log = {PTHREAD_MUTEX_INITIALIZER, 0, ""};

/* A client retrying up to `retries` times with 1-4 ms backoff. */
static kimi_client *retry_client(unsigned retries) {
    kimi_client_options *opts = kimi_client_options_new();
    kimi_client *client;
    CHECK_INT(kimi_client_options_set_max_retries(opts, retries), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 4), KIMI_OK);
    CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_WARN, count_retries, &retry_log), KIMI_OK);
    client = test_client_from(opts);
    retry_log.retries = 0;
    return client;
}

/* Runs a non-streamed chat of `text` and returns its status. */
static kimi_status chat(kimi_client *client, const char *text, char *content, size_t cap) {
    kimi_chat_request *req = user_request(NULL, text);
    kimi_chat_response *resp = NULL;
    kimi_status status = kimi_chat_create(client, req, &resp);
    if (content) snprintf(content, cap, "%s", resp ? kimi_chat_response_content(resp, NULL) : "");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    return status;
}

static void test_503_twice_then_success(void) {
    kimi_client *client = retry_client(2);
    char content[256];
    CHECK_INT(chat(client, "hi [[mock: status=503 type=server_error times=2 key=r503]]", content, sizeof content),
              KIMI_OK);
    CHECK_STR(content, "You said: hi");
    CHECK_INT(retry_log.retries, 2);
    CHECK_CONTAINS(retry_log.last, "retry 2 of 2 for POST http://127.0.0.1:");
    CHECK_CONTAINS(retry_log.last, "scripted error (HTTP 503)");
    kimi_client_free(client);
}

static void test_each_retryable_answer(void) {
    static const char *const scenarios[] = {
        "status=429 type=engine_overloaded_error", "status=429 type=rate_limit_reached_error",
        "status=500 type=server_error", "html=502", "empty=503", "status=504 type=server_error",
        "drop", /* the connection closes before any response byte */
    };
    size_t i;
    for (i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
        kimi_client *client = retry_client(1);
        char text[200], content[256];
        snprintf(text, sizeof text, "go [[mock: %s times=1 key=each%zu]]", scenarios[i], i);
        CHECK_INT(chat(client, text, content, sizeof content), KIMI_OK);
        CHECK_STR(content, "You said: go");
        if (retry_log.retries != 1) fprintf(stderr, "  (scenario %s)\n", scenarios[i]);
        CHECK_INT(retry_log.retries, 1);
        kimi_client_free(client);
    }
}

/* Each of these would succeed on a second attempt (times=1), so a success
 * here would prove a wrong retry. */
static void test_never_retried(void) {
    static const char *const scenarios[] = {
        "status=429 type=exceeded_current_quota_error message=Your_account_exceeded_your_current_quota",
        "status=403 type=exceeded_current_quota_error message=quota",
        "status=401 type=invalid_authentication_error", "status=403 type=permission_denied_error",
        "status=400 type=invalid_request_error", "status=400 type=content_filter",
        "status=404 type=resource_not_found_error", "status=501 type=server_error", "garbage",
    };
    size_t i;
    for (i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
        kimi_client *client = retry_client(2);
        char text[200];
        snprintf(text, sizeof text, "go [[mock: %s times=1 key=never%zu]]", scenarios[i], i);
        CHECK(chat(client, text, NULL, 0) != KIMI_OK);
        if (retry_log.retries != 0) fprintf(stderr, "  (scenario %s)\n", scenarios[i]);
        CHECK_INT(retry_log.retries, 0);
        CHECK(strstr(kimi_error_message(), "retr") == NULL);
        kimi_client_free(client);
    }
}

static void test_retries_run_out(void) {
    kimi_client *client = retry_client(2);
    CHECK_INT(chat(client, "x [[mock: status=503 type=server_error times=9 key=out]]", NULL, 0), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 503);
    CHECK_INT(kimi_error_kind(), KIMI_KIND_SERVER);
    CHECK_CONTAINS(kimi_error_message(), "scripted error (HTTP 503)");
    CHECK_CONTAINS(kimi_error_message(), "(after 2 retries)");
    CHECK_INT(retry_log.retries, 2);
    kimi_client_free(client);
}

static void test_zero_retries(void) {
    kimi_client *client = retry_client(0);
    CHECK_INT(chat(client, "x [[mock: status=503 type=server_error times=1 key=zero]]", NULL, 0), KIMI_E_API);
    CHECK_INT(retry_log.retries, 0);
    kimi_client_free(client);
}

static void test_server_named_waits(void) {
    kimi_client *client = retry_client(1);
    double start = now_ms();
    /* Kimi's own words: the wait is in the message. */
    CHECK_INT(chat(client,
                   "x [[mock: status=429 type=rate_limit_reached_error "
                   "message=Your_account_reached_max_request,_please_try_again_after_1_seconds times=1 key=msgwait]]",
                   NULL, 0),
              KIMI_OK);
    CHECK(now_ms() - start >= 1000);
    CHECK_INT(retry_log.retries, 1);
    CHECK_CONTAINS(retry_log.last, " in 1");
    /* retry-after-ms, then Retry-After, win over the 1-4 ms backoff. */
    start = now_ms();
    CHECK_INT(chat(client, "x [[mock: status=503 type=server_error retry_after_ms=300 times=1 key=mswait]]", NULL, 0),
              KIMI_OK);
    CHECK(now_ms() - start >= 300);
    start = now_ms();
    CHECK_INT(chat(client, "x [[mock: status=503 type=server_error retry_after=1 times=1 key=swait]]", NULL, 0),
              KIMI_OK);
    CHECK(now_ms() - start >= 1000);
    kimi_client_free(client);
}

static void test_a_wait_over_the_cap_is_not_retried(void) {
    kimi_client *client = retry_client(2);
    CHECK_INT(chat(client, "x [[mock: status=429 type=rate_limit_reached_error retry_after=120 times=1 key=cap]]",
                   NULL, 0),
              KIMI_E_API);
    CHECK_INT(kimi_error_kind(), KIMI_KIND_RATE_LIMITED);
    CHECK_INT(kimi_error_retry_after_ms(), 120000);
    CHECK_INT(retry_log.retries, 0);
    kimi_client_free(client);
}

static void test_connection_failures_are_retried(void) {
    kimi_client_options *opts = kimi_client_options_new();
    kimi_client *client;
    CHECK_INT(kimi_client_options_set_base_url(opts, "http://127.0.0.1:1/v1"), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 2), KIMI_OK);
    CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_WARN, count_retries, &retry_log), KIMI_OK);
    client = test_client_from(opts);
    retry_log.retries = 0;
    CHECK_INT(chat(client, "x", NULL, 0), KIMI_E_TRANSPORT);
    CHECK_INT(retry_log.retries, 2); /* the default: 2 retries */
    CHECK_CONTAINS(kimi_error_message(), "(after 2 retries)");
    kimi_client_free(client);
}

static void test_idle_timeout_before_the_answer_is_retried(void) {
    kimi_client_options *opts = kimi_client_options_new();
    kimi_client *client;
    char content[128];
    CHECK_INT(kimi_client_options_set_idle_timeout_ms(opts, 200), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 2), KIMI_OK);
    CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_WARN, count_retries, &retry_log), KIMI_OK);
    client = test_client_from(opts);
    retry_log.retries = 0;
    CHECK_INT(chat(client, "slow [[mock: stall_ms=3000 times=1 key=stall]]", content, sizeof content), KIMI_OK);
    CHECK_STR(content, "You said: slow");
    CHECK_INT(retry_log.retries, 1);
    CHECK_CONTAINS(retry_log.last, "idle timeout");
    kimi_client_free(client);
}

struct stream_count {
    int content;
};

static int count_content(const kimi_stream_event *ev, void *user_data) {
    struct stream_count *c = user_data;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_CONTENT_DELTA) c->content++;
    return 0;
}

static void test_a_stream_is_retried_only_before_it_starts(void) {
    kimi_client *client = retry_client(2);
    struct stream_count count = {0};
    kimi_chat_response *resp = NULL;
    kimi_chat_request *req = user_request(NULL, "one two [[mock: status=503 type=engine_overloaded_error times=1 key=s1]]");
    CHECK_INT(kimi_chat_stream(client, req, count_content, &count, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: one two");
    CHECK_INT(retry_log.retries, 1);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);

    /* Cut after 2 pieces: delivered events are never sent again. */
    retry_log.retries = 0;
    count.content = 0;
    req = user_request(NULL, "one two three four [[mock: cut_after=2 times=1 key=s2]]");
    CHECK_INT(kimi_chat_stream(client, req, count_content, &count, &resp), KIMI_E_INCOMPLETE);
    CHECK_INT(retry_log.retries, 0);
    CHECK_INT(count.content, 2);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: ");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_cancel_during_backoff(void) {
    kimi_client_options *opts = kimi_client_options_new();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "x [[mock: status=503 type=server_error times=1 key=cancelwait]]");
    kimi_chat_response *resp = NULL;
    struct canceller canceller;
    pthread_t thread;
    double start;
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 20000, 20000), KIMI_OK);
    client = test_client_from(opts);
    canceller.token = kimi_cancel_token_new();
    canceller.delay_ms = 200;
    CHECK_INT(kimi_chat_request_set_cancel_token(req, canceller.token), KIMI_OK);
    start = now_ms();
    pthread_create(&thread, NULL, cancel_later, &canceller);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_ABORTED);
    CHECK(now_ms() - start < 10000); /* not the 10-20 s backoff */
    CHECK_CONTAINS(kimi_error_message(), "while waiting to retry POST");
    pthread_join(thread, NULL);
    kimi_chat_request_free(req);
    kimi_cancel_token_free(canceller.token);
    kimi_client_free(client);
}

static void test_retry_option_arguments(void) {
    kimi_client_options *opts = kimi_client_options_new();
    CHECK_INT(kimi_client_options_set_max_retries(NULL, 1), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_set_max_retries(opts, 101), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "retries: 101 is over 100");
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 10, 5), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "base_ms: 10 is over max_ms (5)");
    CHECK_INT(kimi_client_options_set_retry_delay_ms(NULL, 1, 5), KIMI_E_INVALID_ARGUMENT);
    kimi_client_options_free(opts);
}

/* The error answer's headers, and Retry-After as an HTTP-date. */
static void test_error_headers_and_dated_retry_after(void) {
    kimi_client *client = retry_client(0);
    long long wait;
    CHECK_INT(chat(client, "x [[mock: status=429 type=rate_limit_reached_error retry_after_date=30 "
                   "rheader=X-RateLimit-Remaining-Requests:0,X-Echo:sk-test-mock key=dated]]", NULL, 0),
              KIMI_E_API);
    wait = (long long)kimi_error_retry_after_ms();
    CHECK(wait > 25000 && wait <= 31000);
    CHECK_STR(kimi_error_header("x-ratelimit-remaining-requests"), "0");
    CHECK_STR(kimi_error_header("RETRY-AFTER") + strlen(kimi_error_header("RETRY-AFTER")) - 3, "GMT");
    CHECK_STR(kimi_error_header("no-such-header"), "");
    CHECK_STR(kimi_error_header(NULL), "");
    CHECK(kimi_error_header_count() >= 3);
    CHECK_STR(kimi_error_header_name(kimi_error_header_count()), "");
    CHECK_STR(kimi_error_header_value((size_t)-1), "");
    /* A server echoing the key in a header gets it back redacted. */
    CHECK(strstr(kimi_error_header("x-echo"), "sk-test-mock") == NULL);
    CHECK_CONTAINS(kimi_error_header("x-echo"), "[redacted]");
    /* A failure without an answer has no headers. */
    kimi_client_free(client);
    CHECK_INT(kimi_chat_create(NULL, NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT((int)kimi_error_header_count(), 0);
}

int main(void) {
    RUN(test_503_twice_then_success);
    RUN(test_each_retryable_answer);
    RUN(test_never_retried);
    RUN(test_retries_run_out);
    RUN(test_zero_retries);
    RUN(test_server_named_waits);
    RUN(test_a_wait_over_the_cap_is_not_retried);
    RUN(test_connection_failures_are_retried);
    RUN(test_idle_timeout_before_the_answer_is_retried);
    RUN(test_a_stream_is_retried_only_before_it_starts);
    RUN(test_cancel_during_backoff);
    RUN(test_retry_option_arguments);
    RUN(test_error_headers_and_dated_retry_after);
    return harness_finish();
}
