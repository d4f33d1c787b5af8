#!/usr/bin/env python3
"""A minimal Kimi-shaped server for the small-request benchmark: answers
every POST .../chat/completions with a non-streamed completion of
"You said: <last user text>", as the mock does, but on a bare asyncio
Protocol (no validation, no scenarios), so its own time per request is small
next to the clients'. Keep-alive HTTP/1.1 with Content-Length bodies only.

    python3 bench/echo_server.py      # prints "PORT <n>", serves on 127.0.0.1
"""

import asyncio
import json
import os
import signal


def completion(text):
    body = {"id": "cmpl-echo", "object": "chat.completion", "created": 1700000000, "model": "kimi-k2.6",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": f"You said: {text}"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}}
    return json.dumps(body, separators=(",", ":")).encode()


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").lower()
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name == "content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            body, self.buffer = self.buffer[end + 4:end + 4 + length], self.buffer[end + 4 + length:]
            messages = json.loads(body).get("messages") or [{}]
            answer = completion(messages[-1].get("content", ""))
            self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                 % (len(answer), answer))


async def main():
    server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", 0)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, os._exit, 0)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
