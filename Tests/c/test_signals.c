/* libkimi never changes a signal's disposition and never raises SIGPIPE in
 * the host (kimi.h, Signals).
 *
 * curl sets SIGPIPE to SIG_IGN and back around its work on any handle
 * without CURLOPT_NOSIGNAL: an easy handle after curl_easy_reset, and a
 * multi handle's own internal handle, which takes the option only from a
 * handle added to the multi (a client whose calls never reached a
 * connection). This program interposes sigaction(2): every call that sets a
 * disposition (act != NULL) from anywhere in the process is counted, and
 * the host itself sets none while a scenario runs. glibc's own pthread_create
 * installs its SIGSETXID handler through an internal call that never reaches
 * this wrapper.
 *
 * Scenarios that need SIGPIPE at SIG_DFL (a raised SIGPIPE kills the
 * process) run in a forked child; the parent checks the child exited with 0
 * and was not killed.
 *
 * Against the mock (with_mock.py); most cases came from an attack on the
 * first fix, which they broke. */
#define _GNU_SOURCE
#include "harness.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>

static atomic_long set_calls[65];
static atomic_int host_setting;

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);

int sigaction(int signo, const struct sigaction *act, struct sigaction *old) {
    static sigaction_fn real;
    if (!real) {
        void *sym = dlsym(RTLD_NEXT, "sigaction");
        memcpy(&real, &sym, sizeof real);
    }
    if (act && !atomic_load(&host_setting) && signo > 0 && signo < 65) atomic_fetch_add(&set_calls[signo], 1);
    return real(signo, act, old);
}

static void host_set(int signo, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    atomic_store(&host_setting, 1);
    sigaction(signo, &sa, NULL);
    atomic_store(&host_setting, 0);
}

static void reset_counts(void) {
    int i;
    for (i = 0; i < 65; i++) atomic_store(&set_calls[i], 0);
}

/* 0 when the library set no disposition since reset_counts; else reports. */
static long library_sets(const char *what) {
    long total = 0;
    int i;
    for (i = 1; i < 65; i++) {
        long n = atomic_load(&set_calls[i]);
        if (n) fprintf(stderr, "  %s: signal %d's disposition was set %ld times\n", what, i, n);
        total += n;
    }
    return total;
}

static void host_handler(int signo) { (void)signo; }

static int noop(const kimi_stream_event *event, void *user_data) {
    (void)event;
    (void)user_data;
    return 0;
}

/* A task whose cancel token fired before it started: no easy handle ever
 * joins the loop's multi handle, so curl's closure handle keeps
 * no_signal = 0 and curl_multi_cleanup (at kimi_client_free) sets SIGPIPE
 * to SIG_IGN and back. */
static void test_pre_cancelled_task_then_free(void) {
    host_set(SIGPIPE, host_handler);
    reset_counts();
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request("kimi-k2.6", "never sent [[mock: chunks=3]]");
    kimi_cancel_token *token = kimi_cancel_token_new();
    kimi_cancel_token_cancel(token);
    CHECK_INT(kimi_chat_request_set_cancel_token(req, token), KIMI_OK);
    kimi_task *task = NULL;
    CHECK_INT(kimi_chat_stream_start(client, req, noop, NULL, &task), KIMI_OK);
    CHECK_INT(kimi_task_wait(task, 5000), KIMI_E_ABORTED);
    kimi_task_free(task);
    kimi_client_free(client);
    CHECK_INT(library_sets("pre-cancelled task, client freed"), 0);
    kimi_chat_request_free(req);
    kimi_cancel_token_free(token);
}

/* The same for a blocking call: its pooled session's multi handle never
 * gets an easy handle; freeing the client cleans it up. */
static void test_pre_cancelled_blocking_call_then_free(void) {
    host_set(SIGPIPE, host_handler);
    reset_counts();
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request("kimi-k2.6", "never sent");
    kimi_cancel_token *token = kimi_cancel_token_new();
    kimi_cancel_token_cancel(token);
    CHECK_INT(kimi_chat_request_set_cancel_token(req, token), KIMI_OK);
    kimi_chat_response *resp = NULL;
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_E_ABORTED);
    kimi_chat_response_free(resp);
    kimi_client_free(client);
    CHECK_INT(library_sets("pre-cancelled blocking call, client freed"), 0);
    kimi_chat_request_free(req);
    kimi_cancel_token_free(token);
}

/* Ordinary use: blocking calls, streams, tasks cancelled at once or
 * mid-stream, a client freed with live tasks. */
