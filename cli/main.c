/* kimi: Moonshot's Kimi API from a shell. The entry point, the command
 * table, the options every command shares, errors in kimi's words, the
 * client, and Ctrl-C. See kimi(1). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const files_actions[] = {"upload", "list", "get", "delete", "content", NULL};
const char *const batch_actions[] = {"submit", "status", "wait", "results", "cancel", "list", NULL};
const char *const models_actions[] = {"list", "show", NULL};
const char *const logs_actions[] = {"list", "show", "search", "path", NULL};
const char *const completion_actions[] = {"bash", "zsh", "fish", NULL};
const char *const known_models[] = {"kimi-k2.6", "kimi-k2.5", "moonshot-v1-8k", "moonshot-v1-32k",
                                    "moonshot-v1-128k", NULL};

const struct command commands[] = {
    {"chat", "[PROMPT...]", "stream an answer (the arguments, standard input, or both)", cmd_chat, chat_options, NULL},
    {"files", "ACTION", "files: upload, list, get, delete, content", cmd_files, files_options, files_actions},
    {"batch", "ACTION", "batch jobs: submit, status, wait, results, cancel, list", cmd_batch, batch_options,
     batch_actions},
    {"models", "[ACTION]", "the models and their context windows: list, show ID", cmd_models, models_options,
     models_actions},
    {"balance", "", "the account balance", cmd_balance, balance_options, NULL},
    {"estimate", "[PROMPT...]", "count a prompt's tokens", cmd_estimate, estimate_options, NULL},
    {"logs", "[ACTION]", "logged exchanges: list, show, search, path", cmd_logs, logs_options, logs_actions},
    {"config", "", "each setting and where it came from", cmd_config, config_options, NULL},
    {"completion", "SHELL", "a completion script for bash, zsh or fish", cmd_completion, completion_options,
     completion_actions},
};
const size_t command_count = sizeof commands / sizeof commands[0];
const struct option global_options[] = {CLI_COMMON_OPTIONS};

static void print_usage(FILE *out) {
    size_t i;
    fputs("usage: kimi [--base-url URL] [--api-key-file FILE] [--raw] [--timeout SECONDS] COMMAND [ARGS...]\n\n", out);
    for (i = 0; i < command_count; i++)
        fprintf(out, "  %-10s %-12s %s\n", commands[i].name, commands[i].operands, commands[i].summary);
    fputs("\n"
          "The key comes from --api-key-file, MOONSHOT_API_KEY or the config's api_key_file;\n"
          "the API root from --base-url, KIMI_BASE_URL or the config (default\n"
          "https://api.moonshot.ai/v1). kimi config shows every setting and its source.\n"
          "kimi COMMAND --help says more; man kimi has everything, exit statuses included.\n",
          out);
}

/* --- Ctrl-C ------------------------------------------------------------ */

/* SIGINT is blocked in every thread and taken by one thread with sigwait,
 * so nothing runs in a signal handler: it cancels the token of the call in
 * progress, wakes the line editor, or ends the process. */
static pthread_mutex_t interrupt_lock = PTHREAD_MUTEX_INITIALIZER;
static kimi_cancel_token *interruptible_token;
static int prompt_fd = -1;
static int interrupted;

static void *sigint_thread(void *arg) {
    sigset_t *set = arg;
    int signal_number;
    for (;;) {
        if (sigwait(set, &signal_number) != 0) continue;
        pthread_mutex_lock(&interrupt_lock);
        interrupted = 1;
        if (interruptible_token) {
            kimi_cancel_token_cancel(interruptible_token);
            pthread_mutex_unlock(&interrupt_lock);
            continue;
        }
        if (prompt_fd >= 0) {
            (void)!write(prompt_fd, "", 1);
            pthread_mutex_unlock(&interrupt_lock);
            continue;
        }
        pthread_mutex_unlock(&interrupt_lock);
        fflush(stdout);
        (void)!write(STDERR_FILENO, "\n", 1);
        _exit(EXIT_INTERRUPTED);
    }
    return NULL;
}

