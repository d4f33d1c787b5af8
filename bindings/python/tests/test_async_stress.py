"""The asyncio client's one event queue under load: records of streams,
batch result lines (whose responses the queue's current event carries) and
batch polls interleaved in the same reads, with coalesced loop rounds; and
the head of an answer whose first attempt failed."""

import asyncio
import re
import urllib.request

import libkimi
from conftest import user


def next_request_id(mock_url):
    """The request id the mock gives its next request (it numbers them all)."""
    with urllib.request.urlopen(mock_url.rsplit("/v1", 1)[0] + "/mock/count/py-probe") as answer:
        return int(re.fullmatch(r"req-mock-(\d+)", answer.headers["X-Request-Id"]).group(1)) + 1


def test_result_lines_and_streams_share_reads(mock_url, tmp_path):
    """Two batches' result lines (each stops a read: its response is the
    current event) read while 60 streams and two batch waits deliver to the
    same queue, 20 ms of coalescing packing many tasks into each read: each
    line gets its own response, each stream its own words in order."""
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url, coalesce_us=20_000) as client:
            batches = []
            for b in range(2):
                path = tmp_path / f"in{b}.jsonl"
                with libkimi.BatchInput(path) as lines:
                    for i in range(80):
                        lines.add(f"b{b}-{i}", messages=user(f"batch {b} line {i}"))
                batches.append(await client.batches.wait(await client.batches.submit(path), poll_interval=0.01))

            async def results(batch, b):
                seen = {}
                async for r in client.batches.results(batch):
                    seen[r.custom_id] = r.response.choices[0].message.content if r.response else None
                assert seen == {f"b{b}-{i}": f"You said: batch {b} line {i}" for i in range(80)}

            async def stream(i):
                words = " ".join(f"s{i}w{j}" for j in range(40 + i % 9))
                s = await client.chat.completions.create(messages=user(f"{words} [[mock: delay_ms={i % 2}]]"),
                                                         stream=True)
                pieces = [c.choices[0].delta.content async for c in s if c.choices and c.choices[0].delta.content]
                assert "".join(pieces) == f"You said: {words}"

            async def waiter(batch):
                polls = []
                done = await client.batches.wait(batch, poll_interval=0.001, on_progress=lambda x: polls.append(x.id))
                assert done.id == batch.id and set(polls) <= {batch.id}

            jobs = [results(batches[0], 0), results(batches[1], 1), waiter(batches[0]), waiter(batches[1])]
            jobs += [stream(i) for i in range(60)]
            await asyncio.gather(*jobs)

    asyncio.run(main())


def test_a_retried_answer_has_the_last_attempts_head(mock_url):
    """First attempt 500 (or 429 naming its wait), second answered: the
    request id and headers read from the answer are the second's."""
    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            for n, failure in enumerate(["status=500 type=server_error",
                                         "status=429 type=engine_overloaded_error retry_after_ms=5"]):
                text = f"a b [[mock: {failure} times=1 key=py-retry-{n} rheader=X-Final:yes chunks=5]]"
                want = f"req-mock-{next_request_id(mock_url) + 1}"
                raw = await client.chat.completions.with_raw_response.create(messages=user(text), max_retries=2)
                assert raw.status_code == 200 and raw.request_id == want
                assert raw.headers["x-final"] == "yes" and "retry-after-ms" not in raw.headers

                text = text.replace(f"key=py-retry-{n}", f"key=py-retry-stream-{n}")
                want = f"req-mock-{next_request_id(mock_url) + 1}"
                async with await client.chat.completions.create(messages=user(text), stream=True,
                                                                max_retries=2) as s:
                    assert s.response.status_code == 200 and s.response.headers["x-request-id"] == want
                    final = await s.get_final_completion()
                    assert final._request_id == want

    asyncio.run(main())


def test_a_chunk_of_more_events_than_a_record_counts(tmp_path):
    """One server chunk whose choices array repeats choice 0 70,000 times
    makes 70,000 events: more than a record's 16-bit part count. The asyncio
    client reads its queue as records: every read of the queue failed (an
    exception per wake-up of the event loop, the loop spinning) and both
    streams hung. Now the stream fails with an error naming the chunk and
    a stream started after it gets its answer."""
    import http.server
    import socketserver
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            head = '{"id":"c","model":"m","created":1,"choices":['
            chunks = [head + '{"index":0,"delta":{"role":"assistant","content":""}}]}']
            if b"many-parts" in body:
                chunks.append(head + ",".join(['{"index":0,"delta":{"content":"y"}}'] * 70000) + "]}")
            else:
                chunks.append(head + '{"index":0,"delta":{"content":"hello"}}]}')
            chunks.append(head + '{"index":0,"delta":{},"finish_reason":"stop"}]}')
            data = "".join(f"data: {c}\n\n" for c in chunks + ["[DONE]"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    failed_reads = []

    async def main():
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: failed_reads.append(context))
        async with libkimi.AsyncClient(api_key="sk-x", base_url=url) as client:
            async def one(text):
                stream = await client.chat.completions.create(messages=user(text), stream=True)
                return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

            many = asyncio.ensure_future(one("many-parts"))
            await asyncio.sleep(0.5)  # its big chunk waits in the queue
            good = asyncio.ensure_future(one("good"))
            done, pending = await asyncio.wait([many, good], timeout=5)
            for task in pending:
                task.cancel()
            assert good in done and good.result() == "hello"
            assert many in done
            failure = many.exception()
            assert isinstance(failure, libkimi.OpenAIError), many.result()
            assert "makes 70000 events" in str(failure) and "at most 65535" in str(failure), str(failure)

    try:
        asyncio.run(main())
    finally:
        server.shutdown()
    assert not failed_reads, f"{len(failed_reads)} failed reads of the queue, the first: {failed_reads[0]}"
