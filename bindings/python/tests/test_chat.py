"""Chat completions through the openai-python-shaped API, and errors."""

import os
import sys

import pytest

import libkimi
from conftest import REPO, user


def test_create_matches_openai_shape(client):
    reply = client.chat.completions.create(model="kimi-k2.6", messages=[
        {"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hello"}])
    assert reply.object == "chat.completion"
    assert reply.id.startswith("cmpl-")
    assert reply.model == "kimi-k2.6"
    choice = reply.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "You said: Hello"
    assert choice.message.reasoning_content == 'The user said "Hello".'
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"
    assert reply.usage.prompt_tokens == 10
    assert reply.usage.completion_tokens == 7
    assert reply.usage.total_tokens == 17
    assert reply.usage.prompt_tokens_details.cached_tokens == 0
    assert reply.model_dump()["choices"][0]["message"]["content"] == "You said: Hello"


def test_kimi_fields_and_extra_body(client):
    reply = client.chat.completions.create(
        model="kimi-k2.6", messages=user("Hi"), thinking={"type": "disabled"}, temperature=0.6,
        max_completion_tokens=100, response_format={"type": "json_object"}, stop=["END"], prompt_cache_key="s1",
        safety_identifier="u1", extra_body={"custom_flag": True})
    assert reply.choices[0].message.reasoning_content is None
    assert reply.choices[0].message.content == "You said: Hi"


def test_cached_tokens_in_either_spelling(client):
    for scenario, expected in (("cached=5 spelling=details", 5), ("cached=6 spelling=top", 6), ("spelling=none", None)):
        reply = client.chat.completions.create(messages=user(f"x [[mock: {scenario}]]"))
        assert reply.usage.cached_tokens == expected


def test_content_part_lists_and_assistant_history(client):
    first = client.chat.completions.create(messages=user("one"))
    reply = client.chat.completions.create(messages=[
        {"role": "user", "content": [{"type": "text", "text": "one"}]},
        first.choices[0].message,  # a result object goes back in, as with openai-python
        {"role": "user", "content": [{"type": "text", "text": "two"},
                                     {"type": "image_url", "image_url": {"url": "data:image/gif;base64,"
                                      "R0lGODlhAQABAIAAAAD///8h+QQBAAAAACwAAAAAAQABAAACAkQBADs="}}]}])
    assert reply.choices[0].message.content.startswith("You said: two [image image/gif 41 bytes")


def test_partial_mode_full_content(client):
    reply = client.chat.completions.create(messages=[
        {"role": "user", "content": "Hello"}, {"role": "assistant", "content": "You said", "partial": True}],
        thinking={"type": "disabled"})
    assert reply.choices[0].message.content == ": Hello"
    assert reply.full_content == "You said: Hello"
    # Messages that are not a list are read once, as they come: the prefix is still found.
    reply = client.chat.completions.create(messages=iter([
        {"role": "user", "content": "Hello"}, {"role": "assistant", "content": "You said", "partial": True}]),
        thinking={"type": "disabled"})
    assert reply.full_content == "You said: Hello"
    # Without a prefix the whole answer is the content (not asked of the library).
    reply = client.chat.completions.create(messages=[{"role": "user", "content": "Hello"}],
                                           thinking={"type": "disabled"})
    assert reply.full_content == reply.choices[0].message.content == "You said: Hello"


def test_api_errors_map_to_openai_exceptions(client, mock_url):
    with libkimi.Client(api_key="sk-bad-SECRET", base_url=mock_url) as bad:
        with pytest.raises(libkimi.AuthenticationError) as info:
            bad.chat.completions.create(messages=user("x"))
    error = info.value
    assert isinstance(error, libkimi.APIStatusError)
    assert error.status_code == 401
    assert error.type == "invalid_authentication_error"
    assert error.kind == "auth"
    assert error.request_id.startswith("req-mock-")
    assert "SECRET" not in str(error)

    with pytest.raises(libkimi.BadRequestError) as info:
        client.chat.completions.create(messages=user("x [[mock: status=400 code_int message=bad_prompt]]"))
    assert info.value.code == "400"
    assert info.value.status_code == 400

    with pytest.raises(libkimi.InternalServerError) as info:
        client.chat.completions.create(messages=user("x [[mock: html=502]]"))
    assert info.value.status_code == 502
    assert "Bad Gateway" in str(info.value)

    with pytest.raises(libkimi.RateLimitError) as info:
        client.chat.completions.create(messages=user(
            "x [[mock: status=429 type=rate_limit_reached_error message=please_try_again_after_3_seconds]]"))
    assert info.value.retry_after == 3
    assert info.value.kind == "rate_limited"

    with pytest.raises(libkimi.QuotaExceededError) as info:
        client.chat.completions.create(messages=user(
            "x [[mock: status=429 type=exceeded_current_quota_error message=quota]]"))
    assert not isinstance(info.value, libkimi.RateLimitError)
    assert info.value.kind == "quota_exceeded"

    with pytest.raises(libkimi.NotFoundError):
        client.chat.completions.create(model="kimi-k9", messages=user("x"))


def test_local_refusals_are_value_errors_naming_the_parameter(client):
    with pytest.raises(libkimi.RequestRefusedError) as info:
        client.chat.completions.create(messages=user("x"), temperature=0.3)
    error = info.value
    assert isinstance(error, libkimi.OpenAIError) and isinstance(error, ValueError)
    assert not isinstance(error, libkimi.APIError)  # nothing was sent: no status to fake
    for absent in ("status_code", "type", "code", "request_id", "response"):
        assert not hasattr(error, absent), absent
    assert error.param == "temperature"
    assert "temperature: kimi-k2.6 accepts only 1.0" in str(error) and error.message == str(error)
    with pytest.raises(libkimi.RequestRefusedError) as info:
        client.chat.completions.create(messages=[{"role": "user", "content": ""}])
    assert info.value.param == "messages[0].content"
    with pytest.raises(libkimi.RequestRefusedError, match=r"messages\[0\]\.role"):
        client.chat.completions.create(messages=[{"role": "wizard", "content": "x"}])
    with pytest.raises(TypeError, match="unexpected keyword argument 'max_token'.*extra_body"):
        client.chat.completions.create(messages=user("x"), max_token=5)


def test_connection_and_timeout_errors(mock_url):
    with libkimi.Client(api_key="sk", base_url="http://127.0.0.1:1/v1") as offline:
        with pytest.raises(libkimi.APIConnectionError) as info:
            offline.chat.completions.create(messages=user("x"))
        assert info.value.kind == "transport"
    with libkimi.Client(api_key="sk", base_url=mock_url, timeout=0.3) as impatient:
        with pytest.raises(libkimi.APITimeoutError):
            impatient.chat.completions.create(messages=user("x [[mock: stall_ms=3000]]"))


def test_client_reads_the_environment(monkeypatch, mock_url):
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-env")
    monkeypatch.setenv("KIMI_BASE_URL", mock_url)
    with libkimi.Client() as env_client:
        assert env_client.base_url == mock_url
        assert env_client.chat.completions.create(messages=user("env")).choices[0].message.content == "You said: env"


def test_openai_alias_and_version():
    assert libkimi.OpenAI is libkimi.Client
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import kimi_header
    version = kimi_header.parse().version
    assert libkimi.__version__ == libkimi.library_version == version
