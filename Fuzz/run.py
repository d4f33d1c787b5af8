#!/usr/bin/env python3
"""Runs each libFuzzer target for a set time, starting from the seed corpus
in Fuzz/corpus/<name> (copied to build/fuzz/<name>, so runs grow a working
corpus without touching the repository). A crash stops with its input in
build/fuzz/artifacts/; fix it, then add the input to Fuzz/corpus/<name>/.

    python3 Fuzz/run.py --bin .build-fuzz/release --seconds 60
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {"StreamFuzz": "stream", "ResponseFuzz": "response", "ErrorFuzz": "error", "HeaderFuzz": "header",
           "ObjectFuzz": "object", "MediaFuzz": "media", "EventQueueFuzz": "queue"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--work", default=os.path.join(ROOT, "build", "fuzz"))
    args = parser.parse_args()
    artifacts = os.path.join(args.work, "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    # Swift's crash backtracer reads memory ASan considers off limits; libFuzzer
    # reports crashes itself.
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    failed = []
    for target, corpus in TARGETS.items():
        work = os.path.join(args.work, corpus)
        os.makedirs(work, exist_ok=True)
        seeds = os.path.join(ROOT, "Fuzz", "corpus", corpus)
        for name in os.listdir(seeds):
            shutil.copy(os.path.join(seeds, name), work)
        cmd = [os.path.join(args.bin, target), f"-max_total_time={args.seconds}", "-max_len=16384",
               "-rss_limit_mb=2048", "-timeout=10", "-print_final_stats=1",
               f"-artifact_prefix={artifacts}/{corpus}-", work]
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", result.stdout)
        cov = re.findall(r"cov: (\d+)", result.stdout)
        summary = f"{target}: {int(runs.group(1)) if runs else '?'} runs in {args.seconds} s, coverage {cov[-1] if cov else '?'}"
        if result.returncode != 0:
            failed.append(target)
            print(result.stdout[-4000:])
            print(f"FAIL {summary}; crashing input in {artifacts}/")
        else:
            print(f"ok   {summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
