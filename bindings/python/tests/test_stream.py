"""Streaming: openai-shaped chunks, events, early close, honest completion."""

import gc
import threading
import time

import pytest

import libkimi
from conftest import FixedBody, user


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


# --- a read decoded and handed on a slice at a time (DECODE_SLICE) ----------

import json
import struct

from libkimi import _records, _streaming


def dumps(chunks):
    return [(c.id, c.created, c.model, c.model_dump()) for c in chunks]


def read_all(client, text, **options):
    with client.chat.completions.create(messages=user(text), stream=True, **options) as stream:
        return dumps(stream), stream.completion


HEAVY = ["[[mock: chunks=3000 mixed batch=65536]]",
         "x [[mock: calls=get_weather,get_time,find interleave batch=65536]]",
         "[[mock: unicode reasoning_chunks=800 batch=65536]]",
         "[[mock: chunks=1500 batch=65536 usage=both]]"]


@pytest.mark.parametrize("text", HEAVY)
def test_slices_give_the_chunks_of_decoding_a_read_whole(client, monkeypatch, text):
    """Every chunk, in order, equal field for field to what decoding each
    read whole gave (the reader before slices), with slice sizes that cut
    every record, with several choices and include_usage."""
    options = dict(model="moonshot-v1-8k", n=3, stream_options={"include_usage": True})
    monkeypatch.setattr(_streaming, "DECODE_SLICE", 1 << 62)
    whole, completion = read_all(client, text, **options)
    assert len(whole) > 20
    for size in (1, 40, 333, 4096):
        monkeypatch.setattr(_streaming, "DECODE_SLICE", size)
        sliced, again = read_all(client, text, **options)
        assert sliced == whole, size
        assert again.model_dump() == completion.model_dump()


def fake_stream(reads):
    """A Stream whose reads are `reads` (record buffers), for Stream._chunks
    alone: what a slice hands on, and when."""
    stream = object.__new__(libkimi.Stream)
    stream._closing = False
    pending = iter(reads)
    stream._read = lambda: next(pending, b"")
    return stream, stream._chunks()


def content_record(text, user_data=0):
    return _records_record(_records.EVENTS, 1, user_data, _records.CONTENT, 0, -1, text.encode())


def _records_record(kind, count, user_data, part, choice, index, text=b""):
    size = 32 + ((len(text) + 7) & -8)
    return struct.pack("=IHHQBBhiII", size, kind, count, user_data, part, 0, choice, index, len(text), 0) + text + \
        b"\0" * (size - 32 - len(text))


def test_a_slice_is_handed_on_before_the_next_is_decoded(monkeypatch):
    calls = []
    decode = _records.decode

    def logged(data, metas, into, pos=0, stop=1 << 62):
        after = decode(data, metas, into, pos, stop)
        calls.append((len(data), pos, after))
        return after

    monkeypatch.setattr(_streaming, "decode", logged)
    monkeypatch.setattr(_streaming, "DECODE_SLICE", 4096)  # the figures below are in 4 KiB slices
    small = [content_record("%031d" % i) for i in range(128)]  # 64 bytes each: slices end on records
    big = content_record("B" * (3 << 20))
    reads = [b"".join(small), big + b"".join(small[:3]), b"".join(small[:3]) + big, b"".join(small[:2]) + big + small[2]]
    stream, chunks = fake_stream(reads)
    assert next(chunks).choices[0].delta.content == "%031d" % 0
    assert calls == [(8192, 0, 4096)]  # the first slice's chunks come before the second is decoded
    rest = [next(chunks) for _ in range(63)]
    assert rest[-1].choices[0].delta.content == "%031d" % 63 and len(calls) == 1
    got = [c.choices[0].delta.content for c in chunks]
    expected = ["%031d" % i for i in range(64, 128)] + ["B" * (3 << 20)] + ["%031d" % i for i in range(3)] + \
        ["%031d" % i for i in range(3)] + ["B" * (3 << 20)] + ["%031d" % i for i in range(2)] + ["B" * (3 << 20)] + \
        ["%031d" % 2]
    assert got == expected
    b = len(big)
    assert calls == [(8192, 0, 4096), (8192, 4096, 8192), (b + 192, 0, b), (b + 192, b, b + 192),
                     (b + 192, 0, b + 192), (b + 192, 0, b + 128), (b + 192, b + 128, b + 192)]


