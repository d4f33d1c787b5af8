"""The base of the result types (libkimi.types): result types shaped like openai-python's (same attribute paths, same
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

from __future__ import annotations

import json

from .._typing import is_list, is_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Dict, FrozenSet, Literal, Optional, Set, Tuple, Type, Union

    from typing_extensions import Self

    _IncEx = Union[Set[str], Dict[str, Any], None]

_DUMP_OPTIONS = frozenset({"mode", "include", "exclude", "by_alias", "exclude_unset", "exclude_defaults",
                           "exclude_none", "round_trip", "warnings", "context", "serialize_as_any",
                           "exclude_computed_fields", "fallback", "polymorphic_serialization"})


class _Object:
    """Base of the result types: openai-python's BaseModel methods."""

    __slots__ = ("_extra", "_set", "_derived")
    _fields: ClassVar[Tuple[str, ...]] = ()
    _kimi: ClassVar[Tuple[str, ...]] = ()
    _computed: ClassVar[Tuple[str, ...]] = ()
    #: field name -> class (or [class] for a list of them), for reading JSON.
    _nested: ClassVar[Dict[str, Any]] = {}
    _extra: Optional[Dict[str, Any]]
    _set: FrozenSet[str]
    _derived: Tuple[str, ...]

    # --- reading JSON ------------------------------------------------------

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> Self:
        """An object from the server's JSON (a dict), unknown fields kept."""
        if not isinstance(data, dict):
            return data
        read = _READERS.get(cls) or _reader(cls)
        made: Self = read(cls, data)
        return made

    def _after_json(self) -> None:
        """Values derived from the JSON (overridden where there are some)."""

    # --- openai-python's (pydantic's) accessors ------------------------------

    if not TYPE_CHECKING:  # a checker sees the declared attributes only, so a misspelt one is an error
        def __getattr__(self, name):
            # Only reached when normal lookup fails: an extra field, or a
            # declared field left unset (None, as pydantic's default: the
            # objects built per stream chunk set only what they carry, which
            # is cheaper).
            if not name.startswith("_"):
                extra = getattr(self, "_extra", None)
                if extra and name in extra:
                    return extra[name]
                if name in self._fields or name in self._kimi:
                    return None
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def model_extra(self) -> Dict[str, Any]:
        """Fields the server sent that this type does not name."""
        return dict(getattr(self, "_extra", None) or {})

    @property
    def model_fields_set(self) -> Set[str]:
        fields_set = getattr(self, "_set", None)
        if fields_set is not None:
            return set(fields_set)
        return {name for name in self._fields + self._kimi if getattr(self, name, None) is not None} | set(
            getattr(self, "_extra", None) or ())

    def _is_set(self, name: str) -> bool:
        fields_set = getattr(self, "_set", None)
        return name in fields_set if fields_set is not None else getattr(self, name, None) is not None

    def model_dump(self, **options: Any) -> Dict[str, Any]:
        """A plain dict, as pydantic's model_dump: every declared field,
        Kimi's fields and the extra ones when set. exclude_unset,
        exclude_none, exclude_defaults, include and exclude (sets of names)
        work as in pydantic; mode="json" is the same here (plain values)."""
        unknown = set(options) - _DUMP_OPTIONS
        if unknown:
            raise TypeError(f"model_dump() got an unexpected keyword argument {sorted(unknown)[0]!r}")
        return self._dump(bool(options.get("exclude_unset")), bool(options.get("exclude_none")),
                          bool(options.get("exclude_defaults")), options.get("include"), options.get("exclude"))

    def _dump(self, exclude_unset: bool, exclude_none: bool, exclude_defaults: bool, include: _IncEx = None,
              exclude: _IncEx = None) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        names = [n for n in self._fields if not exclude_unset or self._is_set(n)]
        names += [n for n in self._kimi if self._is_set(n)]
        extra: Dict[str, Any] = getattr(self, "_extra", None) or {}
        derived: Tuple[str, ...] = getattr(self, "_derived", ())  # filled in by libkimi, not sent: never dumped
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

    def to_dict(self, *, mode: Literal["json", "python"] = "python", use_api_names: bool = True,
                exclude_unset: bool = True, exclude_defaults: bool = False, exclude_none: bool = False,
                warnings: bool = True) -> Dict[str, object]:
        """openai-python's to_dict: by default only the fields that were set."""
        return self._dump(exclude_unset, exclude_none, exclude_defaults)

    def model_dump_json(self, *, indent: Optional[int] = None, **options: Any) -> str:
        """The JSON text of model_dump(), as pydantic writes it: compact
        (no spaces) unless `indent` is given, UTF-8 text as it is, fields
        in their order, so the same object always gives the same text."""
        return _json_text(self.model_dump(**options), indent)

    def to_json(self, *, indent: Optional[int] = 2, use_api_names: bool = True, exclude_unset: bool = True,
                exclude_defaults: bool = False, exclude_none: bool = False, warnings: bool = True) -> str:
        return _json_text(self._dump(exclude_unset, exclude_none, exclude_defaults), indent)

    @classmethod
    def model_validate(cls, obj: object, **_options: Any) -> Self:
        """An object of this type from a dict (as the server sends it;
        unknown fields kept) or an object of it. Unlike pydantic, the
        values' types are not checked."""
        if isinstance(obj, cls):
            return obj
        if isinstance(obj, _Object):
            obj = obj.model_dump(exclude_unset=True)
        if not is_object(obj):
            raise ValueError(f"{cls.__name__}.model_validate() takes a dict, not {type(obj).__name__}")
        return cls.from_json(obj)

    @classmethod
    def model_validate_json(cls, json_data: Union[str, bytes], **_options: Any) -> Self:
        return cls.model_validate(json.loads(json_data))

    @classmethod
    def model_construct(cls, _fields_set: Optional[Set[str]] = None, **values: Any) -> Self:
        """An object of this type from field values, not checked (as
        pydantic's model_construct; `construct` is its older name)."""
        return cls.from_json(values)

    construct = model_construct

    def model_copy(self, *, update: Optional[Dict[str, Any]] = None, deep: bool = False) -> Self:
        import copy
        copied = copy.deepcopy(self) if deep else copy.copy(self)
        for name, value in (update or {}).items():
            if name in type(self)._fields or name in type(self)._kimi:
                setattr(copied, name, value)
            else:
                copied._extra = dict(getattr(copied, "_extra", None) or {}, **{name: value})
        return copied

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name, None)!r}" for name in self._fields + self._kimi)
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Object) and type(self) is type(other) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]  # unhashable, as pydantic's models: object declares a method


