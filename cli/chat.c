/* kimi chat: one streamed answer, or a session (-i, session.c); the history
 * kept the way Kimi needs it back, continued from the log (-c, --cid),
 * templates (-t, --save), and endings told honestly. */
#define _XOPEN_SOURCE 700
#include "chat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: kimi chat [options] [PROMPT...]\n"
    "\n"
    "Streams Kimi's answer to PROMPT: the arguments joined, standard input, or both\n"
    "(the input, an empty line, then the arguments: git diff | kimi chat \"Review this\").\n"
    "  -m, --model NAME        the model (default kimi-k2.6, or the config's)\n"
    "  -s, --system TEXT       a system message\n"
    "      --image FILE        attach an image: a file, - for standard input, or ms://FILE_ID\n"
    "      --video FILE        attach a video (the same forms); both repeatable\n"
    "      --json-mode         answer in JSON (JSON mode); --json is its old name\n"
    "      --schema FILE       answer in JSON following the schema in FILE (json_schema, strict)\n"
    "      --thinking MODE     on, off or keep (Preserved Thinking); default: the model's\n"
    "      --max-tokens N      max_completion_tokens (reasoning and answer share it)\n"
    "      --temperature X, --top-p X   (K2.6 accepts only its fixed values)\n"
    "      --no-reasoning      hide the reasoning (shown dimmed on a terminal)\n"
    "      --reasoning         show the reasoning when the output is not a terminal too\n"
    "      --reasoning-only    show only the reasoning\n"
    "  -i, --interactive       a session: a line editor on a terminal, else a line per turn\n"
    "  -c, --continue          continue the last logged conversation\n"
    "      --cid ID            continue conversation ID (kimi logs lists them)\n"
    "  -t, --template NAME     use a saved template (system prompt and options)\n"
    "      --save NAME         save the system prompt and options as a template, send nothing\n"
    "      --no-log            do not log this exchange in logs.db\n"
    "      --output json       print the whole response object instead of the text\n"
    "      --raw               the model's bytes as they are, even on a terminal\n"
    "  -v, --verbose           the usage, cost and finish reason on standard error\n"
    "      --base-url URL, --api-key-file FILE, --timeout SECONDS\n"
    "\n"
    "On a terminal the reasoning is shown dimmed before the answer, with control\n"
    "characters made visible; into a pipe only the answer goes, byte for byte.\n"
    "Ctrl-C stops the answer and keeps what arrived.\n";

enum {
    OPT_IMAGE = OPT_FIRST_COMMAND_OPTION, OPT_VIDEO, OPT_JSON_MODE, OPT_OLD_JSON, OPT_SCHEMA, OPT_THINKING,
    OPT_MAX_TOKENS, OPT_TEMPERATURE, OPT_TOP_P, OPT_NO_REASONING, OPT_REASONING_ONLY, OPT_REASONING, OPT_OUTPUT,
    OPT_CID, OPT_SAVE, OPT_NO_LOG
};

const struct option chat_options[] = {
    {"system", required_argument, NULL, 's'},
    {"image", required_argument, NULL, OPT_IMAGE},
    {"video", required_argument, NULL, OPT_VIDEO},
    {"json-mode", no_argument, NULL, OPT_JSON_MODE},
    {"json", no_argument, NULL, OPT_OLD_JSON},
    {"schema", required_argument, NULL, OPT_SCHEMA},
    {"thinking", required_argument, NULL, OPT_THINKING},
    {"max-tokens", required_argument, NULL, OPT_MAX_TOKENS},
    {"temperature", required_argument, NULL, OPT_TEMPERATURE},
    {"top-p", required_argument, NULL, OPT_TOP_P},
    {"no-reasoning", no_argument, NULL, OPT_NO_REASONING},
    {"reasoning-only", no_argument, NULL, OPT_REASONING_ONLY},
    {"reasoning", no_argument, NULL, OPT_REASONING},
    {"interactive", no_argument, NULL, 'i'},
    {"continue", no_argument, NULL, 'c'},
    {"cid", required_argument, NULL, OPT_CID},
    {"template", required_argument, NULL, 't'},
    {"save", required_argument, NULL, OPT_SAVE},
    {"no-log", no_argument, NULL, OPT_NO_LOG},
    {"output", required_argument, NULL, OPT_OUTPUT},
    CLI_MODEL_OPTION,
    CLI_COMMON_OPTIONS};

static const char *const thinking_names[] = {"", "on", "off", "keep"};

static int parse_thinking(const char *text) {
    int i;
    for (i = THINKING_ON; i <= THINKING_KEEP; i++)
        if (strcmp(text, thinking_names[i]) == 0) return i;
    return -1;
}

