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
