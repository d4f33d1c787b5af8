/* kimi logs: the exchanges logged in logs.db, listed, shown and searched. */
#define _POSIX_C_SOURCE 200809L
#include "logdb.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: kimi logs [list] [-n N] [--cid ID] [--json]\n"
    "       kimi logs show [CID] [--json]\n"
    "       kimi logs search QUERY [-n N] [--json]\n"
    "       kimi logs path\n"
    "\n"
    "list: the last N exchanges (default 10), oldest first: id, time, conversation,\n"
    "model, outcome, prompt; --cid lists one conversation. show: a conversation's\n"
    "prompts and answers (default the latest one). search: an SQLite FTS5 query over\n"
    "prompts, system prompts, reasoning and answers, best first. --json prints an\n"
    "object per exchange, one per line, with every logged field.\n";

enum { OPT_CID = OPT_FIRST_COMMAND_OPTION };

const struct option logs_options[] = {{"limit", required_argument, NULL, 'n'}, {"cid", required_argument, NULL, OPT_CID},
                                      CLI_JSON_OPTION, CLI_COMMON_OPTIONS};

struct printing {
    struct cli *cli;
    int json, shown;
};

static void json_count(const char *name, int64_t value) {
    if (value < 0) printf(", \"%s\": null", name);
    else printf(", \"%s\": %lld", name, (long long)value);
}

static void json_real(const char *name, double value) {
    if (value < 0) printf(", \"%s\": null", name);
    else printf(", \"%s\": %.17g", name, value);
}

static void json_text(const struct cli *cli, const char *name, const char *text) {
    if (text) cli_json_field(cli, stdout, name, text, 0);
    else printf(", \"%s\": null", name);
}

static void print_json(const struct cli *cli, const struct exchange *x, const char *snippet) {
    size_t i;
    printf("{\"id\": %lld", (long long)x->id);
    json_text(cli, "conversation_id", x->conversation_id);
    json_text(cli, "started_at", x->started_at);
    json_text(cli, "model", x->model);
    json_text(cli, "response_model", x->response_model);
    json_text(cli, "base_url", x->base_url);
    json_text(cli, "system", x->system);
    json_text(cli, "prompt", x->prompt);
    json_text(cli, "reasoning", x->reasoning);
    json_text(cli, "answer", x->answer);
    /* The options are kimi's own JSON object. */
    printf(", \"options\": %s", x->options && x->options[0] == '{' ? x->options : "{}");
    json_text(cli, "finish_reason", x->finish_reason);
    json_text(cli, "outcome", x->outcome);
    json_text(cli, "error", x->error);
    printf(", \"exit_status\": %d", x->exit_status);
    json_count("prompt_tokens", x->prompt_tokens);
    json_count("cached_tokens", x->cached_tokens);
    json_count("completion_tokens", x->completion_tokens);
    json_real("cost_usd", x->cost_usd);
    json_text(cli, "request_id", x->request_id);
    json_text(cli, "completion_id", x->completion_id);
    json_real("elapsed_ms", x->elapsed_ms);
    json_real("first_token_ms", x->first_token_ms);
    fputs(", \"attachments\": [", stdout);
    for (i = 0; i < x->attachment_count; i++) {
        const struct attachment *a = &x->attachments[i];
        printf("%s{\"kind\": \"%s\"", i ? ", " : "", a->video ? "video" : "image");
        json_text(cli, "name", a->name);
        json_text(cli, "path", a->path);
        json_text(cli, "sha256", a->sha256);
        printf(", \"bytes\": %lld}", (long long)a->bytes);
    }
    fputc(']', stdout);
    if (snippet) json_text(cli, "snippet", snippet);
    fputs("}\n", stdout);
}

/* The first line of `text`, at most `max` bytes, cut between characters. */
static void put_first_line(const struct cli *cli, const char *text, size_t max) {
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t len = strlen((const char *)s), end = 0;
    char *copy;
    while (end < len && s[end] != '\n') {
        uint32_t cp;
        int n = utf8_decode(s + end, len - end, &cp);
        if (n <= 0) n = 1;
        if (end + (size_t)n > max) break;
        end += (size_t)n;
    }
    if (!(copy = malloc(end + 4))) return;
    memcpy(copy, s, end);
    strcpy(copy + end, end < len ? "..." : "");
    cli_put_field(cli, stdout, copy);
    free(copy);
}

static int print_line(const struct exchange *x, const char *snippet, void *user_data) {
    struct printing *p = user_data;
    char when[20];
    if (p->json) {
        print_json(p->cli, x, snippet);
        return 0;
    }
    /* "2026-01-02T10:11:12.345Z" as "2026-01-02 10:11:12". */
    snprintf(when, sizeof when, "%s", x->started_at ? x->started_at : "");
    if (strlen(when) > 10) when[10] = ' ';
    printf("%lld\t%s\t", (long long)x->id, when);
    cli_put_field(p->cli, stdout, x->conversation_id);
    fputc('\t', stdout);
    cli_put_field(p->cli, stdout, x->model);
    fputc('\t', stdout);
    cli_put_field(p->cli, stdout, x->outcome);
    fputc('\t', stdout);
    put_first_line(p->cli, snippet ? snippet : x->prompt, 80);
    fputc('\n', stdout);
    return 0;
}

