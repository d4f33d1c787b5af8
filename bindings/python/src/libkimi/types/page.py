"""List results, iterable like openai-python's pages: Page (a listing
that came whole: models, and files, whose pages the C library follows) and
CursorPage (one page of a listing the server pages, walking on through the
pages after it as it is iterated)."""

from __future__ import annotations

from .._typing import Generic, P, T
from ._base import _Object

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up
if TYPE_CHECKING:
    from typing import (Any, AsyncIterator, Awaitable, Callable, ClassVar, Generator, Iterator, List, Literal, Set,
                        Optional, Tuple)

#: A walk through a server's pages ends with an error past this many items
#: (a server's paging must not make a client loop).
MAX_LISTED = 100_000


class _Pages:
    """Pages to walk with `for` (the sync client's) or `async for` (the
    async client's)."""

    __slots__ = ("_sync", "_async")

    def __init__(self, sync: Optional[Callable[[], Iterator[Any]]], asynchronous: Callable[[], AsyncIterator[Any]]):
        self._sync = sync
        self._async = asynchronous

    def __iter__(self) -> Iterator[Any]:
        if self._sync is None:
            raise TypeError("these are an AsyncClient's pages: walk them with `async for`")
        return self._sync()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._async()


class Page(_Object, Generic[T]):
    """A list result (`data`) that came whole, iterable like openai-python's
    pages (`for x in page`, `async for x in page`); it has no next page."""

    __slots__ = ("data", "object")
    _fields: ClassVar[Tuple[str, ...]] = __slots__
    data: List[T]
    object: Literal["list"]

    def __init__(self, data: List[T]) -> None:
        self.object = "list"
        self.data = data

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    async def __aiter__(self) -> AsyncIterator[T]:
        for item in self.data:
            yield item

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> T:
        return self.data[i]

    def has_next_page(self) -> bool:
        return False

    def get_next_page(self) -> Any:
        raise RuntimeError("No next page expected; please check `.has_next_page()` before calling "
                           "`.get_next_page()`.")

    def iter_pages(self) -> _Pages:
        """The pages from this one on (`for`, or `async for` on the async
        client's): only this one."""
        async def only() -> AsyncIterator[Any]:
            yield self
        return _Pages(lambda: iter([self]), only)


class CursorPage(Page[T]):
    """One page of a listing the server pages (`data`, `has_more`,
    `last_id`), as openai-python's cursor pages: iterating it goes on
    through the pages after it, fetched as needed (`for` on the sync
    client's pages, `async for` on the async client's); `has_next_page()`,
    `get_next_page()` (awaited on the async client) and `iter_pages()`.
    A server whose pages come back to a cursor, say more follow after an
    empty page or one without a last id, or never end (past 100,000 items)
    ends the walk with APIResponseValidationError instead of looping."""

    __slots__ = ("has_more", "last_id", "_fetch", "_run", "_iterate")
    _fields: ClassVar[Tuple[str, ...]] = Page._fields + ("has_more", "last_id")
    has_more: bool
    last_id: Optional[str]
    #: What the listing is, for messages ("batches.list").
    _listing: ClassVar[str] = "list"

    def __init__(self, data: List[T], has_more: bool, last_id: Optional[str],
                 fetch: Optional[Callable[[str], Awaitable[Any]]] = None, run: Optional[Callable[[Any], Any]] = None,
                 iterate: Optional[Callable[[Any], Iterator[Any]]] = None) -> None:
        super().__init__(data)
        self.has_more = has_more
        self.last_id = last_id
        self._fetch = fetch  # the page after a cursor (a coroutine)
        self._run = run  # the client's way to run it
        self._iterate = iterate  # the sync client's way to walk an async generator; None on the async client's

    def has_next_page(self) -> bool:
        return bool(self.has_more and self.data and self.last_id and self._fetch is not None)

    def get_next_page(self) -> Any:
        """The page after this one (awaited on the async client)."""
        fetch, run, after = self._fetch, self._run, self.last_id
        if not self.has_next_page() or fetch is None or run is None or after is None:
            return super().get_next_page()
        return run(fetch(after))

    async def _pages(self) -> AsyncIterator[Any]:
        page, listed = self, 0
        seen: Set[str] = set()
        while True:
            yield page
            listed += len(page.data)
            if not page.has_more or page._fetch is None:
                return
            after = page.last_id
            if not page.data or not after or listed > MAX_LISTED:
                what = "an empty page" if not page.data else (
                    "a page without a last id" if not after else f"more than {MAX_LISTED:,} items")
                raise _walk_error(f"{self._listing}: the server said more follow after {what}; the walk stops "
                                  "instead of looping")
            if after in seen:
                raise _walk_error(f"{self._listing}: the server's pages came back to {after!r}; the walk stops "
                                  "instead of looping")
            seen.add(after)
            page = await page._fetch(after)

    async def _items(self) -> AsyncIterator[T]:
        async for page in self._pages():
            for item in page.data:
                yield item

    def iter_pages(self) -> _Pages:
        """This page and those after it (`for`, or `async for` on the async
        client's)."""
        iterate = self._iterate
        return _Pages((lambda: iterate(self._pages())) if iterate is not None else None, self._pages)

    def __iter__(self) -> Iterator[T]:
        if self._fetch is None or not self.has_more:
            return iter(self.data)
        if self._iterate is None:
            raise TypeError("this page is an AsyncClient's: walk on through the pages with `async for`")
        return self._iterate(self._items())

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    def auto_paging_iter(self) -> Any:
        return iter(self) if self._iterate is not None else self.__aiter__()


class AsyncPaginator(Generic[T, P]):
    """What an AsyncClient's list call returns, as openai-python's: await it
    for the first page (P), or `async for` it for every item (T) of every
    page."""

    __slots__ = ("_first",)

    def __init__(self, first: Awaitable[P]) -> None:
        self._first = first

    def __await__(self) -> Generator[Any, None, P]:
        return self._first.__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page: Any = await self._first
        async for item in page:
            yield item


def _walk_error(message: str) -> Exception:
    from .._errors import APIResponseValidationError
    return APIResponseValidationError(message)
