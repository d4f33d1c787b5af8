"""The account's balance and a client's usage totals."""

from __future__ import annotations

from ._base import _Object


class Balance(_Object):
    """Account balance: USD on api.moonshot.ai, CNY on api.moonshot.cn."""

    __slots__ = _fields = ("available_balance", "voucher_balance", "cash_balance")
    available_balance: float
    voucher_balance: float
    cash_balance: float

    def __init__(self, available_balance: float, voucher_balance: float, cash_balance: float) -> None:
        self.available_balance = available_balance
        self.voucher_balance = voucher_balance
        self.cash_balance = cash_balance


class UsageTotals(_Object):
    """A client's running totals (Client.usage)."""

    __slots__ = _fields = ("prompt_tokens", "cached_tokens", "completion_tokens", "responses", "cost_usd",
                           "web_search_calls")
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    responses: int
    cost_usd: float
    web_search_calls: int

    def __init__(self, prompt_tokens: int, cached_tokens: int, completion_tokens: int, responses: int,
                 cost_usd: float, web_search_calls: int = 0) -> None:
        self.prompt_tokens = prompt_tokens
        self.cached_tokens = cached_tokens
        self.completion_tokens = completion_tokens
        self.responses = responses
        self.cost_usd = cost_usd
        self.web_search_calls = web_search_calls
