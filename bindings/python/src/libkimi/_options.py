"""Per-call settings (openai-python's `timeout`, `max_retries`,
`extra_headers`, `extra_query` on every method) and its "not given"
sentinels."""

from __future__ import annotations

import ctypes
import math

from . import _lib
from ._errors import RequestRefusedError, check

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional, Tuple

    Pairs = Tuple[Tuple[bytes, bytes], ...]

L = _lib.functions

UINT32_MAX = 0xFFFFFFFF


class NotGiven:
    """An argument left out (openai-python's NOT_GIVEN); falsy."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


class Omit:
    """An argument to leave out of the request (openai-python's omit)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "omit"


NOT_GIVEN = NotGiven()
omit = Omit()


def given(value: object) -> bool:
    """False for None and for NOT_GIVEN / omit (also openai-python's own)."""
    kind = value.__class__
    if kind is str or kind is dict or kind is list or kind is int or kind is float or kind is bool:
        return True  # most values: decided without the checks below
    return value is not None and not isinstance(value, (NotGiven, Omit)) and kind.__name__ not in ("NotGiven", "Omit")


def _milliseconds(seconds: object, what: str) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{what} must be a number of seconds, not {type(seconds).__name__}")
    if math.isnan(seconds) or seconds <= 0:
        raise RequestRefusedError(f"{what} must be more than 0 seconds, not {seconds}", param=what)
    return min(max(int(seconds * 1000), 1), UINT32_MAX)


def idle_timeout_ms(timeout: Any, what: str = "timeout") -> Optional[int]:
    """Milliseconds without data before a call fails, from openai-python's
    `timeout`: seconds, an httpx.Timeout (its read timeout), or None for no
    limit. NOT_GIVEN: None returned (the client's value)."""
    if isinstance(timeout, (NotGiven, Omit)) or type(timeout).__name__ in ("NotGiven", "Omit"):
        return None
    if timeout is None:
        return UINT32_MAX
    if hasattr(timeout, "read") and not isinstance(timeout, (int, float)):
        read: object = timeout.read
        return UINT32_MAX if read is None else _milliseconds(read, f"{what}.read")
    return _milliseconds(timeout, what)


class CallSettings:
    """The per-call settings of one method call; None where not given."""

    __slots__ = ("idle_timeout_ms", "max_retries", "headers", "query")
    idle_timeout_ms: Optional[int]
    max_retries: Optional[int]
    headers: Pairs
    query: Pairs

    def __init__(self, timeout: object = NOT_GIVEN, max_retries: object = NOT_GIVEN, extra_headers: object = None,
                 extra_query: object = None) -> None:
        self.idle_timeout_ms = idle_timeout_ms(timeout)
        if given(max_retries):
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
                raise RequestRefusedError(f"max_retries must be an int, 0 or more, not {max_retries!r}",
                                          param="max_retries")
            self.max_retries = min(max_retries, 0x7FFFFFFF)
        else:
            self.max_retries = None
        self.headers = _pairs(extra_headers, "extra_headers")
        self.query = _pairs(extra_query, "extra_query")

    def __bool__(self) -> bool:
        return bool(self.idle_timeout_ms is not None or self.max_retries is not None or self.headers or self.query)

    def apply_to_request(self, request: object) -> None:
        """Sets them on a kimi_chat_request."""
        self._apply(request, L.kimi_chat_request_set_idle_timeout_ms, L.kimi_chat_request_set_max_retries,
                    L.kimi_chat_request_add_header, L.kimi_chat_request_add_query)

    def call_options(self, token: Optional[int] = None) -> int:
        """A kimi_call_options handle with them (and `token`); caller frees."""
        options: int = L.kimi_call_options_new()
        if not options:
            raise MemoryError("out of memory for call options")
        try:
            self._apply(options, L.kimi_call_options_set_idle_timeout_ms, L.kimi_call_options_set_max_retries,
                        L.kimi_call_options_add_header, L.kimi_call_options_add_query)
            if token:
                check(L.kimi_call_options_set_cancel_token(options, token))
        except BaseException:
            L.kimi_call_options_free(options)
            raise
        return options

    def _apply(self, handle: object, set_idle_timeout: Any, set_max_retries: Any, add_header: Any, add_query: Any) -> None:
        """The settings through one kind of handle's setters (a request's or call options')."""
        if self.idle_timeout_ms is not None:
            check(set_idle_timeout(handle, self.idle_timeout_ms))
        if self.max_retries is not None:
            check(set_max_retries(handle, self.max_retries))
        for name, value in self.headers:
            check(add_header(handle, name, value))
        for name, value in self.query:
            check(add_query(handle, name, value))


def _pairs(mapping: Any, what: str) -> Pairs:
    """(name, value) byte pairs of a headers or query mapping; None and
    NOT_GIVEN values are left out (openai-python drops them too). A NUL
    would end the C string there: refused rather than cut."""
    if not given(mapping):
        return ()
    if not hasattr(mapping, "items"):
        raise TypeError(f"{what} must be a mapping of names to values, not {type(mapping).__name__}")
    pairs = tuple((str(name), str(value)) for name, value in mapping.items() if given(value))
    for name, value in pairs:
        if "\0" in name or "\0" in value:
            raise RequestRefusedError(f"{what}: {name!r} holds a NUL character, which cannot be sent", param=what)
    return tuple((name.encode(), value.encode()) for name, value in pairs)


def view(client_pointer: object, settings: CallSettings, token: Optional[int]) -> Optional[int]:
    """A view of the client (kimi_client_with_options) carrying `settings`
    and `token`, or None when there is nothing to carry. Caller frees it
    with kimi_client_free."""
    if not settings and not token:
        return None
    options = settings.call_options(token)
    try:
        out = ctypes.c_void_p()
        check(L.kimi_client_with_options(client_pointer, options, ctypes.byref(out)))
        return out.value
    finally:
        L.kimi_call_options_free(options)
