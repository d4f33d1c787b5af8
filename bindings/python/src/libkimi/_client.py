"""The Client and its openai-python-shaped resources."""

import ctypes
import os

from . import _interrupt, _lib, _logging
from ._batches import Batches
from ._errors import OK, check, last_error
from ._handles import Handle
from ._options import NOT_GIVEN, CallSettings, given, idle_timeout_ms, view
from ._raw import RawResponse
from ._requests import CALL_ARGUMENTS, build
from ._streaming import Stream, take_response
from ._types import (Balance, FileContent, FileDeleted, FileObject, Model, Page, ParsedChatCompletion,
                     UsageTotals)

L = _lib.functions


def call_settings(method, options, allowed=()):
    """The CallSettings of a method that takes only openai-python's
    per-request options (timeout, extra_headers, extra_query; max_retries)."""
    unknown = sorted(set(options) - set(CALL_ARGUMENTS) - set(allowed))
    if unknown:
        raise TypeError(f"{method}() got an unexpected keyword argument {unknown[0]!r}")
    if given(options.get("extra_body")):
        raise TypeError(f"{method}() sends no JSON body, so it takes no extra_body")
    return CallSettings(options.get("timeout", NOT_GIVEN), options.get("max_retries", NOT_GIVEN),
                        options.get("extra_headers"), options.get("extra_query"))


class _Calling:
    """`with client._calling(settings) as c:` around one blocking call of an
    endpoint other than chat: `c` is the client, or a view of it carrying
    the call's settings and, on the main thread, its Ctrl-C token."""

    __slots__ = ("client", "settings", "call", "view")

    def __init__(self, client, settings):
        self.client = client
        self.settings = settings

    def __enter__(self):
        self.call = _interrupt.Call()
        token = self.call.__enter__()
        try:
            self.view = view(self.client._pointer(), self.settings, token)
        except BaseException:
            self.call.__exit__(None, None, None)
            raise
        return self.view or self.client._pointer()

    def __exit__(self, *exc):
        try:
            if self.view:
                L.kimi_client_free(self.view)
        finally:
            self.call.__exit__(*exc)
        return False


