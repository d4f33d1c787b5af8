"""Media content parts. Use them in a message's content list next to
openai-style dicts:

    {"role": "user", "content": [image_from_path("cat.jpg"), {"type": "text", "text": "What is this?"}]}

The format is detected from the bytes by libkimi; files are read (and
base64-encoded into the request) only when the request is sent."""

from __future__ import annotations

import base64
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Literal, Optional, Union

    Kind = Literal["image", "video"]
    PathLike = Union[str, os.PathLike[str]]


class MediaPart:
    """An image or video for a message: from a file or from bytes."""

    __slots__ = ("kind", "path", "data", "mime")

    kind: Kind
    path: Optional[str]
    data: Optional[bytes]
    mime: Optional[str]

    def __init__(self, kind: Kind, path: Optional[str] = None, data: Optional[bytes] = None,
                 mime: Optional[str] = None) -> None:
        self.kind = kind
        self.path = path
        self.data = data
        self.mime = mime

    def __repr__(self) -> str:
        source = self.path if self.path is not None else f"<{len(self.data or b'')} bytes>"
        return f"MediaPart({self.kind!r}, {source!r})"

    def to_dict(self) -> Dict[str, object]:
        """The openai-style part with a base64 data URI (reads the file), for
        code that needs a plain dict."""
        data = self.data
        if data is None:
            if self.path is None:
                raise ValueError("this MediaPart has neither a path nor data")
            with open(self.path, "rb") as f:
                data = f.read()
        mime = self.mime or _detected_mime(self.kind, data)
        url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return {"type": f"{self.kind}_url", f"{self.kind}_url": {"url": url}}


def _detected_mime(kind: Kind, data: bytes) -> str:
    from . import _lib
    from ._errors import check
    L = _lib.functions
    message = L.kimi_message_new(b"user")
    try:
        add = L.kimi_message_add_image_data if kind == "image" else L.kimi_message_add_video_data
        check(add(message, None, data, len(data)))
        request = L.kimi_chat_request_new(None)
        try:
            check(L.kimi_chat_request_append_message(request, message))
            body = _lib.take_string(L.kimi_chat_request_to_json(request))
        finally:
            L.kimi_chat_request_free(request)
    finally:
        L.kimi_message_free(message)
    return (body or "").split("data:", 1)[1].split(";", 1)[0]


def image_from_path(path: PathLike) -> MediaPart:
    """An image read from `path` when the request is sent."""
    return MediaPart("image", path=os.fspath(path))


def video_from_path(path: PathLike) -> MediaPart:
    """A video read from `path` when the request is sent (base64-encoded
    straight into the request; over 100 MB, upload it or use auto_upload)."""
    return MediaPart("video", path=os.fspath(path))


def image_from_bytes(data: Union[bytes, bytearray, memoryview], mime: Optional[str] = None) -> MediaPart:
    """An image from bytes (`mime` None: detected from the bytes)."""
    return MediaPart("image", data=bytes(data), mime=mime)


def video_from_bytes(data: Union[bytes, bytearray, memoryview], mime: Optional[str] = None) -> MediaPart:
    """A video from bytes (`mime` None: detected from the bytes)."""
    return MediaPart("video", data=bytes(data), mime=mime)