/* --- attachments ------------------------------------------------------------ */

/* Hashes a regular file; 0, or -1 (printing why unless `quiet`). */
static int hash_file(struct cli *cli, const char *path, const char *what, int quiet, struct attachment *a) {
    struct sha256 ctx;
    char buffer[65536];
    ssize_t n;
    int fd;
    if (quiet) {
        struct stat st;
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) return -1;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || fcntl(fd, F_SETFL, 0) != 0) return close(fd), -1;
    } else if ((fd = cli_open_regular(cli, path, what, CLI_INPUT_MAX)) < 0) {
        return -1;
    }
    sha256_init(&ctx);
    a->bytes = 0;
    while ((n = read(fd, buffer, sizeof buffer)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            if (!quiet) cli_error(cli, 0, "%s: cannot read %s: %s", what, path, strerror(errno));
            close(fd);
            return -1;
        }
        sha256_update(&ctx, buffer, (size_t)n);
        a->bytes += n;
    }
    close(fd);
    sha256_hex(&ctx, a->sha256);
    return 0;
}

/* --image/--video ARG: a file (checked and hashed now; the library reads it
 * when the request is sent), - (standard input, read now) or ms://FILE_ID. */
static int prepare_attachment(struct chat *chat, int video, const char *arg) {
    struct attachment *a = &chat->media[chat->media_count];
    const char *what = video ? "--video" : "--image";
    memset(a, 0, sizeof *a);
    a->video = video;
    if (!(a->name = strdup(arg))) return cli_error(chat->cli, EXIT_FAILED, "out of memory");
    chat->media_count++;
    if (strncmp(arg, "ms://", 5) == 0) return 0;
    if (strcmp(arg, "-") == 0) {
        struct sha256 ctx;
        if (!(a->data = cli_read_input(chat->cli, "-", what, CLI_INPUT_MAX, &a->len))) return EXIT_FAILED;
        sha256_init(&ctx);
        sha256_update(&ctx, a->data, a->len);
        sha256_hex(&ctx, a->sha256);
        a->bytes = (int64_t)a->len;
        return 0;
    }
    if (hash_file(chat->cli, arg, what, 0, a) != 0) return EXIT_FAILED;
    if (!(a->path = realpath(arg, NULL))) return cli_error(chat->cli, EXIT_FAILED, "%s: %s: %s", what, arg, strerror(errno));
    return 0;
}