class Client:
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

    def __init__(self, api_key=None, base_url=None, timeout=NOT_GIVEN, max_retries=2, *, connect_timeout=None,
                 total_timeout=None, default_headers=None, default_query=None, kimi_rules=True, auto_upload=False,
                 log=None, log_level="info", ca_file=None, max_connections=None, pricing=None,
                 max_response_bytes=None, max_event_bytes=None, organization=None, project=None, http_client=None):
        if http_client is not None:
            raise TypeError("libkimi does its own HTTP (libcurl); it takes no http_client. Use timeout=, "
                            "max_retries=, default_headers=, ca_file= and max_connections= instead")
        self._arguments = dict(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries,
                               connect_timeout=connect_timeout, total_timeout=total_timeout,
                               default_headers=default_headers, default_query=default_query, kimi_rules=kimi_rules,
                               auto_upload=auto_upload, log=log, log_level=log_level, ca_file=ca_file,
                               max_connections=max_connections, pricing=pricing,
                               max_response_bytes=max_response_bytes, max_event_bytes=max_event_bytes)
        self._log = None
        options = L.kimi_client_options_new()
        if not options:
            raise MemoryError("out of memory for client options")
        try:
            self._configure(options, **self._arguments)
            pointer = ctypes.c_void_p()
            check(L.kimi_client_new(options, ctypes.byref(pointer)))
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

    def _configure(self, options, *, api_key, base_url, timeout, max_retries, connect_timeout, total_timeout,
                   default_headers, default_query, kimi_rules, auto_upload, log, log_level, ca_file,
                   max_connections, pricing, max_response_bytes, max_event_bytes):
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
        for setter, value in ((L.kimi_client_options_set_max_response_bytes, max_response_bytes),
                              (L.kimi_client_options_set_max_event_bytes, max_event_bytes)):
            if value is not None:
                check(setter(options, int(value)))
        if ca_file is not None:
            check(L.kimi_client_options_set_ca_file(options, os.fsencode(ca_file)))
        if pricing is not None:
            if isinstance(pricing, dict):
                pricing = (pricing["input"], pricing["cached_input"], pricing["output"]) + (
                    (pricing["web_search"],) if "web_search" in pricing else ())
            pricing = tuple(float(p) for p in pricing)
            if len(pricing) not in (3, 4):
                raise ValueError("pricing: (input, cached_input, output) or (input, cached_input, output, web_search)")
            check(L.kimi_client_options_set_pricing(options, *pricing[:3]))
            if len(pricing) == 4:
                check(L.kimi_client_options_set_web_search_price(options, pricing[3]))
        for name, value in (default_headers or {}).items():
            if given(value):
                check(L.kimi_client_options_add_header(options, str(name).encode(), str(value).encode()))
        check(L.kimi_client_options_set_kimi_rules(options, 1 if kimi_rules else 0))
        check(L.kimi_client_options_set_auto_upload(options, 1 if auto_upload else 0))
        self._log = _logging.configure(options, log, log_level)

    def _resources(self):
        self.chat = Chat(self)
        self.files = Files(self)
        self.models = Models(self)
        self.batches = Batches(self)

    def _pointer(self):
        return self._handle.require("client")

    def _calling(self, settings):
        return _Calling(self, settings)

    # --- copies ------------------------------------------------------------------

    def copy(self, *, api_key=None, base_url=None, timeout=NOT_GIVEN, max_retries=NOT_GIVEN, default_headers=None,
             set_default_headers=None, default_query=None, set_default_query=None, **changes):
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
            return Client._view(self, CallSettings(timeout, max_retries, default_headers, default_query))
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
    def _view(cls, parent, settings, token=None):
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
        return client

    # --- lifetime ------------------------------------------------------------------

    @property
    def base_url(self):
        return L.kimi_client_base_url(self._pointer()).decode()

    @property
    def max_retries(self):
        return self._arguments["max_retries"]

    def close(self):
        """Frees the client (a copy made by with_options: only the copy).
        Running calls must have returned."""
        if self._parent is None:
            self._handle.close()
            self._base.close()
        elif self._handle is not self._parent._handle:
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- Kimi's own endpoints ----------------------------------------------------

    def estimate_tokens(self, *, model="kimi-k2.6", messages, **options):
        """Kimi's token estimate for `messages` (media included)."""
        settings = call_settings("estimate_tokens", options)
        request, _ = build(model, messages, {}, "estimate_tokens")
        try:
            tokens = ctypes.c_int64()
            with self._calling(settings) as client:
                check(L.kimi_chat_estimate_tokens(client, request, ctypes.byref(tokens)))
            return tokens.value
        finally:
            L.kimi_chat_request_free(request)

    def balance(self, **options):
        """The account balance (USD on .ai, CNY on .cn)."""
        settings = call_settings("balance", options)
        available, voucher, cash = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        with self._calling(settings) as client:
            check(L.kimi_balance_get(client, ctypes.byref(available), ctypes.byref(voucher), ctypes.byref(cash)))
        return Balance(available.value, voucher.value, cash.value)

    @property
    def usage(self):
        """Running totals of every response this client produced (chat,
        streams, conversations, batch result lines), each counted once:
        prompt, cached and completion tokens, responses, web_search_calls,
        cost_usd (tokens and searches)."""
        client = self._pointer()
        return UsageTotals(L.kimi_client_usage_prompt_tokens(client), L.kimi_client_usage_cached_tokens(client),
                           L.kimi_client_usage_completion_tokens(client), L.kimi_client_usage_responses(client),
                           L.kimi_client_usage_cost_usd(client), L.kimi_client_usage_web_search_calls(client))

    def reset_usage(self):
        L.kimi_client_usage_reset(self._pointer())

    def conversation(self, model="kimi-k2.6", **settings):
        """A Conversation (history, tools, the automatic tool loop)."""
        from ._conversation import Conversation
        return Conversation(self, model, **settings)


class Chat:
    def __init__(self, client):
        self.completions = Completions(client)


