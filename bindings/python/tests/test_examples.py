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
    (["async_many.py", "one", "two"], "'two': You said: two"),
    (["image.py", "{samples}/image.gif"], "[image image/gif 41 bytes"),
    (["agent.py", "sum"], "Tool results: calculator="),
    (["document_qa.py", "{samples}/notes.txt", "What is it?"], "You said: What is it?"),
    (["batch_classify.py", "200", "0.01"], "200 reviews: 0 positive, 0 negative, 0 neutral, 200 unclear, 0 failed"),
])
def test_example(args, expected, mock_url, samples):
    env = dict(os.environ, KIMI_BASE_URL=mock_url, MOONSHOT_API_KEY="sk-test")
    argv = [sys.executable, os.path.join(EXAMPLES, args[0])] + [a.format(samples=samples) for a in args[1:]]
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_tool_loop_c_example(mock_url):
    """examples/tool_loop.c: the manual loop (create, append_response, tool results)."""
    env = dict(os.environ, KIMI_BASE_URL=mock_url, MOONSHOT_API_KEY="sk-test")
    result = subprocess.run([os.path.join(REPO, "build", "examples", "tool_loop")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Tool results: word_length=28 characters" in result.stdout


def test_batch_classify_c_example(mock_url, tmp_path):
    """examples/batch_classify.c: 1,000 prompts through a batch, a progress
    line, the total cost."""
    program = os.path.join(REPO, "build", "examples", "batch_classify")
    env = dict(os.environ, KIMI_BASE_URL=mock_url, MOONSHOT_API_KEY="sk-test")
    result = subprocess.run([program, "1000", "10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "completed   1000/1000 done, 0 failed" in result.stderr
    assert result.stdout.startswith("1000 reviews: ")
    assert "total cost $" in result.stdout and "total cost $0.000000" not in result.stdout
    assert not any(tmp_path.iterdir())  # the input file is removed
