#!/usr/bin/env python3
"""Instruction counts of the streamed scenarios, under callgrind: the
deterministic measure of libkimi's work per chunk (CPU seconds on a shared
machine vary by tens of percent from run to run; instruction counts by less
than 0.1 %).

    python3 bench/callgrind.py [--chunks 100000] [--top 25] [--only stream|mixed]

For each scenario (`bench/run.py`'s first two: one streamed completion, and
the same with non-ASCII content and tool-call argument pieces) it runs
`build/bench/stream_consumer` and `curl -sN` (the transfer-only floor), each
over the long stream and over a two-chunk stream, and prints the total
instructions, the instructions per chunk (the difference of the two runs
over the chunks: start-up and the request left out), and the functions
that ran the most instructions of their own in the long libkimi run. Needs
valgrind (`make callgrind` installs it).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import BENCH, Server, chat_body  # noqa: E402


def profile(cmd, env, out):
    """Runs `cmd` under callgrind into `out`; returns its total instructions."""
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + cmd, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    for line in open(out, errors="replace"):
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"{out}: no totals")


def self_costs(path):
    """Instructions each function ran itself ({(object, function): Ir}),
    read from a callgrind profile (name compression; one event, Ir)."""
    names = {"ob": {}, "fn": {}}
    costs = {}
    obj = fn = None
    skip_next = False
    for line in open(path, errors="replace"):
        if line[0].isdigit() or line[0] in "+-*":
            if skip_next:  # the inclusive cost of a call, not the caller's own
                skip_next = False
                continue
            if fn is not None:
                costs[(obj, fn)] = costs.get((obj, fn), 0) + int(line.split()[-1])
            continue
        match = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if match:
            key, ident, name = match.groups()
            table = names[key.lstrip("c")]
            if name is not None:
                table[ident] = name
            if key == "ob":
                obj = table[ident]
            elif key == "fn":
                fn = table[ident]
        elif line.startswith("calls="):
            skip_next = True
    return costs


def demangled(names):
    """Swift names readable (swift demangle --simplified), others as they are."""
    tool = shutil.which("swift-demangle") or shutil.which("swift")
    if not tool:
        return list(names)
    cmd = [tool] + (["demangle"] if tool.endswith("/swift") else []) + ["--simplified", "--compact"]
    result = subprocess.run(cmd, input="\n".join(names) + "\n", stdout=subprocess.PIPE, text=True)
    lines = result.stdout.splitlines()
    return lines if result.returncode == 0 and len(lines) == len(names) else list(names)


def scenarios(chunks):
    return {
        "stream": f"[[mock: chunks={chunks} batch=65536]]",
        "mixed": f"[[mock: chunks={chunks} mixed batch=65536]]",
    }


def curl(mock, text):
    return ["curl", "-sN", "-o", "/dev/null", "-H", "Authorization: Bearer sk-bench", "-H",
            "Content-Type: application/json", f"{mock.url}/chat/completions", "-d", chat_body(text)]


def measure(chunks, only=None, top=0, scratch=None):
    """{scenario: {"kimi": (total, per chunk), "curl": (total, per chunk),
    "top": [(name, object, Ir)]}} for the scenarios (all, or `only`)."""
    scratch = scratch or tempfile.mkdtemp()
    consumer = os.path.join(BENCH, "stream_consumer")
    results = {}
    with Server() as mock:
        for name, text in scenarios(chunks).items():
            if only and name not in only:
                continue
            one = text.replace(f"chunks={chunks}", "chunks=2")
            row = {}
            for client, cmd in (("kimi", lambda t: [consumer, t]), ("curl", lambda t: curl(mock, t))):
                out = os.path.join(scratch, f"callgrind.{name}.{client}")
                total = profile(cmd(text), mock.env, out)
                base = profile(cmd(one), mock.env, out + ".one")
                row[client] = (total, (total - base) / (chunks - 2))
                if client == "kimi" and top:
                    costs = sorted(self_costs(out).items(), key=lambda kv: -kv[1])[:top]
                    readable = demangled([fn for (_, fn), _ in costs])
                    row["top"] = [(readable[i], os.path.basename(obj or "?"), ir) for i, ((obj, _), ir) in enumerate(costs)]
            results[name] = row
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", action="append", choices=sorted(scenarios(1)))
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("callgrind.py needs valgrind: sudo apt-get install -y valgrind (or make callgrind)")
    with tempfile.TemporaryDirectory() as scratch:
        results = measure(args.chunks, args.only, args.top, scratch)
    for name, row in results.items():
        kimi, curl_ = row["kimi"], row["curl"]
        print(f"== {name}: {args.chunks:,} chunks")
        print(f"  libkimi (stream_consumer): {kimi[0]:>13,} instructions, {kimi[1]:,.0f} per chunk")
        print(f"  curl -sN (transfer only):  {curl_[0]:>13,} instructions, {curl_[1]:,.0f} per chunk")
        if row.get("top"):
            print(f"  top {len(row['top'])} functions by their own instructions (libkimi run):")
            for fn, obj, ir in row["top"]:
                print(f"  {ir:>13,} {100 * ir / kimi[0]:5.1f}%  {ir / args.chunks:7.1f}/chunk  {fn[:110]}  [{obj}]")


if __name__ == "__main__":
    main()
