#!/usr/bin/env python3
"""Runs the C test programs given as arguments, each of which prints
"N passed, M failed" last, and prints the total the same way."""

import re
import subprocess
import sys

LINE = re.compile(r"^(\d+) passed, (\d+) failed$")


def main(programs):
    passed = failed = 0
    broken = []
    for program in programs:
        name = program.rsplit("/", 1)[-1]
        result = subprocess.run([program], stdout=subprocess.PIPE, text=True)
        lines = result.stdout.strip().splitlines()
        match = LINE.match(lines[-1]) if lines else None
        if not match:
            broken.append(f"{name} (exit {result.returncode}, no summary line)")
            print(result.stdout, end="")
            continue
        p, f = int(match.group(1)), int(match.group(2))
        passed += p
        failed += f
        print(f"{name}: {lines[-1]}")
        if result.returncode != 0 and f == 0:
            broken.append(f"{name} (exit {result.returncode})")
    for b in broken:
        print(f"BROKEN {b}", file=sys.stderr)
    print(f"{passed} passed, {failed + len(broken)} failed")
    return 1 if failed or broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
