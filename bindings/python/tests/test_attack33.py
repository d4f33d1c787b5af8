"""Helper 33's attacks on AsyncStream.close() (3d74991), Queue.unreadable
(d4c6b8e) and the sync Stream ending when its decoder raises (f66f24a,
3b3024a): a closing coroutine racing a reader, cancellation or another
close; the shared closed placeholder; unreadable queues with many tasks of
every kind, on both clients, freeing every C task; decoder failures at each
slice, on another thread."""

import asyncio
import threading

import pytest

import libkimi
from libkimi import _async, _lib, _records, _streaming, _tasks
from conftest import user


def run(coroutine, timeout=30):
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def aclient(mock_url):
    return libkimi.AsyncClient(api_key="sk-test", base_url=mock_url, max_retries=0)


SLOW = "[[mock: chunks=400 delay_ms=5]]"


# --- AsyncStream.close() racing readers, cancellation, another close -----------------

def test_close_from_another_coroutine_wakes_a_reader_waiting_for_the_next_chunk(mock_url):
    # The reader is suspended in pump.wait (its waiter on the task); close()
    # then awaits the task's end with a waiter of its own. Both must wake.
    async def main():
        async with aclient(mock_url) as client:
            stream = await client.chat.completions.create(messages=user("slow " + SLOW), stream=True)
            await stream.__anext__()
            while stream._task.items:  # what already arrived: the next read waits
                await stream.__anext__()
            reader = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0)
            assert stream._task.waiter is not None  # the reader waits in pump.wait
            await asyncio.wait_for(stream.close(), 10)
            done, _ = await asyncio.wait({reader}, timeout=10)
            assert done, "the reader waiting when the stream was closed never wakes"
            # a read closed under it refuses as every later one (not an end)
            assert isinstance(reader.exception(), ValueError), reader.exception()
            with pytest.raises(ValueError, match="closed"):
                await stream.__anext__()
            assert stream.completion is not None
    run(main())


def test_close_twice_concurrently_both_return(mock_url):
    async def main():
        async with aclient(mock_url) as client:
            stream = await client.chat.completions.create(messages=user("twice " + SLOW), stream=True)
            await stream.__anext__()
            first = asyncio.ensure_future(stream.close())
            second = asyncio.ensure_future(stream.close())
            done, _ = await asyncio.wait({first, second}, timeout=10)
            assert done == {first, second}, "one of two concurrent close() never returns"
            await stream.close()  # a third, after: nothing to do
            with pytest.raises(ValueError, match="closed"):
                await stream.__anext__()
            assert stream.completion is not None
    run(main())


def test_close_racing_the_cancellation_of_the_reading_task(mock_url):
    async def main():
        async with aclient(mock_url) as client:
            for order in ("cancel-first", "close-first"):
                stream = await client.chat.completions.create(messages=user(order + " " + SLOW), stream=True)

                async def read_all():
                    return [c async for c in stream]

                reader = asyncio.ensure_future(read_all())
                while stream._task.waiter is None:
                    await asyncio.sleep(0.001)
                if order == "cancel-first":
                    reader.cancel()
                    closing = asyncio.ensure_future(stream.close())
                else:
                    closing = asyncio.ensure_future(stream.close())
                    await asyncio.sleep(0)
                    reader.cancel()
                done, _ = await asyncio.wait({reader, closing}, timeout=10)
                assert done == {reader, closing}, f"{order}: the reader or close() never ends"
                assert closing.exception() is None
                with pytest.raises(ValueError, match="closed"):
                    await stream.__anext__()
            reply = await client.chat.completions.create(messages=user("after"))
            assert reply.choices[0].message.content == "You said: after"
    run(main())
