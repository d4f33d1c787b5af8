/* kimi: Moonshot's Kimi API from a shell. The entry point, the options and
 * helpers every subcommand shares, and Ctrl-C. See kimi(1). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: kimi [--base-url URL] [--api-key-file FILE] COMMAND [ARGS...]\n"
    "\n"
    "  chat [PROMPT...]          stream an answer (the prompt from the arguments or standard input)\n"
    "  files upload|list|get|delete|content\n"
    "  batch submit|status|wait|results|cancel|list\n"
    "  models                    the models and their context windows\n"
    "  balance                   the account balance\n"
    "  estimate [PROMPT...]      count a prompt's tokens\n"
    "\n"
    "The key comes from MOONSHOT_API_KEY (or --api-key-file), the API root from\n"
    "KIMI_BASE_URL (or --base-url; default https://api.moonshot.ai/v1).\n"
    "kimi COMMAND --help says more; man kimi has everything, exit statuses included.\n";

/* --- Ctrl-C ------------------------------------------------------------ */

/* SIGINT is blocked in every thread and taken by one thread with sigwait,
 * so nothing runs in a signal handler: it cancels the token of the call in
 * progress, or ends the process when no call can be interrupted. */
static pthread_mutex_t interrupt_lock = PTHREAD_MUTEX_INITIALIZER;
static kimi_cancel_token *interruptible_token;
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

int cli_error(const struct cli *cli, int status, const char *format, ...) {
    va_list args;
    fprintf(stderr, *cli->command ? "kimi %s: " : "kimi: ", cli->command);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    return status;
}

int cli_fail(const struct cli *cli) {
    int kind = kimi_error_kind();
    /* Refused before any request (no key, a bad base URL): a request that cannot be made. */
    if (!kind && kimi_error_status() == KIMI_E_INVALID_ARGUMENT) kind = KIMI_KIND_INVALID_REQUEST;
    if (kimi_error_status() == KIMI_E_ABORTED && cli_was_interrupted())
        return cli_error(cli, EXIT_INTERRUPTED, "interrupted");
    cli_error(cli, 0, "%s", kimi_error_message());
    return kind ? EXIT_KIND_BASE + kind : EXIT_FAILED;
}

/* --- the client ---------------------------------------------------------- */

kimi_client *cli_client(struct cli *cli) {
    kimi_client_options *opts;
    if (cli->client) return cli->client;
    opts = kimi_client_options_new();
    if (!opts) {
        cli->status = cli_fail(cli);
        return NULL;
    }
    if (cli->base_url && kimi_client_options_set_base_url(opts, cli->base_url) != KIMI_OK) goto fail;
    if (cli->api_key_file) {
        size_t len;
        char *key = cli_read_file(cli, cli->api_key_file, &len);
        if (!key) {
            kimi_client_options_free(opts);
            cli->status = EXIT_FAILED;
            return NULL;
        }
        while (len && (key[len - 1] == '\n' || key[len - 1] == '\r' || key[len - 1] == ' ')) key[--len] = 0;
        if (kimi_client_options_set_api_key(opts, key) != KIMI_OK) {
            free(key);
            goto fail;
        }
        free(key);
    }
    if (kimi_client_new(opts, &cli->client) != KIMI_OK) goto fail;
    kimi_client_options_free(opts);
    return cli->client;
fail:
    cli->status = cli_fail(cli);
    kimi_client_options_free(opts);
    return NULL;
}

/* --- input ---------------------------------------------------------------- */

char *cli_read_stream(const struct cli *cli, FILE *in, const char *name, size_t *len_out) {
    size_t cap = 4096, len = 0, n;
    char *data = malloc(cap);
    while (data && (n = fread(data + len, 1, cap - len - 1, in)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *grown = realloc(data, cap * 2);
            if (!grown) break;
            data = grown;
            cap *= 2;
        }
    }
    if (!data || ferror(in)) {
        cli_error(cli, 0, "cannot read %s: %s", name, data ? strerror(errno) : "out of memory");
        free(data);
        return NULL;
    }
    data[len] = 0;
    if (len_out) *len_out = len;
    return data;
}