class Completions:
    def __init__(self, client):
        self._client = client

    def create(self, *, messages=NOT_GIVEN, model="kimi-k2.6", stream=False, **fields):
        """Like openai-python's chat.completions.create, with Kimi's fields
        (thinking, prompt_cache_key, ...) accepted directly and the
        per-request options (timeout, max_retries, extra_headers,
        extra_query, extra_body). Returns a ChatCompletion, or a Stream when
        stream=True."""
        return self._create(messages, model, stream, fields, raw=False)

    @property
    def with_raw_response(self):
        """`.create(...)` returning the raw answer: `.headers`,
        `.status_code`, `.request_id`, `.elapsed`, `.retries_taken`, and
        `.parse()` for the ChatCompletion (or the Stream)."""
        return _RawCompletions(self)

    def parse(self, *, messages=NOT_GIVEN, model="kimi-k2.6", response_format, **fields):
        """create() with structured output read back: `response_format` is a
        dataclass, TypedDict or pydantic model (its schema is sent as a
        strict json_schema format and checked against Kimi's MFJS subset
        first), and each choice's `message.parsed` is the answer as that
        type (a pydantic model when pydantic is installed and the format is
        one, else the dataclass or dict)."""
        from ._schema import is_structured, parse_content
        if not is_structured(response_format):
            raise TypeError("parse() needs response_format=<a dataclass, TypedDict or pydantic model>")
        if given(fields.get("stream")):
            raise TypeError("parse() does not stream; use create(stream=True)")
        completion = self._create(messages, model, False, dict(fields, response_format=response_format), raw=False,
                                  cls=ParsedChatCompletion)
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
        request, settings = build(model, messages, fields, "fit_max_completion_tokens")
        try:
            fitted = ctypes.c_int64()
            with self._client._calling(CallSettings()) as client:
                check(L.kimi_chat_fit_max_completion_tokens(client, request, ctypes.byref(fitted)))
            return fitted.value
        finally:
            L.kimi_chat_request_free(request)

    def _create(self, messages, model, stream, fields, raw, cls=None):
        request, _ = build(model, messages, fields)
        try:
            if stream and given(stream):
                token = L.kimi_cancel_token_new() if _interrupt.on_main_thread() else None
                if token:
                    L.kimi_chat_request_set_cancel_token(request, token)
                opened = Stream(self._client, request, token)
                return RawResponse(opened.response, opened) if raw else opened
            response = ctypes.c_void_p()
            with _interrupt.Call() as token:
                if token:
                    L.kimi_chat_request_set_cancel_token(request, token)
                status = L.kimi_chat_create(self._client._pointer(), request, ctypes.byref(response))
            if status != OK:
                raise last_error()
            if not raw:
                return take_response(response.value, cls=cls)
            completion, http = take_response(response.value, raw=True, cls=cls)
            return RawResponse(http, completion)
        finally:
            L.kimi_chat_request_free(request)


class _RawCompletions:
    def __init__(self, completions):
        self._completions = completions

    def create(self, *, messages=NOT_GIVEN, model="kimi-k2.6", stream=False, **fields):
        return self._completions._create(messages, model, stream, fields, raw=True)


def _progress(on_progress):
    """A kimi_progress_cb calling `on_progress(done, total)` (False stops),
    and the list that keeps an exception it raised, to raise after the call."""
    stored = []

    def progress(done, total, _user_data):
        try:
            return 1 if on_progress(done, total) is False else 0
        except BaseException as exc:
            stored.append(exc)
            return 1

    return (_lib.progress_cb(progress) if on_progress else _lib.progress_cb()), stored


