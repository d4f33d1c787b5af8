"""The asyncio client (openai-python's AsyncOpenAI).

Every call, chat or not, runs as a task of the C library's event loop (one
thread per client, one curl multi handle for every request). Its events go
to one event queue per asyncio loop, whose file descriptor the asyncio loop
watches (loop.add_reader): each time it is readable, one call into C takes
every waiting record (_records), so there is no thread per call, no
executor, no polling, and no callback runs on a foreign thread.

Cancelling the awaiting asyncio task asks the C task to stop (a request:
the loop never waits for it). A chat call then awaits the task's end, which
arrives as an event a few milliseconds later with what had arrived: a
stream's partial answer is on the CancelledError (`partial`); other calls
leave the task to end on its own, and the queue frees it when it does.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import functools
import inspect

from . import _lib
from ._client import BaseClient
from ._errors import OK, check
from ._handles import Handle
from ._raw import RawResponse, response_of
from ._results import response_from
from ._tasks import Queue, Task
from .types.chat.chat_completion import ChatCompletion
from ._typing import Generic, T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any, AsyncGenerator, Callable, Coroutine, Dict, Iterable, Literal, Optional, Set, Type, Union, List

    from ._conversation import ConversationSettings, OnEvent, Thinking
    from ._options import CallSettings
    from ._tasks import Starter
    from .types.chat.chat_completion import ChatCompletion as _Completion
    from .types.page import AsyncPaginator
    from .types.stream_event import StreamEvent

    from typing_extensions import Unpack

    from .types.account import Balance
    from .types.chat.completion_create_params import RequestOptions
    from .types.chat.params import ChatCompletionMessageParam

    from typing_extensions import Self

    from ._raw import Response
    from .resources.batches import AsyncBatches
    from .resources.chat import AsyncBeta, AsyncChat
    from .resources.files import AsyncFiles
    from .resources.models import AsyncModels

L = _lib.functions


#: Tasks a Pump wakes (and finishes) per turn of the asyncio loop. One read
#: can bring the ENDs of a thousand cancelled streams; each woken coroutine
#: then runs in the same turn, so without a bound the loop would stop for
#: all of them at once (50-80 ms for 1,000 on a loaded 2-core machine).
WAKE_PER_TURN = 64


class Pump(Queue):
    """An AsyncClient's event queue on one asyncio loop: starts tasks with
    it and, while any runs, reads it when its fd is readable."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.loop = loop
        self.watching = False
        self.backlog: collections.deque[Task] = collections.deque()  # read, not yet woken
        self.finishing: Set[Task] = set()  # their END read, finished when woken

    def start(self, task: Task, starter: Starter, client: Any, settings: Optional[CallSettings] = None) -> None:
        super().start(task, starter, client, settings)
        if not self.watching:
            self.loop.add_reader(self.fd, self.drain)
            self.watching = True

    def drain(self) -> None:
        """Takes what waits (one read: at most a buffer of records, so a fast
        server cannot starve the rest of the loop; the fd stays readable
        while more waits), then wakes the tasks that got something, at
        most WAKE_PER_TURN per turn of the loop. Nothing more is read until
        the last read's tasks are all woken."""
        if self.backlog:
            return
        woken: Set[Task] = set()
        self.read(woken)
        self.backlog.extend(woken)
        self.wake()

    def ended(self, task: Task) -> None:
        self.finishing.add(task)  # finished when woken: its share of a turn

    def wake(self) -> None:
        backlog, finishing = self.backlog, self.finishing
        for _ in range(min(WAKE_PER_TURN, len(backlog))):
            task = backlog.popleft()
            if task in finishing:
                finishing.discard(task)
                task.finish()
            waiter, task.waiter = task.waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        if backlog:
            self.loop.call_soon(self.wake)
        elif not self.tasks and self.watching:
            self.loop.remove_reader(self.fd)
            self.watching = False

    async def wait(self, task: Task) -> None:
        """Until the task has items or ended."""
        if task.items or task.ended:
            return
        waiter = self.loop.create_future()
        waiting, task.waiter = task.waiter, waiter
        if waiting is not None and not waiting.done():
            # Another coroutine waits on the task too (close() or a
            # cancelled read stopping it while one reads): it wakes with
            # this one, or when this one is cancelled, and looks again.
            waiter.add_done_callback(functools.partial(_wake, waiting))
        await waiter

    def abandon(self, task: Task) -> None:
        """The caller is done with a task that may still run: asked to stop
        (a request); the queue frees it when its END comes."""
        if not task.ended and task.handle is not None:
            L.kimi_task_cancel(task.handle)

    def close(self) -> None:
        for task in self.finishing:
            task.finish()
        self.finishing.clear()
        for task in [*self.backlog, *self.tasks.values()]:
            task.close()
            waiter, task.waiter = task.waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        self.backlog.clear()
        self.tasks.clear()
        if self.watching and not self.loop.is_closed():
            self.loop.remove_reader(self.fd)
        self.watching = False
        self.handle.close()


