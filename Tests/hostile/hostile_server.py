#!/usr/bin/env python3
"""A hostile Kimi server: every answer is broken or malicious in one chosen
way, so tests can show the library survives it.

    python3 Tests/hostile/hostile_server.py --port 0

prints "PORT <n>" and serves on 127.0.0.1. The behaviour is chosen by the
request path: a client with base URL

    http://127.0.0.1:<n>/<case>/v1

gets case <case> (which may hold several path segments) for every endpoint.
Standard library only; raw sockets, so status lines, headers and bodies can
be as wrong as a real broken server or proxy makes them.

Cases (see CASES below):
  num/<place>/<field>/<variant>   a number that is too big, negative,
      fractional or absurd in one numeric field. place: body, choice,
      stream, streamtop (chat), file, batch, models (the list or one
      model), balance, batchline.
      variant: see NUMBERS.
  hdr/<header>/<value>/<status>   a header with an odd value (retry-after,
      retry-after-ms, content-length; value names in HEADER_VALUES)
  status/<name>                   an odd status line (STATUS_LINES)
  dupkeys/<place>                 duplicate keys in the answer (body, stream)
  deep/<place>/<n>                JSON nested n levels (body, stream, error,
                                  batchline, file, usage)
  hugeline/<bytes>, hugecomment/<bytes>   one event-stream line that long
  drip                            a stream sent one byte per write
  endless/<kind>                  an answer that never ends (content:
                                  content chunks; keepalive: comments;
                                  body: a non-streamed body)
  endless-headers                 headers that never end
  gzip/<body|stream>              a gzip body nobody asked for
  echo/<how>                      the API key sent back (ECHOES)
  stall/<n>                       n chunks of a stream, then silence
  big5xx/<status>/<bytes>         an error answer with a huge body
  sse/<name>                      a byte-exact event-stream transcript (SSE)
  bigdelta/<bytes>/<ms>           one content delta that large, then <ms> of
                                  silence, then the rest of a good stream
  ttft/<ms>                       the role at once, the first content <ms> later
  longheader/<bytes>              one response header line that long
  nulheader                       a NUL byte inside a response header
  badutf8error                    a 400 whose message has a byte that is not UTF-8
  leak/<how>                      the key and control characters (ESC, C1,
                                  newlines, DEL) in every text field that is
                                  not the model's own: error (a 400),
                                  streamerror (an error frame), answer (a 200),
                                  stream (a 200 stream), files, batches, models
                                  (the list or one model)
  pages/<how>                     a listing (GET /files or /batches) whose
                                  paging never ends or lies (PAGES)
  cut/<how>/<bytes>               a file's content cut before its end:
                                  length (fewer bytes than Content-Length),
                                  chunked (no last chunk)
  content/<how>/<bytes>           a file's content that lies (content_case):
                                  more bytes than announced, a length and
                                  chunked framing that disagree, no end, a
                                  stall, a length that is no number
  batchfile/<how>/<n>             a completed batch whose result files are
                                  hostile (BATCH_FILES); <n> sizes them
  batchwait/<how>/<nonce>         a batch being waited for that never ends,
                                  flips between states, has absurd counts or
                                  file ids that are not ids (BATCH_WAITS);
                                  polls are counted per <nonce>
  slowupload/<ms>                 an upload whose body is read 64 KiB per
                                  <ms>, answered with the bytes that came
  terminal                        the model's own text attacking a terminal: chat
                                  reasoning and content (each escape sequence split
                                  across deltas; streamed or not), a file's content
                                  with raw C1 bytes
"""

import argparse
import gzip
import json
import socket
import socketserver
import sys
import threading
import time

MODEL = "kimi-k2.6"
CREATED = 1700000000

#: Number texts, inserted into the answers as they are (not through json).
NUMBERS = {
    "max": "9223372036854775807",      # Int64.max: valid JSON, absurd count
    "over": "9223372036854775808",     # one past Int64.max
    "min": "-9223372036854775808",
    "under": "-9223372036854775809",
    "neg": "-5",
    "frac": "12.5",
    "exp": "1e999",                    # beyond a double
    "tiny": "1e-999",
    "big": "9007199254740993",         # 2^53 + 1
    "edge": "9007199254740992",        # 2^53: the largest count taken
    "zero": "0",
    "fivee18": "5000000000000000000",  # two of these overflow a sum
}

HEADER_VALUES = {
    "huge": "9223372036854776",                   # seconds: * 1000 overflows Int64
    "max": "9223372036854775807",
    "over": "99999999999999999999999",
    "neg": "-5",
    "frac": "1.5",
    "exp": "1e999",
    "garbage": "soon",
    "zero": "0",
    "two": "2",
    "past": "Wed, 21 Oct 2015 07:28:00 GMT",
    "future": "Fri, 01 Jan 2100 00:00:00 GMT",
}

STATUS_LINES = {
    "huge": b"HTTP/1.1 99999999999999999999 Huge\r\n",
    "neg": b"HTTP/1.1 -200 Negative\r\n",
    "four": b"HTTP/1.1 2000 Four digits\r\n",
    "none": b"HTTP/1.1\r\n",
    "text": b"HTTP/1.1 OK OK\r\n",
}

#: Ways to send the key back (in a 400 answer unless named otherwise).
ECHOES = ("whole", "split", "escaped", "slash", "cut200", "cut4096", "html200", "stream", "batchline", "content")


