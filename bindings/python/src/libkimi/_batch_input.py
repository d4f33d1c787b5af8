"""A batch input file writer (the JSONL a batch runs), one request per add()."""

from __future__ import annotations

import ctypes
import os

from . import _lib
from ._errors import check, last_error
from ._handles import Handle
from ._requests import build

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Literal, Optional, Union

    from typing_extensions import Self, Unpack

    from .types.chat.completion_create_params import CompletionCreateFields
    from .types.chat.params import ChatCompletionMessageParam

L = _lib.functions


class BatchInput:
    """Writes a batch input file (JSONL), one request per add(); lines go to
    disk as they come, so memory stays flat. Use as a context manager, or
    call close(). Duplicate or empty custom ids and requests that fail
    Kimi's pre-flight checks raise at add(), naming the line."""

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        self.path = os.fspath(path)
        pointer = L.kimi_batch_input_new(os.fsencode(self.path))
        if not pointer:
            raise last_error()
        self._handle = Handle(pointer, L.kimi_batch_input_free)

    def add(self, custom_id: str, *, messages: Iterable[ChatCompletionMessageParam], model: str = "kimi-k2.6",
            **fields: Unpack[CompletionCreateFields]) -> None:
        """Appends one chat request (the arguments of chat.completions.create)."""
        per_call = sorted(name for name in ("timeout", "max_retries", "extra_headers", "extra_query")
                          if name in fields)
        if per_call:
            raise TypeError(f"BatchInput.add() writes a line of the batch file, which has no {per_call[0]}")
        request = Handle(build(model, messages, dict(fields), "BatchInput.add")[0].value, L.kimi_chat_request_free)
        try:
            check(L.kimi_batch_input_add(self._handle.require("batch input"), str(custom_id).encode(),
                                         request.pointer))
        finally:
            request.close()

    def __len__(self) -> int:
        count: int = L.kimi_batch_input_count(self._handle.require("batch input"))
        return count

    def close(self) -> Optional[int]:
        """Finishes the file; returns the number of requests."""
        if not self._handle:
            return None
        count = ctypes.c_size_t()
        try:
            check(L.kimi_batch_input_close(self._handle.pointer, ctypes.byref(count)))
        finally:
            self._handle.close()
        return count.value

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False
