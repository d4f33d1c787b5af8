"""openai-python's exception tree: the same classes under OpenAIError, a
cut stream an APIConnectionError keeping its partial answer, parse()'s
finish-reason errors, requests refused before sending, and a client
without a key."""

import dataclasses

import pytest

import libkimi
from conftest import user

TREE = {
    "APIError": "OpenAIError", "APIStatusError": "APIError", "APIConnectionError": "APIError",
    "APITimeoutError": "APIConnectionError", "APIResponseValidationError": "APIError",
    "BadRequestError": "APIStatusError", "AuthenticationError": "APIStatusError",
    "PermissionDeniedError": "APIStatusError", "NotFoundError": "APIStatusError", "ConflictError": "APIStatusError",
    "UnprocessableEntityError": "APIStatusError", "RateLimitError": "APIStatusError",
    "InternalServerError": "APIStatusError", "LengthFinishReasonError": "OpenAIError",
    "ContentFilterFinishReasonError": "OpenAIError",
}


def test_the_tree_is_openais():
    for name, parent in TREE.items():
        assert issubclass(getattr(libkimi, name), getattr(libkimi, parent)), name
    assert libkimi.KimiError is libkimi.OpenAIError
    for name in ("IncompleteStreamError", "StreamAborted", "StepLimitError", "RequestRefusedError",
                 "QuotaExceededError"):
        assert issubclass(getattr(libkimi, name), libkimi.OpenAIError), name
    assert issubclass(libkimi.IncompleteStreamError, libkimi.APIConnectionError)
    assert issubclass(libkimi.RequestRefusedError, ValueError)


def test_the_tree_matches_openai_python_where_both_have_a_name():
    openai = pytest.importorskip("openai")
    for name in TREE:
        ours, theirs = getattr(libkimi, name), getattr(openai, name)
        ours_names = {cls.__name__ for cls in ours.__mro__}
        theirs_names = {cls.__name__ for cls in theirs.__mro__ if cls.__module__.startswith("openai")}
        assert theirs_names <= ours_names, (name, theirs_names - ours_names)


def test_a_cut_stream_is_a_connection_error_with_what_arrived(client):
    stream = client.chat.completions.create(messages=user("a b c d [[mock: cut_after=2]]"), stream=True)
    with pytest.raises(libkimi.APIConnectionError) as info:
        for _ in stream:
            pass
    assert isinstance(info.value, libkimi.IncompleteStreamError)
    assert info.value.partial.choices[0].message.content == "You said: "


@dataclasses.dataclass
class Answer:
    city: str


def test_parse_raises_openais_finish_reason_errors(client):
    with pytest.raises(libkimi.LengthFinishReasonError) as info:
        client.chat.completions.parse(messages=user('{"city": "Paris"} [[mock: finish=length]]'),
                                      response_format=Answer)
    assert info.value.completion.choices[0].finish_reason == "length"
    assert "length limit" in str(info.value)
    with pytest.raises(libkimi.ContentFilterFinishReasonError, match="content filter"):
        client.chat.completions.parse(messages=user('{"city": "Paris"} [[mock: finish=content_filter]]'),
                                      response_format=Answer)


def test_refusals_that_name_no_parameter_have_none(client):
    with pytest.raises(libkimi.RequestRefusedError) as info:
        client.batches.create(input_file_id="file-x", completion_window="1h")
    assert isinstance(info.value, ValueError)
    assert info.value.param in (None, "completion_window")


def test_a_client_without_a_key_is_openais_error_and_never_reads_openai_api_key(mock_url, monkeypatch):
    monkeypatch.delenv("MOONSHOT_API_KEY", raising=False)
    monkeypatch.delenv("KIMI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-SECRET")
    with pytest.raises(libkimi.OpenAIError, match="MOONSHOT_API_KEY") as info:
        libkimi.OpenAI(base_url=mock_url)
    assert not isinstance(info.value, libkimi.APIError)
    monkeypatch.setenv("KIMI_API_KEY", "sk-kimi")
    with libkimi.OpenAI(base_url=mock_url) as client:
        assert client.api_key == "sk-kimi"
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-moonshot")
    with libkimi.OpenAI(base_url=mock_url) as client:
        assert client.api_key == "sk-moonshot"


def test_client_attributes_as_openai_has_them(mock_url):
    with libkimi.OpenAI(api_key="sk-test", base_url=mock_url, timeout=30.0, max_retries=1,
                        default_headers={"X-App": "a"}) as client:
        assert (client.api_key, client.timeout, client.max_retries) == ("sk-test", 30.0, 1)
        assert client.base_url.rstrip("/") == mock_url
        assert client.default_headers == {"X-App": "a"}
        view = client.with_options(timeout=5.0, max_retries=0, default_headers={"X-More": "b"})
        assert (view.timeout, view.max_retries, view.api_key) == (5.0, 0, "sk-test")
        assert view.default_headers == {"X-App": "a", "X-More": "b"}
    with libkimi.OpenAI(api_key="sk-test", base_url=mock_url) as client:
        assert client.timeout == 600.0 and client.max_retries == 2


def test_python_side_refusals_are_request_refused_too(client):
    with pytest.raises(libkimi.RequestRefusedError) as info:
        client.chat.completions.create(messages=user("x"), max_retries=-1)
    assert info.value.param == "max_retries"
    with pytest.raises(libkimi.RequestRefusedError) as info:
        client.chat.completions.create(messages=user("x"), timeout=0)
    assert info.value.param == "timeout"
    with pytest.raises(libkimi.RequestRefusedError) as info:
        client.models.list(extra_headers={"X-A": "a\0b"})
    assert info.value.param == "extra_headers"
    with pytest.raises(libkimi.RequestRefusedError) as info:
        client.batches.create(input_file_id="f", endpoint="/v1/embeddings")
    assert info.value.param == "endpoint" and isinstance(info.value, ValueError)