def chunk(delta, finish=None, usage=None, index=0):
    choice = {"index": index, "delta": delta, "finish_reason": finish}
    if usage is not None:
        choice["usage"] = usage
    return {"id": "cmpl-hostile", "object": "chat.completion.chunk", "created": CREATED, "model": MODEL,
            "choices": [choice]}


def dumps(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sse(payload):
    text = payload if isinstance(payload, str) else dumps(payload)
    return b"data: " + text.encode() + b"\n\n"


def usage(prompt=5, completion=3):
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion(content="hello", usage_value=None, extra=None):
    body = {"id": "cmpl-hostile", "object": "chat.completion", "created": CREATED, "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": usage_value if usage_value is not None else usage()}
    if extra:
        body.update(extra)
    return body


def normal_stream(words=("Hello", " world")):
    out = [sse(chunk({"role": "assistant", "content": ""}))]
    out += [sse(chunk({"content": w})) for w in words]
    out.append(sse(chunk({}, "stop", usage())))
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


class Request:
    def __init__(self, method, path, headers, body):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        case, _, endpoint = path.partition("/v1")
        self.case = [part for part in case.split("/") if part]
        self.endpoint = endpoint.split("?")[0]

    @property
    def key(self):
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else auth

    @property
    def streaming(self):
        try:
            return bool(json.loads(self.body or b"{}").get("stream"))
        except ValueError:
            return False


class Connection:
    """Writes to the client; every answer ends the connection."""

    def __init__(self, sock):
        self.sock = sock

    def raw(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def head(self, status, headers=(), reason="Status"):
        lines = [f"HTTP/1.1 {status} {reason}"] + [f"{n}: {v}" for n, v in headers] + ["Connection: close", "", ""]
        return self.raw("\r\n".join(lines).encode("latin-1"))

    def send(self, status, body, content_type="application/json", headers=()):
        if not isinstance(body, bytes):
            body = (body if isinstance(body, str) else dumps(body)).encode()
        self.head(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))] + list(headers))
        self.raw(body)

    def stream(self, data, headers=()):
        """An event stream delimited by the end of the connection."""
        self.head(200, [("Content-Type", "text/event-stream")] + list(headers))
        self.raw(data)

    def error(self, status, message, type_="invalid_request_error"):
        self.send(status, {"error": {"message": message, "type": type_}})


# ---------------------------------------------------------------- numbers

def num_case(conn, req, place, field, variant):
    number = NUMBERS[variant]
    marker = "\"@NUM@\""

    def put(text):
        return text.replace(marker, number)

    if place in ("body", "choice"):
        fields = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
        body = completion(usage_value=dict(fields))
        target = body["usage"] if place == "body" else body["choices"][0].setdefault("usage", dict(fields))
        if place == "choice":
            del body["usage"]
        if field == "created":
            body["created"] = "@NUM@"
        elif field == "index":
            body["choices"][0]["index"] = "@NUM@"
        elif field == "details_cached":
            target["prompt_tokens_details"] = {"cached_tokens": "@NUM@"}
        else:
            target[field] = "@NUM@"
        return conn.send(200, put(dumps(body)))
    if place in ("stream", "streamtop"):
        u = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
        first = chunk({"role": "assistant", "content": "Hi"})
        parts = [first]
        if field == "tool_index":
            parts.append(chunk({"tool_calls": [{"index": "@NUM@", "id": "functions.f:0", "type": "function",
                                                "function": {"name": "f", "arguments": "{}"}}]}))
        if field == "created":
            first["created"] = "@NUM@"
        if field == "index":
            parts.append(chunk({"content": " there"}, index="@NUM@"))
        else:
            parts.append(chunk({"content": " there"}))
        if field == "details_cached":
            u["prompt_tokens_details"] = {"cached_tokens": "@NUM@"}
        elif field in u or field == "cached_tokens":
            u[field] = "@NUM@"
        if place == "stream":
            parts.append(chunk({}, "stop", u))
        else:
            parts.append(chunk({}, "stop"))
            parts.append({"id": "cmpl-hostile", "object": "chat.completion.chunk", "created": CREATED, "model": MODEL,
                          "choices": [], "usage": u})
        data = b"".join(put(dumps(p)).encode().join([b"data: ", b"\n\n"]) for p in parts) + b"data: [DONE]\n\n"
        return conn.stream(data)
    if place == "file":
        obj = {"id": "file-1", "object": "file", "bytes": 10, "created_at": CREATED, "filename": "a.txt",
               "purpose": "file-extract", "status": "ok"}
        obj[field] = "@NUM@"
        if req.endpoint == "/files":
            return conn.send(200, put(dumps({"object": "list", "data": [obj]})))
        return conn.send(200, put(dumps(obj)))
    if place == "batch":
        return conn.send(200, put(dumps(batch_object(field))))
    if place == "models":
        model = {"id": MODEL, "object": "model", "created": CREATED, "owned_by": "moonshot", "context_length": 262144}
        model[field] = "@NUM@"
        if req.endpoint.startswith("/models/"):
            return conn.send(200, put(dumps(model)))
        return conn.send(200, put(dumps({"object": "list", "data": [model]})))
    if place == "balance":
        data = {"available_balance": 1.5, "voucher_balance": 1.0, "cash_balance": 0.5}
        data[field] = "@NUM@"
        return conn.send(200, put(dumps({"code": 0, "data": data, "status": True})))
    if place == "batchline":
        if req.endpoint.startswith("/batches"):
            return conn.send(200, dumps(batch_object(None, output="file-out")))
        line = {"id": "r1", "custom_id": "a", "response": {"status_code": 200, "request_id": "q",
                                                          "body": completion(usage_value=usage())}}
        if field == "status_code":
            line["response"]["status_code"] = "@NUM@"
        else:
            line["response"]["body"]["usage"][field] = "@NUM@"
        good = {"id": "r2", "custom_id": "b", "response": {"status_code": 200, "request_id": "q",
                                                          "body": completion("second")}}
        text = put(dumps(line)) + "\n" + dumps(good) + "\n"
        return conn.send(200, text, content_type="application/octet-stream")
    conn.error(404, f"no place {place}")


