"""Token counts (openai.types.CompletionUsage), with Kimi's cached tokens."""

from ._base import _Object


class PromptTokensDetails(_Object):
    __slots__ = _fields = ("audio_tokens", "cached_tokens")

    def __init__(self, cached_tokens, audio_tokens=None):
        self.cached_tokens = cached_tokens
        self.audio_tokens = audio_tokens


class CompletionTokensDetails(_Object):
    __slots__ = _fields = ("accepted_prediction_tokens", "audio_tokens", "reasoning_tokens",
                           "rejected_prediction_tokens")


class CompletionUsage(_Object):
    """Token counts. `cached_tokens` is read from either spelling Kimi uses
    (top level, or prompt_tokens_details), and both are filled in."""

    _fields = ("completion_tokens", "prompt_tokens", "total_tokens", "completion_tokens_details",
               "prompt_tokens_details")
    _kimi = ("cached_tokens",)
    __slots__ = _fields + _kimi
    _nested = {"prompt_tokens_details": PromptTokensDetails, "completion_tokens_details": CompletionTokensDetails}

    def __init__(self, prompt_tokens, completion_tokens, total_tokens, cached_tokens=None):
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
        self.total_tokens = total_tokens
        self.cached_tokens = cached_tokens
        self.prompt_tokens_details = PromptTokensDetails(cached_tokens) if cached_tokens is not None else None
        self.completion_tokens_details = None

    def _after_json(self):
        details = self.prompt_tokens_details
        if self.cached_tokens is None and details is not None:
            self.cached_tokens = getattr(details, "cached_tokens", None)
            self._derived = ("cached_tokens",)
        elif self.cached_tokens is not None and details is None:
            self.prompt_tokens_details = PromptTokensDetails(self.cached_tokens)
            self._derived = ("prompt_tokens_details",)

    @classmethod
    def from_dict(cls, usage):
        return cls.from_json(usage) if usage else None
