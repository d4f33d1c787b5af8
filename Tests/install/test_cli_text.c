/* kimi's one escaping function (cli/text.c) on its own: every control
 * sequence is shown, never passed; a text cut anywhere into deltas is shown
 * exactly as the whole text; raw mode passes every byte. Run by
 * Tests/install/test_kimi_terminal.py. Prints "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include "../../cli/cli.h"

#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what) {
    if (ok) passed++;
    else failed++, fprintf(stderr, "FAIL: %s\n", what);
}

/* `text` written in `mode`, cut into pieces of `step` bytes (0: whole). */
static char *render(const char *text, size_t len, int mode, size_t step) {
    char *out = NULL;
    size_t size = 0, i;
    FILE *f = open_memstream(&out, &size);
    struct text_out t;
    text_init(&t, f, mode);
    if (!step) step = len ? len : 1;
    for (i = 0; i < len; i += step) text_write(&t, text + i, i + step > len ? len - i : step);
    text_end(&t);
    fclose(f);
    return out;
}

/* No byte a terminal would act on: C0 but tab and newline, DEL, C1 as
 * bytes, C1 as UTF-8 (C2 80..9F). */
static int harmless(const char *s, int keep_newlines) {
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        if (*p < 0x20 && !(keep_newlines && (*p == '\n' || *p == '\t'))) return 0;
        if (*p == 0x7F) return 0;
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) return 0;
    }
    /* Every byte of 0x80..0x9F must belong to a valid UTF-8 character. */
    for (p = (const unsigned char *)s; *p;) {
        uint32_t cp;
        int n = utf8_decode(p, strlen((const char *)p), &cp);
        if (n <= 0) return 0;
        p += n;
    }
    return 1;
}

