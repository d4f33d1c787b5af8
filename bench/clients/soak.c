/* Memory over many requests in one process: N requests (default 10,000) on
 * one client, alternating kimi_chat_create and kimi_chat_stream, plus a new
 * client created and freed every 100 requests. Prints the resident set
 * size after every 1,000 requests, then one JSON line for bench/run.py:
 *
 *   {"rss_kb_per_1000": [after 1000, after 2000, ...], "requests": N}
 */
#include "bench.h"

#include <string.h>
#include <unistd.h>

static long resident_kb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int ignore(const kimi_stream_event *event, void *user_data) {
    (void)event;
    (void)user_data;
    return 0;
}

static int one_request(kimi_client *client, int i) {
    char text[64];
    kimi_chat_request *req;
    kimi_chat_response *resp = NULL;
    kimi_status status;
    snprintf(text, sizeof text, "request %d with a few words", i);
    req = bench_request(text);
    status = i % 2 ? kimi_chat_stream(client, req, ignore, NULL, &resp) : kimi_chat_create(client, req, &resp);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    if (status != KIMI_OK) fprintf(stderr, "request %d: %s\n", i, kimi_error_message());
    return status == KIMI_OK;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10000, i;
    kimi_client *client = bench_client();
    long samples[1000];
    int count = 0;
    for (i = 1; i <= n; i++) {
        if (!one_request(client, i)) return 1;
        if (i % 100 == 0) { /* a short-lived client too */
            kimi_client *other = bench_client();
            if (!one_request(other, i)) return 1;
            kimi_client_free(other);
        }
        if (i % 1000 == 0 && count < 1000) {
            samples[count++] = resident_kb();
            fprintf(stderr, "%6d requests: RSS %ld KB\n", i, samples[count - 1]);
        }
    }
    kimi_client_free(client);
    printf("{\"requests\": %d, \"rss_kb_per_1000\": [", n);
    for (i = 0; i < count; i++) printf("%s%ld", i ? ", " : "", samples[i]);
    printf("]}\n");
    return 0;
}
