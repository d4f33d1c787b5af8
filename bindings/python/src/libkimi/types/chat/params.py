"""The shapes of chat request parameters as TypedDicts (plain dicts at run
time, as in openai-python), with openai-python's names, required keys and
Literals, and Kimi's additions (reasoning_content and partial on assistant
messages, video parts, MediaPart objects, builtin_function tools)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Literal, Optional, Union

from typing import TypedDict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing_extensions import Required, TypeAlias

    from ..._media import MediaPart

from .chat_completion import ChatCompletion

ChatCompletionRole = Literal["developer", "system", "user", "assistant", "tool", "function"]


class ChatCompletionContentPartTextParam(TypedDict, total=False):
    text: Required[str]
    type: Required[Literal["text"]]


class ImageURL(TypedDict, total=False):
    url: Required[str]
    detail: Literal["auto", "low", "high", "original"]


class ChatCompletionContentPartImageParam(TypedDict, total=False):
    image_url: Required[ImageURL]
    type: Required[Literal["image_url"]]


class VideoURL(TypedDict, total=False):
    url: Required[str]


class ChatCompletionContentPartVideoParam(TypedDict, total=False):
    """Kimi's video part (a data: URL or an ms:// file id)."""

    video_url: Required[VideoURL]
    type: Required[Literal["video_url"]]


ChatCompletionContentPartParam: TypeAlias = Union[ChatCompletionContentPartTextParam,
                                                  ChatCompletionContentPartImageParam,
                                                  ChatCompletionContentPartVideoParam, "MediaPart"]


class ChatCompletionDeveloperMessageParam(TypedDict, total=False):
    content: Required[Union[str, Iterable[ChatCompletionContentPartTextParam]]]
    role: Required[Literal["developer"]]
    name: str


class ChatCompletionSystemMessageParam(TypedDict, total=False):
    content: Required[Union[str, Iterable[ChatCompletionContentPartTextParam]]]
    role: Required[Literal["system"]]
    name: str


class ChatCompletionUserMessageParam(TypedDict, total=False):
    content: Required[Union[str, Iterable[ChatCompletionContentPartParam]]]
    role: Required[Literal["user"]]
    name: str


class Function(TypedDict, total=False):
    arguments: Required[str]
    name: Required[str]


class ChatCompletionMessageFunctionToolCallParam(TypedDict, total=False):
    id: Required[str]
    function: Required[Function]
    type: Required[Literal["function"]]


ChatCompletionMessageToolCallParam: TypeAlias = ChatCompletionMessageFunctionToolCallParam


class ChatCompletionAssistantMessageParam(TypedDict, total=False):
    role: Required[Literal["assistant"]]
    content: Union[str, Iterable[ChatCompletionContentPartTextParam], None]
    reasoning_content: Optional[str]  # Kimi: the turn's reasoning, sent back with its tool calls
    partial: bool  # Kimi's Partial Mode: the answer continues this content
    name: str
    refusal: Optional[str]
    tool_calls: Iterable[ChatCompletionMessageToolCallParam]


class ChatCompletionToolMessageParam(TypedDict, total=False):
    content: Required[Union[str, Iterable[ChatCompletionContentPartTextParam]]]
    role: Required[Literal["tool"]]
    tool_call_id: Required[str]
    name: str  # Kimi: the tool's name


class ChatCompletionFunctionMessageParam(TypedDict, total=False):
    content: Required[Optional[str]]
    name: Required[str]
    role: Required[Literal["function"]]


ChatCompletionMessageParam: TypeAlias = Union[ChatCompletionDeveloperMessageParam, ChatCompletionSystemMessageParam,
                                              ChatCompletionUserMessageParam, ChatCompletionAssistantMessageParam,
                                              ChatCompletionToolMessageParam, ChatCompletionFunctionMessageParam]

FunctionParameters: TypeAlias = Dict[str, object]


class FunctionDefinition(TypedDict, total=False):
    name: Required[str]
    description: str
    parameters: FunctionParameters
    strict: Optional[bool]


class ChatCompletionFunctionToolParam(TypedDict, total=False):
    function: Required[FunctionDefinition]
    type: Required[Literal["function"]]


ChatCompletionToolParam: TypeAlias = ChatCompletionFunctionToolParam


class BuiltinFunctionDefinition(TypedDict, total=False):
    name: Required[str]  # "$web_search"


class ChatCompletionBuiltinToolParam(TypedDict, total=False):
    """Kimi's built-in tools: {"type": "builtin_function", "function": {"name": "$web_search"}}."""

    function: Required[BuiltinFunctionDefinition]
    type: Required[Literal["builtin_function"]]


ChatCompletionToolUnionParam: TypeAlias = Union[ChatCompletionFunctionToolParam, ChatCompletionBuiltinToolParam]


class ChatCompletionNamedToolChoiceFunction(TypedDict, total=False):
    name: Required[str]


class ChatCompletionNamedToolChoiceParam(TypedDict, total=False):
    function: Required[ChatCompletionNamedToolChoiceFunction]
    type: Required[Literal["function"]]


ChatCompletionToolChoiceOptionParam: TypeAlias = Union[Literal["none", "auto", "required"],
                                                       ChatCompletionNamedToolChoiceParam]


class ChatCompletionStreamOptionsParam(TypedDict, total=False):
    include_obfuscation: bool
    include_usage: bool


class ResponseFormatText(TypedDict, total=False):
    type: Required[Literal["text"]]


class ResponseFormatJSONObject(TypedDict, total=False):
    type: Required[Literal["json_object"]]


class JSONSchema(TypedDict, total=False):
    name: Required[str]
    description: str
    schema: Dict[str, object]
    strict: Optional[bool]


class ResponseFormatJSONSchema(TypedDict, total=False):
    json_schema: Required[JSONSchema]
    type: Required[Literal["json_schema"]]


ResponseFormat: TypeAlias = Union[ResponseFormatText, ResponseFormatJSONSchema, ResponseFormatJSONObject]


class ThinkingParam(TypedDict, total=False):
    """Kimi's thinking switch: {"type": "disabled"} answers without reasoning."""

    type: Required[Literal["enabled", "disabled"]]
    keep: Literal["all"]  # K2.6: keep every turn's reasoning in the context


ReasoningEffort: TypeAlias = Optional[Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]]
Metadata: TypeAlias = Dict[str, str]
Headers: TypeAlias = Dict[str, Any]
Query: TypeAlias = Dict[str, object]
Body: TypeAlias = object
ChatModel: TypeAlias = str
StopParam: TypeAlias = Union[str, List[str], None]

Completion = ChatCompletion
