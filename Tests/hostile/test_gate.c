/* One gate for outside text: a server puts the API key and control
 * characters (newlines, ESC sequences that clear the screen, retitle the
 * window or write the clipboard, C1 CSI, DEL) into every text field that is
 * not the model's own (hostile_server.py, case leak/<how>). No accessor,
 * error field or log line of any call style hands out a piece of the key or
 * a control character; the model's content stays exactly as sent. */
#include "../c/harness.h"

#define KEY "sk-GATE-0123456789abcdefghijklmn"

/* A piece of 8 or more characters of the key. */
static int reveals(const char *text) {
    size_t n = strlen(KEY), i;
    char piece[16];
    for (i = 0; i + 8 <= n; i++) {
        memcpy(piece, &KEY[i], 8);
        piece[8] = 0;
        if (strstr(text, piece)) return 1;
    }
    return 0;
}

/* A control character: C0 (tab and newline too, for one-line texts), DEL,
 * or C1 (U+0080..U+009F, as UTF-8). */
static int has_control(const char *text, int multiline) {
    const unsigned char *p = (const unsigned char *)text;
    for (; *p; p++) {
        if (*p == 0x7F || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)) return 1;
        if (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t'))) return 1;
    }
    return 0;
}

/* A control character written as a JSON escape (\u001b, \u0007, \b). */
static int has_escaped_control(const char *json) {
    const char *at;
    for (at = strstr(json, "\\u00"); at; at = strstr(at + 1, "\\u00")) {
        unsigned code = 0;
        if (sscanf(at + 4, "%2x", &code) == 1 && ((code < 0x20 && code != 0x09 && code != 0x0A && code != 0x0D) ||
                                                 (code >= 0x7F && code <= 0x9F)))
            return 1;
    }
    return strstr(json, "\\b") != NULL || strstr(json, "\\f") != NULL;
}

#define CHECK_CLEAN_AS(text, multiline)                                                                 \
    do {                                                                                                \
        const char *t_ = (text);                                                                        \
        if (!t_ || reveals(t_) || has_control(t_, multiline)) {                                         \
            fprintf(stderr, "  FAIL %s:%d in %s: %s is not clean: %.300s\n", __FILE__, __LINE__,        \
                    harness_current, #text, t_ ? t_ : "(null)");                                        \
            harness_test_failed = 1;                                                                    \
        }                                                                                               \
    } while (0)
#define CHECK_CLEAN(text) CHECK_CLEAN_AS(text, 0)

static void check_headers_of_response(const kimi_chat_response *resp) {
    size_t i, n = kimi_chat_response_header_count(resp);
    CHECK(n > 0);
    for (i = 0; i < n; i++) {
        CHECK_CLEAN(kimi_chat_response_header_name(resp, i));
        CHECK_CLEAN(kimi_chat_response_header_value(resp, i));
    }
    CHECK_CLEAN(kimi_chat_response_request_id(resp));
    CHECK_CLEAN(kimi_chat_response_header(resp, "x-request-id"));
    CHECK_CONTAINS(kimi_chat_response_request_id(resp), "[redacted]");
}

static void check_last_error(void) {
    size_t i;
    CHECK_CLEAN(kimi_error_message());
    CHECK_CLEAN(kimi_error_detail());
    CHECK_CLEAN(kimi_error_type());
    CHECK_CLEAN(kimi_error_code());
    CHECK_CLEAN(kimi_error_request_id());
    CHECK_CLEAN_AS(kimi_error_body(), 1);
    CHECK(!has_escaped_control(kimi_error_body()));
    CHECK_CONTAINS(kimi_error_type(), "[redacted]");
    CHECK_CONTAINS(kimi_error_code(), "[redacted]");
    CHECK_CONTAINS(kimi_error_request_id(), "[redacted]");
    for (i = 0; i < kimi_error_header_count(); i++) {
        CHECK_CLEAN(kimi_error_header_name(i));
        CHECK_CLEAN(kimi_error_header_value(i));
    }
}

/* What the log callback was told. */
static char logged[1 << 16];
static void on_log(int level, const char *message, void *user_data) {
    size_t have = strlen(logged);
    (void)level;
    (void)user_data;
    CHECK_CLEAN(message);
    snprintf(logged + have, sizeof logged - have, "%s\n", message);
}

static kimi_client *leak_client(const char *how) {
    kimi_client_options *opts = hostile_options(how, KEY);
    CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_DEBUG, on_log, NULL), KIMI_OK);
    CHECK_INT(kimi_client_options_set_max_retries(opts, 1), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 1), KIMI_OK);
    return test_client_from(opts);
}

