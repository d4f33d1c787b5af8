/* The one engine, seen from C: per-call options honoured by every call
 * style, client views for every other endpoint, the metadata every
 * response carries, and event queues drained from a host's poll loop. */
#include "harness.h"

#include <poll.h>

enum style { CREATE, STREAM, PULL, TASK_STREAM, TASK_CREATE, CONTINUE, STYLES };
static const char *style_names[] = {"create", "stream", "pull", "task_stream", "task_create", "continue"};

/* Runs `req` in `style`; stores the response (or NULL). */
static kimi_status run(kimi_client *client, kimi_chat_request *req, enum style style, kimi_chat_response **out) {
    kimi_status status = KIMI_E_INTERNAL;
    *out = NULL;
    switch (style) {
    case CREATE: return kimi_chat_create(client, req, out);
    case STREAM: return kimi_chat_stream(client, req, NULL, NULL, out);
    case PULL: {
        kimi_stream *stream;
        const kimi_stream_event *event;
        status = kimi_chat_stream_open(client, req, &stream);
        if (status != KIMI_OK) return status;
        while ((status = kimi_stream_next(stream, &event)) == KIMI_OK && event) {}
        if (kimi_stream_response(stream, out) != KIMI_OK) *out = NULL;
        kimi_stream_free(stream);
        return status;
    }
    case TASK_STREAM:
    case TASK_CREATE: {
        kimi_task *task;
        status = style == TASK_STREAM ? kimi_chat_stream_start(client, req, NULL, NULL, &task)
                                      : kimi_chat_create_start(client, req, NULL, NULL, &task);
        if (status != KIMI_OK) return status;
        status = kimi_task_wait(task, -1);
        if (kimi_task_response(task, out) != KIMI_OK) *out = NULL;
        kimi_task_free(task);
        return status;
    }
    case CONTINUE: {
        kimi_chat_response *first;
        status = kimi_chat_create(client, req, &first);
        if (status != KIMI_OK) return status;
        status = kimi_chat_continue(client, req, first, out);
        kimi_chat_response_free(first);
        return status;
    }
    default: return status;
    }
}

/* A request for `text` with the call options the tests need. */
static kimi_chat_request *optioned(const char *text) {
    kimi_chat_request *req = user_request(NULL, text);
    CHECK_INT(kimi_chat_request_add_header(req, "X-Call-Tag", "tag-1"), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_query(req, "trace", "a b&c"), KIMI_OK);
    return req;
}

static void test_per_call_headers_and_query_in_every_style(void) {
    kimi_client *client = test_client();
    int s;
    for (s = 0; s < STYLES; s++) {
        kimi_chat_request *req = optioned("hi [[mock: show_header=X-Call-Tag show_query]]");
        kimi_chat_response *resp;
        CHECK_INT(run(client, req, (enum style)s, &resp), KIMI_OK);
        CHECK(resp != NULL);
        if (resp) {
            const char *content = kimi_chat_response_full_content(resp, NULL);
            if (!strstr(content, "[X-Call-Tag=tag-1]") || !strstr(content, "[query=trace=a%20b%26c]")) {
                fprintf(stderr, "  %s: %s\n", style_names[s], content);
                CHECK(0);
            }
        }
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    /* A conversation's request carries them into create, stream and run. */
    {
        kimi_conversation *conv = kimi_conversation_new(client, NULL);
        kimi_chat_request *own = kimi_conversation_request(conv);
        kimi_chat_response *resp;
        CHECK_INT(kimi_chat_request_add_header(own, "X-Call-Tag", "conv-tag"), KIMI_OK);
        CHECK_INT(kimi_conversation_add_message(conv, "user", "a [[mock: show_header=X-Call-Tag]]"), KIMI_OK);
        CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
        CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "[X-Call-Tag=conv-tag]");
        kimi_chat_response_free(resp);
        CHECK_INT(kimi_conversation_add_message(conv, "user", "b [[mock: show_header=X-Call-Tag]]"), KIMI_OK);
        CHECK_INT(kimi_conversation_stream(conv, NULL, NULL, &resp), KIMI_OK);
        CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "[X-Call-Tag=conv-tag]");
        kimi_chat_response_free(resp);
        CHECK_INT(kimi_conversation_add_message(conv, "user", "c [[mock: show_header=X-Call-Tag]]"), KIMI_OK);
        CHECK_INT(kimi_conversation_run(conv, 2, NULL, NULL, &resp), KIMI_OK);
        CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "[X-Call-Tag=conv-tag]");
        kimi_chat_response_free(resp);
        kimi_conversation_free(conv);
    }
    kimi_client_free(client);
}

