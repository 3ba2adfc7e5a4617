#!/usr/bin/env python3
"""Supervisor benchmarks for Vigil (issue 2). Run through Benchmarks/run.sh.

Measures, against a real `vigil up` (release build) supervising real processes on loopback:
  - crash-to-respawn latency, p50/p99 over 200 crashes with backoff at its minimum (0s);
  - time to start 100 services (supervisor_started -> 100th spawned, from Vigil's event log,
    and until all 100 answer their readiness probe as seen by `vigil status`);
  - time to stop 100 well-behaved services (SIGTERM to Vigil -> Vigil exited, every group gone);
  - Vigil's own resident memory and CPU with 1, 100 and 500 idle services, each probed once a
    second over HTTP (a readiness probe).
Every loop is bounded in count and time; all traffic stays on 127.0.0.1.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import Vigil, fixture_manifest, machine, parse_time, percentile, proc_usage, today, write_result  # noqa: E402

def bench_respawn(vigil_bin, crasher, crashes):
    stamps = tempfile.mktemp(prefix="vb-stamps")
    manifest = (
        f"apiVersion: vigil/v1\nkind: Service\nname: crasher\ncommand: [{crasher}, {stamps}]\n"
        "restart: {policy: always, backoff: {initial: 0s, max: 1s, jitter: 0%}, crashLoop: {restarts: 1000000, within: 1s}}\n"
        "logs: {maxSize: 1Mi, keep: 1, compress: false}\n"
    )
    vigil = Vigil(vigil_bin, {"crasher": manifest})
    try:
        vigil.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if os.path.exists(stamps) and sum(1 for _ in open(stamps)) >= 2 * (crashes + 1):
                break
            time.sleep(0.1)
        vigil.stop()
    finally:
        vigil.cleanup()
    lines = [line.split() for line in open(stamps)]
    os.unlink(stamps)
    gaps, last_exit = [], None
    for kind, ns in lines:
        if kind == "exit":
            last_exit = int(ns)
        elif last_exit is not None:
            gaps.append((int(ns) - last_exit) / 1e6)
            last_exit = None
    gaps = gaps[:crashes]
    return {"crashes": len(gaps), "p50_ms": statistics.median(gaps), "p99_ms": percentile(gaps, 99), "max_ms": max(gaps)}


def bench_services(vigil_bin, fixture, count, window, base_port):
    manifests = {f"s{i}": fixture_manifest(fixture, f"s{i}", base_port + i) for i in range(count)}
    vigil = Vigil(vigil_bin, manifests)
    result = {"services": count}
    try:
        launched = time.monotonic()
        vigil.start()
        vigil.wait_all_ready(count)
        result["all_ready_s"] = time.monotonic() - launched
        events = vigil.events()
        started = [parse_time(e["time"]) for e in events if e["kind"] == "supervisor_started"]
        spawned = [parse_time(e["time"]) for e in events if e["kind"] == "spawned"]
        if started and len(spawned) >= count:
            result["spawn_all_ms"] = (sorted(spawned)[count - 1] - started[0]) * 1000
        time.sleep(5)  # let start-up work settle before measuring the steady state
        cpu0, _ = proc_usage(vigil.proc.pid)
        time.sleep(window)
        cpu1, memory = proc_usage(vigil.proc.pid)
        result["rss_mib"] = memory["Rss"] / 1048576
        result["pss_mib"] = memory["Pss"] / 1048576
        result["anon_mib"] = memory["Pss_Anon"] / 1048576
        result["cpu_percent_of_one_core"] = (cpu1 - cpu0) / window * 100
        result["stop_all_s"] = vigil.stop()
    finally:
        vigil.cleanup()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--crasher", required=True)
    parser.add_argument("--quick", action="store_true", help="shorter windows, fewer services")
    args = parser.parse_args()
    fixture = args.vigil + "-fixture"
    window = 10 if args.quick else 30
    sizes = [1, 100] if args.quick else [1, 100, 500]

    respawn = bench_respawn(args.vigil, args.crasher, 200)
    print(f"respawn: {respawn}", flush=True)
    services = []
    for count in sizes:
        services.append(bench_services(args.vigil, fixture, count, window, 21000))
        print(f"services: {services[-1]}", flush=True)

    stamp = today()
    lines = [
        f"# Supervisor benchmarks, {stamp}",
        "",
        f"Machine: {machine()}. Release build. `Benchmarks/run.sh{' --quick' if args.quick else ''}`.",
        "",
        "## Crash to respawn (backoff initial 0s, 200 crashes)",
        "",
        "Gap between the crashed process's last instruction and the new process reaching `main`.",
        "",
        f"- p50 {respawn['p50_ms']:.3f} ms, p99 {respawn['p99_ms']:.3f} ms, max {respawn['max_ms']:.3f} ms over {respawn['crashes']} crashes (target: p99 <= 2 ms)",
        "",
        f"## Idle services, each probed over HTTP once a second (readiness), {window} s window",
        "",
        "| services | Vigil RSS | PSS | anonymous | Vigil CPU (% of one core) | spawn all | all ready | stop all |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in services:
        spawn = f"{r['spawn_all_ms']:.1f} ms" if "spawn_all_ms" in r else "-"
        lines.append(f"| {r['services']} | {r['rss_mib']:.1f} MiB | {r['pss_mib']:.1f} MiB | {r['anon_mib']:.1f} MiB | {r['cpu_percent_of_one_core']:.2f}% | {spawn} | {r['all_ready_s']:.2f} s | {r['stop_all_s'] * 1000:.0f} ms |")
    lines += [
        "",
        "Targets (issue 2): with 100 services probed every second, under 25 MiB resident and under 2% of one core;",
        "start 100 services in at most 150 ms; stop 100 well-behaved ones in at most 100 ms.",
        "'spawn all' is supervisor_started -> 100th spawned event; 'all ready' includes Vigil's own start-up,",
        "the fixtures' start-up and the first readiness probe, polled through `vigil status` every 50 ms;",
        "'stop all' is SIGTERM to Vigil -> Vigil exited with every process group gone.",
        "RSS counts every shared library page Vigil touched (Foundation, ICU, libcurl's TLS stack);",
        "PSS divides shared pages among their users (the measure quoted for s6 and runit); anonymous is what",
        "Vigil itself allocated (heap, stacks), the rest being mapped code of the binary and its libraries.",
    ]
    write_result("supervisor", stamp, lines)


if __name__ == "__main__":
    sys.exit(main())
