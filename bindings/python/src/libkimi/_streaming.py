"""Streams: pulled from libkimi on the calling thread as records (the GIL is
released while it waits on the network), every chunk already received per
call into C, so no thread or queue sits between the socket and the caller.
Records become openai-shaped chunks in _records, shared with the async
stream."""

from __future__ import annotations

import ctypes
import threading

from . import _interrupt, _lib
from ._errors import OK, TOO_LARGE, APIError, last_error
from ._handles import Handle
from ._raw import response_of
from ._results import take_response
from ._records import (DECODE_SLICE, EVENT_NAMES, EVENTS, FINISH, HEAD, RECORDS_BUFFER, TOOL_DELTA, TOOL_DONE,
                       TOOL_START, USAGE, _corrupt, decode, stream_events)
from .types.completion_usage import CompletionUsage
from .types.stream_event import StreamEvent
from ._typing import Generic, T

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any, Callable, Dict, Iterator, List, Literal, Optional, Tuple, Type

    from ._records import Meta

    from typing_extensions import Self

    from ._raw import Response
    from .types.chat.chat_completion import ChatCompletion

L = _lib.functions


def usage_of(event: int) -> CompletionUsage:
    """The usage of a borrowed C event (conversation callbacks)."""
    prompt = L.kimi_stream_event_prompt_tokens(event)
    cached = L.kimi_stream_event_cached_tokens(event)
    return CompletionUsage(prompt if prompt >= 0 else None, _count(L.kimi_stream_event_completion_tokens(event)),
                           _count(L.kimi_stream_event_total_tokens(event)), cached if cached >= 0 else None)


def _count(value: int) -> Optional[int]:
    return value if value >= 0 else None


def event_from(event: int) -> StreamEvent:
    """A StreamEvent copied out of a borrowed C event (the callbacks of
    conversations; streams read records)."""
    kind = L.kimi_stream_event_type(event)
    out = StreamEvent(EVENT_NAMES.get(kind, str(kind)), _lib.text(L.kimi_stream_event_text, event),
                      L.kimi_stream_event_choice_index(event), L.kimi_stream_event_tool_call_index(event))
    if kind in (TOOL_START, TOOL_DELTA, TOOL_DONE):
        out.tool_call_id = L.kimi_stream_event_tool_call_id(event).decode()
        out.tool_call_name = L.kimi_stream_event_tool_call_name(event).decode()
    elif kind == FINISH:
        out.finish_reason = L.kimi_stream_event_finish_reason(event).decode()
    elif kind == USAGE:
        out.usage = usage_of(event)
    return out


