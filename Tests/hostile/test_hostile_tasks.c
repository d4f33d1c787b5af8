/* Every endpoint as a task, attacked (issue 23 part 3 under issue 21's
 * standard): a hostile server (file contents that lie, hostile batch result
 * files, batches that never end or name files that are not ids, listings
 * that page forever, the key echoed), other threads (cancel and free at
 * every moment, the client freed under running tasks, queues nobody
 * drains), hostile files to upload, and callers that stop the blocking
 * forms at every point. Every case ends with a clear error (status and a
 * message naming what was wrong), no crash, no hang (each wait is bounded
 * by the test's own poll timeout), no key or control character in any
 * text, and what arrived kept. Run by `make test`, `make asan` and
 * `make tsan`. */
#include "../c/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define KEY "sk-HOSTILE-0123456789abcdefghij"

/* ------------------------------------------------------------ helpers */

/* A write callback counting bytes into a uint64_t. */
static int count_piece(const void *data, size_t len, void *user_data) {
    (void)data;
    *(uint64_t *)user_data += len;
    return 0;
}

/* True when `text` holds 8 or more consecutive characters of the key. */
static int reveals(const char *text) {
    size_t n = strlen(KEY), i;
    char piece[16];
    if (!text) return 0;
    for (i = 0; i + 8 <= n; i++) {
        memcpy(piece, &KEY[i], 8);
        piece[8] = 0;
        if (strstr(text, piece)) return 1;
    }
    return 0;
}

/* True when `text` holds a C0 control (tab and newline allowed only when
   `multiline`), DEL, or a C1 control as UTF-8 (U+0080..U+009F). */
static int has_control(const char *text, int multiline) {
    const unsigned char *p = (const unsigned char *)text;
    if (!p) return 0;
    for (; *p; p++) {
        if (*p == 0x7f) return 1;
        if (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t'))) return 1;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) return 1;
    }
    return 0;
}

#define CHECK_CLEAN(text)                                                                              \
    do {                                                                                               \
        const char *t_ = (text);                                                                       \
        if (t_ && (reveals(t_) || has_control(t_, 0))) {                                               \
            fprintf(stderr, "  FAIL %s:%d in %s: the key or a control character in %s: %.300s\n",     \
                    __FILE__, __LINE__, harness_current, #text, t_);                                   \
            harness_test_failed = 1;                                                                   \
        }                                                                                              \
    } while (0)

static kimi_client_options *case_options(const char *path) { return hostile_options(path, KEY); }
static kimi_client *case_client(const char *path) { return test_client_from(case_options(path)); }

/* A path no other test run uses (the server counts polls per path). */
static const char *unique(const char *prefix) {
    static char path[256];
    static int n;
    snprintf(path, sizeof path, "%s/%d-%d", prefix, (int)getpid(), ++n);
    return path;
}

static const char *temp_path(const char *name) {
    static char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/libkimi-hostile-tasks-%d-%s", dir ? dir : "/tmp", (int)getpid(), name);
    return path;
}

/* What the events of one task showed. */
struct seen {
    int progress, data, results, ends, after_end, other;
    kimi_status status;         /* of END */
    char end_message[1024];     /* kimi_error_message after the task, when asked */
    int64_t done, total;        /* the last progress */
    size_t bytes, largest;      /* DATA bytes in all, and the largest piece */
    int pattern_ok;             /* DATA bytes are i % 256 */
    int dirty;                  /* a text with the key or a control character */
    int ok_lines, failed_lines, responses;
    char ids[2048];             /* RESULT custom ids, as "a|b|c" */
    char errors[4096];          /* RESULT errors, as "a|b|c" */
    char statuses[512];         /* PROGRESS texts of a batch wait, as "a,b" */
    int stop_at;                /* a callback returns non-zero at this event (1-based), 0: never */
    int cancel_at;              /* a callback cancels its task at this event */
    int free_at;                /* a callback frees its task at this event */
    int events;
    int cancel_type;            /* the type of the event cancel_at cancelled at */
    kimi_task *task;            /* for cancel_at and free_at */
    int freed;
};

static void seen_init(struct seen *s) {
    memset(s, 0, sizeof *s);
    s->pattern_ok = 1;
}

static void append(char *list, size_t size, const char *text, size_t n, const char *sep) {
    size_t used = strlen(list);
    if (used + n + 2 >= size) return;
    if (used) strcat(list, sep);
    strncat(list, text, n);
}

/* Records one event; returns what a callback returns. */
static int record(struct seen *s, const kimi_stream_event *ev) {
    size_t n = 0;
    const char *text = kimi_stream_event_text(ev, &n);
    int64_t done = -1, total = -1;
    int type = kimi_stream_event_type(ev);
    s->events++;
    if (s->ends) s->after_end++;
    switch (type) {
    case KIMI_EVENT_PROGRESS: {
        kimi_batch *batch = NULL;
        s->progress++;
        CHECK_INT(kimi_stream_event_progress(ev, &done, &total), 1);
        s->done = done, s->total = total;
        s->dirty += reveals(text) || has_control(text, 0);
        if (kimi_stream_event_batch(ev, &batch) == KIMI_OK) {
            append(s->statuses, sizeof s->statuses, text, n, ",");
            CHECK_STR(kimi_batch_status(batch), text);
            kimi_batch_free(batch);
        }
        /* Not a result, not a line: those accessors say so. */
        CHECK_INT(kimi_stream_event_http_status(ev), 0);
        CHECK_STR(kimi_stream_event_error(ev), "");
        break;
    }
    case KIMI_EVENT_DATA: {
        size_t i;
        s->data++;
        CHECK_INT(kimi_stream_event_progress(ev, &done, &total), 1);
        for (i = 0; i < n && s->pattern_ok; i++) s->pattern_ok &= (unsigned char)text[i] == (s->bytes + i) % 256;
        s->bytes += n;
        if (n > s->largest) s->largest = n;
        CHECK_INT(done, s->bytes);
        s->done = done, s->total = total;
        break;
    }
    case KIMI_EVENT_RESULT: {
        kimi_chat_response *resp = NULL;
        const char *error = kimi_stream_event_error(ev);
        s->results++;
        CHECK_INT(strlen(text), n); /* no NUL inside */
        s->dirty += reveals(text) || has_control(text, 0) || reveals(error) || has_control(error, 0);
        append(s->ids, sizeof s->ids, text, n, "|");
        append(s->errors, sizeof s->errors, error, strlen(error), "|");
        CHECK_INT(kimi_stream_event_progress(ev, NULL, NULL), 0);
        if (error[0] == 0) {
            s->ok_lines++;
            if (kimi_stream_event_response(ev, &resp) == KIMI_OK) {
                s->responses++;
                kimi_chat_response_free(resp);
            }
        } else {
            s->failed_lines++;
            CHECK_INT(kimi_stream_event_response(ev, &resp), KIMI_E_INVALID_ARGUMENT);
            CHECK(resp == NULL);
        }
        break;
    }
    case KIMI_EVENT_END: {
        kimi_batch *batch = (kimi_batch *)1;
        kimi_chat_response *resp = (kimi_chat_response *)1;
        s->ends++;
        s->status = kimi_stream_event_status(ev);
        CHECK_INT(kimi_stream_event_batch(ev, &batch), KIMI_E_INVALID_ARGUMENT);
        CHECK(batch == NULL);
        CHECK_INT(kimi_stream_event_response(ev, &resp), KIMI_E_INVALID_ARGUMENT);
        CHECK(resp == NULL);
        CHECK_INT(kimi_stream_event_progress(ev, &done, &total), 0);
        CHECK_INT(done, 0);
        break;
    }
    default:
        s->other++;
        break;
    }
    if (s->cancel_at && s->events == s->cancel_at) {
        s->cancel_type = type;
        kimi_task_cancel(s->task);
    }
    if (s->free_at && s->events == s->free_at && !s->freed) {
        s->freed = 1;
        kimi_task_free(s->task);
    }
    return s->stop_at && s->events == s->stop_at;
}

/* Callbacks run on the loop thread: a test that looks at a struct seen
   before its task ended takes this lock (kimi_task_wait orders the rest). */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

static int on_event(const kimi_stream_event *ev, void *user_data) {
    int stop;
    pthread_mutex_lock(&seen_lock);
    stop = record(user_data, ev);
    pthread_mutex_unlock(&seen_lock);
    return stop;
}

/* Reads `field` of a struct seen a callback may be writing. */
static int seen_read(const int *field) {
    int value;
    pthread_mutex_lock(&seen_lock);
    value = *field;
    pthread_mutex_unlock(&seen_lock);
    return value;
}

/* Takes queued events (user_data: a struct seen) until `count` tasks
   ended; a queue silent for `patience_ms` fails the test instead of
   hanging it. Returns the tasks that ended. */
static int drain_within(kimi_event_queue *queue, int count, int patience_ms) {
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
            if (s) record(s, ev);
            ended += kimi_stream_event_type(ev) == KIMI_EVENT_END;
        }
        if (!got && poll(&watch, 1, patience_ms) != 1) {
            fprintf(stderr, "  no event for %d ms: %d of %d tasks ended\n", patience_ms, ended, count);
            CHECK(0);
            return ended;
        }
    }
    return ended;
}

static void drain(kimi_event_queue *queue, int count) { drain_within(queue, count, 15000); }

