/* Event queues read in place (records), published once per round, and
 * tasks that let go of their call on the loop, under stress: many tasks on
 * one queue read as records and with kimi_event_queue_next in turn, tasks
 * cancelled and freed from the host's thread and from another thread while
 * their events are read, buffers so small that reads stop mid-queue, deltas
 * larger than a storage block, two queues fed by one loop, a task's head
 * and response read while the loop ends it, and the head of a retried
 * answer. Each task answers with its own numbered words, so an event lost,
 * duplicated, reordered or mixed with another task's shows. Against the
 * mock (with_mock.py). */
#define _GNU_SOURCE /* memmem */
#include "harness.h"

#include <poll.h>
#include <stdint.h>

/* ------------------------------------------------------------ a task's log */

/* What the reader saw of one task (user data is its index + 1). */
struct task_log {
    char *want;            /* the content the task must deliver whole */
    size_t want_len;
    char *got;             /* the content deltas as taken, in order */
    size_t got_len;
    int ends;              /* END events */
    int end_status;
    int after_end;         /* events after its END */
    int after_free;        /* events of it taken after kimi_task_free returned */
    int after_cancel;      /* events other than END after kimi_task_cancel returned */
    int out_of_order;      /* a content delta that is not the next bytes of `want` */
    int freed, cancelled;  /* set on the reading thread only */
    int freed_at_end;      /* freed once its END was read */
    kimi_task *task;
};

/* "You said: " and `words` words "t<i>w<j>", some of them `big` bytes
 * long, as the mock answers the text (a piece per word). */
static char *task_text(int i, int words, int big_every, size_t big, char **want, size_t *want_len,
                       const char *directive) {
    size_t cap = (size_t)words * 16 + (big_every ? (size_t)(words / big_every + 1) * big : 0) + 256;
    char *text = malloc(cap + strlen(directive));
    size_t at = 0;
    int j;
    for (j = 0; j < words; j++) {
        at += (size_t)snprintf(text + at, cap - at, j ? " t%dw%d" : "t%dw%d", i, j);
        if (big_every && j % big_every == big_every - 1) {
            memset(text + at, 'a' + (j % 26), big);
            at += big;
        }
    }
    text[at] = 0;
    *want_len = at + 10;
    *want = malloc(*want_len + 1);
    memcpy(*want, "You said: ", 10);
    memcpy(*want + 10, text, at + 1);
    strcat(text, directive);
    return text;
}

static void log_free(struct task_log *log) {
    free(log->want);
    free(log->got);
}

/* One event of a task, as taken (by record or by kimi_event_queue_next). */
static void saw(struct task_log *log, int type, const char *text, size_t n, int status) {
    if (log->ends) log->after_end++;
    if (log->freed) log->after_free++;
    if (log->cancelled && type != KIMI_EVENT_END) log->after_cancel++;
    if (type == KIMI_EVENT_CONTENT_DELTA) {
        if (log->got_len + n > log->want_len || memcmp(log->want + log->got_len, text, n) != 0) log->out_of_order++;
        log->got = realloc(log->got, log->got_len + n + 1);
        memcpy(log->got + log->got_len, text, n);
        log->got_len += n;
        log->got[log->got_len] = 0;
    } else if (type == KIMI_EVENT_END) {
        log->ends++;
        log->end_status = status;
    }
}

/* The last event a records read wrote, to compare with the queue's current
 * event afterwards. */
struct last_event {
    int found;
    uint64_t user_data;
    int type;
    const unsigned char *text;
    size_t len;
    int index;
};

/* Decodes `len` bytes of records into the logs; *bad counts layout faults
 * and records of unknown tasks. */
static void take_records(struct task_log *logs, int n, const unsigned char *buf, size_t len, int *bad,
                         struct last_event *last) {
    size_t at = 0;
    last->found = 0;
    while (at < len) {
        kimi_record rec;
        size_t end, p;
        unsigned i;
        if (len - at < sizeof rec || at % 8) {
            (*bad)++;
            return;
        }
        memcpy(&rec, buf + at, sizeof rec);
        if (rec.size < 32 || rec.size % 8 || rec.size > len - at) {
            (*bad)++;
            return;
        }
        end = at + rec.size;
        if (rec.user_data < 1 || rec.user_data > (uint64_t)n) {
            (*bad)++;
            at = end;
            continue;
        }
        if (rec.type == KIMI_RECORD_COMPLETION) {
            at = end;
            continue;
        }
        if (rec.type != KIMI_RECORD_EVENTS || rec.count == 0) (*bad)++;
        p = at + sizeof rec;
        for (i = 0; i < rec.count; i++) {
            kimi_record_part part;
            size_t size;
            if (end - p < sizeof part) {
                (*bad)++;
                break;
            }
            memcpy(&part, buf + p, sizeof part);
            size = sizeof part + (((size_t)part.len + part.len2 + 7) & ~(size_t)7);
            if (size > end - p) {
                (*bad)++;
                break;
            }
            saw(&logs[rec.user_data - 1], part.type, (const char *)buf + p + sizeof part, part.len, part.index);
            last->found = 1;
            last->user_data = rec.user_data;
            last->type = part.type;
            last->text = buf + p + sizeof part;
            last->len = part.len;
            last->index = part.index;
            p += size;
        }
        at = end;
    }
}

/* After a records read that took events, the queue's current event is the
 * last one taken: its type, task, user data and text. */
static void check_current_is_last(kimi_event_queue *queue, struct task_log *logs, const struct last_event *last,
                                  int *mismatches) {
    const kimi_stream_event *current = (const kimi_stream_event *)queue;
    size_t n = 0;
    const char *text;
    if (!last->found) return;
    text = kimi_stream_event_text(current, &n);
    if (kimi_stream_event_type(current) != last->type ||
        (uint64_t)(uintptr_t)kimi_stream_event_user_data(current) != last->user_data ||
        kimi_stream_event_task(current) != logs[last->user_data - 1].task) {
        (*mismatches)++;
        return;
    }
    if (last->type == KIMI_EVENT_CONTENT_DELTA && (n != last->len || memcmp(text, last->text, n) != 0)) (*mismatches)++;
    if (last->type == KIMI_EVENT_END && kimi_stream_event_status(current) != last->index) (*mismatches)++;
}