def batch_object(field, output=None):
    obj = {"id": "batch-1", "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": "file-in",
           "completion_window": "24h", "status": "completed" if output else "in_progress",
           "output_file_id": output, "error_file_id": None, "created_at": CREATED,
           "request_counts": {"total": 2, "completed": 1, "failed": 0}}
    if field in ("total", "completed", "failed"):
        obj["request_counts"][field] = "@NUM@"
    elif field:
        obj[field] = "@NUM@"
    return obj


# ---------------------------------------------------------------- the rest

def hdr_case(conn, req, header, value_name, status):
    value = HEADER_VALUES[value_name]
    status = int(status)
    if header == "content-length":
        body = dumps(completion())
        conn.head(status, [("Content-Type", "application/json"), ("Content-Length", value)])
        conn.raw(body.encode())
        return
    headers = [(header, value)]
    if status == 200:
        if req.streaming:
            return conn.stream(normal_stream(), headers)
        return conn.send(200, completion(), headers=headers)
    conn.send(status, {"error": {"message": "slow down", "type": "rate_limit_reached_error"}}, headers=headers)


def status_case(conn, req, name):
    body = dumps(completion()).encode()
    conn.raw(STATUS_LINES[name] + b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
             % len(body) + body)


def dupkeys_case(conn, req, place):
    if place == "body":
        text = ('{"id":"a","id":"cmpl-dup","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,'
                '"message":{"role":"assistant","content":"first","content":"second"},"finish_reason":"stop"}],'
                '"usage":{"prompt_tokens":1,"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}')
        return conn.send(200, text)
    text = ('data: {"id":"cmpl-dup","choices":[{"index":0,"delta":{"content":"first","content":"second"},'
            '"finish_reason":null}]}\n\n'
            'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop",'
            '"usage":{"prompt_tokens":1,"prompt_tokens":7,"completion_tokens":2,"total_tokens":9}}]}\n\n'
            'data: [DONE]\n\n')
    conn.stream(text.encode())


def nested(n):
    return "[" * n + "]" * n


def deep_case(conn, req, place, n):
    n = int(n)
    if place == "body":
        text = dumps(completion())[:-1] + ',"x":' + nested(n) + "}"
        return conn.send(200, text)
    if place == "usage":
        text = dumps(completion())[:-1] + ',"usage":{"prompt_tokens":1,"x":' + nested(n) + "}}"
        return conn.send(200, text)
    if place == "error":
        return conn.send(400, '{"error":{"message":"deep","type":"invalid_request_error","x":' + nested(n) + "}}")
    if place == "stream":
        deep = 'data: {"choices":[{"index":0,"delta":{"content":"x","x":' + nested(n) + '},"finish_reason":null}]}\n\n'
        return conn.stream(sse(chunk({"content": "ok"})) + deep.encode() + b"data: [DONE]\n\n")
    if place == "streamerror":
        return conn.stream(sse(chunk({"content": "ok"})) + b'data: {"error":' + nested(n).encode() + b"}\n\n")
    if place == "batchline":
        if req.endpoint.startswith("/batches"):
            return conn.send(200, dumps(batch_object(None, output="file-out")))
        line = '{"custom_id":"a","response":{"status_code":200,"body":' + nested(n) + "}}\n"
        good = dumps({"custom_id": "b", "response": {"status_code": 200, "body": completion("second")}}) + "\n"
        return conn.send(200, line + good, content_type="application/octet-stream")
    if place == "file":
        return conn.send(200, '{"id":"file-1","bytes":1,"x":' + nested(n) + "}")
    conn.error(404, f"no place {place}")


def hugeline_case(conn, req, size, comment=False):
    size = int(size)
    conn.head(200, [("Content-Type", "text/event-stream")])
    conn.raw(sse(chunk({"role": "assistant", "content": "before"})))
    conn.raw(b": " if comment else b'data: {"x":"')
    block = b"x" * 65536
    sent = 0
    while sent < size and conn.raw(block):
        sent += len(block)
    conn.raw(b"\n\n" if comment else b'"}\n\n')
    conn.raw(sse(chunk({"content": " after"})) + sse(chunk({}, "stop")) + b"data: [DONE]\n\n")


def drip_case(conn, req):
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.head(200, [("Content-Type", "text/event-stream")])
    data = normal_stream(("Drip", "ping", " works"))
    for i in range(len(data)):
        if not conn.raw(data[i:i + 1]):
            return
        time.sleep(0.0005)


def endless_case(conn, req, kind):
    if kind == "body":
        conn.head(200, [("Content-Type", "application/json")])
        conn.raw(b'{"choices":[{"message":{"content":"')
        block = b"x" * 65536
        while conn.raw(block):
            pass
        return
    conn.head(200, [("Content-Type", "text/event-stream")])
    conn.raw(sse(chunk({"role": "assistant", "content": "start"})))
    piece = sse(chunk({"content": " more"})) if kind == "content" else b": keep-alive\n\n"
    while conn.raw(piece * 64):
        time.sleep(0.002)


