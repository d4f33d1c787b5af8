/* The asynchronous API: many tasks at once on the client's event loop,
 * waiting with a timeout, cancelling, freeing a running task, failures,
 * retries and the connection cap. */
#include "harness.h"

/* What one task's callback saw. */
struct seen {
    pthread_mutex_t lock;
    char content[256];
    size_t used;
    int events, ends, after_end, end_status, done;
    int stop_after; /* return non-zero at this content event (0: never) */
    int content_events;
    int poisoned;   /* set once the task is freed: no callback may follow */
    int called_after_free;
    kimi_task *free_me; /* freed from its own callback at the first content */
    int wait_status;    /* kimi_task_wait from the callback */
};

static int on_event(const kimi_stream_event *ev, void *user_data) {
    struct seen *s = user_data;
    size_t n;
    const char *text = kimi_stream_event_text(ev, &n);
    int type = kimi_stream_event_type(ev);
    pthread_mutex_lock(&s->lock);
    if (s->poisoned) s->called_after_free++;
    if (s->ends) s->after_end++;
    s->events++;
    if (type == KIMI_EVENT_CONTENT_DELTA && s->used + n < sizeof s->content) {
        memcpy(s->content + s->used, text, n);
        s->used += n;
        s->content[s->used] = 0;
        s->content_events++;
    }
    if (type == KIMI_EVENT_DONE) s->done++;
    if (type == KIMI_EVENT_END) {
        s->ends++;
        s->end_status = kimi_stream_event_status(ev);
    }
    if (type == KIMI_EVENT_CONTENT_DELTA && s->free_me) {
        s->wait_status = kimi_task_wait(s->free_me, 1000);
        kimi_task_free(s->free_me);
        s->free_me = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    return s->stop_after && s->content_events == s->stop_after;
}

/* A field of `s`, read under its lock (the callbacks run on another thread). */
static int seen_get(struct seen *s, const int *field) {
    int value;
    pthread_mutex_lock(&s->lock);
    value = *field;
    pthread_mutex_unlock(&s->lock);
    return value;
}

static void seen_init(struct seen *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

#define MANY 200

static void test_many_tasks_at_once(void) {
    static struct seen seen[MANY];
    static kimi_task *tasks[MANY];
    kimi_client *client = test_client();
    int i, wrong = 0;
    for (i = 0; i < MANY; i++) {
        char text[64];
        kimi_chat_request *req;
        seen_init(&seen[i]);
        snprintf(text, sizeof text, "task %d says hi", i);
        req = user_request(NULL, text);
        /* Every third task is non-streamed. */
        if (i % 3 == 2) CHECK_INT(kimi_chat_create_start(client, req, on_event, &seen[i], &tasks[i]), KIMI_OK);
        else CHECK_INT(kimi_chat_stream_start(client, req, on_event, &seen[i], &tasks[i]), KIMI_OK);
        kimi_chat_request_free(req); /* the task does not need it */
    }
    for (i = 0; i < MANY; i++) {
        char expected[64];
        kimi_chat_response *resp = NULL;
        CHECK_INT(kimi_task_wait(tasks[i], -1), KIMI_OK);
        CHECK_INT(kimi_task_status(tasks[i]), KIMI_OK);
        CHECK_INT(kimi_task_response(tasks[i], &resp), KIMI_OK);
        snprintf(expected, sizeof expected, "You said: task %d says hi", i);
        if (strcmp(kimi_chat_response_content(resp, NULL), expected) != 0) wrong++;
        if (i % 3 == 2) {
            if (seen[i].events != 1 || seen[i].used != 0) wrong++; /* only END */
        } else if (strcmp(seen[i].content, expected) != 0 || seen[i].done != 1) {
            wrong++;
        }
        if (seen[i].ends != 1 || seen[i].after_end || seen[i].end_status != KIMI_OK) wrong++;
        kimi_chat_response_free(resp);
        kimi_task_free(tasks[i]);
    }
    CHECK_INT(wrong, 0);
    kimi_client_free(client);
}

static void test_wait_with_a_timeout(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "slow [[mock: stall_ms=600]]");
    kimi_task *task = NULL;
    kimi_chat_response *resp = (kimi_chat_response *)1;
    double start;
    CHECK_INT(kimi_chat_create_start(client, req, NULL, NULL, &task), KIMI_OK);
    start = now_ms();
    CHECK_INT(kimi_task_wait(task, 50), KIMI_E_PENDING);
    CHECK(now_ms() - start >= 45);
    CHECK_CONTAINS(kimi_error_message(), "kimi_task_wait: the task is still running after 50 ms");
    CHECK_INT(kimi_task_wait(task, 0), KIMI_E_PENDING);
    CHECK_INT(kimi_task_status(task), KIMI_E_PENDING);
    CHECK_INT(kimi_task_response(task, &resp), KIMI_E_PENDING);
    CHECK(resp == NULL);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    CHECK_INT(kimi_task_response(task, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: slow");
    kimi_chat_response_free(resp);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_cancel_keeps_what_arrived(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "a b c d [[mock: stall_after=2 stall_ms=5000]]");
    struct seen s;
    kimi_task *task = NULL;
    kimi_chat_response *resp = NULL;
    double cancelled;
    seen_init(&s);
    CHECK_INT(kimi_chat_stream_start(client, req, on_event, &s, &task), KIMI_OK);
    while (kimi_task_status(task) == KIMI_E_PENDING && seen_get(&s, &s.content_events) < 2) {
        struct timespec pause = {0, 5000000L};
        nanosleep(&pause, NULL);
    }
    cancelled = now_ms();
    kimi_task_cancel(task);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_ABORTED);
    CHECK(now_ms() - cancelled < 1000); /* not the 5 s stall */
    CHECK_CONTAINS(kimi_error_message(), "cancelled");
    CHECK_INT(s.ends, 1);
    CHECK_INT(s.end_status, KIMI_E_ABORTED);
    CHECK_INT(kimi_task_response(task, &resp), KIMI_OK); /* the partial answer */
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: ");
    CHECK_STR(s.content, "You said: ");
    kimi_task_cancel(task); /* harmless now */
    kimi_chat_response_free(resp);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_free_during_a_running_task(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "one two three four five six [[mock: delay_ms=30]]");
    struct seen s;
    kimi_task *task = NULL;
    struct timespec pause = {0, 300000000L};
    seen_init(&s);
    CHECK_INT(kimi_chat_stream_start(client, req, on_event, &s, &task), KIMI_OK);
    while (seen_get(&s, &s.content_events) < 1) {
        struct timespec tick = {0, 2000000L};
        nanosleep(&tick, NULL);
    }
    kimi_task_free(task);
    pthread_mutex_lock(&s.lock);
    s.poisoned = 1;
    pthread_mutex_unlock(&s.lock);
    nanosleep(&pause, NULL); /* the stream would have gone on */
    CHECK_INT(s.called_after_free, 0);
    CHECK(s.content_events < 8);
    /* The client goes on serving other tasks. */
    CHECK_INT(kimi_chat_create_start(client, req, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_free_and_wait_from_the_callback(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "free me from inside [[mock: delay_ms=5]]");
    struct seen s;
    kimi_task *task = NULL, *started = NULL;
    struct timespec pause = {0, 200000000L};
    seen_init(&s);
    /* The callback frees its own task at the first content event. */
    pthread_mutex_lock(&s.lock);
    CHECK_INT(kimi_chat_stream_start(client, req, on_event, &s, &started), KIMI_OK);
    s.free_me = started;
    pthread_mutex_unlock(&s.lock);
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&s.lock);
    CHECK(s.free_me == NULL);
    pthread_mutex_unlock(&s.lock);
    CHECK_INT(s.wait_status, KIMI_E_INVALID_ARGUMENT); /* waiting on the loop would hang */
    CHECK_INT(s.content_events, 1);                    /* nothing after the free */
    CHECK_INT(s.ends, 0);
    /* Starting tasks from a callback works too: the client is healthy. */
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_callback_stops_the_task(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "stop after two words please");
    struct seen s;
    kimi_task *task = NULL;
    kimi_chat_response *resp = NULL;
    seen_init(&s);
    s.stop_after = 2;
    CHECK_INT(kimi_chat_stream_start(client, req, on_event, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_ABORTED);
    CHECK_CONTAINS(kimi_error_message(), "callback returned non-zero");
    CHECK_INT(s.content_events, 2);
    CHECK_INT(s.ends, 1);
    CHECK_INT(kimi_task_response(task, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), s.content);
    kimi_chat_response_free(resp);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_failures_and_retries(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req;
    kimi_task *task = NULL;
    kimi_chat_response *resp = (kimi_chat_response *)1;
    struct seen s;
    CHECK_INT(kimi_client_options_set_max_retries(opts, 2), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 4), KIMI_OK);
    client = test_client_from(opts);
    /* Refused before any stream: the failure, no response. */
    req = user_request(NULL, "x [[mock: status=401 type=invalid_authentication_error]]");
    seen_init(&s);
    CHECK_INT(kimi_chat_stream_start(client, req, on_event, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 401);
    CHECK_STR(kimi_error_type(), "invalid_authentication_error");
    CHECK_INT(kimi_task_status(task), KIMI_E_API);
    CHECK_INT(kimi_error_status(), KIMI_E_API); /* reading the status keeps the error */
    CHECK_INT(kimi_task_response(task, &resp), KIMI_E_API);
    CHECK(resp == NULL);
    CHECK_INT(s.events, 1); /* just END */
    CHECK_INT(s.end_status, KIMI_E_API);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    /* 503 twice, then the answer: retried on the loop. */
    req = user_request(NULL, "again [[mock: status=503 type=server_error times=2 key=task-retry]]");
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    CHECK_INT(mock_count("task-retry", "count"), 3);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    /* A stream cut after it started is not retried; the partial is kept. */
    req = user_request(NULL, "one two three four [[mock: cut_after=2 times=1 key=task-cut]]");
    seen_init(&s);
    CHECK_INT(kimi_chat_stream_start(client, req, on_event, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_INCOMPLETE);
    CHECK_INT(mock_count("task-cut", "count"), 1);
    CHECK_INT(kimi_task_response(task, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), s.content);
    kimi_chat_response_free(resp);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    /* A bad request fails at start, not in the task. */
    req = user_request(NULL, "x");
    CHECK_INT(kimi_chat_request_set_temperature(req, 0.2), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_create_start(NULL, req, NULL, NULL, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_task_wait(NULL, 0), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_task_status(NULL), KIMI_E_INVALID_ARGUMENT);
    kimi_task_cancel(NULL);
    kimi_task_free(NULL);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_cancel_token_and_idle_timeout(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "a b c [[mock: stall_after=1 stall_ms=5000]]");
    kimi_cancel_token *token = kimi_cancel_token_new();
    kimi_task *task = NULL;
    CHECK_INT(kimi_client_options_set_idle_timeout_ms(opts, 300), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_chat_request_set_cancel_token(req, token), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_OK);
    kimi_cancel_token_cancel(token);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_ABORTED);
    kimi_task_free(task);
    kimi_cancel_token_reset(token);
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_TIMEOUT);
    CHECK_CONTAINS(kimi_error_message(), "idle timeout");
    kimi_task_free(task);
    kimi_cancel_token_free(token);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

struct blocking_call {
    kimi_client *client;
    int status;
};

static void *blocking_worker(void *arg) {
    struct blocking_call *call = arg;
    kimi_chat_request *req = user_request(NULL, "blocking [[mock: delay_ms=20 key=cap-blocking]]");
    kimi_chat_response *resp = NULL;
    call->status = kimi_chat_stream(call->client, req, NULL, NULL, &resp);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    return NULL;
}

static void test_connection_cap_queues(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "capped stream [[mock: delay_ms=20 key=cap-tasks]]");
    kimi_task *tasks[8];
    struct blocking_call calls[6];
    pthread_t threads[6];
    int i;
    CHECK_INT(kimi_client_options_set_max_connections(opts, 2), KIMI_OK);
    client = test_client_from(opts);
    for (i = 0; i < 8; i++) CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &tasks[i]), KIMI_OK);
    for (i = 0; i < 8; i++) {
        CHECK_INT(kimi_task_wait(tasks[i], -1), KIMI_OK);
        kimi_task_free(tasks[i]);
    }
    CHECK_INT(mock_count("cap-tasks", "count"), 8);
    CHECK_INT(mock_count("cap-tasks", "peak"), 2);
    for (i = 0; i < 6; i++) {
        calls[i].client = client;
        pthread_create(&threads[i], NULL, blocking_worker, &calls[i]);
    }
    for (i = 0; i < 6; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT(calls[i].status, KIMI_OK);
    }
    CHECK_INT(mock_count("cap-blocking", "peak"), 2);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_freeing_the_client_ends_its_tasks(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "long [[mock: stall_ms=5000]]");
    struct seen s[3];
    kimi_task *tasks[3];
    int i;
    double start;
    for (i = 0; i < 3; i++) {
        seen_init(&s[i]);
        CHECK_INT(kimi_chat_stream_start(client, req, on_event, &s[i], &tasks[i]), KIMI_OK);
    }
    start = now_ms();
    kimi_client_free(client);
    CHECK(now_ms() - start < 2000);
    for (i = 0; i < 3; i++) {
        CHECK_INT(kimi_task_status(tasks[i]), KIMI_E_ABORTED);
        CHECK_INT(s[i].ends, 1);
        CHECK_INT(kimi_task_wait(tasks[i], 0), KIMI_E_ABORTED);
        CHECK_CONTAINS(kimi_error_message(), "the client was freed");
        kimi_task_free(tasks[i]);
    }
    kimi_chat_request_free(req);
}

int main(void) {
    RUN(test_many_tasks_at_once);
    RUN(test_wait_with_a_timeout);
    RUN(test_cancel_keeps_what_arrived);
    RUN(test_free_during_a_running_task);
    RUN(test_free_and_wait_from_the_callback);
    RUN(test_callback_stops_the_task);
    RUN(test_failures_and_retries);
    RUN(test_cancel_token_and_idle_timeout);
    RUN(test_connection_cap_queues);
    RUN(test_freeing_the_client_ends_its_tasks);
    return harness_finish();
}
