"""Streams read as records (kimi.h "Records", libkimi._records): what a
hostile server sends reaches the chunk objects whole or fails cleanly, for
the sync and the async client alike; a corrupt buffer cannot make the
reader loop or read past it; cancelling races the task's end without
losing a task or waiting on the loop."""

import asyncio
import struct

import pytest

import libkimi
from libkimi import _records
from conftest import user


def sync_text(url, **options):
    with libkimi.Client(api_key="sk-test", base_url=url, max_retries=0, **options) as client:
        with client.chat.completions.create(messages=user("hi"), stream=True) as stream:
            pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
        return "".join(pieces), stream.completion


def async_text(url, **options):
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=url, max_retries=0, **options) as client:
            stream = await client.chat.completions.create(messages=user("hi"), stream=True)
            pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
            return "".join(pieces), stream.completion
    return asyncio.run(main())


@pytest.mark.parametrize("read", [sync_text, async_text], ids=["sync", "async"])
def test_a_delta_larger_than_the_buffer_arrives_whole(hostile_url, read):
    # 3 MB in one delta: larger than a read's buffer, which grows for it.
    text, completion = read(f"{hostile_url}/bigdelta/3000000/0/v1")
    assert text == "x" * 3000000 + "tail"
    assert completion.choices[0].message.content == text


@pytest.mark.parametrize("read", [sync_text, async_text], ids=["sync", "async"])
def test_an_event_over_the_limit_fails_with_what_arrived(hostile_url, read):
    with pytest.raises(libkimi.APIResponseValidationError) as info:
        read(f"{hostile_url}/bigdelta/3000000/0/v1", max_event_bytes=1 << 20)
    assert "max_event_bytes" in str(info.value)


@pytest.mark.parametrize("read", [sync_text, async_text], ids=["sync", "async"])
def test_bad_utf8_and_terminal_attacks_pass_as_repaired_text(hostile_url, read):
    text, _ = read(f"{hostile_url}/sse/bad-utf8/v1")
    assert text == "a\ufffdb\ufffdc\ufffd\ufffdd\ufffd"
    text, _ = read(f"{hostile_url}/terminal/v1")
    assert "\x1b]0;pwned title\x07" in text  # the model's own text, as sent; the records keep every byte


@pytest.mark.parametrize("read", [sync_text, async_text], ids=["sync", "async"])
def test_falsy_errors_are_chunks(hostile_url, read):
    text, _ = read(f"{hostile_url}/sse/error-null/v1")
    assert text == "abcdef"


def test_tool_calls_out_of_order_keep_their_index(hostile_url):
    with libkimi.Client(api_key="sk-test", base_url=f"{hostile_url}/sse/tool-order/v1", max_retries=0) as client:
        with client.chat.completions.create(messages=user("hi"), stream=True) as stream:
            calls = [call for chunk in stream if chunk.choices for call in chunk.choices[0].delta.tool_calls or ()]
    assert [(c.index, c.id) for c in calls if c.id] == [(1, "functions.b:1"), (0, "functions.a:0")]
    assert [c.function.name for c in stream.completion.choices[0].message.tool_calls] == ["a", "b"]


def record(kind, count, user_data, part, choice, index, text=b"", second=b""):
    body = text + second
    size = 32 + ((len(body) + 7) & -8)
    return struct.pack("=IHHQBBhiII", size, kind, count, user_data, part, 0, choice, index, len(text),
                       len(second)) + body + b"\0" * (size - 32 - len(body))


