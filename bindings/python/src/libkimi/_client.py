"""The Client and its openai-python-shaped resources."""

import ctypes
import os

from . import _lib
from ._errors import OK, check, last_error
from ._handles import Handle
from ._requests import build
from ._streaming import Stream, response_from
from ._batches import Batches
from ._types import Balance, FileContent, FileDeleted, FileObject, Model, Page, UsageTotals

L = _lib.functions

LOG_LEVELS = {"error": 1, "warn": 2, "warning": 2, "info": 3, "debug": 4}


def _ms(seconds, what):
    if seconds is None:
        return None
    if seconds < 0:
        raise ValueError(f"{what} must not be negative")
    return int(seconds * 1000)


class Client:
    """A Kimi client, shaped like openai-python's OpenAI client.

    api_key: defaults to MOONSHOT_API_KEY (then KIMI_API_KEY).
    base_url: defaults to KIMI_BASE_URL, then https://api.moonshot.ai/v1.
    timeout: seconds without a byte received before a call fails (like
        httpx's read timeout); default 600. total_timeout limits a whole
        call (default none: long reasoning streams are not cut).
    max_retries: retries of failures that can succeed on retry (default 2):
        overloaded engine, rate limits, 500/502/503/504, connection failures
        before any answer; never quota, auth, invalid requests or a started
        stream. Waits honour Retry-After and Kimi's "try again after N seconds".
    ca_file: PEM file of CA certificates to verify the server with. The
        server's certificate and host name are always verified.
    max_connections: at most this many requests in flight at once across
        all threads (Kimi's tiers cap concurrency); the others wait. None or
        0: no cap.
    kimi_rules: check Kimi's rules before sending (off for other servers).
    auto_upload: upload media that would push a request over 100 MB.
    log: a callable(level, message), or a level name logged to stderr.
    pricing: USD per million tokens for cost accounting, as a tuple
        (input, cached_input, output) or a dict with those keys; default
        Kimi K2.6's published prices (0.60, 0.15, 3.00). See `usage` and
        ChatCompletion.cost_usd.

    One client is safe to share between threads; calls release the GIL.
    """

    def __init__(self, api_key=None, base_url=None, timeout=None, max_retries=2, *, connect_timeout=None,
                 total_timeout=None, default_headers=None, kimi_rules=True, auto_upload=False, log=None,
                 log_level="info", ca_file=None, max_connections=None, pricing=None):
        self._log_callback = None
        options = L.kimi_client_options_new()
        if not options:
            raise MemoryError("kimi_client_options_new failed")
        try:
            if api_key is not None:
                check(L.kimi_client_options_set_api_key(options, api_key.encode()))
            if base_url is not None:
                check(L.kimi_client_options_set_base_url(options, str(base_url).encode()))
            for setter, value, what in ((L.kimi_client_options_set_idle_timeout_ms, timeout, "timeout"),
                                        (L.kimi_client_options_set_connect_timeout_ms, connect_timeout,
                                         "connect_timeout"),
                                        (L.kimi_client_options_set_timeout_ms, total_timeout, "total_timeout")):
                ms = _ms(value, what)
                if ms is not None:
                    check(setter(options, ms))
            if max_retries is not None:
                if int(max_retries) < 0:
                    raise ValueError(f"max_retries must be 0 or more, not {max_retries}")
                check(L.kimi_client_options_set_max_retries(options, int(max_retries)))
            if max_connections is not None:
                if int(max_connections) < 0:
                    raise ValueError(f"max_connections must be 0 (no cap) or more, not {max_connections}")
                check(L.kimi_client_options_set_max_connections(options, int(max_connections)))
            if ca_file is not None:
                check(L.kimi_client_options_set_ca_file(options, os.fsencode(ca_file)))
            if pricing is not None:
                if isinstance(pricing, dict):
                    pricing = (pricing["input"], pricing["cached_input"], pricing["output"])
                check(L.kimi_client_options_set_pricing(options, *(float(p) for p in pricing)))
            for name, value in (default_headers or {}).items():
                check(L.kimi_client_options_add_header(options, name.encode(), str(value).encode()))
            check(L.kimi_client_options_set_kimi_rules(options, 1 if kimi_rules else 0))
            check(L.kimi_client_options_set_auto_upload(options, 1 if auto_upload else 0))
            if log is not None:
                self._set_log(options, log, log_level)
            pointer = ctypes.c_void_p()
            check(L.kimi_client_new(options, ctypes.byref(pointer)))
        finally:
            L.kimi_client_options_free(options)
        self._handle = Handle(pointer.value, L.kimi_client_free)
        self.max_retries = max_retries
        self.chat = Chat(self)
        self.files = Files(self)
        self.models = Models(self)
        self.batches = Batches(self)

    def _set_log(self, options, log, level):
        if isinstance(log, str):
            check(L.kimi_client_options_set_log(options, LOG_LEVELS[log.lower()], _lib.log_cb(), None))
            return
        if not callable(log):
            raise TypeError("log must be a callable(level, message) or a level name")

        def forward(level_number, message, _user_data):
            try:
                log(level_number, message.decode("utf-8", "replace"))
            except Exception:  # a logger must never break a call
                pass

        self._log_callback = _lib.log_cb(forward)  # kept alive as long as the client
        check(L.kimi_client_options_set_log(options, LOG_LEVELS[level.lower()], self._log_callback, None))

    @property
    def base_url(self):
        return L.kimi_client_base_url(self._handle.require("client")).decode()

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # --- Kimi's own endpoints ----------------------------------------------------

    def estimate_tokens(self, *, model="kimi-k2.6", messages):
        """Kimi's token estimate for `messages` (media included)."""
        request = Handle(build(model, messages, {}).value, L.kimi_chat_request_free)
        try:
            tokens = ctypes.c_int64()
            check(L.kimi_chat_estimate_tokens(self._handle.require("client"), request.pointer, ctypes.byref(tokens)))
            return tokens.value
        finally:
            request.close()

    def balance(self):
        """The account balance (USD on .ai, CNY on .cn)."""
        available, voucher, cash = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        check(L.kimi_balance_get(self._handle.require("client"), ctypes.byref(available), ctypes.byref(voucher),
                                 ctypes.byref(cash)))
        return Balance(available.value, voucher.value, cash.value)

    @property
    def usage(self):
        """Running totals of every response this client produced (chat,
        streams, conversations, batch result lines), each counted once:
        prompt, cached and completion tokens, responses, cost_usd."""
        client = self._handle.require("client")
        return UsageTotals(L.kimi_client_usage_prompt_tokens(client), L.kimi_client_usage_cached_tokens(client),
                           L.kimi_client_usage_completion_tokens(client), L.kimi_client_usage_responses(client),
                           L.kimi_client_usage_cost_usd(client))

    def reset_usage(self):
        L.kimi_client_usage_reset(self._handle.require("client"))

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

    def create(self, *, messages, model="kimi-k2.6", stream=False, **fields):
        """Like openai-python's chat.completions.create, with Kimi's fields
        (thinking, prompt_cache_key, ...) accepted directly. Returns a
        ChatCompletion, or a Stream when stream=True."""
        request = Handle(build(model, messages, fields).value, L.kimi_chat_request_free)
        try:
            if stream:
                return Stream(self._client, request.pointer)
            response = ctypes.c_void_p()
            status = L.kimi_chat_create(self._client._handle.require("client"), request.pointer,
                                        ctypes.byref(response))
            if status != OK:
                raise last_error()
            try:
                return response_from(response.value)
            finally:
                L.kimi_chat_response_free(response.value)
        finally:
            request.close()


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

    def create(self, *, file, purpose, on_progress=None):
        """Uploads `file` (a path, bytes, a (filename, bytes) pair, or an open
        binary file) with `purpose` "file-extract", "image", "video" or
        "batch". `on_progress(sent, total)` may return False to cancel."""
        client = self._client._handle.require("client")
        stored = []

        def progress(sent, total, _user_data):
            try:
                return 1 if on_progress(sent, total) is False else 0
            except BaseException as exc:
                stored.append(exc)
                return 1

        callback = _lib.progress_cb(progress) if on_progress else _lib.progress_cb()
        pointer = ctypes.c_void_p()
        if isinstance(file, (str, os.PathLike)):
            status = L.kimi_file_upload(client, os.fspath(file).encode(), purpose.encode(), callback, None,
                                        ctypes.byref(pointer))
        else:
            if isinstance(file, tuple):
                filename, data = file[0], file[1]
            elif hasattr(file, "read"):
                filename, data = os.path.basename(getattr(file, "name", "upload.bin")), file.read()
            else:
                filename, data = "upload.bin", file
            data = bytes(data)
            status = L.kimi_file_upload_data(client, filename.encode(), data, len(data), purpose.encode(), callback,
                                             None, ctypes.byref(pointer))
        if stored:
            raise stored[0]
        check(status)
        try:
            return self._file(pointer.value)
        finally:
            L.kimi_file_free(pointer.value)

    def retrieve(self, file_id):
        pointer = ctypes.c_void_p()
        check(L.kimi_file_retrieve(self._client._handle.require("client"), file_id.encode(), ctypes.byref(pointer)))
        try:
            return self._file(pointer.value)
        finally:
            L.kimi_file_free(pointer.value)

    def list(self):
        pointer = ctypes.c_void_p()
        check(L.kimi_files_list(self._client._handle.require("client"), ctypes.byref(pointer)))
        try:
            return Page([self._file(L.kimi_file_list_get(pointer.value, i))
                         for i in range(L.kimi_file_list_count(pointer.value))])
        finally:
            L.kimi_file_list_free(pointer.value)

    def delete(self, file_id):
        check(L.kimi_file_delete(self._client._handle.require("client"), file_id.encode()))
        return FileDeleted(file_id)

    def content(self, file_id):
        """The extracted text of a "file-extract" file (`.text`)."""
        pointer = ctypes.c_void_p()
        length = ctypes.c_size_t()
        check(L.kimi_file_content(self._client._handle.require("client"), file_id.encode(), ctypes.byref(pointer),
                                  ctypes.byref(length)))
        try:
            return FileContent(ctypes.string_at(pointer.value, length.value).decode("utf-8"))
        finally:
            L.kimi_string_free(pointer.value)


class Models:
    def __init__(self, client):
        self._client = client

    def list(self):
        """The models, with Kimi's capability fields."""
        pointer = ctypes.c_void_p()
        check(L.kimi_models_list(self._client._handle.require("client"), ctypes.byref(pointer)))
        try:
            p = pointer.value
            return Page([Model(L.kimi_model_list_id(p, i).decode(), L.kimi_model_list_context_length(p, i),
                               bool(L.kimi_model_list_supports_image_in(p, i)),
                               bool(L.kimi_model_list_supports_video_in(p, i)),
                               bool(L.kimi_model_list_supports_reasoning(p, i)))
                         for i in range(L.kimi_model_list_count(p))])
        finally:
            L.kimi_model_list_free(pointer.value)

