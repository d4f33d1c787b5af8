"""Kimi's Batch API, shaped like openai-python's client.batches, plus an
input writer and a streaming results reader."""

import ctypes
import json
import os
import queue
import threading

from . import _interrupt, _lib
from ._errors import ABORTED, OK, check, last_error
from ._handles import Handle
from ._requests import build
from ._streaming import response_from
from ._types import Page, _Object

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
    on through the pages after it, as openai-python's pages do, fetched by
    the library's iterator (kimi_batch_iter_next) as needed."""

    __slots__ = ("has_more", "last_id", "_more")
    _fields = Page._fields + ("has_more", "last_id")

    def __init__(self, data, has_more, last_id, more=None):
        super().__init__(data)
        self.has_more = has_more
        self.last_id = last_id
        self._more = more

    def __iter__(self):
        yield from self.data
        if self.has_more and self.last_id and self._more:
            yield from self._more(self.last_id)

    def auto_paging_iter(self):
        return iter(self)


_DONE = object()


def _keep(_pointer):
    """The free function of a borrowed batch: its page frees it."""


class Batches:
    """client.batches: create, submit, retrieve, list, cancel, wait, results."""

    def __init__(self, client):
        self._client = client

    def _c(self):
        return self._client._pointer()

    def _made(self, method, function, options, *args):
        """A Batch from a call of `function(client, *args, &out)` with the
        method's per-call options."""
        from ._client import call_settings
        settings = call_settings(method, options)
        pointer = ctypes.c_void_p()
        with self._client._calling(settings) as client:
            check(function(client, *args, ctypes.byref(pointer)))
        return Batch(pointer.value)

    @staticmethod
    def _metadata(metadata):
        return None if metadata is None else json.dumps(metadata, ensure_ascii=False).encode()

    @staticmethod
    def _window(window):
        return None if window is None else str(window).encode()

    def create(self, *, input_file_id, completion_window="24h", metadata=None, endpoint="/v1/chat/completions",
               **options):
        """Creates a batch from a file uploaded with purpose "batch" (as
        openai-python). The window (12h to 7d) and metadata (16 string pairs,
        keys up to 64, values up to 512 characters) are checked first."""
        if endpoint != "/v1/chat/completions":
            raise ValueError(f"endpoint: Kimi batches run /v1/chat/completions, not {endpoint!r}")
        return self._made("batches.create", L.kimi_batch_create, options, str(input_file_id).encode(),
                          self._window(completion_window), self._metadata(metadata))

    def submit(self, path, *, completion_window=None, metadata=None, **options):
        """Uploads the JSONL file at `path` (purpose "batch") and creates the
        batch; every limit is checked before the upload."""
        return self._made("batches.submit", L.kimi_batch_submit, options, os.fsencode(path),
                          self._window(completion_window), self._metadata(metadata))

    def retrieve(self, batch_id, **options):
        return self._made("batches.retrieve", L.kimi_batch_retrieve, options, str(batch_id).encode())

    def _refresh(self, batch, **options):
        """Polls `batch` once, updating it in place."""
        fresh = self.retrieve(batch.id, **options)
        batch._handle, fresh._handle = fresh._handle, batch._handle
        batch._page = None
        return batch

    def _batch(self, batch):
        """A batch of its own (ids and batches borrowed from a page are
        fetched afresh), to update in place."""
        if isinstance(batch, Batch) and batch._page is None:
            return batch
        return self.retrieve(batch.id if isinstance(batch, Batch) else batch)

    def list(self, *, after=None, limit=20, **options):
        """One page of batches, newest first (`has_more`, `last_id`)."""
        from ._client import call_settings
        settings = call_settings("batches.list", options)
        pointer = ctypes.c_void_p()
        with self._client._calling(settings) as client:
            check(L.kimi_batch_list(client, None if after is None else str(after).encode(), int(limit),
                                    ctypes.byref(pointer)))
        page = Handle(pointer.value, L.kimi_batch_page_free)
        batches = [Batch(L.kimi_batch_page_get(page.pointer, i), page)
                   for i in range(L.kimi_batch_page_count(page.pointer))]
        return BatchPage(batches, bool(L.kimi_batch_page_has_more(page.pointer)),
                         L.kimi_batch_page_last_id(page.pointer).decode() or None,
                         lambda last_id: self._walk(last_id, int(limit), settings))

    def _walk(self, after, limit, settings):
        """Every batch after `after`, page by page as needed. The iterator
        keeps the call's settings and a cancel token of its own, which
        Ctrl-C fires while a page is fetched on the main thread."""
        from ._options import view
        token = L.kimi_cancel_token_new()
        iterator = ctypes.c_void_p()
        try:
            client = view(self._c(), settings, token)
            try:
                check(L.kimi_batch_iter_new(client or self._c(), str(after).encode(), limit, ctypes.byref(iterator)))
            finally:
                if client:
                    L.kimi_client_free(client)  # the iterator keeps what it needs of it
            pointer = ctypes.c_void_p()
            while True:
                hold = _interrupt.Hold(token) if token and _interrupt.on_main_thread() else None
                try:
                    status = L.kimi_batch_iter_next(iterator, ctypes.byref(pointer))
                finally:
                    if hold is not None:
                        hold.release()
                check(status)
                if not pointer.value:
                    return
                yield Batch(pointer.value)
        finally:
            L.kimi_batch_iter_free(iterator)
            L.kimi_cancel_token_free(token)

    def cancel(self, batch, **options):
        """Asks Kimi to cancel (only from validating, in_progress or
        finalizing); returns the batch, updated."""
        from ._client import call_settings
        settings = call_settings("batches.cancel", options)
        batch = self._batch(batch)
        with self._client._calling(settings) as client:
            check(L.kimi_batch_cancel(client, batch._handle.require("batch")))
        return batch

    def wait(self, batch, *, poll_interval=1.0, on_progress=None):
        """Polls until the batch is completed, failed, expired or cancelled,
        updating it in place; returns it. `on_progress(batch)` runs after
        each poll; returning False stops waiting (the batch runs on)."""
        batch = self._batch(batch)
        stored = []
        stopped = []

        def progress(_pointer, _completed, _failed, _total, _user_data):
            try:
                if on_progress(batch) is False:
                    stopped.append(True)
                    return 1
                return 0
            except BaseException as exc:
                stored.append(exc)
                return 1

        callback = _lib.batch_progress_cb(progress) if on_progress else _lib.batch_progress_cb()
        handle = batch._handle.require("batch")
        with _interrupt.Call() as token:
            if token:
                check(L.kimi_batch_set_cancel_token(handle, token))
            try:
                status = L.kimi_batch_wait(self._c(), handle, max(int(poll_interval * 1000), 1), callback, None)
                error = last_error() if status != OK else None
            finally:
                if token:
                    L.kimi_batch_set_cancel_token(handle, None)
        if stored:
            raise stored[0]
        if status == ABORTED and stopped:
            return batch
        if error is not None:
            raise error
        return batch

    def results(self, batch):
        """The result lines (BatchResult), output file first, then the error
        file, read as they download: only a few lines are held in memory.
        Successful lines count once in client.usage."""
        batch = self._batch(batch)
        lines = queue.Queue(maxsize=64)
        stop = threading.Event()

        def on_line(custom_id, response, status, error, _user_data):
            if stop.is_set():
                return 1
            lines.put(BatchResult(custom_id.decode(), response_from(response, full=False) if response else None,
                                  status, error.decode() if error else None))
            return 0

        callback = _lib.batch_result_cb(on_line)
        # Stops a download blocked on the network when the reader of the
        # lines goes away (Ctrl-C, break, close()).
        token = L.kimi_cancel_token_new()
        handle = batch._handle.require("batch")
        check(L.kimi_batch_set_cancel_token(handle, token))

        def read():
            status = L.kimi_batch_results(self._c(), handle, callback, None)
            stopped_by_us = status == ABORTED and stop.is_set()
            lines.put(_DONE if status == OK or stopped_by_us else last_error())

        reader = threading.Thread(target=read, name="libkimi-batch-results", daemon=True)
        reader.start()
        try:
            while True:
                item = lines.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # The reader is at most one put() away from seeing `stop`: empty
            # the queue so that put returns, then it ends on its next line.
            stop.set()
            L.kimi_cancel_token_cancel(token)
            while not lines.empty():
                lines.get_nowait()
            reader.join()
            L.kimi_batch_set_cancel_token(handle, None)
            L.kimi_cancel_token_free(token)

