/* Batch input files, the batch lifecycle, results and cost accounting,
 * against the mock's Batch API (Tests/mock/mockkimi/batches.py: one state
 * per poll; lines fail when their request asks for it). */
#include "harness.h"

#include <math.h>
#include <pthread.h>
#include <unistd.h>

#define LINES 200

/* A path in the temporary directory (a static buffer: copy it to keep it). */
static char *temp_path(const char *name) {
    static char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/libkimi-test-%d-%s", dir ? dir : "/tmp", (int)getpid(), name);
    return path;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char *text;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    text = malloc((size_t)n + 1);
    if (text) text[fread(text, 1, (size_t)n, f)] = 0;
    fclose(f);
    return text;
}

static size_t count_lines(const char *text) {
    size_t n = 0;
    for (; text && *text; text++) n += *text == '\n';
    return n;
}

/* What line i asks for: every 10th fails with an API error, every 25th with
 * a line-level error, the rest succeed. */
static const char *prompt(int i, char *buf, size_t cap) {
    if (i % 25 == 0)
        snprintf(buf, cap, "prompt %d [[mock: batch_error]]", i);
    else if (i % 10 == 0)
        snprintf(buf, cap, "prompt %d [[mock: status=429 type=rate_limit_reached_error message=slow_down]]", i);
    else
        snprintf(buf, cap, "prompt %d", i);
    return buf;
}

/* Writes `n` requests to a new input file; returns its path. */
static const char *write_input(const char *name, int n) {
    const char *path = temp_path(name);
    kimi_batch_input *input = kimi_batch_input_new(path);
    char id[32], text[160];
    size_t count = 0;
    int i;
    CHECK(input != NULL);
    for (i = 1; i <= n; i++) {
        kimi_chat_request *req = user_request(NULL, prompt(i, text, sizeof text));
        snprintf(id, sizeof id, "req-%d", i);
        CHECK_INT(kimi_batch_input_add(input, id, req), KIMI_OK);
        kimi_chat_request_free(req);
    }
    CHECK_INT(kimi_batch_input_close(input, &count), KIMI_OK);
    CHECK_INT(count, n);
    kimi_batch_input_free(input);
    return path;
}

static void test_input_writes_one_line_per_request(void) {
    const char *path = write_input("lines.jsonl", 3);
    char *text = read_file(path);
    CHECK(text != NULL);
    CHECK_INT(count_lines(text), 3);
    {
        const char *start = "{\"custom_id\":\"req-1\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{";
        CHECK(text && strncmp(text, start, strlen(start)) == 0);
    }
    CHECK_CONTAINS(text, "\"content\":\"prompt 2\"");
    CHECK(strstr(text, "\"stream\"") == NULL);
    free(text);
    unlink(path);
}

/* Media goes into the line as a data URI, read from the file as it is written. */
static void test_input_carries_inline_media(void) {
    const char *samples = getenv("KIMI_SAMPLES");
    char image[512];
    const char *path;
    kimi_batch_input *input;
    kimi_chat_request *req = kimi_chat_request_new(NULL);
    kimi_message *msg = kimi_message_new("user");
    char *text;
    snprintf(image, sizeof image, "%s/image.png", samples ? samples : "build/samples");
    path = temp_path("media.jsonl");
    input = kimi_batch_input_new(path);
    CHECK_INT(kimi_message_add_text(msg, "what is this?"), KIMI_OK);
    CHECK_INT(kimi_message_add_image_file(msg, image), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_message(req, msg), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "img", req), KIMI_OK);
    CHECK_INT(kimi_batch_input_close(input, NULL), KIMI_OK);
    text = read_file(path);
    CHECK_CONTAINS(text, "\"url\":\"data:image/png;base64,iVBORw0KGgo");
    CHECK_INT(count_lines(text), 1);
    free(text);
    kimi_batch_input_free(input);
    kimi_message_free(msg);
    kimi_chat_request_free(req);
    unlink(path);
}

