/* A request made by kimi_chat_request_from_json is sent as its caller's
 * bytes (plus the call's stream fields), checked but not written again,
 * until something changes it; what the rules rewrite, or what reading the
 * text had to fill in, is sent as the encoder writes it. Over real HTTP to
 * the recorder (Tests/recorder/recording_server.py), byte for byte. */
#include "harness.h"

/* A client of the recorder, Kimi's rules on or off. */
static kimi_client *recorder_client(int kimi_rules) {
    return test_client_from(recorder_options(test_options(), kimi_rules));
}

static kimi_chat_request *loaded(const char *body) {
    kimi_chat_request *req = NULL;
    kimi_status status = kimi_chat_request_from_json(body, &req);
    if (status != KIMI_OK) fprintf(stderr, "from_json: %s\n", kimi_error_message());
    CHECK_INT(status, KIMI_OK);
    return req;
}

/* Sends `req` (streamed or not) and checks the body that arrived. */
static void sends(kimi_client *client, kimi_chat_request *req, int streamed, const char *expected) {
    char *body;
    if (streamed) {
        kimi_stream *stream = NULL;
        const kimi_stream_event *event = NULL;
        CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
        while (kimi_stream_next(stream, &event) == KIMI_OK && event) {}
        kimi_stream_free(stream);
    } else {
        kimi_chat_response *resp = NULL;
        CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
    }
    body = recorded_body();
    if (strcmp(body, expected) != 0) fprintf(stderr, "sent:     %s\nexpected: %s\n", body, expected);
    CHECK_STR(body, expected);
    free(body);
}

#define PLAIN "{ \"model\": \"kimi-k2.6\",\n \"messages\": [{\"role\": \"user\", \"content\": \"h\\u00e9 \\ud83d\\ude00\"}],\n" \
              " \"thinking\": {\"type\": \"disabled\"}, \"temperature\": 0.60, \"seed\": 1e2 }"

static void test_a_plain_request_is_sent_as_given(void) {
    int rules;
    for (rules = 0; rules <= 1; rules++) {
        kimi_client *client = recorder_client(rules);
        kimi_chat_request *req = loaded(PLAIN);
        char streamed[512];
        snprintf(streamed, sizeof streamed, "{\"stream\":true,%s", &PLAIN[1]); /* the object without its opening brace */
        sends(client, req, 0, PLAIN);
        sends(client, req, 0, PLAIN); /* sent twice, the same */
        /* A streamed call adds its stream member in front. */
        sends(client, req, 1, streamed);
        /* Call settings are not in the body: they keep it. */
        CHECK_INT(kimi_chat_request_set_timeout_ms(req, 60000), KIMI_OK);
        CHECK_INT(kimi_chat_request_add_header(req, "X-Trace", "1"), KIMI_OK);
        sends(client, req, 0, PLAIN);
        kimi_chat_request_free(req);
        kimi_client_free(client);
    }
}

