/* chat: ask Kimi one question and print its reasoning and answer.
 *
 *   chat "your question"
 *
 * Uses MOONSHOT_API_KEY and, when set, KIMI_BASE_URL. */
#include <kimi.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *question = argc > 1 ? argv[1] : "Hello, Kimi!";
    int tty = isatty(STDOUT_FILENO);
    kimi_client *client = NULL;
    kimi_chat_request *req = NULL;
    kimi_chat_response *resp = NULL;
    int rc = 1;

    if (kimi_client_new(NULL, &client) != KIMI_OK) goto fail;
    req = kimi_chat_request_new("kimi-k2.6");
    if (!req || kimi_chat_request_add_message(req, "user", question) != KIMI_OK ||
        kimi_chat_request_set_max_completion_tokens(req, 4096) != KIMI_OK)
        goto fail;
    if (kimi_chat_create(client, req, &resp) != KIMI_OK) goto fail;

    printf("%s%s%s\n", tty ? "\033[2m" : "", kimi_chat_response_reasoning(resp, NULL), tty ? "\033[0m" : "");
    printf("%s\n", kimi_chat_response_content(resp, NULL));
    printf("[%s; %lld prompt + %lld completion tokens]\n", kimi_chat_response_finish_reason(resp),
           (long long)kimi_chat_response_prompt_tokens(resp), (long long)kimi_chat_response_completion_tokens(resp));
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "chat: %s\n", kimi_error_message());
done:
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return rc;
}
