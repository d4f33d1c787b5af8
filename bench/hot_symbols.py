#!/usr/bin/env python3
"""Writes Sources/KimiABI/hot-symbols.txt: the functions of libkimi.so that
typical programs run, for the linker to place together (lld's
--symbol-ordering-file, see Package.swift).

The static Swift runtime spreads what a program touches over most of the
library's 5 MB of code; every touched page costs resident memory in every
process. Placed together, a minimal program's libkimi code pages drop by
about 1.4 MB, and the Python package's by more (the Swift runtime's start-up
is among them). A name that no longer exists is ignored, and a function the
list misses is only placed as before, so a stale list costs memory, never
correctness. Regenerate after large changes:

    make hot-symbols        # needs valgrind; runs the workloads below on the mock

Workloads: the C examples and benchmark clients (create, streams, tasks,
threads) and the Python package (sync and async streams), each under
callgrind; the functions of libkimi.so any of them ran, sorted by name.
"""

import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
OUT = os.path.join(ROOT, "Sources", "KimiABI", "hot-symbols.txt")

PYTHON_ASYNC = """
import asyncio, libkimi
async def main():
    async with libkimi.AsyncOpenAI() as client:
        streams = [await client.chat.completions.create(model="kimi-k2.6", stream=True,
                   messages=[{"role": "user", "content": f"{i} [[mock: chunks=20]]"}]) for i in range(4)]
        for stream in streams:
            async for _ in stream:
                pass
        await client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "hi"}])
asyncio.run(main())
client = libkimi.OpenAI()
for chunk in client.chat.completions.create(model="kimi-k2.6", stream=True,
                                            messages=[{"role": "user", "content": "a b c"}]):
    pass
"""


def workloads(python):
    bench, examples = os.path.join(BUILD, "bench"), os.path.join(BUILD, "examples")
    return [
        [os.path.join(examples, "hello")],
        [os.path.join(examples, "stream_chat"), "a streamed answer"],
        [os.path.join(bench, "stream_consumer"), "[[mock: chunks=200]]"],
        [os.path.join(bench, "small_requests"), "20"],
        [os.path.join(bench, "concurrent_streams"), "async", "20", "[[mock: chunks=20]]"],
        [os.path.join(bench, "concurrent_streams"), "threads", "4", "[[mock: chunks=20]]"],
        [python, "-c", PYTHON_ASYNC],
    ]


def functions_in(profile):
    """Names of the libkimi functions a callgrind profile (made with
    --demangle=no) ran."""
    names, objects, functions, current = set(), {}, {}, None
    for line in open(profile, errors="replace"):
        match = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not match:
            continue
        key, ident, name = match.groups()
        table = objects if key.endswith("ob") else functions
        if name is not None:
            table[ident] = name
        if key == "ob":
            current = objects[ident]
        elif key == "fn" and current and "libkimi" in current:
            names.add(re.sub(r"'\d+$", "", functions[ident]))
    return {n for n in names if not n.startswith("0x")}


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else sys.executable
    environment = dict(os.environ, LD_LIBRARY_PATH=BUILD, LIBKIMI_LIBRARY=os.path.join(BUILD, "libkimi.so.0"),
                       PYTHONPATH=os.path.join(ROOT, "bindings", "python", "src"))
    names = set()
    with tempfile.TemporaryDirectory() as scratch:
        for i, command in enumerate(workloads(python)):
            profile = os.path.join(scratch, f"callgrind.{i}")
            subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={profile}"]
                           + command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True)
            for path in glob.glob(profile + "*"):
                names |= functions_in(path)
    with open(OUT, "w") as out:
        out.write("\n".join(sorted(names)) + "\n")
    print(f"{OUT}: {len(names)} functions")


if __name__ == "__main__":
    main()
