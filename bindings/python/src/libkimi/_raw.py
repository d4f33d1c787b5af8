"""What the HTTP exchange behind a result looked like: status, headers,
request id, attempts and times, in the shapes openai-python users reach for
(`with_raw_response`, `stream.response`, `error.response`)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from . import _lib
from ._typing import Generic, T_co

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime
    from typing import Any, Iterable, Iterator, List, Optional, Tuple

L = _lib.functions

if TYPE_CHECKING:
    _StrMapping = Mapping[str, str]
else:
    _StrMapping = Mapping  # Mapping[str, str] for a checker: subscripting it at run time costs start-up


class Headers(_StrMapping):
    """Response headers, case-insensitive like httpx.Headers: `headers["x-a"]`
    and `.get()` join repeated headers with ", "; `get_list()` keeps them."""

    __slots__ = ("_lines",)

    _lines: List[Tuple[str, str]]

    def __init__(self, lines: Iterable[Tuple[str, str]] = ()) -> None:
        self._lines = [(name.lower(), value) for name, value in lines]

    def get_list(self, name: str) -> List[str]:
        wanted = name.lower()
        return [value for key, value in self._lines if key == wanted]

    def __getitem__(self, name: str) -> str:
        values = self.get_list(name)
        if not values:
            raise KeyError(name)
        return ", ".join(values)

    def __iter__(self) -> Iterator[str]:
        seen: List[str] = []
        for key, _ in self._lines:
            if key not in seen:
                seen.append(key)
        return iter(seen)

    def __len__(self) -> int:
        return len({key for key, _ in self._lines})

    def raw(self) -> List[Tuple[str, str]]:
        """The (name, value) pairs in the order they came."""
        return list(self._lines)

    def __repr__(self) -> str:
        return f"Headers({dict(self)!r})"


class Response:
    """The final HTTP answer of a call (openai-python exposes httpx's):
    `status_code`, `headers`, `request_id`, `elapsed` (call start to end,
    retries and waits included), `retries_taken`, and the body's `text` when
    there is one (an error answer's, up to 4 KiB)."""

    def __init__(self, status_code: int, headers: Headers, request_id: Optional[str] = None,
                 elapsed_ms: Optional[int] = None, attempts: int = 1, text: str = "", method: str = "POST",
                 url: Optional[str] = None, first_byte_ms: Optional[int] = None,
                 first_token_ms: Optional[int] = None) -> None:
        self.status_code = status_code
        self.headers = headers
        self.request_id: Optional[str] = request_id or headers.get("x-request-id")
        self._elapsed_ms = elapsed_ms
        self.retries_taken = max(attempts - 1, 0)
        self.text = text
        self.method = method
        self.url = url
        #: libkimi's timings in ms (-1 when unknown): to the first body byte,
        #: and to a stream's first reasoning, content or tool-call piece.
        self.first_byte_ms = first_byte_ms
        self.first_token_ms = first_token_ms

    @property
    def elapsed(self) -> Optional[datetime.timedelta]:
        """A datetime.timedelta (datetime is imported when asked for)."""
        ms = self._elapsed_ms
        if ms is None or ms < 0:
            return None
        import datetime
        return datetime.timedelta(milliseconds=ms)

    @property
    def content(self) -> bytes:
        return self.text.encode("utf-8")

    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"


def response_of(handle: Any, url: Optional[str] = None) -> Response:
    """The Response of a kimi_chat_response handle (not freed here)."""
    lines = [(L.kimi_chat_response_header_name(handle, i).decode("utf-8", "replace"),
              L.kimi_chat_response_header_value(handle, i).decode("utf-8", "replace"))
             for i in range(L.kimi_chat_response_header_count(handle))]
    return Response(L.kimi_chat_response_http_status(handle), Headers(lines),
                    L.kimi_chat_response_request_id(handle).decode() or None,
                    L.kimi_chat_response_elapsed_ms(handle), L.kimi_chat_response_attempts(handle),
                    _lib.text(L.kimi_chat_response_json, handle), url=url,
                    first_byte_ms=L.kimi_chat_response_first_byte_ms(handle),
                    first_token_ms=L.kimi_chat_response_first_token_ms(handle))


def error_response(status_code: int, body_text: Optional[str], url: Optional[str] = None) -> Response:
    """The Response of the calling thread's last error (its answer's headers)."""
    lines = [(L.kimi_error_header_name(i).decode("utf-8", "replace"),
              L.kimi_error_header_value(i).decode("utf-8", "replace"))
             for i in range(L.kimi_error_header_count())]
    return Response(status_code, Headers(lines), L.kimi_error_request_id().decode() or None, text=body_text or "",
                    url=url)


class RawResponse(Response, Generic[T_co]):
    """What `with_raw_response` returns (openai-python's LegacyAPIResponse):
    the Response of the call, and `parse()` for the result itself."""

    def __init__(self, response: Response, parsed: T_co) -> None:
        self.__dict__.update(response.__dict__)
        self._parsed = parsed

    @property
    def http_request_id(self) -> Optional[str]:
        return self.request_id

    def parse(self) -> T_co:
        return self._parsed

    @property
    def is_closed(self) -> bool:
        return True
