/* Many chats at once on one thread: each question is a task on the client's
 * event loop, and the answers print as they complete.
 *
 * Build: cc parallel_chats.c $(pkg-config --cflags --libs libkimi)
 * Run:   ./parallel_chats "question one" "question two" ... */
#include <kimi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct answer {
    const char *question;
    char text[4096];
    size_t used;
};

/* Runs on the loop thread: collect the answer's pieces, report the end. */
static int on_event(const kimi_stream_event *ev, void *user_data) {
    struct answer *a = user_data;
    size_t n;
    const char *text = kimi_stream_event_text(ev, &n);
    switch (kimi_stream_event_type(ev)) {
    case KIMI_EVENT_CONTENT_DELTA:
        if (a->used + n < sizeof a->text) {
            memcpy(a->text + a->used, text, n);
            a->used += n;
            a->text[a->used] = 0;
        }
        break;
    case KIMI_EVENT_END:
        printf("[%s] %s\n  -> %s\n", kimi_status_str(kimi_stream_event_status(ev)), a->question, a->text);
        break;
    default:
        break;
    }
    return 0;
}

int main(int argc, char **argv) {
    int n = argc - 1, i, failed = 0;
    kimi_client *client;
    kimi_task **tasks = calloc((size_t)(n > 0 ? n : 1), sizeof *tasks);
    struct answer *answers = calloc((size_t)(n > 0 ? n : 1), sizeof *answers);
    if (n < 1) {
        fprintf(stderr, "usage: %s QUESTION...\n", argv[0]);
        return 2;
    }
    if (kimi_client_new(NULL, &client) != KIMI_OK) {
        fprintf(stderr, "%s\n", kimi_error_message());
        return 1;
    }
    for (i = 0; i < n; i++) {
        kimi_chat_request *req = kimi_chat_request_new(NULL);
        answers[i].question = argv[i + 1];
        kimi_chat_request_add_message(req, "user", argv[i + 1]);
        if (kimi_chat_stream_start(client, req, on_event, &answers[i], &tasks[i]) != KIMI_OK)
            fprintf(stderr, "%s\n", kimi_error_message());
        kimi_chat_request_free(req); /* the task has what it needs */
    }
    for (i = 0; i < n; i++) {
        if (tasks[i] && kimi_task_wait(tasks[i], -1) != KIMI_OK) failed++;
        kimi_task_free(tasks[i]);
    }
    kimi_client_free(client);
    free(tasks);
    free(answers);
    return failed ? 1 : 0;
}
