"""Retries, TLS verification, redirects and keeping the key out of logs,
against the mock server (and a TLS copy of it)."""

import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.request

import pytest

import libkimi
from conftest import REPO, user

TLS = os.path.join(REPO, "Tests", "tls")


def mock_count(mock_url, key):
    with urllib.request.urlopen(mock_url.replace("/v1", f"/mock/count/{key}")) as r:
        return json.load(r)["count"]


def test_retries_until_success_and_logs_each(mock_url):
    lines = []
    with libkimi.Client(api_key="sk-test", base_url=mock_url, max_retries=2,
                        log=lambda level, message: lines.append(message), log_level="warn") as c:
        answer = c.chat.completions.create(
            messages=user("hi [[mock: status=503 type=server_error retry_after_ms=10 times=2 key=py-r1]]"))
        assert answer.choices[0].message.content == "You said: hi"
        with c.chat.completions.create(
                messages=user("yo [[mock: status=429 type=engine_overloaded_error retry_after_ms=10 times=1 key=py-r2]]"),
                stream=True) as stream:
            assert stream.text() == "You said: yo"
    assert mock_count(mock_url, "py-r1") == 3
    assert mock_count(mock_url, "py-r2") == 2
    assert sum(line.startswith("retry ") for line in lines) == 3


def test_quota_is_never_retried(mock_url):
    with libkimi.Client(api_key="sk-test", base_url=mock_url, max_retries=3) as c:
        with pytest.raises(libkimi.QuotaExceededError) as info:  # a 429, but not one to retry
            c.chat.completions.create(
                messages=user("x [[mock: status=429 type=exceeded_current_quota_error times=1 key=py-quota]]"))
    assert info.value.kind == "quota_exceeded"
    assert mock_count(mock_url, "py-quota") == 1


def test_max_retries_must_not_be_negative(mock_url):
    with pytest.raises(ValueError):
        libkimi.Client(api_key="sk-test", base_url=mock_url, max_retries=-1)


