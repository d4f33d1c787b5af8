"""Streams: pulled event by event from libkimi on the calling thread (the GIL
is released while it waits on the network), so no thread or queue sits
between the socket and the caller. The regrouping of events into
openai-shaped chunks (ChunkAssembler) is shared with the async stream."""

import ctypes
import json
import threading

from . import _interrupt, _lib
from ._errors import OK, last_error
from ._handles import Handle
from ._raw import response_of
from ._types import (ChatCompletion, ChatCompletionChunk, ChoiceDelta, ChoiceDeltaToolCall,
                     ChoiceDeltaToolCallFunction, ChunkChoice, CompletionUsage, StreamEvent)

L = _lib.functions

ROLE, REASONING, CONTENT, TOOL_START, TOOL_DELTA, TOOL_DONE, USAGE, FINISH, DONE, END = range(1, 11)
EVENT_NAMES = {ROLE: "role", REASONING: "reasoning", CONTENT: "content", TOOL_START: "tool_call_start",
               TOOL_DELTA: "tool_call_delta", TOOL_DONE: "tool_call_done", USAGE: "usage", FINISH: "finish",
               DONE: "done", END: "end"}


def response_from(handle, full=True, cls=ChatCompletion):
    """A ChatCompletion from a kimi_chat_response handle (not freed here)."""
    body = json.loads(_lib.text(L.kimi_chat_response_json, handle) or "{}")
    full_content = _lib.text(L.kimi_chat_response_full_content, handle) if full else None
    completion = cls.from_dict(body, full_content)
    completion.cost_usd = L.kimi_chat_response_cost_usd(handle)
    completion.web_search_calls = L.kimi_chat_response_web_search_calls(handle)
    completion._request_id = L.kimi_chat_response_request_id(handle).decode() or None
    return completion


def take_response(pointer, raw=False, cls=None):
    """The ChatCompletion (and its Response when `raw`) of a response
    handle the caller owns, freeing it; None for NULL."""
    if not pointer:
        return (None, None) if raw else None
    try:
        completion = response_from(pointer, cls=cls or ChatCompletion)
        return (completion, response_of(pointer)) if raw else completion
    finally:
        L.kimi_chat_response_free(pointer)


def usage_of(event):
    prompt = L.kimi_stream_event_prompt_tokens(event)
    cached = L.kimi_stream_event_cached_tokens(event)
    return CompletionUsage(prompt if prompt >= 0 else None, _count(L.kimi_stream_event_completion_tokens(event)),
                           _count(L.kimi_stream_event_total_tokens(event)), cached if cached >= 0 else None)


def _count(value):
    return value if value >= 0 else None


def event_from(event):
    """A StreamEvent copied out of a borrowed C event."""
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


