/* Outside text (the model's answer, server fields, logged text) on its way
 * to a terminal: text_write is the one function that makes control
 * sequences visible instead of letting the terminal run them. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int utf8_decode(const unsigned char *s, size_t len, uint32_t *cp) {
    unsigned char c = s[0];
    int need, i;
    uint32_t value;
    unsigned char low = 0x80, high = 0xBF; /* the second byte's range */
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) need = 1, value = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) need = 2, value = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) need = 3, value = c & 0x07;
    else return -1;
    /* No overlong forms, no surrogates, nothing past U+10FFFF. */
    if (c == 0xE0) low = 0xA0;
    else if (c == 0xED) high = 0x9F;
    else if (c == 0xF0) low = 0x90;
    else if (c == 0xF4) high = 0x8F;
    for (i = 1; i <= need; i++) {
        if ((size_t)i >= len) return 0;
        if (s[i] < (i == 1 ? low : 0x80) || s[i] > (i == 1 ? high : 0xBF)) return -1;
        value = (value << 6) | (s[i] & 0x3F);
    }
    *cp = value;
    return need + 1;
}

void text_init(struct text_out *text, FILE *out, int mode) {
    text->out = out;
    text->mode = mode;
    text->held_len = 0;
}

/* One character (or one invalid byte, cp == UINT32_MAX) of `n` bytes at `s`. */
static void put_char(struct text_out *text, const unsigned char *s, int n, uint32_t cp) {
    FILE *out = text->out;
    if (cp == UINT32_MAX) fprintf(out, "\\x%02x", s[0]);
    else if (cp < 0x20 && !(text->mode == TEXT_TERMINAL && (cp == '\n' || cp == '\t'))) {
        fputc('^', out);
        fputc((int)cp + '@', out);
    } else if (cp == 0x7F) fputs("^?", out);
    else if (cp >= 0x80 && cp <= 0x9F) fprintf(out, "\\u%04x", (unsigned)cp);
    else fwrite(s, 1, (size_t)n, out);
}

void text_write(struct text_out *text, const char *bytes, size_t len) {
    const unsigned char *s = (const unsigned char *)bytes;
    size_t i = 0, run;
    if (text->mode == TEXT_RAW) {
        fwrite(bytes, 1, len, text->out);
        return;
    }
    /* A character the last write began: complete it from these bytes. */
    while (text->held_len && i < len) {
        uint32_t cp;
        int n;
        text->held[text->held_len++] = s[i++];
        n = utf8_decode(text->held, text->held_len, &cp);
        if (n > 0) {
            put_char(text, text->held, n, cp);
            text->held_len = 0;
        } else if (n < 0) {
            /* Not a character after all: show its first byte, look again at the rest. */
            unsigned char rest[4];
            size_t k = text->held_len - 1;
            put_char(text, text->held, 1, UINT32_MAX);
            memcpy(rest, text->held + 1, k);
            text->held_len = 0;
            text_write(text, (const char *)rest, k);
        }
    }
    while (i < len) {
        uint32_t cp;
        int n;
        /* Printable ASCII goes out in runs. */
        for (run = i; run < len && s[run] >= 0x20 && s[run] < 0x7F; run++) continue;
        if (run > i) {
            fwrite(s + i, 1, run - i, text->out);
            i = run;
            continue;
        }
        n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) { /* the rest comes with the next write */
            memcpy(text->held, s + i, len - i);
            text->held_len = len - i;
            return;
        }
        if (n < 0) n = 1, cp = UINT32_MAX;
        put_char(text, s + i, n, cp);
        i += (size_t)n;
    }
}

void text_end(struct text_out *text) {
    size_t i;
    for (i = 0; i < text->held_len; i++) put_char(text, text->held + i, 1, UINT32_MAX);
    text->held_len = 0;
}

int cli_text_mode(const struct cli *cli, FILE *out) {
    int tty = out == stdout ? cli->stdout_tty : out == stderr ? cli->stderr_tty : isatty(fileno(out));
    return tty && !cli->raw ? TEXT_TERMINAL : TEXT_RAW;
}

/* --- the key ------------------------------------------------------------- */

enum { KEY_PIECE = 8 };

/* The 8-byte pieces of the key in a small hash set: any 8 bytes of a text
 * are looked up at once, so redacting a 64 MB answer stays linear. */
struct pieces {
    uint64_t *slots; /* 0: empty (a piece of printable text is never 0) */
    size_t mask;
};

static size_t slot_of(const struct pieces *p, uint64_t v) {
    return (size_t)((v * 0x9E3779B97F4A7C15u) >> 20) & p->mask;
}

