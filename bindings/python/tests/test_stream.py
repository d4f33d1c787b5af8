"""Streaming: openai-shaped chunks, events, early close, honest completion."""

import gc
import threading
import time

import pytest

import libkimi
from conftest import user


def test_chunks_are_shaped_like_openai(client):
    with client.chat.completions.create(messages=user("Hello there"), stream=True,
                                        stream_options={"include_usage": True}) as stream:
        chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" and c.id.startswith("cmpl-") for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    reasoning = "".join(c.choices[0].delta.reasoning_content or "" for c in chunks if c.choices)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert reasoning == 'The user said "Hello there".'
    assert content == "You said: Hello there"
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish[0].choices[0].finish_reason == "stop"
    assert finish[0].choices[0].usage.total_tokens == 14  # Kimi's choices[0].usage
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == 14  # the include_usage chunk
    assert stream.completion.choices[0].message.content == "You said: Hello there"


def test_tool_call_deltas(client):
    with client.chat.completions.create(messages=user("w [[mock: calls=get_weather,get_time interleave]]"),
                                        stream=True) as stream:
        calls = {}
        for chunk in stream:
            for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                entry = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
                entry["id"] = call.id or entry["id"]
                entry["name"] = call.function.name or entry["name"]
                entry["arguments"] += call.function.arguments or ""
    assert calls == {0: {"id": "functions.get_weather:0", "name": "get_weather", "arguments": '{"city":"Paris","n":0}'},
                     1: {"id": "functions.get_time:1", "name": "get_time", "arguments": '{"city":"Paris","n":1}'}}
    assert stream.completion.choices[0].message.tool_calls[1].function.name == "get_time"


def test_events(client):
    with client.chat.completions.create(messages=user("a b"), stream=True) as stream:
        events = list(stream.events())
    kinds = [e.type for e in events]
    assert kinds[0] == "role" and kinds[-1] == "done"
    assert "".join(e.text for e in events if e.type == "content") == "You said: a b"
    assert [e.finish_reason for e in events if e.type == "finish"] == ["stop"]


def test_close_stops_the_transfer(client):
    start = time.monotonic()
    with client.chat.completions.create(messages=user("a b c [[mock: stall_after=2 stall_ms=5000]]"),
                                        stream=True) as stream:
        first = next(stream)
        assert first.choices[0].delta.role == "assistant"
    assert time.monotonic() - start < 2.5  # left the block: the stall is not waited for
    with pytest.raises(ValueError, match="closed"):
        next(stream)
    stream.close()  # twice is fine


def test_cut_stream_raises_with_the_partial_message(client):
    with pytest.raises(libkimi.IncompleteStreamError) as info:
        for _ in client.chat.completions.create(messages=user("a b c [[mock: cut_after=2]]"), stream=True):
            pass
    assert info.value.partial.choices[0].message.content == "You said: "
    assert info.value.kind == "incomplete"


def test_mid_stream_error(client):
    with pytest.raises(libkimi.APIError) as info:
        for _ in client.chat.completions.create(messages=user("a b [[mock: error_after=1]]"), stream=True):
            pass
    assert info.value.type == "server_error"
    assert info.value.partial.choices[0].message.content == "You "


def test_refused_stream_raises_at_create(client):
    with pytest.raises(libkimi.InternalServerError):
        client.chat.completions.create(messages=user("x [[mock: html=503]]"), stream=True)


def test_other_threads_run_during_a_stream(client):
    """The GIL is released while libkimi waits on the network."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        with client.chat.completions.create(messages=user("a b [[mock: stall_after=1 stall_ms=600]]"),
                                            stream=True) as stream:
            assert stream.text() == "You said: a b"
    finally:
        stop.set()
        thread.join()
    assert len(ticks) > 20


def test_a_long_stream_leaves_the_garbage_collector_idle(client):
    # A read brings a thousand chunks or more; the stream decodes them a few
    # dozen at a time, so each batch's objects are freed before the
    # collector's threshold and it never runs. Decoded a read at a time,
    # 20,000 chunks of content and tool-call pieces made it run 150 times,
    # older generations included (15 % of the stream's Python time).
    collections = []

    def watch(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    pieces = 0
    with client.chat.completions.create(messages=user("[[mock: chunks=20000 mixed batch=65536]]"),
                                        stream=True) as stream:
        gc.collect()
        gc.callbacks.append(watch)
        try:
            for chunk in stream:
                if chunk.choices:
                    delta = chunk.choices[0].delta
                    pieces += bool(delta.content) + len(delta.tool_calls or ())
        finally:
            gc.callbacks.remove(watch)
    assert pieces >= 20000
    assert gc.get_threshold()[0] >= 700  # the default, which the batches are sized for
    assert len(collections) <= 5, f"the collector ran {len(collections)} times (generations {set(collections)})"
