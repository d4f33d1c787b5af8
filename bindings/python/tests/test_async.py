"""The asyncio client: many concurrent streams on one loop, cancellation,
an async tool loop, and the other endpoints awaited."""

import asyncio
import dataclasses
import threading
import time

import pytest

import libkimi
from conftest import user


def run(coroutine):
    return asyncio.run(coroutine)


def test_create_stream_and_many_concurrent_streams(mock_url):
    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url) as client:
            reply = await client.chat.completions.create(messages=user("Hello"))
            assert reply.choices[0].message.content == "You said: Hello" and reply._request_id

            async def one(i):
                stream = await client.chat.completions.create(messages=user(f"n{i} [[mock: chunks=30]]"),
                                                              stream=True)
                pieces = [c.choices[0].delta.content async for c in stream if c.choices and c.choices[0].delta.content]
                assert stream.completion.choices[0].message.content == "".join(pieces)
                return len(pieces)

            threads = threading.active_count()
            counts = await asyncio.gather(*(one(i) for i in range(300)))
            assert counts == [30] * 300
            assert threading.active_count() <= threads + 1  # the C loop's thread at most: none per request
            assert client.usage.responses == 301
    run(main())


def test_stream_head_and_raw_responses(mock_url):
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            async with await client.chat.completions.create(
                    messages=user("a b [[mock: rheader=X-Custom:here]]"), stream=True) as stream:
                assert stream.response.status_code == 200 and stream.response.headers["x-custom"] == "here"
                assert (await stream.get_final_completion()).choices[0].message.content == "You said: a b"
            raw = await client.chat.completions.with_raw_response.create(messages=user("r"), extra_headers={"X-A": "1"})
            assert raw.status_code == 200 and raw.request_id.startswith("req-mock-")
            assert raw.parse().choices[0].message.content == "You said: r"
            with pytest.raises(libkimi.RateLimitError) as info:
                await client.chat.completions.create(messages=user(
                    "x [[mock: status=429 type=rate_limit_reached_error retry_after=1]]"), max_retries=0)
            assert info.value.response.headers["retry-after"] == "1"
            with pytest.raises(libkimi.AuthenticationError):
                async with libkimi.AsyncClient(api_key="sk-bad", base_url=mock_url) as bad:
                    await bad.chat.completions.create(messages=user("x"), stream=True)
    run(main())


def test_cancelling_the_asyncio_task_cancels_the_stream(mock_url):
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            seen = []

            async def consume():
                stream = await client.chat.completions.create(
                    messages=user("one two three [[mock: stall_after=3 stall_ms=20000]]"), stream=True)
                async for chunk in stream:
                    seen.append(chunk)

            task = asyncio.ensure_future(consume())
            while len(seen) < 3:
                await asyncio.sleep(0.01)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            assert time.monotonic() - started < 2
            partial = info.value.partial
            assert partial.choices[0].message.reasoning_content.startswith("The user")
            # Cancelled while waiting for the answer, too.
            waiting = asyncio.ensure_future(client.chat.completions.create(messages=user("x [[mock: stall_ms=20000]]")))
            await asyncio.sleep(0.2)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            assert (await client.chat.completions.create(messages=user("again"))).choices[0].message.content \
                == "You said: again"
    run(main())


def test_many_streams_cancelled_at_once(mock_url):
    """More ENDs than one turn of the loop wakes (64): every stream still
    ends cancelled with its partial answer, and the client is usable; a
    client closed while ends are still being woken frees them all."""
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            for closing in (False, True):
                seen = [0] * 200

                async def consume(i):
                    stream = await client.chat.completions.create(
                        messages=user(f"{i} a b [[mock: stall_after=2 stall_ms=20000]]"), stream=True)
                    async for _ in stream:
                        seen[i] += 1

                tasks = [asyncio.ensure_future(consume(i)) for i in range(len(seen))]
                while min(seen) < 2:
                    await asyncio.sleep(0.01)
                for task in tasks:
                    task.cancel()
                if closing:
                    await asyncio.sleep(0)  # some ends read, most not yet woken
                    await client.close()
                outcomes = []
                for task in tasks:  # awaited one by one: gather would make new CancelledErrors, without partial
                    try:
                        await task
                    except asyncio.CancelledError as cancelled:
                        outcomes.append(cancelled)
                assert len(outcomes) == len(tasks)
                if not closing:
                    assert all(o.partial is not None and o.partial.choices[0].message.reasoning_content
                               for o in outcomes)
                    assert (await client.chat.completions.create(messages=user("after"))).choices[0] \
                        .message.content == "You said: after"
    run(main())


