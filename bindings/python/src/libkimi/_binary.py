"""A file's content taken as it arrives: openai-python's
`with_streaming_response.content(...)` answers, sync and async. Only the
piece at hand is held (the C library delivers the download as DATA events
of a task), so a file of any size streams to disk in flat memory."""

import os
from typing import Any, AsyncGenerator, AsyncIterator, Iterator, List, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]


class _Cutter:
    """Cuts pieces as they come into `size`-byte chunks (the last may be
    shorter); size None passes them as they are."""

    __slots__ = ("size", "held")

    def __init__(self, size: Optional[int]) -> None:
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
            raise ValueError(f"chunk_size must be an int, 1 or more, not {size!r}")
        self.size = size
        self.held = bytearray()

    def cut(self, piece: bytes) -> List[bytes]:
        size = self.size
        if size is None:
            return [piece]
        held = self.held
        held += piece
        out: List[bytes] = []
        while len(held) >= size:
            out.append(bytes(held[:size]))
            del held[:size]
        return out

    def rest(self) -> List[bytes]:
        return [bytes(self.held)] if self.held else []


class StreamedBinaryResponse:
    """`with client.files.with_streaming_response.content(file_id) as
    response:` the file's content as it arrives: `iter_bytes(chunk_size=)`,
    `stream_to_file(path)`, or `read()` (all of it, in memory). A download
    cut midway raises IncompleteStreamError (an APIConnectionError) after
    the bytes that came. Leaving the block stops the download."""

    def __init__(self, events: Iterator[Any]) -> None:
        self._events = events
        self._first: Optional[Any] = None
        self._started = False
        self._consumed = False

    def __enter__(self) -> "StreamedBinaryResponse":
        # As openai-python's: the request is made here, so a refused one
        # (an unknown file) raises on entering.
        self._first = next(self._events, None)
        self._started = True
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

    def _pieces(self) -> Iterator[bytes]:
        if self._consumed:
            raise RuntimeError("the content was already read: a streamed response is read once")
        self._consumed = True
        if not self._started:
            self.__enter__()
        first, self._first = self._first, None
        if first is not None:
            yield first.data
        for event in self._events:
            yield event.data

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        cutter = _Cutter(chunk_size)
        for piece in self._pieces():
            yield from cutter.cut(piece)
        yield from cutter.rest()

    def read(self) -> bytes:
        return b"".join(self._pieces())

    def text(self) -> str:
        return self.read().decode("utf-8", "replace")

    def stream_to_file(self, file: PathLike, *, chunk_size: Optional[int] = None) -> None:
        """Writes the content to `file` as it arrives; a cut download leaves
        what came there and raises."""
        with open(file, "wb") as target:
            for piece in self.iter_bytes(chunk_size):
                target.write(piece)


class AsyncStreamedBinaryResponse:
    """The async form: `async with ... as response:`, `async for piece in
    response.iter_bytes()`, `await response.stream_to_file(path)`,
    `await response.read()`."""

    def __init__(self, events: AsyncGenerator[Any, None]) -> None:
        self._events = events
        self._first: Optional[Any] = None
        self._started = False
        self._consumed = False

    async def __aenter__(self) -> "AsyncStreamedBinaryResponse":
        await self._start()
        return self

    async def _start(self) -> None:
        self._started = True
        try:
            self._first = await self._events.__anext__()
        except StopAsyncIteration:
            self._first = None

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        await self._events.aclose()

    async def _pieces(self) -> AsyncIterator[bytes]:
        if self._consumed:
            raise RuntimeError("the content was already read: a streamed response is read once")
        self._consumed = True
        if not self._started:
            await self._start()
        first, self._first = self._first, None
        if first is not None:
            yield first.data
        async for event in self._events:
            yield event.data

    async def iter_bytes(self, chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        cutter = _Cutter(chunk_size)
        async for piece in self._pieces():
            for chunk in cutter.cut(piece):
                yield chunk
        for chunk in cutter.rest():
            yield chunk

    async def read(self) -> bytes:
        return b"".join([piece async for piece in self._pieces()])

    async def text(self) -> str:
        return (await self.read()).decode("utf-8", "replace")

    async def stream_to_file(self, file: PathLike, *, chunk_size: Optional[int] = None) -> None:
        with open(file, "wb") as target:
            async for piece in self.iter_bytes(chunk_size):
                target.write(piece)
