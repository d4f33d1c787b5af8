"""Helper 33's attacks on AsyncStream.close() (3d74991), Queue.unreadable
(d4c6b8e) and the sync Stream ending when its decoder raises (f66f24a,
3b3024a): a closing coroutine racing a reader, cancellation or another
close; the shared closed placeholder; unreadable queues with many tasks of
every kind, on both clients, freeing every C task; decoder failures at each
slice, on another thread."""

import asyncio
import collections
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
            # The server pauses after 3 pieces: reads go on until one waits.
            stream = await client.chat.completions.create(
                messages=user("slow [[mock: chunks=400 stall_after=3 stall_ms=5000]]"), stream=True)
            for _ in range(1000):
                reader = asyncio.ensure_future(stream.__anext__())
                await asyncio.sleep(0.005)
                if not reader.done():
                    break
                reader.result()  # a piece that had arrived
            assert not reader.done() and stream._task.waiter is not None  # the reader waits in pump.wait
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


def test_close_right_after_a_chunk_before_the_rest_came(mock_url):
    # Every piece that arrived handed out, the rest (and END) not: closed
    # before its end, so its reads refuse; completion is what arrived.
    async def main():
        async with aclient(mock_url) as client:
            stream = await client.chat.completions.create(
                messages=user("[[mock: chunks=4 stall_after=3 stall_ms=3000]]"), stream=True)
            got = []
            while "".join(c.choices[0].delta.content or "" for c in got if c.choices).count("tok") < 3:
                got.append(await stream.__anext__())
            text = "".join(c.choices[0].delta.content or "" for c in got if c.choices)
            assert not stream._task.ended and not stream._task.items
            await asyncio.wait_for(stream.close(), 10)  # does not wait for the stall
            with pytest.raises(ValueError, match="closed"):
                await stream.__anext__()
            assert stream.completion.choices[0].message.content == text
    run(main())


def test_close_right_after_the_finish_chunk(mock_url):
    # The last piece handed out; END read or not yet: either the stream reads
    # as ended or as closed, and completion is the whole answer either way.
    async def main():
        async with aclient(mock_url) as client:
            for i in range(5):
                stream = await client.chat.completions.create(messages=user(f"f{i} [[mock: chunks=3]]"), stream=True)
                got = []
                while not (got and got[-1].choices and got[-1].choices[0].finish_reason):
                    got.append(await stream.__anext__())
                await stream.close()
                try:
                    rest = [c async for c in stream]
                except ValueError:
                    rest = None
                assert rest in (None, []), rest
                text = "".join(c.choices[0].delta.content or "" for c in got if c.choices)
                assert stream.completion.choices[0].message.content == text
    run(main())


def test_after_async_with_the_stream_refuses_get_final_completion_and_text_but_keeps_completion(mock_url):
    async def main():
        async with aclient(mock_url) as client:
            async with await client.chat.completions.create(messages=user(SLOW), stream=True) as stream:
                first = await stream.__anext__()
            for ask in (stream.get_final_completion, stream.text):
                with pytest.raises(ValueError, match="closed"):
                    await ask()
            kept = stream.completion
            assert kept is not None and kept.choices[0].message.content.startswith(first.choices[0].delta.content or "")
            assert stream.response.status_code == 200
            # read to its end inside the block: still reads as ended after it
            async with await client.chat.completions.create(messages=user("whole [[mock: chunks=4]]"),
                                                            stream=True) as whole:
                pieces = [c async for c in whole]
            assert pieces and await whole.text() == whole.completion.choices[0].message.content
    run(main())


def test_the_stream_helper_after_close(mock_url):
    async def main():
        async with aclient(mock_url) as client:
            async with client.beta.chat.completions.stream(messages=user(SLOW)) as helper:
                async for event in helper:
                    break
            for _ in range(2):
                with pytest.raises(ValueError, match="closed"):
                    await helper.__anext__()
            with pytest.raises(ValueError, match="closed"):
                await helper.get_final_completion()
            assert helper.current_completion_snapshot is not None
            async with client.beta.chat.completions.stream(messages=user("done [[mock: chunks=3]]")) as helper:
                final = await helper.get_final_completion()
            await helper.close()
            assert (await helper.get_final_completion()).choices[0].message.content == final.choices[0].message.content
    run(main())


