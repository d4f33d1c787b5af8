/* kimi, the command-line client: what the subcommands share. It uses
 * libkimi's public API only (include/kimi.h), like any other program. */
#ifndef KIMI_CLI_H
#define KIMI_CLI_H

#include <getopt.h>
#include <kimi.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (kimi(1), EXIT STATUS); each has a test in
 * Tests/install/test_kimi_exit.py. An API failure exits with
 * EXIT_KIND_BASE + its kimi_error_kind(), so each kind has its own. */
enum {
    EXIT_FAILED = 1,             /* a file or standard input could not be read, or the output written */
    EXIT_USAGE = 2,              /* a bad command line, configuration file or template */
    EXIT_CUT_ANSWERING = 3,      /* the token budget ran out during the answer: it is incomplete */
    EXIT_CUT_REASONING = 4,      /* the budget ran out while the model was reasoning: no answer */
    EXIT_BATCH = 5,              /* a batch ended other than completed */
    EXIT_LOG = 6,                /* the log database could not be read or written */
    EXIT_KIND_BASE = 10,         /* + KIMI_KIND_*: 11 rate limited ... 24 bad response */
    EXIT_CONTENT_FILTER = 18,    /* = EXIT_KIND_BASE + KIMI_KIND_CONTENT_FILTER */
    EXIT_INCOMPLETE = 23,        /* = EXIT_KIND_BASE + KIMI_KIND_INCOMPLETE: the server cut the answer */
    EXIT_INTERRUPTED = 130       /* Ctrl-C */
};

/* --- settings: command line > template > environment > config > default --- */

enum { SET_MODEL, SET_THINKING, SET_BASE_URL, SET_API_KEY_FILE, SET_LOG, SET_COUNT };
enum { FROM_DEFAULT, FROM_CONFIG, FROM_ENVIRONMENT, FROM_CONVERSATION, FROM_TEMPLATE, FROM_COMMAND_LINE };

struct setting {
    char *value;  /* NULL: unset (the library's or kimi's default) */
    char *source; /* "config /path:3", "environment KIMI_MODEL", ... */
    int rank;     /* FROM_*: a value replaces one of lower or equal rank */
};

struct cli {
    const char *command; /* "chat", "files", ... for messages */
    struct setting settings[SET_COUNT];
    char *config_path; /* $XDG_CONFIG_HOME/kimi/config */
    int verbose, raw;
    double timeout_s; /* --timeout: the idle timeout, 0 = the library's */
    int stdin_tty, stdout_tty, stderr_tty;
    int stdin_taken;   /* standard input was read (it can be read once) */
    int fixed_path;    /* the call went to a path without an id: a 404 means a wrong base URL */
    int write_failed;  /* writing standard output failed */
    char *api_key;     /* the key kimi read or knows, to redact from what it prints */
    kimi_client *client;          /* made on first use (cli_client) */
    int status;                   /* the exit status when cli_client failed */
    kimi_cancel_token *interrupt; /* cancelled by Ctrl-C */
};

/* Sets `key` from `source` unless a setting of higher rank holds it. The
 * value and source are copied; a NULL value unsets. */
void cli_set(struct cli *cli, int key, const char *value, int rank, const char *source);
const char *cli_get(const struct cli *cli, int key);
/* Reads the configuration file ($XDG_CONFIG_HOME/kimi/config) and the
 * environment into cli->settings. 0, or the exit status after printing why. */
int cli_load_config(struct cli *cli);
/* "on" / "off" style values: 1, 0, or -1 when `text` is neither. */
int cli_parse_switch(const char *text);
/* The directory $XDG_<KIND>_HOME/kimi (KIND "CONFIG", "DATA", "STATE"),
 * created with mode 0700 when `create`; NULL after printing why. */
char *cli_home_dir(const struct cli *cli, const char *kind, int create);
/* dir + "/" + name (caller frees); NULL when out of memory. */
char *cli_path_join(const char *dir, const char *name);

/* --- templates (--save NAME, -t NAME): saved chat settings --- */

enum { TPL_SYSTEM, TPL_MODEL, TPL_THINKING, TPL_MAX_TOKENS, TPL_TEMPERATURE, TPL_TOP_P, TPL_JSON_MODE,
       TPL_SCHEMA, TPL_COUNT };
extern const char *const template_keys[TPL_COUNT];
struct template_values {
    char *value[TPL_COUNT]; /* NULL: not part of the template */
};
/* Loads template `name`; 0 or the exit status after printing why. */
int template_load(struct cli *cli, const char *name, struct template_values *out);
/* Writes template `name` (replacing it); 0 or the exit status. */
int template_save(struct cli *cli, const char *name, const struct template_values *values);
void template_free(struct template_values *values);
/* The template names, one per line, for completion. */
void template_list(struct cli *cli, FILE *out);