/* Error answers and error frames: every kimi_error_* text, in every style. */
static void test_error_fields(void) {
    static const char *cases[] = {"leak/error", "leak/streamerror"};
    size_t c;
    for (c = 0; c < 2; c++) {
        kimi_client *client = leak_client(cases[c]);
        kimi_chat_request *req = user_request(NULL, "hi");
        kimi_chat_response *resp = NULL;
        kimi_stream *stream = NULL;
        kimi_task *task = NULL;
        const kimi_stream_event *event;
        kimi_status status;
        CHECK(kimi_chat_create(client, req, &resp) != KIMI_OK);
        if (c == 0) check_last_error();
        CHECK(kimi_chat_stream(client, req, NULL, NULL, &resp) != KIMI_OK);
        check_last_error();
        kimi_chat_response_free(resp);
        status = kimi_chat_stream_open(client, req, &stream);
        while (status == KIMI_OK && (status = kimi_stream_next(stream, &event)) == KIMI_OK && event) {}
        CHECK(status != KIMI_OK);
        check_last_error();
        kimi_stream_free(stream);
        CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_OK);
        CHECK(kimi_task_wait(task, -1) != KIMI_OK);
        check_last_error();
        kimi_task_free(task);
        kimi_chat_request_free(req);
        kimi_client_free(client);
    }
    CHECK(!reveals(logged));
}

static void check_answer(const kimi_chat_response *resp) {
    size_t n;
    CHECK_CLEAN(kimi_chat_response_id(resp));
    CHECK_CLEAN(kimi_chat_response_model(resp));
    CHECK_CLEAN(kimi_chat_response_finish_reason(resp));
    CHECK_CLEAN(kimi_chat_response_tool_call_id(resp, 0));
    CHECK_CLEAN(kimi_chat_response_tool_call_name(resp, 0));
    CHECK_CONTAINS(kimi_chat_response_tool_call_id(resp, 0), "[redacted]");
    CHECK(!reveals(kimi_chat_response_json(resp, &n)));
    CHECK_CONTAINS(kimi_chat_response_json(resp, &n), "[redacted]");
    /* Nor as JSON escapes a binding's parser would turn back into them. */
    CHECK(!has_escaped_control(kimi_chat_response_json(resp, &n)));
    CHECK_CLEAN_AS(kimi_chat_response_json(resp, &n), 1);
    /* The model's own text is not touched. */
    CHECK_STR(kimi_chat_response_content(resp, NULL), "fine");
    check_headers_of_response(resp);
}

/* A 200 answer whose ids, model, role, finish reason, tool-call id and name
 * and headers carry the key and control characters. */
static void test_answer_fields(void) {
    kimi_client *client = leak_client("leak/answer");
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_chat_response *resp;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    check_answer(resp);
    kimi_chat_response_free(resp);
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &resp), KIMI_OK);
    check_answer(resp);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* The same, event by event, from the callback and from a queue. */
static int check_event(const kimi_stream_event *event, void *user_data) {
    size_t n;
    (void)user_data;
    CHECK_CLEAN(kimi_stream_event_completion_id(event));
    CHECK_CLEAN(kimi_stream_event_model(event));
    CHECK_CLEAN(kimi_stream_event_tool_call_id(event));
    CHECK_CLEAN(kimi_stream_event_tool_call_name(event));
    CHECK_CLEAN(kimi_stream_event_finish_reason(event));
    if (kimi_stream_event_type(event) == KIMI_EVENT_ROLE) CHECK_CLEAN(kimi_stream_event_text(event, &n));
    /* The raw chunk too: no key, no control character raw or escaped. */
    CHECK_CLEAN_AS(kimi_stream_event_json(event, &n), 1);
    CHECK(!has_escaped_control(kimi_stream_event_json(event, &n)));
    return 0;
}