@pytest.mark.parametrize("taken", [1, 63, 64, 65, 127])
def test_closing_while_a_slice_is_handed_on_stops_at_the_next_chunk(taken):
    small = [content_record("%031d" % i) for i in range(128)]
    stream, chunks = fake_stream([b"".join(small), b"".join(small)])
    got = [next(chunks).choices[0].delta.content for _ in range(taken)]
    assert got == ["%031d" % i for i in range(taken)]
    stream._closing = True  # close() from another thread while the reader waits at a yield
    with pytest.raises(ValueError, match="closed"):
        next(chunks)


def test_close_from_another_thread_in_the_middle_of_a_read(client):
    with client.chat.completions.create(messages=user("[[mock: chunks=3000 mixed batch=65536]]"),
                                        stream=True) as stream:
        first = [next(stream) for _ in range(150)]  # inside the first read, past its first slices
        closer = threading.Thread(target=stream.close)
        closer.start()
        closer.join()
        with pytest.raises(ValueError, match="closed"):
            next(stream)
    assert len(first) == 150


@pytest.mark.parametrize("text", ["[[mock: chunks=3000 mixed batch=65536]]", "a b c [[mock: stall_after=2 stall_ms=5000]]"])
@pytest.mark.parametrize("where", ["same thread", "other thread"])
def test_closing_between_reads_keeps_what_arrived(client, text, where):
    """close() while the reader waits at a chunk (not inside a C call):
    `completion` is what arrived, as the docstrings say. The stream was
    still running, so kimi_stream_response had nothing for close() to keep
    (completion None), unless the transfer is stopped first."""
    with client.chat.completions.create(messages=user(text), stream=True) as stream:
        first = [next(stream) for _ in range(3)]
        if where == "same thread":
            stream.close()
        else:
            closer = threading.Thread(target=stream.close)
            closer.start()
            closer.join()
        with pytest.raises(ValueError, match="closed"):
            next(stream)
    assert stream.completion is not None
    message = stream.completion.choices[0].message
    for field in ("reasoning_content", "content"):
        read = "".join(getattr(c.choices[0].delta, field) or "" for c in first if c.choices)
        assert (getattr(message, field) or "").startswith(read)
    assert message.reasoning_content or message.content


@pytest.mark.parametrize("started", [True, False])
def test_a_stream_closed_before_its_end_keeps_refusing_reads(client, started):
    """"later reads raise ValueError, like a closed file": the first read
    after close() raised it inside the reading generator, which ended it,
    so the next read was a StopIteration, a stream that seemed to end."""
    with client.chat.completions.create(messages=user("[[mock: chunks=3000 batch=65536]]"), stream=True) as stream:
        if started:
            next(stream)
        stream.close()
        for _ in range(3):
            with pytest.raises(ValueError, match="closed"):
                next(stream)
        with pytest.raises(ValueError, match="closed"):
            list(stream)
        with pytest.raises(ValueError, match="closed"):
            stream.get_final_completion()
    # A stream read to its end and then closed reads as ended.
    with client.chat.completions.create(messages=user("a b"), stream=True) as stream:
        chunks = list(stream)
    assert list(stream) == [] and chunks
    assert stream.get_final_completion().choices[0].message.content == "You said: a b"


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("at", [0, 1, 60, 61, 62, 90, 1499, -2, -1])
def test_the_callers_exception_mid_slice_loses_no_chunk(client, failure, at):
    """The caller raises out of its loop at chunk `at` (in a slice, at its
    end, at the stream's last chunk) and then reads on: every chunk once,
    in order."""
    text = "[[mock: chunks=3000 mixed batch=65536]]"
    whole, completion = read_all(client, text)
    assert len(whole) > 3000
    at %= len(whole)
    got = []
    with client.chat.completions.create(messages=user(text), stream=True) as stream:
        with pytest.raises(failure):
            for i, chunk in enumerate(stream):
                got.append(chunk)
                if i == at:
                    raise failure()
        got.extend(stream)
    assert dumps(got) == whole
    assert stream.completion.model_dump() == completion.model_dump()


