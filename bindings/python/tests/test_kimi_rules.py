"""Kimi's rules from Python, against a server that records what arrives
(Tests/recorder/recording_server.py): max_tokens= is sent as
max_completion_tokens, the completion budget is fitted to the window, and
what Kimi would refuse never leaves."""

import asyncio
import json
import logging
import subprocess
import sys
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
    with pytest.raises(libkimi.RequestRefusedError, match="disagree") as refused:
        client.chat.completions.create(messages=user("hi"), max_tokens=100, max_completion_tokens=200)
    assert "max_completion_tokens=..." in str(refused.value)
    assert arrived(recorder) == []


def test_fit_max_completion_tokens(client, recorder):
    messages = user("a long document [[tokens=200000]]")
    assert client.chat.completions.fit_max_completion_tokens(messages=messages) == 262144 - 200000
    assert client.chat.completions.fit_max_completion_tokens(messages=messages, max_completion_tokens=500) == 500
    with pytest.raises(libkimi.RequestRefusedError, match="the prompt alone takes 300000 tokens"):
        client.chat.completions.fit_max_completion_tokens(messages=user("[[tokens=300000]]"))
    assert [r["path"] for r in arrived(recorder)] == ["/v1/tokenizers/estimate-token-count"] * 3
    with pytest.raises(libkimi.RequestRefusedError, match="whole context window of 262144") as refused:
        client.chat.completions.create(messages=messages, max_completion_tokens=300000)
    assert "client.chat.completions.fit_max_completion_tokens(...)" in str(refused.value)
    assert arrived(recorder) == []

    async def fit():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=client.base_url) as aclient:
            return await aclient.chat.completions.fit_max_completion_tokens(messages=messages)
    assert asyncio.run(fit()) == 62144


def test_refused_before_sending(client, recorder):
    with pytest.raises(libkimi.RequestRefusedError, match=r"messages\[0\].content: empty"):
        client.chat.completions.create(messages=[{"role": "user", "content": []}])
    with pytest.raises(libkimi.RequestRefusedError, match=r"\$web_search does not work while thinking is on") as refused:
        client.chat.completions.create(messages=user("news"), tools=[{"type": "builtin_function",
                                                                       "function": {"name": "$web_search"}}])
    assert "kimi_" not in str(refused.value)
    assert arrived(recorder) == []


def test_no_continue_after_a_reasoning_only_cut(client, recorder):
    conversation = client.conversation()
    conversation.add_message("user", "think [[reasoning_cut]]")
    answer = conversation.create()
    assert answer.choices[0].finish_reason == "length"
    with pytest.raises(libkimi.RequestRefusedError, match="still reasoning") as refused:
        conversation.continue_()
    assert "max_completion_tokens=..." in str(refused.value)
    assert len(arrived(recorder)) == 1


# The same requests as Tests/c/test_kimi_rules.c, given the Python way:
# keyword fields and extra_body. The verdicts (and their messages) are the C
# library's, so both front ends refuse and send exactly the same bodies.