static void test_the_call_decides_the_stream_members(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = loaded("{\"stream\": false, \"model\":\"kimi-k2.6\",\"stream_options\" : {\"include_usage\": true} ,"
                                    "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}], \"str\\u0065am_\": 1}");
    sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"str\\u0065am_\": 1}");
    sends(client, req, 1,
          "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"model\":\"kimi-k2.6\","
          "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"str\\u0065am_\": 1}");
    kimi_chat_request_free(req);
    /* An escaped "stream" is the stream member too; the last member goes with its comma. */
    req = loaded("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"str\\u0065am\":true}");
    sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_a_changed_request_is_encoded(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = loaded(PLAIN);
    kimi_message *msg = NULL;
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 9), KIMI_OK);
    sends(client, req, 0,
          "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"h\xc3\xa9 \xf0\x9f\x98\x80\"}],"
          "\"thinking\":{\"type\":\"disabled\"},\"max_completion_tokens\":9,\"temperature\":0.6,\"seed\":100.0}");
    kimi_chat_request_free(req);

    req = loaded("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    CHECK_INT(kimi_message_from_json("{\"role\":\"assistant\",\"content\":\"yo\"}", &msg), KIMI_OK);
    CHECK_INT(kimi_chat_request_append_message(req, msg), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_message(req, "user", "and?"), KIMI_OK);
    sends(client, req, 0,
          "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
          "{\"role\":\"assistant\",\"content\":\"yo\"},{\"role\":\"user\",\"content\":\"and?\"}]}");
    kimi_message_free(msg);
    kimi_chat_request_free(req);

    /* Extra JSON, even of a member Kimi does not list. */
    req = loaded("{\"model\": \"kimi-k2.6\", \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    CHECK_INT(kimi_chat_request_set_extra_json(req, "{\"seed\": 2}"), KIMI_OK);
    sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":2}");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_what_the_rules_rewrite_is_encoded(void) {
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = loaded("{\"model\": \"kimi-k2.6\", \"max_tokens\": 7, \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":7}");
    kimi_chat_request_free(req);
    kimi_client_free(client);
    /* With the rules off, nothing is rewritten: as given. */
    client = recorder_client(0);
    req = loaded("{\"model\": \"kimi-k2.6\", \"max_tokens\": 7, \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    sends(client, req, 0, "{\"model\": \"kimi-k2.6\", \"max_tokens\": 7, \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_what_reading_filled_in_is_encoded(void) {
    kimi_client *client = recorder_client(0);
    kimi_chat_request *req;
    /* No model: the default is sent. */
    req = loaded("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    kimi_chat_request_free(req);
    /* A number no double holds reads as null, as before. */
    req = loaded("{\"model\":\"kimi-k2.6\",\"seed\":1e999,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":null}");
    kimi_chat_request_free(req);
    /* Null members are absent; object arguments are sent as a string. */
    req = loaded("{\"model\":\"kimi-k2.6\",\"tool_choice\":null,\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"name\":null},"
                 "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                 "\"function\":{\"name\":\"f\",\"arguments\":{\"a\":1}}}]},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"ok\"}]}");
    sends(client, req, 0,
          "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\","
          "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}]},"
          "{\"role\":\"tool\",\"content\":\"ok\",\"tool_call_id\":\"c1\"}]}");
    kimi_chat_request_free(req);
    /* Media parts keep their own way (a bare URL string becomes {"url": ...}). */
    req = loaded("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                 "\"image_url\":\"ms://file-1\"}]}]}");
    sends(client, req, 0,
          "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
          "\"image_url\":{\"url\":\"ms://file-1\"}}]}]}");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* An assistant tool-call turn read back from an answer often carries
 * "content": "", which Kimi refuses: the encoder leaves it out, so such a
 * body is not sent as given. With content, it is. */
static void test_an_empty_content_beside_tool_calls_is_left_out(void) {
    kimi_client *client = recorder_client(0);
    kimi_chat_request *req;
#define TURNS(content) "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}," \
    "{\"role\":\"assistant\"," content "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\"," \
    "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\",\"content\":\"ok\",\"tool_call_id\":\"c1\"}]}"
    req = loaded(TURNS("\"content\":\"\","));
    sends(client, req, 0, TURNS(""));
    kimi_chat_request_free(req);
    req = loaded(TURNS("\"content\":[],"));
    sends(client, req, 0, TURNS(""));
    kimi_chat_request_free(req);
    req = loaded(TURNS("\"content\": \"thinking aloud\", "));
    sends(client, req, 0, TURNS("\"content\": \"thinking aloud\", "));
    kimi_chat_request_free(req);
#undef TURNS
    kimi_client_free(client);
}

/* A named tool_choice's type is checked, not assumed: another type is
 * refused, none is written in. */
static void test_a_tool_choice_type_is_checked(void) {
    kimi_client *client = recorder_client(0);
    kimi_chat_request *req = NULL;
    CHECK_INT(kimi_chat_request_from_json("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                          "\"tool_choice\":{\"type\":\"bogus\",\"function\":{\"name\":\"f\"}}}", &req),
              KIMI_E_INVALID_ARGUMENT);
    CHECK(req == NULL);
    CHECK(strstr(kimi_error_message(), "tool_choice.type: expected \"function\", got \"bogus\"") != NULL);
    req = loaded("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                 "\"tool_choice\":{\"function\":{\"name\":\"f\"}}}");
    sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                          "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}}");
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_a_member_given_twice_is_refused(void) {
    static const char *const bodies[] = {
        "{\"model\":\"kimi-k2.6\",\"temperature\":1,\"messages\":[],\"temperature\":0.6}",
        "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"a\",\"content\":\"b\"}]}",
        "{\"model\":\"kimi-k2.6\",\"messages\":[],\"seed\":{\"x\":1,\"x\":1}}",
        "{\"model\":\"kimi-k2.6\",\"messages\":[],\"stream\":true,\"str\\u0065am\":false}",
    };
    static const char *const names[] = {"\"temperature\"", "\"content\"", "\"x\"", "\"str\\u0065am\""};
    size_t i;
    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        kimi_chat_request *req = (kimi_chat_request *)1;
        CHECK_INT(kimi_chat_request_from_json(bodies[i], &req), KIMI_E_INVALID_ARGUMENT);
        CHECK(req == NULL);
        CHECK(strstr(kimi_error_message(), "given twice") != NULL);
        CHECK(strstr(kimi_error_message(), names[i]) != NULL);
    }
}

/* A body whose member "deep" nests `levels` arrays (the body itself is one level more). */
static void nested(char *out, int levels) {
    int i;
    out += sprintf(out, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"deep\":");
    for (i = 0; i < levels; i++) *out++ = '[';
    for (i = 0; i < levels; i++) *out++ = ']';
    strcpy(out, "}");
}

static void test_hostile_bodies_are_refused_as_before(void) {
    char deep[300];
    kimi_chat_request *req = (kimi_chat_request *)1;
    kimi_client *client = recorder_client(0);
    CHECK_INT(kimi_chat_request_from_json("[1]", &req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "body: must be a JSON object, got an array") != NULL);
    CHECK_INT(kimi_chat_request_from_json("{\"model\":\"a\xff\"}", &req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "not valid UTF-8") != NULL);
    CHECK_INT(kimi_chat_request_from_json("{\"model\":\"a\\u0000b\"}", &req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "body: invalid JSON") != NULL);
    CHECK_INT(kimi_chat_request_from_json("{\"n\": 99999999999999999999999}", &req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "n: expected an integer, got null") != NULL);
    /* Nested to the limit (64 levels) is taken and sent as given; one more is refused. */
    nested(deep, 63);
    req = loaded(deep);
    sends(client, req, 0, deep);
    kimi_chat_request_free(req);
    nested(deep, 64);
    CHECK_INT(kimi_chat_request_from_json(deep, &req), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "nested deeper than 64 levels") != NULL);
    kimi_client_free(client);
}

/* A count written as a real is read as the integer it equals and checked
 * as one; it is sent as one too (a server typing the field as an integer
 * refuses 1e3, as the library's own readers of counts do). */
static void test_a_count_written_as_a_real_is_sent_as_an_integer(void) {
    int rules;
    for (rules = 0; rules <= 1; rules++) {
        kimi_client *client = recorder_client(rules);
        kimi_chat_request *req = loaded("{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                        "\"max_completion_tokens\":1e3,\"n\":1.0}");
        sends(client, req, 0, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                              "\"max_completion_tokens\":1000,\"n\":1}");
        kimi_chat_request_free(req);
        kimi_client_free(client);
    }
}

/* The rules quote a body's own values in their errors; a body holding the
 * API key (a tool_call_id, thinking.keep) gets it redacted there too. */
static void test_the_key_in_a_body_stays_out_of_the_rules_errors(void) {
    static const char key[] = "sk-attack5-0123456789abcdefghij";
    char body[512], url[64];
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_response *resp = NULL;
    kimi_chat_request *req;
    snprintf(url, sizeof url, "http://127.0.0.1:%s/v1", getenv("KIMI_RECORDER_PORT"));
    CHECK_INT(kimi_client_options_set_base_url(opts, url), KIMI_OK);
    CHECK_INT(kimi_client_options_set_api_key(opts, key), KIMI_OK);
    client = test_client_from(opts);
    snprintf(body, sizeof body, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
             "{\"role\":\"tool\",\"tool_call_id\":\"%s\",\"content\":\"r\"}]}", key);
    req = loaded(body);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "tool_call_id") != NULL);
    CHECK(strstr(kimi_error_message(), "0123456789") == NULL);
    kimi_chat_request_free(req);
    snprintf(body, sizeof body, "{\"model\":\"kimi-k2.6\",\"thinking\":{\"type\":\"enabled\",\"keep\":\"%s\"},"
             "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", key);
    req = loaded(body);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_INVALID_ARGUMENT);
    CHECK(strstr(kimi_error_message(), "thinking.keep") != NULL);
    CHECK(strstr(kimi_error_message(), "0123456789") == NULL);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* kimi_chat_request_to_json is "the body a non-streamed call would send":
 * for a loaded request, its text (without the stream members), with what
 * the fields do not hold (thinking.budget, a tool's own members) and
 * numbers as written, not a re-encoding that never goes. */
static void test_to_json_shows_the_loaded_text(void) {
    static const char body[] = "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                               "\"thinking\":{\"type\":\"disabled\",\"budget\":5},\"temperature\":0.60,\"stream\":true}";
    static const char sent[] = "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                               "\"thinking\":{\"type\":\"disabled\",\"budget\":5},\"temperature\":0.60}";
    kimi_client *client = recorder_client(1);
    kimi_chat_request *req = loaded(body);
    char *json = kimi_chat_request_to_json(req);
    CHECK_STR(json, sent);
    kimi_string_free(json);
    sends(client, req, 0, sent);
    /* Changed, it is encoded: to_json says so too. */
    CHECK_INT(kimi_chat_request_set_max_completion_tokens(req, 9), KIMI_OK);
    json = kimi_chat_request_to_json(req);
    CHECK_STR(json, "{\"model\":\"kimi-k2.6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                    "\"thinking\":{\"type\":\"disabled\"},\"max_completion_tokens\":9,\"temperature\":0.6}");
    sends(client, req, 0, json);
    kimi_string_free(json);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_a_plain_request_is_sent_as_given);
    RUN(test_the_call_decides_the_stream_members);
    RUN(test_a_changed_request_is_encoded);
    RUN(test_what_the_rules_rewrite_is_encoded);
    RUN(test_what_reading_filled_in_is_encoded);
    RUN(test_an_empty_content_beside_tool_calls_is_left_out);
    RUN(test_a_tool_choice_type_is_checked);
    RUN(test_a_member_given_twice_is_refused);
    RUN(test_hostile_bodies_are_refused_as_before);
    RUN(test_a_count_written_as_a_real_is_sent_as_an_integer);
    RUN(test_the_key_in_a_body_stays_out_of_the_rules_errors);
    RUN(test_to_json_shows_the_loaded_text);
    return harness_finish();
}
