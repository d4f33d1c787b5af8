"""The only ctypes module: finds and loads libkimi.so, checks its version,
and binds every C function with the argtypes and restype generated from
include/kimi.h (_declarations.py), so no call relies on ctypes' default int
return."""

from __future__ import annotations

import ctypes
import os
from ctypes import c_int, c_size_t

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator, List, Optional, Tuple

# The function table and the calls that may block are generated from the
# tags of include/kimi.h (tools/gen_python.py): nothing here lists them.
from ._declarations import BLOCKING, FUNCTIONS
from ._declarations import batch_progress_cb as batch_progress_cb  # re-exported: the callback types
from ._declarations import batch_result_cb as batch_result_cb
from ._declarations import log_cb as log_cb
from ._declarations import progress_cb as progress_cb
from ._declarations import stream_cb as stream_cb
from ._declarations import tool_fn as tool_fn
from ._declarations import write_cb as write_cb

EXPECTED_VERSION = (0, 3, 0)


def _candidates() -> Iterator[Tuple[str, str]]:
    """Where libkimi.so is looked for, in order."""
    here = os.path.dirname(os.path.abspath(__file__))
    override = os.environ.get("LIBKIMI_LIBRARY")
    if override:
        yield "LIBKIMI_LIBRARY", override
    for name in ("libkimi.so.0", "libkimi.so"):
        yield "inside the package", os.path.join(here, name)
    # A source checkout: bindings/python/src/libkimi -> <repo>/build
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(here))))
    yield "the build tree", os.path.join(repo, "build", "libkimi.so.0")
    yield "the system", "libkimi.so.0"


def _load() -> Tuple[ctypes.CDLL, str]:
    tried: List[str] = []
    for where, path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} ({where}: not found)")
            if where == "LIBKIMI_LIBRARY":
                break
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            tried.append(f"{path} ({where}: {exc})")
            if where == "LIBKIMI_LIBRARY":
                break
    raise OSError("cannot load libkimi; tried:\n  " + "\n  ".join(tried)
                  + "\nBuild it with `make` in the libkimi repository, install it with `make install`, "
                    "or set LIBKIMI_LIBRARY to the library's path.")


lib, path = _load()

# Calls that may wait go through `lib` (CDLL: the GIL is released for the
# call, so other threads run, and a callback on another thread can take it).
# Everything else returns at once and goes through `fast` (PyDLL on the same
# library, keeping the GIL), which saves a GIL release and re-acquire per
# call: it matters on the stream path, where a few accessors run per token.
fast = ctypes.PyDLL(path)


class _Functions:
    """Every declared function by name, bound to `lib` or `fast` with its
    types on first use (binding all of them at import would cost every
    process a millisecond and a half, mostly for functions it never calls)."""

    def __getattr__(self, name: str) -> Any:  # a ctypes function: its types are in FUNCTIONS, not seen by checkers
        try:
            args, result = FUNCTIONS[name]
        except KeyError:
            raise AttributeError(f"libkimi declares no C function {name!r}") from None
        function: Any = getattr(lib if name in BLOCKING else fast, name)
        function.argtypes = args
        function.restype = result
        setattr(self, name, function)  # later uses find it without __getattr__
        return function


functions = _Functions()
DECLARED = frozenset(FUNCTIONS)


class _Hot:
    """The calls a stream makes per event, without argtypes: converting
    arguments costs more than the calls themselves, so callers pass ctypes
    objects of the exact C types (a c_void_p for each handle, byref() for
    each output). Their own library objects keep `functions` intact."""

    def __init__(self) -> None:
        own: dict[bool, ctypes.CDLL] = {True: ctypes.CDLL(path), False: ctypes.PyDLL(path)}  # by BLOCKING, as `functions`
        (self.stream_next, self.stream_read_records, self.event_read, self.queue_read,
         self.queue_read_records) = (
            getattr(own[name in BLOCKING], name) for name in
            ("kimi_stream_next", "kimi_stream_read_records", "kimi_stream_event_read",
             "kimi_event_queue_read", "kimi_event_queue_read_records"))
        self.stream_next.restype = self.event_read.restype = self.queue_read.restype = c_int
        self.stream_read_records.restype = self.queue_read_records.restype = c_int


hot = _Hot()


def version_tuple(number: int) -> Tuple[int, int, int]:
    return number // 1000000, number // 1000 % 1000, number % 1000


def _check_version() -> None:
    found = version_tuple(functions.kimi_version_number())
    if found[0] != EXPECTED_VERSION[0] or (found[0] == 0 and found[1] != EXPECTED_VERSION[1]):
        raise ImportError(f"{path} is libkimi {'.'.join(map(str, found))}; this package needs "
                          f"{EXPECTED_VERSION[0]}.{EXPECTED_VERSION[1]}.x (set LIBKIMI_LIBRARY to a matching library)")


_check_version()


def take_string(pointer: Optional[int]) -> Optional[str]:
    """Copies and frees a `char *` the library handed over."""
    if not pointer:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        functions.kimi_string_free(pointer)


def sliced(buffer: Any, length: int) -> bytes:
    """The first `length` bytes of a ctypes char buffer: one copy, no call
    into C (ctypes.string_at is one). A char array's slice is bytes (the
    stubs say a list)."""
    data: bytes = buffer[:length]
    return data


def text(function: Any, *args: Any) -> str:
    """Calls a `const char *f(..., size_t *len_out)` accessor; returns str."""
    length = c_size_t()
    pointer = function(*args, ctypes.byref(length))
    return ctypes.string_at(pointer, length.value).decode("utf-8") if pointer else ""
