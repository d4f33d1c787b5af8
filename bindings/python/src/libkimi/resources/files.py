"""client.files (openai-python's), each call a task of the C library."""

from __future__ import annotations

import os

from .. import _lib
from .._errors import StreamAborted
from .._records import DATA, PROGRESS
from .._results import task_count, task_file, task_files
from .._tasks import NO_CALLBACK, call_back
from ..types.file_object import FileContent, FileDeleted
from .._typing import is_path, is_tuple
from ._resource import Resource, call_settings


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, AsyncGenerator, Callable, Literal, Optional, Tuple, Union

    from typing_extensions import Unpack

    from ..types.chat.completion_create_params import RequestOptions
    from ..types.file_object import FileObject
    from ..types.page import AsyncPaginator, Page

    from .._binary import AsyncStreamedBinaryResponse, StreamedBinaryResponse
    from .._options import CallSettings
    from .._records import Event
    from .._tasks import Starter

    FileInput = Union[str, "os.PathLike[str]", bytes, Tuple[str, bytes], Any]  # Any: an open binary file
    Purpose = Literal["file-extract", "image", "video", "batch"]
    Progress = Optional[Callable[[int, int], Any]]

L = _lib.functions


class Files(Resource):
    """The Files API, shaped like openai-python's client.files."""

    __slots__ = ()

    def create(self, *, file: FileInput, purpose: Purpose, on_progress: Progress = None,
               **options: Unpack[RequestOptions]) -> FileObject:
        """Uploads `file` (a path, bytes, a (filename, bytes) pair, or an open
        binary file) with `purpose` "file-extract", "image", "video" or
        "batch". `on_progress(sent, total)` may return False to stop (the
        call then raises StreamAborted)."""
        return self._client._run(self._create(file, str(purpose).encode(), on_progress,
                                              call_settings("files.create", options)))

    async def _create(self, file: Any, purpose: bytes, on_progress: Progress, settings: CallSettings) -> FileObject:
        if is_path(file):
            path, data = os.fsencode(file), None

            def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
                status: int = L.kimi_file_upload_start(client, path, purpose, queue, NO_CALLBACK, user_data, out)
                return status
        else:
            if is_tuple(file):  # (filename, bytes or an open binary file[, content type]), as openai's
                filename, data = file[0], file[1]
                if hasattr(data, "read"):
                    data = data.read()
            elif hasattr(file, "read"):
                filename, data = os.path.basename(getattr(file, "name", "upload.bin")), file.read()
            else:
                filename, data = "upload.bin", file
            data, filename = bytes(data), str(filename).encode()

            def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
                status: int = L.kimi_file_upload_data_start(client, filename, data, len(data), purpose, queue,
                                                            NO_CALLBACK, user_data, out)
                return status
        async with self._client._call(start, settings, task_file, keep=data) as call:
            if on_progress is not None:
                async for event in call.events():
                    if event.kind == PROGRESS and await call_back(on_progress, event.done, event.total) is False:
                        raise StreamAborted("files.create: on_progress returned False: the upload was stopped")
            created: FileObject = await call.value()
            return created

    def retrieve(self, file_id: str, **options: Unpack[RequestOptions]) -> FileObject:
        encoded = str(file_id).encode()

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_file_retrieve_start(client, encoded, queue, NO_CALLBACK, user_data, out)
            return status
        return self._client._run(self._client._value(start, call_settings("files.retrieve", options), task_file))

    def list(self, **options: Unpack[RequestOptions]) -> Page[FileObject]:
        """Every file of the account (all pages: a Page of FileObject)."""
        return self._client._paginate(self._client._value(_start_list, call_settings("files.list", options),
                                                          task_files))

    def delete(self, file_id: str, **options: Unpack[RequestOptions]) -> FileDeleted:
        encoded = str(file_id).encode()

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_file_delete_start(client, encoded, queue, NO_CALLBACK, user_data, out)
            return status
        return self._client._run(self._delete(file_id, start, call_settings("files.delete", options)))

    async def _delete(self, file_id: str, start: Starter, settings: CallSettings) -> FileDeleted:
        return FileDeleted(file_id, await self._client._value(start, settings, task_count) == 1)

    def content(self, file_id: str, **options: Unpack[RequestOptions]) -> FileContent:
        """The extracted text of a "file-extract" file (`.text`), or the
        lines of a batch's output file (`.content`, the bytes), gathered as
        they arrive. For a large file, download() writes it to disk without
        holding it."""
        return self._client._run(self._content(str(file_id).encode(), call_settings("files.content", options)))

    async def _content(self, file_id: bytes, settings: CallSettings) -> FileContent:
        return FileContent(b"".join([event.data async for event in self._data(file_id, settings)]))

    @property
    def with_streaming_response(self) -> _StreamingFiles:
        """openai-python's `files.with_streaming_response.content(file_id)`:
        a context manager (`async with` on the async client) whose
        `iter_bytes()` and `stream_to_file(path)` take the content as it
        arrives, never holding the whole file."""
        return _StreamingFiles(self)

    def download(self, file_id: str, path: Union[str, os.PathLike[str]], *, on_progress: Progress = None,
                 **options: Unpack[RequestOptions]) -> int:
        """Writes a file's content to `path` as it arrives (memory stays flat
        whatever its size); returns the number of bytes written.
        `on_progress(received, total)` (total 0 when unknown) may return
        False to stop (StreamAborted). A download cut before its end raises
        IncompleteStreamError and leaves what arrived in `path`."""
        return self._client._run(self._download(str(file_id).encode(), path, on_progress,
                                                call_settings("files.download", options)))

    async def _download(self, file_id: bytes, path: Union[str, os.PathLike[str]], on_progress: Progress,
                        settings: CallSettings) -> int:
        written = 0
        with open(path, "wb") as target:
            async for event in self._data(file_id, settings):
                target.write(event.data)
                written += len(event.data)
                if on_progress is not None and await call_back(on_progress, event.done, event.total) is False:
                    raise StreamAborted("files.download: on_progress returned False: the download was stopped")
        return written

    async def _data(self, file_id: bytes, settings: CallSettings) -> AsyncGenerator[Event, None]:
        """Each piece of a file's content (a DATA event) as it arrives;
        raises the download's failure (a cut: IncompleteStreamError) after
        the pieces that came. Leaving early stops the download."""
        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_file_content_start(client, file_id, queue, NO_CALLBACK, user_data, out)
            return status
        async with self._client._call(start, settings, task_count) as call:
            async for event in call.events():
                if event.kind == DATA:
                    yield event