def test_other_endpoints_awaited(mock_url, tmp_path):
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            models = await client.models.list()
            assert models.data[0].id == "kimi-k2.6"
            assert (await client.balance()).available_balance > 0
            assert await client.estimate_tokens(messages=user("count me")) > 0
            uploaded = await client.files.create(file=("notes.txt", b"hello"), purpose="file-extract")
            assert (await client.files.content(uploaded.id)).text == "hello"
            assert (await client.files.retrieve(uploaded.id)).id == uploaded.id
            assert uploaded.id in [f.id for f in await client.files.list()]
            await client.files.delete(uploaded.id)
            assert await client.files.download("file-big-70000", tmp_path / "big.bin") == 70000
            assert (tmp_path / "big.bin").stat().st_size == 70000
            # A slow call is cancelled at once with its asyncio task.
            slow = asyncio.ensure_future(client.models.list(extra_headers={"X-Mock-Scenario": "stall_ms=20000"}))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow
            assert time.monotonic() - started < 2
            # Batches: an awaitable wait, results as an async iterator.
            path = tmp_path / "in.jsonl"
            with libkimi.BatchInput(path) as lines:
                for i in range(3):
                    lines.add(f"r{i}", messages=user(f"prompt {i}"))
            batch = await client.batches.submit(path)
            polls = []
            done = await client.batches.wait(batch, poll_interval=0.01, on_progress=lambda b: polls.append(b.status))
            assert done.status == "completed" and "in_progress" in polls
            results = [r async for r in client.batches.results(done)]
            assert sorted(r.custom_id for r in results) == ["r0", "r1", "r2"]
    run(main())


def test_async_tool_loop(mock_url):
    async def clock(city: str) -> str:
        """The time in a city."""
        await asyncio.sleep(0.01)
        return f"12:00 in {city}"

    def weather(city: str) -> str:
        return "sunny"

    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            async with client.conversation(tools=[clock, weather]) as conv:
                conv.add_message("user", "time? [[mock: tool_rounds=2]]")
                events = []

                async def on_event(event):
                    events.append(event.type)

                reply = await conv.run(on_event=on_event)
                assert reply.choices[0].message.content.startswith("Tool results:")
                assert "clock=12:00 in " in reply.choices[0].message.content
                assert "content" in events and "done" in events
    run(main())


def test_parse_awaited(mock_url):
    @dataclasses.dataclass
    class Answer:
        city: str
        degrees: int

    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            completion = await client.chat.completions.parse(messages=user("weather?"), response_format=Answer)
            assert completion.choices[0].message.parsed == Answer("text", 7)
    run(main())


def test_a_client_per_asyncio_run(mock_url):
    client = libkimi.AsyncClient(api_key="sk-test", base_url=mock_url)

    async def ask(text):
        return (await client.chat.completions.create(messages=user(text))).choices[0].message.content

    assert asyncio.run(ask("one")) == "You said: one"
    assert asyncio.run(ask("two")) == "You said: two"  # a new loop gets its own event queue
    asyncio.run(client.close())


