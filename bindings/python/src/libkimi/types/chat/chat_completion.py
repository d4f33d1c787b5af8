"""A chat completion (openai.types.chat.ChatCompletion) and its parts."""

from .._base import _Object
from ..completion_usage import CompletionUsage


class Function(_Object):
    __slots__ = _fields = ("arguments", "name")

    def __init__(self, name, arguments):
        self.name = name
        self.arguments = arguments


class ChatCompletionMessageToolCall(_Object):
    __slots__ = _fields = ("id", "function", "type")
    _nested = {"function": Function}

    def __init__(self, id, type, function):
        self.id = id
        self.type = type
        self.function = function


class ChatCompletionMessage(_Object):
    """The assistant's message. `reasoning_content` is Kimi's thinking."""

    _fields = ("content", "refusal", "role", "annotations", "audio", "function_call", "tool_calls")
    _kimi = ("reasoning_content",)
    __slots__ = _fields + _kimi
    _nested = {"tool_calls": [ChatCompletionMessageToolCall]}

    def __init__(self, role, content, reasoning_content=None, tool_calls=None):
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

    def __init__(self, index, message, finish_reason, usage=None):
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

    def __init__(self, id, created, model, choices, usage, full_content=None, cost_usd=None):
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

    def _after_json(self):
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

    @classmethod
    def from_dict(cls, body: dict, full_content=None):
        completion = cls.from_json(body)
        if full_content is None and completion.choices:
            message = completion.choices[0].message
            full_content = message.content if message is not None else None
        completion.full_content = full_content
        return completion


class ParsedChatCompletionMessage(ChatCompletionMessage):
    """The message of chat.completions.parse(): `parsed` is the answer read
    as the response_format type."""

    _fields = ChatCompletionMessage._fields + ("parsed",)
    __slots__ = ("parsed",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed = None


class ParsedChoice(Choice):
    __slots__ = ()
    _nested = dict(Choice._nested, message=ParsedChatCompletionMessage)


class ParsedChatCompletion(ChatCompletion):
    __slots__ = ()
    _nested = dict(ChatCompletion._nested, choices=[ParsedChoice])
