/* logs.db: schema, migrations, writes and queries. Several kimi processes
 * may write at once: WAL lets readers go on while one writes, writers wait
 * for each other (busy timeout), and every change is one transaction. */
#define _POSIX_C_SOURCE 200809L
#include "logdb.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct logdb {
    sqlite3 *db;
    char *path;
};

/* Each step takes the schema from version i to i + 1 (PRAGMA user_version);
 * steps are only ever added. */
static const char *const migrations[] = {
    /* 1: conversations, their exchanges, and what was attached. */
    "CREATE TABLE conversations ("
    "  id TEXT PRIMARY KEY,"
    "  started_at TEXT NOT NULL);"
    "CREATE TABLE exchanges ("
    "  id INTEGER PRIMARY KEY,"
    "  conversation_id TEXT NOT NULL REFERENCES conversations(id),"
    "  started_at TEXT NOT NULL,"
    "  model TEXT NOT NULL,"
    "  response_model TEXT,"
    "  base_url TEXT,"
    "  system TEXT,"
    "  prompt TEXT NOT NULL,"
    "  reasoning TEXT NOT NULL DEFAULT '',"
    "  answer TEXT NOT NULL DEFAULT '',"
    "  options TEXT NOT NULL DEFAULT '{}',"
    "  finish_reason TEXT,"
    "  outcome TEXT NOT NULL,"
    "  error TEXT,"
    "  exit_status INTEGER NOT NULL,"
    "  prompt_tokens INTEGER, cached_tokens INTEGER, completion_tokens INTEGER,"
    "  cost_usd REAL,"
    "  request_id TEXT, completion_id TEXT,"
    "  elapsed_ms REAL, first_token_ms REAL);"
    "CREATE INDEX exchanges_by_conversation ON exchanges(conversation_id, id);"
    "CREATE TABLE attachments ("
    "  exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,"
    "  position INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  path TEXT,"
    "  sha256 TEXT NOT NULL,"
    "  bytes INTEGER NOT NULL,"
    "  PRIMARY KEY (exchange_id, position));",
    /* 2: full-text search over the text of every exchange. */
    "CREATE VIRTUAL TABLE exchanges_fts USING fts5("
    "  system, prompt, reasoning, answer, content='exchanges', content_rowid='id');"
    "CREATE TRIGGER exchanges_fts_insert AFTER INSERT ON exchanges BEGIN"
    "  INSERT INTO exchanges_fts(rowid, system, prompt, reasoning, answer)"
    "  VALUES (new.id, new.system, new.prompt, new.reasoning, new.answer); END;"
    "CREATE TRIGGER exchanges_fts_delete AFTER DELETE ON exchanges BEGIN"
    "  INSERT INTO exchanges_fts(exchanges_fts, rowid, system, prompt, reasoning, answer)"
    "  VALUES ('delete', old.id, old.system, old.prompt, old.reasoning, old.answer); END;"
    "CREATE TRIGGER exchanges_fts_update AFTER UPDATE ON exchanges BEGIN"
    "  INSERT INTO exchanges_fts(exchanges_fts, rowid, system, prompt, reasoning, answer)"
    "  VALUES ('delete', old.id, old.system, old.prompt, old.reasoning, old.answer);"
    "  INSERT INTO exchanges_fts(rowid, system, prompt, reasoning, answer)"
    "  VALUES (new.id, new.system, new.prompt, new.reasoning, new.answer); END;"
    "INSERT INTO exchanges_fts(exchanges_fts) VALUES ('rebuild');",
};
enum { SCHEMA_VERSION = sizeof migrations / sizeof migrations[0], BUSY_TIMEOUT_MS = 30000 };

static int db_error(struct cli *cli, const logdb *db, const char *doing) {
    cli_error(cli, 0, "%s %s: %s (--no-log goes without the log)", doing, db->path, sqlite3_errmsg(db->db));
    return EXIT_LOG;
}

