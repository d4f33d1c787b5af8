"""Schemas from Python types for tools and structured output, and parse()."""

import dataclasses
import enum
import typing
from typing import Annotated, Dict, List, Literal, Optional

import pytest

import libkimi
from conftest import user
from libkimi._schema import describe_function, schema_of


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Place:
    """Somewhere on a map."""
    name: str
    lat: float
    tags: List[str] = dataclasses.field(default_factory=list)


class Options(typing.TypedDict, total=False):
    units: Literal["metric", "imperial"]
    days: int


@dataclasses.dataclass
class Node:
    value: int
    children: List["Node"] = dataclasses.field(default_factory=list)


def plan(place: Place, color: Color, options: Options, note: Optional[str] = None,
         weights: Dict[str, float] = None, level: Annotated[int, "how deep"] = 1) -> str:
    """Plans a trip.

    Args:
        place: where to go
    """


def test_tool_schema_from_nested_types():
    name, description, parameters = describe_function(plan)
    assert (name, description) == ("plan", "Plans a trip.")
    assert parameters["required"] == ["place", "color", "options"]
    props = parameters["properties"]
    assert props["place"] == {"type": "object", "description": "where to go", "additionalProperties": False,
                              "properties": {"name": {"type": "string"}, "lat": {"type": "number"},
                                             "tags": {"type": "array", "items": {"type": "string"}}},
                              "required": ["name", "lat"]}
    assert props["color"] == {"enum": ["red", "blue"], "type": "string"}
    assert props["options"] == {"type": "object", "additionalProperties": False, "properties": {
        "units": {"enum": ["metric", "imperial"], "type": "string"}, "days": {"type": "integer"}}}
    assert props["note"] == {"type": "string"}
    assert props["weights"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert props["level"] == {"type": "integer", "description": "how deep"}


def test_recursive_types_use_root_defs():
    schema = schema_of(Node, "test")
    assert schema["$defs"]["Node"]["properties"]["children"] == {"type": "array", "items": {"$ref": "#/$defs/Node"}}
    assert schema["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}


def test_unsupported_annotations_fail_at_declaration():
    import datetime

    def when(at: datetime.datetime):
        pass

    def pair(p: typing.Tuple[int, str]):
        pass

    def mixed(m: Literal["a", 1]):
        pass

    for fn, words in ((when, "at is annotated datetime"), (pair, "fixed-length tuple"), (mixed, "mixes value types")):
        with pytest.raises(TypeError, match=words):
            describe_function(fn)
    with pytest.raises(TypeError, match="response_format must be"):
        libkimi._schema.response_format(int)


def test_tools_made_from_typed_functions_reach_the_server(client):
    with client.conversation(tools=[plan]) as conv:
        conv.add_message("user", "go [[mock: tools=plan]]")
        with pytest.raises(libkimi.StepLimitError):
            conv.run(max_steps=1)


def test_parse_with_a_dataclass_a_typeddict_and_pydantic(client):
    completion = client.chat.completions.parse(messages=user("where?"), response_format=Place)
    assert isinstance(completion, libkimi.ParsedChatCompletion)
    assert completion.choices[0].message.parsed == Place("text", 1.5, ["text"])
    assert completion.model_dump()["choices"][0]["message"]["parsed"] == Place("text", 1.5, ["text"])

    class Reply(typing.TypedDict):
        answer: str
        confidence: float

    parsed = client.chat.completions.parse(messages=user("q"), response_format=Reply).choices[0].message.parsed
    assert parsed == {"answer": "text", "confidence": 1.5}

    pydantic = pytest.importorskip("pydantic")

    class Weather(pydantic.BaseModel):
        city: str
        degrees: int = pydantic.Field(description="Celsius")

    parsed = client.chat.completions.parse(messages=user("w"), response_format=Weather).choices[0].message.parsed
    assert parsed == Weather(city="text", degrees=7)
    schema = libkimi._schema.response_format(Weather)["json_schema"]["schema"]
    assert "title" not in schema and "title" not in schema["properties"]["city"]

    class Bounded(pydantic.BaseModel):
        n: int = pydantic.Field(ge=0)

    with pytest.raises(libkimi.RequestRefusedError, match="minimum"):  # checked against MFJS before sending
        client.chat.completions.parse(messages=user("b"), response_format=Bounded)
    with pytest.raises(TypeError, match="response_format="):
        client.chat.completions.parse(messages=user("x"), response_format={"type": "json_object"})