def endless_headers_case(conn, req):
    conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    i = 0
    while conn.raw(b"X-Junk-%d: %s\r\n" % (i, b"j" * 100)):
        i += 1


def gzip_case(conn, req, mode):
    if mode == "stream":
        data = gzip.compress(normal_stream())
        conn.head(200, [("Content-Type", "text/event-stream"), ("Content-Encoding", "gzip")])
        return conn.raw(data)
    data = gzip.compress(dumps(completion()).encode())
    conn.send(200, data, headers=[("Content-Encoding", "gzip")])


def echo_case(conn, req, how):
    key = req.key
    half = len(key) // 2
    if how == "whole":
        return conn.error(400, f"rejected key {key}")
    if how == "split":
        return conn.error(400, f"rejected key {key[:half]} and {key[half:]}")
    if how == "escaped":
        escaped = "".join(f"\\u{ord(c):04x}" for c in key)
        return conn.send(400, '{"error":{"message":"rejected key ' + escaped + '","type":"invalid_request_error"}}')
    if how == "slash":  # \/ for every slash-able char is rare; escape a mix
        mixed = "".join(f"\\u{ord(c):04x}" if i % 2 else c for i, c in enumerate(key))
        return conn.send(400, '{"error":{"message":"key ' + mixed + '","type":"invalid_request_error"},"k":"'
                         + mixed + '"}')
    if how in ("cut200", "html200"):
        # A non-JSON body whose key crosses the 200-byte snippet.
        text = "<html>" + "x" * (200 - 6 - half) + key + "</html>"
        return conn.send(502, text, content_type="text/html")
    if how == "cut4096":
        # The key crosses byte 4096, where the error body is cut.
        start = '{"error":{"message":"bad","type":"invalid_request_error"},"pad":"'
        filler = "y" * (4096 - half - len(start))
        return conn.send(400, start + filler + key + '"}')
    if how == "stream":
        err = {"error": {"message": f"engine failed for {key}", "type": "server_error", "key": key}}
        return conn.stream(sse(chunk({"content": "partial"})) + sse(err))
    if how == "batchline":
        if req.endpoint.startswith("/batches"):
            return conn.send(200, dumps(batch_object(None, output="file-out")))
        line = dumps({"custom_id": "a", "response": {"status_code": 400, "body": {
            "error": {"message": f"bad key {key}", "type": "invalid_request_error"}}}}) + "\n"
        html = dumps({"custom_id": "b", "response": {"status_code": 502, "body": "x" * (190 - half) + key}}) + "\n"
        return conn.send(200, line + html, content_type="application/octet-stream")
    if how == "content":
        return conn.send(200, completion(f"your key is {key}"))
    conn.error(404, f"no echo {how}")


def stall_case(conn, req, after):
    after = int(after)
    if not req.streaming:
        time.sleep(30)
        return
    conn.head(200, [("Content-Type", "text/event-stream")])
    conn.raw(sse(chunk({"role": "assistant", "content": ""})))
    for i in range(after):
        conn.raw(sse(chunk({"content": f"w{i} "})))
    time.sleep(30)


def big5xx_case(conn, req, status, size):
    size = int(size)
    conn.head(int(status), [("Content-Type", "text/html"), ("Content-Length", str(size))])
    block = b"<p>overloaded</p>" * 4096
    sent = 0
    while sent < size:
        piece = block[:size - sent]
        if not conn.raw(piece):
            return
        sent += len(piece)


#: Byte-exact event-stream transcripts for the WHATWG and chat-layer rules.
SSE = {
    # Events whose data is empty or blank carry no chunk.
    "empty-data": b"data:\n\ndata: \n\ndata:  \t \n\n" + sse(chunk({"content": "ok"})) + b"data: [DONE]\n\n",
    # "error": null (and other falsy errors) is an ordinary chunk.
    "error-null": (b'data: {"error":null,"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}\n\n'
                   b'data: {"error":false,"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}]}\n\n'
                   b'data: {"error":0,"choices":[{"index":0,"delta":{"content":"c"},"finish_reason":null}]}\n\n'
                   b'data: {"error":"","choices":[{"index":0,"delta":{"content":"d"},"finish_reason":null}]}\n\n'
                   b'data: {"error":{},"choices":[{"index":0,"delta":{"content":"e"},"finish_reason":null}]}\n\n'
                   b'data: {"error":[],"choices":[{"index":0,"delta":{"content":"f"},"finish_reason":"stop"}]}\n\n'
                   b"data: [DONE]\n\n"),
    "error-truthy": (sse(chunk({"content": "partial"}))
                     + b'data: {"error":{"message":"boom","type":"server_error"}}\n\n'),
    # A 3-byte sequence cut after 2 bytes is one U+FFFD; a lone continuation
    # byte is one; an overlong form is one per byte (each a maximal subpart).
    "bad-utf8": (b'data: {"choices":[{"index":0,"delta":{"content":"a\xe2\x82b\x80c\xc0\xafd\xf0\x9f\x98"},'
                 b'"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'),
    # Calls arrive as index 1 then 0; the response orders them by index.
    "tool-order": (sse(chunk({"tool_calls": [{"index": 1, "id": "functions.b:1", "type": "function",
                                              "function": {"name": "b", "arguments": "{\"x\":"}}]}))
                   + sse(chunk({"tool_calls": [{"index": 0, "id": "functions.a:0", "type": "function",
                                                "function": {"name": "a", "arguments": "{}"}}]}))
                   + sse(chunk({"tool_calls": [{"index": 1, "function": {"arguments": "1}"}}]}))
                   + sse(chunk({}, "tool_calls")) + b"data: [DONE]\n\n"),
    # The id and model come only with the third chunk (and are long).
    "late-id": (b'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"a"}}]}\n\n'
                b'data: {"choices":[{"index":0,"delta":{"content":"b"}}]}\n\n'
                + sse(dict(chunk({"content": "c"}), id="cmpl-" + "i" * 60, model="kimi-" + "m" * 60))
                + sse(chunk({}, "stop")) + b"data: [DONE]\n\n"),
    # CR, CRLF and LF line ends mixed, a BOM, comments, a multi-line event.
    "framing": (b"\xef\xbb\xbf: hello\r\n\r\n"
                b'data: {"choices":[{"index":0,"delta":{"content":"x"}\r\ndata: ,"finish_reason":null}]}\r\r'
                b'event: message\ndata:{"choices":[{"index":0,"delta":{"content":"y"},"finish_reason":"stop"}]}\n\n'
                b"data: [DONE]\n\n"),
}


