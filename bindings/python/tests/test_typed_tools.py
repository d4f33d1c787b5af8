"""Tools declared with Python types get their arguments as those types
(dataclasses, Enums, TypedDicts, pydantic models, Literal, Optional, lists,
nested), and arguments that do not fit go back to the model as the tool's
failure naming the field, never as a Python traceback."""

import asyncio
import dataclasses
import enum
from typing import Dict, List, Literal, Optional, TypedDict

import pytest

import libkimi
from libkimi._schema import ArgumentError, argument_reader


class Unit(enum.Enum):
    C = "celsius"
    F = "fahrenheit"


@dataclasses.dataclass
class Place:
    city: str
    country: str = "FR"


class Window(TypedDict):
    start: int
    end: int


def forecast(place: Place, unit: Unit, window: Optional[Window] = None, stops: Optional[List[Place]] = None,
             mode: Literal["brief", "full"] = "brief", tags: Optional[Dict[str, float]] = None) -> str:
    return f"{type(place).__name__} {place.city}/{place.country} {unit.value} {mode}"


def test_arguments_become_the_declared_types():
    read = argument_reader(forecast)
    got = read({"place": {"city": "Paris"}, "unit": "fahrenheit", "window": {"start": 1, "end": 2.0},
                "stops": [{"city": "Lyon", "country": "FR"}], "mode": "full", "tags": {"a": 1}})
    assert got["place"] == Place("Paris") and got["unit"] is Unit.F and got["mode"] == "full"
    assert got["window"] == {"start": 1, "end": 2} and type(got["window"]["end"]) is int
    assert got["stops"] == [Place("Lyon", "FR")] and got["tags"] == {"a": 1.0} and type(got["tags"]["a"]) is float
    assert read({"place": {"city": "Oslo"}, "unit": "celsius", "window": None}) == \
        {"place": Place("Oslo"), "unit": Unit.C, "window": None}


@pytest.mark.parametrize("arguments,named", [
    ({"unit": "celsius"}, "place: missing"),
    ({"place": {"country": "FR"}, "unit": "celsius"}, "place.city: missing"),
    ({"place": {"city": 3}, "unit": "celsius"}, "place.city: expected a string, got 3"),
    ({"place": "Paris", "unit": "celsius"}, "place: expected an object (Place)"),
    ({"place": {"city": "P"}, "unit": "kelvin"}, "unit: \"kelvin\" is not one of ['celsius', 'fahrenheit']"),
    ({"place": {"city": "P"}, "unit": "celsius", "mode": "long"}, "mode: \"long\" is not one of"),
    ({"place": {"city": "P"}, "unit": "celsius", "window": {"start": 1}}, "window.end: missing"),
    ({"place": {"city": "P"}, "unit": "celsius", "window": {"start": 1, "end": 1.5}}, "window.end: expected an integer"),
    ({"place": {"city": "P"}, "unit": "celsius", "stops": [{"city": "A"}, {"city": None}]}, "stops[1].city"),
    ({"place": {"city": "P"}, "unit": "celsius", "tags": {"a": True}}, "tags.a: expected a number, got true"),
    ({"place": {"city": "P"}, "unit": "celsius", "speed": 3}, "speed: not an argument of forecast"),
    ([1, 2], "must be a JSON object"),
])
def test_arguments_that_do_not_fit_name_the_field(arguments, named):
    with pytest.raises(ArgumentError) as info:
        argument_reader(forecast)(arguments)
    assert named in str(info.value)


def test_pydantic_models_when_installed():
    pydantic = pytest.importorskip("pydantic")

    class Item(pydantic.BaseModel):
        name: str
        count: int

    def order(item: Item, extra: Optional[List[Item]] = None) -> str:
        return item.name

    got = argument_reader(order)({"item": {"name": "a", "count": 2}, "extra": [{"name": "b", "count": 1}]})
    assert isinstance(got["item"], Item) and got["extra"][0].count == 1
    with pytest.raises(ArgumentError, match=r"extra\.0\.count|extra\[0\]\.count|count"):
        argument_reader(order)({"item": {"name": "a", "count": 2}, "extra": [{"name": "b", "count": "x"}]})


def test_a_typed_tool_in_the_loop(client):
    seen = []

    def typed(place: Place, unit: Unit) -> str:
        seen.append((place, unit))
        return f"{type(place).__name__}:{place.city}:{unit.value}"

    with client.conversation(tools=[typed]) as conv:
        conv.add_message("user", "weather?")
        reply = conv.run()
    assert seen == [(Place("city", "country"), Unit.C)]  # the mock fills each field from the schema
    assert reply.choices[0].message.content == "Tool results: typed=Place:city:celsius"


def test_arguments_that_do_not_fit_go_back_to_the_model(client):
    called = []

    def count_up(count: int) -> str:
        called.append(count)
        return str(count + 1)

    with client.conversation() as conv:
        # The schema the model sees says string; the function says int.
        conv.add_tool(count_up, parameters={"type": "object", "properties": {"count": {"type": "string"}}})
        conv.add_message("user", "count")
        reply = conv.run()
        assert called == []
        assert reply.choices[0].message.content == \
            'Tool results: count_up=invalid arguments for count_up: count: expected an integer, got "count"'
    with client.conversation(tools=[count_up]) as conv:
        conv.add_message("user", "count [[mock: bad_args]]")
        reply = conv.run()
        # The library's loop answers arguments that are not JSON itself.
        assert called == [] and "the arguments for count_up are not valid JSON" in reply.choices[0].message.content


def test_async_typed_tools(mock_url):
    seen = []

    async def typed(place: Place, unit: Unit) -> str:
        seen.append((place, unit))
        return unit.value

    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url) as client:
            conv = client.conversation(tools=[typed])
            conv.add_message("user", "weather?")
            return await conv.run()
    reply = asyncio.run(main())
    assert seen == [(Place("city", "country"), Unit.C)] and reply.choices[0].message.content == "Tool results: typed=celsius"
