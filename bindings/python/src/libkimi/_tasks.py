"""Calls as C tasks, and how one definition serves both clients.

Every call other than the sync client's chat runs as a task on the client's
C event loop (kimi_*_start), delivering its events to an event queue, which
Python reads as records (_records). The resources (resources/) are written
once, as coroutines: the async client awaits them on its asyncio loop, whose
event queue it watches (_async); the sync client runs them to their end on
the calling thread with `run` and `iterate`, where nothing ever suspends:
its waits block (the GIL released), on a queue of the call's own.

A task's Python side (Task) holds its C handle until the task ended, then
reads how it ended and its result, and frees it: one owner, whichever way
the task ended (done, failed, cancelled, abandoned by its caller).
"""

from __future__ import annotations

import ctypes
import itertools
import select

from . import _interrupt, _lib
from ._errors import OK, TOO_LARGE, check, last_error
from ._handles import Handle
from ._options import view
from ._records import END, RECORDS_BUFFER, Event, decode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import (Any, AsyncGenerator, AsyncIterator, Callable, Coroutine, Dict, Iterator, List, Literal,
                        Optional, Protocol, Set, TypeVar)

    from typing_extensions import Self

    from ._options import CallSettings
    from ._records import Meta

    R = TypeVar("R")
    Y = TypeVar("Y")
    #: starter(client, queue, user_data, out): a kimi_*_start call.
    Starter = Callable[[Any, Any, int, Any], int]

    class Tasks(Protocol):
        """How a client runs its tasks (Blocking, or the async client's)."""

        def start(self, task: Task, starter: Starter, client: Any, settings: Optional[CallSettings] = None) -> None: ...
        async def wait(self, task: Task) -> None: ...
        def abandon(self, task: Task) -> None: ...

L = _lib.functions

#: The on_event argument of a task started with a queue (no callback).
NO_CALLBACK = _lib.stream_cb()



# --- one definition, two clients -----------------------------------------------

