"""The asyncio client (openai-python's AsyncOpenAI).

Chat completions, streamed or not, run as tasks of the C library's event
loop (one thread per client, one curl multi handle for every request). Their
events go to an event queue whose file descriptor the asyncio loop watches
(loop.add_reader): no thread per request, no polling, and no callback ever
runs on a foreign thread. Cancelling the asyncio task asks the C task to
stop (a request: the loop never waits for it) and awaits the task's end,
which arrives as an event a few milliseconds later with what had arrived:
a stream's partial answer is on the CancelledError (`partial`).

The other endpoints (files, models, balance, token estimates, batches,
conversations) are blocking calls in the C library; they run in the loop's
default executor, each with a cancel token, so cancelling the asyncio task
stops the call at once too. Waiting for a batch is an asyncio sleep between
polls.
"""

import asyncio
import ctypes
import functools
import inspect
import itertools
import threading
import time

from . import _lib
from ._client import Client, call_settings
from ._errors import OK, check, last_error
from ._handles import Handle
from ._options import NOT_GIVEN, CallSettings, given
from ._raw import RawResponse, response_of
from ._requests import build
from ._schema import is_structured, parse_content
from ._streaming import END, ChunkAssembler, response_from
from ._types import ChatCompletion, ParsedChatCompletion

L = _lib.functions

#: Events one drain takes before the loop runs the readers they woke, and
#: the most time it spends (an ended task costs more than a chunk): the fd
#: stays readable, so the loop drains again after the others ran.
DRAIN_BATCH = 4096
DRAIN_SECONDS = 0.002


class _Task:
    """One C task and what the pump has delivered of it."""

    __slots__ = ("pump", "id", "handle", "assembler", "chunks", "waiter", "ended", "error", "head", "cls",
                 "_head_read", "_final", "_completion")

    def __init__(self, pump, task_id, streamed, cls=None):
        self.pump = pump
        self.id = task_id
        self.handle = None
        self.assembler = ChunkAssembler(pump.outputs) if streamed else None
        self.chunks = []  # a list: most hold a chunk or two (an empty deque costs 600 bytes)
        self.waiter = None
        self.ended = False
        self.error = None
        self.head = None
        self._final = None  # the ended task's response handle, read when asked for
        self._completion = None
        self.cls = cls
        self._head_read = False

    # --- called by the pump, on the loop thread ----------------------------------

    def deliver(self, kind, event_box):
        """Takes one event of type `kind` (read by the pump); True when the
        task has something new for its reader."""
        assembler = self.assembler
        if assembler is not None:
            chunk = assembler.take(kind, event_box)
            if chunk is not None:
                self.chunks.append(chunk)
                return True
        if kind != END:
            return False
        self._end()
        return True

    def _end(self):
        """Reads how the task ended and frees it; its response is kept as a
        handle and only read into Python objects when asked for."""
        self.ended = True
        self.pump.forget(self)
        handle, self.handle = self.handle, None
        if handle is None:
            return
        status = L.kimi_task_wait(handle, 0)
        self.error = last_error() if status != OK else None
        pointer = ctypes.c_void_p()
        if L.kimi_task_response(handle, ctypes.byref(pointer)) == OK and pointer.value:
            self._final = Handle(pointer.value, L.kimi_chat_response_free)
        elif not self._head_read:
            self._read_head(handle)
        L.kimi_task_free(handle)

    def failure(self):
        """The task's error, once, with what arrived as `partial` (made
        only now, by the reader, not by the pump for every ended task)."""
        error, self.error = self.error, None
        if error is not None:
            error.partial = self.completion
        return error

    @property
    def completion(self):
        if self._completion is None and self._final is not None:
            self._completion = response_from(self._final.pointer, cls=self.cls or ChatCompletion)
        return self._completion

    def _read_head(self, handle):
        if self._head_read:
            return
        pointer = ctypes.c_void_p()
        if L.kimi_task_head(handle, ctypes.byref(pointer)) == OK:
            self._head_read = True
            try:
                self.head = response_of(pointer.value)
            finally:
                L.kimi_chat_response_free(pointer.value)

    def wake(self):
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # --- called by its reader ------------------------------------------------------

    async def wait(self):
        """Until something new arrives (or the task ends)."""
        if self.chunks or self.ended:
            return
        self.waiter = self.pump.loop.create_future()
        await self.waiter

    async def stop(self):
        """Asks the C task to stop, then awaits its end: an event like any
        other (the C loop queues an END for every task, cancelled or not, a
        few milliseconds later), so the asyncio loop never waits for it."""
        if self.handle is None:
            return
        L.kimi_task_cancel(self.handle)
        try:
            while not self.ended:
                await self.wait()
        except asyncio.CancelledError:
            pass  # cancelled again while stopping: the end is read when it comes

    async def cancelled(self, error):
        """The awaiting asyncio task was cancelled: stops the C task and puts
        what had arrived on `error` as `partial`."""
        await self.stop()
        error.partial = self.completion

    def started_head(self):
        if self.handle is not None:
            self._read_head(self.handle)
        elif self.head is None and self._final is not None:
            self.head = response_of(self._final.pointer)
        return self.head


