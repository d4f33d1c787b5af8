/* Many streams of the same request, three ways:
 *
 *   concurrent_streams async N "<text>"       N tasks on the client's event loop
 *   concurrent_streams threads N "<text>"     N threads, each in kimi_chat_stream
 *   concurrent_streams sequential N "<text>"  one kimi_chat_stream after another
 *
 * Counts the content pieces delivered and checks every stream completed. */
#include "bench.h"

#include <kimi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kimi_client *client;
static kimi_chat_request *req;

struct counter {
    long pieces;
};

static int count(const kimi_stream_event *ev, void *user_data) {
    struct counter *c = user_data;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_CONTENT_DELTA) c->pieces++;
    return 0;
}

static void *one_stream(void *arg) {
    if (kimi_chat_stream(client, req, count, arg, NULL) != KIMI_OK) {
        fprintf(stderr, "stream: %s\n", kimi_error_message());
        exit(1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "async";
    int n = argc > 2 ? atoi(argv[2]) : 1000, i;
    const char *text = argc > 3 ? argv[3] : "[[mock: chunks=1000]]";
    struct counter *counters = calloc((size_t)n, sizeof *counters);
    struct rlimit files;
    double cpu0, wall0;
    long pieces = 0;
    /* One socket per stream (the mock speaks HTTP/1.1): raise the soft limit. */
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    client = bench_client();
    req = bench_request(text);
    cpu0 = cpu_seconds();
    wall0 = wall_seconds();
    if (strcmp(mode, "async") == 0) {
        kimi_task **tasks = calloc((size_t)n, sizeof *tasks);
        for (i = 0; i < n; i++) {
            if (kimi_chat_stream_start(client, req, count, &counters[i], &tasks[i]) != KIMI_OK) {
                fprintf(stderr, "start: %s\n", kimi_error_message());
                return 1;
            }
        }
        for (i = 0; i < n; i++) {
            if (kimi_task_wait(tasks[i], -1) != KIMI_OK) {
                fprintf(stderr, "task %d: %s\n", i, kimi_error_message());
                return 1;
            }
            kimi_task_free(tasks[i]);
        }
        free(tasks);
    } else if (strcmp(mode, "threads") == 0) {
        pthread_t *threads = calloc((size_t)n, sizeof *threads);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 256 * 1024);
        for (i = 0; i < n; i++) pthread_create(&threads[i], &attr, one_stream, &counters[i]);
        for (i = 0; i < n; i++) pthread_join(threads[i], NULL);
        free(threads);
    } else {
        for (i = 0; i < n; i++) one_stream(&counters[i]);
    }
    for (i = 0; i < n; i++) pieces += counters[i].pieces;
    printf("{\"streams\": %d, \"chunks\": %ld, \"stream_cpu\": %.6f, \"stream_wall\": %.6f}\n", n, pieces,
           cpu_seconds() - cpu0, wall_seconds() - wall0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    free(counters);
    return 0;
}