static void test_input_refuses_bad_lines_with_their_number(void) {
    const char *path = temp_path("refused.jsonl");
    kimi_batch_input *input = kimi_batch_input_new(path);
    kimi_chat_request *req = user_request(NULL, "hello");
    kimi_chat_request *hot = user_request("kimi-k2.6", "hello");
    size_t count = 0;
    char *text;
    CHECK_INT(kimi_batch_input_add(input, "a", req), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "b", req), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "a", req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "line 3: custom_id \"a\" is already used by line 1");
    CHECK_INT(kimi_batch_input_add(input, "", req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "line 3: custom_id must not be empty");
    CHECK_INT(kimi_batch_input_add(input, NULL, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_set_temperature(hot, 0.3), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "c", hot), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "line 3 (custom_id \"c\"): temperature");
    CHECK_INT(kimi_batch_input_count(input), 2);
    CHECK_INT(kimi_batch_input_add(input, "c", req), KIMI_OK);
    CHECK_INT(kimi_batch_input_close(input, &count), KIMI_OK);
    CHECK_INT(count, 3);
    CHECK_INT(kimi_batch_input_add(input, "d", req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "already closed");
    text = read_file(path);
    CHECK_INT(count_lines(text), 3);
    free(text);
    kimi_batch_input_free(input);
    kimi_chat_request_free(req);
    kimi_chat_request_free(hot);
    CHECK(kimi_batch_input_new("/nonexistent-dir/x.jsonl") == NULL);
    CHECK_CONTAINS(kimi_error_message(), "cannot create \"/nonexistent-dir/x.jsonl\"");
    unlink(path);
}

/* Duplicates are found after the write buffer went to disk, too. */
static void test_input_finds_duplicates_in_a_large_file(void) {
    const char *path = temp_path("large.jsonl");
    kimi_batch_input *input = kimi_batch_input_new(path);
    kimi_chat_request *req = user_request(NULL, "a longer prompt, so that the lines add up to a few hundred kilobytes");
    char id[32];
    int i;
    for (i = 0; i < 3000; i++) {
        snprintf(id, sizeof id, "id-%d", i);
        CHECK_INT(kimi_batch_input_add(input, id, req), KIMI_OK);
    }
    CHECK_INT(kimi_batch_input_add(input, "id-2999", req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "already used by line 3000");
    CHECK_INT(kimi_batch_input_add(input, "id-0", req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "already used by line 1;");
    CHECK_INT(kimi_batch_input_add(input, "id-30000", req), KIMI_OK);
    kimi_batch_input_free(input);
    kimi_chat_request_free(req);
    unlink(path);
}

/* Kimi's batch rules: one model per file, only models the Batch API serves,
   no sampling fields (the fixed value is left out, another is refused), and
   the upload always named .jsonl. */
static void test_input_keeps_the_batch_rules(void) {
    char path[512];
    kimi_batch_input *input = kimi_batch_input_new(strcpy(path, temp_path("rules.jsonl")));
    kimi_chat_request *k26 = user_request("kimi-k2.6", "hello");
    kimi_chat_request *v1 = user_request("moonshot-v1-8k", "hello");
    kimi_chat_request *k25 = user_request("kimi-k2.5", "hello");
    kimi_client *client = test_client();
    kimi_batch *batch = NULL;
    kimi_file *file = NULL;
    char *text, txt[512];
    FILE *f;
    CHECK_INT(kimi_batch_input_add(input, "v1", v1), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "line 1 (custom_id \"v1\"): model: Kimi's Batch API does not serve \"moonshot-v1-8k\"; it runs kimi-k2.6 and kimi-k2.5");
    CHECK_INT(kimi_chat_request_set_temperature(k26, 1.0), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_top_p(k26, 0.95), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "a", k26), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "b", k25), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "line 2 (custom_id \"b\"): model: \"kimi-k2.5\", but the lines before are for \"kimi-k2.6\"; a batch runs one model");
    CHECK_INT(kimi_chat_request_set_temperature(k26, 0.7), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "c", k26), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "line 2 (custom_id \"c\"): temperature");
    CHECK_INT(kimi_chat_request_set_temperature(k26, 1.0), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(k26, "{\"seed\":3}"), KIMI_OK);
    CHECK_INT(kimi_batch_input_add(input, "d", k26), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "line 2 (custom_id \"d\"): seed: not a request field of Kimi's API reference; a batch line carries only the fields Kimi lists");
    CHECK_INT(kimi_batch_input_close(input, NULL), KIMI_OK);
    text = read_file(path);
    CHECK(text && !strstr(text, "temperature") && !strstr(text, "top_p") && count_lines(text) == 1);
    free(text);
    kimi_batch_input_free(input);

    /* Uploaded as .jsonl whatever the file is called (the mock, as Kimi, refuses other names). */
    snprintf(txt, sizeof txt, "%s", temp_path("jobs.txt"));
    f = fopen(txt, "wb");
    text = read_file(path);
    fputs(text, f);
    fclose(f);
    free(text);
    CHECK_INT(kimi_batch_submit(client, txt, NULL, NULL, &batch), KIMI_OK);
    CHECK_INT(kimi_file_retrieve(client, kimi_batch_input_file_id(batch), &file), KIMI_OK);
    CHECK_CONTAINS(kimi_file_filename(file), "jobs.jsonl");
    kimi_file_free(file);
    kimi_batch_free(batch);
    kimi_chat_request_free(k26);
    kimi_chat_request_free(v1);
    kimi_chat_request_free(k25);
    kimi_client_free(client);
    unlink(path);
    unlink(txt);
}

