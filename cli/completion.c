/* kimi completion bash|zsh|fish: completion scripts made from the same
 * command and option tables the commands parse with, so they cover every
 * command and option. Model ids and template names are asked of kimi when
 * completing (kimi completion words models|templates). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: kimi completion bash|zsh|fish\n"
    "\n"
    "Prints a completion script. Load it for this shell, or install it:\n"
    "  bash: eval \"$(kimi completion bash)\" in ~/.bashrc, or save it as\n"
    "        ~/.local/share/bash-completion/completions/kimi\n"
    "  zsh:  kimi completion zsh > \"${fpath[1]}/_kimi\" (then compinit), or\n"
    "        source <(kimi completion zsh) in ~/.zshrc after compinit\n"
    "  fish: kimi completion fish > ~/.config/fish/completions/kimi.fish\n";

const struct option completion_options[] = {CLI_COMMON_OPTIONS};

enum { VALUE_NONE, VALUE_FREE, VALUE_FILE, VALUE_MODEL, VALUE_TEMPLATE, VALUE_CHOICE };

/* What completes an option's value; `choices` for VALUE_CHOICE. */
static int value_kind(const struct option *o, const char **choices) {
    static const char *const files[] = {"image", "video", "schema", "api-key-file"};
    size_t i;
    *choices = NULL;
    if (o->has_arg == no_argument) return VALUE_NONE;
    for (i = 0; i < sizeof files / sizeof files[0]; i++)
        if (strcmp(o->name, files[i]) == 0) return VALUE_FILE;
    if (strcmp(o->name, "model") == 0) return VALUE_MODEL;
    if (strcmp(o->name, "template") == 0) return VALUE_TEMPLATE;
    if (strcmp(o->name, "thinking") == 0) return *choices = "on off keep", VALUE_CHOICE;
    if (strcmp(o->name, "purpose") == 0) return *choices = "file-extract image video batch", VALUE_CHOICE;
    if (strcmp(o->name, "output") == 0) return *choices = "text json", VALUE_CHOICE;
    return VALUE_FREE;
}

static int has_short(const struct option *o) { return o->val > ' ' && o->val < 127; }

/* `text` in single quotes for a shell: '\'' (sh, zsh) or \' (fish) for a quote. */
static void quoted(FILE *out, const char *text, int fish) {
    fputc('\'', out);
    for (; *text; text++) {
        if (*text == '\'') fputs(fish ? "\\'" : "'\\''", out);
        else if (*text == '\\' && fish) fputs("\\\\", out);
        else fputc(*text, out);
    }
    fputc('\'', out);
}

/* "--a --b -c ..." of a table. */
static void option_words(FILE *out, const struct option *options) {
    const struct option *o;
    for (o = options; o->name; o++) {
        fprintf(out, " --%s", o->name);
        if (has_short(o)) fprintf(out, " -%c", o->val);
    }
}

/* --- bash --------------------------------------------------------------- */

/* "--a|-b|..." of every option of every table with the value kind `kind`
 * (or every option taking a value when kind is -1), each once. */
static void bash_pattern(FILE *out, int kind) {
    const struct option *tables[16];
    size_t i, n = 0, t;
    int first = 1;
    tables[n++] = global_options;
    for (i = 0; i < command_count; i++) tables[n++] = commands[i].options;
    for (t = 0; t < n; t++) {
        const struct option *o;
        for (o = tables[t]; o->name; o++) {
            const char *choices;
            size_t u;
            int k = value_kind(o, &choices), seen = 0;
            if (k == VALUE_NONE || (kind >= 0 && k != kind)) continue;
            /* Listed already by an earlier table? */
            for (u = 0; u < t && !seen; u++) {
                const struct option *p;
                for (p = tables[u]; p->name && !seen; p++) seen = strcmp(p->name, o->name) == 0;
            }
            for (const struct option *p = tables[t]; p < o && !seen; p++) seen = strcmp(p->name, o->name) == 0;
            if (seen) continue;
            fprintf(out, "%s--%s", first ? "" : "|", o->name);
            if (has_short(o)) fprintf(out, "|-%c", o->val);
            first = 0;
        }
    }
    if (first) fputs("--no-such-option", out);
}

