"""The account's calls, which openai-python has no resource for:
client.balance() and client.estimate_tokens()."""

from __future__ import annotations

from .. import _lib
from .._tasks import NO_CALLBACK
from .._requests import build
from .._results import task_balance, task_count

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .._options import CallSettings
    from ..types.account import Balance
    from ._resource import ResourceClient

L = _lib.functions


async def balance(client: ResourceClient, settings: CallSettings) -> Balance:
    return await client._value(_start_balance, settings, task_balance)


async def estimate_tokens(client: ResourceClient, model: Any, messages: Any, settings: CallSettings) -> int:
    request, _ = build(model, messages, {}, "estimate_tokens")
    try:
        def start(c: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_chat_estimate_tokens_start(c, request, queue, NO_CALLBACK, user_data, out)
            return status
        return await client._value(start, settings, task_count)
    finally:
        L.kimi_chat_request_free(request)


def _start_balance(client: Any, queue: Any, user_data: int, out: Any) -> int:
    status: int = L.kimi_balance_start(client, queue, NO_CALLBACK, user_data, out)
    return status
