/* Kimi's rules against a server that records every request
 * (Tests/recorder/recording_server.py): what Kimi would refuse never
 * arrives, what it would ignore arrives rewritten, and a manual tool loop
 * sends the assistant turn back verbatim. */
#include "harness.h"

#include <math.h>

static int occurrences(const char *text, const char *needle) {
    int count = 0;
    for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle)) count++;
    return count;
}

/* Requests recorded since the last look. */
static int arrived(void) {
    char *seen = recorded();
    int count = occurrences(seen, "\"path\": ");
    free(seen);
    return count;
}

static int warnings;
static char last_warning[1024];

static void count_warnings(int level, const char *message, void *user_data) {
    (void)user_data;
    if (level != KIMI_LOG_WARN) return;
    warnings++;
    snprintf(last_warning, sizeof last_warning, "%s", message);
}

/* A client of the recorder, Kimi's rules on or off, warnings counted. */
static kimi_client *recorder_client(int kimi_rules) {
    kimi_client_options *opts = recorder_options(test_options(), kimi_rules);
    CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_WARN, count_warnings, NULL), KIMI_OK);
    warnings = 0;
    free(recorded());
    return test_client_from(opts);
}

static kimi_status create(kimi_client *client, const kimi_chat_request *req) {
    kimi_chat_response *resp = NULL;
    kimi_status status = kimi_chat_create(client, req, &resp);
    kimi_chat_response_free(resp);
    return status;
}

