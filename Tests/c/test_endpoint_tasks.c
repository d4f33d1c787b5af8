/* Every endpoint as a task (kimi.h, "Every other endpoint as a task"):
 * files, batches, models, balance and token estimates started on the loop,
 * their events through a queue or a callback, their results by kind,
 * cancelling, and many at once on one queue. Against the mock. */
#include "harness.h"

#include <fcntl.h>
#include <poll.h>

/* What the events of one task showed. */
struct seen {
    int progress, data, results, ends, after_end;
    kimi_status status;     /* of END */
    int64_t done, total;    /* the last progress */
    int backwards;          /* progress that went down */
    size_t bytes;           /* DATA bytes in all */
    int pattern_ok;         /* DATA bytes are i % 256 (the mock's big files) */
    char text[256];         /* DATA text while it fits, or the last PROGRESS text */
    char statuses[256];     /* batch statuses seen, as "a,b,c" */
    int ok_lines, failed_lines, responses, bad_lines;
    int stop_after_data;    /* a callback returns non-zero at this DATA event */
};

static void seen_init(struct seen *s) {
    memset(s, 0, sizeof *s);
    s->pattern_ok = 1;
}

/* Records one event; returns what a callback returns. */
static int record(struct seen *s, const kimi_stream_event *ev) {
    size_t n;
    const char *text = kimi_stream_event_text(ev, &n);
    int64_t done = -1, total = -1;
    if (s->ends) s->after_end++;
    switch (kimi_stream_event_type(ev)) {
    case KIMI_EVENT_PROGRESS: {
        kimi_batch *batch = NULL;
        s->progress++;
        CHECK_INT(kimi_stream_event_progress(ev, &done, &total), 1);
        if (done < s->done) s->backwards++;
        s->done = done, s->total = total;
        if (n < sizeof s->text) memcpy(s->text, text, n), s->text[n] = 0;
        if (kimi_stream_event_batch(ev, &batch) == KIMI_OK) {
            CHECK_STR(kimi_batch_status(batch), s->text); /* the text is the status */
            if (strlen(s->statuses) + n + 2 < sizeof s->statuses) {
                if (s->statuses[0]) strcat(s->statuses, ",");
                strncat(s->statuses, text, n);
            }
            kimi_batch_free(batch);
        }
        break;
    }
    case KIMI_EVENT_DATA: {
        size_t i;
        s->data++;
        CHECK_INT(kimi_stream_event_progress(ev, &done, &total), 1);
        for (i = 0; i < n; i++) s->pattern_ok &= (unsigned char)text[i] == (s->bytes + i) % 256;
        if (s->bytes + n < sizeof s->text) memcpy(s->text + s->bytes, text, n), s->text[s->bytes + n] = 0;
        s->bytes += n;
        CHECK_INT(done, s->bytes); /* progress counts the bytes so far */
        s->done = done, s->total = total;
        break;
    }
    case KIMI_EVENT_RESULT: {
        kimi_chat_response *resp = NULL;
        const char *error = kimi_stream_event_error(ev);
        int status = kimi_stream_event_http_status(ev);
        s->results++;
        if (n < 4 || strncmp(text, "req-", 4) != 0) s->bad_lines++;
        if (error[0] == 0) {
            s->ok_lines++;
            s->bad_lines += status != 200;
            if (kimi_stream_event_response(ev, &resp) == KIMI_OK) {
                s->responses++;
                kimi_chat_response_free(resp);
            }
        } else {
            s->failed_lines++;
            s->bad_lines += kimi_stream_event_response(ev, &resp) != KIMI_E_INVALID_ARGUMENT || resp != NULL;
        }
        break;
    }
    case KIMI_EVENT_END:
        s->ends++;
        s->status = kimi_stream_event_status(ev);
        break;
    default:
        break;
    }
    return s->stop_after_data && s->data == s->stop_after_data;
}

static int on_event(const kimi_stream_event *ev, void *user_data) { return record(user_data, ev); }

/* Takes queued events (user_data: a struct seen) until `count` tasks
 * ended; a queue silent for 10 s fails the test instead of hanging it. */
