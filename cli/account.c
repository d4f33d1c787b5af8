/* kimi models, kimi balance, kimi estimate: the account's own endpoints. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char models_usage[] =
    "usage: kimi models [list] [--json]\n"
    "       kimi models show ID [--json]\n\n"
    "One line per model: id, context window in tokens, and image, video, reasoning support\n"
    "(--json: one JSON object per line). show: the one model ID, asked of the server.\n";
static const char balance_usage[] =
    "usage: kimi balance [--json]\n\n"
    "The available, voucher and cash balance (USD on api.moonshot.ai, CNY on .cn).\n";
static const char estimate_usage[] =
    "usage: kimi estimate [-m MODEL] [-s SYSTEM] [--json] [PROMPT...]\n\n"
    "The number of tokens the prompt (the arguments, standard input, or both, as for chat) takes.\n";

const struct option models_options[] = {CLI_JSON_OPTION, CLI_COMMON_OPTIONS};
const struct option balance_options[] = {CLI_JSON_OPTION, CLI_COMMON_OPTIONS};
const struct option estimate_options[] = {{"system", required_argument, NULL, 's'}, CLI_MODEL_OPTION, CLI_JSON_OPTION,
                                          CLI_COMMON_OPTIONS};

/* Commands without operands or options of their own but --json. */
static int no_operands(struct cli *cli, int argc, char **argv, const struct option *options, const char *usage,
                       int *json) {
    if (cli_getopt(cli, argc, argv, "vh", options, usage, json) != -1) return 0;
    if (optind < argc) return cli_usage_error(cli, usage, "unexpected \"%s\"", argv[optind]), 0;
    return 1;
}

/* One model's line (or JSON object) of kimi models. */
static void print_model(struct cli *cli, const kimi_model *model, int json) {
    int64_t window = kimi_model_context_length(model);
    int image = kimi_model_supports_image_in(model), video = kimi_model_supports_video_in(model),
        reasoning = kimi_model_supports_reasoning(model);
    if (json) {
        fputc('{', stdout);
        cli_json_field(cli, stdout, "id", kimi_model_id(model), 1);
        if (window > 0) printf(", \"context_length\": %lld", (long long)window);
        else fputs(", \"context_length\": null", stdout);
        printf(", \"image\": %s, \"video\": %s, \"reasoning\": %s}\n", image ? "true" : "false",
               video ? "true" : "false", reasoning ? "true" : "false");
        return;
    }
    cli_put_field(cli, stdout, kimi_model_id(model));
    fputc('\t', stdout);
    if (window > 0) printf("%lld", (long long)window);
    else fputc('-', stdout);
    printf("%s%s%s\n", image ? "\timage" : "", video ? "\tvideo" : "", reasoning ? "\treasoning" : "");
}

int cmd_models(struct cli *cli, int argc, char **argv) {
    kimi_client *client;
    kimi_model_list *list = NULL;
    kimi_model *model = NULL;
    const char *action = "list";
    size_t i;
    int json = 0;
    if (cli_getopt(cli, argc, argv, "vh", models_options, models_usage, &json) != -1) return EXIT_USAGE;
    if (optind < argc) action = argv[optind++];
    if (strcmp(action, "list") && strcmp(action, "show"))
        return cli_usage_error(cli, models_usage, "unknown action \"%s\"", action);
    if (strcmp(action, "show") == 0 && optind >= argc) return cli_usage_error(cli, models_usage, "show needs a model id");
    if (argc - optind > (strcmp(action, "show") ? 0 : 1))
        return cli_usage_error(cli, models_usage, "unexpected \"%s\"", argv[argc - 1]);
    if (!(client = cli_client(cli))) return cli->status;
    cli->fixed_path = 1;
    if (strcmp(action, "show") == 0) {
        if (kimi_model_retrieve(client, argv[optind], &model) != KIMI_OK) return cli_fail(cli);
        print_model(cli, model, json);
        kimi_model_free(model);
        return 0;
    }
    if (kimi_models_list(client, &list) != KIMI_OK) return cli_fail(cli);
    for (i = 0; i < kimi_model_list_count(list); i++) print_model(cli, kimi_model_list_get(list, i), json);
    kimi_model_list_free(list);
    return 0;
}

int cmd_balance(struct cli *cli, int argc, char **argv) {
    kimi_client *client;
    double available, voucher, cash;
    int json = 0;
    if (!no_operands(cli, argc, argv, balance_options, balance_usage, &json)) return EXIT_USAGE;
    if (!(client = cli_client(cli))) return cli->status;
    cli->fixed_path = 1;
    if (kimi_balance_get(client, &available, &voucher, &cash) != KIMI_OK) return cli_fail(cli);
    if (json) printf("{\"available\": %.17g, \"voucher\": %.17g, \"cash\": %.17g}\n", available, voucher, cash);
    else printf("available %.2f\nvoucher %.2f\ncash %.2f\n", available, voucher, cash);
    return 0;
}

int cmd_estimate(struct cli *cli, int argc, char **argv) {
    const char *system = NULL;
    kimi_client *client;
    kimi_chat_request *req;
    char *prompt;
    int64_t tokens = 0;
    int c, rc = 0, json = 0;
    while ((c = cli_getopt(cli, argc, argv, "s:m:vh", estimate_options, estimate_usage, &json)) != -1) {
        if (c == 's') system = optarg;
        else return EXIT_USAGE;
    }
    if (!(prompt = cli_prompt(cli, argc, argv, 1, &rc))) return rc;
    if (!(client = cli_client(cli))) {
        free(prompt);
        return cli->status;
    }
    cli->fixed_path = 1;
    req = kimi_chat_request_new(cli_get(cli, SET_MODEL));
    if (!req || (system && kimi_chat_request_add_message(req, "system", system) != KIMI_OK) ||
        kimi_chat_request_add_message(req, "user", prompt) != KIMI_OK ||
        kimi_chat_estimate_tokens(client, req, &tokens) != KIMI_OK)
        rc = cli_fail(cli);
    else if (json)
        printf("{\"tokens\": %lld}\n", (long long)tokens);
    else
        printf("%lld\n", (long long)tokens);
    kimi_chat_request_free(req);
    free(prompt);
    return rc;
}
