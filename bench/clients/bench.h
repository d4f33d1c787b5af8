/* Helpers shared by the C benchmark clients. Each client prints one
 * JSON line with what it measured in-process; bench/run.py adds the
 * process's CPU and peak RSS from wait4(2). */
#ifndef KIMI_BENCH_H
#define KIMI_BENCH_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <kimi.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static inline double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static inline double wall_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A client configured by the environment (KIMI_BASE_URL, MOONSHOT_API_KEY);
 * exits when it cannot be made. */
static inline kimi_client *bench_client(void) {
    kimi_client *client = NULL;
    if (kimi_client_new(NULL, &client) != KIMI_OK) {
        fprintf(stderr, "%s\n", kimi_error_message());
        exit(1);
    }
    return client;
}

/* A one-message request with thinking off, as every benchmark sends. */
static inline kimi_chat_request *bench_request(const char *text) {
    kimi_chat_request *req = kimi_chat_request_new(NULL);
    kimi_chat_request_add_message(req, "user", text);
    kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED);
    return req;
}

#endif
