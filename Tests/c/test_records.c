/* Records (kimi.h, "Records"): a stream and an event queue read as records
 * give exactly the events the callbacks and kimi_event_queue_next give,
 * grouped by chunk, within the bytes reported; a buffer too small for a
 * record is told the size and loses nothing; failures come after what
 * arrived; cancelling from another thread ends a blocked read. Against the
 * mock (and the hostile server's big deltas). */
#include "harness.h"

#include <poll.h>
#include <stdint.h>

/* A transcript of events, one line each: type|choice|index|text|text2, with
 * "#" after the last event of a chunk. Both ways of reading write it. */
struct transcript {
    char *text;
    size_t len, cap;
    int events, chunks, completions;
    char id[128], model[64];
    int64_t created;
};

static void put(struct transcript *t, const char *bytes, size_t n) {
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->text = realloc(t->text, t->cap);
    }
    memcpy(t->text + t->len, bytes, n);
    t->len += n;
    t->text[t->len] = 0;
}

static void put_event(struct transcript *t, int type, int choice, int index, const char *a, size_t na,
                      const char *b, size_t nb, int last) {
    char head[64];
    snprintf(head, sizeof head, "%d|%d|%d|", type, choice, index);
    put(t, head, strlen(head));
    put(t, a, na);
    put(t, "|", 1);
    put(t, b, nb);
    put(t, last ? "#\n" : "\n", last ? 2 : 1);
    t->events++;
    t->chunks += last;
}

static void put_usage(struct transcript *t, int choice, const int64_t u[4], int last) {
    char text[128];
    snprintf(text, sizeof text, "%lld,%lld,%lld,%lld", (long long)u[0], (long long)u[1], (long long)u[2],
             (long long)u[3]);
    put_event(t, KIMI_EVENT_USAGE, choice, -1, text, strlen(text), "", 0, last);
}

/* The callback way: every event through its accessors. */
static int by_event(const kimi_stream_event *ev, void *user_data) {
    struct transcript *t = user_data;
    int type = kimi_stream_event_type(ev), last = kimi_stream_event_last_in_chunk(ev);
    int choice = kimi_stream_event_choice_index(ev), index = kimi_stream_event_tool_call_index(ev);
    size_t n;
    const char *text = kimi_stream_event_text(ev, &n);
    if (type == KIMI_EVENT_USAGE) {
        int64_t u[4];
        u[0] = kimi_stream_event_prompt_tokens(ev);
        u[1] = kimi_stream_event_completion_tokens(ev);
        u[2] = kimi_stream_event_total_tokens(ev);
        u[3] = kimi_stream_event_cached_tokens(ev);
        put_usage(t, choice, u, last);
    } else if (type == KIMI_EVENT_TOOL_CALL_START || type == KIMI_EVENT_TOOL_CALL_DONE) {
        const char *id = kimi_stream_event_tool_call_id(ev), *name = kimi_stream_event_tool_call_name(ev);
        put_event(t, type, choice, index, id, strlen(id), name, strlen(name), last);
    } else if (type == KIMI_EVENT_FINISH) {
        const char *reason = kimi_stream_event_finish_reason(ev);
        put_event(t, type, choice, -1, reason, strlen(reason), "", 0, last);
    } else if (type == KIMI_EVENT_DONE) {
        put_event(t, type, choice, -1, "", 0, "", 0, last);
    } else {
        put_event(t, type, choice, type == KIMI_EVENT_TOOL_CALL_DELTA ? index : -1, text, n, "", 0, last);
    }
    if (!t->id[0]) {
        snprintf(t->id, sizeof t->id, "%s", kimi_stream_event_completion_id(ev));
        snprintf(t->model, sizeof t->model, "%s", kimi_stream_event_model(ev));
        t->created = kimi_stream_event_created(ev);
    }
    return 0;
}

static uint32_t u32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The records way: decodes `len` bytes of records, checking that every
 * record and part lies inside them and is aligned and padded as documented.
 * Returns the number of records; *bad counts layout faults. Records of
 * other tasks than `want` (user data) are skipped when `want` is not 0. */
