/* Walking every file and batch with the iterators, and file contents
 * downloaded piece by piece, against the mock (Tests/mock/mockkimi/files.py:
 * OpenAI-style pages on request, virtual files of any size, and a file cut
 * halfway). Hostile paging lives in Tests/hostile/test_hostile.c. */
#include "harness.h"

#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

static char *temp_path(const char *name) {
    static char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/libkimi-files-%d-%s", dir ? dir : "/tmp", (int)getpid(), name);
    return path;
}

/* A view of `client` whose calls carry `name: value`. */
static kimi_client *view_with_header(kimi_client *client, const char *name, const char *value) {
    kimi_call_options *opts = kimi_call_options_new();
    kimi_client *view = NULL;
    CHECK_INT(kimi_call_options_add_header(opts, name, value), KIMI_OK);
    CHECK_INT(kimi_client_with_options(client, opts, &view), KIMI_OK);
    kimi_call_options_free(opts);
    return view;
}

static void test_the_file_iterator_follows_the_pages(void) {
    kimi_client *client = test_client(), *paged;
    kimi_file *file = NULL, *uploaded[5];
    kimi_file_iter *it = NULL;
    kimi_file_list *list = NULL;
    char name[32];
    int i, seen[5] = {0}, walked = 0;
    for (i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "walk-%d.txt", i);
        CHECK_INT(kimi_file_upload_data(client, name, "some text", 9, "file-extract", NULL, NULL, &uploaded[i]), KIMI_OK);
    }
    /* Pages of two: the iterator asks for the next page by itself. */
    paged = view_with_header(client, "X-Mock-Page-Size", "2");
    CHECK_INT(kimi_file_iter_new(paged, &it), KIMI_OK);
    while (kimi_file_iter_next(it, &file) == KIMI_OK && file) {
        for (i = 0; i < 5; i++)
            if (strcmp(kimi_file_id(file), kimi_file_id(uploaded[i])) == 0) seen[i]++;
        walked++;
        kimi_file_free(file);
    }
    CHECK_INT(kimi_error_status(), KIMI_OK);
    for (i = 0; i < 5; i++) CHECK_INT(seen[i], 1);
    CHECK(walked >= 5);
    CHECK_INT(kimi_file_iter_next(it, &file), KIMI_OK); /* still over */
    CHECK(file == NULL);
    kimi_file_iter_free(it);
    /* kimi_files_list walks the pages too. */
    CHECK_INT(kimi_files_list(paged, &list), KIMI_OK);
    CHECK_INT(kimi_file_list_count(list), (size_t)walked);
    kimi_file_list_free(list);
    /* Bad arguments. */
    CHECK_INT(kimi_file_iter_new(NULL, &it), KIMI_E_INVALID_ARGUMENT);
    CHECK(it == NULL);
    CHECK_INT(kimi_file_iter_next(NULL, &file), KIMI_E_INVALID_ARGUMENT);
    kimi_file_iter_free(NULL);
    for (i = 0; i < 5; i++) {
        CHECK_INT(kimi_file_delete(client, kimi_file_id(uploaded[i])), KIMI_OK);
        kimi_file_free(uploaded[i]);
    }
    kimi_client_free(paged);
    kimi_client_free(client);
}

static void test_the_batch_iterator_follows_the_pages(void) {
    kimi_client *client = test_client();
    const char *path = temp_path("iter.jsonl");
    kimi_batch_input *input = kimi_batch_input_new(path);
    kimi_chat_request *req = user_request(NULL, "hello");
    kimi_batch *made[3], *batch = NULL;
    kimi_batch_iter *it = NULL;
    int i, found = 0, walked = 0;
    char previous[128] = "";
    CHECK_INT(kimi_batch_input_add(input, "a", req), KIMI_OK);
    CHECK_INT(kimi_batch_input_close(input, NULL), KIMI_OK);
    for (i = 0; i < 3; i++) CHECK_INT(kimi_batch_submit(client, path, NULL, NULL, &made[i]), KIMI_OK);
    CHECK_INT(kimi_batch_iter_new(client, NULL, 2, &it), KIMI_OK);
    while (kimi_batch_iter_next(it, &batch) == KIMI_OK && batch) {
        CHECK(strcmp(kimi_batch_id(batch), previous) != 0); /* each once */
        snprintf(previous, sizeof previous, "%s", kimi_batch_id(batch));
        for (i = 0; i < 3; i++) found += strcmp(kimi_batch_id(batch), kimi_batch_id(made[i])) == 0;
        walked++;
        kimi_batch_free(batch);
    }
    CHECK_INT(kimi_error_status(), KIMI_OK);
    CHECK_INT(found, 3);
    CHECK(walked >= 3);
    kimi_batch_iter_free(it);
    /* From a cursor: what comes after the newest. */
    CHECK_INT(kimi_batch_iter_new(client, kimi_batch_id(made[2]), 100, &it), KIMI_OK);
    CHECK_INT(kimi_batch_iter_next(it, &batch), KIMI_OK);
    CHECK_STR(kimi_batch_id(batch), kimi_batch_id(made[1]));
    kimi_batch_free(batch);
    kimi_batch_iter_free(it);
    CHECK_INT(kimi_batch_iter_new(client, NULL, 0, &it), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "limit: 0 is not between 1 and 100");
    CHECK_INT(kimi_batch_iter_new(client, "../x", 10, &it), KIMI_E_INVALID_ARGUMENT);
    CHECK(it == NULL);
    for (i = 0; i < 3; i++) kimi_batch_free(made[i]);
    kimi_chat_request_free(req);
    kimi_batch_input_free(input);
    kimi_client_free(client);
    unlink(path);
}

