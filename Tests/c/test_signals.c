/* libkimi never touches the host's signals. Every curl handle it makes keeps
 * CURLOPT_NOSIGNAL, also after curl_easy_reset: a reset handle without it
 * made curl_easy_cleanup set SIGPIPE to SIG_IGN and back around its work
 * (every easy handle past the event loop's 64 spares or a client's 64 idle
 * sessions, and every spare when the client was freed), which a host thread
 * could see, or undo, meanwhile.
 * A watcher thread reads SIGPIPE's disposition without pause while many
 * streams run, end and are freed with their client; it must read the
 * host's own handler every time. Against the mock (with_mock.py). */
#include "harness.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

static void host_handler(int signo) { (void)signo; }

static atomic_int watching;
static long samples, foreign;

static void *watch_sigpipe(void *arg) {
    (void)arg;
    while (atomic_load(&watching)) {
        struct sigaction now;
        sigaction(SIGPIPE, NULL, &now);
        samples++;
        if (now.sa_handler != host_handler) foreign++;
    }
    return NULL;
}

static int count_end(const kimi_stream_event *event, void *user_data) {
    if (kimi_stream_event_type(event) == KIMI_EVENT_END) atomic_fetch_add((atomic_int *)user_data, 1);
    return 0;
}

struct blocking_call {
    kimi_client *client;
    const kimi_chat_request *req;
    int status;
};

static void *call_blocking(void *arg) {
    struct blocking_call *call = arg;
    kimi_chat_response *resp = NULL;
    call->status = kimi_chat_create(call->client, call->req, &resp);
    kimi_chat_response_free(resp);
    return NULL;
}

/* 200 concurrent streams (more than the loop keeps spare handles for),
 * then 80 blocking calls from as many threads (more than a client keeps
 * idle sessions for), three times, each time with a new client freed at
 * the end. */
static void test_sigpipe_is_never_touched(void) {
    enum { STREAMS = 200, BLOCKING = 80, ROUNDS = 3 };
    struct sigaction mine;
    memset(&mine, 0, sizeof mine);
    mine.sa_handler = host_handler;
    sigemptyset(&mine.sa_mask);
    CHECK_INT(sigaction(SIGPIPE, &mine, NULL), 0);
    atomic_store(&watching, 1);
    pthread_t watcher;
    pthread_create(&watcher, NULL, watch_sigpipe, NULL);
    kimi_chat_request *req = user_request("kimi-k2.6", "signals [[mock: chunks=3]]");
    int round, i;
    for (round = 0; round < ROUNDS; round++) {
        kimi_client *client = test_client();
        kimi_task *tasks[STREAMS] = {0};
        atomic_int ends = 0;
        for (i = 0; i < STREAMS; i++)
            CHECK_INT(kimi_chat_stream_start(client, req, count_end, &ends, &tasks[i]), KIMI_OK);
        for (i = 0; i < STREAMS; i++) {
            if (!tasks[i]) continue;
            CHECK_INT(kimi_task_wait(tasks[i], 20000), KIMI_OK);
            kimi_task_free(tasks[i]);
        }
        CHECK_INT(atomic_load(&ends), STREAMS);
        struct blocking_call calls[BLOCKING];
        pthread_t threads[BLOCKING];
        for (i = 0; i < BLOCKING; i++) {
            calls[i] = (struct blocking_call){client, req, -1};
            pthread_create(&threads[i], NULL, call_blocking, &calls[i]);
        }
        for (i = 0; i < BLOCKING; i++) {
            pthread_join(threads[i], NULL);
            CHECK_INT(calls[i].status, KIMI_OK);
        }
        kimi_client_free(client);
    }
    atomic_store(&watching, 0);
    pthread_join(watcher, NULL);
    kimi_chat_request_free(req);
    CHECK(samples > 0);
    if (foreign) fprintf(stderr, "  SIGPIPE was not the host's handler in %ld of %ld samples\n", foreign, samples);
    CHECK_INT(foreign, 0);
    signal(SIGPIPE, SIG_DFL);
}

int main(void) {
    RUN(test_sigpipe_is_never_touched);
    return harness_finish();
}
