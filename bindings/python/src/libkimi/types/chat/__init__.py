"""openai-python's chat type names (openai.types.chat): the result classes
libkimi returns, and the shapes of request parameters as TypedDicts
(libkimi.types.chat.params, imported on first use: typing costs start-up)."""

from .chat_completion import (ChatCompletion, ChatCompletionMessage, ChatCompletionMessageToolCall, Choice, Function,
                              ParsedChatCompletion, ParsedChatCompletionMessage, ParsedChoice)
from .chat_completion_chunk import (ChatCompletionChunk, ChoiceDelta, ChoiceDeltaToolCall, ChoiceDeltaToolCallFunction,
                                    ChunkChoice)

TYPE_CHECKING = False
if TYPE_CHECKING:
    # What a checker sees; at run time __getattr__ imports them when asked for.
    from ..._async import AsyncStream as AsyncStream
    from ..._streaming import Stream as Stream
    from .chat_completion_stream_event import (ChunkEvent, ContentDeltaEvent, ContentDoneEvent,
                                               FunctionToolCallArgumentsDeltaEvent,
                                               FunctionToolCallArgumentsDoneEvent, ReasoningDeltaEvent,
                                               ReasoningDoneEvent)
    from .params import (ChatCompletionAssistantMessageParam, ChatCompletionBuiltinToolParam,
                         ChatCompletionContentPartImageParam, ChatCompletionContentPartParam,
                         ChatCompletionContentPartTextParam, ChatCompletionContentPartVideoParam,
                         ChatCompletionDeveloperMessageParam, ChatCompletionFunctionMessageParam,
                         ChatCompletionFunctionToolParam, ChatCompletionMessageFunctionToolCallParam,
                         ChatCompletionMessageParam, ChatCompletionMessageToolCallParam,
                         ChatCompletionNamedToolChoiceParam, ChatCompletionRole, ChatCompletionStreamOptionsParam,
                         ChatCompletionSystemMessageParam, ChatCompletionToolChoiceOptionParam,
                         ChatCompletionToolMessageParam, ChatCompletionToolParam, ChatCompletionToolUnionParam,
                         ChatCompletionUserMessageParam, Completion, FunctionDefinition, ThinkingParam)

_PARAMS = frozenset([
    "ChatCompletionAssistantMessageParam", "ChatCompletionBuiltinToolParam", "ChatCompletionContentPartImageParam",
    "ChatCompletionContentPartParam", "ChatCompletionContentPartTextParam", "ChatCompletionContentPartVideoParam",
    "ChatCompletionDeveloperMessageParam", "ChatCompletionFunctionMessageParam", "ChatCompletionFunctionToolParam",
    "ChatCompletionMessageFunctionToolCallParam", "ChatCompletionMessageParam", "ChatCompletionMessageToolCallParam",
    "ChatCompletionNamedToolChoiceParam", "ChatCompletionRole", "ChatCompletionStreamOptionsParam",
    "ChatCompletionSystemMessageParam", "ChatCompletionToolChoiceOptionParam", "ChatCompletionToolMessageParam",
    "ChatCompletionToolParam", "ChatCompletionToolUnionParam", "ChatCompletionUserMessageParam", "Completion",
    "FunctionDefinition", "ThinkingParam"])

#: The events of client.chat.completions.stream(...) (openai.lib.streaming.chat's names).
_STREAM_EVENTS = frozenset(["ChunkEvent", "ContentDeltaEvent", "ContentDoneEvent", "ReasoningDeltaEvent",
                            "ReasoningDoneEvent", "FunctionToolCallArgumentsDeltaEvent",
                            "FunctionToolCallArgumentsDoneEvent"])

if not TYPE_CHECKING:
    def __getattr__(name):
        """The request parameter shapes, and Stream and AsyncStream (the
        clients' own classes; asyncio only when asked for), on first use."""
        if name in _PARAMS:
            from . import params
            return getattr(params, name)
        if name in _STREAM_EVENTS:
            from . import chat_completion_stream_event
            return getattr(chat_completion_stream_event, name)
        if name == "Stream":
            from ..._streaming import Stream
            return Stream
        if name == "AsyncStream":
            from ..._async import AsyncStream
            return AsyncStream
        raise AttributeError(f"module 'libkimi.types.chat' has no attribute {name!r}")


__all__ = ["ChatCompletion", "ChatCompletionMessage", "ChatCompletionMessageToolCall", "Choice", "Function",
           "ParsedChatCompletion", "ParsedChatCompletionMessage", "ParsedChoice", "ChatCompletionChunk",
           "ChoiceDelta", "ChoiceDeltaToolCall", "ChoiceDeltaToolCallFunction", "ChunkChoice", "Stream",
           "AsyncStream", "ChatCompletionAssistantMessageParam", "ChatCompletionBuiltinToolParam",
           "ChatCompletionContentPartImageParam", "ChatCompletionContentPartParam",
           "ChatCompletionContentPartTextParam", "ChatCompletionContentPartVideoParam",
           "ChatCompletionDeveloperMessageParam", "ChatCompletionFunctionMessageParam",
           "ChatCompletionFunctionToolParam", "ChatCompletionMessageFunctionToolCallParam",
           "ChatCompletionMessageParam", "ChatCompletionMessageToolCallParam",
           "ChatCompletionNamedToolChoiceParam", "ChatCompletionRole", "ChatCompletionStreamOptionsParam",
           "ChatCompletionSystemMessageParam", "ChatCompletionToolChoiceOptionParam",
           "ChatCompletionToolMessageParam", "ChatCompletionToolParam", "ChatCompletionToolUnionParam",
           "ChatCompletionUserMessageParam", "Completion", "FunctionDefinition", "ThinkingParam", "ChunkEvent",
           "ContentDeltaEvent", "ContentDoneEvent", "ReasoningDeltaEvent", "ReasoningDoneEvent",
           "FunctionToolCallArgumentsDeltaEvent", "FunctionToolCallArgumentsDoneEvent"]