def tls_mock(host):
    """The mock over HTTPS on `host`, with the test certificate (which names
    127.0.0.1 and localhost)."""
    server = subprocess.Popen([sys.executable, os.path.join(REPO, "Tests/mock/kimi_mock.py"), "--host", host,
                               "--port", "0", "--tls", os.path.join(TLS, "cert.pem"), os.path.join(TLS, "key.pem")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = server.stdout.readline().split()[1]
    return server, f"https://{host}:{port}/v1"


@pytest.fixture(scope="module")
def tls_url():
    server, url = tls_mock("127.0.0.1")
    yield url
    server.terminate()
    server.wait()


def test_tls_peer_is_verified(tls_url):
    with libkimi.Client(api_key="sk-test", base_url=tls_url, max_retries=0) as c:
        with pytest.raises(libkimi.APIConnectionError) as info:
            c.chat.completions.create(messages=user("over TLS"))
    assert "certificate" in str(info.value).lower()
    # The same server is trusted once its CA is named.
    with libkimi.Client(api_key="sk-test", base_url=tls_url, ca_file=os.path.join(TLS, "cert.pem")) as c:
        assert c.chat.completions.create(messages=user("over TLS")).choices[0].message.content == "You said: over TLS"
        with c.chat.completions.create(messages=user("streamed over TLS"), stream=True) as stream:
            assert stream.text() == "You said: streamed over TLS"


def test_host_name_is_verified():
    # A trusted certificate, served from an address it does not name.
    server, url = tls_mock("127.0.0.2")
    try:
        with libkimi.Client(api_key="sk-test", base_url=url, ca_file=os.path.join(TLS, "cert.pem"),
                            max_retries=0) as c:
            with pytest.raises(libkimi.APIConnectionError) as info:
                c.chat.completions.create(messages=user("wrong name"))
    finally:
        server.terminate()
        server.wait()
    assert "no alternative certificate subject name matches target host name '127.0.0.2'" in str(info.value)


def test_redirect_to_another_host_is_not_followed(mock_url):
    seen = []

    class Other(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(dict(self.headers))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    other = http.server.HTTPServer(("127.0.0.1", 0), Other)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{other.server_address[1]}/steal"
    try:
        with libkimi.Client(api_key="sk-SECRET-r3d1xQ9zW7", base_url=mock_url) as c:
            with pytest.raises(libkimi.APIStatusError) as info:
                c.chat.completions.create(messages=user(f"x [[mock: redirect={target}]]"))
    finally:
        other.shutdown()
    assert info.value.status_code == 307
    assert f"redirect to {target} not followed" in str(info.value)
    assert seen == []


SCRIPT = """
import libkimi
with libkimi.Client(api_key="sk-SECRET-in-a-log", base_url={url!r}) as c:
    print(c.chat.completions.create(messages=[{{"role": "user", "content": "logged"}}]).choices[0].message.content)
    try:
        c.chat.completions.create(messages=[{{"role": "user", "content": "x [[mock: echo_auth]]"}}])
    except libkimi.APIError as e:
        print(e)
"""


def test_kimi_log_debug_redacts_the_key(mock_url):
    env = dict(os.environ, KIMI_LOG="debug")
    result = subprocess.run([sys.executable, "-c", SCRIPT.format(url=mock_url)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    assert "You said: logged" in result.stdout
    assert "libkimi debug: > Authorization: [redacted]" in result.stderr
    assert "libkimi debug: < HTTP/1.1 200 OK" in result.stderr
    assert "Bearer [redacted]" in result.stdout
    assert "SECRET" not in result.stdout + result.stderr


def test_max_connections_queues_instead_of_failing(mock_url):
    with libkimi.Client(api_key="sk-test", base_url=mock_url, max_connections=3) as c:
        def call(i):
            return c.chat.completions.create(
                messages=user(f"n{i} [[mock: stall_ms=50 key=py-cap]]")).choices[0].message.content

        results = {}
        threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, call(i))) for i in range(9)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == {i: f"You said: n{i}" for i in range(9)}
    with urllib.request.urlopen(mock_url.replace("/v1", "/mock/count/py-cap")) as r:
        stats = json.load(r)
    assert stats["count"] == 9 and stats["peak"] == 3


def test_close_from_another_thread_stops_a_blocked_reader(client):
    import time
    stream = client.chat.completions.create(
        messages=user("hi there [[mock: stall_after=1 stall_ms=5000]]"), stream=True)
    pieces = []
    closer = threading.Timer(0.2, stream.close)
    started = time.monotonic()
    closer.start()
    with pytest.raises(libkimi.StreamAborted) as caught:
        for chunk in stream:
            pieces.append(chunk.choices[0].delta.content if chunk.choices else None)
    closer.join()
    assert time.monotonic() - started < 3
    assert "cancelled" in str(caught.value)
    # What arrived is kept, and the stream is over for good (no freed memory touched).
    assert caught.value.partial is not None
    assert caught.value.partial.choices[0].message.content == "You "
    assert list(stream) == []
    stream.close()
    # The client goes on working.
    assert client.chat.completions.create(messages=user("again")).choices[0].message.content == "You said: again"


GATE_KEY = "sk-GATE-py-0123456789abcdefghij"


def clean(text, multiline=False):
    """No piece of 8 or more characters of the key, no control character."""
    text = str(text)
    pieces = {GATE_KEY[i:i + 8] for i in range(len(GATE_KEY) - 7)}
    allowed = "\n\t" if multiline else ""
    return (not any(p in text for p in pieces)
            and not any((ord(c) < 0x20 and c not in allowed) or 0x7F <= ord(c) <= 0x9F for c in text))


def test_server_texts_pass_the_gate(mock_url):
    """A server that puts the key and terminal control sequences into an
    error's type, code, message and request id, and the key into a good
    answer's request id: none of it reaches an exception field, its text,
    its pickle or a raw response (0.2.0 handed type, code and request id
    out verbatim)."""
    import pickle
    with libkimi.Client(api_key=GATE_KEY, base_url=mock_url) as c:
        with pytest.raises(libkimi.APIStatusError) as info:
            c.chat.completions.create(messages=user("x [[mock: echo_auth=fields]]"))
        e = info.value
        for text in (e.type, e.code, e.request_id, str(e), e.message):
            assert clean(text), text
        assert "[redacted]" in e.type and "[redacted]" in e.code and "[redacted]" in e.request_id
        assert clean(json.dumps(e.body), multiline=True)
        assert GATE_KEY[:8].encode() not in pickle.dumps(e)
        assert GATE_KEY[8:16].encode() not in pickle.dumps(e)
        raw = c.chat.completions.with_raw_response.create(messages=user("x [[mock: echo_auth=header]]"))
        assert clean(raw.request_id) and "[redacted]" in raw.request_id
        assert clean(raw.headers.get("x-request-id"))


def test_nul_in_extra_headers_and_query_is_refused(client):
    for options in ({"extra_headers": {"X-A": "a\0b"}}, {"extra_query": {"q": "a\0b"}},
                    {"extra_headers": {"X\0A": "a"}}):
        with pytest.raises(ValueError, match="NUL"):
            client.chat.completions.create(messages=user("hi"), **options)


def strings_of(value, path=""):
    """Every (path, string) in a nested dict/list."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, member in value.items():
            yield from strings_of(key, path + "/<key>")
            yield from strings_of(member, f"{path}/{key}")
    elif isinstance(value, (list, tuple)):
        for i, element in enumerate(value):
            yield from strings_of(element, f"{path}/{i}")


MODEL_TEXT = ("/message/content", "/message/reasoning_content", "/function/arguments")


def test_objects_built_from_exported_json_hold_no_control_character(hostile_url):
    """A server that writes control characters as JSON escapes (\\u001b):
    the objects Python builds from the library's JSON exports (responses,
    batches, error bodies) hold none of them, nor the key; the model's own
    text is kept as sent."""
    for case in ("answer", "files", "batches"):
        with libkimi.Client(api_key=GATE_KEY, base_url=f"{hostile_url}/leak/{case}/v1") as c:
            if case == "answer":
                for value in (c.chat.completions.create(messages=user("hi")).to_dict(),
                              c.chat.completions.with_raw_response.create(messages=user("hi")).parse().to_dict()):
                    for path, text in strings_of(value):
                        if not path.endswith(MODEL_TEXT):
                            assert clean(text, multiline=True), (path, text)
            elif case == "files":
                for f in c.files.list():
                    for path, text in strings_of(f.to_dict()):
                        assert clean(text, multiline=True), (path, text)
            else:
                for b in c.batches.list():
                    for path, text in strings_of(b.to_dict()):
                        assert clean(text, multiline=True), (path, text)
    with libkimi.Client(api_key=GATE_KEY, base_url=f"{hostile_url}/leak/error/v1", max_retries=0) as c:
        with pytest.raises(libkimi.APIStatusError) as info:
            c.chat.completions.create(messages=user("hi"))
        for path, text in strings_of(info.value.body):
            assert clean(text, multiline=True), (path, text)