static void drain(kimi_event_queue *queue, int count) {
    struct pollfd watch;
    int ended = 0;
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (ended < count) {
        const kimi_stream_event *ev;
        int got = 0;
        while (kimi_event_queue_next(queue, &ev) == KIMI_OK && ev) {
            struct seen *s = kimi_stream_event_user_data(ev);
            got = 1;
            record(s, ev);
            ended += kimi_stream_event_type(ev) == KIMI_EVENT_END;
        }
        if (!got && poll(&watch, 1, 10000) != 1) {
            fprintf(stderr, "  no event for 10 s: %d of %d tasks ended\n", ended, count);
            CHECK(0);
            return;
        }
    }
}

/* Runs one started task to its end through `queue`. */
static kimi_status finish(kimi_event_queue *queue, kimi_task *task, struct seen *s) {
    drain(queue, 1);
    CHECK_INT(s->ends, 1);
    CHECK_INT(kimi_task_wait(task, 0), s->status);
    return s->status;
}

static const char *temp_path(const char *name) {
    static char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/libkimi-test-%d-%s", dir ? dir : "/tmp", (int)getpid(), name);
    return path;
}

static void test_files_as_tasks(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    kimi_file *file = NULL;
    kimi_file_list *list = NULL;
    struct seen s;
    int64_t count = -1;
    char id[128];
    const char *path = temp_path("upload.txt");
    FILE *f = fopen(path, "w");
    size_t i, found = 0;
    for (i = 0; i < 5000; i++) fputs("a line of notes\n", f);
    fclose(f);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);

    /* Upload from a path: progress up to the file's size, then the file. */
    seen_init(&s);
    CHECK_INT(kimi_file_upload_start(client, path, "file-extract", queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_file(task, &file), KIMI_E_PENDING);
    CHECK(file == NULL);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK(s.progress >= 1);
    CHECK_INT(s.backwards, 0);
    CHECK(s.total > 5000 * 16); /* the multipart body: the file and a little more */
    CHECK_INT(s.done, s.total);
    CHECK_INT(kimi_task_file(task, &file), KIMI_OK);
    CHECK_INT(kimi_file_bytes(file), 5000 * 16);
    CHECK_STR(kimi_file_purpose(file), "file-extract");
    snprintf(id, sizeof id, "%s", kimi_file_id(file));
    kimi_file_free(file);
    /* A result is read as often as wanted; another kind's accessor says so. */
    CHECK_INT(kimi_task_file(task, &file), KIMI_OK);
    kimi_file_free(file);
    CHECK_INT(kimi_task_batch(task, NULL), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_task_count(task, &count), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "kimi_task_count:");
    kimi_task_free(task);

    /* Retrieve, the content (DATA events), the list, then delete. */
    seen_init(&s);
    CHECK_INT(kimi_file_retrieve_start(client, id, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_file(task, &file), KIMI_OK);
    CHECK_STR(kimi_file_id(file), id);
    kimi_file_free(file);
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_file_content_start(client, id, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK(s.data >= 1);
    CHECK_INT(kimi_task_count(task, &count), KIMI_OK);
    CHECK_INT(count, s.bytes);
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_files_list_start(client, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_file_list(task, &list), KIMI_OK);
    for (i = 0; i < kimi_file_list_count(list); i++) found += strcmp(kimi_file_id(kimi_file_list_get(list, i)), id) == 0;
    CHECK_INT(found, 1);
    kimi_file_list_free(list);
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_file_delete_start(client, id, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_count(task, &count), KIMI_OK);
    CHECK_INT(count, 1);
    kimi_task_free(task);

    /* A file that is gone: the task's failure, in END and in the accessor. */
    seen_init(&s);
    CHECK_INT(kimi_file_retrieve_start(client, id, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_E_API);
    CHECK_INT(kimi_task_file(task, &file), KIMI_E_API);
    CHECK(file == NULL);
    kimi_task_free(task);

    /* Uploading bytes; `data` is the caller's until the task ended. */
    seen_init(&s);
    CHECK_INT(kimi_file_upload_data_start(client, "hello.txt", "hello, task", 11, "file-extract", queue, NULL, &s, &task),
              KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK(s.total > 11);
    CHECK_INT(s.done, s.total);
    CHECK_INT(kimi_task_file(task, &file), KIMI_OK);
    CHECK_INT(kimi_file_bytes(file), 11);
    kimi_file_free(file);
    kimi_task_free(task);

    kimi_event_queue_free(queue);
    kimi_client_free(client);
    unlink(path);
}

/* A large download arrives in pieces, never whole; a cut one says so after
 * giving what came; a callback can stop it. */
static void test_content_in_pieces(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    struct seen s;
    int64_t count = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);

    seen_init(&s);
    CHECK_INT(kimi_file_content_start(client, "file-big-3000000", queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(s.bytes, 3000000);
    CHECK(s.data > 1);
    CHECK(s.pattern_ok);
    CHECK_INT(s.total, 3000000);
    CHECK_INT(kimi_task_count(task, &count), KIMI_OK);
    CHECK_INT(count, 3000000);
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_file_content_start(client, "file-cut-2000000", queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_E_INCOMPLETE);
    CHECK(s.bytes > 0 && s.bytes < 2000000);
    CHECK(s.pattern_ok);
    CHECK_INT(kimi_task_count(task, &count), KIMI_E_INCOMPLETE);
    kimi_task_free(task);

    /* Through a callback, stopped at its third piece. */
    seen_init(&s);
    s.stop_after_data = 3;
    CHECK_INT(kimi_file_content_start(client, "file-big-3000000", NULL, on_event, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_ABORTED);
    CHECK_INT(s.data, 3);
    CHECK_INT(s.ends, 1);
    CHECK_INT(s.status, KIMI_E_ABORTED);
    CHECK_INT(s.after_end, 0);
    kimi_task_free(task);

    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* Writes `n` requests to a new batch input file; every 4th line fails. */
static const char *write_input(const char *name, int n) {
    const char *path = temp_path(name);
    kimi_batch_input *input = kimi_batch_input_new(path);
    char id[32], text[160];
    int i;
    for (i = 1; i <= n; i++) {
        kimi_chat_request *req;
        snprintf(text, sizeof text, i % 4 == 0 ? "prompt %d [[mock: batch_error]]" : "prompt %d", i);
        req = user_request(NULL, text);
        snprintf(id, sizeof id, "req-%d", i);
        CHECK_INT(kimi_batch_input_add(input, id, req), KIMI_OK);
        kimi_chat_request_free(req);
    }
    CHECK_INT(kimi_batch_input_close(input, NULL), KIMI_OK);
    kimi_batch_input_free(input);
    return path;
}

static void test_a_batch_as_tasks(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    kimi_file *file = NULL;
    kimi_batch *batch = NULL, *again = NULL;
    kimi_batch_page *page = NULL;
    struct seen s;
    int64_t count = 0, responses_before;
    const char *path = write_input("tasks.jsonl", 20);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_file_upload(client, path, "batch", NULL, NULL, &file), KIMI_OK);

    seen_init(&s);
    CHECK_INT(kimi_batch_create_start(client, kimi_file_id(file), NULL, "{\"job\":\"tasks\"}", queue, NULL, &s, &task),
              KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_batch(task, &batch), KIMI_OK);
    CHECK_STR(kimi_batch_status(batch), "validating");
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_batch_retrieve_start(client, kimi_batch_id(batch), queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_batch(task, &again), KIMI_OK);
    CHECK_STR(kimi_batch_id(again), kimi_batch_id(batch));
    kimi_batch_free(again);
    kimi_task_free(task);

    /* Submitting as a task: the upload, then the batch; limits first. */
    seen_init(&s);
    CHECK_INT(kimi_batch_submit_start(client, path, "48h", NULL, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_batch(task, &again), KIMI_OK);
    CHECK_STR(kimi_batch_completion_window(again), "48h");
    CHECK(kimi_batch_input_file_id(again)[0] != 0);
    kimi_batch_free(again);
    kimi_task_free(task);
    CHECK_INT(kimi_batch_submit_start(client, path, "30d", NULL, queue, NULL, &s, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    CHECK_CONTAINS(kimi_error_message(), "completion_window");

    /* Results before the batch is done: refused at once, by name. */
    CHECK_INT(kimi_batch_results_start(client, batch, queue, NULL, &s, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    CHECK_CONTAINS(kimi_error_message(), "kimi_batch_results_start: batch");

    /* Waiting: a PROGRESS per poll, the status as text, never backwards. */
    seen_init(&s);
    CHECK_INT(kimi_batch_wait_start(client, batch, 5, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK(s.progress >= 3);
    CHECK_INT(s.backwards, 0);
    CHECK_CONTAINS(s.statuses, "in_progress");
    CHECK_STR(s.text, "completed");
    CHECK_INT(s.total, 20);
    CHECK_INT(s.done, 20);
    kimi_batch_free(batch);
    CHECK_INT(kimi_task_batch(task, &batch), KIMI_OK);
    CHECK_STR(kimi_batch_status(batch), "completed");
    kimi_task_free(task);

    /* Results: a RESULT per line; successes count in the totals once. */
    responses_before = kimi_client_usage_responses(client);
    seen_init(&s);
    CHECK_INT(kimi_batch_results_start(client, batch, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(s.results, 20);
    CHECK_INT(s.bad_lines, 0);
    CHECK_INT(s.ok_lines, 15);
    CHECK_INT(s.responses, 15);
    CHECK_INT(s.failed_lines, 5);
    CHECK_INT(kimi_task_count(task, &count), KIMI_OK);
    CHECK_INT(count, 20);
    CHECK_INT(kimi_client_usage_responses(client) - responses_before, 15);
    kimi_task_free(task);

    /* A page of the list, then cancelling a finished batch (the server's
       answer is the task's outcome). */
    seen_init(&s);
    CHECK_INT(kimi_batch_list_start(client, NULL, 5, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_batch_page(task, &page), KIMI_OK);
    CHECK(kimi_batch_page_count(page) >= 1 && kimi_batch_page_count(page) <= 5);
    kimi_batch_page_free(page);
    kimi_task_free(task);

    kimi_batch_free(batch);
    kimi_file_free(file);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
    unlink(path);
}

/* Cancelling stops the waiting, promptly, and never the batch. */
static void test_cancelling_a_wait(void) {
    kimi_client *client = test_client();
    kimi_task *task = NULL;
    kimi_batch *batch = NULL, *after = NULL;
    struct seen s;
    const char *path = write_input("cancel.jsonl", 2);
    double started;
    CHECK_INT(kimi_batch_submit(client, path, NULL, NULL, &batch), KIMI_OK);
    seen_init(&s);
    /* Polls a minute apart: only the cancel can end it soon. */
    CHECK_INT(kimi_batch_wait_start(client, batch, 60000, NULL, on_event, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, 300), KIMI_E_PENDING);
    CHECK_INT(kimi_task_batch(task, &after), KIMI_E_PENDING);
    started = now_ms();
    kimi_task_cancel(task);
    CHECK_INT(kimi_task_wait(task, 10000), KIMI_E_ABORTED);
    CHECK(now_ms() - started < 5000);
    CHECK_INT(s.ends, 1);
    CHECK_INT(s.status, KIMI_E_ABORTED);
    kimi_task_free(task);
    CHECK_INT(kimi_batch_retrieve(client, kimi_batch_id(batch), &after), KIMI_OK);
    CHECK(strcmp(kimi_batch_status(after), "cancelling") != 0 && strcmp(kimi_batch_status(after), "cancelled") != 0);
    kimi_batch_free(after);
    /* Freeing a waiting task cancels it. */
    CHECK_INT(kimi_batch_wait_start(client, batch, 60000, NULL, NULL, NULL, &task), KIMI_OK);
    kimi_task_free(task);
    kimi_batch_free(batch);
    kimi_client_free(client);
    unlink(path);
}

static void test_models_balance_and_estimates(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    kimi_model_list *models = NULL;
    kimi_chat_request *req = user_request(NULL, "how many tokens is this?");
    struct seen s;
    double available = -1, voucher = -1, cash = -1;
    int64_t tokens = 0, fitted = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);

    seen_init(&s);
    CHECK_INT(kimi_models_list_start(client, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_model_list(task, &models), KIMI_OK);
    CHECK(kimi_model_list_count(models) > 0);
    kimi_model_list_free(models);
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_balance_start(client, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_balance(task, &available, &voucher, &cash), KIMI_OK);
    CHECK(available > 0);
    CHECK_INT(kimi_task_balance(task, NULL, NULL, NULL), KIMI_OK);
    CHECK_INT(kimi_task_model_list(task, &models), KIMI_E_INVALID_ARGUMENT);
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_chat_estimate_tokens_start(client, req, queue, NULL, &s, &task), KIMI_OK);
    kimi_chat_request_free(req); /* read when started */
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_count(task, &tokens), KIMI_OK);
    CHECK(tokens > 0);
    kimi_task_free(task);

    /* The fitted budget as a task: what the window leaves after the
       prompt; the request is not changed. An unknown model's window is
       refused at the start; a prompt that fills the window at the end. */
    req = user_request(NULL, "how many tokens is this?");
    seen_init(&s);
    CHECK_INT(kimi_chat_fit_max_completion_tokens_start(client, req, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_count(task, &fitted), KIMI_OK);
    CHECK_INT(fitted, 262144 - tokens);
    kimi_task_free(task);
    {
        char *json = kimi_chat_request_to_json(req);
        CHECK(strstr(json, "max_completion_tokens") == NULL);
        kimi_string_free(json);
    }
    CHECK_INT(kimi_chat_request_set_model(req, "no-such-model"), KIMI_OK);
    CHECK_INT(kimi_chat_fit_max_completion_tokens_start(client, req, queue, NULL, &s, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "context window");
    kimi_chat_request_free(req);
    {
        static char words[20001];
        int i;
        for (i = 0; i < 10000; i++) words[2 * i] = 'w', words[2 * i + 1] = ' ';
        req = user_request("moonshot-v1-8k", words);
    }
    seen_init(&s);
    CHECK_INT(kimi_chat_fit_max_completion_tokens_start(client, req, queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "the prompt alone takes 10003 tokens");
    kimi_task_free(task);
    kimi_chat_request_free(req);

    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* One model by id (GET /v1/models/{id}): blocking, as a task through a
   queue and through a callback; an unknown id is Kimi's 404; an id that is
   no id is refused before anything is sent, named. */
static void check_k26(const kimi_model *model) {
    CHECK_STR(kimi_model_id(model), "kimi-k2.6");
    CHECK_STR(kimi_model_owned_by(model), "moonshot");
    CHECK(kimi_model_created(model) > 0);
    CHECK_INT(kimi_model_context_length(model), 262144);
    CHECK_INT(kimi_model_supports_image_in(model), 1);
    CHECK_INT(kimi_model_supports_video_in(model), 1);
    CHECK_INT(kimi_model_supports_reasoning(model), 1);
}

static void test_one_model(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    kimi_model *model = (kimi_model *)&model;
    kimi_model_list *models = NULL;
    struct seen s;
    static char long_id[301];
    const char *hostile[] = {"../x", "a?b", "a/b", "..", ".", "", "a b", "x%2e", long_id};
    size_t i;
    memset(long_id, 'm', 300);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);

    CHECK_INT(kimi_model_retrieve(client, "kimi-k2.6", &model), KIMI_OK);
    check_k26(model);
    kimi_model_free(model);
    CHECK_INT(kimi_model_retrieve(client, "moonshot-v1-8k", &model), KIMI_OK);
    CHECK_STR(kimi_model_id(model), "moonshot-v1-8k");
    CHECK_INT(kimi_model_context_length(model), 8192);
    CHECK_INT(kimi_model_supports_image_in(model), 0);
    CHECK_INT(kimi_model_supports_reasoning(model), 0);
    kimi_model_free(model);

    /* The list's entries read with the same accessors. */
    CHECK_INT(kimi_models_list(client, &models), KIMI_OK);
    CHECK_STR(kimi_model_id(kimi_model_list_get(models, 0)), kimi_model_list_id(models, 0));
    CHECK(kimi_model_list_get(models, kimi_model_list_count(models)) == NULL);
    kimi_model_list_free(models);

    model = (kimi_model *)&model;
    CHECK_INT(kimi_model_retrieve(client, "no-such-model", &model), KIMI_E_API);
    CHECK(model == NULL);
    CHECK_INT(kimi_error_http_status(), 404);
    CHECK_STR(kimi_error_type(), "resource_not_found_error");
    CHECK_CONTAINS(kimi_error_message(), "no-such-model");

    for (i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        model = (kimi_model *)&model;
        CHECK_INT(kimi_model_retrieve(client, hostile[i], &model), KIMI_E_INVALID_ARGUMENT);
        CHECK(model == NULL);
        CHECK_CONTAINS(kimi_error_message(), "model_id");
        task = (kimi_task *)&task;
        CHECK_INT(kimi_model_retrieve_start(client, hostile[i], queue, NULL, &s, &task), KIMI_E_INVALID_ARGUMENT);
        CHECK(task == NULL);
        CHECK_CONTAINS(kimi_error_message(), "model_id");
    }
    CHECK_CONTAINS((kimi_model_retrieve(client, "../x", &model), kimi_error_message()), "\"../x\"");
    CHECK_CONTAINS((kimi_model_retrieve(client, long_id, &model), kimi_error_message()), "(300 bytes)");
    CHECK_INT(kimi_model_retrieve(client, NULL, &model), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "model_id");
    CHECK_INT(kimi_model_retrieve(client, "kimi-k2.6", NULL), KIMI_E_INVALID_ARGUMENT);

    /* As a task: through a queue... */
    seen_init(&s);
    CHECK_INT(kimi_model_retrieve_start(client, "kimi-k2.6", queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(kimi_task_model(task, &model), KIMI_OK);
    check_k26(model);
    kimi_model_free(model);
    CHECK_INT(kimi_task_model_list(task, &models), KIMI_E_INVALID_ARGUMENT);
    kimi_task_free(task);
    /* ...through a callback (on the loop thread), and failing as the blocking call does. */
    seen_init(&s);
    CHECK_INT(kimi_model_retrieve_start(client, "no-such-model", NULL, on_event, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_E_API);
    CHECK_INT(kimi_task_model(task, &model), KIMI_E_API);
    CHECK(model == NULL);
    CHECK_INT(kimi_error_http_status(), 404);
    CHECK_STR(kimi_error_type(), "resource_not_found_error");
    kimi_task_free(task);
    CHECK_INT(s.ends, 1);
    CHECK_INT(s.status, KIMI_E_API);
    seen_init(&s);
    CHECK_INT(kimi_model_retrieve_start(client, "moonshot-v1-32k", NULL, on_event, &s, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, -1), KIMI_OK);
    CHECK_INT(kimi_task_model(task, &model), KIMI_OK);
    CHECK_INT(kimi_model_context_length(model), 32768);
    kimi_model_free(model);
    kimi_task_free(task);
    CHECK_INT(s.ends, 1);
    CHECK_INT(s.status, KIMI_OK);

    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* Wrong calls are refused before anything is sent, with NULL stored. */
static void test_bad_starts(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *task = (kimi_task *)&task;
    struct seen s;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_balance_start(client, queue, on_event, &s, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    CHECK_CONTAINS(kimi_error_message(), "not both");
    CHECK_INT(kimi_file_upload_start(client, "/nonexistent/notes.txt", "file-extract", queue, NULL, &s, &task),
              KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "/nonexistent/notes.txt");
    CHECK_INT(kimi_file_upload_data_start(client, "a.txt", "x", 0, "file-extract", queue, NULL, &s, &task),
              KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "len");
    CHECK_INT(kimi_batch_list_start(client, NULL, 0, queue, NULL, &s, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(kimi_error_message(), "limit");
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

#define MANY 64

/* Many downloads on one queue at once: each gets its own bytes, whole. */
static void test_many_downloads_on_one_queue(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    static kimi_task *tasks[MANY];
    static struct seen seen[MANY];
    int i, wrong = 0;
    char id[64];
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (i = 0; i < MANY; i++) {
        seen_init(&seen[i]);
        snprintf(id, sizeof id, "file-big-%d", 1000 + i * 4000);
        CHECK_INT(kimi_file_content_start(client, id, queue, NULL, &seen[i], &tasks[i]), KIMI_OK);
    }
    drain(queue, MANY);
    for (i = 0; i < MANY; i++) {
        wrong += seen[i].status != KIMI_OK || seen[i].bytes != (size_t)(1000 + i * 4000) || !seen[i].pattern_ok ||
                 seen[i].ends != 1;
        kimi_task_free(tasks[i]);
    }
    CHECK_INT(wrong, 0);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_files_as_tasks);
    RUN(test_content_in_pieces);
    RUN(test_a_batch_as_tasks);
    RUN(test_cancelling_a_wait);
    RUN(test_models_balance_and_estimates);
    RUN(test_one_model);
    RUN(test_bad_starts);
    RUN(test_many_downloads_on_one_queue);
    return harness_finish();
}