class _Pump:
    """An AsyncClient's event queue on one asyncio loop: starts tasks with
    it and, while any runs, drains it when its fd is readable."""

    def __init__(self, loop):
        self.loop = loop
        pointer = ctypes.c_void_p()
        check(L.kimi_event_queue_new(ctypes.byref(pointer)))
        self.queue = Handle(pointer.value, L.kimi_event_queue_free)
        self.queue_box = ctypes.c_void_p(pointer.value)
        self.fd = L.kimi_event_queue_fd(pointer.value)
        self.tasks = {}
        self.ids = itertools.count(1)
        self.outputs = ChunkAssembler.outputs()
        self.event_box = ctypes.c_void_p()
        self.user_data = ctypes.c_void_p()
        # kimi_event_queue_read's outputs: the event, its task's user data,
        # then what kimi_stream_event_read gives (shared by the assemblers).
        self.read_refs = (ctypes.byref(self.event_box), ctypes.byref(self.user_data)) + self.outputs[1]
        self.watching = False

    def start(self, client_pointer, request, streamed, cls=None):
        task = _Task(self, next(self.ids), streamed, cls)
        start = L.kimi_chat_stream_start_queued if streamed else L.kimi_chat_create_start_queued
        pointer = ctypes.c_void_p()
        check(start(client_pointer, request, self.queue.pointer, task.id, ctypes.byref(pointer)))
        task.handle = pointer.value
        self.tasks[task.id] = task
        if not self.watching:
            self.loop.add_reader(self.fd, self.drain)
            self.watching = True
        return task

    def forget(self, task):
        self.tasks.pop(task.id, None)
        if not self.tasks and self.watching:
            self.loop.remove_reader(self.fd)
            self.watching = False

    def drain(self):
        """Takes up to DRAIN_BATCH waiting events, then wakes the readers
        that got some. The queue's fd stays readable while more wait (it is
        level-triggered), so the loop calls this again after the readers
        ran: what piles up in Python stays bounded, and a fast server cannot
        starve the rest of the loop."""
        read, queue, refs, box, user_data = _lib.hot.queue_read, self.queue_box, self.read_refs, self.event_box, \
            self.user_data
        tasks = self.tasks
        woken = set()
        deadline = time.perf_counter() + DRAIN_SECONDS
        for taken in range(DRAIN_BATCH):
            kind = read(queue, *refs)
            if not kind:
                break
            task = tasks.get(user_data.value)
            if task is not None and task.deliver(kind, box):
                woken.add(task)
            # An ended task costs far more than a chunk (its answer is read):
            # look at the clock after each, and every 64 chunks.
            if (kind == END or taken & 63 == 63) and time.perf_counter() > deadline:
                break
        for task in woken:
            task.wake()

    def close(self):
        for task in list(self.tasks.values()):
            handle, task.handle = task.handle, None
            if handle:
                L.kimi_task_free(handle)
            task.ended = True
            task.error = task.error or _closed()
            task.wake()
        self.tasks.clear()
        if self.watching and not self.loop.is_closed():
            self.loop.remove_reader(self.fd)
        self.watching = False
        self.queue.close()


def _closed():
    from ._errors import StreamAborted
    return StreamAborted("the client was closed")


