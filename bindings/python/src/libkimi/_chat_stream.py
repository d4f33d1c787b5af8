"""client.chat.completions.stream(...): openai-python's streaming helper.
A context manager around a chat stream whose iteration gives events
(`chunk`, `content.delta`, `content.done`,
`tool_calls.function.arguments.delta` / `.done`, and Kimi's
`reasoning_content.delta` / `.done`), fired in openai-python's order; the
events are worked out once here (ChatCompletionStreamState) for both the
sync and the async stream."""

from typing import Any, Callable, Dict, Generic, Iterator, List, Optional, Set, TypeVar

from .types.chat.chat_completion import ParsedChatCompletion
from .types.chat.chat_completion_stream_event import (ChunkEvent, ContentDeltaEvent, ContentDoneEvent,
                                                      FunctionToolCallArgumentsDeltaEvent,
                                                      FunctionToolCallArgumentsDoneEvent, ReasoningDeltaEvent,
                                                      ReasoningDoneEvent)

#: The type `response_format` reads the answer as (openai-python's ResponseFormatT).
ResponseFormatT = TypeVar("ResponseFormatT")


class _ToolCall:
    __slots__ = ("id", "type", "name", "arguments")

    def __init__(self) -> None:
        self.id: Optional[str] = None
        self.type: Optional[str] = None
        self.name: Optional[str] = None
        self.arguments = ""


class _Choice:
    """One choice's answer so far and which of its done events fired."""

    __slots__ = ("index", "role", "content", "reasoning", "tool_calls", "finish_reason", "content_done",
                 "reasoning_done", "current_tool", "done_tools")

    def __init__(self, index: int) -> None:
        self.index = index
        self.role: Optional[str] = None
        self.content: Optional[str] = None
        self.reasoning: Optional[str] = None
        self.tool_calls: Dict[int, _ToolCall] = {}
        self.finish_reason: Optional[str] = None
        self.content_done = False
        self.reasoning_done = False
        self.current_tool: Optional[int] = None
        self.done_tools: Set[int] = set()