static void test_per_call_timeouts_and_retries_in_every_style(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    int s;
    /* The client's own limits are generous; each request's are tight. */
    CHECK_INT(kimi_client_options_set_timeout_ms(opts, 30000), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 1), KIMI_OK);
    client = test_client_from(opts);
    for (s = 0; s < STYLES; s++) {
        kimi_chat_request *req;
        kimi_chat_response *resp;
        double start;
        char text[160];
        if (s == CONTINUE) continue; /* two calls: the first would use up the time */
        /* A whole-call timeout shorter than the client's. */
        req = user_request(NULL, "slow [[mock: stall_ms=3000]]");
        CHECK_INT(kimi_chat_request_set_timeout_ms(req, 200), KIMI_OK);
        start = now_ms();
        CHECK_INT(run(client, req, (enum style)s, &resp), KIMI_E_TIMEOUT);
        CHECK(now_ms() - start < 1500);
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
        /* An idle timeout of its own. */
        req = user_request(NULL, "slow [[mock: stall_ms=3000]]");
        CHECK_INT(kimi_chat_request_set_idle_timeout_ms(req, 200), KIMI_OK);
        start = now_ms();
        CHECK_INT(run(client, req, (enum style)s, &resp), KIMI_E_TIMEOUT);
        CHECK_CONTAINS(kimi_error_message(), "idle timeout");
        CHECK(now_ms() - start < 1500);
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
        /* Retries of its own (the client makes none). */
        snprintf(text, sizeof text, "again [[mock: status=503 type=server_error times=1 key=percall-%d]]", s);
        req = user_request(NULL, text);
        CHECK_INT(kimi_chat_request_set_max_retries(req, 1), KIMI_OK);
        CHECK_INT(run(client, req, (enum style)s, &resp), KIMI_OK);
        if (resp) CHECK_INT(kimi_chat_response_attempts(resp), 2);
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    {
        kimi_chat_request *req = user_request(NULL, "x");
        CHECK_INT(kimi_chat_request_set_max_retries(req, 101), KIMI_E_INVALID_ARGUMENT);
        CHECK_INT(kimi_chat_request_set_max_retries(req, -2), KIMI_E_INVALID_ARGUMENT);
        CHECK_INT(kimi_chat_request_add_header(req, "Authorization", "Bearer x"), KIMI_E_INVALID_ARGUMENT);
        CHECK_INT(kimi_chat_request_add_header(req, "X-Ok", "a\r\nb"), KIMI_E_INVALID_ARGUMENT);
        kimi_chat_request_free(req);
    }
    kimi_client_free(client);
}

/* The value the mock saw in its latest request for header `name`, or query. */
static void mock_last(const char *what, char *out, size_t size) {
    const char *port = getenv("KIMI_MOCK_PORT");
    char request[256], answer[8192], needle[128];
    struct sockaddr_in address;
    const char *at, *end;
    size_t got = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    out[0] = 0;
    if (!port || fd < 0) return;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)atoi(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(request, sizeof request, "GET /mock/last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0 &&
        write(fd, request, strlen(request)) == (ssize_t)strlen(request)) {
        while (got < sizeof answer - 1 && (n = read(fd, answer + got, sizeof answer - 1 - got)) > 0) got += (size_t)n;
    }
    close(fd);
    answer[got] = 0;
    snprintf(needle, sizeof needle, "\"%s\":\"", what);
    at = strstr(answer, needle);
    if (!at) return;
    at += strlen(needle);
    end = strchr(at, '"');
    if (end && (size_t)(end - at) < size) {
        memcpy(out, at, (size_t)(end - at));
        out[end - at] = 0;
    }
}

