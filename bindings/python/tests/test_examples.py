"""The Python examples run against the mock (so they stay in step with the API)."""

import os
import subprocess
import sys

import pytest

from conftest import REPO

EXAMPLES = os.path.join(REPO, "examples", "python")


@pytest.mark.parametrize("args, expected", [
    (["chat.py", "hi"], "You said: hi"),
    (["stream.py", "why"], "You said: why"),
    (["image.py", "{samples}/image.gif"], "[image image/gif 41 bytes"),
    (["agent.py", "sum"], "Tool results: calculator="),
    (["document_qa.py", "{samples}/notes.txt", "What is it?"], "You said: What is it?"),
])
def test_example(args, expected, mock_url, samples):
    env = dict(os.environ, KIMI_BASE_URL=mock_url, MOONSHOT_API_KEY="sk-test")
    argv = [sys.executable, os.path.join(EXAMPLES, args[0])] + [a.format(samples=samples) for a in args[1:]]
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