@pytest.mark.parametrize("failure", ["cut_after", "error_after"])
def test_a_failure_after_a_long_read_hands_on_every_chunk_before_it(client, monkeypatch, failure):
    text = f"[[mock: chunks=3000 {failure}=2500 batch=65536]]"
    runs = []
    for size in (1 << 62, _records.DECODE_SLICE, 100):
        monkeypatch.setattr(_streaming, "DECODE_SLICE", size)
        got = []
        with pytest.raises(libkimi.APIError) as info:
            with client.chat.completions.create(messages=user(text), stream=True) as stream:
                got.extend(stream)
        content = "".join(c.choices[0].delta.content or "" for c in got if c.choices)
        assert content == "tok " * 2500 == info.value.partial.choices[0].message.content
        assert stream.completion.choices[0].message.content == content
        runs.append(dumps(got))
    assert runs[0] == runs[1] == runs[2]


def failing_on_call(n, failure, real):
    """`real`, except that its n-th call raises `failure` ("planted")."""
    calls = []

    def failing(*args):
        calls.append(1)
        if len(calls) == n:
            raise failure("planted")
        return real(*args)
    return failing


@pytest.mark.parametrize("failure", [KeyboardInterrupt, libkimi.APIResponseValidationError])
def test_a_failure_inside_the_decoder_ends_the_stream_keeping_what_arrived(client, monkeypatch, failure):
    # Ctrl-C landing while a slice is decoded, or records decode() refuses:
    # the reading generator ends there. The stream ends with it (its transfer
    # stopped, what arrived in `completion`), so a later read is an end, not a
    # wait on a transfer nobody stops; the reader before kept `completion` None.
    monkeypatch.setattr(_streaming, "decode", failing_on_call(3, failure, _records.decode))
    got = []
    stream = client.chat.completions.create(messages=user("[[mock: chunks=3000 batch=65536]]"), stream=True)
    with pytest.raises(failure) as info:
        for chunk in stream:
            got.append(chunk)
    content = "".join(c.choices[0].delta.content or "" for c in got if c.choices)
    assert content and stream.completion is not None
    if failure is not KeyboardInterrupt:
        assert info.value.partial is stream.completion  # as every stream failure carries it
    assert stream.completion.choices[0].message.content.startswith(content)
    assert list(stream) == []
    stream.close()


def test_a_failure_inside_the_events_reader_ends_the_stream_keeping_what_arrived(client, monkeypatch):
    monkeypatch.setattr(_streaming, "stream_events", failing_on_call(40, KeyboardInterrupt, _records.stream_events))
    stream = client.chat.completions.create(messages=user("[[mock: chunks=3000 batch=65536]]"), stream=True)
    got = []
    with pytest.raises(KeyboardInterrupt):
        for event in stream.events():
            got.append(event)
    text = "".join(e.text for e in got if e.type == "content")
    assert text and stream.completion.choices[0].message.content.startswith(text)
    stream.close()


def test_a_corrupt_record_stops_the_events_reader(monkeypatch):
    # A record of 0 bytes: the events reader followed sizes without the
    # check decode() makes, so it would have read the same header forever.
    stream, _ = fake_stream([content_record("a") + struct.pack("=IHHQ", 0, _records.EVENTS, 1, 0) + b"\0" * 24])
    stream._done, stream._hold, stream._token, stream._handle = False, None, None, libkimi._handles.Handle(None, None)
    stream.completion, stream._guard, stream._inside = None, threading.Lock(), 0
    outcome = []

    def read():
        try:
            outcome.append([e.text for e in stream._events()])
        except libkimi.APIResponseValidationError as error:
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "the events reader loops on a record of 0 bytes"
    assert isinstance(outcome[0], libkimi.APIResponseValidationError) and "corrupt" in str(outcome[0])


