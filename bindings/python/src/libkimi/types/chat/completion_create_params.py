"""The keyword arguments of chat.completions.create() besides messages,
model and stream, for a type checker (openai-python's
completion_create_params, as one TypedDict): each with openai-python's
name and type, Kimi's `thinking`, and the per-request options. A key left
out is not sent (openai-python's NOT_GIVEN / omit)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Literal, Optional, TypedDict, Union

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..._options import NotGiven, Omit
    from .params import (ChatCompletionStreamOptionsParam, ChatCompletionToolChoiceOptionParam,
                         ChatCompletionToolUnionParam, Metadata, ReasoningEffort, ResponseFormat, ThinkingParam)


class RequestOptions(TypedDict, total=False):
    """openai-python's per-request options, and max_retries."""

    extra_headers: Optional[Dict[str, str]]
    extra_query: Optional[Dict[str, object]]
    extra_body: Optional[Dict[str, object]]
    timeout: Union[float, Any, None, NotGiven]  # seconds, an httpx.Timeout (its read), None: no limit
    max_retries: Union[int, NotGiven]


class CompletionParseFields(RequestOptions, total=False):
    """create()'s fields but response_format (parse() takes it as a type)."""

    audio: Optional[Dict[str, object]] | Omit
    frequency_penalty: Optional[float] | Omit
    function_call: Union[Literal["none", "auto"], Dict[str, str]] | Omit
    functions: Iterable[Dict[str, object]] | Omit
    logit_bias: Optional[Dict[str, int]] | Omit
    logprobs: Optional[bool] | Omit
    max_completion_tokens: Optional[int] | Omit
    max_tokens: Optional[int] | Omit
    metadata: Optional[Metadata] | Omit
    modalities: Optional[List[Literal["text", "audio"]]] | Omit
    moderation: Optional[Dict[str, object]] | Omit
    n: Optional[int] | Omit
    parallel_tool_calls: bool | Omit
    prediction: Optional[Dict[str, object]] | Omit
    presence_penalty: Optional[float] | Omit
    prompt_cache_key: Optional[str] | Omit
    prompt_cache_options: Dict[str, object] | Omit
    prompt_cache_retention: Optional[Literal["in_memory", "24h"]] | Omit
    reasoning_effort: ReasoningEffort | Omit
    safety_identifier: Optional[str] | Omit
    seed: Optional[int] | Omit
    service_tier: Optional[Literal["auto", "default", "flex", "scale", "priority", "fast"]] | Omit
    stop: Union[str, List[str], None] | Omit
    store: Optional[bool] | Omit
    stream_options: Optional[ChatCompletionStreamOptionsParam] | Omit
    temperature: Optional[float] | Omit
    tool_choice: ChatCompletionToolChoiceOptionParam | Omit
    # tool dicts, or Python functions (their schema is read from their signature)
    tools: Iterable[Union[ChatCompletionToolUnionParam, Callable[..., Any]]] | Omit
    top_logprobs: Optional[int] | Omit
    top_p: Optional[float] | Omit
    user: str | Omit
    verbosity: Optional[Literal["low", "medium", "high"]] | Omit
    web_search_options: Dict[str, object] | Omit
    thinking: Optional[ThinkingParam] | Omit  # Kimi: {"type": "disabled"} answers without reasoning


class CompletionCreateFields(CompletionParseFields, total=False):
    # a format, or a dataclass, TypedDict or pydantic model (its schema is sent)
    response_format: Union[ResponseFormat, type] | Omit