class Stream(Generic[T]):
    """A streamed chat completion: iterate it for ChatCompletionChunk objects
    shaped like openai-python's, or call events() for libkimi's finer
    events (one or the other). A context manager; close() (or leaving the
    block) stops the transfer.

    `response` is the HTTP answer (status_code, headers, request_id), as in
    openai-python; `completion` (or get_final_completion()) is the
    accumulated ChatCompletion once the stream ended, and what arrived
    before it failed or was stopped."""

    completion: Optional[ChatCompletion]
    _response: Optional[Response]
    _buffer: Any
    _reader: Any  # the generator reading: _chunks() or _events()

    def __init__(self, client: Any, request: Any, token: Any = None, cls: Any = None) -> None:
        """Sends `request` (a kimi_chat_request pointer, which the caller may
        free once this returns) and waits for the answer's headers. `token`
        is the request's Ctrl-C token on the main thread (owned from now);
        `cls` the type of `completion` (ChatCompletion by default)."""
        self._client = client  # keeps the client alive while streaming
        self._cls = cls
        self._token = token
        self._hold = _interrupt.Hold(token) if token else None
        pointer = ctypes.c_void_p()
        try:
            status = L.kimi_chat_stream_open(client._pointer(), request, ctypes.byref(pointer))
            if status != OK:
                raise last_error()
        except BaseException:
            self._release_interrupt()
            raise
        self._handle = Handle(pointer.value, L.kimi_stream_free)
        self._stream = ctypes.c_void_p(pointer.value)  # for _lib.hot, which takes exact C types
        self._buffer = None
        self._length = ctypes.c_size_t()
        self._done = False
        self._response = None
        self._reader = None  # the chunks or events generator, whichever reads
        self.completion = None
        # close() may come from another thread while a reader is inside a
        # C call: it then only cancels (thread-safe), and the reader frees
        # the stream on its way out, so nothing touches freed memory.
        self._guard = threading.Lock()
        self._inside = 0
        self._closing = False

    def _release_interrupt(self, raise_interrupt: bool = True) -> None:
        hold, self._hold = self._hold, None
        try:
            if hold is not None:
                hold.release(raise_interrupt)  # may raise KeyboardInterrupt
        finally:
            token, self._token = self._token, None
            if token:
                L.kimi_cancel_token_free(token)

    def _enter(self) -> None:
        with self._guard:
            if self._closing or not self._handle.pointer:
                raise ValueError("this stream is closed")
            self._inside += 1

    def _leave(self) -> None:
        with self._guard:
            self._inside -= 1
            free = self._closing and self._inside == 0
        if free:
            self._handle.close()

    # --- what arrived ---------------------------------------------------------

    @property
    def response(self) -> Response:
        """The HTTP answer: status_code, headers, request_id (openai-python's
        stream.response)."""
        if self._response is None and self._handle.pointer:
            pointer = ctypes.c_void_p()
            if L.kimi_stream_head(self._handle.pointer, ctypes.byref(pointer)) == OK and pointer.value:
                try:
                    self._response = response_of(pointer.value)
                finally:
                    L.kimi_chat_response_free(pointer.value)
        return self._response  # type: ignore[return-value]  # None only once closed before the answer came

    def get_final_completion(self) -> Optional[ChatCompletion]:
        """The accumulated ChatCompletion: reads the rest of the stream first."""
        for _ in self:
            pass
        return self.completion

    def _snapshot(self) -> Optional[ChatCompletion]:
        pointer = ctypes.c_void_p()
        if L.kimi_stream_response(self._handle.pointer, ctypes.byref(pointer)) != OK or not pointer.value:
            return None
        if self._response is None:
            completion: Optional[ChatCompletion]
            completion, self._response = take_response(pointer.value, raw=True, cls=self._cls)
            return completion
        completion = take_response(pointer.value, cls=self._cls)
        return completion

    def _end(self, running: bool = False) -> None:
        """The stream is over (done, failed or interrupted): keep what came.
        `running`: Python stopped reading on its own while the library may
        still be receiving (a running stream has no response to take), so
        the transfer is stopped first. A stream close() closed keeps the
        completion close() took."""
        if not self._done:
            self._done = True
            if not running:  # from a read, inside the library: the handle is held
                self.completion = self._snapshot()
            else:
                # Outside a read: close() on another thread may free the
                # handle at any time, unless this holds it as a read does.
                try:
                    self._enter()
                except ValueError:
                    pass  # closed: close() took what arrived
                else:
                    try:
                        self.completion = self._stop_and_keep()
                    finally:
                        self._leave()
        self._release_interrupt()

    def _ended_by(self, error: BaseException) -> BaseException:
        """`error` (corrupt records, or Ctrl-C landing there) was raised
        while a reader decoded: that generator ends with it, and so does the
        stream, keeping what arrived (on an APIError as `partial` too)."""
        self._end(running=True)
        if isinstance(error, APIError):
            error.partial = self.completion
        return error

    def _stop_and_keep(self) -> Optional[ChatCompletion]:
        """Stops the transfer (if still running); the response of what arrived."""
        L.kimi_stream_cancel(self._handle.pointer)
        return self._snapshot()

    def _failure(self) -> Exception:
        error = last_error()
        self._end()
        failed: Any = error  # any failure carries it (APIError declares `partial`)
        failed.partial = self.completion  # what arrived before the failure
        return error

    # --- the pull loop -----------------------------------------------------------

    def _read(self) -> bytes:
        """The next records (one call into C: every chunk already received,
        waiting on the network only when none is); b"" once the stream is
        over. Raises the stream's failure with what arrived as `partial`."""
        if self._done:
            return b""
        self._enter()
        try:
            buffer = self._buffer
            if buffer is None:
                buffer = self._buffer = ctypes.create_string_buffer(RECORDS_BUFFER)
            length = self._length
            status = _lib.hot.stream_read_records(self._stream, buffer, len(buffer), ctypes.byref(length))
            while status == TOO_LARGE and length.value > len(buffer):
                # One record (a huge delta) needs more room: it waits for a larger buffer.
                buffer = self._buffer = ctypes.create_string_buffer(length.value)
                status = _lib.hot.stream_read_records(self._stream, buffer, len(buffer), ctypes.byref(length))
            if status != OK:
                raise self._failure()
            if not length.value:
                self._end()
                return b""
            return _lib.sliced(buffer, length.value)
        except KeyboardInterrupt:
            self._end()
            raise
        finally:
            self._leave()

    def _reading(self, reader: Callable[[], Iterator[Any]]) -> Iterator[Any]:
        if self._closing and not self._done:
            # Closed before its end: every read refuses (the generator that
            # raised this once is over, and would read as a stream that ended).
            raise ValueError("this stream is closed")
        if self._reader is None:
            self._reader = reader()
        elif self._reader.__name__ != reader.__name__:
            raise ValueError("this stream is read as chunks or as events(), not both")
        current: Iterator[Any] = self._reader
        return current

    def __iter__(self) -> Iterator[T]:
        return self._reading(self._chunks)

    def __next__(self) -> T:
        chunk: T = self._reading(self._chunks).__next__()
        return chunk

    def _chunks(self) -> Iterator[Any]:
        """ChatCompletionChunk objects, one per server chunk, decoded a
        network read at a time (_records.decode)."""
        metas: Dict[int, Meta] = {}
        chunks: List[Any] = []
        into: Callable[[int], List[Any]] = lambda user: chunks
        while True:
            data = self._read()
            if not data:
                return
            pos, end = 0, len(data)
            while pos < end:
                try:
                    pos = decode(data, metas, into, pos, pos + DECODE_SLICE)
                except BaseException as error:
                    raise self._ended_by(error)
                for chunk in chunks:
                    if self._closing:
                        raise ValueError("this stream is closed")
                    yield chunk
                chunks.clear()

    def events(self) -> Iterator[StreamEvent]:
        """The stream as libkimi's events (StreamEvent): role, reasoning,
        content, tool_call_start/delta/done, usage, finish, done."""
        return self._reading(self._events)

    def _events(self) -> Iterator[StreamEvent]:
        head = HEAD.unpack_from
        calls: Dict[Tuple[int, int], Tuple[str, str]] = {}
        while True:
            data = self._read()
            if not data:
                return
            pos, end = 0, len(data)
            while pos < end:
                try:
                    size, kind, count = head(data, pos)[:3]
                    if not 32 <= size <= end - pos:  # as decode: never follow a record that is not whole
                        raise _corrupt(size, pos, end)
                    events = stream_events(data, pos, count, calls) if kind == EVENTS else ()
                except BaseException as error:
                    raise self._ended_by(error)
                pos += size
                for event in events:
                    if self._closing:
                        raise ValueError("this stream is closed")
                    yield event

    def text(self) -> Optional[str]:
        """Consumes the stream; returns the answer's text."""
        completion = self.get_final_completion()
        return completion.choices[0].message.content if completion and completion.choices else ""

    def close(self) -> None:
        """Stops the transfer (if still running) and frees the stream; later
        reads raise ValueError, like a closed file. Safe from another thread:
        a reader blocked on the network wakes at once and ends the stream,
        keeping what arrived in `completion`."""
        with self._guard:
            if self._closing:
                return
            self._closing = True
            if self._inside:
                # The reader frees the stream when it leaves its C call.
                if self._handle.pointer:
                    L.kimi_stream_cancel(self._handle.pointer)
                return
        if not self._done and self._handle.pointer:
            self.completion = self._stop_and_keep()  # what arrived; later reads raise ValueError
        self._handle.close()
        if threading.current_thread() is threading.main_thread() or self._hold is None:
            self._release_interrupt()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> Literal[False]:
        self.close()
        return False

    def __del__(self) -> None:
        # An abandoned stream gives the main thread's SIGINT back.
        try:
            if getattr(self, "_hold", None) is not None and threading.current_thread() is threading.main_thread():
                self._release_interrupt(raise_interrupt=False)
        except Exception:
            pass


class EventCallback:
    """Wraps a Python callable as a C stream callback. An exception inside
    it is stored, the stream stops, and the caller re-raises it after the C
    call has returned cleanly."""

    error: Optional[BaseException]

    def __init__(self, on_event: Callable[[StreamEvent], object]) -> None:
        self.on_event = on_event
        self.error = None
        self.c_function = _lib.stream_cb(self._call)

    def _call(self, event: int, _user_data: Optional[int]) -> int:
        try:
            if self.on_event(event_from(event)) is False:
                return 1
            return 0
        except BaseException as exc:  # re-raised by the caller
            self.error = exc
            return 1

    def raise_stored(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
