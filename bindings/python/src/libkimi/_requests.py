"""Turns openai-style arguments into a libkimi request handle.

The keyword fields and extra_body go to the C library as one JSON body (one
call), which the library checks by Kimi's rules and sends as it is. A member
given both as a field and in extra_body goes as the request's extra JSON
instead, exactly as a C caller would give it, so the library judges it as it
always did (different values are refused, naming both). Messages holding
MediaPart objects are built through the message API so their files are
streamed, not loaded into Python; their extra_body goes as extra JSON too."""

from __future__ import annotations

import ctypes
import json

from . import _lib
from ._errors import OK, RequestRefusedError, check, last_error
from ._media import MediaPart
from ._options import NOT_GIVEN, CallSettings, given
from ._typing import is_array, is_list, is_object
from .types._base import _Object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Tuple

L = _lib.functions

# The body fields of openai-python's chat.completions.create, and Kimi's own
# (thinking). Anything else is a TypeError: a typo (max_token=...) is caught
# here instead of being sent; fields libkimi does not know go in extra_body.
BODY_FIELDS = frozenset({
    "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs", "max_completion_tokens",
    "max_tokens", "metadata", "modalities", "moderation", "n", "parallel_tool_calls", "prediction",
    "presence_penalty", "prompt_cache_key", "prompt_cache_options", "prompt_cache_retention", "reasoning_effort",
    "response_format", "safety_identifier", "seed", "service_tier", "stop", "store", "stream_options",
    "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
    "thinking",
})
#: openai-python's per-request options (and max_retries, which libkimi also
#: takes per call).
CALL_ARGUMENTS = ("extra_headers", "extra_query", "extra_body", "timeout", "max_retries")


def plain(value: Any) -> Any:
    """A JSON-ready value: result objects become dicts, None members dropped."""
    if isinstance(value, _Object):
        value = value.to_dict()
    if is_object(value):
        return {k: plain(v) for k, v in value.items() if given(v)}
    if is_array(value):
        return [plain(v) for v in value]
    return value


def _compact_encoder(default: Optional[Callable[[Any], Any]] = None) -> Callable[[Any], str]:
    """JSON as the library takes it (compact): json's C encoder called
    straight, without JSONEncoder.encode's Python layer and closure.
    It is made per call with a fresh circular-reference markers dict:
    without markers a dict that holds itself recursed in C to the
    recursion limit, which on a small thread stack (musl's default is 128
    KiB) crashed the process before any RecursionError; one markers dict
    shared by threads (or left holding ids after an error) would call
    objects seen by another call circular. A fresh dict costs about half a
    microsecond."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # a Python without json's C accelerator
        return json.JSONEncoder(separators=(",", ":"), default=default, allow_nan=False).encode
    fallback = default or json.JSONEncoder().default
    escape = json.encoder.encode_basestring_ascii
    return lambda value: "".join(make({}, fallback, escape, None, ":", ",", False, False, False)(value, 0))


_dumps = _compact_encoder()


def _json_text(dumps: Callable[[Any], str], value: Any) -> bytes:
    """`value` as the JSON the library reads. A value JSON cannot hold (a
    NaN or an infinity, which JSON has no word for; an int too long to
    write; a dict or list inside itself) is refused naming where it is
    (RequestRefusedError, a ValueError), not as "invalid JSON" somewhere
    in the text."""
    try:
        return dumps(value).encode()
    except ValueError as error:
        where = _unwritable(value, "")
        if where is None:
            raise
        raise RequestRefusedError(f"{where or 'the request'}: {error}", param=where or None) from None


def _unwritable(value: Any, path: str, inside: Tuple[int, ...] = ()) -> Optional[str]:
    """The path of the first value in `value` that JSON cannot hold, or
    None. Only asked once encoding failed."""
    if isinstance(value, float):
        return path if value != value or value in (_INFINITY, -_INFINITY) else None
    if isinstance(value, int):
        try:
            repr(value)
        except ValueError:  # more digits than sys.get_int_max_str_digits()
            return path
        return None
    if is_object(value) or is_array(value):
        if id(value) in inside:
            return path
        inside += (id(value),)
        try:
            if is_object(value):
                for key, member in value.items():
                    found = _unwritable(member, f"{path}.{key}" if path else str(key), inside)
                    if found is not None:
                        return found
            elif is_array(value):
                for i, element in enumerate(value):
                    found = _unwritable(element, f"{path}[{i}]", inside)
                    if found is not None:
                        return found
        except RecursionError:  # nested too deep to walk: the encoder's own message stands
            return None
    return None


_INFINITY = float("inf")


def _ready(value: Any) -> bool:
    """True when `value` is JSON as it is (plain() would return an equal
    copy): str, numbers, bools, and dicts and lists of them, without None
    members or result objects. Nearly every message is; checking is cheaper
    than copying."""
    kind = value.__class__  # type(value), seen by a checker as the Any it is
    if kind is str or kind is int or kind is float or kind is bool:
        return True
    if kind is dict:
        for member in value.values():
            if member is None or not _ready(member):
                return False
        return True
    if kind is list:
        for element in value:
            if not _ready(element):
                return False
        return True
    return False


def _ready_messages(messages: Any) -> bool:
    """_ready(messages), read straight for the common list of dicts of
    strings (one call instead of one per value)."""
    if messages.__class__ is not list:
        return False
    for message in messages:
        if message.__class__ is not dict:
            return False
        for member in message.values():
            if member.__class__ is not str and (member is None or not _ready(member)):
                return False
    return True


def _result_dict(value: object) -> Dict[str, Any]:
    """json.dumps' fallback for extra_body: result objects as dicts."""
    if isinstance(value, _Object):
        return value.to_dict()
    raise TypeError(f"extra_body: {type(value).__name__} is not JSON")


