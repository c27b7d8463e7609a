#!/usr/bin/env python3
"""Clean debug build of a small client of the generated crate `xenapi`,
with only the classes it uses (`default-features = false`, features VM,
host, pool, task, event) and with the whole crate, side by side in one run.

Both clients are the same few lines, written to a temporary directory
outside the workspace; they share one target directory (in
`target/bench-features`) where the dependencies are built once beforehand,
so each timed build compiles the generated crate and the client only.
Runs alternate between the two variants. For each build it reports the
wall time and the peak memory of the whole process tree (the sum of the
resident sizes of cargo, rustc and their children, sampled every 50 ms).

    python3 tests/bench/features.py [--runs N] [--keep]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ["VM", "host", "pool", "task", "event"]

CLIENT = """\
//! Names a few calls of each class it uses.

use xenapi::Session;
use xenapi_rt::Transport;

/// VM names, and how many hosts, pools and tasks there are, then one
/// batch of VM events.
pub async fn summary<T: Transport>(s: &Session<T>) -> Result<Vec<String>, xenapi::Error> {
    let mut out: Vec<String> = s.vm().get_all_records().await?.into_values().map(|vm| vm.name_label.into()).collect();
    out.push(format!("{} hosts", s.host().get_all().await?.len()));
    out.push(format!("{} pools", s.pool().get_all().await?.len()));
    out.push(format!("{} tasks", s.task().get_all().await?.len()));
    let batch = s.event().from(&["VM".into()], "", 1.0).await?;
    out.push(format!("{} events", batch.events.len()));
    Ok(out)
}
"""


def manifest(name: str, small: bool) -> str:
    gen = (ROOT / "generated" / "rust").as_posix()
    rt = (ROOT / "xenapi-rt").as_posix()
    if small:
        features = ", ".join(f'"{c}"' for c in CLASSES)
        dep = f'xenapi = {{ path = "{gen}", default-features = false, features = [{features}] }}'
    else:
        dep = f'xenapi = {{ path = "{gen}" }}'
    # An empty [workspace] keeps the client out of the project's workspace.
    return (
        f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\n{dep}\nxenapi-rt = {{ path = "{rt}" }}\n\n[workspace]\n\n'
        '[profile.dev]\ndebug = "line-tables-only"\n\n[profile.dev.package."*"]\ndebug = false\n'
    )


def write_client(base: Path, name: str, small: bool) -> Path:
    d = base / name
    (d / "src").mkdir(parents=True)
    (d / "Cargo.toml").write_text(manifest(name, small))
    (d / "src" / "lib.rs").write_text(CLIENT)
    return d


def tree_rss(pid: int) -> int:
    """Sum of the resident sizes (bytes) of `pid` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(entry)
        children.setdefault(int(fields[1]), []).append(p)
        rss[p] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def timed_build(crate: Path, target: Path) -> tuple[float, int]:
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_INCREMENTAL="0")
    t0 = time.monotonic()
    proc = subprocess.Popen(["cargo", "build", "-q"], cwd=crate, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    rc = proc.wait()
    wall = time.monotonic() - t0
    done.set()
    sampler.join()
    if rc != 0:
        sys.exit(f"cargo build failed in {crate}")
    return wall, peak


def clean(crate: Path, target: Path, name: str) -> None:
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    subprocess.run(["cargo", "clean", "-q", "-p", "xenapi", "-p", name], cwd=crate, env=env, check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=2, help="timed builds of each variant (default 2)")
    ap.add_argument("--keep", action="store_true", help="keep target/bench-features (the dependencies) afterwards")
    args = ap.parse_args()
    target = ROOT / "target" / "bench-features"
    variants = {"five-classes": True, "whole-crate": False}
    results: dict[str, list[tuple[float, int]]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        crates = {v: write_client(Path(tmp), v, small) for v, small in variants.items()}
        # Dependencies first (and a check that both clients build).
        for v, crate in crates.items():
            print(f"warming up {v} (dependencies)", flush=True)
            timed_build(crate, target)
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]
        for i in range(args.runs):
            for v, crate in crates.items():
                clean(crate, target, v)
                wall, peak = timed_build(crate, target)
                results[v].append((wall, peak))
                print(f"run {i + 1} {v:13} {wall:6.1f} s  peak {peak / 2**20:6.0f} MiB", flush=True)
    with open("/proc/loadavg") as f:
        load += " -> " + f.read().split()[0]
    print(f"\nload average {load}")
    for v, runs in results.items():
        walls = [w for w, _ in runs]
        peaks = [p / 2**20 for _, p in runs]
        print(f"{v:13} median {statistics.median(walls):6.1f} s ({min(walls):.1f}-{max(walls):.1f}), peak {max(peaks):.0f} MiB")
    small = statistics.median(w for w, _ in results["five-classes"])
    whole = statistics.median(w for w, _ in results["whole-crate"])
    print(f"time ratio {small / whole:.2f} (target: at most 0.25)")
    if not args.keep:
        shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    main()
