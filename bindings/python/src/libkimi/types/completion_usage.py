"""Token counts (openai.types.CompletionUsage), with Kimi's cached tokens."""

from __future__ import annotations

from ._base import _Object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional


class PromptTokensDetails(_Object):
    __slots__ = _fields = ("audio_tokens", "cached_tokens")
    audio_tokens: Optional[int]
    cached_tokens: Optional[int]

    def __init__(self, cached_tokens: Optional[int], audio_tokens: Optional[int] = None) -> None:
        self.cached_tokens = cached_tokens
        self.audio_tokens = audio_tokens


class CompletionTokensDetails(_Object):
    __slots__ = _fields = ("accepted_prediction_tokens", "audio_tokens", "reasoning_tokens",
                           "rejected_prediction_tokens")
    accepted_prediction_tokens: Optional[int]
    audio_tokens: Optional[int]
    reasoning_tokens: Optional[int]
    rejected_prediction_tokens: Optional[int]


class CompletionUsage(_Object):
    """Token counts. `cached_tokens` is read from either spelling Kimi uses
    (top level, or prompt_tokens_details), and both are filled in."""

    _fields = ("completion_tokens", "prompt_tokens", "total_tokens", "completion_tokens_details",
               "prompt_tokens_details")
    _kimi = ("cached_tokens",)
    __slots__ = _fields + _kimi
    _nested = {"prompt_tokens_details": PromptTokensDetails, "completion_tokens_details": CompletionTokensDetails}
    completion_tokens: int
    prompt_tokens: int
    total_tokens: int
    completion_tokens_details: Optional[CompletionTokensDetails]
    prompt_tokens_details: Optional[PromptTokensDetails]
    cached_tokens: Optional[int]  # Kimi: the prompt tokens read from its cache

    def __init__(self, prompt_tokens: Optional[int], completion_tokens: Optional[int], total_tokens: Optional[int],
                 cached_tokens: Optional[int] = None) -> None:
        # None only where a stream ended before its usage came (openai-python's are always ints)
        self.prompt_tokens = prompt_tokens  # type: ignore[assignment]  # None: see above
        self.completion_tokens = completion_tokens  # type: ignore[assignment]  # None: see above
        self.total_tokens = total_tokens  # type: ignore[assignment]  # None: see above
        self.cached_tokens = cached_tokens
        self.prompt_tokens_details = PromptTokensDetails(cached_tokens) if cached_tokens is not None else None
        self.completion_tokens_details = None

    def _after_json(self) -> None:
        details = self.prompt_tokens_details
        if self.cached_tokens is None and details is not None:
            self.cached_tokens = getattr(details, "cached_tokens", None)
            self._derived = ("cached_tokens",)
        elif self.cached_tokens is not None and details is None:
            self.prompt_tokens_details = PromptTokensDetails(self.cached_tokens)
            self._derived = ("prompt_tokens_details",)

    @classmethod
    def from_dict(cls, usage: Optional[dict[str, Any]]) -> Optional[CompletionUsage]:
        return cls.from_json(usage) if usage else None