class ChunkAssembler:
    """Regroups a stream's events into ChatCompletionChunk objects shaped
    like openai-python's: the events one server chunk made become one
    chunk. This is the hot loop of a Python stream: one call reads an event
    (kimi_stream_event_read into outputs made once), names are bound
    locally, and a chunk with a single piece of text takes the shortest
    path."""

    __slots__ = ("choices", "usage", "meta", "ended", "_outputs", "_refs")

    def __init__(self, outputs=None):
        """`outputs` (from outputs()) may be shared by assemblers that never
        read events at the same time (the tasks of one async event pump)."""
        self.choices = {}
        self.usage = None
        self.meta = None  # (id, created, model) from the first event
        self.ended = False  # the task's END event came (tasks only)
        self._outputs, self._refs = outputs or ChunkAssembler.outputs()

    @staticmethod
    def outputs():
        """kimi_stream_event_read's outputs, and references to them. The text
        is read as a C string (it is NUL-terminated): a c_char_p's value is
        much cheaper than string_at; `_text` falls back to the length for
        text with a NUL inside."""
        text, length = ctypes.c_char_p(), ctypes.c_size_t()
        choice, tool_call, last = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32()
        values = (text, length, choice, tool_call, last)
        return values, tuple(ctypes.byref(o) for o in values)

    def add(self, event_box, _read=_lib.hot.event_read):
        """Reads the event in `event_box` (a c_void_p); returns the chunk it
        completes, or None."""
        return self.take(_read(event_box, *self._refs), event_box)

    def take(self, kind, event_box):
        """The same for an event of type `kind` whose fields are already in
        the outputs (kimi_event_queue_read filled them)."""
        if kind >= DONE:
            self.ended = kind == END
            return None
        text, length, choice_box, tool_box, last = self._outputs
        if self.meta is None:
            event = event_box.value
            self.meta = (L.kimi_stream_event_completion_id(event).decode(), L.kimi_stream_event_created(event),
                         L.kimi_stream_event_model(event).decode())
        choices = self.choices
        if (kind == CONTENT or kind == TOOL_DELTA) and last.value and not choices and self.usage is None:
            # The common chunks: one piece of text, or of a tool call's arguments.
            chunk_id, created, model = self.meta
            piece = _text(text, length).decode()
            if kind == CONTENT:
                delta = ChoiceDelta(None, piece)
            else:
                call = ChoiceDeltaToolCall(tool_box.value, None, None, ChoiceDeltaToolCallFunction(None, piece))
                delta = ChoiceDelta(None, None, None, [call])
            return ChatCompletionChunk(chunk_id, created, model, [ChunkChoice(choice_box.value, delta)])
        index = choice_box.value
        event = event_box.value
        if kind == USAGE and index < 0:
            self.usage = usage_of(event)
        else:
            choice = choices.get(index)
            if choice is None:
                choice = choices[index] = ChunkChoice(index, ChoiceDelta())
            delta = choice.delta
            if kind == CONTENT:
                value = _text(text, length).decode()
                delta.content = value if delta.content is None else delta.content + value
            elif kind == REASONING:
                value = _text(text, length).decode()
                delta.reasoning_content = value if delta.reasoning_content is None else delta.reasoning_content + value
            elif kind == ROLE:
                delta.role = _text(text, length).decode()
            elif kind == TOOL_START or kind == TOOL_DELTA:
                _tool_delta(delta, kind, event, tool_box.value, _text(text, length).decode())
            elif kind == FINISH:
                choice.finish_reason = L.kimi_stream_event_finish_reason(event).decode()
            elif kind == USAGE:
                choice.usage = usage_of(event)
        if last.value and (choices or self.usage):
            chunk_id, created, model = self.meta
            chunk = ChatCompletionChunk(chunk_id, created, model, list(choices.values()), self.usage)
            self.choices = {}
            self.usage = None
            return chunk
        return None


def _text(text, length):
    """The bytes of a c_char_p output of `length` bytes (NULs included)."""
    value = text.value or b""
    return value if len(value) == length.value else ctypes.string_at(ctypes.cast(text, ctypes.c_void_p), length.value)


def _tool_delta(delta, kind, event, index, piece):
    calls = delta.tool_calls if delta.tool_calls is not None else []
    delta.tool_calls = calls
    call = next((c for c in calls if c.index == index), None)
    if kind == TOOL_START:
        if call is None:
            call = ChoiceDeltaToolCall(index, function=ChoiceDeltaToolCallFunction(arguments=""))
            calls.append(call)
        call.id = L.kimi_stream_event_tool_call_id(event).decode()
        call.type = "function"
        call.function.name = L.kimi_stream_event_tool_call_name(event).decode()
    elif call is None:
        calls.append(ChoiceDeltaToolCall(index, function=ChoiceDeltaToolCallFunction(arguments=piece)))
    else:
        call.function.arguments = (call.function.arguments or "") + piece