/* Takes up to `most` events with kimi_event_queue_next (or _read); returns
 * how many. */
static int take_next(kimi_event_queue *queue, struct task_log *logs, int n, int most, int use_read, int *bad) {
    int taken = 0;
    while (taken < most) {
        const kimi_stream_event *event = NULL;
        const char *text = NULL;
        size_t len = 0;
        void *user_data = NULL;
        int type;
        uintptr_t ud;
        if (use_read) {
            type = kimi_event_queue_read(queue, &event, &user_data, &text, &len, NULL, NULL, NULL);
            if (!type) break;
        } else {
            if (kimi_event_queue_next(queue, &event) != KIMI_OK || !event) break;
            type = kimi_stream_event_type(event);
            text = kimi_stream_event_text(event, &len);
            user_data = kimi_stream_event_user_data(event);
        }
        ud = (uintptr_t)user_data;
        if (ud < 1 || ud > (uintptr_t)n) {
            (*bad)++;
        } else {
            saw(&logs[ud - 1], type, text, len, type == KIMI_EVENT_END ? kimi_stream_event_status(event) : 0);
        }
        taken++;
    }
    return taken;
}

/* ------------------------------------------- many tasks, cancels and frees */

struct stress_plan {
    int tasks;
    int words;
    int cancel_every;    /* task i with i % cancel_every == 1 is cancelled (0: none) */
    int free_every;      /* task i with i % free_every == 2 is freed early (0: none) */
    size_t capacity;     /* the records buffer (grown when a record needs more) */
    int shrink;          /* go back to `capacity` after each grown read: reads stop mid-queue */
    int next_every;      /* every n-th read takes events one by one instead (0: never) */
    unsigned coalesce_us; /* the client's coalescing: many messages per loop round */
    int free_at_end;      /* as the Python binding: kimi_task_wait(0), then kimi_task_free, once its END is read */
};

/* A client for the mock that coalesces its reads for `us` microseconds. */
static kimi_client *coalescing_client(unsigned us) {
    kimi_client_options *opts = test_options();
    CHECK_INT(kimi_client_options_set_coalesce_us(opts, us), KIMI_OK);
    return test_client_from(opts);
}

static const char *const scenarios[] = {
    " [[mock: split=37]]", " [[mock: big]]", " [[mock: batch=4096 long_ids=200]]",
    " [[mock: reasoning_chunks=30 split=500]]", " [[mock: delay_ms=1]]", " [[mock: keepalive]]",
};

