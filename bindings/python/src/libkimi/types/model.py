"""A model (openai.types.Model), with Kimi's capability fields."""

from __future__ import annotations

from ._base import _Object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, Optional


class Model(_Object):
    """A model; Kimi adds its context length and what it accepts."""

    _fields = ("id", "created", "object", "owned_by")
    _kimi = ("context_length", "supports_image_in", "supports_video_in", "supports_reasoning")
    __slots__ = _fields + _kimi
    id: str
    created: int
    object: Literal["model"]
    owned_by: str
    context_length: Optional[int]  # Kimi: the context window, in tokens
    supports_image_in: Optional[bool]
    supports_video_in: Optional[bool]
    supports_reasoning: Optional[bool]

    def __init__(self, id: str, created: int, owned_by: str, context_length: Optional[int],
                 supports_image_in: Optional[bool], supports_video_in: Optional[bool],
                 supports_reasoning: Optional[bool]) -> None:
        self.id = id
        self.created = created
        self.object = "model"
        self.owned_by = owned_by
        self.context_length = context_length
        self.supports_image_in = supports_image_in
        self.supports_video_in = supports_video_in
        self.supports_reasoning = supports_reasoning
