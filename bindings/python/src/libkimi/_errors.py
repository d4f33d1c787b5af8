"""Exceptions with openai-python's names and meanings, built from libkimi's
thread-local last error. Each carries status_code, type, code, request_id,
kind (a KIMI_KIND_* name) and retry_after (seconds)."""

import json

from . import _lib, _raw

KINDS = {0: "none", 1: "rate_limited", 2: "overloaded", 3: "quota_exceeded", 4: "auth", 5: "permission",
         6: "not_found", 7: "invalid_request", 8: "content_filter", 9: "server", 10: "transport", 11: "timeout",
         12: "aborted", 13: "incomplete", 14: "bad_response", 15: "internal"}

OK, INVALID_ARGUMENT, NOMEM, TRANSPORT, TIMEOUT, HTTP, API, PARSE, ABORTED, INCOMPLETE, INTERNAL, TOO_LARGE, \
    STEP_LIMIT, PENDING = range(14)


class KimiError(Exception):
    """Base of every libkimi error (openai-python: OpenAIError)."""


class APIError(KimiError):
    """A failed call. `message` says what failed, naming the argument or
    field. As in openai-python: `body` is the error answer's JSON (its
    "error" object when it has one; the text when it is not JSON), `code`,
    `type` and `param` come from it, `request_id` is the server's, and
    `response` is the HTTP answer (status_code, headers) when there was
    one. libkimi adds `kind` (what to do about it), `retry_after` (seconds
    the server asked to wait, from Retry-After as seconds or an HTTP-date,
    retry-after-ms, or Kimi's "try again after N seconds") and `status`
    (the C library's status)."""

    def __init__(self, message, *, status=0, status_code=None, type=None, code=None, request_id=None, kind="none",
                 retry_after=None, body=None, response=None, param=None):
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


class BadRequestError(APIStatusError):
    """400: the request is invalid (also raised for requests refused locally,
    before sending, by Kimi's rules; then status_code is None)."""


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


class IncompleteStreamError(APIError):
    """The stream ended before `data: [DONE]`; `partial` holds what arrived."""

    partial = None


class StreamAborted(KimiError):
    """The stream was stopped by the caller (a callback, close(), a cancel token)."""


class StepLimitError(APIError):
    """The tool loop reached max_steps with tool calls still pending; the
    conversation is ready for another run. `completion` is the last answer."""

    completion = None


class ToolError(Exception):
    """Raise it in a tool to send its message to the model as the tool's
    failure (the loop goes on). Any other exception stops the loop and is
    re-raised by run()."""


_BY_HTTP = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError,
            409: ConflictError, 422: UnprocessableEntityError, 429: RateLimitError}


def _decode(raw):
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


def python_message(detail, hint):
    """libkimi's words for a failure, with its hint in Python names."""
    rendered = HINTS.get(hint or "")
    return f"{detail} ({rendered})" if rendered else detail


def _parsed_body(text):
    """openai-python's `body`: the answer's "error" object, the JSON, or the text."""
    if not text:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
        return parsed["error"]
    return parsed


def last_error():
    """The exception for the calling thread's last libkimi failure."""
    L = _lib.functions
    status = L.kimi_error_status()
    detail = _decode(L.kimi_error_detail()) or _decode(L.kimi_status_str(status))
    message = python_message(detail, _decode(L.kimi_error_hint()))
    http = L.kimi_error_http_status() or None
    kind = KINDS.get(L.kimi_error_kind(), "none")
    retry_ms = L.kimi_error_retry_after_ms()
    body_text = _decode(L.kimi_error_body()) or None
    body = _parsed_body(body_text)
    fields = dict(status=status, status_code=http, type=_decode(L.kimi_error_type()) or None,
                  code=_decode(L.kimi_error_code()) or None, request_id=_decode(L.kimi_error_request_id()) or None,
                  kind=kind, retry_after=retry_ms / 1000 if retry_ms >= 0 else None, body=body,
                  response=_raw.error_response(http, body_text) if http else None,
                  param=body.get("param") if isinstance(body, dict) else None)
    if status == ABORTED:
        return StreamAborted(message)
    if status == INVALID_ARGUMENT:
        return BadRequestError(message, **fields)
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


def check(status):
    """Raises the matching exception unless `status` is KIMI_OK."""
    if status != OK:
        raise last_error()