char *logdb_path(struct cli *cli) {
    char *dir = cli_home_dir(cli, "DATA", 0), *path;
    if (!dir) return NULL;
    path = cli_path_join(dir, "logs.db");
    free(dir);
    if (!path) cli_error(cli, 0, "out of memory");
    return path;
}

/* Runs `sql`, waiting out a lock another kimi holds. */
static int exec(logdb *db, const char *sql) {
    int rc, tries;
    for (tries = 0; tries < 50; tries++) {
        rc = sqlite3_exec(db->db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sqlite3_sleep(100);
    }
    return rc;
}

static int user_version(logdb *db, int *version) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *version = sqlite3_column_int(st, 0), rc = SQLITE_OK;
    sqlite3_finalize(st);
    return rc;
}

/* Brings the schema up to SCHEMA_VERSION, in one transaction, whichever
 * kimi gets there first. */
static int migrate(struct cli *cli, logdb *db) {
    int version = 0;
    /* Current already (the usual case): no write lock needed. */
    if (user_version(db, &version) == SQLITE_OK && version == SCHEMA_VERSION) return 0;
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return db_error(cli, db, "cannot write");
    if (user_version(db, &version) != SQLITE_OK) goto fail;
    if (version > SCHEMA_VERSION) {
        exec(db, "ROLLBACK");
        return cli_error(cli, EXIT_LOG, "%s is from a newer kimi (schema %d; this one knows %d); --no-log goes without it",
                         db->path, version, (int)SCHEMA_VERSION);
    }
    for (; version < SCHEMA_VERSION; version++) {
        char set[64];
        if (exec(db, migrations[version]) != SQLITE_OK) goto fail;
        snprintf(set, sizeof set, "PRAGMA user_version = %d", version + 1);
        if (exec(db, set) != SQLITE_OK) goto fail;
    }
    if (exec(db, "COMMIT") != SQLITE_OK) goto fail;
    return 0;
fail:
    db_error(cli, db, "cannot set up");
    exec(db, "ROLLBACK");
    return EXIT_LOG;
}

int logdb_open(struct cli *cli, int create, logdb **out) {
    logdb *db;
    struct stat st;
    int fd, rc, status;
    char *dir;
    *out = NULL;
    if (!(db = calloc(1, sizeof *db)) || !(db->path = logdb_path(cli))) {
        free(db);
        return EXIT_LOG;
    }
    if (!create && access(db->path, F_OK) != 0 && errno == ENOENT) {
        free(db->path);
        free(db);
        return 0;
    }
    if (create && (dir = cli_home_dir(cli, "DATA", 1))) free(dir);
    /* A private file, and never a FIFO or a device someone put there. */
    fd = open(db->path, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd < 0) cli_error(cli, 0, "cannot open %s: %s (--no-log goes without the log)", db->path, strerror(errno));
        else cli_error(cli, 0, "%s is not a regular file (--no-log goes without the log)", db->path);
        if (fd >= 0) close(fd);
        free(db->path);
        free(db);
        return EXIT_LOG;
    }
    close(fd);
    rc = sqlite3_open_v2(db->path, &db->db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        status = db->db ? db_error(cli, db, "cannot open") : cli_error(cli, EXIT_LOG, "cannot open %s", db->path);
        logdb_close(db);
        return status;
    }
    sqlite3_busy_timeout(db->db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db->db, 0);
    /* WAL: a writer does not block readers, and commits are cheap. */
    if (exec(db, "PRAGMA journal_mode = WAL") != SQLITE_OK || exec(db, "PRAGMA foreign_keys = ON") != SQLITE_OK ||
        exec(db, "PRAGMA synchronous = NORMAL") != SQLITE_OK) {
        status = db_error(cli, db, "cannot open");
        logdb_close(db);
        return status;
    }
    if ((status = migrate(cli, db)) != 0) {
        logdb_close(db);
        return status;
    }
    *out = db;
    return 0;
}

