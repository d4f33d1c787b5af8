"""Exceptions with openai-python's names, meanings and tree (OpenAIError at
the root), built from libkimi's thread-local last error. Each APIError
carries status_code, type, code, request_id, kind (a KIMI_KIND_* name) and
retry_after (seconds); a request refused before sending is a
RequestRefusedError, which carries none of these."""

from __future__ import annotations

import json
import re

from . import _lib, _raw
from ._typing import is_object

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

    from ._raw import Response

KINDS = {0: "none", 1: "rate_limited", 2: "overloaded", 3: "quota_exceeded", 4: "auth", 5: "permission",
         6: "not_found", 7: "invalid_request", 8: "content_filter", 9: "server", 10: "transport", 11: "timeout",
         12: "aborted", 13: "incomplete", 14: "bad_response", 15: "internal"}

OK, INVALID_ARGUMENT, NOMEM, TRANSPORT, TIMEOUT, HTTP, API, PARSE, ABORTED, INCOMPLETE, INTERNAL, TOO_LARGE, \
    STEP_LIMIT, PENDING = range(14)


class OpenAIError(Exception):
    """The root of every libkimi error, as openai-python's: `except
    libkimi.OpenAIError` catches them all. Raised itself for a client made
    without an API key."""


#: libkimi's older name for the root.
KimiError = OpenAIError


