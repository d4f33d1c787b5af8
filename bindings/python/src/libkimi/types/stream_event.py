"""libkimi's finer stream events (Stream.events(), conversation callbacks)."""

from __future__ import annotations

from ._base import _Object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

    from .completion_usage import CompletionUsage


class StreamEvent(_Object):
    """One libkimi stream event: type is "role", "reasoning", "content",
    "tool_call_start", "tool_call_delta", "tool_call_done", "usage",
    "finish" or "done"."""

    __slots__ = _fields = ("type", "text", "choice_index", "tool_call_index", "tool_call_id", "tool_call_name",
                           "finish_reason", "usage")

    type: str
    text: str
    choice_index: int
    tool_call_index: int
    tool_call_id: Optional[str]
    tool_call_name: Optional[str]
    finish_reason: Optional[str]
    usage: Optional[CompletionUsage]

    def __init__(self, type: str, text: str = "", choice_index: int = -1, tool_call_index: int = -1,
                 tool_call_id: Optional[str] = None, tool_call_name: Optional[str] = None,
                 finish_reason: Optional[str] = None, usage: Optional[CompletionUsage] = None) -> None:
        self.type = type
        self.text = text
        self.choice_index = choice_index
        self.tool_call_index = tool_call_index
        self.tool_call_id = tool_call_id
        self.tool_call_name = tool_call_name
        self.finish_reason = finish_reason
        self.usage = usage
