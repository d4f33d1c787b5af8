"""A stream's chunk (openai.types.chat.ChatCompletionChunk) and its parts:
one of each is built per chunk, so each sets only what a chunk carries
(the fields left unset read as None)."""

from __future__ import annotations

from .._base import _Object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Literal, Optional

    from ..completion_usage import CompletionUsage


class ChoiceDeltaToolCallFunction(_Object):
    __slots__ = _fields = ("arguments", "name")
    arguments: Optional[str]
    name: Optional[str]

    def __init__(self, name: Optional[str] = None, arguments: Optional[str] = None) -> None:
        self.name = name
        self.arguments = arguments


class ChoiceDeltaToolCall(_Object):
    __slots__ = _fields = ("index", "id", "function", "type")
    index: int
    id: Optional[str]
    function: Optional[ChoiceDeltaToolCallFunction]
    type: Optional[Literal["function"]]

    def __init__(self, index: int, id: Optional[str] = None, type: Optional[Literal["function"]] = None,
                 function: Optional[ChoiceDeltaToolCallFunction] = None) -> None:
        self.index = index
        self.id = id
        self.type = type
        self.function = function


class ChoiceDelta(_Object):
    _fields = ("audio", "content", "function_call", "refusal", "role", "tool_calls")
    _kimi = ("reasoning_content",)
    __slots__ = _fields + _kimi
    audio: Optional[Any]
    content: Optional[str]
    function_call: Optional[Any]
    refusal: Optional[str]
    role: Optional[Literal["developer", "system", "user", "assistant", "tool"]]
    tool_calls: Optional[List[ChoiceDeltaToolCall]]
    reasoning_content: Optional[str]

    def __init__(self, role: Optional[Literal["developer", "system", "user", "assistant", "tool"]] = None,
                 content: Optional[str] = None, reasoning_content: Optional[str] = None,
                 tool_calls: Optional[List[ChoiceDeltaToolCall]] = None) -> None:
        self.role = role
        self.content = content
        self.reasoning_content = reasoning_content
        self.tool_calls = tool_calls


class ChunkChoice(_Object):
    """A choice in a chunk; `usage` is Kimi's per-choice usage (finish chunk)."""

    _fields = ("delta", "finish_reason", "index", "logprobs")
    _kimi = ("usage",)
    __slots__ = _fields + _kimi
    delta: ChoiceDelta
    finish_reason: Optional[Literal["stop", "length", "tool_calls", "content_filter", "function_call"]]
    index: int
    logprobs: Optional[Any]
    usage: Optional[CompletionUsage]

    def __init__(self, index: int, delta: ChoiceDelta, finish_reason: Optional[Literal["stop", "length", "tool_calls", "content_filter", "function_call"]] = None,
                 usage: Optional[CompletionUsage] = None) -> None:
        self.index = index
        self.delta = delta
        self.finish_reason = finish_reason
        if usage is not None:
            self.usage = usage


class ChatCompletionChunk(_Object):
    _fields = ("id", "choices", "created", "model", "object", "service_tier", "system_fingerprint", "usage")
    __slots__ = tuple(name for name in _fields if name != "object")
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"  # a class constant: one store fewer per chunk
    id: str
    choices: List[ChunkChoice]
    created: int
    model: str
    service_tier: Optional[Literal["auto", "default", "flex", "scale", "priority"]]
    system_fingerprint: Optional[str]
    usage: Optional[CompletionUsage]

    def __init__(self, id: str, created: int, model: str, choices: List[ChunkChoice],
                 usage: Optional[CompletionUsage] = None) -> None:
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