/* --- the client and errors ----------------------------------------------- */

/* The client, made from the settings on first use; NULL after printing why
 * (cli->status is then the exit status). */
kimi_client *cli_client(struct cli *cli);

/* Ctrl-C: while cli_interruptible(cli, 1) is in effect a SIGINT cancels
 * cli->interrupt (the call returns KIMI_E_ABORTED, keeping what arrived);
 * while cli_prompt_wakeup(fd) is set it writes a byte to `fd` (a line
 * editor waiting for a key returns); otherwise it ends the process with
 * EXIT_INTERRUPTED. */
void cli_interruptible(struct cli *cli, int on);
void cli_prompt_wakeup(int fd);
int cli_was_interrupted(void);

/* Prints "kimi COMMAND: <the last libkimi error in kimi's words>" on one
 * line and returns the exit status for it. */
int cli_fail(const struct cli *cli);
/* Prints "kimi COMMAND: <message>" as one line (outside text in it made
 * harmless: see cli_put_line) and returns `status`. */
int cli_error(const struct cli *cli, int status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The same, then the command's usage on standard error; returns EXIT_USAGE. */
int cli_usage_error(const struct cli *cli, const char *usage, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* "kimi COMMAND: warning: <message>" on standard error. */
void cli_warn(const struct cli *cli, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* --- outside text: the one place that makes it safe to print (text.c) --- */

enum {
    TEXT_RAW,      /* the bytes as they are (a pipe, a file, --raw) */
    TEXT_TERMINAL, /* controls made visible; tab and newline kept */
    TEXT_LINE      /* controls made visible, tab and newline too: one line */
};

/* A stream of outside text to `out`. Deltas may split an escape sequence or
 * a UTF-8 character anywhere: an incomplete character is held until the
 * next write completes it (or text_end shows its bytes). */
struct text_out {
    FILE *out;
    int mode;
    unsigned char held[4];
    size_t held_len;
};

void text_init(struct text_out *text, FILE *out, int mode);
/* Writes `bytes` in the stream's mode: C0 controls (but tab and newline in
 * TEXT_TERMINAL) as ^@..^_, DEL as ^?, C1 controls (U+0080-U+009F) as
 * \u0080..\u009f, bytes that are not UTF-8 as \xNN; everything else as it
 * is. So ESC starts no sequence: "^[]52;c;..." is shown, never run. */
void text_write(struct text_out *text, const char *bytes, size_t len);
/* The end of the text: a held incomplete character is shown as \xNN. */
void text_end(struct text_out *text);
/* TEXT_TERMINAL on a terminal without --raw, else TEXT_RAW, for `out`. */
int cli_text_mode(const struct cli *cli, FILE *out);

/* One field of a line (an id, a name, a message): the key removed, then
 * written in TEXT_LINE mode. */
void cli_put_field(const struct cli *cli, FILE *out, const char *text);
/* Outside text that is a JSON document (as received), on one line without
 * its end: line breaks between tokens become spaces; the key removed;
 * controls made visible on a terminal. */
void cli_put_json(const struct cli *cli, const char *json, size_t len);
/* A copy of `text` with every piece of 8 or more characters of the API
 * key replaced by "[redacted]", as libkimi marks it (caller frees); NULL
 * when out of memory. */
char *cli_redact(const struct cli *cli, const char *text);

/* Writes `text` as a JSON string (quoted; controls, DEL and C1 as \u
 * escapes, bytes that are not UTF-8 as U+FFFD), so the line stays safe on a
 * terminal. */
void cli_json_string(FILE *out, const char *text);
/* `"name": "text"` with the key removed, and a leading ", " unless first. */
void cli_json_field(const struct cli *cli, FILE *out, const char *name, const char *text, int first);
/* The length of the UTF-8 sequence at `s` (up to `len` bytes) and its code
 * point in *cp: 1-4; 0 when `len` ends inside a valid start; -1 when `s` is
 * no valid UTF-8 (one byte to skip). */
int utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* --- input ---------------------------------------------------------------- */

enum {
    CLI_KEY_FILE_MAX = 4096,          /* a key file: a key is about 50 bytes */
    CLI_SETTINGS_FILE_MAX = 1 << 16,  /* the configuration file, a template */
    CLI_INPUT_MAX = 100 * 1000 * 1000 /* a prompt, a schema, an attachment: Kimi's request limit */
};

/* Opens `path` (never blocking on a FIFO or a device) and checks it is a
 * regular file of at most `max` bytes; the descriptor, or -1 after printing
 * why (naming `what`, e.g. "--api-key-file"). */
int cli_open_regular(const struct cli *cli, const char *path, const char *what, uint64_t max);
/* The whole of `path` (standard input for "-"), NUL-terminated, at most
 * `max` bytes (caller frees); NULL after printing why. A read error is an
 * error: what was read before it is never used. */
char *cli_read_input(struct cli *cli, const char *path, const char *what, size_t max, size_t *len_out);
/* cli_read_input for text (a prompt, a schema): a NUL byte is an error,
 * never a text cut short. */
char *cli_read_text(struct cli *cli, const char *path, const char *what, size_t *len_out);
/* The API key in `path`: a regular file of at most CLI_KEY_FILE_MAX bytes;
 * a warning when others may read it. NULL after printing why. */
char *cli_read_key_file(struct cli *cli, const char *path, const char *what);
/* The prompt: the operands from optind on joined by spaces, after standard
 * input when it is not a terminal (or standard input alone without
 * operands). `read_stdin` 0 leaves standard input alone. NULL after
 * printing why (*status_out is then the exit status). */
char *cli_prompt(struct cli *cli, int argc, char **argv, int read_stdin, int *status_out);

/* SHA-256 of `len` bytes as 64 hex digits and a NUL. */
struct sha256 {
    uint32_t state[8];
    uint64_t bytes;
    unsigned char block[64];
};
void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
void sha256_hex(struct sha256 *ctx, char hex[65]);

/* --- output helpers -------------------------------------------------------- */

/* Progress of `label`: a bar redrawn in place on a terminal, a plain line
 * per 10 % otherwise. cli_progress_end finishes the line. */
void cli_progress(const struct cli *cli, const char *label, double done, double total, const char *detail);
void cli_progress_end(const struct cli *cli);

/* --- commands --------------------------------------------------------------- */

/* Long-only options get codes from here on. */
enum {
    OPT_BASE_URL = 256, OPT_API_KEY_FILE, OPT_RAW, OPT_TIMEOUT, OPT_JSON,
    OPT_FIRST_COMMAND_OPTION /* each command numbers its own from here */
};

/* The options every subcommand takes; end each subcommand's table with
 * CLI_COMMON_OPTIONS and put "vh" in its short options. */
#define CLI_COMMON_OPTIONS                                                                                   \
    {"base-url", required_argument, NULL, OPT_BASE_URL},                                                     \
        {"api-key-file", required_argument, NULL, OPT_API_KEY_FILE}, {"raw", no_argument, NULL, OPT_RAW},    \
        {"timeout", required_argument, NULL, OPT_TIMEOUT}, {"verbose", no_argument, NULL, 'v'},              \
        {"help", no_argument, NULL, 'h'}, { NULL, 0, NULL, 0 }

/* --json, for the commands that print results. */
#define CLI_JSON_OPTION {"json", no_argument, NULL, OPT_JSON}
/* -m/--model, for the commands that send a prompt (handled by cli_getopt). */
#define CLI_MODEL_OPTION {"model", required_argument, NULL, 'm'}

/* getopt_long over a subcommand's arguments (argv[0] is its name); the
 * common options are handled here (--help prints `usage` and exits 0), and
 * --json sets *json when `json` is not NULL. Returns the next option for
 * the subcommand, -1 at the end (optind is then the first operand), or '?'
 * after printing a usage error. */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage, int *json);

struct command {
    const char *name;
    const char *operands; /* "[PROMPT...]" for kimi --help */
    const char *summary;  /* one line for kimi --help and the completions */
    int (*run)(struct cli *cli, int argc, char **argv);
    const struct option *options;
    const char *const *actions; /* "upload", "list", ... (NULL-terminated), or NULL */
};

extern const struct command commands[];
extern const size_t command_count;
extern const struct option chat_options[], files_options[], batch_options[], models_options[],
    balance_options[], estimate_options[], logs_options[], config_options[], completion_options[],
    global_options[];
extern const char *const files_actions[], *const batch_actions[], *const models_actions[], *const logs_actions[],
    *const completion_actions[];

int cmd_chat(struct cli *cli, int argc, char **argv);
int cmd_files(struct cli *cli, int argc, char **argv);
int cmd_batch(struct cli *cli, int argc, char **argv);
int cmd_models(struct cli *cli, int argc, char **argv);
int cmd_balance(struct cli *cli, int argc, char **argv);
int cmd_estimate(struct cli *cli, int argc, char **argv);
int cmd_logs(struct cli *cli, int argc, char **argv);
int cmd_config(struct cli *cli, int argc, char **argv);
int cmd_completion(struct cli *cli, int argc, char **argv);

/* The model ids kimi knows without asking the server, NULL-terminated. */
extern const char *const known_models[];

#endif
