"""JSON Schemas (in Moonshot's MFJS subset) from Python types: for tools
made from functions, and for structured output (`response_format=Model`,
`chat.completions.parse`). Dataclasses, TypedDicts, Enums, Literal,
Optional, unions, lists, dicts and nested types are understood, and pydantic
models when pydantic is installed. An annotation that has no JSON Schema
raises TypeError when the tool or format is declared, never a silent {}.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import types
import typing

from ._typing import is_list, is_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple, Type

    from typing_extensions import TypeGuard

    Schema = Dict[str, Any]

def is_class(value: object) -> TypeGuard[Type[Any]]:
    """isinstance(value, type), seen by a checker as a class of anything."""
    return isinstance(value, type)


def _no_errors() -> List[Any]:
    return []


_SIMPLE = {str: "string", int: "integer", float: "number", bool: "boolean"}
_NONE = type(None)


def _is_pydantic(tp: Any) -> bool:
    return is_class(tp) and hasattr(tp, "model_json_schema") and hasattr(tp, "model_validate")


def _is_typeddict(tp: Any) -> bool:
    return is_class(tp) and dict in tp.__mro__ and hasattr(tp, "__annotations__") \
        and hasattr(tp, "__total__")


def is_structured(tp: typing.Any) -> bool:
    """A type a schema can be made of (a dataclass, TypedDict or pydantic model)."""
    return (is_class(tp) and dataclasses.is_dataclass(tp)) or _is_typeddict(tp) or _is_pydantic(tp)


class _Builder:
    """Makes one schema; named object types go to the root's $defs when
    they recur (MFJS allows $defs at the root only)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.defs: Dict[str, Optional[Schema]] = {}
        self.stack: List[Any] = []

    def schema(self, annotation: Any, path: str) -> Schema:
        if annotation is inspect.Parameter.empty or annotation is typing.Any or annotation is object:
            return {}
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            schema = self.schema(args[0], path)
            notes = [a for a in args[1:] if isinstance(a, str)]
            if notes:
                schema = dict(schema, description=" ".join(notes))
            return schema
        if origin is typing.Union or (hasattr(types, "UnionType") and isinstance(annotation, types.UnionType)):
            present = [a for a in args if a is not _NONE]
            options = [self.schema(a, path) for a in present]
            if len(present) < len(args):
                options.append({"type": "null"})
            return options[0] if len(options) == 1 else {"anyOf": options}
        if origin is typing.Literal:
            return _enum(list(args), path, self.where)
        if annotation is _NONE:
            return {"type": "null"}
        if origin in (list, set, frozenset) or annotation in (list, set, frozenset) or \
                origin in (typing.Sequence, typing.AbstractSet) or _abc_origin(origin, "Sequence", "Set"):
            array: Schema = {"type": "array"}
            if args:
                array["items"] = self.schema(args[0], f"{path}[]")
            return array
        if origin is tuple or annotation is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.schema(args[0], f"{path}[]")}
            if not args:
                return {"type": "array"}
            raise TypeError(f"{self.where}: {path} is a fixed-length tuple {_name(annotation)}, which MFJS cannot "
                            f"describe (no prefixItems); use tuple[X, ...] or a list")
        if origin is dict or annotation is dict or _abc_origin(origin, "Mapping"):
            mapping: Schema = {"type": "object"}
            if len(args) == 2:
                if args[0] is not str:
                    raise TypeError(f"{self.where}: {path} is {_name(annotation)}; JSON object keys are strings")
                mapping["additionalProperties"] = self.schema(args[1], f"{path}{{}}")
            return mapping
        if is_class(annotation) and issubclass(annotation, enum.Enum):
            members: Any = annotation  # an Enum class
            return _enum([member.value for member in members], path, self.where)
        if annotation in _SIMPLE:
            return {"type": _SIMPLE[annotation]}
        if is_structured(annotation):
            return self.named(annotation, path)
        raise TypeError(f"{self.where}: {path} is annotated {_name(annotation)}, which has no JSON Schema; use "
                        f"str, int, float, bool, a list, dict, Literal, Enum, Optional, a dataclass, a TypedDict "
                        f"or a pydantic model (or pass the schema yourself)")

    def named(self, tp: Any, path: str) -> Schema:
        name = tp.__name__
        if tp in self.stack:  # recursive: refer to it
            self.defs.setdefault(name, None)
            return {"$ref": f"#/$defs/{name}"}
        self.stack.append(tp)
        try:
            schema = self.object_schema(tp, path)
        finally:
            self.stack.pop()
        if name in self.defs:  # it turned out recursive
            self.defs[name] = schema
            return {"$ref": f"#/$defs/{name}"}
        return schema

    def object_schema(self, tp: Any, path: str) -> Schema:
        name: str = tp.__name__
        if _is_pydantic(tp):
            return pydantic_schema(tp)
        properties: Schema = {}
        required: List[str] = []
        hints = typing.get_type_hints(tp, include_extras=True)
        if dataclasses.is_dataclass(tp):
            for field in dataclasses.fields(tp):
                annotation = _omittable(hints.get(field.name, field.type), field.default)
                properties[field.name] = self.schema(annotation, f"{path}.{field.name}")
                if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                    required.append(field.name)
        else:
            required_keys = getattr(tp, "__required_keys__", frozenset(hints) if tp.__total__ else frozenset())
            for key, annotation in hints.items():
                if typing.get_origin(annotation) in (getattr(typing, "Required", None),
                                                     getattr(typing, "NotRequired", None)):
                    annotation = typing.get_args(annotation)[0]
                properties[key] = self.schema(annotation, f"{path}.{key}")
                if key in required_keys:
                    required.append(key)
        schema: Schema = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        doc = inspect.cleandoc(tp.__dict__.get("__doc__") or "")  # its own, not dict's
        if doc and not doc.startswith(f"{name}("):  # dataclasses' generated docstring is no description
            schema["description"] = " ".join(doc.split("\n\n")[0].split())
        return schema

    def finish(self, schema: Schema) -> Schema:
        if self.defs:
            defs = {name: s for name, s in self.defs.items() if s is not None}
            ref = schema.get("$ref", "")
            if set(schema) == {"$ref"} and ref.rsplit("/", 1)[-1] in defs:
                schema = dict(defs[ref.rsplit("/", 1)[-1]])  # a recursive root: the object itself at the top
            else:
                schema = dict(schema)
            schema["$defs"] = defs
        return schema