def sse_case(conn, req, name):
    conn.stream(SSE[name])


def bigdelta_case(conn, req, size, pause_ms):
    if not req.streaming:
        return conn.send(200, completion("x" * int(size)))
    conn.head(200, [("Content-Type", "text/event-stream")])
    conn.raw(sse(chunk({"role": "assistant", "content": ""})) + sse(chunk({"content": "x" * int(size)})))
    time.sleep(int(pause_ms) / 1000)
    conn.raw(sse(chunk({"content": "tail"})) + sse(chunk({}, "stop", usage())) + b"data: [DONE]\n\n")


def ttft_case(conn, req, delay_ms):
    conn.head(200, [("Content-Type", "text/event-stream")])
    conn.raw(sse(chunk({"role": "assistant", "content": ""})))
    time.sleep(int(delay_ms) / 1000)
    conn.raw(normal_stream()[len(sse(chunk({"role": "assistant", "content": ""}))):])


def longheader_case(conn, req, size):
    conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Long: " + b"a" * int(size) + b"\r\n")
    body = dumps(completion()).encode()
    conn.raw(b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def nulheader_case(conn, req):
    body = dumps(completion()).encode()
    conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Nul: a\x00b\r\nContent-Length: "
             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)


def badutf8error_case(conn, req):
    conn.send(400, b'{"error":{"message":"caf\xe9 is closed","type":"invalid_request_error","code":"x1"}}')


# Control characters a terminal or a log would act on: a screen clear, a
# title change, an OSC 52 clipboard write, C1 CSI (U+009B) and DEL.
NASTY = "\n\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\u009b31m\x7f\r"


def leak_case(conn, req, how):
    key = req.key
    bad = key + NASTY
    headers = [("x-request-id", key + "\x1b[1m\u009b"), ("x-" + "evil", "\x1b]0;t\x07" + key)]
    headers = [(n, v.encode("utf-8").decode("latin-1")) for n, v in headers]
    error = {"error": {"type": bad, "code": bad, "message": "boom " + bad, "request_id": bad}}
    if how == "error":
        return conn.send(400, error, headers=headers)
    if how == "streamerror":
        return conn.stream(sse(chunk({"content": "partial"})) + sse(error), headers=headers)
    call = {"index": 0, "id": "functions." + bad + ":0", "type": "function" + NASTY,
            "function": {"name": "f" + bad, "arguments": "{}"}}
    if how == "answer" and not req.streaming:
        body = completion("fine", extra={"id": bad, "model": bad, "object": bad})
        body["choices"][0]["finish_reason"] = "stop" + NASTY + key
        body["choices"][0]["message"]["role"] = "assistant" + NASTY
        body["choices"][0]["message"]["tool_calls"] = [call]
        return conn.send(200, body, headers=headers)
    if how in ("answer", "stream"):
        def c(delta, finish=None):
            out = chunk(delta, finish)
            out["id"], out["model"] = bad, bad
            return sse(out)
        data = (c({"role": "assistant" + NASTY, "content": ""}) + c({"content": "fine"}) + c({"tool_calls": [call]})
                + c({}, "tool_calls" + NASTY + key) + b"data: [DONE]\n\n")
        return conn.stream(data, headers=headers)
    if how == "files":
        obj = {"id": bad, "object": "file", "bytes": 3, "created_at": CREATED, "filename": bad, "purpose": bad,
               "status": bad, "status_details": bad}
        if req.endpoint == "/files":
            return conn.send(200, {"object": "list", "data": [obj]}, headers=headers)
        return conn.send(200, obj, headers=headers)
    if how == "batches":
        obj = {"id": bad, "object": "batch", "endpoint": bad, "input_file_id": bad, "completion_window": bad,
               "status": bad, "output_file_id": bad, "error_file_id": bad,
               "errors": {"data": [{"code": bad, "message": bad, "line": 1}]}}
        if req.endpoint == "/batches":
            return conn.send(200, {"object": "list", "data": [obj], "has_more": False, "last_id": bad}, headers=headers)
        return conn.send(200, obj, headers=headers)
    if how == "models":
        model = {"id": bad, "object": "model", "owned_by": bad}
        if req.endpoint.startswith("/models/"):
            return conn.send(200, model, headers=headers)
        return conn.send(200, {"object": "list", "data": [model]}, headers=headers)
    conn.error(404, f"no leak {how}")
