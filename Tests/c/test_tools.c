/* Tools, conversations and the tool loop, Partial Mode, Kimi's pre-flight
 * rules, MFJS schema checks and the error taxonomy, against the mock. */
#include "harness.h"

#define CALC_SCHEMA                                                                                       \
    "{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":\"string\",\"examples\":[\"6*7\"]}}," \
    "\"required\":[\"expression\"]}"

/* A client whose server cannot be reached: a refusal from it proves the
 * check ran before any network call. */
static kimi_client *offline_client(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_client_options_set_base_url(opts, "http://127.0.0.1:1/v1");
    client = test_client_from(opts);
    return client;
}

static void test_tools_on_the_wire(void) {
    kimi_chat_request *req = user_request(NULL, "x");
    char *json;
    CHECK_INT(kimi_chat_request_add_tool(req, "get_weather", "Weather for a city", "{\"type\":\"object\"}", 1), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_tool(req, "clock", NULL, NULL, -1), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_web_search(req), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_web_search(req), KIMI_OK); /* declared once */
    CHECK_INT(kimi_chat_request_set_tool_choice(req, "auto"), KIMI_OK);
    json = kimi_chat_request_to_json(req);
    CHECK_STR(json, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":["
                    "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather for a city\",\"parameters\":{\"type\":\"object\"},\"strict\":true}},"
                    "{\"type\":\"function\",\"function\":{\"name\":\"clock\"}},"
                    "{\"type\":\"builtin_function\",\"function\":{\"name\":\"$web_search\"}}],\"tool_choice\":\"auto\"}");
    kimi_string_free(json);
    CHECK_INT(kimi_chat_request_set_tool_choice_function(req, "clock"), KIMI_OK);
    json = kimi_chat_request_to_json(req);
    CHECK_CONTAINS(json, "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"clock\"}}");
    kimi_string_free(json);
    CHECK_INT(kimi_chat_request_set_tool_choice(req, "sometimes"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_add_tool(req, "t", NULL, "[1]", 1), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "parameters_json: must be a JSON Schema object");
    CHECK_INT(kimi_chat_request_add_tool(req, "t", NULL, "{broken", 1), KIMI_E_INVALID_ARGUMENT);
    kimi_chat_request_free(req);
}

/* A calculator that knows one answer, and a clock. */
static int calc(const char *name, const char *arguments_json, kimi_tool_result *result, void *user_data) {
    int *calls = user_data;
    (void)name;
    (*calls)++;
    if (!strstr(arguments_json, "6*7")) {
        kimi_tool_result_set_text(result, "error: cannot evaluate that");
        return 1;
    }
    kimi_tool_result_set_text(result, "42");
    return 0;
}

static int clock_tool(const char *name, const char *arguments_json, kimi_tool_result *result, void *user_data) {
    (void)name;
    (void)arguments_json;
    (void)user_data;
    kimi_tool_result_set_text(result, "12:00");
    return 0;
}

static int failing_tool(const char *name, const char *arguments_json, kimi_tool_result *result, void *user_data) {
    (void)name;
    (void)arguments_json;
    (void)user_data;
    kimi_tool_result_set_text(result, "the database is down");
    return 1;
}

struct seen {
    int content, tool_starts, done;
};

static int count_events(const kimi_stream_event *ev, void *user_data) {
    struct seen *s = user_data;
    switch (kimi_stream_event_type(ev)) {
    case KIMI_EVENT_CONTENT_DELTA: s->content++; break;
    case KIMI_EVENT_TOOL_CALL_START: s->tool_starts++; break;
    case KIMI_EVENT_DONE: s->done++; break;
    default: break;
    }
    return 0;
}

static void test_three_round_tool_conversation(void) {
    kimi_client *client = test_client();
    kimi_conversation *conv = kimi_conversation_new(client, NULL);
    kimi_chat_response *final = NULL;
    int calls = 0;
    char *history;
    CHECK_INT(kimi_conversation_add_tool(conv, "calc", "Evaluates arithmetic", CALC_SCHEMA, calc, &calls), KIMI_OK);
    CHECK_INT(kimi_conversation_add_tool(conv, "clock", "The time", NULL, clock_tool, NULL), KIMI_OK);
    CHECK_INT(kimi_conversation_add_message(conv, "user", "What is 6*7, and the time? [[mock: tool_rounds=3]]"), KIMI_OK);
    /* The mock refuses a tool-call turn without reasoning_content or with a
     * rewritten id, so finishing proves both are kept. */
    CHECK_INT(kimi_conversation_run(conv, 8, NULL, NULL, &final), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(final, NULL), "Tool results: calc=42; clock=12:00");
    CHECK_INT(calls, 3);
    CHECK_INT(kimi_conversation_message_count(conv), 1 + 3 * 3 + 1); /* user, 3 x (call + 2 results), answer */
    history = kimi_conversation_to_json(conv);
    CHECK_CONTAINS(history, "\"reasoning_content\":\"I should call calc, clock.\",\"tool_calls\":[{\"id\":\"functions.calc:0\"");
    CHECK_CONTAINS(history, "{\"id\":\"functions.clock:5\",\"type\":\"function\"");
    CHECK_CONTAINS(history, "{\"role\":\"tool\",\"content\":\"42\",\"name\":\"calc\",\"tool_call_id\":\"functions.calc:4\"}");
    /* A restored history goes on where it stopped. */
    {
        kimi_conversation *again = kimi_conversation_new(client, NULL);
        char *copy;
        kimi_chat_response *more = NULL;
        CHECK_INT(kimi_conversation_load_json(again, history), KIMI_OK);
        CHECK_INT(kimi_conversation_message_count(again), 11);
        copy = kimi_conversation_to_json(again);
        CHECK_STR(copy, history);
        kimi_string_free(copy);
        CHECK_INT(kimi_conversation_add_message(again, "user", "Thanks"), KIMI_OK);
        CHECK_INT(kimi_conversation_create(again, &more), KIMI_OK);
        CHECK_STR(kimi_chat_response_content(more, NULL), "You said: Thanks");
        kimi_chat_response_free(more);
        CHECK_INT(kimi_conversation_load_json(again, "[{\"role\":\"robot\",\"content\":\"x\"}]"), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), "messages[0].role");
        CHECK_INT(kimi_conversation_message_count(again), 13); /* unchanged */
        kimi_conversation_free(again);
    }
    kimi_string_free(history);
    kimi_chat_response_free(final);
    kimi_conversation_free(conv);
    kimi_client_free(client);
}

