"""Memory limits (issue 12): how fast Vigil acts on a crossing of `memory.high` and `max`, and
what watching limits costs an idle Vigil.

Crossing-to-action: a fixture allocates and touches 64 MiB in one request (`/admin/memory`),
which crosses `high` (64Mi, over its ~10 MiB baseline) near the end of the allocation; the
latency is the `memory` event's time minus the time the request was sent, an upper bound that
includes the allocation itself (Vigil may even stop the fixture before it answers).
Run with cgroups (the default, root) and with `VIGIL_CGROUPS=off` (the /proc sampling fallback).
Idle cost: Vigil's CPU over a window with 100 limited, idle services, against 100 without limits.
Loopback only; every loop is bounded in count and time.
"""
import argparse
import os
import socket
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import Vigil, fixture_manifest, machine, parse_time, percentile, proc_usage, today, write_result  # noqa: E402


_handed_out = set()


def free_port():
    """A loopback port nobody listens on, never the same one twice in a run."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def limited(fixture, name, port, limits, probe_period="1s"):
    # Memory restarts are failures (backoff, crash loops): keep the backoff flat so 20 runs in a
    # row measure detection, not a growing restart delay.
    restart = "restart: {backoff: {initial: 100ms, max: 100ms}, crashLoop: {restarts: 1000, within: 1s}}"
    return fixture_manifest(fixture, name, port, probe_period) + f"resources: {{memory: {{{limits}}}}}\n{restart}\n"


def crossing_latencies(vigil_bin, fixture, runs, environment):
    port = free_port()
    vigil = Vigil(vigil_bin, {"leaky": limited(fixture, "leaky", port, "high: 64Mi", probe_period="200ms")})
    os.environ.update(environment)
    try:
        vigil.start()
        latencies = []
        for _ in range(runs):
            vigil.wait_all_ready(1, timeout=60)
            seen = {e["id"] for e in vigil.events() if e["kind"] == "memory"}
            started = time.time()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/memory?bytes={64 << 20}", timeout=10).read()
            except (ConnectionError, OSError):
                pass  # Vigil may stop the fixture before it has answered: that is the point.
            deadline = time.monotonic() + 20
            event = None
            while event is None and time.monotonic() < deadline:
                event = next((e for e in vigil.events() if e["kind"] == "memory" and e["id"] not in seen), None)
                time.sleep(0.02)
            if event is None:
                raise SystemExit("no memory event within 20 s")
            latencies.append(max(0.0, parse_time(event["time"]) - started))
            # Wait for the replacement before the next run.
            vigil.wait_until(lambda: (s := vigil.status()) and s["services"][0]["instances"][0]["ready"], 60, "replacement ready")
        return latencies, vigil.status()["memoryLimits"]
    finally:
        for key in environment:
            os.environ.pop(key, None)
        vigil.stop()
        vigil.cleanup()


def idle_cpu(vigil_bin, fixture, count, limits, window):
    manifests = {}
    for index in range(count):
        name = f"s{index}"
        manifests[name] = limited(fixture, name, free_port(), limits) if limits else fixture_manifest(fixture, name, free_port())
    vigil = Vigil(vigil_bin, manifests)
    try:
        vigil.start()
        vigil.wait_all_ready(count, timeout=180)
        time.sleep(3)
        cpu_before, _ = proc_usage(vigil.proc.pid)
        time.sleep(window)
        cpu_after, memory = proc_usage(vigil.proc.pid)
        return (cpu_after - cpu_before) / window * 100, memory.get("Pss", 0)
    finally:
        vigil.stop()
        vigil.cleanup()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--idle-only", action="store_true", help="skip the crossing latencies")
    args = parser.parse_args()
    runs = 5 if args.quick else 20
    window = 10 if args.quick else 30

    lines = [f"# Memory limits, {today()}", "", f"Machine: {machine()}; release build; `Benchmarks/memory/run.sh`.", ""]
    lines += ["## Crossing `high` to Vigil's `memory` event", "", "| enforcement | runs | p50 | p99 | max |", "|---|---|---|---|---|"]
    for environment in ({}, {"VIGIL_CGROUPS": "off"}) if not args.idle_only else ():
        latencies, how = crossing_latencies(args.vigil, args.fixture, runs, environment)
        ms = [value * 1000 for value in latencies]
        lines.append(f"| {how} | {len(ms)} | {percentile(ms, 50):.1f} ms | {percentile(ms, 99):.1f} ms | {max(ms):.1f} ms |")
        print(lines[-1], flush=True)
    lines += ["", f"## Vigil's CPU with 100 idle services (readiness probe every 1 s), over {window} s", "",
              "| services | CPU (% of one core) | PSS |", "|---|---|---|"]
    for limits in ("", "high: 256Mi, max: 512Mi"):
        cpu, pss = idle_cpu(args.vigil, args.fixture, 100, limits, window)
        label = f"100 with `{limits}`" if limits else "100 without limits"
        lines.append(f"| {label} | {cpu:.2f}% | {pss / 1048576:.1f} MiB |")
        print(lines[-1], flush=True)
    write_result("memory", today(), lines)


if __name__ == "__main__":
    main()
