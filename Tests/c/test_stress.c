/* One client shared by many threads: 32 threads x 50 requests, streamed and
 * not, with exact answers; then the same under injected faults (stalls,
 * cuts, 429/503 storms, garbage), where every call must end with the status
 * its fault calls for and no delivered text may go missing. `make tsan` runs
 * this program under ThreadSanitizer. */
#include "harness.h"

#define THREADS 32
#define REQUESTS 50

static kimi_client *shared;

struct collected {
    char text[2048];
    size_t used;
};

static int collect(const kimi_stream_event *ev, void *user_data) {
    struct collected *c = user_data;
    size_t n;
    const char *t = kimi_stream_event_text(ev, &n);
    if (kimi_stream_event_type(ev) == KIMI_EVENT_CONTENT_DELTA && c->used + n < sizeof c->text) {
        memcpy(c->text + c->used, t, n);
        c->used += n;
        c->text[c->used] = 0;
    }
    return 0;
}

struct worker {
    int id;
    int wrong;
    char first_wrong[1024];
};

static void note_wrong(struct worker *w, const char *what, const char *got) {
    if (w->wrong++ == 0) snprintf(w->first_wrong, sizeof w->first_wrong, "%s: %s", what, got);
}

static void *clean_worker(void *arg) {
    struct worker *w = arg;
    int i;
    for (i = 0; i < REQUESTS; i++) {
        char text[64], expected[96];
        kimi_chat_request *req;
        kimi_chat_response *resp = NULL;
        kimi_status status;
        snprintf(text, sizeof text, "thread %d request %d", w->id, i);
        snprintf(expected, sizeof expected, "You said: %s", text);
        req = user_request(NULL, text);
        if (i % 2) {
            struct collected c = {"", 0};
            status = kimi_chat_stream(shared, req, collect, &c, &resp);
            if (status == KIMI_OK && strcmp(c.text, expected) != 0) note_wrong(w, "streamed text", c.text);
        } else {
            status = kimi_chat_create(shared, req, &resp);
        }
        if (status != KIMI_OK) note_wrong(w, "status", kimi_error_message());
        else if (strcmp(kimi_chat_response_content(resp, NULL), expected) != 0)
            note_wrong(w, "content", kimi_chat_response_content(resp, NULL));
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    return NULL;
}

/* Runs `fn` on `count` threads and returns the number of wrong results,
 * printing each thread's first. */
static int run_threads(void *(*fn)(void *), int count) {
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    int i, wrong = 0;
    memset(workers, 0, sizeof workers);
    for (i = 0; i < count; i++) {
        workers[i].id = i;
        pthread_create(&threads[i], NULL, fn, &workers[i]);
    }
    for (i = 0; i < count; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].wrong)
            fprintf(stderr, "  thread %d: %d wrong, first %s\n", i, workers[i].wrong, workers[i].first_wrong);
        wrong += workers[i].wrong;
    }
    return wrong;
}

static void test_32_threads_x_50_requests(void) { CHECK_INT(run_threads(clean_worker, THREADS), 0); }

/* A fault, how to ask the mock for it, and how the call must end. Streams
 * that fail keep exactly the text their callback saw. */
struct fault {
    const char *directive; /* %d: a unique key */
    kimi_status stream_status;
    kimi_status create_status;
};

static const struct fault faults[] = {
    {"", KIMI_OK, KIMI_OK},
    {"status=503 type=server_error times=1 key=f%d", KIMI_OK, KIMI_OK},
    {"status=429 type=engine_overloaded_error times=2 key=f%d", KIMI_OK, KIMI_OK},
    {"status=429 type=rate_limit_reached_error retry_after_ms=5 times=1 key=f%d", KIMI_OK, KIMI_OK},
    {"html=502 times=1 key=f%d", KIMI_OK, KIMI_OK},
    {"drop times=1 key=f%d", KIMI_OK, KIMI_OK},
    {"status=503 type=server_error times=9 key=f%d", KIMI_E_API, KIMI_E_API},
    {"status=429 type=exceeded_current_quota_error times=1 key=f%d", KIMI_E_API, KIMI_E_API},
    {"cut_after=3", KIMI_E_INCOMPLETE, KIMI_OK},
    {"end_after=2", KIMI_E_INCOMPLETE, KIMI_OK},
    {"stall_after=2 stall_ms=5000", KIMI_E_TIMEOUT, KIMI_OK},
    {"bad_data_after=2", KIMI_E_PARSE, KIMI_OK},
    {"error_after=3", KIMI_E_API, KIMI_OK},
    {"garbage", KIMI_E_PARSE, KIMI_E_PARSE},
    {"empty=200", KIMI_E_PARSE, KIMI_E_PARSE},
};
#define FAULTS (sizeof faults / sizeof *faults)
#define FAULT_THREADS 16
#define FAULT_ROUNDS 2

