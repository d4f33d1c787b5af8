"""A chat completion (openai.types.chat.ChatCompletion) and its parts."""

from __future__ import annotations

from ..._typing import Generic, T
from .._base import _Object
from ..completion_usage import CompletionUsage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, List, Literal, Optional, Tuple


class Function(_Object):
    __slots__ = _fields = ("arguments", "name")
    arguments: str
    name: str

    def __init__(self, name: str, arguments: str) -> None:
        self.name = name
        self.arguments = arguments


class ChatCompletionMessageToolCall(_Object):
    __slots__ = _fields = ("id", "function", "type")
    _nested = {"function": Function}
    id: str
    function: Function
    type: Literal["function"]

    def __init__(self, id: str, type: Literal["function"], function: Function) -> None:
        self.id = id
        self.type = type
        self.function = function


class ChatCompletionMessage(_Object):
    """The assistant's message. `reasoning_content` is Kimi's thinking."""

    _fields: ClassVar[Tuple[str, ...]] = ("content", "refusal", "role", "annotations", "audio", "function_call",
                                          "tool_calls")
    _kimi = ("reasoning_content",)
    __slots__ = _fields + _kimi
    _nested = {"tool_calls": [ChatCompletionMessageToolCall]}
    content: Optional[str]
    refusal: Optional[str]
    role: Literal["assistant"]
    annotations: Optional[List[Any]]
    audio: Optional[Any]
    function_call: Optional[Function]
    tool_calls: Optional[List[ChatCompletionMessageToolCall]]
    reasoning_content: Optional[str]

    def __init__(self, role: Literal["assistant"], content: Optional[str], reasoning_content: Optional[str] = None,
                 tool_calls: Optional[List[ChatCompletionMessageToolCall]] = None) -> None:
        self.role = role
        self.content = content
        self.reasoning_content = reasoning_content
        self.tool_calls = tool_calls
        self.refusal = self.annotations = self.audio = self.function_call = None


class Choice(_Object):
    _fields = ("finish_reason", "index", "logprobs", "message")
    _kimi = ("usage",)
    __slots__ = _fields + _kimi
    _nested = {"message": ChatCompletionMessage, "usage": CompletionUsage}
    finish_reason: Literal["stop", "length", "tool_calls", "content_filter", "function_call"]
    index: int
    logprobs: Optional[Any]
    message: ChatCompletionMessage
    usage: Optional[CompletionUsage]  # Kimi: the choice's own usage

    def __init__(self, index: int, message: ChatCompletionMessage, finish_reason: Literal["stop", "length", "tool_calls", "content_filter", "function_call"],
                 usage: Optional[CompletionUsage] = None) -> None:
        self.index = index
        self.message = message
        self.finish_reason = finish_reason
        self.logprobs = None
        self.usage = usage


class ChatCompletion(_Object):
    """A chat completion. `full_content` is Partial Mode's prefix followed by
    the completion (the content when there was no prefix). `cost_usd` is
    what it cost under the client's prices (Client(pricing=...)), its
    `$web_search` calls (`web_search_calls`) included.
    `_request_id` is the server's request id, as in openai-python."""

    _fields = ("id", "choices", "created", "model", "object", "service_tier", "system_fingerprint", "usage")
    _computed = ("full_content", "cost_usd", "web_search_calls", "_request_id")
    __slots__ = _fields + _computed
    _nested = {"choices": [Choice], "usage": CompletionUsage}
    id: str
    choices: List[Choice]
    created: int
    model: str
    object: Literal["chat.completion"]
    service_tier: Optional[Literal["auto", "default", "flex", "scale", "priority"]]
    system_fingerprint: Optional[str]
    usage: Optional[CompletionUsage]
    full_content: Optional[str]
    cost_usd: Optional[float]
    web_search_calls: Optional[int]
    _request_id: Optional[str]

    def __init__(self, id: str, created: int, model: str, choices: List[Choice], usage: Optional[CompletionUsage],
                 full_content: Optional[str] = None, cost_usd: Optional[float] = None) -> None:
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.service_tier = self.system_fingerprint = None
        self.full_content = full_content
        self.cost_usd = cost_usd
        self.web_search_calls = None
        self._request_id = None

    def _after_json(self) -> None:
        self.choices = self.choices or []
        for position, choice in enumerate(self.choices):
            if isinstance(choice, Choice) and choice.index is None:
                choice.index = position
        if self.usage is None and self.choices and isinstance(self.choices[0], Choice):
            self.usage = self.choices[0].usage
        self.full_content = None
        self.cost_usd = None
        self.web_search_calls = None
        self._request_id = None


class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[T]):
    """The message of chat.completions.parse(): `parsed` is the answer read
    as the response_format type (openai-python's generic
    ParsedChatCompletionMessage[ContentType])."""

    _fields = ChatCompletionMessage._fields + ("parsed",)
    __slots__ = ("parsed",)
    parsed: Optional[T]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed = None


class ParsedChoice(Choice, Generic[T]):
    __slots__ = ()
    message: ParsedChatCompletionMessage[T]  # pyright: ignore[reportIncompatibleVariableOverride]  # narrowed, as openai's
    _nested = dict(Choice._nested, message=ParsedChatCompletionMessage)


class ParsedChatCompletion(ChatCompletion, Generic[T]):
    __slots__ = ()
    choices: List[ParsedChoice[T]]  # type: ignore[assignment]  # pyright: ignore[reportIncompatibleVariableOverride]  # narrowed, as openai's
    _nested = dict(ChatCompletion._nested, choices=[ParsedChoice])
