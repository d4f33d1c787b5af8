/* The hostile-server suite: every case of Tests/hostile/hostile_server.py
 * against every call style that can meet it. Each case ends with its
 * documented status, no crash, no hang, and the partial answer kept; no
 * piece of the key (8 characters or more) survives in any text. Run by
 * `make test` (with_mock.py --hostile) and `make asan`. */
#include "../c/harness.h"

#include <stdint.h>
#include <sys/resource.h>

#define KEY "sk-HOSTILE-0123456789abcdefghij"

enum style { CREATE, STREAM, PULL, TASK_STREAM, TASK_CREATE, STYLES };
static const char *style_names[] = {"create", "stream", "pull", "task_stream", "task_create"};


/* The failure of the last run(), read right after the call that failed:
   later calls (kimi_stream_response, kimi_task_response) clear the
   library's last error. */
static struct {
    kimi_status status;
    int kind, http;
    int64_t retry_after_ms;
    char message[8192], body[8192];
} last;

static void snapshot(kimi_status status) {
    last.status = status;
    last.kind = kimi_error_kind();
    last.http = kimi_error_http_status();
    last.retry_after_ms = kimi_error_retry_after_ms();
    snprintf(last.message, sizeof last.message, "%s", kimi_error_message());
    snprintf(last.body, sizeof last.body, "%s", kimi_error_body());
}

/* Options for the hostile server's case `path`. */
static kimi_client_options *case_options(const char *path) { return hostile_options(path, KEY); }

static kimi_client *case_client(const char *path) { return test_client_from(case_options(path)); }

/* Runs "hi" in `style`; stores the response (also a partial one) or NULL. */
static kimi_status run(kimi_client *client, enum style style, kimi_chat_response **out) {
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_status status = KIMI_E_INTERNAL;
    kimi_task *task = NULL;
    kimi_stream *stream = NULL;
    const kimi_stream_event *event;
    *out = NULL;
    switch (style) {
    case CREATE: status = kimi_chat_create(client, req, out); break;
    case STREAM: status = kimi_chat_stream(client, req, NULL, NULL, out); break;
    case PULL:
        status = kimi_chat_stream_open(client, req, &stream);
        while (status == KIMI_OK && (status = kimi_stream_next(stream, &event)) == KIMI_OK && event) {}
        snapshot(status);
        if (stream) {
            CHECK_INT(kimi_stream_response(stream, out), KIMI_OK);
            kimi_stream_free(stream);
        }
        kimi_chat_request_free(req);
        return status;
    case TASK_STREAM:
    case TASK_CREATE:
        status = style == TASK_STREAM ? kimi_chat_stream_start(client, req, NULL, NULL, &task)
                                      : kimi_chat_create_start(client, req, NULL, NULL, &task);
        if (status == KIMI_OK) {
            status = kimi_task_wait(task, -1);
            snapshot(status);
            if (kimi_task_response(task, out) != KIMI_OK) *out = NULL;
            kimi_task_free(task);
            kimi_chat_request_free(req);
            return status;
        }
        break;
    default: break;
    }
    snapshot(status);
    kimi_chat_request_free(req);
    return status;
}

/* True when `text` holds 8 or more consecutive characters of the key. */
static int reveals(const char *text) {
    size_t n = strlen(KEY), i;
    char piece[16];
    if (!text) return 0;
    for (i = 0; i + 8 <= n; i++) {
        memcpy(piece, &KEY[i], 8);
        piece[8] = 0;
        if (strstr(text, piece)) return 1;
    }
    return 0;
}