def listed(req, n, **extra):
    """Item n of a files or batches listing."""
    if req.endpoint.startswith("/batches"):
        item = {"id": f"batch_h{n}", "object": "batch", "status": "completed", "created_at": CREATED}
    else:
        item = {"id": f"file-h{n}", "object": "file", "bytes": 1, "filename": f"f{n}.txt", "purpose": "file-extract"}
    item.update(extra)
    return item


def after_of(req):
    query = req.path.partition("?")[2]
    return dict(part.partition("=")[::2] for part in query.split("&") if part).get("after")


#: Paging that a client must not follow forever.
PAGES = {
    # has_more forever, with 1,000 new ids on every page
    "endless": lambda req, n: ([listed(req, n + i) for i in range(1000)], True),
    # the same page again and again (the `after` cursor repeats)
    "repeat": lambda req, n: ([listed(req, 1), listed(req, 2)], True),
    # two pages taking turns: [1], [2], [1], ...
    "cycle": lambda req, n: ([listed(req, 2 if n == 2 else 1)], True),
    # an empty page that says more follow
    "emptymore": lambda req, n: ([], True),
    # items without ids, more to follow
    "noid": lambda req, n: ([{k: v for k, v in listed(req, n).items() if k != "id"}], True),
    # a last id that is not an id (spaces, a newline, a quote)
    "badid": lambda req, n: ([listed(req, n, id='x y\n"z')], True),
    # one page of 150,000 items
    "huge": lambda req, n: ([listed(req, i) for i in range(150_000)], False),
    # a page far larger than a client takes whole (clients set a small limit)
    "big": lambda req, n: ([listed(req, i, filename="f" * 1000) for i in range(4000)], False),
}


def pages_case(conn, req, how):
    after = after_of(req)
    n = int("".join(c for c in after if c.isdigit()) or "0") + 1 if after else 0
    items, more = PAGES[how](req, n)
    conn.send(200, {"object": "list", "data": items, "has_more": more})