static void free_attachment(struct attachment *a) {
    free(a->name);
    free(a->path);
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* --- the request --------------------------------------------------------------- */

static int apply_settings(struct chat *chat, kimi_chat_request *req) {
    static const int modes[] = {KIMI_THINKING_DEFAULT, KIMI_THINKING_ENABLED, KIMI_THINKING_DISABLED,
                                KIMI_THINKING_KEEP_ALL};
    if (chat->thinking && kimi_chat_request_set_thinking(req, modes[chat->thinking]) != KIMI_OK) return 0;
    if (chat->max_tokens && kimi_chat_request_set_max_completion_tokens(req, chat->max_tokens) != KIMI_OK) return 0;
    if (chat->has_temperature && kimi_chat_request_set_temperature(req, chat->temperature) != KIMI_OK) return 0;
    if (chat->has_top_p && kimi_chat_request_set_top_p(req, chat->top_p) != KIMI_OK) return 0;
    if (chat->json_mode && kimi_chat_request_set_response_format(req, "json_object") != KIMI_OK) return 0;
    if (chat->schema && kimi_chat_request_set_response_format_json_schema(req, "answer", chat->schema, 1) != KIMI_OK)
        return 0;
    return kimi_chat_request_set_cancel_token(req, chat->cli->interrupt) == KIMI_OK;
}

/* A user turn: the prompt and what was attached. An attachment of an
 * earlier turn that is gone (or changed) since is named in the text. */
static kimi_message *user_message(const char *prompt, const struct attachment *media, size_t n) {
    kimi_message *msg = kimi_message_new("user");
    size_t i;
    if (!msg || kimi_message_add_text(msg, prompt) != KIMI_OK) goto fail;
    for (i = 0; i < n; i++) {
        const struct attachment *a = &media[i];
        kimi_status status;
        if (a->data) status = a->video ? kimi_message_add_video_data(msg, NULL, a->data, a->len)
                                       : kimi_message_add_image_data(msg, NULL, a->data, a->len);
        else if (strncmp(a->name, "ms://", 5) == 0)
            status = a->video ? kimi_message_add_video_url(msg, a->name) : kimi_message_add_image_url(msg, a->name);
        else if (a->path)
            status = a->video ? kimi_message_add_video_file(msg, a->path) : kimi_message_add_image_file(msg, a->path);
        else {
            char note[600];
            snprintf(note, sizeof note, "[the %s %.500s attached here is no longer available]",
                     a->video ? "video" : "image", a->name);
            status = kimi_message_add_text(msg, note);
        }
        if (status != KIMI_OK) goto fail;
    }
    return msg;
fail:
    kimi_message_free(msg);
    return NULL;
}

/* The system prompt, the history and the new turn, with the chat's settings.
 * The assistant turns carry their reasoning as Kimi's rules want it back:
 * with thinking "keep" on every turn (kimi answers no tool calls, the other
 * case where Kimi needs it). */
static kimi_chat_request *build_request(struct chat *chat, const char *prompt, const struct attachment *media,
                                        size_t n) {
    kimi_chat_request *req = kimi_chat_request_new(cli_get(chat->cli, SET_MODEL));
    kimi_message *msg = NULL;
    size_t i;
    if (!req || !apply_settings(chat, req)) goto fail;
    if (chat->system && kimi_chat_request_add_message(req, "system", chat->system) != KIMI_OK) goto fail;
    for (i = 0; i < chat->turn_count; i++) {
        const struct turn *t = &chat->turns[i];
        if (!(msg = user_message(t->prompt, t->media, t->media_count)) ||
            kimi_chat_request_append_message(req, msg) != KIMI_OK)
            goto fail;
        kimi_message_free(msg);
        if (!(msg = kimi_message_new("assistant")) || kimi_message_add_text(msg, t->answer) != KIMI_OK ||
            (chat->thinking == THINKING_KEEP && *t->reasoning &&
             kimi_message_set_reasoning_content(msg, t->reasoning) != KIMI_OK) ||
            kimi_chat_request_append_message(req, msg) != KIMI_OK)
            goto fail;
        kimi_message_free(msg);
        msg = NULL;
    }
    if (!(msg = user_message(prompt, media, n)) || kimi_chat_request_append_message(req, msg) != KIMI_OK) goto fail;
    kimi_message_free(msg);
    return req;
fail:
    kimi_message_free(msg);
    kimi_chat_request_free(req);
    return NULL;
}

/* --- the history ---------------------------------------------------------------- */

static int add_turn(struct chat *chat, const char *prompt, const char *reasoning, const char *answer,
                    struct attachment *media, size_t n, int owns_media) {
    struct turn *grown = realloc(chat->turns, (chat->turn_count + 1) * sizeof *grown), *t;
    if (!grown) return -1;
    chat->turns = grown;
    t = &chat->turns[chat->turn_count];
    memset(t, 0, sizeof *t);
    t->prompt = strdup(prompt);
    t->reasoning = strdup(reasoning ? reasoning : "");
    t->answer = strdup(answer);
    t->media = media;
    t->media_count = n;
    t->owns_media = owns_media;
    if (!t->prompt || !t->reasoning || !t->answer) {
        free(t->prompt), free(t->reasoning), free(t->answer);
        return -1;
    }
    chat->turn_count++;
    return 0;
}

void chat_clear(struct chat *chat) {
    size_t i, j;
    for (i = 0; i < chat->turn_count; i++) {
        struct turn *t = &chat->turns[i];
        free(t->prompt), free(t->reasoning), free(t->answer);
        if (t->owns_media) {
            for (j = 0; j < t->media_count; j++) free_attachment(&t->media[j]);
            free(t->media);
        }
    }
    free(chat->turns);
    chat->turns = NULL;
    chat->turn_count = 0;
    logdb_new_id(chat->cid);
}

/* What a logged conversation brings back: its turns, and the model,
 * thinking mode and system prompt of its latest exchange. */
struct loading {
    struct chat *chat;
    char *model, *system;
    int thinking, failed;
};

/* `"thinking": "keep"` from an exchange's options (kimi wrote them). */
static int logged_thinking(const char *options) {
    const char *p = options ? strstr(options, "\"thinking\": \"") : NULL;
    char name[8];
    size_t i;
    if (!p) return THINKING_DEFAULT;
    p += strlen("\"thinking\": \"");
    for (i = 0; i < sizeof name - 1 && p[i] && p[i] != '"'; i++) name[i] = p[i];
    name[i] = 0;
    return parse_thinking(name) > 0 ? parse_thinking(name) : THINKING_DEFAULT;
}

static int load_exchange(const struct exchange *x, const char *snippet, void *user_data) {
    struct loading *l = user_data;
    struct attachment *media = NULL;
    size_t i;
    (void)snippet;
    free(l->model), free(l->system);
    l->model = strdup(x->model ? x->model : "");
    l->system = x->system ? strdup(x->system) : NULL;
    l->thinking = logged_thinking(x->options);
    /* Only answers that completed are part of the history (as a
       conversation keeps them); cut, failed and interrupted ones are not. */
    if (!x->answer || !*x->answer || !x->outcome ||
        (strcmp(x->outcome, "complete") && strcmp(x->outcome, "length") && strcmp(x->outcome, "content_filter")))
        return 0;
    if (x->attachment_count && !(media = calloc(x->attachment_count, sizeof *media))) return l->failed = 1;
    for (i = 0; i < x->attachment_count; i++) {
        const struct attachment *from = &x->attachments[i];
        struct attachment *a = &media[i];
        a->video = from->video;
        a->name = strdup(from->name);
        /* The file again if it is still what was sent, else a note. */
        if (from->path && hash_file(l->chat->cli, from->path, "", 1, a) == 0 && strcmp(a->sha256, from->sha256) == 0)
            a->path = strdup(from->path);
        else if (strncmp(from->name, "ms://", 5) != 0)
            cli_warn(l->chat->cli, "the %s %s of an earlier turn is gone or changed; it is left out",
                     a->video ? "video" : "image", from->name);
    }
    if (add_turn(l->chat, x->prompt ? x->prompt : "", x->reasoning, x->answer, media, x->attachment_count, 1) != 0) {
        for (i = 0; i < x->attachment_count; i++) free_attachment(&media[i]);
        free(media);
        return l->failed = 1;
    }
    return 0;
}

/* -c / --cid: the conversation's history from the log. 0 or the status. */
static int load_conversation(struct chat *chat, const char *cid, int given_system) {
    struct cli *cli = chat->cli;
    struct loading l;
    int status, found;
    logdb *db = chat->db;
    if (!db && (status = logdb_open(cli, 0, &db)) != 0) return status;
    if (!db) return cli_error(cli, EXIT_USAGE, "no conversation to continue: nothing is logged yet");
    if (cid) {
        if ((found = logdb_has_conversation(cli, db, cid)) <= 0) {
            if (db != chat->db) logdb_close(db);
            return found < 0 ? EXIT_LOG : cli_error(cli, EXIT_USAGE, "--cid: no conversation %s in the log", cid);
        }
        snprintf(chat->cid, sizeof chat->cid, "%s", cid);
    } else if ((status = logdb_last_conversation(cli, db, chat->cid)) != 0) {
        if (db != chat->db) logdb_close(db);
        return status;
    }
    memset(&l, 0, sizeof l);
    l.chat = chat;
    status = logdb_each(cli, db, LOGS_CONVERSATION, chat->cid, -1, load_exchange, &l);
    if (db != chat->db) logdb_close(db);
    if (!status && l.failed) status = cli_error(cli, EXIT_FAILED, "out of memory");
    if (!status) {
        if (l.model && *l.model) cli_set(cli, SET_MODEL, l.model, FROM_CONVERSATION, "the conversation");
        if (l.thinking && chat->thinking == THINKING_DEFAULT) chat->thinking = l.thinking;
        if (!given_system && l.system) {
            free(chat->system);
            chat->system = l.system;
            l.system = NULL;
        }
    }
    free(l.model);
    free(l.system);
    return status;
}

/* --- printing a stream ----------------------------------------------------- */

/* In the reasoning (dimmed on a terminal) or out of it. */
static void set_dim(struct chat *chat, int on) {
    if (chat->dimmed == on) return;
    text_end(&chat->text);
    if (chat->cli->stdout_tty) fputs(on ? "\033[2m" : "\033[0m", stdout);
    chat->dimmed = on;
}

static void put(struct chat *chat, const char *text, size_t len) {
    if (!len) return;
    text_write(&chat->text, text, len);
    chat->printed_any = 1;
    chat->last_was_newline = text[len - 1] == '\n';
}

static int on_event(const kimi_stream_event *event, void *user_data) {
    struct chat *chat = user_data;
    int type = kimi_stream_event_type(event);
    size_t len;
    const char *text;
    if (type == KIMI_EVENT_REASONING_DELTA && chat->show_reasoning) {
        text = kimi_stream_event_text(event, &len);
        set_dim(chat, 1);
        put(chat, text, len);
    } else if (type == KIMI_EVENT_CONTENT_DELTA && chat->show_content) {
        text = kimi_stream_event_text(event, &len);
        if (chat->dimmed) {
            set_dim(chat, 0);
            if (!chat->last_was_newline) put(chat, "\n\n", 2);
        }
        put(chat, text, len);
    }
    /* A reader that went away (a full disk, a closed pipe) stops the answer. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        chat->cli->write_failed = errno ? errno : EIO;
        return 1;
    }
    return 0;
}

static void end_output(struct chat *chat) {
    set_dim(chat, 0);
    text_end(&chat->text);
    if (chat->printed_any && !chat->last_was_newline) put(chat, "\n", 1);
    chat->printed_any = 0;
    fflush(stdout);
}

static void report_usage(const struct chat *chat, const kimi_chat_response *resp) {
    const struct cli *cli = chat->cli;
    const char *finish;
    char tokens[160];
    if (!cli->verbose || !resp) return;
    finish = kimi_chat_response_finish_reason(resp);
    if (kimi_chat_response_prompt_tokens(resp) < 0) snprintf(tokens, sizeof tokens, "no usage sent");
    else {
        char cached[48] = "";
        if (kimi_chat_response_cached_tokens(resp) >= 0)
            snprintf(cached, sizeof cached, " (%lld cached)", (long long)kimi_chat_response_cached_tokens(resp));
        snprintf(tokens, sizeof tokens, "%lld prompt tokens%s, %lld completion tokens, $%.6f",
                 (long long)kimi_chat_response_prompt_tokens(resp), cached,
                 (long long)kimi_chat_response_completion_tokens(resp), kimi_chat_response_cost_usd(resp));
    }
    cli_error(cli, 0, "%s, finish %s, %s, request %s", kimi_chat_response_model(resp), *finish ? finish : "none",
              tokens, *kimi_chat_response_request_id(resp) ? kimi_chat_response_request_id(resp) : "none");
}

/* --- a turn ------------------------------------------------------------------ */

/* How the answer ended: the exit status and the outcome logged; the line
 * saying why is printed here. */
static int ending(struct chat *chat, kimi_status status, const kimi_chat_response *final, const char **outcome,
                  char *why, size_t size) {
    struct cli *cli = chat->cli;
    char budget[64];
    if (chat->max_tokens) snprintf(budget, sizeof budget, "--max-tokens %lld", (long long)chat->max_tokens);
    else snprintf(budget, sizeof budget, "the model's limit");
    *why = 0;
    if (status == KIMI_OK) {
        const char *finish = kimi_chat_response_finish_reason(final);
        size_t content = 0;
        kimi_chat_response_content(final, &content);
        *outcome = "complete";
        if (strcmp(finish, "length") == 0 && !content) {
            *outcome = "length";
            snprintf(why, size,
                     "no answer: the token budget (%s) ran out while the model was still reasoning; reasoning and "
                     "answer share it, so ask again with a larger --max-tokens",
                     budget);
            return cli_error(cli, EXIT_CUT_REASONING, "%s", why);
        }
        if (strcmp(finish, "length") == 0) {
            *outcome = "length";
            snprintf(why, size, "the answer is incomplete: it reached the token budget (%s)", budget);
            return cli_error(cli, EXIT_CUT_ANSWERING, "%s", why);
        }
        if (strcmp(finish, "content_filter") == 0) {
            *outcome = "content_filter";
            snprintf(why, size, "the answer was stopped by Kimi's content filter");
            return cli_error(cli, EXIT_CONTENT_FILTER, "%s", why);
        }
        return 0;
    }
    if (status == KIMI_E_INCOMPLETE) {
        *outcome = "cut";
        snprintf(why, size, "the answer is incomplete: the server ended the stream before the answer was done");
        return cli_error(cli, EXIT_INCOMPLETE, "%s", why);
    }
    snprintf(why, size, "%s", kimi_error_detail());
    *outcome = status == KIMI_E_ABORTED && cli_was_interrupted() ? "interrupted" : "failed";
    return cli_fail(cli);
}

/* The options of an exchange as a JSON object (caller frees). */
static char *options_json(const struct chat *chat) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out) return NULL;
    fputc('{', out);
    if (chat->thinking) fprintf(out, "\"thinking\": \"%s\", ", thinking_names[chat->thinking]);
    if (chat->max_tokens) fprintf(out, "\"max_tokens\": %lld, ", (long long)chat->max_tokens);
    if (chat->has_temperature) fprintf(out, "\"temperature\": %.17g, ", chat->temperature);
    if (chat->has_top_p) fprintf(out, "\"top_p\": %.17g, ", chat->top_p);
    if (chat->json_mode) fputs("\"json_mode\": true, ", out);
    if (chat->schema) fputs("\"schema\": true, ", out);
    if (chat->template_name) {
        fputs("\"template\": ", out);
        cli_json_string(out, chat->template_name);
        fputs(", ", out);
    }
    fprintf(out, "\"stream\": %s}", chat->output ? "false" : "true");
    fclose(out);
    return text;
}