static int decode(struct transcript *t, const unsigned char *buf, size_t len, uint64_t want, int *bad,
                  int *ended, kimi_status *end_status) {
    size_t at = 0;
    int records = 0;
    while (at < len) {
        kimi_record rec;
        size_t end, p;
        unsigned i;
        if (len - at < sizeof rec || at % 8) {
            (*bad)++;
            return records;
        }
        memcpy(&rec, buf + at, sizeof rec);
        end = at + rec.size;
        if (rec.size < 32 || rec.size % 8 || rec.size > len - at) {
            (*bad)++;
            return records;
        }
        records++;
        if (want && rec.user_data != want) {
            at = end;
            continue;
        }
        p = at + sizeof rec;
        if (rec.type == KIMI_RECORD_COMPLETION) {
            int64_t created;
            uint32_t nid = u32(buf + p + 8), nmodel = u32(buf + p + 12);
            memcpy(&created, buf + p, 8);
            if (rec.count != 0 || 16 + (size_t)nid + nmodel > end - p) (*bad)++;
            else {
                snprintf(t->id, sizeof t->id, "%.*s", (int)nid, (const char *)buf + p + 16);
                snprintf(t->model, sizeof t->model, "%.*s", (int)nmodel, (const char *)buf + p + 16 + nid);
                t->created = created;
                t->completions++;
            }
            at = end;
            continue;
        }
        if (rec.type != KIMI_RECORD_EVENTS || rec.count == 0) (*bad)++;
        for (i = 0; i < rec.count; i++) {
            kimi_record_part part;
            const char *a, *b;
            size_t size;
            if (end - p < sizeof part || (p - at) % 8) {
                (*bad)++;
                break;
            }
            memcpy(&part, buf + p, sizeof part);
            size = sizeof part + (((size_t)part.len + part.len2 + 7) & ~(size_t)7);
            if (size > end - p || part.reserved) {
                (*bad)++;
                break;
            }
            a = (const char *)buf + p + sizeof part;
            b = a + part.len;
            for (; b + part.len2 < (const char *)buf + p + size; ) {
                if (*(b + part.len2) != 0) (*bad)++; /* padding is zero */
                b++;
            }
            b = a + part.len;
            if (part.type == KIMI_EVENT_USAGE) {
                int64_t u[4];
                if (part.len != 32) (*bad)++;
                else memcpy(u, a, 32), put_usage(t, part.choice, u, i + 1 == rec.count);
            } else if (part.type == KIMI_EVENT_END) {
                *ended += 1;
                *end_status = part.index;
            } else if (part.type == KIMI_EVENT_PROGRESS || part.type == KIMI_EVENT_DATA ||
                       part.type == KIMI_EVENT_RESULT) {
                put_event(t, part.type, part.choice, part.index, a, part.len, b, part.len2, i + 1 == rec.count);
            } else {
                put_event(t, part.type, part.choice, part.index, a, part.len, b, part.len2, i + 1 == rec.count);
            }
            p += size;
        }
        if (p != end) (*bad)++;
        at = end;
    }
    return records;
}

/* Reads a whole stream as records with buffers of `capacity` bytes
 * (growing one when a record needs more). Returns the final status. */
static kimi_status read_stream(kimi_stream *stream, struct transcript *t, size_t capacity, int *calls, int *bad,
                               int *grown) {
    unsigned char *buf = malloc(capacity ? capacity : 1);
    kimi_status status;
    int ended = 0;
    kimi_status end_status = 0;
    for (;;) {
        size_t len = 12345;
        status = kimi_stream_read_records(stream, buf, capacity, &len);
        if (status == KIMI_E_TOO_LARGE && len > capacity) {
            (*grown)++;
            capacity = len;
            buf = realloc(buf, capacity);
            continue;
        }
        if (status != KIMI_OK) break;
        if (len == 0) break;
        (*calls)++;
        decode(t, buf, len, 0, bad, &ended, &end_status);
    }
    free(buf);
    return status;
}

