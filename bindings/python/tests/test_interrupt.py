"""Ctrl-C: SIGINT sent to a Python process blocked in a call on a silent
server raises KeyboardInterrupt at once (the idle timeout is 600 s), keeps a
stream's partial answer, and leaves the client usable."""

import os
import signal
import subprocess
import sys
import time

import pytest

CHILD = r"""
import os, signal, sys, time, libkimi
# As in a terminal: a shell that starts the tests in the background makes
# its children ignore SIGINT, and a process ignoring it is never interrupted.
signal.signal(signal.SIGINT, signal.default_int_handler)
client = libkimi.Client(api_key="sk-test", base_url=sys.argv[1], max_retries=0)
stall = {"X-Mock-Scenario": "stall_ms=30000"}
mode = sys.argv[2]

def blocked():
    if mode == "create":
        client.chat.completions.create(messages=[{"role": "user", "content": "x [[mock: stall_ms=30000]]"}])
    elif mode == "stream":
        global stream
        stream = client.chat.completions.create(
            messages=[{"role": "user", "content": "a b c [[mock: stall_after=3 stall_ms=30000]]"}], stream=True)
        for chunk in stream:
            pass
    elif mode == "upload":
        client.files.create(file=("big.txt", b"x" * 100000), purpose="file-extract", extra_headers=stall)
    elif mode == "models":
        client.models.list(extra_headers=stall)
    elif mode == "batch":
        path = os.path.join(os.environ["TMPDIR_FOR_TEST"], "in.jsonl")
        with libkimi.BatchInput(path) as lines:
            lines.add("one", messages=[{"role": "user", "content": "hi"}])
        batch = client.batches.submit(path)
        client.batches.wait(batch, poll_interval=60)
    elif mode == "conversation":
        with client.conversation() as conv:
            conv.add_message("user", "x [[mock: stall_ms=30000]]")
            conv.run()

print("ready", flush=True)
try:
    blocked()
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    if mode == "stream":
        print("partial", stream.completion.choices[0].message.reasoning_content, flush=True)
    again = client.chat.completions.create(messages=[{"role": "user", "content": "again"}])
    print("usable", again.choices[0].message.content, flush=True)
"""


def interrupt(mock_url, mode, tmp_path, wait=0.7):
    """Runs CHILD in `mode`, sends SIGINT once it is blocked; returns its
    output lines and the seconds from the signal to "interrupted"."""
    environment = dict(os.environ, TMPDIR_FOR_TEST=str(tmp_path))
    child = subprocess.Popen([sys.executable, "-c", CHILD, mock_url, mode], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=environment)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(wait)  # let it get into the blocking call
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        first = child.stdout.readline().strip()
        elapsed = time.monotonic() - sent
        rest = child.stdout.read()  # not communicate(): readline() may have buffered the next lines
        errors = child.stderr.read()
        child.wait(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0, errors
    return [first] + rest.splitlines(), elapsed


@pytest.mark.parametrize("mode", ["create", "stream", "upload", "models", "batch", "conversation"])
def test_sigint_interrupts_a_blocked_call(mock_url, tmp_path, mode):
    lines, elapsed = interrupt(mock_url, mode, tmp_path)
    assert lines[0] == "interrupted", lines
    # Measured here at 1-2 ms; the bound only keeps a loaded machine green.
    assert elapsed < 2, f"{mode}: KeyboardInterrupt {elapsed * 1000:.0f} ms after SIGINT"
    assert lines[-1] == "usable You said: again"
    if mode == "stream":
        assert lines[1] == "partial The user said \"a b c\".", lines


def test_a_custom_sigint_handler_is_left_alone(mock_url, tmp_path):
    code = CHILD.replace("print(\"ready\", flush=True)", "import signal\n"
                         "signal.signal(signal.SIGINT, lambda *a: print('handler', flush=True))\n"
                         "print('ready', flush=True)").replace("stall_ms=30000]]", "stall_ms=1500]]")
    child = subprocess.Popen([sys.executable, "-c", code, mock_url, "create"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        out, errors = child.communicate(timeout=30)
    finally:
        child.kill()
    # The call ran to its end; the handler ran when it returned.
    assert out.split() == ["handler", "finished"] or out.split() == ["finished", "handler"], (out, errors)


FORKING = r"""
import os, signal, sys, threading, time, libkimi
signal.signal(signal.SIGINT, signal.default_int_handler)
client = libkimi.Client(api_key="sk-test", base_url=sys.argv[1], max_retries=0)

def fork_and_interrupt_the_child():
    time.sleep(0.3)  # the main thread is in its call by now
    pid = os.fork()
    if pid == 0:
        # The child: SIGINT to itself. Its KeyboardInterrupt is its own.
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        os._exit(0)
    os.waitpid(pid, 0)
    print("child done", flush=True)

threading.Thread(target=fork_and_interrupt_the_child).start()
try:
    answer = client.chat.completions.create(messages=[{"role": "user", "content": "x [[mock: stall_ms=1500]]"}])
    print("parent finished:", answer.choices[0].message.content, flush=True)
except KeyboardInterrupt:
    print("parent interrupted", flush=True)
"""


def test_a_forked_childs_sigint_leaves_the_parents_call_alone(mock_url):
    """0.2.0: the child kept the parent's wakeup pipe, so SIGINT sent to the
    child cancelled the call the parent's main thread was in."""
    result = subprocess.run([sys.executable, "-c", FORKING, mock_url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=60)
    assert "child done" in result.stdout, result.stderr
    assert "parent finished: You said: x" in result.stdout, result.stdout + result.stderr