class _AsyncClosing:
    """`async with` for what has an `async close()`."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()
        return False


class AsyncStream(_AsyncClosing):
    """A streamed chat completion for `async for`: ChatCompletionChunk
    objects shaped like openai-python's. `response` is the HTTP answer
    (status_code, headers, request_id); `completion` (or `await
    get_final_completion()`) the accumulated ChatCompletion once it ended,
    or what arrived before it failed or was cancelled. An async context
    manager; `await close()` stops it."""

    def __init__(self, task):
        self._task = task

    @property
    def response(self):
        return self._task.started_head()

    @property
    def completion(self):
        return self._task.completion

    def __aiter__(self):
        return self

    async def __anext__(self):
        task = self._task
        while True:
            if task.chunks:
                return task.chunks.pop(0)
            if task.ended:
                if task.error is not None:
                    raise task.failure()
                raise StopAsyncIteration
            try:
                await task.wait()
            except asyncio.CancelledError as cancelled:
                await task.cancelled(cancelled)
                raise

    async def get_final_completion(self):
        async for _ in self:
            pass
        return self._task.completion

    async def text(self):
        completion = await self.get_final_completion()
        return completion.choices[0].message.content if completion and completion.choices else ""

    async def close(self):
        """Stops the stream, keeping what arrived in `completion`."""
        await self._task.stop()
        self._task.error = None


class _Threaded:
    """Runs a blocking call of the sync client in the loop's executor, on a
    view of the client that carries a cancel token: cancelling the awaiting
    task cancels the call at once."""

    def __init__(self, client):
        self._client = client

    async def _run(self, call, *args, **kwargs):
        token = L.kimi_cancel_token_new()
        if not token:
            raise MemoryError("out of memory for a cancel token")
        lock = threading.Lock()
        state = {"done": False}

        def work():
            try:
                sync = Client._view(self._client._sync, CallSettings(), token)
                try:
                    return call(sync)(*args, **kwargs)
                finally:
                    sync.close()
            finally:
                with lock:
                    state["done"] = True
                    L.kimi_cancel_token_free(token)

        future = asyncio.get_running_loop().run_in_executor(None, work)
        try:
            return await future
        except asyncio.CancelledError:
            with lock:
                if not state["done"]:
                    L.kimi_cancel_token_cancel(token)
            raise


class AsyncClient(_Threaded, _AsyncClosing):
    """A Kimi client for asyncio, shaped like openai-python's AsyncOpenAI;
    the same arguments as Client. Use it from one event loop at a time (a
    new loop, as after asyncio.run() again, gets its own event queue)."""

    def __init__(self, *args, **kwargs):
        self._sync = kwargs.pop("_sync", None) or Client(*args, **kwargs)
        self._client = self
        self._pumps = {}
        self.chat = AsyncChat(self)
        self.files = AsyncFiles(self)
        self.models = AsyncModels(self)
        self.batches = AsyncBatches(self)

    def _pump(self):
        loop = asyncio.get_running_loop()
        pump = self._pumps.get(loop)
        if pump is None:
            for old in [l for l in self._pumps if l.is_closed()]:
                self._pumps.pop(old).close()
            pump = self._pumps[loop] = _Pump(loop)
        return pump

    def _pointer(self):
        return self._sync._pointer()

    def copy(self, **changes):
        """openai-python's copy / with_options (see Client.copy)."""
        return AsyncClient(_sync=self._sync.copy(**changes))

    with_options = copy

    @property
    def base_url(self):
        return self._sync.base_url

    @property
    def max_retries(self):
        return self._sync.max_retries

    @property
    def usage(self):
        return self._sync.usage

    def reset_usage(self):
        self._sync.reset_usage()

    async def close(self):
        """Ends the client's running tasks and frees it."""
        for pump in self._pumps.values():
            pump.close()
        self._pumps.clear()
        self._sync.close()

    async def estimate_tokens(self, *, model="kimi-k2.6", messages, **options):
        return await self._run(lambda c: c.estimate_tokens, model=model, messages=messages, **options)

    async def balance(self, **options):
        return await self._run(lambda c: c.balance, **options)

    def conversation(self, model="kimi-k2.6", **settings):
        """An AsyncConversation: history, tools (async functions allowed) and
        the automatic tool loop, awaited."""
        return AsyncConversation(self, model, **settings)