static void test_streamed_tool_loop_and_failures_go_to_the_model(void) {
    kimi_client *client = test_client();
    kimi_conversation *conv = kimi_conversation_new(client, NULL);
    kimi_chat_response *final = NULL;
    struct seen s = {0, 0, 0};
    CHECK_INT(kimi_conversation_add_tool(conv, "lookup", NULL, NULL, failing_tool, NULL), KIMI_OK);
    /* A tool the model may call but nobody handles. */
    CHECK_INT(kimi_chat_request_add_tool(kimi_conversation_request(conv), "orphan", NULL, NULL, -1), KIMI_OK);
    CHECK_INT(kimi_conversation_add_message(conv, "user", "Go"), KIMI_OK);
    CHECK_INT(kimi_conversation_run(conv, 4, count_events, &s, &final), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(final, NULL),
              "Tool results: lookup=the database is down; orphan=Error: there is no tool named \"orphan\". Available tools: lookup.");
    CHECK_INT(s.tool_starts, 2);
    CHECK_INT(s.done, 2); /* two model calls, each streamed to [DONE] */
    CHECK(s.content > 0);
    kimi_chat_response_free(final);
    kimi_conversation_free(conv);

    /* Arguments that are not JSON: the handler is not called. */
    conv = kimi_conversation_new(client, NULL);
    {
        int calls = 0;
        kimi_conversation_add_tool(conv, "calc", NULL, CALC_SCHEMA, calc, &calls);
        kimi_conversation_add_message(conv, "user", "6*7 [[mock: bad_args]]");
        CHECK_INT(kimi_conversation_run(conv, 4, NULL, NULL, &final), KIMI_OK);
        CHECK_INT(calls, 0);
        CHECK_CONTAINS(kimi_chat_response_content(final, NULL), "calc=Error: the arguments for calc are not valid JSON");
        kimi_chat_response_free(final);
    }
    kimi_conversation_free(conv);
    kimi_client_free(client);
}