static void now_iso(char out[40]) {
    struct timespec ts;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &utc);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &utc);
    sprintf(out + strlen(out), ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

static int log_exchange(struct chat *chat, const char *started, const char *prompt, const struct attachment *media,
                        size_t n, const kimi_chat_response *final, const char *outcome, const char *error, int rc) {
    struct exchange x;
    char *options = options_json(chat);
    int status;
    memset(&x, 0, sizeof x);
    x.conversation_id = chat->cid;
    x.started_at = started;
    x.model = cli_get(chat->cli, SET_MODEL);
    x.base_url = chat->cli->client ? kimi_client_base_url(chat->cli->client) : NULL;
    x.system = chat->system;
    x.prompt = prompt;
    x.options = options;
    x.outcome = outcome;
    x.error = error && *error ? error : NULL;
    x.exit_status = rc;
    x.prompt_tokens = x.cached_tokens = x.completion_tokens = -1;
    x.cost_usd = x.elapsed_ms = x.first_token_ms = -1;
    x.attachments = media;
    x.attachment_count = n;
    if (final) {
        x.response_model = kimi_chat_response_model(final);
        x.reasoning = kimi_chat_response_reasoning(final, NULL);
        x.answer = kimi_chat_response_content(final, NULL);
        x.finish_reason = *kimi_chat_response_finish_reason(final) ? kimi_chat_response_finish_reason(final) : NULL;
        x.prompt_tokens = kimi_chat_response_prompt_tokens(final);
        x.cached_tokens = kimi_chat_response_cached_tokens(final);
        x.completion_tokens = kimi_chat_response_completion_tokens(final);
        if (x.prompt_tokens >= 0) x.cost_usd = kimi_chat_response_cost_usd(final);
        x.request_id = kimi_chat_response_request_id(final);
        x.completion_id = kimi_chat_response_id(final);
        x.elapsed_ms = kimi_chat_response_elapsed_ms(final);
        x.first_token_ms = kimi_chat_response_first_token_ms(final);
    }
    status = logdb_insert(chat->cli, chat->db, &x);
    free(options);
    return status;
}

int chat_turn(struct chat *chat, const char *prompt, const struct attachment *media, size_t n) {
    struct cli *cli = chat->cli;
    kimi_client *client = cli_client(cli);
    kimi_chat_request *req;
    kimi_chat_response *final = NULL;
    kimi_status status;
    const char *outcome = "failed";
    char started[40], why[512];
    int rc, sent;
    if (!client) return cli->status;
    if (!(req = build_request(chat, prompt, media, n))) return cli_fail(cli);
    now_iso(started);
    cli->fixed_path = 1;
    cli->write_failed = 0;
    text_init(&chat->text, stdout, cli_text_mode(cli, stdout));
    chat->printed_any = 0;
    chat->last_was_newline = 1;
    cli_interruptible(cli, 1);
    if (chat->output) status = kimi_chat_create(client, req, &final);
    else status = kimi_chat_stream(client, req, on_event, chat, &final);
    cli_interruptible(cli, 0);
    /* A request refused before anything was sent is no exchange to log. */
    sent = final || status != KIMI_E_INVALID_ARGUMENT;
    if (status == KIMI_OK && chat->output) {
        size_t len;
        const char *json = kimi_chat_response_json(final, &len);
        cli_put_json(cli, json, len);
        fputc('\n', stdout);
    }
    end_output(chat);
    report_usage(chat, final);
    rc = ending(chat, status, final, &outcome, why, sizeof why);
    if (chat->db && sent) {
        int logged = log_exchange(chat, started, prompt, media, n, final, outcome, why, rc);
        if (logged && !rc) rc = logged;
    }
    if (status == KIMI_OK && *kimi_chat_response_content(final, NULL) &&
        add_turn(chat, prompt, kimi_chat_response_reasoning(final, NULL), kimi_chat_response_content(final, NULL),
                 (struct attachment *)media, n, 0) != 0 && !rc)
        rc = cli_error(cli, EXIT_FAILED, "out of memory");
    kimi_chat_response_free(final);
    kimi_chat_request_free(req);
    return rc;
}

/* --- templates ------------------------------------------------------------------- */

int chat_save_template(struct chat *chat, const char *name) {
    struct template_values values;
    char number[64];
    int status;
    memset(&values, 0, sizeof values);
    if (chat->system) values.value[TPL_SYSTEM] = strdup(chat->system);
    if (chat->cli->settings[SET_MODEL].rank >= FROM_TEMPLATE) values.value[TPL_MODEL] = strdup(cli_get(chat->cli, SET_MODEL));
    if (chat->thinking) values.value[TPL_THINKING] = strdup(thinking_names[chat->thinking]);
    if (chat->max_tokens) {
        snprintf(number, sizeof number, "%lld", (long long)chat->max_tokens);
        values.value[TPL_MAX_TOKENS] = strdup(number);
    }
    if (chat->has_temperature) {
        snprintf(number, sizeof number, "%.17g", chat->temperature);
        values.value[TPL_TEMPERATURE] = strdup(number);
    }
    if (chat->has_top_p) {
        snprintf(number, sizeof number, "%.17g", chat->top_p);
        values.value[TPL_TOP_P] = strdup(number);
    }
    if (chat->json_mode) values.value[TPL_JSON_MODE] = strdup("on");
    if (chat->schema) values.value[TPL_SCHEMA] = strdup(chat->schema);
    status = template_save(chat->cli, name, &values);
    template_free(&values);
    return status;
}

/* --- options -------------------------------------------------------------- */

static int parse_number(struct cli *cli, const char *name, const char *text, double *out) {
    char *end;
    *out = strtod(text, &end);
    if (end == text || *end || *out != *out)
        return cli_usage_error(cli, usage, "%s: \"%s\" is not a number", name, text), 0;
    return 1;
}

static int parse_max_tokens(struct cli *cli, const char *text, int64_t *out) {
    double number;
    if (!parse_number(cli, "--max-tokens", text, &number)) return 0;
    if (number < 1 || number > 1e15 || number != (double)(int64_t)number)
        return cli_usage_error(cli, usage, "--max-tokens: \"%s\" is not a positive whole number", text), 0;
    *out = (int64_t)number;
    return 1;
}

/* A template's values where the command line left them unset. */
static int apply_template(struct chat *chat, const struct template_values *t, const int *given) {
    struct cli *cli = chat->cli;
    char source[128];
    snprintf(source, sizeof source, "template %s", chat->template_name);
    if (t->value[TPL_SYSTEM] && !chat->system) chat->system = strdup(t->value[TPL_SYSTEM]);
    if (t->value[TPL_MODEL]) cli_set(cli, SET_MODEL, t->value[TPL_MODEL], FROM_TEMPLATE, source);
    if (t->value[TPL_THINKING] && !chat->thinking) chat->thinking = parse_thinking(t->value[TPL_THINKING]);
    if (t->value[TPL_MAX_TOKENS] && !chat->max_tokens && !parse_max_tokens(cli, t->value[TPL_MAX_TOKENS], &chat->max_tokens))
        return EXIT_USAGE;
    if (t->value[TPL_TEMPERATURE] && !given[TPL_TEMPERATURE]) {
        if (!parse_number(cli, "temperature", t->value[TPL_TEMPERATURE], &chat->temperature)) return EXIT_USAGE;
        chat->has_temperature = 1;
    }
    if (t->value[TPL_TOP_P] && !given[TPL_TOP_P]) {
        if (!parse_number(cli, "top_p", t->value[TPL_TOP_P], &chat->top_p)) return EXIT_USAGE;
        chat->has_top_p = 1;
    }
    if (t->value[TPL_JSON_MODE] && !given[TPL_JSON_MODE]) chat->json_mode = cli_parse_switch(t->value[TPL_JSON_MODE]) == 1;
    if (t->value[TPL_SCHEMA] && !chat->schema) chat->schema = strdup(t->value[TPL_SCHEMA]);
    return 0;
}

static void free_chat(struct chat *chat) {
    size_t i;
    chat_clear(chat);
    for (i = 0; i < chat->media_count; i++) free_attachment(&chat->media[i]);
    free(chat->system);
    free(chat->schema);
    logdb_close(chat->db);
}

int cmd_chat(struct cli *cli, int argc, char **argv) {
    struct chat chat;
    const char *template_name = NULL, *save = NULL, *cid = NULL, *schema_path = NULL;
    const char *images[2 * MAX_MEDIA];
    int videos[2 * MAX_MEDIA], given[TPL_COUNT];
    size_t image_count = 0, i;
    char *prompt = NULL;
    int c, rc = 0, continue_last = 0, no_log = 0, given_system = 0;
    double number;
    memset(&chat, 0, sizeof chat);
    memset(given, 0, sizeof given);
    chat.cli = cli;
    /* Into a pipe goes the answer alone, unless the reasoning is asked for. */
    chat.show_reasoning = cli->stdout_tty;
    chat.show_content = 1;
    while ((c = cli_getopt(cli, argc, argv, "s:m:t:icvh", chat_options, usage, NULL)) != -1) {
        switch (c) {
        case 's':
            free(chat.system);
            chat.system = strdup(optarg);
            given_system = 1;
            break;
        case OPT_IMAGE:
        case OPT_VIDEO:
            if (image_count == 2 * MAX_MEDIA) return cli_usage_error(cli, usage, "at most %d attachments", 2 * MAX_MEDIA);
            videos[image_count] = c == OPT_VIDEO;
            images[image_count++] = optarg;
            break;
        case OPT_OLD_JSON:
            cli_warn(cli, "--json is now --json-mode (JSON mode); the old name goes away in the next release");
            /* fall through */
        case OPT_JSON_MODE: chat.json_mode = given[TPL_JSON_MODE] = 1; break;
        case OPT_SCHEMA: schema_path = optarg; break;
        case OPT_THINKING:
            if ((chat.thinking = parse_thinking(optarg)) < 0)
                return cli_usage_error(cli, usage, "--thinking: \"%s\" is not on, off or keep", optarg);
            break;
        case OPT_MAX_TOKENS:
            if (!parse_max_tokens(cli, optarg, &chat.max_tokens)) return EXIT_USAGE;
            break;
        case OPT_TEMPERATURE:
            if (!parse_number(cli, "--temperature", optarg, &number)) return EXIT_USAGE;
            chat.temperature = number, chat.has_temperature = given[TPL_TEMPERATURE] = 1;
            break;
        case OPT_TOP_P:
            if (!parse_number(cli, "--top-p", optarg, &number)) return EXIT_USAGE;
            chat.top_p = number, chat.has_top_p = given[TPL_TOP_P] = 1;
            break;
        case OPT_NO_REASONING: chat.show_reasoning = 0; break;
        case OPT_REASONING_ONLY: chat.show_content = 0, chat.show_reasoning = 1; break;
        case OPT_REASONING: chat.show_reasoning = 1; break;
        case 'i': chat.interactive = 1; break;
        case 'c': continue_last = 1; break;
        case OPT_CID: cid = optarg; break;
        case 't': template_name = optarg; break;
        case OPT_SAVE: save = optarg; break;
        case OPT_NO_LOG: no_log = 1; break;
        case OPT_OUTPUT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return cli_usage_error(cli, usage, "--output: \"%s\" is not text or json", optarg);
            chat.output = strcmp(optarg, "json") == 0 ? optarg : NULL;
            break;
        default: free(chat.system); return EXIT_USAGE;
        }
    }
    if (!chat.show_reasoning && !chat.show_content)
        rc = cli_usage_error(cli, usage, "--no-reasoning and --reasoning-only leave nothing to show");
    else if (chat.interactive && chat.output)
        rc = cli_usage_error(cli, usage, "--output json answers one prompt; leave out -i");
    else if (continue_last && cid)
        rc = cli_usage_error(cli, usage, "-c continues the last conversation, --cid a given one: not both");
    else if (save && optind < argc)
        rc = cli_usage_error(cli, usage, "--save stores the options as a template and sends nothing; leave out the prompt");
    if (rc) goto done;
    if (schema_path && !(chat.schema = cli_read_text(cli, schema_path, "--schema", NULL))) {
        rc = EXIT_FAILED;
        goto done;
    }
    if (template_name) {
        struct template_values t;
        chat.template_name = template_name;
        if ((rc = template_load(cli, template_name, &t)) == 0) rc = apply_template(&chat, &t, given);
        template_free(&t);
        if (rc) goto done;
    }
    if (save) {
        if ((rc = chat_save_template(&chat, save)) == 0) cli_error(cli, 0, "saved template %s (kimi chat -t %s)", save, save);
        goto done;
    }
    for (i = 0; i < image_count; i++)
        if ((rc = prepare_attachment(&chat, videos[i], images[i])) != 0) goto done;
    if ((optind < argc || !chat.interactive) && !(prompt = cli_prompt(cli, argc, argv, !chat.interactive, &rc))) goto done;
    /* The log is opened before anything is sent: a broken one stops here. */
    if (!no_log && cli_parse_switch(cli_get(cli, SET_LOG)) != 0 && (rc = logdb_open(cli, 1, &chat.db)) != 0) goto done;
    logdb_new_id(chat.cid);
    if ((continue_last || cid) && (rc = load_conversation(&chat, cid, given_system)) != 0) goto done;
    /* Last: the command line, a template and the conversation beat the
       environment's and the config's thinking mode. */
    if (!chat.thinking && cli_get(cli, SET_THINKING)) chat.thinking = parse_thinking(cli_get(cli, SET_THINKING));
    rc = chat.interactive ? chat_session(&chat, prompt) : chat_turn(&chat, prompt, chat.media, chat.media_count);
done:
    free(prompt);
    free_chat(&chat);
    return rc;
}
