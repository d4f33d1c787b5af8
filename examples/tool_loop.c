/* tool_loop: the tool loop written by hand, for programs that run tools
 * their own way (a queue, another process, a human approving each call).
 * agent.c does the same with libkimi's automatic loop
 * (kimi_conversation_run).
 *
 *   tool_loop "How long is the word 'antidisestablishmentarianism'?"
 *
 * Each round is three calls: kimi_chat_create, then
 * kimi_chat_request_append_response (the assistant turn goes back with its
 * reasoning_content and tool-call ids exactly as Kimi needs them), then
 * kimi_chat_request_add_tool_result for each call. */
#include <kimi.h>
#include <stdio.h>
#include <string.h>

/* The one tool: the length of {"word": "..."} (a flat object; use a JSON
 * library for anything richer). */
static void word_length(const char *arguments_json, char *out, size_t cap) {
    const char *at = strstr(arguments_json, "\"word\"");
    const char *start = at ? strchr(at + 6, '"') : NULL;
    const char *end = start ? strchr(start + 1, '"') : NULL;
    if (!end) snprintf(out, cap, "error: pass {\"word\": \"...\"}");
    else snprintf(out, cap, "%d characters", (int)(end - start - 1));
}

int main(int argc, char **argv) {
    const char *question = argc > 1 ? argv[1] : "How long is the word 'antidisestablishmentarianism'?";
    kimi_client *client = NULL;
    kimi_chat_request *req = kimi_chat_request_new("kimi-k2.6");
    kimi_chat_response *resp = NULL;
    int round, rc = 1;

    if (!req || kimi_client_new(NULL, &client) != KIMI_OK ||
        kimi_chat_request_add_tool(req, "word_length", "The number of characters in a word",
                                   "{\"type\":\"object\",\"properties\":{\"word\":{\"type\":\"string\","
                                   "\"examples\":[\"antidisestablishmentarianism\"]}},\"required\":[\"word\"]}",
                                   -1) != KIMI_OK ||
        kimi_chat_request_set_max_completion_tokens(req, 8192) != KIMI_OK ||
        kimi_chat_request_add_message(req, "user", question) != KIMI_OK)
        goto fail;
    for (round = 0; round < 6; round++) {
        size_t i, calls;
        if (kimi_chat_create(client, req, &resp) != KIMI_OK) goto fail;
        calls = kimi_chat_response_tool_call_count(resp);
        if (calls == 0) {
            printf("%s\n", kimi_chat_response_content(resp, NULL));
            rc = 0;
            goto done;
        }
        if (kimi_chat_request_append_response(req, resp) != KIMI_OK) goto fail;
        for (i = 0; i < calls; i++) {
            char result[128];
            word_length(kimi_chat_response_tool_call_arguments(resp, i), result, sizeof result);
            fprintf(stderr, "  [%s %s -> %s]\n", kimi_chat_response_tool_call_name(resp, i),
                    kimi_chat_response_tool_call_arguments(resp, i), result);
            if (kimi_chat_request_add_tool_result(req, kimi_chat_response_tool_call_id(resp, i),
                                                  kimi_chat_response_tool_call_name(resp, i), result) != KIMI_OK)
                goto fail;
        }
        kimi_chat_response_free(resp);
        resp = NULL;
    }
    fprintf(stderr, "tool_loop: no answer after %d rounds\n", round);
    goto done;
fail:
    fprintf(stderr, "tool_loop: %s\n", kimi_error_message());
done:
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return rc;
}
