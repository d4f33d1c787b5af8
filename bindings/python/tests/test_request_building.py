"""A plain request (text messages of role and content, at most thinking's
type) is built with the library's setters, as a C program builds it; every
other goes as one JSON text. Both must make the same request: same body
sent, same errors."""

import ctypes
import json

import pytest

import libkimi
from libkimi import _lib, _requests
from libkimi._requests import build

L = _lib.functions

PLAIN = [
    ([{"role": "user", "content": "hi"}], {}),
    ([{"role": "user", "content": "hi"}], {"extra_body": {"thinking": {"type": "disabled"}}}),
    ([{"role": "user", "content": "hi"}], {"thinking": {"type": "enabled"}}),
    ([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "caf\u00e9 \u2603 \U0001F600 \"q\" \\ \n\t"},
      {"role": "assistant", "content": "Sure."}, {"role": "user", "content": ""}], {}),
    ([{"content": "order of keys", "role": "user"}], {"timeout": 30, "extra_headers": {"x-trace": "1"}}),
    ([{"role": "user", "content": "\u2028\u2029\x7f\x01\ufeff\u200be\u0301\r\n</script>"}],
     {"thinking": {"type": "disabled"}, "max_retries": 0, "extra_query": {"q": "1"}}),
    ([{"role": "user", "content": "x"}], {"extra_body": {"thinking": {"type": "enabled"}}, "timeout": 5}),
]
NOT_PLAIN = [
    ([{"role": "user", "content": "a\0b"}], {}),                                  # NUL: a C string would cut it
    ([{"role": "user", "content": "lone \ud800"}], {}),                           # not UTF-8
    ([{"role": "tool", "content": "x", "tool_call_id": "t"}], {}),
    ([{"role": "user", "content": "x", "name": "bob"}], {}),
    ([{"role": "assistant", "content": "Sure: ", "partial": True}], {}),
    ([{"role": "user", "content": [{"type": "text", "text": "parts"}]}], {}),
    ([{"role": ["user"], "content": "x"}], {}),
    ([{"role": "user", "content": "x"}], {"temperature": 0.6}),
    ([{"role": "user", "content": "x"}], {"extra_body": {"thinking": {"type": "enabled", "keep": "all"}}}),
    ([{"role": "user", "content": "x"}], {"extra_body": {"thinking": {"type": ["disabled"]}}}),
    ([{"role": "user", "content": "x"}], {"extra_body": {"thinking": {"type": "disabled"}, "n": 1}}),
    ([{"role": "user", "content": "x"}], {"thinking": {"type": "disabled"}, "extra_body": {"x": 1}}),
    ((("user", "a tuple"),), {}),
    ([{"role": "user", "content": "\ud83d\ude00"}], {}),                      # a pair JSON joins, UTF-8 cannot hold
    ([{"role": "user", "content": type("S", (str,), {})("sub")}], {}),
    ([type("D", (dict,), {})(role="user", content="x")], {}),
    ([{"role": "user", "content": "x"}], {"thinking": {"type": type("S", (str,), {})("enabled")}}),
    ([{"role": "user", "content": "x"}], {"extra_body": {"thinking": None}}),
    ([{"role": "user", "content": "x"}], {"thinking": {"type": None}}),
]


def body(request):
    pointer = L.kimi_chat_request_to_json(request)
    try:
        return json.loads(ctypes.string_at(pointer))
    finally:
        L.kimi_string_free(pointer)


def both_ways(monkeypatch, messages, fields, model="kimi-k2.6"):
    """(the request's body as built, as built through JSON, whether the
    plain way took it)."""
    taken = []
    plainly = _requests._built_plainly

    def spy(*args):
        made = plainly(*args)
        taken.append(made is not None)
        return made
    monkeypatch.setattr(_requests, "_built_plainly", spy)
    request, _ = build(model, messages, fields)
    try:
        built = body(request)
    finally:
        L.kimi_chat_request_free(request)
    monkeypatch.setattr(_requests, "_built_plainly", lambda *args: None)
    request, _ = build(model, messages, fields)
    try:
        through_json = body(request)
    finally:
        L.kimi_chat_request_free(request)
    return built, through_json, taken[0]


@pytest.mark.parametrize("messages, fields", PLAIN)
def test_plain_requests_are_built_with_the_setters_and_send_the_same(monkeypatch, messages, fields):
    built, through_json, plain = both_ways(monkeypatch, messages, fields)
    assert plain
    assert built == through_json


@pytest.mark.parametrize("messages, fields", NOT_PLAIN)
def test_other_requests_go_as_json(monkeypatch, messages, fields):
    try:
        _, _, plain = both_ways(monkeypatch, messages, fields)
    except libkimi.OpenAIError:
        plain = False  # refused, by the JSON path's check
    assert not plain


def test_only_a_list_of_dicts_is_plain():
    assert _requests._built_plainly("kimi-k2.6", (m for m in [{"role": "user", "content": "x"}]), {}, {}) is None
    assert _requests._built_plainly("kimi-k2.6", [], {}, {}) is None
    request = _requests._built_plainly("kimi-k2.6", [{"role": "user", "content": "x"}], {}, {})
    assert request is not None
    L.kimi_chat_request_free(request)


def test_errors_are_the_json_paths(monkeypatch):
    """What the setters refuse goes the JSON way, whose message names the field."""
    for model, messages in (("", [{"role": "user", "content": "x"}]), ("kimi-k2.6", [{"role": "user", "content": "\ud800"}])):
        errors = []
        for plainly in (_requests._built_plainly, lambda *args: None):
            monkeypatch.setattr(_requests, "_built_plainly", plainly)
            try:
                L.kimi_chat_request_free(build(model, messages, {})[0])
                errors.append(None)
            except Exception as error:  # the same error either way
                errors.append((type(error), str(error)))
        assert errors[0] == errors[1]


def test_a_plain_request_over_http(client):
    answer = client.chat.completions.create(model="kimi-k2.6", messages=[
        {"role": "system", "content": "s"}, {"role": "user", "content": "caf\u00e9 [[mock: show_header=content-type]]"}],
        extra_body={"thinking": {"type": "disabled"}})
    assert answer.choices[0].message.content.startswith("You said: caf\u00e9")