int main(void) {
    static const char hostile[] =
        "ok \x1b]0;title\x07 \x1b]52;c;cHduZWQ=\x07 \x1b[2J\x1b[H \xc2\x9b" "31m \xc2\x9d" "0;t\xc2\x9c "
        "raw \x9b" "2J \x9d \x08\x7f\r\n\ttab caf\xc3\xa9 \xe4\xb8\x96 \xf0\x9f\x8c\x8d bad \xc3 \xe0\x80\x80 \xed\xa0\x80 end";
    size_t len = sizeof hostile - 1, step;
    char *whole = render(hostile, len, TEXT_TERMINAL, 0), *line = render(hostile, len, TEXT_LINE, 0), *raw;

    check(harmless(whole, 1), "terminal mode leaves nothing a terminal acts on");
    check(harmless(line, 0), "line mode leaves nothing a terminal acts on, newlines included");
    check(strstr(whole, "^[]0;title^G") != NULL, "OSC 0 shown as ^[]0;title^G");
    check(strstr(whole, "^[]52;c;cHduZWQ=^G") != NULL, "OSC 52 shown");
    check(strstr(whole, "^[[2J^[[H") != NULL, "a screen clear shown");
    check(strstr(whole, "\\u009b31m") != NULL, "C1 CSI as UTF-8 shown as \\u009b");
    check(strstr(whole, "\\x9b2J") != NULL, "C1 CSI as a raw byte shown as \\x9b");
    check(strstr(whole, "^H^?^M\n\ttab") != NULL, "BS, DEL, CR shown; newline and tab kept");
    check(strstr(line, "^M^J^Itab") != NULL, "line mode shows newline and tab");
    check(strstr(whole, "caf\xc3\xa9 \xe4\xb8\x96 \xf0\x9f\x8c\x8d") != NULL, "UTF-8 text passes as it is");
    check(strstr(whole, "bad \\xc3 \\xe0\\x80\\x80 \\xed\\xa0\\x80 end") != NULL, "bytes that are not UTF-8 shown");

    /* Cut into deltas of every size, the text shows the same. */
    for (step = 1; step <= 9; step++) {
        char *pieces = render(hostile, len, TEXT_TERMINAL, step), what[80];
        snprintf(what, sizeof what, "deltas of %zu bytes show as the whole text", step);
        check(strcmp(pieces, whole) == 0, what);
        free(pieces);
    }
    /* A C1 control split between two deltas is still caught. */
    {
        char *split = render("a\xc2\x9b" "b", 4, TEXT_TERMINAL, 2);
        check(strcmp(split, "a\\u009bb") == 0, "C2 | 9B across deltas is \\u009b");
        free(split);
        split = render("\xc3", 1, TEXT_TERMINAL, 0);
        check(strcmp(split, "\\xc3") == 0, "a character cut at the end is shown as bytes");
        free(split);
    }
    /* Random bytes (a fixed seed), cut at random places: the same text, and harmless. */
    {
        unsigned long seed = 12345;
        int round, ok_same = 1, ok_harmless = 1;
        for (round = 0; round < 2000; round++) {
            char bytes[64], *one, *cut, *out = NULL;
            size_t n = 1 + round % 63, i, size = 0;
            FILE *f;
            struct text_out t;
            for (i = 0; i < n; i++) {
                seed = seed * 1103515245 + 12345;
                /* Mostly the interesting bytes: controls, C1, UTF-8 lead and continuation bytes. */
                bytes[i] = (char)("\x1b\x07\x9b\xc2\x80\x9f\xe0\xed\xf0\xf4\xa0\xbf\x7f\r\na["[(seed >> 16) % 17]);
                if ((seed >> 24) % 4 == 0) bytes[i] = (char)(seed >> 8);
            }
            one = render(bytes, n, TEXT_TERMINAL, 0);
            f = open_memstream(&out, &size);
            text_init(&t, f, TEXT_TERMINAL);
            for (i = 0; i < n;) {
                size_t take;
                seed = seed * 1103515245 + 12345;
                take = 1 + (seed >> 16) % 5;
                if (take > n - i) take = n - i;
                text_write(&t, bytes + i, take);
                i += take;
            }
            text_end(&t);
            fclose(f);
            cut = out;
            ok_same &= strcmp(one, cut) == 0;
            ok_harmless &= harmless(one, 1);
            free(one);
            free(cut);
        }
        check(ok_same, "random bytes cut at random places show as the whole");
        check(ok_harmless, "random bytes are shown harmless");
    }
    /* The key: every piece of 8 or more of its characters goes, shorter ones stay. */
    {
        struct cli cli;
        struct {
            const char *key, *text, *want;
        } cases[] = {
            {"sk-0123456789abcdef", "id sk-0123456789abcdef end", "id [redacted] end"},
            {"sk-0123456789abcdef", "a 0123456 b 6789abcd c", "a 0123456 b [redacted] c"},
            {"sk-0123456789abcdef", "sk-0123456789abcdefsk-01234567", "[redacted]"},
            {"sk-0123456789abcdef", "x" "sk-0123" "y" "456789ab" "z", "xsk-0123y[redacted]z"},
            {"short", "a short one, shorter", "a [redacted] one, [redacted]er"},
            {"sk-0123456789abcdef", "nothing here", "nothing here"},
            {NULL, "sk-0123456789abcdef", "sk-0123456789abcdef"},
        };
        size_t i;
        memset(&cli, 0, sizeof cli);
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char *got, what[160];
            cli.api_key = (char *)cases[i].key;
            got = cli_redact(&cli, cases[i].text);
            snprintf(what, sizeof what, "redacting \"%s\" gives \"%s\" (got \"%s\")", cases[i].text, cases[i].want,
                     got ? got : "NULL");
            check(got && strcmp(got, cases[i].want) == 0, what);
            free(got);
        }
    }
    /* Raw: every byte as it came. */
    raw = render(hostile, len, TEXT_RAW, 3);
    check(strlen(raw) == len && memcmp(raw, hostile, len) == 0, "raw mode passes every byte");
    free(raw);
    free(whole);
    free(line);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