class ChatTask(Task):
    """A chat task: its items are ChatCompletionChunk objects (a stream's),
    and at its end it keeps the response (all of it, or what arrived
    before it failed or was stopped) as a handle, read into Python only
    when asked for."""

    __slots__ = ("final", "head", "cls", "_completion")

    final: Optional[Handle]
    head: Optional[Response]
    cls: Type[_Completion]
    _completion: Optional[_Completion]

    def __init__(self, cls: Optional[Type[_Completion]] = None) -> None:
        super().__init__()
        self.final = None
        self.head = None
        self.cls = cls or ChatCompletion
        self._completion = None

    def finish(self) -> None:
        handle = self.handle
        if handle is not None:
            pointer = ctypes.c_void_p()
            if L.kimi_task_response(handle, ctypes.byref(pointer)) == OK and pointer.value:
                self.final = Handle(pointer.value, L.kimi_chat_response_free)
            elif self.head is None:
                self.read_head(handle)
        super().finish()

    @property
    def completion(self) -> Optional[_Completion]:
        if self._completion is None and self.final is not None and self.final.pointer:
            self._completion = response_from(self.final.pointer, cls=self.cls)
        return self._completion

    def failure(self) -> Any:
        """The task's error, once, with what arrived as `partial`."""
        error: Any = self.error  # any failure carries it (APIError declares `partial`)
        self.error = None
        if error is not None:
            error.partial = self.completion
        return error

    def read_head(self, handle: int) -> None:
        pointer = ctypes.c_void_p()
        if L.kimi_task_head(handle, ctypes.byref(pointer)) == OK and pointer.value:
            try:
                self.head = response_of(pointer.value)
            finally:
                L.kimi_chat_response_free(pointer.value)

    def started_head(self) -> Any:
        """The HTTP answer's head: read from the running task, or from the
        response once it ended."""
        if self.head is None:
            if self.handle is not None:
                self.read_head(self.handle)
            elif self.final is not None and self.final.pointer:
                self.head = response_of(self.final.pointer)
        return self.head


class AsyncStream(Generic[T]):
    """A streamed chat completion for `async for`: ChatCompletionChunk
    objects shaped like openai-python's. `response` is the HTTP answer
    (status_code, headers, request_id); `completion` (or `await
    get_final_completion()`) the accumulated ChatCompletion once it ended,
    or what arrived before it failed or was cancelled. An async context
    manager; `await close()` stops it."""

    def __init__(self, task: ChatTask, pump: Pump) -> None:
        self._task = task
        self._read = task  # what __anext__ reads: _CLOSED once closed before its end
        self._pump = pump

    @property
    def response(self) -> Response:
        head: Response = self._task.started_head()  # None only when closed before the answer came
        return head

    @property
    def completion(self) -> Optional[ChatCompletion]:
        completion: Optional[ChatCompletion] = self._task.completion
        return completion

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        task = self._read
        while True:
            items = task.items
            if items:
                taken = task.taken
                item: T = items[taken]
                if taken + 1 < len(items):
                    task.taken = taken + 1
                else:
                    task.items = []
                    task.taken = 0
                return item
            if task.ended:
                if task.error is not None:
                    raise task.failure()
                if self._read is _CLOSED:  # closed before its end, maybe while this read waited
                    raise ValueError("this stream is closed")
                raise StopAsyncIteration
            try:
                await self._pump.wait(task)
            except asyncio.CancelledError as cancelled:
                await _stopped(self._pump, task, cancelled)
                raise

    async def get_final_completion(self) -> Optional[ChatCompletion]:
        async for _ in self:
            pass
        return self.completion

    async def text(self) -> Optional[str]:
        completion = await self.get_final_completion()
        return completion.choices[0].message.content if completion and completion.choices else ""

    async def close(self) -> None:
        """Stops the stream, keeping what arrived in `completion`. Later
        reads raise ValueError, as a closed file's (a stream read to its end
        before still reads as ended), as the sync Stream's."""
        task = self._task
        read_to_its_end = task.ended and not task.items and task.error is None
        await _stop(self._pump, task)
        task.error = None
        if not read_to_its_end:
            task.take()  # not handed out: the stream is closed
            self._read = _CLOSED

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        traceback: Optional[TracebackType]) -> Literal[False]:
        await self.close()
        return False