_dumps_extra = _compact_encoder(_result_dict)


def has_media(message: object) -> bool:
    content = message.get("content") if is_object(message) else None
    return is_list(content) and any(isinstance(part, MediaPart) for part in content)


_OPTIONS = frozenset(CALL_ARGUMENTS)
_SETTINGS = frozenset({"timeout", "max_retries", "extra_headers", "extra_query"})
#: The settings of a call that gives none (never changed).
NO_SETTINGS = CallSettings()


def split_arguments(method: str, fields: Mapping[str, Any], allowed: FrozenSet[str] = BODY_FIELDS
                    ) -> Tuple[Dict[str, Any], Dict[str, Any], CallSettings]:
    """(body fields, extra_body, CallSettings) of a method's keyword
    arguments; NOT_GIVEN and None values are left out."""
    body: Dict[str, Any] = {}
    for key, value in fields.items():
        if key in allowed:
            if given(value):
                body[key] = value
        elif key not in _OPTIONS:
            unknown = sorted(name for name in fields if name not in allowed and name not in _OPTIONS)
            names = ", ".join(repr(name) for name in unknown)
            raise TypeError(f"{method}() got unexpected keyword argument{'s' if len(unknown) > 1 else ''} {names}; "
                            f"send fields libkimi does not know with extra_body={{...}}")
    settings = NO_SETTINGS if _SETTINGS.isdisjoint(fields) else CallSettings(
        fields.get("timeout", NOT_GIVEN), fields.get("max_retries", NOT_GIVEN), fields.get("extra_headers"),
        fields.get("extra_query"))
    extra: Any = fields.get("extra_body")
    if extra.__class__ is not dict:
        if given(extra) and not is_object(extra):
            raise TypeError(f"extra_body must be a dict, not {type(extra).__name__}")
        extra = extra if given(extra) else {}
    return body, extra, settings


def build(model: Any, messages: Any, fields: Mapping[str, Any], method: str = "create") -> Tuple[ctypes.c_void_p, CallSettings]:
    """A kimi_chat_request handle (caller frees it) for these arguments,
    and the call's CallSettings (already applied to the request)."""
    body_fields, extra, settings = split_arguments(method, fields)
    if not given(model):
        raise TypeError(f"{method}() needs model=..., e.g. model=\"kimi-k2.6\"")
    if not given(messages):
        raise TypeError(f"{method}() needs messages=[...]")
    request = _built_plainly(model, messages, body_fields, extra)
    if request is not None:
        if settings:
            try:
                settings.apply_to_request(request)
            except BaseException:
                L.kimi_chat_request_free(request)
                raise
        return request, settings
    body: Dict[str, Any] = {"model": model}
    for key, value in body_fields.items():
        if key == "tools" or key == "response_format":
            from ._schema import response_format, tool_spec  # typing and dataclasses only when needed
            body[key] = [tool_spec(t) for t in value] if key == "tools" else response_format(value)
        else:
            body[key] = plain(value)
    if _ready_messages(messages):
        media = False  # the common case: sent as given, not copied
        body["messages"] = messages
    else:
        messages = [m if is_object(m) else plain(m) for m in messages]
        media = any(has_media(m) for m in messages)
        if not media:
            body["messages"] = [plain(m) for m in messages]
    dumps = _dumps
    if extra and not media and "stream" not in extra and body.keys().isdisjoint(extra):
        # openai-python merges extra_body over the body; with no member in
        # both, the merge is the body itself: one text, sent as it is. A
        # member in both (or "stream") goes to the C library's extra JSON
        # below, which refuses it as it always did unless the values agree.
        body.update(extra)
        extra = {}
        dumps = _dumps_extra
    request = ctypes.c_void_p()
    if L.kimi_chat_request_from_json(_json_text(dumps, body), ctypes.byref(request)) != OK:
        raise last_error()
    try:
        if media:
            for message in messages:
                append_message(request, message)
        if extra:
            # As given: a None in extra_body is JSON null, as openai-python sends it.
            check(L.kimi_chat_request_set_extra_json(request, _json_text(_dumps_extra, extra)))
        if settings:
            settings.apply_to_request(request)
    except BaseException:
        L.kimi_chat_request_free(request)
        raise
    return request, settings