static void test_client_views_for_every_endpoint(void) {
    kimi_client *client = test_client();
    kimi_call_options *opts = kimi_call_options_new();
    kimi_client *view, *slow_view;
    kimi_model_list *models;
    kimi_file_list *files;
    kimi_chat_request *req = user_request(NULL, "count these words");
    kimi_chat_response *resp;
    int64_t tokens;
    double available;
    char seen[256];
    CHECK_INT(kimi_call_options_add_header(opts, "X-View-Tag", "view-1"), KIMI_OK);
    CHECK_INT(kimi_call_options_add_query(opts, "team", "red"), KIMI_OK);
    CHECK_INT(kimi_client_with_options(client, opts, &view), KIMI_OK);
    CHECK_INT(kimi_models_list(view, &models), KIMI_OK);
    mock_last("x-view-tag", seen, sizeof seen);
    CHECK_STR(seen, "view-1");
    mock_last("query", seen, sizeof seen);
    CHECK_STR(seen, "team=red");
    kimi_model_list_free(models);
    CHECK_INT(kimi_files_list(view, &files), KIMI_OK);
    mock_last("x-view-tag", seen, sizeof seen);
    CHECK_STR(seen, "view-1");
    kimi_file_list_free(files);
    CHECK_INT(kimi_chat_estimate_tokens(view, req, &tokens), KIMI_OK);
    mock_last("x-view-tag", seen, sizeof seen);
    CHECK_STR(seen, "view-1");
    CHECK_INT(kimi_balance_get(view, &available, NULL, NULL), KIMI_OK);
    /* Chats through the view carry its options too, with the request's on top. */
    CHECK_INT(kimi_chat_request_add_header(req, "X-Call-Tag", "call-1"), KIMI_OK);
    CHECK_INT(kimi_chat_create(view, req, &resp), KIMI_OK);
    mock_last("x-view-tag", seen, sizeof seen);
    CHECK_STR(seen, "view-1");
    mock_last("x-call-tag", seen, sizeof seen);
    CHECK_STR(seen, "call-1");
    kimi_chat_response_free(resp);
    /* The client itself is unchanged. */
    CHECK_INT(kimi_models_list(client, &models), KIMI_OK);
    mock_last("x-view-tag", seen, sizeof seen);
    CHECK_STR(seen, "");
    kimi_model_list_free(models);
    /* A view's timeout ends a slow call of any endpoint. */
    kimi_call_options_free(opts);
    opts = kimi_call_options_new();
    CHECK_INT(kimi_call_options_add_header(opts, "X-Mock-Scenario", "stall_ms=3000"), KIMI_OK);
    CHECK_INT(kimi_call_options_set_timeout_ms(opts, 200), KIMI_OK);
    CHECK_INT(kimi_client_with_options(view, opts, &slow_view), KIMI_OK);
    CHECK_INT(kimi_balance_get(slow_view, &available, NULL, NULL), KIMI_E_TIMEOUT);
    CHECK_INT(kimi_models_list(slow_view, &models), KIMI_E_TIMEOUT);
    CHECK_INT(kimi_call_options_set_max_retries(opts, 101), KIMI_E_INVALID_ARGUMENT);
    /* Views outlive their client, and the other way round. */
    kimi_client_free(client);
    CHECK_INT(kimi_models_list(view, &models), KIMI_OK);
    kimi_model_list_free(models);
    kimi_client_free(slow_view);
    kimi_client_free(view);
    kimi_call_options_free(opts);
    kimi_chat_request_free(req);
}

/* --------------------------------------------------------------- metadata */

