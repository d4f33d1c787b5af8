"""C results made into Python objects: chat responses, files, models, a
balance; and, for each kind of task, how its result is read once it ended
(the kimi_task_* accessor and the conversion), for every client."""

from __future__ import annotations

import ctypes
import json
import threading

from . import _lib
from ._errors import OK, TOO_LARGE, check, last_error
from ._raw import response_of
from ._records import read_response
from .types.account import Balance
from .types.batch import Batch, BatchPage
from .types.chat.chat_completion import ChatCompletion, ChatCompletionMessage
from .types.file_object import FileObject
from .types.model import Model
from .types.page import Page

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, Type

L = _lib.functions


def response_from(handle: int, cls: Type[ChatCompletion] = ChatCompletion) -> ChatCompletion:
    """A ChatCompletion from a kimi_chat_response handle (not freed here):
    built from the response's records, or, when they do not hold all of
    it (members Kimi does not document), from its JSON."""
    records = response_records(handle)
    if records is not None:
        completion, cost, searches, request_id, prefix = read_response(records, cls)
    else:  # more choices than records can name: the accessors
        completion, prefix = None, None
        cost, searches = L.kimi_chat_response_cost_usd(handle), L.kimi_chat_response_web_search_calls(handle)
        request_id = L.kimi_chat_response_request_id(handle).decode()
    if completion is None:
        body: Any = json.loads(_lib.text(L.kimi_chat_response_json, handle) or "{}")
        completion = cls.from_json(body)
    message = completion.choices[0].message if completion.choices else None
    content = message.content if isinstance(message, ChatCompletionMessage) else None
    if prefix is None:
        completion.full_content = _lib.text(L.kimi_chat_response_full_content, handle) if message else content
    else:
        completion.full_content = prefix + (content or "") if prefix else content
    completion.cost_usd = cost
    completion.web_search_calls = searches
    completion._request_id = request_id or None
    return completion


#: Bytes a response's records are first read into (a larger response asks
#: for its size and is read again).
RESPONSE_BUFFER = 2048
#: Each thread's buffer for them, taken while in use (a signal handler's
#: call in between gets its own).
_buffers = threading.local()


def response_records(handle: int) -> Optional[bytes]:
    """kimi_chat_response_read_records of a response handle; None when no
    records can name its choices (more than 32,768)."""
    buffer = getattr(_buffers, "buffer", None)
    if buffer is None or len(buffer) != RESPONSE_BUFFER:
        buffer = ctypes.create_string_buffer(RESPONSE_BUFFER)
    else:
        _buffers.buffer = None
    length = ctypes.c_size_t()
    try:
        while True:
            status = L.kimi_chat_response_read_records(handle, buffer, len(buffer), ctypes.byref(length))
            if status == OK:
                return _lib.sliced(buffer, length.value)
            if status == TOO_LARGE and not length.value:
                return None
            if status != TOO_LARGE or length.value <= len(buffer):
                raise last_error()
            buffer = ctypes.create_string_buffer(length.value)
    finally:
        if len(buffer) == RESPONSE_BUFFER:
            _buffers.buffer = buffer


def take_response(pointer: Optional[int], raw: bool = False, cls: Optional[Type[ChatCompletion]] = None) -> Any:
    """The ChatCompletion (and its Response when `raw`) of a response
    handle the caller owns, freeing it; None for NULL."""
    if not pointer:
        return (None, None) if raw else None
    try:
        completion = response_from(pointer, cls or ChatCompletion)
        return (completion, response_of(pointer)) if raw else completion
    finally:
        L.kimi_chat_response_free(pointer)


def file_from(pointer: int) -> FileObject:
    """A FileObject from a kimi_file (not freed here)."""
    return FileObject(L.kimi_file_id(pointer).decode(), L.kimi_file_bytes(pointer), L.kimi_file_created_at(pointer),
                      L.kimi_file_filename(pointer).decode(), L.kimi_file_purpose(pointer).decode(),
                      L.kimi_file_status(pointer).decode(), L.kimi_file_status_details(pointer).decode())


def _out(accessor: Any, task: int) -> Any:
    """The handle a kimi_task_* accessor stores (the caller frees it)."""
    out = ctypes.c_void_p()
    check(accessor(task, ctypes.byref(out)))
    return out.value


def task_file(task: int) -> FileObject:
    pointer = _out(L.kimi_task_file, task)
    try:
        return file_from(pointer)
    finally:
        L.kimi_file_free(pointer)


def task_files(task: int) -> Page[FileObject]:
    pointer = _out(L.kimi_task_file_list, task)
    try:
        return Page([file_from(L.kimi_file_list_get(pointer, i)) for i in range(L.kimi_file_list_count(pointer))])
    finally:
        L.kimi_file_list_free(pointer)


def model_from(pointer: int) -> Model:
    """A Model from a kimi_model handle (owned or borrowed from a list; not freed here)."""
    return Model(L.kimi_model_id(pointer).decode(), L.kimi_model_created(pointer),
                 L.kimi_model_owned_by(pointer).decode(), L.kimi_model_context_length(pointer),
                 bool(L.kimi_model_supports_image_in(pointer)), bool(L.kimi_model_supports_video_in(pointer)),
                 bool(L.kimi_model_supports_reasoning(pointer)))


def task_model(task: int) -> Model:
    pointer = _out(L.kimi_task_model, task)
    try:
        return model_from(pointer)
    finally:
        L.kimi_model_free(pointer)


def task_models(task: int) -> Page[Model]:
    pointer = _out(L.kimi_task_model_list, task)
    try:
        return Page([model_from(L.kimi_model_list_get(pointer, i)) for i in range(L.kimi_model_list_count(pointer))])
    finally:
        L.kimi_model_list_free(pointer)


def task_balance(task: int) -> Balance:
    available, voucher, cash = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    check(L.kimi_task_balance(task, ctypes.byref(available), ctypes.byref(voucher), ctypes.byref(cash)))
    return Balance(available.value, voucher.value, cash.value)


def task_count(task: int) -> int:
    count = ctypes.c_int64()
    check(L.kimi_task_count(task, ctypes.byref(count)))
    return count.value


def task_batch(task: int) -> Batch:
    """A Batch owning the handle kimi_task_batch stores."""
    return Batch(_out(L.kimi_task_batch, task))


def task_batch_page(task: int) -> Any:
    """The page's handle (the caller makes its BatchPage, which owns it)."""
    return _out(L.kimi_task_batch_page, task)


def batch_page(pointer: int, fetch: Optional[Callable[[str], Any]] = None, run: Optional[Callable[[Any], Any]] = None,
               iterate: Optional[Callable[[Any], Any]] = None) -> BatchPage:
    """A BatchPage owning the kimi_batch_page `pointer`; `fetch(last_id)` (a
    coroutine) gives the page after it, run with `run` (the client's), and
    its walk goes on with `iterate` on the sync client."""
    from ._handles import Handle
    page = Handle(pointer, L.kimi_batch_page_free)
    batches = [Batch(L.kimi_batch_page_get(page.pointer, i), page) for i in range(L.kimi_batch_page_count(page.pointer))]
    return BatchPage(batches, bool(L.kimi_batch_page_has_more(page.pointer)),
                     L.kimi_batch_page_last_id(page.pointer).decode() or None, fetch, run, iterate)
