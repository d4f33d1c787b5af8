#!/usr/bin/env python3
"""libkimi's benchmarks, run side by side with the clients a user would
otherwise pick, against the local mock Kimi server. See bench/README.md.

    python3 bench/run.py [--reps 3] [--python build/bench-venv/bin/python] [--out bench/RESULTS.md]
                         [--only stream,small --only asyncio ...]   (those scenarios only; printed, no
                                                                     file unless --out)

Every client runs as its own process; CPU (user + system) and peak RSS come
from wait4(2). Clients that also measure the work alone (excluding start-up
and imports) report it; ratios use the conservative pair: libkimi's
whole-process figure against the peer's in-process one. Medians of --reps.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import kimi_header  # noqa: E402
BUILD = os.path.join(ROOT, "build")
BENCH = os.path.join(BUILD, "bench")
CLIENTS = os.path.join(ROOT, "bench", "clients")


class Server:
    """A server script on a free port, for the duration of a `with` block:
    the mock Kimi server by default, or bench/echo_server.py."""

    def __init__(self, script="Tests/mock/kimi_mock.py"):
        self.script = os.path.join(ROOT, script)

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, self.script, "--port", "0"] if "mock" in self.script
                                        else [sys.executable, self.script], stdout=subprocess.PIPE, text=True)
        port = self.process.stdout.readline().split()[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        self.env = dict(os.environ, KIMI_BASE_URL=self.url, MOONSHOT_API_KEY="sk-bench",
                        PYTHONPATH=os.path.join(ROOT, "bindings", "python", "src"),
                        LIBKIMI_LIBRARY=os.path.join(BUILD, "libkimi.so.0"))
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait()


def measure(cmd, env):
    """Runs `cmd`; returns whole-process CPU, wall time, peak RSS and the
    JSON the client printed (if any)."""
    start = time.perf_counter()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(out_w, 1)
        if cmd[0] == "curl":
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        os.close(out_r)
        os.execvpe(cmd[0], cmd, env)
    os.close(out_w)
    with os.fdopen(out_r) as f:
        output = f.read()
    _, status, ru = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)[:120]} failed ({status}): {output[-300:]}")
    result = {"cpu": ru.ru_utime + ru.ru_stime, "wall": time.perf_counter() - start, "rss_kb": ru.ru_maxrss}
    for line in output.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    return result


def run(name, cmd, mock, reps, check=None):
    """Medians of `reps` runs of `cmd` (with {url} filled in)."""
    cmd = [part.replace("{url}", mock.url) for part in cmd]
    return summary(name, [measure(cmd, mock.env) for _ in range(reps)], check)


def run_side_by_side(clients, mock, reps):
    """run() for several (name, cmd[, check]) clients whose figures are
    compared as ratios (the targets): their runs take turns (one of each, `reps` times),
    so a machine that gets slower or faster meanwhile (a VM's neighbours)
    moves them alike instead of skewing the ratio."""
    clients = [(c[0], [part.replace("{url}", mock.url) for part in c[1]], c[2] if len(c) > 2 else None)
               for c in clients]
    runs = [[] for _ in clients]
    for _ in range(reps):
        for i, (_, cmd, _) in enumerate(clients):
            runs[i].append(measure(cmd, mock.env))
    return [summary(name, client_runs, check) for (name, _, check), client_runs in zip(clients, runs)]


def summary(name, runs, check=None):
    """The row of a client: the median of each figure over its runs."""
    row = {"client": name}
    for key in runs[0]:
        values = [r[key] for r in runs if isinstance(r.get(key), (int, float))]
        if values:
            row[key] = statistics.median(values)
    if check:
        check(row)
    shown = "  ".join(f"{k} {row[k]:.3f}" for k in ("cpu", "stream_cpu", "wall", "stream_wall") if k in row)
    print(f"  {name:40} {shown}  rss {row['rss_kb'] / 1024:.1f} MB", flush=True)
    return row


def expect(key, value):
    def check(row):
        if row.get(key) != value:
            raise RuntimeError(f"{row['client']}: {key} = {row.get(key)}, expected {value}")
    return check


def chat_body(text, stream=True):
    return json.dumps({"model": "kimi-k2.6", "stream": stream, "thinking": {"type": "disabled"},
                       "messages": [{"role": "user", "content": text}]})


def stream_clients(text, python):
    return [
        ("curl -sN (transfer only)", ["curl", "-sN", "-o", "/dev/null", "-H", "Authorization: Bearer sk-bench",
                                      "-H", "Content-Type: application/json", "{url}/chat/completions",
                                      "-d", chat_body(text)]),
        ("libkimi (C, kimi_chat_stream)", [os.path.join(BENCH, "stream_consumer"), text]),
        ("libkimi (Python, chunk objects)", [python, os.path.join(CLIENTS, "sdk_client.py"), "libkimi", "stream", text]),
        ("openai-python (stream=True)", [python, os.path.join(CLIENTS, "sdk_client.py"), "openai", "stream", text]),
        ("httpx + json.loads", [python, os.path.join(CLIENTS, "httpx_client.py"), "stream", text]),
    ]


def curl_config(n, path):
    """A curl config doing `n` small requests in one process (one connection)."""
    with open(path, "w") as f:
        for i in range(n):
            if i:
                f.write("next\n")
            f.write('url = "URL/chat/completions"\nsilent\noutput = "/dev/null"\n'
                    'header = "Authorization: Bearer sk-bench"\nheader = "Content-Type: application/json"\n')
            f.write(f"data = {json.dumps(chat_body(f'hi {i}', stream=False))}\n")


def small_clients(n, python, config):
    return [
        ("curl loop (one process, -K with 'next')", ["sh", "-c", f"sed 's|URL|{{url}}|' {config} | curl -K -"]),
        ("libkimi (C, kimi_chat_create)", [os.path.join(BENCH, "small_requests"), str(n)]),
        ("libkimi (Python)", [python, os.path.join(CLIENTS, "sdk_client.py"), "libkimi", "small", str(n)]),
        ("openai-python", [python, os.path.join(CLIENTS, "sdk_client.py"), "openai", "small", str(n)]),
        ("httpx + json.loads", [python, os.path.join(CLIENTS, "httpx_client.py"), "small", str(n)]),
    ]


def versions(python):
    def first_line(cmd):
        try:
            done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            return done.stdout.splitlines()[0] if done.returncode == 0 else "not available"
        except (OSError, IndexError):
            return "not available"

    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "libkimi": kimi_header.parse().version,
        "curl": first_line(["curl", "--version"]),
        "openai-python": first_line([python, "-c", "import openai; print(openai.__version__)"]),
        "httpx": first_line([python, "-c", "import httpx; print(httpx.__version__)"]),
        "Python": first_line([python, "--version"]),
        "glibc": first_line(["getconf", "GNU_LIBC_VERSION"]),
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "kernel": platform.release(),
    }


def met(ok):
    return "yes" if ok else "**NO**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def python_targets(results):
    """The Python bindings' targets (issue 23) among `results`, as
    (target, measured, met) rows: each libkimi figure is the whole process's
    (imports included), as is httpx's; openai-python's is its in-process
    figure, which favours it."""
    def by(scenario, prefix):
        return next(r for r in results[scenario] if r["client"].startswith(prefix))

    rows = []
    for scenario in ("stream", "mixed"):
        if scenario in results:
            ratio = by(scenario, "libkimi (Python")["cpu"] / by(scenario, "httpx")["cpu"]
            rows.append([f"{scenario}: libkimi from Python, chunk objects, CPU ≤ 1/2 of httpx + json.loads' "
                         "(process CPU)", f"{ratio:.2f} ×", met(ratio <= 0.5)])
    if "small" in results:
        c, python = by("small", "libkimi (C"), by("small", "libkimi (Python")
        ratio = python.get("stream_wall", python["wall"]) / c.get("stream_wall", c["wall"])
        rows.append(["small requests: libkimi from Python time ≤ 1.5 × the C client's", f"{ratio:.2f} ×",
                     met(ratio <= 1.5)])
    if "asyncio" in results:
        kimi, openai = by("asyncio", "libkimi"), by("asyncio", "openai")
        ratio = kimi["cpu"] / openai.get("stream_cpu", openai["cpu"])
        rows.append(["asyncio streams: libkimi CPU ≤ 1/25 of openai-python AsyncOpenAI's", f"1/{1 / ratio:.1f}",
                     met(ratio <= 1 / 25)])
        rows.append(["asyncio streams: libkimi vs openai-python AsyncOpenAI (process CPU of both: each pays "
                     "Python's and asyncio's start-up and its own imports)", f"1/{openai['cpu'] / kimi['cpu']:.1f}", "—"])
        if "stream_cpu" in kimi and "stream_cpu" in openai:
            rows.append(["asyncio streams: libkimi vs openai-python AsyncOpenAI (in-process CPU, start-up left out "
                         "of both)", f"1/{openai['stream_cpu'] / kimi['stream_cpu']:.1f}", "—"])
        rows.append(["asyncio streams: libkimi peak RSS < 60 MB", f"{kimi['rss_kb'] / 1024:.1f} MB",
                     met(kimi["rss_kb"] < 60 * 1024)])
    return rows


SCENARIOS = ("stream", "mixed", "concurrent", "asyncio", "cancel", "length", "soak", "batch", "download", "load",
             "small", "micro", "callgrind")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--python", default=os.path.join(BUILD, "bench-venv", "bin", "python"))
    parser.add_argument("--out", help="where the report goes (default: bench/RESULTS.md; with --only, stdout only)")
    parser.add_argument("--only", action="append",
                        help="run only these scenarios (comma-separated, repeatable), of: " + ", ".join(SCENARIOS)
                        + "; the report then has only their tables")
    parser.add_argument("--chunks", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--streams", type=int, default=1000)
    args = parser.parse_args()
    reps, py = args.reps, args.python
    if args.only:
        args.only = {name for names in args.only for name in names.split(",") if name}
        if args.only - set(SCENARIOS):
            parser.error(f"--only: unknown scenario {sorted(args.only - set(SCENARIOS))[0]!r}")

    def want(scenario):
        return not args.only or scenario in args.only

    # The peers are imported from the bytecode pip wrote when it installed
    # them; libkimi is imported from the source tree, which with no bytecode
    # there (PYTHONDONTWRITEBYTECODE, a fresh checkout) is compiled again in
    # every run: about 0.04 s of each Python client's process CPU. Compiled
    # once here, it is loaded as an installed package is.
    subprocess.run([py, "-m", "compileall", "-q", os.path.join(ROOT, "bindings", "python", "src")], check=True,
                   stdout=subprocess.DEVNULL)
    stream_text = f"[[mock: chunks={args.chunks} batch=65536]]"
    mixed_text = f"[[mock: chunks={args.chunks} mixed batch=65536]]"
    concurrent_text = "[[mock: chunks=1000]]"
    config = os.path.join(tempfile.mkdtemp(), "small.curl")
    curl_config(args.requests, config)
    results = {}
    with Server() as mock:
        if want("stream"):
            print(f"== one streamed completion of {args.chunks:,} chunks", flush=True)
            results["stream"] = run_side_by_side([(n, c, expect("chunks", args.chunks) if "curl" not in n else None)
                                                  for n, c in stream_clients(stream_text, py)], mock, reps)
        if want("mixed"):
            print(f"== the same with non-ASCII text and tool-call argument deltas", flush=True)
            results["mixed"] = run_side_by_side([(n, c, expect("chunks", args.chunks) if "curl" not in n else None)
                                                 for n, c in stream_clients(mixed_text, py)], mock, reps)
        if want("concurrent"):
            print(f"== {args.streams:,} streams of 1,000 chunks", flush=True)
            concurrent = os.path.join(BENCH, "concurrent_streams")
            results["concurrent"] = [
                run(f"{label}", [concurrent, mode, str(args.streams), concurrent_text], mock, reps,
                    expect("chunks", args.streams * 1000))
                for label, mode in (("async API (tasks on one loop thread)", "async"),
                                    (f"{args.streams:,} threads in kimi_chat_stream", "threads"),
                                    ("one after another (the same work)", "sequential"))]
        if want("asyncio"):
            print(f"== {args.streams:,} concurrent streams of 100 chunks in one asyncio loop (Python)", flush=True)
            async_text = "[[mock: chunks=100]]"
            results["asyncio"] = run_side_by_side([
                (label, [py, os.path.join(CLIENTS, "sdk_client.py"), sdk, "async", str(args.streams), async_text],
                 expect("chunks", args.streams * 100))
                for label, sdk in (("libkimi AsyncOpenAI", "libkimi"), ("openai-python AsyncOpenAI", "openai"))], mock, reps)
        if want("length"):
            print("== memory against stream length (libkimi C)", flush=True)
            results["length"] = [run(f"{n:,} chunks", [os.path.join(BENCH, "stream_consumer"),
                                                       f"[[mock: chunks={n} batch=65536]]"], mock, 1, expect("chunks", n))
                                 for n in (10000, 100000, 1000000)]
        if want("soak"):
            print("== memory over 10,000 requests in one process (libkimi C)", flush=True)
            results["soak"] = measure([os.path.join(BENCH, "soak"), "10000"], mock.env)
            print(f"  RSS after each 1,000 requests (KB): {results['soak']['rss_kb_per_1000']}", flush=True)
        if want("batch"):
            print("== batches: memory against the number of requests (libkimi C)", flush=True)
            results["batch"] = [run(f"{n:,} requests", [os.path.join(BENCH, "batch_scale"), str(n)], mock, 1,
                                    expect("results", n)) for n in (1000, 10000, 100000)]
        if want("download"):
            print("== file content: memory against its size (libkimi C, kimi_file_content_to_fd)", flush=True)
            results["download"] = [run(f"{n >> 20} MB", [os.path.join(BENCH, "file_download"), str(n)], mock, 1,
                                       expect("bytes", n)) for n in (2 << 20, 20 << 20, 200 << 20)]
        if want("load"):
            print("== load time and a minimal program", flush=True)
            results["load"] = {
                "loads": [measure([os.path.join(BENCH, "load_time"), os.path.join(BUILD, "libkimi.so.0")], mock.env)
                          for _ in range(15)],
                "curl_floor": [measure([os.path.join(BENCH, "load_time"), "libcurl.so.4"], mock.env) for _ in range(15)],
                "hello": run("examples/hello (one chat)", [os.path.join(BUILD, "examples", "hello")], mock, 5),
                "curl_min": run("the same request with libcurl alone", [os.path.join(BENCH, "curl_minimal")], mock, 5),
            }

    if want("cancel"):
        # A server of its own: the cancelled streams' handlers sleep on.
        with Server() as mock:
            print(f"== {args.streams:,} streaming tasks cancelled at once from asyncio (Python)", flush=True)
            results["cancel"] = [
                run(label, [py, os.path.join(CLIENTS, "cancel_storm.py"), str(args.streams), mode], mock, reps,
                    expect("cancelled", args.streams))
                for label, mode in (("stalled mid-answer", "running"),
                                    ("queued behind max_connections=10", "queued"))]

    if want("small"):
        with Server("bench/echo_server.py") as echo:
            print(f"== {args.requests:,} small non-streamed requests in a row (bench/echo_server.py)", flush=True)
            results["small"] = run_side_by_side(small_clients(args.requests, py, config), echo, reps)

    if want("micro"):
        print("== micro-benchmarks (kimi-bench)", flush=True)
        results["micro"] = [json.loads(line) for line in subprocess.run(
            [os.path.join(ROOT, ".build/release/kimi-bench")], stdout=subprocess.PIPE, text=True,
            check=True).stdout.splitlines() if line.startswith("{")]
        for m in results["micro"]:
            print(f"  {m['name']:55} {m['gb_per_s']:.2f} GB/s", flush=True)

    if want("callgrind"):
        if shutil.which("valgrind"):
            print("== instructions per streamed chunk (callgrind)", flush=True)
            import callgrind  # bench/callgrind.py (it imports this file's Server)
            results["callgrind"] = callgrind.measure(args.chunks)
        else:
            print("== callgrind: skipped, valgrind is not installed (make callgrind installs it)", flush=True)

    lines = report(args, results, stream_text, mixed_text, py)
    out = args.out or (None if args.only else os.path.join(ROOT, "bench", "RESULTS.md"))
    if out:
        with open(out, "w") as f:
            f.write("\n".join(lines))
    print("\n".join(lines))


def report(args, results, stream_text, mixed_text, py):
    """The report's lines: a table per scenario that ran, the targets they
    decide, the versions and the commands."""
    def by(scenario, prefix):
        return next(r for r in results[scenario] if r["client"].startswith(prefix))

    def inproc(row, key="cpu"):
        return row.get("stream_" + key, row[key])

    lines = [
        "# libkimi benchmark results",
        "",
        f"Written by `make bench` (`bench/run.py`, see `bench/README.md`) on {datetime.date.today().isoformat()}. "
        f"Each client is its own process against the local mock server; CPU is user + system from wait4(2), "
        f"medians of {args.reps} runs. \"In-process\" figures leave out start-up and imports; ratios compare "
        "libkimi's whole-process figure with the peer's in-process one, which favours the peer (except against "
        "curl, which has no in-process figure: process against process).",
        "",
    ]
    targets = []
    for scenario, title in (("stream", f"One streamed completion of {args.chunks:,} chunks"),
                            ("mixed", f"The same, {args.chunks // 2:,} non-ASCII content pieces and "
                                      f"{args.chunks // 2:,} tool-call argument pieces")):
        if scenario not in results:
            continue
        lines += [f"## {title}", ""]
        rows = []
        for r in results[scenario]:
            cpu = inproc(r)
            rate = f"{args.chunks / cpu:,.0f}" if cpu else "n/a"
            rows.append([r["client"], rate, f"{r['cpu']:.3f}", f"{r['stream_cpu']:.3f}" if "stream_cpu" in r else "—",
                         f"{r['wall']:.2f}", f"{r['rss_kb'] / 1024:.1f}"])
        lines += table(["client", "chunks per CPU second", "CPU s (process)", "CPU s (in-process)", "wall s",
                        "peak RSS MB"], rows) + [""]
        kimi, curl, openai = by(scenario, "libkimi (C"), by(scenario, "curl"), by(scenario, "openai")
        kimi_py = by(scenario, "libkimi (Python")
        vs_openai, vs_curl = kimi["cpu"] / inproc(openai), kimi["cpu"] / curl["cpu"]
        targets += [
            [f"{scenario}: libkimi CPU ≤ 1/50 of openai-python's", f"1/{1 / vs_openai:.0f}", met(vs_openai <= 1 / 50)],
            [f"{scenario}: libkimi CPU ≤ 2 × curl's transfer-only CPU (process against process)",
             f"{vs_curl:.2f} ×", met(vs_curl <= 2)],
            [f"{scenario}: libkimi from Python vs openai-python (in-process CPU)",
             f"{inproc(openai) / inproc(kimi_py):.1f} × less", "—"],
        ]
    if "stream" in results or "mixed" in results:
        lines += ["The mock sends streams in writes of 64 KiB or more (like a buffering proxy), so these numbers "
                  "measure each client's per-chunk work rather than one system call per chunk.", ""]

    if "callgrind" in results:
        lines += ["## Instructions per chunk (callgrind)", "",
                  "`bench/callgrind.py` (`make callgrind`): user-space instructions of the whole process under "
                  "valgrind's callgrind, and per chunk (the difference from a 2-chunk stream: start-up and the request "
                  "left out). The kernel's work (receiving the bytes) is not counted, so curl's per-chunk figure is "
                  "nearly nothing: it writes each read to /dev/null.", ""]
        rows = []
        for scenario, row in results["callgrind"].items():
            rows.append([scenario, f"{row['kimi'][0]:,}", f"{row['kimi'][1]:,.0f}", f"{row['curl'][0]:,}",
                         f"{row['curl'][1]:,.0f}"])
        lines += table(["stream", "libkimi instructions", "per chunk", "curl instructions", "per chunk"], rows) + [""]

    if "small" in results:
        n = args.requests
        lines += [f"## {n:,} small non-streamed requests in a row", "",
                  "One client (one kept-alive connection) asking `hi i` and checking each answer, against "
                  "`bench/echo_server.py` (a bare asyncio responder, so the server's own time per request stays small "
                  "next to the clients'). Wall time is what a caller waits.", ""]
        rows = [[r["client"], f"{inproc(r, 'wall') / n * 1000:.3f}", f"{inproc(r, 'wall'):.3f}", f"{r['cpu']:.3f}",
                 f"{r['rss_kb'] / 1024:.1f}"] for r in results["small"]]
        lines += table(["client", "ms per request", "wall s", "CPU s (process)", "peak RSS MB"], rows) + [""]
        curl_s, kimi_s, openai_s = by("small", "curl"), by("small", "libkimi (C"), by("small", "openai")
        small_vs_curl = kimi_s["wall"] / curl_s["wall"]
        small_vs_openai = kimi_s["wall"] / inproc(openai_s, "wall")
        small_cpu_vs_openai = kimi_s["cpu"] / inproc(openai_s)
        targets += [
            [f"small requests: libkimi time ≤ 1.5 × a curl loop's", f"{small_vs_curl:.2f} ×", met(small_vs_curl <= 1.5)],
            [f"small requests: libkimi time ≤ 1/5 of openai-python's", f"1/{1 / small_vs_openai:.1f}",
             met(small_vs_openai <= 1 / 5)],
            [f"small requests: libkimi CPU vs openai-python's", f"1/{1 / small_cpu_vs_openai:.1f}", "—"],
        ]

    if "concurrent" in results:
        lines += [f"## {args.streams:,} concurrent streams of 1,000 chunks", "",
                  "`bench/clients/concurrent_streams.c`; the mock writes every chunk separately, so each costs a "
                  "network read in every mode.", ""]
        rows = [[r["client"], f"{r['cpu']:.2f}", f"{r['wall']:.2f}", f"{r['rss_kb'] / 1024:.1f}"]
                for r in results["concurrent"]]
        lines += table(["mode", "CPU s", "wall s", "peak RSS MB"], rows) + [""]
        tasks, sequential = by("concurrent", "async"), by("concurrent", "one after")
        async_ratio = tasks["cpu"] / sequential["cpu"]
        targets += [
            [f"{args.streams:,} concurrent streams: async CPU ≤ 1.5 × sequential", f"{async_ratio:.2f} ×",
             met(async_ratio <= 1.5)],
            [f"{args.streams:,} concurrent streams: async peak RSS < 200 MB", f"{tasks['rss_kb'] / 1024:.0f} MB",
             met(tasks["rss_kb"] < 200 * 1024)],
        ]

    if "asyncio" in results:
        lines += [f"## {args.streams:,} concurrent streams of 100 chunks in one asyncio loop", "",
                  "`bench/clients/sdk_client.py async`: the same code for both SDKs, `asyncio.gather` over "
                  f"{args.streams:,} `await client.chat.completions.create(..., stream=True)` each read with "
                  "`async for`. libkimi's AsyncOpenAI runs every stream as a C task on one event loop thread and the "
                  "asyncio loop watches the event queue's file descriptor; openai-python uses httpx.", ""]
        rows = [[r["client"], f"{r['cpu']:.2f}", f"{inproc(r):.2f}", f"{inproc(r, 'wall'):.2f}",
                 f"{r['rss_kb'] / 1024:.1f}"] for r in results["asyncio"]]
        lines += table(["client", "CPU s (process)", "CPU s (in-process)", "wall s (in-process)", "peak RSS MB"],
                       rows) + [""]

    if "cancel" in results:
        lines += [f"## {args.streams:,} streaming tasks cancelled at once from asyncio", "",
                  f"`bench/clients/cancel_storm.py`: {args.streams:,} streams of `libkimi.AsyncClient` in one asyncio "
                  "loop, every one of them then cancelled in one `task.cancel()` loop, while a ticker coroutine "
                  "records the loop's longest gap between two turns. Stalled mid-answer: every stream has started "
                  "and the mock pauses it after two pieces; queued: the client allows 10 connections, so 990 streams "
                  "wait for a slot. CPU is the process's from the cancel loop until every stream ended.", ""]
        rows = [[r["client"], f"{r['cancel_loop_ms']:.1f}", f"{r['all_ended_ms']:.0f}", f"{r['longest_stall_ms']:.1f}",
                 f"{r['stream_cpu']:.3f}"] for r in results["cancel"]]
        lines += table(["streams", "cancel() loop ms", "all ended ms", "longest loop stall ms", "CPU s"], rows) + [""]

    if "load" in results:
        load_runs, curl_floor = results["load"]["loads"], results["load"]["curl_floor"]
        hello, curl_min = results["load"]["hello"], results["load"]["curl_min"]
        load = statistics.median(r["total_ms"] for r in load_runs)
        load_dl = statistics.median(r["dlopen_ms"] for r in load_runs)
        load_client = statistics.median(r["client_ms"] for r in load_runs)
        curl_load = statistics.median(r["dlopen_ms"] for r in curl_floor)
        lines += ["## Start-up and a minimal program", "",
                  f"`bench/clients/load_time.c`, median of {len(load_runs)} runs: `dlopen(\"libkimi.so.0\")` "
                  f"{load_dl:.2f} ms (of which loading libcurl and its dependencies alone takes {curl_load:.2f} ms), "
                  f"then `kimi_version()` and `kimi_client_new()` + `kimi_client_free()` (curl's global set-up) "
                  f"{load_client:.2f} ms: {load:.2f} ms in all.", "",
                  f"`examples/hello` (one blocking chat, the README's example) peaks at {hello['rss_kb'] / 1024:.1f} MB; "
                  f"the same request made with libcurl alone (`bench/clients/curl_minimal.c`) peaks at "
                  f"{curl_min['rss_kb'] / 1024:.1f} MB, so libkimi adds "
                  f"{(hello['rss_kb'] - curl_min['rss_kb']) / 1024:.1f} MB (its static Swift runtime and the C++ runtime "
                  "it needs).", ""]
        targets += [
            ["dlopen plus first call < 10 ms", f"{load:.2f} ms", met(load < 10)],
            ["minimal C program peak RSS < 15 MB", f"{hello['rss_kb'] / 1024:.1f} MB", met(hello["rss_kb"] < 15 * 1024)],
        ]

    if "length" in results or "soak" in results:
        lines += ["## Memory", ""]
    if "length" in results:
        lines += ["Against stream length: only the accumulated answer grows (4 bytes per chunk here).", ""]
        lines += table(["chunks", "peak RSS MB", "content kept MB"],
                       [[r["client"].split()[0], f"{r['rss_kb'] / 1024:.1f}",
                         f"{int(r['client'].split()[0].replace(',', '')) * 4 / 1e6:.1f}"]
                        for r in results["length"]]) + [""]
    if "soak" in results:
        per = results["soak"]["rss_kb_per_1000"]
        growth = per[-1] - per[0]
        lines += ["Over 10,000 requests in one process (`bench/clients/soak.c`: one client alternating "
                  "`kimi_chat_create` and `kimi_chat_stream`, plus a short-lived client created, used and freed every "
                  "100 requests):", ""]
        lines += table(["after requests"] + [f"{(i + 1) * 1000:,}" for i in range(len(per))],
                       [["RSS MB"] + [f"{kb / 1024:.2f}" for kb in per]])
        lines += ["", f"Growth from 1,000 to 10,000 requests: {growth} KB ({growth * 1024 / 9000:.1f} bytes per "
                      "request).", ""]

    if "batch" in results:
        lines += ["## Batches", "", "`bench/clients/batch_scale.c`: write N requests with `kimi_batch_input_add`, "
                  "submit, wait, read every result with `kimi_batch_results`. The writer streams lines to disk, the "
                  "upload streams the file and results are read line by line, so memory grows only by the 8-byte "
                  "fingerprint kept per custom id (for duplicate checks).", ""]
        lines += table(["requests", "input MB", "write s", "results s (wall)", "results CPU µs per line", "peak RSS MB"],
                       [[r["client"].split()[0], f"{r['input_mb']:.1f}", f"{r['write_s']:.3f}", f"{r['results_s']:.2f}",
                         f"{r['results_cpu_s'] / r['results'] * 1e6:.1f}", f"{r['rss_kb'] / 1024:.1f}"]
                        for r in results["batch"]]) + [""]

    if "download" in results:
        lines += ["## File content", "", "`bench/clients/file_download.c`: a file's content downloaded with "
                  "`kimi_file_content_to_fd` to /dev/null, from the mock's virtual file of that size (written as the "
                  "client reads). The body goes to the descriptor piece by piece, so peak RSS does not grow with the "
                  "size.", ""]
        lines += table(["content", "download s", "MB/s", "peak RSS MB"],
                       [[r["client"], f"{r['download_s']:.2f}", f"{r['mb_per_s']:.0f}", f"{r['rss_kb'] / 1024:.1f}"]
                        for r in results["download"]]) + [""]

    if "micro" in results:
        micro = results["micro"]
        lines += ["## Micro-benchmarks", "", "`bench/swift/main.swift` (`kimi-bench`), medians.", ""]
        rows = []
        for m in micro:
            extra = f"{m['ns_per_chunk']:.0f} ns per chunk" if "ns_per_chunk" in m else ""
            rows.append([m["name"], f"{m['gb_per_s']:.2f}", extra])
        lines += table(["what", "GB/s", ""], rows) + [""]
        scan = next(m for m in micro if "direct scan" in m["name"])
        jansson = next(m for m in micro if "jansson" in m["name"])
        lines += [f"The direct scan decodes a chunk in {scan['ns_per_chunk']:.0f} ns, "
                  f"{jansson['ns_per_chunk'] / scan['ns_per_chunk']:.0f} times faster than parsing each payload with "
                  "jansson; jansson stays where a document is read once (whole responses, errors, files, "
                  "`from_json`).", ""]
        targets += [[f"{m['name']} ≥ 1 GB/s", f"{m['gb_per_s']:.2f} GB/s", met(m["gb_per_s"] >= 1)]
                    for m in micro if "base64" in m["name"] or "video" in m["name"]]

    targets += python_targets(results)
    if targets:
        lines += ["## Targets", ""] + table(["target", "measured", "met"], targets) + [""]
        if any("NO" in r[2] for r in targets):
            lines += ["Missed targets are explained in `bench/README.md` (\"Where a target is missed\").", ""]

    lines += ["## Versions", ""] + [f"- {k}: {v}" for k, v in versions(py).items()]
    lines += ["", "## Commands", "", "```sh",
              "make bench          # builds, installs openai-python and httpx in build/bench-venv, runs bench/run.py",
              "make bench BENCH_ARGS=\"--only stream --only mixed\"    # some scenarios; prints, writes no file",
              "make callgrind      # instructions per chunk, libkimi and curl, and where they go",
              "python3 Tests/mock/kimi_mock.py --port 0      # the server every client talks to (KIMI_BASE_URL)",
              f"curl -sN -o /dev/null -H 'Authorization: Bearer sk-bench' $KIMI_BASE_URL/chat/completions -d '{chat_body(stream_text)}'",
              f"build/bench/stream_consumer '{stream_text}'",
              f"build/bench/stream_consumer '{mixed_text}'",
              f"build/bench-venv/bin/python bench/clients/sdk_client.py openai stream '{stream_text}'",
              f"build/bench-venv/bin/python bench/clients/httpx_client.py stream '{stream_text}'",
              f"PYTHONPATH=bindings/python/src build/bench-venv/bin/python bench/clients/sdk_client.py libkimi stream '{stream_text}'",
              f"PYTHONPATH=bindings/python/src build/bench-venv/bin/python bench/clients/sdk_client.py libkimi async {args.streams} '[[mock: chunks=100]]'",
              f"build/bench-venv/bin/python bench/clients/sdk_client.py openai async {args.streams} '[[mock: chunks=100]]'",
              f"PYTHONPATH=bindings/python/src build/bench-venv/bin/python bench/clients/cancel_storm.py {args.streams} running|queued",
              "python3 bench/echo_server.py    # the server of the small-request scenario",
              f"curl -K small.curl   # {args.requests} requests joined with 'next' (bench/run.py writes it)",
              f"build/bench/small_requests {args.requests}",
              f"build/bench-venv/bin/python bench/clients/sdk_client.py openai small {args.requests}",
              f"build/bench/concurrent_streams async|threads|sequential {args.streams} '[[mock: chunks=1000]]'",
              "build/bench/load_time build/libkimi.so.0",
              "build/bench/soak 10000",
              "build/bench/batch_scale 100000",
              ".build/release/kimi-bench    # swift build -c release --product kimi-bench",
              "```", ""]
    return lines


if __name__ == "__main__":
    main()
