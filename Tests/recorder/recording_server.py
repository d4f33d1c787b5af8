#!/usr/bin/env python3
"""An OpenAI-compatible server that records every request it gets, for the
tests of Kimi's rules: what the client refuses must never arrive, and what
it rewrites must arrive rewritten. Independent of the mock (its own code,
the standard library's http.server), so it sees bytes exactly as sent.

    python3 Tests/recorder/recording_server.py --port 0   # prints "PORT <n>"

GET /recorded answers the JSON list of requests so far ({"method", "path"
with its query, "headers" as [name, value] pairs in order, "body"}) and
forgets them; GET /recorded/body answers the last POST's body byte for byte
(what a client sent, not a parse of it). The chat answer depends on the last message:

    [[tools]]           an assistant turn with reasoning_content and two tool
                        calls with Kimi's native ids (functions.lookup:0, :1)
    [[reasoning_cut]]   finish_reason "length" with reasoning and no content
    [[empty]]           an empty answer, finish_reason "stop"
    [[empty_reasoned]]  an empty answer after some reasoning, "stop"
    [[web_search]]      a $web_search tool call (finish_reason "tool_calls")
    anything else       the content "ok"

The token estimate counts a message holding [[tokens=N]] as N tokens, any
other message as 10. GET /v1/models lists kimi-k2.6 (262,144 tokens) and
small-model (4,096).
"""

import argparse
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

recorded = []
#: The last POST body as it came.
last_body = [b""]
lock = threading.Lock()

MODELS = [{"id": "kimi-k2.6", "object": "model", "created": 1, "owned_by": "moonshot", "context_length": 262144},
          {"id": "small-model", "object": "model", "created": 1, "owned_by": "recorder", "context_length": 4096}]


def text_of(message):
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def answer(body):
    last = text_of((body.get("messages") or [{}])[-1])
    message = {"role": "assistant", "content": "ok"}
    finish = "stop"
    if "[[tools]]" in last:
        message = {"role": "assistant", "content": "", "reasoning_content": "I should look both up.",
                   "tool_calls": [{"id": f"functions.lookup:{i}", "type": "function",
                                   "function": {"name": "lookup", "arguments": json.dumps({"q": q})}}
                                  for i, q in enumerate(("a", "b"))]}
        finish = "tool_calls"
    elif "[[reasoning_cut]]" in last:
        message = {"role": "assistant", "content": "", "reasoning_content": "Let me think about this at length"}
        finish = "length"
    elif "[[empty_reasoned]]" in last:
        message = {"role": "assistant", "content": "", "reasoning_content": "Nothing to say."}
    elif "[[empty]]" in last:
        message = {"role": "assistant", "content": ""}
    elif "[[web_search]]" in last:
        message = {"role": "assistant", "content": "",
                   "tool_calls": [{"id": "$web_search:0", "type": "builtin_function",
                                   "function": {"name": "$web_search", "arguments": "{\"query\": \"news\"}"}}]}
        finish = "tool_calls"
    usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    return message, finish, usage


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/recorded":
            with lock:
                seen = list(recorded)
                recorded.clear()
            self.send(200, seen)
        elif self.path == "/recorded/body":
            with lock:
                raw = last_body[0]
            self.send(200, raw, "application/octet-stream")
        elif self.path == "/v1/models":
            self.record(None)
            self.send(200, {"object": "list", "data": MODELS})
        else:
            self.send(404, {"error": {"type": "resource_not_found_error", "message": self.path}})

    def record(self, body):
        with lock:
            recorded.append({"method": self.command, "path": self.path, "headers": [list(h) for h in self.headers.items()],
                             "body": body})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        with lock:
            last_body[0] = raw
        body = json.loads(raw or b"null")
        self.record(body)
        path = self.path.split("?")[0]
        if path == "/v1/tokenizers/estimate-token-count":
            total = 0
            for message in body.get("messages", []):
                marked = re.search(r"\[\[tokens=(\d+)\]\]", text_of(message))
                total += int(marked.group(1)) if marked else 10
            self.send(200, {"data": {"total_tokens": total}})
        elif path == "/v1/chat/completions":
            message, finish, usage = answer(body)
            head = {"id": "chatcmpl-rec", "created": 1, "model": body.get("model", "")}
            if not body.get("stream"):
                self.send(200, dict(head, object="chat.completion", usage=usage,
                                    choices=[{"index": 0, "message": message, "finish_reason": finish}]))
                return
            chunks = [{"index": 0, "delta": {"role": "assistant"}}]
            if message.get("reasoning_content"):
                chunks.append({"index": 0, "delta": {"reasoning_content": message["reasoning_content"]}})
            if message.get("content"):
                chunks.append({"index": 0, "delta": {"content": message["content"]}})
            for i, call in enumerate(message.get("tool_calls", [])):
                chunks.append({"index": 0, "delta": {"tool_calls": [dict(call, index=i)]}})
            chunks.append({"index": 0, "delta": {}, "finish_reason": finish, "usage": usage})
            events = b"".join(b"data: " + json.dumps(dict(head, object="chat.completion.chunk", choices=[c])).encode()
                              + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
            self.send(200, events, "text/event-stream")
        else:
            self.send(404, {"error": {"type": "resource_not_found_error", "message": self.path}})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    server = ThreadingHTTPServer(("127.0.0.1", parser.parse_args().port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
