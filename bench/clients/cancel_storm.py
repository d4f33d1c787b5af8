"""A cancel storm: N streaming completions in one asyncio loop, all cancelled
at once, while a ticker coroutine measures how long the loop stops
answering (its longest gap between two turns).

    cancel_storm.py N [running|queued]

running: every stream has started and stalls mid-answer (the mock pauses
after two pieces), as when a user abandons many live answers; queued: the
client allows 10 connections, so most streams wait for a slot when
cancelled. Cancelling must be a request (the C task is told, nothing waits
for it), so the loop keeps turning. Prints one JSON line: the time of the
cancel() loop itself, until every stream ended, and the longest stall."""

import asyncio
import json
import os
import resource
import sys
import time

import libkimi

STALLED = "[[mock: stall_after=2 stall_ms=30000]]"


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


async def storm(n, mode):
    cap = 0 if mode == "running" else 10
    async with libkimi.AsyncClient(api_key=os.environ["MOONSHOT_API_KEY"], base_url=os.environ["KIMI_BASE_URL"],
                                   max_connections=cap, max_retries=0) as client:
        started = 0
        all_started = asyncio.Event()

        async def consume(i):
            nonlocal started
            stream = await client.chat.completions.create(model="kimi-k2.6", stream=True,
                                                          messages=[{"role": "user", "content": f"{i} {STALLED}"}])
            first = True
            async for _ in stream:
                if first:
                    first = False
                    started += 1
                    if started == min(n, cap or n):
                        all_started.set()

        tasks = [asyncio.ensure_future(consume(i)) for i in range(n)]
        await asyncio.wait_for(all_started.wait(), timeout=60)
        await asyncio.sleep(0.2)  # the streams (or the first `cap` of them) are stalled mid-answer

        gaps, stop = [], False

        async def ticker():
            last = time.perf_counter()
            while not stop:
                await asyncio.sleep(0)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticking = asyncio.ensure_future(ticker())
        await asyncio.sleep(0.05)
        cpu0, start = cpu(), time.perf_counter()
        for task in tasks:
            task.cancel()
        cancel_loop = time.perf_counter() - start
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        all_ended = time.perf_counter() - start
        stream_cpu = cpu() - cpu0
        stop = True
        await ticking
        cancelled = sum(isinstance(o, asyncio.CancelledError) for o in outcomes)
        return {"streams": n, "cancelled": cancelled, "cancel_loop_ms": cancel_loop * 1000,
                "all_ended_ms": all_ended * 1000, "longest_stall_ms": max(gaps) * 1000, "stream_cpu": stream_cpu}


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
print(json.dumps(asyncio.run(storm(n, sys.argv[2] if len(sys.argv) > 2 else "running"))))
