"""The Files API: an in-memory store with Kimi's limits and messages.

GET /v1/files answers every file in one page, as Kimi documents it; with an
`X-Mock-Page-Size: N` header it pages like OpenAI (`has_more`, `?after=`).
Two families of file ids exist without an upload, for downloads of any size
that the mock never holds in memory: the content of file-big-<N> is N bytes
(byte i is i % 256) with its Content-Length; file-cut-<N> announces N bytes,
sends half of them and drops the connection.
"""

import itertools
import json
import re
import urllib.parse

from . import media
from .validation import APIError

MAX_FILE = 100 * 1024 * 1024
MAX_FILES = 1000
PURPOSES = ("file-extract", "image", "video", "batch")

store = {}
ids = itertools.count(1)


def invalid(message):
    return APIError(400, "invalid_request_error", message)


def parse_multipart(request):
    """Fields and the file part of a multipart/form-data body."""
    content_type = request.header("content-type")
    if "boundary=" not in content_type:
        raise invalid("Invalid request: expected multipart/form-data")
    boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip().strip('"').encode()
    fields, upload = {}, None
    for part in request.body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.partition(b"\r\n\r\n")
        data = data[:-2] if data.endswith(b"\r\n") else data
        headers = head.decode("latin-1")
        name = headers.split('name="', 1)[1].split('"', 1)[0] if 'name="' in headers else ""
        if 'filename="' in headers:
            upload = (headers.split('filename="', 1)[1].split('"', 1)[0], data)
        else:
            fields[name] = data.decode()
    return fields, upload


def meta(file_id, filename, size, purpose, created):
    return {"id": file_id, "object": "file", "bytes": size, "created_at": created, "filename": filename,
            "purpose": purpose, "status": "ok", "status_details": ""}


async def upload(request, response, headers):
    fields, upload_part = parse_multipart(request)
    purpose = fields.get("purpose", "")
    if purpose not in PURPOSES:
        raise invalid(f"Invalid purpose: {purpose!r}, must be one of file-extract, image, video, batch")
    if upload_part is None:
        raise invalid("Invalid request: no file part")
    filename, data = upload_part
    if len(data) == 0:
        raise invalid("File size is zero, please confirm and re-upload the file")
    if len(data) > MAX_FILE:
        raise invalid("File size is too large, max file size is 100MB, please confirm and re-upload the file")
    if len(store) >= MAX_FILES:
        raise invalid(f"the number of files exceeded the max file count {MAX_FILES}, please delete some files")
    if purpose in ("image", "video"):
        found = media.sniff(data[:1024])
        if found is None or not found.startswith(purpose):
            raise invalid(f"Invalid file: not a supported {purpose}")
    n = next(ids)
    file_id = f"file-mock{n:06d}"
    store[file_id] = {"meta": meta(file_id, filename, len(data), purpose, 1700000000 + n), "data": data}
    await response.send_json(200, store[file_id]["meta"], headers=headers)


def lookup(path):
    file_id = path.split("/")[3]
    if file_id not in store:
        raise APIError(404, "resource_not_found_error", f"file {file_id} not found")
    return file_id, store[file_id]


async def list_files(request, response, headers):
    records = list(store.values())
    after = urllib.parse.parse_qs(request.query).get("after", [None])[0]
    if after is not None:
        ids = [r["meta"]["id"] for r in records]
        records = records[ids.index(after) + 1:] if after in ids else []
    answer = {"object": "list", "data": [r["meta"] for r in records]}
    page_size = int(request.header("x-mock-page-size") or 0)
    if page_size > 0:
        answer.update(data=answer["data"][:page_size], has_more=len(records) > page_size)
    await response.send_json(200, answer, headers=headers)


VIRTUAL = re.compile(r"^file-(big|cut)-(\d+)$")
PATTERN = bytes(range(256)) * 256  # 64 KiB: byte i of a virtual file is i % 256


async def virtual_content(response, kind, size, headers):
    """A virtual file's content, written 64 KiB at a time as the client reads."""
    response.started = True
    response.writer.write(response._head(200, [("Content-Type", "application/octet-stream"),
                                               ("Content-Length", str(size))] + list(headers)))
    limit = size if kind == "big" else size // 2
    sent = 0
    while sent < limit:
        n = min(len(PATTERN), limit - sent)
        response.writer.write(PATTERN[:n])
        await response.writer.drain()
        sent += n
    if kind == "cut":
        response.abort()


async def retrieve(request, response, headers):
    _, record = lookup(request.path)
    await response.send_json(200, record["meta"], headers=headers)


async def delete(request, response, headers):
    file_id, _ = lookup(request.path)
    del store[file_id]
    await response.send_json(200, {"id": file_id, "object": "file", "deleted": True}, headers=headers)


async def content(request, response, headers):
    virtual = VIRTUAL.match(request.path.split("/")[3])
    if virtual:
        await virtual_content(response, virtual.group(1), int(virtual.group(2)), headers)
        return
    _, record = lookup(request.path)
    if record["meta"]["purpose"] in ("batch", "batch_output"):
        await response.send(200, record["data"], content_type="application/jsonl", headers=headers)
        return
    if record["meta"]["purpose"] != "file-extract":
        raise invalid("Invalid request: content is only available for file-extract files")
    data = record["data"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = f"[extracted text of {record['meta']['filename']}, {len(data)} bytes]"
    await response.send(200, text, content_type="text/plain; charset=utf-8", headers=headers)


def route(method, path):
    """The handler for a /v1/files... request, or None."""
    parts = path.split("/")
    if path == "/v1/files":
        return {"POST": upload, "GET": list_files}.get(method)
    if len(parts) == 4 and parts[2] == "files":
        return {"GET": retrieve, "DELETE": delete}.get(method)
    if len(parts) == 5 and parts[2] == "files" and parts[4] == "content" and method == "GET":
        return content
    return None
