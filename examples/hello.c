/* The README's minimal example: one blocking chat completion.
 * Build: cc hello.c $(pkg-config --cflags --libs libkimi) */
#include <kimi.h>
#include <stdio.h>

int main(void) {
    kimi_client_options *o = kimi_client_options_new(); /* key from MOONSHOT_API_KEY */
    kimi_client *c;
    if (kimi_client_new(o, &c) != KIMI_OK) {
        fprintf(stderr, "%s\n", kimi_error_message());
        return 1;
    }
    kimi_client_options_free(o);

    kimi_chat_request *r = kimi_chat_request_new("kimi-k2.6");
    kimi_chat_request_add_message(r, "system", "You are terse.");
    kimi_chat_request_add_message(r, "user", "Hello");

    kimi_chat_response *resp;
    int rc = 0;
    if (kimi_chat_create(c, r, &resp) != KIMI_OK) {
        fprintf(stderr, "%s\n", kimi_error_message());
        rc = 1;
    } else {
        printf("%s\n", kimi_chat_response_content(resp, NULL));
        kimi_chat_response_free(resp);
    }
    kimi_chat_request_free(r);
    kimi_client_free(c);
    return rc;
}
