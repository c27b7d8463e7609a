#!/usr/bin/env python3
"""Benchmark of a full generation run: all four languages from the whole
schema, with the release build of the `xenapi-gen` command line. Prints
the median, spread and peak memory; asserts nothing.

    python3 tests/bench/generate.py             # 21 timed runs
    python3 tests/bench/generate.py --runs 51

Each run is `xenapi-gen generate --out <temp dir>` into a directory that
already holds the output of the previous run, so every run loads the
schema, builds and formats every file, and compares it with disk (the
work of `generate --check` plus writing nothing). Peak memory is the
largest resident set of any run, read from the kernel's rusage of that
process alone. `CARGO_TARGET_DIR` is honoured.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_once(binary, out):
    start = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "generate", "--schema", os.path.join(ROOT, "schema"), "--out", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"xenapi-gen failed: {proc.stderr.read().decode(errors='replace')}")
    # ru_maxrss is in KiB on Linux.
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "-q", "--release", "-p", "xenapi-gen"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "release", "xenapi-gen")

    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as out:
        run_once(binary, out)  # first run writes the files
        runs = [run_once(binary, out) for _ in range(args.runs)]
    walls = sorted(r[0] * 1000 for r in runs)
    peak = max(r[1] for r in runs)
    cpu = statistics.median(r[2] * 1000 for r in runs)
    print(f"full run, 4 languages, {args.runs} runs:")
    print(f"  wall median {statistics.median(walls):.0f} ms (min {walls[0]:.0f}, max {walls[-1]:.0f}; target 300)")
    print(f"  cpu median  {cpu:.0f} ms (user + system, all threads)")
    print(f"  peak memory {peak:.0f} MiB (target 150)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