def test_the_closed_placeholder_is_never_changed(mock_url):
    # Every stream closed before its end reads the same ended ChatTask: no
    # path (close again, completion, response, failure, cancellation) may
    # leave anything on it, or every closed stream would see it.
    placeholder = _async._CLOSED

    def pristine():
        assert placeholder.ended and placeholder.items == [] and placeholder.taken == 0
        assert placeholder.error is None and placeholder.handle is None and placeholder.waiter is None
        assert placeholder.final is None and placeholder.completion is None

    async def main():
        async with aclient(mock_url) as client:
            streams = []
            for i in range(3):
                stream = await client.chat.completions.create(messages=user(f"p{i} " + SLOW), stream=True)
                await stream.__anext__()
                await stream.close()
                streams.append(stream)
            pristine()
            for stream in streams:
                await stream.close()
                assert stream._read is placeholder and stream.completion is not None and stream.response
                for _ in range(2):
                    with pytest.raises(ValueError):
                        await stream.__anext__()
                reader = asyncio.ensure_future(stream.__anext__())
                reader.cancel()
                await asyncio.gather(reader, return_exceptions=True)
            pristine()
            assert streams[0].completion is not streams[1].completion
            fresh = await client.chat.completions.create(messages=user("fresh [[mock: chunks=3]]"), stream=True)
            assert len([c async for c in fresh]) >= 3
            pristine()
    run(main())


def test_the_sync_stream_helper_after_close(client):
    with client.beta.chat.completions.stream(messages=user(SLOW)) as helper:
        for event in helper:
            break
    for _ in range(2):  # every time, not only once
        with pytest.raises(ValueError, match="closed"):
            next(helper)
    with pytest.raises(ValueError, match="closed"):
        helper.get_final_completion()
    with pytest.raises(ValueError, match="closed"):
        helper.until_done()
    with client.beta.chat.completions.stream(messages=user("done [[mock: chunks=3]]")) as helper:
        final = helper.get_final_completion()
    helper.close()
    assert helper.get_final_completion().choices[0].message.content == final.choices[0].message.content


# --- Queue.unreadable: many tasks of every kind, both clients, nothing leaked ---------

class Ledger:
    """Every C task started on a queue, and every kimi_task_free."""

    def __init__(self, monkeypatch):
        self.started, self.freed = [], []
        real_start, real_free = _tasks.Queue.start, _lib.functions.kimi_task_free

        def start(queue, task, *args, **kwargs):
            real_start(queue, task, *args, **kwargs)
            self.started.append(task.handle)

        def free(handle):
            self.freed.append(handle)
            return real_free(handle)

        monkeypatch.setattr(_tasks.Queue, "start", start)
        monkeypatch.setattr(_lib.functions, "kimi_task_free", free)

    def balanced(self):
        # As multisets: a freed task's address may be given to a later one.
        return collections.Counter(self.started) == collections.Counter(self.freed)


def break_decode(monkeypatch, after=0):
    """decode() raises from its `after`+1st call on (having decoded the
    buffer first, so tasks got items of that read, ENDs too)."""
    calls = []
    real = _tasks.decode

    def broken(*args):
        calls.append(1)
        if len(calls) > after:
            real(*args)
            raise _records._corrupt(0, 0, 32)
        return real(*args)

    monkeypatch.setattr(_tasks, "decode", broken)


STALL = {"x-mock-scenario": "stall_ms=400"}


