"""client.chat.completions (openai-python's): create, streamed or not,
with_raw_response, parse, and Kimi's fit_max_completion_tokens."""

from __future__ import annotations

from .. import _lib
from .._errors import ContentFilterFinishReasonError, LengthFinishReasonError
from .._tasks import NO_CALLBACK
from .._options import NOT_GIVEN, given
from .._requests import build
from .._results import task_count
from ..types.chat.chat_completion import ParsedChatCompletion
from ._resource import Resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, Literal, Optional, Union, overload

    from typing_extensions import TypeVar, Unpack

    from .._async import AsyncStream
    from .._chat_stream import AsyncChatCompletionStreamManager, ChatCompletionStreamManager
    from .._options import NotGiven, Omit
    from .._raw import RawResponse
    from .._streaming import Stream
    from ..types.chat.chat_completion import ChatCompletion
    from ..types.chat.chat_completion_chunk import ChatCompletionChunk
    from ..types.chat.completion_create_params import CompletionCreateFields, CompletionParseFields
    from ..types.chat.params import ChatCompletionMessageParam, ResponseFormat

    Messages = Iterable[ChatCompletionMessageParam]
    ResponseFormatT = TypeVar("ResponseFormatT")
    #: stream()'s: None when no type is given, as openai-python's ResponseFormatT defaults to.
    StreamFormatT = TypeVar("StreamFormatT", default=None)

L = _lib.functions


class Chat(Resource):
    __slots__ = ("completions",)
    completions: Completions

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.completions = Completions(client)


