/* kimi, the command-line client: what the subcommands share. It uses
 * libkimi's public API only (include/kimi.h), like any other program. */
#ifndef KIMI_CLI_H
#define KIMI_CLI_H

#include <getopt.h>
#include <kimi.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses (kimi(1), EXIT STATUS). A library failure exits with
 * EXIT_KIND_BASE + its kimi_error_kind(), so each kind has its own. */
enum {
    EXIT_FAILED = 1,       /* the command failed outside the API (a file, a failed batch) */
    EXIT_USAGE = 2,        /* a bad command line */
    EXIT_KIND_BASE = 10,   /* + KIMI_KIND_*: 11 rate limited ... 25 internal */
    EXIT_INTERRUPTED = 130 /* Ctrl-C */
};

struct cli {
    const char *command;     /* "chat", "files upload", ... for messages */
    const char *base_url;    /* --base-url, or NULL for KIMI_BASE_URL / the default */
    const char *api_key_file;
    const char *model;
    int verbose;
    int stdout_tty, stderr_tty;
    kimi_client *client;          /* made on first use (cli_client) */
    int status;                   /* the exit status when cli_client failed */
    kimi_cancel_token *interrupt; /* cancelled by Ctrl-C */
};

/* The client, made from the options and the environment on first use;
 * NULL after printing why not (cli->status is then the exit status). */
kimi_client *cli_client(struct cli *cli);

/* Ctrl-C: while cli_interruptible(cli, 1) is in effect a SIGINT cancels
 * cli->interrupt (the call returns KIMI_E_ABORTED, keeping what arrived);
 * otherwise it ends the process with EXIT_INTERRUPTED. */
void cli_interruptible(struct cli *cli, int on);
int cli_was_interrupted(void);

/* Prints "kimi COMMAND: <the last libkimi error>" on one line and returns
 * the exit status for it. */
int cli_fail(const struct cli *cli);
/* Prints "kimi COMMAND: <message>" and returns `status`. */
int cli_error(const struct cli *cli, int status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The whole of a stream or a file, NUL-terminated (caller frees); NULL
 * after printing why. */
char *cli_read_stream(const struct cli *cli, FILE *in, const char *name, size_t *len_out);
char *cli_read_file(const struct cli *cli, const char *path, size_t *len_out);
/* The operands from optind on joined by spaces, or standard input when
 * there are none (caller frees); NULL after printing why. */
char *cli_prompt(const struct cli *cli, int argc, char **argv);

/* Writes `text` as a JSON string (quoted and escaped). */
void cli_json_string(FILE *out, const char *text);

/* Progress of `label`: a bar redrawn in place on a terminal, a plain line
 * per 10 % otherwise. cli_progress_end finishes the line. */
void cli_progress(const struct cli *cli, const char *label, double done, double total, const char *detail);
void cli_progress_end(const struct cli *cli);

/* The options every subcommand takes; end each subcommand's table with
 * CLI_COMMON_OPTIONS and put "vh" in its short options. */
#define CLI_COMMON_OPTIONS                                                                               \
    {"base-url", required_argument, NULL, 'B'}, {"api-key-file", required_argument, NULL, 'K'},          \
        {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'}, { NULL, 0, NULL, 0 }

/* -m/--model, for the commands that send a prompt (handled by cli_getopt). */
#define CLI_MODEL_OPTION {"model", required_argument, NULL, 'm'}

/* getopt_long over a subcommand's arguments (argv[0] is its name); the
 * common options are handled here (--help prints `usage` and exits 0).
 * Returns the next option for the subcommand, -1 at the end (optind is
 * then the first operand), or '?' after printing a usage error. */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *usage);

int cmd_chat(struct cli *cli, int argc, char **argv);
int cmd_files(struct cli *cli, int argc, char **argv);
int cmd_batch(struct cli *cli, int argc, char **argv);
int cmd_models(struct cli *cli, int argc, char **argv);
int cmd_balance(struct cli *cli, int argc, char **argv);
int cmd_estimate(struct cli *cli, int argc, char **argv);

#endif