/* A block of logged text: made visible on a terminal, as it was into a pipe. */
static void put_text(const struct cli *cli, const char *text) {
    struct text_out out;
    size_t len = strlen(text);
    text_init(&out, stdout, cli_text_mode(cli, stdout));
    text_write(&out, text, len);
    text_end(&out);
    if (len && text[len - 1] != '\n') fputc('\n', stdout);
}

static int print_exchange(const struct exchange *x, const char *snippet, void *user_data) {
    struct printing *p = user_data;
    const struct cli *cli = p->cli;
    size_t i;
    if (p->shown++ && !p->json) fputc('\n', stdout);
    if (p->json) {
        print_json(cli, x, snippet);
        return 0;
    }
    printf("## %lld, %s, ", (long long)x->id, x->started_at ? x->started_at : "");
    cli_put_field(cli, stdout, x->model);
    fputs(", ", stdout);
    cli_put_field(cli, stdout, x->outcome);
    if (x->prompt_tokens >= 0)
        printf(", %lld+%lld tokens, $%.6f", (long long)x->prompt_tokens, (long long)x->completion_tokens,
               x->cost_usd < 0 ? 0 : x->cost_usd);
    fputc('\n', stdout);
    if (x->system && p->shown == 1) {
        fputs("system: ", stdout);
        cli_put_field(cli, stdout, x->system);
        fputc('\n', stdout);
    }
    for (i = 0; i < x->attachment_count; i++) {
        printf("%s: ", x->attachments[i].video ? "video" : "image");
        cli_put_field(cli, stdout, x->attachments[i].name);
        printf(" (%lld bytes, sha256 %s)\n", (long long)x->attachments[i].bytes, x->attachments[i].sha256);
    }
    fputs("> ", stdout);
    put_text(cli, x->prompt ? x->prompt : "");
    if (x->reasoning && *x->reasoning) {
        if (cli->stdout_tty) fputs("\033[2m", stdout);
        put_text(cli, x->reasoning);
        if (cli->stdout_tty) fputs("\033[0m", stdout);
    }
    if (x->answer && *x->answer) put_text(cli, x->answer);
    if (x->error) {
        fputs("(", stdout);
        cli_put_field(cli, stdout, x->error);
        fputs(")\n", stdout);
    }
    return 0;
}

int cmd_logs(struct cli *cli, int argc, char **argv) {
    struct printing p;
    const char *action = "list", *cid = NULL;
    char last[64];
    logdb *db = NULL;
    int c, limit = 10, status;
    memset(&p, 0, sizeof p);
    p.cli = cli;
    while ((c = cli_getopt(cli, argc, argv, "n:vh", logs_options, usage, &p.json)) != -1) {
        char *end;
        if (c == 'n') {
            limit = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || limit < 1 || limit > 1000000)
                return cli_usage_error(cli, usage, "-n: \"%s\" is not a number from 1 up", optarg);
        } else if (c == OPT_CID) {
            cid = optarg;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind < argc) action = argv[optind++];
    if (strcmp(action, "path") == 0) {
        char *path = logdb_path(cli);
        if (!path) return EXIT_USAGE;
        printf("%s\n", path);
        free(path);
        return 0;
    }
    if (strcmp(action, "list") && strcmp(action, "show") && strcmp(action, "search"))
        return cli_usage_error(cli, usage, "unknown action \"%s\"", action);
    if (strcmp(action, "search") == 0 && optind >= argc) return cli_usage_error(cli, usage, "search needs a query");
    if (argc - optind > (strcmp(action, "list") ? 1 : 0))
        return cli_usage_error(cli, usage, "unexpected \"%s\"", argv[argc - 1]);
    if ((status = logdb_open(cli, 0, &db)) != 0) return status;
    if (!db) {
        if (strcmp(action, "show") == 0) return cli_error(cli, EXIT_USAGE, "nothing is logged yet");
        return 0;
    }
    if (strcmp(action, "search") == 0) {
        status = logdb_each(cli, db, LOGS_SEARCH, argv[optind], limit, print_line, &p);
    } else if (strcmp(action, "list") == 0) {
        status = cid ? logdb_each(cli, db, LOGS_CONVERSATION, cid, -1, print_line, &p)
                     : logdb_each(cli, db, LOGS_RECENT, NULL, limit, print_line, &p);
    } else {
        if (optind < argc) cid = argv[optind];
        if (!cid && (status = logdb_last_conversation(cli, db, last)) != 0) {
            logdb_close(db);
            return status;
        }
        if (!cid) cid = last;
        status = logdb_each(cli, db, LOGS_CONVERSATION, cid, -1, print_exchange, &p);
        if (!status && !p.shown) status = cli_error(cli, EXIT_USAGE, "no conversation %s in the log", cid);
    }
    logdb_close(db);
    return status;
}
