#!/usr/bin/env python3
"""Runs a command against a fresh mock Kimi server.

    python3 Tests/mock/with_mock.py [--hostile] -- COMMAND [ARGS...]

Starts kimi_mock.py on a free loopback port, then runs COMMAND with
KIMI_BASE_URL=http://127.0.0.1:<port>/v1, KIMI_MOCK_PORT=<port> and
MOONSHOT_API_KEY=sk-test-mock (so a real key in the environment is never
sent to the mock), and stops the server afterwards. With --hostile it also
starts Tests/hostile/hostile_server.py and Tests/recorder/recording_server.py
and sets KIMI_HOSTILE_PORT and KIMI_RECORDER_PORT. Exits with COMMAND's
status.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def start(script):
    """Starts a server script that prints "PORT <n>" first; returns (process, port)."""
    server = subprocess.Popen([sys.executable, script, "--port", "0"], stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        sys.exit(f"with_mock: {os.path.basename(script)} did not start (got {line!r})")
    return server, line.split()[1]


def main(argv):
    hostile = "--hostile" in argv[:argv.index("--")] if "--" in argv else False
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        sys.exit(__doc__)
    servers = []
    try:
        server, port = start(os.path.join(HERE, "kimi_mock.py"))
        servers.append(server)
        env = dict(os.environ, KIMI_BASE_URL=f"http://127.0.0.1:{port}/v1", KIMI_MOCK_PORT=port,
                   MOONSHOT_API_KEY="sk-test-mock")
        env.pop("KIMI_API_KEY", None)
        if hostile:
            server, hostile_port = start(os.path.join(os.path.dirname(HERE), "hostile", "hostile_server.py"))
            servers.append(server)
            env["KIMI_HOSTILE_PORT"] = hostile_port
            server, recorder_port = start(os.path.join(os.path.dirname(HERE), "recorder", "recording_server.py"))
            servers.append(server)
            env["KIMI_RECORDER_PORT"] = recorder_port
        return subprocess.call(argv, env=env)
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
