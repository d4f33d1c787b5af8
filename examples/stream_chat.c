/* stream_chat: stream Kimi's answer as it is written.
 *
 *   stream_chat "your question"
 *
 * Reasoning is shown dimmed (on a terminal), the answer plainly, tool calls
 * as they arrive, and the token usage at the end. Ctrl-C stops the stream
 * cleanly through a cancel token. Uses MOONSHOT_API_KEY and, when set,
 * KIMI_BASE_URL. */
#define _POSIX_C_SOURCE 200809L
#include <kimi.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct view {
    int tty;
    int in_reasoning;
};

static kimi_cancel_token *interrupt_token;

static void on_interrupt(int sig) {
    (void)sig;
    kimi_cancel_token_cancel(interrupt_token); /* safe: sets a flag and writes to a wake-up pipe */
}

static int on_event(const kimi_stream_event *ev, void *user_data) {
    struct view *v = user_data;
    size_t n;
    const char *text;
    switch (kimi_stream_event_type(ev)) {
    case KIMI_EVENT_REASONING_DELTA:
        text = kimi_stream_event_text(ev, &n);
        if (!v->in_reasoning && v->tty) fputs("\033[2m", stdout);
        v->in_reasoning = 1;
        fwrite(text, 1, n, stdout);
        break;
    case KIMI_EVENT_CONTENT_DELTA:
        text = kimi_stream_event_text(ev, &n);
        if (v->in_reasoning) {
            fputs(v->tty ? "\033[0m\n\n" : "\n\n", stdout);
            v->in_reasoning = 0;
        }
        fwrite(text, 1, n, stdout);
        break;
    case KIMI_EVENT_TOOL_CALL_START:
        printf("\n[tool call %s: %s(", kimi_stream_event_tool_call_id(ev), kimi_stream_event_tool_call_name(ev));
        break;
    case KIMI_EVENT_TOOL_CALL_DELTA:
        text = kimi_stream_event_text(ev, &n);
        fwrite(text, 1, n, stdout);
        break;
    case KIMI_EVENT_TOOL_CALL_DONE:
        fputs(")]", stdout);
        break;
    case KIMI_EVENT_FINISH:
        if (v->in_reasoning && v->tty) fputs("\033[0m", stdout);
        v->in_reasoning = 0;
        printf("\n[finish: %s]", kimi_stream_event_finish_reason(ev));
        break;
    default:
        break;
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    const char *question = argc > 1 ? argv[1] : "Hello, Kimi!";
    struct view view = {0, 0};
    kimi_client *client = NULL;
    kimi_chat_request *req = NULL;
    kimi_chat_response *final = NULL;
    kimi_status status;
    int rc = 1;

    view.tty = isatty(STDOUT_FILENO);
    interrupt_token = kimi_cancel_token_new();
    signal(SIGINT, on_interrupt);

    if (kimi_client_new(NULL, &client) != KIMI_OK) goto fail;
    req = kimi_chat_request_new("kimi-k2.6");
    if (!req || kimi_chat_request_add_message(req, "user", question) != KIMI_OK ||
        kimi_chat_request_set_max_completion_tokens(req, 8192) != KIMI_OK ||
        kimi_chat_request_set_include_usage(req, 1) != KIMI_OK ||
        kimi_chat_request_set_cancel_token(req, interrupt_token) != KIMI_OK)
        goto fail;

    status = kimi_chat_stream(client, req, on_event, &view, &final);
    if (view.tty) fputs("\033[0m", stdout);
    if (final)
        printf("\n[%lld prompt + %lld completion tokens]\n", (long long)kimi_chat_response_prompt_tokens(final),
               (long long)kimi_chat_response_completion_tokens(final));
    if (status != KIMI_OK) goto fail;
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "\nstream_chat: %s\n", kimi_error_message());
done:
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    kimi_cancel_token_free(interrupt_token);
    return rc;
}