/* Runs one started task to its end through `queue`; its status. */
static kimi_status finish(kimi_event_queue *queue, kimi_task *task, struct seen *s) {
    drain(queue, 1);
    CHECK_INT(s->ends, 1);
    CHECK_INT(s->after_end, 0);
    CHECK_INT(kimi_task_wait(task, 0), s->status);
    snprintf(s->end_message, sizeof s->end_message, "%s", kimi_error_message());
    CHECK_CLEAN(s->end_message);
    return s->status;
}

/* Waits for a callback task, at most 15 s (then fails the test). */
static kimi_status wait_task(kimi_task *task, struct seen *s) {
    kimi_status status = kimi_task_wait(task, 15000);
    CHECK(status != KIMI_E_PENDING);
    if (s) snprintf(s->end_message, sizeof s->end_message, "%s", kimi_error_message());
    if (s) CHECK_CLEAN(s->end_message);
    return status;
}

static void pause_us(long us) {
    struct timespec wait;
    wait.tv_sec = us / 1000000;
    wait.tv_nsec = (us % 1000000) * 1000;
    nanosleep(&wait, NULL);
}

/* A test that hangs in a blocking call ends the program (and fails). */
static void watchdog(int seconds) { alarm((unsigned)seconds); }


/* ------------------------------------------------- file contents that lie */

/* Content-Length and the bytes disagree, both framings at once, a length
   that is no number: each ends with its status, the bytes that came given. */
static void test_contents_that_lie(void) {
    static const struct {
        const char *path;
        kimi_status status;
        size_t bytes;        /* handed on (0: any number) */
        const char *says;
    } cases[] = {
        /* curl stops at the announced length: what was announced came. */
        {"content/more/100000", KIMI_OK, 100000, ""},
        /* chunked framing wins over the length: half came of what was announced */
        {"content/chunkedlength/100000", KIMI_E_INCOMPLETE, 50000, "50000 of its 100000 bytes"},
        {"content/chunkedmore/100000", KIMI_E_PARSE, 200000, "200000 bytes, more than the 100000 its Content-Length"},
        {"content/badlength/100", KIMI_E_PARSE, 0, "content/badlength"},
        {"cut/length/100000", KIMI_E_INCOMPLETE, 0, "was cut after"},
        {"cut/chunked/100000", KIMI_E_INCOMPLETE, 0, "was cut after"},
    };
    size_t i;
    int style;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (style = 0; style < 3; style++) {
            kimi_client *client = case_client(cases[i].path);
            kimi_event_queue *queue = NULL;
            kimi_task *task = NULL;
            struct seen s;
            int64_t count = -1;
            seen_init(&s);
            if (style == 2) {
                /* the blocking form, the same job on this thread */
                uint64_t bytes = 0;
                s.status = kimi_file_content_write(client, "file-1", NULL, NULL, NULL, &bytes);
                CHECK_INT(s.status, KIMI_E_INVALID_ARGUMENT); /* no writer */
                s.status = kimi_file_content_to_fd(client, "file-1", open("/dev/null", O_WRONLY | O_CLOEXEC), NULL, NULL, &bytes);
                snprintf(s.end_message, sizeof s.end_message, "%s", kimi_error_message());
                s.bytes = (size_t)bytes;
            } else if (style == 1) {
                CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
                CHECK_INT(kimi_file_content_start(client, "file-1", queue, NULL, &s, &task), KIMI_OK);
                finish(queue, task, &s);
            } else {
                CHECK_INT(kimi_file_content_start(client, "file-1", NULL, on_event, &s, &task), KIMI_OK);
                CHECK_INT(wait_task(task, &s), s.status);
            }
            if (s.status != cases[i].status || (cases[i].bytes && s.bytes != cases[i].bytes))
                fprintf(stderr, "  %s (style %d): status %d, %zu bytes: %s\n", cases[i].path, style, s.status, s.bytes,
                        s.end_message);
            CHECK_INT(s.status, cases[i].status);
            if (cases[i].bytes) CHECK_INT(s.bytes, cases[i].bytes);
            CHECK_CONTAINS(s.end_message, cases[i].says);
            if (!strncmp(cases[i].path, "content/", 8)) CHECK(s.pattern_ok);
            if (task) {
                if (cases[i].status == KIMI_OK || cases[i].status == KIMI_E_INCOMPLETE) {
                    /* the count is the bytes handed on, also when cut */
                    CHECK_INT(kimi_task_count(task, &count), cases[i].status);
                    if (cases[i].status == KIMI_OK) CHECK_INT(count, s.bytes);
                }
                kimi_task_free(task);
            }
            kimi_event_queue_free(queue);
            kimi_client_free(client);
        }
    }
}

/* A download that stalls ends at the idle timeout, saying how much of how
   much was handed on; one that never ends goes on until its reader stops
   it (a callback, a cancel, a cancel token), in every style. */
static void test_contents_that_stall_or_never_end(void) {
    int style;
    for (style = 0; style < 3; style++) {
        kimi_client_options *opts = case_options("content/stall/1000");
        kimi_client *client;
        kimi_task *task = NULL;
        struct seen s;
        seen_init(&s);
        CHECK_INT(kimi_client_options_set_idle_timeout_ms(opts, 300), KIMI_OK);
        client = test_client_from(opts);
        if (style == 2) {
            uint64_t bytes = 0;
            int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
            CHECK_INT(kimi_file_content_to_fd(client, "file-1", fd, NULL, NULL, &bytes), KIMI_E_TIMEOUT);
            CHECK_CONTAINS(kimi_error_message(), "was cut after 1000 of 2000 bytes (all of them handed on)");
            CHECK_CONTAINS(kimi_error_message(), "idle timeout");
            CHECK_INT(bytes, 1000);
            close(fd);
        } else {
            kimi_event_queue *queue = NULL;
            if (style == 1) CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
            CHECK_INT(kimi_file_content_start(client, "file-1", queue, queue ? NULL : on_event, &s, &task), KIMI_OK);
            CHECK_INT(queue ? finish(queue, task, &s) : wait_task(task, &s), KIMI_E_TIMEOUT);
            CHECK_CONTAINS(s.end_message, "was cut after 1000 of 2000 bytes");
            CHECK_INT(s.bytes, 1000);
            CHECK_INT(s.total, 2000);
            kimi_task_free(task);
            kimi_event_queue_free(queue);
        }
        kimi_client_free(client);
    }
    for (style = 0; style < 3; style++) {
        kimi_client *client = case_client("content/endless/0");
        kimi_task *task = NULL;
        struct seen s;
        seen_init(&s);
        if (style == 2) {
            uint64_t bytes = 0;
            kimi_cancel_token *token = kimi_cancel_token_new();
            kimi_call_options *call = kimi_call_options_new();
            kimi_client *view = NULL;
            pthread_t thread;
            struct canceller c;
            /* the cancel token of a view's call options, fired from another thread */
            CHECK_INT(kimi_call_options_set_cancel_token(call, token), KIMI_OK);
            CHECK_INT(kimi_client_with_options(client, call, &view), KIMI_OK);
            c.token = token, c.delay_ms = 200, c.cancelled_at = 0;
            pthread_create(&thread, NULL, cancel_later, &c);
            watchdog(60);
            CHECK_INT(kimi_file_content_write(view, "file-1", count_piece, NULL, &bytes, NULL), KIMI_E_ABORTED);
            watchdog(0);
            CHECK_CONTAINS(kimi_error_message(), "cancel token");
            CHECK(bytes > 0);
            pthread_join(thread, NULL);
            kimi_client_free(view);
            kimi_call_options_free(call);
            kimi_cancel_token_free(token);
        } else {
            /* stopped by its callback at its 50th piece, or cancelled there */
            if (style == 0) s.stop_at = 50;
            else s.cancel_at = 50;
            pthread_mutex_lock(&seen_lock);
            CHECK_INT(kimi_file_content_start(client, "file-1", NULL, on_event, &s, &task), KIMI_OK);
            s.task = task;
            pthread_mutex_unlock(&seen_lock);
            CHECK_INT(wait_task(task, &s), KIMI_E_ABORTED);
            CHECK_INT(s.data, 50);
            CHECK_INT(s.ends, 1);
            CHECK_CONTAINS(s.end_message, style == 0 ? "the reader stopped the download of file file-1 after" : "cancelled");
            kimi_task_free(task);
        }
        kimi_client_free(client);
    }
}

/* A content far larger than one read arrives in pieces no larger than the
   reads (never refused as a "line" over the event limit), in every style. */