def test_chunks_then_events_is_refused_mid_slice(client):
    with client.chat.completions.create(messages=user("[[mock: chunks=500 batch=65536]]"), stream=True) as stream:
        first = next(stream)
        with pytest.raises(ValueError, match="not both"):
            stream.events()
        rest = list(stream)
    assert first.choices[0].delta.role == "assistant" and len(rest) > 500


@pytest.fixture(scope="module")
def sse_server():
    """A whole SSE stream as one answer (FixedBody)."""
    server = FixedBody("text/event-stream")
    yield server
    server.close()


def sse(delta=None, finish=None, choices=None, usage=None):
    body = {"id": "cmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": choices if choices is not None else [{"index": 0, "delta": delta or {}, "finish_reason": finish}]}
    if usage is not None:
        body["usage"] = usage
    return b"data: " + json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode() + b"\n\n"


def served(server, pieces, monkeypatch, size):
    monkeypatch.setattr(_streaming, "DECODE_SLICE", size)
    server.body = sse({"role": "assistant", "content": ""}) + b"".join(pieces) + sse(finish="stop") + b"data: [DONE]\n\n"
    with libkimi.Client(api_key="sk-test", base_url=server.url, max_retries=0) as client:
        with client.chat.completions.create(messages=user("hi"), stream=True) as stream:
            return dumps(stream), stream.completion


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_delta_of_megabytes_among_small_ones(sse_server, monkeypatch, where):
    small = [sse({"content": "%d," % i}) for i in range(2000)]
    calls = [sse({"tool_calls": [{"index": t, "function": {"arguments": "a"}}]}) for t in range(4) for _ in range(300)]
    big = sse({"content": "é" * (1 << 20)})
    place = {"first": 0, "middle": 1000, "last": 2000}[where]
    pieces = small[:place] + [big] + small[place:]
    starts = [sse({"tool_calls": [{"index": t, "id": f"functions.f{t}:{t}", "type": "function",
                                   "function": {"name": f"f{t}", "arguments": ""}} for t in range(4)]})]
    pieces = pieces + starts + calls
    whole, completion = served(sse_server, pieces, monkeypatch, 1 << 62)
    contents = [c[3]["choices"][0]["delta"].get("content") for c in whole if c[3]["choices"]]
    assert contents[place + 1] == "é" * (1 << 20)
    assert completion.choices[0].message.content == "".join(c or "" for c in contents)
    assert completion.choices[0].message.tool_calls[3].function.arguments == "a" * 300
    for size in (_records.DECODE_SLICE, 41):
        sliced, again = served(sse_server, pieces, monkeypatch, size)
        assert sliced == whole
        assert again.model_dump() == completion.model_dump()


def test_tiny_tool_call_pieces_leave_the_garbage_collector_idle(sse_server):
    """The densest records a stream has (a tool call's arguments one byte at
    a time: 40 bytes and 7 objects each, about 100 per slice)."""
    collections = []

    def watch(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    start = sse({"tool_calls": [{"index": 0, "id": "functions.f:0", "type": "function",
                                 "function": {"name": "f", "arguments": ""}}]})
    piece = sse({"tool_calls": [{"index": 0, "function": {"arguments": "a"}}]})
    sse_server.body = sse({"role": "assistant", "content": ""}) + start + piece * 20000 + sse(finish="tool_calls") + \
        b"data: [DONE]\n\n"
    pieces = 0
    with libkimi.Client(api_key="sk-test", base_url=sse_server.url, max_retries=0) as client:
        with client.chat.completions.create(messages=user("hi"), stream=True) as stream:
            gc.collect()
            gc.callbacks.append(watch)
            try:
                for chunk in stream:
                    if chunk.choices:
                        pieces += len(chunk.choices[0].delta.tool_calls or ())
            finally:
                gc.callbacks.remove(watch)
    assert pieces == 20001
    assert len(collections) <= 5, f"the collector ran {len(collections)} times (generations {set(collections)})"