def test_the_rules_judge_the_body_as_sent(client, recorder):
    with pytest.raises(libkimi.RequestRefusedError, match=r'thinking: given twice, as a request field '
                                                      r'\(\{"type":"disabled"\}\) and in the extra JSON '
                                                      r'\(\{"type":"enabled"\}\)'):
        client.chat.completions.create(messages=user("hi"), thinking={"type": "disabled"},
                                       extra_body={"thinking": {"type": "enabled"}, "temperature": 0.6})
    with pytest.raises(libkimi.RequestRefusedError, match="temperature: kimi-k2.6 accepts only 1.0 with thinking on"):
        client.chat.completions.create(messages=user("hi"), temperature=0.6,
                                       extra_body={"thinking": {"type": "enabled"}})
    with pytest.raises(libkimi.RequestRefusedError, match="temperature: given twice"):
        client.chat.completions.create(messages=user("hi"), temperature=0.6, extra_body={"temperature": 1.0})
    with pytest.raises(libkimi.RequestRefusedError, match="messages: given twice"):
        client.chat.completions.create(messages=user("hi"), extra_body={"messages": user("other")})
    # extra_body goes as given: None is JSON null, as in openai-python
    with pytest.raises(libkimi.RequestRefusedError, match=r'thinking: given twice, .* and in the extra JSON \(null\)'):
        client.chat.completions.create(messages=user("hi"), thinking={"type": "disabled"}, extra_body={"thinking": None})
    with pytest.raises(libkimi.RequestRefusedError, match="seed: given twice, in the request's body"):
        client.chat.completions.create(messages=user("hi"), seed=1, extra_body={"seed": 2})
    assert arrived(recorder) == []
    # The same value both ways is one field; thinking off in extra_body makes "required" legal.
    client.chat.completions.create(messages=user("hi"), temperature=1, extra_body={"temperature": 1.0})
    client.chat.completions.create(messages=user("use it"), tool_choice="required",
                                   tools=[{"type": "function", "function": {"name": "lookup"}}],
                                   extra_body={"thinking": {"type": "disabled"}})
    first, second = [r["body"] for r in arrived(recorder)]
    assert first["temperature"] == 1
    assert second["thinking"] == {"type": "disabled"} and second["tool_choice"] == "required"


