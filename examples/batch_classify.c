/* Classifies many reviews through Kimi's Batch API: writes the requests to
 * a JSONL file, submits it, shows progress while Kimi works, then reads the
 * answers back by custom_id and prints the total cost.
 *
 * Build: cc batch_classify.c $(pkg-config --cflags --libs libkimi)
 * Run:   ./batch_classify [count (1000)] [poll interval in ms (5000)] */
#include <kimi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const subjects[] = {"The battery", "The screen", "Delivery", "The price", "Customer support"};
static const char *const verdicts[] = {"is excellent", "was a disappointment", "is fine, nothing special",
                                       "exceeded what I expected", "broke after a week"};

struct tally {
    long positive, negative, neutral, unclear, failed;
};

static int fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, kimi_error_message());
    return 1;
}

/* Writes `count` classification requests; returns the number of lines. */
static int write_requests(const char *path, int count) {
    kimi_batch_input *input = kimi_batch_input_new(path);
    char id[32], review[160];
    int i;
    if (!input) return fail("kimi_batch_input_new");
    for (i = 0; i < count; i++) {
        kimi_chat_request *req = kimi_chat_request_new("kimi-k2.6");
        snprintf(id, sizeof id, "review-%d", i);
        snprintf(review, sizeof review, "%s %s.", subjects[i % 5], verdicts[(i / 5) % 5]);
        kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED);
        kimi_chat_request_set_max_tokens(req, 5);
        kimi_chat_request_add_message(req, "system",
                                      "Classify the sentiment of the review. Answer with one word: "
                                      "positive, negative or neutral.");
        kimi_chat_request_add_message(req, "user", review);
        if (kimi_batch_input_add(input, id, req) != KIMI_OK) {
            kimi_chat_request_free(req);
            kimi_batch_input_free(input);
            return fail("kimi_batch_input_add");
        }
        kimi_chat_request_free(req);
    }
    if (kimi_batch_input_close(input, NULL) != KIMI_OK) {
        kimi_batch_input_free(input);
        return fail("kimi_batch_input_close");
    }
    kimi_batch_input_free(input);
    return 0;
}

static int show_progress(const kimi_batch *batch, int64_t completed, int64_t failed, int64_t total, void *user_data) {
    (void)user_data;
    fprintf(stderr, "\r%s: %-11s %lld/%lld done, %lld failed   ", kimi_batch_id(batch), kimi_batch_status(batch),
            (long long)(completed + failed), (long long)total, (long long)failed);
    return 0;
}

static int count_answer(const char *custom_id, const kimi_chat_response *resp, int http_status,
                        const char *error_message, void *user_data) {
    struct tally *t = user_data;
    const char *answer;
    if (!resp) {
        fprintf(stderr, "%s failed (HTTP %d): %s\n", custom_id, http_status, error_message);
        t->failed++;
        return 0;
    }
    answer = kimi_chat_response_content(resp, NULL);
    if (strstr(answer, "ositive")) t->positive++;
    else if (strstr(answer, "egative")) t->negative++;
    else if (strstr(answer, "eutral")) t->neutral++;
    else t->unclear++;
    return 0;
}

int main(int argc, char **argv) {
    int count = argc > 1 ? atoi(argv[1]) : 1000;
    unsigned poll_ms = argc > 2 ? (unsigned)atoi(argv[2]) : 5000;
    const char *path = "batch_classify.jsonl";
    kimi_client *client = NULL;
    kimi_batch *batch = NULL;
    struct tally t = {0, 0, 0, 0, 0};
    int status = 1;

    if (count < 1) {
        fprintf(stderr, "usage: %s [count] [poll_ms]\n", argv[0]);
        return 2;
    }
    if (kimi_client_new(NULL, &client) != KIMI_OK) return fail("kimi_client_new");
    if (write_requests(path, count) != 0) goto done;
    if (kimi_batch_submit(client, path, "24h", "{\"job\":\"batch_classify example\"}", &batch) != KIMI_OK) {
        fail("kimi_batch_submit");
        goto done;
    }
    if (kimi_batch_wait(client, batch, poll_ms, show_progress, NULL) != KIMI_OK) {
        fail("\nkimi_batch_wait");
        goto done;
    }
    fprintf(stderr, "\n");
    if (strcmp(kimi_batch_status(batch), "completed") != 0) {
        fprintf(stderr, "the batch ended %s %s\n", kimi_batch_status(batch), kimi_batch_error_message(batch));
    }
    if (kimi_batch_results(client, batch, count_answer, &t) != KIMI_OK) {
        fail("kimi_batch_results");
        goto done;
    }
    printf("%d reviews: %ld positive, %ld negative, %ld neutral, %ld unclear, %ld failed\n", count, t.positive,
           t.negative, t.neutral, t.unclear, t.failed);
    printf("tokens: %lld prompt (%lld cached), %lld completion; total cost $%.6f\n",
           (long long)kimi_client_usage_prompt_tokens(client), (long long)kimi_client_usage_cached_tokens(client),
           (long long)kimi_client_usage_completion_tokens(client), kimi_client_usage_cost_usd(client));
    status = 0;
done:
    remove(path);
    kimi_batch_free(batch);
    kimi_client_free(client);
    return status;
}
