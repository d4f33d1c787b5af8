"""Streams: pulled event by event from libkimi on the calling thread (the GIL
is released while it waits on the network), so no thread or queue sits
between the socket and the caller."""

import ctypes
import json
import threading

from . import _lib
from ._errors import OK, last_error
from ._handles import Handle
from ._types import (ChatCompletion, ChatCompletionChunk, ChoiceDelta, ChoiceDeltaToolCall,
                     ChoiceDeltaToolCallFunction, ChunkChoice, CompletionUsage, StreamEvent)

L = _lib.functions

ROLE, REASONING, CONTENT, TOOL_START, TOOL_DELTA, TOOL_DONE, USAGE, FINISH, DONE = range(1, 10)
EVENT_NAMES = {ROLE: "role", REASONING: "reasoning", CONTENT: "content", TOOL_START: "tool_call_start",
               TOOL_DELTA: "tool_call_delta", TOOL_DONE: "tool_call_done", USAGE: "usage", FINISH: "finish",
               DONE: "done"}


def response_from(handle, full=True):
    """A ChatCompletion from a kimi_chat_response handle (not freed here)."""
    body = json.loads(_lib.text(L.kimi_chat_response_json, handle) or "{}")
    full_content = _lib.text(L.kimi_chat_response_full_content, handle) if full else None
    completion = ChatCompletion.from_dict(body, full_content)
    completion.cost_usd = L.kimi_chat_response_cost_usd(handle)
    return completion


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