static void stream_request_both_ways(kimi_client *client, kimi_chat_request *req, size_t capacity, int *calls,
                                     int *grown) {
    struct transcript events, records;
    kimi_stream *stream = NULL;
    int bad = 0;
    memset(&events, 0, sizeof events);
    memset(&records, 0, sizeof records);
    CHECK_INT(kimi_chat_stream(client, req, by_event, &events, NULL), KIMI_OK);
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    *calls = *grown = 0;
    CHECK_INT(read_stream(stream, &records, capacity, calls, &bad, grown), KIMI_OK);
    CHECK_INT(bad, 0);
    CHECK(events.len > 0);
    CHECK_STR(records.text ? records.text : "", events.text);
    CHECK_INT(records.chunks, events.chunks);
    CHECK_INT(records.completions, 1);
    CHECK_STR(records.id, events.id);
    CHECK_STR(records.model, events.model);
    CHECK_INT(records.created, events.created);
    {   /* over: nothing more */
        unsigned char buf[64];
        size_t len = 99;
        CHECK_INT(kimi_stream_read_records(stream, buf, sizeof buf, &len), KIMI_OK);
        CHECK_INT(len, 0);
    }
    kimi_stream_free(stream);
    free(events.text);
    free(records.text);
}

static void stream_both_ways(kimi_client *client, const char *text, size_t capacity, int *calls, int *grown) {
    kimi_chat_request *req = user_request(NULL, text);
    stream_request_both_ways(client, req, capacity, calls, grown);
    kimi_chat_request_free(req);
}

static void test_records_equal_events(void) {
    kimi_client *client = test_client();
    int calls, grown;
    stream_both_ways(client, "Hello there", 1 << 16, &calls, &grown);
    CHECK_INT(grown, 0);
    stream_both_ways(client, "w [[mock: calls=get_weather,get_time interleave]]", 1 << 16, &calls, &grown);
    stream_both_ways(client, "w [[mock: calls=get_weather,get_time noindex]]", 1 << 16, &calls, &grown);
    stream_both_ways(client, "x [[mock: usage=top cached=3 spelling=details]]", 1 << 16, &calls, &grown);
    {   /* several choices, interleaved */
        kimi_chat_request *req = user_request("moonshot-v1-8k", "Pick");
        CHECK_INT(kimi_chat_request_set_n(req, 3), KIMI_OK);
        stream_request_both_ways(client, req, 1 << 16, &calls, &grown);
        kimi_chat_request_free(req);
    }
    stream_both_ways(client, "caf\xc3\xa9 \xe2\x82\xac [[mock: split=1]]", 1 << 16, &calls, &grown);
    /* Many chunks in one network write come in one call. */
    stream_both_ways(client, "[[mock: chunks=2000 batch=65536]]", 1 << 20, &calls, &grown);
    CHECK(calls < 200);
    kimi_client_free(client);
}

static void test_small_buffers_lose_nothing(void) {
    kimi_client *client = test_client();
    int calls, grown;
    /* 32 bytes holds no record with text: each is told its size. */
    stream_both_ways(client, "Hello there", 32, &calls, &grown);
    CHECK(grown > 0);
    stream_both_ways(client, "[[mock: chunks=300 batch=65536]]", 100, &calls, &grown);
    stream_both_ways(client, "[[mock: chunks=300 mixed batch=65536]]", 0, &calls, &grown);
    kimi_client_free(client);
}

static void test_too_small_is_told_and_waits(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "Hello there");
    kimi_stream *stream = NULL;
    unsigned char buf[4096];
    size_t len = 0, first;
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    /* The completion record and the role's chunk: the completion alone does not fit in 16. */
    CHECK_INT(kimi_stream_read_records(stream, buf, 16, &len), KIMI_E_TOO_LARGE);
    CHECK(len > 16);
    CHECK_CONTAINS(kimi_error_message(), "needs");
    first = len;
    CHECK_INT(kimi_stream_read_records(stream, buf, first, &len), KIMI_OK);
    CHECK_INT(len, first); /* exactly the record that waited */
    {
        kimi_record rec;
        memcpy(&rec, buf, sizeof rec);
        CHECK_INT(rec.type, KIMI_RECORD_COMPLETION);
        CHECK_INT(rec.size, first);
    }
    CHECK_INT(kimi_stream_read_records(stream, buf, sizeof buf, &len), KIMI_OK);
    CHECK(len > 0);
    kimi_stream_free(stream);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

