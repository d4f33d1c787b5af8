"""A batch job (openai.types.Batch), read from its C handle, and its result lines."""

from __future__ import annotations

import json

from .. import _lib
from .._handles import Handle
from ._base import _Object
from .page import CursorPage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, ClassVar, Dict, Literal, Optional

    BatchStatus = Literal["validating", "failed", "in_progress", "finalizing", "completed", "expired",
                          "cancelling", "cancelled"]

    from .chat.chat_completion import ChatCompletion

L = _lib.functions


class BatchRequestCounts(_Object):
    __slots__ = _fields = ("completed", "failed", "total")
    completed: int
    failed: int
    total: int

    def __init__(self, total: int, completed: int, failed: int) -> None:
        self.total = total
        self.completed = completed
        self.failed = failed


_TIMESTAMPS = ("created_at", "in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at",
               "cancelling_at", "cancelled_at", "expires_at")


class Batch:
    """A batch job. Attributes read its latest state: batches.wait() and
    batches.cancel() update it in place. Timestamps are Unix seconds, None
    until the batch gets there."""

    FINAL = ("completed", "failed", "expired", "cancelled")
    if TYPE_CHECKING:  # read from the handle by __getattr__: Unix seconds, None until the batch gets there
        created_at: int
        in_progress_at: Optional[int]
        finalizing_at: Optional[int]
        completed_at: Optional[int]
        failed_at: Optional[int]
        expired_at: Optional[int]
        cancelling_at: Optional[int]
        cancelled_at: Optional[int]
        expires_at: Optional[int]

    def __init__(self, pointer: int, page: Any = None) -> None:
        # A batch from a list page is borrowed from it (and keeps it alive).
        self._page = page
        self._handle = Handle(pointer, L.kimi_batch_free if page is None else _keep)

    def _get(self, function: Callable[[Any], Any]) -> Any:
        return function(self._handle.require("batch"))

    @property
    def id(self) -> str:
        value: str = self._get(L.kimi_batch_id).decode()
        return value

    @property
    def object(self) -> Literal["batch"]:
        return "batch"

    @property
    def status(self) -> BatchStatus:
        value: BatchStatus = self._get(L.kimi_batch_status).decode()  # a wire value, declared as openai's Literal
        return value

    @property
    def is_final(self) -> bool:
        return bool(self._get(L.kimi_batch_is_final))

    def _optional(self, function: Callable[[Any], Any]) -> Optional[str]:
        return self._get(function).decode() or None

    @property
    def input_file_id(self) -> Optional[str]:
        return self._optional(L.kimi_batch_input_file_id)

    @property
    def output_file_id(self) -> Optional[str]:
        return self._optional(L.kimi_batch_output_file_id)

    @property
    def error_file_id(self) -> Optional[str]:
        return self._optional(L.kimi_batch_error_file_id)

    @property
    def completion_window(self) -> str:
        value: str = self._get(L.kimi_batch_completion_window).decode()
        return value

    @property
    def error_message(self) -> Optional[str]:
        """Why a batch failed validation ("code: message (line N)"), or None."""
        return self._optional(L.kimi_batch_error_message)

    @property
    def request_counts(self) -> BatchRequestCounts:
        return BatchRequestCounts(self._get(L.kimi_batch_total), self._get(L.kimi_batch_completed),
                                  self._get(L.kimi_batch_failed))

    @property
    def metadata(self) -> Optional[Dict[str, str]]:
        return self.to_dict().get("metadata")

    def to_dict(self) -> Dict[str, Any]:
        """The batch object as last received."""
        fields: Dict[str, Any] = json.loads(_lib.text(L.kimi_batch_json, self._handle.require("batch")) or "{}")
        return fields

    model_dump = to_dict

    if not TYPE_CHECKING:  # a checker sees the timestamps declared above, and nothing else
        def __getattr__(self, name):
            if name in _TIMESTAMPS:
                return getattr(L, f"kimi_batch_{name}")(self._handle.require("batch")) or None
            raise AttributeError(name)

    def __repr__(self) -> str:
        counts = self.request_counts
        return (f"Batch(id={self.id!r}, status={self.status!r}, completed={counts.completed}, "
                f"failed={counts.failed}, total={counts.total})")


class BatchResult(_Object):
    """One result line: `response` (a ChatCompletion) when it succeeded,
    else `error` says why; `status_code` is the line's HTTP status (0 when
    the request got no response)."""

    __slots__ = _fields = ("custom_id", "response", "status_code", "error")
    custom_id: str
    response: Optional[ChatCompletion]
    status_code: int
    error: Optional[str]

    def __init__(self, custom_id: str, response: Optional[ChatCompletion], status_code: int,
                 error: Optional[str]) -> None:
        self.custom_id = custom_id
        self.response = response
        self.status_code = status_code
        self.error = error

    @property
    def ok(self) -> bool:
        return self.response is not None


class BatchPage(CursorPage[Batch]):
    """One page of batches (`data`, `has_more`, `last_id`), walking on
    through the pages after it as it is iterated (types.page.CursorPage)."""

    __slots__ = ()
    _listing: ClassVar[str] = "batches.list"


def _keep(_pointer: int) -> None:
    """The free function of a borrowed batch: its page frees it."""
