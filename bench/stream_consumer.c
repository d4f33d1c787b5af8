/* Consumes one streamed completion through kimi_chat_stream and prints
 * "chunks=<content events> cpu=<user+sys seconds> wall=<seconds> maxrss_kb=<peak RSS>".
 *
 *   stream_consumer "<user text with [[mock: ...]] scenario>" */
#define _POSIX_C_SOURCE 200809L
#include <kimi.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static int on_event(const kimi_stream_event *ev, void *user_data) {
    long *count = user_data;
    size_t n;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_CONTENT_DELTA) {
        (void)kimi_stream_event_text(ev, &n);
        (*count)++;
    }
    return 0;
}

static size_t content_length(const kimi_chat_response *resp) {
    size_t n = 0;
    (void)kimi_chat_response_content(resp, &n);
    return n;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "[[mock: chunks=100000]]";
    kimi_client *client;
    kimi_chat_request *req;
    kimi_chat_response *final = NULL;
    struct timespec t0, t1;
    struct rusage ru;
    long count = 0;
    double cpu0;
    if (kimi_client_new(NULL, &client) != KIMI_OK) {
        fprintf(stderr, "%s\n", kimi_error_message());
        return 1;
    }
    req = kimi_chat_request_new(NULL);
    kimi_chat_request_add_message(req, "user", text);
    kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED);
    cpu0 = cpu_seconds();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (kimi_chat_stream(client, req, on_event, &count, &final) != KIMI_OK) {
        fprintf(stderr, "%s\n", kimi_error_message());
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &ru);
    printf("chunks=%ld cpu=%.4f (user %.4f sys %.4f) wall=%.4f maxrss_kb=%ld content_bytes=%zu\n", count, cpu_seconds() - cpu0,
           ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss,
           content_length(final));
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return 0;
}
