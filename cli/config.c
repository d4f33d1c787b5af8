/* Settings and where they come from: the configuration file
 * ($XDG_CONFIG_HOME/kimi/config), the environment, templates (--save NAME,
 * -t NAME) and the command line; `kimi config` shows them. Both files are
 * plain `key = value` lines; a value in double quotes may hold \n, \t, \r,
 * \xNN, \" and \\ escapes. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const setting_names[SET_COUNT] = {"model", "thinking", "base_url", "api_key_file", "log"};
const char *const template_keys[TPL_COUNT] = {"system",      "model", "thinking",  "max_tokens",
                                              "temperature", "top_p", "json_mode", "schema"};

void cli_set(struct cli *cli, int key, const char *value, int rank, const char *source) {
    struct setting *s = &cli->settings[key];
    if (s->source && rank < s->rank) return;
    free(s->value);
    free(s->source);
    s->value = value ? strdup(value) : NULL;
    s->source = strdup(source);
    s->rank = rank;
}

const char *cli_get(const struct cli *cli, int key) { return cli->settings[key].value; }

int cli_parse_switch(const char *text) {
    static const char *const on[] = {"on", "yes", "true", "1"}, *const off[] = {"off", "no", "false", "0"};
    size_t i;
    for (i = 0; i < 4; i++) {
        if (strcmp(text, on[i]) == 0) return 1;
        if (strcmp(text, off[i]) == 0) return 0;
    }
    return -1;
}

char *cli_path_join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *path = malloc(a + b + 2);
    if (!path) return NULL;
    memcpy(path, dir, a);
    path[a] = '/';
    memcpy(path + a + 1, name, b + 1);
    return path;
}

/* mkdir -p, the new directories private. */
static int make_dirs(char *path) {
    char *p;
    for (p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(path, 0700) != 0 && errno != EEXIST) return *p = '/', -1;
        *p = '/';
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

char *cli_home_dir(const struct cli *cli, const char *kind, int create) {
    static const char *const kinds[] = {"CONFIG", "DATA", "STATE"};
    static const char *const defaults[] = {".config", ".local/share", ".local/state"};
    char variable[32], *base = NULL, *dir;
    const char *xdg, *home;
    size_t i;
    for (i = 0; i < 3 && strcmp(kind, kinds[i]) != 0; i++) continue;
    snprintf(variable, sizeof variable, "XDG_%s_HOME", kind);
    xdg = getenv(variable);
    if (xdg && xdg[0] == '/') base = strdup(xdg);
    else if ((home = getenv("HOME")) && home[0] == '/') base = cli_path_join(home, defaults[i < 3 ? i : 0]);
    else
        return cli_error(cli, 0, "neither %s nor HOME is set to an absolute path%s", variable,
                         strcmp(kind, "DATA") == 0 ? " (--no-log goes without the log)" : ""), NULL;
    dir = base ? cli_path_join(base, "kimi") : NULL;
    free(base);
    if (!dir) return cli_error(cli, 0, "out of memory"), NULL;
    if (create && make_dirs(dir) != 0) {
        cli_error(cli, 0, "cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

/* --- the file format --------------------------------------------------- */

/* The value after '=': trimmed, and unquoted when quoted. 0, or -1 after
 * printing why (`where` is "FILE:LINE"). */
static int parse_value(const struct cli *cli, const char *where, char *text) {
    char *end = text + strlen(text), *in, *out;
    while (end > text && (end[-1] == ' ' || end[-1] == '\t')) *--end = 0;
    for (in = text; *in; in++)
        if ((unsigned char)*in < 0x20 && *in != '\t')
            return cli_error(cli, 0, "%s: a control character in the value", where), -1;
    if (text[0] != '"') return 0;
    if (end - text < 2 || end[-1] != '"') return cli_error(cli, 0, "%s: the value's closing quote is missing", where), -1;
    end[-1] = 0;
    for (in = text + 1, out = text; *in; in++) {
        if (*in != '\\') {
            *out++ = *in;
            continue;
        }
        switch (*++in) {
        case 'n': *out++ = '\n'; break;
        case 't': *out++ = '\t'; break;
        case 'r': *out++ = '\r'; break;
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case 'x': {
            /* \xNN: another control character (never NUL). */
            char digits[3] = {0, 0, 0}, *end;
            long byte;
            if (!in[1] || !in[2]) return cli_error(cli, 0, "%s: \\x needs two hex digits", where), -1;
            digits[0] = in[1], digits[1] = in[2];
            byte = strtol(digits, &end, 16);
            if (*end || byte <= 0) return cli_error(cli, 0, "%s: \\x%s is not a byte kimi keeps", where, digits), -1;
            *out++ = (char)byte;
            in += 2;
            break;
        }
        default: return cli_error(cli, 0, "%s: unknown escape \\%c in the value (\\n, \\t, \\r, \\xNN, \\\", \\\\)", where, *in ? *in : ' '), -1;
        }
    }
    *out = 0;
    return 0;
}

typedef int (*entry_fn)(struct cli *cli, const char *where, const char *key, const char *value, void *user_data);

/* Calls `fn` for each `key = value` of `path`. 0 (also when the file does
 * not exist and `missing_ok`), or the exit status after printing why. */
static int read_settings_file(struct cli *cli, const char *path, const char *what, int missing_ok, entry_fn fn,
                              void *user_data) {
    size_t len, line_no = 0;
    char *data, *line, *next;
    int status = 0;
    if (missing_ok && access(path, F_OK) != 0 && errno == ENOENT) return 0;
    if (!(data = cli_read_input(cli, path, what, CLI_SETTINGS_FILE_MAX, &len))) return EXIT_FAILED;
    if (strlen(data) != len) {
        free(data);
        return cli_error(cli, EXIT_USAGE, "%s: %s holds a NUL byte", what, path);
    }
    for (line = data; line && !status; line = next) {
        char where[4200], *eq, *key, *end;
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        line_no++;
        snprintf(where, sizeof where, "%s:%zu", path, line_no);
        if (*line && line[strlen(line) - 1] == '\r') line[strlen(line) - 1] = 0;
        for (key = line; *key == ' ' || *key == '\t'; key++) continue;
        if (!*key || *key == '#') continue;
        if (!(eq = strchr(key, '='))) {
            status = cli_error(cli, EXIT_USAGE, "%s: not a \"key = value\" line", where);
            break;
        }
        for (end = eq; end > key && (end[-1] == ' ' || end[-1] == '\t'); end--) continue;
        *end = 0;
        for (eq++; *eq == ' ' || *eq == '\t'; eq++) continue;
        if (parse_value(cli, where, eq) != 0) status = EXIT_USAGE;
        else status = fn(cli, where, key, eq, user_data);
    }
    free(data);
    return status;
}

/* --- the configuration file and the environment --------------------------- */

static int check_thinking(const char *value) {
    return strcmp(value, "on") == 0 || strcmp(value, "off") == 0 || strcmp(value, "keep") == 0;
}

/* The index of `key` among `names` (`count` of them), or -1 after a warning
 * (a newer kimi's key, say: ignored, not an error). */
static int known_key(struct cli *cli, const char *where, const char *key, const char *const *names, int count) {
    int i;
    for (i = 0; i < count; i++)
        if (strcmp(key, names[i]) == 0) return i;
    cli_warn(cli, "%s: unknown key \"%s\"; ignored", where, key);
    return -1;
}

/* A thinking mode or an on/off switch: 0, or EXIT_USAGE after saying where. */
static int check_value(struct cli *cli, const char *where, const char *key, const char *value, int is_switch) {
    if (is_switch ? cli_parse_switch(value) >= 0 : check_thinking(value)) return 0;
    return cli_error(cli, EXIT_USAGE, "%s: %s: \"%s\" is not %s", where, key, value, is_switch ? "on or off" : "on, off or keep");
}

/* `~/` at the start of a path means $HOME. */
static char *expand_home(const char *path) {
    const char *home = getenv("HOME");
    if (strncmp(path, "~/", 2) != 0 || !home) return strdup(path);
    return cli_path_join(home, path + 2);
}

static int config_entry(struct cli *cli, const char *where, const char *key, const char *value, void *user_data) {
    char source[4300];
    int i = known_key(cli, where, key, setting_names, SET_COUNT);
    (void)user_data;
    if (i < 0) return 0;
    if ((i == SET_THINKING || i == SET_LOG) && check_value(cli, where, key, value, i == SET_LOG)) return EXIT_USAGE;
    if (!*value) return cli_error(cli, EXIT_USAGE, "%s: %s has no value", where, key);
    snprintf(source, sizeof source, "config %s", where);
    if (i == SET_API_KEY_FILE) {
        char *path = expand_home(value);
        if (!path) return cli_error(cli, EXIT_FAILED, "out of memory");
        cli_set(cli, i, path, FROM_CONFIG, source);
        free(path);
    } else {
        cli_set(cli, i, value, FROM_CONFIG, source);
    }
    return 0;
}

static const char *nonempty_env(const char *name) {
    const char *value = getenv(name);
    return value && *value ? value : NULL;
}

int cli_load_config(struct cli *cli) {
    const char *value, *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int status;
    char *dir;
    cli_set(cli, SET_MODEL, "kimi-k2.6", FROM_DEFAULT, "default");
    cli_set(cli, SET_THINKING, NULL, FROM_DEFAULT, "default: the model's own");
    cli_set(cli, SET_BASE_URL, "https://api.moonshot.ai/v1", FROM_DEFAULT, "default");
    cli_set(cli, SET_API_KEY_FILE, NULL, FROM_DEFAULT, "not set");
    cli_set(cli, SET_LOG, "on", FROM_DEFAULT, "default");
    /* Without a home (a service, say) there is no configuration file. */
    if ((xdg && xdg[0] == '/') || (home && home[0] == '/')) {
        if (!(dir = cli_home_dir(cli, "CONFIG", 0)) || !(cli->config_path = cli_path_join(dir, "config"))) {
            free(dir);
            return cli_error(cli, EXIT_FAILED, "out of memory");
        }
        free(dir);
        if ((status = read_settings_file(cli, cli->config_path, "config", 1, config_entry, NULL)) != 0) return status;
    }
    if ((value = nonempty_env("KIMI_MODEL"))) cli_set(cli, SET_MODEL, value, FROM_ENVIRONMENT, "environment KIMI_MODEL");
    if ((value = nonempty_env("KIMI_THINKING"))) {
        if (!check_thinking(value)) return cli_error(cli, EXIT_USAGE, "KIMI_THINKING: \"%s\" is not on, off or keep", value);
        cli_set(cli, SET_THINKING, value, FROM_ENVIRONMENT, "environment KIMI_THINKING");
    }
    if ((value = nonempty_env("KIMI_BASE_URL")))
        cli_set(cli, SET_BASE_URL, value, FROM_ENVIRONMENT, "environment KIMI_BASE_URL");
    /* The environment's key beats a key file from the config (not one from the command line). */
    if ((value = nonempty_env("MOONSHOT_API_KEY")) || (value = nonempty_env("KIMI_API_KEY"))) {
        free(cli->api_key);
        cli->api_key = strdup(value);
    }
    return 0;
}

/* --- templates ------------------------------------------------------------- */

static int valid_template_name(const char *name) {
    size_t i, n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-') return 0;
    for (i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '.' || name[i] == '_' || name[i] == '-'))
            return 0;
    return 1;
}

static char *template_path(struct cli *cli, const char *name, int create) {
    char *dir, *templates, *path;
    if (!valid_template_name(name))
        return cli_error(cli, 0, "template \"%s\": a name is 1 to 64 letters, digits, '.', '_' or '-'", name), NULL;
    if (!(dir = cli_home_dir(cli, "CONFIG", create))) return NULL;
    templates = cli_path_join(dir, "templates");
    free(dir);
    if (!templates) return cli_error(cli, 0, "out of memory"), NULL;
    if (create && mkdir(templates, 0700) != 0 && errno != EEXIST) {
        cli_error(cli, 0, "cannot create %s: %s", templates, strerror(errno));
        free(templates);
        return NULL;
    }
    path = cli_path_join(templates, name);
    free(templates);
    return path;
}

static int template_entry(struct cli *cli, const char *where, const char *key, const char *value, void *user_data) {
    struct template_values *values = user_data;
    int i = known_key(cli, where, key, template_keys, TPL_COUNT);
    if (i < 0) return 0;
    if ((i == TPL_THINKING || i == TPL_JSON_MODE) && check_value(cli, where, key, value, i == TPL_JSON_MODE))
        return EXIT_USAGE;
    free(values->value[i]);
    if (!(values->value[i] = strdup(value))) return cli_error(cli, EXIT_FAILED, "out of memory");
    return 0;
}

int template_load(struct cli *cli, const char *name, struct template_values *out) {
    char *path = template_path(cli, name, 0);
    int status;
    memset(out, 0, sizeof *out);
    if (!path) return EXIT_USAGE;
    if (access(path, F_OK) != 0 && errno == ENOENT) {
        free(path);
        return cli_error(cli, EXIT_USAGE, "no template \"%s\" (save one with --save %s)", name, name);
    }
    status = read_settings_file(cli, path, "template", 0, template_entry, out);
    free(path);
    return status;
}

/* A value in quotes, with the escapes the reader undoes. */
static void write_quoted(FILE *out, const char *value) {
    fputc('"', out);
    for (; *value; value++) {
        switch (*value) {
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        default:
            if ((unsigned char)*value < 0x20 || *value == 0x7F) fprintf(out, "\\x%02x", (unsigned char)*value);
            else fputc(*value, out);
        }
    }
    fputc('"', out);
}

int template_save(struct cli *cli, const char *name, const struct template_values *values) {
    char *path = template_path(cli, name, 1), *temporary;
    FILE *out;
    int i, failed;
    if (!path) return EXIT_USAGE;
    if (!(temporary = malloc(strlen(path) + 32))) {
        free(path);
        return cli_error(cli, EXIT_FAILED, "out of memory");
    }
    /* Written beside it and renamed: a reader sees the old or the new one. */
    sprintf(temporary, "%s.%ld.tmp", path, (long)getpid());
    if (!(out = fopen(temporary, "w"))) {
        cli_error(cli, 0, "cannot write %s: %s", temporary, strerror(errno));
        free(temporary);
        free(path);
        return EXIT_FAILED;
    }
    fprintf(out, "# kimi template \"%s\" (kimi chat -t %s)\n", name, name);
    for (i = 0; i < TPL_COUNT; i++) {
        if (!values->value[i]) continue;
        fprintf(out, "%s = ", template_keys[i]);
        write_quoted(out, values->value[i]);
        fputc('\n', out);
    }
    failed = ferror(out) | (fclose(out) != 0);
    if (failed || rename(temporary, path) != 0) {
        cli_error(cli, 0, "cannot write %s: %s", path, strerror(errno));
        unlink(temporary);
        free(temporary);
        free(path);
        return EXIT_FAILED;
    }
    free(temporary);
    free(path);
    return 0;
}

void template_free(struct template_values *values) {
    int i;
    for (i = 0; i < TPL_COUNT; i++) free(values->value[i]), values->value[i] = NULL;
}

void template_list(struct cli *cli, FILE *out) {
    char *dir = cli_home_dir(cli, "CONFIG", 0), *templates;
    DIR *listing;
    struct dirent *entry;
    if (!dir) return;
    templates = cli_path_join(dir, "templates");
    free(dir);
    if (templates && (listing = opendir(templates))) {
        while ((entry = readdir(listing)))
            if (valid_template_name(entry->d_name) && !strstr(entry->d_name, ".tmp")) fprintf(out, "%s\n", entry->d_name);
        closedir(listing);
    }
    free(templates);
}

/* --- kimi config ------------------------------------------------------------ */

static const char config_usage[] =
    "usage: kimi config [--json]\n"
    "\n"
    "Each setting, its value and where it came from: the command line, the\n"
    "environment (KIMI_MODEL, KIMI_THINKING, KIMI_BASE_URL, MOONSHOT_API_KEY),\n"
    "the configuration file ($XDG_CONFIG_HOME/kimi/config: model, thinking,\n"
    "base_url, api_key_file, log as \"key = value\" lines) or the default.\n"
    "The key itself is never shown.\n";

const struct option config_options[] = {CLI_JSON_OPTION, CLI_COMMON_OPTIONS};

static void show(const struct cli *cli, int json, const char *key, const char *value, const char *source) {
    if (json) {
        fputc('{', stdout);
        cli_json_field(cli, stdout, "key", key, 1);
        if (value) cli_json_field(cli, stdout, "value", value, 0);
        else fputs(", \"value\": null", stdout);
        cli_json_field(cli, stdout, "source", source, 0);
        fputs("}\n", stdout);
        return;
    }
    fprintf(stdout, "%s = ", key);
    if (value) cli_put_field(cli, stdout, value);
    fputs("  # ", stdout);
    cli_put_field(cli, stdout, source);
    fputc('\n', stdout);
}

int cmd_config(struct cli *cli, int argc, char **argv) {
    int json = 0, c, i;
    char *data_dir, *logs;
    const char *key_source;
    while ((c = cli_getopt(cli, argc, argv, "vh", config_options, config_usage, &json)) != -1)
        if (c != 0) return EXIT_USAGE;
    if (optind < argc) return cli_usage_error(cli, config_usage, "unexpected \"%s\"", argv[optind]);
    for (i = 0; i < SET_COUNT; i++) show(cli, json, setting_names[i], cli->settings[i].value, cli->settings[i].source);
    /* Where the key comes from: a key file on the command line, else the
       environment, else a key file from the config. */
    if (cli->settings[SET_API_KEY_FILE].value && cli->settings[SET_API_KEY_FILE].rank == FROM_COMMAND_LINE)
        key_source = "--api-key-file";
    else if (nonempty_env("MOONSHOT_API_KEY")) key_source = "environment MOONSHOT_API_KEY";
    else if (nonempty_env("KIMI_API_KEY")) key_source = "environment KIMI_API_KEY";
    else if (cli->settings[SET_API_KEY_FILE].value) key_source = "api_key_file";
    else key_source = NULL;
    show(cli, json, "api_key", key_source ? "(set, not shown)" : NULL, key_source ? key_source : "not set");
    if (cli->config_path)
        show(cli, json, "config_file", cli->config_path, access(cli->config_path, F_OK) == 0 ? "exists" : "does not exist");
    else
        show(cli, json, "config_file", NULL, "none: neither XDG_CONFIG_HOME nor HOME is set");
    data_dir = cli_home_dir(cli, "DATA", 0);
    logs = data_dir ? cli_path_join(data_dir, "logs.db") : NULL;
    if (logs) show(cli, json, "logs_db", logs, "$XDG_DATA_HOME/kimi/logs.db");
    free(logs);
    free(data_dir);
    return 0;
}
