/* The event loop is woken only by the first hand-over after it took the
 * last ones (EventLoop.submit and .resume): a task started or resumed while
 * others wait to be taken rides on their wake-up. Attacked here the way a
 * lost wake-up would show: the loop asleep with nothing to do, then bursts
 * of task starts from several threads at once; resumes of paused streams
 * racing new starts; tasks started just before their client is freed;
 * cancels racing starts; a paused stream resumed while it is the loop's only
 * work; resumes from several host threads. Every wait is bounded, so a
 * start or resume the loop never takes fails a check instead of hanging (a
 * submit that wakes only past 100 waiting tasks fails the first test, a
 * resume that never wakes the idle-loop one). Against the mock
 * (with_mock.py); the last four came from an attack on this change. */
#include "harness.h"

#include <stdatomic.h>
#include <stdint.h>

enum { THREADS = 4, PER_THREAD = 8, ROUNDS = 12 };

struct starter {
    kimi_client *client;
    kimi_event_queue *queue;
    kimi_chat_request *req;
    pthread_barrier_t *go;
    kimi_task **tasks;   /* PER_THREAD of them */
    int first_user;      /* user data of its first task (its index) */
    int failed;
};

static void *start_burst(void *arg) {
    struct starter *s = arg;
    int i;
    pthread_barrier_wait(s->go);
    for (i = 0; i < PER_THREAD; i++) {
        if (kimi_chat_stream_start_queued(s->client, s->req, s->queue, (void *)(intptr_t)(s->first_user + i),
                                          &s->tasks[i]) != KIMI_OK)
            s->failed++;
    }
    return NULL;
}

/* The loop goes back to sleep between rounds (every task of a round ended),
 * then THREADS threads start PER_THREAD tasks each at the same moment. */