static void stress(const struct stress_plan *plan) {
    kimi_client *client = coalescing_client(plan->coalesce_us);
    kimi_event_queue *queue = NULL;
    struct task_log *logs = calloc((size_t)plan->tasks, sizeof *logs);
    size_t capacity = plan->capacity;
    unsigned char *buf = malloc(capacity);
    struct pollfd watch;
    int i, bad = 0, mismatches = 0, grown = 0, too_large_wrong = 0, remaining = plan->tasks, reads = 0;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (i = 0; i < plan->tasks; i++) {
        kimi_chat_request *req;
        char *text = task_text(i, plan->words + (i % 5) * 37, 0, 0, &logs[i].want, &logs[i].want_len,
                               scenarios[i % (int)(sizeof scenarios / sizeof *scenarios)]);
        req = user_request(NULL, text);
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)(uintptr_t)(i + 1), &logs[i].task),
                  KIMI_OK);
        kimi_chat_request_free(req);
        free(text);
    }
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (remaining > 0) {
        int took = 0;
        reads++;
        /* The host's own cancels and frees, between reads. */
        for (i = 0; i < plan->tasks; i++) {
            if (plan->cancel_every && i % plan->cancel_every == 1 && reads == 3 + i && !logs[i].cancelled &&
                !logs[i].freed) {
                kimi_task_cancel(logs[i].task);
                logs[i].cancelled = 1;
            }
            if (plan->free_every && i % plan->free_every == 2 && reads == 4 + i && !logs[i].freed) {
                kimi_task_free(logs[i].task);
                logs[i].freed = 1;
                if (!logs[i].ends) remaining--;
            }
        }
        if (plan->next_every && reads % plan->next_every == 0) {
            took = take_next(queue, logs, plan->tasks, 1 + reads % 13, reads % 2, &bad);
        } else {
            size_t len = 0;
            struct last_event last;
            kimi_status status = kimi_event_queue_read_records(queue, buf, capacity, &len);
            if (status == KIMI_E_TOO_LARGE) {
                if (len <= capacity) too_large_wrong++;
                /* Nothing was taken: the current event is none. */
                if (kimi_stream_event_type((const kimi_stream_event *)queue) != 0) mismatches++;
                capacity = len;
                buf = realloc(buf, capacity);
                grown++;
                continue;
            }
            CHECK_INT(status, KIMI_OK);
            if (status != KIMI_OK) break;
            if (len > 0) {
                kimi_record first;
                memcpy(&first, buf, sizeof first);
                if (grown && plan->shrink && first.size != capacity && capacity != plan->capacity) too_large_wrong++;
                took = 1;
                take_records(logs, plan->tasks, buf, len, &bad, &last);
                check_current_is_last(queue, logs, &last, &mismatches);
                if (plan->shrink && capacity != plan->capacity) {
                    capacity = plan->capacity;
                    buf = realloc(buf, capacity);
                }
            }
        }
        if (plan->free_at_end) {
            for (i = 0; i < plan->tasks; i++) {
                if (logs[i].ends && !logs[i].freed) {
                    /* The outcome is set before the END is queued. */
                    CHECK_INT(kimi_task_wait(logs[i].task, 0), logs[i].end_status);
                    kimi_task_free(logs[i].task);
                    logs[i].freed = 1;
                    logs[i].freed_at_end = 1;
                }
            }
        }
        remaining = 0;
        for (i = 0; i < plan->tasks; i++) remaining += !logs[i].freed && !logs[i].ends;
        if (!took && remaining > 0 && poll(&watch, 1, 10000) != 1) {
            fprintf(stderr, "  no event for 10 s: %d tasks have not ended\n", remaining);
            CHECK(0);
            break;
        }
    }
    {
        size_t len = 7;
        CHECK_INT(kimi_event_queue_read_records(queue, buf, capacity, &len), KIMI_OK);
        CHECK_INT(len, 0);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(mismatches, 0);
    CHECK_INT(too_large_wrong, 0);
    for (i = 0; i < plan->tasks; i++) {
        struct task_log *log = &logs[i];
        CHECK_INT(log->after_end, 0);
        CHECK_INT(log->after_free, 0);
        CHECK_INT(log->after_cancel, 0);
        CHECK_INT(log->out_of_order, 0);
        if (log->out_of_order || log->after_end || log->after_free || log->after_cancel)
            fprintf(stderr, "    task %d: %s%s\n", i, log->cancelled ? "cancelled " : "", log->freed ? "freed" : "");
        if (log->freed_at_end) {
            CHECK_INT(log->ends, 1);
            if (!log->cancelled) CHECK_INT(log->got_len, log->want_len);
        } else if (!log->freed) {
            CHECK_INT(log->ends, 1);
            if (log->cancelled) {
                CHECK(log->end_status == KIMI_OK || log->end_status == KIMI_E_ABORTED);
            } else {
                CHECK_INT(log->end_status, KIMI_OK);
                CHECK_INT(log->got_len, log->want_len);
            }
            CHECK_INT(kimi_task_wait(log->task, 0), log->end_status);
            kimi_task_free(log->task);
        }
        log_free(log);
    }
    free(logs);
    free(buf);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* 24 tasks of several network shapes, records in a 4 KiB buffer, every
 * third read by kimi_event_queue_next or _read: every task's content whole
 * and in order, its END once and last, the queue's current event the last
 * one each read took. */
static void test_records_and_next_interleaved(void) {
    struct stress_plan plan = {24, 300, 0, 0, 4096, 0, 3, 0, 0};
    stress(&plan);
}

/* The same, with a sixth of the tasks cancelled and a sixth freed from the
 * host's thread between reads: nothing of a freed task after the free,
 * nothing but the END of a cancelled one after the cancel. */
static void test_cancel_and_free_between_reads(void) {
    struct stress_plan plan = {24, 300, 6, 6, 4096, 0, 4, 0, 1};
    stress(&plan);
}

/* Both, with 20 ms of coalescing: one loop round queues many messages of
 * many tasks, so one read takes records of many tasks and rounds. */
static void test_coalesced_rounds(void) {
    struct stress_plan plan = {40, 250, 6, 7, 8192, 0, 5, 20000, 1};
    stress(&plan);
}

/* Records only, in a buffer so small that nearly every record is told too
 * large first (and the buffer shrunk again after each read): every read
 * stops mid-queue, nothing is lost or taken twice. */
static void test_tiny_buffers_stop_mid_queue(void) {
    struct stress_plan plan = {8, 120, 0, 0, 40, 1, 0, 0, 0};
    stress(&plan);
}

/* A 200-byte buffer: a few records per read, with cancels and frees. */
static void test_small_buffers_with_cancels(void) {
    struct stress_plan plan = {12, 200, 5, 5, 200, 0, 7, 0, 1};
    stress(&plan);
}

/* -------------------------------- cancels and frees from another thread */

struct killer {
    struct task_log *logs;
    int tasks;
    int freed_mask[64];
    pthread_mutex_t lock;
};

static void *kill_tasks(void *arg) {
    struct killer *k = arg;
    int i, round;
    for (round = 0; round < 3; round++) {
        struct timespec ms = {0, 3000000L};
        nanosleep(&ms, NULL);
        for (i = round; i < k->tasks; i += 3) {
            if (i % 4 == 1) kimi_task_cancel(k->logs[i].task);
            if (i % 4 == 3) {
                pthread_mutex_lock(&k->lock);
                kimi_task_free(k->logs[i].task);
                k->freed_mask[i] = 1;
                pthread_mutex_unlock(&k->lock);
            }
        }
    }
    return NULL;
}

/* Tasks cancelled and freed from a second thread while the host reads their
 * records: no crash, no event after a task's END, content in order, and
 * every task not freed ends once. */
static void test_cancel_and_free_from_another_thread(void) {
    enum { N = 32 };
    int round;
    for (round = 0; round < 3; round++) {
        kimi_client *client = test_client();
        kimi_event_queue *queue = NULL;
        struct task_log logs[N];
        struct killer k;
        pthread_t thread;
        size_t capacity = 1024;
        unsigned char *buf = malloc(capacity);
        struct pollfd watch;
        int i, bad = 0, remaining = N, mismatches = 0;
        double started = now_ms();
        memset(logs, 0, sizeof logs);
        memset(&k, 0, sizeof k);
        pthread_mutex_init(&k.lock, NULL);
        k.logs = logs;
        k.tasks = N;
        CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
        for (i = 0; i < N; i++) {
            kimi_chat_request *req;
            char *text = task_text(i, 200, 0, 0, &logs[i].want, &logs[i].want_len,
                                   scenarios[i % (int)(sizeof scenarios / sizeof *scenarios)]);
            req = user_request(NULL, text);
            CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)(uintptr_t)(i + 1), &logs[i].task),
                      KIMI_OK);
            kimi_chat_request_free(req);
            free(text);
        }
        pthread_create(&thread, NULL, kill_tasks, &k);
        watch.fd = kimi_event_queue_fd(queue);
        watch.events = POLLIN;
        while (remaining > 0 && now_ms() - started < 20000) {
            size_t len = 0;
            kimi_status status;
            int took = 0;
            if (round == 1 && (i = rand() % 3) == 0) {
                took = take_next(queue, logs, N, 5, 0, &bad);
            } else {
                struct last_event last;
                status = kimi_event_queue_read_records(queue, buf, capacity, &len);
                if (status == KIMI_E_TOO_LARGE) {
                    capacity = len;
                    buf = realloc(buf, capacity);
                    continue;
                }
                CHECK_INT(status, KIMI_OK);
                if (len) {
                    took = 1;
                    take_records(logs, N, buf, len, &bad, &last);
                    /* The current event's task may be freed meanwhile: only
                       its type and user data are compared (no handle use). */
                    if (last.found &&
                        (kimi_stream_event_type((const kimi_stream_event *)queue) != last.type ||
                         (uint64_t)(uintptr_t)kimi_stream_event_user_data((const kimi_stream_event *)queue) !=
                             last.user_data))
                        mismatches++;
                }
            }
            pthread_mutex_lock(&k.lock);
            remaining = 0;
            for (i = 0; i < N; i++) remaining += !k.freed_mask[i] && !logs[i].ends;
            pthread_mutex_unlock(&k.lock);
            if (!took && remaining > 0) {
                /* A freed task's END never comes: look again soon. */
                (void)poll(&watch, 1, 50);
            }
        }
        pthread_join(thread, NULL);
        CHECK_INT(remaining, 0);
        CHECK_INT(bad, 0);
        CHECK_INT(mismatches, 0);
        for (i = 0; i < N; i++) {
            CHECK_INT(logs[i].after_end, 0);
            CHECK_INT(logs[i].out_of_order, 0);
            CHECK(logs[i].ends <= 1);
            if (!k.freed_mask[i]) {
                CHECK_INT(logs[i].ends, 1);
                if (i % 4 != 1) {
                    CHECK_INT(logs[i].end_status, KIMI_OK);
                    CHECK_INT(logs[i].got_len, logs[i].want_len);
                }
                kimi_task_free(logs[i].task);
            }
            log_free(&logs[i]);
        }
        pthread_mutex_destroy(&k.lock);
        free(buf);
        kimi_event_queue_free(queue);
        kimi_client_free(client);
    }
}