#: Per class, its reader of JSON: written once per class on first use as
#: straight-line code (a store per field, as dataclasses writes __init__),
#: since every response is read through it and a loop over the fields costs
#: several times more.
_READERS: Dict[type, Any] = {}


def _reader(cls: Type[_Object]) -> Any:
    """Writes cls's reader: every field from the dict (nested types read as
    theirs), the members no field names kept as extra, which fields the
    JSON had (exclude_unset), then _after_json."""
    names = [name for name in cls._fields + cls._kimi + cls._computed if not name.startswith("_")]
    lines = ["def read(cls, data):", "    self = cls.__new__(cls)", "    get = data.get"]
    nested: Dict[str, Any] = {}
    for name in names:
        kind = cls._nested.get(name)
        if not name.isidentifier():
            raise TypeError(f"{cls.__name__}: field {name!r} is not an identifier")
        if kind is None:
            lines.append(f"    self.{name} = get({name!r})")
        else:
            nested[f"kind_{name}"] = kind
            lines += [f"    value = get({name!r})",
                      f"    self.{name} = None if value is None else _read(kind_{name}, value)"]
    lines += ["    extra = None",
              "    for key in data:",
              "        if key not in known:",
              "            if extra is None:",
              "                extra = {}",
              "            extra[key] = data[key]",
              "    self._extra = extra",
              "    self._set = frozenset(data)",
              "    self._after_json()",
              "    return self"]
    scope: Dict[str, Any] = dict(nested, _read=_read, known=frozenset(cls._fields + cls._kimi))
    exec("\n".join(lines), scope)
    reader = _READERS[cls] = scope["read"]
    return reader


def _read(kind: Any, value: Any) -> Any:
    if kind is None or value is None:
        return value
    if kind.__class__ is list:  # [cls]: a list of cls (a checker keeps `kind` as Any)
        return [kind[0].from_json(v) for v in value] if is_list(value) else value
    return kind.from_json(value)


def _json_text(value: Any, indent: Optional[int]) -> str:
    """JSON as pydantic's model_dump_json writes it (a NaN or an infinity,
    which JSON has no word for, as null, as pydantic does)."""
    separators = (",", ":") if indent is None else None
    try:
        return json.dumps(value, ensure_ascii=False, separators=separators, indent=indent, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, separators=separators, indent=indent)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if is_list(value):
        return [_finite(v) for v in value]
    if is_object(value):
        return {k: _finite(v) for k, v in value.items()}
    return value


def _dumped(value: Any, exclude_unset: bool, exclude_none: bool, exclude_defaults: bool) -> Any:
    if isinstance(value, _Object):
        return value._dump(exclude_unset, exclude_none, exclude_defaults)
    if is_list(value):
        return [_dumped(v, exclude_unset, exclude_none, exclude_defaults) for v in value]
    if is_object(value):
        return {k: _dumped(v, exclude_unset, exclude_none, exclude_defaults) for k, v in value.items()
                if not (v is None and exclude_none)}
    return value
