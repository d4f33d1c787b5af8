/* kimi batch: batch jobs, from a JSONL file of requests to their results. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: kimi batch submit FILE.jsonl [--window 24h] [--metadata JSON] [--wait]\n"
    "       kimi batch status BATCH_ID\n"
    "       kimi batch wait BATCH_ID\n"
    "       kimi batch results BATCH_ID     (one JSON line per request)\n"
    "       kimi batch cancel BATCH_ID\n"
    "       kimi batch list [--limit N] [--after BATCH_ID]\n"
    "\n"
    "FILE.jsonl (- for standard input) holds one request per line in the batch format:\n"
    "  {\"custom_id\": \"1\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {...}}\n"
    "submit prints the batch id; with --wait it then waits (a progress bar on a\n"
    "terminal, plain lines otherwise) and exits 5 unless the batch completed.\n"
    "--json prints batches as JSON objects, one per line.\n";

enum { OPT_WINDOW = OPT_FIRST_COMMAND_OPTION, OPT_METADATA, OPT_WAIT, OPT_LIMIT, OPT_AFTER };

const struct option batch_options[] = {
    {"window", required_argument, NULL, OPT_WINDOW}, {"metadata", required_argument, NULL, OPT_METADATA},
    {"wait", no_argument, NULL, OPT_WAIT},           {"limit", required_argument, NULL, OPT_LIMIT},
    {"after", required_argument, NULL, OPT_AFTER},   CLI_JSON_OPTION,
    CLI_COMMON_OPTIONS};

static void print_batch(const struct cli *cli, const kimi_batch *batch, int json) {
    if (json) {
        size_t len;
        const char *text = kimi_batch_json(batch, &len);
        cli_put_json(cli, text, len);
        fputc('\n', stdout);
        return;
    }
    cli_put_field(cli, stdout, kimi_batch_id(batch));
    fputc('\t', stdout);
    cli_put_field(cli, stdout, kimi_batch_status(batch));
    printf("\t%lld/%lld done\t%lld failed\n", (long long)(kimi_batch_completed(batch) + kimi_batch_failed(batch)),
           (long long)kimi_batch_total(batch), (long long)kimi_batch_failed(batch));
}

static int on_progress(const kimi_batch *batch, int64_t completed, int64_t failed, int64_t total, void *user_data) {
    char detail[160];
    snprintf(detail, sizeof detail, "%.64s %lld/%lld (%lld failed)", kimi_batch_status(batch),
             (long long)(completed + failed), (long long)total, (long long)failed);
    cli_progress(user_data, kimi_batch_id(batch), (double)(completed + failed), total > 0 ? (double)total : 1, detail);
    return 0;
}

/* Waits for `batch` to end; 0 when it completed. */
static int wait_for(struct cli *cli, kimi_client *client, kimi_batch *batch, int json) {
    kimi_status status;
    if (kimi_batch_set_cancel_token(batch, cli->interrupt) != KIMI_OK) return cli_fail(cli);
    cli_interruptible(cli, 1);
    status = kimi_batch_wait(client, batch, 0, on_progress, cli);
    cli_interruptible(cli, 0);
    cli_progress_end(cli);
    if (status != KIMI_OK) return cli_fail(cli);
    print_batch(cli, batch, json);
    if (strcmp(kimi_batch_status(batch), "completed") == 0) return 0;
    return cli_error(cli, EXIT_BATCH, "batch %s ended %s%s%s", kimi_batch_id(batch), kimi_batch_status(batch),
                     *kimi_batch_error_message(batch) ? ": " : "", kimi_batch_error_message(batch));
}

static int on_result(const char *custom_id, const kimi_chat_response *resp, int http_status, const char *error_message,
                     void *user_data) {
    const struct cli *cli = user_data;
    fputc('{', stdout);
    cli_json_field(cli, stdout, "custom_id", custom_id, 1);
    printf(", \"status_code\": %d", http_status);
    if (resp) {
        size_t len;
        const char *json = kimi_chat_response_json(resp, &len);
        cli_json_field(cli, stdout, "content", kimi_chat_response_content(resp, NULL), 0);
        fputs(", \"response\": ", stdout);
        cli_put_json(cli, json, len);
    } else {
        cli_json_field(cli, stdout, "error", error_message ? error_message : "", 0);
    }
    fputs("}\n", stdout);
    return 0;
}

