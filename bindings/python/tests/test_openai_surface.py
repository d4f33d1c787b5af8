"""openai-python's surface: per-call options, copies, raw responses, the
HTTP answer of streams and errors, NOT_GIVEN, unknown arguments, and dumps
of response objects with the fields libkimi does not know."""

import json
import re
import time
import urllib.request

import pytest

import libkimi
from conftest import user


def last_request(mock_url):
    """The headers and query the mock saw last (GET /mock/last)."""
    with urllib.request.urlopen(mock_url.rsplit("/v1", 1)[0] + "/mock/last") as answer:
        return json.load(answer)


def test_per_call_headers_query_and_body_reach_the_server(client, mock_url):
    reply = client.chat.completions.create(messages=user("hi [[mock: show_header=X-Call-Tag show_query]]"),
                                           extra_headers={"X-Call-Tag": "abc", "X-Dropped": None},
                                           extra_query={"trace": "on"}, extra_body={"custom_flag": True})
    assert "X-Call-Tag=abc" in reply.choices[0].message.content
    assert "query=trace=on" in reply.choices[0].message.content
    for call in (lambda **o: client.models.list(**o), lambda **o: client.balance(**o),
                 lambda **o: client.files.list(**o)):
        call(extra_headers={"X-Call-Tag": "endpoint"}, extra_query={"page": "2"})
        seen = last_request(mock_url)
        assert {k.lower(): v for k, v in seen["headers"].items()}["x-call-tag"] == "endpoint"
        assert seen["query"] == "page=2"


