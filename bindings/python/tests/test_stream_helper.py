"""client.chat.completions.stream(...): openai-python's streaming helper,
with the same events in the same order as openai-python's own over the same
mock answers, Kimi's reasoning as events of its own, parse()'s
finish-reason errors, the async form, and streams cut midway."""

import asyncio
import dataclasses
import json

import pytest

import libkimi
from conftest import user

TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}}}}]


def seen(event):
    """What an event says, comparable between the two packages."""
    fields = {name: getattr(event, name) for name in ("delta", "snapshot", "content", "name", "index", "arguments",
                                                      "arguments_delta", "parsed_arguments")
              if hasattr(type(event), name) or name in getattr(event, "__dict__", {}) or name in
              getattr(type(event), "__slots__", ())}
    if event.type == "chunk":
        fields = {"content": [c.delta.content or "" for c in event.chunk.choices]}
    return event.type, fields


def events_of(client, messages, **fields):
    with client.chat.completions.stream(model="kimi-k2.6", messages=messages, **fields) as stream:
        events = [seen(e) for e in stream if not e.type.startswith("reasoning_content.")]  # libkimi's own
        final = stream.get_final_completion()
    return events, final


CASES = [
    (user("one two three"), {}),
    (user("weather? [[mock: calls=get_weather,get_weather]]"), {"tools": TOOLS}),
    (user("weather? [[mock: calls=get_weather interleave]]"), {"tools": TOOLS}),
    (user("x [[mock: finish=content_filter]]"), {}),
]


@pytest.mark.parametrize("messages,fields", CASES)
def test_the_events_are_openai_pythons(mock_url, messages, fields):
    openai = pytest.importorskip("openai")
    theirs_client = openai.OpenAI(api_key="sk-test", base_url=mock_url, max_retries=0)
    with libkimi.OpenAI(api_key="sk-test", base_url=mock_url, max_retries=0) as ours_client:
        try:
            theirs, their_final = events_of(theirs_client, messages, **fields)
        except openai.ContentFilterFinishReasonError:
            with pytest.raises(libkimi.ContentFilterFinishReasonError):
                events_of(ours_client, messages, **fields)
            return
        ours, our_final = events_of(ours_client, messages, **fields)
    assert [e[0] for e in ours] == [e[0] for e in theirs]
    assert ours == theirs
    assert our_final.choices[0].message.content == their_final.choices[0].message.content
    assert our_final.choices[0].finish_reason == their_final.choices[0].finish_reason
    assert type(our_final).__name__ == "ParsedChatCompletion"


def test_reasoning_comes_as_its_own_events(client):
    with client.chat.completions.stream(messages=user("hi [[mock: reasoning_chunks=3]]")) as stream:
        events = list(stream)
        final = stream.get_final_completion()
    kinds = [e.type for e in events if e.type != "chunk" and getattr(e, "delta", None) != ""]
    assert kinds[:3] == ["reasoning_content.delta"] * 3
    assert kinds[3] == "reasoning_content.done"
    assert "content.delta" in kinds[4:] and kinds[-1] == "content.done"
    done = next(e for e in events if e.type == "reasoning_content.done")
    assert done.reasoning_content == final.choices[0].message.reasoning_content == "think think think "
    assert events[0].snapshot.choices[0].message.reasoning_content  # the snapshot as it is when read
    assert stream.current_completion_snapshot.choices[0].message.content == final.choices[0].message.content


@dataclasses.dataclass
class City:
    city: str


def test_a_response_format_is_parsed_at_content_done_and_in_the_final(client):
    with client.chat.completions.stream(messages=user("a city"), response_format=City) as stream:
        done = [e for e in stream if e.type == "content.done"]
        final = stream.get_final_completion()
    assert isinstance(done[0].parsed, City) and final.choices[0].message.parsed == done[0].parsed
    assert City(**json.loads(done[0].content)) == done[0].parsed
    with pytest.raises(libkimi.LengthFinishReasonError):
        with client.chat.completions.stream(messages=user("x [[mock: finish=length]]"),
                                            response_format=City) as stream:
            for _ in stream:
                pass


def test_a_cut_stream_raises_in_the_loop_and_keeps_what_arrived(client):
    with client.chat.completions.stream(messages=user("a b c d [[mock: cut_after=2]]")) as stream:
        got = []
        with pytest.raises(libkimi.APIConnectionError) as info:
            for event in stream:
                got.append(event.type)
    assert "content.delta" in got and "content.done" not in got
    assert info.value.partial.choices[0].message.content == "You said: "


def test_the_request_is_sent_on_entering_and_stream_is_refused_as_an_argument(client):
    manager = client.chat.completions.stream(messages=user("x"), temperature=0.3)
    with pytest.raises(libkimi.RequestRefusedError):  # only now: openai-python sends on entering too
        with manager:
            pass
    with pytest.raises(TypeError, match="always streams"):
        client.chat.completions.stream(messages=user("x"), stream=True)
    assert client.beta.chat.completions.parse == client.chat.completions.parse
    assert client.beta.chat.completions.stream == client.chat.completions.stream


def test_the_async_stream_helper(mock_url):
    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url) as client:
            async with client.chat.completions.stream(messages=user("one two")) as stream:
                kinds = [event.type async for event in stream]
                final = await stream.get_final_completion()
            return kinds, final
    kinds, final = asyncio.run(main())
    assert kinds[0] == "chunk" and kinds[-1] == "content.done" and "content.delta" in kinds
    assert final.choices[0].message.content == "You said: one two"


def test_the_async_helper_cut_midway_keeps_what_arrived(mock_url):
    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url) as client:
            async with client.chat.completions.stream(messages=user("a b c d [[mock: cut_after=2]]")) as stream:
                kinds = []
                try:
                    async for event in stream:
                        kinds.append(event.type)
                except libkimi.APIConnectionError as error:
                    return kinds, error
    kinds, error = asyncio.run(main())
    assert "content.delta" in kinds and "content.done" not in kinds
    assert isinstance(error, libkimi.IncompleteStreamError) and error.partial.choices[0].message.content == "You said: "


@pytest.mark.parametrize("case", ["leak/stream", "dupkeys/stream", "stall/3"])
def test_hostile_streams_through_the_helper(hostile_url, case):
    """Whatever a server streams, the helper's events carry its text as
    text (no crash, no key in a message) or end with an OpenAIError."""
    with libkimi.OpenAI(api_key="sk-hostile-SECRET", base_url=f"{hostile_url}/{case}/v1", max_retries=0,
                        timeout=1) as client:
        try:
            with client.chat.completions.stream(messages=user("x"), tools=TOOLS) as stream:
                events = list(stream)
                final = stream.get_final_completion()
        except libkimi.OpenAIError as error:
            assert "SECRET" not in str(error)
            return
    assert events and events[0].type == "chunk"
    done = [e for e in events if e.type == "tool_calls.function.arguments.done"]
    assert all(isinstance(e.arguments, str) for e in done)
    assert final.choices[0].message.content is not None
