"""client.batches (openai-python's, with Kimi's submit, wait and results),
each call a task of the C library."""

from __future__ import annotations

import ctypes
import json
import os

from .. import _lib
from .._errors import OK, RequestRefusedError
from .._records import PROGRESS, RESULT
from .._results import batch_page, response_from, task_batch, task_batch_page, task_count
from .._tasks import NO_CALLBACK, call_back
from ..types.batch import Batch, BatchPage, BatchResult
from ._resource import Resource, call_settings


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, AsyncGenerator, AsyncIterator, Awaitable, Callable, Dict, Iterator, Optional, Union

    from .._options import CallSettings
    from .._records import Event

    from typing_extensions import Unpack

    from ..types.chat.completion_create_params import RequestOptions
    from ..types.page import AsyncPaginator

    Window = Optional[str]  # "12h" to "7d"
    BatchOrId = Union[Batch, str]
    OnProgress = Optional[Callable[[Batch], Any]]

L = _lib.functions

class Batches(Resource):
    """client.batches: create, submit, retrieve, list, cancel, wait, results."""

    __slots__ = ()

    def create(self, *, input_file_id: str, completion_window: str = "24h",
               metadata: Optional[Dict[str, str]] = None, endpoint: str = "/v1/chat/completions",
               **options: Unpack[RequestOptions]) -> Batch:
        """Creates a batch from a file uploaded with purpose "batch" (as
        openai-python). The window (12h to 7d) and metadata (16 string pairs,
        keys up to 64, values up to 512 characters) are checked first."""
        if endpoint != "/v1/chat/completions":
            raise RequestRefusedError(f"endpoint: Kimi batches run /v1/chat/completions, not {endpoint!r}",
                                      param="endpoint")
        file_id, window, meta = str(input_file_id).encode(), _window(completion_window), _metadata(metadata)

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_batch_create_start(client, file_id, window, meta, queue, NO_CALLBACK, user_data, out)
            return status
        return self._client._run(self._client._value(start, call_settings("batches.create", options), task_batch))

    def submit(self, path: Union[str, os.PathLike[str]], *, completion_window: Window = None,
               metadata: Optional[Dict[str, str]] = None, **options: Unpack[RequestOptions]) -> Batch:
        """Uploads the JSONL file at `path` (purpose "batch") and creates the
        batch; every limit is checked before the upload."""
        encoded, window, meta = os.fsencode(path), _window(completion_window), _metadata(metadata)

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_batch_submit_start(client, encoded, window, meta, queue, NO_CALLBACK, user_data, out)
            return status
        return self._client._run(self._client._value(start, call_settings("batches.submit", options), task_batch))

    def retrieve(self, batch_id: str, **options: Unpack[RequestOptions]) -> Batch:
        return self._client._run(self._retrieve(batch_id, call_settings("batches.retrieve", options)))

    async def _retrieve(self, batch_id: str, settings: Optional[CallSettings] = None) -> Batch:
        encoded_id = str(batch_id).encode()

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_batch_retrieve_start(client, encoded_id, queue, NO_CALLBACK, user_data, out)
            return status
        return await self._client._value(start, settings, task_batch)

    async def _own(self, batch: BatchOrId) -> Batch:
        """A batch of its own to update in place: ids, and batches borrowed
        from a page, are fetched afresh."""
        if isinstance(batch, Batch) and batch._page is None:
            return batch
        return await self._retrieve(batch.id if isinstance(batch, Batch) else batch)

    def list(self, *, after: Optional[str] = None, limit: int = 20,
             **options: Unpack[RequestOptions]) -> BatchPage:
        """One page of batches, newest first (`has_more`, `last_id`);
        iterating it walks on through the pages after it."""
        return self._client._paginate(self._page(None if after is None else str(after), int(limit),
                                            call_settings("batches.list", options)))

    async def _page(self, after: Optional[str], limit: int, settings: CallSettings) -> BatchPage:
        encoded = None if after is None else after.encode()

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_batch_list_start(client, encoded, limit, queue, NO_CALLBACK, user_data, out)
            return status
        client = self._client
        return batch_page(await client._value(start, settings, task_batch_page),
                          lambda last_id: self._page(last_id, limit, settings), client._run, client._iterate_pages)

    def cancel(self, batch: BatchOrId, **options: Unpack[RequestOptions]) -> Batch:
        """Asks Kimi to cancel (only from validating, in_progress or
        finalizing); returns the batch, updated."""
        return self._client._run(self._cancel(batch, call_settings("batches.cancel", options)))

    async def _cancel(self, given: BatchOrId, settings: CallSettings) -> Batch:
        batch = await self._own(given)
        handle = batch._handle.require("batch")

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_batch_cancel_start(client, handle, queue, NO_CALLBACK, user_data, out)
            return status
        _update(batch, await self._client._value(start, settings, task_batch))
        return batch

    def wait(self, batch: BatchOrId, *, poll_interval: float = 1.0, on_progress: OnProgress = None,
             max_interval: Optional[float] = None) -> Batch:
        """Polls until the batch is completed, failed, expired or cancelled,
        updating it in place; returns it. Polls start `poll_interval`
        seconds apart and space out by half while nothing changes, up to a
        minute (`max_interval` is accepted for older code and unused).
        `on_progress(batch)` runs after each poll (awaited when the async
        client gets a coroutine function); returning False stops waiting
        (the batch runs on)."""
        return self._client._run(self._wait(batch, max(int(float(poll_interval) * 1000), 1), on_progress))

    async def _wait(self, given: BatchOrId, poll_ms: int, on_progress: OnProgress) -> Batch:
        batch = await self._own(given)
        handle = batch._handle.require("batch")

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_batch_wait_start(client, handle, poll_ms, queue, NO_CALLBACK, user_data, out)
            return status
        async with self._client._call(start, None, task_batch, attachment=_polled) as call:
            async for event in call.events():
                if event.kind == PROGRESS and event.data:
                    _update(batch, event.data)
                    if on_progress is not None and await call_back(on_progress, batch) is False:
                        return batch  # leaving the block stops the waiting, not the batch
            _update(batch, await call.value())
        return batch

    def results(self, batch: BatchOrId) -> Iterator[BatchResult]:
        """The result lines (BatchResult), output file first, then the error
        file, read as they download: only a few lines are held in memory.
        Successful lines count once in client.usage. An iterator (async
        iterator on the async client)."""
        return self._client._iterate(self._results(batch))

    async def _results(self, given: BatchOrId) -> AsyncGenerator[BatchResult, None]:
        batch = await self._own(given)
        handle = batch._handle.require("batch")

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_batch_results_start(client, handle, queue, NO_CALLBACK, user_data, out)
            return status
        async with self._client._call(start, None, task_count, attachment=_answered) as call:
            async for event in call.events():
                if event.kind == RESULT:
                    yield BatchResult(event.text, event.data or None, event.status, event.error or None)


