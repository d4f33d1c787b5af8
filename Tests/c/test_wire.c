/* What goes on the wire, as a recording server saw it
 * (Tests/recorder/recording_server.py): headers with empty values are sent,
 * control characters never are, a caller's header replaces the library's of
 * the same name, and query names and values arrive exactly as given. */
#include "harness.h"

/* The recorded requests since the last look, after one create of `req`. */
static char *send_and_record(kimi_client *client, kimi_chat_request *req) {
    kimi_chat_response *resp = NULL;
    free(recorded());
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    kimi_chat_response_free(resp);
    return recorded();
}

static kimi_client *recorder_client(kimi_client_options *opts) {
    return test_client_from(recorder_options(opts, 1));
}

static int occurrences(const char *text, const char *needle) {
    int count = 0;
    const char *at;
    for (at = strstr(text, needle); at; at = strstr(at + 1, needle)) count++;
    return count;
}

/* A header with an empty value is sent with an empty value (0.2.0 sent
 * nothing, and an empty User-Agent dropped the agent). */
static void test_empty_values_are_sent(void) {
    kimi_client *client = recorder_client(test_options());
    kimi_chat_request *req = user_request(NULL, "hi");
    char *seen;
    CHECK_INT(kimi_chat_request_add_header(req, "X-Empty", ""), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_header(req, "User-Agent", ""), KIMI_OK);
    seen = send_and_record(client, req);
    CHECK_CONTAINS(seen, "[\"X-Empty\", \"\"]");
    CHECK_CONTAINS(seen, "[\"User-Agent\", \"\"]");
    CHECK_INT(occurrences(seen, "[\"User-Agent\", "), 1);
    free(seen);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* Control characters in a header value are refused, wherever the header is
 * given; a tab is fine. */
static void test_control_characters_are_refused(void) {
    static const char *bad[] = {"a\x1b[2Jb", "a\rb", "a\nb", "a\x7f", "a\x01"};
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_client_options *opts = kimi_client_options_new();
    kimi_call_options *call = kimi_call_options_new();
    size_t i;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_INT(kimi_chat_request_add_header(req, "X-Bad", bad[i]), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), "control characters");
        CHECK_INT(kimi_client_options_add_header(opts, "X-Bad", bad[i]), KIMI_E_INVALID_ARGUMENT);
        CHECK_INT(kimi_call_options_add_header(call, "X-Bad", bad[i]), KIMI_E_INVALID_ARGUMENT);
        CHECK_INT(kimi_client_options_set_user_agent(opts, bad[i]), KIMI_E_INVALID_ARGUMENT);
    }
    CHECK_INT(kimi_chat_request_add_header(req, "X-Tab", "a\tb"), KIMI_OK);
    kimi_call_options_free(call);
    kimi_client_options_free(opts);
    kimi_chat_request_free(req);
}

/* A caller's Accept (per call, or for the client) is the only Accept sent. */
static void test_a_callers_header_replaces_the_librarys(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "hi");
    char *seen;
    CHECK_INT(kimi_client_options_add_header(opts, "accept", "application/x-client"), KIMI_OK);
    client = recorder_client(opts);
    seen = send_and_record(client, req);
    CHECK_INT(occurrences(seen, "[\"Accept\", ") + occurrences(seen, "[\"accept\", "), 1);
    CHECK_CONTAINS(seen, "\"application/x-client\"");
    free(seen);
    CHECK_INT(kimi_chat_request_add_header(req, "Accept", "application/x-call"), KIMI_OK);
    seen = send_and_record(client, req);
    CHECK_INT(occurrences(seen, "[\"Accept\", ") + occurrences(seen, "[\"accept\", "), 1);
    CHECK_CONTAINS(seen, "[\"Accept\", \"application/x-call\"]");
    free(seen);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* '=' and '&' in a query name or value stay inside it (0.2.0 let them move
 * the boundary between name and value). */
static void test_query_pairs_keep_their_boundaries(void) {
    kimi_client *client = recorder_client(test_options());
    kimi_chat_request *req = user_request(NULL, "hi");
    char *seen;
    CHECK_INT(kimi_chat_request_add_query(req, "a=b&c", "d&e=f g"), KIMI_OK);
    CHECK_INT(kimi_chat_request_add_query(req, "plain", "ü"), KIMI_OK);
    seen = send_and_record(client, req);
    CHECK_CONTAINS(seen, "/v1/chat/completions?a%3db%26c=d%26e%3df%20g&plain=%c3%bc\""); /* curl writes hex digits in lower case */
    free(seen);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_empty_values_are_sent);
    RUN(test_control_characters_are_refused);
    RUN(test_a_callers_header_replaces_the_librarys);
    RUN(test_query_pairs_keep_their_boundaries);
    return harness_finish();
}