static void test_a_fast_large_content(void) {
    kimi_client *client = case_client("content/fast/67108864");
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    struct seen s;
    seen_init(&s);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_file_content_start(client, "file-1", queue, NULL, &s, &task), KIMI_OK);
    CHECK_INT(finish(queue, task, &s), KIMI_OK);
    CHECK_INT(s.bytes, 67108864);
    CHECK(s.pattern_ok);
    CHECK(s.largest <= (16u << 20));
    if (s.status != KIMI_OK) fprintf(stderr, "  queue: %s (largest piece %zu)\n", s.end_message, s.largest);
    kimi_task_free(task);

    seen_init(&s);
    CHECK_INT(kimi_file_content_start(client, "file-1", NULL, on_event, &s, &task), KIMI_OK);
    CHECK_INT(wait_task(task, &s), KIMI_OK);
    CHECK_INT(s.bytes, 67108864);
    CHECK(s.pattern_ok);
    kimi_task_free(task);
    {
        uint64_t bytes = 0;
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        CHECK_INT(kimi_file_content_to_fd(client, "file-1", fd, NULL, NULL, &bytes), KIMI_OK);
        CHECK_INT(bytes, 67108864);
        close(fd);
    }
    kimi_event_queue_free(queue);
    kimi_client_free(client);
    /* a file's bytes are no lines: the event limit does not apply to them */
    {
        kimi_client_options *opts = case_options("content/fast/8000000");
        uint64_t bytes = 0;
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        CHECK_INT(kimi_client_options_set_max_event_bytes(opts, 65536), KIMI_OK);
        client = test_client_from(opts);
        CHECK_INT(kimi_file_content_to_fd(client, "file-1", fd, NULL, NULL, &bytes), KIMI_OK);
        CHECK_INT(bytes, 8000000);
        seen_init(&s);
        CHECK_INT(kimi_file_content_start(client, "file-1", NULL, on_event, &s, &task), KIMI_OK);
        CHECK_INT(wait_task(task, &s), KIMI_OK);
        CHECK_INT(s.bytes, 8000000);
        kimi_task_free(task);
        close(fd);
        kimi_client_free(client);
    }
}

/* -------------------------------------------- hostile batch result files */

/* The blocking kimi_batch_results recorded like the task's events. */
struct blocking_results {
    struct seen *s;
    int stop_at;
};

static int on_result(const char *custom_id, const kimi_chat_response *resp, int http_status, const char *error_message,
                     void *user_data) {
    struct blocking_results *b = user_data;
    struct seen *s = b->s;
    (void)http_status;
    s->results++;
    s->dirty += reveals(custom_id) || has_control(custom_id, 0) || reveals(error_message) || has_control(error_message, 0);
    append(s->ids, sizeof s->ids, custom_id, strlen(custom_id), "|");
    append(s->errors, sizeof s->errors, error_message ? error_message : "", error_message ? strlen(error_message) : 0, "|");
    if (error_message) s->failed_lines++;
    else s->ok_lines++, s->responses += resp != NULL;
    CHECK((resp == NULL) == (error_message != NULL));
    return b->stop_at && s->results == b->stop_at;
}

/* Runs a batch's results in `style` (0 callback task, 1 queued task, 2
   blocking), stopping at result `stop_at` (0: never); the status. */
static kimi_status results_in(kimi_client *client, kimi_batch *batch, int style, int stop_at, struct seen *s) {
    kimi_task *task = NULL;
    kimi_event_queue *queue = NULL;
    kimi_status status;
    int64_t count = -1;
    seen_init(s);
    s->stop_at = stop_at;
    if (style == 2) {
        struct blocking_results b;
        b.s = s, b.stop_at = stop_at;
        status = kimi_batch_results(client, batch, on_result, &b);
        snprintf(s->end_message, sizeof s->end_message, "%s", kimi_error_message());
        CHECK_CLEAN(s->end_message);
        return status;
    }
    if (style == 1) {
        /* a queued task cannot be stopped by its reader: it cancels */
        s->stop_at = 0;
        s->cancel_at = stop_at;
        CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    }
    /* the lock keeps the callbacks out until `s->task` is set */
    pthread_mutex_lock(&seen_lock);
    status = kimi_batch_results_start(client, batch, queue, queue ? NULL : on_event, s, &task);
    s->task = task;
    pthread_mutex_unlock(&seen_lock);
    if (status != KIMI_OK) {
        snprintf(s->end_message, sizeof s->end_message, "%s", kimi_error_message());
        CHECK_CLEAN(s->end_message);
        kimi_event_queue_free(queue);
        return status;
    }
    status = queue ? finish(queue, task, s) : wait_task(task, s);
    if (!queue) CHECK_INT(s->status, status);
    if (status == KIMI_OK) {
        CHECK_INT(kimi_task_count(task, &count), KIMI_OK);
        CHECK_INT(count, s->results);
    }
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    return status;
}

static kimi_batch *batch_of(kimi_client *client) {
    kimi_batch *batch = NULL;
    CHECK_INT(kimi_batch_retrieve(client, "batch-files", &batch), KIMI_OK);
    return batch;
}

/* Invalid JSON, raw and escaped NUL bytes, the key and terminal escapes in
   ids and errors, statuses past any integer, lines that are no objects:
   each line is one result, in order, a failed one saying why (with its
   line number); no text carries the key or a control character. */
static void test_hostile_result_lines(void) {
    kimi_client *client = case_client("batchfile/hostile/0");
    kimi_batch *batch = batch_of(client);
    struct seen s;
    int style;
    for (style = 0; style < 3; style++) {
        CHECK_INT(results_in(client, batch, style, 0, &s), KIMI_OK);
        CHECK_INT(s.results, 14); /* 13 lines (a blank one is not JSON either), then the error file's */
        CHECK_INT(s.dirty, 0);
        /* lines that are no JSON have no id to give */
        CHECK_CONTAINS(s.ids, "good-1||||k-[redacted] [2J]0;pwned]52;c;ZXZpbA==31m|big-status|neg-status|||");
        CHECK_CONTAINS(s.ids, "|crlf||good-2|in-error-file");
        CHECK_CONTAINS(s.errors, "line 2 of output file file-out is not valid JSON");
        CHECK_CONTAINS(s.errors, "line 3 of output file file-out is not valid JSON: control character 0x0");
        CHECK_CONTAINS(s.errors, "line 4 of output file file-out is not valid JSON: \\u0000 is not allowed");
        CHECK_CONTAINS(s.errors, "line 8 of output file file-out is an array, expected a result object");
        CHECK_CONTAINS(s.errors, "line 9 of output file file-out is a string");
        CHECK_CONTAINS(s.errors, "line 12 of output file file-out is not valid JSON");
        /* a status past any integer is none, and says so */
        CHECK_CONTAINS(s.errors, "line 6 of output file file-out has a response without an HTTP status_code");
        CHECK_CONTAINS(s.errors, "line 7 of output file file-out has a response without an HTTP status_code");
        CHECK_CONTAINS(s.errors, "bad ");
        CHECK_INT(s.ok_lines, 4); /* good-1, the numeric id, crlf, good-2 */
        if (style != 2) CHECK_INT(s.responses, 4);
        if (s.results != 14 || s.ok_lines != 4)
            fprintf(stderr, "  style %d: ids %s\n  errors %s\n", style, s.ids, s.errors);
    }
    kimi_batch_free(batch);
    kimi_client_free(client);
}

/* One line longer than the event limit: what came before it is given, then
   KIMI_E_TOO_LARGE naming the limit; a stop at each line stops there. */
static void test_result_files_too_long_endless_and_cut(void) {
    struct seen s;
    int style;
    for (style = 0; style < 3; style++) {
        kimi_client *client = case_client("batchfile/hugeline/20000000");
        kimi_batch *batch = batch_of(client);
        CHECK_INT(results_in(client, batch, style, 0, &s), KIMI_E_TOO_LARGE);
        CHECK_STR(s.ids, "before");
        CHECK_CONTAINS(s.end_message, "a line over the 16777216-byte limit");
        kimi_batch_free(batch);
        kimi_client_free(client);

        /* lines forever: the reader's stop (a task's cancel) ends it */
        client = case_client("batchfile/endless/0");
        batch = batch_of(client);
        CHECK_INT(results_in(client, batch, style, 1000, &s), KIMI_E_ABORTED);
        CHECK(s.results >= 1000);
        if (style == 2) CHECK_INT(s.results, 1000);
        kimi_batch_free(batch);
        kimi_client_free(client);

        /* the error file is gone (its answer echoes the key): the output's
           lines were given, then its failure, clean */
        client = case_client("batchfile/errorfile404/50");
        batch = batch_of(client);
        CHECK_INT(results_in(client, batch, style, 0, &s), KIMI_E_API);
        CHECK_INT(s.results, 50);
        CHECK_CONTAINS(s.end_message, "404");
        kimi_batch_free(batch);
        kimi_client_free(client);

        /* the last line without its line end is a line */
        client = case_client("batchfile/nolastnewline/7");
        batch = batch_of(client);
        CHECK_INT(results_in(client, batch, style, 0, &s), KIMI_OK);
        CHECK_INT(s.results, 7);
        CHECK_CONTAINS(s.ids, "|line-6");
        /* stopped at each line, the last one (read at the end) included */
        {
            int at;
            for (at = 1; at <= 7; at++) {
                kimi_status status = results_in(client, batch, style, at, &s);
                CHECK_INT(status, KIMI_E_ABORTED);
                if (style != 1) CHECK_INT(s.results, at);
            }
        }
        kimi_batch_free(batch);
        kimi_client_free(client);
    }
}

/* A completed batch whose result file ids are not ids (a path, a query,
   100,000 characters, the key): refused before any request, saying which
   field of the server's batch is wrong, in a message of bounded size; the
   output file's lines are given before a bad error file id stops it. */