def test_empty_messages_and_data_uris(client, recorder):
    with pytest.raises(libkimi.RequestRefusedError, match="messages: empty; Kimi needs at least one message"):
        client.chat.completions.create(messages=[])
    bmp = "data:image/bmp;base64,Qk02AAAAAAAAADYAAAAoAAAA"
    part = {"type": "image_url", "image_url": {"url": bmp}}
    with pytest.raises(libkimi.RequestRefusedError, match=r'messages\[0\]\.content\[1\]\.image_url: mime: "image/bmp" '
                                                      r'is not a supported image type'):
        client.chat.completions.create(messages=[{"role": "user", "content": [{"type": "text", "text": "?"}, part]}])
    with pytest.raises(libkimi.RequestRefusedError, match="found a GIF image"):
        client.chat.completions.create(messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": "data:image/png;base64,R0lGODlhAQABAAAAACw="}]}])
    assert arrived(recorder) == []
    png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAAA=="
    client.chat.completions.create(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": png}]}])
    assert len(arrived(recorder)) == 1


def test_thinking_keep(client, recorder):
    with pytest.raises(libkimi.RequestRefusedError, match='thinking.keep: "last" is not a value Kimi takes'):
        client.chat.completions.create(messages=user("hi"), thinking={"type": "enabled", "keep": "last"})
    with pytest.raises(libkimi.RequestRefusedError, match="needs thinking enabled"):
        client.chat.completions.create(messages=user("hi"), extra_body={"thinking": {"type": "disabled", "keep": "all"}})
    with pytest.raises(libkimi.RequestRefusedError, match="kimi-k2.5 does not keep earlier turns' reasoning"):
        client.chat.completions.create(model="kimi-k2.5", messages=user("hi"),
                                       thinking={"type": "enabled", "keep": "all"})
    assert arrived(recorder) == []
    client.chat.completions.create(messages=user("hi"), thinking={"type": "enabled", "keep": "all"})
    assert arrived(recorder)[0]["body"]["thinking"] == {"type": "enabled", "keep": "all"}


def test_openai_only_fields_are_sent_and_said_once(client, recorder, caplog):
    with caplog.at_level(logging.WARNING, logger="libkimi"):
        for _ in range(2):
            client.chat.completions.create(messages=user("hi"), logprobs=True, top_logprobs=2, seed=1,
                                           service_tier="auto", parallel_tool_calls=False, store=False,
                                           extra_body={"user": "u-1"})
    lines = [r.getMessage() for r in caplog.records if r.name == "libkimi" and r.levelno == logging.WARNING]
    fields = ("logprobs", "top_logprobs", "seed", "service_tier", "parallel_tool_calls", "store", "user")
    assert sorted(line.split(":")[0] for line in lines) == sorted(fields)
    assert all("turn Kimi's rules off" in line for line in lines)
    bodies = [r["body"] for r in arrived(recorder)]
    assert len(bodies) == 2 and all(b["logprobs"] is True and b["user"] == "u-1" for b in bodies)


def test_rules_off_for_a_gateway(recorder, caplog):
    arrived(recorder)
    with libkimi.Client(api_key="sk-test", base_url=recorder + "/v1", kimi_rules=False) as c:
        with caplog.at_level(logging.WARNING, logger="libkimi"):
            c.chat.completions.create(messages=user("hi"), seed=1, temperature=0.3,
                                      extra_body={"thinking": {"type": "enabled"}})
    assert not [r for r in caplog.records if r.name == "libkimi" and r.levelno == logging.WARNING]
    body = arrived(recorder)[0]["body"]
    assert body["seed"] == 1 and body["temperature"] == 0.3


def test_an_empty_stop_answer_is_kept(client, recorder):
    for question in ("say nothing [[empty]]", "think, then say nothing [[empty_reasoned]]"):
        conversation = client.conversation()
        conversation.add_message("user", question)
        answer = conversation.create()
        assert answer.choices[0].finish_reason == "stop" and answer.choices[0].message.content == ""
        conversation.add_message("user", "and now?")
        conversation.create()
        assert len(conversation.messages) == 4
        sent = arrived(recorder)[-1]["body"]["messages"]
        assert sent[1] == {"role": "assistant", "content": ""}


def test_fitting_counts_tools(client, recorder):
    tool = {"type": "function", "function": {"name": "lookup", "description": "d" * 2000}}
    fitted = client.chat.completions.fit_max_completion_tokens(messages=user("doc [[tokens=200000]]"), tools=[tool])
    assert fitted < 262144 - 200000 - 2000
    with pytest.raises(libkimi.RequestRefusedError, match="for the tool definitions"):
        client.chat.completions.fit_max_completion_tokens(messages=user("[[tokens=261000]]"), tools=[tool])


def test_web_search_calls_are_priced(recorder):
    arrived(recorder)
    tokens = (10 * 0.60 + 5 * 3.00) / 1e6
    web_search = [{"type": "builtin_function", "function": {"name": "$web_search"}}]
    for pricing, fee in ((None, 0.005), ((0.60, 0.15, 3.00, 0.01), 0.01), ({"input": 0.6, "cached_input": 0.15,
                                                                           "output": 3.0, "web_search": 0}, 0)):
        with libkimi.Client(api_key="sk-test", base_url=recorder + "/v1", pricing=pricing) as c:
            answer = c.chat.completions.create(messages=user("news [[web_search]]"), tools=web_search,
                                               thinking={"type": "disabled"})
            assert answer.web_search_calls == 1
            assert answer.cost_usd == pytest.approx(tokens + fee)
            plain = c.chat.completions.create(messages=user("hi"))
            assert plain.web_search_calls == 0 and plain.cost_usd == pytest.approx(tokens)
            totals = c.usage
            assert totals.web_search_calls == 1 and totals.cost_usd == pytest.approx(2 * tokens + fee)
    with pytest.raises(libkimi.RequestRefusedError, match="web search price"):
        libkimi.Client(api_key="sk-test", base_url=recorder + "/v1", pricing=(1, 1, 1, -1))


def sent_body(recorder):
    """The last body the recorder got, byte for byte."""
    with urllib.request.urlopen(recorder + "/recorded/body") as answer:
        return answer.read()


def test_a_request_is_one_text_sent_as_built(client, recorder):
    # The fields and extra_body make one body, dumped once, sent as it is.
    messages = [{"role": "user", "content": "hé"}]
    client.chat.completions.create(model="kimi-k2.6", messages=messages, temperature=0.6,
                                   extra_body={"thinking": {"type": "disabled"}, "seed": 7})
    expected = {"model": "kimi-k2.6", "temperature": 0.6, "messages": messages,
                "thinking": {"type": "disabled"}, "seed": 7}
    sent = sent_body(recorder)
    assert json.loads(sent) == expected
    # Python's text, not the library's: json.dumps escapes é, the library's encoder would not.
    assert b'"h\\u00e9"' in sent and sent == json.dumps(json.loads(sent), separators=(",", ":")).encode()
    # Streamed: the call's own stream members in front, stream_options as given.
    stream = client.chat.completions.create(model="kimi-k2.6", messages=messages, stream=True,
                                            stream_options={"include_usage": True})
    list(stream)
    assert sent_body(recorder) == (b'{"stream":true,"stream_options":{"include_usage":true},'
                                   b'"model":"kimi-k2.6","messages":[{"role":"user","content":"h\\u00e9"}]}')
    # max_tokens is rewritten by the rules: the rewritten body goes.
    client.chat.completions.create(model="kimi-k2.6", messages=messages, max_tokens=5)
    assert json.loads(sent_body(recorder)) == {"model": "kimi-k2.6", "messages": messages, "max_completion_tokens": 5}
    arrived(recorder)


def test_extra_body_keeps_its_refusals(client, recorder):
    with pytest.raises(libkimi.RequestRefusedError, match='"stream" is chosen by the call made'):
        client.chat.completions.create(model="kimi-k2.6", messages=user("hi"), extra_body={"stream": True})
    with pytest.raises(libkimi.RequestRefusedError, match="model: given twice"):
        client.chat.completions.create(model="kimi-k2.6", messages=user("hi"), extra_body={"model": "kimi-k2.5"})
    assert arrived(recorder) == []


# A body that holds itself is refused before any recursion: with json's
# circular-reference markers it is a ValueError at the second visit; without
# them the encoder recursed to the recursion limit, which on a small thread
# stack (musl's default is 128 KiB) kills the process first.
CIRCULAR_IN_A_THREAD = """
import threading
from libkimi import _requests
loop = {}
loop["self"] = loop
said = []
def build():
    try:
        _requests.build("kimi-k2.6", [{"role": "user", "content": "hi"}], {"extra_body": {"x": loop}})
    except ValueError as error:
        said.append(str(error))
threading.stack_size(96 * 1024)
thread = threading.Thread(target=build)
thread.start()
thread.join()
print(said)
"""


def test_a_body_holding_itself_is_a_value_error_not_a_crash(client, recorder):
    loop = {}
    loop["self"] = loop
    with pytest.raises(ValueError, match="Circular reference"):
        client.chat.completions.create(model="kimi-k2.6", messages=user("hi"), extra_body={"x": loop})
    # The same list used twice is not a loop.
    twice = [1]
    client.chat.completions.create(model="kimi-k2.6", messages=user("hi"), extra_body={"a": twice, "b": twice})
    assert json.loads(sent_body(recorder))["b"] == [1]
    ran = subprocess.run([sys.executable, "-c", CIRCULAR_IN_A_THREAD], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert "Circular reference" in ran.stdout
    arrived(recorder)


def test_a_value_json_cannot_hold_is_refused_where_it_is(client, recorder):
    """NaN and infinities (JSON has no word for them), an int too long to
    write, a dict inside itself: refused before anything is sent, naming
    the field, not as "invalid JSON" somewhere in the text."""
    loop = {}
    loop["self"] = loop
    cases = [(dict(temperature=float("nan")), "temperature"),
             (dict(extra_body={"x": {"y": [1, float("-inf")]}}), "x.y[1]"),
             (dict(max_completion_tokens=10 ** 5000), "max_completion_tokens"),
             (dict(extra_body={"x": loop}), "x.self")]
    for fields, where in cases:
        with pytest.raises(libkimi.RequestRefusedError) as refused:
            client.chat.completions.create(model="kimi-k2.6", messages=user("hi"), **fields)
        assert refused.value.param == where
        assert str(refused.value).startswith(f"{where}: ")
    # In a message too (its content), and a field both in the body and in extra_body (the extra JSON's path).
    with pytest.raises(libkimi.RequestRefusedError, match=r"^messages\[0\]\.content: Out of range float") as refused:
        client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": float("nan")}])
    with pytest.raises(libkimi.RequestRefusedError, match=r"^temperature: ") as refused:
        client.chat.completions.create(model="kimi-k2.6", messages=user("hi"), temperature=0.6,
                                       extra_body={"temperature": float("inf")})
    assert arrived(recorder) == []
