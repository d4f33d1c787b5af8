"""The clients' shared shape (configuration, copies, usage, the account's
calls and the resources) and the sync Client: its chat calls are blocking
calls on the calling thread, its other calls tasks it waits for there
(libkimi._tasks)."""

from __future__ import annotations

import ctypes
import os

from . import _interrupt, _lib, _logging
from ._errors import OK, OpenAIError, RequestRefusedError, check, last_error
from ._handles import Handle
from ._options import NOT_GIVEN, CallSettings, given, idle_timeout_ms, view
from ._raw import RawResponse
from ._results import take_response
from ._tasks import Blocking, Call, Task, iterate, run
from ._typing import is_object
from .resources import Batches, Beta, Chat, Files, Models, account
from .resources._resource import call_settings
from .types.account import UsageTotals

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any, Callable, Dict, Literal, Mapping, Optional, Tuple, Type, Union

    from typing_extensions import Self

    from ._conversation import Conversation, ConversationSettings, Thinking
    from ._options import NotGiven
    from ._chat_stream import ChatCompletionStreamManager
    from ._tasks import Starter
    from .types.chat.chat_completion import ChatCompletion
    from .types.account import Balance
    from .types.chat.params import ChatCompletionMessageParam
    from .types.chat.completion_create_params import RequestOptions
    from typing import Iterable
    from typing_extensions import Unpack

    Timeout = Union[float, Any, None, NotGiven]  # seconds, an httpx.Timeout (its read), None: no limit

L = _lib.functions


