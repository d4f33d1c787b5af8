/* Streaming against the mock: events, completion rules, cancellation. */
#include "harness.h"


/* Everything a stream told the callback, kept for the checks. */
struct recorder {
    int types[512];
    int count;
    char content[4096];
    char reasoning[4096];
    char arguments[4][256];
    char call_ids[4][64];
    char call_names[4][64];
    int call_done[4];
    char finish[32];
    long long usage_total[8];
    int usage_choice[8];
    int usages;
    int choice_of_content[512];
    int abort_after_content; /* stop at this many content events (0 = never) */
    int content_events;
    int after_abort;         /* callbacks seen after returning non-zero */
    int aborted;
    int bad_utf8;
    char first_json[64];
    char last_json[16];
};

static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        size_t k;
        if (len == 0 || i + len > n) return 0;
        for (k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += len;
    }
    return 1;
}

static void append(char *dst, size_t cap, const char *src, size_t n) {
    size_t have = strlen(dst);
    if (have + n >= cap) n = cap - have - 1;
    memcpy(dst + have, src, n);
    dst[have + n] = 0;
}

static int record(const kimi_stream_event *ev, void *user_data) {
    struct recorder *r = user_data;
    size_t n;
    const char *t = kimi_stream_event_text(ev, &n);
    int type = kimi_stream_event_type(ev);
    int call = kimi_stream_event_tool_call_index(ev);
    if (r->aborted) r->after_abort++;
    if (r->count < 512) r->types[r->count] = type;
    if (r->count == 0) snprintf(r->first_json, sizeof r->first_json, "%s", kimi_stream_event_json(ev, NULL));
    r->count++;
    if (!valid_utf8((const unsigned char *)t, n) || t[n] != 0) r->bad_utf8++;
    switch (type) {
    case KIMI_EVENT_CONTENT_DELTA:
        append(r->content, sizeof r->content, t, n);
        if (r->content_events < 512) r->choice_of_content[r->content_events] = kimi_stream_event_choice_index(ev);
        r->content_events++;
        if (r->abort_after_content && r->content_events == r->abort_after_content) {
            r->aborted = 1;
            return 1;
        }
        break;
    case KIMI_EVENT_REASONING_DELTA:
        append(r->reasoning, sizeof r->reasoning, t, n);
        break;
    case KIMI_EVENT_TOOL_CALL_START:
        if (call >= 0 && call < 4) {
            snprintf(r->call_ids[call], 64, "%s", kimi_stream_event_tool_call_id(ev));
            snprintf(r->call_names[call], 64, "%s", kimi_stream_event_tool_call_name(ev));
        }
        break;
    case KIMI_EVENT_TOOL_CALL_DELTA:
        if (call >= 0 && call < 4) append(r->arguments[call], 256, t, n);
        break;
    case KIMI_EVENT_TOOL_CALL_DONE:
        if (call >= 0 && call < 4) r->call_done[call]++;
        break;
    case KIMI_EVENT_FINISH:
        snprintf(r->finish, sizeof r->finish, "%s", kimi_stream_event_finish_reason(ev));
        break;
    case KIMI_EVENT_USAGE:
        if (r->usages < 8) {
            r->usage_total[r->usages] = kimi_stream_event_total_tokens(ev);
            r->usage_choice[r->usages] = kimi_stream_event_choice_index(ev);
        }
        r->usages++;
        break;
    case KIMI_EVENT_DONE:
        snprintf(r->last_json, sizeof r->last_json, "%s", kimi_stream_event_json(ev, NULL));
        break;
    default:
        break;
    }
    return 0;
}

static kimi_status stream_text(kimi_client *client, const char *model, const char *text, struct recorder *r,
                               kimi_chat_response **final) {
    kimi_chat_request *req = user_request(model, text);
    kimi_status status;
    memset(r, 0, sizeof *r);
    status = kimi_chat_stream(client, req, record, r, final);
    kimi_chat_request_free(req);
    return status;
}


