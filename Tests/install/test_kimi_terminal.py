"""The terminal is an interface too (issue 21, part 5; issue 26, part 6): a
terminal that records everything kimi writes to it never gets a raw escape
sequence or C1 control from a hostile server (Tests/hostile, case
"terminal"), while a pipe gets the model's bytes unchanged and --raw forces
them through; and `kimi chat -i` is a real line editor (libedit) there."""

import os
import re
import stat
import subprocess
import sys

import pytest

from kimi_helpers import BUILD, ROOT, Terminal, on_a_terminal, run

sys.path.insert(0, os.path.join(ROOT, "Tests", "hostile"))
import hostile_server  # noqa: E402  (the attack texts themselves)

MOCK = os.environ.get("KIMI_BASE_URL")
pytestmark = pytest.mark.skipif(not MOCK, reason="run through Tests/mock/with_mock.py (make test-install)")
KEY = "sk-terminal-test-key-0123456789abcdef"

#: kimi's own sequences: the reasoning's dim and reset, the progress bar's erase.
OWN = re.compile(rb"\x1b\[(?:2|0)m|\x1b\[K")


def harmless(output):
    """Nothing a terminal would act on: no ESC but kimi's own, no C0 but
    tab, CR and LF (the terminal turns LF into CR LF), no DEL, no C1 as a
    byte or as UTF-8."""
    rest = OWN.sub(b"", output)
    bad = [b for b in rest if (b < 0x20 and b not in b"\t\r\n") or b == 0x7F]
    text = rest.decode("utf-8")  # raises for a raw byte that is not UTF-8, such as 0x9b
    c1 = [c for c in text if 0x80 <= ord(c) <= 0x9F]
    return not bad and not c1


@pytest.fixture(scope="module")
def hostile():
    server = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/hostile/hostile_server.py"), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    yield f"http://127.0.0.1:{server.stdout.readline().split()[1]}"
    server.terminate()
    server.wait()


def test_the_escaping_function_on_its_own():
    done = run([os.path.join(BUILD, "tests", "test_cli_text")])
    assert done.returncode == 0 and done.stdout.strip().endswith("passed, 0 failed"), done.stdout + done.stderr


def test_hostile_server_text_is_shown_never_run(kimi, home, hostile):
    env = kimi.env(dict(home.env, MOONSHOT_API_KEY=KEY))
    model_text = hostile + "/terminal/v1"  # the model's own text, which no library gate changes
    commands = [(model_text, ["chat", "-v", "hi"]), (model_text, ["chat", "--reasoning-only", "hi"]),
                (model_text, ["chat", "--output", "json", "hi"]), (model_text, ["files", "content", "f"]),
                (model_text, ["logs", "show"]), (model_text, ["logs"]), (model_text, ["logs", "--json"])]
    # Every other field, with the key in it too (the hostile server's leak case).
    for how, args in (("models", ["models"]), ("models", ["models", "--json"]), ("models", ["models", "show", "m"]),
                      ("models", ["models", "show", "m", "--json"]), ("files", ["files", "list"]),
                      ("files", ["files", "list", "--json"]), ("files", ["files", "get", "f"]),
                      ("batches", ["batch", "list"]), ("batches", ["batch", "list", "--json"]),
                      ("batches", ["batch", "status", "b"]), ("stream", ["chat", "-v", "hi"]),
                      ("error", ["models"]), ("error", ["models", "show", "m"]), ("streamerror", ["chat", "hi"])):
        commands.append((f"{hostile}/leak/{how}/v1", args))
    for base, args in commands:
        status, shown = on_a_terminal([kimi.path, "--base-url", base] + args, env=env)
        assert harmless(shown), (base, args, shown)
        assert KEY[5:20].encode() not in shown, (base, args, shown)
        if "leak/error" in base or "streamerror" in base:
            assert status != 0 and shown.count(b"kimi ") == 1, (args, shown)  # one line saying why
        else:
            assert status == 0, (base, args, shown)
    # The model's sequences are there, made visible.
    status, shown = on_a_terminal([kimi.path, "--base-url", model_text, "chat", "--reasoning", "-v", "hi"], env=env)
    shown = shown.decode()
    assert "^[]52;c;cHduZWQ=^G" in shown and "^[]0;pwned title^G" in shown and "^[[2J^[[H" in shown
    assert "\\u009b31m" in shown and "^H^H^?^Mover done" in shown
    assert ", finish stop, " in shown and "request req-" in shown and KEY not in shown
    status, content = on_a_terminal([kimi.path, "--base-url", model_text, "files", "content", "f"], env=env)
    assert b"raw \\x9b31m c1 \\x9d0;t\\x9c end" in content  # C1 as raw bytes


