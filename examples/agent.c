/* agent: a small agent with two tools, a calculator and a clock, run by
 * libkimi's automatic tool loop with streamed output.
 *
 *   agent "What is (17 + 25) * 3, and what time is it in UTC?"
 *
 * The loop calls the model, runs the tools it asks for, sends the results
 * back (with reasoning_content and the tool-call ids exactly as Kimi needs
 * them), and repeats until the model answers. */
#define _POSIX_C_SOURCE 200809L
#include <kimi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- the calculator: + - * / and parentheses over doubles ---------------- */

struct parser {
    const char *p;
    int error;
};

static double expression(struct parser *s);

static void skip_spaces(struct parser *s) {
    while (*s->p == ' ') s->p++;
}

static double factor(struct parser *s) {
    double value;
    char *end;
    skip_spaces(s);
    if (*s->p == '(') {
        s->p++;
        value = expression(s);
        skip_spaces(s);
        if (*s->p == ')') s->p++;
        else s->error = 1;
        return value;
    }
    if (*s->p == '-') {
        s->p++;
        return -factor(s);
    }
    value = strtod(s->p, &end);
    if (end == s->p) s->error = 1;
    s->p = end;
    return value;
}

static double term(struct parser *s) {
    double value = factor(s);
    for (;;) {
        skip_spaces(s);
        if (*s->p == '*') s->p++, value *= factor(s);
        else if (*s->p == '/') s->p++, value /= factor(s);
        else return value;
    }
}

static double expression(struct parser *s) {
    double value = term(s);
    for (;;) {
        skip_spaces(s);
        if (*s->p == '+') s->p++, value += term(s);
        else if (*s->p == '-') s->p++, value -= term(s);
        else return value;
    }
}

/* Pulls the string value of "key" out of a flat JSON object (enough for
 * these tools' arguments; use a JSON library for anything richer). */
static int json_string(const char *json, const char *key, char *out, size_t cap) {
    char pattern[64];
    const char *at, *end;
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    at = strstr(json, pattern);
    if (!at) return 0;
    at = strchr(at + strlen(pattern), '"');
    if (!at) return 0;
    end = strchr(at + 1, '"');
    if (!end || (size_t)(end - at - 1) >= cap) return 0;
    memcpy(out, at + 1, (size_t)(end - at - 1));
    out[end - at - 1] = 0;
    return 1;
}

static int calculator(const char *name, const char *arguments_json, kimi_tool_result *result, void *user_data) {
    char expr[256], text[64];
    struct parser s;
    double value;
    (void)name;
    (void)user_data;
    if (!json_string(arguments_json, "expression", expr, sizeof expr)) {
        kimi_tool_result_set_text(result, "error: pass {\"expression\": \"...\"}");
        return 1;
    }
    s.p = expr;
    s.error = 0;
    value = expression(&s);
    skip_spaces(&s);
    if (s.error || *s.p) {
        kimi_tool_result_set_text(result, "error: cannot parse the expression");
        return 1;
    }
    snprintf(text, sizeof text, "%.10g", value);
    kimi_tool_result_set_text(result, text);
    fprintf(stderr, "  [calculator: %s = %s]\n", expr, text);
    return 0;
}

static int clock_tool(const char *name, const char *arguments_json, kimi_tool_result *result, void *user_data) {
    char text[64];
    time_t now = time(NULL);
    struct tm utc;
    (void)name;
    (void)arguments_json;
    (void)user_data;
    gmtime_r(&now, &utc);
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
    kimi_tool_result_set_text(result, text);
    fprintf(stderr, "  [clock: %s]\n", text);
    return 0;
}

static int print_answer(const kimi_stream_event *ev, void *user_data) {
    size_t n;
    const char *text;
    (void)user_data;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_CONTENT_DELTA) {
        text = kimi_stream_event_text(ev, &n);
        fwrite(text, 1, n, stdout);
        fflush(stdout);
    } else if (kimi_stream_event_type(ev) == KIMI_EVENT_TOOL_CALL_START) {
        fprintf(stderr, "  [model calls %s]\n", kimi_stream_event_tool_call_name(ev));
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *question = argc > 1 ? argv[1] : "What is (17 + 25) * 3, and what time is it in UTC?";
    kimi_client *client = NULL;
    kimi_conversation *conv = NULL;
    kimi_chat_response *final = NULL;
    int rc = 1;

    if (kimi_client_new(NULL, &client) != KIMI_OK) goto fail;
    conv = kimi_conversation_new(client, "kimi-k2.6");
    if (!conv) goto fail;
    if (kimi_conversation_add_tool(conv, "calculator", "Evaluates an arithmetic expression with + - * / and parentheses",
                                   "{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":\"string\","
                                   "\"description\":\"e.g. (17 + 25) * 3\",\"examples\":[\"(17 + 25) * 3\"]}},"
                                   "\"required\":[\"expression\"]}",
                                   calculator, NULL) != KIMI_OK ||
        kimi_conversation_add_tool(conv, "clock", "The current date and time in UTC",
                                   "{\"type\":\"object\",\"properties\":{}}", clock_tool, NULL) != KIMI_OK ||
        kimi_chat_request_set_max_completion_tokens(kimi_conversation_request(conv), 8192) != KIMI_OK ||
        kimi_conversation_add_message(conv, "user", question) != KIMI_OK)
        goto fail;
    if (kimi_conversation_run(conv, 6, print_answer, NULL, &final) != KIMI_OK) goto fail;
    putchar('\n');
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "agent: %s\n", kimi_error_message());
done:
    kimi_chat_response_free(final);
    kimi_conversation_free(conv);
    kimi_client_free(client);
    return rc;
}