static void start_sigint_thread(void) {
    static sigset_t set;
    pthread_t thread;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    /* A shell that ignores SIGINT for us (a background job) means it. */
    {
        struct sigaction current;
        if (sigaction(SIGINT, NULL, &current) == 0 && current.sa_handler == SIG_IGN) return;
    }
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (pthread_create(&thread, NULL, sigint_thread, &set) == 0) pthread_detach(thread);
}

void cli_interruptible(struct cli *cli, int on) {
    pthread_mutex_lock(&interrupt_lock);
    interruptible_token = on ? cli->interrupt : NULL;
    /* A Ctrl-C that came after the last call ended is not this call's. */
    if (on) interrupted = 0, kimi_cancel_token_reset(cli->interrupt);
    pthread_mutex_unlock(&interrupt_lock);
}

void cli_prompt_wakeup(int fd) {
    pthread_mutex_lock(&interrupt_lock);
    prompt_fd = fd;
    interrupted = 0;
    pthread_mutex_unlock(&interrupt_lock);
}

int cli_was_interrupted(void) {
    int value;
    pthread_mutex_lock(&interrupt_lock);
    value = interrupted;
    pthread_mutex_unlock(&interrupt_lock);
    return value;
}

/* --- errors -------------------------------------------------------------- */

/* "kimi COMMAND: " + the formatted message as one safe line. */
static void print_line(const struct cli *cli, const char *prefix, const char *format, va_list args) {
    char small[1024], *text = small;
    va_list copy;
    int n;
    va_copy(copy, args);
    n = vsnprintf(small, sizeof small, format, copy);
    va_end(copy);
    if (n >= (int)sizeof small && (text = malloc((size_t)n + 1))) vsnprintf(text, (size_t)n + 1, format, args);
    if (!text) text = small;
    fflush(stdout);
    flockfile(stderr);
    fprintf(stderr, "kimi%s%s: %s", *cli->command ? " " : "", cli->command, prefix);
    cli_put_field(cli, stderr, text);
    fputc('\n', stderr);
    funlockfile(stderr);
    if (text != small) free(text);
}

int cli_error(const struct cli *cli, int status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    print_line(cli, "", format, args);
    va_end(args);
    return status;
}

int cli_usage_error(const struct cli *cli, const char *usage, const char *format, ...) {
    va_list args;
    va_start(args, format);
    print_line(cli, "", format, args);
    va_end(args);
    fputs(usage, stderr);
    return EXIT_USAGE;
}

void cli_warn(const struct cli *cli, const char *format, ...) {
    va_list args;
    va_start(args, format);
    print_line(cli, "warning: ", format, args);
    va_end(args);
}

/* What to do about a failure, in kimi's options and variables. */
static const char *hint_words(const char *hint) {
    static const char *const words[][2] = {
        {"api_key", "set MOONSHOT_API_KEY, or give --api-key-file FILE (api_key_file in the config)"},
        {"max_event_bytes", "the server sent a line larger than kimi accepts"},
        {"max_response_bytes", "the answer is larger than kimi accepts"},
        {"upload_image", "upload it with kimi files upload --purpose image FILE, then --image ms://FILE_ID"},
        {"upload_video", "upload it with kimi files upload --purpose video FILE, then --video ms://FILE_ID"},
        {"image_from_file", "give --image a file, or ms://FILE_ID of an uploaded one"},
        {"video_from_file", "give --video a file, or ms://FILE_ID of an uploaded one"},
        {"add_as_image", "attach it with --image"},
        {"add_as_video", "attach it with --video"},
        {"reasoning_content", "the history lacks the reasoning Kimi needs back; start a new conversation"},
        {"json_schema", "check the schema given to --schema"},
        {"batch_wait", "wait for it first: kimi batch wait BATCH_ID"},
        {"disable_thinking", "add --thinking off"},
        {"max_completion_tokens", "raise --max-tokens"},
        {"use_max_completion_tokens", "use --max-tokens"},
        {"fit_max_completion_tokens", "lower --max-tokens"},
    };
    size_t i;
    for (i = 0; hint && i < sizeof words / sizeof words[0]; i++)
        if (strcmp(hint, words[i][0]) == 0) return words[i][1];
    return NULL;
}