static void test_ordinary_use_sets_no_disposition(void) {
    enum { ROUNDS = 5, TASKS = 80 };
    int round, i;
    host_set(SIGPIPE, host_handler);
    reset_counts();
    kimi_chat_request *quick = user_request("kimi-k2.6", "quick [[mock: chunks=3]]");
    kimi_chat_request *slow = user_request("kimi-k2.6", "slow [[mock: chunks=50 delay_ms=20]]");
    for (round = 0; round < ROUNDS; round++) {
        kimi_client *client = test_client();
        kimi_chat_response *resp = NULL;
        CHECK_INT(kimi_chat_create(client, quick, &resp), KIMI_OK);
        kimi_chat_response_free(resp);
        kimi_task *tasks[TASKS] = {0};
        for (i = 0; i < TASKS; i++)
            CHECK_INT(kimi_chat_stream_start(client, i % 2 ? slow : quick, noop, NULL, &tasks[i]), KIMI_OK);
        for (i = 0; i < TASKS; i += 3) kimi_task_cancel(tasks[i]);
        poll(NULL, 0, 30);
        kimi_client_free(client); /* with live tasks */
        for (i = 0; i < TASKS; i++) {
            CHECK(kimi_task_wait(tasks[i], 5000) != KIMI_E_TIMEOUT);
            kimi_task_free(tasks[i]);
        }
    }
    CHECK_INT(library_sets("ordinary use"), 0);
    kimi_chat_request_free(quick);
    kimi_chat_request_free(slow);
}

struct blocking_call {
    kimi_client *client;
    const kimi_chat_request *req;
    int status;
};

static void *call_blocking(void *arg) {
    struct blocking_call *call = arg;
    kimi_chat_response *resp = NULL;
    call->status = kimi_chat_create(call->client, call->req, &resp);
    kimi_chat_response_free(resp);
    return NULL;
}

static int count_end(const kimi_stream_event *event, void *user_data) {
    if (kimi_stream_event_type(event) == KIMI_EVENT_END) atomic_fetch_add((atomic_int *)user_data, 1);
    return 0;
}

/* More handles than a client keeps: 200 concurrent streams (the loop keeps
 * 64 spare easy handles) and 80 blocking calls from as many threads (a
 * client keeps 64 idle sessions), three clients in turn. Every handle past
 * those was reset and then cleaned up. */
static void test_handles_past_the_spares_set_no_disposition(void) {
    enum { STREAMS = 200, BLOCKING = 80, ROUNDS = 3 };
    host_set(SIGPIPE, host_handler);
    reset_counts();
    kimi_chat_request *req = user_request("kimi-k2.6", "signals [[mock: chunks=3]]");
    int round, i;
    for (round = 0; round < ROUNDS; round++) {
        kimi_client *client = test_client();
        kimi_task *tasks[STREAMS] = {0};
        atomic_int ends = 0;
        for (i = 0; i < STREAMS; i++)
            CHECK_INT(kimi_chat_stream_start(client, req, count_end, &ends, &tasks[i]), KIMI_OK);
        for (i = 0; i < STREAMS; i++) {
            if (!tasks[i]) continue;
            CHECK_INT(kimi_task_wait(tasks[i], 20000), KIMI_OK);
            kimi_task_free(tasks[i]);
        }
        CHECK_INT(atomic_load(&ends), STREAMS);
        struct blocking_call calls[BLOCKING];
        pthread_t threads[BLOCKING];
        for (i = 0; i < BLOCKING; i++) {
            calls[i] = (struct blocking_call){client, req, -1};
            pthread_create(&threads[i], NULL, call_blocking, &calls[i]);
        }
        for (i = 0; i < BLOCKING; i++) {
            pthread_join(threads[i], NULL);
            CHECK_INT(calls[i].status, KIMI_OK);
        }
        kimi_client_free(client);
    }
    CHECK_INT(library_sets("handles past the spares"), 0);
    kimi_chat_request_free(req);
}

/* ---------------------------------------------------------------- SIGPIPE */

/* A server that reads the request head and a little of its body, then
 * resets the connection (SO_LINGER 0) while the client is still sending. */
struct rude_server {
    int fd;
    int port;
    atomic_int stop;
};

static void *rude_serve(void *arg) {
    struct rude_server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 100) != 1) continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) continue;
        char buf[4096];
        size_t got = 0;
        while (got < 16384) {
            struct pollfd q = {.fd = c, .events = POLLIN};
            if (poll(&q, 1, 2000) != 1) break;
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0) break;
            got += (size_t)n;
        }
        struct linger l = {1, 0};
        setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close(c);
    }
    return NULL;
}

static int rude_start(struct rude_server *s, pthread_t *thread) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->fd, 64) != 0) return -1;
    getsockname(s->fd, (struct sockaddr *)&a, &len);
    s->port = ntohs(a.sin_port);
    atomic_store(&s->stop, 0);
    return pthread_create(thread, NULL, rude_serve, s);
}

static kimi_client *rude_client(int port) {
    char url[128];
    kimi_client_options *opts = test_options();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", port);
    if (kimi_client_options_set_base_url(opts, url) != KIMI_OK) exit(2);
    return test_client_from(opts);
}