def _wake(waiter: asyncio.Future[None], _: object) -> None:
    if not waiter.done():
        waiter.set_result(None)


#: What a stream closed before its end reads: an ended task, told apart
#: only when nothing is left (so the chunk path costs nothing more).
_CLOSED = ChatTask()
_CLOSED.ended = True


async def _stop(pump: Pump, task: Task) -> None:
    """Asks the C task to stop, then awaits its end: an event like any other
    (the C loop queues an END for every task, cancelled or not, a few
    milliseconds later), so the asyncio loop never waits for it."""
    if task.ended:
        return
    pump.abandon(task)
    try:
        while not task.ended:
            await pump.wait(task)
            task.take()
    except asyncio.CancelledError:
        pass  # cancelled again while stopping: the queue frees it when its end comes


async def _stopped(pump: Pump, task: ChatTask, cancelled: BaseException) -> None:
    """The awaiting asyncio task was cancelled: stops the C task and puts
    what had arrived on `cancelled` as `partial`."""
    await _stop(pump, task)
    carrier: Any = cancelled  # a CancelledError carries what arrived
    carrier.partial = task.completion


class AsyncClient(BaseClient):
    """A Kimi client for asyncio, shaped like openai-python's AsyncOpenAI;
    the same arguments as Client, the same resources, every call awaited.
    Use it from one event loop at a time (a new loop, as after
    asyncio.run() again, gets its own event queue)."""

    _iterate_pages = None
    chat: AsyncChat
    beta: AsyncBeta
    files: AsyncFiles
    models: AsyncModels
    batches: AsyncBatches

    @property
    def _stream_manager(self) -> Type[Any]:
        from ._chat_stream import AsyncChatCompletionStreamManager
        return AsyncChatCompletionStreamManager

    def _setup(self) -> None:
        self._pumps: Dict[asyncio.AbstractEventLoop, Pump] = {}

    @staticmethod
    def _run(coroutine: Coroutine[Any, Any, Any]) -> Coroutine[Any, Any, Any]:
        return coroutine

    @staticmethod
    def _iterate(generator: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
        return generator

    @staticmethod
    def _paginate(first_page: Any) -> AsyncPaginator[Any, Any]:
        from .types.page import AsyncPaginator
        return AsyncPaginator(first_page)

    def _tasks(self) -> Pump:
        return self._pump()

    def _pump(self) -> Pump:
        loop = asyncio.get_running_loop()
        pump = self._pumps.get(loop)
        if pump is None or pump.unusable:
            if pump is not None:
                self._pumps.pop(loop).close()  # it could not be read (its tasks failed): a new queue
            for old in [known for known in self._pumps if known.is_closed()]:
                self._pumps.pop(old).close()
            pump = self._pumps[loop] = Pump(loop)
        return pump

    async def _chat(self, request: Any, streamed: bool, raw: bool, cls: Optional[Type[_Completion]]) -> Any:
        """A chat completion as a task: awaited until its answer started
        (a stream) or ended."""
        pump = self._pump()
        task = ChatTask(cls)
        start = L.kimi_chat_stream_start_queued if streamed else L.kimi_chat_create_start_queued
        pump.start(task, lambda client, queue, user_data, out: start(client, request, queue, user_data, out),
                   self._pointer())
        try:
            await pump.wait(task)
            if not streamed:
                while not task.ended:  # a create task has only its END
                    await pump.wait(task)
        except asyncio.CancelledError as cancelled:
            await _stopped(pump, task, cancelled)
            raise
        if streamed:
            if task.ended and task.error is not None and not task.items:
                raise task.failure()
            stream: AsyncStream[Any] = AsyncStream(task, pump)
            return RawResponse(task.started_head(), stream) if raw else stream
        if task.error is not None:
            raise task.failure()
        return RawResponse(task.started_head(), task.completion) if raw else task.completion

    if TYPE_CHECKING:
        async def estimate_tokens(self, *, model: str = "kimi-k2.6",
                                  messages: Iterable[ChatCompletionMessageParam],
                                  **options: Unpack[RequestOptions]) -> int: ...
        async def balance(self, **options: Unpack[RequestOptions]) -> Balance: ...

    async def close(self) -> None:
        """Ends the client's running tasks and frees it."""
        for pump in self._pumps.values():
            pump.close()
        self._pumps.clear()
        self._close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        traceback: Optional[TracebackType]) -> Literal[False]:
        await self.close()
        return False

    def conversation(self, model: str = "kimi-k2.6", *, tools: Iterable[Callable[..., Any]] = (),
                     system: Optional[str] = None, thinking: Thinking = None,
                     max_completion_tokens: Optional[int] = None, web_search: bool = False,
                     **settings: Unpack[ConversationSettings]) -> AsyncConversation:
        """An AsyncConversation: history, tools (async functions allowed) and
        the automatic tool loop, awaited (Client.conversation's arguments)."""
        return AsyncConversation(self, model, tools=tools, system=system, thinking=thinking,
                                 max_completion_tokens=max_completion_tokens, web_search=web_search, **settings)