/* submit: a JSONL file, or standard input uploaded as one. */
static int submit(struct cli *cli, kimi_client *client, const char *path, const char *window, const char *metadata,
                  kimi_batch **batch) {
    kimi_file *file = NULL;
    char *data;
    size_t len;
    kimi_status status;
    if (strcmp(path, "-") != 0) {
        int fd = cli_open_regular(cli, path, "submit", CLI_INPUT_MAX);
        if (fd < 0) return EXIT_FAILED;
        close(fd);
        return kimi_batch_submit(client, path, window, metadata, batch) == KIMI_OK ? 0 : cli_fail(cli);
    }
    if (!(data = cli_read_input(cli, "-", "submit", CLI_INPUT_MAX, &len))) return EXIT_FAILED;
    status = kimi_file_upload_data(client, "batch.jsonl", data, len, "batch", NULL, NULL, &file);
    free(data);
    if (status != KIMI_OK) return cli_fail(cli);
    status = kimi_batch_create(client, kimi_file_id(file), window, metadata, batch);
    kimi_file_free(file);
    return status == KIMI_OK ? 0 : cli_fail(cli);
}

int cmd_batch(struct cli *cli, int argc, char **argv) {
    const char *window = NULL, *metadata = NULL, *after = NULL, *action, *operand;
    int wait = 0, json = 0, limit = 20, c, rc;
    kimi_client *client;
    kimi_batch *batch = NULL;
    while ((c = cli_getopt(cli, argc, argv, "vh", batch_options, usage, &json)) != -1) {
        char *end;
        switch (c) {
        case OPT_WINDOW: window = optarg; break;
        case OPT_METADATA: metadata = optarg; break;
        case OPT_WAIT: wait = 1; break;
        case OPT_LIMIT:
            limit = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || limit < 1 || limit > 100)
                return cli_usage_error(cli, usage, "--limit: 1 to 100, got \"%s\"", optarg);
            break;
        case OPT_AFTER: after = optarg; break;
        default: return EXIT_USAGE;
        }
    }
    if (optind >= argc) return cli_usage_error(cli, usage, "which action?");
    action = argv[optind];
    operand = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (strcmp(action, "submit") && strcmp(action, "status") && strcmp(action, "wait") && strcmp(action, "results") &&
        strcmp(action, "cancel") && strcmp(action, "list"))
        return cli_usage_error(cli, usage, "unknown action \"%s\"", action);
    if (strcmp(action, "list") != 0 && !operand)
        return cli_usage_error(cli, usage, "%s needs %s", action, strcmp(action, "submit") ? "a batch id" : "a JSONL file");
    if (argc - optind > (strcmp(action, "list") ? 2 : 1))
        return cli_usage_error(cli, usage, "unexpected \"%s\"", argv[argc - 1]);
    if (!(client = cli_client(cli))) return cli->status;

    if (strcmp(action, "list") == 0) {
        kimi_batch_page *page = NULL;
        size_t i;
        cli->fixed_path = 1;
        if (kimi_batch_list(client, after, limit, &page) != KIMI_OK) return cli_fail(cli);
        for (i = 0; i < kimi_batch_page_count(page); i++) print_batch(cli, kimi_batch_page_get(page, i), json);
        if (kimi_batch_page_has_more(page)) {
            fputs("kimi batch: more after ", stderr);
            cli_put_field(cli, stderr, kimi_batch_page_last_id(page));
            fputs(" (--after)\n", stderr);
        }
        kimi_batch_page_free(page);
        return 0;
    }
    if (strcmp(action, "submit") == 0) {
        if ((rc = submit(cli, client, operand, window, metadata, &batch)) != 0) return rc;
        if (json) print_batch(cli, batch, 1);
        else {
            cli_put_field(cli, stdout, kimi_batch_id(batch));
            fputc('\n', stdout);
        }
        fflush(stdout);
        rc = wait ? wait_for(cli, client, batch, json) : 0;
        kimi_batch_free(batch);
        return rc;
    }
    if (kimi_batch_retrieve(client, operand, &batch) != KIMI_OK) return cli_fail(cli);
    rc = 0;
    if (strcmp(action, "status") == 0) {
        print_batch(cli, batch, json);
    } else if (strcmp(action, "wait") == 0) {
        rc = wait_for(cli, client, batch, json);
    } else if (strcmp(action, "cancel") == 0) {
        if (kimi_batch_cancel(client, batch) != KIMI_OK) rc = cli_fail(cli);
        else print_batch(cli, batch, json);
    } else {
        if (kimi_batch_set_cancel_token(batch, cli->interrupt) != KIMI_OK) rc = cli_fail(cli);
        cli_interruptible(cli, 1);
        if (rc == 0 && kimi_batch_results(client, batch, on_result, cli) != KIMI_OK) rc = cli_fail(cli);
        cli_interruptible(cli, 0);
    }
    kimi_batch_free(batch);
    return rc;
}
