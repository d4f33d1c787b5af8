"""Result types shaped like openai-python's (same attribute paths, same
dump methods), as plain __slots__ classes: cheap enough to build one per
stream chunk.

Each class names openai-python's fields (`_fields`), Kimi's additions
(`_kimi`: reasoning_content, per-choice usage, top-level cached_tokens, ...)
and values libkimi computes (`_computed`: full_content, cost_usd; never
dumped). Fields the server sent that none of these name are kept in
`model_extra` and dumped, as pydantic's extra="allow" does in openai-python.
Objects read from JSON remember which fields the JSON had (exclude_unset);
objects libkimi assembles (stream chunks) count their non-None fields as set.
"""

import json
from typing import Any, Dict, List, Optional

_DUMP_OPTIONS = frozenset({"mode", "include", "exclude", "by_alias", "exclude_unset", "exclude_defaults",
                           "exclude_none", "round_trip", "warnings", "context", "serialize_as_any",
                           "exclude_computed_fields", "fallback", "polymorphic_serialization"})


class _Object:
    """Base of the result types: openai-python's BaseModel methods."""

    __slots__ = ("_extra", "_set", "_derived")
    _fields: tuple = ()
    _kimi: tuple = ()
    _computed: tuple = ()
    #: field name -> class (or [class] for a list of them), for reading JSON.
    _nested: dict = {}

    # --- reading JSON ------------------------------------------------------

    @classmethod
    def from_json(cls, data):
        """An object from the server's JSON (a dict), unknown fields kept."""
        if not isinstance(data, dict):
            return data
        self = cls.__new__(cls)
        fields, known = _PLANS.get(cls) or _plan(cls)
        get = data.get
        for name, kind in fields:
            value = get(name)
            if kind is not None and value is not None:
                value = _read(kind, value)
            object.__setattr__(self, name, value)
        extra = None
        for key in data:
            if key not in known:
                if extra is None:
                    extra = {}
                extra[key] = data[key]
        self._extra = extra
        self._set = frozenset(data)  # which fields the JSON had (exclude_unset)
        self._after_json()
        return self

    def _after_json(self):
        """Values derived from the JSON (overridden where there are some)."""

    # --- openai-python's (pydantic's) accessors ------------------------------

    def __getattr__(self, name):
        # Only reached when normal lookup fails: an unset slot or an extra field.
        if not name.startswith("_"):
            extra = getattr(self, "_extra", None)
            if extra and name in extra:
                return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def model_extra(self) -> Dict[str, Any]:
        """Fields the server sent that this type does not name."""
        return dict(getattr(self, "_extra", None) or {})

    @property
    def model_fields_set(self):
        fields_set = getattr(self, "_set", None)
        if fields_set is not None:
            return set(fields_set)
        return {name for name in self._fields + self._kimi if getattr(self, name, None) is not None} | set(
            getattr(self, "_extra", None) or ())

    def _is_set(self, name):
        fields_set = getattr(self, "_set", None)
        return name in fields_set if fields_set is not None else getattr(self, name, None) is not None

    def model_dump(self, **options) -> Dict[str, Any]:
        """A plain dict, as pydantic's model_dump: every declared field,
        Kimi's fields and the extra ones when set. exclude_unset,
        exclude_none, exclude_defaults, include and exclude (sets of names)
        work as in pydantic; mode="json" is the same here (plain values)."""
        unknown = set(options) - _DUMP_OPTIONS
        if unknown:
            raise TypeError(f"model_dump() got an unexpected keyword argument {sorted(unknown)[0]!r}")
        return self._dump(bool(options.get("exclude_unset")), bool(options.get("exclude_none")),
                          bool(options.get("exclude_defaults")), options.get("include"), options.get("exclude"))

    def _dump(self, exclude_unset, exclude_none, exclude_defaults, include=None, exclude=None):
        out = {}
        names = [n for n in self._fields if not exclude_unset or self._is_set(n)]
        names += [n for n in self._kimi if self._is_set(n)]
        extra = getattr(self, "_extra", None) or {}
        derived = getattr(self, "_derived", ())  # filled in by libkimi, not sent: never dumped
        for name in names + list(extra):
            if name in derived:
                continue
            if (include is not None and name not in include) or (exclude is not None and name in exclude):
                continue
            value = extra[name] if name in extra else getattr(self, name, None)
            if value is None and (exclude_none or exclude_defaults):
                continue
            out[name] = _dumped(value, exclude_unset, exclude_none, exclude_defaults)
        return out

    def to_dict(self, *, mode="python", use_api_names=True, exclude_unset=True, exclude_defaults=False,
                exclude_none=False, warnings=True) -> Dict[str, Any]:
        """openai-python's to_dict: by default only the fields that were set."""
        return self._dump(exclude_unset, exclude_none, exclude_defaults)

    def model_dump_json(self, *, indent=None, **options) -> str:
        return json.dumps(self.model_dump(**options), indent=indent, ensure_ascii=False)

    def to_json(self, *, indent=2, use_api_names=True, exclude_unset=True, exclude_defaults=False,
                exclude_none=False, warnings=True) -> str:
        return json.dumps(self._dump(exclude_unset, exclude_none, exclude_defaults), indent=indent,
                          ensure_ascii=False)

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name, None)!r}" for name in self._fields + self._kimi)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other):
        return type(self) is type(other) and self.model_dump() == other.model_dump()

    __hash__ = None


