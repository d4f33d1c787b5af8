/* describe_image: ask Kimi what is in an image.
 *
 *   describe_image photo.jpg ["question"]
 *
 * The format is detected from the file's bytes (png, jpeg, webp, gif), and
 * the image is base64-encoded straight into the request as it is sent. */
#include <kimi.h>
#include <stdio.h>

static int print_answer(const kimi_stream_event *ev, void *user_data) {
    size_t n;
    const char *text;
    (void)user_data;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_CONTENT_DELTA) {
        text = kimi_stream_event_text(ev, &n);
        fwrite(text, 1, n, stdout);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv) {
    kimi_client *client = NULL;
    kimi_chat_request *req = NULL;
    kimi_message *msg = NULL;
    int rc = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: %s IMAGE [QUESTION]\n", argv[0]);
        return 2;
    }
    if (kimi_client_new(NULL, &client) != KIMI_OK) goto fail;
    req = kimi_chat_request_new("kimi-k2.6");
    msg = kimi_message_new("user");
    if (kimi_message_add_image_file(msg, argv[1]) != KIMI_OK ||
        kimi_message_add_text(msg, argc > 2 ? argv[2] : "Describe this image in two sentences.") != KIMI_OK ||
        kimi_chat_request_append_message(req, msg) != KIMI_OK)
        goto fail;
    if (kimi_chat_stream(client, req, print_answer, NULL, NULL) != KIMI_OK) goto fail;
    putchar('\n');
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "describe_image: %s\n", kimi_error_message());
done:
    kimi_message_free(msg);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return rc;
}
