"""libkimi: a fast client for Moonshot's Kimi K2.6 API, over the libkimi C
library (ctypes; no compiled extension, no dependencies).

Shaped like openai-python, so switching is a one-line change:

    import libkimi
    client = libkimi.Client()            # MOONSHOT_API_KEY, KIMI_BASE_URL
    reply = client.chat.completions.create(model="kimi-k2.6",
                                           messages=[{"role": "user", "content": "Hello"}])
    print(reply.choices[0].message.content)
"""

from . import _lib
from ._batch_input import BatchInput
from ._client import Client
from ._conversation import Conversation
from ._errors import (APIConnectionError, APIError, APIResponseValidationError, APIStatusError, APITimeoutError,
                      AuthenticationError, BadRequestError, ConflictError, ContentFilterFinishReasonError,
                      IncompleteStreamError, InternalServerError, KimiError, LengthFinishReasonError, NotFoundError,
                      OpenAIError, PermissionDeniedError, QuotaExceededError, RateLimitError, RequestRefusedError,
                      StepLimitError, StreamAborted, ToolError, UnprocessableEntityError)
from ._media import MediaPart, image_from_bytes, image_from_path, video_from_bytes, video_from_path
from ._options import NOT_GIVEN, NotGiven, Omit, omit
from ._raw import Headers, RawResponse, Response
from ._streaming import Stream
from .types import (Balance, Batch, BatchRequestCounts, BatchResult, CompletionUsage, FileObject, Model, StreamEvent,
                    UsageTotals)
from .types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessage, ParsedChatCompletion

__version__ = "0.3.0"

#: So `from libkimi import OpenAI` (and AsyncOpenAI) work in scripts written
#: for openai-python.
OpenAI = Client

_ASYNC = frozenset({"AsyncClient", "AsyncOpenAI", "AsyncConversation", "AsyncStream"})

TYPE_CHECKING = False
if TYPE_CHECKING:  # what a checker sees; at run time __getattr__ imports them when first asked for
    from ._async import AsyncClient, AsyncConversation, AsyncStream
    AsyncOpenAI = AsyncClient
else:
    def __getattr__(name):
        """The async client is imported on first use: asyncio costs a sync
        program ~60 ms of start-up it never needs."""
        if name in _ASYNC:
            from . import _async
            value = _async.AsyncClient if name == "AsyncOpenAI" else getattr(_async, name)
            globals()[name] = value
            return value
        raise AttributeError(f"module 'libkimi' has no attribute {name!r}")

#: The loaded library's path and version.
library_path = _lib.path
library_version = _lib.functions.kimi_version().decode()

__all__ = [
    "Client", "OpenAI", "AsyncClient", "AsyncOpenAI", "AsyncStream", "AsyncConversation", "Conversation", "Stream", "MediaPart", "image_from_path", "image_from_bytes",
    "video_from_path", "video_from_bytes", "ChatCompletion", "ChatCompletionChunk", "ChatCompletionMessage",
    "CompletionUsage", "StreamEvent", "FileObject", "Model", "Balance", "Batch", "BatchInput", "BatchRequestCounts",
    "BatchResult", "UsageTotals", "OpenAIError", "KimiError", "RequestRefusedError", "LengthFinishReasonError",
    "ContentFilterFinishReasonError", "APIError", "APIStatusError",
    "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "QuotaExceededError", "InternalServerError",
    "APIConnectionError", "APITimeoutError", "APIResponseValidationError", "IncompleteStreamError",
    "StreamAborted", "StepLimitError", "ToolError", "library_path", "library_version", "__version__",
    "NOT_GIVEN", "NotGiven", "Omit", "omit", "Headers", "Response", "RawResponse", "ParsedChatCompletion",
]
