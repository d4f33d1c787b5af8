/* The event loop's coalescing (kimi_client_options_set_coalesce_us): with
 * several streams running, network events gather for the interval and reach
 * the queue in few batches; a lone stream is never held back; every piece
 * arrives either way. Against the mock (its delay_ms paces the pieces).
 *
 * The counts are one-sided: a slow machine merges rounds (fewer), so only
 * a loop that coalesces when it must not, or fails to when it must, can
 * fail them. */
#include "harness.h"

#include <dirent.h>
#include <poll.h>
#include <semaphore.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

/* Streams `count` requests of `text` on one queue of a client whose loop
 * coalesces for `coalesce_us`; returns the rounds in which content reached
 * the queue (each a wake-up of the host with pieces to read). Every task
 * must end OK with `content_bytes` of content. */
static int content_rounds(uint32_t coalesce_us, size_t count, const char *text, size_t content_bytes) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, text);
    kimi_event_queue *queue;
    kimi_task *tasks[8];
    size_t content[8] = {0}, i;
    size_t ended = 0;
    int rounds = 0;
    struct pollfd watch;
    CHECK_INT(kimi_client_options_set_coalesce_us(opts, coalesce_us), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (i = 0; i < count; i++) {
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)i, &tasks[i]), KIMI_OK);
    }
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (ended < count) {
        const kimi_stream_event *event;
        int pieces = 0;
        if (poll(&watch, 1, 10000) != 1) {
            fprintf(stderr, "  no event for 10 s: %zu of %zu streams ended\n", ended, count);
            CHECK(0);
            break;
        }
        while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
            size_t task = (size_t)kimi_stream_event_user_data(event), n;
            if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA) {
                kimi_stream_event_text(event, &n);
                content[task] += n;
                pieces = 1;
            } else if (kimi_stream_event_type(event) == KIMI_EVENT_END) {
                CHECK_INT(kimi_stream_event_status(event), KIMI_OK);
                ended++;
            }
        }
        rounds += pieces;
    }
    for (i = 0; i < count; i++) {
        CHECK_INT(content[i], content_bytes);
        kimi_task_free(tasks[i]);
    }
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return rounds;
}

/* Four streams of 20 pieces 10 ms apart (about 200 ms each): with a 100 ms
 * interval the loop takes their pieces in a few batches, not one wake-up
 * per piece (20 or more without coalescing). */
static void test_busy_streams_arrive_in_batches(void) {
    int rounds = content_rounds(100000, 4, "x [[mock: chunks=20 delay_ms=10]]", 20 * 4);
    fprintf(stderr, "  4 streams, 100 ms interval: pieces came in %d rounds\n", rounds);
    CHECK(rounds >= 1 && rounds <= 8);
}

/* One stream of 10 pieces 30 ms apart under the same 100 ms interval: each
 * piece is handled as it comes (held back, they would come in 3 or 4
 * rounds). */
static void test_a_lone_stream_is_not_held_back(void) {
    int rounds = content_rounds(100000, 1, "x [[mock: chunks=10 delay_ms=30]]", 10 * 4);
    fprintf(stderr, "  1 stream, 100 ms interval: pieces came in %d rounds\n", rounds);
    CHECK(rounds >= 6);
}

/* Coalescing off: the same four streams deliver every piece too. */
static void test_off_delivers_everything(void) {
    content_rounds(0, 4, "x [[mock: chunks=20 delay_ms=2]]", 20 * 4);
}

/* --- Many sockets ready at once -------------------------------------------
 * The loop's epoll batch holds a fixed number of sockets; with more ready
 * than that, the ones left over must not wait another interval each (a
 * token would wait several intervals, not at most one). 600 streams send a
 * first piece, then stall; the loop is held in the callback of the last
 * first piece until every stream's second piece waits in its socket; then
 * the loop must take them all without sleeping in between. Its sleeps are
 * counted as its thread's voluntary context switches: a slow machine adds
 * involuntary ones (preemption), never voluntary ones, so only a loop that
 * waits with sockets ready can fail. */
#define MANY_READY 600

static struct {
    size_t pieces[MANY_READY];
    size_t first, second, ended;
    long switches_at_release, switches_at_last;
    int inconclusive;
    sem_t done;
} many;

/* This thread's voluntary context switches (each time it slept). */
static long voluntary_switches(void) {
    char line[256];
    long n = -1;
    FILE *status = fopen("/proc/thread-self/status", "r");
    if (!status) return -1;
    while (fgets(line, sizeof line, status)) {
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1) break;
    }
    fclose(status);
    return n;
}

/* Sockets of this process with bytes waiting. */
static size_t readable_sockets(void) {
    size_t count = 0;
    struct dirent *entry;
    DIR *fds = opendir("/proc/self/fd");
    if (!fds) return 0;
    while ((entry = readdir(fds)) != NULL) {
        struct stat info;
        struct pollfd watch;
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] == '.' || fd == dirfd(fds) || fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
        watch.fd = fd;
        watch.events = POLLIN;
        watch.revents = 0;
        if (poll(&watch, 1, 0) == 1 && (watch.revents & POLLIN)) count++;
    }
    closedir(fds);
    return count;
}