static void test_bursts_from_several_threads_wake_a_sleeping_loop(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    kimi_chat_request *req = user_request("kimi-k2.6", "wake up [[mock: chunks=5]]");
    const size_t want_content = 5 * 4; /* "tok " five times */
    int round;
    for (round = 0; round < ROUNDS; round++) {
        enum { N = THREADS * PER_THREAD };
        kimi_task *tasks[N] = {0};
        struct drained seen[N];
        struct starter starters[THREADS];
        pthread_t threads[THREADS];
        pthread_barrier_t go;
        int t, i, failed = 0;
        memset(seen, 0, sizeof seen);
        pthread_barrier_init(&go, NULL, THREADS);
        for (t = 0; t < THREADS; t++) {
            starters[t] = (struct starter){client, queue, req, &go, tasks + t * PER_THREAD, t * PER_THREAD, 0};
            pthread_create(&threads[t], NULL, start_burst, &starters[t]);
        }
        for (t = 0; t < THREADS; t++) {
            pthread_join(threads[t], NULL);
            failed += starters[t].failed;
        }
        pthread_barrier_destroy(&go);
        CHECK_INT(failed, 0);
        drain_queue(queue, seen, N, 0, 20000);
        int whole = 1;
        for (i = 0; i < N; i++) {
            if (!seen[i].ended || seen[i].status != KIMI_OK || seen[i].content != want_content) {
                fprintf(stderr, "  round %d task %d: ended %d, status %d, %zu content bytes of %zu\n", round, i,
                        seen[i].ended, (int)seen[i].status, seen[i].content, want_content);
                CHECK(0);
                whole = 0;
            }
            kimi_task_free(tasks[i]);
        }
        if (!whole) break; /* the rest would only repeat the failure */
    }
    kimi_chat_request_free(req);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

struct late_starter {
    kimi_client *client;
    kimi_event_queue *queue;
    kimi_chat_request *req;
    kimi_task *tasks[PER_THREAD];
    int first_user;
    int failed;
};

static void *start_while_draining(void *arg) {
    struct late_starter *s = arg;
    int i;
    for (i = 0; i < PER_THREAD; i++) {
        if (kimi_chat_stream_start_queued(s->client, s->req, s->queue, (void *)(intptr_t)(s->first_user + i),
                                          &s->tasks[i]) != KIMI_OK)
            s->failed++;
    }
    return NULL;
}

/* Streams long enough to fill the queue past its bound (4096 events) stop
 * reading; the host then takes events, which resumes them (hand-overs to
 * the loop), while two other threads start new tasks (hand-overs too).
 * Every stream, paused or new, must deliver its whole answer. */
static void test_resumes_race_new_starts(void) {
    enum { LONG = 4, PIECES = 3000, LATE_THREADS = 2, N = LONG + LATE_THREADS * PER_THREAD };
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    kimi_chat_request *long_req = user_request("kimi-k2.6", "fill the queue [[mock: chunks=3000]]");
    kimi_chat_request *short_req = user_request("kimi-k2.6", "late [[mock: chunks=5]]");
    kimi_task *long_tasks[LONG] = {0};
    struct drained seen[N];
    int i;
    memset(seen, 0, sizeof seen);
    for (i = 0; i < LONG; i++)
        CHECK_INT(kimi_chat_stream_start_queued(client, long_req, queue, (void *)(intptr_t)i, &long_tasks[i]), KIMI_OK);
    /* Let the long streams fill the queue: wait until it holds events, then
     * a little longer than the loop needs to queue 4096 of them. */
    struct pollfd watch = {.fd = kimi_event_queue_fd(queue), .events = POLLIN};
    CHECK_INT(poll(&watch, 1, 10000), 1);
    poll(NULL, 0, 200);
    struct late_starter late[LATE_THREADS];
    pthread_t threads[LATE_THREADS];
    for (i = 0; i < LATE_THREADS; i++) {
        late[i] = (struct late_starter){client, queue, short_req, {0}, LONG + i * PER_THREAD, 0};
        pthread_create(&threads[i], NULL, start_while_draining, &late[i]);
    }
    drain_queue(queue, seen, N, 0, 30000);
    for (i = 0; i < LATE_THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_INT(late[i].failed, 0);
    }
    for (i = 0; i < N; i++) {
        CHECK(seen[i].ended);
        CHECK_INT(seen[i].status, KIMI_OK);
        CHECK(seen[i].content == (i < LONG ? (size_t)PIECES * 4 : 5 * 4));
    }
    for (i = 0; i < LONG; i++) kimi_task_free(long_tasks[i]);
    for (i = 0; i < LATE_THREADS; i++) {
        int j;
        for (j = 0; j < PER_THREAD; j++) kimi_task_free(late[i].tasks[j]);
    }
    kimi_chat_request_free(long_req);
    kimi_chat_request_free(short_req);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

static int count_end(const kimi_stream_event *event, void *user_data) {
    if (kimi_stream_event_type(event) == KIMI_EVENT_END) atomic_fetch_add((atomic_int *)user_data, 1);
    return 0;
}

/* Tasks started and the client freed at once, many times: the loop is
 * started by the first start, so the frees race the loop taking its inbox
 * (tasks still handed over when stop() lands). Every task must end (OK or
 * ABORTED) with its END callback, and kimi_client_free must return. */
static void test_starts_then_free_at_once(void) {
    enum { ROUNDS = 150, TASKS = 12 };
    kimi_chat_request *req = user_request("kimi-k2.6", "free me [[mock: chunks=3]]");
    int round, i, hung = 0, bad = 0;
    for (round = 0; round < ROUNDS; round++) {
        kimi_client *client = test_client();
        kimi_task *tasks[TASKS] = {0};
        atomic_int ends = 0;
        for (i = 0; i < TASKS; i++) CHECK_INT(kimi_chat_stream_start(client, req, count_end, &ends, &tasks[i]), KIMI_OK);
        if (round % 3 == 1) poll(NULL, 0, 1);
        kimi_client_free(client);
        for (i = 0; i < TASKS; i++) {
            kimi_status st = kimi_task_wait(tasks[i], 5000);
            if (st == KIMI_E_TIMEOUT) hung++;
            else if (st != KIMI_OK && st != KIMI_E_ABORTED) bad++;
            kimi_task_free(tasks[i]);
        }
        if (atomic_load(&ends) != TASKS) {
            fprintf(stderr, "  round %d: %d of %d END callbacks\n", round, atomic_load(&ends), TASKS);
            CHECK(0);
        }
    }
    CHECK_INT(hung, 0);
    CHECK_INT(bad, 0);
    kimi_chat_request_free(req);
}

struct racer {
    kimi_client *client;
    kimi_chat_request *req;
    kimi_task **tasks;
    int count;
    atomic_int *ends;
    pthread_barrier_t *go;
};

static void *start_all(void *arg) {
    struct racer *r = arg;
    int i;
    pthread_barrier_wait(r->go);
    for (i = 0; i < r->count; i++) {
        /* The handle is published once the start returned: the library
         * writes `out` with a plain store, which the canceller must not
         * read meanwhile. */
        kimi_task *task = NULL;
        if (kimi_chat_stream_start(r->client, r->req, count_end, r->ends, &task) != KIMI_OK) task = NULL;
        __atomic_store_n(&r->tasks[i], task, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void *cancel_all(void *arg) {
    struct racer *r = arg;
    int i, passes;
    pthread_barrier_wait(r->go);
    for (passes = 0; passes < 200; passes++)
        for (i = 0; i < r->count; i++) {
            kimi_task *t = __atomic_load_n(&r->tasks[i], __ATOMIC_ACQUIRE);
            if (t) kimi_task_cancel(t);
        }
    return NULL;
}

/* Two threads start tasks on an idle loop while a third cancels them as
 * soon as their handles appear: every task ends (bounded wait). */
static void test_cancels_race_starts(void) {
    enum { ROUNDS = 30, PER = 40 };
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request("kimi-k2.6", "cancel me [[mock: chunks=20 delay_ms=2]]");
    int round, i, hung = 0;
    for (round = 0; round < ROUNDS; round++) {
        kimi_task *tasks[2 * PER];
        atomic_int ends = 0;
        pthread_barrier_t go;
        pthread_t th[3];
        struct racer a, b, c;
        memset(tasks, 0, sizeof tasks);
        pthread_barrier_init(&go, NULL, 3);
        a = (struct racer){client, req, tasks, PER, &ends, &go};
        b = (struct racer){client, req, tasks + PER, PER, &ends, &go};
        c = (struct racer){client, req, tasks, 2 * PER, &ends, &go};
        pthread_create(&th[0], NULL, start_all, &a);
        pthread_create(&th[1], NULL, start_all, &b);
        pthread_create(&th[2], NULL, cancel_all, &c);
        for (i = 0; i < 3; i++) pthread_join(th[i], NULL);
        pthread_barrier_destroy(&go);
        for (i = 0; i < 2 * PER; i++) {
            CHECK(tasks[i] != NULL);
            if (!tasks[i]) continue;
            kimi_status st = kimi_task_wait(tasks[i], 5000);
            if (st == KIMI_E_TIMEOUT) hung++;
            kimi_task_free(tasks[i]);
        }
        CHECK_INT(atomic_load(&ends), 2 * PER);
    }
    CHECK_INT(hung, 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* One stream long enough to pause many times (queue bound 4096 events), the
 * loop otherwise idle: the host lets the queue fill, then takes everything.
 * Each pause is undone by a resume while the loop sleeps with only the
 * paused transfer, so a lost resume wake-up leaves the stream paused: no
 * event for 5 s fails the test (a planted resume that never wakes does).
 * Waits over 2 s are counted too (a few ms each against the local mock). */
static void test_resume_wakes_an_otherwise_idle_loop(void) {
    enum { PIECES = 60000, ROUNDS = 3 };
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    kimi_chat_request *req = user_request("kimi-k2.6", "long [[mock: chunks=60000]]");
    int round;
    for (round = 0; round < ROUNDS; round++) {
        kimi_task *task = NULL;
        struct drained seen[1];
        memset(seen, 0, sizeof seen);
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)(intptr_t)0, &task), KIMI_OK);
        /* Fill: wait for events, then long enough to hit the bound. */
        struct pollfd watch = {.fd = kimi_event_queue_fd(queue), .events = POLLIN};
        CHECK_INT(poll(&watch, 1, 5000), 1);
        poll(NULL, 0, 300);
        int stalls = 0, waits = 0, cycles = 0;
        double worst = 0, start = now_ms();
        while (!seen[0].ended) {
            const kimi_stream_event *event;
            int got = 0;
            while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
                got = 1;
                if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA) {
                    size_t n;
                    kimi_stream_event_text(event, &n);
                    seen[0].content += n;
                }
                if (kimi_stream_event_type(event) == KIMI_EVENT_END) {
                    seen[0].ended = 1;
                    seen[0].status = kimi_stream_event_status(event);
                }
            }
            if (got || seen[0].ended) continue;
            double t0 = now_ms();
            int r = poll(&watch, 1, 5000);
            double took = now_ms() - t0;
            waits++;
            if (took > worst) worst = took;
            if (took > 2000) stalls++;
            /* Let the loop fill the queue to its bound (its stream pauses
             * and the loop sleeps) before draining it again, which resumes
             * the stream while the loop sleeps. */
            if (r == 1 && cycles < 12) {
                cycles++;
                poll(NULL, 0, 60);
            }
            if (r != 1) {
                fprintf(stderr, "  round %d: no event for 5 s, %zu content bytes\n", round, seen[0].content);
                CHECK(0);
                break;
            }
        }
        fprintf(stderr, "  round %d: %.0f ms, %d refill cycles, %d waits, worst %.1f ms, %d over 2 s\n", round,
                now_ms() - start, cycles, waits, worst, stalls);
        CHECK(seen[0].ended);
        CHECK_INT(seen[0].status, KIMI_OK);
        CHECK(seen[0].content == (size_t)PIECES * 4);
        CHECK_INT(stalls, 0);
        kimi_task_free(task);
    }
    kimi_chat_request_free(req);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

struct reader {
    kimi_client *client;
    kimi_chat_request *req;
    int failed;
};

/* Its own queue and long stream, drained slowly (1 ms per 500 events). */
static void *read_own_queue(void *arg) {
    struct reader *r = arg;
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    struct drained seen[1];
    memset(seen, 0, sizeof seen);
    if (kimi_event_queue_new(&queue) != KIMI_OK ||
        kimi_chat_stream_start_queued(r->client, r->req, queue, (void *)(intptr_t)0, &task) != KIMI_OK) {
        r->failed = 1;
        return NULL;
    }
    drain_queue(queue, seen, 1, 500, 5000);
    if (!seen[0].ended || seen[0].status != KIMI_OK || seen[0].content != 20000 * 4) r->failed = 1;
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    return NULL;
}

/* Several host threads, each with its own queue and paused stream,
 * resuming at once (resumes racing each other's wake-ups). */
static void test_resumes_from_several_threads(void) {
    enum { READERS = 6 };
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request("kimi-k2.6", "many [[mock: chunks=20000]]");
    struct reader readers[READERS];
    pthread_t th[READERS];
    int i;
    double start = now_ms();
    for (i = 0; i < READERS; i++) {
        readers[i] = (struct reader){client, req, 0};
        pthread_create(&th[i], NULL, read_own_queue, &readers[i]);
    }
    for (i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(readers[i].failed, 0);
    }
    fprintf(stderr, "  %d readers done in %.0f ms\n", READERS, now_ms() - start);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_bursts_from_several_threads_wake_a_sleeping_loop);
    RUN(test_resumes_race_new_starts);
    RUN(test_starts_then_free_at_once);
    RUN(test_cancels_race_starts);
    RUN(test_resume_wakes_an_otherwise_idle_loop);
    RUN(test_resumes_from_several_threads);
    return harness_finish();
}