static void check_metadata(const kimi_chat_response *resp, int streamed, const char *style) {
    double first_byte, first_token, elapsed;
    CHECK(resp != NULL);
    if (!resp) return;
    CHECK(strncmp(kimi_chat_response_request_id(resp), "req-mock-", 9) == 0);
    CHECK_STR(kimi_chat_response_header(resp, "X-Custom"), "hello there");
    CHECK_STR(kimi_chat_response_header(resp, "X-RATELIMIT-REMAINING-REQUESTS"), "42");
    CHECK_STR(kimi_chat_response_header(resp, "no-such-header"), "");
    CHECK_INT(kimi_chat_response_http_status(resp), 200);
    CHECK_INT(kimi_chat_response_attempts(resp), 2);
    CHECK(kimi_chat_response_header_count(resp) >= 3);
    CHECK_STR(kimi_chat_response_header_name(resp, 999), "");
    first_byte = kimi_chat_response_first_byte_ms(resp);
    first_token = kimi_chat_response_first_token_ms(resp);
    elapsed = kimi_chat_response_elapsed_ms(resp);
    if (!(first_byte >= 0 && first_byte <= elapsed) ||
        (streamed && !(first_token >= first_byte && first_token <= elapsed)) || (!streamed && first_token != -1)) {
        fprintf(stderr, "  %s: first byte %.2f, first token %.2f, elapsed %.2f\n", style, first_byte, first_token,
                elapsed);
        CHECK(0);
    }
}

static void test_metadata_in_every_style(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    int s;
    CHECK_INT(kimi_client_options_set_max_retries(opts, 1), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 1), KIMI_OK);
    client = test_client_from(opts);
    for (s = 0; s <= TASK_CREATE; s++) {
        char text[200];
        kimi_chat_request *req;
        kimi_chat_response *resp;
        snprintf(text, sizeof text,
                 "meta [[mock: status=503 type=server_error times=1 key=meta-%d rheader=X-Custom:hello_there,"
                 "x-ratelimit-remaining-requests:42 delay_ms=5]]", s);
        req = user_request(NULL, text);
        CHECK_INT(run(client, req, (enum style)s, &resp), KIMI_OK);
        check_metadata(resp, s == STREAM || s == PULL || s == TASK_STREAM, style_names[s]);
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    {   /* A server echoing the key in a header gets it back redacted. */
        kimi_chat_request *req = user_request(NULL, "echo [[mock: rheader=X-Echo:sk-test-mock]]");
        kimi_chat_response *resp = NULL;
        CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
        CHECK_STR(kimi_chat_response_header(resp, "x-echo"), "[redacted]");
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    CHECK_STR(kimi_chat_response_request_id(NULL), "");
    CHECK_INT(kimi_chat_response_attempts(NULL), 0);
    CHECK(kimi_chat_response_elapsed_ms(NULL) == -1);
    kimi_client_free(client);
}

/* ------------------------------------------------------------ event queues */

#define QUEUED_TASKS 200

struct collected {
    char text[64];
    size_t used;
    int ends, status;
};

static void test_queue_drained_from_a_poll_loop(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue;
    kimi_task *tasks[QUEUED_TASKS];
    static struct collected got[QUEUED_TASKS];
    struct pollfd watch;
    int i, ended = 0, wakeups = 0, spurious = 0;
    long events = 0;
    const kimi_stream_event *event;
    memset(got, 0, sizeof got);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    CHECK(watch.fd >= 0);
    /* Nothing waits: not readable. */
    CHECK_INT(poll(&watch, 1, 0), 0);
    for (i = 0; i < QUEUED_TASKS; i++) {
        char text[64];
        kimi_chat_request *req;
        snprintf(text, sizeof text, "n%d [[mock: delay_ms=2]]", i);
        req = user_request(NULL, text);
        CHECK_INT((i % 10 == 9 ? kimi_chat_create_start_queued : kimi_chat_stream_start_queued)(
                      client, req, queue, &got[i], &tasks[i]), KIMI_OK);
        kimi_chat_request_free(req);
    }
    while (ended < QUEUED_TASKS) {
        int ready = poll(&watch, 1, 5000);
        if (ready <= 0) {
            fprintf(stderr, "  the queue stayed silent with %d tasks running\n", QUEUED_TASKS - ended);
            CHECK(0);
            break;
        }
        int drained = 0;
        wakeups++;
        while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
            drained++;
            struct collected *c = kimi_stream_event_user_data(event);
            int index = (int)(c - got);
            size_t n;
            const char *t = kimi_stream_event_text(event, &n);
            events++;
            CHECK(index >= 0 && index < QUEUED_TASKS);
            if (index < 0 || index >= QUEUED_TASKS) break;
            CHECK(kimi_stream_event_task(event) == tasks[index]);
            if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA && c->used + n < sizeof c->text) {
                memcpy(c->text + c->used, t, n);
                c->used += n;
            } else if (kimi_stream_event_type(event) == KIMI_EVENT_END) {
                c->ends++;
                c->status = kimi_stream_event_status(event);
                ended++;
            }
        }
        /* Readable only while events wait: a wakeup always finds one. */
        if (drained == 0) spurious++;
    }
    CHECK_INT(spurious, 0);
    for (i = 0; i < QUEUED_TASKS; i++) {
        char expected[64];
        kimi_chat_response *resp;
        CHECK_INT(got[i].ends, 1);
        CHECK_INT(got[i].status, KIMI_OK);
        snprintf(expected, sizeof expected, "You said: n%d", i);
        if (i % 10 == 9) {
            /* A create task queues only its END; its answer is the task's response. */
            CHECK_INT(got[i].used, 0);
            CHECK_INT(kimi_task_response(tasks[i], &resp), KIMI_OK);
            CHECK_STR(kimi_chat_response_content(resp, NULL), expected);
            kimi_chat_response_free(resp);
        } else {
            got[i].text[got[i].used] = 0;
            CHECK_STR(got[i].text, expected);
        }
        kimi_task_free(tasks[i]);
    }
    CHECK(events > QUEUED_TASKS * 4);
    CHECK(wakeups > 1);
    CHECK_INT(kimi_event_queue_next(queue, &event), KIMI_OK);
    CHECK(event == NULL);
    CHECK_INT(poll(&watch, 1, 0), 0);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