struct progress {
    int calls;
    int64_t last_done;
    int monotonic;
    int stop_after;
};

static int on_progress(const kimi_batch *batch, int64_t completed, int64_t failed, int64_t total, void *user_data) {
    struct progress *p = user_data;
    p->calls++;
    if (completed + failed < p->last_done || completed != kimi_batch_completed(batch) || total != kimi_batch_total(batch))
        p->monotonic = 0;
    p->last_done = completed + failed;
    return p->stop_after && p->calls >= p->stop_after;
}

struct results {
    int seen[LINES + 1];
    int ok, failed, bad;
    double cost;
};

static int on_result(const char *custom_id, const kimi_chat_response *resp, int http_status,
                     const char *error_message, void *user_data) {
    struct results *r = user_data;
    char expected[64];
    int i = atoi(custom_id + 4);
    if (strncmp(custom_id, "req-", 4) != 0 || i < 1 || i > LINES || r->seen[i]++) {
        r->bad++;
        return 0;
    }
    if (i % 25 == 0) {
        r->bad += resp != NULL || http_status != 0 || !error_message || !strstr(error_message, "request_failed");
        r->failed++;
    } else if (i % 10 == 0) {
        r->bad += resp != NULL || http_status != 429 || !error_message || !strstr(error_message, "slow down");
        r->failed++;
    } else {
        snprintf(expected, sizeof expected, "You said: prompt %d", i);
        r->bad += !resp || http_status != 200 || error_message != NULL ||
                  strcmp(kimi_chat_response_content(resp, NULL), expected) != 0;
        r->cost += kimi_chat_response_cost_usd(resp);
        r->ok++;
    }
    return 0;
}

static void test_two_hundred_requests_round_trip(void) {
    kimi_client *client = test_client();
    const char *path = write_input("round-trip.jsonl", LINES);
    kimi_batch *batch = NULL;
    struct progress progress = {0, 0, 1, 0};
    struct results *results = calloc(1, sizeof *results);
    int i, unseen = 0;
    int64_t responses_before;
    CHECK_INT(kimi_batch_submit(client, path, NULL, "{\"job\":\"test\"}", &batch), KIMI_OK);
    CHECK_STR(kimi_batch_status(batch), "validating");
    CHECK_STR(kimi_batch_completion_window(batch), "24h");
    CHECK(strncmp(kimi_batch_id(batch), "batch_", 6) == 0);
    CHECK(kimi_batch_input_file_id(batch)[0] != 0);
    CHECK(kimi_batch_expires_at(batch) == kimi_batch_created_at(batch) + 24 * 3600);
    CHECK_INT(kimi_batch_results(client, batch, on_result, results), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "is validating");

    CHECK_INT(kimi_batch_wait(client, batch, 10, on_progress, &progress), KIMI_OK);
    CHECK_STR(kimi_batch_status(batch), "completed");
    CHECK(kimi_batch_is_final(batch));
    CHECK(progress.calls >= 4);
    CHECK(progress.monotonic);
    CHECK_INT(kimi_batch_total(batch), LINES);
    CHECK_INT(kimi_batch_completed(batch), LINES - LINES / 10 - LINES / 25 + LINES / 50);
    CHECK_INT(kimi_batch_failed(batch), LINES / 10 + LINES / 25 - LINES / 50);
    CHECK(kimi_batch_in_progress_at(batch) > 0 && kimi_batch_finalizing_at(batch) > 0 && kimi_batch_completed_at(batch) > 0);
    CHECK(kimi_batch_output_file_id(batch)[0] != 0 && kimi_batch_error_file_id(batch)[0] != 0);

    responses_before = kimi_client_usage_responses(client);
    CHECK_INT(kimi_batch_results(client, batch, on_result, results), KIMI_OK);
    for (i = 1; i <= LINES; i++) unseen += results->seen[i] != 1;
    CHECK_INT(unseen, 0);
    CHECK_INT(results->bad, 0);
    CHECK_INT(results->ok, kimi_batch_completed(batch));
    CHECK_INT(results->failed, kimi_batch_failed(batch));
    CHECK(results->cost > 0);
    /* Each successful line counts once in the client's totals, however often
       the results are read. */
    CHECK_INT(kimi_client_usage_responses(client) - responses_before, results->ok);
    CHECK(fabs(kimi_client_usage_cost_usd(client) - results->cost) < 1e-9);
    memset(results, 0, sizeof *results);
    CHECK_INT(kimi_batch_results(client, batch, on_result, results), KIMI_OK);
    CHECK_INT(results->ok, kimi_batch_completed(batch));
    CHECK_INT(kimi_client_usage_responses(client) - responses_before, results->ok);
    free(results);
    kimi_batch_free(batch);
    kimi_client_free(client);
    unlink(path);
}

