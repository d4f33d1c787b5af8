"""The account's balance and a client's usage totals."""

from ._base import _Object


class Balance(_Object):
    """Account balance: USD on api.moonshot.ai, CNY on api.moonshot.cn."""

    __slots__ = _fields = ("available_balance", "voucher_balance", "cash_balance")

    def __init__(self, available_balance, voucher_balance, cash_balance):
        self.available_balance = available_balance
        self.voucher_balance = voucher_balance
        self.cash_balance = cash_balance


class UsageTotals(_Object):
    """A client's running totals (Client.usage)."""

    __slots__ = _fields = ("prompt_tokens", "cached_tokens", "completion_tokens", "responses", "cost_usd",
                           "web_search_calls")

    def __init__(self, prompt_tokens, cached_tokens, completion_tokens, responses, cost_usd, web_search_calls=0):
        self.prompt_tokens = prompt_tokens
        self.cached_tokens = cached_tokens
        self.completion_tokens = completion_tokens
        self.responses = responses
        self.cost_usd = cost_usd
        self.web_search_calls = web_search_calls
