/* A minimal test harness for the C API tests. Each test program runs its
 * tests against the mock server (KIMI_BASE_URL, set by with_mock.py) and
 * prints "N passed, M failed" as its last line. */
#ifndef KIMI_TEST_HARNESS_H
#define KIMI_TEST_HARNESS_H

/* setenv, pthreads, clock_gettime: POSIX on top of strict C99. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <kimi.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int harness_passed, harness_failed, harness_test_failed;
static const char *harness_current;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "  FAIL %s:%d in %s: %s\n", __FILE__, __LINE__, harness_current, \
                    #cond);                                                                  \
            harness_test_failed = 1;                                                         \
        }                                                                                    \
    } while (0)

#define CHECK_STR(actual, expected)                                                                   \
    do {                                                                                              \
        const char *a_ = (actual), *e_ = (expected);                                                  \
        if (!a_ || strcmp(a_, e_) != 0) {                                                             \
            fprintf(stderr, "  FAIL %s:%d in %s: %s\n    got:      \"%s\"\n    expected: \"%s\"\n", \
                    __FILE__, __LINE__, harness_current, #actual, a_ ? a_ : "(null)", e_);            \
            harness_test_failed = 1;                                                                  \
        }                                                                                             \
    } while (0)

#define CHECK_CONTAINS(actual, needle)                                                                \
    do {                                                                                              \
        const char *a_ = (actual), *n_ = (needle);                                                    \
        if (!a_ || !strstr(a_, n_)) {                                                                 \
            fprintf(stderr, "  FAIL %s:%d in %s: %s\n    got:  \"%s\"\n    lacks: \"%s\"\n",       \
                    __FILE__, __LINE__, harness_current, #actual, a_ ? a_ : "(null)", n_);            \
            harness_test_failed = 1;                                                                  \
        }                                                                                             \
    } while (0)

#define CHECK_INT(actual, expected)                                                                   \
    do {                                                                                              \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                               \
        if (a_ != e_) {                                                                               \
            fprintf(stderr, "  FAIL %s:%d in %s: %s == %lld, expected %lld (last error: %s)\n",       \
                    __FILE__, __LINE__, harness_current, #actual, a_, e_, kimi_error_message());      \
            harness_test_failed = 1;                                                                  \
        }                                                                                             \
    } while (0)

#define RUN(test)                                               \
    do {                                                        \
        harness_current = #test;                                \
        harness_test_failed = 0;                                \
        test();                                                 \
        if (harness_test_failed) {                              \
            harness_failed++;                                   \
            fprintf(stderr, "FAILED %s\n", #test);              \
        } else {                                                \
            harness_passed++;                                   \
        }                                                       \
    } while (0)

static int harness_finish(void) {
    printf("%d passed, %d failed\n", harness_passed, harness_failed);
    return harness_failed ? 1 : 0;
}

/* Options for a test client: no retries, so a test that is not about
 * retrying sees each failure at once (retry tests set their own). */
static inline kimi_client_options *test_options(void) {
    kimi_client_options *opts = kimi_client_options_new();
    if (!opts || kimi_client_options_set_max_retries(opts, 0) != KIMI_OK) {
        fprintf(stderr, "cannot create options: %s\n", kimi_error_message());
        exit(2);
    }
    return opts;
}

/* A client for the mock server named by the environment (with_mock.py),
 * made from `opts`, which it frees. */
static inline kimi_client *test_client_from(kimi_client_options *opts) {
    kimi_client *client = NULL;
    if (kimi_client_new(opts, &client) != KIMI_OK) {
        fprintf(stderr, "cannot create a client: %s\n", kimi_error_message());
        exit(2);
    }
    kimi_client_options_free(opts);
    return client;
}

static inline kimi_client *test_client(void) { return test_client_from(test_options()); }

/* Options for the hostile server's case `path` (with_mock.py --hostile
 * names its port in KIMI_HOSTILE_PORT), with `key` as the API key. */
static inline kimi_client_options *hostile_options(const char *path, const char *key) {
    static char url[512];
    kimi_client_options *opts = test_options();
    const char *port = getenv("KIMI_HOSTILE_PORT");
    if (!port) {
        fprintf(stderr, "KIMI_HOSTILE_PORT is not set (run through with_mock.py --hostile)\n");
        exit(2);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%s/%s/v1", port, path);
    if (kimi_client_options_set_base_url(opts, url) != KIMI_OK ||
        (key && kimi_client_options_set_api_key(opts, key) != KIMI_OK)) {
        fprintf(stderr, "cannot point at %s: %s\n", url, kimi_error_message());
        exit(2);
    }
    return opts;
}

/* What drain_queue saw of one task (its user data is its index). */
struct drained {
    size_t content;
    int ended;
    kimi_status status;
    char tail[8];
};

/* Takes events until every one of `count` tasks ended, waiting on the
 * queue's descriptor (at most `limit_ms` without any event: a stall fails
 * the test instead of hanging it). `pause_every` > 0 makes a slow reader:
 * it sleeps 1 ms after that many events. */
static inline void drain_queue(kimi_event_queue *queue, struct drained *seen, int count, int pause_every, int limit_ms) {
    int ended = 0;
    long taken = 0;
    struct pollfd watch;
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (ended < count) {
        const kimi_stream_event *event;
        int got = 0;
        while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
            struct drained *s = &seen[(size_t)kimi_stream_event_user_data(event)];
            size_t n;
            const char *text = kimi_stream_event_text(event, &n);
            got = 1;
            if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA) {
                s->content += n;
                if (n >= 4) memcpy(s->tail, text + n - 4, 4);
            }
            if (kimi_stream_event_type(event) == KIMI_EVENT_END) {
                s->ended = 1;
                s->status = kimi_stream_event_status(event);
                ended++;
            }
            if (pause_every > 0 && ++taken % pause_every == 0) {
                struct timespec ms = {0, 1000000L};
                nanosleep(&ms, NULL);
            }
        }
        if (!got && poll(&watch, 1, limit_ms) != 1) {
            fprintf(stderr, "  no event for %d ms: %d of %d tasks ended\n", limit_ms, ended, count);
            CHECK(0);
            return;
        }
    }
}

