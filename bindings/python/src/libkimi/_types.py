"""Result types shaped like openai-python's (same attribute paths), as
plain __slots__ classes: cheap enough to build one per stream chunk."""

from typing import Any, Dict, List, Optional


class _Object:
    __slots__ = ()

    def to_dict(self) -> Dict[str, Any]:
        """A plain dict (nested objects included), like pydantic's model_dump."""
        out = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, _Object):
                value = value.to_dict()
            elif isinstance(value, list):
                value = [v.to_dict() if isinstance(v, _Object) else v for v in value]
            out[name] = value
        return out

    model_dump = to_dict

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()


class Function(_Object):
    __slots__ = ("name", "arguments")

    def __init__(self, name, arguments):
        self.name = name
        self.arguments = arguments


class ChatCompletionMessageToolCall(_Object):
    __slots__ = ("id", "type", "function")

    def __init__(self, id, type, function):
        self.id = id
        self.type = type
        self.function = function


class ChatCompletionMessage(_Object):
    """The assistant's message. `reasoning_content` is Kimi's thinking."""

    __slots__ = ("role", "content", "reasoning_content", "tool_calls")

    def __init__(self, role, content, reasoning_content=None, tool_calls=None):
        self.role = role
        self.content = content
        self.reasoning_content = reasoning_content
        self.tool_calls = tool_calls


class PromptTokensDetails(_Object):
    __slots__ = ("cached_tokens",)

    def __init__(self, cached_tokens):
        self.cached_tokens = cached_tokens


