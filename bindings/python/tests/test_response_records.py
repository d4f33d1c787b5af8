"""A non-streamed answer is read from its records (kimi_chat_response_read_records)
when they hold all of it: the objects must be those read from its JSON, field
for field, which fields were set included, for every shape the mock answers
with; answers with members Kimi does not document are read from the JSON."""

import ctypes
import json

import pytest

import libkimi
from libkimi import _lib
from libkimi._records import read_response
from libkimi._requests import build
from libkimi._results import response_from, response_records
from libkimi.types._base import _Object
from libkimi.types.chat.chat_completion import ChatCompletion, ParsedChatCompletion
from conftest import FixedBody

L = _lib.functions

WHOLE = ["", "usage=choice", "usage=both", "usage=none", "cached=7", "cached=7 spelling=details",
         "cached=7 spelling=both", "cached=7 spelling=both usage=both", "calls=get_weather,lookup",
         "calls=get_weather finish=length", "unicode", "long_ids=300", "reply=_spaced__out_", "finish=content_filter",
         "prompt_tokens=9007199254740985"]  # total 2^53: the largest count held
NOT_WHOLE = ["extra_fields", "extra_fields usage=both cached=3 spelling=details",
             "prompt_tokens=9007199254740992"]  # total past 2^53: a count the records do not hold


def same(ours, theirs, path="completion"):
    """The two trees hold the same types, values and set fields."""
    assert type(ours) is type(theirs), path
    if isinstance(ours, _Object):
        assert ours.model_fields_set == theirs.model_fields_set, path
        assert ours.model_extra == theirs.model_extra, path
        for name in ours._fields + ours._kimi:
            same(getattr(ours, name), getattr(theirs, name), f"{path}.{name}")
        assert ours.model_dump() == theirs.model_dump(), path
        assert ours.model_dump(exclude_unset=True) == theirs.model_dump(exclude_unset=True), path
        assert ours.model_dump_json() == theirs.model_dump_json(), path
        assert ours.to_dict() == theirs.to_dict(), path
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f"{path}[{i}]")
    else:
        assert ours == theirs, path


def answer(client, directive, cls=ChatCompletion, messages=None):
    """(from its records or None, from its JSON, its records, what create()
    returns) of one answer: to `messages`, or a user message carrying the
    mock's `directive`."""
    messages = messages or [{"role": "user", "content": f"hi [[mock: {directive}]]"}]
    request, _ = build("kimi-k2.6", messages, {})
    out = ctypes.c_void_p()
    try:
        assert L.kimi_chat_create(client._pointer(), request, ctypes.byref(out)) == 0, libkimi._errors.last_error()
    finally:
        L.kimi_chat_request_free(request)
    try:
        data = response_records(out.value)  # None past 32,768 choices
        from_records = read_response(data, cls)[0] if data is not None else None
        from_json = cls.from_json(json.loads(_lib.text(L.kimi_chat_response_json, out.value)))
        return from_records, from_json, data, response_from(out.value, cls)
    finally:
        L.kimi_chat_response_free(out.value)


@pytest.mark.parametrize("directive", WHOLE)
def test_records_give_what_the_json_gives(client, directive):
    for cls in (ChatCompletion, ParsedChatCompletion):
        from_records, from_json, _, result = answer(client, directive, cls)
        assert from_records is not None, f"{directive}: the records should hold this answer whole"
        same(from_records, from_json)
        same(result, from_json)  # what create() returns, its own fields aside


@pytest.mark.parametrize("directive", NOT_WHOLE)
def test_members_kimi_does_not_document_are_read_from_the_json(client, directive):
    from_records, from_json, _, result = answer(client, directive)
    assert from_records is None
    same(result, from_json)
    if "extra_fields" in directive:
        assert result.system_fingerprint == "fp-mock" and result.model_extra["kimi_future_field"] == {"a": [1, 2]}
    else:
        assert result.usage.total_tokens == 2**53 + 7


