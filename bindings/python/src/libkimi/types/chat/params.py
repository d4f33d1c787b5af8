"""The shapes of chat request parameters as TypedDicts (plain dicts at run
time, as in openai-python), for annotations."""

from typing import Any, Dict, Iterable, Literal, Optional, Union

try:
    from typing import TypedDict
except ImportError:  # Python < 3.8 has no TypedDict; libkimi needs 3.8
    TypedDict = dict

from .chat_completion import ChatCompletion

ChatCompletionRole = Literal["system", "user", "assistant", "tool"]


class ChatCompletionContentPartTextParam(TypedDict, total=False):
    type: Literal["text"]
    text: str


class ChatCompletionContentPartImageParam(TypedDict, total=False):
    type: Literal["image_url"]
    image_url: Union[str, Dict[str, str]]


ChatCompletionContentPartParam = Union[ChatCompletionContentPartTextParam, ChatCompletionContentPartImageParam,
                                       Dict[str, Any]]


class ChatCompletionSystemMessageParam(TypedDict, total=False):
    role: Literal["system"]
    content: Union[str, Iterable[ChatCompletionContentPartTextParam]]
    name: str


class ChatCompletionUserMessageParam(TypedDict, total=False):
    role: Literal["user"]
    content: Union[str, Iterable[ChatCompletionContentPartParam]]
    name: str


class ChatCompletionAssistantMessageParam(TypedDict, total=False):
    role: Literal["assistant"]
    content: Optional[str]
    reasoning_content: str  # Kimi: send the turn's reasoning back
    tool_calls: Iterable[Dict[str, Any]]
    partial: bool  # Kimi's Partial Mode
    name: str


class ChatCompletionToolMessageParam(TypedDict, total=False):
    role: Literal["tool"]
    content: str
    tool_call_id: str
    name: str


ChatCompletionMessageParam = Union[ChatCompletionSystemMessageParam, ChatCompletionUserMessageParam,
                                   ChatCompletionAssistantMessageParam, ChatCompletionToolMessageParam]


class FunctionDefinition(TypedDict, total=False):
    name: str
    description: str
    parameters: Dict[str, Any]
    strict: bool


class ChatCompletionToolParam(TypedDict, total=False):
    type: Literal["function", "builtin_function"]
    function: FunctionDefinition


ChatCompletionToolChoiceOptionParam = Union[Literal["none", "auto", "required"], Dict[str, Any]]
ChatCompletionStreamOptionsParam = Dict[str, bool]
ChatCompletionMessageToolCallParam = Dict[str, Any]
Completion = ChatCompletion