/* --------------------------------------------- texts larger than a block */

/* Deltas of 70 and 200 KB (a storage block is 64 KiB) among small ones,
 * read one by one by a slow reader while the loop queues more: each taken
 * event's text and chunk JSON stay what they were until the next take, over
 * several fills and drains of one queue; then the same read as records. */
static void test_texts_larger_than_a_block(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    int round;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (round = 0; round < 4; round++) {
        struct task_log logs[3];
        int i, ended = 0, corrupt = 0, events = 0, bad = 0;
        struct pollfd watch;
        memset(logs, 0, sizeof logs);
        for (i = 0; i < 3; i++) {
            kimi_chat_request *req;
            char *text = task_text(i, 60, i == 0 ? 7 : 11, round % 2 ? 200000 : 70000, &logs[i].want,
                                   &logs[i].want_len, i == 1 ? " [[mock: split=9000]]" : " [[mock: big]]");
            req = user_request(NULL, text);
            CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, (void *)(uintptr_t)(i + 1), &logs[i].task),
                      KIMI_OK);
            kimi_chat_request_free(req);
            free(text);
        }
        watch.fd = kimi_event_queue_fd(queue);
        watch.events = POLLIN;
        if (round < 2) {
            while (ended < 3) {
                const kimi_stream_event *event = NULL;
                const char *text, *json;
                size_t n = 0, m = 0;
                char *copy;
                uintptr_t ud;
                int type;
                if (kimi_event_queue_next(queue, &event) != KIMI_OK || !event) {
                    if (poll(&watch, 1, 10000) != 1) {
                        CHECK(!"no event for 10 s");
                        break;
                    }
                    continue;
                }
                events++;
                type = kimi_stream_event_type(event);
                ud = (uintptr_t)kimi_stream_event_user_data(event);
                text = kimi_stream_event_text(event, &n);
                json = kimi_stream_event_json(event, &m);
                copy = malloc(n + 1);
                memcpy(copy, text, n + 1);
                if (ud < 1 || ud > 3) {
                    bad++;
                    free(copy);
                    continue;
                }
                saw(&logs[ud - 1], type, text, n, type == KIMI_EVENT_END ? kimi_stream_event_status(event) : 0);
                ended += type == KIMI_EVENT_END;
                /* Let the loop queue (and the queue release) meanwhile. */
                if (n > 60000 || events % 50 == 0) {
                    struct timespec ms = {0, 4000000L};
                    nanosleep(&ms, NULL);
                }
                if (memcmp(copy, text, n + 1) != 0) corrupt++;
                if (type == KIMI_EVENT_CONTENT_DELTA && n > 16 && (m < n || !memmem(json, m, text, 16))) corrupt++;
                free(copy);
            }
        } else {
            size_t capacity = 4096;
            unsigned char *buf = malloc(capacity);
            while (ended < 3) {
                size_t len = 0;
                struct last_event last;
                int mismatches = 0;
                kimi_status status = kimi_event_queue_read_records(queue, buf, capacity, &len);
                if (status == KIMI_E_TOO_LARGE) {
                    capacity = len;
                    buf = realloc(buf, capacity);
                    continue;
                }
                CHECK_INT(status, KIMI_OK);
                if (status != KIMI_OK) break;
                if (!len) {
                    if (poll(&watch, 1, 10000) != 1) {
                        CHECK(!"no event for 10 s");
                        break;
                    }
                    continue;
                }
                take_records(logs, 3, buf, len, &bad, &last);
                check_current_is_last(queue, logs, &last, &mismatches);
                CHECK_INT(mismatches, 0);
                ended = logs[0].ends + logs[1].ends + logs[2].ends;
            }
            free(buf);
        }
        CHECK_INT(corrupt, 0);
        CHECK_INT(bad, 0);
        for (i = 0; i < 3; i++) {
            CHECK_INT(logs[i].ends, 1);
            CHECK_INT(logs[i].end_status, KIMI_OK);
            CHECK_INT(logs[i].out_of_order, 0);
            CHECK_INT(logs[i].got_len, logs[i].want_len);
            kimi_task_free(logs[i].task);
            log_free(&logs[i]);
        }
    }
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* ------------------------------------------- queues fed in the same round */

