"""A model (openai.types.Model), with Kimi's capability fields."""

from ._base import _Object


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