def test_an_unreadable_queue_fails_every_kind_of_task_then_the_client_goes_on(mock_url, monkeypatch):
    ledger = Ledger(monkeypatch)

    async def main():
        async with aclient(mock_url) as client:
            streams = []
            for i in range(4):
                stream = await client.chat.completions.create(messages=user(f"u{i} " + SLOW), stream=True)
                await stream.__anext__()
                streams.append(stream)

            async def drain(stream):
                return [c async for c in stream]

            calls = [drain(s) for s in streams] + [
                client.chat.completions.create(messages=user("c [[mock: stall_ms=400]]")),
                client.models.list(extra_headers=STALL),
                client.models.retrieve("kimi-k2.6", extra_headers=STALL),
                client.files.list(extra_headers=STALL),
                client.batches.list(extra_headers=STALL),
                client.chat.completions.create(messages=user("late " + SLOW), stream=True),
            ]
            running = [asyncio.ensure_future(c) for c in calls]
            await asyncio.sleep(0.05)
            break_decode(monkeypatch)
            results = await asyncio.wait_for(asyncio.gather(*running, return_exceptions=True), 20)
            for result in results:
                if isinstance(result, libkimi.AsyncStream):  # started before the break: its reads fail
                    with pytest.raises(libkimi.APIResponseValidationError):
                        await asyncio.wait_for(drain(result), 10)
                    continue
                assert isinstance(result, libkimi.APIResponseValidationError), result
                assert "cannot be read" in str(result)
            for stream in streams:
                await stream.close()
                assert stream.completion is None or stream.completion.choices is not None
            monkeypatch.setattr(_tasks, "decode", _records.decode)
            reply = await client.chat.completions.create(messages=user("after"))
            assert reply.choices[0].message.content == "You said: after"
            assert [m.id async for m in client.models.list()]
            stream = await client.chat.completions.create(messages=user("after [[mock: chunks=5]]"), stream=True)
            assert len([c async for c in stream]) >= 5
    run(main())
    assert ledger.started and ledger.balanced(), (len(ledger.started), len(ledger.freed))


def test_an_unreadable_read_hands_out_no_end_event_as_a_chunk(mock_url, monkeypatch):
    # decode() fails after the read's records reached their tasks (a whole
    # small stream, its END too): what a reader gets are chunks, then the
    # failure; never the END record's Event.
    async def main():
        async with aclient(mock_url) as client:
            break_decode(monkeypatch)
            for i in range(3):
                try:
                    stream = await client.chat.completions.create(messages=user(f"e{i} [[mock: chunks=3]]"),
                                                                  stream=True)
                    got = []
                    with pytest.raises(libkimi.APIResponseValidationError):
                        async for chunk in stream:
                            got.append(chunk)
                except libkimi.APIResponseValidationError:
                    got = []
                assert all(isinstance(c, libkimi.types.chat.ChatCompletionChunk) for c in got), [type(c).__name__ + ":" + str(getattr(c, "kind", "")) for c in got]
            monkeypatch.setattr(_tasks, "decode", _records.decode)
            assert (await client.chat.completions.create(messages=user("ok"))).choices
    run(main())


@pytest.mark.parametrize("after", [0, 1])
def test_an_unreadable_queue_of_the_sync_client(mock_url, monkeypatch, after):
    ledger = Ledger(monkeypatch)
    with libkimi.Client(api_key="sk-test", base_url=mock_url, max_retries=0) as client:
        break_decode(monkeypatch, after)
        for call in (lambda: client.models.list(), lambda: client.models.retrieve("kimi-k2.6"),
                     lambda: client.files.list(), lambda: client.batches.list(),
                     lambda: client.balance()):
            done = []
            worker = threading.Thread(target=lambda: done.append(_outcome(call)), daemon=True)
            worker.start()
            worker.join(20)
            assert done, "a sync call on an unreadable queue never returns"
            if isinstance(done[0], BaseException) or after == 0:
                assert isinstance(done[0], libkimi.APIResponseValidationError), done[0]
            break_decode(monkeypatch, after)
        monkeypatch.setattr(_tasks, "decode", _records.decode)
        assert [m.id for m in client.models.list()]
        assert client.chat.completions.create(messages=user("after")).choices[0].message.content == "You said: after"
    assert ledger.started and ledger.balanced(), (len(ledger.started), len(ledger.freed))


def _outcome(call):
    try:
        result = call()
        if hasattr(result, "__iter__") and not isinstance(result, (str, bytes)):
            result = list(result)
        return result
    except BaseException as error:
        return error


# --- the sync Stream: the decoder raising at the first, a middle, the last slice ------

def _planted(failure, where, real, finished):
    """A stand-in for `real` raising `failure` at its first call, its
    third, or the one whose output finishes the answer."""
    calls = []

    def failing(*args):
        calls.append(1)
        if where == "first" and len(calls) == 1 or where == "middle" and len(calls) == 3:
            raise failure("planted")
        out = real(*args)
        if where == "last" and finished(args, out):
            raise failure("planted")
        return out
    return failing


def _chunks_finished(args, _):
    items = args[2](0)  # the reader's list of this slice's chunks
    return any(c.choices and c.choices[0].finish_reason for c in items)


def _events_finished(_, events):
    return any(e.type == "finish" for e in events)