void logdb_close(logdb *db) {
    if (!db) return;
    sqlite3_close(db->db);
    free(db->path);
    free(db);
}

void logdb_new_id(char cid[64]) {
    unsigned char bytes[8];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), i;
    ssize_t got = fd >= 0 ? read(fd, bytes, sizeof bytes) : -1;
    if (fd >= 0) close(fd);
    if (got != (ssize_t)sizeof bytes) {
        /* No /dev/urandom: time, pid and a counter are unique enough. */
        static unsigned counter;
        uint64_t mix = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid() << 20 ^ ++counter;
        for (i = 0; i < 8; i++) bytes[i] = (unsigned char)(mix >> (8 * i));
    }
    for (i = 0; i < 8; i++) sprintf(cid + 2 * i, "%02x", bytes[i]);
}

/* --- writing --------------------------------------------------------------- */

/* Text bound with the key taken out; NULL stays NULL. */
static void bind_text(struct cli *cli, sqlite3_stmt *st, int column, const char *text) {
    char *clean;
    if (!text) {
        sqlite3_bind_null(st, column);
        return;
    }
    clean = cli_redact(cli, text);
    if (clean) sqlite3_bind_text(st, column, clean, -1, free);
    else sqlite3_bind_null(st, column);
}

static void bind_count(sqlite3_stmt *st, int column, int64_t value) {
    if (value < 0) sqlite3_bind_null(st, column);
    else sqlite3_bind_int64(st, column, value);
}

static void bind_real(sqlite3_stmt *st, int column, double value) {
    if (value < 0) sqlite3_bind_null(st, column);
    else sqlite3_bind_double(st, column, value);
}

static int prepare(logdb *db, const char *sql, sqlite3_stmt **st) {
    return sqlite3_prepare_v2(db->db, sql, -1, st, NULL);
}

int logdb_insert(struct cli *cli, logdb *db, const struct exchange *x) {
    static const char conversation_sql[] = "INSERT OR IGNORE INTO conversations (id, started_at) VALUES (?1, ?2)";
    static const char exchange_sql[] =
        "INSERT INTO exchanges (conversation_id, started_at, model, response_model, base_url, system, prompt,"
        " reasoning, answer, options, finish_reason, outcome, error, exit_status, prompt_tokens, cached_tokens,"
        " completion_tokens, cost_usd, request_id, completion_id, elapsed_ms, first_token_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";
    static const char attachment_sql[] =
        "INSERT INTO attachments (exchange_id, position, kind, name, path, sha256, bytes)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    sqlite3_stmt *st = NULL;
    sqlite3_int64 id;
    size_t i;
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return db_error(cli, db, "cannot write to");
    if (prepare(db, conversation_sql, &st) != SQLITE_OK) goto fail;
    sqlite3_bind_text(st, 1, x->conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, x->started_at, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) goto fail;
    sqlite3_finalize(st);
    if (prepare(db, exchange_sql, &st) != SQLITE_OK) goto fail;
    sqlite3_bind_text(st, 1, x->conversation_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, x->started_at, -1, SQLITE_STATIC);
    bind_text(cli, st, 3, x->model ? x->model : "");
    bind_text(cli, st, 4, x->response_model);
    bind_text(cli, st, 5, x->base_url);
    bind_text(cli, st, 6, x->system);
    bind_text(cli, st, 7, x->prompt ? x->prompt : "");
    bind_text(cli, st, 8, x->reasoning ? x->reasoning : "");
    bind_text(cli, st, 9, x->answer ? x->answer : "");
    bind_text(cli, st, 10, x->options ? x->options : "{}");
    bind_text(cli, st, 11, x->finish_reason);
    bind_text(cli, st, 12, x->outcome);
    bind_text(cli, st, 13, x->error);
    sqlite3_bind_int(st, 14, x->exit_status);
    bind_count(st, 15, x->prompt_tokens);
    bind_count(st, 16, x->cached_tokens);
    bind_count(st, 17, x->completion_tokens);
    bind_real(st, 18, x->cost_usd);
    bind_text(cli, st, 19, x->request_id);
    bind_text(cli, st, 20, x->completion_id);
    bind_real(st, 21, x->elapsed_ms);
    bind_real(st, 22, x->first_token_ms);
    if (sqlite3_step(st) != SQLITE_DONE) goto fail;
    sqlite3_finalize(st);
    st = NULL;
    id = sqlite3_last_insert_rowid(db->db);
    for (i = 0; i < x->attachment_count; i++) {
        const struct attachment *a = &x->attachments[i];
        if (prepare(db, attachment_sql, &st) != SQLITE_OK) goto fail;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, a->video ? "video" : "image", -1, SQLITE_STATIC);
        bind_text(cli, st, 4, a->name);
        bind_text(cli, st, 5, a->path);
        sqlite3_bind_text(st, 6, a->sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, a->bytes);
        if (sqlite3_step(st) != SQLITE_DONE) goto fail;
        sqlite3_finalize(st);
        st = NULL;
    }
    if (exec(db, "COMMIT") != SQLITE_OK) goto fail;
    return 0;