static int stop_at_three(const char *custom_id, const kimi_chat_response *resp, int http_status,
                         const char *error_message, void *user_data) {
    int *n = user_data;
    (void)custom_id, (void)resp, (void)http_status, (void)error_message;
    return ++*n == 3;
}

static void test_results_and_wait_stop_when_asked(void) {
    kimi_client *client = test_client();
    const char *path = write_input("stop.jsonl", 10);
    kimi_batch *batch = NULL;
    struct progress progress = {0, 0, 1, 1};
    int n = 0;
    CHECK_INT(kimi_batch_submit(client, path, "12h", NULL, &batch), KIMI_OK);
    CHECK_INT(kimi_batch_wait(client, batch, 10, on_progress, &progress), KIMI_E_ABORTED);
    CHECK_CONTAINS(kimi_error_message(), "runs on");
    CHECK_INT(progress.calls, 1);
    CHECK_STR(kimi_batch_status(batch), "in_progress");
    CHECK_INT(kimi_batch_wait(client, batch, 10, NULL, NULL), KIMI_OK);
    CHECK_STR(kimi_batch_status(batch), "completed");
    CHECK_INT(kimi_batch_results(client, batch, stop_at_three, &n), KIMI_E_ABORTED);
    CHECK_INT(n, 3);
    kimi_batch_free(batch);
    kimi_client_free(client);
    unlink(path);
}

static void test_wait_ends_when_the_cancel_token_fires(void) {
    kimi_client *client = test_client();
    const char *path = write_input("token.jsonl", 2);
    kimi_batch *batch = NULL;
    kimi_cancel_token *token = kimi_cancel_token_new();
    struct canceller canceller = {token, 200, 0};
    pthread_t thread;
    double took;
    CHECK_INT(kimi_batch_submit(client, path, "7d", NULL, &batch), KIMI_OK);
    CHECK_INT(kimi_batch_set_cancel_token(batch, token), KIMI_OK);
    pthread_create(&thread, NULL, cancel_later, &canceller);
    CHECK_INT(kimi_batch_wait(client, batch, 60000, NULL, NULL), KIMI_E_ABORTED);
    took = now_ms() - canceller.cancelled_at;
    pthread_join(thread, NULL);
    CHECK(took < 1000);
    CHECK_CONTAINS(kimi_error_message(), "cancel token");
    CHECK(!kimi_batch_is_final(batch));
    kimi_cancel_token_free(token);
    kimi_batch_free(batch);
    kimi_client_free(client);
    unlink(path);
}