static void test_max_tokens_is_sent_as_max_completion_tokens(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "hi");
    char *seen;
    CHECK_INT(kimi_chat_request_set_max_tokens(req, 100), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK_INT(occurrences(seen, "\"max_completion_tokens\": 100"), 2);
    CHECK_INT(occurrences(seen, "\"max_tokens\""), 0);
    free(seen);
    CHECK_INT(warnings, 1); /* once per client */
    CHECK(strstr(last_warning, "max_completion_tokens") != NULL);

    /* The same through the extra JSON, and a conflict that is refused. */
    kimi_chat_request_free(req);
    req = user_request("kimi-k2.6", "hi");
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"max_tokens\": 50, \"seed\": 1}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK(strstr(seen, "\"max_completion_tokens\": 50") && strstr(seen, "\"seed\": 1") && !strstr(seen, "\"max_tokens\""));
    free(seen);
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 60), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "max_tokens: 50 and max_completion_tokens: 60 disagree") != NULL);
    CHECK_INT(arrived(), 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);

    /* Kimi's rules off: untouched. */
    client = recorder_client(0);
    req = user_request("kimi-k2.6", "hi");
    CHECK_INT(kimi_chat_request_set_max_tokens(req, 100), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK(strstr(seen, "\"max_tokens\": 100") && !strstr(seen, "max_completion_tokens"));
    free(seen);
    CHECK_INT(warnings, 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_web_search_with_thinking_is_refused_everywhere(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "news?");
    kimi_chat_response *resp = (kimi_chat_response *)1;
    kimi_task *task = (kimi_task *)1;
    kimi_batch_input *input = NULL;
    CHECK_INT(kimi_chat_request_add_web_search(req), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "$web_search does not work while thinking is on") != NULL);
    CHECK_STR(kimi_error_hint(), "disable_thinking");
    CHECK(strstr(kimi_error_message(), "(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED))") != NULL);
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK(resp == NULL);
    CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    input = kimi_batch_input_new("/tmp/libkimi-rules-batch.jsonl");
    CHECK(input != NULL);
    CHECK_INT(kimi_batch_input_add(input, "a", req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "line 1 (custom_id \"a\")") != NULL);
    kimi_batch_input_free(input);
    remove("/tmp/libkimi-rules-batch.jsonl");
    CHECK_INT(arrived(), 0);
    /* The way out the message names. */
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(arrived(), 1);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_empty_content_is_refused_by_index(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = kimi_chat_request_new("kimi-k2.6");
    CHECK_INT(kimi_chat_request_add_message(req, "system", "be brief"), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_message(req, "user", ""), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "messages[1].content: empty") != NULL);
    kimi_chat_request_free(req);

    CHECK_INT(kimi_chat_request_from_json("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":[]}]}", &req),
              KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "messages[0].content: empty") != NULL);
    kimi_chat_request_free(req);

    req = user_request("kimi-k2.6", "go on");
    CHECK_INT(kimi_chat_request_set_prefill(req, "", NULL), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "messages[1].content: empty; Kimi refuses a Partial Mode prefix") != NULL);
    CHECK_INT(arrived(), 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_the_context_window(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "a long document [[tokens=200000]]");
    kimi_model_list *models = NULL;
    int64_t fitted = -1;
    char *seen;
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 300000), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "300000 is more than kimi-k2.6's whole context window of 262144") != NULL);
    CHECK_STR(kimi_error_hint(), "fit_max_completion_tokens");
    CHECK(strstr(kimi_error_message(), "(kimi_chat_fit_max_completion_tokens)") != NULL);
    CHECK_INT(arrived(), 0);

    /* Fitting: what the window leaves after the prompt. */
    CHECK_INT(kimi_chat_fit_max_completion_tokens(client, req, &fitted), KIMI_OK);
    CHECK_INT(fitted, 262144 - 200000);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK_INT(occurrences(seen, "/v1/tokenizers/estimate-token-count"), 1);
    CHECK(strstr(seen, "\"max_completion_tokens\": 62144") != NULL);
    free(seen);
    /* Never more than the caller's own value. */
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 1000), KIMI_OK);
    CHECK_INT(kimi_chat_fit_max_completion_tokens(client, req, NULL), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK(strstr(seen, "\"max_completion_tokens\": 1000") != NULL);
    free(seen);
    kimi_chat_request_free(req);

    /* A prompt that fills the window alone. */
    req = user_request("kimi-k2.6", "everything [[tokens=262144]]");
    CHECK_INT(kimi_chat_fit_max_completion_tokens(client, req, &fitted), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "the prompt alone takes 262144 tokens") != NULL);
    CHECK_INT(fitted, 0);
    CHECK_INT(kimi_chat_request_set_model(req, "unknown-model"), KIMI_OK);
    CHECK_INT(kimi_chat_fit_max_completion_tokens(client, req, &fitted), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "context window of \"unknown-model\" is not known") != NULL);
    CHECK_INT(kimi_chat_fit_max_completion_tokens(NULL, req, &fitted), KIMI_E_INVALID_ARGUMENT);
    kimi_chat_request_free(req);

    /* A window the model list reported. */
    CHECK_INT(kimi_models_list(client, &models), KIMI_OK);
    kimi_model_list_free(models);
    req = user_request("small-model", "hi");
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 5000), KIMI_OK);
    free(recorded());
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "small-model's whole context window of 4096") != NULL);
    CHECK_INT(arrived(), 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A PNG's signature and IHDR: enough for format and size. */
static void png_header(unsigned char *out, unsigned width, unsigned height) {
    static const unsigned char start[16] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    memcpy(out, start, sizeof start);
    out[16] = width >> 24, out[17] = width >> 16, out[18] = width >> 8, out[19] = width;
    out[20] = height >> 24, out[21] = height >> 16, out[22] = height >> 8, out[23] = height;
    memset(out + 24, 0, 9);
}

static void test_media_over_the_recommendation_is_logged_once(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = kimi_chat_request_new("kimi-k2.6");
    kimi_message *msg = kimi_message_new("user");
    unsigned char big[33], small[33];
    png_header(big, 5000, 3000);
    png_header(small, 640, 480);
    CHECK_INT(kimi_message_add_text(msg, "what is in these?"), KIMI_OK);
    CHECK_INT(kimi_message_add_image_data(msg, NULL, small, sizeof small), KIMI_OK);
    CHECK_INT(kimi_message_add_image_data(msg, NULL, big, sizeof big), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_message(req, msg), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(warnings, 1);
    CHECK(strstr(last_warning, "messages[0].content[2]: image") != NULL);
    CHECK(strstr(last_warning, "is 5000x3000, over the 4096x2160 (4K) Kimi recommends") != NULL);
    CHECK_INT(arrived(), 2); /* sent as it is */
    kimi_message_free(msg);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_no_continue_after_a_reasoning_only_cut(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "think hard [[reasoning_cut]]");
    kimi_chat_response *cut = NULL, *more = (kimi_chat_response *)1;
    kimi_conversation *conv = NULL;
    CHECK_INT(kimi_chat_create(client, req, &cut), KIMI_OK);
    CHECK_STR(kimi_chat_response_finish_reason(cut), "length");
    CHECK_INT(arrived(), 1);
    CHECK_INT(kimi_chat_continue(client, req, cut, &more), KIMI_E_INVALID_ARGUMENT);
    CHECK(more == NULL);
    CHECK(strstr(kimi_error_message(), "still reasoning") && strstr(kimi_error_message(), "larger max_completion_tokens"));
    CHECK_STR(kimi_error_hint(), "max_completion_tokens");
    CHECK_INT(kimi_chat_request_append_response(req, cut), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_message_count(req), 1);

    conv = kimi_conversation_new(client, "kimi-k2.6");
    CHECK(conv != NULL);
    CHECK_INT(kimi_conversation_add_message(conv, "user", "think hard [[reasoning_cut]]"), KIMI_OK);
    CHECK_INT(kimi_conversation_create(conv, &more), KIMI_OK);
    kimi_chat_response_free(more);
    CHECK_INT(arrived(), 1);
    CHECK_INT(kimi_conversation_continue(conv, NULL, NULL, &more), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "still reasoning") != NULL);
    CHECK_INT(arrived(), 0);
    kimi_conversation_free(conv);
    kimi_chat_response_free(cut);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_a_manual_tool_loop_in_three_calls(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "look up a and b [[tools]]");
    kimi_chat_response *resp = NULL;
    size_t i;
    char *seen;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_response(req, resp), KIMI_OK);
    for (i = 0; i < kimi_chat_response_tool_call_count(resp); i++)
        CHECK_INT(kimi_chat_request_add_tool_result(req, kimi_chat_response_tool_call_id(resp, i),
                                                    kimi_chat_response_tool_call_name(resp, i), "found it"), KIMI_OK);
    kimi_chat_response_free(resp);
    CHECK_INT(kimi_chat_request_message_count(req), 4);
    free(recorded());
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK(strstr(seen, "\"reasoning_content\": \"I should look both up.\"") != NULL);
    CHECK_INT(occurrences(seen, "\"id\": \"functions.lookup:0\""), 1);
    CHECK_INT(occurrences(seen, "\"id\": \"functions.lookup:1\""), 1);
    CHECK_INT(occurrences(seen, "\"tool_call_id\": \"functions.lookup:1\""), 1);
    CHECK(strstr(seen, "\"arguments\": \"{\\\"q\\\": \\\"b\\\"}\"") != NULL);
    free(seen);
    CHECK_INT(kimi_chat_request_append_response(NULL, resp), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_append_response(req, NULL), KIMI_E_INVALID_ARGUMENT);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static int order[32], events;

static int note_event(const kimi_stream_event *event, void *user_data) {
    (void)user_data;
    if (events < 32) order[events++] = kimi_stream_event_type(event);
    return 0;
}

/* The header lists events in this order: FINISH, then USAGE. */
static void test_stream_events_come_in_the_documented_order(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "look up [[tools]]");
    int i, finish = -1, usage = -1, done = -1, last_tool_done = -1;
    events = 0;
    CHECK_INT(kimi_chat_stream(client, req, note_event, NULL, NULL), KIMI_OK);
    for (i = 0; i < events; i++) {
        if (order[i] == KIMI_EVENT_FINISH) finish = i;
        if (order[i] == KIMI_EVENT_USAGE) usage = i;
        if (order[i] == KIMI_EVENT_DONE) done = i;
        if (order[i] == KIMI_EVENT_TOOL_CALL_DONE) last_tool_done = i;
    }
    CHECK_INT(order[0], KIMI_EVENT_ROLE);
    CHECK_INT(order[1], KIMI_EVENT_REASONING_DELTA);
    CHECK(last_tool_done >= 0 && last_tool_done < finish && finish < usage && usage < done && done == events - 1);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A request loaded from an OpenAI-style body; NULL (a failed check) when
 * the body is refused. */
static kimi_chat_request *from_json(const char *body) {
    kimi_chat_request *req = NULL;
    CHECK_INT(kimi_chat_request_from_json(body, &req), KIMI_OK);
    return req;
}

static void test_the_rules_judge_the_body_as_sent(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "hi");
    char *seen;
    /* The typed field and the extra JSON disagree: only one could be sent. */
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"thinking\":{\"type\":\"enabled\"},\"temperature\":0.6}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "thinking: given twice, as a request field ({\"type\":\"disabled\"}) and in the extra JSON ({\"type\":\"enabled\"})");
    /* Thinking only in the extra JSON: the rules see it on. */
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DEFAULT), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "temperature: kimi-k2.6 accepts only 1.0 with thinking on");
    CHECK_INT(arrived(), 0);
    /* The same value both ways is one field. */
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_ENABLED), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_temperature(req, 1.0), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"thinking\":{\"type\":\"enabled\"},\"temperature\":1}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK_INT(occurrences(seen, "\"temperature\": 1"), 1);
    CHECK_INT(occurrences(seen, "\"thinking\": {\"type\": \"enabled\"}"), 1);
    free(seen);
    kimi_chat_request_free(req);

    /* The reverse: thinking off in the extra JSON makes "required" legal. */
    req = user_request("kimi-k2.6", "use the tool");
    CHECK_INT(kimi_chat_request_add_tool(req, "lookup", NULL, "{\"type\":\"object\",\"properties\":{}}", -1), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_tool_choice(req, "required"), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"thinking\":{\"type\":\"disabled\"}}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK(strstr(seen, "\"thinking\": {\"type\": \"disabled\"}") && strstr(seen, "\"tool_choice\": \"required\""));
    free(seen);
    /* Messages both ways. */
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "messages: given twice");
    /* A bad value in the extra JSON is named like a bad field. */
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"tool_choice\":\"sometimes\"}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "tool_choice");
    CHECK_INT(arrived(), 0);
    kimi_chat_request_free(req);

    /* Messages only in the extra JSON are checked as messages. */
    req = kimi_chat_request_new("kimi-k2.6");
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "messages[0].content: empty");
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(arrived(), 1);
    kimi_chat_request_free(req);

    /* Kimi's rules off: the extra JSON wins, as documented. */
    kimi_client_free(client);
    client = recorder_client(0);
    req = user_request("kimi-k2.6", "hi");
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"thinking\":{\"type\":\"enabled\"},\"temperature\":0.6}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK(strstr(seen, "\"thinking\": {\"type\": \"enabled\"}") && strstr(seen, "\"temperature\": 0.6"));
    free(seen);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_empty_messages_are_refused(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = kimi_chat_request_new("kimi-k2.6");
    int64_t tokens = -1;
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "messages: empty; Kimi needs at least one message");
    CHECK_INT(kimi_chat_estimate_tokens(client, req, &tokens), KIMI_E_INVALID_ARGUMENT);
    kimi_chat_request_free(req);
    req = from_json("{\"model\":\"kimi-k2.6\",\"messages\":[]}");
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "messages: empty");
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(arrived(), 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A request with one user message holding text and the media URL `url`. */
static kimi_chat_request *media_request(const char *url, int video) {
    kimi_chat_request *req = kimi_chat_request_new("kimi-k2.6");
    kimi_message *msg = kimi_message_new("user");
    CHECK_INT(kimi_message_add_text(msg, "what is this?"), KIMI_OK);
    CHECK_INT(video ? kimi_message_add_video_url(msg, url) : kimi_message_add_image_url(msg, url), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_message(req, msg), KIMI_OK);
    kimi_message_free(msg);
    return req;
}

static void test_data_uris_are_checked(void) {
    kimi_client *client = recorder_client(1);
    /* "BM" + 4 bytes: a BMP header; "GIF89a"; a PNG signature; an MP4 ftyp. */
    static const char *bmp = "data:image/bmp;base64,Qk02AAAAAAAAADYAAAAoAAAA";
    static const char *gif_as_png = "data:image/png;base64,R0lGODlhAQABAAAAACw=";
    static const char *png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAAA==";
    static const char *mp4 = "data:video/mp4;base64,AAAAGGZ0eXBtcDQyAAAAAG1wNDJpc29t";
    kimi_chat_request *req = media_request(bmp, 0);
    char body[512];
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "messages[0].content[1].image_url: mime: \"image/bmp\" is not a supported image type (png, jpeg, webp or gif)");
    kimi_chat_request_free(req);
    req = media_request(gif_as_png, 0);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "image/png was given but found a GIF image (image/gif) in the data URI's bytes");
    kimi_chat_request_free(req);
    req = media_request("data:image/png;base64,****", 0);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "is not base64");
    kimi_chat_request_free(req);
    CHECK_INT(arrived(), 0);
    /* The bare-string form from JSON, and a type that is not Kimi's. */
    snprintf(body, sizeof body, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":\"%s\"}]}]}", bmp);
    req = from_json(body);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "image_url: mime: \"image/bmp\"");
    kimi_chat_request_free(req);
    req = from_json("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video_url\",\"video_url\":{\"url\":\"file:///etc/passwd\"}}]}]}");
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "video_url: Kimi takes a data: URI");
    kimi_chat_request_free(req);
    CHECK_INT(arrived(), 0);
    /* What Kimi takes goes out. */
    req = media_request(png, 0);
    CHECK_INT(create(client, req), KIMI_OK);
    kimi_chat_request_free(req);
    req = media_request(mp4, 1);
    CHECK_INT(create(client, req), KIMI_OK);
    kimi_chat_request_free(req);
    req = media_request("ms://file-abc", 1);
    CHECK_INT(create(client, req), KIMI_OK);
    kimi_chat_request_free(req);
    CHECK_INT(arrived(), 3);
    kimi_client_free(client);
}

