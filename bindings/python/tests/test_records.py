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