static void test_failure_comes_after_what_arrived(void) {
    kimi_client *client = test_client();
    const char *cases[] = {"a b c [[mock: cut_after=3]]", "a b [[mock: error_after=2]]"};
    kimi_status expected[] = {KIMI_E_INCOMPLETE, KIMI_E_API};
    int i;
    for (i = 0; i < 2; i++) {
        kimi_chat_request *req = user_request(NULL, cases[i]);
        kimi_stream *stream = NULL;
        kimi_chat_response *partial = NULL;
        struct transcript t;
        int calls = 0, bad = 0, grown = 0;
        unsigned char buf[256];
        size_t len = 7;
        memset(&t, 0, sizeof t);
        CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
        CHECK_INT(read_stream(stream, &t, 1 << 16, &calls, &bad, &grown), expected[i]);
        CHECK_INT(bad, 0);
        CHECK(t.events > 0);
        /* The failure is told once; then the stream is over. */
        CHECK_INT(kimi_stream_read_records(stream, buf, sizeof buf, &len), KIMI_OK);
        CHECK_INT(len, 0);
        CHECK_INT(kimi_stream_response(stream, &partial), KIMI_OK);
        CHECK(partial && kimi_chat_response_content(partial, NULL)[0]);
        kimi_chat_response_free(partial);
        kimi_stream_free(stream);
        kimi_chat_request_free(req);
        free(t.text);
    }
    kimi_client_free(client);
}

static void test_one_way_per_stream(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "a b");
    kimi_stream *stream = NULL;
    const kimi_stream_event *ev = NULL;
    unsigned char buf[1024];
    size_t len = 5;
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    CHECK_INT(kimi_stream_next(stream, &ev), KIMI_OK);
    CHECK_INT(kimi_stream_read_records(stream, buf, sizeof buf, &len), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(len, 0);
    CHECK_CONTAINS(kimi_error_message(), "kimi_stream_next");
    kimi_stream_free(stream);
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    CHECK_INT(kimi_stream_read_records(stream, buf, sizeof buf, &len), KIMI_OK);
    CHECK_INT(kimi_stream_next(stream, &ev), KIMI_E_INVALID_ARGUMENT);
    CHECK(ev == NULL);
    kimi_stream_free(stream);
    /* Bad arguments. */
    CHECK_INT(kimi_stream_read_records(NULL, buf, sizeof buf, &len), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_event_queue_read_records(NULL, buf, sizeof buf, &len), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    CHECK_INT(kimi_stream_read_records(stream, NULL, sizeof buf, &len), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_stream_read_records(stream, buf, sizeof buf, NULL), KIMI_E_INVALID_ARGUMENT);
    kimi_stream_free(stream);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* Cancels a stream from another thread after 300 ms. */
static void *cancel_stream_later(void *arg) {
    struct timespec ts;
    ts.tv_sec = 0;
    ts.tv_nsec = 300 * 1000000L;
    nanosleep(&ts, NULL);
    kimi_stream_cancel(arg);
    return NULL;
}

static void test_cancel_ends_a_blocked_read(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "a b c [[mock: stall_after=2 stall_ms=20000]]");
    kimi_stream *stream = NULL;
    pthread_t thread;
    unsigned char buf[1 << 16];
    size_t len;
    kimi_status status;
    double started;
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    started = now_ms();
    pthread_create(&thread, NULL, cancel_stream_later, stream);
    do {
        len = 0;
        status = kimi_stream_read_records(stream, buf, sizeof buf, &len);
    } while (status == KIMI_OK && len > 0);
    pthread_join(thread, NULL);
    CHECK_INT(status, KIMI_E_ABORTED);
    CHECK(now_ms() - started < 5000);
    kimi_stream_free(stream);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A queue of several streams and a create: each task's records, picked out
 * by user data, are its stream's events; END comes last with its status. */
static void test_queue_records(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    enum { N = 8 };
    kimi_task *tasks[N];
    struct transcript got[N], want;
    int ended[N], i, bad = 0, total_ended = 0;
    kimi_status statuses[N];
    unsigned char *buf = malloc(4096);
    size_t capacity = 4096;
    kimi_chat_request *req = user_request(NULL, "w [[mock: calls=get_weather,get_time interleave chunks=40]]");
    struct pollfd watch;
    memset(got, 0, sizeof got);
    memset(&want, 0, sizeof want);
    memset(ended, 0, sizeof ended);
    CHECK_INT(kimi_chat_stream(client, req, by_event, &want, NULL), KIMI_OK);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (i = 0; i < N; i++) {
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)(uintptr_t)(i + 1), &tasks[i]), KIMI_OK);
    }
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (total_ended < N) {
        size_t len = 0;
        kimi_status status = kimi_event_queue_read_records(queue, buf, capacity, &len);
        if (status == KIMI_E_TOO_LARGE && len > capacity) {
            capacity = len;
            buf = realloc(buf, capacity);
            continue;
        }
        CHECK_INT(status, KIMI_OK);
        if (status != KIMI_OK) break;
        if (len == 0) {
            if (poll(&watch, 1, 10000) != 1) {
                CHECK(!"no event for 10 s");
                break;
            }
            continue;
        }
        for (i = 0; i < N; i++) {
            int before = ended[i];
            decode(&got[i], buf, len, (uint64_t)(i + 1), &bad, &ended[i], &statuses[i]);
            total_ended += ended[i] - before;
        }
    }
    CHECK_INT(bad, 0);
    for (i = 0; i < N; i++) {
        CHECK_INT(ended[i], 1);
        CHECK_INT(statuses[i], KIMI_OK);
        CHECK_STR(got[i].text ? got[i].text : "", want.text);
        CHECK_STR(got[i].id, want.id);
        CHECK_INT(got[i].completions, 1);
        CHECK_INT(kimi_task_wait(tasks[i], 0), KIMI_OK);
        kimi_task_free(tasks[i]);
        free(got[i].text);
    }
    {
        size_t len = 3;
        CHECK_INT(kimi_event_queue_read_records(queue, buf, capacity, &len), KIMI_OK);
        CHECK_INT(len, 0);
    }
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    free(want.text);
    free(buf);
    kimi_client_free(client);
}

