"""Conversations persist (issue 26, part 4): every exchange in
$XDG_DATA_HOME/kimi/logs.db (SQLite, WAL, FTS5) without the key, `kimi logs`,
continuing with -c and --cid (history resent with reasoning as Kimi's rules
want it), schema versions and migrations, several kimi processes at once,
and a log database that is broken or not a database at all."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import urllib.request

import pytest

from kimi_helpers import BUILD, ROOT

MOCK = os.environ.get("KIMI_BASE_URL")
pytestmark = pytest.mark.skipif(not MOCK, reason="run through Tests/mock/with_mock.py (make test-install)")
IMAGE = os.path.join(BUILD, "samples", "image.png")
KEY = "sk-a-secret-key-nobody-may-log-0123456789"


def jsonl(text):
    return [json.loads(line) for line in text.splitlines()]


def rows(home, sql="SELECT * FROM exchanges ORDER BY id"):
    db = sqlite3.connect(home.logs_db)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(sql)]
    finally:
        db.close()


@pytest.fixture
def recorder():
    """Tests/recorder/recording_server.py: the bodies kimi sent."""
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/recorder/recording_server.py"), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{server.stdout.readline().split()[1]}"

    def sent():
        with urllib.request.urlopen(url + "/recorded") as seen:
            return [r["body"] for r in json.load(seen) if r["method"] == "POST"]
    sent.base_url = url + "/v1"
    yield sent
    server.terminate()
    server.wait()


def test_every_exchange_is_logged_and_the_key_never(kimi, home, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    env = dict(home.env, MOONSHOT_API_KEY="")
    auth = ["--api-key-file", str(key_file)]
    assert kimi(*auth, "chat", "-s", "be brief", "--image", IMAGE, "what is this", env=env).returncode == 0
    assert kimi(*auth, "chat", "--max-tokens", "3", "cut short while thinking", env=env).returncode == 4
    assert kimi(*auth, "chat", "x [[mock: cut_after=1]]", env=env).returncode == 23
    assert kimi(*auth, "chat", "x [[mock: status=400 type=invalid_request_error message=no]]", env=env).returncode == 17
    # The server echoes the key where kimi keeps what it says: the request id.
    assert kimi(*auth, "chat", "x [[mock: echo_auth]]", env=env).returncode == 17
    logged = rows(home)
    assert [r["outcome"] for r in logged] == ["complete", "length", "cut", "failed", "failed"]
    first = logged[0]
    assert first["system"] == "be brief" and first["prompt"] == "what is this" and first["model"] == "kimi-k2.6"
    assert first["answer"].startswith("You said: what is this [image image/png")
    assert first["reasoning"] == 'The user said "what is this".'
    assert first["prompt_tokens"] > 0 and first["completion_tokens"] > 0 and first["cost_usd"] > 0
    assert first["request_id"].startswith("req-mock-") and first["elapsed_ms"] > 0 and first["first_token_ms"] > 0
    assert first["finish_reason"] == "stop" and first["exit_status"] == 0 and first["base_url"] == MOCK
    attached = rows(home, "SELECT * FROM attachments")
    assert attached == [{"exchange_id": first["id"], "position": 0, "kind": "image", "name": IMAGE, "path": IMAGE,
                         "sha256": hashlib.sha256(open(IMAGE, "rb").read()).hexdigest(),
                         "bytes": os.path.getsize(IMAGE)}]
    assert logged[1]["answer"] == "" and logged[1]["finish_reason"] == "length" and logged[1]["exit_status"] == 4
    assert logged[3]["error"] and logged[3]["exit_status"] == 17
    # No piece of the key anywhere in the database's files.
    for name in os.listdir(os.path.dirname(home.logs_db)):
        data = open(os.path.join(os.path.dirname(home.logs_db), name), "rb").read()
        assert KEY[10:30].encode() not in data and KEY.encode() not in data, name
    assert os.stat(home.logs_db).st_mode & 0o077 == 0  # prompts are private


def test_kimi_logs_lists_shows_and_searches(kimi, home):
    for prompt in ("the first question", "about penguins", "about walruses"):
        kimi("chat", prompt, env=home.env)
    listed = kimi("logs", env=home.env).stdout.splitlines()
    assert len(listed) == 3 and listed[0].split("\t")[-1] == "the first question"
    assert kimi("logs", "-n", "1", env=home.env).stdout.split("\t")[-1] == "about walruses\n"
    found = kimi("logs", "search", "penguins", env=home.env).stdout.splitlines()
    assert len(found) == 1 and "[penguins]" in found[0]
    found = jsonl(kimi("logs", "search", "about", "--json", env=home.env).stdout)
    assert sorted(f["prompt"] for f in found) == ["about penguins", "about walruses"]
    shown = kimi("logs", "show", env=home.env).stdout
    assert "> about walruses" in shown and "You said: about walruses" in shown
    bad = kimi("logs", "search", '"unbalanced', env=home.env)
    assert bad.returncode == 2 and "FTS5" in bad.stderr
    assert kimi("logs", "path", env=home.env).stdout.strip() == home.logs_db
    assert kimi("logs", "show", "no-such-id", env=home.env).returncode == 2


def test_continue_resends_the_history(kimi, home, recorder):
    first = kimi("chat", "--thinking", "keep", "-s", "be brief", "first question", env=home.env)
    assert first.returncode == 0
    # Continued against another server: the history comes from the log.
    again = kimi("--base-url", recorder.base_url, "chat", "-c", "second question", env=dict(home.env, MOONSHOT_API_KEY="sk-x"))
    assert again.returncode == 0 and again.stdout == "ok\n", again.stderr
    body = recorder()[-1]
    assert body["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first question"},
        # thinking "keep" (kept from the conversation): Kimi wants every turn's reasoning back
        {"role": "assistant", "content": "You said: first question",
         "reasoning_content": 'The user said "first question".'},
        {"role": "user", "content": "second question"}]
    assert body["thinking"] == {"type": "enabled", "keep": "all"}
    logged = rows(home)
    assert logged[0]["conversation_id"] == logged[1]["conversation_id"]
    # Without "keep" the earlier reasoning is not sent back.
    kimi("chat", "another", env=home.env)
    kimi("--base-url", recorder.base_url, "chat", "-c", "and on", env=dict(home.env, MOONSHOT_API_KEY="sk-x"))
    assert recorder()[-1]["messages"][1] == {"role": "assistant", "content": "You said: another"}


def test_cid_continues_a_given_conversation(kimi, home, recorder):
    kimi("chat", "topic one", env=home.env)
    kimi("chat", "topic two", env=home.env)
    one, two = rows(home)
    kimi("--base-url", recorder.base_url, "chat", "--cid", one["conversation_id"], "more on one",
         env=dict(home.env, MOONSHOT_API_KEY="sk-x"))
    assert [m["content"] for m in recorder()[-1]["messages"]] == ["topic one", "You said: topic one", "more on one"]
    assert rows(home)[-1]["conversation_id"] == one["conversation_id"]
    unknown = kimi("chat", "--cid", "0123456789abcdef", "x", env=home.env)
    assert unknown.returncode == 2 and "no conversation" in unknown.stderr
    listed = kimi("logs", "--cid", one["conversation_id"], env=home.env).stdout.splitlines()
    assert [line.split("\t")[-1] for line in listed] == ["topic one", "more on one"]


def test_continue_with_nothing_logged_and_with_an_attachment_gone(kimi, home, tmp_path, recorder):
    nothing = kimi("chat", "-c", "x", env=home.env)
    assert nothing.returncode == 2 and "nothing is logged yet" in nothing.stderr
    picture = tmp_path / "picture.png"
    picture.write_bytes(open(IMAGE, "rb").read())
    assert kimi("chat", "--image", str(picture), "look", env=home.env).returncode == 0
    env = dict(home.env, MOONSHOT_API_KEY="sk-x")
    kimi("--base-url", recorder.base_url, "chat", "-c", "still there?", env=env)
    parts = recorder()[-1]["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "image_url"]  # the same file: sent again
    picture.write_bytes(b"changed")
    changed = kimi("--base-url", recorder.base_url, "chat", "-c", "and now?", env=env)
    assert "is gone or changed; it is left out" in changed.stderr
    parts = recorder()[-1]["messages"][0]["content"]
    assert [p["type"] for p in parts] == ["text", "text"] and "no longer available" in parts[1]["text"]


def test_several_kimi_processes_log_at_once(kimi, home):
    # A fresh database: the processes also race to create the schema.
    children = [subprocess.Popen([kimi.path, "chat", f"process {i}"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=kimi.env(home.env))
                for i in range(12)]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    logged = rows(home)
    assert sorted(r["prompt"] for r in logged) == sorted(f"process {i}" for i in range(12))
    assert len({r["conversation_id"] for r in logged}) == 12
    db = sqlite3.connect(home.logs_db)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT count(*) FROM exchanges_fts WHERE exchanges_fts MATCH 'process'").fetchone()[0] == 12
    db.close()


SCHEMA_1 = """
CREATE TABLE conversations (id TEXT PRIMARY KEY, started_at TEXT NOT NULL);
CREATE TABLE exchanges (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL REFERENCES conversations(id),
  started_at TEXT NOT NULL, model TEXT NOT NULL, response_model TEXT, base_url TEXT, system TEXT,
  prompt TEXT NOT NULL, reasoning TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL DEFAULT '',
  options TEXT NOT NULL DEFAULT '{}', finish_reason TEXT, outcome TEXT NOT NULL, error TEXT,
  exit_status INTEGER NOT NULL, prompt_tokens INTEGER, cached_tokens INTEGER, completion_tokens INTEGER,
  cost_usd REAL, request_id TEXT, completion_id TEXT, elapsed_ms REAL, first_token_ms REAL);
