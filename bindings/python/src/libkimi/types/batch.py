"""A batch job (openai.types.Batch), read from its C handle, and its result lines."""

import json

from .. import _lib
from .._handles import Handle
from ._base import _Object
from .page import Page

L = _lib.functions


class BatchRequestCounts(_Object):
    __slots__ = _fields = ("completed", "failed", "total")

    def __init__(self, total, completed, failed):
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

    def __init__(self, pointer, page=None):
        # A batch from a list page is borrowed from it (and keeps it alive).
        self._page = page
        self._handle = Handle(pointer, L.kimi_batch_free if page is None else _keep)

    def _get(self, function):
        return function(self._handle.require("batch"))

    @property
    def id(self):
        return self._get(L.kimi_batch_id).decode()

    @property
    def object(self):
        return "batch"

    @property
    def status(self):
        return self._get(L.kimi_batch_status).decode()

    @property
    def is_final(self):
        return bool(self._get(L.kimi_batch_is_final))

    def _optional(self, function):
        return self._get(function).decode() or None

    @property
    def input_file_id(self):
        return self._optional(L.kimi_batch_input_file_id)

    @property
    def output_file_id(self):
        return self._optional(L.kimi_batch_output_file_id)

    @property
    def error_file_id(self):
        return self._optional(L.kimi_batch_error_file_id)

    @property
    def completion_window(self):
        return self._get(L.kimi_batch_completion_window).decode()

    @property
    def error_message(self):
        """Why a batch failed validation ("code: message (line N)"), or None."""
        return self._optional(L.kimi_batch_error_message)

    @property
    def request_counts(self):
        return BatchRequestCounts(self._get(L.kimi_batch_total), self._get(L.kimi_batch_completed),
                                  self._get(L.kimi_batch_failed))

    @property
    def metadata(self):
        return self.to_dict().get("metadata")

    def to_dict(self):
        """The batch object as last received."""
        return json.loads(_lib.text(L.kimi_batch_json, self._handle.require("batch")) or "{}")

    model_dump = to_dict

    def __getattr__(self, name):
        if name in _TIMESTAMPS:
            return getattr(L, f"kimi_batch_{name}")(self._handle.require("batch")) or None
        raise AttributeError(name)

    def __repr__(self):
        counts = self.request_counts
        return (f"Batch(id={self.id!r}, status={self.status!r}, completed={counts.completed}, "
                f"failed={counts.failed}, total={counts.total})")


class BatchResult(_Object):
    """One result line: `response` (a ChatCompletion) when it succeeded,
    else `error` says why; `status_code` is the line's HTTP status (0 when
    the request got no response)."""

    __slots__ = _fields = ("custom_id", "response", "status_code", "error")

    def __init__(self, custom_id, response, status_code, error):
        self.custom_id = custom_id
        self.response = response
        self.status_code = status_code
        self.error = error

    @property
    def ok(self):
        return self.response is not None


class BatchPage(Page):
    """One page of batches (`data`, `has_more`, `last_id`). Iterating it goes
    on through the pages after it, as openai-python's pages do, fetched as
    needed: `for` on the sync client's pages, `async for` on the async
    client's (`more(last_id)` gives the batches after this page)."""

    __slots__ = ("has_more", "last_id", "_more", "_iterate")
    _fields = Page._fields + ("has_more", "last_id")

    def __init__(self, data, has_more, last_id, more=None, iterate=None):
        super().__init__(data)
        self.has_more = has_more
        self.last_id = last_id
        self._more = more
        self._iterate = iterate  # the sync client's way to walk on; None on the async client's

    def _following(self):
        return self._more(self.last_id) if self.has_more and self.last_id and self._more else None

    def __iter__(self):
        yield from self.data
        if self.has_more and self.last_id and self._more:
            if self._iterate is None:
                raise TypeError("this page is an AsyncClient's: walk on through the pages with `async for`")
            yield from self._iterate(self._more(self.last_id))

    async def __aiter__(self):
        for batch in self.data:
            yield batch
        following = self._following()
        if following is not None:
            async for batch in following:
                yield batch

    def auto_paging_iter(self):
        return iter(self) if self._iterate is not None else self.__aiter__()


def _keep(_pointer):
    """The free function of a borrowed batch: its page frees it."""
