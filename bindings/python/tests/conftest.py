"""Fixtures: a mock Kimi server for the whole session, clients for it, and
the shared sample media (Tests/media/make_samples.py)."""

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def serve(script):
    """Runs a server script of the repository that prints "PORT <n>" on a
    free port; yields its http://127.0.0.1:<n> and stops it afterwards."""
    server = subprocess.Popen([sys.executable, os.path.join(REPO, script), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        port = server.stdout.readline().split()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


class FixedBody:
    """A local server answering every POST with `body` (bytes, settable
    between requests) as `content_type`: a hostile answer's exact shape.
    close() stops it."""

    def __init__(self, content_type, body=b""):
        import http.server
        import threading
        owner = self
        self.body = body

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self.send_response(200)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def mock_url():
    for url in serve("Tests/mock/kimi_mock.py"):
        yield url + "/v1"


@pytest.fixture(scope="session")
def hostile_url():
    """The hostile server (Tests/hostile): a case is a path, base URL
    f"{hostile_url}/<case>/v1"."""
    yield from serve("Tests/hostile/hostile_server.py")


@pytest.fixture
def client(mock_url):
    import libkimi
    with libkimi.Client(api_key="sk-test", base_url=mock_url) as c:
        yield c


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    subprocess.run([sys.executable, os.path.join(REPO, "Tests/media/make_samples.py"), str(out)], check=True)
    return out


def user(text):
    return [{"role": "user", "content": text}]


def fnv1a(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def manifest(samples):
    return json.loads((samples / "manifest.json").read_text())