static int log_lines;
static char last_log[512];

static void capture_log(int level, const char *message, void *user_data) {
    (void)user_data;
    if (level <= KIMI_LOG_INFO) {
        log_lines++;
        snprintf(last_log, sizeof last_log, "%s", message);
    }
}

static void test_web_search(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_conversation *conv;
    kimi_chat_response *final = NULL;
    char *history;
    CHECK_INT(kimi_client_options_set_log(opts, KIMI_LOG_INFO, capture_log, NULL), KIMI_OK);
    client = test_client_from(opts);
    conv = kimi_conversation_new(client, NULL);
    CHECK_INT(kimi_conversation_add_web_search(conv), KIMI_OK);
    CHECK_INT(kimi_conversation_add_message(conv, "user", "Search the news"), KIMI_OK);
    log_lines = 0;
    /* The mock refuses $web_search with thinking on and checks the echo. */
    CHECK_INT(kimi_conversation_run(conv, 4, NULL, NULL, &final), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(final, NULL),
              "Tool results: $web_search={\"search_result\":{\"search_id\":\"ws-0\"},\"usage\":{\"total_tokens\":1200}}");
    CHECK(log_lines > 0);
    CHECK_CONTAINS(last_log, "thinking disabled");
    history = kimi_conversation_to_json(conv);
    CHECK_CONTAINS(history, "\"name\":\"$web_search\",\"tool_call_id\":\"functions.$web_search:0\"");
    kimi_string_free(history);
    kimi_chat_response_free(final);
    kimi_conversation_free(conv);
    kimi_client_free(client);
}