@pytest.mark.parametrize("reader", ["chunks", "events"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("failure", [KeyboardInterrupt, libkimi.APIResponseValidationError])
def test_the_decoder_failing_on_another_thread_then_close(client, monkeypatch, reader, where, failure):
    if reader == "chunks":
        monkeypatch.setattr(_streaming, "decode", _planted(failure, where, _records.decode, _chunks_finished))
    else:
        monkeypatch.setattr(_streaming, "stream_events",
                            _planted(failure, where, _records.stream_events, _events_finished))
    stream = client.chat.completions.create(messages=user("[[mock: chunks=3000 batch=65536]]"), stream=True)
    outcome = {}

    def read():
        got = []
        try:
            for item in (stream if reader == "chunks" else stream.events()):
                got.append(item)
        except BaseException as error:
            outcome["error"] = error
        outcome["got"] = got
        outcome["completion"] = stream.completion
        outcome["after"] = list(stream) if reader == "chunks" else list(stream.events())
        stream.close()
        outcome["closed"] = (stream.completion, list(stream) if reader == "chunks" else list(stream.events()))

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the reader never ends"
    assert isinstance(outcome.get("error"), failure), outcome.get("error")
    completion = outcome["completion"]
    assert completion is not None, "the stream did not end with its decoder"
    if failure is not KeyboardInterrupt:
        assert outcome["error"].partial is completion
    if reader == "chunks":
        text = "".join(c.choices[0].delta.content or "" for c in outcome["got"] if c.choices)
    else:
        text = "".join(e.text for e in outcome["got"] if e.type == "content")
    assert completion.choices[0].message.content.startswith(text)
    if where == "first":
        assert outcome["got"] == []
    assert outcome["after"] == []  # ended, not closed: an end
    assert outcome["closed"] == (completion, [])  # close() after keeps it, and it still reads as ended


@pytest.mark.parametrize("failure", [KeyboardInterrupt, libkimi.APIResponseValidationError])
def test_closed_from_another_thread_while_the_decoder_fails(client, monkeypatch, failure):
    # close() on another thread lands while a slice is decoded (no C call
    # of the reader in flight, so close() frees the stream at once), then the
    # decoder raises: the stream ends once, keeping what close() took.
    calls = []
    holder = {}

    def failing(*args):
        calls.append(1)
        if len(calls) == 3:
            closer = threading.Thread(target=holder["stream"].close)
            closer.start()
            closer.join(10)
            raise failure("planted")
        return _records.decode(*args)

    monkeypatch.setattr(_streaming, "decode", failing)
    stream = holder["stream"] = client.chat.completions.create(
        messages=user("[[mock: chunks=3000 batch=65536]]"), stream=True)
    outcome = {}

    def read():
        try:
            for _ in stream:
                pass
        except BaseException as error:
            outcome["error"] = error
        outcome["completion"] = stream.completion

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive()
    assert isinstance(outcome["error"], failure)
    assert outcome["completion"] is not None and outcome["completion"].choices[0].message.content
    if failure is not KeyboardInterrupt:
        assert outcome["error"].partial is outcome["completion"]
    stream.close()
    assert stream.completion is outcome["completion"]


def test_a_queue_whose_reads_keep_failing_is_replaced_for_the_next_calls(mock_url, monkeypatch):
    # A C read of the queue that fails every time (a bug path): its tasks
    # fail, and the next calls on that asyncio loop get a new queue instead
    # of failing one after another on the same one.
    real = _lib.hot.queue_read_records
    broken = []

    def failing(queue, *args):
        if not broken:
            broken.append(queue.value)
        if queue.value == broken[0]:
            return 2  # KIMI_E_INVALID_ARGUMENT, for every read of the first queue
        return real(queue, *args)

    async def main():
        async with aclient(mock_url) as client:
            monkeypatch.setattr(_lib.hot, "queue_read_records", failing)
            with pytest.raises(libkimi.APIResponseValidationError, match="cannot be read"):
                await asyncio.wait_for(client.chat.completions.create(messages=user("first")), 10)
            for i in range(3):
                reply = await asyncio.wait_for(client.chat.completions.create(messages=user(f"then {i}")), 10)
                assert reply.choices[0].message.content == f"You said: then {i}"
            stream = await client.chat.completions.create(messages=user("s [[mock: chunks=5]]"), stream=True)
            assert len([c async for c in stream]) >= 5
    run(main())
