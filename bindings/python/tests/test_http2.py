"""HTTP/2: tasks on the event loop share one multiplexed connection when the
server offers h2 (curl's CURLPIPE_MULTIPLEX, PIPEWAIT). Uses the C task API
directly through the bindings' declarations, against Tests/mock/h2_server.py
(which needs the `h2` package; the test is skipped without it)."""

import ctypes
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

pytest.importorskip("h2")

import libkimi  # noqa: E402
from libkimi import _lib  # noqa: E402

L = _lib.functions
TLS = os.path.join(REPO, "Tests", "tls")


@pytest.fixture
def h2_url(tmp_path):
    stats = tmp_path / "stats.json"
    server = subprocess.Popen([sys.executable, os.path.join(REPO, "Tests/mock/h2_server.py"),
                               os.path.join(TLS, "cert.pem"), os.path.join(TLS, "key.pem"), str(stats)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = server.stdout.readline().split()[1]
    yield f"https://127.0.0.1:{port}/v1", stats
    server.terminate()
    server.wait()


def test_tasks_multiplex_over_one_connection(h2_url):
    url, stats = h2_url
    with libkimi.Client(api_key="sk-test", base_url=url, ca_file=os.path.join(TLS, "cert.pem")) as client:
        tasks = []
        for i in range(20):
            request = L.kimi_chat_request_new(b"kimi-k2.6")
            assert L.kimi_chat_request_add_message(request, b"user", f"stream {i}".encode()) == 0
            task = ctypes.c_void_p()
            assert L.kimi_chat_stream_start(client._handle.pointer, request, ctypes.cast(None, _lib.stream_cb), None,
                                            ctypes.byref(task)) == 0
            L.kimi_chat_request_free(request)
            tasks.append(task.value)
        for i, task in enumerate(tasks):
            assert L.kimi_task_wait(task, -1) == 0, libkimi._errors.last_error()
            response = ctypes.c_void_p()
            assert L.kimi_task_response(task, ctypes.byref(response)) == 0
            assert _lib.text(L.kimi_chat_response_content, response.value) == f"You said: stream {i}"
            L.kimi_chat_response_free(response.value)
            L.kimi_task_free(task)
    seen = json.loads(stats.read_text())
    assert seen["streams"] == 20
    assert seen["connections"] == 1  # all twenty on one connection
    assert seen["peak_open"] > 1     # and at the same time