static void test_step_limit(void) {
    kimi_client *client = test_client();
    kimi_conversation *conv = kimi_conversation_new(client, NULL);
    kimi_chat_response *final = NULL;
    kimi_conversation_add_tool(conv, "clock", NULL, NULL, clock_tool, NULL);
    kimi_conversation_add_message(conv, "user", "time please [[mock: tool_rounds=3]]");
    CHECK_INT(kimi_conversation_run(conv, 2, NULL, NULL, &final), KIMI_E_STEP_LIMIT);
    CHECK_INT(kimi_error_kind(), KIMI_KIND_INCOMPLETE);
    CHECK(final != NULL);
    CHECK_STR(kimi_chat_response_finish_reason(final), "tool_calls");
    CHECK_INT(kimi_conversation_message_count(conv), 5); /* ends with the second round's result */
    kimi_chat_response_free(final);
    CHECK_INT(kimi_conversation_run(conv, 4, NULL, NULL, &final), KIMI_OK); /* and goes on */
    CHECK_STR(kimi_chat_response_content(final, NULL), "Tool results: clock=12:00");
    kimi_chat_response_free(final);
    CHECK_INT(kimi_conversation_run(conv, 0, NULL, NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    kimi_conversation_free(conv);
    kimi_client_free(client);
}

static void test_keep_all_keeps_reasoning_on_every_turn(void) {
    kimi_client *client = test_client();
    kimi_conversation *conv = kimi_conversation_new(client, NULL);
    kimi_chat_response *resp = NULL;
    char *history;
    kimi_conversation_add_message(conv, "user", "Hi");
    CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    history = kimi_conversation_to_json(conv);
    CHECK_STR(history, "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"You said: Hi\"}]");
    kimi_string_free(history);
    CHECK_INT(kimi_chat_request_set_thinking(kimi_conversation_request(conv), KIMI_THINKING_KEEP_ALL), KIMI_OK);
    kimi_conversation_add_message(conv, "user", "Again");
    CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    history = kimi_conversation_to_json(conv);
    CHECK_CONTAINS(history, "{\"role\":\"assistant\",\"content\":\"You said: Again\",\"reasoning_content\":\"The user said \\\"Again\\\".\"}");
    kimi_string_free(history);
    kimi_conversation_free(conv);
    kimi_client_free(client);
}

static void test_partial_mode(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "Hello");
    kimi_chat_response *resp = NULL, *more = NULL;
    kimi_conversation *conv;
    char *history;
    CHECK_INT(kimi_chat_request_set_prefill(req, "You said", NULL), KIMI_OK);
    CHECK_INT(kimi_chat_request_set_prefill(req, "You said", "Bot"), KIMI_OK); /* replaces */
    CHECK_INT(kimi_chat_request_message_count(req), 2);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), ": Hello");           /* the new part alone */
    CHECK_STR(kimi_chat_response_full_content(resp, NULL), "You said: Hello"); /* prefix + completion */
    kimi_chat_response_free(resp);
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_full_content(resp, NULL), "You said: Hello");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);

    /* Continue after finish_reason "length". */
    req = user_request(NULL, "one two three four five");
    kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED);
    kimi_chat_request_set_max_completion_tokens(req, 3);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_finish_reason(resp), "length");
    kimi_chat_request_set_max_completion_tokens(req, 100);
    CHECK_INT(kimi_chat_continue(client, req, resp, &more), KIMI_OK);
    CHECK_STR(kimi_chat_response_full_content(more, NULL), "You said: one two three four five");
    CHECK_STR(kimi_chat_response_content(more, NULL), "two three four five");
    CHECK_STR(kimi_chat_response_finish_reason(more), "stop");
    kimi_chat_response_free(more);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);

    /* The same in a conversation: one merged assistant message. */
    conv = kimi_conversation_new(client, NULL);
    kimi_chat_request_set_thinking(kimi_conversation_request(conv), KIMI_THINKING_DISABLED);
    kimi_chat_request_set_max_completion_tokens(kimi_conversation_request(conv), 3);
    kimi_conversation_add_message(conv, "user", "one two three four five");
    CHECK_INT(kimi_conversation_create(conv, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    kimi_chat_request_set_max_completion_tokens(kimi_conversation_request(conv), 100);
    CHECK_INT(kimi_conversation_continue(conv, NULL, NULL, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_full_content(resp, NULL), "You said: one two three four five");
    kimi_chat_response_free(resp);
    history = kimi_conversation_to_json(conv);
    CHECK_STR(history, "[{\"role\":\"user\",\"content\":\"one two three four five\"},"
                       "{\"role\":\"assistant\",\"content\":\"You said: one two three four five\"}]");
    kimi_string_free(history);
    CHECK_INT(kimi_conversation_prefill(conv, "{", "Bot"), KIMI_OK);
    CHECK_INT(kimi_conversation_add_message(conv, "user", "x"), KIMI_OK);
    CHECK_INT(kimi_conversation_continue(conv, NULL, NULL, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "does not end with an assistant answer");
    kimi_conversation_free(conv);
    kimi_client_free(client);
}

/* Every pre-flight rule: refused locally, naming the field and what is allowed. */
static void expect_refused(kimi_client *client, kimi_chat_request *req, const char *needle) {
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), needle);
    CHECK_INT(kimi_error_kind(), KIMI_KIND_INVALID_REQUEST);
    kimi_chat_request_free(req);
}

static kimi_chat_request *with_history(const char *json) {
    kimi_chat_request *req = NULL;
    if (kimi_chat_request_from_json(json, &req) != KIMI_OK) fprintf(stderr, "bad test JSON: %s\n", kimi_error_message());
    return req;
}

static void test_preflight_rules(void) {
    kimi_client *client = offline_client();
    kimi_chat_request *req;
    int i;

    req = user_request(NULL, "x");
    kimi_chat_request_set_temperature(req, 0.7);
    expect_refused(client, req, "temperature: kimi-k2.6 accepts only 1.0 with thinking on");
    req = user_request(NULL, "x");
    kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED);
    kimi_chat_request_set_temperature(req, 1.0);
    expect_refused(client, req, "temperature: kimi-k2.6 accepts only 0.6 with thinking off");
    req = user_request(NULL, "x");
    kimi_chat_request_set_top_p(req, 0.9);
    expect_refused(client, req, "top_p: kimi-k2.6 accepts only 0.95");
    req = user_request(NULL, "x");
    kimi_chat_request_set_n(req, 2);
    expect_refused(client, req, "n: kimi-k2.6 accepts only 1");
    req = user_request(NULL, "x");
    kimi_chat_request_set_presence_penalty(req, 0.5);
    expect_refused(client, req, "presence_penalty: kimi-k2.6 accepts only 0");
    req = user_request(NULL, "x");
    kimi_chat_request_set_frequency_penalty(req, -1);
    expect_refused(client, req, "frequency_penalty: kimi-k2.6 accepts only 0");

    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "clock", NULL, NULL, -1);
    kimi_chat_request_set_tool_choice(req, "required");
    expect_refused(client, req, "tool_choice: \"required\" is not allowed while thinking is on");
    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "clock", NULL, NULL, -1);
    kimi_chat_request_set_tool_choice_function(req, "clock");
    expect_refused(client, req, "tool_choice: a named function is not allowed while thinking is on");

    req = user_request(NULL, "x");
    for (i = 0; i < 129; i++) {
        char name[16];
        snprintf(name, sizeof name, "tool_%d", i);
        kimi_chat_request_add_tool(req, name, NULL, NULL, -1);
    }
    expect_refused(client, req, "tools: Kimi accepts at most 128 tools, got 129");
    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "2fast", NULL, NULL, -1);
    expect_refused(client, req, "tools[0].function.name: \"2fast\" must match ^[a-zA-Z_][a-zA-Z0-9-_]{2,63}$");
    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "ab", NULL, NULL, -1);
    expect_refused(client, req, "\"ab\" must match");
    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "clock", NULL, NULL, -1);
    kimi_chat_request_add_tool(req, "clock", NULL, NULL, -1);
    expect_refused(client, req, "tools[1].function.name: \"clock\" is already declared by tools[0]");

    req = user_request(NULL, "x");
    for (i = 0; i < 6; i++) kimi_chat_request_add_stop(req, "END");
    expect_refused(client, req, "stop: Kimi accepts at most 5 stop strings, got 6");
    req = user_request(NULL, "x");
    kimi_chat_request_add_stop(req, "this stop string is longer than thirty-two bytes");
    expect_refused(client, req, "stop[0]: Kimi accepts stop strings of at most 32 bytes");

    req = with_history("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
                       "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"functions.f:0\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                       "{\"role\":\"tool\",\"tool_call_id\":\"functions.f:0\",\"content\":\"1\"}]}");
    expect_refused(client, req, "messages[1].reasoning_content: missing on an assistant tool-call message while thinking is on");
    req = with_history("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
                       "{\"role\":\"assistant\",\"reasoning_content\":\"r\",\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\"}},{\"id\":\"a\",\"function\":{\"name\":\"g\"}}]}]}");
    expect_refused(client, req, "messages[1].tool_calls[1].id: \"a\" is also used by messages[1].tool_calls[0]");
    req = with_history("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"tool\",\"tool_call_id\":\"ghost\",\"content\":\"1\"}]}");
    expect_refused(client, req, "messages[1].tool_call_id: \"ghost\" matches no earlier assistant tool call");
    req = with_history("{\"messages\":[{\"role\":\"assistant\",\"content\":\"a\",\"partial\":true},{\"role\":\"user\",\"content\":\"q\"}]}");
    expect_refused(client, req, "messages[0].partial: only the last message may be partial");
    req = with_history("{\"response_format\":{\"type\":\"json_object\"},\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"assistant\",\"content\":\"{\",\"partial\":true}]}");
    expect_refused(client, req, "messages[1].partial: Partial Mode cannot be combined with response_format json_object");

    /* Other models are not held to K2.6's fixed values. */
    {
        kimi_client *online = test_client();
        kimi_chat_response *resp = NULL;
        req = user_request("moonshot-v1-8k", "x");
        kimi_chat_request_set_temperature(req, 0.3);
        CHECK_INT(kimi_chat_create(online, req, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
        kimi_client_free(online);
    }
    kimi_client_free(client);
}

static void test_server_refuses_the_same_rules(void) {
    /* With Kimi's rules off the request goes out, and Kimi (the mock) refuses it. */
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req;
    kimi_chat_response *resp = NULL;
    kimi_client_options_set_kimi_rules(opts, 0);
    client = test_client_from(opts);
    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "2fast", NULL, NULL, -1);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_API);
    CHECK_CONTAINS(kimi_error_message(), "function name 2fast is invalid");
    kimi_chat_request_free(req);
    req = with_history("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},"
                       "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"functions.f:0\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
                       "{\"role\":\"tool\",\"tool_call_id\":\"functions.f:0\",\"content\":\"1\"}]}");
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_API);
    CHECK_CONTAINS(kimi_error_message(), "reasoning_content is missing in assistant tool call message at index 1");
    kimi_chat_request_free(req);
    req = user_request(NULL, "x");
    kimi_chat_request_set_top_p(req, 0.5);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_API);
    CHECK_CONTAINS(kimi_error_message(), "invalid top_p: only 0.95 is allowed for this model");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_schema_checks(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req;
    kimi_chat_response *resp = NULL;
    const char *schema = "{\"type\":\"object\",\"title\":\"Args\",\"properties\":{"
                         "\"title\":{\"type\":\"string\",\"format\":\"date\"},"
                         "\"n\":{\"type\":\"integer\",\"minimum\":1},"
                         "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":3},"
                         "\"mode\":{\"enum\":[\"a\",1]}}}";
    kimi_client_options_set_log(opts, KIMI_LOG_WARN, capture_log, NULL);
    client = test_client_from(opts);
    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "fill_form", NULL, schema, -1); /* strict by Kimi's default */
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "tools[0].function.parameters: Moonshot's JSON Schema subset (MFJS) does not accept "
                                         "title at /title, format at /properties/title/format, minimum at /properties/n/minimum, "
                                         "maxItems at /properties/tags/maxItems, enum of mixed types at /properties/mode/enum");
    kimi_chat_request_free(req);
    /* Not strict: sent, with a warning in the log. */
    req = user_request(NULL, "x");
    kimi_chat_request_add_tool(req, "fill_form", NULL, schema, 0);
    log_lines = 0;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    CHECK_INT(log_lines, 1);
    CHECK_CONTAINS(last_log, "MFJS does not accept title at /title");
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    req = user_request(NULL, "x");
    kimi_chat_request_set_response_format_json_schema(req, "out", "{\"type\":\"object\",\"$comment\":\"x\"}", 1);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "response_format.json_schema.schema: Moonshot's JSON Schema subset (MFJS) does not accept $comment at /$comment");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static int kind_of(kimi_client *client, const char *scenario) {
    char text[256];
    kimi_chat_request *req;
    kimi_chat_response *resp = NULL;
    int kind;
    snprintf(text, sizeof text, "x [[mock: %s]]", scenario);
    req = user_request(NULL, text);
    if (kimi_chat_create(client, req, &resp) == KIMI_OK) kimi_chat_response_free(resp);
    kind = kimi_error_kind();
    kimi_chat_request_free(req);
    return kind;
}