def test_what_create_returns_beyond_the_json(client):
    completion = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "hi"}])
    assert completion.full_content == completion.choices[0].message.content == "You said: hi"
    assert completion.cost_usd > 0 and completion.web_search_calls == 0
    prefixed = client.chat.completions.create(model="kimi-k2.6", messages=[
        {"role": "user", "content": "hi"}, {"role": "assistant", "content": "Sure: ", "partial": True}])
    assert prefixed.full_content == "Sure: " + prefixed.choices[0].message.content


def test_a_request_id_with_the_key_is_redacted_in_the_records(mock_url):
    key = "sk-" + "r" * 40
    with libkimi.Client(api_key=key, base_url=mock_url) as client:
        completion = client.chat.completions.create(model="kimi-k2.6", messages=[
            {"role": "user", "content": "hi [[mock: echo_auth=header]]"}])
    assert completion._request_id and key[8:20] not in completion._request_id


def test_records_larger_than_the_first_buffer(client, monkeypatch):
    from libkimi import _results
    monkeypatch.setattr(_results, "RESPONSE_BUFFER", 64)
    from_records, from_json, data, _ = answer(client, "long_ids=2000 calls=a,b,c")
    assert len(data) > 4000
    same(from_records, from_json)


def test_corrupt_records_are_refused():
    with pytest.raises(libkimi.APIResponseValidationError):
        read_response(b"\0" * 16, ChatCompletion)
    with pytest.raises(libkimi.APIResponseValidationError):
        read_response(b"\x30\0\0\0\x03\0" + b"\0" * 26 + b"\x01" + b"\0" * 47, ChatCompletion)  # WHOLE, then no COMPLETION


@pytest.fixture(scope="module")
def body_server():
    """A whole chat completion as one answer (FixedBody)."""
    server = FixedBody("application/json", b"{}")
    yield server
    server.close()


def body_answer(server, body, messages=None, cls=ChatCompletion):
    """answer() to a local server answering with `body`: (from its records
    or None, from its JSON, what create() returns)."""
    server.body = json.dumps(body, separators=(",", ":")).encode()
    with libkimi.Client(api_key="sk-test", base_url=server.url, max_retries=0) as client:
        from_records, from_json, _, result = answer(client, "", cls, messages or [{"role": "user", "content": "hi"}])
        return from_records, from_json, result


def completion_body(choices):
    return {"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": choices}


def test_a_prefix_answered_without_choices(body_server):
    """A Partial Mode request answered with `choices: []`: finishing the
    response made choice 0 after the body's shape was taken with none, and
    reading its records trapped (the process died)."""
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Sure: ", "partial": True}]
    from_records, from_json, result = body_answer(body_server, completion_body([]), messages)
    assert from_records is None  # the records hold a choice the JSON does not
    same(result, from_json)
    assert result.choices == [] and result.full_content == "Sure: "


def test_more_choices_than_a_part_can_name(body_server):
    """A part's choice is 16-bit: choice 32,768 read back as 32,767."""
    choices = [{"index": i, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}
               for i in range(32769)]
    from_records, from_json, result = body_answer(body_server, completion_body(choices))
    assert from_records is None
    assert result.choices[-1].index == 32768
    same(result, from_json)


def test_a_choice_of_more_parts_than_a_record_can_count(body_server):
    """A record's part count is 16-bit: 32,767 tool calls make 65,536 parts
    with the role and finish reason; the finish reason was lost."""
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": ""}}
    choices = [{"index": 0, "message": {"role": "assistant", "tool_calls": [call] * 32767},
                "finish_reason": "tool_calls"}]
    from_records, from_json, result = body_answer(body_server, completion_body(choices))
    assert from_records is None
    assert result.choices[0].finish_reason == "tool_calls" and len(result.choices[0].message.tool_calls) == 32767
    same(result, from_json)