class BaseClient:
    """What both clients are: a configured C client, its copies, usage
    totals, resources and account calls (see Client for the arguments).
    Client and AsyncClient differ only in how a call runs: `_run` and
    `_iterate` (a resource's coroutine run to its end, or handed to the
    caller to await), `_tasks` (where a task's events are waited for) and
    `_chat`."""

    _arguments: Dict[str, Any]
    _base: Handle
    _handle: Handle
    _parent: Optional[BaseClient]
    _log: Any  # the ctypes log callback the C client calls, kept alive
    if TYPE_CHECKING:  # each client's own
        _run: Any
        _iterate: Any
        _paginate: Any
        _iterate_pages: Any
        _stream_manager: Any

        async def _chat(self, request: Any, streamed: bool, raw: bool, cls: Any) -> Any: ...

        def _tasks(self) -> Any: ...

    chat: Any  # each client's own resource types (Client, AsyncClient)
    beta: Any
    files: Any
    models: Any
    batches: Any

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None, timeout: Timeout = NOT_GIVEN,
                 max_retries: int = 2, *, connect_timeout: Optional[float] = None,
                 total_timeout: Optional[float] = None, default_headers: Optional[Mapping[str, str]] = None,
                 default_query: Optional[Mapping[str, object]] = None, kimi_rules: bool = True,
                 auto_upload: bool = False, log: Union[None, str, Callable[[str, str], Any]] = None,
                 log_level: str = "info", ca_file: Union[None, str, os.PathLike[str]] = None,
                 max_connections: Optional[int] = None, coalesce_us: Optional[int] = None,
                 pricing: Union[None, Tuple[float, ...], Mapping[str, float]] = None,
                 max_response_bytes: Optional[int] = None, max_event_bytes: Optional[int] = None,
                 organization: Optional[str] = None, project: Optional[str] = None, http_client: None = None) -> None:
        if http_client is not None:
            raise TypeError("libkimi does its own HTTP (libcurl); it takes no http_client. Use timeout=, "
                            "max_retries=, default_headers=, ca_file= and max_connections= instead")
        self._arguments = dict(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries,
                               connect_timeout=connect_timeout, total_timeout=total_timeout,
                               default_headers=default_headers, default_query=default_query, kimi_rules=kimi_rules,
                               auto_upload=auto_upload, log=log, log_level=log_level, ca_file=ca_file,
                               max_connections=max_connections, coalesce_us=coalesce_us, pricing=pricing,
                               max_response_bytes=max_response_bytes, max_event_bytes=max_event_bytes)
        self._log = None
        options: int = L.kimi_client_options_new()
        if not options:
            raise MemoryError("out of memory for client options")
        try:
            self._configure(options, **self._arguments)
            pointer = ctypes.c_void_p()
            if L.kimi_client_new(options, ctypes.byref(pointer)) != OK:
                raise _construction_error(last_error())
        finally:
            L.kimi_client_options_free(options)
        self._base = Handle(pointer.value, L.kimi_client_free)
        self._handle = self._base
        self._parent = None
        if given(default_query):
            # A client-wide query parameter: every call goes through a view.
            self._handle = Handle(view(self._base.pointer, CallSettings(extra_query=default_query), None),
                                  L.kimi_client_free)
        self._resources()
        self._setup()

    # The arguments as given to __init__ (typed there), kept in _arguments for copies.
    def _configure(self, options: int, *, api_key: Any, base_url: Any, timeout: Any, max_retries: Any,
                   connect_timeout: Any, total_timeout: Any, default_headers: Any, default_query: Any,
                   kimi_rules: Any, auto_upload: Any, log: Any, log_level: Any, ca_file: Any, max_connections: Any,
                   coalesce_us: Any, pricing: Any, max_response_bytes: Any, max_event_bytes: Any) -> None:
        if api_key is not None:
            check(L.kimi_client_options_set_api_key(options, str(api_key).encode()))
        if base_url is not None:
            check(L.kimi_client_options_set_base_url(options, str(base_url).encode()))
        idle = idle_timeout_ms(timeout)
        if idle is not None:
            check(L.kimi_client_options_set_idle_timeout_ms(options, idle))
        for setter, value, what in ((L.kimi_client_options_set_connect_timeout_ms, connect_timeout, "connect_timeout"),
                                    (L.kimi_client_options_set_timeout_ms, total_timeout, "total_timeout")):
            if value is not None:
                check(setter(options, idle_timeout_ms(value, what)))
        if given(max_retries):
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise ValueError(f"max_retries must be an int, 0 or more, not {max_retries!r}")
            check(L.kimi_client_options_set_max_retries(options, max_retries))
        if max_connections is not None:
            if int(max_connections) < 0:
                raise ValueError(f"max_connections must be 0 (no cap) or more, not {max_connections}")
            check(L.kimi_client_options_set_max_connections(options, int(max_connections)))
        if coalesce_us is not None:
            if isinstance(coalesce_us, bool) or not isinstance(coalesce_us, int) or not 0 <= coalesce_us <= 100_000:
                raise ValueError(f"coalesce_us must be an int from 0 to 100000 (100 ms), not {coalesce_us!r}")
            check(L.kimi_client_options_set_coalesce_us(options, coalesce_us))
        for setter, value in ((L.kimi_client_options_set_max_response_bytes, max_response_bytes),
                              (L.kimi_client_options_set_max_event_bytes, max_event_bytes)):
            if value is not None:
                check(setter(options, int(value)))
        if ca_file is not None:
            check(L.kimi_client_options_set_ca_file(options, os.fsencode(ca_file)))
        if pricing is not None:
            if is_object(pricing):
                pricing = (pricing["input"], pricing["cached_input"], pricing["output"]) + (
                    (pricing["web_search"],) if "web_search" in pricing else ())
            prices: Iterable[Any] = pricing
            pricing = tuple(float(p) for p in prices)
            if len(pricing) not in (3, 4):
                raise ValueError("pricing: (input, cached_input, output) or (input, cached_input, output, web_search)")
            check(L.kimi_client_options_set_pricing(options, *pricing[:3]))
            if len(pricing) == 4:
                check(L.kimi_client_options_set_web_search_price(options, pricing[3]))
        headers: Mapping[str, Any] = default_headers or {}
        for name, value in headers.items():
            if given(value):
                check(L.kimi_client_options_add_header(options, str(name).encode(), str(value).encode()))
        check(L.kimi_client_options_set_kimi_rules(options, 1 if kimi_rules else 0))
        check(L.kimi_client_options_set_auto_upload(options, 1 if auto_upload else 0))
        self._log = _logging.configure(options, log, log_level)

    def _setup(self) -> None:
        """The client's own state beside the C client (a copy's too)."""

    # --- openai-python's attributes ---------------------------------------------

    @property
    def api_key(self) -> str:
        """The key the client sends: api_key=, else MOONSHOT_API_KEY, else
        KIMI_API_KEY (never OPENAI_API_KEY)."""
        given_key = self._arguments["api_key"]
        if given_key is not None:
            return str(given_key)
        return os.environ.get("MOONSHOT_API_KEY") or os.environ.get("KIMI_API_KEY") or ""

    @property
    def timeout(self) -> Timeout:
        """The timeout given (seconds without a byte received, an
        httpx.Timeout, or None), 600.0 when none was."""
        value: Timeout = self._arguments["timeout"]
        return value if given(value) else 600.0

    @property
    def default_headers(self) -> "dict[str, str]":
        """The headers given to the client, sent with every call (the key
        and libkimi's own headers are not listed)."""
        headers: Mapping[str, Any] = self._arguments["default_headers"] or {}
        return {str(name): str(value) for name, value in headers.items() if given(value)}

    def _resources(self) -> None:
        self.chat = Chat(self)
        self.beta = Beta(self)
        self.files = Files(self)
        self.models = Models(self)
        self.batches = Batches(self)

    def _pointer(self) -> int:
        return self._handle.require("client")

    def _call(self, starter: Starter, settings: Optional[CallSettings] = None,
              result: Optional[Callable[[int], Any]] = None, keep: Any = None,
              attachment: Optional[Callable[[Any, Any], None]] = None) -> Call:
        """`async with client._call(...) as call:` one task of a resource:
        `starter(client, queue, user_data, out)` starts it (on a view
        carrying `settings` when given); `result(task)` reads its value."""
        return Call(self._tasks(), Task(result, keep, attachment), starter, self._pointer(), settings)

    async def _value(self, starter: Starter, settings: Optional[CallSettings] = None,
                     result: Optional[Callable[[int], Any]] = None) -> Any:
        """A task's value once it ended (its failure raised)."""
        async with self._call(starter, settings, result) as call:
            return await call.value()

    # --- copies ------------------------------------------------------------------

    def copy(self, *, api_key: Optional[str] = None, base_url: Optional[str] = None, timeout: Timeout = NOT_GIVEN,
             max_retries: Union[int, NotGiven] = NOT_GIVEN, default_headers: Optional[Mapping[str, str]] = None,
             set_default_headers: Optional[Mapping[str, str]] = None,
             default_query: Optional[Mapping[str, object]] = None,
             set_default_query: Optional[Mapping[str, object]] = None, **changes: Any) -> Self:
        """A client like this one with some settings changed (openai-python's
        copy / with_options). Changing only timeout, max_retries,
        default_headers or default_query makes a cheap view that shares this
        client's connections, event loop and usage totals; any other change
        makes a new client."""
        if set_default_headers is not None and default_headers is not None:
            raise ValueError("give default_headers or set_default_headers, not both")
        if set_default_query is not None and default_query is not None:
            raise ValueError("give default_query or set_default_query, not both")
        unknown = sorted(set(changes) - set(self._arguments))
        if unknown:
            raise TypeError(f"copy() got an unexpected keyword argument {unknown[0]!r}")
        if api_key is None and base_url is None and set_default_headers is None and set_default_query is None \
                and not changes:
            copied = type(self)._view(self, CallSettings(timeout, max_retries, default_headers, default_query))
            if given(timeout) or timeout is None:
                copied._arguments["timeout"] = timeout
            if default_headers:
                copied._arguments["default_headers"] = dict(self._arguments["default_headers"] or {}, **default_headers)
            return copied
        arguments = dict(self._arguments, **changes)
        for name, value in (("api_key", api_key), ("base_url", base_url)):
            if value is not None:
                arguments[name] = value
        if given(timeout) or timeout is None:
            arguments["timeout"] = timeout
        if given(max_retries):
            arguments["max_retries"] = max_retries
        arguments["default_headers"] = set_default_headers if set_default_headers is not None else \
            dict(arguments["default_headers"] or {}, **(default_headers or {}))
        arguments["default_query"] = set_default_query if set_default_query is not None else \
            dict(arguments["default_query"] or {}, **(default_query or {})) or None
        return type(self)(**arguments)

    with_options = copy

    @classmethod
    def _view(cls, parent: BaseClient, settings: CallSettings, token: Optional[int] = None) -> Self:
        """A client over a view of `parent`'s C client carrying `settings`
        (and a cancel token for every call made through it)."""
        client = cls.__new__(cls)
        client._arguments = dict(parent._arguments)
        if settings.max_retries is not None:
            client._arguments["max_retries"] = settings.max_retries
        client._log = parent._log
        client._parent = parent  # keeps the base client (and its log callback) alive
        client._base = parent._base
        pointer = view(parent._pointer(), settings, token)
        client._handle = Handle(pointer, L.kimi_client_free) if pointer else parent._handle
        client._resources()
        client._setup()
        return client

    # --- lifetime ------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        url: str = L.kimi_client_base_url(self._pointer()).decode()
        return url

    @property
    def max_retries(self) -> int:
        retries: int = self._arguments["max_retries"]
        return retries

    def _close(self) -> None:
        """Frees the C client (a copy made by with_options: only the copy)."""
        if self._parent is None:
            self._handle.close()
            self._base.close()
        elif self._handle is not self._parent._handle:
            self._handle.close()

    # --- Kimi's own endpoints ----------------------------------------------------

    def estimate_tokens(self, *, model: str = "kimi-k2.6", messages: Iterable[ChatCompletionMessageParam],
                        **options: Unpack[RequestOptions]) -> Any:
        """Kimi's token estimate for `messages` (media included)."""
        return self._run(account.estimate_tokens(self, model, messages, call_settings("estimate_tokens", options)))

    def balance(self, **options: Unpack[RequestOptions]) -> Any:
        """The account balance (USD on .ai, CNY on .cn)."""
        return self._run(account.balance(self, call_settings("balance", options)))

    @property
    def usage(self) -> UsageTotals:
        """Running totals of every response this client produced (chat,
        streams, conversations, batch result lines), each counted once:
        prompt, cached and completion tokens, responses, web_search_calls,
        cost_usd (tokens and searches)."""
        client = self._pointer()
        return UsageTotals(L.kimi_client_usage_prompt_tokens(client), L.kimi_client_usage_cached_tokens(client),
                           L.kimi_client_usage_completion_tokens(client), L.kimi_client_usage_responses(client),
                           L.kimi_client_usage_cost_usd(client), L.kimi_client_usage_web_search_calls(client))

    def reset_usage(self) -> None:
        L.kimi_client_usage_reset(self._pointer())



