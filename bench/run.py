#!/usr/bin/env python3
"""libkimi's benchmarks, run side by side with the clients a user would
otherwise pick, against the local mock Kimi server.

    python3 bench/run.py [--reps 3] [--python build/bench-venv/bin/python] [--out bench/RESULTS.md]

Every client runs as its own process; CPU (user + system) and peak RSS come
from wait4(2). Clients that can also measure the stream alone (excluding
start-up and imports) report it; ratios use the conservative pair: libkimi's
whole-process CPU against the peer's stream-only CPU. Medians of --reps runs.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "Tests", "mock"))


class Mock:
    """The mock server on a free port, for the duration of a `with` block."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/mock/kimi_mock.py"), "--port", "0"],
                                        stdout=subprocess.PIPE, text=True)
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
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2) if cmd[0] == "curl" else None
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


def chat_body(text, stream=True):
    return json.dumps({"model": "kimi-k2.6", "stream": stream, "thinking": {"type": "disabled"},
                       "messages": [{"role": "user", "content": text}]})


def clients_for_stream(text, python):
    """(name, command) for one streamed completion of `text`."""
    return [
        ("curl -sN (transfer only)", ["curl", "-sN", "-o", "/dev/null", "-H", "Authorization: Bearer sk-bench",
                                      "-H", "Content-Type: application/json", "{url}/chat/completions",
                                      "-d", chat_body(text)]),
        ("libkimi (C, kimi_chat_stream)", [os.path.join(BUILD, "bench", "stream_consumer"), text]),
        ("libkimi (Python, chunk objects)", [python, os.path.join(ROOT, "bench/clients/libkimi_stream.py"), text]),
        ("openai-python (stream=True)", [python, os.path.join(ROOT, "bench/clients/openai_stream.py"), text]),
    ]


def run_scenario(name, clients, reps, mock, expected_chunks=None):
    rows = []
    for client, template in clients:
        cmd = [part.replace("{url}", mock.url) for part in template]
        runs = [measure(cmd, mock.env) for _ in range(reps)]
        row = {"scenario": name, "client": client}
        for key in ("cpu", "wall", "rss_kb", "stream_cpu", "chunks"):
            values = [r[key] for r in runs if key in r]
            if values:
                row[key] = statistics.median(values)
        if expected_chunks and row.get("chunks") not in (None, expected_chunks):
            raise RuntimeError(f"{client}: counted {row.get('chunks')} chunks, expected {expected_chunks}")
        rows.append(row)
        print(f"  {client:34} cpu {row['cpu']:.3f} s  wall {row['wall']:.2f} s  rss {row['rss_kb'] / 1024:.1f} MB",
              flush=True)
    return rows


def versions(python):
    def first_line(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.splitlines()[0]
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
        "libkimi": open(os.path.join(ROOT, "include/kimi.h")).read().split('#define KIMI_VERSION "')[1].split('"')[0],
        "curl": first_line(["curl", "--version"]),
        "openai-python": first_line([python, "-c", "import openai; print(openai.__version__)"]),
        "Python": first_line([python, "--version"]),
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "kernel": platform.release(),
    }