class Completions(Resource):
    __slots__ = ()

    if TYPE_CHECKING:  # what a checker sees: the result's type follows `stream`, as in openai-python
        @overload
        def create(self, *, messages: Messages, model: str = ..., stream: Optional[Literal[False]] | Omit = ...,
                   **fields: Unpack[CompletionCreateFields]) -> ChatCompletion: ...
        @overload
        def create(self, *, messages: Messages, model: str = ..., stream: Literal[True],
                   **fields: Unpack[CompletionCreateFields]) -> Stream[ChatCompletionChunk]: ...
        @overload
        def create(self, *, messages: Messages, model: str = ..., stream: bool,
                   **fields: Unpack[CompletionCreateFields]) -> Union[ChatCompletion, Stream[ChatCompletionChunk]]: ...

    def create(self, *, messages: Any = NOT_GIVEN, model: Any = "kimi-k2.6", stream: Any = False,
               **fields: Any) -> Any:
        """Like openai-python's chat.completions.create, with Kimi's fields
        (thinking, prompt_cache_key, ...) accepted directly and the
        per-request options (timeout, max_retries, extra_headers,
        extra_query, extra_body). Returns a ChatCompletion, or a Stream when
        stream=True (the async client: awaited, an AsyncStream, returned
        once the answer started, so a refused request raises here)."""
        return self._client._run(self._create(messages, model, stream, fields, False))

    @property
    def with_raw_response(self) -> _RawCompletions:
        """`.create(...)` returning the raw answer: `.headers`,
        `.status_code`, `.request_id`, `.elapsed`, `.retries_taken`, and
        `.parse()` for the ChatCompletion (or the stream)."""
        return _RawCompletions(self)

    def parse(self, *, messages: Messages, model: str = "kimi-k2.6", response_format: type[ResponseFormatT],
              **fields: Unpack[CompletionParseFields]) -> ParsedChatCompletion[ResponseFormatT]:
        """create() with structured output read back: `response_format` is a
        dataclass, TypedDict or pydantic model (its schema is sent as a
        strict json_schema format and checked against Kimi's MFJS subset
        first), and each choice's `message.parsed` is the answer as that
        type (a pydantic model when pydantic is installed and the format is
        one, else the dataclass or dict)."""
        from .._schema import is_structured
        if not is_structured(response_format):
            raise TypeError("parse() needs response_format=<a dataclass, TypedDict or pydantic model>")
        if given(fields.get("stream")):
            raise TypeError("parse() does not stream; use create(stream=True)")
        return self._client._run(self._parse(messages, model, response_format, dict(fields)))

    async def _parse(self, messages: Any, model: Any, response_format: type[ResponseFormatT],
                     fields: dict[str, Any]) -> ParsedChatCompletion[ResponseFormatT]:
        completion = await self._create(messages, model, False, dict(fields, response_format=response_format), False,
                                        ParsedChatCompletion)
        return parsed(completion, response_format)

    def stream(self, *, messages: Messages, model: str = "kimi-k2.6",
               response_format: Union[type[StreamFormatT], ResponseFormat, NotGiven] = NOT_GIVEN,
               **fields: Unpack[CompletionParseFields]) -> ChatCompletionStreamManager[StreamFormatT]:
        """openai-python's streaming helper: `with
        client.chat.completions.stream(...) as stream:` (`async with` on the
        async client) sends the request and gives a stream whose iteration
        yields events: "chunk", "content.delta", "content.done",
        "tool_calls.function.arguments.delta" / ".done", and Kimi's
        "reasoning_content.delta" / ".done". `stream.get_final_completion()`
        is the whole ParsedChatCompletion (`message.parsed` read as
        `response_format` when it is a dataclass, TypedDict or pydantic
        model). Takes create()'s arguments."""
        arguments: dict[str, Any] = dict(fields)
        if given(arguments.pop("stream", NOT_GIVEN)):
            raise TypeError("stream() always streams; it takes no stream argument")
        if given(response_format):
            arguments["response_format"] = response_format

        def open_stream() -> Any:
            return self._client._run(self._create(messages, model, True, arguments, False, ParsedChatCompletion))
        manager: ChatCompletionStreamManager[StreamFormatT] = self._client._stream_manager(
            open_stream, response_format if given(response_format) else None)
        return manager

    def fit_max_completion_tokens(self, *, messages: Messages, model: str = "kimi-k2.6",
                                  **fields: Unpack[CompletionCreateFields]) -> int:
        """The max_completion_tokens that fits what the model's context
        window (262,144 tokens for K2.6) leaves after these messages, never
        more than a max_completion_tokens (or max_tokens) given here: pass
        it to create(). One token-estimate request; takes create()'s
        arguments. Raises RequestRefusedError (nothing sent to the chat
        endpoint) when the prompt alone fills the window or the model's
        window is not known."""
        return self._client._run(self._fit(messages, model, dict(fields)))

    async def _fit(self, messages: Any, model: Any, fields: dict[str, Any]) -> int:
        request, _ = build(model, messages, fields, "fit_max_completion_tokens")
        try:
            def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
                status: int = L.kimi_chat_fit_max_completion_tokens_start(client, request, queue, NO_CALLBACK,
                                                                          user_data, out)
                return status
            return await self._client._value(start, None, task_count)
        finally:
            L.kimi_chat_request_free(request)

    async def _create(self, messages: Any, model: Any, stream: Any, fields: dict[str, Any], raw: bool,
                      cls: Any = None) -> Any:
        request, _ = build(model, messages, fields)
        try:
            return await self._client._chat(request, bool(stream) and given(stream), raw, cls)
        finally:
            L.kimi_chat_request_free(request)


def refuse_unfinished(finish_reason: Optional[str], completion: Any) -> None:
    """As openai-python: an answer cut by the length limit or the content
    filter cannot be read as a format."""
    if finish_reason == "length":
        raise LengthFinishReasonError(completion=completion)
    if finish_reason == "content_filter":
        raise ContentFilterFinishReasonError()


def parsed(completion: ParsedChatCompletion[ResponseFormatT],
           response_format: Optional[type[ResponseFormatT]]) -> ParsedChatCompletion[ResponseFormatT]:
    """parse()'s answer: each choice's `message.parsed` read as
    `response_format` (a type; None leaves it None)."""
    from .._schema import is_structured, parse_content
    for choice in completion.choices:
        refuse_unfinished(choice.finish_reason, completion)
        message = choice.message
        if message is not None and message.content and not message.refusal and is_structured(response_format):
            message.parsed = parse_content(response_format, message.content)
    return completion


