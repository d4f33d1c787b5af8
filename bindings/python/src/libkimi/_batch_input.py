"""A batch input file writer (the JSONL a batch runs), one request per add()."""

import ctypes
import os

from . import _lib
from ._errors import check, last_error
from ._handles import Handle
from ._requests import build

L = _lib.functions


class BatchInput:
    """Writes a batch input file (JSONL), one request per add(); lines go to
    disk as they come, so memory stays flat. Use as a context manager, or
    call close(). Duplicate or empty custom ids and requests that fail
    Kimi's pre-flight checks raise at add(), naming the line."""

    def __init__(self, path):
        self.path = os.fspath(path)
        pointer = L.kimi_batch_input_new(os.fsencode(self.path))
        if not pointer:
            raise last_error()
        self._handle = Handle(pointer, L.kimi_batch_input_free)

    def add(self, custom_id, *, messages, model="kimi-k2.6", **fields):
        """Appends one chat request (the arguments of chat.completions.create)."""
        per_call = sorted(name for name in ("timeout", "max_retries", "extra_headers", "extra_query")
                          if name in fields)
        if per_call:
            raise TypeError(f"BatchInput.add() writes a line of the batch file, which has no {per_call[0]}")
        request = Handle(build(model, messages, fields, "BatchInput.add")[0].value, L.kimi_chat_request_free)
        try:
            check(L.kimi_batch_input_add(self._handle.require("batch input"), str(custom_id).encode(),
                                         request.pointer))
        finally:
            request.close()

    def __len__(self):
        return L.kimi_batch_input_count(self._handle.require("batch input"))

    def close(self):
        """Finishes the file; returns the number of requests."""
        if not self._handle:
            return None
        count = ctypes.c_size_t()
        try:
            check(L.kimi_batch_input_close(self._handle.pointer, ctypes.byref(count)))
        finally:
            self._handle.close()
        return count.value

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