def test_the_reader_of_the_format():
    data = (struct.pack("=IHHQqII", 48, _records.COMPLETION, 0, 7, 1700000000, 3, 5) + b"cmplkimi" + b"\0" * 8
            + record(_records.EVENTS, 1, 7, _records.CONTENT, 0, -1, "héllo".encode())
            + record(_records.EVENTS, 1, 9, _records.CONTENT, 0, -1, b"other")
            + record(_records.EVENTS, 1, 7, _records.TOOL_DELTA, 0, 2, b'{"a":')
            + record(_records.EVENTS, 1, 7, _records.END, -1, 0))
    routed = {}
    asked = []

    def into(user):
        asked.append(user)
        return routed.setdefault(user, [])

    _records.decode(data, {}, into)
    assert asked == [7, 9, 7]  # once per run of one task's records
    items = routed[7]
    assert (items[0].id, items[0].created, items[0].model) == ("cmp", 1700000000, "lkimi")
    assert items[0].choices[0].delta.content == "héllo" and items[0].object == "chat.completion.chunk"
    assert items[1].choices[0].delta.tool_calls[0].index == 2
    assert items[1].choices[0].delta.tool_calls[0].function.arguments == '{"a":'
    assert items[2].kind == _records.END and items[2].status == 0
    assert len(items) == 3
    other, = routed[9]
    assert other.choices[0].delta.content == "other" and other.id == ""  # no COMPLETION record of its own yet


def test_the_one_part_shapes_read_as_the_general_reader_reads_them():
    """decode builds the one-part records itself (content, reasoning, a
    tool call's arguments, the first chunk's role) and skips [DONE]; the
    general reader (chunk_of) must give the same chunks."""
    shapes = [(_records.CONTENT, 0, -1, b"hi"), (_records.REASONING, 1, -1, b"hm"),
              (_records.TOOL_DELTA, 0, 3, b'{"q":'), (_records.ROLE, 0, -1, b"assistant")]
    for part, choice, index, text in shapes:
        data = record(_records.EVENTS, 1, 7, part, choice, index, text)
        fast = []
        _records.decode(data, {}, lambda user: fast)
        general = _records.chunk_of(data, 0, 1, _records.NO_META)
        assert len(fast) == 1 and general is not None
        assert fast[0].model_dump() == general.model_dump(), (part, fast[0].model_dump(), general.model_dump())
        delta = fast[0].choices[0].delta
        assert (delta.role, delta.content, delta.reasoning_content) == (general.choices[0].delta.role,
                                                                     general.choices[0].delta.content,
                                                                     general.choices[0].delta.reasoning_content)
    done = record(_records.EVENTS, 1, 7, _records.DONE, -1, -1)
    items = []
    _records.decode(done, {}, lambda user: items)
    assert items == [] and _records.chunk_of(done, 0, 1, _records.NO_META) is None


@pytest.mark.parametrize("corrupt", [
    struct.pack("=IHHQBBhiII", 0, 1, 1, 0, 3, 0, 0, -1, 0, 0),            # a size of 0 would loop forever
    struct.pack("=IHHQBBhiII", 24, 1, 1, 0, 3, 0, 0, -1, 0, 0),           # smaller than a record
    struct.pack("=IHHQBBhiII", 4096, 1, 1, 0, 3, 0, 0, -1, 4000, 0),      # past the end of the buffer
    struct.pack("=IHHQBBhi", 40, 1, 1, 0, 3, 0, 0, -1),                   # a header cut short
])
def test_a_corrupt_buffer_is_refused_not_followed(corrupt):
    with pytest.raises((libkimi.APIResponseValidationError, struct.error)):
        _records.decode(corrupt, {}, lambda user: [])


def test_cancelling_races_the_end_without_losing_a_task(mock_url):
    """Calls cancelled at every moment of their life (before, while and
    after their answer): each ends one way, the queue frees every task, and
    no cancel waits for the C loop."""
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url, max_retries=0) as client:
            pump = None
            outcomes = {"done": 0, "cancelled": 0}
            for round in range(8):
                async def call(i):
                    if i % 3 == 0:
                        return await client.models.list()
                    if i % 3 == 1:
                        return await client.chat.completions.create(messages=user(f"n{i}"))
                    stream = await client.chat.completions.create(messages=user(f"n{i} [[mock: chunks=20]]"),
                                                                  stream=True)
                    return [c async for c in stream]
                tasks = [asyncio.ensure_future(call(i)) for i in range(60)]
                await asyncio.sleep(0.001 * round)
                for task in tasks[::2]:
                    task.cancel()
                for result in await asyncio.gather(*tasks, return_exceptions=True):
                    if isinstance(result, asyncio.CancelledError):
                        outcomes["cancelled"] += 1
                    else:
                        assert not isinstance(result, BaseException), result
                        outcomes["done"] += 1
                pump = client._pumps[asyncio.get_running_loop()]
            for _ in range(200):  # the tasks cancelled last end a few ms later
                if not pump.tasks:
                    break
                await asyncio.sleep(0.01)
            assert not pump.tasks
            assert outcomes["done"] >= 240 and outcomes["cancelled"] > 0
            assert (await client.models.list()).data[0].id == "kimi-k2.6"
    asyncio.run(main())