/* Takes every event of one task from `queue` with kimi_event_queue_next:
 * its content, and how many content events had chunk JSON. */
static void next_until_end(kimi_event_queue *queue, char *content, size_t room, int *with_json, int *events) {
    struct pollfd watch;
    int ended = 0;
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    content[0] = 0;
    while (!ended) {
        const kimi_stream_event *event;
        if (kimi_event_queue_next(queue, &event) != KIMI_OK || !event) {
            if (poll(&watch, 1, 10000) != 1) {
                CHECK(!"no event for 10 s");
                return;
            }
            continue;
        }
        if (kimi_stream_event_type(event) == KIMI_EVENT_CONTENT_DELTA) {
            size_t n = 0;
            const char *json = kimi_stream_event_json(event, &n);
            strncat(content, kimi_stream_event_text(event, NULL), room - strlen(content) - 1);
            (*events)++;
            if (n > 0 && json[0] == '{') (*with_json)++;
            CHECK_INT(strlen(json), n);
        }
        ended = kimi_stream_event_type(event) == KIMI_EVENT_END;
    }
}

/* Records carry no chunk JSON: a queue read with them keeps none for the
 * events queued afterwards (copying and gating it was most of a queued
 * chunk's cost), and before that it kept it for kimi_event_queue_next. */
