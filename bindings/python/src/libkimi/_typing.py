"""What the type annotations need at run time, without importing typing
(~5 ms of start-up a program never needs): `Generic`, so `Stream[...]`,
`Page[...]` and the like subscript at run time as they do for a checker,
and the type variables the generic classes take (None at run time).

Every module declares `TYPE_CHECKING = False` itself: mypy and pyright
treat any name TYPE_CHECKING as true, and the annotations are strings
(`from __future__ import annotations`), read only by checkers."""

from __future__ import annotations

import os

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any, Dict, List, Tuple, Union
    from typing import Generic as Generic
    from typing import TypeVar

    from typing_extensions import TypeGuard

    T = TypeVar("T")
    T_co = TypeVar("T_co", covariant=True)
    P = TypeVar("P")
else:
    T = T_co = P = None

    class Generic:
        """`Cls[X]` is Cls at run time (typing.Generic's subscript, free)."""

        __slots__ = ()

        def __class_getitem__(cls, item):
            return cls


def is_object(value: object) -> TypeGuard[Dict[str, Any]]:
    """isinstance(value, dict), telling a checker it is a JSON object (str
    keys, any values) rather than a dict of unknown types."""
    return isinstance(value, dict)


def is_list(value: object) -> TypeGuard[List[Any]]:
    """isinstance(value, list), telling a checker its items are JSON values."""
    return isinstance(value, list)


def is_array(value: object) -> TypeGuard[Union[List[Any], Tuple[Any, ...]]]:
    """isinstance(value, (list, tuple)), items seen as JSON values."""
    return isinstance(value, (list, tuple))


def is_tuple(value: object) -> TypeGuard[Tuple[Any, ...]]:
    """isinstance(value, tuple), items seen as any values."""
    return isinstance(value, tuple)


def is_path(value: object) -> TypeGuard[Union[str, os.PathLike[str]]]:
    """A str or os.PathLike (a bytes path's fspath is bytes: os.fsencode takes both)."""
    return isinstance(value, (str, os.PathLike))
