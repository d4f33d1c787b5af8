"""client.chat.completions (openai-python's): create, streamed or not,
with_raw_response, parse, and Kimi's fit_max_completion_tokens."""

from .. import _lib
from .._tasks import NO_CALLBACK
from .._options import NOT_GIVEN, given
from .._requests import build
from .._results import task_count
from ..types.chat.chat_completion import ParsedChatCompletion
from ._resource import Resource

L = _lib.functions


class Chat(Resource):
    __slots__ = ("completions",)

    def __init__(self, client):
        super().__init__(client)
        self.completions = Completions(client)


class Completions(Resource):
    __slots__ = ()

    def create(self, *, messages=NOT_GIVEN, model="kimi-k2.6", stream=False, **fields):
        """Like openai-python's chat.completions.create, with Kimi's fields
        (thinking, prompt_cache_key, ...) accepted directly and the
        per-request options (timeout, max_retries, extra_headers,
        extra_query, extra_body). Returns a ChatCompletion, or a Stream when
        stream=True (the async client: awaited, an AsyncStream, returned
        once the answer started, so a refused request raises here)."""
        return self._client._run(self._create(messages, model, stream, fields, False))

    @property
    def with_raw_response(self):
        """`.create(...)` returning the raw answer: `.headers`,
        `.status_code`, `.request_id`, `.elapsed`, `.retries_taken`, and
        `.parse()` for the ChatCompletion (or the stream)."""
        return _RawCompletions(self)

    def parse(self, *, messages=NOT_GIVEN, model="kimi-k2.6", response_format, **fields):
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
        return self._client._run(self._parse(messages, model, response_format, fields))

    async def _parse(self, messages, model, response_format, fields):
        from .._schema import parse_content
        completion = await self._create(messages, model, False, dict(fields, response_format=response_format), False,
                                        ParsedChatCompletion)
        for choice in completion.choices:
            message = choice.message
            if message is not None and message.content and not message.refusal:
                message.parsed = parse_content(response_format, message.content)
        return completion

    def fit_max_completion_tokens(self, *, messages=NOT_GIVEN, model="kimi-k2.6", **fields):
        """The max_completion_tokens that fits what the model's context
        window (262,144 tokens for K2.6) leaves after these messages, never
        more than a max_completion_tokens (or max_tokens) given here: pass
        it to create(). One token-estimate request; takes create()'s
        arguments. Raises BadRequestError (nothing sent to the chat
        endpoint) when the prompt alone fills the window or the model's
        window is not known."""
        return self._client._run(self._fit(messages, model, fields))

    async def _fit(self, messages, model, fields):
        request, _ = build(model, messages, fields, "fit_max_completion_tokens")
        try:
            def start(client, queue, user_data, out):
                return L.kimi_chat_fit_max_completion_tokens_start(client, request, queue, NO_CALLBACK, user_data, out)
            return await self._client._value(start, None, task_count)
        finally:
            L.kimi_chat_request_free(request)

    async def _create(self, messages, model, stream, fields, raw, cls=None):
        request, _ = build(model, messages, fields)
        try:
            return await self._client._chat(request, bool(stream) and given(stream), raw, cls)
        finally:
            L.kimi_chat_request_free(request)


class _RawCompletions:
    __slots__ = ("_completions",)

    def __init__(self, completions):
        self._completions = completions

    def create(self, *, messages=NOT_GIVEN, model="kimi-k2.6", stream=False, **fields):
        completions = self._completions
        return completions._client._run(completions._create(messages, model, stream, fields, True))