static void test_a_records_queue_keeps_no_chunk_json(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "j [[mock: chunks=5]]");
    kimi_event_queue *queue = NULL;
    kimi_task *task;
    char content[256], buf[256];
    int with_json = 0, events = 0;
    size_t len = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    next_until_end(queue, content, sizeof content, &with_json, &events);
    CHECK_STR(content, "tok tok tok tok tok ");
    CHECK_INT(with_json, 5);
    kimi_task_free(task);
    CHECK_INT(kimi_event_queue_read_records(queue, buf, sizeof buf, &len), KIMI_OK);
    CHECK_INT(len, 0);
    with_json = events = 0;
    CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK);
    next_until_end(queue, content, sizeof content, &with_json, &events);
    CHECK_STR(content, "tok tok tok tok tok ");
    CHECK_INT(events, 5);
    CHECK_INT(with_json, 0);
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A batch's results through a queue: a RESULT record with a response ends
 * the call, and the queue's current event then gives that response. */
static void test_queue_records_stop_at_attachments(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_batch *batch = NULL;
    kimi_task *task = NULL;
    kimi_chat_request *req = user_request(NULL, "line");
    char path[256];
    unsigned char buf[1 << 16];
    struct pollfd watch;
    int lines = 0, responses = 0, ended = 0;
    snprintf(path, sizeof path, "%s/libkimi-records-%d.jsonl", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    write_batch_input(path, 5, req);
    CHECK_INT(kimi_batch_submit(client, path, NULL, NULL, &batch), KIMI_OK);
    CHECK_INT(kimi_batch_wait(client, batch, 1, NULL, NULL), KIMI_OK);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_batch_results_start(client, batch, queue, NULL, (void *)(uintptr_t)7, &task), KIMI_OK);
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (!ended) {
        size_t len = 0, at = 0;
        kimi_record rec;
        kimi_record_part part;
        int records = 0;
        CHECK_INT(kimi_event_queue_read_records(queue, buf, sizeof buf, &len), KIMI_OK);
        if (len == 0) {
            if (poll(&watch, 1, 10000) != 1) break;
            continue;
        }
        while (at < len) {
            memcpy(&rec, buf + at, sizeof rec);
            memcpy(&part, buf + at + sizeof rec, sizeof part);
            CHECK_INT(rec.user_data, 7);
            records++;
            if (part.type == KIMI_EVENT_END) ended = 1;
            if (part.type == KIMI_EVENT_RESULT) {
                lines++;
                CHECK_INT(part.index, 200);
                CHECK_INT(part.len2, 0);
                CHECK(part.len >= 4 && memcmp(buf + at + 32, "req-", 4) == 0);
            }
            at += rec.size;
        }
        if (part.type == KIMI_EVENT_RESULT) {
            /* The call stopped at the line: its response is the current event's. */
            kimi_chat_response *resp = NULL;
            CHECK_INT(kimi_stream_event_response((const kimi_stream_event *)queue, &resp), KIMI_OK);
            CHECK_CONTAINS(kimi_chat_response_content(resp, NULL), "You said: line");
            responses++;
            kimi_chat_response_free(resp);
        }
    }
    CHECK_INT(lines, 5);
    CHECK_INT(responses, 5);
    kimi_task_free(task);
    kimi_event_queue_free(queue);
    kimi_batch_free(batch);
    kimi_chat_request_free(req);
    remove(path);
    kimi_client_free(client);
}

/* A task cancelled after it ended (its END waiting in the queue) still
 * gives its END: cancelling drops what waits but the END. Freeing drops it. */
static void test_cancel_after_the_end_keeps_the_end(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *task = NULL, *other = NULL;
    kimi_chat_request *req = user_request(NULL, "a b [[mock: chunks=20]]");
    unsigned char buf[1 << 16];
    int round, ends, others;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (round = 0; round < 2; round++) {
        size_t len = 0, at;
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)1, &task), KIMI_OK);
        CHECK_INT(kimi_chat_create_start_queued(client, req, queue, (void *)2, &other), KIMI_OK);
        CHECK_INT(kimi_task_wait(task, 10000), KIMI_OK);
        CHECK_INT(kimi_task_wait(other, 10000), KIMI_OK);
        /* Both ended; their events wait. */
        if (round == 0) kimi_task_cancel(task);
        else kimi_task_free(task);
        ends = others = 0;
        for (;;) {
            CHECK_INT(kimi_event_queue_read_records(queue, buf, sizeof buf, &len), KIMI_OK);
            if (len == 0) break;
            for (at = 0; at < len;) {
                kimi_record rec;
                kimi_record_part part;
                memcpy(&rec, buf + at, sizeof rec);
                memcpy(&part, buf + at + sizeof rec, sizeof part);
                if (rec.user_data == 1 && rec.type == KIMI_RECORD_EVENTS) {
                    CHECK_INT(part.type, KIMI_EVENT_END); /* only the END */
                    ends++;
                } else if (rec.type == KIMI_RECORD_EVENTS && part.type == KIMI_EVENT_END) {
                    others++;
                }
                at += rec.size;
            }
        }
        CHECK_INT(ends, round == 0 ? 1 : 0);
        CHECK_INT(others, 1);
        if (round == 0) kimi_task_free(task);
        kimi_task_free(other);
    }
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