def _sync_stream_manager() -> Type[ChatCompletionStreamManager[Any]]:
    from ._chat_stream import ChatCompletionStreamManager  # only when stream() is used
    return ChatCompletionStreamManager


def _construction_error(error: Exception) -> Exception:
    """A client the library would not make: without an API key that is
    openai-python's OpenAIError (named as it is, MOONSHOT_API_KEY)."""
    if isinstance(error, RequestRefusedError) and error._hint == "api_key" and error.param is None:
        return OpenAIError("The api_key client option must be set either by passing api_key to the client or by "
                           "setting the MOONSHOT_API_KEY environment variable (or KIMI_API_KEY; libkimi never reads "
                           "OPENAI_API_KEY, which would send an OpenAI key to Kimi)")
    return error


class Client(BaseClient):
    """A Kimi client, shaped like openai-python's OpenAI client.

    api_key: defaults to MOONSHOT_API_KEY (then KIMI_API_KEY).
    base_url: defaults to KIMI_BASE_URL, then https://api.moonshot.ai/v1.
    timeout: seconds without a byte received before a call fails (like
        httpx's read timeout; an httpx.Timeout's `read` is used); default
        600; None: no limit. total_timeout limits a whole call (default
        none: long reasoning streams are not cut).
    max_retries: retries of failures that can succeed on retry (default 2):
        overloaded engine, rate limits, 500/502/503/504, connection failures
        before any answer; never quota, auth, invalid requests or a started
        stream. Waits honour Retry-After and Kimi's "try again after N seconds".
    default_headers, default_query: sent with every call.
    ca_file: PEM file of CA certificates to verify the server with. The
        server's certificate and host name are always verified.
    max_connections: at most this many requests in flight at once across
        all threads (Kimi's tiers cap concurrency); the others wait. None or
        0: no cap.
    coalesce_us: while many streams run at once, how long the library's
        event loop lets network events gather before taking them, in
        microseconds (default 1000; 0: each as it comes). A token waits at
        most that much longer, also one of a stream running beside a slow
        request; a transfer running alone is never held back.
    max_response_bytes, max_event_bytes: limits on an answer and on one
        stream event (the library's defaults otherwise).
    kimi_rules: check Kimi's rules before sending (off for other servers).
    auto_upload: upload media that would push a request over 100 MB.
    log: where the library's log lines go: by default the logger "libkimi"
        (Python's logging, at the level it is enabled for); or a
        callable(level, message); or a level name, logged to stderr.
    pricing: prices for cost accounting: USD per million tokens as a tuple
        (input, cached_input, output) or a dict with those keys, and
        optionally the USD per `$web_search` call (a fourth element, or
        "web_search"); default Kimi K2.6's prices as platform.kimi.ai listed
        them (0.60, 0.15, 3.00) and Kimi's $0.005 per search. See `usage`
        and ChatCompletion.cost_usd.
    organization, project: accepted for openai-python scripts; Kimi has
        neither, so they are not sent.

    One client is safe to share between threads; calls release the GIL,
    and Ctrl-C interrupts a call on the main thread at once.
    """

    _run = staticmethod(run)
    _paginate = staticmethod(run)
    _iterate = staticmethod(iterate)
    _stream_manager = property(lambda self: _sync_stream_manager())
    _iterate_pages = staticmethod(iterate)
    _blocking = Blocking()
    chat: Chat
    beta: Beta
    files: Files
    models: Models
    batches: Batches

    if TYPE_CHECKING:
        def estimate_tokens(self, *, model: str = "kimi-k2.6", messages: Iterable[ChatCompletionMessageParam],
                            **options: Unpack[RequestOptions]) -> int: ...
        def balance(self, **options: Unpack[RequestOptions]) -> Balance: ...

    def _tasks(self) -> Blocking:
        return self._blocking

    async def _chat(self, request: Any, streamed: bool, raw: bool, cls: Optional[Type[ChatCompletion]]) -> Any:
        """A chat completion on the calling thread: blocking, or a Stream
        read as it is iterated."""
        if streamed:
            from ._streaming import Stream
            token = L.kimi_cancel_token_new() if _interrupt.on_main_thread() else None
            if token:
                L.kimi_chat_request_set_cancel_token(request, token)
            opened: Stream[Any] = Stream(self, request, token, cls)
            return RawResponse(opened.response, opened) if raw else opened
        response = ctypes.c_void_p()
        with _interrupt.Call() as token:
            if token:
                L.kimi_chat_request_set_cancel_token(request, token)
            status = L.kimi_chat_create(self._pointer(), request, ctypes.byref(response))
        if status != OK:
            raise last_error()
        if not raw:
            return take_response(response.value, cls=cls)
        completion, http = take_response(response.value, raw=True, cls=cls)
        return RawResponse(http, completion)

    def close(self) -> None:
        """Frees the client (a copy made by with_options: only the copy).
        Running calls must have returned."""
        self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> Literal[False]:
        self.close()
        return False

    def conversation(self, model: str = "kimi-k2.6", *, tools: Iterable[Callable[..., Any]] = (),
                     system: Optional[str] = None, thinking: Thinking = None,
                     max_completion_tokens: Optional[int] = None, web_search: bool = False,
                     **settings: Unpack[ConversationSettings]) -> Conversation:
        """A Conversation (history, tools, the automatic tool loop): `tools`
        are Python callables, `system` the first message, `thinking`
        "enabled", "disabled" or "keep_all" (keep every turn's reasoning),
        `web_search` declares Kimi's $web_search; other request fields
        (temperature, top_p, stop, ...) go with every call."""
        from ._conversation import Conversation
        return Conversation(self, model, tools=tools, system=system, thinking=thinking,
                            max_completion_tokens=max_completion_tokens, web_search=web_search, **settings)
