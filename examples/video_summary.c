/* video_summary: upload a video through the Files API (with a progress bar)
 * and ask Kimi to summarize it, referencing it as ms://<file id>.
 *
 *   video_summary clip.mp4
 *
 * Large videos must be uploaded: a request body may not exceed 100 MB. The
 * file is deleted again at the end. */
#include <kimi.h>
#include <stdio.h>

static int show_progress(uint64_t sent, uint64_t total, void *user_data) {
    int width = 30, filled = total ? (int)(sent * width / total) : 0, i;
    (void)user_data;
    fputs("\ruploading [", stderr);
    for (i = 0; i < width; i++) fputc(i < filled ? '#' : ' ', stderr);
    fprintf(stderr, "] %3d%%", total ? (int)(sent * 100 / total) : 0);
    if (total && sent == total) fputc('\n', stderr);
    return 0; /* non-zero would cancel the upload */
}

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
    kimi_file *file = NULL;
    kimi_chat_request *req = NULL;
    kimi_message *msg = NULL;
    char url[256];
    int rc = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: %s VIDEO\n", argv[0]);
        return 2;
    }
    if (kimi_client_new(NULL, &client) != KIMI_OK) goto fail;
    if (kimi_file_upload(client, argv[1], "video", show_progress, NULL, &file) != KIMI_OK) goto fail;
    fprintf(stderr, "uploaded %s as %s (%lld bytes)\n", kimi_file_filename(file), kimi_file_id(file),
            (long long)kimi_file_bytes(file));
    snprintf(url, sizeof url, "ms://%s", kimi_file_id(file));

    req = kimi_chat_request_new("kimi-k2.6");
    msg = kimi_message_new("user");
    if (kimi_message_add_video_url(msg, url) != KIMI_OK ||
        kimi_message_add_text(msg, "Summarize this video in three bullet points.") != KIMI_OK ||
        kimi_chat_request_append_message(req, msg) != KIMI_OK)
        goto fail;
    if (kimi_chat_stream(client, req, print_answer, NULL, NULL) != KIMI_OK) goto fail;
    putchar('\n');
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "video_summary: %s\n", kimi_error_message());
done:
    if (file) kimi_file_delete(client, kimi_file_id(file));
    kimi_file_free(file);
    kimi_message_free(msg);
    kimi_chat_request_free(req);
    kimi_client_free(client);
    return rc;
}
