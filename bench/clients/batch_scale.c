/* A batch of N requests end to end: write the input file, submit, wait,
 * read every result. Memory must not grow with N: the writer streams lines
 * to disk, the upload streams the file, and results are read line by line.
 * Prints one JSON line for bench/run.py:
 *
 *   {"requests": N, "input_mb": ..., "write_s": ..., "results_s": ..., "results": N,
 *    "results_cpu_s": ..., "server_s": ..., "cost_usd": ...}
 */
#include "bench.h"

#include <string.h>
#include <unistd.h>

static int count_result(const char *custom_id, const kimi_chat_response *resp, int http_status,
                        const char *error_message, void *user_data) {
    (void)custom_id, (void)http_status, (void)error_message;
    if (resp) ++*(long *)user_data;
    return 0;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000, i, results = 0;
    char path[256], id[32], text[96];
    kimi_client *client = bench_client();
    kimi_batch_input *input;
    kimi_batch *batch = NULL;
    double start, written, waited, read, cpu_before;
    FILE *f;
    long input_bytes;
    snprintf(path, sizeof path, "/tmp/libkimi-batch-bench-%d.jsonl", (int)getpid());
    start = wall_seconds();
    input = kimi_batch_input_new(path);
    for (i = 0; input && i < n; i++) {
        kimi_chat_request *req;
        snprintf(id, sizeof id, "r%ld", i);
        snprintf(text, sizeof text, "classify item %ld: a short review of a product", i);
        req = bench_request(text);
        if (kimi_batch_input_add(input, id, req) != KIMI_OK) break;
        kimi_chat_request_free(req);
    }
    if (!input || kimi_batch_input_close(input, NULL) != KIMI_OK || kimi_batch_input_count(input) != (size_t)n) {
        fprintf(stderr, "writing the input: %s\n", kimi_error_message());
        return 1;
    }
    kimi_batch_input_free(input);
    written = wall_seconds();
    f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    input_bytes = ftell(f);
    fclose(f);
    if (kimi_batch_submit(client, path, NULL, NULL, &batch) != KIMI_OK ||
        kimi_batch_wait(client, batch, 1, NULL, NULL) != KIMI_OK) {
        fprintf(stderr, "running the batch: %s\n", kimi_error_message());
        return 1;
    }
    waited = wall_seconds();
    cpu_before = cpu_seconds();
    if (kimi_batch_results(client, batch, count_result, &results) != KIMI_OK) {
        fprintf(stderr, "reading the results: %s\n", kimi_error_message());
        return 1;
    }
    read = wall_seconds();
    cpu_before = cpu_seconds() - cpu_before;
    unlink(path);
    printf("{\"requests\": %ld, \"input_mb\": %.2f, \"write_s\": %.4f, \"results_s\": %.4f, \"results\": %ld, "
           "\"results_cpu_s\": %.4f, \"server_s\": %.3f, \"cost_usd\": %.6f}\n",
           n, input_bytes / 1048576.0, written - start, read - waited, results, cpu_before, waited - written,
           kimi_client_usage_cost_usd(client));
    kimi_batch_free(batch);
    kimi_client_free(client);
    return results == n ? 0 : 1;
}
