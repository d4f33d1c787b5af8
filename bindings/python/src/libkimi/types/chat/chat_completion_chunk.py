"""A stream's chunk (openai.types.chat.ChatCompletionChunk) and its parts:
one of each is built per chunk, so each sets only what a chunk carries
(the fields left unset read as None)."""

from .._base import _Object


class ChoiceDeltaToolCallFunction(_Object):
    __slots__ = _fields = ("arguments", "name")

    def __init__(self, name=None, arguments=None):
        self.name = name
        self.arguments = arguments


class ChoiceDeltaToolCall(_Object):
    __slots__ = _fields = ("index", "id", "function", "type")

    def __init__(self, index, id=None, type=None, function=None):
        self.index = index
        self.id = id
        self.type = type
        self.function = function


class ChoiceDelta(_Object):
    _fields = ("audio", "content", "function_call", "refusal", "role", "tool_calls")
    _kimi = ("reasoning_content",)
    __slots__ = _fields + _kimi

    def __init__(self, role=None, content=None, reasoning_content=None, tool_calls=None):
        self.role = role
        self.content = content
        self.reasoning_content = reasoning_content
        self.tool_calls = tool_calls


class ChunkChoice(_Object):
    """A choice in a chunk; `usage` is Kimi's per-choice usage (finish chunk)."""

    _fields = ("delta", "finish_reason", "index", "logprobs")
    _kimi = ("usage",)
    __slots__ = _fields + _kimi

    def __init__(self, index, delta, finish_reason=None, usage=None):
        self.index = index
        self.delta = delta
        self.finish_reason = finish_reason
        if usage is not None:
            self.usage = usage


class ChatCompletionChunk(_Object):
    _fields = ("id", "choices", "created", "model", "object", "service_tier", "system_fingerprint", "usage")
    __slots__ = tuple(name for name in _fields if name != "object")
    object = "chat.completion.chunk"

    def __init__(self, id, created, model, choices, usage=None):
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