#define CHECK_SECRET(text)                                                                  \
    do {                                                                                    \
        const char *t_ = (text);                                                            \
        if (t_ && reveals(t_)) {                                                          \
            fprintf(stderr, "  FAIL %s:%d in %s: a piece of the key in %s: %.300s\n", __FILE__, \
                    __LINE__, harness_current, #text, t_);                                  \
            harness_test_failed = 1;                                                        \
        }                                                                                   \
    } while (0)

/* ------------------------------------------------------------------ numbers */

static const char *variants[] = {"max", "over", "min", "under", "neg", "frac", "exp", "tiny", "big", "edge", "zero"};
#define VARIANTS (sizeof variants / sizeof *variants)

/* What a count reads as: the value for 2^53 and 0, -1 (absent) otherwise. */
static int64_t expected_count(const char *variant, int64_t absent) {
    if (!strcmp(variant, "edge")) return 9007199254740992LL;
    if (!strcmp(variant, "zero")) return 0;
    return absent;
}

static int64_t usage_field(const kimi_chat_response *resp, const char *field) {
    if (!strcmp(field, "prompt_tokens")) return kimi_chat_response_prompt_tokens(resp);
    if (!strcmp(field, "completion_tokens")) return kimi_chat_response_completion_tokens(resp);
    if (!strcmp(field, "total_tokens")) return kimi_chat_response_total_tokens(resp);
    return kimi_chat_response_cached_tokens(resp);
}

static void test_token_counts_in_every_place_and_style(void) {
    static const char *places[] = {"body", "choice", "stream", "streamtop"};
    static const char *fields[] = {"prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens",
                                   "details_cached"};
    size_t p, f, v;
    int s;
    char path[256];
    for (p = 0; p < 4; p++) {
        int streamed = p >= 2;
        for (f = 0; f < 5; f++) {
            for (v = 0; v < VARIANTS; v++) {
                kimi_client *client;
                snprintf(path, sizeof path, "num/%s/%s/%s", places[p], fields[f], variants[v]);
                client = case_client(path);
                for (s = 0; s < STYLES; s++) {
                    kimi_chat_response *resp;
                    kimi_status status;
                    if (streamed != (s == STREAM || s == PULL || s == TASK_STREAM)) continue;
                    status = run(client, (enum style)s, &resp);
                    if (status != KIMI_OK) {
                        fprintf(stderr, "  %s by %s\n", path, style_names[s]);
                        CHECK_INT(status, KIMI_OK);
                    }
                    CHECK(resp != NULL);
                    if (resp) {
                        int64_t got = usage_field(resp, fields[f]);
                        if (got != expected_count(variants[v], -1)) {
                            fprintf(stderr, "  %s by %s: %lld\n", path, style_names[s], (long long)got);
                            CHECK(0);
                        }
                        kimi_chat_response_free(resp);
                    }
                }
                /* Whatever the counts, the totals stay counts. */
                CHECK(kimi_client_usage_prompt_tokens(client) >= 0);
                CHECK(kimi_client_usage_completion_tokens(client) >= 0);
                kimi_client_free(client);
            }
        }
    }
}

static void test_client_totals_never_overflow(void) {
    /* Int64.max once, 5e18 twice (each over 2^53, so both absent), then
       2^53 three times: the totals are exactly 3 * 2^53 prompt tokens. */
    const char *paths[] = {"num/body/prompt_tokens/max", "num/body/prompt_tokens/fivee18",
                           "num/body/prompt_tokens/fivee18", "num/body/prompt_tokens/edge",
                           "num/stream/prompt_tokens/edge", "num/choice/prompt_tokens/edge"};
    kimi_client *client = case_client("num/body/prompt_tokens/max");
    size_t i;
    for (i = 0; i < 6; i++) {
        kimi_client *one = case_client(paths[i]);
        kimi_chat_response *resp;
        CHECK_INT(run(one, i == 4 ? STREAM : CREATE, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
        if (i == 5) CHECK_INT(kimi_client_usage_prompt_tokens(one), 9007199254740992LL);
        kimi_client_free(one);
    }
    for (i = 0; i < 3; i++) {
        kimi_chat_response *resp;
        CHECK_INT(run(client, CREATE, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
    }
    CHECK_INT(kimi_client_usage_prompt_tokens(client), 0);
    CHECK_INT(kimi_client_usage_responses(client), 3);
    kimi_client_free(client);
}

static void test_created_and_indexes(void) {
    size_t v;
    char path[128];
    for (v = 0; v < VARIANTS; v++) {
        kimi_client *client;
        kimi_chat_response *resp;
        int in_range = !strcmp(variants[v], "zero");
        /* created: 0 unless a count. */
        snprintf(path, sizeof path, "num/body/created/%s", variants[v]);
        client = case_client(path);
        CHECK_INT(run(client, CREATE, &resp), KIMI_OK);
        CHECK_INT(kimi_chat_response_created(resp), expected_count(variants[v], 0));
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        snprintf(path, sizeof path, "num/stream/created/%s", variants[v]);
        client = case_client(path);
        CHECK_INT(run(client, STREAM, &resp), KIMI_OK);
        /* A stream takes `created` from the first chunk with a valid one. */
        CHECK_INT(kimi_chat_response_created(resp), !strcmp(variants[v], "edge") ? 9007199254740992LL : 1700000000);
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        /* A choice index in a body never matters to the accessors... */
        snprintf(path, sizeof path, "num/body/index/%s", variants[v]);
        client = case_client(path);
        CHECK_INT(run(client, CREATE, &resp), KIMI_OK);
        CHECK_STR(kimi_chat_response_content(resp, NULL), "hello");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        /* ...but in a stream it names the choice: outside 0..127 it is a
           malformed chunk, and what came before it is kept. */
        snprintf(path, sizeof path, "num/stream/index/%s", variants[v]);
        client = case_client(path);
        CHECK_INT(run(client, PULL, &resp), in_range ? KIMI_OK : KIMI_E_PARSE);
        CHECK(resp != NULL);
        if (resp) CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "Hi");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        snprintf(path, sizeof path, "num/stream/tool_index/%s", variants[v]);
        client = case_client(path);
        CHECK_INT(run(client, TASK_STREAM, &resp), in_range ? KIMI_OK : KIMI_E_PARSE);
        if (!in_range) CHECK_CONTAINS(last.message, "tool call index is not an integer from 0 to 1023");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
    }
}

static void test_files_batches_models_balance(void) {
    size_t v, f;
    char path[128];
    for (v = 0; v < VARIANTS; v++) {
        const char *variant = variants[v];
        static const char *batch_fields[] = {"total", "completed", "failed", "created_at", "in_progress_at",
                                             "finalizing_at", "completed_at", "failed_at", "expired_at",
                                             "cancelling_at", "cancelled_at", "expires_at"};
        static const char *file_fields[] = {"bytes", "created_at"};
        static const char *balance_fields[] = {"available_balance", "voucher_balance", "cash_balance"};
        for (f = 0; f < 2; f++) {
            kimi_client *client;
            kimi_file *file;
            kimi_file_list *list;
            snprintf(path, sizeof path, "num/file/%s/%s", file_fields[f], variant);
            client = case_client(path);
            CHECK_INT(kimi_file_retrieve(client, "file-1", &file), KIMI_OK);
            CHECK_INT(f == 0 ? kimi_file_bytes(file) : kimi_file_created_at(file), expected_count(variant, 0));
            kimi_file_free(file);
            CHECK_INT(kimi_files_list(client, &list), KIMI_OK);
            CHECK_INT(kimi_file_list_count(list), 1);
            kimi_file_list_free(list);
            kimi_client_free(client);
        }
        for (f = 0; f < 12; f++) {
            kimi_client *client;
            kimi_batch *batch;
            int64_t got;
            snprintf(path, sizeof path, "num/batch/%s/%s", batch_fields[f], variant);
            client = case_client(path);
            CHECK_INT(kimi_batch_retrieve(client, "batch-1", &batch), KIMI_OK);
            switch (f) {
            case 0: got = kimi_batch_total(batch); break;
            case 1: got = kimi_batch_completed(batch); break;
            case 2: got = kimi_batch_failed(batch); break;
            case 3: got = kimi_batch_created_at(batch); break;
            case 4: got = kimi_batch_in_progress_at(batch); break;
            case 5: got = kimi_batch_finalizing_at(batch); break;
            case 6: got = kimi_batch_completed_at(batch); break;
            case 7: got = kimi_batch_failed_at(batch); break;
            case 8: got = kimi_batch_expired_at(batch); break;
            case 9: got = kimi_batch_cancelling_at(batch); break;
            case 10: got = kimi_batch_cancelled_at(batch); break;
            default: got = kimi_batch_expires_at(batch); break;
            }
            CHECK_INT(got, expected_count(variant, 0));
            kimi_batch_free(batch);
            kimi_client_free(client);
        }
        {
            kimi_client *client;
            kimi_model_list *models;
            snprintf(path, sizeof path, "num/models/context_length/%s", variant);
            client = case_client(path);
            CHECK_INT(kimi_models_list(client, &models), KIMI_OK);
            CHECK_INT(kimi_model_list_context_length(models, 0), expected_count(variant, -1));
            kimi_model_list_free(models);
            kimi_client_free(client);
        }
        {
            kimi_client *client;
            kimi_model *model = NULL;
            snprintf(path, sizeof path, "num/models/created/%s", variant);
            client = case_client(path);
            CHECK_INT(kimi_model_retrieve(client, "kimi-k2.6", &model), KIMI_OK);
            CHECK_INT(kimi_model_created(model), expected_count(variant, 0));
            kimi_model_free(model);
            kimi_client_free(client);
            snprintf(path, sizeof path, "num/models/context_length/%s", variant);
            client = case_client(path);
            CHECK_INT(kimi_model_retrieve(client, "kimi-k2.6", &model), KIMI_OK);
            CHECK_INT(kimi_model_context_length(model), expected_count(variant, -1));
            kimi_model_free(model);
            kimi_client_free(client);
        }
        for (f = 0; f < 3; f++) {
            kimi_client *client;
            double values[3] = {-7, -7, -7};
            snprintf(path, sizeof path, "num/balance/%s/%s", balance_fields[f], variant);
            client = case_client(path);
            CHECK_INT(kimi_balance_get(client, &values[0], &values[1], &values[2]), KIMI_OK);
            /* A number no double holds reads as absent: 0. */
            if (!strcmp(variant, "exp")) CHECK(values[f] == 0.0);
            if (!strcmp(variant, "neg")) CHECK(values[f] == -5.0);
            kimi_client_free(client);
        }
    }
}

struct lines {
    int count, failed;
    int64_t prompt[4];
    int status[4];
    char errors[4][512];
};

static int on_line(const char *custom_id, const kimi_chat_response *resp, int http_status, const char *error_message,
                   void *user_data) {
    struct lines *lines = user_data;
    (void)custom_id;
    if (lines->count < 4) {
        lines->prompt[lines->count] = resp ? kimi_chat_response_prompt_tokens(resp) : -2;
        lines->status[lines->count] = http_status;
        snprintf(lines->errors[lines->count], sizeof lines->errors[0], "%s", error_message ? error_message : "");
    }
    if (!resp) lines->failed++;
    lines->count++;
    return 0;
}

static void test_batch_lines(void) {
    size_t v;
    char path[128];
    for (v = 0; v < VARIANTS; v++) {
        kimi_client *client;
        kimi_batch *batch;
        struct lines lines;
        memset(&lines, 0, sizeof lines);
        snprintf(path, sizeof path, "num/batchline/prompt_tokens/%s", variants[v]);
        client = case_client(path);
        CHECK_INT(kimi_batch_retrieve(client, "batch-1", &batch), KIMI_OK);
        CHECK_INT(kimi_batch_results(client, batch, on_line, &lines), KIMI_OK);
        CHECK_INT(lines.count, 2);
        CHECK_INT(lines.prompt[0], expected_count(variants[v], -1));
        CHECK_INT(lines.prompt[1], 5);
        kimi_batch_free(batch);
        kimi_client_free(client);
        /* A status code that is no status code: the line failed, saying so. */
        memset(&lines, 0, sizeof lines);
        snprintf(path, sizeof path, "num/batchline/status_code/%s", variants[v]);
        client = case_client(path);
        CHECK_INT(kimi_batch_retrieve(client, "batch-1", &batch), KIMI_OK);
        CHECK_INT(kimi_batch_results(client, batch, on_line, &lines), KIMI_OK);
        CHECK_INT(lines.count, 2);
        CHECK_INT(lines.status[0], 0);
        CHECK_INT(lines.failed, 1);
        kimi_batch_free(batch);
        kimi_client_free(client);
    }
}

/* ------------------------------------------------------------------ headers */

static void test_retry_after_values(void) {
    struct {
        const char *header, *value;
        int64_t retry_after_ms;
        int retried; /* 1: the one retry allowed was made */
    } rows[] = {
        {"retry-after", "huge", INT64_MAX, 0},   /* seconds * 1000 saturates: over the 60 s cap */
        {"retry-after", "max", INT64_MAX, 0},
        {"retry-after", "over", INT64_MAX, 0},   /* libcurl cannot read it: digits, so saturated */
        {"retry-after", "future", -2, 0},        /* an HTTP-date in 2100: far over the cap */
        {"retry-after", "past", 0, 1},           /* a date already past: now */
        {"retry-after", "zero", 0, 1},
        {"retry-after", "neg", -1, 1},           /* not a wait: the normal backoff */
        {"retry-after", "garbage", -1, 1},
        {"retry-after-ms", "huge", 9223372036854776LL, 0}, /* already milliseconds */
        {"retry-after-ms", "max", INT64_MAX, 0},
        {"retry-after-ms", "exp", INT64_MAX, 0},
        {"retry-after-ms", "frac", 2, 1},        /* 1.5 ms, rounded up */
        {"retry-after-ms", "neg", -1, 1},
        {"retry-after-ms", "garbage", -1, 1},
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        char path[128];
        kimi_client_options *opts;
        kimi_client *client;
        kimi_chat_response *resp;
        double start;
        snprintf(path, sizeof path, "hdr/%s/%s/429", rows[i].header, rows[i].value);
        opts = case_options(path);
        CHECK_INT(kimi_client_options_set_max_retries(opts, 1), KIMI_OK);
        CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 1), KIMI_OK);
        client = test_client_from(opts);
        start = now_ms();
        CHECK_INT(run(client, CREATE, &resp), KIMI_E_API);
        CHECK(now_ms() - start < 3000);
        CHECK_INT(last.kind, KIMI_KIND_RATE_LIMITED);
        if (rows[i].retry_after_ms == -2) {
            CHECK(last.retry_after_ms > 60000);
        } else if (last.retry_after_ms != rows[i].retry_after_ms) {
            fprintf(stderr, "  %s: retry_after_ms %lld\n", path, (long long)last.retry_after_ms);
            CHECK(0);
        }
        if (rows[i].retried) {
            CHECK_CONTAINS(last.message, "(after 1 retry)");
        } else if (strstr(last.message, "retry")) {
            fprintf(stderr, "  %s retried: %s\n", path, last.message);
            CHECK(0);
        }
        kimi_client_free(client);
    }
}

static void test_odd_headers_on_a_good_answer(void) {
    /* Any answer can carry them: nothing may trap on the way. */
    const char *values[] = {"huge", "max", "over", "exp", "neg", "frac", "garbage", "future", "past"};
    const char *headers[] = {"retry-after", "retry-after-ms"};
    size_t h, v;
    int s;
    for (h = 0; h < 2; h++) {
        for (v = 0; v < sizeof values / sizeof *values; v++) {
            char path[128];
            kimi_client *client;
            snprintf(path, sizeof path, "hdr/%s/%s/200", headers[h], values[v]);
            client = case_client(path);
            for (s = 0; s < STYLES; s++) {
                kimi_chat_response *resp;
                CHECK_INT(run(client, (enum style)s, &resp), KIMI_OK);
                kimi_chat_response_free(resp);
            }
            kimi_client_free(client);
        }
    }
}

static void test_content_length_and_status_lines(void) {
    const char *lengths[] = {"huge", "max", "over", "neg", "frac", "garbage"};
    const char *lines[] = {"huge", "neg", "four", "none", "text"};
    size_t i;
    for (i = 0; i < sizeof lengths / sizeof *lengths; i++) {
        char path[128];
        kimi_client *client;
        kimi_chat_response *resp;
        kimi_status status;
        snprintf(path, sizeof path, "hdr/content-length/%s/200", lengths[i]);
        client = case_client(path);
        status = run(client, CREATE, &resp);
        /* libcurl refuses a Content-Length it cannot use (a transport error),
           reads one too large to hold as "until the connection closes" (the
           answer is fine), and one too long for the body as a cut body. */
        if (!strcmp(lengths[i], "over")) {
            CHECK_INT(status, KIMI_OK);
        } else if (status != KIMI_E_TRANSPORT && status != KIMI_E_PARSE) {
            fprintf(stderr, "  %s: %d %s\n", path, status, last.message);
            CHECK(0);
        }
        kimi_chat_response_free(resp);
        kimi_client_free(client);
    }
    for (i = 0; i < sizeof lines / sizeof *lines; i++) {
        char path[128];
        kimi_client *client;
        kimi_chat_response *resp;
        snprintf(path, sizeof path, "status/%s", lines[i]);
        client = case_client(path);
        CHECK_INT(run(client, CREATE, &resp), KIMI_E_TRANSPORT);
        CHECK_INT(last.kind, KIMI_KIND_TRANSPORT);
        kimi_client_free(client);
    }
}

/* ------------------------------------------------------------ shapes, sizes */

static void test_duplicate_keys_last_wins(void) {
    kimi_client *client = case_client("dupkeys/body");
    kimi_chat_response *resp;
    CHECK_INT(run(client, CREATE, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "second");
    CHECK_STR(kimi_chat_response_id(resp), "cmpl-dup");
    CHECK_INT(kimi_chat_response_prompt_tokens(resp), 7);
    kimi_chat_response_free(resp);
    kimi_client_free(client);
    client = case_client("dupkeys/stream");
    CHECK_INT(run(client, STREAM, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "second");
    CHECK_INT(kimi_chat_response_prompt_tokens(resp), 7);
    kimi_chat_response_free(resp);
    kimi_client_free(client);
}

static void test_nesting_at_and_past_the_limit(void) {
    struct {
        const char *path;
        enum style style;
        kimi_status expected;
    } rows[] = {
        {"deep/body/63", CREATE, KIMI_OK},            /* 64 levels with the object around it */
        {"deep/body/64", CREATE, KIMI_E_PARSE},
        {"deep/body/2040", CREATE, KIMI_E_PARSE},
        {"deep/body/2040", TASK_CREATE, KIMI_E_PARSE},
        {"deep/usage/100", CREATE, KIMI_E_PARSE},
        {"deep/stream/60", STREAM, KIMI_OK},          /* 4 levels of chunk around it */
        {"deep/stream/61", STREAM, KIMI_E_PARSE},
        {"deep/stream/2040", PULL, KIMI_E_PARSE},
        {"deep/stream/2040", TASK_STREAM, KIMI_E_PARSE},
        {"deep/streamerror/2040", STREAM, KIMI_E_PARSE}, /* a malformed chunk, error or not */
        {"deep/error/2040", CREATE, KIMI_E_HTTP},     /* an error body that cannot be read */
    };
    size_t i;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        kimi_client *client = case_client(rows[i].path);
        kimi_chat_response *resp;
        kimi_status status = run(client, rows[i].style, &resp);
        if (status != rows[i].expected) fprintf(stderr, "  %s by %s\n", rows[i].path, style_names[rows[i].style]);
        CHECK_INT(status, rows[i].expected);
        if (rows[i].expected == KIMI_E_PARSE) CHECK_CONTAINS(last.message, "nested deeper than 64 levels");
        if (rows[i].expected == KIMI_E_HTTP) CHECK_INT(last.http, 400);
        if (rows[i].style != CREATE && rows[i].style != TASK_CREATE && resp)
            CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "ok");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
    }
    {
        kimi_client *client = case_client("deep/file/2040");
        kimi_file *file;
        struct lines lines;
        kimi_batch *batch;
        CHECK_INT(kimi_file_retrieve(client, "file-1", &file), KIMI_E_PARSE);
        kimi_client_free(client);
        client = case_client("deep/batchline/2040");
        memset(&lines, 0, sizeof lines);
        CHECK_INT(kimi_batch_retrieve(client, "batch-1", &batch), KIMI_OK);
        CHECK_INT(kimi_batch_results(client, batch, on_line, &lines), KIMI_OK);
        CHECK_INT(lines.count, 2);
        CHECK_INT(lines.failed, 1);
        CHECK_CONTAINS(lines.errors[0], "nested deeper than 64 levels");
        kimi_batch_free(batch);
        kimi_client_free(client);
    }
    /* JSON given by the caller is held to the same limit. */
    {
        char deep[256];
        kimi_chat_request *req = kimi_chat_request_new(NULL);
        memset(deep, '[', 100);
        memset(deep + 100, ']', 100);
        deep[200] = 0;
        CHECK_INT(kimi_chat_request_add_tool(req, "deep_tool", NULL, deep, -1), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), "nested deeper than 64 levels");
        kimi_chat_request_free(req);
    }
}

static void test_huge_lines_and_comments(void) {
    const char *paths[] = {"hugeline/1048576", "hugecomment/1048576"};
    size_t i;
    int s;
    for (i = 0; i < 2; i++) {
        for (s = STREAM; s <= TASK_STREAM; s++) {
            kimi_client_options *opts = case_options(paths[i]);
            kimi_client *client;
            kimi_chat_response *resp;
            CHECK_INT(kimi_client_options_set_max_event_bytes(opts, 65536), KIMI_OK);
            client = test_client_from(opts);
            CHECK_INT(run(client, (enum style)s, &resp), KIMI_E_TOO_LARGE);
            CHECK_INT(last.kind, KIMI_KIND_BAD_RESPONSE);
            CHECK(resp != NULL);
            if (resp) CHECK_STR(kimi_chat_response_content(resp, NULL), "before");
            kimi_chat_response_free(resp);
            kimi_client_free(client);
        }
    }
}

static void test_one_byte_drip(void) {
    kimi_client *client = case_client("drip");
    kimi_chat_response *resp;
    CHECK_INT(run(client, PULL, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "Dripping works");
    kimi_chat_response_free(resp);
    CHECK_INT(run(client, TASK_STREAM, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "Dripping works");
    kimi_chat_response_free(resp);
    kimi_client_free(client);
}

static void test_endless_answers(void) {
    int s;
    for (s = 0; s < STYLES; s++) {
        int streamed = s == STREAM || s == PULL || s == TASK_STREAM;
        kimi_client_options *opts;
        kimi_client *client;
        kimi_chat_response *resp;
        /* Under a whole-request timeout: KIMI_E_TIMEOUT, what arrived kept. */
        opts = case_options(streamed ? "endless/content" : "endless/body");
        CHECK_INT(kimi_client_options_set_timeout_ms(opts, 400), KIMI_OK);
        if (!streamed) CHECK_INT(kimi_client_options_set_max_response_bytes(opts, 1 << 20), KIMI_OK);
        client = test_client_from(opts);
        CHECK_INT(run(client, (enum style)s, &resp), streamed ? KIMI_E_TIMEOUT : KIMI_E_TOO_LARGE);
        if (streamed) {
            CHECK_INT(last.kind, KIMI_KIND_TIMEOUT);
            CHECK(resp != NULL);
            if (resp) CHECK(strncmp(kimi_chat_response_content(resp, NULL), "start more more", 15) == 0);
        }
        kimi_chat_response_free(resp);
        kimi_client_free(client);
    }
    {
        /* Comments only: bytes flow, so only the whole-request timeout ends it. */
        kimi_client_options *opts = case_options("endless/keepalive");
        kimi_client *client;
        kimi_chat_response *resp;
        CHECK_INT(kimi_client_options_set_timeout_ms(opts, 300), KIMI_OK);
        client = test_client_from(opts);
        CHECK_INT(run(client, STREAM, &resp), KIMI_E_TIMEOUT);
        if (resp) CHECK_STR(kimi_chat_response_content(resp, NULL), "start");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        /* Without a timeout, the accumulated answer is capped. */
        opts = case_options("endless/content");
        CHECK_INT(kimi_client_options_set_max_response_bytes(opts, 1 << 20), KIMI_OK);
        client = test_client_from(opts);
        CHECK_INT(run(client, TASK_STREAM, &resp), KIMI_E_TOO_LARGE);
        CHECK_CONTAINS(last.message, "grew over the 1048576-byte response limit");
        if (resp) CHECK(kimi_chat_response_content(resp, NULL)[0] == 's');
        kimi_chat_response_free(resp);
        kimi_client_free(client);
    }
}

static void test_endless_headers(void) {
    kimi_client *client = case_client("endless-headers");
    kimi_chat_response *resp;
    CHECK_INT(run(client, CREATE, &resp), KIMI_E_TOO_LARGE);
    CHECK_CONTAINS(last.message, "response headers over 262144 bytes");
    CHECK_INT(run(client, TASK_STREAM, &resp), KIMI_E_TOO_LARGE);
    kimi_client_free(client);
}

/* One header line over libcurl's 100 KiB limit is a size limit, not "Out
 * of memory"; a NUL in a header is a bad answer, not a transport failure;
 * neither is retried. */
static void test_long_header_lines_and_nul_bytes(void) {
    static const char *sizes[] = {"longheader/150000", "longheader/300000"};
    size_t i;
    int s;
    for (i = 0; i < 2; i++) {
        kimi_client *client = case_client(sizes[i]);
        kimi_chat_response *resp;
        for (s = 0; s < STYLES; s++) {
            CHECK_INT(run(client, (enum style)s, &resp), KIMI_E_TOO_LARGE);
            CHECK_CONTAINS(last.message, "header line over libcurl's 100 KiB limit");
            kimi_chat_response_free(resp);
        }
        kimi_client_free(client);
    }
    {
        kimi_client *client = case_client("nulheader");
        kimi_chat_response *resp;
        for (s = 0; s < STYLES; s++) {
            CHECK_INT(run(client, (enum style)s, &resp), KIMI_E_PARSE);
            CHECK_CONTAINS(last.message, "not valid HTTP");
            CHECK_INT(last.kind, KIMI_KIND_BAD_RESPONSE);
            kimi_chat_response_free(resp);
        }
        kimi_client_free(client);
    }
}

/* An error body with a byte that is not UTF-8 keeps its type and code. */
static void test_error_body_with_bad_utf8(void) {
    kimi_client *client = case_client("badutf8error");
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_chat_response *resp;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_API);
    CHECK_STR(kimi_error_type(), "invalid_request_error");
    CHECK_STR(kimi_error_code(), "x1");
    CHECK_CONTAINS(kimi_error_message(), "is closed");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_unrequested_gzip(void) {
    kimi_client *client = case_client("gzip/body");
    kimi_chat_response *resp;
    CHECK_INT(run(client, CREATE, &resp), KIMI_E_PARSE);
    CHECK_CONTAINS(last.message, "Content-Encoding: gzip");
    CHECK_INT(last.http, 200);
    kimi_client_free(client);
    client = case_client("gzip/stream");
    CHECK_INT(run(client, STREAM, &resp), KIMI_E_PARSE);
    CHECK_INT(run(client, TASK_STREAM, &resp), KIMI_E_PARSE);
    kimi_client_free(client);
}

static void test_big_error_bodies_keep_their_status(void) {
    kimi_client_options *opts = case_options("big5xx/503/2097152");
    kimi_client *client;
    kimi_chat_response *resp;
    int s;
    CHECK_INT(kimi_client_options_set_max_response_bytes(opts, 65536), KIMI_OK);
    CHECK_INT(kimi_client_options_set_max_retries(opts, 1), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 1), KIMI_OK);
    client = test_client_from(opts);
    for (s = 0; s < STYLES; s++) {
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_E_HTTP);
        CHECK_INT(last.http, 503);
        CHECK_INT(last.kind, KIMI_KIND_SERVER);
        CHECK_CONTAINS(last.message, "(after 1 retry)");
        CHECK_CONTAINS(last.message, "cut at the 65536-byte limit");
    }
    kimi_client_free(client);
}

/* --------------------------------------------------------------- timeouts */

static void test_timeouts_are_timeouts_in_every_style(void) {
    int s, idle;
    for (idle = 0; idle < 2; idle++) {
        for (s = 0; s < STYLES; s++) {
            kimi_client_options *opts = case_options("stall/3");
            kimi_client *client;
            kimi_chat_response *resp;
            int streamed = s == STREAM || s == PULL || s == TASK_STREAM;
            CHECK_INT(idle ? kimi_client_options_set_idle_timeout_ms(opts, 300)
                           : kimi_client_options_set_timeout_ms(opts, 300), KIMI_OK);
            client = test_client_from(opts);
            CHECK_INT(run(client, (enum style)s, &resp), KIMI_E_TIMEOUT);
            CHECK_INT(last.kind, KIMI_KIND_TIMEOUT);
            if (streamed) {
                CHECK(resp != NULL);
                if (resp) CHECK_STR(kimi_chat_response_content(resp, NULL), "w0 w1 w2 ");
            }
            kimi_chat_response_free(resp);
            kimi_client_free(client);
        }
    }
}

static void test_task_wait_takes_any_timeout(void) {
    kimi_client *client = case_client("sse/empty-data");
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_task *task;
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, INT64_MAX), KIMI_OK);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* ------------------------------------------------------------ event streams */