class ChatCompletionStreamState(Generic[ResponseFormatT]):
    """Turns chunks into openai-python's stream events and keeps the answer
    so far (`current_completion_snapshot`). `response_format` (a type) is
    what content.done's `parsed` is read as."""

    def __init__(self, response_format: Any = None) -> None:
        from ._schema import is_structured
        self._format = response_format if is_structured(response_format) else None
        self._choices: Dict[int, _Choice] = {}
        self._last: Any = None  # the latest chunk: id, model, usage for the snapshot
        self._usage: Any = None
        self._snapshot: Optional[ParsedChatCompletion[ResponseFormatT]] = None

    def handle_chunk(self, chunk: Any) -> List[Any]:
        """The events one chunk fires, in openai-python's order."""
        self._snapshot = None
        self._last = chunk
        if chunk.usage is not None:
            self._usage = chunk.usage
        events: List[Any] = [ChunkEvent(chunk, self)]
        for piece in chunk.choices:
            choice = self._choices.get(piece.index)
            if choice is None:
                choice = self._choices[piece.index] = _Choice(piece.index)
            delta = piece.delta
            if delta is not None:
                self._delta(choice, delta, events)
            if piece.finish_reason is not None:
                choice.finish_reason = piece.finish_reason
                if self._format is not None:  # as openai-python: a cut answer cannot be read as the format
                    from .resources.chat import refuse_unfinished
                    refuse_unfinished(piece.finish_reason, self.current_completion_snapshot)
            if piece.usage is not None and chunk.usage is None:
                self._usage = piece.usage
            self._done_events(choice, delta, events)
        return events

    def _delta(self, choice: _Choice, delta: Any, events: List[Any]) -> None:
        if delta.role is not None:
            choice.role = delta.role
        reasoning = delta.reasoning_content
        if reasoning is not None:
            so_far = choice.reasoning = (choice.reasoning or "") + reasoning
            events.append(ReasoningDeltaEvent(reasoning, so_far))
        content = delta.content
        if content is None and delta.role is not None:
            # Kimi's first chunk is {"role": "assistant", "content": ""};
            # libkimi's chunks do not carry the empty content, openai's
            # helper fires a content.delta for it.
            content = ""
        if content is not None:
            if content or delta.tool_calls:
                self._reasoning_done(choice, events)
            so_far = choice.content = (choice.content or "") + content
            events.append(ContentDeltaEvent(content, so_far))
        for piece in delta.tool_calls or ():
            self._reasoning_done(choice, events)
            call = choice.tool_calls.get(piece.index)
            if call is None:
                call = choice.tool_calls[piece.index] = _ToolCall()
            if piece.id:
                call.id = (call.id or "") + piece.id
            if piece.type is not None:
                call.type = piece.type
            function = piece.function
            if function is not None:
                if function.name:
                    call.name = (call.name or "") + function.name
                if function.arguments:
                    call.arguments += function.arguments
            if call.type == "function":
                events.append(FunctionToolCallArgumentsDeltaEvent(
                    call.name or "", piece.index, call.arguments,
                    (function.arguments if function is not None else None) or ""))

    def _reasoning_done(self, choice: _Choice, events: List[Any]) -> None:
        if choice.reasoning and not choice.reasoning_done:
            choice.reasoning_done = True
            events.append(ReasoningDoneEvent(choice.reasoning))

    def _content_done(self, choice: _Choice, events: List[Any]) -> None:
        if choice.content and not choice.content_done:
            choice.content_done = True
            parsed = None
            if self._format is not None:
                from ._schema import parse_content
                parsed = parse_content(self._format, choice.content)
            events.append(ContentDoneEvent(choice.content, parsed))

    def _tool_done(self, choice: _Choice, index: int, events: List[Any]) -> None:
        if index in choice.done_tools:
            return
        choice.done_tools.add(index)
        call = choice.tool_calls[index]
        if call.type == "function":
            events.append(FunctionToolCallArgumentsDoneEvent(call.name or "", index, call.arguments))

    def _done_events(self, choice: _Choice, delta: Any, events: List[Any]) -> None:
        if choice.finish_reason:
            self._reasoning_done(choice, events)
            self._content_done(choice, events)
            if choice.current_tool is not None:
                self._tool_done(choice, choice.current_tool, events)
        for piece in (delta.tool_calls if delta is not None else None) or ():
            if choice.current_tool != piece.index:
                self._content_done(choice, events)
                if choice.current_tool is not None:
                    self._tool_done(choice, choice.current_tool, events)
            choice.current_tool = piece.index

    @property
    def current_completion_snapshot(self) -> ParsedChatCompletion[ResponseFormatT]:
        """The answer so far, as a ParsedChatCompletion (built when asked)."""
        if self._snapshot is None:
            last = self._last
            choices: List[Dict[str, Any]] = []
            for index in sorted(self._choices):
                choice = self._choices[index]
                message: Dict[str, Any] = {"role": choice.role or "assistant", "content": choice.content}
                if choice.reasoning is not None:
                    message["reasoning_content"] = choice.reasoning
                if choice.tool_calls:
                    message["tool_calls"] = [
                        {"index": i, "id": call.id, "type": call.type,
                         "function": {"name": call.name, "arguments": call.arguments}}
                        for i, call in sorted(choice.tool_calls.items())]
                choices.append({"index": index, "finish_reason": choice.finish_reason, "logprobs": None,
                                "message": message})
            usage = self._usage.model_dump() if self._usage is not None else None
            snapshot = ParsedChatCompletion[ResponseFormatT].from_json({  # [T]: nothing at run time (_typing.Generic)
                "id": last.id if last is not None else "", "object": "chat.completion",
                "created": last.created if last is not None else 0, "model": last.model if last is not None else "",
                "choices": choices, "usage": usage, "system_fingerprint": None})
            self._snapshot = snapshot
        return self._snapshot

    def final(self, completion: Optional[ParsedChatCompletion[ResponseFormatT]]
              ) -> ParsedChatCompletion[ResponseFormatT]:
        """The whole answer as a ParsedChatCompletion read as the format
        (openai-python's get_final_completion): raises
        LengthFinishReasonError / ContentFilterFinishReasonError as
        parse() does."""
        from .resources.chat import parsed
        return parsed(completion if completion is not None else self.current_completion_snapshot, self._format)


