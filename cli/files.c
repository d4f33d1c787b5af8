/* kimi files: the Files API. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: kimi files upload FILE [--purpose file-extract|image|video|batch]\n"
    "       kimi files list\n"
    "       kimi files get FILE_ID           (the file object as JSON)\n"
    "       kimi files delete FILE_ID\n"
    "       kimi files content FILE_ID       (the text extracted from a file-extract file)\n"
    "\n"
    "upload prints the new file's id (a progress bar on a terminal; Ctrl-C stops it).\n";

static void print_file(const kimi_file *file) {
    char when[32] = "-";
    time_t created = (time_t)kimi_file_created_at(file);
    struct tm utc;
    if (created > 0 && gmtime_r(&created, &utc)) strftime(when, sizeof when, "%Y-%m-%d %H:%M", &utc);
    printf("%s\t%lld\t%s\t%s\t%s\t%s\n", kimi_file_id(file), (long long)kimi_file_bytes(file), kimi_file_purpose(file),
           kimi_file_status(file), when, kimi_file_filename(file));
}

static int on_progress(uint64_t sent, uint64_t total, void *user_data) {
    struct cli *cli = user_data;
    char detail[64];
    snprintf(detail, sizeof detail, "%.1f of %.1f MB", sent / 1e6, total / 1e6);
    cli_progress(cli, "uploading", (double)sent, (double)total, detail);
    return cli_was_interrupted();
}

static int upload(struct cli *cli, kimi_client *client, const char *path, const char *purpose) {
    kimi_file *file = NULL;
    kimi_status status;
    cli_interruptible(cli, 1); /* the progress callback sees Ctrl-C and stops the upload */
    status = kimi_file_upload(client, path, purpose, on_progress, cli, &file);
    cli_interruptible(cli, 0);
    cli_progress_end(cli);
    if (status != KIMI_OK) return cli_fail(cli);
    printf("%s\n", kimi_file_id(file));
    if (cli->verbose)
        fprintf(stderr, "kimi files: %s, %lld bytes, purpose %s, status %s\n", kimi_file_filename(file),
                (long long)kimi_file_bytes(file), kimi_file_purpose(file), kimi_file_status(file));
    kimi_file_free(file);
    return 0;
}

/* Writes a piece of a file's content to stdout; remembers its last byte. */
static int to_stdout(const void *data, size_t len, void *user_data) {
    *(int *)user_data = ((const unsigned char *)data)[len - 1];
    return fwrite(data, 1, len, stdout) != len;
}

int cmd_files(struct cli *cli, int argc, char **argv) {
    static const struct option options[] = {{"purpose", required_argument, NULL, 'p'}, CLI_COMMON_OPTIONS};
    const char *purpose = "file-extract", *action, *operand;
    kimi_client *client;
    int c;
    while ((c = cli_getopt(cli, argc, argv, "p:vh", options, usage)) != -1) {
        if (c == 'p') purpose = optarg;
        else return EXIT_USAGE;
    }
    if (optind >= argc) return cli_error(cli, EXIT_USAGE, "which action?\n%s", usage);
    action = argv[optind];
    operand = optind + 1 < argc ? argv[optind + 1] : NULL;
    cli->command = "files";
    if (strcmp(action, "list") != 0 && !operand)
        return cli_error(cli, EXIT_USAGE, "%s needs %s\n%s", action, strcmp(action, "upload") ? "a file id" : "a file",
                         usage);
    if (strcmp(action, "upload") && strcmp(action, "list") && strcmp(action, "get") && strcmp(action, "delete") &&
        strcmp(action, "content"))
        return cli_error(cli, EXIT_USAGE, "unknown action \"%s\"\n%s", action, usage);
    if (!(client = cli_client(cli))) return cli->status;

    if (strcmp(action, "upload") == 0) return upload(cli, client, operand, purpose);
    if (strcmp(action, "list") == 0) {
        kimi_file_list *list = NULL;
        size_t i;
        if (kimi_files_list(client, &list) != KIMI_OK) return cli_fail(cli);
        for (i = 0; i < kimi_file_list_count(list); i++) print_file(kimi_file_list_get(list, i));
        kimi_file_list_free(list);
        return 0;
    }
    if (strcmp(action, "get") == 0) {
        kimi_file *file = NULL;
        size_t len;
        const char *json;
        if (kimi_file_retrieve(client, operand, &file) != KIMI_OK) return cli_fail(cli);
        json = kimi_file_json(file, &len);
        fwrite(json, 1, len, stdout);
        fputc('\n', stdout);
        kimi_file_free(file);
        return 0;
    }
    if (strcmp(action, "delete") == 0) {
        if (kimi_file_delete(client, operand) != KIMI_OK) return cli_fail(cli);
        printf("deleted %s\n", operand);
        return 0;
    }
    {
        int last = '\n'; /* the content streams to stdout; a missing final newline is added */
        if (kimi_file_content_write(client, operand, to_stdout, NULL, &last, NULL) != KIMI_OK) {
            if (last != '\n') fputc('\n', stdout);
            return cli_fail(cli);
        }
        if (last != '\n') fputc('\n', stdout);
        return 0;
    }
}