def _omittable(annotation: Any, default: Any) -> Any:
    """Optional[X] = None: the value may be left out, so its schema is X's
    (a model sends nothing rather than null)."""
    if default is not None:
        return annotation
    args = typing.get_args(annotation)
    if (typing.get_origin(annotation) is typing.Union or
            (hasattr(types, "UnionType") and isinstance(annotation, types.UnionType))) and _NONE in args:
        present = tuple(a for a in args if a is not _NONE)
        return present[0] if len(present) == 1 else typing.Union[present]
    return annotation


def _abc_origin(origin: Any, *names: str) -> bool:
    import collections.abc
    return any(origin is getattr(collections.abc, n) for n in names)


def _name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or repr(annotation)


def _enum(values: List[Any], path: str, where: str) -> Schema:
    kinds = {"number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
             for v in values}
    if len(kinds) > 1:
        raise TypeError(f"{where}: {path} mixes value types {sorted(kinds)}; MFJS enums hold one scalar type")
    schema: Schema = {"enum": values}
    value = values[0] if values else None
    if isinstance(value, bool):
        schema["type"] = "boolean"
    elif isinstance(value, str):
        schema["type"] = "string"
    elif isinstance(value, int) and all(isinstance(v, int) for v in values):
        schema["type"] = "integer"
    elif isinstance(value, (int, float)):
        schema["type"] = "number"
    return schema


def _without_titles(schema: Any) -> Any:
    """pydantic names every schema with a `title`, which MFJS refuses."""
    if is_object(schema):
        out: Schema = {}
        for key, value in schema.items():
            if key == "title" and isinstance(value, str):
                continue
            if key in ("properties", "$defs", "definitions", "patternProperties") and is_object(value):
                out[key] = {name: _without_titles(sub) for name, sub in value.items()}
            else:
                out[key] = _without_titles(value)
        return out
    if is_list(schema):
        return [_without_titles(item) for item in schema]
    return schema


def pydantic_schema(model: Any) -> Schema:
    schema: Schema = _without_titles(model.model_json_schema())
    return schema


def schema_of(annotation: Any, where: str) -> Schema:
    """The JSON Schema of one type."""
    builder = _Builder(where)
    return builder.finish(builder.schema(annotation, getattr(annotation, "__name__", "value")))


# --- tools from Python callables ---------------------------------------------------

