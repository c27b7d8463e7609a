#!/usr/bin/env python3
"""Benchmark driver: Rust codecs vs Python on the same bytes, and server
throughput. Prints MB/s, ratios and calls/s; asserts nothing.

Run from anywhere (takes 3-5 minutes, most of it building and timing):

    python3 tests/bench/run.py            # everything
    python3 tests/bench/run.py --quick    # shorter timings
    python3 tests/bench/run.py --no-server / --no-codec / --no-wrk

`CARGO_TARGET_DIR` is honoured (default: <repo>/target).

What it does, in one run:

1. `cargo bench -p xenapi-tests --bench codec` (criterion) with
   XENAPI_BENCH_DATA=<target>/bench-data: the bench first writes the
   XML-RPC and JSON-RPC forms of a `VM.get_all_records` reply for 1,000
   fully populated VMs there (generated deterministically, about 14 MB of
   XML), then times typed decode/encode of exactly those bytes;
2. times Python's `xmlrpc.client.loads`/`dumps` and `json.loads`/`dumps`
   on the same files (timeit-style repetition, median);

   decoding and freeing the decoded result are timed apart on both sides
   (`decode`, `free`) and their sum is printed too: freeing 1,000 records
   costs Rust and Python about the same few milliseconds, so a combined
   figure says as much about `free` as about the decoder;
3. side by side: a few rounds, each timing Rust's decode and free (the
   codec bench binary run with XENAPI_BENCH_ROUNDS, system allocator)
   and then Python's on the same files, so that the two sides of a ratio
   are timed within seconds of each other. A shared machine's speed
   drifts over the minutes the criterion runs take, and Python's figures
   moved by up to 2x between runs; each ratio is printed as the median
   over the rounds with its range, and these are the figures the targets
   are read from;
4. `cargo bench -p xenapi-tests --bench server_load`: VM.get_record over
   loopback keep-alive HTTP, 16 connections, 10 s, with the generated typed
   client and with a bare pre-encoded HTTP client; then, if `wrk` is
   installed, wrk against the same server.

Client and server share the machine; the load average is printed before
and after, since other processes skew everything measured here.
"""

import argparse
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import xmlrpc.client

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
DATA = os.path.join(TARGET, "bench-data")