/* The option or variable a setting came from, for messages. */
static const char *setting_origin(const struct cli *cli, int key, const char *option) {
    const struct setting *s = &cli->settings[key];
    return s->rank == FROM_COMMAND_LINE ? option : s->source;
}

/* The library names a request's fields and arguments first ("top_p: ...");
 * kimi says which option set them. NULL when `detail` names none of them. */
static const char *option_for(const char *detail, size_t *field_len) {
    static const char *const fields[][2] = {
        {"schema_json", "--schema"},   {"max_completion_tokens", "--max-tokens"}, {"temperature", "--temperature"},
        {"top_p", "--top-p"},          {"model", "--model"},                     {"thinking", "--thinking"},
        {"base_url", "--base-url"},
    };
    size_t i, n;
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        n = strlen(fields[i][0]);
        if (strncmp(detail, fields[i][0], n) == 0 && (detail[n] == ':' || detail[n] == ' ')) {
            *field_len = n;
            return fields[i][1];
        }
    }
    return NULL;
}

int cli_fail(const struct cli *cli) {
    int kind = kimi_error_kind();
    kimi_status status = kimi_error_status();
    const char *detail = kimi_error_detail(), *hint = hint_words(kimi_error_hint());
    /* Refused before any request (no key, a bad base URL): a request that cannot be made. */
    if (!kind && status == KIMI_E_INVALID_ARGUMENT) kind = KIMI_KIND_INVALID_REQUEST;
    if (status == KIMI_E_ABORTED && cli_was_interrupted()) return cli_error(cli, EXIT_INTERRUPTED, "interrupted");
    if (status == KIMI_E_ABORTED && cli->write_failed)
        return cli_error(cli, EXIT_FAILED, "cannot write the output: %s", strerror(cli->write_failed));
    if (kimi_error_http_status() == 404 && cli->fixed_path && cli->client) {
        const char *base = kimi_client_base_url(cli->client);
        size_t n = strlen(base);
        if (n < 3 || strcmp(base + n - 3, "/v1") != 0) {
            cli_error(cli, 0, "%s (the base URL %s from %s has no /v1 at the end; Kimi's is https://api.moonshot.ai/v1)",
                      detail, base, setting_origin(cli, SET_BASE_URL, "--base-url"));
            return EXIT_KIND_BASE + (kind ? kind : KIMI_KIND_NOT_FOUND);
        }
    }
    if (strncmp(detail, "no API key", 10) == 0) {
        cli_error(cli, 0, "no API key: set MOONSHOT_API_KEY, or give --api-key-file FILE (or api_key_file in the config)");
    } else {
        size_t field = 0;
        /* Only refusals before sending name fields first; API errors start with their type. */
        const char *option = status == KIMI_E_INVALID_ARGUMENT ? option_for(detail, &field) : NULL;
        cli_error(cli, 0, "%s%s%s%s%s", option ? option : "", detail + field, hint ? " (" : "", hint ? hint : "",
                  hint ? ")" : "");
    }
    return kind ? EXIT_KIND_BASE + kind : EXIT_FAILED;
}

/* --- the client ---------------------------------------------------------- */

/* libkimi's log lines (KIMI_LOG), made safe like all outside text. */
static void on_log(int level, const char *message, void *user_data) {
    static const char *const names[] = {"", "error", "warning", "info", "debug"};
    const struct cli *cli = user_data;
    flockfile(stderr);
    fprintf(stderr, "kimi: libkimi %s: ", level >= 1 && level <= 4 ? names[level] : "log");
    cli_put_field(cli, stderr, message);
    fputc('\n', stderr);
    funlockfile(stderr);
}