def test_cancelling_while_results_are_read(mock_url, tmp_path):
    path = tmp_path / "in.jsonl"
    with libkimi.BatchInput(path) as lines:
        for i in range(50):
            lines.add(f"r{i}", messages=user(f"prompt {i}"))

    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url, max_retries=0) as client:
            batch = await client.batches.wait(await client.batches.submit(path), poll_interval=0.01)
            seen = []

            async def read():
                async for result in client.batches.results(batch):
                    seen.append(result.custom_id)
                    await asyncio.sleep(0)

            reader = asyncio.ensure_future(read())
            while len(seen) < 5:
                await asyncio.sleep(0.001)
            reader.cancel()
            with pytest.raises(asyncio.CancelledError):
                await reader
            assert 5 <= len(seen) < 50
            again = [r.custom_id async for r in client.batches.results(batch)]
            assert sorted(again) == sorted(f"r{i}" for i in range(50))
    asyncio.run(main())


# --- decoding a read in slices (decode's pos and stop; Stream._chunks) -------

def part(kind, choice, index, text=b"", second=b""):
    body = text + second
    return struct.pack("=BBhiII", kind, 0, choice, index, len(text), len(second)) + body + \
        b"\0" * (((len(body) + 7) & -8) - len(body))


def multi(user_data, *parts):
    body = b"".join(parts)
    return struct.pack("=IHHQ", 16 + len(body), _records.EVENTS, len(parts), user_data) + body


def completion_record(user_data, id_, model, created=1700000000):
    names = id_ + model
    padded = names + b"\0" * (((len(names) + 7) & -8) - len(names))
    return struct.pack("=IHHQqII", 32 + len(padded), _records.COMPLETION, 0, user_data, created, len(id_),
                       len(model)) + padded


def usage_part(choice, numbers=(3, 4, 7, -1)):
    return struct.pack("=BBhiII", _records.USAGE, 0, choice, 0, 32, 0) + struct.pack("=4q", *numbers)


def random_records(rng, count, big=()):
    """A stream's records of every shape decode knows (the one-part ones it
    builds itself, the general ones chunk_of reads, COMPLETION, [DONE], a
    task's events), with records of `big` bytes of text at those places."""
    out = [completion_record(5, b"cmpl-1", b"kimi")]
    texts = [b"", b"a", b"abcdefgh", b"abcdefghi", "Grüße 世界 🌍 ".encode(), b"x" * 300]
    for i in range(count):
        if i in big:
            out.append(record(_records.EVENTS, 1, 5, _records.CONTENT, 0, -1, b"B" * big[i]))
            continue
        text = rng.choice(texts)
        shape = rng.randrange(12)
        if shape < 4:
            out.append(record(_records.EVENTS, 1, 5, (_records.CONTENT, _records.REASONING, _records.TOOL_DELTA,
                                                      _records.ROLE)[shape], rng.randrange(3), rng.randrange(4), text))
        elif shape == 4:
            out.append(multi(5, *(part(_records.CONTENT, c, -1, text) for c in range(rng.randrange(1, 9)))))
        elif shape == 5:
            out.append(multi(5, *(part(_records.TOOL_START, 0, t, b"functions.f:%d" % t, b"f") for t in range(4)),
                             *(part(_records.TOOL_DELTA, 0, t, text) for t in range(4))))
        elif shape == 6:
            out.append(multi(5, part(_records.FINISH, 0, -1, b"stop"), usage_part(0), usage_part(-1)))
        elif shape == 7:
            out.append(multi(5, part(_records.ROLE, 1, -1, b"assistant"), part(_records.CONTENT, 1, -1, text),
                             part(_records.REASONING, 1, -1, text)))
        elif shape == 8:
            out.append(record(_records.EVENTS, 1, 5, _records.DONE, -1, -1))
        elif shape == 9:  # a new id and model half way (the late-id case): chunks after it carry them
            out.append(completion_record(5, b"cmpl-%d" % i, b"kimi-%d" % i))
        elif shape == 10:
            out.append(record(_records.EVENTS, 1, 6, _records.CONTENT, 0, -1, text))  # another task's
        else:
            out.append(record(_records.EVENTS, 1, 5, _records.PROGRESS, -1, 0, struct.pack("=2q", i, count), text))
    return out


