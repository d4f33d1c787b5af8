"""Conversations with Python tools and the automatic tool loop."""

import json
from enum import Enum
from typing import List, Literal, Optional

import pytest

import libkimi
from libkimi._schema import describe_function


def calc(expression: str) -> str:
    """Evaluates arithmetic.

    :param expression: e.g. 6*7
    """
    return str(eval(expression, {"__builtins__": {}}))  # test-only calculator


class Unit(Enum):
    C = "celsius"
    F = "fahrenheit"


def forecast(city: str, days: int = 1, unit: Unit = Unit.C, hourly: Optional[bool] = None,
             fields: List[str] = (), mode: Literal["brief", "full"] = "brief"):
    """Weather forecast.

    Args:
        city: the city name
        days: how many days
    """


def test_schema_from_signature():
    name, description, parameters = describe_function(forecast)
    assert name == "forecast"
    assert description == "Weather forecast."
    assert parameters == {"type": "object", "required": ["city"], "properties": {
        "city": {"type": "string", "description": "the city name"},
        "days": {"type": "integer", "description": "how many days"},
        "unit": {"enum": ["celsius", "fahrenheit"], "type": "string"},
        "hourly": {"type": "boolean"},
        "fields": {"type": "array", "items": {"type": "string"}},
        "mode": {"enum": ["brief", "full"], "type": "string"}}}
    assert describe_function(calc)[2]["properties"]["expression"] == {"type": "string", "description": "e.g. 6*7"}


def test_three_rounds_keep_reasoning_and_ids(client):
    calls = []

    def clock() -> str:
        """The time."""
        calls.append("clock")
        return "12:00"

    with client.conversation(tools=[calc, clock]) as conv:
        conv.add_tool(calc, parameters={"type": "object", "properties": {
            "expression": {"type": "string", "examples": ["6*7"]}}})
        conv.add_message("user", "6*7 and the time? [[mock: tool_rounds=3]]")
        reply = conv.run(max_steps=8)
        assert reply.choices[0].message.content == "Tool results: calc=42; clock=12:00"
        assert calls == ["clock"] * 3
        history = conv.messages
        assert len(history) == 11
        assert history[1]["reasoning_content"] == "I should call calc, clock."
        assert history[1]["tool_calls"][0]["id"] == "functions.calc:0"
        restored = client.conversation()
        restored.load(history)
        assert restored.messages == history


def test_tool_errors_and_exceptions(client):
    def lookup(key: str):
        raise libkimi.ToolError(f"no entry for {key}")

    with client.conversation(tools=[lookup]) as conv:
        conv.add_message("user", "find it")
        reply = conv.run()
        assert reply.choices[0].message.content == "Tool results: lookup=no entry for key"

    def broken(key: str):
        raise KeyError("bug in the tool")

    with client.conversation(tools=[broken]) as conv:
        conv.add_message("user", "find it")
        with pytest.raises(KeyError, match="bug in the tool"):
            conv.run()
        assert len(conv) == 2  # the user message and the tool-call turn


def test_streamed_run_and_callback_exceptions(client):
    def clock() -> str:
        return "12:00"

    events = []
    with client.conversation(tools=[clock]) as conv:
        conv.add_message("user", "time")
        reply = conv.run(on_event=events.append)
        assert reply.choices[0].message.content == "Tool results: clock=12:00"
    assert [e.type for e in events].count("done") == 2
    assert any(e.type == "tool_call_start" and e.tool_call_name == "clock" for e in events)

    def explode(event):
        if event.type == "content":
            raise RuntimeError("callback failed")

    with client.conversation() as conv:
        conv.add_message("user", "hello")
        with pytest.raises(RuntimeError, match="callback failed"):
            conv.stream(explode)
        assert len(conv) == 1  # a failed stream leaves the history as it was


def test_web_search_step_limit_partial(client):
    with client.conversation(web_search=True) as conv:
        conv.add_message("user", "news")
        reply = conv.run()
        assert reply.choices[0].message.content.startswith("Tool results: $web_search={")

    def clock() -> str:
        return "12:00"

    with client.conversation(tools=[clock]) as conv:
        conv.add_message("user", "time [[mock: tool_rounds=3]]")
        with pytest.raises(libkimi.StepLimitError) as info:
            conv.run(max_steps=2)
        assert info.value.completion.choices[0].finish_reason == "tool_calls"
        assert conv.run().choices[0].message.content == "Tool results: clock=12:00"

    with client.conversation(thinking="disabled", max_completion_tokens=3) as conv:
        conv.add_message("user", "one two three four")
        assert conv.create().choices[0].finish_reason == "length"
        # more room, then continue the cut answer
        conv.load(conv.messages)
        conv2 = client.conversation(thinking="disabled")
        conv2.load(conv.messages)
        assert conv2.continue_().full_content == "You said: one two three four"
        assert conv2.messages[-1] == {"role": "assistant", "content": "You said: one two three four"}


def test_settings_and_history_json(client):
    with client.conversation(system="Be brief.", thinking="keep_all") as conv:
        conv.add_message("user", "hi")
        conv.create()
        assert json.loads(conv.to_json())[-1]["reasoning_content"] == 'The user said "hi".'
        with pytest.raises(libkimi.RequestRefusedError):
            conv.load([{"role": "robot", "content": "x"}])