/* Tasks of one client spread over three queues (task i on queue i % 3, so
 * the loop delivers to A, B, C, A... in one round), and a task on each
 * queue whose whole stream comes in one write: each queue's descriptor is
 * readable while its events wait, and every task ends whole. The reader
 * waits on the descriptors only (a queue never signalled stalls it). */
static void queues_fed_in_one_round(unsigned coalesce_us) {
    enum { Q = 3, N = 30 };
    kimi_client *client = coalescing_client(coalesce_us);
    kimi_event_queue *queues[Q];
    struct task_log logs[N];
    struct pollfd watch[Q];
    int i, q, ended = 0, bad = 0, stalls = 0, wrong_queue = 0;
    memset(logs, 0, sizeof logs);
    for (q = 0; q < Q; q++) {
        CHECK_INT(kimi_event_queue_new(&queues[q]), KIMI_OK);
        watch[q].fd = kimi_event_queue_fd(queues[q]);
        watch[q].events = POLLIN;
    }
    for (i = 0; i < N; i++) {
        kimi_chat_request *req;
        char *text = task_text(i, 40 + i, 0, 0, &logs[i].want, &logs[i].want_len,
                               i % 2 ? " [[mock: big]]" : " [[mock: split=64]]");
        req = user_request(NULL, text);
        CHECK_INT(kimi_chat_stream_start_queued(client, req, queues[i % Q], (void *)(uintptr_t)(i + 1), &logs[i].task),
                  KIMI_OK);
        kimi_chat_request_free(req);
        free(text);
    }
    while (ended < N) {
        int ready = poll(watch, Q, 5000);
        if (ready <= 0) {
            stalls++;
            /* What waits although no descriptor says so. */
            for (q = 0; q < Q; q++) {
                const kimi_stream_event *event = NULL;
                if (kimi_event_queue_next(queues[q], &event) == KIMI_OK && event)
                    fprintf(stderr, "  queue %d holds events but its descriptor is not readable\n", q);
            }
            break;
        }
        for (q = 0; q < Q; q++) {
            unsigned char buf[1 << 16];
            size_t len = 0;
            struct last_event last;
            int before = 0;
            if (!(watch[q].revents & POLLIN)) continue;
            for (i = 0; i < N; i++) before += logs[i].ends;
            if (q == 1) {
                (void)take_next(queues[q], logs, N, 1 << 30, 0, &bad);
            } else {
                while (kimi_event_queue_read_records(queues[q], buf, sizeof buf, &len) == KIMI_OK && len) {
                    take_records(logs, N, buf, len, &bad, &last);
                    if (last.found && (int)((last.user_data - 1) % Q) != q) wrong_queue++;
                }
            }
            ended = 0;
            for (i = 0; i < N; i++) ended += logs[i].ends;
            (void)before;
        }
    }
    CHECK_INT(stalls, 0);
    CHECK_INT(bad, 0);
    CHECK_INT(wrong_queue, 0);
    for (i = 0; i < N; i++) {
        CHECK_INT(logs[i].ends, 1);
        CHECK_INT(logs[i].end_status, KIMI_OK);
        CHECK_INT(logs[i].out_of_order, 0);
        CHECK_INT(logs[i].got_len, logs[i].want_len);
        kimi_task_free(logs[i].task);
        log_free(&logs[i]);
    }
    for (q = 0; q < Q; q++) {
        struct pollfd one = watch[q];
        CHECK_INT(poll(&one, 1, 0), 0); /* drained: not readable */
        kimi_event_queue_free(queues[q]);
    }
    kimi_client_free(client);
}

static void test_queues_fed_in_one_round(void) {
    queues_fed_in_one_round(0);
    queues_fed_in_one_round(30000); /* 30 ms of coalescing: A, B, C, A... in every round */
}

/* ---------------------------------------- file pieces through one queue */

/* Two downloads of a 3 MB virtual file (byte i is i % 256; each DATA piece
 * a network read of up to 64 KiB, over a storage block with its NUL) and an
 * upload (PROGRESS events from inside the transfer), one queue, a slow
 * reader by kimi_event_queue_next in the first round and by records in the
 * second: every piece's bytes are the file's at their offset and stay so
 * until the next take, the upload's progress only grows, each task ends
 * once. */