static void test_sse_transcripts(void) {
    kimi_client *client;
    kimi_chat_response *resp;
    int s;
    for (s = STREAM; s <= TASK_STREAM; s++) {
        client = case_client("sse/empty-data");
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_OK);
        CHECK_STR(kimi_chat_response_content(resp, NULL), "ok");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        client = case_client("sse/error-null");
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_OK);
        CHECK_STR(kimi_chat_response_content(resp, NULL), "abcdef");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        client = case_client("sse/error-truthy");
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_E_API);
        CHECK_CONTAINS(last.message, "boom");
        if (resp) CHECK_STR(kimi_chat_response_content(resp, NULL), "partial");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        client = case_client("sse/bad-utf8");
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_OK);
        /* One U+FFFD per maximal subpart: E2 82 | 80 | C0 | AF | F0 9F 98 */
        CHECK_STR(kimi_chat_response_content(resp, NULL),
                  "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        client = case_client("sse/tool-order");
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_OK);
        CHECK_INT(kimi_chat_response_tool_call_count(resp), 2);
        CHECK_STR(kimi_chat_response_tool_call_id(resp, 0), "functions.a:0");
        CHECK_STR(kimi_chat_response_tool_call_id(resp, 1), "functions.b:1");
        CHECK_STR(kimi_chat_response_tool_call_arguments(resp, 1), "{\"x\":1}");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
        client = case_client("sse/framing");
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_OK);
        CHECK_STR(kimi_chat_response_content(resp, NULL), "xy");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
    }
}

