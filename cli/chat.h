/* kimi chat's parts: the settings and history of a chat (chat.c) and the
 * interactive session around them (session.c). */
#ifndef KIMI_CLI_CHAT_H
#define KIMI_CLI_CHAT_H

#include "logdb.h"

enum { MAX_MEDIA = 16 };
enum { THINKING_DEFAULT, THINKING_ON, THINKING_OFF, THINKING_KEEP };

/* A turn of the history: a prompt and the answer Kimi gave. */
struct turn {
    char *prompt, *reasoning, *answer;
    struct attachment *media;
    size_t media_count;
    int owns_media;
};

struct chat {
    struct cli *cli;
    /* What every request carries. */
    char *system;
    int thinking; /* THINKING_* */
    int64_t max_tokens;
    double temperature, top_p;
    int has_temperature, has_top_p, json_mode;
    char *schema; /* the JSON Schema's text */
    const char *template_name;
    /* Attachments for the first turn. */
    struct attachment media[2 * MAX_MEDIA];
    size_t media_count;
    /* How it runs. */
    const char *output;
    int interactive, show_reasoning, show_content;
    logdb *db; /* NULL: not logged */
    /* The conversation. */
    char cid[64];
    struct turn *turns;
    size_t turn_count;
    /* While printing a stream. */
    struct text_out text;
    int dimmed, printed_any, last_was_newline;
};

/* Sends `prompt` (with `media`) after the history, prints the answer, logs
 * the exchange and adds it to the history when it completed. Returns the
 * exit status: 0, an honest ending (3, 4, 18, 23), 130 or a failure. */
int chat_turn(struct chat *chat, const char *prompt, const struct attachment *media, size_t media_count);
/* Forgets the history and starts a new conversation id. */
void chat_clear(struct chat *chat);
/* Saves the chat's settings as template `name`; 0 or the exit status. */
int chat_save_template(struct chat *chat, const char *name);
/* The interactive session (-i); `first` may be NULL. */
int chat_session(struct chat *chat, const char *first);

#endif