static void test_cancel_drops_queued_events(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue;
    kimi_task *task;
    kimi_chat_request *req = user_request(NULL, "many words to say here [[mock: chunks=50]]");
    const kimi_stream_event *event;
    int n = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    /* Ended, its events waiting; a cancel now drops them but its END, which
       still tells the host how it ended (nothing was left to cancel). */
    kimi_task_cancel(task);
    while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
        n++;
        CHECK_INT(kimi_stream_event_type(event), KIMI_EVENT_END);
        CHECK_INT(kimi_stream_event_status(event), KIMI_OK);
    }
    CHECK_INT(n, 1);
    n = 0;
    kimi_task_free(task);
    /* Freeing a running task drops what it queued and queues nothing more. */
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    kimi_task_free(task);
    while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) n++;
    CHECK_INT(n, 0);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A running stream task's head: its status and headers while it streams. */
static void test_task_head_while_streaming(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue;
    kimi_task *task;
    kimi_chat_response *head = NULL;
    kimi_chat_request *req =
        user_request(NULL, "a b c [[mock: stall_after=2 stall_ms=5000 rheader=X-Custom:streaming_head]]");
    const kimi_stream_event *event = NULL;
    struct pollfd watch;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    CHECK_INT(poll(&watch, 1, 5000), 1);
    CHECK_INT(kimi_event_queue_next(queue, &event), KIMI_OK);
    CHECK(event != NULL);
    CHECK_INT(kimi_task_status(task), KIMI_E_PENDING);  /* still streaming (the mock stalls) */
    CHECK_INT(kimi_task_head(task, &head), KIMI_OK);
    CHECK_INT(kimi_chat_response_http_status(head), 200);
    CHECK_STR(kimi_chat_response_header(head, "x-custom"), "streaming head");
    CHECK(strncmp(kimi_chat_response_request_id(head), "req-mock-", 9) == 0 ||
          kimi_chat_response_request_id(head)[0] == 0);
    CHECK(kimi_chat_response_first_byte_ms(head) >= 0);
    CHECK_INT(kimi_chat_response_choice_count(head), 0);
    kimi_chat_response_free(head);
    kimi_task_free(task);
    /* A task that got no answer has no head. */
    {
        kimi_client_options *opts = test_options();
        kimi_client *nowhere;
        CHECK_INT(kimi_client_options_set_base_url(opts, "http://127.0.0.1:1/v1"), KIMI_OK);
        nowhere = test_client_from(opts);
        CHECK_INT(kimi_chat_stream_start_queued(nowhere, req, queue, NULL, &task), KIMI_OK);
        CHECK_INT(kimi_task_wait(task, -1), KIMI_E_TRANSPORT);
        head = (kimi_chat_response *)1;
        CHECK_INT(kimi_task_head(task, &head), KIMI_E_PENDING);
        CHECK(head == NULL);
        kimi_task_free(task);
        kimi_client_free(nowhere);
    }
    CHECK_INT(kimi_task_head(NULL, &head), KIMI_E_INVALID_ARGUMENT);
    {   /* A pull stream's head, right after it opened. */
        kimi_stream *stream = NULL;
        CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
        CHECK_INT(kimi_stream_head(stream, &head), KIMI_OK);
        CHECK_INT(kimi_chat_response_http_status(head), 200);
        CHECK_STR(kimi_chat_response_header(head, "X-Custom"), "streaming head");
        kimi_chat_response_free(head);
        kimi_stream_free(stream);
        CHECK_INT(kimi_stream_head(NULL, &head), KIMI_E_INVALID_ARGUMENT);
    }
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A host that stops draining: the tasks stop reading once the queue holds
 * its limit (their servers wait under TCP flow control), no idle timeout
 * fires meanwhile, and everything arrives once the host drains again. */
static void test_a_full_queue_pauses_its_tasks(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_event_queue *queue;
    kimi_task *tasks[8];
    kimi_chat_request *req = user_request(NULL, "x [[mock: chunks=8000 batch=65536]]");
    const kimi_stream_event *event;
    long events = 0, content = 0;
    int i, ended = 0;
    struct pollfd watch;
    CHECK_INT(kimi_client_options_set_idle_timeout_ms(opts, 3000), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (i = 0; i < 8; i++) CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &tasks[i]), KIMI_OK);
    /* 8 x 8000 pieces is far over the queue's limit (4096 events, plus
       what one round of reading brings each task): while nothing is
       drained the tasks still reading cannot finish, and they outlive their 3 s idle timeout
       paused. (The mock formats and writes one stream at a time without
       yielding: on a busy machine the last streams' first bytes come more
       than a second later, so a shorter idle timeout would fire before
       their server answered at all.) */
    {
        struct timespec second = {3, 500000000};
        int pending = 0;
        nanosleep(&second, NULL);
        for (i = 0; i < 8; i++) {
            kimi_status status = kimi_task_status(tasks[i]);
            if (status != KIMI_E_PENDING) CHECK_INT(status, KIMI_OK);
            pending += status == KIMI_E_PENDING;
        }
        /* Most wait paused. Not all of them need to: a task whose whole
           body curl already took in (one stream, read before the others'
           first bytes came, as under TSan) finishes into the queue
           anyway, since pausing stops reading the socket, not publishing
           what was read. */
        CHECK(pending >= 4);
    }
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (ended < 8 && poll(&watch, 1, 5000) == 1) {
        while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
            events++;
            if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA) content++;
            if (kimi_stream_event_type(event) == KIMI_EVENT_END) {
                CHECK_INT(kimi_stream_event_status(event), KIMI_OK);
                ended++;
            }
        }
    }
    CHECK_INT(ended, 8);
    CHECK_INT(content, 8 * 8000);
    for (i = 0; i < 8; i++) {
        CHECK_INT(kimi_task_wait(tasks[i], -1), KIMI_OK);
        kimi_task_free(tasks[i]);
    }
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_per_call_headers_and_query_in_every_style);
    RUN(test_per_call_timeouts_and_retries_in_every_style);
    RUN(test_client_views_for_every_endpoint);
    RUN(test_metadata_in_every_style);
    RUN(test_queue_drained_from_a_poll_loop);
    RUN(test_cancel_drops_queued_events);
    RUN(test_task_head_while_streaming);
    RUN(test_a_full_queue_pauses_its_tasks);
    return harness_finish();
}