#: What a plain request may hold (_built_plainly): text messages of these
#: roles, and at most thinking's type.
_PLAIN_ROLES = frozenset({"system", "user", "assistant"})
_THINKING_MODES = {"enabled": 1, "disabled": 2}  # KIMI_THINKING_ENABLED, _DISABLED


def _built_plainly(model: Any, messages: Any, body_fields: Dict[str, Any],
                   extra: Dict[str, Any]) -> Optional[ctypes.c_void_p]:
    """The request made with the calls a C program makes for it, when it is
    that simple: text messages of role and content only, and at most
    thinking's type (as a field, or alone in extra_body). Encoding it as JSON
    for the library to parse again costs about three times as much (3.4
    against 8.4 us for one message, 25 against 79 for 32), more than the
    rest of a small request's Python side. None for anything else, which
    goes as JSON, and for anything these calls refuse, so that the JSON
    path names the field in its error."""
    fields = body_fields or extra
    mode = 0
    if fields:  # thinking alone, as a field or in extra_body, with its type alone
        thinking: Any = fields.get("thinking")
        if (body_fields and extra) or len(fields) != 1 or thinking.__class__ is not dict or len(thinking) != 1:
            return None
        kind = thinking.get("type")
        mode = _THINKING_MODES.get(kind, 0) if kind.__class__ is str else 0
        if not mode:
            return None
    if model.__class__ is not str or not model or messages.__class__ is not list or not messages:
        return None
    texts: List[Tuple[bytes, bytes]] = []
    for message in messages:
        if message.__class__ is not dict or len(message) != 2:
            return None
        role, content = message.get("role"), message.get("content")
        if role.__class__ is not str or role not in _PLAIN_ROLES or content.__class__ is not str or "\0" in content:
            return None
        texts.append((role.encode(), content.encode("utf-8", "surrogatepass")))
    if "\0" in model:
        return None
    try:
        handle = L.kimi_chat_request_new(model.encode())
    except UnicodeEncodeError:
        return None
    if not handle:
        return None
    request = ctypes.c_void_p(handle)
    add = L.kimi_chat_request_add_message
    for role_bytes, text in texts:
        if add(request, role_bytes, text) != OK:
            L.kimi_chat_request_free(request)
            return None
    if mode and L.kimi_chat_request_set_thinking(request, mode) != OK:
        L.kimi_chat_request_free(request)
        return None
    return request


def append_message(request: ctypes.c_void_p, message: Any) -> None:
    handle = make_message(message)
    try:
        check(L.kimi_chat_request_append_message(request, handle))
    finally:
        L.kimi_message_free(handle)


def make_message(message: Any) -> ctypes.c_void_p:
    """A kimi_message handle for one message dict (caller frees it)."""
    handle = ctypes.c_void_p()
    if not has_media(message):
        check(L.kimi_message_from_json(json.dumps(plain(message), separators=(",", ":")).encode(),
                                       ctypes.byref(handle)))
        return handle
    rest = {k: v for k, v in message.items() if k != "content"}
    check(L.kimi_message_from_json(json.dumps(plain(rest), separators=(",", ":")).encode(), ctypes.byref(handle)))
    try:
        for part in message["content"]:
            add_part(handle, part)
    except BaseException:
        L.kimi_message_free(handle)
        raise
    return handle


def add_part(handle: ctypes.c_void_p, part: object) -> None:
    if isinstance(part, MediaPart):
        image = part.kind == "image"
        if part.path is not None:
            add = L.kimi_message_add_image_file if image else L.kimi_message_add_video_file
            check(add(handle, part.path.encode()))
        else:
            add = L.kimi_message_add_image_data if image else L.kimi_message_add_video_data
            data = part.data or b""
            check(add(handle, part.mime.encode() if part.mime else None, data, len(data)))
    elif isinstance(part, str):
        check(L.kimi_message_add_text(handle, part.encode()))
    elif is_object(part) and part.get("type") == "text":
        check(L.kimi_message_add_text(handle, str(part.get("text", "")).encode()))
    elif is_object(part) and part.get("type") in ("image_url", "video_url"):
        kind = part["type"][:5]
        value = part.get(part["type"])
        url = value.get("url") if is_object(value) else value
        add = L.kimi_message_add_image_url if kind == "image" else L.kimi_message_add_video_url
        check(add(handle, str(url).encode()))
    else:
        raise TypeError(f"unsupported content part: {part!r}")