def ratio(a, b):
    return f"{a / b:.3f}" if a and b else "n/a"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--python", default=os.path.join(BUILD, "bench-venv", "bin", "python"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    parser.add_argument("--chunks", type=int, default=100000)
    args = parser.parse_args()

    stream_text = f"[[mock: chunks={args.chunks} batch=65536]]"
    rows = []
    with Mock() as mock:
        print(f"== one streamed completion of {args.chunks} chunks ({args.reps} runs each, medians)", flush=True)
        rows += run_scenario("stream", clients_for_stream(stream_text, args.python), args.reps, mock, args.chunks)
        print("== memory against stream length (libkimi C)", flush=True)
        for n in (10000, 100000, 1000000):
            text = f"[[mock: chunks={n} batch=65536]]"
            rows += run_scenario(f"stream-{n}", [(f"libkimi (C), {n} chunks", [os.path.join(BUILD, "bench", "stream_consumer"), text])], 1, mock, n)
        print("== memory over 10,000 requests in one process (libkimi C)", flush=True)
        soak = measure([os.path.join(BUILD, "bench", "soak"), "10000"], mock.env)
        print(f"  RSS after each 1,000 requests (KB): {soak['rss_kb_per_1000']}", flush=True)

    print("== base64 (kimi-bench)", flush=True)
    micro = [json.loads(line) for line in subprocess.run([os.path.join(ROOT, ".build/release/kimi-bench")],
                                                          stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()
             if line.startswith("{")]
    for m in micro:
        print(f"  {m['name']:55} {m['gb_per_s']:.2f} GB/s", flush=True)

    by = {(r["scenario"], r["client"]): r for r in rows}
    curl = by[("stream", "curl -sN (transfer only)")]
    kimi = by[("stream", "libkimi (C, kimi_chat_stream)")]
    kimi_py = by[("stream", "libkimi (Python, chunk objects)")]
    openai = by[("stream", "openai-python (stream=True)")]
    openai_stream = openai.get("stream_cpu", openai["cpu"])
    vs_openai = kimi["cpu"] / openai_stream
    vs_curl = kimi["cpu"] / curl["cpu"]

    lines = [
        "# libkimi benchmark results",
        "",
        f"Written by `make bench` (`bench/run.py`) on {datetime.date.today().isoformat()}. "
        f"Each client is its own process; CPU is user + system from wait4(2), median of {args.reps} runs. "
        "\"Stream CPU\" is measured inside the process around the stream alone (Python imports and client set-up excluded); "
        "ratios compare libkimi's whole-process CPU with the peer's stream CPU, which favours the peer.",
        "",
        f"## One streamed completion of {args.chunks:,} chunks",
        "",
        "The mock sends the stream in writes of 64 KiB or more (like a buffering proxy), so the numbers measure "
        "each client's per-chunk work rather than one system call per chunk.",
        "",
        "| client | chunks/s (per CPU second) | CPU s (process) | stream CPU s | wall s | peak RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in (curl, kimi, kimi_py, openai):
        cpu_for_rate = r.get("stream_cpu", r["cpu"])
        rate = f"{args.chunks / cpu_for_rate:,.0f}" if cpu_for_rate else "n/a"
        stream_cpu = f"{r['stream_cpu']:.3f}" if "stream_cpu" in r else "—"
        lines.append(f"| {r['client']} | {rate} | {r['cpu']:.3f} | {stream_cpu} | {r['wall']:.2f} | {r['rss_kb'] / 1024:.1f} |")
    lines += [
        "",
        "| target | measured | met |",
        "| --- | ---: | --- |",
        f"| libkimi CPU ≤ 1/50 of openai-python's | {ratio(kimi['cpu'], openai.get('stream_cpu', openai['cpu']))} "
        f"(1/{1 / vs_openai:.0f}) | {'yes' if vs_openai <= 1 / 50 else 'NO'} |",
        f"| libkimi CPU ≤ 10 × curl's transfer-only CPU | {vs_curl:.1f} × | {'yes' if vs_curl <= 10 else 'NO'} |",
        f"| libkimi from Python ≥ 10 × less CPU than openai-python (stream CPU, both in-process) | "
        f"{openai_stream / kimi_py['stream_cpu']:.1f} × less | {'yes' if openai_stream / kimi_py['stream_cpu'] >= 10 else 'NO'} |",
        "",
        "## Memory against stream length",
        "",
        "Only the accumulated answer grows (4 bytes per chunk here); the decoder's buffers do not.",
        "",
        "| chunks | peak RSS MB | content kept MB |",
        "| ---: | ---: | ---: |",
    ]
    for n in (10000, 100000, 1000000):
        r = by[(f"stream-{n}", f"libkimi (C), {n} chunks")]
        lines.append(f"| {n:,} | {r['rss_kb'] / 1024:.1f} | {n * 4 / 1e6:.1f} |")
    growth = soak["rss_kb_per_1000"][-1] - soak["rss_kb_per_1000"][0]
    lines += [
        "",
        "## Memory over 10,000 requests",
        "",
        "`bench/clients/soak.c`: one client, 10,000 requests alternating `kimi_chat_create` and "
        "`kimi_chat_stream`, and a short-lived client created, used and freed every 100 requests.",
        "",
        "| after requests | " + " | ".join(f"{(i + 1) * 1000:,}" for i in range(len(soak["rss_kb_per_1000"]))) + " |",
        "| --- |" + " ---: |" * len(soak["rss_kb_per_1000"]),
        "| RSS MB | " + " | ".join(f"{kb / 1024:.2f}" for kb in soak["rss_kb_per_1000"]) + " |",
        "",
        f"Growth from 1,000 to 10,000 requests: {growth} KB ({growth * 1024 / 9000:.1f} bytes per request).",
    ]
    lines += [
        "",
        "## Base64 for inline media",
        "",
        "Inline images and video are base64-encoded while the request is sent, straight into curl's upload "
        "buffer (`bench/swift/main.swift`, median of several runs; target ≥ 1 GB/s).",
        "",
        "| what | GB/s | met |",
        "| --- | ---: | --- |",
    ]
    for m in micro:
        lines.append(f"| {m['name']} | {m['gb_per_s']:.2f} | {'yes' if m['gb_per_s'] >= 1 else 'NO'} |")
    lines += ["", "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in versions(args.python).items()]
    lines += [
        "",
        "## Commands",
        "",
        "```sh",
        "make bench                      # builds, installs openai-python and httpx in build/bench-venv, runs bench/run.py",
        "python3 Tests/mock/kimi_mock.py --port 0      # the server every client talks to",
        f"curl -sN -o /dev/null -H 'Authorization: Bearer sk-bench' $KIMI_BASE_URL/chat/completions -d '{chat_body(stream_text)}'",
        f"build/bench/stream_consumer '{stream_text}'",
        "build/bench/soak 10000                # RSS every 1,000 requests",
        f"build/bench-venv/bin/python bench/clients/openai_stream.py '{stream_text}'",
        f"PYTHONPATH=bindings/python/src python3 bench/clients/libkimi_stream.py '{stream_text}'",
        ".build/release/kimi-bench            # swift build -c release --product kimi-bench",
        "```",
        "",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
