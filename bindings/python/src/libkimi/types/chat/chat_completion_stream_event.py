"""The events of client.chat.completions.stream(...) (openai-python's
openai.lib.streaming.chat events), and Kimi's reasoning as events of its
own. Kimi has no refusal or logprobs fields, so those events never come."""

from typing import Any, Optional

from .._base import _Object
from .chat_completion_chunk import ChatCompletionChunk


class ChunkEvent(_Object):
    """Every chunk as it came, with the answer so far (`snapshot`, built
    when read: as in openai-python, the snapshot of the stream as it is
    then)."""

    __slots__ = ("chunk", "_state")
    _fields = ("type", "chunk", "snapshot")
    type = "chunk"

    def __init__(self, chunk: ChatCompletionChunk, state: Any) -> None:
        self.chunk = chunk
        self._state = state

    @property
    def snapshot(self) -> Any:
        return self._state.current_completion_snapshot


class ContentDeltaEvent(_Object):
    """A piece of the answer: `delta`, and `snapshot`, the answer so far.
    `parsed` is None until the content is done (openai-python parses
    partial JSON here; libkimi does not)."""

    __slots__ = ("delta", "snapshot", "parsed")
    _fields = ("type", "delta", "snapshot", "parsed")
    type = "content.delta"

    def __init__(self, delta: str, snapshot: str, parsed: Any = None) -> None:
        self.delta = delta
        self.snapshot = snapshot
        self.parsed = parsed


class ContentDoneEvent(_Object):
    """The answer is whole: `content`, and `parsed` as the response_format
    type when stream() was given one."""

    __slots__ = ("content", "parsed")
    _fields = ("type", "content", "parsed")
    type = "content.done"

    def __init__(self, content: str, parsed: Any = None) -> None:
        self.content = content
        self.parsed = parsed


class ReasoningDeltaEvent(_Object):
    """Kimi's thinking (`reasoning_content`), a piece at a time: `delta`
    and `snapshot`, the reasoning so far."""

    __slots__ = ("delta", "snapshot")
    _fields = ("type", "delta", "snapshot")
    type = "reasoning_content.delta"

    def __init__(self, delta: str, snapshot: str) -> None:
        self.delta = delta
        self.snapshot = snapshot


class ReasoningDoneEvent(_Object):
    """Kimi's thinking is over (the answer or a tool call started, or the
    choice finished): `reasoning_content` is all of it."""

    __slots__ = ("reasoning_content",)
    _fields = ("type", "reasoning_content")
    type = "reasoning_content.done"

    def __init__(self, reasoning_content: str) -> None:
        self.reasoning_content = reasoning_content


class FunctionToolCallArgumentsDeltaEvent(_Object):
    """A piece of a tool call's arguments (`arguments_delta`), with the
    arguments so far (`arguments`). `parsed_arguments` is None, as
    openai-python's for tools that are not strict pydantic tools."""

    __slots__ = ("name", "index", "arguments", "parsed_arguments", "arguments_delta")
    _fields = ("type", "name", "index", "arguments", "parsed_arguments", "arguments_delta")
    type = "tool_calls.function.arguments.delta"

    def __init__(self, name: str, index: int, arguments: str, arguments_delta: str,
                 parsed_arguments: Optional[object] = None) -> None:
        self.name = name
        self.index = index
        self.arguments = arguments
        self.parsed_arguments = parsed_arguments
        self.arguments_delta = arguments_delta


class FunctionToolCallArgumentsDoneEvent(_Object):
    """A tool call's arguments are whole (`arguments`, JSON text)."""

    __slots__ = ("name", "index", "arguments", "parsed_arguments")
    _fields = ("type", "name", "index", "arguments", "parsed_arguments")
    type = "tool_calls.function.arguments.done"

    def __init__(self, name: str, index: int, arguments: str, parsed_arguments: Optional[object] = None) -> None:
        self.name = name
        self.index = index
        self.arguments = arguments
        self.parsed_arguments = parsed_arguments