static void bash_script(FILE *out) {
    size_t i;
    const char *const *a;
    fputs("# kimi(1) completion for bash. Load: eval \"$(kimi completion bash)\"\n"
          "_kimi() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= action= i\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        case ${COMP_WORDS[i]} in\n"
          "            ",
          out);
    bash_pattern(out, -1);
    fputs(") ((i++)) ;;\n"
          "            -*) ;;\n"
          "            *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; elif [[ -z $action ]]; then action=${COMP_WORDS[i]}; fi ;;\n"
          "        esac\n"
          "    done\n"
          "    case $prev in\n"
          "        ",
          out);
    bash_pattern(out, VALUE_FILE);
    fputs(") compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n        ", out);
    bash_pattern(out, VALUE_MODEL);
    fputs(") COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" completion words models 2>/dev/null)\" -- \"$cur\")); return ;;\n"
          "        ",
          out);
    bash_pattern(out, VALUE_TEMPLATE);
    fputs(") COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" completion words templates 2>/dev/null)\" -- \"$cur\")); return ;;\n",
          out);
    fputs("        --thinking) COMPREPLY=($(compgen -W \"on off keep\" -- \"$cur\")); return ;;\n"
          "        --purpose) COMPREPLY=($(compgen -W \"file-extract image video batch\" -- \"$cur\")); return ;;\n"
          "        --output) COMPREPLY=($(compgen -W \"text json\" -- \"$cur\")); return ;;\n"
          "        ",
          out);
    bash_pattern(out, VALUE_FREE);
    fputs(") return ;;\n"
          "    esac\n"
          "    case $cmd in\n"
          "        '') COMPREPLY=($(compgen -W \"",
          out);
    for (i = 0; i < command_count; i++) fprintf(out, "%s%s", i ? " " : "", commands[i].name);
    option_words(out, global_options);
    fputs(" --version\" -- \"$cur\")) ;;\n", out);
    for (i = 0; i < command_count; i++) {
        const struct command *c = &commands[i];
        fprintf(out, "        %s)\n", c->name);
        if (c->actions) {
            fputs("            if [[ $cur != -* && -z $action ]]; then\n"
                  "                COMPREPLY=($(compgen -W \"",
                  out);
            for (a = c->actions; *a; a++) fprintf(out, "%s%s", a == c->actions ? "" : " ", *a);
            fputs("\" -- \"$cur\"))\n"
                  "            elif [[ $cur != -* && $cmd == models && $action == show ]]; then\n"
                  "                COMPREPLY=($(compgen -W \"$(\"${COMP_WORDS[0]}\" completion words models 2>/dev/null)\" -- \"$cur\"))\n"
                  "            elif [[ $cur != -* && ( $action == upload || $action == submit ) ]]; then\n"
                  "                compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\"))\n"
                  "            else\n"
                  "                COMPREPLY=($(compgen -W \"",
                  out);
            option_words(out, c->options);
            fputs("\" -- \"$cur\"))\n"
                  "            fi ;;\n",
                  out);
        } else {
            fputs("            COMPREPLY=($(compgen -W \"", out);
            option_words(out, c->options);
            fputs("\" -- \"$cur\")) ;;\n", out);
        }
    }
    fputs("    esac\n"
          "}\n"
          "complete -F _kimi kimi\n",
          out);
}

/* --- zsh ---------------------------------------------------------------- */

/* A zsh _arguments spec for each option of a table: the names outside the
 * quotes (so {-m,--model} expands), the argument's spec inside. */
static void zsh_specs(FILE *out, const struct option *options) {
    const struct option *o;
    for (o = options; o->name; o++) {
        const char *choices, *action = "";
        int kind = value_kind(o, &choices);
        fputs(" \\\n        ", out);
        if (has_short(o)) fprintf(out, "{-%c,--%s}", o->val, o->name);
        else fprintf(out, "--%s", o->name);
        if (kind == VALUE_FILE) action = ":file:_files";
        else if (kind == VALUE_MODEL) action = ":model:{compadd -- ${(f)\"$($kimi_command completion words models 2>/dev/null)\"}}";
        else if (kind == VALUE_TEMPLATE)
            action = ":template:{compadd -- ${(f)\"$($kimi_command completion words templates 2>/dev/null)\"}}";
        else if (kind == VALUE_FREE) action = ":value: ";
        if (kind == VALUE_CHOICE) fprintf(out, "':value:(%s)'", choices);
        else if (*action) fprintf(out, "'%s'", action);
    }
}

static void zsh_script(FILE *out) {
    size_t i;
    const char *const *a;
    fputs("#compdef kimi\n"
          "# kimi(1) completion for zsh. Load: source <(kimi completion zsh)\n"
          "_kimi() {\n"
          "    local curcontext=$curcontext state line kimi_command=$words[1]\n"
          "    local -a commands\n"
          "    commands=(\n",
          out);
    for (i = 0; i < command_count; i++) {
        char entry[256];
        snprintf(entry, sizeof entry, "%s:%s", commands[i].name, commands[i].summary);
        fputs("        ", out);
        quoted(out, entry, 0);
        fputc('\n', out);
    }
    fputs("    )\n"
          "    _arguments -C",
          out);
    zsh_specs(out, global_options);
    fputs(" \\\n        '--version' \\\n        '1:command:->command' \\\n        '*::argument:->argument'\n"
          "    case $state in\n"
          "        command) _describe -t commands command commands ;;\n"
          "        argument)\n"
          "            case $line[1] in\n",
          out);
    for (i = 0; i < command_count; i++) {
        const struct command *c = &commands[i];
        fprintf(out, "                %s) _arguments", c->name);
        zsh_specs(out, c->options);
        if (c->actions) {
            fputs(" \\\n        '1:action:(", out);
            for (a = c->actions; *a; a++) fprintf(out, "%s%s", a == c->actions ? "" : " ", *a);
            if (strcmp(c->name, "models") == 0)  /* kimi models show ID */
                fputs(")' \\\n        '2:model:{compadd -- ${(f)\"$($kimi_command completion words models 2>/dev/null)\"}}'",
                      out);
            else
                fputs(")' \\\n        '*:file:_files'", out);
        }
        fputs(" ;;\n", out);
    }
    fputs("            esac ;;\n"
          "    esac\n"
          "}\n"
          "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _kimi \"$@\"; else compdef _kimi kimi; fi\n",
          out);
}