class Stream:
    """A streamed chat completion: iterate it for ChatCompletionChunk objects
    shaped like openai-python's, or call events() for libkimi's finer
    events. A context manager; close() (or leaving the block) stops the
    transfer. After the last chunk, `response` is the accumulated
    ChatCompletion."""

    def __init__(self, client, request):
        """Sends `request` (a kimi_chat_request pointer, which the caller may
        free once this returns) and waits for the answer's headers."""
        self._client = client  # keeps the client alive while streaming
        pointer = ctypes.c_void_p()
        status = L.kimi_chat_stream_open(client._handle.require("client"), request, ctypes.byref(pointer))
        if status != OK:
            raise last_error()
        self._handle = Handle(pointer.value, L.kimi_stream_free)
        self._stream = ctypes.c_void_p(pointer.value)  # for _lib.hot, which takes exact C types
        self._event = ctypes.c_void_p()
        self._event_ref = ctypes.byref(self._event)
        # kimi_stream_event_read's outputs, made once per stream.
        self._text, self._length = ctypes.c_void_p(), ctypes.c_size_t()
        self._choice, self._tool_call, self._last = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        self._read_refs = (ctypes.byref(self._text), ctypes.byref(self._length), ctypes.byref(self._choice),
                           ctypes.byref(self._tool_call), ctypes.byref(self._last))
        self._meta = None
        self._done = False
        self.response = None
        # close() may come from another thread while a reader is inside a
        # C call: it then only cancels (thread-safe), and the reader frees
        # the stream on its way out, so nothing touches freed memory.
        self._guard = threading.Lock()
        self._inside = 0
        self._closing = False

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

    # --- the pull loop -----------------------------------------------------------

    def _next_event(self):
        """The next borrowed C event, or None at the end; raises on failure.
        Call between _enter() and _leave()."""
        if self._done:
            return None
        if L.kimi_stream_next(self._handle.pointer, self._event_ref) != OK:
            raise self._failure()
        event = self._event.value
        if not event:
            self._done = True
            self.response = self._final()
        return event

    def _failure(self):
        self._done = True
        error = last_error()
        error.partial = self._final()  # what arrived before the failure
        return error

    def _final(self):
        pointer = ctypes.c_void_p()
        if L.kimi_stream_response(self._handle.pointer, ctypes.byref(pointer)) != OK or not pointer.value:
            return None
        try:
            return response_from(pointer.value)
        finally:
            L.kimi_chat_response_free(pointer.value)

    def __iter__(self):
        return self

    def __next__(self):
        """The next chunk: the events of one server chunk, regrouped. This is
        the hot loop of a stream: one call moves to the next event, one reads
        it (kimi_stream_event_read), names are bound locally, and a chunk with
        a single piece of text takes the shortest path."""
        if self._done:
            raise StopIteration
        self._enter()
        try:
            return self._next_chunk()
        finally:
            self._leave()

    def _next_chunk(self):
        stream, next_event, event_ref, event_box = self._stream, _lib.hot.stream_next, self._event_ref, self._event
        read, refs, string_at = _lib.hot.event_read, self._read_refs, ctypes.string_at
        text, length, choice_box, tool_box, last = self._text, self._length, self._choice, self._tool_call, self._last
        choices = {}
        usage = None
        while True:
            if next_event(stream, event_ref) != OK:
                raise self._failure()
            event = event_box.value
            if not event:
                self._done = True
                self.response = self._final()
                raise StopIteration
            kind = read(event_box, *refs)
            if kind == DONE:
                continue
            if self._meta is None:
                self._meta = (L.kimi_stream_event_completion_id(event).decode(), L.kimi_stream_event_created(event),
                              L.kimi_stream_event_model(event).decode())
            index = choice_box.value
            if last.value and not choices and usage is None and (kind == CONTENT or kind == TOOL_DELTA):
                # The common chunks: one piece of text, or of a tool call's arguments.
                chunk_id, created, model = self._meta
                piece = string_at(text.value, length.value).decode()
                if kind == CONTENT:
                    delta = ChoiceDelta(None, piece)
                else:
                    call = ChoiceDeltaToolCall(tool_box.value, None, None, ChoiceDeltaToolCallFunction(None, piece))
                    delta = ChoiceDelta(None, None, None, [call])
                return ChatCompletionChunk(chunk_id, created, model, [ChunkChoice(index, delta)])
            if kind == USAGE and index < 0:
                usage = usage_of(event)
            else:
                choice = choices.get(index)
                if choice is None:
                    choice = choices[index] = ChunkChoice(index, ChoiceDelta())
                delta = choice.delta
                if kind == CONTENT:
                    value = string_at(text.value, length.value).decode()
                    delta.content = value if delta.content is None else delta.content + value
                elif kind == REASONING:
                    value = string_at(text.value, length.value).decode()
                    delta.reasoning_content = value if delta.reasoning_content is None else delta.reasoning_content + value
                elif kind == ROLE:
                    delta.role = string_at(text.value, length.value).decode()
                elif kind in (TOOL_START, TOOL_DELTA):
                    self._tool_delta(delta, kind, event, tool_box.value, string_at(text.value, length.value).decode())
                elif kind == FINISH:
                    choice.finish_reason = L.kimi_stream_event_finish_reason(event).decode()
                elif kind == USAGE:
                    choice.usage = usage_of(event)
            if last.value and (choices or usage):
                chunk_id, created, model = self._meta
                return ChatCompletionChunk(chunk_id, created, model, list(choices.values()), usage)

    @staticmethod
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
        else:
            if call is None:
                calls.append(ChoiceDeltaToolCall(index, function=ChoiceDeltaToolCallFunction(arguments=piece)))
            else:
                call.function.arguments = (call.function.arguments or "") + piece

    def events(self):
        """The stream as libkimi's events (StreamEvent): role, reasoning,
        content, tool_call_start/delta/done, usage, finish, done."""
        while True:
            self._enter()
            try:
                event = self._next_event()
                copied = event_from(event) if event is not None else None
            finally:
                self._leave()
            if copied is None:
                return
            yield copied

    def text(self):
        """Consumes the stream; returns the answer's text."""
        for _ in self:
            pass
        return self.response.choices[0].message.content if self.response and self.response.choices else ""

    def close(self):
        """Stops the transfer (if still running) and frees the stream; later
        reads raise ValueError, like a closed file. Safe from another thread:
        a reader blocked on the network wakes at once and ends the stream,
        keeping what arrived in `response`."""
        with self._guard:
            if self._closing:
                return
            self._closing = True
            if self._inside:
                # The reader frees the stream when it leaves its C call.
                if self._handle.pointer:
                    L.kimi_stream_cancel(self._handle.pointer)
                return
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


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

