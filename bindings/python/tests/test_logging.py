"""The library's log lines in Python's logging, KIMI_LOG, and a bad KIMI_LOG."""

import logging
import os
import subprocess
import sys

import libkimi
from conftest import user


def test_lines_reach_the_libkimi_logger(mock_url, caplog, monkeypatch):
    monkeypatch.delenv("KIMI_LOG", raising=False)
    with caplog.at_level(logging.DEBUG, logger="libkimi"):
        with libkimi.Client(api_key="sk-log-SECRET-123456", base_url=mock_url, max_retries=1) as client:
            client.chat.completions.create(messages=user(
                "x [[mock: status=503 type=server_error times=1 key=py-log-retry]]"))
    records = [r for r in caplog.records if r.name == "libkimi"]
    assert any(r.levelno == logging.WARNING and "retry 1 of 1" in r.getMessage() for r in records)
    assert any(r.levelno == logging.DEBUG for r in records)  # the exchange itself
    assert not any("SECRET-123456" in r.getMessage() for r in records)


def test_nothing_is_asked_for_when_the_logger_is_quiet(mock_url, caplog, monkeypatch):
    monkeypatch.delenv("KIMI_LOG", raising=False)
    with caplog.at_level(logging.ERROR, logger="libkimi"):
        with libkimi.Client(api_key="sk-test", base_url=mock_url, max_retries=1) as client:
            client.chat.completions.create(messages=user(
                "x [[mock: status=503 type=server_error times=1 key=py-log-quiet]]"))
    assert not [r for r in caplog.records if r.name == "libkimi"]


def test_kimi_log_still_writes_to_stderr_and_a_bad_value_is_said_once(mock_url):
    code = ("import libkimi\n"
            f"for _ in range(2):\n"
            f"    with libkimi.Client(api_key='sk-test', base_url={mock_url!r}, max_retries=1) as c:\n"
            "        c.chat.completions.create(messages=[{'role': 'user', 'content': "
            "'x [[mock: status=503 type=server_error times=1 key=KEY]]'}])\n")
    for value, expected in (("warn", "libkimi warn: retry 1 of 1"), ("verbose", "KIMI_LOG=verbose is not a log level")):
        result = subprocess.run([sys.executable, "-c", code.replace("KEY", f"env-{value}")], stderr=subprocess.PIPE,
                                text=True, env=dict(os.environ, KIMI_LOG=value))
        assert result.returncode == 0, result.stderr
        assert expected in result.stderr
        if value == "verbose":
            assert result.stderr.count("not a log level") == 1


def test_a_callable_log_and_a_level_name(mock_url):
    lines = []
    with libkimi.Client(api_key="sk-test", base_url=mock_url, max_retries=1,
                        log=lambda level, message: lines.append((level, message)), log_level="warn") as client:
        client.chat.completions.create(messages=user("x [[mock: status=503 type=server_error times=1 key=py-cb]]"))
    assert lines and lines[0][0] == 2 and "retry 1 of 1" in lines[0][1]
    try:
        libkimi.Client(api_key="sk-test", base_url=mock_url, log="loud")
    except ValueError as error:
        assert "error, warn, info, debug" in str(error)
    else:
        raise AssertionError("an unknown level name was accepted")
