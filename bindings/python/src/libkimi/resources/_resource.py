"""What every resource shares: its client, and the per-call options
openai-python's methods take."""

from __future__ import annotations

from .._options import NOT_GIVEN, CallSettings, given
from .._requests import CALL_ARGUMENTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Resource:
    __slots__ = ("_client",)
    _client: Any  # the Client or AsyncClient

    def __init__(self, client: Any) -> None:
        self._client = client


def call_settings(method, options, allowed=()):
    """The CallSettings of a method that takes only openai-python's
    per-request options (timeout, extra_headers, extra_query; max_retries)."""
    unknown = sorted(set(options) - set(CALL_ARGUMENTS) - set(allowed))
    if unknown:
        raise TypeError(f"{method}() got an unexpected keyword argument {unknown[0]!r}")
    if given(options.get("extra_body")):
        raise TypeError(f"{method}() sends no JSON body, so it takes no extra_body")
    return CallSettings(options.get("timeout", NOT_GIVEN), options.get("max_retries", NOT_GIVEN),
                        options.get("extra_headers"), options.get("extra_query"))
