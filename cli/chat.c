/* kimi chat: one streamed answer, or an interactive session (-i) that keeps
 * the conversation the way Kimi needs it (kimi_conversation). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: kimi chat [options] [PROMPT...]\n"
    "\n"
    "Streams Kimi's answer to PROMPT (the arguments joined, or standard input).\n"
    "  -m, --model NAME        the model (default kimi-k2.6)\n"
    "  -s, --system TEXT       a system message\n"
    "      --image FILE        attach an image (repeatable)\n"
    "      --video FILE        attach a video (repeatable)\n"
    "      --json              answer in JSON (JSON mode)\n"
    "      --schema FILE       answer in JSON following the schema in FILE (json_schema, strict)\n"
    "      --thinking MODE     on, off or keep (Preserved Thinking); default: the model's\n"
    "      --max-tokens N      max_completion_tokens (reasoning and answer share it)\n"
    "      --temperature X, --top-p X   (K2.6 accepts only its fixed values)\n"
    "      --no-reasoning      hide the reasoning (shown dimmed on a terminal)\n"
    "      --reasoning         show the reasoning when the output is not a terminal too\n"
    "      --reasoning-only    show only the reasoning\n"
    "  -i, --interactive       a session: one line of standard input per turn\n"
    "      --output json       print the whole response object instead of the text\n"
    "  -v, --verbose           a usage and cost line on standard error\n"
    "      --base-url URL, --api-key-file FILE\n"
    "\n"
    "On a terminal the reasoning is shown dimmed before the answer; into a pipe only the\n"
    "answer goes. Ctrl-C stops the answer and keeps what arrived.\n";

enum { MAX_MEDIA = 16 };

struct chat {
    struct cli *cli;
    const char *system, *schema_file, *output;
    const char *images[MAX_MEDIA], *videos[MAX_MEDIA];
    int image_count, video_count, json_mode, thinking, interactive;
    int show_reasoning, show_content;
    int64_t max_tokens;
    double temperature, top_p;
    int has_temperature, has_top_p;
    /* While printing a stream. */
    int dimmed, printed_any, last_was_newline;
};

/* --- printing a stream ----------------------------------------------------- */

/* In the reasoning (dimmed on a terminal) or out of it. */
static void set_dim(struct chat *chat, int on) {
    if (chat->dimmed == on) return;
    if (chat->cli->stdout_tty) fputs(on ? "\033[2m" : "\033[0m", stdout);
    chat->dimmed = on;
}

static void put(struct chat *chat, const char *text, size_t len) {
    if (!len) return;
    fwrite(text, 1, len, stdout);
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
    fflush(stdout);
    return 0;
}

static void end_output(struct chat *chat) {
    set_dim(chat, 0);
    if (chat->printed_any && !chat->last_was_newline) put(chat, "\n", 1);
    chat->printed_any = 0;
    fflush(stdout);
}

static void report_usage(const struct chat *chat, const kimi_chat_response *resp) {
    if (!chat->cli->verbose || !resp) return;
    fprintf(stderr, "kimi chat: %s, %lld prompt tokens (%lld cached), %lld completion tokens, $%.6f, request %s\n",
            kimi_chat_response_model(resp), (long long)kimi_chat_response_prompt_tokens(resp),
            (long long)kimi_chat_response_cached_tokens(resp), (long long)kimi_chat_response_completion_tokens(resp),
            kimi_chat_response_cost_usd(resp), kimi_chat_response_request_id(resp));
}

/* --- the request ------------------------------------------------------------ */

/* The settings every turn uses, applied to `req`. */
static int apply_settings(struct chat *chat, kimi_chat_request *req) {
    static const int modes[] = {KIMI_THINKING_DEFAULT, KIMI_THINKING_ENABLED, KIMI_THINKING_DISABLED,
                                KIMI_THINKING_KEEP_ALL};
    if (chat->thinking && kimi_chat_request_set_thinking(req, modes[chat->thinking]) != KIMI_OK) return 0;
    if (chat->max_tokens && kimi_chat_request_set_max_completion_tokens(req, chat->max_tokens) != KIMI_OK) return 0;
    if (chat->has_temperature && kimi_chat_request_set_temperature(req, chat->temperature) != KIMI_OK) return 0;
    if (chat->has_top_p && kimi_chat_request_set_top_p(req, chat->top_p) != KIMI_OK) return 0;
    if (chat->json_mode && kimi_chat_request_set_response_format(req, "json_object") != KIMI_OK) return 0;
    if (chat->schema_file) {
        char *schema = cli_read_file(chat->cli, chat->schema_file, NULL);
        int ok = schema && kimi_chat_request_set_response_format_json_schema(req, "answer", schema, 1) == KIMI_OK;
        if (!schema) return -1;
        free(schema);
        if (!ok) return 0;
    }
    if (kimi_chat_request_set_cancel_token(req, chat->cli->interrupt) != KIMI_OK) return 0;
    return 1;
}

