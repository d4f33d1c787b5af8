"""libkimi's finer stream events (Stream.events(), conversation callbacks)."""

from ._base import _Object


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
