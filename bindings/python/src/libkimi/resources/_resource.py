"""What every resource shares: its client, and the per-call options
openai-python's methods take."""

from __future__ import annotations

from .._options import NOT_GIVEN, CallSettings, given
from .._requests import CALL_ARGUMENTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import (Any, AsyncGenerator, Callable, Collection, Coroutine, Iterator, Mapping, Optional, Protocol,
                        TypeVar)

    from .._tasks import Call, Starter

    R = TypeVar("R")
    Y = TypeVar("Y")

    class ResourceClient(Protocol):
        """What a resource uses of its client, as the sync Client does it (the
        AsyncClient hands the coroutines back to be awaited instead: the
        async resources' types are declared apart)."""

        def _run(self, coroutine: Coroutine[Any, Any, R]) -> R: ...
        def _paginate(self, coroutine: Coroutine[Any, Any, R]) -> R: ...
        def _iterate(self, generator: AsyncGenerator[Y, None]) -> Iterator[Y]: ...
        @property
        def _iterate_pages(self) -> Optional[Callable[[AsyncGenerator[Any, None]], Iterator[Any]]]: ...
        @property
        def _stream_manager(self) -> Callable[..., Any]: ...
        def _call(self, starter: Starter, settings: Optional[CallSettings] = None,
                  result: Optional[Callable[[int], Any]] = None, keep: Any = None,
                  attachment: Optional[Callable[[Any, Any], None]] = None) -> Call: ...
        async def _value(self, starter: Starter, settings: Optional[CallSettings], result: Callable[[int], R]) -> R: ...
        async def _chat(self, request: Any, streamed: bool, raw: bool, cls: Any) -> Any: ...


class Resource:
    __slots__ = ("_client",)
    _client: ResourceClient  # the Client or AsyncClient

    def __init__(self, client: Any) -> None:
        self._client = client


def call_settings(method: str, options: Mapping[str, Any], allowed: Collection[str] = ()) -> CallSettings:
    """The CallSettings of a method that takes only openai-python's
    per-request options (timeout, extra_headers, extra_query; max_retries)."""
    unknown = sorted(set(options) - set(CALL_ARGUMENTS) - set(allowed))
    if unknown:
        raise TypeError(f"{method}() got an unexpected keyword argument {unknown[0]!r}")
    if given(options.get("extra_body")):
        raise TypeError(f"{method}() sends no JSON body, so it takes no extra_body")
    return CallSettings(options.get("timeout", NOT_GIVEN), options.get("max_retries", NOT_GIVEN),
                        options.get("extra_headers"), options.get("extra_query"))