class ChatCompletionStream(Generic[ResponseFormatT]):
    """The stream of client.chat.completions.stream(...): iterate it for
    events; `get_final_completion()`, `until_done()`,
    `current_completion_snapshot`, `response`, `close()`."""

    def __init__(self, raw: Any, response_format: Any = None) -> None:
        self._raw = raw
        self._state: ChatCompletionStreamState[ResponseFormatT] = ChatCompletionStreamState(response_format)
        self._events = self._generate()

    def _generate(self) -> Iterator[Any]:
        handle = self._state.handle_chunk
        for chunk in self._raw:
            yield from handle(chunk)

    @property
    def response(self) -> Any:
        return self._raw.response

    def __iter__(self) -> Iterator[Any]:
        return self._events

    def __next__(self) -> Any:
        return next(self._events)

    def until_done(self) -> "ChatCompletionStream[ResponseFormatT]":
        for _ in self._events:
            pass
        return self

    def get_final_completion(self) -> ParsedChatCompletion[ResponseFormatT]:
        self.until_done()
        return self._state.final(self._raw.completion)

    @property
    def current_completion_snapshot(self) -> ParsedChatCompletion[ResponseFormatT]:
        return self._state.current_completion_snapshot

    def close(self) -> None:
        self._raw.close()
        # Events of a chunk not handed out yet are dropped, and every later
        # read answers as the raw stream's: ValueError when closed before
        # its end (not only once), an end when it was read to its end.
        self._events = _AfterClose(self._raw)

    def __enter__(self) -> "ChatCompletionStream[ResponseFormatT]":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _AfterClose:
    """A closed ChatCompletionStream's events: none; each read raises as
    the raw stream's does (ValueError while closed before its end)."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def __iter__(self) -> "_AfterClose":
        return self

    def __next__(self) -> Any:
        for _ in self._raw:  # raises ValueError when closed before its end
            break
        raise StopIteration


class ChatCompletionStreamManager(Generic[ResponseFormatT]):
    """What client.chat.completions.stream(...) returns: the request is
    sent when the `with` block is entered, and the stream closed when it
    is left."""

    def __init__(self, open_stream: Callable[[], Any], response_format: Any = None) -> None:
        self._open = open_stream
        self._format = response_format
        self._stream: Optional[ChatCompletionStream[ResponseFormatT]] = None

    def __enter__(self) -> ChatCompletionStream[ResponseFormatT]:
        self._stream = ChatCompletionStream(self._open(), self._format)
        return self._stream

    def __exit__(self, *exc: Any) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncChatCompletionStream(Generic[ResponseFormatT]):
    """The async stream of client.chat.completions.stream(...): `async for`
    gives events; `await get_final_completion()`, `await until_done()`."""

    def __init__(self, raw: Any, response_format: Any = None) -> None:
        self._raw = raw
        self._state: ChatCompletionStreamState[ResponseFormatT] = ChatCompletionStreamState(response_format)
        self._pending: List[Any] = []

    @property
    def response(self) -> Any:
        return self._raw.response

    def __aiter__(self) -> "AsyncChatCompletionStream[ResponseFormatT]":
        return self

    async def __anext__(self) -> Any:
        while not self._pending:
            chunk = await self._raw.__anext__()  # StopAsyncIteration ends the events too
            self._pending = self._state.handle_chunk(chunk)
            self._pending.reverse()
        return self._pending.pop()

    async def until_done(self) -> "AsyncChatCompletionStream[ResponseFormatT]":
        async for _ in self:
            pass
        return self

    async def get_final_completion(self) -> ParsedChatCompletion[ResponseFormatT]:
        await self.until_done()
        return self._state.final(self._raw.completion)

    @property
    def current_completion_snapshot(self) -> ParsedChatCompletion[ResponseFormatT]:
        return self._state.current_completion_snapshot

    async def close(self) -> None:
        await self._raw.close()
        self._pending = []  # the rest of a chunk's events: not handed out once closed, as the raw stream's pieces

    async def __aenter__(self) -> "AsyncChatCompletionStream[ResponseFormatT]":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class AsyncChatCompletionStreamManager(Generic[ResponseFormatT]):
    """The async client's client.chat.completions.stream(...): `async with`."""

    def __init__(self, open_stream: Callable[[], Any], response_format: Any = None) -> None:
        self._open = open_stream
        self._format = response_format
        self._stream: Optional[AsyncChatCompletionStream[ResponseFormatT]] = None

    async def __aenter__(self) -> AsyncChatCompletionStream[ResponseFormatT]:
        self._stream = AsyncChatCompletionStream(await self._open(), self._format)
        return self._stream

    async def __aexit__(self, *exc: Any) -> None:
        if self._stream is not None:
            await self._stream.close()