class RequestRefusedError(OpenAIError, ValueError):
    """A request libkimi refused before sending anything: a value Kimi does
    not take (temperature=0.3 with thinking on), a malformed message, a
    batch line or window out of Kimi's limits. `param` is the parameter the
    message names first (`temperature`, `messages[0].content`), or None;
    `message` says what was wrong and how to fix it. Nothing reached a
    server, so unlike an APIError it has no status_code, type, code,
    request_id or response: openai-python has no such class (its checks
    happen on the server, as 400s)."""

    message: str
    param: Optional[str]

    def __init__(self, message: str, *, param: Optional[str] = None, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self._hint = hint


#: The parameter a refusal's message starts with ("temperature: ...",
#: "messages[0].content: ...").
_PARAM = re.compile(r"^([A-Za-z_$][\w$]*(?:\[\d+\]|\.[A-Za-z_$][\w$]*)*): ")


def _refused_param(detail: Optional[str]) -> Optional[str]:
    found = _PARAM.match(detail or "")
    return found.group(1) if found else None


class APIError(OpenAIError):
    """A failed call. `message` says what failed, naming the argument or
    field. As in openai-python: `body` is the error answer's JSON (its
    "error" object when it has one; the text when it is not JSON), `code`,
    `type` and `param` come from it, `request_id` is the server's, and
    `response` is the HTTP answer (status_code, headers) when there was
    one. libkimi adds `kind` (what to do about it), `retry_after` (seconds
    the server asked to wait, from Retry-After as seconds or an HTTP-date,
    retry-after-ms, or Kimi's "try again after N seconds") and `status`
    (the C library's status)."""

    message: str
    status: int
    status_code: Optional[int]
    type: Optional[str]
    code: Optional[str]
    param: Optional[str]
    request_id: Optional[str]
    kind: str
    retry_after: Optional[float]
    body: object
    response: Optional[Response]
    request: None
    partial: Any  # what a stream had received when it failed (IncompleteStreamError, ...)

    def __init__(self, message: str, *, status: int = 0, status_code: Optional[int] = None, type: Optional[str] = None,
                 code: Optional[str] = None, request_id: Optional[str] = None, kind: str = "none",
                 retry_after: Optional[float] = None, body: object = None, response: Optional[Response] = None,
                 param: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.status_code = status_code
        self.type = type
        self.code = code
        self.param = param
        self.request_id = request_id
        self.kind = kind
        self.retry_after = retry_after
        self.body = body
        self.response = response
        self.request = None


class APIStatusError(APIError):
    """The API answered with an error status (openai-python's class)."""

    status_code: int  # pyright: ignore[reportIncompatibleVariableOverride]  # always there: the server answered
    response: Response  # pyright: ignore[reportIncompatibleVariableOverride]  # openai-python narrows it too


class BadRequestError(APIStatusError):
    """400: the server found the request invalid (requests libkimi refuses
    before sending raise RequestRefusedError)."""


class AuthenticationError(APIStatusError):
    """401: the key was refused (the message hints at the other region)."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429 from a rate limit or an overloaded engine: retry after `retry_after`."""


class QuotaExceededError(APIStatusError):
    """The balance or plan quota is exhausted (403 or 429). Deliberately not a
    RateLimitError: retrying cannot help."""


class InternalServerError(APIStatusError):
    """5xx."""


class APIConnectionError(APIError):
    """The connection failed (DNS, connect, TLS, a broken transfer)."""


class APITimeoutError(APIConnectionError):
    """A connect, idle or whole-request timeout passed."""


class APIResponseValidationError(APIError):
    """The answer could not be read (not the JSON or stream expected, too large)."""


class IncompleteStreamError(APIConnectionError):
    """The stream (or a download) was cut before its end (`data: [DONE]`,
    or the announced length): an APIConnectionError, as in openai-python,
    whose `partial` holds what arrived."""

    partial = None


class StreamAborted(OpenAIError):
    """The stream was stopped by the caller (a callback, close(), a cancel token)."""


class StepLimitError(APIError):
    """The tool loop reached max_steps with tool calls still pending; the
    conversation is ready for another run. `completion` is the last answer."""

    completion = None


class LengthFinishReasonError(OpenAIError):
    """parse(): the answer was cut by max_completion_tokens (finish_reason
    "length"), so it cannot be read as the format; `completion` is the
    answer (openai-python's class)."""

    def __init__(self, *, completion: Any = None) -> None:
        usage = getattr(completion, "usage", None)
        super().__init__(f"Could not parse response content as the length limit was reached - {usage!r}")
        self.completion = completion


class ContentFilterFinishReasonError(OpenAIError):
    """parse(): the answer was stopped by the content filter
    (finish_reason "content_filter") (openai-python's class)."""

    def __init__(self) -> None:
        super().__init__("Could not parse response content as the request was rejected by the content filter")


class ToolError(Exception):
    """Raise it in a tool to send its message to the model as the tool's
    failure (the loop goes on). Any other exception stops the loop and is
    re-raised by run()."""


_BY_HTTP = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError,
            409: ConflictError, 422: UnprocessableEntityError, 429: RateLimitError}


def _decode(raw: Optional[bytes]) -> Optional[str]:
    return raw.decode("utf-8", "replace") if raw else None


#: libkimi's hints (kimi_error_hint) in this package's names.
HINTS = {
    "api_key": "Client(api_key=...)",
    "max_event_bytes": "Client(max_event_bytes=...)",
    "max_response_bytes": "Client(max_response_bytes=...)",
    "upload_image": 'client.files.create(file=..., purpose="image"), or Client(auto_upload=True)',
    "upload_video": 'client.files.create(file=..., purpose="video"), or Client(auto_upload=True)',
    "image_from_file": 'libkimi.image_from_path(...) or image_from_bytes(...), or client.files.create(..., '
                       'purpose="image"); Client(kimi_rules=False) for other servers',
    "video_from_file": 'libkimi.video_from_path(...) or video_from_bytes(...), or client.files.create(..., '
                       'purpose="video"); Client(kimi_rules=False) for other servers',
    "add_as_image": "libkimi.image_from_path(...) or image_from_bytes(...)",
    "add_as_video": "libkimi.video_from_path(...) or video_from_bytes(...)",
    "reasoning_content": '"reasoning_content" in the assistant message, or client.conversation()',
    "json_schema": 'response_format={"type": "json_schema", "json_schema": {"name": ..., "schema": ...}}',
    "stream_argument": "create(..., stream=True)",
    "tool_choice_function": 'tool_choice={"type": "function", "function": {"name": ...}}',
    "tool_message": '{"role": "tool", "tool_call_id": ..., "content": ...}',
    "batch_wait": "client.batches.wait(batch)",
    "disable_thinking": 'thinking={"type": "disabled"}',
    "max_completion_tokens": "max_completion_tokens=...",
    "use_max_completion_tokens": "max_completion_tokens=...",
    "fit_max_completion_tokens": "client.chat.completions.fit_max_completion_tokens(...)",
}


def python_message(detail: str, hint: Optional[str]) -> str:
    """libkimi's words for a failure, with its hint in Python names."""
    rendered = HINTS.get(hint or "")
    return f"{detail} ({rendered})" if rendered else detail


def _parsed_body(text: Optional[str]) -> object:
    """openai-python's `body`: the answer's "error" object, the JSON, or the text."""
    if not text:
        return None
    try:
        parsed: object = json.loads(text)
    except ValueError:
        return text
    if is_object(parsed) and is_object(parsed.get("error")):
        return parsed["error"]
    return parsed


def last_error() -> Exception:
    """The exception for the calling thread's last libkimi failure."""
    L = _lib.functions
    status = L.kimi_error_status()
    detail = _decode(L.kimi_error_detail()) or _decode(L.kimi_status_str(status)) or ""
    message = python_message(detail, _decode(L.kimi_error_hint()))
    http = L.kimi_error_http_status() or None
    kind = KINDS.get(L.kimi_error_kind(), "none")
    retry_ms = L.kimi_error_retry_after_ms()
    body_text = _decode(L.kimi_error_body()) or None
    body = _parsed_body(body_text)
    fields: Dict[str, Any] = dict(status=status, status_code=http, type=_decode(L.kimi_error_type()) or None,
                  code=_decode(L.kimi_error_code()) or None, request_id=_decode(L.kimi_error_request_id()) or None,
                  kind=kind, retry_after=retry_ms / 1000 if retry_ms >= 0 else None, body=body,
                  response=_raw.error_response(http, body_text) if http else None,
                  param=body.get("param") if is_object(body) else None)
    if status == ABORTED:
        return StreamAborted(message)
    if status == INVALID_ARGUMENT:
        return RequestRefusedError(message, param=_refused_param(detail), hint=_decode(L.kimi_error_hint()))
    if status in (TRANSPORT,):
        return APIConnectionError(message, **fields)
    if status == TIMEOUT:
        return APITimeoutError(message, **fields)
    if status in (PARSE, TOO_LARGE):
        return APIResponseValidationError(message, **fields)
    if status == INCOMPLETE:
        return IncompleteStreamError(message, **fields)
    if status == STEP_LIMIT:
        return StepLimitError(message, **fields)
    if status in (API, HTTP):
        if kind == "quota_exceeded":
            return QuotaExceededError(message, **fields)
        if kind in ("rate_limited", "overloaded"):
            return RateLimitError(message, **fields)
        if http and http >= 500 or kind == "server":
            return InternalServerError(message, **fields)
        cls = _BY_HTTP.get(http or 0)
        if cls is None and kind == "auth":
            cls = AuthenticationError
        return (cls or APIStatusError)(message, **fields)
    return APIError(message, **fields)


def check(status: int) -> None:
    """Raises the matching exception unless `status` is KIMI_OK."""
    if status != OK:
        raise last_error()
