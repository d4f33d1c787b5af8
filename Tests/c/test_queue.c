/* Event queues under pressure: the strings of a taken event stay valid
 * whatever else is read from it; a single delta larger than the queue's
 * bound, a silent server, many tasks and a slow reader never stall a
 * stream. Against the mock and the hostile server (with_mock.py --hostile). */
#include "harness.h"

#include <poll.h>

static kimi_client *hostile_client(const char *path) { return test_client_from(hostile_options(path, NULL)); }

/* Reading an event's raw chunk, completion id and model (long ones: 300
 * bytes each) leaves its text where it was (0.2.0 moved it). */
static void test_event_strings_survive_other_reads(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "x [[mock: chunks=40 long_ids=300 reasoning_chunks=5]]");
    kimi_event_queue *queue;
    kimi_task *task;
    const kimi_stream_event *event;
    int checked = 0, ended = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
        size_t n, m;
        const char *text = kimi_stream_event_text(event, &n);
        char copy[256];
        if (kimi_stream_event_type(event) == KIMI_EVENT_END) ended = 1;
        if (n == 0 || n >= sizeof copy) continue;
        memcpy(copy, text, n + 1);
        (void)kimi_stream_event_json(event, &m);
        CHECK_INT(strlen(kimi_stream_event_completion_id(event)), 300);
        CHECK_INT(strlen(kimi_stream_event_model(event)), 300);
        (void)kimi_stream_event_finish_reason(event);
        (void)kimi_stream_event_tool_call_id(event);
        (void)kimi_stream_event_json(event, &m);
        CHECK(memcmp(copy, text, n + 1) == 0);
        CHECK(kimi_stream_event_text(event, &m) == text && m == n);
        checked++;
    }
    CHECK(checked >= 45);
    CHECK(ended);
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A server that names the completion's id and model only in a later chunk
 * (found by the queue's fuzz target): events queued before it read "", the
 * later ones the id, and none reads freed memory. */
static void test_an_id_that_comes_late(void) {
    kimi_client *client = hostile_client("sse/late-id");
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_event_queue *queue;
    kimi_task *task;
    const kimi_stream_event *event;
    int with_id = 0, without = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
        const char *id = kimi_stream_event_completion_id(event);
        if (kimi_stream_event_type(event) == KIMI_EVENT_END) continue;
        if (*id) {
            CHECK_INT(strlen(id), 65);
            CHECK_INT(strlen(kimi_stream_event_model(event)), 65);
            with_id++;
        } else {
            CHECK_STR(kimi_stream_event_model(event), "");
            without++;
        }
    }
    CHECK(without >= 2 && with_id >= 2);
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* One content delta larger than the queue's whole bound (8 MiB), then a
 * silent server: the task pauses while the delta waits, resumes once it is
 * taken, and ends (0.2.0 paused it again and never resumed). */
static void test_a_delta_larger_than_the_bound_never_stalls(void) {
    static const char *cases[] = {"bigdelta/4500000/800", "bigdelta/9000000/800"};
    static const size_t sizes[] = {4500000, 9000000};
    size_t i;
    for (i = 0; i < 2; i++) {
        kimi_client *client = hostile_client(cases[i]);
        kimi_chat_request *req = user_request(NULL, "hi");
        kimi_event_queue *queue;
        kimi_task *task;
        struct drained seen[1];
        memset(seen, 0, sizeof seen);
        CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)0, &task), KIMI_OK);
        drain_queue(queue, seen, 1, 0, 10000);
        CHECK_INT(seen[0].status, KIMI_OK);
        CHECK_INT(seen[0].content, sizes[i] + 4);
        CHECK(memcmp(seen[0].tail, "tail", 4) == 0);
        kimi_task_free(task);
        kimi_event_queue_free(queue);
        kimi_chat_request_free(req);
        kimi_client_free(client);
    }
}

/* Many tasks, huge deltas and long streams mixed, one slow reader: every
 * task ends with everything it was sent. */
static void test_many_tasks_and_a_slow_reader(void) {
    kimi_client *mock = test_client();
    kimi_client *hostile = hostile_client("bigdelta/5000000/300");
    kimi_chat_request *small = user_request(NULL, "x [[mock: chunks=3000 batch=65536]]");
    kimi_chat_request *big = user_request(NULL, "hi");
    kimi_event_queue *queue;
    kimi_task *tasks[8];
    struct drained seen[8];
    size_t i;
    memset(seen, 0, sizeof seen);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (i = 0; i < 8; i++) {
        int huge = i % 4 == 0;
        CHECK_INT(kimi_chat_stream_start_queued(huge ? hostile : mock, huge ? big : small, queue, (void *)i, &tasks[i]),
                  KIMI_OK);
    }
    drain_queue(queue, seen, 8, 500, 10000);
    for (i = 0; i < 8; i++) {
        CHECK_INT(seen[i].status, KIMI_OK);
        CHECK_INT(seen[i].content, i % 4 == 0 ? 5000004 : 3000 * 4);
        kimi_task_free(tasks[i]);
    }
    kimi_event_queue_free(queue);
    kimi_chat_request_free(small);
    kimi_chat_request_free(big);
    kimi_client_free(mock);
    kimi_client_free(hostile);
}

/* A task freed while its events wait, and a queue freed before its tasks:
 * nothing leaks (make asan) and nothing is delivered after the free. */
static void test_free_orders(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "x [[mock: chunks=200]]");
    kimi_event_queue *queue;
    kimi_task *task;
    const kimi_stream_event *event;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    CHECK_INT(kimi_event_queue_next(queue, &event), KIMI_OK);
    CHECK(event != NULL);
    kimi_task_free(task); /* its other events are dropped; the taken one stays readable */
    CHECK(kimi_stream_event_type(event) > 0);
    CHECK_INT(kimi_event_queue_next(queue, &event), KIMI_OK);
    CHECK(event == NULL);
    /* The queue freed first, while a task still streams into it. */
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    kimi_event_queue_free(queue);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* The first token is the first reasoning, content or tool-call piece, not
 * the role chunk a server sends at once. */
static void test_first_token_is_not_the_role(void) {
    kimi_client *client = hostile_client("ttft/400");
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_chat_response *resp;
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &resp), KIMI_OK);
    CHECK(kimi_chat_response_first_token_ms(resp) >= 350);
    CHECK(kimi_chat_response_first_byte_ms(resp) < kimi_chat_response_first_token_ms(resp));
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_event_strings_survive_other_reads);
    RUN(test_an_id_that_comes_late);
    RUN(test_a_delta_larger_than_the_bound_never_stalls);
    RUN(test_many_tasks_and_a_slow_reader);
    RUN(test_free_orders);
    RUN(test_first_token_is_not_the_role);
    return harness_finish();
}