def tool_spec(tool: Any) -> Any:
    """An openai-style tool dict: dicts pass through; callables get a
    function schema from their signature, type hints and docstring."""
    from ._requests import plain
    if is_object(tool):
        return plain(tool)
    if callable(tool):
        name, description, parameters = describe_function(tool)
        function: Schema = {"name": name, "parameters": parameters}
        if description:
            function["description"] = description
        return {"type": "function", "function": function}
    raise TypeError(f"a tool must be a dict or a callable, not {type(tool).__name__}")


def describe_function(fn: Callable[..., Any]) -> Tuple[str, str, Schema]:
    """(name, description, JSON Schema of the parameters) of a callable."""
    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        raise TypeError(f"tool {fn.__name__}: cannot read its type hints ({exc})") from None
    summary, param_docs = parse_docstring(inspect.getdoc(fn) or "")
    builder = _Builder(f"tool {fn.__name__}")
    properties: Schema = {}
    required: List[str] = []
    for pname, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        schema = builder.schema(_omittable(hints.get(pname, param.annotation), param.default), pname)
        if pname in param_docs:
            schema = dict(schema, description=param_docs[pname])
        properties[pname] = schema
        if param.default is param.empty:
            required.append(pname)
    parameters: Schema = {"type": "object", "properties": properties}
    if required:
        parameters["required"] = required
    return fn.__name__, summary, builder.finish(parameters)


def parse_docstring(doc: str) -> Tuple[str, Dict[str, str]]:
    """The first paragraph, and per-parameter text from ':param x: ...' or
    Google-style 'Args:' sections."""
    paragraphs = doc.strip().split("\n\n")
    summary = " ".join(paragraphs[0].split()) if paragraphs and paragraphs[0] else ""
    params: Dict[str, str] = {}
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


# --- structured output -------------------------------------------------------------

def response_format(value: Any) -> Any:
    """The request's response_format: a dict passes through; a dataclass,
    TypedDict or pydantic model becomes a strict json_schema format."""
    from ._requests import plain
    if is_object(value):
        return plain(value)
    if is_structured(value):
        return {"type": "json_schema",
                "json_schema": {"name": value.__name__, "strict": True,
                                "schema": schema_of(value, f"response_format {value.__name__}")}}
    raise TypeError(f"response_format must be a dict, a dataclass, a TypedDict or a pydantic model, "
                    f"not {_name(value) if isinstance(value, type) else type(value).__name__}")


def parse_content(tp: typing.Any, text: typing.Optional[str]) -> typing.Any:
    """The message content read as `tp` (a pydantic model, a dataclass, or a
    TypedDict's plain dict); ArgumentError names a field that does not fit."""
    if text is None:
        return None
    if _is_pydantic(tp):
        return tp.model_validate_json(text)
    return convert(tp, json.loads(text), "")


# --- values from JSON as Python types ----------------------------------------------

class ArgumentError(ValueError):
    """A value (a tool's argument, a structured answer) does not fit its
    declared type; the message names the field (`place.city`,
    `items[2]`)."""


def _where(path: str) -> str:
    return path or "the value"


def _join(path: str, name: object) -> str:
    return f"{path}.{name}" if path else str(name)