/* The user's turn: the prompt and the attached media. */
static kimi_message *user_message(struct chat *chat, const char *prompt) {
    kimi_message *msg = kimi_message_new("user");
    int i;
    if (!msg) return NULL;
    if (kimi_message_add_text(msg, prompt) != KIMI_OK) goto fail;
    for (i = 0; i < chat->image_count; i++)
        if (kimi_message_add_image_file(msg, chat->images[i]) != KIMI_OK) goto fail;
    for (i = 0; i < chat->video_count; i++)
        if (kimi_message_add_video_file(msg, chat->videos[i]) != KIMI_OK) goto fail;
    return msg;
fail:
    kimi_message_free(msg);
    return NULL;
}

/* The result of a streamed turn: prints what is left and the usage. */
static int finish_turn(struct chat *chat, kimi_status status, kimi_chat_response *final) {
    end_output(chat);
    report_usage(chat, final);
    kimi_chat_response_free(final);
    return status == KIMI_OK ? 0 : cli_fail(chat->cli);
}

static int ask_once(struct chat *chat, const char *prompt) {
    kimi_client *client = cli_client(chat->cli);
    kimi_chat_request *req;
    kimi_message *msg = NULL;
    kimi_chat_response *final = NULL;
    kimi_status status;
    int applied, rc;
    if (!client) return chat->cli->status;
    req = kimi_chat_request_new(chat->cli->model);
    if (!req) return cli_fail(chat->cli);
    applied = apply_settings(chat, req);
    if (applied <= 0 || (chat->system && kimi_chat_request_add_message(req, "system", chat->system) != KIMI_OK) ||
        !(msg = user_message(chat, prompt)) || kimi_chat_request_append_message(req, msg) != KIMI_OK) {
        rc = applied < 0 ? EXIT_FAILED : cli_fail(chat->cli);
        goto done;
    }
    cli_interruptible(chat->cli, 1);
    if (chat->output && strcmp(chat->output, "json") == 0) {
        status = kimi_chat_create(client, req, &final);
        if (status == KIMI_OK) {
            size_t len;
            const char *json = kimi_chat_response_json(final, &len);
            fwrite(json, 1, len, stdout);
            fputc('\n', stdout);
        }
    } else {
        status = kimi_chat_stream(client, req, on_event, chat, &final);
    }
    cli_interruptible(chat->cli, 0);
    rc = finish_turn(chat, status, final);
done:
    kimi_message_free(msg);
    kimi_chat_request_free(req);
    return rc;
}

/* -i: one line per turn until end of input; Ctrl-C stops an answer, and
 * at the prompt ends the session. */
static int session(struct chat *chat, const char *first_prompt) {
    kimi_client *client = cli_client(chat->cli);
    kimi_conversation *conv;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0, turn = 0, applied;
    if (!client) return chat->cli->status;
    conv = kimi_conversation_new(client, chat->cli->model ? chat->cli->model : "kimi-k2.6");
    if (!conv) return cli_fail(chat->cli);
    applied = apply_settings(chat, kimi_conversation_request(conv));
    if (applied <= 0 || (chat->system && kimi_conversation_add_message(conv, "system", chat->system) != KIMI_OK)) {
        rc = applied < 0 ? EXIT_FAILED : cli_fail(chat->cli);
        goto done;
    }
    for (;;) {
        const char *prompt = NULL;
        kimi_message *msg;
        kimi_chat_response *final = NULL;
        kimi_status status;
        if (turn == 0 && first_prompt) {
            prompt = first_prompt;
        } else {
            ssize_t n;
            if (chat->cli->stderr_tty) fputs("> ", stderr);
            n = getline(&line, &cap, stdin);
            if (n < 0) break;
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
            if (n == 0) continue;
            prompt = line;
        }
        /* Media goes with the first turn only. */
        msg = turn == 0 ? user_message(chat, prompt) : kimi_message_new("user");
        if (!msg || (turn > 0 && kimi_message_add_text(msg, prompt) != KIMI_OK) ||
            kimi_chat_request_append_message(kimi_conversation_request(conv), msg) != KIMI_OK) {
            kimi_message_free(msg);
            rc = cli_fail(chat->cli);
            break;
        }
        kimi_message_free(msg);
        turn++;
        cli_interruptible(chat->cli, 1);
        status = kimi_conversation_stream(conv, on_event, chat, &final);
        cli_interruptible(chat->cli, 0);
        rc = finish_turn(chat, status, final);
        if (status == KIMI_E_ABORTED && rc == EXIT_INTERRUPTED) {
            /* The answer was stopped and is not kept; the question stays. */
            kimi_cancel_token_reset(chat->cli->interrupt);
            rc = 0;
            continue;
        }
        if (rc != 0) break;
    }
done:
    free(line);
    kimi_conversation_free(conv);
    return rc;
}

