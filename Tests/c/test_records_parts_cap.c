/* A server chunk that makes more events than a record can count (65,535
 * parts: a record's `count` is 16-bit). One chunk whose `choices` array
 * repeats choice 0 with a one-byte content 70,000 times would make 70,000
 * CONTENT_DELTA events, well under max_event_bytes. Read as records it
 * wedged the reader (every call KIMI_E_TOO_LARGE with len_out 0, and the
 * records written before it in the same call lost). Now such a chunk fails
 * its stream with KIMI_E_PARSE in every read mode, and what other tasks
 * queued still comes.
 *
 * Served by a small HTTP server of this program (a thread): a request whose
 * body holds "many-parts" gets that stream, any other a short good one. */
#define _GNU_SOURCE /* strcasestr */
#include "harness.h"

#include <poll.h>
#include <stdint.h>

static int listener = -1;

static void send_all(int fd, const char *bytes, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, bytes, n);
        if (w <= 0) return;
        bytes += w;
        n -= (size_t)w;
    }
}

/* Answers every connection once (Connection: close). */
static void *serve(void *arg) {
    (void)arg;
    for (;;) {
        static char request[1 << 16];
        size_t got = 0, at = 0, cap;
        char head[256], *body;
        int fd = accept(listener, NULL, NULL), i, many;
        if (fd < 0) return NULL;
        for (;;) {
            ssize_t n = read(fd, request + got, sizeof request - 1 - got);
            char *end, *length;
            if (n <= 0) break;
            got += (size_t)n;
            request[got] = 0;
            if (!(end = strstr(request, "\r\n\r\n"))) continue;
            length = strcasestr(request, "content-length:");
            if (!length || (size_t)(end + 4 - request) + (size_t)atol(length + 15) <= got) break;
        }
        many = strstr(request, "many-parts") != NULL;
        cap = many ? 70000 * 48 + 4096 : 4096;
        body = malloc(cap);
        at += (size_t)snprintf(body + at, cap - at,
                               "data: {\"id\":\"c\",\"model\":\"m\",\"created\":1,\"choices\":[{\"index\":0,"
                               "\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n");
        if (many) {
            at += (size_t)snprintf(body + at, cap - at, "data: {\"id\":\"c\",\"model\":\"m\",\"created\":1,\"choices\":[");
            for (i = 0; i < 70000; i++)
                at += (size_t)snprintf(body + at, cap - at, "%s{\"index\":0,\"delta\":{\"content\":\"y\"}}", i ? "," : "");
            at += (size_t)snprintf(body + at, cap - at, "]}\n\n");
        } else {
            at += (size_t)snprintf(body + at, cap - at,
                                   "data: {\"id\":\"c\",\"model\":\"m\",\"created\":1,\"choices\":[{\"index\":0,"
                                   "\"delta\":{\"content\":\"hello \"}}]}\n\n"
                                   "data: {\"id\":\"c\",\"model\":\"m\",\"created\":1,\"choices\":[{\"index\":0,"
                                   "\"delta\":{\"content\":\"world\"}}]}\n\n");
        }
        at += (size_t)snprintf(body + at, cap - at,
                               "data: {\"id\":\"c\",\"model\":\"m\",\"created\":1,\"choices\":[{\"index\":0,"
                               "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        snprintf(head, sizeof head,
                 "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: %zu\r\n"
                 "X-Request-Id: req-local\r\nConnection: close\r\n\r\n",
                 at);
        send_all(fd, head, strlen(head));
        send_all(fd, body, at);
        free(body);
        close(fd);
    }
}

static kimi_client *local_client(void) {
    struct sockaddr_in address;
    socklen_t size = sizeof address;
    static pthread_t thread;
    char url[64];
    kimi_client_options *opts = test_options();
    if (listener < 0) {
        listener = socket(AF_INET, SOCK_STREAM, 0);
        memset(&address, 0, sizeof address);
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 16) != 0 ||
            getsockname(listener, (struct sockaddr *)&address, &size) != 0) {
            fprintf(stderr, "cannot listen\n");
            exit(2);
        }
        pthread_create(&thread, NULL, serve, NULL);
    } else if (getsockname(listener, (struct sockaddr *)&address, &size) != 0) {
        exit(2);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", ntohs(address.sin_port));
    if (kimi_client_options_set_base_url(opts, url) != KIMI_OK || kimi_client_options_set_api_key(opts, "sk-x") != KIMI_OK)
        exit(2);
    return test_client_from(opts);
}

/* Counts the parts of `len` bytes of records per task (user data 1 or 2):
 * content bytes and ENDs. */
static void count(const unsigned char *buf, size_t len, size_t content[3], int ends[3]) {
    size_t at = 0;
    while (at + sizeof(kimi_record) <= len) {
        kimi_record rec;
        size_t p;
        unsigned k;
        memcpy(&rec, buf + at, sizeof rec);
        if (rec.size < 32 || rec.size > len - at) return;
        p = at + sizeof rec;
        for (k = 0; rec.type == KIMI_RECORD_EVENTS && rec.user_data <= 2 && k < rec.count; k++) {
            kimi_record_part part;
            memcpy(&part, buf + p, sizeof part);
            if (part.type == KIMI_EVENT_CONTENT_DELTA) content[rec.user_data] += part.len;
            if (part.type == KIMI_EVENT_END) ends[rec.user_data]++;
            p += sizeof part + (((size_t)part.len + part.len2 + 7) & ~(size_t)7);
        }
        at += rec.size;
    }
}