/* Cancels after `polls` polls (0: validating, 1-2: in_progress, 3: finalizing). */
static void cancel_after_polls(kimi_client *client, const char *path, int polls, const char *state) {
    kimi_batch *batch = NULL;
    int i;
    CHECK_INT(kimi_batch_submit(client, path, NULL, NULL, &batch), KIMI_OK);
    for (i = 0; i < polls; i++) {
        kimi_batch *polled = NULL;
        CHECK_INT(kimi_batch_retrieve(client, kimi_batch_id(batch), &polled), KIMI_OK);
        kimi_batch_free(batch);
        batch = polled;
    }
    CHECK_STR(kimi_batch_status(batch), state);
    if (!kimi_batch_is_final(batch)) {
        CHECK_INT(kimi_batch_cancel(client, batch), KIMI_OK);
        CHECK_STR(kimi_batch_status(batch), "cancelling");
        CHECK(kimi_batch_cancelling_at(batch) > 0);
        CHECK_INT(kimi_batch_wait(client, batch, 10, NULL, NULL), KIMI_OK);
        CHECK_STR(kimi_batch_status(batch), "cancelled");
        CHECK(kimi_batch_cancelled_at(batch) > 0);
    }
    CHECK_INT(kimi_batch_cancel(client, batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "only a validating, in_progress or finalizing batch can be cancelled");
    CHECK_CONTAINS(kimi_error_message(), kimi_batch_status(batch));
    kimi_batch_free(batch);
}

static void test_cancel_from_each_state(void) {
    kimi_client *client = test_client();
    const char *path = write_input("cancel.jsonl", 4);
    cancel_after_polls(client, path, 0, "validating");
    cancel_after_polls(client, path, 1, "in_progress");
    cancel_after_polls(client, path, 2, "in_progress");
    cancel_after_polls(client, path, 3, "finalizing");
    cancel_after_polls(client, path, 4, "completed");
    kimi_client_free(client);
    unlink(path);
}

static int count_result(const char *custom_id, const kimi_chat_response *resp, int http_status,
                        const char *error_message, void *user_data) {
    (void)custom_id, (void)http_status, (void)error_message;
    ((int *)user_data)[resp ? 0 : 1]++;
    return 0;
}

static void test_expired_and_failed_batches(void) {
    kimi_client *client = test_client();
    const char *path = write_input("outcomes.jsonl", 6);
    kimi_batch *batch = NULL;
    int counts[2] = {0, 0};
    CHECK_INT(kimi_batch_submit(client, path, NULL, "{\"mock_outcome\":\"expired\"}", &batch), KIMI_OK);
    CHECK_INT(kimi_batch_wait(client, batch, 10, NULL, NULL), KIMI_OK);
    CHECK_STR(kimi_batch_status(batch), "expired");
    CHECK(kimi_batch_expired_at(batch) > 0);
    CHECK_INT(kimi_batch_results(client, batch, count_result, counts), KIMI_OK);
    CHECK_INT(counts[0] + counts[1], 3); /* half the lines ran before it expired */
    kimi_batch_free(batch);
    CHECK_INT(kimi_batch_submit(client, path, NULL, "{\"mock_outcome\":\"failed\"}", &batch), KIMI_OK);
    CHECK_INT(kimi_batch_wait(client, batch, 10, NULL, NULL), KIMI_OK);
    CHECK_STR(kimi_batch_status(batch), "failed");
    CHECK_CONTAINS(kimi_batch_error_message(batch), "mock_failure: validation failed on purpose (line 1)");
    CHECK_INT(kimi_batch_results(client, batch, count_result, counts), KIMI_OK);
    CHECK_INT(counts[0] + counts[1], 3);
    CHECK_CONTAINS(kimi_batch_json(batch, NULL), "\"errors\"");
    kimi_batch_free(batch);
    kimi_client_free(client);
    unlink(path);
}

static void test_list_pages(void) {
    kimi_client *client = test_client();
    const char *path = write_input("list.jsonl", 1);
    kimi_batch *newest = NULL;
    kimi_batch_page *page = NULL, *next = NULL;
    CHECK_INT(kimi_batch_submit(client, path, NULL, NULL, &newest), KIMI_OK);
    CHECK_INT(kimi_batch_list(client, NULL, 2, &page), KIMI_OK);
    CHECK_INT(kimi_batch_page_count(page), 2);
    CHECK(kimi_batch_page_has_more(page));
    CHECK_STR(kimi_batch_id(kimi_batch_page_get(page, 0)), kimi_batch_id(newest));
    CHECK_STR(kimi_batch_page_last_id(page), kimi_batch_id(kimi_batch_page_get(page, 1)));
    CHECK(kimi_batch_page_get(page, 2) == NULL);
    CHECK_INT(kimi_batch_list(client, kimi_batch_page_last_id(page), 100, &next), KIMI_OK);
    CHECK(kimi_batch_page_count(next) >= 1);
    CHECK(strcmp(kimi_batch_id(kimi_batch_page_get(next, 0)), kimi_batch_page_last_id(page)) != 0);
    kimi_batch_page_free(next);
    CHECK_INT(kimi_batch_list(client, NULL, 0, &next), KIMI_E_INVALID_ARGUMENT);
    CHECK(next == NULL);
    kimi_batch_free(newest);
    CHECK_INT(kimi_batch_retrieve(client, "batch_nope", &newest), KIMI_E_API);
    CHECK(newest == NULL);
    CHECK_INT(kimi_error_http_status(), 404);
    kimi_batch_page_free(page);
    kimi_client_free(client);
    unlink(path);
}

/* Limits are checked before any request: this client's server does not
   exist, so a request would fail with KIMI_E_TRANSPORT instead. */
static void test_limits_are_refused_without_a_request(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    char path[512], big[512];
    kimi_batch *batch = NULL;
    char metadata[2048], *at = metadata;
    int i;
    FILE *f;
    snprintf(path, sizeof path, "%s", write_input("limits.jsonl", 1));
    snprintf(big, sizeof big, "%s", temp_path("big.jsonl"));
    CHECK_INT(kimi_client_options_set_base_url(opts, "http://127.0.0.1:1/v1"), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_batch_submit(client, path, "30d", NULL, &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "\"30d\" is 720 hours; Kimi accepts 12h to 7d");
    CHECK(batch == NULL);
    CHECK_INT(kimi_batch_submit(client, path, "11h", NULL, &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_batch_submit(client, path, "1w", NULL, &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "is not a window like \"24h\"");
    CHECK_INT(kimi_batch_submit(client, path, "", NULL, &batch), KIMI_E_INVALID_ARGUMENT);
    at += sprintf(at, "{");
    for (i = 0; i < 17; i++) at += sprintf(at, "%s\"k%d\":\"v\"", i ? "," : "", i);
    sprintf(at, "}");
    CHECK_INT(kimi_batch_submit(client, path, NULL, metadata, &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "17 pairs; Kimi accepts at most 16");
    sprintf(metadata, "{\"%065d\":\"v\"}", 0);
    CHECK_INT(kimi_batch_submit(client, path, NULL, metadata, &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "at most 64");
    sprintf(metadata, "{\"k\":\"%0513d\"}", 0);
    CHECK_INT(kimi_batch_submit(client, path, NULL, metadata, &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "513 characters; Kimi accepts at most 512");
    CHECK_INT(kimi_batch_submit(client, path, NULL, "{\"k\":1}", &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "must be strings");
    CHECK_INT(kimi_batch_submit(client, path, NULL, "[1]", &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_batch_submit(client, path, NULL, "{", &batch), KIMI_E_INVALID_ARGUMENT);
    f = fopen(big, "wb");
    CHECK(f && ftruncate(fileno(f), 100 * 1024 * 1024 + 1) == 0);
    if (f) fclose(f);
    CHECK_INT(kimi_batch_submit(client, big, NULL, NULL, &batch), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "over Kimi's 100 MB batch file limit");
    CHECK_INT(kimi_batch_create(client, "file-x", "169h", NULL, &batch), KIMI_E_INVALID_ARGUMENT);
    /* A valid call does reach the (missing) server. */
    CHECK_INT(kimi_batch_submit(client, path, "168h", NULL, &batch), KIMI_E_TRANSPORT);
    kimi_client_free(client);
    unlink(big);
    unlink(path);
}

static void test_the_mock_refuses_what_kimi_refuses(void) {
    kimi_client *client = test_client();
    kimi_file *file = NULL;
    kimi_batch *batch = NULL;
    const char *path = write_input("server.jsonl", 1);
    CHECK_INT(kimi_file_upload(client, path, "file-extract", NULL, NULL, &file), KIMI_OK);
    CHECK_INT(kimi_batch_create(client, kimi_file_id(file), NULL, NULL, &batch), KIMI_E_API);
    CHECK_CONTAINS(kimi_error_message(), "expected batch");
    CHECK_INT(kimi_batch_create(client, "file-none", NULL, NULL, &batch), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 404);
    kimi_file_free(file);
    kimi_client_free(client);
    unlink(path);
}

static void test_cost_of_a_response(void) {
    kimi_client_options *opts;
    kimi_client *client = test_client(), *priced;
    kimi_chat_request *req =
        user_request(NULL, "[[mock: prompt_tokens=1000000 cached=400000 completion_tokens=100000]] hi");
    kimi_chat_response *resp = NULL, *streamed = NULL;
    CHECK(kimi_chat_response_cost_usd(NULL) == 0.0);
    CHECK_INT(kimi_client_usage_responses(client), 0);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_INT(kimi_chat_response_prompt_tokens(resp), 1000000);
    CHECK_INT(kimi_chat_response_cached_tokens(resp), 400000);
    /* 600k x $0.60 + 400k x $0.15 + 100k x $3.00 per million = $0.72 */
    CHECK(fabs(kimi_chat_response_cost_usd(resp) - 0.72) < 1e-12);
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &streamed), KIMI_OK);
    CHECK(fabs(kimi_chat_response_cost_usd(streamed) - 0.72) < 1e-12);
    CHECK_INT(kimi_client_usage_responses(client), 2);
    CHECK_INT(kimi_client_usage_prompt_tokens(client), 2000000);
    CHECK_INT(kimi_client_usage_cached_tokens(client), 800000);
    CHECK_INT(kimi_client_usage_completion_tokens(client), 200000);
    CHECK(fabs(kimi_client_usage_cost_usd(client) - 1.44) < 1e-12);
    kimi_client_usage_reset(client);
    CHECK_INT(kimi_client_usage_responses(client), 0);
    CHECK(kimi_client_usage_cost_usd(client) == 0.0);
    kimi_chat_response_free(resp);
    kimi_chat_response_free(streamed);

    opts = test_options();
    CHECK_INT(kimi_client_options_set_pricing(opts, -1, 0, 0), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "input price");
    CHECK_INT(kimi_client_options_set_pricing(opts, 1, NAN, 0), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_set_pricing(opts, 1.0, 0.5, 2.0), KIMI_OK);
    priced = test_client_from(opts);
    CHECK_INT(kimi_chat_create(priced, req, &resp), KIMI_OK);
    CHECK(fabs(kimi_chat_response_cost_usd(resp) - (0.6 + 0.2 + 0.2)) < 1e-12);
    CHECK(fabs(kimi_client_usage_cost_usd(priced) - 1.0) < 1e-12);
    kimi_chat_response_free(resp);
    kimi_client_free(priced);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* Many threads add to one client's totals; each response counts once. */
static void *create_some(void *arg) {
    kimi_client *client = arg;
    kimi_chat_request *req = user_request(NULL, "[[mock: prompt_tokens=1000 completion_tokens=10]] hi");
    int i;
    for (i = 0; i < 25; i++) {
        kimi_chat_response *resp = NULL;
        if (kimi_chat_create(client, req, &resp) == KIMI_OK) kimi_chat_response_free(resp);
    }
    kimi_chat_request_free(req);
    return NULL;
}

static void test_totals_are_thread_safe(void) {
    kimi_client *client = test_client();
    pthread_t threads[8];
    int i;
    for (i = 0; i < 8; i++) pthread_create(&threads[i], NULL, create_some, client);
    for (i = 0; i < 8; i++) pthread_join(threads[i], NULL);
    CHECK_INT(kimi_client_usage_responses(client), 200);
    CHECK_INT(kimi_client_usage_prompt_tokens(client), 200000);
    CHECK_INT(kimi_client_usage_completion_tokens(client), 2000);
    CHECK(fabs(kimi_client_usage_cost_usd(client) - 200 * (1000 * 0.6 + 10 * 3.0) / 1e6) < 1e-9);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_input_writes_one_line_per_request);
    RUN(test_input_carries_inline_media);
    RUN(test_input_refuses_bad_lines_with_their_number);
    RUN(test_input_finds_duplicates_in_a_large_file);
    RUN(test_input_keeps_the_batch_rules);
    RUN(test_two_hundred_requests_round_trip);
    RUN(test_results_and_wait_stop_when_asked);
    RUN(test_wait_ends_when_the_cancel_token_fires);
    RUN(test_cancel_from_each_state);
    RUN(test_expired_and_failed_batches);
    RUN(test_list_pages);
    RUN(test_limits_are_refused_without_a_request);
    RUN(test_the_mock_refuses_what_kimi_refuses);
    RUN(test_cost_of_a_response);
    RUN(test_totals_are_thread_safe);
    return harness_finish();
}