static void test_result_file_ids_that_are_not_ids(void) {
    static const char *cases[] = {"traversal", "query", "longid", "keyid"};
    size_t i;
    int style;
    char path[128];
    struct seen s;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(path, sizeof path, "batchwait/%s/0", cases[i]);
        for (style = 0; style < 3; style++) {
            kimi_client *client = case_client(path);
            kimi_batch *batch = batch_of(client);
            kimi_status status = results_in(client, batch, style, 0, &s);
            CHECK_INT(status, KIMI_E_PARSE);
            CHECK_CONTAINS(s.end_message, "output_file_id");
            CHECK(strlen(s.end_message) < 1000);
            CHECK_INT(s.results, 0);
            if (status != KIMI_E_PARSE || !strstr(s.end_message, "output_file_id"))
                fprintf(stderr, "  %s style %d: %d %.300s\n", cases[i], style, status, s.end_message);
            kimi_batch_free(batch);
            kimi_client_free(client);
        }
    }
    for (style = 0; style < 3; style++) {
        kimi_client *client = case_client("batchwait/badsecond/0");
        kimi_batch *batch = batch_of(client);
        CHECK_INT(results_in(client, batch, style, 0, &s), KIMI_E_PARSE);
        CHECK_INT(s.results, 1); /* the output file's line */
        CHECK_CONTAINS(s.end_message, "error_file_id");
        kimi_batch_free(batch);
        kimi_client_free(client);
    }
}

/* A cancel token on the batch ends the blocking results, and a results
   task's cancel ends it, while lines keep coming. */
static void test_results_cancelled_while_lines_come(void) {
    kimi_client *client = case_client("batchfile/endless/0");
    kimi_batch *batch = batch_of(client);
    kimi_cancel_token *token = kimi_cancel_token_new();
    struct blocking_results b;
    struct seen s;
    struct canceller c;
    pthread_t thread;
    seen_init(&s);
    b.s = &s, b.stop_at = 0;
    CHECK_INT(kimi_batch_set_cancel_token(batch, token), KIMI_OK);
    c.token = token, c.delay_ms = 200, c.cancelled_at = 0;
    pthread_create(&thread, NULL, cancel_later, &c);
    watchdog(60);
    CHECK_INT(kimi_batch_results(client, batch, on_result, &b), KIMI_E_ABORTED);
    watchdog(0);
    CHECK_CONTAINS(kimi_error_message(), "cancel token");
    CHECK(s.results > 0);
    pthread_join(thread, NULL);
    kimi_cancel_token_free(token);
    kimi_batch_free(batch);
    kimi_client_free(client);
}

/* ------------------------------------------------ batches being waited for */

/* Runs kimi_batch_wait_start on `path` with a callback; `cancel_at` cancels
   it at that event; the status. */
static kimi_status wait_in(const char *path, uint32_t poll_ms, int cancel_at, struct seen *s, kimi_batch **last) {
    kimi_client *client = case_client(path);
    kimi_batch *batch = NULL;
    kimi_task *task = NULL;
    kimi_status status;
    seen_init(s);
    CHECK_INT(kimi_batch_retrieve(client, "batch-files", &batch), KIMI_OK);
    s->cancel_at = cancel_at;
    pthread_mutex_lock(&seen_lock);
    CHECK_INT(kimi_batch_wait_start(client, batch, poll_ms, NULL, on_event, s, &task), KIMI_OK);
    s->task = task;
    pthread_mutex_unlock(&seen_lock);
    kimi_batch_free(batch); /* read when started */
    batch = NULL;
    status = wait_task(task, s);
    if (last) {
        *last = NULL;
        if (kimi_task_batch(task, last) != KIMI_OK) *last = NULL;
    }
    kimi_task_free(task);
    kimi_batch_free(batch);
    kimi_client_free(client);
    return status;
}

/* A batch that never ends, or flips between unfinished states, is waited
   for until the reader cancels (each poll reported); absurd counts
   saturate; a status with escapes is cleaned; a final batch ends it. */
static void test_batches_that_never_end(void) {
    struct seen s;
    kimi_batch *last = NULL;
    CHECK_INT(wait_in(unique("batchwait/never"), 1, 5, &s, NULL), KIMI_E_ABORTED);
    CHECK_INT(s.progress, 5);
    CHECK_CONTAINS(s.end_message, "cancelled");
    CHECK_INT(wait_in(unique("batchwait/flip"), 1, 7, &s, NULL), KIMI_E_ABORTED);
    CHECK_INT(s.progress, 7);
    CHECK_STR(s.statuses, "in_progress,finalizing,in_progress,validating,validating,in_progress,finalizing");
    /* (the first poll of each case is the retrieve that made the batch) */
    CHECK_INT(wait_in(unique("batchwait/overflow"), 1, 0, &s, &last), KIMI_OK);
    CHECK_INT(s.progress, 2);
    /* counts past 2^53 read as absent, as everywhere */
    CHECK_INT(s.done, 0);
    CHECK_INT(s.total, 0);
    CHECK_INT(kimi_batch_completed(last), 0);
    CHECK_STR(kimi_batch_status(last), "completed");
    kimi_batch_free(last);
    CHECK_INT(wait_in(unique("batchwait/unknown"), 1, 0, &s, NULL), KIMI_OK);
    CHECK_INT(s.dirty, 0);
    CHECK_CONTAINS(s.statuses, "paused[2J,completed");
    CHECK_INT(s.progress, 2);
    CHECK_INT(wait_in(unique("batchwait/types"), 1, 20, &s, NULL), KIMI_E_ABORTED);
    CHECK_INT(s.dirty, 0);
}

struct waiting {
    int polls, stop_at;
    kimi_cancel_token *cancel_at_first;
    pthread_t thread;
    struct canceller canceller;
};

static int on_poll(const kimi_batch *batch, int64_t completed, int64_t failed, int64_t total, void *user_data) {
    struct waiting *w = user_data;
    (void)batch, (void)completed, (void)failed, (void)total;
    w->polls++;
    if (w->cancel_at_first && w->polls == 1) {
        /* fires from another thread while the wait waits for its next poll */
        w->canceller.token = w->cancel_at_first;
        w->canceller.delay_ms = 50;
        pthread_create(&w->thread, NULL, cancel_later, &w->canceller);
    }
    return w->stop_at && w->polls == w->stop_at;
}

/* The blocking wait stopped by its callback at each poll, and by a cancel
   token fired between polls a minute apart (the wait ends at once). */
static void test_blocking_wait_stopped_everywhere(void) {
    int at;
    watchdog(120);
    for (at = 1; at <= 4; at++) {
        kimi_client *client = case_client(unique("batchwait/never"));
        kimi_batch *batch = NULL;
        struct waiting w;
        memset(&w, 0, sizeof w);
        w.stop_at = at;
        CHECK_INT(kimi_batch_retrieve(client, "batch-files", &batch), KIMI_OK);
        CHECK_INT(kimi_batch_wait(client, batch, 1, on_poll, &w), KIMI_E_ABORTED);
        CHECK_CONTAINS(kimi_error_message(), "progress callback");
        CHECK_INT(w.polls, at);
        CHECK_STR(kimi_batch_status(batch), "in_progress");
        kimi_batch_free(batch);
        kimi_client_free(client);
    }
    {
        kimi_client *client = case_client(unique("batchwait/never"));
        kimi_batch *batch = NULL;
        kimi_cancel_token *token = kimi_cancel_token_new();
        struct waiting w;
        memset(&w, 0, sizeof w);
        w.cancel_at_first = token;
        CHECK_INT(kimi_batch_retrieve(client, "batch-files", &batch), KIMI_OK);
        CHECK_INT(kimi_batch_set_cancel_token(batch, token), KIMI_OK);
        CHECK_INT(kimi_batch_wait(client, batch, 60000, on_poll, &w), KIMI_E_ABORTED);
        CHECK_CONTAINS(kimi_error_message(), "cancel token");
        CHECK_INT(w.polls, 1);
        pthread_join(w.thread, NULL);
        kimi_cancel_token_free(token);
        kimi_batch_free(batch);
        kimi_client_free(client);
    }
    watchdog(0);
}

/* ------------------------------------------------------ listings and keys */

/* kimi_files_list_start follows a server's paging as the blocking walk
   does: every lie ends it, saying why. */
static void test_listing_tasks_that_never_end(void) {
    static const struct {
        const char *how;
        kimi_status status;
        const char *says;
    } cases[] = {
        {"endless", KIMI_E_TOO_LARGE, "goes on past 100000 items"},
        {"repeat", KIMI_E_PARSE, "the server repeats itself"},
        {"cycle", KIMI_E_PARSE, "the server repeats itself"},
        {"emptymore", KIMI_E_PARSE, "is empty but says more follow"},
        {"noid", KIMI_E_PARSE, "has no id"},
        {"badid", KIMI_E_PARSE, "has an id that is not one"},
        {"big", KIMI_E_TOO_LARGE, "response body over the 1048576-byte limit"},
    };
    size_t i;
    char path[64];
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        kimi_client_options *opts;
        kimi_client *client;
        kimi_event_queue *queue = NULL;
        kimi_task *task = NULL;
        kimi_file_list *list = (kimi_file_list *)1;
        struct seen s;
        snprintf(path, sizeof path, "pages/%s", cases[i].how);
        opts = case_options(path);
        CHECK_INT(kimi_client_options_set_max_response_bytes(opts, 1 << 20), KIMI_OK);
        client = test_client_from(opts);
        seen_init(&s);
        CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
        CHECK_INT(kimi_files_list_start(client, queue, NULL, &s, &task), KIMI_OK);
        CHECK_INT(finish(queue, task, &s), cases[i].status);
        CHECK_CONTAINS(s.end_message, cases[i].says);
        CHECK_INT(kimi_task_file_list(task, &list), cases[i].status);
        CHECK(list == NULL);
        kimi_task_free(task);
        kimi_event_queue_free(queue);
        kimi_client_free(client);
    }
}

