"""Files (openai.types.FileObject, FileDeleted) and a file's content."""

from ._base import _Object


class FileObject(_Object):
    __slots__ = _fields = ("id", "bytes", "created_at", "filename", "object", "purpose", "status", "expires_at",
                           "status_details")

    def __init__(self, id, bytes, created_at, filename, purpose, status, status_details):
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

    def __init__(self, id, deleted=True):
        self.id = id
        self.object = "file"
        self.deleted = deleted


class FileContent(_Object):
    """A file's content: its bytes (`content`) and its text (`text`, UTF-8;
    a byte that is not becomes U+FFFD)."""

    __slots__ = ("content",)
    _fields = ("text",)

    def __init__(self, content):
        self.content = content if isinstance(content, bytes) else str(content).encode("utf-8")

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")