struct seen_calls {
    int starts[4], count;
};

static int on_tool_event(const kimi_stream_event *event, void *user_data) {
    struct seen_calls *seen = user_data;
    if (kimi_stream_event_type(event) == KIMI_EVENT_TOOL_CALL_START && seen->count < 4) {
        seen->starts[seen->count++] = kimi_stream_event_tool_call_index(event);
        /* The event names its own call, whatever order calls arrive in. */
        CHECK_STR(kimi_stream_event_tool_call_id(event),
                  kimi_stream_event_tool_call_index(event) == 0 ? "functions.a:0" : "functions.b:1");
    }
    return 0;
}

static void test_tool_call_events_carry_the_server_index(void) {
    kimi_client *client = case_client("sse/tool-order");
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_chat_response *resp;
    struct seen_calls seen;
    memset(&seen, 0, sizeof seen);
    CHECK_INT(kimi_chat_stream(client, req, on_tool_event, &seen, &resp), KIMI_OK);
    CHECK_INT(seen.count, 2);
    CHECK_INT(seen.starts[0], 1);
    CHECK_INT(seen.starts[1], 0);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* ------------------------------------------------------------------ secrets */

struct captured {
    char text[1 << 16];
    size_t used;
};

static void capture_log(int level, const char *message, void *user_data) {
    struct captured *log = user_data;
    int n = snprintf(log->text + log->used, sizeof log->text - log->used, "%d %s\n", level, message);
    if (n > 0 && log->used + (size_t)n < sizeof log->text) log->used += (size_t)n;
}

static void test_the_key_never_survives(void) {
    static const char *hows[] = {"whole", "split", "escaped", "slash", "cut200", "cut4096", "html200"};
    static struct captured log;
    size_t i;
    int s;
    for (i = 0; i < sizeof hows / sizeof *hows; i++) {
        char path[64];
        kimi_client_options *opts;
        kimi_client *client;
        snprintf(path, sizeof path, "echo/%s", hows[i]);
        opts = case_options(path);
        memset(&log, 0, sizeof log);
        CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_DEBUG, capture_log, &log), KIMI_OK);
        CHECK_INT(kimi_client_options_set_max_retries(opts, 1), KIMI_OK);
        CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 1), KIMI_OK);
        client = test_client_from(opts);
        for (s = 0; s < STYLES; s++) {
            kimi_chat_response *resp;
            kimi_status status = run(client, (enum style)s, &resp);
            CHECK(status == KIMI_E_API || status == KIMI_E_HTTP);
            CHECK_SECRET(last.message);
            CHECK_SECRET(last.body);
            if (!strstr(last.message, "[redacted]") && !strstr(last.body, "[redacted]")) {
                fprintf(stderr, "  %s by %s: nothing redacted in %s | %s\n", hows[i], style_names[s], last.message,
                        last.body);
                CHECK(0);
            }
        }
        CHECK_SECRET(log.text);
        kimi_client_free(client);
    }
    /* In a stream's error frame. */
    for (s = STREAM; s <= TASK_STREAM; s++) {
        kimi_client *client = case_client("echo/stream");
        kimi_chat_response *resp;
        CHECK_INT(run(client, (enum style)s, &resp), KIMI_E_API);
        CHECK_SECRET(last.message);
        CHECK_SECRET(last.body);
        if (resp) CHECK_STR(kimi_chat_response_content(resp, NULL), "partial");
        kimi_chat_response_free(resp);
        kimi_client_free(client);
    }
    /* In batch result lines. */
    {
        kimi_client *client = case_client("echo/batchline");
        kimi_batch *batch;
        struct lines lines;
        memset(&lines, 0, sizeof lines);
        CHECK_INT(kimi_batch_retrieve(client, "batch-1", &batch), KIMI_OK);
        CHECK_INT(kimi_batch_results(client, batch, on_line, &lines), KIMI_OK);
        CHECK_INT(lines.failed, 2);
        CHECK_SECRET(lines.errors[0]);
        CHECK_SECRET(lines.errors[1]);
        kimi_batch_free(batch);
        kimi_client_free(client);
    }
    /* In a conversation's history exported as JSON. */
    {
        kimi_client *client = case_client("echo/content");
        kimi_conversation *conv = kimi_conversation_new(client, NULL);
        kimi_chat_response *resp;
        char *json;
        CHECK_INT(kimi_conversation_add_message(conv, "user", "what is my key?"), KIMI_OK);
        CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
        json = kimi_conversation_to_json(conv);
        CHECK(json != NULL);
        CHECK_SECRET(json);
        CHECK_CONTAINS(json, "[redacted]");
        kimi_string_free(json);
        kimi_conversation_free(conv);
        kimi_client_free(client);
    }
}

