/* libkimi from C: consumes one streamed completion through kimi_chat_stream
 * and prints one JSON line with what it measured in-process.
 *
 *   stream_consumer "<user text, with a [[mock: ...]] scenario>" */
#include "bench.h"

#include <kimi.h>
#include <stdio.h>

static int on_event(const kimi_stream_event *ev, void *user_data) {
    long *chunks = user_data;
    size_t n;
    switch (kimi_stream_event_type(ev)) {
    case KIMI_EVENT_CONTENT_DELTA:
    case KIMI_EVENT_REASONING_DELTA:
    case KIMI_EVENT_TOOL_CALL_DELTA:
        (void)kimi_stream_event_text(ev, &n);
        (*chunks)++;
        break;
    default:
        break;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *text = argc > 1 ? argv[1] : "[[mock: chunks=100000]]";
    kimi_client *client;
    kimi_chat_request *req;
    kimi_chat_response *final = NULL;
    long chunks = 0;
    double cpu0, wall0;
    size_t content = 0;
    client = bench_client();
    req = bench_request(text);
    cpu0 = cpu_seconds();
    wall0 = wall_seconds();
    if (kimi_chat_stream(client, req, on_event, &chunks, &final) != KIMI_OK) {
        fprintf(stderr, "%s\n", kimi_error_message());
        return 1;
    }
    (void)kimi_chat_response_content(final, &content);
    printf("{\"chunks\": %ld, \"stream_cpu\": %.6f, \"stream_wall\": %.6f, \"content_bytes\": %zu}\n", chunks,
           cpu_seconds() - cpu0, wall_seconds() - wall0, content);
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return 0;
}