/* Read event by event too, the chunk fails the stream (none of its
 * events delivered, the error names the chunk and the limit), and the END
 * comes. */
static void test_the_chunk_fails_the_stream(void) {
    kimi_client *client = local_client();
    kimi_chat_request *req = user_request(NULL, "many-parts");
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL;
    const kimi_stream_event *event;
    int contents = 0, ends = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)2, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, 10000), KIMI_E_PARSE);
    CHECK(strstr(kimi_error_message(), "makes 70000 events") != NULL);
    CHECK(strstr(kimi_error_message(), "at most 65535") != NULL);
    while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
        contents += kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA;
        ends += kimi_stream_event_type(event) == KIMI_EVENT_END;
    }
    CHECK_INT(contents, 0);
    CHECK_INT(ends, 1);
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A good task's events, then the other task's chunk of 70,000 events, read
 * as records with a buffer (8 MiB) that holds them all: the good task's
 * records come (they were taken), and the reader gets past the big chunk
 * within a few calls (its task's END comes), instead of every call failing
 * with KIMI_E_TOO_LARGE and len_out 0 for ever. */
static void test_queue_records_get_past_the_chunk(void) {
    kimi_client *client = local_client();
    kimi_chat_request *good = user_request(NULL, "good"), *many = user_request(NULL, "many-parts");
    kimi_event_queue *queue = NULL;
    kimi_task *a = NULL, *b = NULL;
    size_t capacity = 8 << 20, content[3] = {0, 0, 0};
    unsigned char *buf = malloc(capacity);
    int ends[3] = {0, 0, 0}, call, failures = 0, stuck_len0 = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, good, queue, (void *)1, &a), KIMI_OK);
    CHECK_INT(kimi_task_wait(a, 10000), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, many, queue, (void *)2, &b), KIMI_OK);
    CHECK_INT(kimi_task_wait(b, 10000), KIMI_E_PARSE);
    for (call = 0; call < 10 && ends[2] == 0; call++) {
        size_t len = 0;
        kimi_status status = kimi_event_queue_read_records(queue, buf, capacity, &len);
        if (status != KIMI_OK) {
            failures++;
            if (status == KIMI_E_TOO_LARGE && len == 0) stuck_len0++;
            if (call == 0) fprintf(stderr, "  read_records: %d (%s), len %zu\n", status, kimi_error_message(), len);
            continue;
        }
        count(buf, len, content, ends);
    }
    CHECK_INT(content[1], strlen("hello world")); /* the good task's records, taken in the first call, came */
    CHECK_INT(ends[1], 1);
    CHECK_INT(ends[2], 1);                        /* the reader got past the big chunk */
    CHECK_INT(stuck_len0, 0);                     /* not the same refusal, for ever */
    CHECK_INT(failures, 0);                       /* the failure is the task's, in its END */
    kimi_task_free(a);
    kimi_task_free(b);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(good);
    kimi_chat_request_free(many);
    free(buf);
    kimi_client_free(client);
}

/* The same chunk read from a pull stream as records: the role chunk's
 * record comes, and the stream gets past the big chunk (its events, or a
 * failure once, then nothing) instead of failing every call the same way. */
static void test_stream_records_get_past_the_chunk(void) {
    kimi_client *client = local_client();
    kimi_chat_request *req = user_request(NULL, "many-parts");
    kimi_stream *stream = NULL;
    size_t capacity = 8 << 20, content[3] = {0, 0, 0};
    unsigned char *buf = malloc(capacity);
    int ends[3] = {0, 0, 0}, call, records = 0, same_failure = 0, finished = 0, parse_failures = 0;
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    for (call = 0; call < 10 && !finished; call++) {
        size_t len = 0;
        kimi_status status = kimi_stream_read_records(stream, buf, capacity, &len);
        if (status != KIMI_OK) {
            same_failure += status == KIMI_E_TOO_LARGE && len == 0;
            parse_failures += status == KIMI_E_PARSE;
            if (call <= 1) fprintf(stderr, "  read_records: %d (%s), len %zu\n", status, kimi_error_message(), len);
            continue;
        }
        if (len == 0) finished = 1;
        records += len > 0;
        count(buf, len, content, ends);
    }
    CHECK(records >= 1); /* at least the role chunk's record */
    CHECK_INT(same_failure, 0);
    CHECK_INT(parse_failures, 1); /* the stream's failure, once */
    CHECK(finished);
    kimi_stream_free(stream);
    kimi_chat_request_free(req);
    free(buf);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_the_chunk_fails_the_stream);
    RUN(test_queue_records_get_past_the_chunk);
    RUN(test_stream_records_get_past_the_chunk);
    return harness_finish();
}