/* Runs `body` in a child with SIGPIPE at SIG_DFL; the child's exit code is
 * its number of failures. */
static void in_child_with_sigpipe_default(const char *what, int (*body)(void)) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        host_set(SIGPIPE, SIG_DFL);
        _exit(body());
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status))
        fprintf(stderr, "  %s: the process was killed by signal %d (%s)\n", what, WTERMSIG(status),
                strsignal(WTERMSIG(status)));
    CHECK(WIFEXITED(status));
    if (WIFEXITED(status) && WEXITSTATUS(status))
        fprintf(stderr, "  %s: %d failures in the child\n", what, WEXITSTATUS(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

enum { BIG = 16 << 20 };

static int child_uploads_to_a_rude_server(void) {
    int failures = 0, i;
    struct rude_server s;
    pthread_t thread;
    if (rude_start(&s, &thread) != 0) return 1;
    char *data = malloc(BIG + 1); /* its last 4 MB are also the chat text: a C string */
    memset(data, 'x', BIG);
    data[BIG] = 0;
    kimi_client *client = rude_client(s.port);
    for (i = 0; i < 4; i++) {
        kimi_file *file = NULL;
        kimi_status st = kimi_file_upload_data(client, "big.txt", data, BIG, "file-extract", NULL, NULL, &file);
        if (st == KIMI_OK) failures++;
        kimi_file_free(file);
        kimi_task *task = NULL;
        if (kimi_file_upload_data_start(client, "big.txt", data, BIG, "file-extract", NULL, NULL, NULL, &task) == KIMI_OK) {
            if (kimi_task_wait(task, 20000) == KIMI_E_TIMEOUT) failures++;
            kimi_task_free(task);
        }
        /* a big chat body too */
        kimi_chat_request *req = user_request("kimi-k2.6", data + (BIG - (4 << 20)));
        kimi_chat_response *resp = NULL;
        if (kimi_chat_create(client, req, &resp) == KIMI_OK) failures++;
        kimi_chat_response_free(resp);
        kimi_chat_request_free(req);
    }
    kimi_client_free(client);
    atomic_store(&s.stop, 1);
    pthread_join(thread, NULL);
    close(s.fd);
    free(data);
    return failures;
}

/* A server resetting the connection during a 16 MB upload (blocking and as
 * a task) and a 4 MB chat body: curl sends with MSG_NOSIGNAL, so the host
 * must survive with SIGPIPE at SIG_DFL. */
static void test_uploads_cut_by_the_server_raise_no_sigpipe(void) {
    in_child_with_sigpipe_default("uploads cut by the server", child_uploads_to_a_rude_server);
}

/* kimi_file_content_to_fd to fds[1] once fds[0], its reader, is closed:
 * 0 when it fails as kimi.h says (the host still alive to tell). */
static int content_to_a_closed_peer(int fds[2]) {
    uint64_t bytes = 0;
    close(fds[0]);
    kimi_client *client = test_client();
    kimi_status st = kimi_file_content_to_fd(client, "file-big-100000", fds[1], NULL, NULL, &bytes);
    kimi_client_free(client);
    close(fds[1]);
    return st == KIMI_E_INVALID_ARGUMENT ? 0 : 1;
}

static int child_content_to_a_closed_pipe(void) {
    int fds[2];
    return pipe(fds) != 0 ? 1 : content_to_a_closed_peer(fds);
}

/* kimi.h: "A failed write ends the download with KIMI_E_INVALID_ARGUMENT
 * naming fd and the system's reason (a full disk, a closed pipe)". With
 * SIGPIPE at its default, the library's write(2) to a pipe nobody reads
 * raises SIGPIPE, which kills the host before write returns EPIPE. */
static void test_content_to_a_closed_pipe_raises_no_sigpipe(void) {
    in_child_with_sigpipe_default("kimi_file_content_to_fd to a closed pipe", child_content_to_a_closed_pipe);
}

static int child_content_to_a_closed_socket(void) {
    int fds[2];
    return socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0 ? 1 : content_to_a_closed_peer(fds);
}

/* The same for a socket whose peer is gone ("a file, a pipe, a socket"). */
static void test_content_to_a_closed_socket_raises_no_sigpipe(void) {
    in_child_with_sigpipe_default("kimi_file_content_to_fd to a closed socket", child_content_to_a_closed_socket);
}

int main(void) {
    RUN(test_ordinary_use_sets_no_disposition);
    RUN(test_handles_past_the_spares_set_no_disposition);
    RUN(test_uploads_cut_by_the_server_raise_no_sigpipe);
    RUN(test_pre_cancelled_task_then_free);
    RUN(test_pre_cancelled_blocking_call_then_free);
    RUN(test_content_to_a_closed_pipe_raises_no_sigpipe);
    RUN(test_content_to_a_closed_socket_raises_no_sigpipe);
    return harness_finish();
}