/* Error answers that echo the key, and objects whose every text field
   holds it and terminal escapes: no task's error or result shows either. */
static void test_no_task_shows_the_key(void) {
    kimi_client *echo = case_client("echo/whole");
    kimi_client *files = case_client("leak/files");
    kimi_client *batches = case_client("leak/batches");
    kimi_client *models = case_client("leak/models");
    kimi_client *errors = case_client("leak/error");
    kimi_client *clients[2];
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_task *task = NULL;
    kimi_file *file = NULL;
    kimi_file_list *list = NULL;
    kimi_batch *batch = NULL;
    kimi_batch_page *page = NULL;
    kimi_model *model = NULL;
    int i;
    clients[0] = echo, clients[1] = errors;
    for (i = 0; i < 2; i++) {
        kimi_client *c = clients[i];
        kimi_task *tasks[10];
        int t, n = 0;
        CHECK_INT(kimi_file_retrieve_start(c, "file-1", NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_file_content_start(c, "file-1", NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_files_list_start(c, NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_file_delete_start(c, "file-1", NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_file_upload_data_start(c, "a.txt", "abc", 3, "file-extract", NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_batch_retrieve_start(c, "batch-1", NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_models_list_start(c, NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_model_retrieve_start(c, "kimi-k2.6", NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_balance_start(c, NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        CHECK_INT(kimi_chat_estimate_tokens_start(c, req, NULL, NULL, NULL, &tasks[n++]), KIMI_OK);
        for (t = 0; t < n; t++) {
            int64_t count = 0;
            CHECK_INT(wait_task(tasks[t], NULL), KIMI_E_API);
            CHECK_CLEAN(kimi_error_message());
            CHECK_CLEAN(kimi_error_type());
            CHECK_CLEAN(kimi_error_code());
            CHECK_CLEAN(kimi_error_request_id());
            CHECK_INT(kimi_task_count(tasks[t], &count), KIMI_E_API);
            CHECK_CLEAN(kimi_error_message());
            kimi_task_free(tasks[t]);
        }
    }
    CHECK_INT(kimi_file_retrieve_start(files, "file-1", NULL, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(wait_task(task, NULL), KIMI_OK);
    CHECK_INT(kimi_task_file(task, &file), KIMI_OK);
    CHECK_CLEAN(kimi_file_id(file));
    CHECK_CLEAN(kimi_file_filename(file));
    CHECK(!reveals(kimi_file_status_details(file)) && !has_control(kimi_file_status_details(file), 1));
    kimi_file_free(file);
    kimi_task_free(task);
    CHECK_INT(kimi_files_list_start(files, NULL, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(wait_task(task, NULL), KIMI_OK);
    CHECK_INT(kimi_task_file_list(task, &list), KIMI_OK);
    CHECK_INT(kimi_file_list_count(list), 1);
    CHECK_CLEAN(kimi_file_purpose(kimi_file_list_get(list, 0)));
    kimi_file_list_free(list);
    kimi_task_free(task);
    CHECK_INT(kimi_batch_retrieve_start(batches, "batch-1", NULL, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(wait_task(task, NULL), KIMI_OK);
    CHECK_INT(kimi_task_batch(task, &batch), KIMI_OK);
    CHECK_CLEAN(kimi_batch_status(batch));
    CHECK_CLEAN(kimi_batch_output_file_id(batch));
    CHECK_CLEAN(kimi_batch_error_message(batch));
    kimi_task_free(task);
    /* its id is no id: waiting for it is refused, cleanly */
    CHECK_INT(kimi_batch_wait_start(batches, batch, 1, NULL, NULL, NULL, &task), KIMI_E_INVALID_ARGUMENT);
    CHECK(task == NULL);
    CHECK_CONTAINS(kimi_error_message(), "is not an id");
    CHECK_CLEAN(kimi_error_message());
    kimi_batch_free(batch);
    CHECK_INT(kimi_batch_list_start(batches, NULL, 10, NULL, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(wait_task(task, NULL), KIMI_OK);
    CHECK_INT(kimi_task_batch_page(task, &page), KIMI_OK);
    CHECK_CLEAN(kimi_batch_page_last_id(page));
    CHECK_CLEAN(kimi_batch_id(kimi_batch_page_get(page, 0)));
    kimi_batch_page_free(page);
    kimi_task_free(task);
    CHECK_INT(kimi_model_retrieve_start(models, "kimi-k2.6", NULL, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(wait_task(task, NULL), KIMI_OK);
    CHECK_INT(kimi_task_model(task, &model), KIMI_OK);
    CHECK_CLEAN(kimi_model_id(model));
    CHECK_CLEAN(kimi_model_owned_by(model));
    kimi_model_free(model);
    kimi_task_free(task);
    kimi_chat_request_free(req);
    kimi_client_free(echo);
    kimi_client_free(files);
    kimi_client_free(batches);
    kimi_client_free(models);
    kimi_client_free(errors);
}

/* ------------------------------------------------------ other threads */

/* Freeing the client ends its running tasks: each queues its END
   (KIMI_E_ABORTED) and the queue's descriptor says so, so a host waiting
   on it wakes; callback tasks get their END too. The tasks are quiet when
   the client goes (waits between polls a minute apart, a stalled
   download), so nothing else makes the descriptor readable. */
static void test_client_freed_under_running_tasks(void) {
    enum { WAITS = 3, ALL = 5 };
    kimi_client *client = case_client(unique("batchwait/never"));
    kimi_client *stalled = case_client("content/stall/1000");
    kimi_event_queue *queue = NULL;
    kimi_batch *batch = NULL;
    kimi_task *tasks[ALL];
    struct seen seen[ALL];
    int i;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_batch_retrieve(client, "batch-1", &batch), KIMI_OK);
    for (i = 0; i < ALL; i++) seen_init(&seen[i]);
    for (i = 0; i < WAITS; i++) CHECK_INT(kimi_batch_wait_start(client, batch, 60000, queue, NULL, &seen[i], &tasks[i]), KIMI_OK);
    CHECK_INT(kimi_batch_wait_start(client, batch, 60000, NULL, on_event, &seen[WAITS], &tasks[WAITS]), KIMI_OK);
    CHECK_INT(kimi_file_content_start(stalled, "file-1", queue, NULL, &seen[WAITS + 1], &tasks[WAITS + 1]), KIMI_OK);
    /* each wait polled once (a PROGRESS each), the download gave its bytes */
    while (seen[0].progress + seen[1].progress + seen[2].progress < WAITS || seen[WAITS + 1].bytes < 1000) {
        struct pollfd watch;
        const kimi_stream_event *ev;
        watch.fd = kimi_event_queue_fd(queue);
        watch.events = POLLIN;
        if (poll(&watch, 1, 15000) != 1) {
            CHECK(0);
            break;
        }
        while (kimi_event_queue_next(queue, &ev) == KIMI_OK && ev) record(kimi_stream_event_user_data(ev), ev);
    }
    CHECK_INT(kimi_task_wait(tasks[0], 0), KIMI_E_PENDING);
    kimi_client_free(client);
    kimi_client_free(stalled);
    /* every END is queued, and the descriptor is readable for them (a
       host looks at the descriptor before it takes events) */
    {
        struct pollfd watch;
        watch.fd = kimi_event_queue_fd(queue);
        watch.events = POLLIN;
        CHECK_INT(poll(&watch, 1, 5000), 1);
    }
    CHECK_INT(drain_within(queue, WAITS + 1, 5000), WAITS + 1);
    for (i = 0; i < ALL; i++) {
        CHECK_INT(seen[i].ends, 1);
        CHECK_INT(seen[i].status, KIMI_E_ABORTED);
        CHECK_INT(kimi_task_wait(tasks[i], 0), KIMI_E_ABORTED);
        CHECK_CONTAINS(kimi_error_message(), "client was freed");
        kimi_task_free(tasks[i]);
    }
    CHECK_INT(seen[WAITS + 1].bytes, 1000); /* what came was given */
    kimi_batch_free(batch);
    kimi_event_queue_free(queue);
}

/* Starts a task of kind `kind` (0..5) on `client` (the mock). */
static kimi_status start_kind(kimi_client *client, int kind, kimi_batch *batch, const char *path, kimi_event_queue *queue,
                              struct seen *s, kimi_task **task) {
    kimi_stream_cb cb = queue ? NULL : on_event;
    switch (kind) {
    case 0: return kimi_file_content_start(client, "file-big-3000000", queue, cb, s, task);
    case 1: return kimi_batch_wait_start(client, batch, 1, queue, cb, s, task);
    case 2: return kimi_files_list_start(client, queue, cb, s, task);
    case 3: return kimi_file_upload_start(client, path, "file-extract", queue, cb, s, task);
    case 4: return kimi_models_list_start(client, queue, cb, s, task);
    default: return kimi_batch_results_start(client, batch, queue, cb, s, task);
    }
}

#define KINDS 6

/* A file of `size` bytes at `path`. */
static void write_file(const char *path, size_t size) {
    FILE *f = fopen(path, "wb");
    size_t i;
    CHECK(f != NULL);
    if (!f) return;
    for (i = 0; i < size; i++) fputc((int)(i % 251), f);
    fclose(f);
}

/* Cancelled at once (before the loop took it), after a few events, inside
   its callbacks at each event, or freed inside them: every kind of task
   ends once (END last, its status ABORTED or its own), never hangs. */
static void test_cancel_and_free_at_every_moment(void) {
    kimi_client *client = test_client();
    kimi_client *waiting = case_client(unique("batchwait/never"));
    kimi_batch *done = NULL, *never = NULL;
    char path[512];
    int kind, at, round;
    snprintf(path, sizeof path, "%s", temp_path("every-moment.txt"));
    write_file(path, 3 << 20);
    CHECK_INT(kimi_batch_retrieve(waiting, "batch-files", &never), KIMI_OK);
    {
        /* a finished batch with results, from the mock */
        kimi_batch_input *input;
        kimi_chat_request *req = user_request(NULL, "hi");
        const char *jsonl = temp_path("every-moment.jsonl");
        input = kimi_batch_input_new(jsonl);
        for (at = 0; at < 30; at++) {
            char id[16];
            snprintf(id, sizeof id, "r%d", at);
            CHECK_INT(kimi_batch_input_add(input, id, req), KIMI_OK);
        }
        CHECK_INT(kimi_batch_input_close(input, NULL), KIMI_OK);
        kimi_batch_input_free(input);
        CHECK_INT(kimi_batch_submit(client, jsonl, NULL, NULL, &done), KIMI_OK);
        CHECK_INT(kimi_batch_wait(client, done, 5, NULL, NULL), KIMI_OK);
        kimi_chat_request_free(req);
        unlink(jsonl);
    }
    for (kind = 0; kind < KINDS; kind++) {
        kimi_client *c = kind == 1 ? waiting : client;
        kimi_batch *batch = kind == 1 ? never : done;
        /* cancelled at once, from this thread, many times */
        for (round = 0; round < 20; round++) {
            struct seen s;
            kimi_task *task = NULL;
            kimi_status status;
            seen_init(&s);
            CHECK_INT(start_kind(c, kind, batch, path, NULL, &s, &task), KIMI_OK);
            kimi_task_cancel(task);
            kimi_task_cancel(task); /* twice is harmless */
            status = wait_task(task, &s);
            CHECK(status == KIMI_E_ABORTED || (status == KIMI_OK && kind != 1));
            CHECK_INT(s.ends, 1);
            CHECK_INT(s.after_end, 0);
            CHECK_INT(s.status, status);
            kimi_task_free(task);
        }
        /* cancelled or freed inside its own callback at each of its first events */
        for (at = 1; at <= 4; at++) {
            int freeing;
            for (freeing = 0; freeing < 2; freeing++) {
                struct seen s;
                kimi_task *task = NULL;
                seen_init(&s);
                if (freeing) s.free_at = at;
                else s.cancel_at = at;
                pthread_mutex_lock(&seen_lock);
                CHECK_INT(start_kind(c, kind, batch, path, NULL, &s, &task), KIMI_OK);
                s.task = task;
                pthread_mutex_unlock(&seen_lock);
                if (freeing) {
                    /* freed inside: wait for the callback to have run */
                    double until = now_ms() + 15000;
                    while (!seen_read(&s.freed) && !seen_read(&s.ends) && now_ms() < until) pause_us(1000);
                    if (!seen_read(&s.freed)) kimi_task_free(task); /* it ended before event `at` */
                    CHECK(seen_read(&s.freed) || seen_read(&s.ends));
                } else {
                    kimi_status status = wait_task(task, &s);
                    if (s.cancel_type && s.cancel_type != KIMI_EVENT_END) {
                        /* cancelled inside a callback: only the END follows, ABORTED */
                        CHECK_INT(status, KIMI_E_ABORTED);
                        CHECK_INT(s.events, at + 1);
                    }
                    CHECK_INT(s.ends, 1);
                    CHECK_INT(s.after_end, 0);
                    kimi_task_free(task);
                }
            }
        }
    }
    /* cancels from another thread racing a wait that polls without pause
       (a new call per poll): the task ends, ABORTED, every time */
    for (round = 0; round < 40; round++) {
        struct seen s;
        kimi_task *task = NULL;
        seen_init(&s);
        CHECK_INT(kimi_batch_wait_start(waiting, never, 1, NULL, on_event, &s, &task), KIMI_OK);
        pause_us(round * 250L);
        kimi_task_cancel(task);
        CHECK_INT(wait_task(task, &s), KIMI_E_ABORTED);
        CHECK_INT(s.ends, 1);
        kimi_task_free(task);
    }
    kimi_batch_free(done);
    kimi_batch_free(never);
    kimi_client_free(client);
    kimi_client_free(waiting);
    unlink(path);
}

/* A queue nobody drains holds its tasks at its bound (their transfers
   paused), while tasks on another queue finish; a paused task cancelled
   or freed ends at once; a stale event pointer reads as no event. */
static void test_queues_nobody_drains(void) {
    enum { STUCK = 4, MOVING = 6 };
    kimi_client *endless = case_client("content/endless/0");
    kimi_client *mock = test_client();
    kimi_event_queue *stuck = NULL, *moving = NULL;
    kimi_task *stuck_tasks[STUCK], *moving_tasks[MOVING];
    struct seen stuck_seen[STUCK], moving_seen[MOVING];
    const kimi_stream_event *ev = NULL, *stale;
    struct pollfd watch;
    int i, wrong = 0;
    CHECK_INT(kimi_event_queue_new(&stuck), KIMI_OK);
    CHECK_INT(kimi_event_queue_new(&moving), KIMI_OK);
    for (i = 0; i < STUCK; i++) {
        seen_init(&stuck_seen[i]);
        CHECK_INT(kimi_file_content_start(endless, "file-1", stuck, NULL, &stuck_seen[i], &stuck_tasks[i]), KIMI_OK);
    }
    for (i = 0; i < MOVING; i++) {
        seen_init(&moving_seen[i]);
        CHECK_INT(kimi_file_content_start(mock, "file-big-2000000", moving, NULL, &moving_seen[i], &moving_tasks[i]),
                  KIMI_OK);
    }
    /* one endless download on the same queue takes its share, never all */
    {
        struct seen flood;
        kimi_task *flooding = NULL;
        seen_init(&flood);
        flood.pattern_ok = 0; /* its bytes are not checked: under TSan a byte-by-byte check of an endless body is most of the run */
        CHECK_INT(kimi_file_content_start(endless, "file-1", moving, NULL, &flood, &flooding), KIMI_OK);
        drain(moving, MOVING);
        /* Its server may not have answered yet on a loaded machine (the six
           others can end first): it gets its share once it does. */
        {
            struct pollfd watch = {0};
            const kimi_stream_event *ev;
            watch.fd = kimi_event_queue_fd(moving);
            watch.events = POLLIN;
            while (flood.data == 0 && poll(&watch, 1, 15000) == 1)
                while (kimi_event_queue_next(moving, &ev) == KIMI_OK && ev) record(kimi_stream_event_user_data(ev), ev);
        }
        CHECK_INT(flood.ends, 0);
        CHECK(flood.data > 0);
        kimi_task_free(flooding);
    }
    for (i = 0; i < MOVING; i++) {
        wrong += moving_seen[i].status != KIMI_OK || moving_seen[i].bytes != 2000000 || !moving_seen[i].pattern_ok;
        kimi_task_free(moving_tasks[i]);
    }
    CHECK_INT(wrong, 0);
    /* the stuck queue filled up to its bound; its tasks still run */
    watch.fd = kimi_event_queue_fd(stuck);
    watch.events = POLLIN;
    CHECK_INT(poll(&watch, 1, 15000), 1);
    pause_us(300000);
    for (i = 0; i < STUCK; i++) CHECK_INT(kimi_task_status(stuck_tasks[i]), KIMI_E_PENDING);
    /* take one event and keep its pointer */
    CHECK_INT(kimi_event_queue_next(stuck, &ev), KIMI_OK);
    CHECK(ev != NULL);
    CHECK_INT(kimi_stream_event_type(ev), KIMI_EVENT_DATA);
    stale = ev;
    /* cancel one paused task, free another (its events go), keep two */
    kimi_task_cancel(stuck_tasks[0]);
    kimi_task_free(stuck_tasks[1]);

    stuck_tasks[1] = NULL;
    CHECK_INT(kimi_task_wait(stuck_tasks[0], 15000), KIMI_E_ABORTED);
    /* drain: the cancelled one's END comes; the two others run on, and go
       when freed with events waiting */
    {
        int ended = 0, rounds = 0;
        while (!ended && rounds++ < 100000) {
            if (kimi_event_queue_next(stuck, &ev) != KIMI_OK || !ev) {
                if (poll(&watch, 1, 15000) != 1) break;
                continue;
            }
            /* after its cancel, the cancelled task's only event is its END */
            if (kimi_stream_event_user_data(ev) == &stuck_seen[0]) CHECK_INT(kimi_stream_event_type(ev), KIMI_EVENT_END);
            if (kimi_stream_event_type(ev) == KIMI_EVENT_END) {
                CHECK(kimi_stream_event_user_data(ev) == &stuck_seen[0]);
                CHECK_INT(kimi_stream_event_status(ev), KIMI_E_ABORTED);
                ended = 1;
            }
        }
        CHECK(ended);
    }
    /* a stale pointer is the queue's: it reads the current event, and after
       the queue ran dry, no event (the endless ones freed first, or they
       would fill it as fast as it is drained) */
    kimi_task_free(stuck_tasks[2]);
    kimi_task_free(stuck_tasks[3]);
    while (kimi_event_queue_next(stuck, &ev) == KIMI_OK && ev) {}
    CHECK_INT(kimi_stream_event_type(stale), 0);
    CHECK_INT(kimi_stream_event_progress(stale, NULL, NULL), 0);
    CHECK_STR(kimi_stream_event_text(stale, NULL), "");
    {
        kimi_batch *batch = (kimi_batch *)1;
        CHECK_INT(kimi_stream_event_batch(stale, &batch), KIMI_E_INVALID_ARGUMENT);
        CHECK(batch == NULL);
    }
    kimi_task_free(stuck_tasks[0]);
    kimi_event_queue_free(stuck);
    kimi_event_queue_free(moving);
    kimi_client_free(endless);
    kimi_client_free(mock);
}

/* A queued task that ended before its cancel (its END waiting, not taken)
   still gives its END, with how it ended: a host waiting for it never
   hangs. */
static void test_cancel_after_the_end_keeps_it(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    const kimi_stream_event *ev = (const kimi_stream_event *)1;
    kimi_task *task = NULL;
    int round;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (round = 0; round < 2; round++) {
        struct seen s;
        seen_init(&s);
        if (round) CHECK_INT(kimi_file_content_start(client, "file-big-100000", queue, NULL, &s, &task), KIMI_OK);
        else CHECK_INT(kimi_models_list_start(client, queue, NULL, &s, &task), KIMI_OK);
        CHECK_INT(kimi_task_wait(task, 15000), KIMI_OK);
        kimi_task_cancel(task);
        CHECK_INT(drain_within(queue, 1, 5000), 1);
        CHECK_INT(s.ends, 1);
        CHECK_INT(s.status, KIMI_OK); /* it had ended */
        CHECK_INT(s.data, 0);         /* the pieces before it went with the cancel */
        kimi_task_free(task);
    }
    /* freeing it instead drops everything, its END too */
    CHECK_INT(kimi_models_list_start(client, queue, NULL, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, 15000), KIMI_OK);
    kimi_task_free(task);
    CHECK_INT(kimi_event_queue_next(queue, &ev), KIMI_OK);
    CHECK(ev == NULL);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* The PROGRESS event taken from a queue keeps its batch after its task is
   freed, until the next event is taken. */
static void test_taken_event_outlives_its_task(void) {
    kimi_client *client = case_client(unique("batchwait/never"));
    kimi_event_queue *queue = NULL;
    kimi_batch *batch = NULL, *polled = NULL;
    kimi_task *task = NULL;
    const kimi_stream_event *ev = NULL;
    struct pollfd watch;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_batch_retrieve(client, "batch-files", &batch), KIMI_OK);
    CHECK_INT(kimi_batch_wait_start(client, batch, 60000, queue, NULL, NULL, &task), KIMI_OK);
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    CHECK_INT(poll(&watch, 1, 15000), 1);
    CHECK_INT(kimi_event_queue_next(queue, &ev), KIMI_OK);
    CHECK_INT(kimi_stream_event_type(ev), KIMI_EVENT_PROGRESS);
    kimi_task_free(task);
    CHECK(kimi_stream_event_task(ev) != NULL); /* the handle as it was: not to be used */
    CHECK_INT(kimi_stream_event_batch(ev, &polled), KIMI_OK);
    CHECK_STR(kimi_batch_status(polled), "in_progress");
    CHECK_STR(kimi_stream_event_text(ev, NULL), "in_progress");
    kimi_batch_free(polled);
    /* the freed task's END was dropped with its other events */
    CHECK_INT(kimi_event_queue_next(queue, &ev), KIMI_OK);
    CHECK(ev == NULL);
    kimi_batch_free(batch);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* A task's own callback frees the client: every task of it ends ABORTED
   (END last), the callback's own included, and waiting for them returns. */
struct freeing_client {
    kimi_client *client;
    int events, freed;
    kimi_status status;
};

static int free_client_inside(const kimi_stream_event *ev, void *user_data) {
    struct freeing_client *f = user_data;
    pthread_mutex_lock(&seen_lock);
    f->events++;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_END) f->status = kimi_stream_event_status(ev);
    else if (!f->freed) {
        f->freed = 1;
        kimi_client_free(f->client);
    }
    pthread_mutex_unlock(&seen_lock);
    return 0;
}

static void test_client_freed_inside_a_callback(void) {
    struct freeing_client f;
    kimi_task *first = NULL, *others[3];
    kimi_batch *batch = NULL;
    struct seen seen[3];
    int i;
    memset(&f, 0, sizeof f);
    f.client = case_client(unique("batchwait/never"));
    CHECK_INT(kimi_batch_retrieve(f.client, "batch-files", &batch), KIMI_OK);
    for (i = 0; i < 3; i++) {
        seen_init(&seen[i]);
        CHECK_INT(kimi_batch_wait_start(f.client, batch, 60000, NULL, on_event, &seen[i], &others[i]), KIMI_OK);
    }
    /* the first PROGRESS of this one frees the client */
    pthread_mutex_lock(&seen_lock);
    CHECK_INT(kimi_batch_wait_start(f.client, batch, 60000, NULL, free_client_inside, &f, &first), KIMI_OK);
    pthread_mutex_unlock(&seen_lock);
    CHECK_INT(kimi_task_wait(first, 15000), KIMI_E_ABORTED);
    for (i = 0; i < 3; i++) {
        CHECK_INT(kimi_task_wait(others[i], 15000), KIMI_E_ABORTED);
        CHECK_INT(seen[i].ends, 1);
        kimi_task_free(others[i]);
    }
    CHECK_INT(f.freed, 1);
    CHECK_INT(f.status, KIMI_E_ABORTED);
    kimi_task_free(first);
    kimi_batch_free(batch);
}

/* ------------------------------------------------------ hostile files */

/* A FIFO, a directory, /dev/zero: refused before any request, by path. */
static void test_uploads_of_files_that_are_not_files(void) {
    kimi_client *client = test_client();
    const char *fifo = temp_path("fifo");
    const char *paths[3];
    kimi_task *task = (kimi_task *)1;
    kimi_file *file = NULL;
    size_t i;
    unlink(fifo);
    CHECK_INT(mkfifo(fifo, 0600), 0);
    paths[0] = fifo, paths[1] = "/tmp", paths[2] = "/dev/zero";
    watchdog(60);
    for (i = 0; i < 3; i++) {
        CHECK_INT(kimi_file_upload_start(client, paths[i], "file-extract", NULL, NULL, NULL, &task), KIMI_E_INVALID_ARGUMENT);
        CHECK(task == NULL);
        CHECK_CONTAINS(kimi_error_message(), paths[i]);
        CHECK_CONTAINS(kimi_error_message(), "not a regular file");
        CHECK_INT(kimi_file_upload(client, paths[i], "batch", NULL, NULL, &file), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), "not a regular file");
    }
    watchdog(0);
    unlink(fifo);
    kimi_client_free(client);
}

/* What the upload callback does to the file at its first PROGRESS. */
struct changing {
    const char *path;
    int how; /* 0 shrink, 1 grow, 2 rewrite in place (same size) */
    int done;
};

static int change_file(const kimi_stream_event *ev, void *user_data) {
    struct changing *c = user_data;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_PROGRESS && !c->done) {
        c->done = 1;
        if (c->how == 0) {
            CHECK_INT(truncate(c->path, 1000), 0);
        } else {
            FILE *f = fopen(c->path, c->how == 1 ? "ab" : "r+b");
            CHECK(f != NULL);
            if (f) {
                if (c->how == 2) fseek(f, 4 << 20, SEEK_SET);
                fputs("written while it was uploaded", f);
                fclose(f);
            }
        }
    }
    return 0;
}

/* A file that shrinks, grows or is rewritten while it is uploaded: the
   upload fails naming the file and what happened to it, never sending a
   silently different file (the slow server reads it over a while). */
static void test_files_that_change_during_the_upload(void) {
    static const char *says[] = {"shrank", "changed", "changed"};
    int how;
    for (how = 0; how < 3; how++) {
        kimi_client *client = case_client("slowupload/5");
        const char *path = temp_path("changing.txt");
        struct changing c;
        kimi_task *task = NULL;
        kimi_file *file = NULL;
        kimi_status status;
        write_file(path, 8 << 20);
        c.path = path, c.how = how, c.done = 0;
        CHECK_INT(kimi_file_upload_start(client, path, "file-extract", NULL, change_file, &c, &task), KIMI_OK);
        status = kimi_task_wait(task, 60000);
        if (status != KIMI_E_INVALID_ARGUMENT) fprintf(stderr, "  how %d: %d %s\n", how, status, kimi_error_message());
        CHECK_INT(status, KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), path);
        CHECK_CONTAINS(kimi_error_message(), says[how]);
        CHECK_INT(kimi_task_file(task, &file), status);
        kimi_task_free(task);
        kimi_client_free(client);
        unlink(path);
    }
}

struct replacing {
    const char *path, *other;
    int done;
};

static int replace_file(const kimi_stream_event *ev, void *user_data) {
    struct replacing *r = user_data;
    if (kimi_stream_event_type(ev) == KIMI_EVENT_PROGRESS && !r->done) {
        r->done = 1;
        CHECK_INT(rename(r->other, r->path), 0);
    }
    return 0;
}

/* A file replaced (renamed over) while it is uploaded: what was opened is
   sent, whole and unchanged. Replaced after the upload was made but before
   it was opened (it waited for a connection slot): refused, named. */
static void test_files_replaced_around_the_upload(void) {
    char path[512], other[512];
    snprintf(path, sizeof path, "%s", temp_path("replaced.txt"));
    snprintf(other, sizeof other, "%s", temp_path("replacement.txt"));
    {
        kimi_client *client = case_client("slowupload/2");
        struct replacing r;
        kimi_task *task = NULL;
        kimi_file *file = NULL;
        write_file(path, 4 << 20);
        write_file(other, 1000);
        r.path = path, r.other = other, r.done = 0;
        CHECK_INT(kimi_file_upload_start(client, path, "file-extract", NULL, replace_file, &r, &task), KIMI_OK);
        CHECK_INT(kimi_task_wait(task, 60000), KIMI_OK);
        CHECK_INT(kimi_task_file(task, &file), KIMI_OK);
        /* the server counted the multipart body: the 4 MiB file and its framing */
        CHECK(kimi_file_bytes(file) > (4 << 20) && kimi_file_bytes(file) < (4 << 20) + 1000);
        kimi_file_free(file);
        kimi_task_free(task);
        kimi_client_free(client);
    }
    {
        /* one connection: the upload waits behind a stalled download */
        kimi_client_options *opts = case_options("content/stall/10");
        kimi_client *client;
        kimi_task *stall = NULL, *upload = NULL;
        struct seen s;
        CHECK_INT(kimi_client_options_set_max_connections(opts, 1), KIMI_OK);
        client = test_client_from(opts);
        write_file(path, 5000);
        seen_init(&s);
        CHECK_INT(kimi_file_content_start(client, "file-1", NULL, on_event, &s, &stall), KIMI_OK);
        {
            double until = now_ms() + 15000;
            while (seen_read(&s.data) < 1 && now_ms() < until) pause_us(1000);
        }
        CHECK_INT(kimi_file_upload_start(client, path, "file-extract", NULL, NULL, NULL, &upload), KIMI_OK);
        write_file(other, 7000);
        CHECK_INT(rename(other, path), 0);
        kimi_task_cancel(stall); /* the slot frees: the upload opens the file now */
        CHECK_INT(kimi_task_wait(upload, 15000), KIMI_E_INVALID_ARGUMENT);
        CHECK_CONTAINS(kimi_error_message(), path);
        CHECK_CONTAINS(kimi_error_message(), "changed before it was uploaded (5000 bytes when the upload was made, 7000 now)");
        kimi_task_free(stall);
        kimi_task_free(upload);
        kimi_client_free(client);
    }
    unlink(path);
    unlink(other);
}

/* Bytes uploaded from memory: once kimi_task_free returned, the library
   reads them no more, so the caller may free them at once. The memory is
   made unreadable right after the free: a read after it is a crash here,
   with or without ASan. */
static void test_freed_data_upload_reads_no_more(void) {
    kimi_client *client = case_client("slowupload/1");
    int round;
    for (round = 0; round < 8; round++) {
        size_t size = 16 << 20;
        int zero = open("/dev/zero", O_RDWR | O_CLOEXEC);
        char *data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
        kimi_task *task = NULL;
        struct seen s;
        close(zero);
        CHECK(data != MAP_FAILED);
        if (data == MAP_FAILED) break;
        memset(data, 'a', size);
        seen_init(&s);
        CHECK_INT(kimi_file_upload_data_start(client, "big.txt", data, size, "file-extract", NULL, on_event, &s, &task),
                  KIMI_OK);
        /* the upload runs: some progress came */
        {
            double until = now_ms() + 15000;
            while (seen_read(&s.progress) < 2 + round && now_ms() < until) pause_us(1000);
        }
        CHECK(seen_read(&s.progress) >= 2);
        kimi_task_free(task);
        CHECK_INT(mprotect(data, size, PROT_NONE), 0);
        pause_us(20000); /* the loop runs on meanwhile */
        munmap(data, size);
    }
    kimi_client_free(client);
}

/* ------------------------------------------- blocking forms, stopped */

struct stopping {
    int pieces, stop_write_at, stop_progress_at, progresses;
    uint64_t bytes, stop_at_bytes;
};

static int write_piece(const void *data, size_t len, void *user_data) {
    struct stopping *st = user_data;
    (void)data;
    st->pieces++;
    st->bytes += len;
    return (st->stop_write_at && st->pieces == st->stop_write_at) || (st->stop_at_bytes && st->bytes == st->stop_at_bytes);
}

static int progress_piece(uint64_t sent, uint64_t total, void *user_data) {
    struct stopping *st = user_data;
    (void)sent, (void)total;
    st->progresses++;
    return st->stop_progress_at && st->progresses == st->stop_progress_at;
}

/* kimi_file_content_write stopped by either callback at its first pieces
   and at its very last: ABORTED naming the callback, and bytes_out counts
   every byte given to `write` (the piece it stopped at too), as the
   message does. */
static void test_blocking_download_stopped_everywhere(void) {
    kimi_client *client = test_client();
    int at, which;
    watchdog(120);
    for (which = 0; which < 2; which++) {
        for (at = 1; at <= 2; at++) {
            struct stopping st;
            uint64_t bytes = 0;
            char says[64];
            memset(&st, 0, sizeof st);
            if (which) st.stop_progress_at = at;
            else st.stop_write_at = at;
            CHECK_INT(kimi_file_content_write(client, "file-big-30000000", write_piece, progress_piece, &st, &bytes),
                      KIMI_E_ABORTED);
            CHECK_CONTAINS(kimi_error_message(), which ? "progress callback" : "write callback");
            snprintf(says, sizeof says, "after %llu bytes", (unsigned long long)st.bytes);
            CHECK_CONTAINS(kimi_error_message(), says);
            CHECK_INT(st.pieces, at);
            CHECK_INT(bytes, st.bytes);
        }
    }
    {
        struct stopping st;
        uint64_t bytes = 0;
        memset(&st, 0, sizeof st);
        st.stop_at_bytes = 3000000; /* at its very last piece: still a stop */
        CHECK_INT(kimi_file_content_write(client, "file-big-3000000", write_piece, NULL, &st, &bytes), KIMI_E_ABORTED);
        CHECK_INT(bytes, 3000000);
        memset(&st, 0, sizeof st);
        CHECK_INT(kimi_file_content_write(client, "file-big-3000000", write_piece, progress_piece, &st, &bytes), KIMI_OK);
        CHECK_INT(bytes, 3000000);
    }
    watchdog(0);
    kimi_client_free(client);
}

/* KIMI_TEST_ONLY=a,b runs the tests whose names contain one of the words
   (make tsan runs the ones about threads: the rest only takes long there). */
static int selected(const char *name) {
    const char *only = getenv("KIMI_TEST_ONLY");
    char words[512], *word, *rest = NULL;
    if (!only || !*only) return 1;
    snprintf(words, sizeof words, "%s", only);
    for (word = strtok_r(words, ",", &rest); word; word = strtok_r(NULL, ",", &rest))
        if (strstr(name, word)) return 1;
    return 0;
}

#define RUN_SOME(test)                     \
    do {                                   \
        if (selected(#test)) RUN(test);    \
    } while (0)

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    RUN_SOME(test_contents_that_lie);
    RUN_SOME(test_contents_that_stall_or_never_end);
    RUN_SOME(test_a_fast_large_content);
    RUN_SOME(test_client_freed_under_running_tasks);
    RUN_SOME(test_hostile_result_lines);
    RUN_SOME(test_result_files_too_long_endless_and_cut);
    RUN_SOME(test_result_file_ids_that_are_not_ids);
    RUN_SOME(test_results_cancelled_while_lines_come);
    RUN_SOME(test_batches_that_never_end);
    RUN_SOME(test_blocking_wait_stopped_everywhere);
    RUN_SOME(test_listing_tasks_that_never_end);
    RUN_SOME(test_no_task_shows_the_key);
    RUN_SOME(test_cancel_and_free_at_every_moment);
    RUN_SOME(test_client_freed_inside_a_callback);
    RUN_SOME(test_queues_nobody_drains);
    RUN_SOME(test_cancel_after_the_end_keeps_it);
    RUN_SOME(test_taken_event_outlives_its_task);
    RUN_SOME(test_uploads_of_files_that_are_not_files);
    RUN_SOME(test_files_that_change_during_the_upload);
    RUN_SOME(test_files_replaced_around_the_upload);
    RUN_SOME(test_freed_data_upload_reads_no_more);
    RUN_SOME(test_blocking_download_stopped_everywhere);
    return harness_finish();
}