def dumped(item):
    if isinstance(item, _records.Event):
        return ("event",) + tuple(getattr(item, name) for name in _records.Event.__slots__)
    return (type(item).__name__, item.id, item.created, item.model, item.object, item.model_dump())


def decoded(data, slice_bytes):
    """What decode gives reading `data` in slices as Stream._chunks does,
    per user data; checks each call stops at the first record that ends at
    or past its stop."""
    ends, pos = [], 0
    while pos < len(data):
        pos += struct.unpack_from("=I", data, pos)[0]
        ends.append(pos)
    routed = {}
    metas = {}
    pos, calls = 0, 0
    while pos < len(data):
        stop = pos + slice_bytes
        after = _records.decode(data, metas, lambda user: routed.setdefault(user, []), pos, stop)
        assert after == next(end for end in ends if end >= min(stop, len(data))), (pos, stop, after)
        pos, calls = after, calls + 1
        assert calls <= len(ends)
    return {user: [dumped(item) for item in items] for user, items in routed.items()}, metas


@pytest.mark.parametrize("seed", range(6))
def test_a_buffer_read_in_slices_gives_the_items_of_reading_it_whole(seed):
    import random
    rng = random.Random(seed)
    big = {rng.randrange(400): rng.choice((4096, 4097, 70000))} if seed % 2 else {}
    data = b"".join(random_records(rng, 400, big))
    whole, whole_metas = decoded(data, 1 << 62)
    assert sum(map(len, whole.values())) > 300
    for slice_bytes in (1, 31, 32, 33, 40, 64, 100, 4095, _records.DECODE_SLICE, 4097, len(data) - 1, len(data)):
        sliced, metas = decoded(data, slice_bytes)
        assert sliced == whole, slice_bytes
        assert metas == whole_metas


def test_decode_reads_from_pos_until_a_record_ends_at_or_past_stop():
    pieces = [record(_records.EVENTS, 1, 7, _records.CONTENT, 0, -1, b"%031d" % i) for i in range(128)]
    assert {len(p) for p in pieces} == {64}
    data = b"".join(pieces)  # 8 KiB: records end exactly at 4096 and at the end
    items = []
    assert _records.decode(data, {}, lambda user: items, 0, 4096) == 4096 and len(items) == 64
    assert _records.decode(data, {}, lambda user: items, 4096, 4096) == 4096 and len(items) == 64  # nothing to read
    assert _records.decode(data, {}, lambda user: items, 4096, 4097) == 4160 and len(items) == 65
    assert _records.decode(data, {}, lambda user: items, 4160, 1 << 62) == 8192 and len(items) == 128
    assert _records.decode(data, {}, lambda user: items, 8192, 1 << 62) == 8192 and len(items) == 128
    assert [item.choices[0].delta.content for item in items] == ["%031d" % i for i in range(128)]
    # A record far larger than a slice, first, in the middle, last: read whole by one call.
    big = record(_records.EVENTS, 1, 7, _records.CONTENT, 0, -1, b"y" * (3 << 20))
    for layout in ((big, pieces[0]), (pieces[0], big), (pieces[0], big, pieces[1]), (big,)):
        data = b"".join(layout)
        items, pos, stops = [], 0, []
        while pos < len(data):
            pos = _records.decode(data, {}, lambda user: items, pos, pos + _records.DECODE_SLICE)
            stops.append(pos)
        assert stops == [sum(map(len, layout[:layout.index(big) + 1]))] + ([len(data)] if layout[-1] is not big else [])
        assert [len(item.choices[0].delta.content) for item in items] == [len(r) - 32 if r is big else 31
                                                                          for r in layout]


