"""Kimi's rules from Python, against a server that records what arrives
(Tests/recorder/recording_server.py): max_tokens= is sent as
max_completion_tokens, the completion budget is fitted to the window, and
what Kimi would refuse never leaves."""

import asyncio
import json
import logging
import urllib.request

import pytest

import libkimi
from conftest import serve, user


@pytest.fixture(scope="module")
def recorder():
    yield from serve("Tests/recorder/recording_server.py")


def arrived(recorder):
    with urllib.request.urlopen(recorder + "/recorded") as answer:
        return json.load(answer)


@pytest.fixture
def client(recorder):
    arrived(recorder)
    with libkimi.Client(api_key="sk-test", base_url=recorder + "/v1", max_retries=0) as c:
        yield c


def test_max_tokens_is_sent_as_max_completion_tokens(client, recorder, caplog):
    with caplog.at_level(logging.WARNING, logger="libkimi"):
        client.chat.completions.create(messages=user("hi"), max_tokens=100)
        client.chat.completions.create(messages=user("hi"), max_tokens=100)
    bodies = [r["body"] for r in arrived(recorder)]
    assert [b.get("max_completion_tokens") for b in bodies] == [100, 100]
    assert not any("max_tokens" in b for b in bodies)
    notices = [r for r in caplog.records if r.name == "libkimi" and "max_completion_tokens" in r.getMessage()]
    assert len(notices) == 1 and notices[0].levelno == logging.WARNING
    with pytest.raises(libkimi.BadRequestError, match="disagree") as refused:
        client.chat.completions.create(messages=user("hi"), max_tokens=100, max_completion_tokens=200)
    assert "max_completion_tokens=..." in str(refused.value)
    assert arrived(recorder) == []


def test_fit_max_completion_tokens(client, recorder):
    messages = user("a long document [[tokens=200000]]")
    assert client.chat.completions.fit_max_completion_tokens(messages=messages) == 262144 - 200000
    assert client.chat.completions.fit_max_completion_tokens(messages=messages, max_completion_tokens=500) == 500
    with pytest.raises(libkimi.BadRequestError, match="the prompt alone takes 300000 tokens"):
        client.chat.completions.fit_max_completion_tokens(messages=user("[[tokens=300000]]"))
    assert [r["path"] for r in arrived(recorder)] == ["/v1/tokenizers/estimate-token-count"] * 3
    with pytest.raises(libkimi.BadRequestError, match="whole context window of 262144") as refused:
        client.chat.completions.create(messages=messages, max_completion_tokens=300000)
    assert "client.chat.completions.fit_max_completion_tokens(...)" in str(refused.value)
    assert arrived(recorder) == []

    async def fit():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=client.base_url) as aclient:
            return await aclient.chat.completions.fit_max_completion_tokens(messages=messages)
    assert asyncio.run(fit()) == 62144


def test_refused_before_sending(client, recorder):
    with pytest.raises(libkimi.BadRequestError, match=r"messages\[0\].content: empty"):
        client.chat.completions.create(messages=[{"role": "user", "content": []}])
    with pytest.raises(libkimi.BadRequestError, match=r"\$web_search does not work while thinking is on") as refused:
        client.chat.completions.create(messages=user("news"), tools=[{"type": "builtin_function",
                                                                       "function": {"name": "$web_search"}}])
    assert "kimi_" not in str(refused.value)
    assert arrived(recorder) == []


def test_no_continue_after_a_reasoning_only_cut(client, recorder):
    conversation = client.conversation()
    conversation.add_message("user", "think [[reasoning_cut]]")
    answer = conversation.create()
    assert answer.choices[0].finish_reason == "length"
    with pytest.raises(libkimi.BadRequestError, match="still reasoning") as refused:
        conversation.continue_()
    assert "max_completion_tokens=..." in str(refused.value)
    assert len(arrived(recorder)) == 1