static int log_level(const struct cli *cli) {
    static const char *const names[] = {"off", "error", "warn", "info", "debug"};
    const char *value = getenv("KIMI_LOG");
    int i;
    /* With -v, retries and oversized media are worth a line. */
    if (!value || !*value) return cli->verbose ? KIMI_LOG_WARN : KIMI_LOG_OFF;
    for (i = 0; i < 5; i++)
        if (strcmp(value, names[i]) == 0) return i;
    cli_warn(cli, "KIMI_LOG: \"%s\" is not off, error, warn, info or debug; using warn", value);
    return KIMI_LOG_WARN;
}

kimi_client *cli_client(struct cli *cli) {
    const struct setting *base = &cli->settings[SET_BASE_URL], *key_file = &cli->settings[SET_API_KEY_FILE];
    kimi_client_options *opts;
    if (cli->client) return cli->client;
    cli->status = EXIT_FAILED;
    if (!(opts = kimi_client_options_new())) {
        cli->status = cli_fail(cli);
        return NULL;
    }
    /* KIMI_BASE_URL is the library's own: its messages name it. */
    if (base->value && base->rank != FROM_ENVIRONMENT && kimi_client_options_set_base_url(opts, base->value) != KIMI_OK) {
        int kind_status = EXIT_KIND_BASE + KIMI_KIND_INVALID_REQUEST;
        cli_error(cli, 0, "base URL from %s: %s", setting_origin(cli, SET_BASE_URL, "--base-url"), kimi_error_detail());
        kimi_client_options_free(opts);
        cli->status = kind_status;
        return NULL;
    }
    /* A key file from the command line beats the environment's key, which
       beats a key file from the config. */
    if (key_file->value && (key_file->rank == FROM_COMMAND_LINE || !cli->api_key)) {
        const char *what = key_file->rank == FROM_COMMAND_LINE ? "--api-key-file" : key_file->source;
        char *key = cli_read_key_file(cli, key_file->value, what);
        if (!key) {
            kimi_client_options_free(opts);
            return NULL;
        }
        free(cli->api_key);
        cli->api_key = key;
        if (kimi_client_options_set_api_key(opts, key) != KIMI_OK) {
            cli_error(cli, 0, "%s: %s does not hold a usable key: %s", what, key_file->value, kimi_error_detail());
            kimi_client_options_free(opts);
            cli->status = EXIT_KIND_BASE + KIMI_KIND_INVALID_REQUEST;
            return NULL;
        }
    }
    if (cli->timeout_s > 0) {
        uint32_t ms = cli->timeout_s * 1000 > 4e9 ? 4000000000u : (uint32_t)(cli->timeout_s * 1000);
        if (ms == 0) ms = 1;
        kimi_client_options_set_idle_timeout_ms(opts, ms);
        kimi_client_options_set_connect_timeout_ms(opts, ms);
    }
    kimi_client_options_set_log(opts, log_level(cli), on_log, cli);
    if (kimi_client_new(opts, &cli->client) != KIMI_OK) {
        cli->status = cli_fail(cli);
        kimi_client_options_free(opts);
        return NULL;
    }
    kimi_client_options_free(opts);
    return cli->client;
}

/* --- progress --------------------------------------------------------------- */

static int last_tenth = -1;

void cli_progress(const struct cli *cli, const char *label, double done, double total, const char *detail) {
    double fraction = total > 0 ? done / total : 0;
    if (fraction > 1) fraction = 1;
    if (fraction < 0) fraction = 0;
    if (cli->stderr_tty) {
        char bar[31];
        int filled = (int)(fraction * 30), i;
        for (i = 0; i < 30; i++) bar[i] = i < filled ? '#' : '.';
        bar[30] = 0;
        fputc('\r', stderr);
        cli_put_field(cli, stderr, label);
        fprintf(stderr, " [%s] %3d%% ", bar, (int)(fraction * 100));
        cli_put_field(cli, stderr, detail ? detail : "");
        fputs("\033[K", stderr);
    } else if ((int)(fraction * 10) != last_tenth) {
        last_tenth = (int)(fraction * 10);
        cli_put_field(cli, stderr, label);
        fprintf(stderr, " %d%% ", (int)(fraction * 100));
        cli_put_field(cli, stderr, detail ? detail : "");
        fputc('\n', stderr);
    }
    fflush(stderr);
}

