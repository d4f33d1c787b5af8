/* document_qa: answer a question about a document.
 *
 *   document_qa report.pdf "What are the main findings?"
 *
 * Kimi's documented pattern: upload with purpose "file-extract", fetch the
 * extracted text, and put it in a system message before the question. */
#include <kimi.h>
#include <stdio.h>

int main(int argc, char **argv) {
    kimi_client *client = NULL;
    kimi_file *file = NULL;
    kimi_chat_request *req = NULL;
    kimi_chat_response *resp = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = 1;
    if (argc < 3) {
        fprintf(stderr, "usage: %s DOCUMENT QUESTION\n", argv[0]);
        return 2;
    }
    if (kimi_client_new(NULL, &client) != KIMI_OK) goto fail;
    if (kimi_file_upload(client, argv[1], "file-extract", NULL, NULL, &file) != KIMI_OK) goto fail;
    if (kimi_file_content(client, kimi_file_id(file), &text, &len) != KIMI_OK) goto fail;
    fprintf(stderr, "extracted %zu bytes of text from %s\n", len, kimi_file_filename(file));

    req = kimi_chat_request_new("kimi-k2.6");
    if (kimi_chat_request_add_message(req, "system", "Answer from the document below. Say so when it does not tell.") != KIMI_OK ||
        kimi_chat_request_add_message(req, "system", text) != KIMI_OK ||
        kimi_chat_request_add_message(req, "user", argv[2]) != KIMI_OK)
        goto fail;
    if (kimi_chat_create(client, req, &resp) != KIMI_OK) goto fail;
    printf("%s\n", kimi_chat_response_content(resp, NULL));
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "document_qa: %s\n", kimi_error_message());
done:
    if (file) kimi_file_delete(client, kimi_file_id(file));
    kimi_file_free(file);
    kimi_string_free(text);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return rc;
}
