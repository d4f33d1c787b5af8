"""Files (openai.types.FileObject, FileDeleted) and a file's content."""

from __future__ import annotations

from ._base import _Object

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up
if TYPE_CHECKING:
    import os
    from typing import Iterator, Literal, Optional, Union


class FileObject(_Object):
    __slots__ = _fields = ("id", "bytes", "created_at", "filename", "object", "purpose", "status", "expires_at",
                           "status_details")
    id: str
    bytes: int
    created_at: int
    filename: str
    object: Literal["file"]
    purpose: str  # Kimi's: "file-extract", "image", "video" or "batch"
    status: str
    expires_at: Optional[int]
    status_details: Optional[str]

    def __init__(self, id: str, bytes: int, created_at: int, filename: str, purpose: str, status: str,
                 status_details: Optional[str]) -> None:
        self.id = id
        self.object = "file"
        self.bytes = bytes
        self.created_at = created_at
        self.filename = filename
        self.purpose = purpose
        self.status = status
        self.expires_at = None
        self.status_details = status_details


class FileDeleted(_Object):
    __slots__ = _fields = ("id", "deleted", "object")
    id: str
    deleted: bool
    object: Literal["file"]

    def __init__(self, id: str, deleted: bool = True) -> None:
        self.id = id
        self.object = "file"
        self.deleted = deleted


class FileContent(_Object):
    """A file's content, as openai-python's files.content() answer: its
    bytes (`content`, `read()`, `bytes(...)`), its text (`text`, UTF-8; a
    byte that is not becomes U+FFFD), `json()`, `iter_bytes()` and
    `write_to_file(path)`. It is held whole: for a large file use
    files.with_streaming_response.content(...) or files.download(...)."""

    __slots__ = ("content",)
    _fields = ("text",)
    content: bytes

    def __init__(self, content: bytes | str) -> None:
        self.content = content if isinstance(content, bytes) else str(content).encode("utf-8")

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def read(self) -> bytes:
        return self.content

    def __bytes__(self) -> bytes:
        return self.content

    def json(self) -> object:
        import json
        return json.loads(self.content)

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        from .._binary import _Cutter
        cutter = _Cutter(chunk_size)
        yield from cutter.cut(self.content)
        yield from cutter.rest()

    def write_to_file(self, file: Union[str, os.PathLike[str]]) -> None:
        with open(file, "wb") as target:
            target.write(self.content)
