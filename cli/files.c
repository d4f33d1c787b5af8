/* kimi files: the Files API. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: kimi files upload FILE [--purpose file-extract|image|video|batch] [--name NAME]\n"
    "       kimi files list\n"
    "       kimi files get FILE_ID           (the file object as JSON)\n"
    "       kimi files delete FILE_ID\n"
    "       kimi files content FILE_ID       (the text extracted from a file-extract file)\n"
    "\n"
    "upload prints the new file's id (a progress bar on a terminal; Ctrl-C stops it);\n"
    "FILE - uploads standard input, called NAME (default \"stdin\"). --json prints\n"
    "each result as JSON (a line per file for list).\n";

enum { OPT_PURPOSE = OPT_FIRST_COMMAND_OPTION, OPT_NAME };

const struct option files_options[] = {{"purpose", required_argument, NULL, OPT_PURPOSE},
                                       {"name", required_argument, NULL, OPT_NAME}, CLI_JSON_OPTION,
                                       CLI_COMMON_OPTIONS};

static void print_file(const struct cli *cli, const kimi_file *file, int json) {
    char when[32] = "-";
    time_t created = (time_t)kimi_file_created_at(file);
    struct tm utc;
    if (json) {
        size_t len;
        const char *text = kimi_file_json(file, &len);
        cli_put_json(cli, text, len);
        fputc('\n', stdout);
        return;
    }
    if (created > 0 && gmtime_r(&created, &utc)) strftime(when, sizeof when, "%Y-%m-%d %H:%M", &utc);
    cli_put_field(cli, stdout, kimi_file_id(file));
    printf("\t%lld\t", (long long)kimi_file_bytes(file));
    cli_put_field(cli, stdout, kimi_file_purpose(file));
    fputc('\t', stdout);
    cli_put_field(cli, stdout, kimi_file_status(file));
    printf("\t%s\t", when);
    cli_put_field(cli, stdout, kimi_file_filename(file));
    fputc('\n', stdout);
}

static int on_progress(uint64_t sent, uint64_t total, void *user_data) {
    struct cli *cli = user_data;
    char detail[64];
    snprintf(detail, sizeof detail, "%.1f of %.1f MB", sent / 1e6, total / 1e6);
    cli_progress(cli, "uploading", (double)sent, (double)total, detail);
    return cli_was_interrupted();
}

static int upload(struct cli *cli, kimi_client *client, const char *path, const char *purpose, const char *name,
                  int json) {
    kimi_file *file = NULL;
    kimi_status status;
    char *data = NULL;
    size_t len = 0;
    /* Checked here: a missing file is a file kimi cannot read (1), and a
       FIFO or a device must not block or run forever. */
    if (strcmp(path, "-") == 0) {
        if (!(data = cli_read_input(cli, "-", "upload", CLI_INPUT_MAX, &len))) return EXIT_FAILED;
    } else {
        int fd = cli_open_regular(cli, path, "upload", CLI_INPUT_MAX);
        if (fd < 0) return EXIT_FAILED;
        close(fd);
    }
    cli_interruptible(cli, 1); /* the progress callback sees Ctrl-C and stops the upload */
    if (data) status = kimi_file_upload_data(client, name ? name : "stdin", data, len, purpose, on_progress, cli, &file);
    else status = kimi_file_upload(client, path, purpose, on_progress, cli, &file);
    cli_interruptible(cli, 0);
    cli_progress_end(cli);
    free(data);
    if (status != KIMI_OK) return cli_fail(cli);
    if (json) print_file(cli, file, 1);
    else {
        cli_put_field(cli, stdout, kimi_file_id(file));
        fputc('\n', stdout);
    }
    if (cli->verbose) {
        fputs("kimi files: ", stderr);
        cli_put_field(cli, stderr, kimi_file_filename(file));
        fprintf(stderr, ", %lld bytes, purpose ", (long long)kimi_file_bytes(file));
        cli_put_field(cli, stderr, kimi_file_purpose(file));
        fputs(", status ", stderr);
        cli_put_field(cli, stderr, kimi_file_status(file));
        fputc('\n', stderr);
    }
    kimi_file_free(file);
    return 0;
}