CREATE INDEX exchanges_by_conversation ON exchanges(conversation_id, id);
CREATE TABLE attachments (exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
  position INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, path TEXT, sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL, PRIMARY KEY (exchange_id, position));
INSERT INTO conversations VALUES ('c0ffee', '2025-01-01T00:00:00.000Z');
INSERT INTO exchanges (conversation_id, started_at, model, prompt, answer, outcome, exit_status)
  VALUES ('c0ffee', '2025-01-01T00:00:00.000Z', 'kimi-k2.6', 'an old albatross', 'You said: an old albatross',
          'complete', 0);
PRAGMA user_version = 1;
"""


def test_an_older_schema_is_migrated(kimi, home):
    os.makedirs(os.path.dirname(home.logs_db))
    db = sqlite3.connect(home.logs_db)
    db.executescript(SCHEMA_1)
    db.close()
    found = kimi("logs", "search", "albatross", env=home.env)  # full-text search came with schema 2
    assert found.returncode == 0 and "[albatross]" in found.stdout, found.stderr
    assert kimi("chat", "-c", "and a new one", env=home.env).returncode == 0
    assert [r["conversation_id"] for r in rows(home)] == ["c0ffee", "c0ffee"]
    assert sqlite3.connect(home.logs_db).execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_broken_log_database(kimi, home):
    os.makedirs(os.path.dirname(home.logs_db))
    db = sqlite3.connect(home.logs_db)
    db.execute("PRAGMA user_version = 99")
    db.close()
    newer = kimi("chat", "x", env=home.env)
    assert newer.returncode == 6 and "newer kimi" in newer.stderr and newer.stdout == ""
    assert kimi("chat", "--no-log", "x", env=home.env).returncode == 0
    os.unlink(home.logs_db)
    with open(home.logs_db, "wb") as f:
        f.write(b"this is not a database at all" * 100)
    garbage = kimi("chat", "x", env=home.env)
    assert garbage.returncode == 6 and "--no-log" in garbage.stderr
    assert kimi("logs", env=home.env).returncode == 6
    os.unlink(home.logs_db)
    os.mkfifo(home.logs_db)  # must not block
    fifo = kimi("chat", "x", env=home.env)
    assert fifo.returncode == 6 and "not a regular file" in fifo.stderr
    assert kimi("logs", env=home.env).returncode == 6


def test_logging_can_be_turned_off(kimi, home):
    assert kimi("chat", "--no-log", "x", env=home.env).returncode == 0
    assert not os.path.exists(home.logs_db)
    home.write_config("log = off\n")
    assert kimi("chat", "x", env=home.env).returncode == 0
    assert not os.path.exists(home.logs_db)
    assert kimi("logs", env=home.env).stdout == ""
