/* kimi models, kimi balance, kimi estimate: the account's own endpoints. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char models_usage[] =
    "usage: kimi models\n\nOne line per model: id, context window in tokens, and image, video, reasoning support.\n";
static const char balance_usage[] =
    "usage: kimi balance\n\nThe available, voucher and cash balance (USD on api.moonshot.ai, CNY on .cn).\n";
static const char estimate_usage[] =
    "usage: kimi estimate [-m MODEL] [-s SYSTEM] [PROMPT...]\n\n"
    "The number of tokens the prompt (the arguments joined, or standard input) takes.\n";

/* Commands without operands or options of their own. */
static int no_operands(struct cli *cli, int argc, char **argv, const char *usage) {
    static const struct option options[] = {CLI_COMMON_OPTIONS};
    if (cli_getopt(cli, argc, argv, "vh", options, usage) != -1) return 0;
    if (optind < argc) return cli_error(cli, 0, "unexpected \"%s\"\n%s", argv[optind], usage), 0;
    return 1;
}

int cmd_models(struct cli *cli, int argc, char **argv) {
    kimi_client *client;
    kimi_model_list *list = NULL;
    size_t i;
    if (!no_operands(cli, argc, argv, models_usage)) return EXIT_USAGE;
    if (!(client = cli_client(cli))) return cli->status;
    if (kimi_models_list(client, &list) != KIMI_OK) return cli_fail(cli);
    for (i = 0; i < kimi_model_list_count(list); i++) {
        int64_t window = kimi_model_list_context_length(list, i);
        printf("%s\t", kimi_model_list_id(list, i));
        if (window > 0) printf("%lld", (long long)window);
        else fputc('-', stdout);
        printf("%s%s%s\n", kimi_model_list_supports_image_in(list, i) ? "\timage" : "",
               kimi_model_list_supports_video_in(list, i) ? "\tvideo" : "",
               kimi_model_list_supports_reasoning(list, i) ? "\treasoning" : "");
    }
    kimi_model_list_free(list);
    return 0;
}

int cmd_balance(struct cli *cli, int argc, char **argv) {
    kimi_client *client;
    double available, voucher, cash;
    if (!no_operands(cli, argc, argv, balance_usage)) return EXIT_USAGE;
    if (!(client = cli_client(cli))) return cli->status;
    if (kimi_balance_get(client, &available, &voucher, &cash) != KIMI_OK) return cli_fail(cli);
    printf("available %.2f\nvoucher %.2f\ncash %.2f\n", available, voucher, cash);
    return 0;
}

int cmd_estimate(struct cli *cli, int argc, char **argv) {
    static const struct option options[] = {{"system", required_argument, NULL, 's'}, CLI_MODEL_OPTION,
                                            CLI_COMMON_OPTIONS};
    const char *system = NULL;
    kimi_client *client;
    kimi_chat_request *req;
    char *prompt;
    int64_t tokens = 0;
    int c, rc = 0;
    while ((c = cli_getopt(cli, argc, argv, "s:m:vh", options, estimate_usage)) != -1) {
        if (c == 's') system = optarg;
        else return EXIT_USAGE;
    }
    if (!(prompt = cli_prompt(cli, argc, argv))) return EXIT_FAILED;
    if (!(client = cli_client(cli))) {
        free(prompt);
        return cli->status;
    }
    req = kimi_chat_request_new(cli->model);
    if (!req || (system && kimi_chat_request_add_message(req, "system", system) != KIMI_OK) ||
        kimi_chat_request_add_message(req, "user", prompt) != KIMI_OK ||
        kimi_chat_estimate_tokens(client, req, &tokens) != KIMI_OK)
        rc = cli_fail(cli);
    else
        printf("%lld\n", (long long)tokens);
    kimi_chat_request_free(req);
    free(prompt);
    return rc;
}
