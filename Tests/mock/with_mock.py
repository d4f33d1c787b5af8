#!/usr/bin/env python3
"""Runs a command against a fresh mock Kimi server.

    python3 Tests/mock/with_mock.py [--keep-key] -- COMMAND [ARGS...]

Starts kimi_mock.py on a free loopback port, then runs COMMAND with
KIMI_BASE_URL=http://127.0.0.1:<port>/v1, KIMI_MOCK_PORT=<port> and
MOONSHOT_API_KEY=sk-test-mock (so a real key in the environment is never
sent to the mock), and stops the server afterwards. Exits with COMMAND's status.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        sys.exit(__doc__)
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "kimi_mock.py"), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line.startswith("PORT "):
            sys.exit(f"with_mock: the mock server did not start (got {line!r})")
        port = line.split()[1]
        env = dict(os.environ, KIMI_BASE_URL=f"http://127.0.0.1:{port}/v1", KIMI_MOCK_PORT=port,
                   MOONSHOT_API_KEY="sk-test-mock")
        env.pop("KIMI_API_KEY", None)
        return subprocess.call(argv, env=env)
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
