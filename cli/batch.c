/* kimi batch: batch jobs, from a JSONL file of requests to their results. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: kimi batch submit FILE.jsonl [--window 24h] [--metadata JSON] [--wait]\n"
    "       kimi batch status BATCH_ID [--json]\n"
    "       kimi batch wait BATCH_ID\n"
    "       kimi batch results BATCH_ID     (one JSON line per request)\n"
    "       kimi batch cancel BATCH_ID\n"
    "       kimi batch list [--limit N] [--after BATCH_ID]\n"
    "\n"
    "FILE.jsonl holds one request per line in the batch format:\n"
    "  {\"custom_id\": \"1\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {...}}\n"
    "submit prints the batch id; with --wait it then waits (a progress bar on a\n"
    "terminal, plain lines otherwise) and exits 1 unless the batch completed.\n";

static void print_batch(const kimi_batch *batch) {
    printf("%s\t%s\t%lld/%lld done\t%lld failed\n", kimi_batch_id(batch), kimi_batch_status(batch),
           (long long)(kimi_batch_completed(batch) + kimi_batch_failed(batch)), (long long)kimi_batch_total(batch),
           (long long)kimi_batch_failed(batch));
}

static int on_progress(const kimi_batch *batch, int64_t completed, int64_t failed, int64_t total, void *user_data) {
    char detail[96];
    snprintf(detail, sizeof detail, "%s %lld/%lld (%lld failed)", kimi_batch_status(batch),
             (long long)(completed + failed), (long long)total, (long long)failed);
    cli_progress(user_data, kimi_batch_id(batch), (double)(completed + failed),
                 total > 0 ? (double)total : 1, detail);
    return 0;
}

/* Waits for `batch` to end; 0 when it completed. */
static int wait_for(struct cli *cli, kimi_client *client, kimi_batch *batch) {
    kimi_status status;
    if (kimi_batch_set_cancel_token(batch, cli->interrupt) != KIMI_OK) return cli_fail(cli);
    cli_interruptible(cli, 1);
    status = kimi_batch_wait(client, batch, 0, on_progress, cli);
    cli_interruptible(cli, 0);
    cli_progress_end(cli);
    if (status != KIMI_OK) return cli_fail(cli);
    print_batch(batch);
    if (strcmp(kimi_batch_status(batch), "completed") == 0) return 0;
    return cli_error(cli, EXIT_FAILED, "batch %s ended %s%s%s", kimi_batch_id(batch), kimi_batch_status(batch),
                     *kimi_batch_error_message(batch) ? ": " : "", kimi_batch_error_message(batch));
}

static int on_result(const char *custom_id, const kimi_chat_response *resp, int http_status, const char *error_message,
                     void *user_data) {
    (void)user_data;
    fputs("{\"custom_id\": ", stdout);
    cli_json_string(stdout, custom_id);
    printf(", \"status_code\": %d, ", http_status);
    if (resp) {
        size_t len;
        const char *json = kimi_chat_response_json(resp, &len);
        fputs("\"content\": ", stdout);
        cli_json_string(stdout, kimi_chat_response_content(resp, NULL));
        fputs(", \"response\": ", stdout);
        fwrite(json, 1, len, stdout);
    } else {
        fputs("\"error\": ", stdout);
        cli_json_string(stdout, error_message ? error_message : "");
    }
    fputs("}\n", stdout);
    return 0;
}

int cmd_batch(struct cli *cli, int argc, char **argv) {
    static const struct option options[] = {
        {"window", required_argument, NULL, 'w'}, {"metadata", required_argument, NULL, 'M'},
        {"wait", no_argument, NULL, 'W'},         {"json", no_argument, NULL, 'j'},
        {"limit", required_argument, NULL, 'l'},  {"after", required_argument, NULL, 'a'},
        CLI_COMMON_OPTIONS};
    const char *window = NULL, *metadata = NULL, *after = NULL, *action, *operand;
    int wait = 0, json = 0, limit = 20, c, rc;
    kimi_client *client;
    kimi_batch *batch = NULL;
    while ((c = cli_getopt(cli, argc, argv, "vh", options, usage)) != -1) {
        switch (c) {
        case 'w': window = optarg; break;
        case 'M': metadata = optarg; break;
        case 'W': wait = 1; break;
        case 'j': json = 1; break;
        case 'l':
            limit = atoi(optarg);
            if (limit < 1 || limit > 100) return cli_error(cli, EXIT_USAGE, "--limit: 1 to 100, got \"%s\"", optarg);
            break;
        case 'a': after = optarg; break;
        default: return EXIT_USAGE;
        }
    }
    if (optind >= argc) return cli_error(cli, EXIT_USAGE, "which action?\n%s", usage);
    action = argv[optind];
    operand = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (strcmp(action, "submit") && strcmp(action, "status") && strcmp(action, "wait") && strcmp(action, "results") &&
        strcmp(action, "cancel") && strcmp(action, "list"))
        return cli_error(cli, EXIT_USAGE, "unknown action \"%s\"\n%s", action, usage);
    if (strcmp(action, "list") != 0 && !operand)
        return cli_error(cli, EXIT_USAGE, "%s needs %s\n%s", action,
                         strcmp(action, "submit") ? "a batch id" : "a JSONL file", usage);
    if (!(client = cli_client(cli))) return cli->status;

    if (strcmp(action, "list") == 0) {
        kimi_batch_page *page = NULL;
        size_t i;
        if (kimi_batch_list(client, after, limit, &page) != KIMI_OK) return cli_fail(cli);
        for (i = 0; i < kimi_batch_page_count(page); i++) print_batch(kimi_batch_page_get(page, i));
        if (kimi_batch_page_has_more(page))
            fprintf(stderr, "kimi batch: more after %s (--after)\n", kimi_batch_page_last_id(page));
        kimi_batch_page_free(page);
        return 0;
    }
    if (strcmp(action, "submit") == 0) {
        if (kimi_batch_submit(client, operand, window, metadata, &batch) != KIMI_OK) return cli_fail(cli);
        printf("%s\n", kimi_batch_id(batch));
        fflush(stdout);
        rc = wait ? wait_for(cli, client, batch) : 0;
        kimi_batch_free(batch);
        return rc;
    }
    if (kimi_batch_retrieve(client, operand, &batch) != KIMI_OK) return cli_fail(cli);
    rc = 0;
    if (strcmp(action, "status") == 0) {
        if (json) {
            size_t len;
            const char *text = kimi_batch_json(batch, &len);
            fwrite(text, 1, len, stdout);
            fputc('\n', stdout);
        } else {
            print_batch(batch);
        }
    } else if (strcmp(action, "wait") == 0) {
        rc = wait_for(cli, client, batch);
    } else if (strcmp(action, "cancel") == 0) {
        if (kimi_batch_cancel(client, batch) != KIMI_OK) rc = cli_fail(cli);
        else print_batch(batch);
    } else {
        if (kimi_batch_set_cancel_token(batch, cli->interrupt) != KIMI_OK) rc = cli_fail(cli);
        cli_interruptible(cli, 1);
        if (rc == 0 && kimi_batch_results(client, batch, on_result, NULL) != KIMI_OK) rc = cli_fail(cli);
        cli_interruptible(cli, 0);
    }
    kimi_batch_free(batch);
    return rc;
}