static void test_error_taxonomy(void) {
    kimi_client *client = test_client();
    kimi_client *bad_key;
    kimi_client_options *opts;
    CHECK_INT(kind_of(client, "status=429 type=rate_limit_reached_error message=max_RPM:_3,_please_try_again_after_2_seconds"),
              KIMI_KIND_RATE_LIMITED);
    CHECK_INT(kimi_error_retry_after_ms(), 2000);
    CHECK_INT(kind_of(client, "status=429 type=engine_overloaded_error message=The_engine_is_currently_overloaded"), KIMI_KIND_OVERLOADED);
    CHECK_INT(kind_of(client, "status=429 type=exceeded_current_quota_error message=You_exceeded_your_current_token_quota"),
              KIMI_KIND_QUOTA_EXCEEDED);
    CHECK_INT(kind_of(client, "status=403 type=exceeded_current_quota_error message=is_not_active"), KIMI_KIND_QUOTA_EXCEEDED);
    /* Billing wording wins even under a rate-limit type: retrying a quota wall cannot help. */
    CHECK_INT(kind_of(client, "status=429 type=rate_limit_reached_error message=insufficient_balance,_please_recharge"),
              KIMI_KIND_QUOTA_EXCEEDED);
    CHECK_INT(kind_of(client, "status=403 type=permission_denied_error message=not_open"), KIMI_KIND_PERMISSION);
    CHECK_INT(kind_of(client, "status=404 type=resource_not_found_error message=Not_found_the_model"), KIMI_KIND_NOT_FOUND);
    CHECK_INT(kind_of(client, "status=400 type=invalid_request_error message=bad"), KIMI_KIND_INVALID_REQUEST);
    CHECK_INT(kind_of(client, "status=400 type=content_filter message=high_risk"), KIMI_KIND_CONTENT_FILTER);
    CHECK_INT(kind_of(client, "status=500 type=server_error message=Failed_to_extract_file"), KIMI_KIND_SERVER);
    CHECK_INT(kind_of(client, "html=503"), KIMI_KIND_SERVER);
    CHECK_INT(kind_of(client, "garbage"), KIMI_KIND_BAD_RESPONSE);
    CHECK_INT(kind_of(client, "hello"), KIMI_KIND_NONE);

    opts = test_options();
    kimi_client_options_set_api_key(opts, "sk-cn-wrong-region");
    bad_key = test_client_from(opts);
    CHECK_INT(kind_of(bad_key, "hello"), KIMI_KIND_AUTH);
    CHECK_STR(kimi_error_type(), "incorrect_api_key_error");
    CHECK_CONTAINS(kimi_error_message(), "check the key, and that it comes from the platform of http://127.0.0.1:");
    kimi_client_free(bad_key);
    kimi_client_free(client);

    client = offline_client();
    CHECK_INT(kind_of(client, "hello"), KIMI_KIND_TRANSPORT);
    kimi_client_free(client);
}

