"""A small HTTP/1.1 server on asyncio: keep-alive, Content-Length and
chunked request bodies, Expect: 100-continue, and responses written either
whole or as a chunked stream whose network writes the caller controls."""

import asyncio
import json

REASONS = {
    100: "Continue", 200: "OK", 400: "Bad Request", 401: "Unauthorized",
    403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}

MAX_BODY = 110 * 1024 * 1024  # a little over Kimi's 100 MB, so the mock can say so itself


class Request:
    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        self.path, _, self.query = target.partition("?")
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name, default=""):
        return self.headers.get(name.lower(), default)


class Response:
    """The writer a handler answers through."""

    def __init__(self, writer, keep_alive):
        self.writer = writer
        self.keep_alive = keep_alive
        self.started = False
        self.aborted = False

    def _head(self, status, headers):
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        for name, value in headers:
            lines.append(f"{name}: {value}")
        if not self.keep_alive:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def send(self, status, body, content_type="application/json", headers=()):
        if isinstance(body, str):
            body = body.encode()
        all_headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))] + list(headers)
        self.started = True
        self.writer.write(self._head(status, all_headers) + body)
        await self.writer.drain()

    async def send_json(self, status, obj, headers=()):
        await self.send(status, json.dumps(obj, ensure_ascii=False, separators=(",", ":")), headers=headers)

    async def start_stream(self, status=200, content_type="text/event-stream", headers=()):
        all_headers = [("Content-Type", content_type), ("Cache-Control", "no-cache"),
                       ("Transfer-Encoding", "chunked")] + list(headers)
        self.started = True
        self.writer.write(self._head(status, all_headers))
        await self.writer.drain()

    def write_chunk(self, data):
        """Queues one chunked-encoding chunk (one network write when drained)."""
        if data:
            self.writer.write(b"%x\r\n%s\r\n" % (len(data), data))

    async def flush(self):
        await self.writer.drain()

    async def end_stream(self):
        self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()

    def abort(self):
        """Drops the connection without ending the chunked body."""
        self.aborted = True
        self.writer.transport.abort()


async def read_request(reader, writer):
    line = await reader.readline()
    if not line:
        return None
    try:
        method, target, _version = line.decode("latin-1").strip().split(" ", 2)
    except ValueError:
        return None
    headers = {}
    while True:
        h = await reader.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            parts.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(parts)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if length > MAX_BODY:
            return Request(method, target, headers, None)
        body = await reader.readexactly(length)
    return Request(method, target, headers, body)


def serve(handler, host, port, ssl_context=None):
    async def on_connection(reader, writer):
        try:
            while True:
                request = await read_request(reader, writer)
                if request is None:
                    break
                keep_alive = request.header("connection").lower() != "close"
                response = Response(writer, keep_alive)
                try:
                    await handler(request, response)
                except (ConnectionError, asyncio.IncompleteReadError):
                    break
                except Exception as exc:  # a mock bug: answer 500 and keep going
                    import traceback
                    traceback.print_exc()
                    if not response.started:
                        await response.send_json(500, {"error": {"type": "server_error", "message": f"mock failure: {exc}"}})
                if response.aborted or not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except Exception:
                pass

    return asyncio.start_server(on_connection, host, port, limit=1 << 20, backlog=4096, ssl=ssl_context)