static int pieces_init(struct pieces *p, const char *key, size_t k) {
    size_t i, size = 16;
    uint64_t v = 0;
    while (size < 2 * k) size *= 2;
    if (!(p->slots = calloc(size, sizeof *p->slots))) return -1;
    p->mask = size - 1;
    for (i = 0; i < k; i++) {
        v = v << 8 | (unsigned char)key[i];
        if (i + 1 >= KEY_PIECE && v) {
            size_t s = slot_of(p, v);
            while (p->slots[s] && p->slots[s] != v) s = (s + 1) & p->mask;
            p->slots[s] = v;
        }
    }
    return 0;
}

static int pieces_has(const struct pieces *p, uint64_t v) {
    size_t s = slot_of(p, v);
    while (p->slots[s]) {
        if (p->slots[s] == v) return 1;
        s = (s + 1) & p->mask;
    }
    return 0;
}

char *cli_redact(const struct cli *cli, const char *text) {
    static const char mark[] = "[redacted]";
    const char *key = cli->api_key, *found;
    size_t n = strlen(text), k = key ? strlen(key) : 0, i, out = 0, size = 0;
    unsigned char *hidden = NULL;
    char *copy;
    if (!k) return strdup(text);
    /* Mark every byte inside a piece of 8 or more bytes that is also in the key
       (every 8-byte window of such a piece is one of the key's). */
    if (k < KEY_PIECE) {
        for (found = strstr(text, key); found; found = strstr(found + 1, key)) {
            if (!hidden && !(hidden = calloc(n, 1))) return NULL;
            memset(hidden + (found - text), 1, k);
        }
    } else {
        struct pieces p;
        uint64_t v = 0;
        if (pieces_init(&p, key, k) != 0) return NULL;
        for (i = 0; i < n; i++) {
            v = v << 8 | (unsigned char)text[i];
            if (i + 1 < KEY_PIECE || !pieces_has(&p, v)) continue;
            if (!hidden && !(hidden = calloc(n, 1))) break;
            memset(hidden + i + 1 - KEY_PIECE, 1, KEY_PIECE);
        }
        free(p.slots);
        if (!hidden && i < n) return NULL;
    }
    if (!hidden) return strdup(text);
    for (i = 0; i < n; i++) size += !hidden[i] ? 1 : i == 0 || !hidden[i - 1] ? sizeof mark - 1 : 0;
    if ((copy = malloc(size + 1))) {
        for (i = 0; i < n; i++) {
            if (!hidden[i]) copy[out++] = text[i];
            else if (i == 0 || !hidden[i - 1]) memcpy(copy + out, mark, sizeof mark - 1), out += sizeof mark - 1;
        }
        copy[out] = 0;
    }
    free(hidden);
    return copy;
}

void cli_put_field(const struct cli *cli, FILE *out, const char *text) {
    struct text_out line;
    char *clean = cli_redact(cli, text ? text : "");
    text_init(&line, out, TEXT_LINE);
    text_write(&line, clean ? clean : "[out of memory]", strlen(clean ? clean : "[out of memory]"));
    text_end(&line);
    free(clean);
}

void cli_put_json(const struct cli *cli, const char *json, size_t len) {
    struct text_out text;
    size_t i, start = 0;
    char *clean = cli_redact(cli, json);
    if (clean) json = clean, len = strlen(clean);
    text_init(&text, stdout, cli_text_mode(cli, stdout));
    /* In JSON a raw line break can only be whitespace between tokens. */
    for (i = 0; i <= len; i++) {
        if (i < len && json[i] != '\n' && json[i] != '\r') continue;
        text_write(&text, json + start, i - start);
        if (i < len) text_write(&text, " ", 1);
        start = i + 1;
    }
    text_end(&text);
    free(clean);
}

/* --- JSON ---------------------------------------------------------------- */

void cli_json_string(FILE *out, const char *text) {
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t len = strlen((const char *)p), i = 0;
    fputc('"', out);
    while (i < len) {
        uint32_t cp;
        int n = utf8_decode(p + i, len - i, &cp);
        if (n <= 0) {
            fputs("\\ufffd", out);
            i++;
            continue;
        }
        if (cp == '"' || cp == '\\') fprintf(out, "\\%c", (int)cp);
        else if (cp == '\n') fputs("\\n", out);
        else if (cp == '\t') fputs("\\t", out);
        else if (cp == '\r') fputs("\\r", out);
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) fprintf(out, "\\u%04x", (unsigned)cp);
        else fwrite(p + i, 1, (size_t)n, out);
        i += (size_t)n;
    }
    fputc('"', out);
}

void cli_json_field(const struct cli *cli, FILE *out, const char *name, const char *text, int first) {
    char *clean = cli_redact(cli, text ? text : "");
    fprintf(out, "%s\"%s\": ", first ? "" : ", ", name);
    cli_json_string(out, clean ? clean : "");
    free(clean);
}