class Stream:
    """A streamed chat completion: iterate it for ChatCompletionChunk objects
    shaped like openai-python's, or call events() for libkimi's finer
    events. A context manager; close() (or leaving the block) stops the
    transfer.

    `response` is the HTTP answer (status_code, headers, request_id), as in
    openai-python; `completion` (or get_final_completion()) is the
    accumulated ChatCompletion once the stream ended, and what arrived
    before it failed or was stopped."""

    def __init__(self, client, request, token=None):
        """Sends `request` (a kimi_chat_request pointer, which the caller may
        free once this returns) and waits for the answer's headers. `token`
        is the request's Ctrl-C token on the main thread (owned from now)."""
        self._client = client  # keeps the client alive while streaming
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
        self._event = ctypes.c_void_p()
        self._event_ref = ctypes.byref(self._event)
        self._assembler = ChunkAssembler()
        self._done = False
        self._response = None
        self.completion = None
        # close() may come from another thread while a reader is inside a
        # C call: it then only cancels (thread-safe), and the reader frees
        # the stream on its way out, so nothing touches freed memory.
        self._guard = threading.Lock()
        self._inside = 0
        self._closing = False

    def _release_interrupt(self, raise_interrupt=True):
        hold, self._hold = self._hold, None
        try:
            if hold is not None:
                hold.release(raise_interrupt)  # may raise KeyboardInterrupt
        finally:
            token, self._token = self._token, None
            if token:
                L.kimi_cancel_token_free(token)

    def _enter(self):
        with self._guard:
            if self._closing or not self._handle.pointer:
                raise ValueError("this stream is closed")
            self._inside += 1

    def _leave(self):
        with self._guard:
            self._inside -= 1
            free = self._closing and self._inside == 0
        if free:
            self._handle.close()

    # --- what arrived ---------------------------------------------------------

    @property
    def response(self):
        """The HTTP answer: status_code, headers, request_id (openai-python's
        stream.response)."""
        if self._response is None and self._handle.pointer:
            pointer = ctypes.c_void_p()
            if L.kimi_stream_head(self._handle.pointer, ctypes.byref(pointer)) == OK and pointer.value:
                try:
                    self._response = response_of(pointer.value)
                finally:
                    L.kimi_chat_response_free(pointer.value)
        return self._response

    def get_final_completion(self):
        """The accumulated ChatCompletion: reads the rest of the stream first."""
        for _ in self:
            pass
        return self.completion

    def _snapshot(self):
        pointer = ctypes.c_void_p()
        if L.kimi_stream_response(self._handle.pointer, ctypes.byref(pointer)) != OK or not pointer.value:
            return None
        if self._response is None:
            completion, self._response = take_response(pointer.value, raw=True)
            return completion
        return take_response(pointer.value)

    def _end(self):
        """The stream is over (done, failed or interrupted): keep what came."""
        if not self._done:
            self._done = True
            self.completion = self._snapshot()
        self._release_interrupt()

    def _failure(self):
        error = last_error()
        self._end()
        error.partial = self.completion  # what arrived before the failure
        return error

    # --- the pull loop -----------------------------------------------------------

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        self._enter()
        try:
            return self._next_chunk()
        except KeyboardInterrupt:
            self._end()
            raise
        finally:
            self._leave()

    def _next_chunk(self):
        stream, next_event, event_ref, event_box = self._stream, _lib.hot.stream_next, self._event_ref, self._event
        add = self._assembler.add
        while True:
            if next_event(stream, event_ref) != OK:
                raise self._failure()
            if not event_box.value:
                self._end()
                raise StopIteration
            chunk = add(event_box)
            if chunk is not None:
                return chunk

    def events(self):
        """The stream as libkimi's events (StreamEvent): role, reasoning,
        content, tool_call_start/delta/done, usage, finish, done."""
        while not self._done:
            self._enter()
            try:
                if L.kimi_stream_next(self._handle.pointer, self._event_ref) != OK:
                    raise self._failure()
                event = self._event.value
                copied = event_from(event) if event else None
                if not event:
                    self._end()
            except KeyboardInterrupt:
                self._end()
                raise
            finally:
                self._leave()
            if copied is None:
                return
            yield copied

    def text(self):
        """Consumes the stream; returns the answer's text."""
        completion = self.get_final_completion()
        return completion.choices[0].message.content if completion and completion.choices else ""

    def close(self):
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
            self.completion = self._snapshot()  # what arrived; later reads raise ValueError
        self._handle.close()
        if threading.current_thread() is threading.main_thread() or self._hold is None:
            self._release_interrupt()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
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

    def __init__(self, on_event):
        self.on_event = on_event
        self.error = None
        self.c_function = _lib.stream_cb(self._call)

    def _call(self, event, _user_data):
        try:
            if self.on_event(event_from(event)) is False:
                return 1
            return 0
        except BaseException as exc:  # re-raised by the caller
            self.error = exc
            return 1

    def raise_stored(self):
        if self.error is not None:
            error, self.error = self.error, None
            raise error