static void test_file_pieces_through_one_queue(void) {
    enum { SIZE = 3000000, UPLOAD = 2000000 };
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    unsigned char *data = malloc(UPLOAD);
    int round, i;
    for (i = 0; i < UPLOAD; i++) data[i] = (unsigned char)(i * 7 + 13);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (round = 0; round < 2; round++) {
        kimi_task *tasks[3];
        int64_t got[3] = {0, 0, 0}, sent = -1;
        int ends[3] = {0, 0, 0}, statuses[3] = {-1, -1, -1}, wrong = 0, shrank = 0, pieces = 0;
        struct pollfd watch;
        size_t capacity = 1 << 16;
        unsigned char *buf = malloc(capacity);
        char id[64];
        snprintf(id, sizeof id, "file-big-%d", SIZE);
        CHECK_INT(kimi_file_content_start(client, id, queue, NULL, (void *)1, &tasks[0]), KIMI_OK);
        CHECK_INT(kimi_file_upload_data_start(client, "h20.bin", data, UPLOAD, "file-extract", queue, NULL, (void *)2,
                                              &tasks[1]),
                  KIMI_OK);
        CHECK_INT(kimi_file_content_start(client, id, queue, NULL, (void *)3, &tasks[2]), KIMI_OK);
        watch.fd = kimi_event_queue_fd(queue);
        watch.events = POLLIN;
        while (ends[0] + ends[1] + ends[2] < 3) {
            int took = 0;
            if (round == 0) {
                const kimi_stream_event *event = NULL;
                if (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
                    int type = kimi_stream_event_type(event);
                    int t = (int)(uintptr_t)kimi_stream_event_user_data(event) - 1;
                    size_t n = 0;
                    const unsigned char *text = (const unsigned char *)kimi_stream_event_text(event, &n);
                    int64_t done = 0, total = 0;
                    took = 1;
                    if (t < 0 || t > 2) {
                        wrong++;
                        continue;
                    }
                    if (type == KIMI_EVENT_DATA) {
                        size_t k;
                        for (k = 0; k < n; k++)
                            if (text[k] != (unsigned char)((got[t] + (int64_t)k) % 256)) {
                                wrong++;
                                break;
                            }
                        if (++pieces % 4 == 0) {
                            struct timespec ms = {0, 3000000L};
                            nanosleep(&ms, NULL); /* the loop queues (and the queue frees) meanwhile */
                        }
                        for (k = 0; k < n; k++)
                            if (text[k] != (unsigned char)((got[t] + (int64_t)k) % 256)) {
                                shrank++;
                                break;
                            }
                        got[t] += (int64_t)n;
                    } else if (type == KIMI_EVENT_PROGRESS) {
                        kimi_stream_event_progress(event, &done, &total);
                        if (done < sent) wrong++;
                        sent = done;
                    } else if (type == KIMI_EVENT_END) {
                        ends[t]++;
                        statuses[t] = kimi_stream_event_status(event);
                    }
                }
            } else {
                size_t len = 0, at = 0;
                kimi_status status = kimi_event_queue_read_records(queue, buf, capacity, &len);
                if (status == KIMI_E_TOO_LARGE) {
                    capacity = len;
                    buf = realloc(buf, capacity);
                    continue;
                }
                CHECK_INT(status, KIMI_OK);
                if (status != KIMI_OK) break;
                took = len > 0;
                while (at < len) {
                    kimi_record rec;
                    size_t p;
                    unsigned k;
                    int t;
                    memcpy(&rec, buf + at, sizeof rec);
                    t = (int)rec.user_data - 1;
                    p = at + sizeof rec;
                    for (k = 0; rec.type == KIMI_RECORD_EVENTS && k < rec.count; k++) {
                        kimi_record_part part;
                        memcpy(&part, buf + p, sizeof part);
                        if (t < 0 || t > 2) {
                            wrong++;
                        } else if (part.type == KIMI_EVENT_DATA) {
                            const unsigned char *bytes = buf + p + sizeof part + part.len;
                            uint32_t b;
                            for (b = 0; b < part.len2; b++)
                                if (bytes[b] != (unsigned char)((got[t] + (int64_t)b) % 256)) {
                                    wrong++;
                                    break;
                                }
                            got[t] += part.len2;
                        } else if (part.type == KIMI_EVENT_PROGRESS) {
                            int64_t done;
                            memcpy(&done, buf + p + sizeof part, 8);
                            if (done < sent) wrong++;
                            sent = done;
                        } else if (part.type == KIMI_EVENT_END) {
                            ends[t]++;
                            statuses[t] = part.index;
                        }
                        p += sizeof part + (((size_t)part.len + part.len2 + 7) & ~(size_t)7);
                    }
                    at += rec.size;
                }
            }
            if (!took && poll(&watch, 1, 10000) != 1) {
                CHECK(!"no event for 10 s");
                break;
            }
        }
        CHECK_INT(wrong, 0);
        CHECK_INT(shrank, 0);
        for (i = 0; i < 3; i++) {
            CHECK_INT(ends[i], 1);
            CHECK_INT(statuses[i], KIMI_OK);
        }
        CHECK_INT(got[0], SIZE);
        CHECK_INT(got[2], SIZE);
        CHECK(sent > UPLOAD);
        {
            kimi_file *file = NULL;
            int64_t count = 0;
            CHECK_INT(kimi_task_file(tasks[1], &file), KIMI_OK);
            CHECK(file && strncmp(kimi_file_id(file), "file-", 5) == 0);
            CHECK_INT(kimi_task_count(tasks[0], &count), KIMI_OK);
            CHECK_INT(count, SIZE);
            kimi_file_free(file);
        }
        for (i = 0; i < 3; i++) kimi_task_free(tasks[i]);
        free(buf);
    }
    free(data);
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* ------------------------------------------------ a task's end, watched */

struct watcher {
    kimi_task *task;
    int stop; /* __atomic */
    int heads, responses, ended_seen, bad;
    char request_id[64];
};

/* Reads the task's head, status and response over and over while the loop
 * runs and ends it; the head, once there, keeps one request id. */
static void *watch_task(void *arg) {
    struct watcher *w = arg;
    for (;;) {
        int last = __atomic_load_n(&w->stop, __ATOMIC_SEQ_CST); /* one more look after the stop */
        kimi_chat_response *resp = NULL;
        kimi_status status = kimi_task_status(w->task);
        if (kimi_task_head(w->task, &resp) == KIMI_OK) {
            const char *id = kimi_chat_response_request_id(resp);
            w->heads++;
            if (kimi_chat_response_http_status(resp) != 200) w->bad++;
            if (!w->request_id[0]) snprintf(w->request_id, sizeof w->request_id, "%s", id);
            else if (strcmp(w->request_id, id) != 0) w->bad++;
            kimi_chat_response_free(resp);
        }
        if (status != KIMI_E_PENDING) {
            w->ended_seen++;
            if (kimi_task_response(w->task, &resp) == KIMI_OK) {
                w->responses++;
                if (!strstr(kimi_chat_response_request_id(resp), "req-mock-")) w->bad++;
                (void)kimi_chat_response_content(resp, NULL);
                kimi_chat_response_free(resp);
            }
            (void)kimi_task_wait(w->task, 0);
            kimi_task_cancel(w->task); /* harmless once it ended */
        }
        if (last) break;
    }
    return NULL;
}

static int end_cb(const kimi_stream_event *ev, void *user_data) {
    (void)ev;
    (void)user_data;
    return 0;
}

/* Stream and create tasks, by callback and by queue, watched from another
 * thread (head, status, response, wait, cancel) while the loop ends them,
 * some cancelled as they end: no crash, the head keeps its request id, and
 * the response after the end is the task's. */
static void test_the_end_watched_from_another_thread(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    int round;
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (round = 0; round < 40; round++) {
        kimi_chat_request *req = user_request(NULL, round % 3 ? "a b c d [[mock: chunks=30]]" : "short");
        struct watcher w;
        pthread_t thread;
        kimi_status status;
        const kimi_stream_event *event;
        memset(&w, 0, sizeof w);
        switch (round % 4) {
        case 0: status = kimi_chat_stream_start(client, req, end_cb, NULL, &w.task); break;
        case 1: status = kimi_chat_create_start(client, req, end_cb, NULL, &w.task); break;
        case 2: status = kimi_chat_stream_start_queued(client, req, queue, NULL, &w.task); break;
        default: status = kimi_chat_create_start_queued(client, req, queue, NULL, &w.task); break;
        }
        CHECK_INT(status, KIMI_OK);
        pthread_create(&thread, NULL, watch_task, &w);
        if (round % 5 == 4) {
            struct timespec us = {0, (long)(round * 37 % 900) * 1000L};
            nanosleep(&us, NULL);
            kimi_task_cancel(w.task);
        }
        status = kimi_task_wait(w.task, 10000);
        CHECK(status == KIMI_OK || (round % 5 == 4 && status == KIMI_E_ABORTED));
        {
            struct timespec ms = {0, 2000000L};
            nanosleep(&ms, NULL);
        }
        __atomic_store_n(&w.stop, 1, __ATOMIC_SEQ_CST);
        pthread_join(thread, NULL);
        CHECK_INT(w.bad, 0);
        CHECK(w.ended_seen > 0);
        if (status == KIMI_OK) {
            kimi_chat_response *resp = NULL, *head = NULL;
            CHECK(w.responses > 0);
            CHECK_INT(kimi_task_response(w.task, &resp), KIMI_OK);
            CHECK_INT(kimi_task_head(w.task, &head), KIMI_OK);
            if (resp && head) CHECK_STR(kimi_chat_response_request_id(head), kimi_chat_response_request_id(resp));
            if (w.request_id[0] && head) CHECK_STR(kimi_chat_response_request_id(head), w.request_id);
            kimi_chat_response_free(resp);
            kimi_chat_response_free(head);
        }
        while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
        }
        kimi_task_free(w.task);
        kimi_chat_request_free(req);
    }
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

/* Tasks of several calls (a batch submitted: an upload, then the batch's
 * creation; a batch waited for: polls) end whole through a queue, and read
 * as records. */
static void test_jobs_of_several_calls(void) {
    kimi_client *client = test_client();
    kimi_event_queue *queue = NULL;
    kimi_task *submit = NULL, *waiter = NULL;
    kimi_batch *batch = NULL, *done = NULL;
    kimi_chat_request *req = user_request(NULL, "line");
    char path[256];
    unsigned char buf[1 << 14];
    struct pollfd watch;
    int ends = 0, progress = 0, attached = 0;
    snprintf(path, sizeof path, "%s/libkimi-h20-%d.jsonl", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    write_batch_input(path, 3, req);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    CHECK_INT(kimi_batch_submit_start(client, path, NULL, NULL, queue, NULL, (void *)1, &submit), KIMI_OK);
    CHECK_INT(kimi_task_wait(submit, 10000), KIMI_OK);
    CHECK_INT(kimi_task_batch(submit, &batch), KIMI_OK);
    CHECK_INT(kimi_batch_wait_start(client, batch, 1, queue, NULL, (void *)2, &waiter), KIMI_OK);
    watch.fd = kimi_event_queue_fd(queue);
    watch.events = POLLIN;
    while (ends < 2) {
        size_t len = 0, at = 0;
        kimi_status status = kimi_event_queue_read_records(queue, buf, sizeof buf, &len);
        CHECK_INT(status, KIMI_OK);
        if (status != KIMI_OK) break;
        if (!len) {
            if (poll(&watch, 1, 10000) != 1) {
                CHECK(!"no event for 10 s");
                break;
            }
            continue;
        }
        while (at < len) {
            kimi_record rec;
            kimi_record_part part;
            unsigned k;
            size_t p;
            memcpy(&rec, buf + at, sizeof rec);
            p = at + sizeof rec;
            for (k = 0; rec.type == KIMI_RECORD_EVENTS && k < rec.count; k++) {
                memcpy(&part, buf + p, sizeof part);
                if (part.type == KIMI_EVENT_END) {
                    ends++;
                    CHECK_INT(part.index, KIMI_OK);
                }
                if (part.type == KIMI_EVENT_PROGRESS && rec.user_data == 2) {
                    kimi_batch *seen = NULL;
                    progress++;
                    /* A PROGRESS carries its batch: the read stopped at it. */
                    CHECK_INT(kimi_stream_event_type((const kimi_stream_event *)queue), KIMI_EVENT_PROGRESS);
                    if (kimi_stream_event_batch((const kimi_stream_event *)queue, &seen) == KIMI_OK) attached++;
                    kimi_batch_free(seen);
                    CHECK(at + rec.size == len);
                }
                p += sizeof part + (((size_t)part.len + part.len2 + 7) & ~(size_t)7);
            }
            at += rec.size;
        }
    }
    CHECK(progress >= 1);
    CHECK_INT(attached, progress);
    CHECK_INT(kimi_task_wait(waiter, 10000), KIMI_OK);
    CHECK_INT(kimi_task_batch(waiter, &done), KIMI_OK);
    CHECK_STR(kimi_batch_status(done), "completed");
    kimi_batch_free(done);
    kimi_batch_free(batch);
    kimi_task_free(submit);
    kimi_task_free(waiter);
    kimi_event_queue_free(queue);
    kimi_chat_request_free(req);
    remove(path);
    kimi_client_free(client);
}

/* ------------------------------------------------- a retried answer's head */

/* The request id the mock gives its next request: it numbers every request
 * it answers (X-Request-Id: req-mock-N); this asks it one and adds 1. */
static long next_mock_request_id(void) {
    char answer[4096];
    const char *at;
    if (mock_get("/mock/count/h20-probe", answer, sizeof answer) != 0) return -1;
    at = strstr(answer, "req-mock-");
    return at ? strtol(at + 9, NULL, 10) + 1 : -1;
}

/* A task whose first attempt failed (500, or 429 naming its wait in
 * retry-after-ms) and whose second was answered: its head, read while it
 * streams and after it ended, and its response give the second attempt's
 * request id, status and headers, never the first's. By callback and by
 * queue, stream and create. */
static void test_a_retried_answer_has_the_last_attempts_head(void) {
    static const char *const failures[] = {"status=500 type=server_error", "status=429 type=engine_overloaded_error retry_after_ms=5",
                                           "drop"};
    kimi_client_options *opts = test_options();
    kimi_client *client;
    kimi_event_queue *queue = NULL;
    int f, kind;
    CHECK_INT(kimi_client_options_set_max_retries(opts, 2), KIMI_OK);
    CHECK_INT(kimi_client_options_set_retry_delay_ms(opts, 1, 4), KIMI_OK);
    client = test_client_from(opts);
    CHECK_INT(kimi_event_queue_new(&queue), KIMI_OK);
    for (f = 0; f < 3; f++) {
        for (kind = 0; kind < 4; kind++) {
            char text[256], want[32], key[32];
            kimi_chat_request *req;
            kimi_task *task = NULL;
            kimi_chat_response *head = NULL, *resp = NULL, *early = NULL;
            const kimi_stream_event *event;
            long id;
            snprintf(key, sizeof key, "h20-retry-%d-%d", f, kind);
            snprintf(text, sizeof text, "a b c [[mock: %s times=1 key=%s rheader=X-Final:yes chunks=20 delay_ms=2]]",
                     failures[f], key);
            req = user_request(NULL, text);
            id = next_mock_request_id();
            CHECK(id > 0);
            /* The first attempt is request id, the second id + 1. */
            snprintf(want, sizeof want, "req-mock-%ld", id + 1);
            switch (kind) {
            case 0: CHECK_INT(kimi_chat_stream_start(client, req, NULL, NULL, &task), KIMI_OK); break;
            case 1: CHECK_INT(kimi_chat_create_start(client, req, NULL, NULL, &task), KIMI_OK); break;
            case 2: CHECK_INT(kimi_chat_stream_start_queued(client, req, queue, NULL, &task), KIMI_OK); break;
            default: CHECK_INT(kimi_chat_create_start_queued(client, req, queue, NULL, &task), KIMI_OK); break;
            }
            /* While a stream runs: its head, once it is there. */
            if (kind == 0 || kind == 2) {
                double started = now_ms();
                while (kimi_task_head(task, &early) != KIMI_OK && now_ms() - started < 5000) {
                    struct timespec ms = {0, 1000000L};
                    nanosleep(&ms, NULL);
                }
                CHECK(early != NULL);
                if (early) {
                    CHECK_STR(kimi_chat_response_request_id(early), want);
                    CHECK_INT(kimi_chat_response_http_status(early), 200);
                    CHECK_STR(kimi_chat_response_header(early, "x-final"), "yes");
                }
                kimi_chat_response_free(early);
                early = NULL;
            }
            CHECK_INT(kimi_task_wait(task, 10000), KIMI_OK);
            CHECK_INT(mock_count(key, "count"), 2);
            CHECK_INT(kimi_task_head(task, &head), KIMI_OK);
            CHECK_INT(kimi_task_response(task, &resp), KIMI_OK);
            if (head && resp) {
                CHECK_STR(kimi_chat_response_request_id(head), want);
                CHECK_STR(kimi_chat_response_request_id(resp), want);
                CHECK_INT(kimi_chat_response_http_status(head), 200);
                CHECK_INT(kimi_chat_response_http_status(resp), 200);
                /* A connection dropped before any answer on a reused
                   connection is sent again by libcurl itself (one attempt
                   to libkimi, two requests to the server). */
                if (f == 2) {
                    CHECK(kimi_chat_response_attempts(resp) >= 1);
                } else {
                    CHECK_INT(kimi_chat_response_attempts(resp), 2);
                }
                CHECK_INT(kimi_chat_response_attempts(head), kimi_chat_response_attempts(resp));
                CHECK_STR(kimi_chat_response_header(head, "x-final"), "yes");
                CHECK_STR(kimi_chat_response_header(resp, "x-final"), "yes");
                CHECK_STR(kimi_chat_response_header(resp, "x-request-id"), want);
                CHECK_STR(kimi_chat_response_header(resp, "retry-after-ms"), "");
                CHECK_INT(kimi_chat_response_header_count(head), kimi_chat_response_header_count(resp));
            }
            kimi_chat_response_free(head);
            kimi_chat_response_free(resp);
            while (kimi_event_queue_next(queue, &event) == KIMI_OK && event) {
            }
            kimi_task_free(task);
            kimi_chat_request_free(req);
        }
    }
    kimi_event_queue_free(queue);
    kimi_client_free(client);
}

int main(void) {
    srand(20);
    RUN(test_records_and_next_interleaved);
    RUN(test_cancel_and_free_between_reads);
    RUN(test_coalesced_rounds);
    RUN(test_tiny_buffers_stop_mid_queue);
    RUN(test_small_buffers_with_cancels);
    RUN(test_cancel_and_free_from_another_thread);
    RUN(test_texts_larger_than_a_block);
    RUN(test_queues_fed_in_one_round);
    RUN(test_file_pieces_through_one_queue);
    RUN(test_the_end_watched_from_another_thread);
    RUN(test_jobs_of_several_calls);
    RUN(test_a_retried_answer_has_the_last_attempts_head);
    return harness_finish();
}
