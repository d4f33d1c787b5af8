/* kimi chat -i: on a terminal a line editor (libedit: history kept between
 * sessions in $XDG_STATE_HOME/kimi/history, multi-line input, /commands);
 * without one, a plain line of standard input per turn. */
#define _POSIX_C_SOURCE 200809L
#include "chat.h"

#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <locale.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

enum { HISTORY_ENTRIES = 1000, HISTORY_FILE_MAX = 4 << 20 };

struct reader {
    struct cli *cli;
    EditLine *el;
    History *history;
    char *history_path;
    const char *prompt;
    char *line;  /* the input being returned (owned) */
    size_t cap;
    int interrupted;
};

/* --- libedit ----------------------------------------------------------- */

/* Ctrl-C at the prompt writes to this pipe (main.c's SIGINT thread). */
static int wakeup[2] = {-1, -1};
/* The terminal's interrupt key (VINTR, ^C), which libedit reads as a key. */
static unsigned char interrupt_key = 3;

static char *prompt_of(EditLine *el) {
    struct reader *r;
    el_get(el, EL_CLIENTDATA, &r);
    return (char *)r->prompt;
}

/* libedit's key reader: standard input, or the wake-up pipe when Ctrl-C is
 * pressed (SIGINT is handled by a thread, never inside libedit). */
static int read_key(EditLine *el, wchar_t *out) {
    struct reader *r;
    mbstate_t state;
    memset(&state, 0, sizeof state);
    el_get(el, EL_CLIENTDATA, &r);
    for (;;) {
        struct pollfd fds[2];
        char byte;
        ssize_t n;
        size_t got;
        fds[0].fd = STDIN_FILENO, fds[0].events = POLLIN;
        fds[1].fd = wakeup[0], fds[1].events = POLLIN;
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (fds[1].revents) {
            char drain[16];
            (void)!read(wakeup[0], drain, sizeof drain);
            r->interrupted = 1;
            return -1;
        }
        n = read(STDIN_FILENO, &byte, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n == 0 ? 0 : -1;
        /* libedit's raw mode reads Ctrl-C as a key: it ends the session too. */
        if ((unsigned char)byte == interrupt_key) {
            r->interrupted = 1;
            return -1;
        }
        got = mbrtowc(out, &byte, 1, &state);
        if (got == (size_t)-2) continue; /* more bytes of a character to come */
        if (got == (size_t)-1) {
            memset(&state, 0, sizeof state);
            *out = 0xFFFD;
        }
        return 1;
    }
}

/* The history file, if it is a sane one: never a FIFO, a device or huge. */
static void load_history(struct reader *r) {
    HistEvent ev;
    struct stat st;
    int fd = open(r->history_path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > HISTORY_FILE_MAX)
        cli_warn(r->cli, "%s is not a regular file of at most 4 MiB; the history starts empty", r->history_path);
    else if (history(r->history, &ev, H_LOAD, r->history_path) < 0)
        cli_warn(r->cli, "%s could not be read; the history starts empty", r->history_path);
    close(fd);
}

static void save_history(struct reader *r) {
    HistEvent ev;
    /* Prompts are private: the file is made 0600 before libedit writes it. */
    int fd = open(r->history_path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0) return;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) history(r->history, &ev, H_SAVE, r->history_path);
    close(fd);
}