#: Per class: the fields read from JSON with their nested type, and the
#: names that are not extra. Built once per class on first use.
_PLANS = {}


def _plan(cls):
    fields = tuple((name, cls._nested.get(name)) for name in cls._fields + cls._kimi + cls._computed
                   if not name.startswith("_"))
    plan = _PLANS[cls] = (fields, frozenset(cls._fields + cls._kimi))
    return plan


def _read(kind, value):
    if kind is None or value is None:
        return value
    if isinstance(kind, list):
        return [kind[0].from_json(v) for v in value] if isinstance(value, list) else value
    return kind.from_json(value)


def _dumped(value, exclude_unset, exclude_none, exclude_defaults):
    if isinstance(value, _Object):
        return value._dump(exclude_unset, exclude_none, exclude_defaults)
    if isinstance(value, list):
        return [_dumped(v, exclude_unset, exclude_none, exclude_defaults) for v in value]
    if isinstance(value, dict):
        return {k: _dumped(v, exclude_unset, exclude_none, exclude_defaults) for k, v in value.items()
                if not (v is None and exclude_none)}
    return value


# --- chat completions ----------------------------------------------------------

class Function(_Object):
    __slots__ = _fields = ("arguments", "name")

    def __init__(self, name, arguments):
        self.name = name
        self.arguments = arguments


class ChatCompletionMessageToolCall(_Object):
    __slots__ = _fields = ("id", "function", "type")
    _nested = {"function": Function}

    def __init__(self, id, type, function):
        self.id = id
        self.type = type
        self.function = function


class ChatCompletionMessage(_Object):
    """The assistant's message. `reasoning_content` is Kimi's thinking."""

    _fields = ("content", "refusal", "role", "annotations", "audio", "function_call", "tool_calls")
    _kimi = ("reasoning_content",)
    __slots__ = _fields + _kimi
    _nested = {"tool_calls": [ChatCompletionMessageToolCall]}

    def __init__(self, role, content, reasoning_content=None, tool_calls=None):
        self.role = role
        self.content = content
        self.reasoning_content = reasoning_content
        self.tool_calls = tool_calls
        self.refusal = self.annotations = self.audio = self.function_call = None


class PromptTokensDetails(_Object):
    __slots__ = _fields = ("audio_tokens", "cached_tokens")

    def __init__(self, cached_tokens, audio_tokens=None):
        self.cached_tokens = cached_tokens
        self.audio_tokens = audio_tokens


class CompletionTokensDetails(_Object):
    __slots__ = _fields = ("accepted_prediction_tokens", "audio_tokens", "reasoning_tokens",
                           "rejected_prediction_tokens")