class AsyncChat:
    def __init__(self, client):
        self.completions = AsyncCompletions(client)


class AsyncCompletions:
    def __init__(self, client):
        self._client = client

    async def create(self, *, messages=NOT_GIVEN, model="kimi-k2.6", stream=False, **fields):
        """openai-python's `await client.chat.completions.create(...)`: a
        ChatCompletion, or with stream=True an AsyncStream (returned once
        the answer started, so a refused request raises here)."""
        return await self._create(messages, model, stream, fields, raw=False)

    @property
    def with_raw_response(self):
        return _AsyncRawCompletions(self)

    async def fit_max_completion_tokens(self, *, messages=NOT_GIVEN, model="kimi-k2.6", **fields):
        """Completions.fit_max_completion_tokens, awaited."""
        return await self._client._run(lambda c: c.chat.completions.fit_max_completion_tokens, messages=messages,
                                       model=model, **fields)

    async def parse(self, *, messages=NOT_GIVEN, model="kimi-k2.6", response_format, **fields):
        """Completions.parse, awaited."""
        if not is_structured(response_format):
            raise TypeError("parse() needs response_format=<a dataclass, TypedDict or pydantic model>")
        if given(fields.get("stream")):
            raise TypeError("parse() does not stream; use create(stream=True)")
        completion = await self._create(messages, model, False, dict(fields, response_format=response_format),
                                        raw=False, cls=ParsedChatCompletion)
        for choice in completion.choices:
            message = choice.message
            if message is not None and message.content and not message.refusal:
                message.parsed = parse_content(response_format, message.content)
        return completion

    async def _create(self, messages, model, stream, fields, raw, cls=None):
        streamed = bool(stream) and given(stream)
        request, _ = build(model, messages, fields)
        try:
            task = self._client._pump().start(self._client._pointer(), request, streamed, cls)
        finally:
            L.kimi_chat_request_free(request)
        try:
            await task.wait()
        except asyncio.CancelledError as cancelled:
            await task.cancelled(cancelled)
            raise
        if streamed:
            if task.ended and task.error is not None and not task.chunks:
                raise task.failure()
            stream = AsyncStream(task)
            return RawResponse(task.started_head(), stream) if raw else stream
        while not task.ended:  # a create task has only its END event
            await task.wait()
        if task.error is not None:
            raise task.failure()
        return RawResponse(task.started_head(), task.completion) if raw else task.completion


class _AsyncRawCompletions:
    def __init__(self, completions):
        self._completions = completions

    async def create(self, *, messages=NOT_GIVEN, model="kimi-k2.6", stream=False, **fields):
        return await self._completions._create(messages, model, stream, fields, raw=True)


class AsyncFiles(_Threaded):
    """client.files, awaited (each call runs in the loop's executor)."""

    async def create(self, *, file, purpose, on_progress=None, **options):
        return await self._run(lambda c: c.files.create, file=file, purpose=purpose, on_progress=on_progress,
                               **options)

    async def retrieve(self, file_id, **options):
        return await self._run(lambda c: c.files.retrieve, file_id, **options)

    async def list(self, **options):
        return await self._run(lambda c: c.files.list, **options)

    async def delete(self, file_id, **options):
        return await self._run(lambda c: c.files.delete, file_id, **options)

    async def content(self, file_id, **options):
        return await self._run(lambda c: c.files.content, file_id, **options)

    async def download(self, file_id, path, *, on_progress=None, **options):
        return await self._run(lambda c: c.files.download, file_id, path, on_progress=on_progress, **options)


class AsyncModels(_Threaded):
    async def list(self, **options):
        return await self._run(lambda c: c.models.list, **options)