def _update(batch: Batch, fresh: Batch) -> None:
    """Puts `fresh`'s state into `batch` (the caller's object stays the one
    they hold)."""
    batch._handle, fresh._handle = fresh._handle, batch._handle
    batch._page = None


def _polled(queue: Any, event: Event) -> None:
    """The batch a wait's PROGRESS carries (the queue's current event)."""
    out = ctypes.c_void_p()
    if L.kimi_stream_event_batch(queue, ctypes.byref(out)) == OK and out.value:
        event.data = Batch(out.value)


def _answered(queue: Any, event: Event) -> None:
    """The chat response a successful result line carries (the queue's
    current event)."""
    if event.kind != RESULT or event.error:
        return
    out = ctypes.c_void_p()
    if L.kimi_stream_event_response(queue, ctypes.byref(out)) == OK and out.value:
        try:
            event.data = response_from(out.value)
        finally:
            L.kimi_chat_response_free(out.value)


def _metadata(metadata: Optional[Dict[str, str]]) -> Optional[bytes]:
    return None if metadata is None else json.dumps(metadata, ensure_ascii=False).encode()


def _window(window: Optional[str]) -> Optional[bytes]:
    return None if window is None else str(window).encode()


if TYPE_CHECKING:
    class AsyncBatches(Resource):
        async def create(self, *, input_file_id: str, completion_window: str = "24h",
                         metadata: Optional[Dict[str, str]] = None, endpoint: str = "/v1/chat/completions",
                         **options: Unpack[RequestOptions]) -> Batch: ...
        async def submit(self, path: Union[str, os.PathLike[str]], *, completion_window: Window = None,
                         metadata: Optional[Dict[str, str]] = None, **options: Unpack[RequestOptions]) -> Batch: ...
        async def retrieve(self, batch_id: str, **options: Unpack[RequestOptions]) -> Batch: ...
        def list(self, *, after: Optional[str] = None, limit: int = 20,
                 **options: Unpack[RequestOptions]) -> AsyncPaginator[Batch, BatchPage]: ...
        async def cancel(self, batch: BatchOrId, **options: Unpack[RequestOptions]) -> Batch: ...
        async def wait(self, batch: BatchOrId, *, poll_interval: float = 1.0,
                       on_progress: Optional[Callable[[Batch], Union[Any, Awaitable[Any]]]] = None,
                       max_interval: Optional[float] = None) -> Batch: ...
        def results(self, batch: BatchOrId) -> AsyncIterator[BatchResult]: ...
else:
    AsyncBatches = Batches