class Files:
    """The Files API, shaped like openai-python's client.files."""

    def __init__(self, client):
        self._client = client

    @staticmethod
    def _file(pointer):
        return FileObject(L.kimi_file_id(pointer).decode(), L.kimi_file_bytes(pointer),
                          L.kimi_file_created_at(pointer), L.kimi_file_filename(pointer).decode(),
                          L.kimi_file_purpose(pointer).decode(), L.kimi_file_status(pointer).decode(),
                          L.kimi_file_status_details(pointer).decode())

    def _take_file(self, pointer):
        try:
            return self._file(pointer)
        finally:
            L.kimi_file_free(pointer)

    def create(self, *, file, purpose, on_progress=None, **options):
        """Uploads `file` (a path, bytes, a (filename, bytes) pair, or an open
        binary file) with `purpose` "file-extract", "image", "video" or
        "batch". `on_progress(sent, total)` may return False to cancel."""
        settings = call_settings("files.create", options)
        callback, stored = _progress(on_progress)
        pointer = ctypes.c_void_p()
        with self._client._calling(settings) as client:
            if isinstance(file, (str, os.PathLike)):
                status = L.kimi_file_upload(client, os.fsencode(file), purpose.encode(), callback, None,
                                            ctypes.byref(pointer))
            else:
                if isinstance(file, tuple):
                    filename, data = file[0], file[1]
                elif hasattr(file, "read"):
                    filename, data = os.path.basename(getattr(file, "name", "upload.bin")), file.read()
                else:
                    filename, data = "upload.bin", file
                data = bytes(data)
                status = L.kimi_file_upload_data(client, filename.encode(), data, len(data), purpose.encode(),
                                                 callback, None, ctypes.byref(pointer))
        if stored:
            raise stored[0]
        check(status)
        return self._take_file(pointer.value)

    def retrieve(self, file_id, **options):
        settings = call_settings("files.retrieve", options)
        pointer = ctypes.c_void_p()
        with self._client._calling(settings) as client:
            check(L.kimi_file_retrieve(client, str(file_id).encode(), ctypes.byref(pointer)))
        return self._take_file(pointer.value)

    def list(self, **options):
        """Every file of the account (all pages, fetched by the library's
        iterator, kimi_file_iter_next)."""
        settings = call_settings("files.list", options)
        iterator = ctypes.c_void_p()
        files = []
        with self._client._calling(settings) as client:
            check(L.kimi_file_iter_new(client, ctypes.byref(iterator)))
            try:
                pointer = ctypes.c_void_p()
                while True:
                    check(L.kimi_file_iter_next(iterator, ctypes.byref(pointer)))
                    if not pointer.value:
                        break
                    files.append(self._take_file(pointer.value))
            finally:
                L.kimi_file_iter_free(iterator)
        return Page(files)

    def delete(self, file_id, **options):
        settings = call_settings("files.delete", options)
        with self._client._calling(settings) as client:
            check(L.kimi_file_delete(client, str(file_id).encode()))
        return FileDeleted(file_id)

    def content(self, file_id, **options):
        """The extracted text of a "file-extract" file (`.text`), or the
        lines of a batch's output file, as it arrives piece by piece
        (kimi_file_content_write). For a large file, download() writes it
        to disk without holding it."""
        pieces = []

        def write(data, length, _user_data):
            pieces.append(ctypes.string_at(data, length))
            return 0

        self._download("files.content", file_id, options, None, lambda client, progress, written: L.kimi_file_content_write(
            client, str(file_id).encode(), _lib.write_cb(write), progress, None, written))
        return FileContent(b"".join(pieces))

    def download(self, file_id, path, *, on_progress=None, **options):
        """Writes a file's content to `path` as it arrives (memory stays flat
        whatever its size); returns the number of bytes written.
        `on_progress(received, total)` (total 0 when unknown) may return
        False to stop. A download cut before its end raises
        IncompleteStreamError and leaves what arrived in `path`."""
        with open(path, "wb") as target:
            return self._download("files.download", file_id, options, on_progress,
                                  lambda client, progress, written: L.kimi_file_content_to_fd(
                                      client, str(file_id).encode(), target.fileno(), progress, None, written))

    def _download(self, method, file_id, options, on_progress, run):
        settings = call_settings(method, options)
        callback, stored = _progress(on_progress)
        written = ctypes.c_uint64()
        with self._client._calling(settings) as client:
            status = run(client, callback, ctypes.byref(written))
        if stored:
            raise stored[0]
        check(status)
        return written.value


class Models:
    def __init__(self, client):
        self._client = client

    def list(self, **options):
        """The models, with Kimi's capability fields."""
        settings = call_settings("models.list", options)
        pointer = ctypes.c_void_p()
        with self._client._calling(settings) as client:
            check(L.kimi_models_list(client, ctypes.byref(pointer)))
        try:
            p = pointer.value
            return Page([Model(L.kimi_model_list_id(p, i).decode(), L.kimi_model_list_context_length(p, i),
                               bool(L.kimi_model_list_supports_image_in(p, i)),
                               bool(L.kimi_model_list_supports_video_in(p, i)),
                               bool(L.kimi_model_list_supports_reasoning(p, i)))
                         for i in range(L.kimi_model_list_count(p))])
        finally:
            L.kimi_model_list_free(pointer.value)