static int open_editor(struct reader *r) {
    HistEvent ev;
    char *dir;
    struct termios settings;
    if (tcgetattr(STDIN_FILENO, &settings) == 0 && settings.c_cc[VINTR] != _POSIX_VDISABLE)
        interrupt_key = settings.c_cc[VINTR];
    if (pipe(wakeup) != 0) return -1;
    fcntl(wakeup[0], F_SETFD, FD_CLOEXEC);
    fcntl(wakeup[1], F_SETFD, FD_CLOEXEC);
    setlocale(LC_CTYPE, "");
    if (!(r->history = history_init())) return -1;
    history(r->history, &ev, H_SETSIZE, HISTORY_ENTRIES);
    history(r->history, &ev, H_SETUNIQUE, 1);
    if ((dir = cli_home_dir(r->cli, "STATE", 1))) {
        r->history_path = cli_path_join(dir, "history");
        free(dir);
        if (r->history_path) load_history(r);
    }
    if (!(r->el = el_init("kimi", stdin, stderr, stderr))) return -1;
    el_set(r->el, EL_CLIENTDATA, r);
    el_set(r->el, EL_EDITOR, "emacs");
    el_set(r->el, EL_SIGNAL, 0);
    el_set(r->el, EL_HIST, history, r->history);
    el_set(r->el, EL_PROMPT, prompt_of);
    el_set(r->el, EL_GETCFN, read_key);
    el_source(r->el, NULL); /* ~/.editrc, as every libedit program reads it */
    cli_prompt_wakeup(wakeup[1]);
    return 0;
}

static void close_reader(struct reader *r) {
    cli_prompt_wakeup(-1);
    if (r->el) el_end(r->el);
    if (r->history) {
        if (r->history_path) save_history(r);
        history_end(r->history);
    }
    if (wakeup[0] >= 0) close(wakeup[0]), close(wakeup[1]), wakeup[0] = wakeup[1] = -1;
    free(r->history_path);
    free(r->line);
}

/* Appends `len` bytes of `text` to the input being built. */
static int append(struct reader *r, size_t *len, const char *text, size_t n) {
    if (*len + n + 1 > r->cap) {
        size_t cap = (*len + n + 1) * 2;
        char *grown = realloc(r->line, cap);
        if (!grown) return -1;
        r->line = grown;
        r->cap = cap;
    }
    memcpy(r->line + *len, text, n);
    *len += n;
    r->line[*len] = 0;
    return 0;
}

/* The next input on a terminal: a line; lines ending in \ continue on the
 * next one; a line of """ starts a block that runs to the next such line.
 * NULL at the end (Ctrl-D) or after Ctrl-C (r->interrupted). */
static const char *next_edited(struct reader *r) {
    size_t len = 0;
    int block = 0, more = 0;
    r->prompt = "> ";
    if (append(r, &len, "", 0) != 0) return NULL;
    for (;;) {
        int count;
        const char *got = el_gets(r->el, &count);
        size_t n;
        if (!got || count <= 0) {
            if (!r->interrupted && (block || more)) fputc('\n', stderr);
            return NULL;
        }
        n = (size_t)count;
        while (n && (got[n - 1] == '\n' || got[n - 1] == '\r')) n--;
        if (n == 3 && memcmp(got, "\"\"\"", 3) == 0) {
            if (block) break;
            block = 1;
            r->prompt = "... ";
            continue;
        }
        if (!block && n && got[n - 1] == '\\') {
            if (append(r, &len, got, n - 1) != 0 || append(r, &len, "\n", 1) != 0) return NULL;
            more = 1;
            r->prompt = "... ";
            continue;
        }
        if (block && len && append(r, &len, "\n", 1) != 0) return NULL;
        if (append(r, &len, got, n) != 0) return NULL;
        if (!block) break;
    }
    if (len) {
        HistEvent ev;
        history(r->history, &ev, H_ENTER, r->line);
        if (r->history_path) save_history(r);
    }
    return r->line;
}

/* The next input without a terminal: a line. */
static const char *next_line(struct reader *r) {
    ssize_t n;
    if (r->cli->stderr_tty) fputs("> ", stderr);
    n = getline(&r->line, &r->cap, stdin);
    if (n < 0) return NULL;
    while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r')) r->line[--n] = 0;
    return r->line;
}

/* --- the session ------------------------------------------------------------ */

static const char commands_help[] =
    "/system TEXT   the system prompt from here on (/system alone shows it)\n"
    "/clear         forget the conversation and start a new one\n"
    "/save NAME     save the system prompt and options as template NAME (kimi chat -t NAME)\n"
    "/exit          end the session (so do Ctrl-D and Ctrl-C at the prompt)\n"
    "//TEXT         send TEXT starting with /\n"
    "A line ending in \\ continues on the next; \"\"\" on a line starts and ends a block.\n";