def sh(cmd, env=None, capture=True):
    """Runs a command in the repository, echoing it; returns its stdout."""
    print("+", " ".join(cmd), flush=True)
    full_env = dict(os.environ)
    full_env.update(env or {})
    out = subprocess.run(
        cmd, cwd=REPO, env=full_env, check=True, text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return out.stdout or ""


def load():
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def median_seconds(fn, repeat):
    fn()  # warm-up, as criterion does
    return statistics.median(timeit.repeat(fn, number=1, repeat=repeat))


def decode_and_free_seconds(decode, repeat):
    """Median seconds to decode, and to free the decoded value, timed apart
    (garbage collection off, as timeit does)."""
    decode()  # warm-up
    dec, free = [], []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            value = decode()
            t1 = time.perf_counter()
            del value
            t2 = time.perf_counter()
            dec.append(t1 - t0)
            free.append(t2 - t1)
    finally:
        if was_enabled:
            gc.enable()
    return statistics.median(dec), statistics.median(free)


def criterion_median(group, name):
    path = os.path.join(TARGET, "criterion", group, name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] / 1e9


def bench_executable(bench):
    """Path of a bench binary of the tests crate (built already)."""
    out = sh(["cargo", "bench", "-q", "-p", "xenapi-tests", "--bench", bench, "--no-run",
              "--message-format=json"])
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == bench:
            return msg["executable"]
    raise SystemExit(f"no executable found for bench {bench}")


def rust_round(exe, runs):
    """Medians of `runs` Rust decodes (and frees) per protocol, from one
    short run of the codec bench binary."""
    out = subprocess.run([exe, "--bench"], env=dict(os.environ, XENAPI_BENCH_ROUNDS=str(runs)),
                         check=True, text=True, stdout=subprocess.PIPE).stdout
    found = {}
    for line in out.splitlines():
        if line.startswith("ROUND "):
            _, proto, *fields = line.split()
            f = dict(kv.split("=", 1) for kv in fields)
            found[proto] = (float(f["decode"]), float(f["free"]))
    return found


def side_by_side(args, xml, js):
    """Rust (system allocator) and Python timed in alternation on the same
    bytes, so both sides of each ratio see the same phase of a shared
    machine; prints each ratio's median over the rounds and its range."""
    rounds, runs, xml_runs = (5, 9, 2) if args.quick else (9, 15, 3)
    exe = bench_executable("codec")
    print(f"\nSide by side: {rounds} rounds, each {runs} Rust runs per protocol, then Python "
          f"({xml_runs} runs of xmlrpc.client.loads, {runs} of json.loads); medians per round", flush=True)
    per_round = []
    for i in range(rounds):
        rust = rust_round(exe, runs)
        py = {
            "xmlrpc": decode_and_free_seconds(lambda: xmlrpc.client.loads(xml), xml_runs),
            "jsonrpc": decode_and_free_seconds(lambda: json.loads(js), runs),
        }
        per_round.append((rust, py))
        print(f"  round {i + 1}: " + "; ".join(
            f"{proto} Rust {rust[proto][0] * 1e3:.1f}+{rust[proto][1] * 1e3:.1f} ms, "
            f"Python {py[proto][0] * 1e3:.1f}+{py[proto][1] * 1e3:.1f} ms"
            for proto in ("xmlrpc", "jsonrpc")) + f" ({load()})", flush=True)
    size = {"xmlrpc": len(xml), "jsonrpc": len(js)}
    print(f"{'operation':<20}{'Rust ms':>10}{'Rust MB/s':>11}{'Python ms':>11}{'ratio':>9}  ratio range")
    summary = {}
    for proto in ("xmlrpc", "jsonrpc"):
        for op in ("decode", "free", "decode+free"):
            def pick(t):
                return t[0] if op == "decode" else t[1] if op == "free" else t[0] + t[1]
            rust_s = [pick(r[proto]) for r, _ in per_round]
            py_s = [pick(p[proto]) for _, p in per_round]
            ratios = [p / r for r, p in zip(rust_s, py_s)]
            med_rust, med_ratio = statistics.median(rust_s), statistics.median(ratios)
            summary[(proto, op)] = (med_rust, size[proto] / 1e6 / med_rust, med_ratio)
            rate = f"{size[proto] / 1e6 / med_rust:>11.0f}" if op != "free" else f"{'':>11}"
            print(f"{proto + '/' + op:<20}{med_rust * 1e3:>10.1f}{rate}{statistics.median(py_s) * 1e3:>11.1f}"
                  f"{med_ratio:>8.1f}x  {min(ratios):.1f}-{max(ratios):.1f}x")
    _, js_mbs, js_dec = summary[("jsonrpc", "decode")]
    js_both = summary[("jsonrpc", "decode+free")][2]
    xml_both = summary[("xmlrpc", "decode+free")][2]
    print("Targets of issue 17, on these medians: "
          f"JSON-RPC decode {js_dec:.1f}x (>= 4x) and {js_mbs:.0f} MB/s (>= 500); "
          f"JSON-RPC decode+free {js_both:.1f}x (>= 3x); XML-RPC decode+free {xml_both:.1f}x (>= 30x)")
    return summary


def codec(args):
    crit_args = ["--warm-up-time", "1", "--measurement-time", "3"] if args.quick else []
    sh(["cargo", "bench", "-p", "xenapi-tests", "--bench", "codec", "--", *crit_args],
       env={"XENAPI_BENCH_DATA": DATA}, capture=False)
    sh(["cargo", "bench", "-p", "xenapi-tests", "--bench", "codec_mimalloc", "--", *crit_args], capture=False)
    with open(os.path.join(DATA, "vm_all_records.xml"), "rb") as f:
        xml = f.read()
    with open(os.path.join(DATA, "vm_all_records.json"), "rb") as f:
        js = f.read()

    reps = 3 if args.quick else 7
    print(f"\nPython {sys.version.split()[0]}: timing on the same files ({reps} repetitions, median)...", flush=True)
    params, _ = xmlrpc.client.loads(xml)
    obj = json.loads(js)
    xml_out = xmlrpc.client.dumps(params, methodresponse=True).encode()
    json_out = json.dumps(obj, separators=(",", ":")).encode()
    xml_dec, xml_free = decode_and_free_seconds(lambda: xmlrpc.client.loads(xml), reps)
    js_dec, js_free = decode_and_free_seconds(lambda: json.loads(js), reps * 3)
    py = {
        ("xmlrpc", "decode"): xml_dec,
        ("xmlrpc", "free"): xml_free,
        ("xmlrpc", "encode"): median_seconds(lambda: xmlrpc.client.dumps(params, methodresponse=True), reps),
        ("jsonrpc", "decode"): js_dec,
        ("jsonrpc", "free"): js_free,
        ("jsonrpc", "encode"): median_seconds(lambda: json.dumps(obj, separators=(",", ":")), reps * 3),
    }
    size = {"xmlrpc": len(xml), "jsonrpc": len(js)}

    def rust(prefix, proto, op):
        """Criterion's median for an operation: `free` benches are grouped
        by operation, the others by protocol."""
        if op == "free":
            return criterion_median(prefix + "free", proto)
        return criterion_median(prefix + proto, op)

    print(f"\nVM.get_all_records, 1,000 fully populated VMs: XML-RPC {len(xml):,} bytes, "
          f"JSON-RPC {len(js):,} bytes (MB = 10^6 bytes)")
    print(f"(Python's own encodings are {len(xml_out):,} and {len(json_out):,} bytes; "
          "Rust's encode throughput is counted on the input size)")
    print("decode: the reply to records, freed untimed; free: freeing those records; "
          "decode+free: the sum of the two")
    print("Rust with the system allocator (glibc malloc), and with mimalloc as the global allocator:")
    print(f"{'operation':<20}{'Rust ms':>10}{'Rust MB/s':>11}{'mimalloc ms':>13}{'Python ms':>11}"
          f"{'Python MB/s':>13}{'Rust faster':>13}{'mimalloc':>10}")
    results = {}
    rows = []
    for proto in ("xmlrpc", "jsonrpc"):
        for op in ("decode", "free", "encode"):
            rows.append((proto, op, rust("", proto, op), rust("mimalloc-", proto, op), py[(proto, op)]))
        both = [r for r in rows[-3:] if r[1] in ("decode", "free")]
        rows.insert(len(rows) - 1, (proto, "decode+free", *(sum(r[i] for r in both) for i in (2, 3, 4))))
    for proto, op, rust_s, mi_s, py_s in rows:
        mb = size[proto] / 1e6
        results[(proto, op)] = (rust_s, mb / rust_s, py_s / rust_s, py_s / mi_s)
        rate = f"{mb / rust_s:>11.0f}" if op != "free" else f"{'':>11}"
        py_rate = f"{mb / py_s:>13.1f}" if op != "free" else f"{'':>13}"
        print(f"{proto + '/' + op:<20}{rust_s * 1e3:>10.1f}{rate}{mi_s * 1e3:>13.1f}"
              f"{py_s * 1e3:>11.1f}{py_rate}{py_s / rust_s:>12.1f}x{py_s / mi_s:>9.1f}x")
    _, mbs, ratio, mi_ratio = results[("xmlrpc", "decode")]
    _, _, both_ratio, both_mi = results[("xmlrpc", "decode+free")]
    ok = mbs >= 300 and ratio >= 25
    print(f"\nTarget (typed XML-RPC decode >= 300 MB/s and >= 25x xmlrpc.client.loads), system allocator: "
          f"{mbs:.0f} MB/s, {ratio:.1f}x -> {'met' if ok else 'NOT met'} (with mimalloc: {mi_ratio:.1f}x; "
          f"decode+free: {both_ratio:.1f}x, with mimalloc {both_mi:.1f}x)")
    side_by_side(args, xml, js)
    return results


def server(args):
    secs = "5" if args.quick else "10"
    lines = []
    for client, proto in [("typed", "xml"), ("raw", "xml"), ("typed", "json"), ("raw", "json")]:
        out = sh(["cargo", "bench", "-q", "-p", "xenapi-tests", "--bench", "server_load", "--",
                  "--client", client, "--proto", proto, "--secs", secs, "--conns", "16"])
        print(out, end="", flush=True)
        lines += [l for l in out.splitlines() if l.startswith(("RESULT", "INPROC"))]
    print("\nVM.get_record over loopback keep-alive HTTP (16 connections, 2 server + 2 client threads):")
    for l in lines:
        if l.startswith("RESULT"):
            f = dict(kv.split("=", 1) for kv in l.split()[2:])
            print(f"  {f['proto']:<5} client={f['client']:<6} {float(f['calls_per_sec']):>9,.0f} calls/s "
                  f"({f['calls']} calls, {f['errors']} errors, {f['secs']} s)")
        else:
            print("  " + l)
    if args.no_wrk:
        return
    if not shutil.which("wrk"):
        print("  (wrk not installed: apt-get install -y wrk to add its figures)")
        return
    for proto in ["xml", "json"]:
        wrk_secs = 5 if args.quick else 10
        with tempfile.TemporaryDirectory() as tmp:
            lua = os.path.join(tmp, "get_record.lua")
            # Build first so the server starts at once.
            sh(["cargo", "bench", "-q", "-p", "xenapi-tests", "--bench", "server_load", "--no-run"])
            proc = subprocess.Popen(
                ["cargo", "bench", "-q", "-p", "xenapi-tests", "--bench", "server_load", "--",
                 "--proto", proto, "--serve-secs", str(wrk_secs + 8), "--wrk-lua", lua],
                cwd=REPO, stdout=subprocess.PIPE, text=True)
            url = None
            for line in proc.stdout:
                if line.startswith("LISTEN "):
                    url = line.split()[1]
                    break
            if url is None:
                proc.wait()
                print("  the server did not start for wrk")
                continue
            out = subprocess.run(["wrk", "-t2", "-c16", f"-d{wrk_secs}s", "-s", lua, url],
                                 text=True, stdout=subprocess.PIPE, check=True).stdout
            proc.wait()
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            print(f"  {proto:<5} wrk -t2 -c16 -d{wrk_secs}s: "
                  f"{float(rps.group(1)) if rps else float('nan'):>9,.0f} calls/s"
                  f"{'' if not non2xx else ', non-2xx: ' + non2xx.group(1)}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="shorter timings")
    p.add_argument("--no-codec", action="store_true")
    p.add_argument("--no-server", action="store_true")
    p.add_argument("--no-wrk", action="store_true")
    args = p.parse_args()
    print(load(), flush=True)
    sh(["cargo", "bench", "-p", "xenapi-tests", "--no-run"], capture=False)
    print("after building:", load(), flush=True)
    started = time.time()
    if not args.no_codec:
        codec(args)
    if not args.no_server:
        server(args)
    print(f"\nfinished in {time.time() - started:.0f} s; {load()}")


if __name__ == "__main__":
    main()