char *cli_prompt(const struct cli *cli, int argc, char **argv) {
    size_t len = 1;
    char *prompt;
    int i;
    if (optind >= argc) return cli_read_stream(cli, stdin, "standard input", NULL);
    for (i = optind; i < argc; i++) len += strlen(argv[i]) + 1;
    if (!(prompt = malloc(len))) return cli_error(cli, 0, "out of memory"), NULL;
    prompt[0] = 0;
    for (i = optind; i < argc; i++) {
        if (i > optind) strcat(prompt, " ");
        strcat(prompt, argv[i]);
    }
    return prompt;
}

char *cli_read_file(const struct cli *cli, const char *path, size_t *len_out) {
    FILE *in = fopen(path, "rb");
    char *data;
    if (!in) {
        cli_error(cli, 0, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    data = cli_read_stream(cli, in, path, len_out);
    fclose(in);
    return data;
}

void cli_json_string(FILE *out, const char *text) {
    const unsigned char *p = (const unsigned char *)text;
    fputc('"', out);
    for (; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p == '\r') fputs("\\r", out);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

/* --- progress --------------------------------------------------------------- */

static int last_tenth = -1;

void cli_progress(const struct cli *cli, const char *label, double done, double total, const char *detail) {
    double fraction = total > 0 ? done / total : 0;
    if (fraction > 1) fraction = 1;
    if (cli->stderr_tty) {
        char bar[31];
        int filled = (int)(fraction * 30), i;
        for (i = 0; i < 30; i++) bar[i] = i < filled ? '#' : '.';
        bar[30] = 0;
        fprintf(stderr, "\r%s [%s] %3d%% %s\033[K", label, bar, (int)(fraction * 100), detail ? detail : "");
    } else if ((int)(fraction * 10) != last_tenth) {
        last_tenth = (int)(fraction * 10);
        fprintf(stderr, "%s %d%% %s\n", label, (int)(fraction * 100), detail ? detail : "");
    }
    fflush(stderr);
}

void cli_progress_end(const struct cli *cli) {
    if (cli->stderr_tty) fputc('\n', stderr);
    last_tenth = -1;
}

/* --- options ------------------------------------------------------------- */

int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage_text) {
    int c;
    opterr = 0;
    for (;;) {
        c = getopt_long(argc, argv, shortopts, longopts, NULL);
        switch (c) {
        case 'B': cli->base_url = optarg; break;
        case 'K': cli->api_key_file = optarg; break;
        case 'm': cli->model = optarg; break;
        case 'v': cli->verbose = 1; break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case '?':
            if (optopt) cli_error(cli, 0, "unknown option -%c or a missing value\n%s", optopt, usage_text);
            else cli_error(cli, 0, "unknown option %s or a missing value\n%s", argv[optind - 1], usage_text);
            return '?';
        case ':':
            cli_error(cli, 0, "%s needs a value\n%s", argv[optind - 1], usage_text);
            return '?';
        default: return c;
        }
    }
}

struct command {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv);
};

static const struct command commands[] = {
    {"chat", cmd_chat},       {"files", cmd_files},       {"batch", cmd_batch},
    {"models", cmd_models},   {"balance", cmd_balance},   {"estimate", cmd_estimate},
};

int main(int argc, char **argv) {
    static const struct option global[] = {CLI_COMMON_OPTIONS};
    struct cli cli;
    size_t i;
    int status, c;
    memset(&cli, 0, sizeof cli);
    cli.command = "";
    cli.stdout_tty = isatty(STDOUT_FILENO);
    cli.stderr_tty = isatty(STDERR_FILENO);
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("kimi %s\n", kimi_version());
        return 0;
    }
    /* Options before the command; "+" stops at the command's name. */
    while ((c = cli_getopt(&cli, argc, argv, "+vh", global, usage)) != -1)
        if (c == '?') return EXIT_USAGE;
    if (optind >= argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[optind], commands[i].name) != 0) continue;
        cli.command = commands[i].name;
        cli.interrupt = kimi_cancel_token_new();
        if (!cli.interrupt) return cli_fail(&cli);
        start_sigint_thread();
        argv += optind;
        argc -= optind;
        optind = 0; /* getopt starts over on the command's arguments */
        status = commands[i].run(&cli, argc, argv);
        cli_interruptible(&cli, 0);
        kimi_client_free(cli.client);
        kimi_cancel_token_free(cli.interrupt);
        if (fflush(stdout) != 0 && status == 0) status = cli_error(&cli, EXIT_FAILED, "cannot write the output");
        return status;
    }
    fprintf(stderr, "kimi: unknown command \"%s\"\n%s", argv[optind], usage);
    return EXIT_USAGE;
}
