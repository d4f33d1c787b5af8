/* Reading what kimi is given: files that must not block or be endless, the
 * key file, standard input, and the prompt. A read error is always an error:
 * what was read before it is never sent. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO or pipe";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

int cli_open_regular(const struct cli *cli, const char *path, const char *what, uint64_t max) {
    struct stat st;
    int flags;
    /* O_NONBLOCK: opening a FIFO without a writer returns at once. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return cli_error(cli, 0, "%s: cannot open %s: %s", what, path, strerror(errno)), -1;
    if (fstat(fd, &st) != 0) {
        cli_error(cli, 0, "%s: cannot read %s: %s", what, path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error(cli, 0, "%s: %s is %s; give a regular file%s", what, path, file_kind(st.st_mode),
                  S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ? " (or - for standard input)" : "");
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > max) {
        cli_error(cli, 0, "%s: %s is too large (%lld bytes; at most %llu)", what, path, (long long)st.st_size,
                  (unsigned long long)max);
        close(fd);
        return -1;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        cli_error(cli, 0, "%s: cannot read %s: %s", what, path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* All of `fd`, at most `max` bytes (a file may grow after fstat, and
 * standard input has no size). */
static char *read_all(const struct cli *cli, int fd, const char *what, const char *name, size_t max,
                      size_t *len_out) {
    size_t cap = 0, len = 0;
    char *data = NULL;
    for (;;) {
        ssize_t n;
        if (len + 1 >= cap) {
            /* Room for one byte past `max`, to see that there is one. */
            size_t want = cap ? cap * 2 : 4096;
            char *grown;
            if (want > max + 2) want = max + 2;
            if (!(grown = realloc(data, want))) {
                free(data);
                return cli_error(cli, 0, "%s: %s: out of memory", what, name), NULL;
            }
            data = grown;
            cap = want;
        }
        n = read(fd, data + len, cap - len - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            cli_error(cli, 0, "%s: cannot read %s: %s", what, name, strerror(errno));
            free(data);
            return NULL;
        }
        if (n == 0) break;
        len += (size_t)n;
        if (len > max) {
            cli_error(cli, 0, "%s: %s is too large (more than %zu bytes)", what, name, max);
            free(data);
            return NULL;
        }
    }
    data[len] = 0;
    if (len_out) *len_out = len;
    return data;
}

char *cli_read_input(struct cli *cli, const char *path, const char *what, size_t max, size_t *len_out) {
    char *data;
    int fd;
    if (strcmp(path, "-") == 0) {
        if (cli->stdin_taken) return cli_error(cli, 0, "%s: standard input is already read for another use", what), NULL;
        cli->stdin_taken = 1;
        return read_all(cli, STDIN_FILENO, what, "standard input", max, len_out);
    }
    if ((fd = cli_open_regular(cli, path, what, max)) < 0) return NULL;
    data = read_all(cli, fd, what, path, max, len_out);
    close(fd);
    return data;
}

char *cli_read_text(struct cli *cli, const char *path, const char *what, size_t *len_out) {
    size_t len;
    char *text = cli_read_input(cli, path, what, CLI_INPUT_MAX, &len);
    if (text && strlen(text) != len) {
        cli_error(cli, 0, "%s: %s holds a NUL byte: it is not text", what, strcmp(path, "-") ? path : "standard input");
        free(text);
        return NULL;
    }
    if (text && len_out) *len_out = len;
    return text;
}

char *cli_read_key_file(struct cli *cli, const char *path, const char *what) {
    struct stat st;
    size_t len;
    char *key;
    int fd;
    if (strcmp(path, "-") == 0) {
        key = cli_read_input(cli, "-", what, CLI_KEY_FILE_MAX, &len);
    } else {
        if ((fd = cli_open_regular(cli, path, what, CLI_KEY_FILE_MAX)) < 0) return NULL;
        /* As ssh does for private keys: others must not be able to read it. */
        if (fstat(fd, &st) == 0 && (st.st_mode & 077))
            cli_warn(cli, "%s: %s can be read by others (mode %04o); chmod 600 it", what, path,
                     (unsigned)(st.st_mode & 07777));
        key = read_all(cli, fd, what, path, CLI_KEY_FILE_MAX, &len);
        close(fd);
    }
    if (!key) return NULL;
    while (len && (key[len - 1] == '\n' || key[len - 1] == '\r' || key[len - 1] == ' ' || key[len - 1] == '\t'))
        key[--len] = 0;
    if (!len || strlen(key) != len) {
        cli_error(cli, 0, "%s: %s holds no key (%s)", what, path, len ? "a NUL byte" : "it is empty");
        free(key);
        return NULL;
    }
    return key;
}

char *cli_prompt(struct cli *cli, int argc, char **argv, int read_stdin, int *status_out) {
    size_t len = 1, input_len = 0;
    char *prompt = NULL, *input = NULL;
    int i;
    *status_out = EXIT_FAILED;
    for (i = optind; i < argc; i++) len += strlen(argv[i]) + 1;
    /* Standard input comes first: `git diff | kimi chat "Review this"`. */
    if (read_stdin && !cli->stdin_taken && (optind >= argc || !cli->stdin_tty)) {
        if (optind >= argc && cli->stdin_tty && cli->stderr_tty)
            fputs("kimi: reading the prompt from the terminal; end it with Ctrl-D\n", stderr);
        if (!(input = cli_read_text(cli, "-", "the prompt", &input_len))) return NULL;
        while (input_len && (input[input_len - 1] == '\n' || input[input_len - 1] == '\r')) input[--input_len] = 0;
    }
    if (optind >= argc) {
        if (input && input_len) return input;
        free(input);
        *status_out = EXIT_USAGE;
        return cli_error(cli, 0, "no prompt: give it as arguments or on standard input"), NULL;
    }
    if (!(prompt = malloc(len + input_len + 2))) {
        free(input);
        return cli_error(cli, 0, "out of memory"), NULL;
    }
    prompt[0] = 0;
    if (input_len) {
        memcpy(prompt, input, input_len);
        strcpy(prompt + input_len, "\n\n");
    }
    free(input);
    for (i = optind; i < argc; i++) {
        if (i > optind) strcat(prompt, " ");
        strcat(prompt, argv[i]);
    }
    return prompt;
}