static kimi_client *faulty;

static void *fault_worker(void *arg) {
    struct worker *w = arg;
    size_t round, k;
    for (round = 0; round < FAULT_ROUNDS; round++) {
        for (k = 0; k < FAULTS; k++) {
            size_t f = (k + (size_t)w->id) % FAULTS;
            int streamed = (int)((round + k) % 2);
            char directive[128], text[256], expected[300];
            kimi_chat_request *req;
            kimi_chat_response *resp = NULL;
            kimi_status status, wanted;
            struct collected c = {"", 0};
            snprintf(directive, sizeof directive, faults[f].directive, (int)(w->id * 1000 + round * 100 + k));
            snprintf(text, sizeof text, "t%d r%d one two three four five [[mock: %s]]", w->id, (int)round, directive);
            snprintf(expected, sizeof expected, "You said: t%d r%d one two three four five", w->id, (int)round);
            req = user_request(NULL, text);
            if (streamed) {
                wanted = faults[f].stream_status;
                status = kimi_chat_stream(faulty, req, collect, &c, &resp);
                /* Nothing delivered is lost: the final response is exactly
                   what the callback saw, success or not. */
                if (resp && strcmp(kimi_chat_response_content(resp, NULL), c.text) != 0)
                    note_wrong(w, "final response differs from the delivered text", c.text);
                if (status == KIMI_OK && strcmp(c.text, expected) != 0) note_wrong(w, "streamed text", c.text);
            } else {
                wanted = faults[f].create_status;
                status = kimi_chat_create(faulty, req, &resp);
                if (status == KIMI_OK && strcmp(kimi_chat_response_content(resp, NULL), expected) != 0)
                    note_wrong(w, "content", kimi_chat_response_content(resp, NULL));
            }
            if (status != wanted) {
                char got[600];
                snprintf(got, sizeof got, "[%s %s] status %d, wanted %d: %s", directive,
                         streamed ? "stream" : "create", status, wanted, kimi_error_message());
                note_wrong(w, "status", got);
            }
            kimi_chat_response_free(resp);
            kimi_chat_request_free(req);
        }
    }
    return NULL;
}

static void test_fault_injection(void) {
    kimi_client_options *opts = kimi_client_options_new();
    CHECK_INT(kimi_client_options_set_max_retries(opts, 2), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 8), KIMI_OK);
    CHECK_INT(kimi_client_options_set_idle_timeout_ms(opts, 400), KIMI_OK);
    faulty = test_client_from(opts);
    CHECK_INT(run_threads(fault_worker, FAULT_THREADS), 0);
    kimi_client_free(faulty);
}

/* A pull stream read by one thread and stopped (cancelled, or freed) by
 * another while the reader waits on a silent server: the reader wakes at
 * once with KIMI_E_ABORTED, keeps what arrived, and nothing races (TSan). */
struct stopping {
    kimi_stream *stream;
    int free_it;
};

static void *stop_stream(void *arg) {
    struct stopping *s = arg;
    struct timespec wait = {0, 150 * 1000000L};
    nanosleep(&wait, NULL);
    if (s->free_it)
        kimi_stream_free(s->stream);
    else
        kimi_stream_cancel(s->stream);
    return NULL;
}

static void test_stop_a_pull_stream_from_another_thread(void) {
    int free_it;
    for (free_it = 0; free_it < 2; free_it++) {
        kimi_chat_request *req = user_request(NULL, "hi there friend [[mock: stall_after=2 stall_ms=5000]]");
        kimi_stream *stream;
        const kimi_stream_event *event;
        struct stopping stop;
        pthread_t thread;
        kimi_status status;
        double start = now_ms();
        CHECK_INT(kimi_chat_stream_open(shared, req, &stream), KIMI_OK);
        stop.stream = stream;
        stop.free_it = free_it;
        pthread_create(&thread, NULL, stop_stream, &stop);
        while ((status = kimi_stream_next(stream, &event)) == KIMI_OK && event) {}
        CHECK_INT(status, KIMI_E_ABORTED);
        CHECK(now_ms() - start < 3000);
        if (!free_it) {
            kimi_chat_response *resp;
            CHECK_INT(kimi_stream_response(stream, &resp), KIMI_OK);
            CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "You said:");
            kimi_chat_response_free(resp);
        }
        pthread_join(thread, NULL);
        if (!free_it) kimi_stream_free(stream);
        kimi_chat_request_free(req);
    }
}

int main(void) {
    shared = test_client();
    RUN(test_32_threads_x_50_requests);
    RUN(test_fault_injection);
    RUN(test_stop_a_pull_stream_from_another_thread);
    kimi_client_free(shared);
    return harness_finish();
}
