/* Blocking chat completions, errors and argument checks, against the mock. */
#include "harness.h"


static void test_basic_completion(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = kimi_chat_request_new(NULL);
    CHECK_INT(kimi_chat_request_add_message(req, "system", "You are terse."), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_message(req, "user", "Hello"), KIMI_OK);
    CHECK_INT(kimi_chat_request_message_count(req), 2);
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    size_t len = 0;
    CHECK_STR(kimi_chat_response_content(resp, &len), "You said: Hello");
    CHECK_INT(len, strlen("You said: Hello"));
    CHECK_STR(kimi_chat_response_reasoning(resp, NULL), "The user said \"Hello\".");
    CHECK_STR(kimi_chat_response_finish_reason(resp), "stop");
    CHECK_INT(kimi_chat_response_prompt_tokens(resp), 10); /* 3 words + 1 word + 2 * 3 */
    CHECK_INT(kimi_chat_response_completion_tokens(resp), 7);
    CHECK_INT(kimi_chat_response_total_tokens(resp), 17);
    CHECK_INT(kimi_chat_response_cached_tokens(resp), 0);
    CHECK_STR(kimi_chat_response_model(resp), "kimi-k2.6");
    CHECK_INT(kimi_chat_response_created(resp), 1700000000);
    CHECK(strncmp(kimi_chat_response_id(resp), "cmpl-", 5) == 0);
    CHECK_INT(kimi_chat_response_tool_call_count(resp), 0);
    CHECK_INT(kimi_chat_response_choice_count(resp), 1);
    CHECK_CONTAINS(kimi_chat_response_json(resp, &len), "\"object\":\"chat.completion\"");
    CHECK_INT(len, strlen(kimi_chat_response_json(resp, NULL)));
    CHECK_INT(kimi_error_status(), KIMI_OK);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_thinking_disabled_and_fixed_values(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request("kimi-k2.6", "Hi");
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_temperature(req, 0.6), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_top_p(req, 0.95), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_n(req, 1), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_presence_penalty(req, 0), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_frequency_penalty(req, 0), KIMI_OK);
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: Hi");
    CHECK_STR(kimi_chat_response_reasoning(resp, NULL), "");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_several_choices(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request("moonshot-v1-8k", "Pick");
    CHECK_INT(kimi_chat_request_set_n(req, 2), KIMI_OK);
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_INT(kimi_chat_response_choice_count(resp), 2);
    CHECK_STR(kimi_chat_response_choice_content(resp, 0, NULL), "You said: Pick");
    CHECK_STR(kimi_chat_response_choice_content(resp, 1, NULL), "You said: Pick (choice 1)");
    CHECK_STR(kimi_chat_response_choice_finish_reason(resp, 1), "stop");
    CHECK_STR(kimi_chat_response_choice_content(resp, 2, NULL), ""); /* out of range */
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_length_finish(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "one two three four five");
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 3), KIMI_OK);
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_finish_reason(resp), "length");
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: one ");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_cached_token_spellings(void) {
    kimi_client *client = test_client();
    const char *texts[] = {"a [[mock: cached=7 spelling=details]]", "a [[mock: cached=8 spelling=both]]",
                           "a [[mock: spelling=none]]"};
    const long long expected[] = {7, 8, -1};
    int i;
    for (i = 0; i < 3; i++) {
        kimi_chat_request *req = user_request(NULL, texts[i]);
        kimi_chat_response *resp = NULL;
        CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
        CHECK_INT(kimi_chat_response_cached_tokens(resp), expected[i]);
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    kimi_client_free(client);
}

