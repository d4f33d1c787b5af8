"""openai-python scripts, sync and async, run unchanged against libkimi with
only the import changed: each prints a transcript of what it saw, and the
transcripts must match openai-python's own on the same mock server."""

import os
import subprocess
import sys

import pytest

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "openai_scripts")


def transcript(script, package, mock_url, tmp_path):
    source = open(os.path.join(HERE, script)).read()
    first, rest = source.split("\n", 1)
    assert first.startswith("import openai")
    if package == "libkimi":
        source = "import libkimi as openai  # the only change\n" + rest
    path = tmp_path / f"{package}_{script}"
    path.write_text(source)
    environment = dict(os.environ, KIMI_BASE_URL=mock_url)
    result = subprocess.run([sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 0, f"{package}: {result.stderr[-3000:]}"
    return result.stdout


@pytest.mark.parametrize("script", ["sync_script.py", "async_script.py", "stream_helper_script.py",
                                    "pagination_script.py", "errors_script.py", "parse_script.py",
                                    "async_helpers_script.py", "files_script.py"])
def test_the_same_script_sees_the_same_things(script, mock_url, tmp_path):
    pytest.importorskip("openai", reason="make test installs openai-python in the test venv")
    expected = transcript(script, "openai", mock_url, tmp_path)
    assert transcript(script, "libkimi", mock_url, tmp_path) == expected