class CompletionUsage(_Object):
    """Token counts. `cached_tokens` is read from either spelling Kimi uses
    (top level, or prompt_tokens_details), and both are filled in."""

    _fields = ("completion_tokens", "prompt_tokens", "total_tokens", "completion_tokens_details",
               "prompt_tokens_details")
    _kimi = ("cached_tokens",)
    __slots__ = _fields + _kimi
    _nested = {"prompt_tokens_details": PromptTokensDetails, "completion_tokens_details": CompletionTokensDetails}

    def __init__(self, prompt_tokens, completion_tokens, total_tokens, cached_tokens=None):
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.total_tokens = total_tokens
        self.cached_tokens = cached_tokens
        self.prompt_tokens_details = PromptTokensDetails(cached_tokens) if cached_tokens is not None else None
        self.completion_tokens_details = None

    def _after_json(self):
        details = self.prompt_tokens_details
        if self.cached_tokens is None and details is not None:
            self.cached_tokens = getattr(details, "cached_tokens", None)
            self._derived = ("cached_tokens",)
        elif self.cached_tokens is not None and details is None:
            self.prompt_tokens_details = PromptTokensDetails(self.cached_tokens)
            self._derived = ("prompt_tokens_details",)

    @classmethod
    def from_dict(cls, usage: Optional[dict]):
        return cls.from_json(usage) if usage else None


class Choice(_Object):
    _fields = ("finish_reason", "index", "logprobs", "message")
    _kimi = ("usage",)
    __slots__ = _fields + _kimi
    _nested = {"message": ChatCompletionMessage, "usage": CompletionUsage}

    def __init__(self, index, message, finish_reason, usage=None):
        self.index = index
        self.message = message
        self.finish_reason = finish_reason
        self.logprobs = None
        self.usage = usage


class ChatCompletion(_Object):
    """A chat completion. `full_content` is Partial Mode's prefix followed by
    the completion (the content when there was no prefix). `cost_usd` is
    what it cost under the client's prices (Client(pricing=...)), its
    `$web_search` calls (`web_search_calls`) included.
    `_request_id` is the server's request id, as in openai-python."""

    _fields = ("id", "choices", "created", "model", "object", "service_tier", "system_fingerprint", "usage")
    _computed = ("full_content", "cost_usd", "web_search_calls", "_request_id")
    __slots__ = _fields + _computed
    _nested = {"choices": [Choice], "usage": CompletionUsage}

    def __init__(self, id, created, model, choices, usage, full_content=None, cost_usd=None):
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.service_tier = self.system_fingerprint = None
        self.full_content = full_content
        self.cost_usd = cost_usd
        self.web_search_calls = None
        self._request_id = None

    def _after_json(self):
        self.choices = self.choices or []
        for position, choice in enumerate(self.choices):
            if isinstance(choice, Choice) and choice.index is None:
                choice.index = position
        if self.usage is None and self.choices and isinstance(self.choices[0], Choice):
            self.usage = self.choices[0].usage
        self.full_content = None
        self.cost_usd = None
        self.web_search_calls = None
        self._request_id = None

    @classmethod
    def from_dict(cls, body: dict, full_content=None):
        completion = cls.from_json(body)
        if full_content is None and completion.choices:
            message = completion.choices[0].message
            full_content = message.content if message is not None else None
        completion.full_content = full_content
        return completion


