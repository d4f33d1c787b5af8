"""The account's calls, which openai-python has no resource for:
client.balance() and client.estimate_tokens()."""

from .. import _lib
from .._tasks import NO_CALLBACK
from .._requests import build
from .._results import task_balance, task_count

L = _lib.functions


async def balance(client, settings):
    return await client._value(_start_balance, settings, task_balance)


async def estimate_tokens(client, model, messages, settings):
    request, _ = build(model, messages, {}, "estimate_tokens")
    try:
        def start(c, queue, user_data, out):
            return L.kimi_chat_estimate_tokens_start(c, request, queue, NO_CALLBACK, user_data, out)
        return await client._value(start, settings, task_count)
    finally:
        L.kimi_chat_request_free(request)


def _start_balance(client, queue, user_data, out):
    return L.kimi_balance_start(client, queue, NO_CALLBACK, user_data, out)