def cut_case(conn, req, how, size):
    size = int(size)
    data = b"line of content\n" * (size // 16 + 1)
    if how == "length":
        conn.head(200, [("Content-Type", "text/plain"), ("Content-Length", str(size))])
        conn.raw(data[:size // 2])
    elif how == "chunked":
        conn.head(200, [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")])
        half = data[:size // 2]
        conn.raw(b"%x\r\n%s\r\n" % (len(half), half))


# ------------------------------------------------- endpoint tasks' files

def pattern(start, n):
    """n bytes of the mock's big files (byte i is i % 256) from `start`."""
    block = bytes(range(256)) * 256
    out, at = [], start
    while n > 0:
        piece = block[at % 256:][:n]
        out.append(piece)
        at, n = at + len(piece), n - len(piece)
    return b"".join(out)


def content_case(conn, req, how, size):
    """A file's content (GET /files/{id}/content) that lies about itself."""
    size = int(size)
    if how == "more":        # Content-Length says `size`, twice as many follow
        conn.head(200, [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))])
        return conn.raw(pattern(0, size * 2))
    if how == "chunkedlength":  # both framings: chunked (half the length) wins
        conn.head(200, [("Content-Type", "application/octet-stream"), ("Content-Length", str(size)),
                        ("Transfer-Encoding", "chunked")])
        half = pattern(0, size // 2)
        return conn.raw(b"%x\r\n%s\r\n0\r\n\r\n" % (len(half), half))
    if how == "chunkedmore":  # both framings: chunked (twice the length) wins
        conn.head(200, [("Content-Type", "application/octet-stream"), ("Content-Length", str(size)),
                        ("Transfer-Encoding", "chunked")])
        more = pattern(0, size * 2)
        return conn.raw(b"%x\r\n%s\r\n0\r\n\r\n" % (len(more), more))
    if how == "endless":     # no length, no end
        conn.head(200, [("Content-Type", "application/octet-stream")])
        at = 0
        while conn.raw(pattern(at, 65536)):
            at += 65536
        return
    if how == "stall":       # `size` of twice `size` bytes, then silence
        conn.head(200, [("Content-Type", "application/octet-stream"), ("Content-Length", str(size * 2))])
        conn.raw(pattern(0, size))
        time.sleep(30)
        return
    if how == "fast":        # `size` bytes in one write, as fast as loopback goes
        conn.head(200, [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))])
        return conn.raw(pattern(0, size))
    if how == "badlength":   # a length that is no number
        conn.raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: -%d\r\nConnection: close\r\n\r\n"
                 % size + b"x" * size)
        return
    conn.error(404, f"no content {how}")


def result_line(custom_id, content="ok", status=200):
    return dumps({"id": "r-" + custom_id, "custom_id": custom_id,
                  "response": {"status_code": status, "request_id": "q", "body": completion(content)}})


def hostile_lines(req):
    """Result lines a client must survive, each becoming one result."""
    key = req.key
    return [
        result_line("good-1").encode(),
        b'{"custom_id":"broken", "response": {',                                     # invalid JSON
        b'{"custom_id":"nul\x00byte","response":{"status_code":200}}',              # a raw NUL byte
        b'{"custom_id":"esc\\u0000aped","error":{"code":"x","message":"m"}}',     # an escaped NUL
        dumps({"custom_id": "k-" + key + NASTY, "error": {"code": key + NASTY, "message": "bad " + key + NASTY}}).encode(),
        b'{"custom_id":"big-status","response":{"status_code":99999999999999999999999,"body":{}}}',
        b'{"custom_id":"neg-status","response":{"status_code":-9223372036854775809,"body":{}}}',
        b'[1,2,3]',
        b'"just a string"',
        b'{"custom_id":12345,"response":{"status_code":200,"body":' + dumps(completion("n")).encode() + b'}}',
        result_line("crlf").encode() + b"\r",
        b"   ",                                                                        # blank: skipped
        result_line("good-2").encode(),
    ]


def batch_with_files(output="file-out", error="file-err", **extra):
    obj = {"id": "batch-files", "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": "file-in",
           "completion_window": "24h", "status": "completed", "output_file_id": output, "error_file_id": error,
           "created_at": CREATED, "request_counts": {"total": 3, "completed": 2, "failed": 1}}
    obj.update(extra)
    return obj


#: Batches whose result files are hostile; <n> sizes the case.
BATCH_FILES = ("hostile", "hugeline", "endless", "errorfile404", "nolastnewline")


def batchfile_case(conn, req, how, n):
    """A completed batch (GET /batches/{id}) whose result files
    (GET /files/file-out/content, /files/file-err/content) are hostile."""
    n = int(n)
    if req.endpoint.startswith("/batches"):
        return conn.send(200, batch_with_files())
    is_error_file = req.endpoint.startswith("/files/file-err")
    if how == "hostile":
        lines = hostile_lines(req) if not is_error_file else [result_line("in-error-file", status=500).encode()]
        return conn.send(200, b"\n".join(lines) + b"\n", content_type="application/octet-stream")
    if how == "hugeline":    # a good line, one of n bytes (no JSON), a good one never reached
        if is_error_file:
            return conn.send(200, result_line("err-1", status=500) + "\n", content_type="application/octet-stream")
        conn.head(200, [("Content-Type", "application/octet-stream")])
        conn.raw(result_line("before").encode() + b"\n")
        block, sent = b"x" * 65536, 0
        while sent < n and conn.raw(block):
            sent += len(block)
        conn.raw(b"\n" + result_line("after").encode() + b"\n")
        return
    if how == "endless":     # good lines forever
        conn.head(200, [("Content-Type", "application/octet-stream")])
        i = 0
        while conn.raw(("".join(result_line(f"line-{i + j}") + "\n" for j in range(100))).encode()):
            i += 100
        return
    if how == "errorfile404":  # the output file reads; the error file is gone (the key echoed)
        if is_error_file:
            return conn.error(404, f"no such file for key {req.key}{NASTY}")
        return conn.send(200, "".join(result_line(f"out-{i}") + "\n" for i in range(n)),
                         content_type="application/octet-stream")
    if how == "nolastnewline":  # n lines, the last without its line end
        text = "\n".join(result_line(f"line-{i}") for i in range(n))
        return conn.send(200, text if not is_error_file else "", content_type="application/octet-stream")
    conn.error(404, f"no batch file {how}")


polls = {}
polls_lock = threading.Lock()


def polled(req):
    """How often this case path was asked for before (0 the first time)."""
    with polls_lock:
        n = polls.get(req.path, 0)
        polls[req.path] = n + 1
        return n


#: A batch being polled: poll number -> the batch object (BATCH_WAITS).
FLIP = ("validating", "in_progress", "finalizing", "in_progress", "validating")
BATCH_WAITS = {
    # in progress forever, its counts moving
    "never": lambda req, n: batch_with_files(status="in_progress", output_file_id=None, error_file_id=None,
                                             request_counts={"total": 10, "completed": n % 10, "failed": 0}),
    # between unfinished states, never final, never still
    "flip": lambda req, n: batch_with_files(status=FLIP[n % len(FLIP)], output_file_id=None, error_file_id=None),
    # final at the third poll with counts that overflow int64
    "overflow": lambda req, n: batch_with_files(status="completed" if n >= 2 else "in_progress",
                                                request_counts="@COUNTS@"),
    # an unknown status, then completed
    "unknown": lambda req, n: batch_with_files(status="paused\x1b[2J" if n < 2 else "completed"),
    # another batch's id in the answer
    "otherid": lambda req, n: batch_with_files(id="batch-someone-else", status="completed"),
    # completed with file ids that are not ids
    "traversal": lambda req, n: batch_with_files(output_file_id="../../etc/passwd"),
    "query": lambda req, n: batch_with_files(output_file_id="file-out?purpose=x&a=b"),
    "longid": lambda req, n: batch_with_files(output_file_id="f" * 100000),
    "keyid": lambda req, n: batch_with_files(output_file_id="file-" + req.key),
    "badsecond": lambda req, n: batch_with_files(error_file_id="../x"),
    # a status that is no string, and counts that are no numbers
    "types": lambda req, n: batch_with_files(status=["completed"], request_counts={"total": "9", "completed": None}),
}

OVERFLOWING_COUNTS = '{"total":9223372036854775808,"completed":9223372036854775807,"failed":9223372036854775807}'


def batchwait_case(conn, req, how, nonce="0"):
    if req.endpoint.startswith("/files/"):
        return conn.send(200, result_line("from-" + req.endpoint.split("/")[2][:40]) + "\n",
                         content_type="application/octet-stream")
    text = dumps(BATCH_WAITS[how](req, polled(req)))
    conn.send(200, text.replace('"@COUNTS@"', OVERFLOWING_COUNTS))


def slowupload_case(conn, req, ms):
    """Answers an upload with the size that came, having read its body
    slowly (read_request was told not to read it)."""
    got = len(req.body)
    length = int(req.headers.get("content-length", "0"))
    while got < length:
        piece = conn.sock.recv(min(65536, length - got))
        if not piece:
            return
        got += len(piece)
        time.sleep(int(ms) / 1000)
    conn.send(200, {"id": "file-slow", "object": "file", "bytes": got, "created_at": CREATED,
                    "filename": "slow.bin", "purpose": "file-extract", "status": "ok"})


# ---------------------------------------------------------------- terminal

#: What a hostile server would have a terminal run: each must be shown, never executed.
TERMINAL_ATTACKS = (
    "\x1b]0;pwned title\x07",        # set the window title (OSC 0, ended by BEL)
    "\x1b]52;c;cHduZWQ=\x07",         # write "pwned" to the clipboard (OSC 52)
    "\x1b[2J\x1b[H",                  # clear the screen, cursor home
    "\x1b[6n",                        # ask for the cursor position (the terminal types back)
    "\u009b31m",                      # C1 CSI, as UTF-8
    "\u009d0;c1 title\u009c",         # C1 OSC ... ST, as UTF-8
    "\x1bP+q544e\x1b\\",              # DCS: ask the terminal for its terminfo
    "\x08\x08\x7f\rover",             # backspace, DEL, carriage return over the line
)
TERMINAL_REASONING = "thinking " + "".join(TERMINAL_ATTACKS)
TERMINAL_CONTENT = "Answer: " + "".join(TERMINAL_ATTACKS) + " done"
TERMINAL_NAME = "evil\x1b]0;name\x07\u009b2J"


def split_everywhere(text):
    """Deltas that cut each escape sequence after its first character."""
    pieces, current = [], ""
    for char in text:
        if char in "\x1b\u009b\u009d" and current:
            pieces.append(current)
            current = ""
        current += char
        if len(current) == 2 and current[0] in "\x1b\u009b\u009d":
            pieces.append(current[:1])
            current = current[1:]
    return pieces + [current]


def terminal_case(conn, req):
    """The model's own text (which no gate may change) attacking a
    terminal; the other fields are leak/<how>'s."""
    key_echo = [("X-Request-Id", f"req-\x1b]0;id\x07-{req.key}")]
    if req.endpoint == "/chat/completions" and not req.streaming:
        body = completion(TERMINAL_CONTENT, extra={"model": TERMINAL_NAME})
        body["choices"][0]["message"]["reasoning_content"] = TERMINAL_REASONING
        return conn.send(200, body, headers=key_echo)
    if req.endpoint == "/chat/completions":
        out = [sse(dict(chunk({"role": "assistant", "content": ""}), model=TERMINAL_NAME))]
        out += [sse(chunk({"reasoning_content": p})) for p in split_everywhere(TERMINAL_REASONING)]
        out += [sse(chunk({"content": p})) for p in split_everywhere(TERMINAL_CONTENT)]
        out += [sse(chunk({}, "stop", usage())), b"data: [DONE]\n\n"]
        return conn.stream(b"".join(out), headers=key_echo)
    if req.endpoint.startswith("/files/") and req.endpoint.endswith("/content"):
        # A file's extracted text is raw bytes, not JSON: C1 controls as single bytes too.
        return conn.send(200, b"text \x1b]52;c;cHduZWQ=\x07 raw \x9b31m c1 \x9d0;t\x9c end\n",
                         content_type="text/plain")
    conn.error(404, f"no terminal endpoint {req.endpoint}")


CASES = {
    "num": num_case, "hdr": hdr_case, "status": status_case, "dupkeys": dupkeys_case, "deep": deep_case,
    "hugeline": hugeline_case, "hugecomment": lambda conn, req, size: hugeline_case(conn, req, size, True),
    "drip": drip_case, "endless": endless_case, "endless-headers": endless_headers_case, "gzip": gzip_case,
    "echo": echo_case, "stall": stall_case, "big5xx": big5xx_case, "sse": sse_case,
    "bigdelta": bigdelta_case, "ttft": ttft_case, "leak": leak_case, "longheader": longheader_case,
    "nulheader": nulheader_case, "badutf8error": badutf8error_case, "pages": pages_case, "cut": cut_case,
    "terminal": terminal_case, "content": content_case, "batchfile": batchfile_case,
    "batchwait": batchwait_case, "slowupload": slowupload_case,
}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(60)
        try:
            req = read_request(sock)
        except (OSError, ValueError):
            return
        if req is None:
            return
        conn = Connection(sock)
        if not req.case or req.case[0] not in CASES:
            conn.error(404, f"unknown case {req.path}")
            return
        try:
            CASES[req.case[0]](conn, req, *req.case[1:])
        except (OSError, BrokenPipeError):
            pass
        except Exception as exc:  # a bug in a case: say so, loudly
            print(f"hostile server: case {req.path} failed: {exc!r}", file=sys.stderr)
            conn.error(500, f"hostile server bug: {exc}", "server_error")
        finally:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def read_request(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "/slowupload/" in path:
        # The case reads the body itself, slowly.
        if headers.get("expect", "").lower() == "100-continue":
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            piece = sock.recv(65536)
            if not piece:
                break
            rest += piece
        body, raw = b"", rest
        while raw:
            size_line, _, raw = raw.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            body, raw = body + raw[:size], raw[size + 2:]
        rest = body
    else:
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            piece = sock.recv(min(65536, length - len(rest)))
            if not piece:
                break
            rest += piece
    return Request(method, path, headers, rest)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