def test_a_pipe_gets_the_models_bytes_unchanged(kimi, home, hostile):
    env = dict(home.env, MOONSHOT_API_KEY=KEY)
    answered = subprocess.run([kimi.path, "--base-url", hostile + "/terminal/v1", "chat", "--reasoning", "hi"],
                              capture_output=True, env=kimi.env(env), stdin=subprocess.DEVNULL, timeout=60)
    assert answered.returncode == 0, answered.stderr
    expected = hostile_server.TERMINAL_REASONING + "\n\n" + hostile_server.TERMINAL_CONTENT + "\n"
    assert answered.stdout == expected.encode()
    # The log keeps the bytes too, and shows them safely (above) or unchanged into a pipe.
    shown = subprocess.run([kimi.path, "logs", "show"], capture_output=True, env=kimi.env(env), timeout=60)
    assert hostile_server.TERMINAL_CONTENT.encode() in shown.stdout


def test_raw_forces_the_bytes_through_on_a_terminal(kimi, home, hostile):
    env = kimi.env(dict(home.env, MOONSHOT_API_KEY=KEY))
    status, shown = on_a_terminal([kimi.path, "--raw", "--base-url", hostile + "/terminal/v1", "chat", "hi"], env=env)
    assert status == 0 and hostile_server.TERMINAL_CONTENT.replace("\n", "\r\n").encode() in shown


# --- the line editor ---------------------------------------------------------------


def test_the_line_editor_keeps_history_and_reads_blocks(kimi, home):
    env = kimi.env(home.env)
    term = Terminal([kimi.path, "chat", "-i"], env=env)
    term.prompt()
    term.type(b"first\r")
    term.expect(b"You said: first")
    term.prompt()
    term.type(b"\x1b[A\r")  # the up arrow brings "first" back, not "\x1b[A"
    term.expect(b"You said: first")
    term.prompt()
    term.type(b'"""\rline one\rline two\r"""\r')
    term.expect(b"You said: line one\r\nline two")
    term.prompt()
    term.type(b"continued \\\rhere\r")
    term.expect(b"You said: continued \r\nhere")
    term.prompt()
    term.type(b"/system be brief\r")
    term.prompt()
    term.type(b"/save brief\r")
    term.expect(b"saved template brief")
    term.type(b"/nonsense\r")
    term.expect(b"unknown command /nonsense")
    term.type(b"//slash\r")
    term.expect(b"You said: /slash")
    term.prompt()
    term.type(b"\x04")  # Ctrl-D at an empty prompt ends the session
    assert term.finish() == 0
    assert b"[A" not in term.output
    assert os.path.exists(os.path.join(home.templates, "brief"))
    assert stat.S_IMODE(os.stat(home.history).st_mode) == 0o600
    # Logged as one conversation, the system prompt from /system on.
    logged = [line.split("\t") for line in kimi("logs", "-n", "10", env=home.env).stdout.splitlines()]
    assert len({row[2] for row in logged}) == 1 and logged[-1][-1] == "/slash"
    # The next session remembers.
    term = Terminal([kimi.path, "chat", "-i"], env=env)
    term.prompt()
    term.type(b"\x1b[A\r")
    term.expect(b"You said: /slash")
    term.prompt()
    term.type(b"\x03")  # Ctrl-C at the prompt ends the session too
    assert term.finish() == 130


def test_ctrl_c_stops_an_answer_and_the_session_goes_on(kimi, home):
    term = Terminal([kimi.path, "chat", "-i"], env=kimi.env(home.env))
    term.prompt()
    term.type(b"a b c d e f g h [[mock: delay_ms=200]]\r")
    term.expect(b"The user")
    term.type(b"\x03")
    term.expect(b"kimi chat: interrupted")
    term.prompt()
    term.type(b"again\r")
    term.expect(b"You said: again")
    term.prompt()
    term.type(b"/exit\r")
    assert term.finish() == 0
    # Stopped answers are not kept: the second question was asked on its own.
    logged = kimi("logs", "--json", env=home.env).stdout.splitlines()
    assert [line.split('"outcome": "')[1].split('"')[0] for line in logged] == ["interrupted", "complete"]


def test_a_hostile_history_file_does_not_hang_the_editor(kimi, home):
    os.makedirs(os.path.dirname(home.history))
    os.mkfifo(home.history)
    term = Terminal([kimi.path, "chat", "-i"], env=kimi.env(home.env))
    term.expect(b"is not a regular file")
    term.prompt()
    term.type(b"\x04")
    assert term.finish() == 0
