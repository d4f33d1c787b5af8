/* The event loop is woken only by the first hand-over after it took the
 * last ones (EventLoop.submit and .resume): a task started or resumed while
 * others wait to be taken rides on their wake-up. Attacked here the way a
 * lost wake-up would show: the loop asleep with nothing to do, then bursts
 * of task starts from several threads at once, and resumes of paused tasks
 * racing new starts. Every task must end with its whole answer; a start the
 * loop never takes leaves its END missing, and the bounded wait fails the
 * test instead of hanging it (a submit that wakes only past 100 waiting
 * tasks fails the first test). A resume whose wake-up is lost only stalls
 * until the loop's next timer (about 0.8 s instead of 0.1 s for the second
 * test's drain), which no check here times: the second test holds the
 * answers whole under that race. Against the mock (with_mock.py). */
#include "harness.h"

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

int main(void) {
    RUN(test_bursts_from_several_threads_wake_a_sleeping_loop);
    RUN(test_resumes_race_new_starts);
    return harness_finish();
}