class ParsedChatCompletionMessage(ChatCompletionMessage):
    """The message of chat.completions.parse(): `parsed` is the answer read
    as the response_format type."""

    _fields = ChatCompletionMessage._fields + ("parsed",)
    __slots__ = ("parsed",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed = None


class ParsedChoice(Choice):
    __slots__ = ()
    _nested = dict(Choice._nested, message=ParsedChatCompletionMessage)


class ParsedChatCompletion(ChatCompletion):
    __slots__ = ()
    _nested = dict(ChatCompletion._nested, choices=[ParsedChoice])


# --- stream chunks -------------------------------------------------------------

class ChoiceDeltaToolCallFunction(_Object):
    __slots__ = _fields = ("arguments", "name")

    def __init__(self, name=None, arguments=None):
        self.name = name
        self.arguments = arguments


class ChoiceDeltaToolCall(_Object):
    __slots__ = _fields = ("index", "id", "function", "type")

    def __init__(self, index, id=None, type=None, function=None):
        self.index = index
        self.id = id
        self.type = type
        self.function = function


class ChoiceDelta(_Object):
    _fields = ("audio", "content", "function_call", "refusal", "role", "tool_calls")
    _kimi = ("reasoning_content",)
    __slots__ = _fields + _kimi

    def __init__(self, role=None, content=None, reasoning_content=None, tool_calls=None):
        self.role = role
        self.content = content
        self.reasoning_content = reasoning_content
        self.tool_calls = tool_calls
        self.audio = self.function_call = self.refusal = None


class ChunkChoice(_Object):
    """A choice in a chunk; `usage` is Kimi's per-choice usage (finish chunk)."""

    _fields = ("delta", "finish_reason", "index", "logprobs")
    _kimi = ("usage",)
    __slots__ = _fields + _kimi

    def __init__(self, index, delta, finish_reason=None, usage=None):
        self.index = index
        self.delta = delta
        self.finish_reason = finish_reason
        self.logprobs = None
        self.usage = usage


class ChatCompletionChunk(_Object):
    _fields = ("id", "choices", "created", "model", "object", "service_tier", "system_fingerprint", "usage")
    __slots__ = _fields

    def __init__(self, id, created, model, choices, usage=None):
        self.id = id
        self.object = "chat.completion.chunk"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.service_tier = self.system_fingerprint = None


class StreamEvent(_Object):
    """One libkimi stream event: type is "role", "reasoning", "content",
    "tool_call_start", "tool_call_delta", "tool_call_done", "usage",
    "finish" or "done"."""

    __slots__ = _fields = ("type", "text", "choice_index", "tool_call_index", "tool_call_id", "tool_call_name",
                           "finish_reason", "usage")

    def __init__(self, type, text="", choice_index=-1, tool_call_index=-1, tool_call_id=None, tool_call_name=None,
                 finish_reason=None, usage=None):
        self.type = type
        self.text = text
        self.choice_index = choice_index
        self.tool_call_index = tool_call_index
        self.tool_call_id = tool_call_id
        self.tool_call_name = tool_call_name
        self.finish_reason = finish_reason
        self.usage = usage


# --- files, models, balance -----------------------------------------------------

class FileObject(_Object):
    __slots__ = _fields = ("id", "bytes", "created_at", "filename", "object", "purpose", "status", "expires_at",
                           "status_details")

    def __init__(self, id, bytes, created_at, filename, purpose, status, status_details):
        self.id = id
        self.object = "file"
        self.bytes = bytes
        self.created_at = created_at
        self.filename = filename
        self.purpose = purpose
        self.status = status
        self.expires_at = None
        self.status_details = status_details


class FileDeleted(_Object):
    __slots__ = _fields = ("id", "deleted", "object")

    def __init__(self, id, deleted=True):
        self.id = id
        self.object = "file"
        self.deleted = deleted


class FileContent(_Object):
    """A file's content: its bytes (`content`) and its text (`text`, UTF-8;
    a byte that is not becomes U+FFFD)."""

    __slots__ = ("content",)
    _fields = ("text",)

    def __init__(self, content):
        self.content = content if isinstance(content, bytes) else str(content).encode("utf-8")

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class Model(_Object):
    """A model; Kimi adds its context length and what it accepts."""

    _fields = ("id", "created", "object", "owned_by")
    _kimi = ("context_length", "supports_image_in", "supports_video_in", "supports_reasoning")
    __slots__ = _fields + _kimi

    def __init__(self, id, context_length, supports_image_in, supports_video_in, supports_reasoning):
        self.id = id
        self.object = "model"
        self.created = self.owned_by = None
        self.context_length = context_length
        self.supports_image_in = supports_image_in
        self.supports_video_in = supports_video_in
        self.supports_reasoning = supports_reasoning


class Page(_Object):
    """A list result (`data`), iterable like openai-python's pages."""

    __slots__ = _fields = ("data", "object")

    def __init__(self, data: List[Any]):
        self.object = "list"
        self.data = data

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return self.data[i]


class Balance(_Object):
    """Account balance: USD on api.moonshot.ai, CNY on api.moonshot.cn."""

    __slots__ = _fields = ("available_balance", "voucher_balance", "cash_balance")

    def __init__(self, available_balance, voucher_balance, cash_balance):
        self.available_balance = available_balance
        self.voucher_balance = voucher_balance
        self.cash_balance = cash_balance


class UsageTotals(_Object):
    """A client's running totals (Client.usage)."""

    __slots__ = _fields = ("prompt_tokens", "cached_tokens", "completion_tokens", "responses", "cost_usd",
                           "web_search_calls")

    def __init__(self, prompt_tokens, cached_tokens, completion_tokens, responses, cost_usd, web_search_calls=0):
        self.prompt_tokens = prompt_tokens
        self.cached_tokens = cached_tokens
        self.completion_tokens = completion_tokens
        self.responses = responses
        self.cost_usd = cost_usd
        self.web_search_calls = web_search_calls