class CompletionUsage(_Object):
    """Token counts. `cached_tokens` is read from either spelling Kimi uses."""

    __slots__ = ("prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "prompt_tokens_details")

    def __init__(self, prompt_tokens, completion_tokens, total_tokens, cached_tokens=None):
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.total_tokens = total_tokens
        self.cached_tokens = cached_tokens
        self.prompt_tokens_details = PromptTokensDetails(cached_tokens) if cached_tokens is not None else None

    @classmethod
    def from_dict(cls, usage: Optional[dict]):
        if not usage:
            return None
        cached = usage.get("cached_tokens")
        if cached is None:
            cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
        return cls(usage.get("prompt_tokens"), usage.get("completion_tokens"), usage.get("total_tokens"), cached)


class Choice(_Object):
    __slots__ = ("index", "message", "finish_reason", "logprobs", "usage")

    def __init__(self, index, message, finish_reason, usage=None):
        self.index = index
        self.message = message
        self.finish_reason = finish_reason
        self.logprobs = None
        self.usage = usage


class ChatCompletion(_Object):
    """A chat completion. `full_content` is Partial Mode's prefix followed by
    the completion (the content when there was no prefix). `cost_usd` is
    what it cost under the client's prices (Client(pricing=...))."""

    __slots__ = ("id", "object", "created", "model", "choices", "usage", "full_content", "cost_usd")

    def __init__(self, id, created, model, choices, usage, full_content=None, cost_usd=None):
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.full_content = full_content
        self.cost_usd = cost_usd

    @classmethod
    def from_dict(cls, body: dict, full_content=None):
        choices = []
        for position, item in enumerate(body.get("choices") or []):
            message = item.get("message") or {}
            calls = [ChatCompletionMessageToolCall(c.get("id"), c.get("type", "function"),
                                                   Function((c.get("function") or {}).get("name"),
                                                            (c.get("function") or {}).get("arguments")))
                     for c in message.get("tool_calls") or []] or None
            choices.append(Choice(item.get("index", position),
                                  ChatCompletionMessage(message.get("role", "assistant"), message.get("content"),
                                                        message.get("reasoning_content"), calls),
                                  item.get("finish_reason"), CompletionUsage.from_dict(item.get("usage"))))
        usage = CompletionUsage.from_dict(body.get("usage"))
        if usage is None and choices:
            usage = choices[0].usage
        if full_content is None and choices:
            full_content = choices[0].message.content
        return cls(body.get("id"), body.get("created"), body.get("model"), choices, usage, full_content)


# --- stream chunks -----------------------------------------------------------------

class ChoiceDeltaToolCallFunction(_Object):
    __slots__ = ("name", "arguments")

    def __init__(self, name=None, arguments=None):
        self.name = name
        self.arguments = arguments


class ChoiceDeltaToolCall(_Object):
    __slots__ = ("index", "id", "type", "function")

    def __init__(self, index, id=None, type=None, function=None):
        self.index = index
        self.id = id
        self.type = type
        self.function = function


class ChoiceDelta(_Object):
    __slots__ = ("role", "content", "reasoning_content", "tool_calls")

    def __init__(self, role=None, content=None, reasoning_content=None, tool_calls=None):
        self.role = role
        self.content = content
        self.reasoning_content = reasoning_content
        self.tool_calls = tool_calls


class ChunkChoice(_Object):
    """A choice in a chunk; `usage` is Kimi's per-choice usage (finish chunk)."""

    __slots__ = ("index", "delta", "finish_reason", "logprobs", "usage")

    def __init__(self, index, delta, finish_reason=None, usage=None):
        self.index = index
        self.delta = delta
        self.finish_reason = finish_reason
        self.logprobs = None
        self.usage = usage


class ChatCompletionChunk(_Object):
    __slots__ = ("id", "object", "created", "model", "choices", "usage")

    def __init__(self, id, created, model, choices, usage=None):
        self.id = id
        self.object = "chat.completion.chunk"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage


class StreamEvent(_Object):
    """One libkimi stream event: type is "role", "reasoning", "content",
    "tool_call_start", "tool_call_delta", "tool_call_done", "usage",
    "finish" or "done"."""

    __slots__ = ("type", "text", "choice_index", "tool_call_index", "tool_call_id", "tool_call_name",
                 "finish_reason", "usage")

    def __init__(self, type, text="", choice_index=-1, tool_call_index=-1, tool_call_id=None, tool_call_name=None,
                 finish_reason=None, usage=None):
        self.type = type
        self.text = text
        self.choice_index = choice_index
        self.tool_call_index = tool_call_index
        self.tool_call_id = tool_call_id
        self.tool_call_name = tool_call_name
        self.finish_reason = finish_reason
        self.usage = usage


# --- files, models, balance ---------------------------------------------------------

class FileObject(_Object):
    __slots__ = ("id", "object", "bytes", "created_at", "filename", "purpose", "status", "status_details")

    def __init__(self, id, bytes, created_at, filename, purpose, status, status_details):
        self.id = id
        self.object = "file"
        self.bytes = bytes
        self.created_at = created_at
        self.filename = filename
        self.purpose = purpose
        self.status = status
        self.status_details = status_details


class FileDeleted(_Object):
    __slots__ = ("id", "object", "deleted")

    def __init__(self, id, deleted=True):
        self.id = id
        self.object = "file"
        self.deleted = deleted


class FileContent(_Object):
    """A file's extracted text (`text`) and its bytes (`content`)."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    @property
    def content(self) -> bytes:
        return self.text.encode("utf-8")


class Model(_Object):
    __slots__ = ("id", "object", "context_length", "supports_image_in", "supports_video_in", "supports_reasoning")

    def __init__(self, id, context_length, supports_image_in, supports_video_in, supports_reasoning):
        self.id = id
        self.object = "model"
        self.context_length = context_length
        self.supports_image_in = supports_image_in
        self.supports_video_in = supports_video_in
        self.supports_reasoning = supports_reasoning


class Page(_Object):
    """A list result (`data`), iterable like openai-python's pages."""

    __slots__ = ("object", "data")

    def __init__(self, data: List[Any]):
        self.object = "list"
        self.data = data

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return self.data[i]


class Balance(_Object):
    """Account balance: USD on api.moonshot.ai, CNY on api.moonshot.cn."""

    __slots__ = ("available_balance", "voucher_balance", "cash_balance")

    def __init__(self, available_balance, voucher_balance, cash_balance):
        self.available_balance = available_balance
        self.voucher_balance = voucher_balance
        self.cash_balance = cash_balance


class UsageTotals(_Object):
    """A client's running totals (Client.usage)."""

    __slots__ = ("prompt_tokens", "cached_tokens", "completion_tokens", "responses", "cost_usd")

    def __init__(self, prompt_tokens, cached_tokens, completion_tokens, responses, cost_usd):
        self.prompt_tokens = prompt_tokens
        self.cached_tokens = cached_tokens
        self.completion_tokens = completion_tokens
        self.responses = responses
        self.cost_usd = cost_usd