class AsyncConversation:
    """Conversation, awaited: each model call runs in the loop's executor;
    tools may be async functions (they run on the loop), and `on_event`
    callables (sync or async) run on the loop too."""

    def __init__(self, client: AsyncClient, model: str = "kimi-k2.6", *, tools: Iterable[Callable[..., Any]] = (),
                 system: Optional[str] = None, thinking: Thinking = None, max_completion_tokens: Optional[int] = None,
                 web_search: bool = False, **settings: Unpack[ConversationSettings]) -> None:
        from ._conversation import Conversation
        self._client = client
        self._loop: Any = None
        self._conversation = Conversation(client, model, system=system, thinking=thinking,
                                          max_completion_tokens=max_completion_tokens, web_search=web_search,
                                          **settings)
        for tool in tools:
            self.add_tool(tool)

    if TYPE_CHECKING:  # the sync conversation's history and settings, as a checker sees them
        def add_message(self, role: Literal["system", "user", "assistant", "tool"],
                        content: Union[str, Iterable[object]]) -> None: ...
        def user(self, content: Union[str, Iterable[object]]) -> None: ...
        def add_tool_result(self, tool_call_id: str, name: str, content: str) -> None: ...
        @property
        def messages(self) -> List[Dict[str, Any]]: ...
        def to_json(self) -> str: ...
        def load(self, history: Union[str, Iterable[Dict[str, Any]]]) -> None: ...
        def add_web_search(self) -> None: ...
        def prefill(self, prefix: str, name: Optional[str] = None) -> None: ...
    else:
        def __getattr__(self, name):
            # History and settings (add_message, messages, load, to_json, ...)
            # are local and quick: the sync conversation's.
            return getattr(self._conversation, name)

    def add_tool(self, fn: Callable[..., Any], *, name: Optional[str] = None, description: Optional[str] = None,
                 parameters: Optional[Dict[str, Any]] = None) -> None:
        from ._schema import describe_function
        auto_name, auto_description, auto_parameters = describe_function(fn)
        if inspect.iscoroutinefunction(fn):
            def call_on_loop(**arguments: object) -> object:  # builtins: get_type_hints reads them
                return asyncio.run_coroutine_threadsafe(fn(**arguments), self._loop).result()
            runner: Callable[..., Any] = call_on_loop
        else:
            runner = fn
        self._conversation.add_tool(runner, name=name or auto_name,
                                    description=description if description is not None else auto_description,
                                    parameters=parameters if parameters is not None else auto_parameters,
                                    _typed_as=fn)

    def _on_loop(self, on_event: Optional[OnEvent]) -> Optional[Callable[[StreamEvent], object]]:
        if on_event is None:
            return None

        async def call(event: StreamEvent) -> object:
            verdict: Any = on_event(event)
            return await verdict if inspect.isawaitable(verdict) else verdict

        def on_loop(event: StreamEvent) -> object:
            return asyncio.run_coroutine_threadsafe(call(event), self._loop).result()
        return on_loop

    async def _call(self, method: str, *args: Any) -> _Completion:
        self._loop = asyncio.get_running_loop()
        conversation = self._conversation
        token: Optional[int] = L.kimi_cancel_token_new()
        request = L.kimi_conversation_request(conversation._handle.require("conversation"))
        check(L.kimi_chat_request_set_cancel_token(request, token))
        future: asyncio.Future[_Completion] = self._loop.run_in_executor(None, functools.partial(getattr(conversation, method), *args))
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

    async def create(self) -> _Completion:
        return await self._call("create")

    async def stream(self, on_event: OnEvent) -> _Completion:
        return await self._call("stream", self._on_loop(on_event))

    async def run(self, max_steps: int = 8, on_event: Optional[OnEvent] = None) -> _Completion:
        return await self._call("run", max_steps, self._on_loop(on_event))

    async def continue_(self, on_event: Optional[OnEvent] = None) -> _Completion:
        return await self._call("continue_", self._on_loop(on_event))

    async def close(self) -> None:
        self._conversation.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> Literal[False]:
        await self.close()
        return False