def _describe(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def convert(tp: Any, value: Any, path: str) -> Any:
    """`value` (decoded JSON) as annotation `tp`: dataclasses, TypedDicts,
    Enums, Literal, Optional and unions, lists, tuples, sets, dicts, pydantic
    models when installed, and the JSON scalars (an integral float is an
    int). Raises ArgumentError naming the field that does not fit."""
    if tp is inspect.Parameter.empty or tp is typing.Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return convert(args[0], value, path)
    if origin is typing.Union or (hasattr(types, "UnionType") and isinstance(tp, types.UnionType)):
        if value is None and _NONE in args:
            return None
        failures: List[str] = []
        for option in (a for a in args if a is not _NONE):
            try:
                return convert(option, value, path)
            except ArgumentError as failure:
                failures.append(str(failure))
        raise ArgumentError(failures[0] if len(failures) == 1 else
                            f"{_where(path)}: {_describe(value)} fits none of {_name(tp)}")
    if origin is typing.Literal:
        if any(value == a and type(value) is type(a) for a in args):
            return value
        raise ArgumentError(f"{_where(path)}: {_describe(value)} is not one of {list(args)!r}")
    if tp is _NONE:
        if value is None:
            return None
        raise ArgumentError(f"{_where(path)}: expected null, got {_describe(value)}")
    if is_class(tp) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            raise ArgumentError(f"{_where(path)}: {_describe(value)} is not one of "
                                f"{[m.value for m in tp]!r}") from None
    if _is_pydantic(tp):
        try:
            return tp.model_validate(value)
        except ValueError as failure:  # pydantic's ValidationError
            errors: Any = getattr(failure, "errors", _no_errors)()
            if errors:
                first = errors[0]
                where = ".".join(str(part) for part in first.get("loc", ()))
                raise ArgumentError(f"{_join(path, where) if where else _where(path)}: {first.get('msg')}") from None
            raise ArgumentError(f"{_where(path)}: {failure}") from None
    if is_class(tp) and dataclasses.is_dataclass(tp):
        fields = _object(tp, value, path)
        hints = typing.get_type_hints(tp, include_extras=True)
        given_values: Dict[str, Any] = {}
        for field in dataclasses.fields(tp):
            if not field.init:
                continue
            if field.name in fields:
                given_values[field.name] = convert(hints.get(field.name, field.type), fields[field.name],
                                                   _join(path, field.name))
            elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ArgumentError(f"{_join(path, field.name)}: missing")
        return tp(**given_values)
    if _is_typeddict(tp):
        fields = _object(tp, value, path)
        hints = typing.get_type_hints(tp)
        for key in getattr(tp, "__required_keys__", frozenset(hints) if tp.__total__ else frozenset()):
            if key not in fields:
                raise ArgumentError(f"{_join(path, key)}: missing")
        out: Dict[str, Any] = {}
        for key, item in fields.items():
            annotation = hints.get(key, typing.Any)
            if typing.get_origin(annotation) in (getattr(typing, "Required", None),
                                                 getattr(typing, "NotRequired", None)):
                annotation = typing.get_args(annotation)[0]
            out[key] = convert(annotation, item, _join(path, key))
        return out
    if origin in (list, set, frozenset) or tp in (list, set, frozenset) or \
            origin in (typing.Sequence, typing.AbstractSet) or _abc_origin(origin, "Sequence", "Set"):
        if not is_list(value):
            raise ArgumentError(f"{_where(path)}: expected a list, got {_describe(value)}")
        items = [convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value)] if args else list(value)
        if origin is frozenset or (origin is not set and tp is frozenset):
            return frozenset(items)
        if origin is set or tp is set:
            return set(items)
        return items
    if origin is tuple or tp is tuple:
        if not is_list(value):
            raise ArgumentError(f"{_where(path)}: expected a list, got {_describe(value)}")
        return tuple(convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value)) if args else tuple(value)
    if origin is dict or tp is dict or _abc_origin(origin, "Mapping"):
        if not is_object(value):
            raise ArgumentError(f"{_where(path)}: expected an object, got {_describe(value)}")
        if len(args) == 2:
            return {k: convert(args[1], v, _join(path, k)) for k, v in value.items()}
        return dict(value)
    return _scalar(tp, value, path)


def _object(tp: Any, value: Any, path: str) -> Dict[str, Any]:
    if not is_object(value):
        raise ArgumentError(f"{_where(path)}: expected an object ({tp.__name__}), got {_describe(value)}")
    return value


def _scalar(tp: Any, value: Any, path: str) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str):
            return value
    elif is_class(tp):
        if isinstance(value, tp):
            return value
    else:
        return value  # an annotation this reader does not know (a TypeVar, a string): as given
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}.get(tp, tp.__name__)
    raise ArgumentError(f"{_where(path)}: expected {kind}, got {_describe(value)}")


def argument_reader(fn: Callable[..., Any]) -> Callable[[Any], Dict[str, Any]]:
    """A function turning a tool call's decoded arguments (a dict) into
    `fn`'s keyword arguments, each converted to its declared type; raises
    ArgumentError naming the argument that is missing, unknown or does not
    fit."""
    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:
        hints = {}
    parameters = [p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    takes_more = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())

    def read(arguments: Any) -> Dict[str, Any]:
        if not is_object(arguments):
            raise ArgumentError(f"the arguments must be a JSON object, not {_describe(arguments)}")
        out: Dict[str, Any] = {}
        for parameter in parameters:
            name = parameter.name
            if name in arguments:
                out[name] = convert(hints.get(name, parameter.annotation), arguments[name], name)
            elif parameter.default is parameter.empty:
                raise ArgumentError(f"{name}: missing")
        unknown = [name for name in arguments if name not in out]
        if unknown and not takes_more:
            raise ArgumentError(f"{unknown[0]}: not an argument of {fn.__name__}")
        for name in unknown:
            out[name] = arguments[name]
        return out
    return read