static int on_many(const kimi_stream_event *event, void *user_data) {
    if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA) {
        if (++many.pieces[(size_t)user_data] == 2) {
            if (++many.second == MANY_READY) many.switches_at_last = voluntary_switches();
        } else if (++many.first == MANY_READY) {
            /* The loop is held here until every second piece not yet taken
             * waits in its socket (at most 60 s). */
            struct timespec pause = {0, 10 * 1000 * 1000};
            int tries;
            for (tries = 0; tries < 6000 && readable_sockets() < MANY_READY - many.second; tries++) {
                nanosleep(&pause, NULL);
            }
            many.inconclusive = tries == 6000;
            many.switches_at_release = voluntary_switches();
        }
    } else if (kimi_stream_event_type(event) == KIMI_EVENT_END) {
        if (kimi_stream_event_status(event) != KIMI_OK) {
            fprintf(stderr, "  a stream failed: %s\n", kimi_stream_event_error(event));
            many.inconclusive = 1;
        }
        if (++many.ended == MANY_READY) sem_post(&many.done);
    }
    return 0;
}

static void test_many_ready_sockets_are_taken_at_once(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "x [[mock: chunks=2 stall_after=1 stall_ms=1500]]");
    kimi_task **tasks = calloc(MANY_READY, sizeof *tasks);
    size_t i;
    memset(&many, 0, sizeof many);
    sem_init(&many.done, 0, 0);
    CHECK_INT(kimi_client_options_set_coalesce_us(opts, 100000), KIMI_OK);
    client = test_client_from(opts);
    for (i = 0; i < MANY_READY; i++) {
        CHECK_INT(kimi_chat_stream_start(client, req, on_many, (void *)i, &tasks[i]), KIMI_OK);
    }
    sem_wait(&many.done);
    fprintf(stderr, "  %d streams: %zu first and %zu second pieces; the loop slept %ld times taking the second%s\n",
            MANY_READY, many.first, many.second, many.switches_at_last - many.switches_at_release,
            many.inconclusive ? " (inconclusive: not all waited at once)" : "");
    CHECK_INT(many.first, MANY_READY);
    CHECK_INT(many.second, MANY_READY);
    if (!many.inconclusive) CHECK(many.switches_at_last - many.switches_at_release < 2);
    for (i = 0; i < MANY_READY; i++) kimi_task_free(tasks[i]);
    free(tasks);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    sem_destroy(&many.done);
}

/* Cancels and frees from another thread while the loop gathers events for
 * 50 stalled streams (100 ms interval): each task ends KIMI_E_ABORTED, the
 * rest are freed with their client. A loop that missed its wake-up hangs
 * here (the runner's limit). */
static void test_cancel_and_free_while_gathering(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "a b [[mock: stall_after=1 stall_ms=20000]]");
    kimi_event_queue *queue;
    kimi_task *tasks[50];
    size_t i, first = 0;
    struct pollfd watch;
    CHECK_INT(kimi_client_options_set_coalesce_us(opts, 100000), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (i = 0; i < 50; i++) {
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)i, &tasks[i]), KIMI_OK);
    }
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (first < 50 && poll(&watch, 1, 10000) == 1) {  /* every stream has its first piece */
        const kimi_stream_event *event;
        while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
            if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA) first++;
        }
    }
    CHECK_INT(first, 50);
    for (i = 0; i < 25; i++) {
        kimi_task_cancel(tasks[i]);
        CHECK_INT(kimi_task_wait(tasks[i], -1), KIMI_E_ABORTED);
        kimi_task_free(tasks[i]);
    }
    kimi_client_free(client);  /* the other 25 still stream */
    for (i = 25; i < 50; i++) {
        CHECK(kimi_task_wait(tasks[i], -1) != KIMI_OK);
        kimi_task_free(tasks[i]);
    }
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
}

static void test_the_interval_is_checked(void) {
    kimi_client_options *opts = kimi_client_options_new();
    CHECK_INT(kimi_client_options_set_coalesce_us(NULL, 1000), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_set_coalesce_us(opts, 100001), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "100000");
    CHECK_INT(kimi_client_options_set_coalesce_us(opts, 100000), KIMI_OK);
    CHECK_INT(kimi_client_options_set_coalesce_us(opts, 0), KIMI_OK);
    kimi_client_options_free(opts);
}

static double process_cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* A client whose loop has run a task and has nothing to do sleeps: the
 * loop once went round with no call, keeping a core busy for as long as
 * the client lived (400 ms of CPU in 400 ms). The bound is loose: a
 * sleeping loop uses next to none. It wakes again for the next task. */
static void test_an_idle_loop_sleeps(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_task *task = NULL;
    struct timespec pause = {0, 400 * 1000 * 1000};
    double before;
    int round;
    for (round = 0; round < 2; round++) {
        CHECK_INT(kimi_chat_create_start(client, req, NULL, NULL, &task), KIMI_OK);
        CHECK_INT(kimi_task_wait(task, 10000), KIMI_OK);
        kimi_task_free(task);
        before = process_cpu_seconds();
        nanosleep(&pause, NULL);
        if (process_cpu_seconds() - before > 0.1) {
            fprintf(stderr, "  idle for 0.4 s, the process used %.3f s of CPU\n", process_cpu_seconds() - before);
            CHECK(0);
        }
    }
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_busy_streams_arrive_in_batches);
    RUN(test_a_lone_stream_is_not_held_back);
    RUN(test_off_delivers_everything);
    RUN(test_many_ready_sockets_are_taken_at_once);
    RUN(test_cancel_and_free_while_gathering);
    RUN(test_the_interval_is_checked);
    RUN(test_an_idle_loop_sleeps);
    return harness_finish();
}