static void test_event_sequence_and_final_response(void) {
    kimi_client *client = test_client();
    struct recorder r;
    kimi_chat_response *final = NULL;
    int expected[] = {KIMI_EVENT_ROLE, KIMI_EVENT_REASONING_DELTA, KIMI_EVENT_REASONING_DELTA,
                      KIMI_EVENT_REASONING_DELTA, KIMI_EVENT_REASONING_DELTA, KIMI_EVENT_REASONING_DELTA,
                      KIMI_EVENT_CONTENT_DELTA,
                      KIMI_EVENT_CONTENT_DELTA, KIMI_EVENT_CONTENT_DELTA, KIMI_EVENT_CONTENT_DELTA,
                      KIMI_EVENT_FINISH, KIMI_EVENT_USAGE, KIMI_EVENT_DONE};
    int i;
    CHECK_INT(stream_text(client, NULL, "Hello there", &r, &final), KIMI_OK);
    CHECK_INT(r.count, 13);
    for (i = 0; i < 13; i++) CHECK_INT(r.types[i], expected[i]);
    CHECK_STR(r.reasoning, "The user said \"Hello there\".");
    CHECK_STR(r.content, "You said: Hello there");
    CHECK_STR(r.finish, "stop");
    CHECK_INT(r.usages, 1);
    CHECK_INT(r.usage_choice[0], 0); /* Kimi's choices[0].usage */
    CHECK_INT(r.usage_total[0], 5 + 9);
    CHECK_CONTAINS(r.first_json, "{\"id\":\"cmpl-");
    CHECK_STR(r.last_json, "[DONE]");
    CHECK_INT(r.bad_utf8, 0);
    CHECK(final != NULL);
    CHECK_STR(kimi_chat_response_content(final, NULL), "You said: Hello there");
    CHECK_STR(kimi_chat_response_reasoning(final, NULL), "The user said \"Hello there\".");
    CHECK_STR(kimi_chat_response_finish_reason(final), "stop");
    CHECK_INT(kimi_chat_response_total_tokens(final), 14);
    CHECK_STR(kimi_chat_response_model(final), "kimi-k2.6");
    CHECK_CONTAINS(kimi_chat_response_json(final, NULL), "\"content\":\"You said: Hello there\"");
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

static void test_stream_equals_create(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "Same answer please");
    kimi_chat_response *streamed = NULL, *created = NULL;
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &streamed), KIMI_OK);
    CHECK_INT(kimi_chat_create(client, req, &created), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(streamed, NULL), kimi_chat_response_content(created, NULL));
    CHECK_STR(kimi_chat_response_reasoning(streamed, NULL), kimi_chat_response_reasoning(created, NULL));
    CHECK_STR(kimi_chat_response_finish_reason(streamed), kimi_chat_response_finish_reason(created));
    CHECK_INT(kimi_chat_response_total_tokens(streamed), kimi_chat_response_total_tokens(created));
    CHECK_INT(kimi_chat_response_prompt_tokens(streamed), kimi_chat_response_prompt_tokens(created));
    /* The request object was not changed by streaming it. */
    {
        char *json = kimi_chat_request_to_json(req);
        CHECK(strstr(json, "stream") == NULL);
        kimi_string_free(json);
    }
    kimi_chat_response_free(streamed);
    kimi_chat_response_free(created);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_usage_in_both_shapes(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "count me");
    struct recorder r;
    kimi_chat_response *final = NULL;
    memset(&r, 0, sizeof r);
    CHECK_INT(kimi_chat_request_set_include_usage(req, 1), KIMI_OK);
    CHECK_INT(kimi_chat_stream(client, req, record, &r, &final), KIMI_OK);
    CHECK_INT(r.usages, 2);
    CHECK_INT(r.usage_choice[0], 0);  /* in the finish chunk */
    CHECK_INT(r.usage_choice[1], -1); /* the include_usage chunk */
    CHECK_INT(r.usage_total[0], r.usage_total[1]);
    CHECK_INT(kimi_chat_response_total_tokens(final), r.usage_total[0]); /* never summed */
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);

    CHECK_INT(stream_text(client, NULL, "x [[mock: usage=top cached=3 spelling=details]]", &r, &final), KIMI_OK);
    CHECK_INT(r.usages, 1);
    CHECK_INT(r.usage_choice[0], -1);
    CHECK_INT(kimi_chat_response_cached_tokens(final), 3);
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

