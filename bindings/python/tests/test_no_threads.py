"""The async client starts no thread per call: 200 concurrent file, model,
balance and batch calls run as tasks of the client's one C loop thread and
are read from one event queue on the asyncio loop. Counted two ways
(threading and /proc/self/task, which sees threads Python does not know)."""

import asyncio
import os
import threading

import libkimi
from conftest import user


def os_threads():
    return len(os.listdir("/proc/self/task"))


def test_two_hundred_concurrent_calls_add_no_thread_per_call(mock_url, tmp_path):
    path = tmp_path / "in.jsonl"
    with libkimi.BatchInput(path) as lines:
        for i in range(3):
            lines.add(f"r{i}", messages=user(f"prompt {i}"))

    async def main():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as client:
            uploaded = await client.files.create(file=("notes.txt", b"hello"), purpose="file-extract")
            batch = await client.batches.submit(path)
            # The client's C loop runs from its first task on: one thread.
            before_python, before_os = threading.active_count(), os_threads()
            peak = {"python": 0, "os": 0}
            done = asyncio.Event()

            async def watch():
                while not done.is_set():
                    peak["python"] = max(peak["python"], threading.active_count())
                    peak["os"] = max(peak["os"], os_threads())
                    await asyncio.sleep(0.002)

            calls = []
            for i in range(200):
                kind = i % 6
                if kind == 0:
                    calls.append(client.files.retrieve(uploaded.id))
                elif kind == 1:
                    calls.append(client.models.list())
                elif kind == 2:
                    calls.append(client.files.content(uploaded.id))
                elif kind == 3:
                    calls.append(client.batches.retrieve(batch.id))
                elif kind == 4:
                    calls.append(client.files.list())
                else:
                    calls.append(client.balance())
            watcher = asyncio.ensure_future(watch())
            results = await asyncio.gather(*calls)
            done.set()
            await watcher
            assert [r.id for r in results[0::6]] == [uploaded.id] * 34
            assert all(r.data[0].id == "kimi-k2.6" for r in results[1::6])
            assert all(r.text == "hello" for r in results[2::6])
            assert all(r.id == batch.id for r in results[3::6])
            assert all(r.available_balance > 0 for r in results[5::6])
            assert peak["python"] <= before_python, (before_python, peak)
            assert peak["os"] <= before_os, (before_os, peak)
            assert not client._pumps[asyncio.get_running_loop()].tasks  # every task ended and was freed
    asyncio.run(main())