static void test_stream_event_fields(void) {
    kimi_client *client = leak_client("leak/stream");
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_chat_response *resp;
    kimi_event_queue *queue;
    kimi_task *task;
    const kimi_stream_event *event;
    int seen = 0;
    CHECK_INT(kimi_chat_stream(client, req, check_event, NULL, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
        check_event(event, NULL);
        seen++;
    }
    CHECK(seen >= 5);
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* Files, batches and models: every text accessor. */
static void test_object_fields(void) {
    kimi_client *client = leak_client("leak/files");
    kimi_file_list *files;
    kimi_batch_page *page;
    kimi_model_list *models;
    const kimi_batch *b;
    const kimi_file *f;
    size_t n;
    CHECK_INT(kimi_files_list(client, &files), KIMI_OK);
    f = kimi_file_list_get(files, 0);
    CHECK(f != NULL);
    if (f) {
        CHECK_CLEAN(kimi_file_id(f));
        CHECK_CLEAN(kimi_file_filename(f));
        CHECK_CLEAN(kimi_file_purpose(f));
        CHECK_CLEAN(kimi_file_status(f));
        CHECK_CLEAN_AS(kimi_file_status_details(f), 1);
        CHECK(!reveals(kimi_file_json(f, &n)) && !has_control(kimi_file_json(f, &n), 1));
        CHECK(!has_escaped_control(kimi_file_json(f, &n)));
    }
    kimi_file_list_free(files);
    kimi_client_free(client);
    client = leak_client("leak/batches");
    CHECK_INT(kimi_batch_list(client, NULL, 10, &page), KIMI_OK);
    b = kimi_batch_page_get(page, 0);
    CHECK(b != NULL);
    if (b) {
        CHECK_CLEAN(kimi_batch_id(b));
        CHECK_CLEAN(kimi_batch_status(b));
        CHECK_CLEAN(kimi_batch_input_file_id(b));
        CHECK_CLEAN(kimi_batch_output_file_id(b));
        CHECK_CLEAN(kimi_batch_error_file_id(b));
        CHECK_CLEAN(kimi_batch_completion_window(b));
        CHECK_CLEAN(kimi_batch_error_message(b));
        CHECK(!reveals(kimi_batch_json(b, &n)) && !has_control(kimi_batch_json(b, &n), 1));
        CHECK(!has_escaped_control(kimi_batch_json(b, &n)));
    }
    CHECK_CLEAN(kimi_batch_page_last_id(page));
    kimi_batch_page_free(page);
    kimi_client_free(client);
    client = leak_client("leak/models");
    CHECK_INT(kimi_models_list(client, &models), KIMI_OK);
    CHECK_CLEAN(kimi_model_list_id(models, 0));
    CHECK_CLEAN(kimi_model_id(kimi_model_list_get(models, 0)));
    CHECK_CLEAN(kimi_model_owned_by(kimi_model_list_get(models, 0)));
    kimi_model_list_free(models);
    {
        kimi_model *model = NULL;
        CHECK_INT(kimi_model_retrieve(client, "kimi-k2.6", &model), KIMI_OK);
        CHECK_CLEAN(kimi_model_id(model));
        CHECK_CLEAN(kimi_model_owned_by(model));
        kimi_model_free(model);
    }
    kimi_client_free(client);
}

/* The caller's own values can hold the key too (a path, an id, a model);
 * an error that quotes one before any call is sent, cut at 64 characters
 * or whole, passes the client's gate like one from the server: the key
 * whole, before the cut, or crossing it (8 of its characters before). */
static void test_the_callers_values_quoted_before_a_call(void) {
    kimi_client *client = test_client_from(hostile_options("leak/error", KEY));
    const char *around[] = {"", "yyyyyyyyyyyyyyyyyyyy", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"};
    size_t i;
    for (i = 0; i < sizeof around / sizeof around[0]; i++) {
        char value[256], path[300], bad_id[300];
        kimi_file *file = NULL;
        kimi_batch *batch = NULL;
        int64_t fitted = 0;
        kimi_chat_request *req;
        snprintf(value, sizeof value, "%s%s%s", around[i], KEY, i ? "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" : "");
        snprintf(path, sizeof path, "/nonexistent/%s", value);
        snprintf(bad_id, sizeof bad_id, "%s!", value);
        CHECK_INT(kimi_file_upload(client, path, "file-extract", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
        CHECK_CLEAN(kimi_error_message());
        CHECK_INT(kimi_file_delete(client, bad_id), KIMI_E_INVALID_ARGUMENT);
        CHECK_CLEAN(kimi_error_message());
        CHECK_INT(kimi_batch_retrieve(client, bad_id, &batch), KIMI_E_INVALID_ARGUMENT);
        CHECK_CLEAN(kimi_error_message());
        {   /* the file's content, every call style: its URL is built outside perform */
            char *content = NULL;
            size_t len = 0;
            uint64_t bytes = 0;
            CHECK_INT(kimi_file_content(client, bad_id, &content, &len), KIMI_E_INVALID_ARGUMENT);
            CHECK_CLEAN(kimi_error_message());
            CHECK_INT(kimi_file_content_to_fd(client, bad_id, 1, NULL, NULL, &bytes), KIMI_E_INVALID_ARGUMENT);
            CHECK_CLEAN(kimi_error_message());
        }
        CHECK_INT(kimi_batch_submit(client, path, NULL, NULL, &batch), KIMI_E_INVALID_ARGUMENT);
        CHECK_CLEAN(kimi_error_message());
        req = user_request(value, "hi");
        CHECK_INT(kimi_chat_fit_max_completion_tokens(client, req, &fitted), KIMI_E_INVALID_ARGUMENT);
        CHECK_CLEAN(kimi_error_message());
        CHECK_CLEAN(kimi_error_detail());
        kimi_chat_request_free(req);
    }
    kimi_client_free(client);
}

int main(void) {
    RUN(test_error_fields);
    RUN(test_answer_fields);
    RUN(test_stream_event_fields);
    RUN(test_object_fields);
    RUN(test_the_callers_values_quoted_before_a_call);
    return harness_finish();
}