class Beta(Resource):
    """client.beta: openai-python's older home of parse() and stream(),
    kept as a name for the same chat resource (client.beta.chat.completions
    is client.chat.completions)."""

    __slots__ = ("chat",)
    chat: Chat

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.chat = client.chat


class _RawCompletions:
    __slots__ = ("_completions",)

    def __init__(self, completions: Completions) -> None:
        self._completions = completions

    if TYPE_CHECKING:
        @overload
        def create(self, *, messages: Messages, model: str = ..., stream: Optional[Literal[False]] | Omit = ...,
                   **fields: Unpack[CompletionCreateFields]) -> RawResponse[ChatCompletion]: ...
        @overload
        def create(self, *, messages: Messages, model: str = ..., stream: Literal[True],
                   **fields: Unpack[CompletionCreateFields]) -> RawResponse[Stream[ChatCompletionChunk]]: ...
        @overload
        def create(self, *, messages: Messages, model: str = ..., stream: bool,
                   **fields: Unpack[CompletionCreateFields]
                   ) -> RawResponse[Union[ChatCompletion, Stream[ChatCompletionChunk]]]: ...

    def create(self, *, messages: Any = NOT_GIVEN, model: Any = "kimi-k2.6", stream: Any = False,
               **fields: Any) -> Any:
        completions = self._completions
        return completions._client._run(completions._create(messages, model, stream, fields, True))


if TYPE_CHECKING:
    class AsyncChat(Resource):
        """client.chat of the AsyncClient (the same class at run time: only
        the result types differ, awaited)."""

        completions: AsyncCompletions

    class AsyncCompletions(Resource):
        @overload
        async def create(self, *, messages: Messages, model: str = ...,
                         stream: Optional[Literal[False]] | Omit = ...,
                         **fields: Unpack[CompletionCreateFields]) -> ChatCompletion: ...
        @overload
        async def create(self, *, messages: Messages, model: str = ..., stream: Literal[True],
                         **fields: Unpack[CompletionCreateFields]) -> AsyncStream[ChatCompletionChunk]: ...
        @overload
        async def create(self, *, messages: Messages, model: str = ..., stream: bool,
                         **fields: Unpack[CompletionCreateFields]
                         ) -> Union[ChatCompletion, AsyncStream[ChatCompletionChunk]]: ...
        async def create(self, **arguments: Any) -> Any: ...

        @property
        def with_raw_response(self) -> _AsyncRawCompletions: ...

        async def parse(self, *, messages: Messages, model: str = "kimi-k2.6", response_format: type[ResponseFormatT],
                        **fields: Unpack[CompletionParseFields]) -> ParsedChatCompletion[ResponseFormatT]: ...

        async def fit_max_completion_tokens(self, *, messages: Messages, model: str = "kimi-k2.6",
                                            **fields: Unpack[CompletionCreateFields]) -> int: ...

        def stream(self, *, messages: Messages, model: str = "kimi-k2.6",
                   response_format: Union[type[StreamFormatT], ResponseFormat, NotGiven] = NOT_GIVEN,
                   **fields: Unpack[CompletionParseFields]) -> AsyncChatCompletionStreamManager[StreamFormatT]: ...

    class AsyncBeta(Resource):
        chat: AsyncChat

    class _AsyncRawCompletions:
        @overload
        async def create(self, *, messages: Messages, model: str = ...,
                         stream: Optional[Literal[False]] | Omit = ...,
                         **fields: Unpack[CompletionCreateFields]) -> RawResponse[ChatCompletion]: ...
        @overload
        async def create(self, *, messages: Messages, model: str = ..., stream: Literal[True],
                         **fields: Unpack[CompletionCreateFields]) -> RawResponse[AsyncStream[ChatCompletionChunk]]: ...
        @overload
        async def create(self, *, messages: Messages, model: str = ..., stream: bool,
                         **fields: Unpack[CompletionCreateFields]
                         ) -> RawResponse[Union[ChatCompletion, AsyncStream[ChatCompletionChunk]]]: ...
        async def create(self, **arguments: Any) -> Any: ...
else:
    AsyncChat, AsyncCompletions = Chat, Completions