void cli_progress_end(const struct cli *cli) {
    if (cli->stderr_tty) fputc('\n', stderr);
    last_tenth = -1;
}

/* --- options ------------------------------------------------------------- */

int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage_text, int *json) {
    int c;
    opterr = 0;
    for (;;) {
        char *end;
        c = getopt_long(argc, argv, shortopts, longopts, NULL);
        switch (c) {
        case OPT_BASE_URL: cli_set(cli, SET_BASE_URL, optarg, FROM_COMMAND_LINE, "--base-url"); break;
        case OPT_API_KEY_FILE: cli_set(cli, SET_API_KEY_FILE, optarg, FROM_COMMAND_LINE, "--api-key-file"); break;
        case OPT_RAW: cli->raw = 1; break;
        case OPT_TIMEOUT:
            cli->timeout_s = strtod(optarg, &end);
            if (end == optarg || *end || !(cli->timeout_s > 0) || cli->timeout_s > 86400 * 30)
                return cli_usage_error(cli, usage_text, "--timeout: \"%s\" is not a number of seconds", optarg), '?';
            break;
        case 'm': cli_set(cli, SET_MODEL, optarg, FROM_COMMAND_LINE, "-m"); break;
        case 'v': cli->verbose = 1; break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case '?':
            if (optopt && optopt < 256) cli_usage_error(cli, usage_text, "unknown option -%c or a missing value", optopt);
            else cli_usage_error(cli, usage_text, "unknown option %s or a missing value", argv[optind - 1]);
            return '?';
        case ':': cli_usage_error(cli, usage_text, "%s needs a value", argv[optind - 1]); return '?';
        default:
            if (c == OPT_JSON && json) {
                *json = 1;
                break;
            }
            return c;
        }
    }
}

static void free_cli(struct cli *cli) {
    int i;
    for (i = 0; i < SET_COUNT; i++) free(cli->settings[i].value), free(cli->settings[i].source);
    free(cli->config_path);
    free(cli->api_key);
    kimi_client_free(cli->client);
    kimi_cancel_token_free(cli->interrupt);
}

int main(int argc, char **argv) {
    struct cli cli;
    size_t i;
    int status, c;
    memset(&cli, 0, sizeof cli);
    cli.command = "";
    cli.stdin_tty = isatty(STDIN_FILENO);
    cli.stdout_tty = isatty(STDOUT_FILENO);
    cli.stderr_tty = isatty(STDERR_FILENO);
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("kimi %s\n", kimi_version());
        return 0;
    }
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_usage(stdout);
        return 0;
    }
    /* Options before the command; "+" stops at the command's name. */
    while ((c = cli_getopt(&cli, argc, argv, "+vh", global_options, "", NULL)) != -1) {
        if (c == '?') {
            print_usage(stderr);
            free_cli(&cli);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        print_usage(stderr);
        free_cli(&cli);
        return EXIT_USAGE;
    }
    for (i = 0; i < command_count; i++) {
        if (strcmp(argv[optind], commands[i].name) != 0) continue;
        cli.command = commands[i].name;
        if ((status = cli_load_config(&cli)) != 0) {
            free_cli(&cli);
            return status;
        }
        cli.interrupt = kimi_cancel_token_new();
        if (!cli.interrupt) return cli_fail(&cli);
        start_sigint_thread();
        argv += optind;
        argc -= optind;
        optind = 0; /* getopt starts over on the command's arguments */
        status = commands[i].run(&cli, argc, argv);
        cli_interruptible(&cli, 0);
        if ((fflush(stdout) != 0 || ferror(stdout)) && (status == 0 || status >= EXIT_KIND_BASE))
            status = cli_error(&cli, EXIT_FAILED, "cannot write the output: %s", strerror(errno));
        free_cli(&cli);
        return status;
    }
    fprintf(stderr, "kimi: unknown command \"");
    cli_put_field(&cli, stderr, argv[optind]);
    fputs("\"\n", stderr);
    print_usage(stderr);
    free_cli(&cli);
    return EXIT_USAGE;
}