struct download {
    uint64_t received, calls, last_progress, announced;
    int pattern_ok, stop_after;
};

/* Checks every byte against the virtual files' pattern (byte i is i % 256). */
static int take(const void *data, size_t len, void *user_data) {
    struct download *d = user_data;
    const unsigned char *bytes = data;
    size_t i;
    for (i = 0; i < len; i++)
        if (bytes[i] != (unsigned char)((d->received + i) % 256)) d->pattern_ok = 0;
    d->received += len;
    d->calls++;
    return d->stop_after && d->calls >= (uint64_t)d->stop_after;
}

static int note_progress(uint64_t received, uint64_t total, void *user_data) {
    struct download *d = user_data;
    if (received < d->last_progress) d->pattern_ok = 0; /* never goes back */
    d->last_progress = received;
    d->announced = total;
    return 0;
}

static void test_content_arrives_piece_by_piece(void) {
    kimi_client *client = test_client();
    struct download d = {0, 0, 0, 0, 1, 0};
    uint64_t bytes = 0;
    const char *path = temp_path("content.bin");
    int fd;
    kimi_file *file = NULL;
    char buffer[64];
    CHECK_INT(kimi_file_content_write(client, "file-big-3000000", take, note_progress, &d, &bytes), KIMI_OK);
    CHECK_INT(bytes, 3000000);
    CHECK_INT(d.received, 3000000);
    CHECK(d.pattern_ok);
    CHECK(d.calls > 1); /* in pieces, not whole */
    CHECK_INT(d.last_progress, 3000000);
    CHECK_INT(d.announced, 3000000);

    /* To a descriptor. */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK_INT(kimi_file_content_to_fd(client, "file-big-100000", fd, NULL, NULL, &bytes), KIMI_OK);
    close(fd);
    CHECK_INT(bytes, 100000);
    fd = open(path, O_RDONLY);
    CHECK_INT(lseek(fd, 0, SEEK_END), 100000);
    CHECK_INT(pread(fd, buffer, 4, 99996), 4);
    CHECK_INT((unsigned char)buffer[3], 99999 % 256);
    close(fd);

    /* An uploaded file's text, the same way. */
    CHECK_INT(kimi_file_upload_data(client, "notes.txt", "hello, file", 11, "file-extract", NULL, NULL, &file), KIMI_OK);
    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK_INT(kimi_file_content_to_fd(client, kimi_file_id(file), fd, NULL, NULL, &bytes), KIMI_OK);
    close(fd);
    CHECK_INT(bytes, 11);
    kimi_file_free(file);

    /* Stopped by the callback. */
    memset(&d, 0, sizeof d);
    d.stop_after = 2;
    CHECK_INT(kimi_file_content_write(client, "file-big-30000000", take, NULL, &d, &bytes), KIMI_E_ABORTED);
    CHECK_CONTAINS(kimi_error_message(), "the write callback stopped the download");
    CHECK(bytes > 0 && bytes < 30000000);
    CHECK_INT(bytes, d.received); /* every byte given to `write`, the piece it stopped at too */
    /* A file that does not exist, a closed descriptor, bad arguments. */
    CHECK_INT(kimi_file_content_write(client, "file-nope", take, NULL, &d, &bytes), KIMI_E_API);
    CHECK_INT(kimi_error_http_status(), 404);
    CHECK_INT(bytes, 0);
    fd = open(path, O_RDONLY);
    CHECK_INT(kimi_file_content_to_fd(client, "file-big-1000", fd, NULL, NULL, &bytes), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "writing failed");
    close(fd);
    CHECK_INT(kimi_file_content_to_fd(client, "file-big-1000", -1, NULL, NULL, &bytes), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_file_content_write(client, "file-big-1000", NULL, NULL, NULL, &bytes), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_file_content_write(NULL, "file-big-1000", take, NULL, &d, NULL), KIMI_E_INVALID_ARGUMENT);
    unlink(path);
    kimi_client_free(client);
}

/* A body cut halfway: the caller learns it, and how much arrived. */
static void test_a_cut_download_says_so(void) {
    kimi_client *client = test_client();
    struct download d = {0, 0, 0, 0, 1, 0};
    uint64_t bytes = 0;
    CHECK_INT(kimi_file_content_write(client, "file-cut-2000000", take, NULL, &d, &bytes), KIMI_E_INCOMPLETE);
    CHECK_CONTAINS(kimi_error_message(), "the content of file file-cut-2000000 was cut after");
    CHECK_CONTAINS(kimi_error_message(), "of 2000000 bytes (all of them handed on)");
    CHECK(bytes > 0 && bytes < 2000000);
    CHECK_INT(d.received, bytes); /* everything that arrived was given */
    CHECK(d.pattern_ok);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_the_file_iterator_follows_the_pages);
    RUN(test_the_batch_iterator_follows_the_pages);
    RUN(test_content_arrives_piece_by_piece);
    RUN(test_a_cut_download_says_so);
    return harness_finish();
}