def test_cancelling_many_streams_never_waits_on_the_loop(mock_url, monkeypatch):
    """A cancel is a request: the C task's end arrives as an event. 0.2.0
    waited in kimi_task_wait for each cancelled task on the loop's thread
    (1,000 cancels stalled the loop for up to a second)."""
    from libkimi import _lib
    waits = []
    real_wait = _lib.functions.kimi_task_wait
    monkeypatch.setattr(_lib.functions, "kimi_task_wait",
                        lambda handle, ms: waits.append(ms) or real_wait(handle, ms))

    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            first = asyncio.Event()
            partials = []

            async def consume():
                stream = await client.chat.completions.create(
                    messages=user("one two [[mock: stall_after=2 stall_ms=20000]]"), stream=True)
                try:
                    async for _ in stream:
                        first.set()
                except asyncio.CancelledError as cancelled:
                    partials.append(cancelled.partial)
                    raise

            tasks = [asyncio.ensure_future(consume()) for _ in range(200)]
            await first.wait()
            await asyncio.sleep(0.3)
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(isinstance(r, asyncio.CancelledError) for r in results), \
                [r for r in results if not isinstance(r, asyncio.CancelledError)][:3]
            assert sum(p is not None and p.choices[0].message.reasoning_content.startswith("The user")
                       for p in partials) >= 190
            assert (await client.chat.completions.create(messages=user("after"))).choices[0].message.content \
                == "You said: after"
    run(main())
    assert waits and all(ms == 0 for ms in waits), waits[:10]


def test_interleaved_records_of_many_streams_reach_their_own_stream(mock_url):
    """With 100 ms of coalescing, one queue read holds records of many of
    the 120 streams interleaved, some streams' ENDs in its middle and other
    streams split across reads: each stream gets its own pieces, in order,
    and ends once. Every third stream is left after its first piece (its
    END comes for a task the reader let go of)."""
    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url, coalesce_us=100_000) as client:
            async def one(i):
                words = " ".join(f"w{i}x{j}" for j in range(i % 7 + 1))
                stream = await client.chat.completions.create(
                    messages=user(f"{words} [[mock: delay_ms={i % 3}]]"), stream=True)
                pieces = []
                async for chunk in stream:
                    if chunk.choices and chunk.choices[0].delta.content:
                        pieces.append(chunk.choices[0].delta.content)
                        if i % 3 == 0:
                            await stream.close()
                            return None
                return words, "".join(pieces), stream.completion.choices[0].message.content

            results = await asyncio.gather(*(one(i) for i in range(120)))
            for result in results:
                if result is None:
                    continue
                words, streamed, whole = result
                assert streamed == whole and words in streamed
            reply = await client.chat.completions.create(messages=user("after"))  # the client goes on
            assert reply.choices[0].message.content == "You said: after"

    asyncio.run(main())


def test_a_stream_closed_before_its_end_refuses_reads_as_the_sync_one(mock_url):
    # As the sync Stream (and a closed file): reads after close() raise
    # ValueError every time; before, the first read after close() ended the
    # stream quietly, or handed out pieces that had arrived. A stream read to
    # its end, then closed, still reads as ended.
    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url) as client:
            for started in (False, True):
                stream = await client.chat.completions.create(
                    messages=user("[[mock: chunks=500 delay_ms=1]]"), stream=True)
                if started:
                    first = await stream.__anext__()
                    assert first.choices
                await stream.close()
                for _ in range(2):
                    with pytest.raises(ValueError, match="closed"):
                        await stream.__anext__()
                with pytest.raises(ValueError, match="closed"):
                    async for _ in stream:
                        pass
                assert stream.completion is not None  # what arrived
            stream = await client.chat.completions.create(messages=user("whole [[mock: chunks=5]]"), stream=True)
            pieces = [c async for c in stream]
            await stream.close()
            assert pieces and [c async for c in stream] == []
            assert (await stream.get_final_completion()).choices[0].message.content

    asyncio.run(main())


@pytest.mark.parametrize("wrong", [-1, 100_001, True, 1.5, "1000"])
def test_coalesce_us_is_checked(mock_url, wrong):
    with pytest.raises(ValueError, match="coalesce_us"):
        libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url, coalesce_us=wrong)
    with libkimi.OpenAI(api_key="sk-test", base_url=mock_url, coalesce_us=0) as client:
        assert client.chat.completions.create(messages=user("x"), stream=True).get_final_completion()
