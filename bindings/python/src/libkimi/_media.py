"""Media content parts. Use them in a message's content list next to
openai-style dicts:

    {"role": "user", "content": [image_from_path("cat.jpg"), {"type": "text", "text": "What is this?"}]}

The format is detected from the bytes by libkimi; files are read (and
base64-encoded into the request) only when the request is sent."""

import base64
import os


class MediaPart:
    """An image or video for a message: from a file or from bytes."""

    __slots__ = ("kind", "path", "data", "mime")

    def __init__(self, kind, path=None, data=None, mime=None):
        self.kind = kind
        self.path = path
        self.data = data
        self.mime = mime

    def __repr__(self):
        source = self.path if self.path is not None else f"<{len(self.data)} bytes>"  # pyright: ignore[reportArgumentType]
        return f"MediaPart({self.kind!r}, {source!r})"

    def to_dict(self):
        """The openai-style part with a base64 data URI (reads the file), for
        code that needs a plain dict."""
        data = self.data
        if data is None:
            with open(self.path, "rb") as f:  # pyright: ignore[reportCallIssue, reportArgumentType]
                data = f.read()
        mime = self.mime or _detected_mime(self.kind, data)
        url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return {"type": f"{self.kind}_url", f"{self.kind}_url": {"url": url}}


def _detected_mime(kind, data):
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
    return body.split("data:", 1)[1].split(";", 1)[0]  # pyright: ignore[reportOptionalMemberAccess]


def image_from_path(path):
    """An image read from `path` when the request is sent."""
    return MediaPart("image", path=os.fspath(path))


def video_from_path(path):
    """A video read from `path` when the request is sent (base64-encoded
    straight into the request; over 100 MB, upload it or use auto_upload)."""
    return MediaPart("video", path=os.fspath(path))


def image_from_bytes(data, mime=None):
    """An image from bytes (`mime` None: detected from the bytes)."""
    return MediaPart("image", data=bytes(data), mime=mime)


def video_from_bytes(data, mime=None):
    """A video from bytes (`mime` None: detected from the bytes)."""
    return MediaPart("video", data=bytes(data), mime=mime)