@pytest.mark.parametrize("at", [0, 4096 - 64, 4096, 4096 + 64, 8192 - 64])
@pytest.mark.parametrize("corrupt", ["zero", "short", "past", "huge", "cut"])
def test_a_corrupt_record_in_any_slice_is_refused_not_followed(at, corrupt):
    """A corrupt record after, at or before a slice boundary: the slices
    before it read, the one holding it raises; no call loops or reads past
    the buffer."""
    pieces = [record(_records.EVENTS, 1, 7, _records.CONTENT, 0, -1, b"%031d" % i) for i in range(128)]
    data = bytearray(b"".join(pieces))
    if corrupt == "cut":
        data = data[:at + 20]  # a header cut short: the buffer ends inside it
    else:
        size = {"zero": 0, "short": 31, "past": len(data) - at + 8, "huge": 0xFFFFFFFF}[corrupt]
        struct.pack_into("=I", data, at, size)
    data = bytes(data)
    items, pos = [], 0
    with pytest.raises((libkimi.APIResponseValidationError, struct.error)):
        while True:  # the buffer has no end that is not corrupt
            after = _records.decode(data, {}, lambda user: items, pos, pos + _records.DECODE_SLICE)
            assert pos < after <= len(data)
            pos = after
    assert len(items) == at // 64
    assert pos <= at


def test_fuzzed_buffers_end_or_raise():
    """Any bytes read in slices, from any byte: each call moves forward and
    stays inside the buffer, or raises (never loops, never reads past it)."""
    import random
    rng = random.Random(32)
    records = random_records(rng, 120)
    base = b"".join(records)
    allowed = (libkimi.APIResponseValidationError, struct.error, UnicodeDecodeError)
    for _ in range(300):
        cut = rng.randrange(len(base) + 1) if rng.random() < 0.5 else len(b"".join(records[:rng.randrange(121)]))
        data = bytearray(base[:cut])
        for _ in range(rng.randrange(0, 6)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
        pos = rng.randrange(len(data)) if data and rng.random() < 0.3 else 0  # a caller's pos inside a record
        try:
            while pos < len(data):
                after = _records.decode(data, {}, lambda user: [], pos, pos + rng.choice((1, 64, 4096)))
                assert pos < after <= len(data)
                pos = after
        except allowed:
            pass


@pytest.mark.parametrize("streamed", [True, False], ids=["stream", "create"])
def test_a_queue_that_cannot_be_read_fails_its_tasks_instead_of_hanging(mock_url, monkeypatch, streamed):
    # Records the package cannot read (a bug on one side or the other, never
    # the network's doing): raised inside asyncio's reader callback, the error
    # was only logged and every stream on the queue waited for ever.
    from libkimi import _tasks

    def corrupt(*args, **kwargs):
        raise _records._corrupt(0, 0, 32)

    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url, max_retries=0) as client:
            monkeypatch.setattr(_tasks, "decode", corrupt)
            async def one():
                if streamed:
                    stream = await client.chat.completions.create(messages=user("hi"), stream=True)
                    return [chunk async for chunk in stream]
                return await client.chat.completions.create(messages=user("hi"))
            results = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(3)), return_exceptions=True), 20)
            for result in results:
                assert isinstance(result, libkimi.APIResponseValidationError), result
                assert "cannot be read" in str(result) and "corrupt" in str(result)
            monkeypatch.undo()
            reply = await client.chat.completions.create(messages=user("after"))  # the client goes on
            assert reply.choices[0].message.content == "You said: after"
    asyncio.run(main())