static void test_conversation_arguments(void) {
    kimi_client *client = test_client();
    kimi_conversation *conv = kimi_conversation_new(client, NULL);
    CHECK(kimi_conversation_new(NULL, NULL) == NULL);
    CHECK_CONTAINS(kimi_error_message(), "kimi_conversation_new: client must not be NULL");
    CHECK(kimi_conversation_request(NULL) == NULL);
    CHECK_INT(kimi_conversation_add_tool(conv, "clock", NULL, NULL, NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_conversation_add_message(conv, "tool", "x"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_conversation_add_tool_result(conv, "functions.x:0", "x", "1"), KIMI_OK);
    CHECK_INT(kimi_conversation_load_json(conv, "{}"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_tool_result_set_text(NULL, "x"), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_conversation_run(NULL, 3, NULL, NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK(kimi_conversation_to_json(NULL) == NULL);
    kimi_conversation_free(conv);
    kimi_conversation_free(NULL);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_tools_on_the_wire);
    RUN(test_three_round_tool_conversation);
    RUN(test_streamed_tool_loop_and_failures_go_to_the_model);
    RUN(test_web_search);
    RUN(test_step_limit);
    RUN(test_keep_all_keeps_reasoning_on_every_turn);
    RUN(test_partial_mode);
    RUN(test_preflight_rules);
    RUN(test_server_refuses_the_same_rules);
    RUN(test_schema_checks);
    RUN(test_error_taxonomy);
    RUN(test_conversation_arguments);
    return harness_finish();
}