/* `kimi files content`: the pieces of a file's content as they arrive. */
struct content_out {
    struct cli *cli;
    struct text_out text;
    int last; /* the last byte written */
};

static int content_piece(const void *data, size_t len, void *user_data) {
    struct content_out *out = user_data;
    out->last = ((const unsigned char *)data)[len - 1];
    text_write(&out->text, data, len);
    if (ferror(stdout)) {
        out->cli->write_failed = errno ? errno : EIO;
        return 1;
    }
    return 0;
}

static int content_progress(uint64_t received, uint64_t total, void *user_data) {
    (void)received, (void)total, (void)user_data;
    return cli_was_interrupted(); /* Ctrl-C stops the download */
}

int cmd_files(struct cli *cli, int argc, char **argv) {
    const char *purpose = "file-extract", *name = NULL, *action, *operand;
    kimi_client *client;
    int c, json = 0;
    while ((c = cli_getopt(cli, argc, argv, "vh", files_options, usage, &json)) != -1) {
        if (c == OPT_PURPOSE) purpose = optarg;
        else if (c == OPT_NAME) name = optarg;
        else return EXIT_USAGE;
    }
    if (optind >= argc) return cli_usage_error(cli, usage, "which action?");
    action = argv[optind];
    operand = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (strcmp(action, "upload") && strcmp(action, "list") && strcmp(action, "get") && strcmp(action, "delete") &&
        strcmp(action, "content"))
        return cli_usage_error(cli, usage, "unknown action \"%s\"", action);
    if (strcmp(action, "list") != 0 && !operand)
        return cli_usage_error(cli, usage, "%s needs %s", action, strcmp(action, "upload") ? "a file id" : "a file");
    if (argc - optind > (strcmp(action, "list") ? 2 : 1))
        return cli_usage_error(cli, usage, "unexpected \"%s\"", argv[argc - 1]);
    if (!(client = cli_client(cli))) return cli->status;

    if (strcmp(action, "upload") == 0) return upload(cli, client, operand, purpose, name, json);
    if (strcmp(action, "list") == 0) {
        kimi_file_list *list = NULL;
        size_t i;
        cli->fixed_path = 1;
        if (kimi_files_list(client, &list) != KIMI_OK) return cli_fail(cli);
        for (i = 0; i < kimi_file_list_count(list); i++) print_file(cli, kimi_file_list_get(list, i), json);
        kimi_file_list_free(list);
        return 0;
    }
    if (strcmp(action, "get") == 0) {
        kimi_file *file = NULL;
        if (kimi_file_retrieve(client, operand, &file) != KIMI_OK) return cli_fail(cli);
        print_file(cli, file, 1); /* always JSON: the whole object */
        kimi_file_free(file);
        return 0;
    }
    if (strcmp(action, "delete") == 0) {
        if (kimi_file_delete(client, operand) != KIMI_OK) return cli_fail(cli);
        if (json) {
            fputc('{', stdout);
            cli_json_field(cli, stdout, "id", operand, 1);
            fputs(", \"deleted\": true}\n", stdout);
        } else {
            fputs("deleted ", stdout);
            cli_put_field(cli, stdout, operand);
            fputc('\n', stdout);
        }
        return 0;
    }
    if (json) {
        char *content = NULL;
        size_t len = 0;
        if (kimi_file_content(client, operand, &content, &len) != KIMI_OK) return cli_fail(cli);
        fputc('{', stdout);
        cli_json_field(cli, stdout, "id", operand, 1);
        cli_json_field(cli, stdout, "content", content, 0);
        fputs("}\n", stdout);
        kimi_string_free(content);
        return 0;
    }
    {
        /* Streamed as it arrives, through the escaping on a terminal. */
        struct content_out out;
        kimi_status status;
        out.cli = cli;
        out.last = '\n';
        text_init(&out.text, stdout, cli_text_mode(cli, stdout));
        cli_interruptible(cli, 1);
        status = kimi_file_content_write(client, operand, content_piece, content_progress, &out, NULL);
        cli_interruptible(cli, 0);
        text_end(&out.text);
        if (out.last != '\n') fputc('\n', stdout); /* a missing final newline is added */
        return status == KIMI_OK ? 0 : cli_fail(cli);
    }
}