/* A /command; 1 to end the session, else 0. */
static int run_command(struct chat *chat, const char *line, int *media_sent) {
    struct cli *cli = chat->cli;
    const char *arg = strchr(line, ' ');
    size_t name = arg ? (size_t)(arg - line) : strlen(line);
    while (arg && *arg == ' ') arg++;
    if ((name == 5 && memcmp(line, "/exit", 5) == 0) || (name == 5 && memcmp(line, "/quit", 5) == 0)) return 1;
    if (name == 7 && memcmp(line, "/system", 7) == 0) {
        if (arg && *arg) {
            free(chat->system);
            chat->system = strdup(arg);
            fputs("(the system prompt is set)\n", stderr);
        } else {
            fputs("system: ", stderr);
            cli_put_field(cli, stderr, chat->system ? chat->system : "(none)");
            fputc('\n', stderr);
        }
    } else if (name == 6 && memcmp(line, "/clear", 6) == 0) {
        chat_clear(chat);
        *media_sent = 1; /* the attachments went with the conversation cleared */
        fputs("(a new conversation)\n", stderr);
    } else if (name == 5 && memcmp(line, "/save", 5) == 0) {
        if (!arg || !*arg) cli_error(cli, 0, "/save needs a template name");
        else if (chat_save_template(chat, arg) == 0) cli_error(cli, 0, "saved template %s (kimi chat -t %s)", arg, arg);
    } else if (name == 5 && memcmp(line, "/help", 5) == 0) {
        fputs(commands_help, stderr);
    } else {
        cli_error(cli, 0, "unknown command %.*s (/help lists them; // sends a line starting with /)", (int)name, line);
    }
    return 0;
}

int chat_session(struct chat *chat, const char *first) {
    struct cli *cli = chat->cli;
    struct reader r;
    int rc = 0, worst = 0, media_sent = 0, editing = cli->stdin_tty && cli->stderr_tty;
    memset(&r, 0, sizeof r);
    r.cli = cli;
    if (!cli_client(cli)) return cli->status;
    if (editing && open_editor(&r) != 0) {
        close_reader(&r);
        return cli_error(cli, EXIT_FAILED, "cannot start the line editor");
    }
    if (editing) fputs("kimi: a session; /help lists the commands, Ctrl-D ends it\n", stderr);
    for (;;) {
        const char *prompt = first;
        size_t before = chat->turn_count;
        if (!prompt) prompt = editing ? next_edited(&r) : next_line(&r);
        first = NULL;
        if (!prompt) {
            if (r.interrupted) rc = EXIT_INTERRUPTED, fputc('\n', stderr);
            break;
        }
        if (!*prompt) continue;
        if (editing && prompt[0] == '/' && prompt[1] != '/') {
            if (run_command(chat, prompt, &media_sent)) break;
            continue;
        }
        if (editing && prompt[0] == '/') prompt++;
        /* Attachments go with the first turn that is answered, then stay in
           the history as part of it. */
        rc = chat_turn(chat, prompt, media_sent ? NULL : chat->media, media_sent ? 0 : chat->media_count);
        if (chat->turn_count > before) media_sent = 1;
        if (rc == EXIT_INTERRUPTED) {
            /* The answer was stopped and is not kept; the session goes on. */
            kimi_cancel_token_reset(cli->interrupt);
            rc = 0;
            continue;
        }
        /* An answer cut short was said so; the next question may still be asked. */
        if (rc == EXIT_CUT_ANSWERING || rc == EXIT_CUT_REASONING || rc == EXIT_CONTENT_FILTER || rc == EXIT_INCOMPLETE) {
            if (!worst) worst = rc;
            rc = 0;
            continue;
        }
        if (rc != 0) break;
    }
    close_reader(&r);
    return rc ? rc : worst;
}