static void check_two_calls(struct recorder *r, kimi_chat_response *final) {
    CHECK_STR(r->call_ids[0], "functions.get_weather:0");
    CHECK_STR(r->call_ids[1], "functions.get_time:1");
    CHECK_STR(r->call_names[0], "get_weather");
    CHECK_STR(r->call_names[1], "get_time");
    CHECK_STR(r->arguments[0], "{\"city\":\"Paris\",\"n\":0}");
    CHECK_STR(r->arguments[1], "{\"city\":\"Paris\",\"n\":1}");
    CHECK_INT(r->call_done[0], 1);
    CHECK_INT(r->call_done[1], 1);
    CHECK_STR(r->finish, "tool_calls");
    CHECK_INT(kimi_chat_response_tool_call_count(final), 2);
    CHECK_STR(kimi_chat_response_tool_call_id(final, 0), "functions.get_weather:0");
    CHECK_STR(kimi_chat_response_tool_call_name(final, 1), "get_time");
    CHECK_STR(kimi_chat_response_tool_call_arguments(final, 1), "{\"city\":\"Paris\",\"n\":1}");
    CHECK_STR(kimi_chat_response_finish_reason(final), "tool_calls");
}

static void test_interleaved_tool_calls(void) {
    kimi_client *client = test_client();
    struct recorder r;
    kimi_chat_response *final = NULL;
    int i, starts = 0, dones = 0, first_done = -1, finish_at = -1;
    CHECK_INT(stream_text(client, NULL, "w [[mock: calls=get_weather,get_time interleave]]", &r, &final), KIMI_OK);
    check_two_calls(&r, final);
    for (i = 0; i < r.count; i++) {
        if (r.types[i] == KIMI_EVENT_TOOL_CALL_START) starts++;
        if (r.types[i] == KIMI_EVENT_TOOL_CALL_DONE) {
            dones++;
            if (first_done < 0) first_done = i;
        }
        if (r.types[i] == KIMI_EVENT_FINISH) finish_at = i;
    }
    CHECK_INT(starts, 2);
    CHECK_INT(dones, 2);
    CHECK(first_done >= 0 && finish_at > first_done); /* calls are done before the finish */
    kimi_chat_response_free(final);

    CHECK_INT(stream_text(client, NULL, "w [[mock: calls=get_weather,get_time noindex]]", &r, &final), KIMI_OK);
    check_two_calls(&r, final); /* without "index", calls are told apart by id */
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

static void test_abort_from_the_callback(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "one two three four five six");
    kimi_chat_response *final = NULL;
    struct recorder r;
    memset(&r, 0, sizeof r);
    r.abort_after_content = 2;
    CHECK_INT(kimi_chat_stream(client, req, record, &r, &final), KIMI_E_ABORTED);
    CHECK_INT(r.after_abort, 0); /* no callback after the non-zero return */
    CHECK_INT(r.content_events, 2);
    CHECK_CONTAINS(kimi_error_message(), "callback returned non-zero");
    CHECK(final != NULL);
    CHECK_STR(kimi_chat_response_content(final, NULL), "You said: ");
    kimi_chat_response_free(final);
    /* The client is fine afterwards. */
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &final), KIMI_OK);
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_cancel_from_another_thread(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "a b c [[mock: stall_after=1 stall_ms=5000]]");
    struct canceller c;
    pthread_t thread;
    kimi_chat_response *final = NULL;
    struct recorder r;
    double returned;
    memset(&r, 0, sizeof r);
    c.token = kimi_cancel_token_new();
    c.delay_ms = 300;
    CHECK_INT(kimi_chat_request_set_cancel_token(req, c.token), KIMI_OK);
    CHECK(pthread_create(&thread, NULL, cancel_later, &c) == 0);
    CHECK_INT(kimi_chat_stream(client, req, record, &r, &final), KIMI_E_ABORTED);
    returned = now_ms();
    pthread_join(thread, NULL);
    /* The server stalls for 5 s; the call returned right after the cancel. */
    CHECK(returned - c.cancelled_at < 1000);
    fprintf(stderr, "  (cancel to return: %.1f ms)\n", returned - c.cancelled_at);
    CHECK_CONTAINS(kimi_error_message(), "cancel");
    CHECK_STR(kimi_chat_response_content(final, NULL), "You ");
    CHECK_INT(kimi_cancel_token_is_cancelled(c.token), 1);
    kimi_chat_response_free(final);
    /* A cancelled token cancels before sending; a reset one does not. */
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &final), KIMI_E_ABORTED);
    CHECK(final == NULL);
    kimi_cancel_token_reset(c.token);
    kimi_chat_request_free(req);
    req = user_request(NULL, "after reset");
    CHECK_INT(kimi_chat_request_set_cancel_token(req, c.token), KIMI_OK);
    kimi_cancel_token_free(c.token); /* the request keeps its own reference */
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &final), KIMI_OK);
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_idle_timeout_on_a_silent_stream(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    struct recorder r;
    kimi_chat_response *final = NULL;
    kimi_client_options_set_idle_timeout_ms(opts, 300);
    client = test_client_from(opts);
    CHECK_INT(stream_text(client, NULL, "a b c [[mock: stall_after=2 stall_ms=3000]]", &r, &final), KIMI_E_TIMEOUT);
    CHECK_CONTAINS(kimi_error_message(), "idle timeout");
    CHECK_STR(r.content, "You said: ");
    CHECK_STR(kimi_chat_response_content(final, NULL), "You said: ");
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

static void test_cut_stream_is_incomplete(void) {
    kimi_client *client = test_client();
    struct recorder r;
    kimi_chat_response *final = NULL;
    CHECK_INT(stream_text(client, NULL, "a b c [[mock: cut_after=2]]", &r, &final), KIMI_E_INCOMPLETE);
    CHECK_CONTAINS(kimi_error_message(), "before data: [DONE]");
    CHECK_STR(kimi_chat_response_content(final, NULL), "You said: ");
    CHECK_STR(kimi_chat_response_reasoning(final, NULL), "The user said \"a b c\".");
    kimi_chat_response_free(final);

    /* A clean end with a finish reason but no [DONE] is still incomplete. */
    CHECK_INT(stream_text(client, NULL, "a [[mock: no_done]]", &r, &final), KIMI_E_INCOMPLETE);
    CHECK_STR(r.finish, "stop");
    CHECK_CONTAINS(kimi_error_message(), "only [DONE] completes a stream");
    CHECK_STR(kimi_chat_response_content(final, NULL), "You said: a");
    kimi_chat_response_free(final);

    CHECK_INT(stream_text(client, NULL, "a b [[mock: end_after=1]]", &r, &final), KIMI_E_INCOMPLETE);
    CHECK_STR(kimi_chat_response_content(final, NULL), "You ");
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

static void test_errors_mid_stream(void) {
    kimi_client *client = test_client();
    struct recorder r;
    kimi_chat_response *final = NULL;
    CHECK_INT(stream_text(client, NULL, "a b [[mock: error_after=2]]", &r, &final), KIMI_E_API);
    CHECK_STR(kimi_error_type(), "server_error");
    CHECK_CONTAINS(kimi_error_message(), "the engine failed mid-stream (in stream)");
    CHECK_STR(kimi_chat_response_content(final, NULL), "You said: ");
    kimi_chat_response_free(final);

    CHECK_INT(stream_text(client, NULL, "a b [[mock: event_error_after=1]]", &r, &final), KIMI_E_API);
    CHECK_STR(kimi_error_type(), "server_error");
    CHECK_STR(kimi_chat_response_content(final, NULL), "You ");
    kimi_chat_response_free(final);

    CHECK_INT(stream_text(client, NULL, "a b [[mock: bad_data_after=1]]", &r, &final), KIMI_E_PARSE);
    CHECK_CONTAINS(kimi_error_message(), "at stream byte ");
    CHECK_CONTAINS(kimi_error_message(), "is not a valid chunk");
    CHECK_STR(kimi_chat_response_content(final, NULL), "You ");
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

static int next_request_number(kimi_client *client) {
    /* The mock numbers requests; an error answer carries its number. */
    kimi_chat_request *req = user_request(NULL, "x [[mock: status=418]]");
    kimi_chat_response *resp = NULL;
    int n;
    kimi_chat_create(client, req, &resp);
    n = atoi(kimi_error_request_id() + strlen("req-mock-"));
    kimi_chat_request_free(req);
    return n;
}

static void test_refused_stream_is_reported_like_create(void) {
    kimi_client *client = test_client();
    struct recorder r;
    kimi_chat_response *final = (kimi_chat_response *)1;
    int before = next_request_number(client);
    CHECK_INT(stream_text(client, NULL, "x [[mock: html=502]]", &r, &final), KIMI_E_HTTP);
    CHECK(final == NULL);
    CHECK_INT(kimi_error_http_status(), 502);
    CHECK_CONTAINS(kimi_error_message(), "Bad Gateway");
    CHECK_INT(r.count, 0);
    CHECK_INT(next_request_number(client), before + 2); /* the stream request was sent once */

    CHECK_INT(stream_text(client, NULL, "x [[mock: status=400 message=nope code_int]]", &r, &final), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 400);
    CHECK_STR(kimi_error_code(), "400");

    CHECK_INT(stream_text(client, NULL, "x [[mock: json_stream]]", &r, &final), KIMI_E_PARSE);
    CHECK_CONTAINS(kimi_error_message(), "expected an event stream");
    kimi_client_free(client);
}

static void test_network_and_framing_variants(void) {
    const char *variants[] = {"split=1", "split=2 crlf", "split=3 cr", "keepalive", "multiline", "bom split=1",
                              "nospace", "fields", "big", "split=1 crlf keepalive multiline bom nospace fields"};
    kimi_client *client = test_client();
    size_t i;
    for (i = 0; i < sizeof variants / sizeof *variants; i++) {
        char text[256];
        struct recorder r;
        kimi_chat_response *final = NULL;
        snprintf(text, sizeof text, "one two [[mock: %s]]", variants[i]);
        CHECK_INT(stream_text(client, NULL, text, &r, &final), KIMI_OK);
        CHECK_STR(r.content, "You said: one two");
        CHECK_STR(r.reasoning, "The user said \"one two\".");
        CHECK_STR(r.last_json, "[DONE]");
        kimi_chat_response_free(final);
    }
    kimi_client_free(client);
}

static void test_utf8_split_inside_characters(void) {
    kimi_client *client = test_client();
    struct recorder r;
    kimi_chat_response *final = NULL;
    CHECK_INT(stream_text(client, NULL, "x [[mock: unicode split=1]]", &r, &final), KIMI_OK);
    CHECK_INT(r.bad_utf8, 0); /* every text handed out is whole UTF-8 */
    CHECK_STR(r.content, "Grüße aus Zürich, 世界 🌍 — ok");
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

/* A chunk that makes events with text and events without (content, then
 * finish and usage): each textless one reads as "" (length 0 and a NUL at
 * its start), not as the chunk's first text. */
static void test_events_without_text_beside_text(void) {
    kimi_client *client = test_client();
    struct recorder r;
    kimi_chat_response *final = NULL;
    int i, textless = 0;
    CHECK_INT(stream_text(client, NULL, "hi [[mock: finish_in_piece]]", &r, &final), KIMI_OK);
    CHECK_INT(r.bad_utf8, 0); /* counts a text without its NUL at [len] */
    CHECK_STR(r.content, "You said: hi!");
    for (i = 0; i < r.count; i++) textless += r.types[i] == KIMI_EVENT_FINISH || r.types[i] == KIMI_EVENT_USAGE;
    CHECK_INT(textless, 2);
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

static void test_several_choices_stream(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request("moonshot-v1-8k", "Pick");
    kimi_chat_response *final = NULL;
    struct recorder r;
    int i, saw_choice_one = 0;
    memset(&r, 0, sizeof r);
    CHECK_INT(kimi_chat_request_set_n(req, 2), KIMI_OK);
    CHECK_INT(kimi_chat_stream(client, req, record, &r, &final), KIMI_OK);
    for (i = 0; i < r.content_events; i++)
        if (r.choice_of_content[i] == 1) saw_choice_one = 1;
    CHECK(saw_choice_one);
    CHECK_INT(kimi_chat_response_choice_count(final), 2);
    CHECK_STR(kimi_chat_response_choice_content(final, 0, NULL), "You said: Pick");
    CHECK_STR(kimi_chat_response_choice_content(final, 1, NULL), "You said: Pick (choice 1)");
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_pull_api(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "pull me");
    kimi_stream *stream = NULL;
    const kimi_stream_event *ev = NULL;
    kimi_chat_response *resp = NULL;
    char content[256] = "";
    int events = 0, last = 0;
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    CHECK_INT(kimi_stream_response(stream, &resp), KIMI_E_INVALID_ARGUMENT); /* still running */
    CHECK_CONTAINS(kimi_error_message(), "still running");
    while (kimi_stream_next(stream, &ev) == KIMI_OK && ev) {
        size_t n, read_n = 99;
        const char *t = kimi_stream_event_text(ev, &n), *read_t = NULL;
        int choice = 99, tool_call = 99, last_in_chunk = 99;
        last = kimi_stream_event_type(ev);
        if (last == KIMI_EVENT_CONTENT_DELTA) append(content, sizeof content, t, n);
        /* The one-call read agrees with the accessors. */
        CHECK_INT(kimi_stream_event_read(ev, &read_t, &read_n, &choice, &tool_call, &last_in_chunk), last);
        CHECK(read_t == t && read_n == n);
        CHECK_INT(choice, kimi_stream_event_choice_index(ev));
        CHECK_INT(tool_call, kimi_stream_event_tool_call_index(ev));
        CHECK_INT(last_in_chunk, kimi_stream_event_last_in_chunk(ev));
        CHECK_INT(kimi_stream_event_read(ev, NULL, NULL, NULL, NULL, NULL), last);
        events++;
    }
    {
        const char *t = NULL;
        size_t n = 99;
        int choice = 99, tool_call = 99, last_in_chunk = 99;
        CHECK_INT(kimi_stream_event_read(NULL, &t, &n, &choice, &tool_call, &last_in_chunk), 0);
        CHECK_STR(t, "");
        CHECK(n == 0 && choice == -1 && tool_call == -1 && last_in_chunk == 0);
    }
    CHECK_INT(kimi_error_status(), KIMI_OK);
    CHECK(ev == NULL);
    CHECK_INT(last, KIMI_EVENT_DONE);
    CHECK_STR(content, "You said: pull me");
    CHECK_INT(kimi_stream_next(stream, &ev), KIMI_OK); /* over: stays over */
    CHECK(ev == NULL);
    CHECK_INT(kimi_stream_response(stream, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: pull me");
    kimi_stream_free(stream);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You said: pull me"); /* outlives the stream */
    kimi_chat_response_free(resp);

    /* Refused requests fail at open. */
    kimi_chat_request_free(req);
    req = user_request(NULL, "x [[mock: status=429 type=engine_overloaded_error]]");
    stream = (kimi_stream *)1;
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_E_API);
    CHECK(stream == NULL);
    CHECK_STR(kimi_error_type(), "engine_overloaded_error");

    /* Stopping early: cancel, then read what arrived. */
    kimi_chat_request_free(req);
    req = user_request(NULL, "one two three four");
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    while (kimi_stream_next(stream, &ev) == KIMI_OK && ev && kimi_stream_event_type(ev) != KIMI_EVENT_CONTENT_DELTA) {
    }
    kimi_stream_cancel(stream);
    CHECK_INT(kimi_stream_next(stream, &ev), KIMI_OK);
    CHECK(ev == NULL);
    CHECK_INT(kimi_stream_response(stream, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You ");
    kimi_chat_response_free(resp);
    kimi_stream_free(stream);
    kimi_stream_free(NULL);

    /* Failures mid-stream come from kimi_stream_next, with the partial response. */
    kimi_chat_request_free(req);
    req = user_request(NULL, "a b [[mock: cut_after=1]]");
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    {
        kimi_status status;
        while ((status = kimi_stream_next(stream, &ev)) == KIMI_OK && ev) {
        }
        CHECK_INT(status, KIMI_E_INCOMPLETE);
    }
    CHECK_INT(kimi_stream_response(stream, &resp), KIMI_OK);
    CHECK_STR(kimi_chat_response_content(resp, NULL), "You ");
    kimi_chat_response_free(resp);
    kimi_stream_free(stream);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_event_stream_limits(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    struct recorder r;
    kimi_chat_response *final = NULL;
    kimi_client_options_set_max_event_bytes(opts, 100);
    client = test_client_from(opts);
    CHECK_INT(stream_text(client, NULL, "hi", &r, &final), KIMI_E_TOO_LARGE);
    CHECK_CONTAINS(kimi_error_message(), "100-byte limit");
    kimi_chat_response_free(final);
    kimi_client_free(client);
}

/* Counts the events; the first one sleeps 300 ms, so the server's writes pile
 * up in the socket before the client reads on. */
static int count_after_a_pause(const kimi_stream_event *ev, void *user_data) {
    long *events = user_data;
    if ((*events)++ == 0) {
        struct timespec pause = {0, 300 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    (void)ev;
    return 0;
}

/* A small event limit bounds one event, not how far the reader is behind:
 * megabytes of small events waiting in the socket are read a bounded amount
 * at a time (curl would read up to 100 buffers in one go) and the stream
 * completes. */
static void test_event_limit_with_a_reader_behind(void) {
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_chat_request *req = user_request(NULL, "[[mock: chunks=20000 batch=65536]]");
    kimi_chat_response *final = NULL;
    long events = 0;
    size_t content = 0;
    kimi_client_options_set_max_event_bytes(opts, 4096);
    client = test_client_from(opts);
    CHECK_INT(kimi_chat_stream(client, req, count_after_a_pause, &events, &final), KIMI_OK);
    CHECK(events > 20000);
    (void)kimi_chat_response_content(final, &content);
    CHECK_INT(content, 20000 * 4);
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_stream_arguments(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "x");
    kimi_chat_response *final = (kimi_chat_response *)1;
    kimi_stream *stream;
    CHECK_INT(kimi_chat_stream(NULL, req, record, NULL, &final), KIMI_E_INVALID_ARGUMENT);
    CHECK(final == NULL);
    CHECK_INT(kimi_chat_stream(client, NULL, record, NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_stream_open(client, req, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_stream_next(NULL, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_stream_event_type(NULL), 0);
    CHECK_STR(kimi_stream_event_text(NULL, NULL), "");
    CHECK_INT(kimi_stream_event_choice_index(NULL), -1);
    CHECK_INT(kimi_stream_event_prompt_tokens(NULL), -1);
    CHECK_INT(kimi_chat_request_set_cancel_token(req, (kimi_cancel_token *)req), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_request_set_cancel_token(req, NULL), KIMI_OK);
    CHECK_INT(kimi_cancel_token_is_cancelled(NULL), 0);
    kimi_cancel_token_cancel(NULL);
    kimi_cancel_token_free(NULL);
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    kimi_stream_free(stream); /* freeing a running stream stops it */
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_event_sequence_and_final_response);
    RUN(test_stream_equals_create);
    RUN(test_usage_in_both_shapes);
    RUN(test_interleaved_tool_calls);
    RUN(test_abort_from_the_callback);
    RUN(test_cancel_from_another_thread);
    RUN(test_idle_timeout_on_a_silent_stream);
    RUN(test_cut_stream_is_incomplete);
    RUN(test_errors_mid_stream);
    RUN(test_refused_stream_is_reported_like_create);
    RUN(test_network_and_framing_variants);
    RUN(test_utf8_split_inside_characters);
    RUN(test_events_without_text_beside_text);
    RUN(test_several_choices_stream);
    RUN(test_pull_api);
    RUN(test_event_stream_limits);
    RUN(test_event_limit_with_a_reader_behind);
    RUN(test_stream_arguments);
    return harness_finish();
}
