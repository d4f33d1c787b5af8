"""Turns openai-style arguments into a libkimi request handle.

The whole body goes to the C library as one JSON text (one call); messages
holding MediaPart objects are built through the message API so their files
are streamed, not loaded into Python."""

import ctypes
import inspect
import json

from . import _lib
from ._errors import check
from ._media import MediaPart
from ._types import _Object

L = _lib.functions

# Arguments of openai-python's create() that are not body fields.
_CLIENT_ARGS = {"extra_headers", "extra_query", "timeout"}


def plain(value):
    """A JSON-ready value: result objects become dicts, None members dropped."""
    if isinstance(value, _Object):
        value = value.to_dict()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def has_media(message):
    content = message.get("content") if isinstance(message, dict) else None
    return isinstance(content, list) and any(isinstance(part, MediaPart) for part in content)


def build(model, messages, fields):
    """A kimi_chat_request handle (caller frees it) for these arguments."""
    unknown = _CLIENT_ARGS & set(fields)
    if unknown:
        raise TypeError(f"per-request {', '.join(sorted(unknown))} are not supported; set them on the Client")
    body = {"model": model}
    extra = fields.pop("extra_body", None) or {}
    for key, value in fields.items():
        if value is not None:
            body[key] = plain(value) if key != "tools" else [tool_spec(t) for t in value]
    body.update(plain(extra))
    messages = [m if isinstance(m, dict) else plain(m) for m in messages]
    media = any(has_media(m) for m in messages)
    if not media:
        body["messages"] = [plain(m) for m in messages]
    request = ctypes.c_void_p()
    check(L.kimi_chat_request_from_json(json.dumps(body, separators=(",", ":")).encode(), ctypes.byref(request)))
    if media:
        try:
            for message in messages:
                append_message(request, message)
        except BaseException:
            L.kimi_chat_request_free(request)
            raise
    return request


def append_message(request, message):
    handle = make_message(message)
    try:
        check(L.kimi_chat_request_append_message(request, handle))
    finally:
        L.kimi_message_free(handle)


def make_message(message):
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


def add_part(handle, part):
    if isinstance(part, MediaPart):
        image = part.kind == "image"
        if part.path is not None:
            add = L.kimi_message_add_image_file if image else L.kimi_message_add_video_file
            check(add(handle, part.path.encode()))
        else:
            add = L.kimi_message_add_image_data if image else L.kimi_message_add_video_data
            check(add(handle, part.mime.encode() if part.mime else None, part.data, len(part.data)))
    elif isinstance(part, str):
        check(L.kimi_message_add_text(handle, part.encode()))
    elif isinstance(part, dict) and part.get("type") == "text":
        check(L.kimi_message_add_text(handle, str(part.get("text", "")).encode()))
    elif isinstance(part, dict) and part.get("type") in ("image_url", "video_url"):
        kind = part["type"][:5]
        value = part.get(part["type"])
        url = value.get("url") if isinstance(value, dict) else value
        add = L.kimi_message_add_image_url if kind == "image" else L.kimi_message_add_video_url
        check(add(handle, str(url).encode()))
    else:
        raise TypeError(f"unsupported content part: {part!r}")


# --- tools from Python callables -----------------------------------------------------

def tool_spec(tool):
    """An openai-style tool dict: dicts pass through; callables get a
    function schema from their signature, type hints and docstring."""
    if isinstance(tool, dict):
        return plain(tool)
    if callable(tool):
        name, description, parameters = describe_function(tool)
        function = {"name": name, "parameters": parameters}
        if description:
            function["description"] = description
        return {"type": "function", "function": function}
    raise TypeError(f"a tool must be a dict or a callable, not {type(tool).__name__}")


def describe_function(fn):
    """(name, description, JSON Schema of the parameters) of a callable."""
    import typing
    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    doc = inspect.getdoc(fn) or ""
    summary, param_docs = parse_docstring(doc)
    properties, required = {}, []
    for pname, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        schema = json_schema_for(hints.get(pname, param.annotation))
        if pname in param_docs:
            schema["description"] = param_docs[pname]
        properties[pname] = schema
        if param.default is param.empty:
            required.append(pname)
    parameters = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return fn.__name__, summary, parameters


def parse_docstring(doc):
    """The first paragraph, and per-parameter text from ':param x: ...' or
    Google-style 'Args:' sections."""
    paragraphs = doc.strip().split("\n\n")
    summary = " ".join(paragraphs[0].split()) if paragraphs and paragraphs[0] else ""
    params = {}
    in_args = False
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.startswith(":param "):
            name, _, text = stripped[len(":param "):].partition(":")
            params[name.strip().split()[-1]] = text.strip()
        elif stripped in ("Args:", "Arguments:", "Parameters:"):
            in_args = True
        elif in_args and ":" in stripped:
            name, _, text = stripped.partition(":")
            params[name.split("(")[0].strip()] = text.strip()
        elif in_args and not stripped:
            in_args = False
    if summary.startswith(":param") or summary in ("Args:", "Arguments:"):
        summary = ""
    return summary, params


def json_schema_for(annotation):
    """A JSON Schema (in Moonshot's MFJS subset) for a type hint."""
    import enum
    import typing
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return {}
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union:
        present = [a for a in args if a is not type(None)]
        return json_schema_for(present[0]) if len(present) == 1 else {"anyOf": [json_schema_for(a) for a in present]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set):
        schema = {"type": "array"}
        if args:
            schema["items"] = json_schema_for(args[0])
        return schema
    if origin is dict or annotation is dict:
        return {"type": "object"}
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {"enum": [member.value for member in annotation]}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if annotation in simple:
        return {"type": simple[annotation]}
    return {}