static void test_usage_inside_the_choice(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "x [[mock: usage=choice]]");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_INT(kimi_chat_response_total_tokens(resp), kimi_chat_response_prompt_tokens(resp) + kimi_chat_response_completion_tokens(resp));
    CHECK(kimi_chat_response_total_tokens(resp) > 0);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_401_in_kimis_shape(void) {
    kimi_client_options *opts = test_options();
    CHECK_INT(kimi_client_options_set_api_key(opts, "sk-bad-SECRET-12345"), KIMI_OK);
    kimi_client *client = test_client_from(opts);
    kimi_chat_request *req = user_request(NULL, "Hello");
    kimi_chat_response *resp = (kimi_chat_response *)1;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_API);
    CHECK(resp == NULL);
    CHECK_INT(kimi_error_status(), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 401);
    CHECK_STR(kimi_error_type(), "invalid_authentication_error");
    CHECK_CONTAINS(kimi_error_message(), "invalid_authentication_error: Invalid Authentication (HTTP 401)");
    CHECK_CONTAINS(kimi_error_message(), "kimi_chat_create");
    CHECK(strncmp(kimi_error_request_id(), "req-mock-", 9) == 0);
    CHECK(strstr(kimi_error_message(), "SECRET") == NULL);
    CHECK(strstr(kimi_error_body(), "SECRET") == NULL);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_400_with_integer_code(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "x [[mock: status=400 code_int message=bad_prompt]]");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 400);
    CHECK_STR(kimi_error_code(), "400");
    CHECK_STR(kimi_error_type(), "invalid_request_error");
    CHECK_CONTAINS(kimi_error_message(), "bad prompt");
    CHECK_CONTAINS(kimi_error_body(), "\"code\":400");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_html_502(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "x [[mock: html=502]]");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_HTTP);
    CHECK_INT(kimi_error_http_status(), 502);
    CHECK_CONTAINS(kimi_error_message(), "HTTP 502 from POST http://127.0.0.1:");
    CHECK_CONTAINS(kimi_error_message(), "<h1>Bad Gateway</h1>");
    CHECK_STR(kimi_error_type(), "");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_server_side_k26_rule(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "Hi");
    CHECK_INT(kimi_chat_request_set_temperature(req, 0.7), KIMI_OK);
    kimi_chat_response *resp = NULL;
    kimi_status status = kimi_chat_create(client, req, &resp);
    /* Refused either by the local pre-flight check or by the server. */
    CHECK(status == KIMI_E_INVALID_ARGUMENT || status == KIMI_E_API);
    CHECK_CONTAINS(kimi_error_message(), "temperature");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_not_json_and_empty_bodies(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "x [[mock: garbage]]");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_PARSE);
    CHECK_CONTAINS(kimi_error_message(), "not valid JSON");
    kimi_chat_request_free(req);
    req = user_request(NULL, "x [[mock: empty=200]]");
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_PARSE);
    kimi_chat_request_free(req);
    req = user_request(NULL, "x [[mock: empty=503]]");
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_HTTP);
    CHECK_INT(kimi_error_http_status(), 503);
    CHECK_CONTAINS(kimi_error_message(), "empty body");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_connection_refused(void) {
    kimi_client_options *opts = test_options();
    CHECK_INT(kimi_client_options_set_base_url(opts, "http://127.0.0.1:1/v1"), KIMI_OK);
    kimi_client *client = test_client_from(opts);
    kimi_chat_request *req = user_request(NULL, "Hello");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_TRANSPORT);
    CHECK_CONTAINS(kimi_error_message(), "127.0.0.1");
    CHECK_INT(kimi_error_http_status(), 0);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_idle_timeout(void) {
    kimi_client_options *opts = test_options();
    CHECK_INT(kimi_client_options_set_idle_timeout_ms(opts, 300), KIMI_OK);
    kimi_client *client = test_client_from(opts);
    kimi_chat_request *req = user_request(NULL, "x [[mock: stall_ms=3000]]");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_TIMEOUT);
    CHECK_CONTAINS(kimi_error_message(), "idle timeout");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_whole_request_timeout(void) {
    kimi_client_options *opts = test_options();
    CHECK_INT(kimi_client_options_set_timeout_ms(opts, 300), KIMI_OK);
    kimi_client *client = test_client_from(opts);
    kimi_chat_request *req = user_request(NULL, "x [[mock: stall_ms=3000]]");
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_TIMEOUT);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_options_and_client_arguments(void) {
    kimi_client *client = NULL;
    kimi_client_options *opts = test_options();
    CHECK(opts != NULL);
    CHECK_INT(kimi_client_options_set_base_url(opts, "ftp://x"), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "kimi_client_options_set_base_url: base_url: \"ftp://x\" must start with http:// or https://");
    CHECK_INT(kimi_client_options_set_api_key(opts, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "api_key must not be NULL");
    CHECK_INT(kimi_client_options_set_api_key(NULL, "k"), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "opts must not be NULL");
    CHECK_INT(kimi_client_options_add_header(opts, "Authorization", "x"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_add_header(opts, "X-Bad", "a\r\nInjected: 1"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_add_header(opts, "Bad Name", "a"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_options_add_header(opts, "X-Trace", "abc"), KIMI_OK);
    CHECK_INT(kimi_error_status(), KIMI_OK); /* success clears the last error */
    CHECK_STR(kimi_error_message(), "");
    CHECK_INT(kimi_client_new(opts, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_client_new(opts, &client), KIMI_OK);
    CHECK_CONTAINS(kimi_client_base_url(client), "http://127.0.0.1:");
    kimi_client_free(client);
    /* A handle of the wrong kind is refused, not dereferenced. */
    {
        kimi_chat_request *wrong = kimi_chat_request_new(NULL);
        CHECK_INT(kimi_client_new((const kimi_client_options *)wrong, &client), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), "opts is not a kimi_client_options handle");
        kimi_chat_request_free(wrong);
    }
    kimi_client_options_free(opts);
}

static void test_request_arguments(void) {
    kimi_chat_request *req = kimi_chat_request_new(NULL);
    kimi_client *client = test_client();
    kimi_chat_response *resp = (kimi_chat_response *)1;
    const char bad_utf8[] = {'a', (char)0xC3, (char)0x28, 0};
    CHECK(kimi_chat_request_new(bad_utf8) == NULL);
    CHECK_CONTAINS(kimi_error_message(), "kimi_chat_request_new: model is not valid UTF-8");
    CHECK_INT(kimi_chat_request_add_message(req, "user", bad_utf8), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "text is not valid UTF-8");
    CHECK_INT(kimi_chat_request_add_message(req, "wizard", "x"), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "role: \"wizard\" is not one of system, user, assistant, tool");
    {   /* A huge value is quoted by its head and size: the message stays a line. */
        char *role = malloc(100001);
        CHECK(role != NULL);
        memset(role, 'R', 100000);
        role[100000] = 0;
        CHECK_INT(kimi_chat_request_add_message(req, role, "x"), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), "RRRR…\" (100000 bytes) is not one of system, user, assistant, tool");
        CHECK(strlen(kimi_error_message()) < 300);
        free(role);
    }
    CHECK_INT(kimi_chat_request_add_message(req, "tool", "x"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_add_message(NULL, "user", "x"), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "req must not be NULL");
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{not json"), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "json_object is not valid JSON");
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"stream\":false}"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_set_response_format_json_schema(req, "n", "[1]", 1), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "schema: must be a JSON object");
    CHECK_INT(kimi_chat_request_set_response_format(req, "xml"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_set_temperature(req, 0.0 / 0.0), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 0), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_set_thinking(req, 9), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_create(NULL, req, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK(resp == NULL);
    CHECK_INT(kimi_chat_create(client, NULL, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_create(client, req, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK(kimi_chat_request_to_json(NULL) == NULL);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_messages(void) {
    kimi_message *msg = kimi_message_new("assistant");
    kimi_message *bad = kimi_message_new("narrator");
    CHECK(bad == NULL);
    CHECK_CONTAINS(kimi_error_message(), "kimi_message_new: role: \"narrator\"");
    CHECK_INT(kimi_message_add_text(msg, "{\"a\":"), KIMI_OK);
    CHECK_INT(kimi_message_set_name(msg, "Bot"), KIMI_OK);
    CHECK_INT(kimi_message_set_partial(msg, 1), KIMI_OK);
    CHECK_INT(kimi_message_set_reasoning_content(msg, "hmm"), KIMI_OK);
    CHECK_INT(kimi_message_set_tool_call_id(msg, "x"), KIMI_E_INVALID_ARGUMENT);
    kimi_message *tool = kimi_message_new("tool");
    CHECK_INT(kimi_message_set_tool_call_id(tool, "functions.f:0"), KIMI_OK);
    CHECK_INT(kimi_message_add_text(tool, "42"), KIMI_OK);
    CHECK_INT(kimi_message_set_partial(tool, 1), KIMI_E_INVALID_ARGUMENT);
    kimi_message *call = kimi_message_new("assistant");
    CHECK_INT(kimi_message_add_tool_call(call, "functions.f:0", "f", "{\"x\":1}"), KIMI_OK);
    CHECK_INT(kimi_message_set_reasoning_content(call, "call f"), KIMI_OK);

    kimi_chat_request *req = kimi_chat_request_new(NULL);
    CHECK_INT(kimi_chat_request_add_message(req, "user", "q"), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_message(req, call), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_message(req, tool), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_message(req, msg), KIMI_OK);
    kimi_message_free(msg); /* the request holds copies */
    kimi_message_free(tool);
    kimi_message_free(call);
    char *json = kimi_chat_request_to_json(req);
    CHECK_STR(json, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
                    "{\"role\":\"assistant\",\"reasoning_content\":\"call f\",\"tool_calls\":[{\"id\":\"functions.f:0\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]},"
                    "{\"role\":\"tool\",\"content\":\"42\",\"tool_call_id\":\"functions.f:0\"},"
                    "{\"role\":\"assistant\",\"content\":\"{\\\"a\\\":\",\"name\":\"Bot\",\"partial\":true,\"reasoning_content\":\"hmm\"}]}");
    kimi_string_free(json);
    kimi_chat_request_free(req);
}

static void test_from_json_and_to_json(void) {
    kimi_chat_request *req = NULL;
    CHECK_INT(kimi_chat_request_from_json("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                                          "\"stream\":true,\"top_p\":0.95,\"reasoning_effort\":\"high\"}",
                                          &req),
              KIMI_OK);
    char *json = kimi_chat_request_to_json(req);
    CHECK_STR(json, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"top_p\":0.95,\"reasoning_effort\":\"high\"}");
    kimi_string_free(json);
    kimi_client *client = test_client();
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: Hi");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);

    req = (kimi_chat_request *)1;
    CHECK_INT(kimi_chat_request_from_json("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"audio\"}]}]}", &req),
              KIMI_E_INVALID_ARGUMENT);
    CHECK(req == NULL);
    CHECK_CONTAINS(kimi_error_message(), "messages[0].content[0].type: \"audio\" is not a content part type");
    CHECK_INT(kimi_chat_request_from_json(NULL, &req), KIMI_E_INVALID_ARGUMENT);
}

static void test_extra_json_and_every_setter_on_the_wire(void) {
    kimi_chat_request *req = user_request(NULL, "x");
    CHECK_INT(kimi_chat_request_set_thinking(req, KIMI_THINKING_KEEP_ALL), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 100), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_response_format_json_schema(req, "out", "{\"type\":\"object\"}", 1), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_stop(req, "END"), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_prompt_cache_key(req, "task-7"), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_safety_identifier(req, "u-1"), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_include_usage(req, 1), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"custom\":[1,0.5]}"), KIMI_OK);
    char *json = kimi_chat_request_to_json(req);
    CHECK_STR(json, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                    "\"thinking\":{\"type\":\"enabled\",\"keep\":\"all\"},\"max_completion_tokens\":100,"
                    "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"out\",\"strict\":true,\"schema\":{\"type\":\"object\"}}},"
                    "\"stop\":[\"END\"],\"prompt_cache_key\":\"task-7\",\"safety_identifier\":\"u-1\",\"custom\":[1,0.5]}");
    kimi_string_free(json);
    kimi_client *client = test_client();
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_null_handles_are_harmless(void) {
    kimi_client_free(NULL);
    kimi_client_options_free(NULL);
    kimi_chat_request_free(NULL);
    kimi_chat_response_free(NULL);
    kimi_message_free(NULL);
    kimi_string_free(NULL);
    CHECK_STR(kimi_chat_response_content(NULL, NULL), "");
    CHECK_STR(kimi_chat_response_tool_call_id(NULL, 3), "");
    CHECK_INT(kimi_chat_response_prompt_tokens(NULL), -1);
    CHECK_INT(kimi_chat_response_choice_count(NULL), 0);
    CHECK_INT(kimi_chat_request_message_count(NULL), 0);
    CHECK_STR(kimi_client_base_url(NULL), "");
    CHECK_STR(kimi_status_str(KIMI_E_INCOMPLETE), "incomplete stream");
    CHECK_STR(kimi_status_str(12345), "unknown status");
}

static void *fail_in_thread(void *arg) {
    (void)arg;
    kimi_chat_request_add_message(NULL, "user", "x");
    return NULL;
}

static void test_last_error_is_per_thread(void) {
    pthread_t thread;
    kimi_error_clear();
    CHECK(pthread_create(&thread, NULL, fail_in_thread, NULL) == 0);
    pthread_join(thread, NULL);
    CHECK_INT(kimi_error_status(), KIMI_OK);
    CHECK_STR(kimi_error_message(), "");
}

static void test_version(void) {
    CHECK_INT(kimi_version_number(), KIMI_VERSION_NUMBER);
    CHECK_STR(kimi_version(), KIMI_VERSION);
    CHECK(KIMI_VERSION_AT_LEAST(0, 1, 0));
    CHECK(!KIMI_VERSION_AT_LEAST(99, 0, 0));
}

static void test_client_requires_an_api_key(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client = (kimi_client *)1;
    const char *saved = getenv("MOONSHOT_API_KEY");
    char copy[256];
    snprintf(copy, sizeof copy, "%s", saved ? saved : "");
    unsetenv("MOONSHOT_API_KEY");
    unsetenv("KIMI_API_KEY");
    CHECK_INT(kimi_client_new(opts, &client), KIMI_E_INVALID_ARGUMENT);
    CHECK(client == NULL);
    CHECK_CONTAINS(kimi_error_message(), "no API key: set MOONSHOT_API_KEY");
    setenv("KIMI_API_KEY", copy, 1); /* the second name is read too */
    CHECK_INT(kimi_client_new(opts, &client), KIMI_OK);
    kimi_client_free(client);
    setenv("MOONSHOT_API_KEY", copy, 1);
    kimi_client_options_free(opts);
}

int main(void) {
    RUN(test_basic_completion);
    RUN(test_thinking_disabled_and_fixed_values);
    RUN(test_several_choices);
    RUN(test_length_finish);
    RUN(test_cached_token_spellings);
    RUN(test_usage_inside_the_choice);
    RUN(test_401_in_kimis_shape);
    RUN(test_400_with_integer_code);
    RUN(test_html_502);
    RUN(test_server_side_k26_rule);
    RUN(test_not_json_and_empty_bodies);
    RUN(test_connection_refused);
    RUN(test_idle_timeout);
    RUN(test_whole_request_timeout);
    RUN(test_options_and_client_arguments);
    RUN(test_request_arguments);
    RUN(test_messages);
    RUN(test_from_json_and_to_json);
    RUN(test_extra_json_and_every_setter_on_the_wire);
    RUN(test_null_handles_are_harmless);
    RUN(test_last_error_is_per_thread);
    RUN(test_version);
    RUN(test_client_requires_an_api_key);
    return harness_finish();
}