def run(coroutine: Coroutine[Any, Any, R]) -> R:
    """Runs a coroutine of the sync client to its end; returns its value.
    Nothing in it suspends (the sync client's waits block), so one send
    runs it whole."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        value: R = done.value
        return value
    coroutine.close()
    raise TypeError("a call of the sync client waited on an event loop: give it plain functions, not "
                    "coroutines (AsyncClient takes async callbacks)")


def iterate(generator: AsyncGenerator[Y, None]) -> Iterator[Y]:
    """An async generator of the sync client as a plain iterator."""
    try:
        while True:
            step = generator.__anext__()
            try:
                step.send(None)
            except StopIteration as item:
                yield item.value
                continue
            except StopAsyncIteration:
                return
            step.close()
            raise TypeError("a call of the sync client waited on an event loop")
    finally:
        closing = generator.aclose()
        try:
            closing.send(None)
        except StopIteration:
            pass


async def call_back(function: Callable[..., Any], *args: Any) -> Any:
    """A caller's callback's value, awaited when it is awaitable (the async
    client takes async callbacks; the sync client refuses them in run)."""
    value = function(*args)
    if hasattr(value, "__await__"):  # a coroutine, a future (not inspect: it costs start-up)
        value = await value
    return value


# --- a task and its queue ---------------------------------------------------------

class Task:
    """A started C task and what its queue delivered: `items` (chat chunks,
    or Event objects) until its END, then `error` (its failure, or None)
    and `value` (what `result(handle)` read when it succeeded). The queue
    reading its events owns the handle and frees it at END."""

    __slots__ = ("handle", "id", "items", "taken", "ended", "error", "value", "result", "waiter", "keep",
                 "attachment", "queue", "hold")

    handle: Optional[int]
    id: int
    items: List[Any]
    taken: int
    ended: bool
    error: Optional[BaseException]
    value: Any
    result: Optional[Callable[[int], Any]]
    waiter: Any
    keep: Any
    attachment: Optional[Callable[[Any, Any], None]]
    queue: Optional[Queue]
    hold: Optional[_interrupt.Hold]

    def __init__(self, result: Optional[Callable[[int], Any]] = None, keep: Any = None,
                 attachment: Optional[Callable[[Any, Any], None]] = None) -> None:
        self.handle = None
        self.id = 0
        self.items = []
        self.taken = 0  # items before this were handed out
        self.ended = False
        self.error = None
        self.value = None
        self.result = result
        self.waiter = None
        self.keep = keep  # what the C task reads until it ended (an upload's bytes)
        self.attachment = attachment  # reads what the queue's current event carries (a result's response)
        self.queue = None  # the sync client's own queue for the task
        self.hold = None  # the sync client's Ctrl-C watch

    def take(self) -> List[Any]:
        """The items not handed out yet."""
        items, taken = self.items, self.taken
        if taken:
            items = items[taken:]
        self.items = []
        self.taken = 0
        return items

    def finish(self) -> None:
        """The task's END came: how it ended, its result, then the C task
        is freed. The failure is the thread's last error right after
        kimi_task_wait, read before anything else runs."""
        handle, self.handle = self.handle, None
        self.ended = True
        if handle is None:
            return
        try:
            if L.kimi_task_wait(handle, 0) != OK:
                self.error = last_error()
                self.failed(handle)
            elif self.result is not None:
                self.value = self.result(handle)
        except Exception as error:  # a result that could not be read
            self.error = error
        finally:
            L.kimi_task_free(handle)
            self.keep = None

    def failed(self, handle: int) -> None:
        """Reads what a failed task still gives (a chat's partial answer)."""

    def release_interrupt(self) -> None:
        hold, self.hold = self.hold, None
        if hold is not None:
            hold.release()  # may raise KeyboardInterrupt: SIGINT cancelled the task

    def close(self) -> None:
        """Frees a task that will not end normally (its client closed):
        it ends as stopped."""
        handle, self.handle = self.handle, None
        if handle is not None:
            L.kimi_task_free(handle)
        if not self.ended:
            from ._errors import StreamAborted
            self.ended = True
            self.error = self.error or StreamAborted("the client was closed")
            if self.keep is not None:
                # The loop may still read an upload's bytes until the freed
                # task's transfer is torn down: they are never freed.
                _ORPHANED.append(self.keep)
        self.keep = None
        if self.hold is not None:
            self.hold.release(raise_interrupt=False)
            self.hold = None


def _took_end(items: List[Any]) -> bool:
    """Removes the task's END from the end of its items (an END is always a
    task's last); whether there was one."""
    if items and items[-1].__class__ is Event and items[-1].kind == END:
        items.pop()
        return True
    return False


#: Bytes of uploads whose task was freed before it ended (see Task.close).
_ORPHANED: List[Any] = []


class Queue:
    """An event queue and the tasks delivering to it: each read takes every
    record waiting (one call into C) and hands each task its items."""

    tasks: Dict[int, Task]
    metas: Dict[int, Meta]
    unusable: bool

    def __init__(self) -> None:
        out = ctypes.c_void_p()
        check(L.kimi_event_queue_new(ctypes.byref(out)))
        self.handle = Handle(out.value, L.kimi_event_queue_free)
        self.pointer = ctypes.c_void_p(out.value)
        self.fd: int = L.kimi_event_queue_fd(out.value)
        self.tasks = {}
        self.metas = {}
        self.ids = itertools.count(1)
        self.buffer = ctypes.create_string_buffer(RECORDS_BUFFER)
        self.length = ctypes.c_size_t()
        self.unusable = False  # found unreadable: its tasks failed, and no new one joins it

    def start(self, task: Task, starter: Starter, client: Any, settings: Optional[CallSettings] = None) -> None:
        """Starts a C task with `starter(client, queue, user_data, out)`,
        on a view of `client` carrying `settings` when there are any (the
        view is freed at once: the task keeps what it needs)."""
        task.id = next(self.ids)
        out = ctypes.c_void_p()
        viewed = view(client, settings, None) if settings else None
        try:
            check(starter(viewed or client, self.pointer, task.id, ctypes.byref(out)))
        finally:
            if viewed:
                L.kimi_client_free(viewed)
        task.handle = out.value
        self.tasks[task.id] = task

    def read(self, woken: Set[Task]) -> bool:
        """Takes what waits (one read of records) and adds each task that
        got something to `woken`; False when nothing waited."""
        buffer, length = self.buffer, self.length
        status = _lib.hot.queue_read_records(self.pointer, buffer, len(buffer), ctypes.byref(length))
        if status == TOO_LARGE and length.value > len(buffer):
            # One record (a huge piece) needs more room; it waits for it.
            buffer = self.buffer = ctypes.create_string_buffer(length.value)
            status = _lib.hot.queue_read_records(self.pointer, buffer, len(buffer), ctypes.byref(length))
        if status != OK:
            return self.unreadable(last_error(), woken)
        if not length.value:
            return False
        tasks = self.tasks
        got: List[Task] = []
        ignored: List[Any] = []

        def into(user: int) -> List[Any]:
            task = tasks.get(user)
            if task is None:
                return ignored  # a task already gone (closed): what still came is dropped
            got.append(task)
            return task.items

        try:
            decode(_lib.sliced(buffer, length.value), self.metas, into)  # chunks and Events
        except Exception as error:  # records the library wrote and this cannot read: a bug, not the network's doing
            return self.unreadable(error, woken)
        for task in got:
            if _took_end(task.items):
                if tasks.pop(task.id, None) is not None:
                    self.metas.pop(task.id, None)
                    self.ended(task)
            woken.add(task)
        # The read stopped after an event that carries more (a result
        # line's response, a polled batch): it is the queue's current event
        # until the next read, and the last item of its task.
        if got:
            current = tasks.get(L.kimi_stream_event_user_data(self.pointer))
            if current is not None and current.attachment is not None and current.items:
                current.attachment(self.pointer, current.items[-1])
        return True

    def unreadable(self, error: Exception, woken: Set[Task]) -> bool:
        """The queue cannot be read (`error`): every task ends with it, since
        none would get its events (in an asyncio reader callback the error
        would only be logged, and every await on the queue would wait for
        ever)."""
        from ._errors import APIResponseValidationError
        for task in list(self.tasks.values()):
            _took_end(task.items)  # an END the failed read decoded is never an item (a stream would hand it out)
            task.close()  # freed: it ends as stopped
            task.error = APIResponseValidationError(f"libkimi's event queue cannot be read: {error}")
            woken.add(task)
        self.tasks.clear()
        self.metas.clear()
        self.unusable = True
        return True

    def ended(self, task: Task) -> None:
        """A task's END was read."""
        task.finish()

    def close(self) -> None:
        for task in list(self.tasks.values()):
            task.close()
        self.tasks.clear()
        self.handle.close()


# --- the sync client's tasks --------------------------------------------------------

class Blocking:
    """The sync client's way to run a task: a queue of the call's own, read
    on the calling thread, which waits in poll with the GIL released. On
    the main thread Ctrl-C cancels the task (a request; its END follows at
    once) and KeyboardInterrupt is raised when it ended."""

    def start(self, task: Task, starter: Starter, client: Any, settings: Optional[CallSettings] = None) -> None:
        queue = Queue()
        try:
            queue.start(task, starter, client, settings)
        except BaseException:
            queue.close()
            raise
        task.queue = queue
        if _interrupt.on_main_thread() and task.handle is not None:
            task.hold = _interrupt.Hold(task.handle, L.kimi_task_cancel)

    async def wait(self, task: Task) -> None:
        """Until the task has items or ended."""
        queue = task.queue
        poller: Optional[select.poll] = None
        while not task.items and not task.ended:
            if queue is None:  # start() gave it one, and only its end takes it
                raise RuntimeError("libkimi: a running task without its queue (please report it)")
            if queue.read(set()):
                continue
            if poller is None:
                poller = select.poll()
                poller.register(queue.fd, select.POLLIN)
            try:
                poller.poll()
            except KeyboardInterrupt:
                # Python's handler ran in the poll (EINTR), maybe before the
                # watcher cancelled the task: the signal's byte must be read
                # while this task's hold stands, not against the next call.
                if task.hold is not None:
                    task.hold.flush()
                raise
        if task.ended:
            self._done(task)

    def abandon(self, task: Task) -> None:
        """The caller is done with a task that may still run: it is
        cancelled, and its end awaited (promptly: an upload's bytes must
        stay valid until then)."""
        if not task.ended and task.handle is not None:
            L.kimi_task_cancel(task.handle)
            try:
                while not task.ended:
                    task.items.clear()
                    run(self.wait(task))
            except KeyboardInterrupt:
                task.close()
                raise
        self._done(task)

    @staticmethod
    def _done(task: Task) -> None:
        """The task ended: its queue goes, and a Ctrl-C that cancelled it
        is raised here, where the call was made."""
        queue, task.queue = task.queue, None
        if queue is not None:
            queue.close()
        task.release_interrupt()


class Call:
    """`async with tasks.call(...) as task:` around one task of a resource,
    for both clients: `events()` gives its items as they come, `value()`
    waits for its end; leaving the block early cancels it."""

    __slots__ = ("tasks", "task", "starter", "client", "settings")

    tasks: Tasks
    task: Task
    starter: Starter
    client: Any
    settings: Optional[CallSettings]

    def __init__(self, tasks: Tasks, task: Task, starter: Starter, client: Any,
                 settings: Optional[CallSettings]) -> None:
        self.tasks = tasks
        self.task = task
        self.starter = starter
        self.client = client
        self.settings = settings

    async def __aenter__(self) -> Self:
        self.tasks.start(self.task, self.starter, self.client, self.settings)
        return self

    async def __aexit__(self, *exc: object) -> Literal[False]:
        self.tasks.abandon(self.task)
        return False

    async def events(self) -> AsyncIterator[Any]:
        """The task's items as they arrive; raises its failure at its end."""
        task, wait = self.task, self.tasks.wait
        while True:
            await wait(task)
            if task.items:
                for item in task.take():
                    yield item
            elif task.ended:
                if task.error is not None:
                    raise task.error
                return

    async def value(self) -> Any:
        """Waits for the task's end; its value, or raises its failure."""
        task = self.task
        while not task.ended:
            await self.tasks.wait(task)
            task.take()
        if task.error is not None:
            raise task.error
        return task.value

    def cancel(self) -> None:
        """Asks the task to stop (a request: its END follows)."""
        if not self.task.ended and self.task.handle is not None:
            L.kimi_task_cancel(self.task.handle)