static void test_thinking_keep_is_checked(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = from_json("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                       "\"thinking\":{\"type\":\"enabled\",\"keep\":\"last\"}}");
    char *seen;
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "thinking.keep: \"last\" is not a value Kimi takes");
    kimi_chat_request_free(req);
    req = from_json("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                    "\"thinking\":{\"type\":\"disabled\",\"keep\":\"all\"}}");
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "thinking.keep: \"all\" keeps earlier turns' reasoning, which needs thinking enabled");
    kimi_chat_request_free(req);
    req = user_request("kimi-k2.5", "hi");
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_KEEP_ALL), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "thinking.keep: kimi-k2.5 does not keep earlier turns' reasoning");
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DEFAULT), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"thinking\":{\"type\":\"enabled\",\"keep\":\"all\"}}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "does not keep earlier turns' reasoning");
    CHECK_INT(kimi_chat_request_set_model(req, "moonshot-v1-8k"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(arrived(), 0);
    /* K2.6 keeps thinking; keep: null is no keep. */
    CHECK_INT(kimi_chat_request_set_model(req, "kimi-k2.6"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"thinking\":{\"type\":\"enabled\",\"keep\":null}}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    seen = recorded();
    CHECK_INT(occurrences(seen, "\"keep\": \"all\""), 1);
    CHECK_INT(occurrences(seen, "\"thinking\": {\"type\": \"enabled\"}"), 1);
    free(seen);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_unlisted_fields_are_sent_and_said_once(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = from_json("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true,"
                                       "\"user\":\"u-1\",\"x_custom\":1}");
    char *seen;
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(warnings, 3);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(warnings, 3); /* once per client */
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"seed\":7}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(warnings, 4);
    CHECK_CONTAINS(last_warning, "seed: not a request field of Kimi's API reference (it is in OpenAI's chat completion reference");
    /* A loaded member and the extra JSON disagree. */
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"logprobs\":false}"), KIMI_OK);
    CHECK_INT(create(client, req), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "logprobs: given twice, in the request's body (true) and in the extra JSON (false)");
    CHECK_CONTAINS(last_warning, "turn Kimi's rules off for an OpenAI-compatible gateway");
    seen = recorded();
    CHECK_INT(occurrences(seen, "\"logprobs\": true"), 3); /* the loaded body's own members stay */
    CHECK_INT(occurrences(seen, "\"seed\": 7"), 1);
    free(seen);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    /* The line about user names Kimi's own field. */
    client = recorder_client(1);
    req = from_json("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"user\":\"u-1\"}");
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(warnings, 1);
    CHECK_CONTAINS(last_warning, "user: not a request field of Kimi's API reference");
    CHECK_CONTAINS(last_warning, "Kimi's own is safety_identifier");
    kimi_client_free(client);
    /* Kimi's rules off: nothing said. */
    client = recorder_client(0);
    CHECK_INT(create(client, req), KIMI_OK);
    CHECK_INT(warnings, 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_an_empty_stop_answer_round_trips(void) {
    kimi_client *client = recorder_client(1);
    const char *questions[] = {"say nothing [[empty]]", "think, then say nothing [[empty_reasoned]]"};
    int i;
    for (i = 0; i < 2; i++) {
        kimi_chat_request *req = user_request("kimi-k2.6", questions[i]);
        kimi_chat_response *resp = NULL;
        kimi_conversation *conv = kimi_conversation_new(client, "kimi-k2.6");
        char *seen;
        CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
        CHECK_STR(kimi_chat_response_finish_reason(resp), "stop");
        CHECK_INT(kimi_chat_request_append_response(req, resp), KIMI_OK);
        kimi_chat_response_free(resp);
        CHECK_INT(kimi_chat_request_message_count(req), 2);
        CHECK_INT(kimi_chat_request_add_message(req, "user", "and now?"), KIMI_OK);
        free(recorded());
        CHECK_INT(create(client, req), KIMI_OK);
        seen = recorded();
        CHECK(strstr(seen, "{\"role\": \"assistant\", \"content\": \"\"}") != NULL);
        free(seen);
        kimi_chat_request_free(req);
        /* A conversation keeps the turn too. */
        CHECK_INT(kimi_conversation_add_message(conv, "user", questions[i]), KIMI_OK);
        CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
        CHECK_INT(kimi_conversation_message_count(conv), 2);
        CHECK_INT(kimi_conversation_add_message(conv, "user", "and now?"), KIMI_OK);
        CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
        CHECK_INT(kimi_conversation_message_count(conv), 4);
        kimi_conversation_free(conv);
    }
    free(recorded());
    kimi_client_free(client);
}

static void test_fitting_counts_the_tools(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "a long document [[tokens=200000]]");
    char description[2001], *without, *with;
    int64_t fitted = -1;
    size_t tools_bytes;
    memset(description, 'd', 2000);
    description[2000] = 0;
    without = kimi_chat_request_to_json(req);
    CHECK_INT(kimi_chat_request_add_tool(req, "lookup", description, "{\"type\":\"object\",\"properties\":{}}", -1), KIMI_OK);
    with = kimi_chat_request_to_json(req);
    tools_bytes = strlen(with) - strlen(without);
    kimi_string_free(without);
    kimi_string_free(with);
    CHECK_INT(kimi_chat_fit_max_completion_tokens(client, req, &fitted), KIMI_OK);
    CHECK_INT(fitted, (int64_t)(262144 - 200000 - tools_bytes));
    CHECK(fitted < 262144 - 200000 - 2000);
    kimi_chat_request_free(req);
    /* Messages and tools that fill the window together. */
    req = user_request("kimi-k2.6", "[[tokens=261000]]");
    CHECK_INT(kimi_chat_request_add_tool(req, "lookup", description, NULL, -1), KIMI_OK);
    CHECK_INT(kimi_chat_fit_max_completion_tokens(client, req, &fitted), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "(261000 for the messages, at most");
    CHECK_CONTAINS(kimi_error_message(), "for the tool definitions)");
    kimi_chat_request_free(req);
    free(recorded());
    kimi_client_free(client);
}

static void test_web_search_calls_are_priced(void) {
    kimi_client_options *opts;
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = user_request("kimi-k2.6", "what happened today? [[web_search]]");
    kimi_chat_response *resp = NULL, *streamed = NULL;
    const double tokens = (10 * 0.60 + 5 * 3.00) / 1e6; /* the recorder's usage at K2.6's prices */
    CHECK_INT(kimi_chat_request_add_web_search(req), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED), KIMI_OK);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_INT(kimi_chat_response_web_search_calls(resp), 1);
    CHECK(fabs(kimi_chat_response_cost_usd(resp) - (tokens + 0.005)) < 1e-12);
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &streamed), KIMI_OK);
    CHECK_INT(kimi_chat_response_web_search_calls(streamed), 1);
    CHECK_INT(kimi_client_usage_web_search_calls(client), 2);
    CHECK(fabs(kimi_client_usage_cost_usd(client) - 2 * (tokens + 0.005)) < 1e-12);
    kimi_chat_response_free(resp);
    kimi_chat_response_free(streamed);
    /* An answer that ends "stop" costs no search. */
    CHECK_INT(create(client, req), KIMI_OK);
    kimi_chat_request_free(req);
    req = user_request("kimi-k2.6", "hi");
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_INT(kimi_chat_response_web_search_calls(resp), 0);
    CHECK(fabs(kimi_chat_response_cost_usd(resp) - tokens) < 1e-12);
    kimi_chat_response_free(resp);
    CHECK_INT(kimi_chat_response_web_search_calls(NULL), 0);
    CHECK_INT(kimi_client_usage_web_search_calls(NULL), 0);
    kimi_client_free(client);
    kimi_chat_request_free(req);

    /* The price is settable, and checked. */
    opts = test_options();
    CHECK_INT(kimi_client_options_set_web_search_price(opts, -1), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "web search price: -1.0 is not a finite price");
    CHECK_INT(kimi_client_options_set_web_search_price(NULL, 0.01), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_set_web_search_price(opts, 0.01), KIMI_OK);
    CHECK_INT(kimi_client_options_set_pricing(opts, 1, 1, 1), KIMI_OK); /* keeps the search price */
    {
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%s/v1", getenv("KIMI_RECORDER_PORT"));
        CHECK_INT(kimi_client_options_set_base_url(opts, url), KIMI_OK);
    }
    client = test_client_from(opts);
    req = user_request("kimi-k2.6", "search [[web_search]]");
    CHECK_INT(kimi_chat_request_add_web_search(req), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED), KIMI_OK);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK(fabs(kimi_chat_response_cost_usd(resp) - (15 / 1e6 + 0.01)) < 1e-12);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    free(recorded());
    kimi_client_free(client);
}

int main(void) {
    RUN(test_max_tokens_is_sent_as_max_completion_tokens);
    RUN(test_web_search_with_thinking_is_refused_everywhere);
    RUN(test_empty_content_is_refused_by_index);
    RUN(test_the_context_window);
    RUN(test_media_over_the_recommendation_is_logged_once);
    RUN(test_no_continue_after_a_reasoning_only_cut);
    RUN(test_a_manual_tool_loop_in_three_calls);
    RUN(test_stream_events_come_in_the_documented_order);
    RUN(test_the_rules_judge_the_body_as_sent);
    RUN(test_empty_messages_are_refused);
    RUN(test_data_uris_are_checked);
    RUN(test_thinking_keep_is_checked);
    RUN(test_unlisted_fields_are_sent_and_said_once);
    RUN(test_an_empty_stop_answer_round_trips);
    RUN(test_fitting_counts_the_tools);
    RUN(test_web_search_calls_are_priced);
    return harness_finish();
}
