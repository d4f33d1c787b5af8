/* N small non-streamed completions in a row on one client (one kept-alive
 * connection), checking each answer.
 *
 *   small_requests N */
#include "bench.h"

#include <kimi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000, i;
    kimi_client *client;
    double cpu0, wall0;
    client = bench_client();
    cpu0 = cpu_seconds();
    wall0 = wall_seconds();
    for (i = 0; i < n; i++) {
        char text[32], expected[48];
        kimi_chat_request *req;
        kimi_chat_response *resp = NULL;
        snprintf(text, sizeof text, "hi %d", i);
        snprintf(expected, sizeof expected, "You said: hi %d", i);
        req = bench_request(text);
        if (kimi_chat_create(client, req, &resp) != KIMI_OK ||
            strcmp(kimi_chat_response_content(resp, NULL), expected) != 0) {
            fprintf(stderr, "request %d: %s\n", i, kimi_error_message());
            return 1;
        }
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    printf("{\"requests\": %d, \"stream_cpu\": %.6f, \"stream_wall\": %.6f}\n", n, cpu_seconds() - cpu0,
           wall_seconds() - wall0);
    kimi_client_free(client);
    return 0;
}