fail:
    db_error(cli, db, "cannot write to");
    sqlite3_finalize(st);
    exec(db, "ROLLBACK");
    return EXIT_LOG;
}

/* --- reading ------------------------------------------------------------------ */

#define EXCHANGE_COLUMNS                                                                                      \
    "e.id, e.conversation_id, e.started_at, e.model, e.response_model, e.base_url, e.system, e.prompt,"      \
    " e.reasoning, e.answer, e.options, e.finish_reason, e.outcome, e.error, e.exit_status, e.prompt_tokens," \
    " e.cached_tokens, e.completion_tokens, e.cost_usd, e.request_id, e.completion_id, e.elapsed_ms,"         \
    " e.first_token_ms"

static const char *text_column(sqlite3_stmt *st, int column) {
    return (const char *)sqlite3_column_text(st, column);
}

static int64_t count_column(sqlite3_stmt *st, int column) {
    return sqlite3_column_type(st, column) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, column);
}

static double real_column(sqlite3_stmt *st, int column) {
    return sqlite3_column_type(st, column) == SQLITE_NULL ? -1 : sqlite3_column_double(st, column);
}

static void read_row(sqlite3_stmt *st, struct exchange *x) {
    memset(x, 0, sizeof *x);
    x->id = sqlite3_column_int64(st, 0);
    x->conversation_id = text_column(st, 1);
    x->started_at = text_column(st, 2);
    x->model = text_column(st, 3);
    x->response_model = text_column(st, 4);
    x->base_url = text_column(st, 5);
    x->system = text_column(st, 6);
    x->prompt = text_column(st, 7);
    x->reasoning = text_column(st, 8);
    x->answer = text_column(st, 9);
    x->options = text_column(st, 10);
    x->finish_reason = text_column(st, 11);
    x->outcome = text_column(st, 12);
    x->error = text_column(st, 13);
    x->exit_status = sqlite3_column_int(st, 14);
    x->prompt_tokens = count_column(st, 15);
    x->cached_tokens = count_column(st, 16);
    x->completion_tokens = count_column(st, 17);
    x->cost_usd = real_column(st, 18);
    x->request_id = text_column(st, 19);
    x->completion_id = text_column(st, 20);
    x->elapsed_ms = real_column(st, 21);
    x->first_token_ms = real_column(st, 22);
}

/* The exchange's attachments (their strings point into `st`'s rows, so
 * they are copied). */