/* --------------------------------------------------------- refused settings */

static void test_base_urls_are_parsed(void) {
    struct {
        const char *url, *says;
    } rows[] = {
        {"http://user:hunter2-password@127.0.0.1/v1", "must not carry credentials"},
        {"http://127.0.0.1/v1?x=1", "must not have a query"},
        {"http://127.0.0.1/v1#frag", "must not have a fragment"},
        {"http://127.0.0.1:0/v1", "port"},
        {"http://127.0.0.1:65536/v1", "port"},
        {"http://[::1/v1", "not a usable URL"},
        {"http://127.0.0.1/v 1", "spaces or control characters"},
        {"ftp://127.0.0.1/v1", "must start with http:// or https://"},
    };
    size_t i;
    kimi_client_options *opts = kimi_client_options_new();
    kimi_client *client;
    for (i = 0; i < sizeof rows / sizeof *rows; i++) {
        CHECK_INT(kimi_client_options_set_base_url(opts, rows[i].url), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), rows[i].says);
        CHECK(strstr(kimi_error_message(), "hunter2") == NULL);
    }
    CHECK_INT(kimi_client_options_set_base_url(opts, "http://[::1]:8080/v1/"), KIMI_OK);
    CHECK_INT(kimi_client_options_set_api_key(opts, "sk-ok"), KIMI_OK);
    CHECK_INT(kimi_client_new(opts, &client), KIMI_OK);
    CHECK_STR(kimi_client_base_url(client), "http://[::1]:8080/v1");
    kimi_client_free(client);
    /* The same rules for KIMI_BASE_URL. */
    kimi_client_options_free(opts);
    opts = kimi_client_options_new();
    CHECK_INT(kimi_client_options_set_api_key(opts, "sk-ok"), KIMI_OK);
    {
        char *saved = getenv("KIMI_BASE_URL") ? strdup(getenv("KIMI_BASE_URL")) : NULL;
        setenv("KIMI_BASE_URL", "https://me:hunter2-password@api.example/v1", 1);
        CHECK_INT(kimi_client_new(opts, &client), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), "KIMI_BASE_URL");
        CHECK(strstr(kimi_error_message(), "hunter2") == NULL);
        if (saved) setenv("KIMI_BASE_URL", saved, 1);
        free(saved);
    }
    /* Keys, proxies and header values are refused at the setter. */
    CHECK_INT(kimi_client_options_set_api_key(opts, "sk-abc\r\nX-Evil: 1"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_set_api_key(opts, "sk abc"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_set_proxy(opts, "http://proxy:3128\r\nX: 1"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_add_header(opts, "X-Ok", "a\nb"), KIMI_E_INVALID_ARGUMENT);
    kimi_client_options_free(opts);
}

/* -------------------------------------------------- stops from other threads */

struct stopper {
    kimi_stream *stream;
    int delay_ms, free_it;
};

static void *stop_later(void *arg) {
    struct stopper *s = arg;
    struct timespec wait = {0, s->delay_ms * 1000000L};
    nanosleep(&wait, NULL);
    if (s->free_it)
        kimi_stream_free(s->stream);
    else
        kimi_stream_cancel(s->stream);
    return NULL;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void test_cancel_from_another_thread(void) {
    int free_it;
    for (free_it = 0; free_it < 2; free_it++) {
        kimi_client *client = case_client("stall/2");
        kimi_chat_request *req = user_request(NULL, "hi");
        kimi_stream *stream;
        const kimi_stream_event *event;
        kimi_chat_response *resp;
        struct stopper stop;
        pthread_t thread;
        kimi_status status;
        double start, cpu;
        CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
        stop.stream = stream;
        stop.delay_ms = 200;
        stop.free_it = free_it;
        start = now_ms();
        cpu = cpu_seconds();
        pthread_create(&thread, NULL, stop_later, &stop);
        while ((status = kimi_stream_next(stream, &event)) == KIMI_OK && event) {}
        /* Woken at once, with no spinning meanwhile. */
        CHECK_INT(status, KIMI_E_ABORTED);
        CHECK(now_ms() - start < 2000);
        CHECK(cpu_seconds() - cpu < 0.5);
        if (!free_it) {
            /* Nothing busy-loops afterwards, and what arrived is kept. */
            CHECK_INT(kimi_stream_next(stream, &event), KIMI_OK);
            CHECK(event == NULL);
            CHECK_INT(kimi_stream_response(stream, &resp), KIMI_OK);
            CHECK_STR(kimi_chat_response_content(resp, NULL), "w0 w1 ");
            kimi_chat_response_free(resp);
        }
        pthread_join(thread, NULL);
        if (!free_it) kimi_stream_free(stream);
        kimi_chat_request_free(req);
        kimi_client_free(client);
    }
}

/* ------------------------------------------------------- a 64 KiB stack */

static void *small_stack_calls(void *arg) {
    kimi_client *client;
    kimi_chat_response *resp;
    (void)arg;
    client = case_client("deep/body/2040");
    CHECK_INT(run(client, CREATE, &resp), KIMI_E_PARSE);
    kimi_client_free(client);
    client = case_client("deep/stream/2040");
    CHECK_INT(run(client, STREAM, &resp), KIMI_E_PARSE);
    kimi_chat_response_free(resp);
    kimi_client_free(client);
    client = case_client("deep/error/2040");
    CHECK_INT(run(client, PULL, &resp), KIMI_E_HTTP);
    kimi_client_free(client);
    client = case_client("echo/escaped");
    CHECK_INT(run(client, CREATE, &resp), KIMI_E_API);
    CHECK_SECRET(last.body);
    kimi_client_free(client);
    client = test_client();
    CHECK_INT(run(client, CREATE, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    kimi_client_free(client);
    return NULL;
}

static void test_calls_on_a_64k_stack(void) {
    pthread_attr_t attributes;
    pthread_t thread;
    pthread_attr_init(&attributes);
    CHECK_INT(pthread_attr_setstacksize(&attributes, 64 * 1024), 0);
    CHECK_INT(pthread_create(&thread, &attributes, small_stack_calls, NULL), 0);
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attributes);
}

/* Walks the files (or batches) of hostile case `path` to its end; returns
   the last status and stores how many items came. `small`: answers over
   1 MB are refused. */
static kimi_status walk(const char *path, int batches, int small, long *count) {
    kimi_client_options *opts = case_options(path);
    kimi_client *client;
    kimi_file_iter *files = NULL;
    kimi_batch_iter *all = NULL;
    kimi_status status;
    if (small) CHECK_INT(kimi_client_options_set_max_response_bytes(opts, 1 << 20), KIMI_OK);
    client = test_client_from(opts);
    *count = 0;
    if (batches) {
        kimi_batch *batch = NULL;
        CHECK_INT(kimi_batch_iter_new(client, NULL, 100, &all), KIMI_OK);
        while ((status = kimi_batch_iter_next(all, &batch)) == KIMI_OK && batch) {
            kimi_batch_free(batch);
            ++*count;
        }
        snapshot(status);
        /* An ended walk stays ended, with the same status. */
        CHECK_INT(kimi_batch_iter_next(all, &batch), status);
        CHECK(batch == NULL);
        kimi_batch_iter_free(all);
    } else {
        kimi_file *file = NULL;
        CHECK_INT(kimi_file_iter_new(client, &files), KIMI_OK);
        while ((status = kimi_file_iter_next(files, &file)) == KIMI_OK && file) {
            kimi_file_free(file);
            ++*count;
        }
        snapshot(status);
        CHECK_INT(kimi_file_iter_next(files, &file), status);
        kimi_file_iter_free(files);
    }
    kimi_client_free(client);
    return status;
}

/* Paging a server makes up cannot loop: every lie ends the walk, saying why. */
static void test_paging_that_never_ends(void) {
    static const struct {
        const char *how;
        kimi_status status;
        const char *says;
    } cases[] = {
        {"endless", KIMI_E_TOO_LARGE, "goes on past 100000 items"},
        {"huge", KIMI_E_TOO_LARGE, "goes on past 100000 items"},
        {"repeat", KIMI_E_PARSE, "again, as an earlier page did: the server repeats itself"},
        {"cycle", KIMI_E_PARSE, "the server repeats itself"},
        {"emptymore", KIMI_E_PARSE, "is empty but says more follow"},
        {"noid", KIMI_E_PARSE, "has no id, so the page after it cannot be asked for"},
        {"badid", KIMI_E_PARSE, "has an id that is not one"},
        {"big", KIMI_E_TOO_LARGE, "response body over the 1048576-byte limit"},
    };
    size_t i;
    int batches;
    char path[64];
    long count;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (batches = 0; batches < 2; batches++) {
            snprintf(path, sizeof path, "pages/%s", cases[i].how);
            CHECK_INT(walk(path, batches, strcmp(cases[i].how, "big") == 0, &count), cases[i].status);
            CHECK_CONTAINS(last.message, cases[i].says);
            CHECK_CONTAINS(last.message, batches ? "kimi_batch_iter_next" : "kimi_file_iter_next");
            if (cases[i].status == KIMI_E_TOO_LARGE && strcmp(cases[i].how, "big") != 0) CHECK_INT(count, 100000);
        }
    }
    /* kimi_files_list ends the same way. */
    {
        kimi_client *client = case_client("pages/repeat");
        kimi_file_list *list = (kimi_file_list *)1;
        CHECK_INT(kimi_files_list(client, &list), KIMI_E_PARSE);
        CHECK(list == NULL);
        kimi_client_free(client);
    }
}

struct received {
    uint64_t bytes;
};

static int count_bytes(const void *data, size_t len, void *user_data) {
    (void)data;
    ((struct received *)user_data)->bytes += len;
    return 0;
}

/* A content cut before its end: KIMI_E_INCOMPLETE, with what arrived given. */
static void test_cut_content(void) {
    static const char *cases[] = {"cut/length/100000", "cut/chunked/100000"};
    size_t i;
    for (i = 0; i < 2; i++) {
        kimi_client *client = case_client(cases[i]);
        struct received r = {0};
        uint64_t bytes = 0;
        CHECK_INT(kimi_file_content_write(client, "file-1", count_bytes, NULL, &r, &bytes), KIMI_E_INCOMPLETE);
        CHECK_CONTAINS(kimi_error_message(), "was cut after");
        CHECK_INT(bytes, r.bytes);
        CHECK(bytes > 0 && bytes < 100000);
        kimi_client_free(client);
    }
}

int main(void) {
    RUN(test_token_counts_in_every_place_and_style);
    RUN(test_client_totals_never_overflow);
    RUN(test_created_and_indexes);
    RUN(test_files_batches_models_balance);
    RUN(test_batch_lines);
    RUN(test_retry_after_values);
    RUN(test_odd_headers_on_a_good_answer);
    RUN(test_content_length_and_status_lines);
    RUN(test_duplicate_keys_last_wins);
    RUN(test_nesting_at_and_past_the_limit);
    RUN(test_huge_lines_and_comments);
    RUN(test_one_byte_drip);
    RUN(test_endless_answers);
    RUN(test_endless_headers);
    RUN(test_long_header_lines_and_nul_bytes);
    RUN(test_error_body_with_bad_utf8);
    RUN(test_unrequested_gzip);
    RUN(test_big_error_bodies_keep_their_status);
    RUN(test_timeouts_are_timeouts_in_every_style);
    RUN(test_task_wait_takes_any_timeout);
    RUN(test_sse_transcripts);
    RUN(test_tool_call_events_carry_the_server_index);
    RUN(test_the_key_never_survives);
    RUN(test_base_urls_are_parsed);
    RUN(test_cancel_from_another_thread);
    RUN(test_calls_on_a_64k_stack);
    RUN(test_paging_that_never_ends);
    RUN(test_cut_content);
    return harness_finish();
}