/* A delta larger than the buffer, from the hostile server: told, then
 * delivered whole. */
static void test_big_delta_from_a_hostile_server(void) {
    kimi_client *client = test_client_from(hostile_options("bigdelta/3000000/0", NULL));
    kimi_chat_request *req = user_request(NULL, "hi");
    kimi_stream *stream = NULL;
    struct transcript t;
    int calls = 0, bad = 0, grown = 0;
    memset(&t, 0, sizeof t);
    CHECK_INT(kimi_chat_stream_open(client, req, &stream), KIMI_OK);
    read_stream(stream, &t, 4096, &calls, &bad, &grown);
    CHECK_INT(bad, 0);
    CHECK_INT(grown, 1);
    CHECK(t.len > 3000000);
    kimi_stream_free(stream);
    kimi_chat_request_free(req);
    free(t.text);
    kimi_client_free(client);
}

/* A non-streamed response read as records, all or none: the RESPONSE
 * record's cost, $web_search calls and request id are the accessors', the
 * chunk records hold what the accessors give, WHOLE only for a body of
 * Kimi's documented members, never for a stream's response. */
static void response_records_case(kimi_client *client, const char *text, int whole) {
    kimi_chat_request *req = user_request(NULL, text);
    kimi_chat_response *resp = NULL;
    unsigned char buf[8192];
    size_t len = 1, need, i;
    struct transcript t;
    kimi_record rec;
    double cost;
    int64_t searches;
    uint32_t flags, nid, nprefix;
    int bad = 0, ended = 0;
    kimi_status end_status = 0;
    char line[512];
    memset(&t, 0, sizeof t);
    CHECK_INT(kimi_chat_create(client, req, &resp), KIMI_OK);
    memset(buf, 0xEE, sizeof buf);
    CHECK_INT(kimi_chat_response_read_records(resp, buf, 40, &len), KIMI_E_TOO_LARGE);
    CHECK_CONTAINS(kimi_error_message(), "needs");
    need = len;
    CHECK(need > 40 && need <= sizeof buf && need % 8 == 0);
    CHECK_INT(buf[0], 0xEE); /* all or none */
    CHECK_INT(kimi_chat_response_read_records(resp, buf, need - 8, &len), KIMI_E_TOO_LARGE);
    CHECK_INT(len, need);
    CHECK_INT(kimi_chat_response_read_records(resp, buf, sizeof buf, &len), KIMI_OK);
    CHECK_INT(len, need);
    memcpy(&rec, buf, sizeof rec);
    CHECK_INT(rec.type, KIMI_RECORD_RESPONSE);
    CHECK_INT(rec.count, 0);
    memcpy(&cost, buf + 16, 8);
    memcpy(&searches, buf + 24, 8);
    flags = u32(buf + 32), nid = u32(buf + 36), nprefix = u32(buf + 40);
    CHECK(cost == kimi_chat_response_cost_usd(resp));
    CHECK_INT(searches, kimi_chat_response_web_search_calls(resp));
    CHECK_INT(flags, whole ? KIMI_RESPONSE_RECORDS_WHOLE : 0);
    CHECK_INT(nprefix, 0);
    CHECK(48 + (size_t)nid <= rec.size);
    snprintf(line, sizeof line, "%.*s", (int)nid, (const char *)buf + 48);
    CHECK_STR(line, kimi_chat_response_request_id(resp));
    decode(&t, buf + rec.size, len - rec.size, 0, &bad, &ended, &end_status);
    CHECK_INT(bad, 0);
    CHECK_INT(t.completions, 1);
    CHECK_STR(t.id, kimi_chat_response_id(resp));
    CHECK_STR(t.model, kimi_chat_response_model(resp));
    CHECK_INT(t.created, kimi_chat_response_created(resp));
    snprintf(line, sizeof line, "%d|0|-1|%s|", KIMI_EVENT_CONTENT_DELTA, kimi_chat_response_content(resp, NULL));
    CHECK_CONTAINS(t.text, line);
    snprintf(line, sizeof line, "%d|0|-1|%s|", KIMI_EVENT_FINISH, kimi_chat_response_finish_reason(resp));
    CHECK_CONTAINS(t.text, line);
    for (i = 0; i < kimi_chat_response_tool_call_count(resp); i++) {
        snprintf(line, sizeof line, "%d|0|%d|%s|%s", KIMI_EVENT_TOOL_CALL_START, (int)i,
                 kimi_chat_response_tool_call_id(resp, i), kimi_chat_response_tool_call_name(resp, i));
        CHECK_CONTAINS(t.text, line);
        snprintf(line, sizeof line, "%d|0|%d|%s|", KIMI_EVENT_TOOL_CALL_DELTA, (int)i,
                 kimi_chat_response_tool_call_arguments(resp, i));
        CHECK_CONTAINS(t.text, line);
    }
    snprintf(line, sizeof line, "%d|-1|-1|%lld,%lld,%lld,%lld|#", KIMI_EVENT_USAGE,
             (long long)kimi_chat_response_prompt_tokens(resp), (long long)kimi_chat_response_completion_tokens(resp),
             (long long)kimi_chat_response_total_tokens(resp), (long long)kimi_chat_response_cached_tokens(resp));
    CHECK_CONTAINS(t.text, line);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    free(t.text);
}