static int read_attachments(logdb *db, int64_t id, struct attachment **out, size_t *count) {
    sqlite3_stmt *st;
    size_t n = 0;
    struct attachment *list = NULL;
    int rc = sqlite3_prepare_v2(db->db,
                                "SELECT kind, name, path, sha256, bytes FROM attachments WHERE exchange_id = ?1"
                                " ORDER BY position",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct attachment *grown = realloc(list, (n + 1) * sizeof *list), *a;
        const char *path = text_column(st, 2), *hash = text_column(st, 3);
        if (!grown) {
            rc = SQLITE_NOMEM;
            break;
        }
        list = grown;
        a = &list[n++];
        memset(a, 0, sizeof *a);
        a->video = strcmp(text_column(st, 0) ? text_column(st, 0) : "", "video") == 0;
        a->name = strdup(text_column(st, 1) ? text_column(st, 1) : "");
        a->path = path ? strdup(path) : NULL;
        snprintf(a->sha256, sizeof a->sha256, "%s", hash ? hash : "");
        a->bytes = sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    *out = list;
    *count = n;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void free_attachments(struct attachment *list, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) free(list[i].name), free(list[i].path);
    free(list);
}

int logdb_each(struct cli *cli, logdb *db, int query, const char *arg, int limit, exchange_fn fn, void *user_data) {
    static const char recent_sql[] =
        "SELECT * FROM (SELECT " EXCHANGE_COLUMNS ", NULL FROM exchanges e ORDER BY e.id DESC LIMIT ?2)"
        " ORDER BY id";
    static const char conversation_sql[] =
        "SELECT " EXCHANGE_COLUMNS ", NULL FROM exchanges e WHERE e.conversation_id = ?1 ORDER BY e.id";
    static const char search_sql[] =
        "SELECT " EXCHANGE_COLUMNS ", snippet(exchanges_fts, -1, '[', ']', '...', 12)"
        " FROM exchanges_fts JOIN exchanges e ON e.id = exchanges_fts.rowid"
        " WHERE exchanges_fts MATCH ?1 ORDER BY rank LIMIT ?2";
    const char *sql = query == LOGS_SEARCH ? search_sql : query == LOGS_CONVERSATION ? conversation_sql : recent_sql;
    sqlite3_stmt *st;
    int rc, status = 0;
    if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) return db_error(cli, db, "cannot read");
    if (arg) sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    while (!status && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct exchange x;
        struct attachment *attachments = NULL;
        size_t count = 0;
        read_row(st, &x);
        if (read_attachments(db, x.id, &attachments, &count) != SQLITE_OK) {
            free_attachments(attachments, count);
            rc = SQLITE_ERROR;
            break;
        }
        x.attachments = attachments;
        x.attachment_count = count;
        status = fn(&x, text_column(st, 23), user_data);
        free_attachments(attachments, count);
    }
    if (!status && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        /* FTS5 says what is wrong with a query; that is the user's to fix. */
        if (query == LOGS_SEARCH && sqlite3_errcode(db->db) == SQLITE_ERROR)
            status = cli_error(cli, EXIT_USAGE, "search \"%s\": %s (an FTS5 query: words, \"a phrase\", a AND b, pre*)",
                               arg, sqlite3_errmsg(db->db));
        else status = db_error(cli, db, "cannot read");
    }
    sqlite3_finalize(st);
    return status;
}

int logdb_last_conversation(struct cli *cli, logdb *db, char cid[64]) {
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(db->db, "SELECT conversation_id FROM exchanges ORDER BY id DESC LIMIT 1", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(cli, db, "cannot read");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) snprintf(cid, 64, "%s", text_column(st, 0) ? text_column(st, 0) : "");
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) return 0;
    if (rc == SQLITE_DONE) return cli_error(cli, EXIT_USAGE, "no conversation to continue: nothing is logged yet");
    return db_error(cli, db, "cannot read");
}

int logdb_has_conversation(struct cli *cli, logdb *db, const char *cid) {
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM conversations WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_error(cli, db, "cannot read"), -1;
    sqlite3_bind_text(st, 1, cid, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    return db_error(cli, db, "cannot read"), -1;
}