/* --- fish --------------------------------------------------------------- */

static void fish_options(FILE *out, const char *condition, const struct option *options) {
    const struct option *o;
    for (o = options; o->name; o++) {
        const char *choices;
        int kind = value_kind(o, &choices);
        fprintf(out, "complete -c kimi -n '%s' -l %s", condition, o->name);
        if (has_short(o)) fprintf(out, " -s %c", o->val);
        if (kind == VALUE_FILE) fputs(" -r -F", out);
        else if (kind == VALUE_MODEL) fputs(" -x -a '(__kimi_words models)'", out);
        else if (kind == VALUE_TEMPLATE) fputs(" -x -a '(__kimi_words templates)'", out);
        else if (kind == VALUE_CHOICE) fprintf(out, " -x -a '%s'", choices);
        else if (kind == VALUE_FREE) fputs(" -x", out);
        fputc('\n', out);
    }
}

static void fish_script(FILE *out) {
    size_t i;
    const char *const *a;
    char condition[128];
    fputs("# kimi(1) completion for fish. Load: kimi completion fish | source\n"
          "function __kimi_words --description 'model ids or template names, from the kimi being completed'\n"
          "    set -l kimi (commandline -opc)[1]\n"
          "    command $kimi completion words $argv 2>/dev/null\n"
          "end\n"
          "complete -c kimi -f\n",
          out);
    for (i = 0; i < command_count; i++) {
        fprintf(out, "complete -c kimi -n __fish_use_subcommand -a %s -d ", commands[i].name);
        quoted(out, commands[i].summary, 1);
        fputc('\n', out);
    }
    fish_options(out, "__fish_use_subcommand", global_options);
    fputs("complete -c kimi -n __fish_use_subcommand -l version\n", out);
    for (i = 0; i < command_count; i++) {
        const struct command *c = &commands[i];
        snprintf(condition, sizeof condition, "__fish_seen_subcommand_from %s", c->name);
        fish_options(out, condition, c->options);
        for (a = c->actions; a && *a; a++)
            fprintf(out, "complete -c kimi -n '%s; and not __fish_seen_subcommand_from %s' -a %s\n", condition, *a, *a);
        if (c->actions && strcmp(c->name, "models") == 0)
            fprintf(out, "complete -c kimi -n '%s; and __fish_seen_subcommand_from show' -f -a '(__kimi_words models)'\n",
                    condition);
        else if (c->actions)
            fprintf(out, "complete -c kimi -n '%s; and __fish_seen_subcommand_from upload submit' -F\n", condition);
    }
}

/* --- the command ---------------------------------------------------------- */

/* A word a shell may expand (bash's compgen -W expands its words, $(...)
 * included) only when it is made of these characters. */
static int plain_word(const char *word) {
    return *word && strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-") == strlen(word);
}

static void model_words(struct cli *cli) {
    const char *configured = cli_get(cli, SET_MODEL);
    const char *const *m;
    int listed = 0;
    for (m = known_models; *m; m++) {
        printf("%s\n", *m);
        if (configured && strcmp(configured, *m) == 0) listed = 1;
    }
    if (configured && !listed && plain_word(configured)) printf("%s\n", configured);
}

int cmd_completion(struct cli *cli, int argc, char **argv) {
    const char *shell;
    int c;
    while ((c = cli_getopt(cli, argc, argv, "vh", completion_options, usage, NULL)) != -1) return EXIT_USAGE;
    if (optind >= argc) return cli_usage_error(cli, usage, "which shell?");
    shell = argv[optind];
    /* The words the scripts ask for while completing. */
    if (strcmp(shell, "words") == 0 && optind + 1 < argc) {
        if (strcmp(argv[optind + 1], "models") == 0) model_words(cli);
        else if (strcmp(argv[optind + 1], "templates") == 0) template_list(cli, stdout);
        else if (strcmp(argv[optind + 1], "commands") == 0) {
            size_t i;
            for (i = 0; i < command_count; i++) printf("%s\n", commands[i].name);
        } else return cli_usage_error(cli, usage, "words: models, templates or commands");
        return 0;
    }
    if (argc - optind > 1) return cli_usage_error(cli, usage, "unexpected \"%s\"", argv[argc - 1]);
    if (strcmp(shell, "bash") == 0) bash_script(stdout);
    else if (strcmp(shell, "zsh") == 0) zsh_script(stdout);
    else if (strcmp(shell, "fish") == 0) fish_script(stdout);
    else return cli_usage_error(cli, usage, "\"%s\" is not bash, zsh or fish", shell);
    return 0;
}