def test_a_per_call_timeout_shorter_than_the_clients(mock_url):
    with libkimi.Client(api_key="sk-test", base_url=mock_url, timeout=60, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(libkimi.APITimeoutError):
            client.chat.completions.create(messages=user("x [[mock: stall_ms=5000]]"), timeout=0.3)
        assert time.monotonic() - started < 3
        with pytest.raises(libkimi.APITimeoutError):
            client.models.list(timeout=0.3, extra_headers={"X-Mock-Scenario": "stall_ms=5000"})
        assert client.chat.completions.create(messages=user("ok"), timeout=30).choices[0].message.content \
            == "You said: ok"


def test_per_call_max_retries(mock_url):
    with libkimi.Client(api_key="sk-test", base_url=mock_url, max_retries=0) as client:
        reply = client.chat.completions.with_raw_response.create(
            messages=user("x [[mock: status=503 type=server_error times=1 key=py-retry]]"), max_retries=2)
        assert reply.retries_taken == 1 and reply.status_code == 200
        with pytest.raises(ValueError, match="max_retries"):
            client.chat.completions.create(messages=user("x"), max_retries=-1)


def test_with_options_shares_the_client_and_copy_makes_a_new_one(client, mock_url):
    client.reset_usage()
    quick = client.with_options(timeout=5, max_retries=1, default_headers={"X-Call-Tag": "view"})
    reply = quick.chat.completions.create(messages=user("v [[mock: show_header=X-Call-Tag]]"))
    assert "X-Call-Tag=view" in reply.choices[0].message.content
    assert quick.max_retries == 1 and client.max_retries == 2
    assert client.usage.responses == 1  # the view's call counts on the client it shares
    quick.close()
    assert client.chat.completions.create(messages=user("still")).choices[0].message.content == "You said: still"
    with client.copy(api_key="sk-other") as other:
        assert other.usage.responses == 0 and other.base_url == client.base_url
    with pytest.raises(TypeError, match="unexpected keyword argument 'api_keys'"):
        client.copy(api_keys="x")


def test_raw_responses_and_request_ids(client):
    raw = client.chat.completions.with_raw_response.create(
        messages=user("r [[mock: rheader=X-RateLimit-Remaining-Requests:41]]"))
    assert raw.status_code == 200 and raw.retries_taken == 0
    assert raw.headers["x-ratelimit-remaining-requests"] == "41" == raw.headers.get("X-RATELIMIT-REMAINING-REQUESTS")
    assert raw.request_id.startswith("req-mock-") and raw.http_request_id == raw.request_id
    assert raw.elapsed.total_seconds() >= 0 and raw.first_byte_ms >= 0
    completion = raw.parse()
    assert completion.choices[0].message.content.startswith("You said: r")
    assert completion._request_id == raw.request_id
    assert json.loads(raw.text)["id"] == completion.id

    with client.chat.completions.with_raw_response.create(messages=user("s t"), stream=True).parse() as stream:
        assert stream.response.status_code == 200
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert stream.get_final_completion().choices[0].message.content == "You said: s t"
        assert stream.completion._request_id == stream.response.request_id
        # The response is the head as the stream started: the body's first byte and token may
        # not have come yet (-1), and when they had, in that order.
        first_byte, first_token = stream.response.first_byte_ms, stream.response.first_token_ms
        assert first_token == -1 or 0 <= first_byte <= first_token


def test_not_given_and_unknown_arguments(client):
    reply = client.chat.completions.create(messages=user("n"), temperature=libkimi.NOT_GIVEN, top_p=libkimi.omit,
                                           max_completion_tokens=None, timeout=libkimi.NOT_GIVEN)
    assert reply.choices[0].message.content == "You said: n"
    assert not libkimi.NOT_GIVEN and repr(libkimi.NOT_GIVEN) == "NOT_GIVEN"
    with pytest.raises(TypeError, match=r"'max_token', 'temprature'.*extra_body"):
        client.chat.completions.create(messages=user("x"), max_token=10, temprature=0.6)
    with pytest.raises(TypeError, match="unexpected keyword argument 'purpos'"):
        client.files.list(purpos="batch")
    with pytest.raises(TypeError, match="no extra_body"):
        client.models.list(extra_body={"a": 1})
    with pytest.raises(TypeError, match="needs messages"):
        client.chat.completions.create(model="kimi-k2.6")


def test_unknown_fields_are_kept_and_dumped(client):
    reply = client.chat.completions.create(messages=user("Hi [[mock: extra_fields]]"))
    assert reply.system_fingerprint == "fp-mock" and reply.service_tier == "default"
    assert reply.model_extra == {"kimi_future_field": {"a": [1, 2]}}
    assert reply.kimi_future_field == {"a": [1, 2]}
    assert reply.usage.completion_tokens_details.reasoning_tokens == 2
    sent = reply.to_dict()  # exclude_unset by default: exactly what the server sent
    assert sent["kimi_future_field"] == {"a": [1, 2]} and sent["choices"][0]["logprobs"] is None
    assert "refusal" not in sent["choices"][0]["message"]
    full = reply.model_dump()
    assert full["choices"][0]["message"]["refusal"] is None and full["kimi_future_field"] == {"a": [1, 2]}
    assert "full_content" not in full and "cost_usd" not in full
    assert "logprobs" not in reply.model_dump(exclude_none=True)["choices"][0]
    assert set(reply.model_dump(include={"id", "model"})) == {"id", "model"}
    assert "choices" not in reply.model_dump(exclude={"choices"})
    assert json.loads(reply.model_dump_json(exclude_unset=True)) == sent
    assert json.loads(reply.to_json()) == sent
    with pytest.raises(TypeError, match="unexpected keyword argument 'exclude_nothing'"):
        reply.model_dump(exclude_nothing=True)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        reply.nope


def test_errors_carry_body_response_and_request_id(client):
    with pytest.raises(libkimi.RateLimitError) as info:
        client.chat.completions.create(messages=user(
            "x [[mock: status=429 type=rate_limit_reached_error message=slow_down retry_after_date=30 "
            "rheader=X-RateLimit-Remaining-Requests:0]]"), max_retries=0)
    error = info.value
    assert error.body == {"message": "slow down", "type": "rate_limit_reached_error"}
    assert error.type == "rate_limit_reached_error" and error.param is None
    assert error.request_id.startswith("req-mock-")
    assert error.response.status_code == 429
    assert error.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert error.response.headers["retry-after"].endswith("GMT")
    assert 25 < error.retry_after <= 31  # from the HTTP-date
    assert error.response.json()["error"]["message"] == "slow down"
    with pytest.raises(libkimi.InternalServerError) as info:
        client.chat.completions.create(messages=user("x [[mock: html=502]]"), max_retries=0)
    assert isinstance(info.value.body, str) and "Bad Gateway" in info.value.body
    with pytest.raises(libkimi.APIConnectionError) as info:
        with libkimi.Client(api_key="sk-test", base_url="http://127.0.0.1:1/v1", max_retries=0) as nowhere:
            nowhere.models.list()
    assert info.value.response is None and info.value.status_code is None


def test_python_words_in_messages(mock_url, monkeypatch):
    monkeypatch.delenv("MOONSHOT_API_KEY", raising=False)
    monkeypatch.delenv("KIMI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-SECRET")  # another company's key: never read
    with pytest.raises(libkimi.OpenAIError) as missing:
        libkimi.Client(base_url=mock_url)
    assert type(missing.value) is libkimi.OpenAIError and "MOONSHOT_API_KEY" in str(missing.value)
    assert "SECRET" not in str(missing.value)
    with libkimi.Client(api_key="sk-test", base_url=mock_url) as client:
        with pytest.raises(libkimi.RequestRefusedError) as image:
            client.chat.completions.create(messages=[{"role": "user", "content": [
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}])
        with pytest.raises(libkimi.RequestRefusedError) as choice:
            client.chat.completions.create(messages=user("x"), tools=[lambda: None], tool_choice="required")
    for error, words in ((missing, "passing api_key to the client"), (image, "libkimi.image_from_path"),
                         (choice, "thinking={\"type\": \"disabled\"}")):
        assert words in str(error.value)
        assert not re.search(r"\bkimi_\w+\(", str(error.value))  # no C function named


def test_hints_all_have_python_words():
    import os
    import re
    from conftest import REPO
    source = open(os.path.join(REPO, "Sources", "KimiCore", "Errors", "Hint.swift")).read()
    names = set(re.findall(r'case \w+ = "(\w+)"', source))
    assert names and names <= set(libkimi._errors.HINTS), names - set(libkimi._errors.HINTS)


def test_the_types_module_has_openais_names():
    openai_chat = pytest.importorskip("openai.types.chat")
    import openai.types
    import libkimi.types
    import libkimi.types.chat
    for name in ("ChatCompletion", "ChatCompletionChunk", "ChatCompletionMessage", "ChatCompletionMessageParam",
                 "ChatCompletionToolParam", "ChatCompletionUserMessageParam", "ChatCompletionAssistantMessageParam",
                 "ChatCompletionToolMessageParam", "ChatCompletionSystemMessageParam", "ChatCompletionRole",
                 "ParsedChatCompletion", "ChatCompletionToolChoiceOptionParam"):
        assert hasattr(openai_chat, name) and hasattr(libkimi.types.chat, name), name
    for name in ("CompletionUsage", "FileObject", "FileDeleted", "Model", "Batch"):
        assert hasattr(openai.types, name) and hasattr(libkimi.types, name), name
    assert libkimi.types.chat.ChatCompletion is libkimi.ChatCompletion
