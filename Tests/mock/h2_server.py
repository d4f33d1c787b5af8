#!/usr/bin/env python3
"""A small HTTP/2 server (TLS with ALPN "h2", the `h2` package from PyPI)
for the multiplexing test: answers each POST .../chat/completions with a
short event stream "You said: <text>" (pieces 20 ms apart, so streams
overlap) and records, after every stream, how many connections and streams
it has seen and the most streams open at once on one connection.

    python3 Tests/mock/h2_server.py CERT KEY STATS_FILE   # prints "PORT <n>"
"""

import asyncio
import json
import os
import signal
import ssl
import sys

import h2.config
import h2.connection
import h2.events

stats = {"connections": 0, "streams": 0, "peak_open": 0}


def chunk(content):
    body = {"id": "cmpl-h2", "object": "chat.completion.chunk", "created": 1700000000, "model": "kimi-k2.6",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}]}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


class Connection(asyncio.Protocol):
    def __init__(self, stats_file):
        self.stats_file = stats_file
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.bodies = {}
        self.open = 0

    def connection_made(self, transport):
        stats["connections"] += 1
        self.transport = transport
        self.h2.initiate_connection()
        transport.write(self.h2.data_to_send())

    def data_received(self, data):
        for event in self.h2.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                self.bodies[event.stream_id] = b""
            elif isinstance(event, h2.events.DataReceived):
                self.bodies[event.stream_id] += event.data
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                asyncio.ensure_future(self.answer(event.stream_id))
        self.transport.write(self.h2.data_to_send())

    async def answer(self, stream_id):
        messages = json.loads(self.bodies.pop(stream_id)).get("messages") or [{}]
        self.open += 1
        stats["peak_open"] = max(stats["peak_open"], self.open)
        self.h2.send_headers(stream_id, [(":status", "200"), ("content-type", "text/event-stream")])
        for piece in ("You ", "said: ", messages[-1].get("content", "")):
            self.h2.send_data(stream_id, chunk(piece))
            self.transport.write(self.h2.data_to_send())
            await asyncio.sleep(0.02)
        self.open -= 1
        stats["streams"] += 1
        # Counted before the stream's end goes out, and replaced whole: a
        # reader that saw the answer never finds the file half written.
        with open(self.stats_file + ".tmp", "w") as f:
            json.dump(stats, f)
        os.replace(self.stats_file + ".tmp", self.stats_file)
        self.h2.send_data(stream_id, b"data: [DONE]\n\n", end_stream=True)
        self.transport.write(self.h2.data_to_send())


async def main(cert, key, stats_file):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["h2"])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(stats_file), "127.0.0.1", 0, ssl=context)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    loop.add_signal_handler(signal.SIGTERM, os._exit, 0)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
