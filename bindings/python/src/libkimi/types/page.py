"""A list result, iterable like openai-python's pages."""

from __future__ import annotations

from .._typing import Generic, T
from ._base import _Object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar, Iterator, List, Literal, Tuple


class Page(_Object, Generic[T]):
    """A list result (`data`), iterable like openai-python's pages."""

    __slots__ = ("data", "object")
    _fields: ClassVar[Tuple[str, ...]] = __slots__
    data: List[T]
    object: Literal["list"]

    def __init__(self, data: List[T]) -> None:
        self.object = "list"
        self.data = data

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, i: int) -> T:
        return self.data[i]