/* A one-message request. */
static inline kimi_chat_request *user_request(const char *model, const char *text) {
    kimi_chat_request *req = kimi_chat_request_new(model);
    if (!req || kimi_chat_request_add_message(req, "user", text) != KIMI_OK) {
        fprintf(stderr, "cannot build a request: %s\n", kimi_error_message());
        exit(2);
    }
    return req;
}

/* Monotonic time in milliseconds. */
static inline double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Cancels `token` from another thread after `delay_ms`:
 *   struct canceller c = {token, 300, 0};
 *   pthread_create(&thread, NULL, cancel_later, &c);  */
struct canceller {
    kimi_cancel_token *token;
    int delay_ms;
    double cancelled_at; /* now_ms() of the cancel */
};

static inline void *cancel_later(void *arg) {
    struct canceller *c = arg;
    struct timespec wait;
    wait.tv_sec = c->delay_ms / 1000;
    wait.tv_nsec = (c->delay_ms % 1000) * 1000000L;
    nanosleep(&wait, NULL);
    c->cancelled_at = now_ms();
    kimi_cancel_token_cancel(c->token);
    return NULL;
}

/* The mock's answer to GET `path`, head and body, in `answer` (NUL-ended);
 * 0, or -1 when it cannot be read. */
static inline int mock_get(const char *path, char *answer, size_t size) {
    const char *port = getenv("KIMI_MOCK_PORT");
    char request[256];
    struct sockaddr_in address;
    size_t got = 0;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (!port || fd < 0 || size == 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)atoi(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        close(fd);
        return -1;
    }
    while (got < size - 1 && (n = read(fd, answer + got, size - 1 - got)) > 0) got += (size_t)n;
    close(fd);
    answer[got] = 0;
    return 0;
}

/* A number the mock keeps for requests sent with "key=KEY": field "count",
 * "active" or "peak" of GET /mock/count/KEY; -1 when it cannot be read. */
static inline long mock_count(const char *key, const char *field) {
    char path[128], answer[4096], needle[64];
    const char *at;
    snprintf(path, sizeof path, "/mock/count/%s", key);
    if (mock_get(path, answer, sizeof answer) != 0) return -1;
    snprintf(needle, sizeof needle, "\"%s\":", field);
    at = strstr(answer, needle);
    return at ? strtol(at + strlen(needle), NULL, 10) : -1;
}

/* Writes a batch input file at `path`: `lines` copies of `req`, custom ids
 * req-0, req-1, ... */
static inline void write_batch_input(const char *path, int lines, const kimi_chat_request *req) {
    kimi_batch_input *input = kimi_batch_input_new(path);
    int i;
    CHECK(input != NULL);
    for (i = 0; input && i < lines; i++) {
        char id[32];
        snprintf(id, sizeof id, "req-%d", i);
        CHECK_INT(kimi_batch_input_add(input, id, req), KIMI_OK);
    }
    CHECK_INT(kimi_batch_input_close(input, NULL), KIMI_OK);
    kimi_batch_input_free(input);
}

/* The recorder's answer to GET `path`, head and body. Caller frees. */
static inline char *recorder_get(const char *path) {
    const char *port = getenv("KIMI_RECORDER_PORT");
    char request[128];
    size_t size = 1 << 20, got = 0;
    char *answer = malloc(size);
    struct sockaddr_in address;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (!port || !answer || fd < 0) {
        fprintf(stderr, "KIMI_RECORDER_PORT is not set (run through with_mock.py --hostile)\n");
        exit(2);
    }
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)atoi(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
        fprintf(stderr, "cannot reach the recorder\n");
        exit(2);
    }
    while (got < size - 1 && (n = read(fd, answer + got, size - 1 - got)) > 0) got += (size_t)n;
    close(fd);
    answer[got] = 0;
    return answer;
}

/* `opts` pointed at the recorder (with_mock.py --hostile names its port in
 * KIMI_RECORDER_PORT), Kimi's rules on or off. */
static inline kimi_client_options *recorder_options(kimi_client_options *opts, int kimi_rules) {
    char url[64];
    const char *port = getenv("KIMI_RECORDER_PORT");
    if (!port) {
        fprintf(stderr, "KIMI_RECORDER_PORT is not set (run through with_mock.py --hostile)\n");
        exit(2);
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%s/v1", port);
    if (kimi_client_options_set_base_url(opts, url) != KIMI_OK ||
        kimi_client_options_set_kimi_rules(opts, kimi_rules) != KIMI_OK) {
        fprintf(stderr, "cannot point at %s: %s\n", url, kimi_error_message());
        exit(2);
    }
    return opts;
}

/* The recorder's GET /recorded: the JSON list of requests since the last
 * call (json.dumps spacing: "key": value). Caller frees. */
static inline char *recorded(void) { return recorder_get("/recorded"); }

/* The last body the recorder was sent, byte for byte (GET /recorded/body;
 * the bodies tested hold no NUL). Caller frees. */
static inline char *recorded_body(void) {
    char *answer = recorder_get("/recorded/body");
    char *body = strstr(answer, "\r\n\r\n");
    memmove(answer, body ? body + 4 : answer + strlen(answer), strlen(body ? body + 4 : "") + 1);
    return answer;
}

#endif