class _StreamingFiles:
    __slots__ = ("_files",)

    def __init__(self, files: Files) -> None:
        self._files = files

    def content(self, file_id: str, **options: Unpack[RequestOptions]) -> StreamedBinaryResponse:
        """A file's content as a StreamedBinaryResponse (sync) or an
        AsyncStreamedBinaryResponse (async): the download starts when the
        block is entered (an unknown file raises there)."""
        files = self._files
        pieces = files._data(str(file_id).encode(), call_settings("files.content", options))
        client = files._client
        if client._iterate_pages is None:
            from .._binary import AsyncStreamedBinaryResponse
            response: Any = AsyncStreamedBinaryResponse(pieces)
            return response  # type: ignore[no-any-return]  # the async client's: AsyncFiles declares it
        from .._binary import StreamedBinaryResponse
        return StreamedBinaryResponse(client._iterate(pieces))


def _start_list(client: Any, queue: Any, user_data: int, out: Any) -> int:
    status: int = L.kimi_files_list_start(client, queue, NO_CALLBACK, user_data, out)
    return status


if TYPE_CHECKING:
    class AsyncFiles(Resource):
        async def create(self, *, file: FileInput, purpose: Purpose, on_progress: Progress = None,
                         **options: Unpack[RequestOptions]) -> FileObject: ...
        async def retrieve(self, file_id: str, **options: Unpack[RequestOptions]) -> FileObject: ...
        def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[FileObject, Page[FileObject]]: ...
        @property
        def with_streaming_response(self) -> _AsyncStreamingFiles: ...
        async def delete(self, file_id: str, **options: Unpack[RequestOptions]) -> FileDeleted: ...
        async def content(self, file_id: str, **options: Unpack[RequestOptions]) -> FileContent: ...
        async def download(self, file_id: str, path: Union[str, os.PathLike[str]], *, on_progress: Progress = None,
                           **options: Unpack[RequestOptions]) -> int: ...

    class _AsyncStreamingFiles:
        def content(self, file_id: str, **options: Unpack[RequestOptions]) -> AsyncStreamedBinaryResponse: ...
else:
    AsyncFiles = Files