/* --- options -------------------------------------------------------------- */

static int parse_number(struct chat *chat, const char *name, const char *text, double *out) {
    char *end;
    *out = strtod(text, &end);
    if (end == text || *end) return cli_error(chat->cli, 0, "%s: \"%s\" is not a number", name, text), 0;
    return 1;
}

int cmd_chat(struct cli *cli, int argc, char **argv) {
    static const struct option options[] = {
        {"system", required_argument, NULL, 's'},     {"image", required_argument, NULL, 'I'},
        {"video", required_argument, NULL, 'V'},      {"json", no_argument, NULL, 'j'},
        {"schema", required_argument, NULL, 'S'},     {"thinking", required_argument, NULL, 't'},
        {"max-tokens", required_argument, NULL, 'n'}, {"temperature", required_argument, NULL, 'T'},
        {"top-p", required_argument, NULL, 'P'},      {"no-reasoning", no_argument, NULL, 'R'},
        {"reasoning-only", no_argument, NULL, 'r'},   {"reasoning", no_argument, NULL, 'E'},
        {"interactive", no_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},     CLI_MODEL_OPTION, CLI_COMMON_OPTIONS};
    struct chat chat;
    char *prompt = NULL;
    int c, rc;
    double number;
    memset(&chat, 0, sizeof chat);
    chat.cli = cli;
    /* Into a pipe goes the answer alone, unless the reasoning is asked for. */
    chat.show_reasoning = cli->stdout_tty;
    chat.show_content = 1;
    while ((c = cli_getopt(cli, argc, argv, "s:m:ivh", options, usage)) != -1) {
        switch (c) {
        case 's': chat.system = optarg; break;
        case 'I':
        case 'V':
            if ((c == 'I' ? chat.image_count : chat.video_count) == MAX_MEDIA)
                return cli_error(cli, EXIT_USAGE, "at most %d images and %d videos", MAX_MEDIA, MAX_MEDIA);
            if (c == 'I') chat.images[chat.image_count++] = optarg;
            else chat.videos[chat.video_count++] = optarg;
            break;
        case 'j': chat.json_mode = 1; break;
        case 'S': chat.schema_file = optarg; break;
        case 't':
            if (strcmp(optarg, "on") == 0) chat.thinking = 1;
            else if (strcmp(optarg, "off") == 0) chat.thinking = 2;
            else if (strcmp(optarg, "keep") == 0) chat.thinking = 3;
            else return cli_error(cli, EXIT_USAGE, "--thinking: \"%s\" is not on, off or keep", optarg);
            break;
        case 'n':
            if (!parse_number(&chat, "--max-tokens", optarg, &number)) return EXIT_USAGE;
            if (number < 1 || number > 1e15 || number != (double)(int64_t)number)
                return cli_error(cli, EXIT_USAGE, "--max-tokens: \"%s\" is not a positive whole number", optarg);
            chat.max_tokens = (int64_t)number;
            break;
        case 'T':
            if (!parse_number(&chat, "--temperature", optarg, &chat.temperature)) return EXIT_USAGE;
            chat.has_temperature = 1;
            break;
        case 'P':
            if (!parse_number(&chat, "--top-p", optarg, &chat.top_p)) return EXIT_USAGE;
            chat.has_top_p = 1;
            break;
        case 'R': chat.show_reasoning = 0; break;
        case 'r': chat.show_content = 0, chat.show_reasoning = 1; break;
        case 'E': chat.show_reasoning = 1; break;
        case 'i': chat.interactive = 1; break;
        case 'o':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                return cli_error(cli, EXIT_USAGE, "--output: \"%s\" is not text or json", optarg);
            chat.output = optarg;
            break;
        default: return EXIT_USAGE;
        }
    }
    if (!chat.show_reasoning && !chat.show_content)
        return cli_error(cli, EXIT_USAGE, "--no-reasoning and --reasoning-only leave nothing to show");
    if (chat.interactive && chat.output && strcmp(chat.output, "json") == 0)
        return cli_error(cli, EXIT_USAGE, "--output json answers one prompt; leave out -i");
    if ((optind < argc || !chat.interactive) && !(prompt = cli_prompt(cli, argc, argv))) return EXIT_FAILED;
    rc = chat.interactive ? session(&chat, prompt) : ask_once(&chat, prompt);
    free(prompt);
    return rc;
}
