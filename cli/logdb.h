/* The log of exchanges: $XDG_DATA_HOME/kimi/logs.db, an SQLite database
 * (WAL, so several kimi processes can log at once; FTS5 for search). The
 * API key is never written to it. */
#ifndef KIMI_CLI_LOGDB_H
#define KIMI_CLI_LOGDB_H

#include "cli.h"

/* Something attached to a prompt. */
struct attachment {
    int video;      /* 0: an image */
    char *name;     /* as given: a path, "-" for standard input, or ms://FILE_ID */
    char *path;     /* the absolute path of a file, else NULL */
    char *data;     /* the bytes read from standard input, else NULL */
    size_t len;     /* of data */
    char sha256[65]; /* "" for ms:// */
    int64_t bytes;
};

/* One prompt and its answer, as logged. When read back, strings point into
 * the database's row and are valid during the callback only. */
struct exchange {
    int64_t id;
    const char *conversation_id;
    const char *started_at; /* ISO 8601, UTC */
    const char *model;      /* asked for */
    const char *response_model;
    const char *base_url;
    const char *system, *prompt, *reasoning, *answer;
    const char *options; /* JSON: thinking, max_tokens, temperature, top_p, json_mode, schema */
    const char *finish_reason;
    const char *outcome; /* complete, length, content_filter, cut, interrupted, failed */
    const char *error;
    int exit_status;
    int64_t prompt_tokens, cached_tokens, completion_tokens; /* -1: unknown */
    double cost_usd, elapsed_ms, first_token_ms;             /* -1: unknown */
    const char *request_id, *completion_id;
    const struct attachment *attachments;
    size_t attachment_count;
};

typedef struct logdb logdb;

/* The database's path (caller frees); NULL after printing why. */
char *logdb_path(struct cli *cli);
/* Opens the log. With `create` the file and its schema are made or
 * migrated; without, a missing file gives 0 and *out NULL. 0, or EXIT_LOG
 * after printing why. */
int logdb_open(struct cli *cli, int create, logdb **out);
void logdb_close(logdb *db);
/* Appends an exchange (and its conversation when new). 0 or EXIT_LOG. */
int logdb_insert(struct cli *cli, logdb *db, const struct exchange *x);

enum { LOGS_RECENT, LOGS_CONVERSATION, LOGS_SEARCH };
typedef int (*exchange_fn)(const struct exchange *x, const char *snippet, void *user_data);
/* Calls `fn` for the last `limit` exchanges (LOGS_RECENT), every exchange
 * of conversation `arg` (LOGS_CONVERSATION), both oldest first, or the
 * `limit` best matches of the FTS5 query `arg` (LOGS_SEARCH). A non-zero
 * return of `fn` stops and is returned. 0, EXIT_USAGE for a bad search, or
 * EXIT_LOG. */
int logdb_each(struct cli *cli, logdb *db, int query, const char *arg, int limit, exchange_fn fn, void *user_data);
/* The conversation of the latest exchange into `cid` (64 bytes): 0, or
 * EXIT_USAGE when there is none, or EXIT_LOG. */
int logdb_last_conversation(struct cli *cli, logdb *db, char cid[64]);
/* 1 when conversation `cid` exists, 0 when not, -1 after printing an error. */
int logdb_has_conversation(struct cli *cli, logdb *db, const char *cid);
/* A new conversation id: 16 random hex digits. */
void logdb_new_id(char cid[64]);

#endif
