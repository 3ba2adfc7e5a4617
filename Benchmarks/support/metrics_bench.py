#!/usr/bin/env python3
"""Cost of one `/metrics` scrape with 100 supervised services (issue 3). Run through Benchmarks/run.sh.

A real `vigil up` (release build) supervises 100 `vigil-fixture` services, each with a readiness
probe once a second, and serves metrics on a loopback port. After every service is ready, 50
scrapes run back to back over HTTP; reported are the latency of one scrape (client view), the
size of the exposition, its number of samples, and Vigil's own CPU time per scrape (from
/proc/PID/stat before and after, so the probes' share over those seconds is included: the idle
cost is measured the same way over an equal window with no scrapes and subtracted).
Measures only; asserts nothing.
"""
import argparse
import os
import socket
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import Vigil, fixture_manifest, machine, percentile, proc_usage, today, write_result  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        return response.read()


def bench_scrape(vigil_bin, fixture, count, scrapes, base_port):
    port = free_port()
    manifests = {f"s{i}": fixture_manifest(fixture, f"s{i}", base_port + i) for i in range(count)}
    vigil = Vigil(vigil_bin, manifests, extra_config=f"metrics: {{listen: 127.0.0.1:{port}}}\n")
    try:
        vigil.start()
        vigil.wait_all_ready(count)
        for _ in range(3):
            body = scrape(port)
        latencies = []
        cpu0, _ = proc_usage(vigil.proc.pid)
        began = time.monotonic()
        for _ in range(scrapes):
            started = time.monotonic()
            body = scrape(port)
            latencies.append((time.monotonic() - started) * 1000)
        window = time.monotonic() - began
        cpu1, _ = proc_usage(vigil.proc.pid)
        time.sleep(window)
        cpu2, _ = proc_usage(vigil.proc.pid)
        idle = cpu2 - cpu1
        samples = sum(1 for line in body.split(b"\n") if line and not line.startswith(b"#"))
        return {
            "services": count, "scrapes": scrapes, "p50_ms": statistics.median(latencies), "p99_ms": percentile(latencies, 99),
            "bytes": len(body), "samples": samples, "cpu_ms_per_scrape": max(0.0, (cpu1 - cpu0) - idle) / scrapes * 1000,
        }
    finally:
        vigil.stop()
        vigil.cleanup()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--scrapes", type=int, default=50)
    args = parser.parse_args()
    result = bench_scrape(args.vigil, args.vigil + "-fixture", args.services, args.scrapes, 23000)
    print(f"scrape: {result}", flush=True)

    stamp = today()
    lines = [
        f"# Metrics scrape benchmark, {stamp}",
        "",
        f"Machine: {machine()}. Release build. `Benchmarks/run.sh`.",
        "",
        f"{result['services']} services, each probed once a second; {result['scrapes']} scrapes of `/metrics` back to back over loopback HTTP.",
        "",
        "| services | scrape p50 | scrape p99 | Vigil CPU per scrape | exposition | samples |",
        "|---|---|---|---|---|---|",
        f"| {result['services']} | {result['p50_ms']:.2f} ms | {result['p99_ms']:.2f} ms | {result['cpu_ms_per_scrape']:.2f} ms "
        f"| {result['bytes'] / 1024:.0f} KiB | {result['samples']} |",
        "",
        "A scrape reads the status of every service, scans /proc once (one read of /proc/PID/stat per process",
        "on the host) for process-group memory and CPU, and writes the registry. CPU per scrape is Vigil's",
        "CPU during the scrapes minus its CPU over an equally long idle window (the probes keep running).",
    ]
    write_result("metrics", stamp, lines)


if __name__ == "__main__":
    sys.exit(main())
