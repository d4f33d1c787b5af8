"""openai-python's chat type names (openai.types.chat): the result classes
libkimi returns, and the shapes of request parameters as TypedDicts
(libkimi.types.chat.params, imported on first use: typing costs start-up)."""

from .chat_completion import (ChatCompletion, ChatCompletionMessage, ChatCompletionMessageToolCall, Choice, Function,
                              ParsedChatCompletion, ParsedChatCompletionMessage, ParsedChoice)
from .chat_completion_chunk import (ChatCompletionChunk, ChoiceDelta, ChoiceDeltaToolCall, ChoiceDeltaToolCallFunction,
                                    ChunkChoice)

_PARAMS = frozenset(['ChatCompletionAssistantMessageParam', 'ChatCompletionContentPartImageParam', 'ChatCompletionContentPartParam', 'ChatCompletionContentPartTextParam', 'ChatCompletionMessageParam', 'ChatCompletionMessageToolCallParam', 'ChatCompletionRole', 'ChatCompletionStreamOptionsParam', 'ChatCompletionSystemMessageParam', 'ChatCompletionToolChoiceOptionParam', 'ChatCompletionToolMessageParam', 'ChatCompletionToolParam', 'ChatCompletionUserMessageParam', 'Completion', 'FunctionDefinition'])


def __getattr__(name):
    """The request parameter shapes, and Stream and AsyncStream (the
    clients' own classes; asyncio only when asked for), on first use."""
    if name in _PARAMS:
        from . import params
        return getattr(params, name)
    if name == "Stream":
        from ..._streaming import Stream
        return Stream
    if name == "AsyncStream":
        from ..._async import AsyncStream
        return AsyncStream
    raise AttributeError(f"module 'libkimi.types.chat' has no attribute {name!r}")


__all__ = ["ChatCompletion", "ChatCompletionMessage", "ChatCompletionMessageToolCall", "Choice", "Function",
           "ParsedChatCompletion", "ParsedChatCompletionMessage", "ParsedChoice", "ChatCompletionChunk", "ChoiceDelta",
           "ChoiceDeltaToolCall", "ChoiceDeltaToolCallFunction", "ChunkChoice", "Stream", "AsyncStream"] + sorted(_PARAMS)