class AsyncBatches(_Threaded):
    """client.batches, awaited. wait() sleeps between polls on the loop."""

    async def create(self, **kwargs):
        return await self._run(lambda c: c.batches.create, **kwargs)

    async def submit(self, path, **kwargs):
        return await self._run(lambda c: c.batches.submit, path, **kwargs)

    async def retrieve(self, batch_id, **options):
        return await self._run(lambda c: c.batches.retrieve, batch_id, **options)

    async def list(self, **kwargs):
        return await self._run(lambda c: c.batches.list, **kwargs)

    async def cancel(self, batch, **options):
        return await self._run(lambda c: c.batches.cancel, batch, **options)

    async def wait(self, batch, *, poll_interval=1.0, max_interval=60.0, on_progress=None):
        """Polls until the batch is completed, failed, expired or cancelled
        and returns it (updated), sleeping on the loop in between (the wait
        grows by half while nothing changes, up to `max_interval`).
        `on_progress(batch)` (may be async) runs after each poll; returning
        False stops waiting."""
        from ._batches import Batch
        if not isinstance(batch, Batch) or batch._page is not None:
            batch = await self.retrieve(batch.id if isinstance(batch, Batch) else batch)
        interval, last = max(float(poll_interval), 0.001), None
        while True:
            await self._run(lambda c: functools.partial(c.batches._refresh, batch))
            if on_progress is not None:
                verdict = on_progress(batch)
                if inspect.isawaitable(verdict):
                    verdict = await verdict
                if verdict is False:
                    return batch
            if batch.is_final:
                return batch
            counts = batch.request_counts
            state = (batch.status, counts.completed, counts.failed)
            interval = interval if state != last else min(interval * 1.5, max(max_interval, poll_interval))
            last = state
            await asyncio.sleep(interval)

    async def results(self, batch):
        """The result lines (BatchResult), read as they download."""
        lines = self._client._sync.batches.results(batch)
        done = object()
        loop = asyncio.get_running_loop()
        try:
            while True:
                item = await loop.run_in_executor(None, next, lines, done)
                if item is done:
                    return
                yield item
        finally:
            # Stops the download (its cancel token) and the reader thread.
            await loop.run_in_executor(None, lines.close)


class AsyncConversation(_AsyncClosing):
    """Conversation, awaited: each model call runs in the loop's executor;
    tools may be async functions (they run on the loop), and `on_event`
    callables (sync or async) run on the loop too."""

    def __init__(self, client, model="kimi-k2.6", *, tools=(), **settings):
        from ._conversation import Conversation
        self._client = client
        self._loop = None
        self._conversation = Conversation(client._sync, model, **settings)
        for tool in tools:
            self.add_tool(tool)

    def __getattr__(self, name):
        # History and settings (add_message, messages, load, to_json, ...)
        # are local and quick: the sync conversation's.
        return getattr(self._conversation, name)

    def add_tool(self, fn, *, name=None, description=None, parameters=None):
        from ._schema import describe_function
        auto_name, auto_description, auto_parameters = describe_function(fn)
        if inspect.iscoroutinefunction(fn):
            def call_on_loop(**arguments):
                return asyncio.run_coroutine_threadsafe(fn(**arguments), self._loop).result()
            runner = call_on_loop
        else:
            runner = fn
        self._conversation.add_tool(runner, name=name or auto_name,
                                    description=description if description is not None else auto_description,
                                    parameters=parameters if parameters is not None else auto_parameters)

    def _on_loop(self, on_event):
        if on_event is None:
            return None

        async def call(event):
            verdict = on_event(event)
            return await verdict if inspect.isawaitable(verdict) else verdict

        return lambda event: asyncio.run_coroutine_threadsafe(call(event), self._loop).result()

    async def _call(self, method, *args):
        self._loop = asyncio.get_running_loop()
        conversation = self._conversation
        token = L.kimi_cancel_token_new()
        request = L.kimi_conversation_request(conversation._handle.require("conversation"))
        check(L.kimi_chat_request_set_cancel_token(request, token))
        future = self._loop.run_in_executor(None, functools.partial(getattr(conversation, method), *args))
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            L.kimi_cancel_token_cancel(token)
            try:
                await future
            except BaseException:
                pass
            raise
        finally:
            L.kimi_chat_request_set_cancel_token(request, None)
            L.kimi_cancel_token_free(token)

    async def create(self):
        return await self._call("create")

    async def stream(self, on_event):
        return await self._call("stream", self._on_loop(on_event))

    async def run(self, max_steps=8, on_event=None):
        return await self._call("run", max_steps, self._on_loop(on_event))

    async def continue_(self, on_event=None):
        return await self._call("continue_", self._on_loop(on_event))

    async def close(self):
        self._conversation.close()