static void test_response_records(void) {
    kimi_client *client = test_client();
    kimi_chat_request *req = user_request(NULL, "Hello");
    kimi_chat_response *resp = NULL;
    unsigned char buf[4096];
    size_t len = 7;
    response_records_case(client, "Hello", 1);
    response_records_case(client, "w [[mock: calls=get_weather,get_time]]", 1);
    response_records_case(client, "x [[mock: usage=both cached=3 spelling=both]]", 1);
    response_records_case(client, "x [[mock: extra_fields]]", 0);
    /* A stream's response is made from its chunks: never WHOLE. */
    CHECK_INT(kimi_chat_stream(client, req, NULL, NULL, &resp), KIMI_OK);
    CHECK_INT(kimi_chat_response_read_records(resp, buf, sizeof buf, &len), KIMI_OK);
    CHECK_INT(u32(buf + 32), 0);
    CHECK_INT(kimi_chat_response_read_records(NULL, buf, sizeof buf, &len), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(len, 0);
    CHECK_INT(kimi_chat_response_read_records(resp, NULL, sizeof buf, &len), KIMI_E_INVALID_ARGUMENT);
    CHECK_INT(kimi_chat_response_read_records(resp, buf, sizeof buf, NULL), KIMI_E_INVALID_ARGUMENT);
    kimi_chat_response_free(resp);
    kimi_chat_request_free(req);
    kimi_client_free(client);
}

int main(void) {
    RUN(test_records_equal_events);
    RUN(test_small_buffers_lose_nothing);
    RUN(test_too_small_is_told_and_waits);
    RUN(test_failure_comes_after_what_arrived);
    RUN(test_one_way_per_stream);
    RUN(test_cancel_ends_a_blocked_read);
    RUN(test_queue_records);
    RUN(test_queue_records_stop_at_attachments);
    RUN(test_a_records_queue_keeps_no_chunk_json);
    RUN(test_cancel_after_the_end_keeps_the_end);
    RUN(test_big_delta_from_a_hostile_server);
    RUN(test_response_records);
    return harness_finish();
}
