#!/usr/bin/env python3
"""Log capture benchmark (issue 10). Run through Benchmarks/logs/run.sh.

A real `vigil up` (release build) captures `/usr/bin/yes` (10Mi files, keep 3) for SECONDS with
compression off and on, next to a crasher restarted with backoff 0s. Reports:
  - captured MB/s: bytes `yes` wrote (its /proc/PID/io wchar) per second; what is not captured
    stays in its 64 KiB pipe, so the two differ by at most that;
  - Vigil CPU seconds per 100 MB captured, for the whole process and for its capture and gzip
    threads (by thread name);
  - the crasher's respawn gap p50/p99 (last instruction -> next main, as in the supervisor
    benchmark) during the flood, and without a flood as the baseline;
  - the largest footprint of the flood's log files, sampled every 100 ms, against the bound.
Every loop is bounded in time; nothing leaves the machine.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import Vigil, machine, percentile, proc_usage, today, write_result  # noqa: E402

MAX_SIZE = 10 << 20
KEEP = 3
CLK_TCK = os.sysconf("SC_CLK_TCK")


def crasher_manifest(crasher, stamps):
    return (
        # Lives 100 ms, so a 60 s run stays well under 1024 crashes in a row: past that, backoff
        # initial 0s makes Vigil's delay 0 * 2^1024 = NaN and it traps (reported in issue 10's note).
        f"apiVersion: vigil/v1\nkind: Service\nname: crasher\ncommand: [{crasher}, {stamps}, \"100\"]\n"
        "restart: {policy: always, backoff: {initial: 0s, max: 1s, jitter: 0%}, crashLoop: {restarts: 1000000, within: 1s}}\n"
        "logs: {maxSize: 1Mi, keep: 1, compress: false}\n"
    )


def flood_manifest(compress):
    return (
        "apiVersion: vigil/v1\nkind: Service\nname: flood\n"
        'command: [/usr/bin/yes, "a log line of the flood benchmark, as long as a real one with a request id and a path"]\n'
        f"logs: {{maxSize: 10Mi, keep: {KEEP}, compress: {'true' if compress else 'false'}}}\n"
    )


def respawn_gaps(stamps):
    gaps, last_exit = [], None
    if not os.path.exists(stamps):
        return gaps
    for kind, ns in (line.split() for line in open(stamps)):
        if kind == "exit":
            last_exit = int(ns)
        elif last_exit is not None:
            gaps.append((int(ns) - last_exit) / 1e6)
            last_exit = None
    return gaps


def thread_cpu(pid):
    """{thread name: cpu seconds} of one process."""
    result = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        result[name] = result.get(name, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return result


def written_bytes(pid):
    with open(f"/proc/{pid}/io") as f:
        for line in f:
            if line.startswith("wchar:"):
                return int(line.split()[1])
    return 0


def footprint(directory, prefix):
    total, seen = 0, set()
    try:
        names = os.listdir(directory)
    except OSError:
        return 0
    for name in names:
        if not name.startswith(prefix):
            continue
        try:
            info = os.lstat(f"{directory}/{name}")
        except OSError:
            continue
        if info.st_ino not in seen:
            seen.add(info.st_ino)
            total += info.st_size
    return total


def run(vigil_bin, crasher, seconds, flood, compress):
    stamps = tempfile.mktemp(prefix="vb-stamps")
    manifests = {"crasher": crasher_manifest(crasher, stamps)}
    if flood:
        manifests["flood"] = flood_manifest(compress)
    vigil = Vigil(vigil_bin, manifests)
    result = {}
    try:
        vigil.start()
        logs = f"{vigil.dir}/s/logs"
        yes_pid = None
        if flood:
            deadline = time.monotonic() + 30
            while yes_pid is None and time.monotonic() < deadline:
                status = vigil.status() or {"services": []}
                yes_pid = next((s["instances"][0]["pid"] for s in status["services"] if s["name"] == "flood"), None)
                time.sleep(0.1)
        time.sleep(1)
        gaps_before = len(respawn_gaps(stamps))
        cpu0, _ = proc_usage(vigil.proc.pid)
        threads0 = thread_cpu(vigil.proc.pid)
        bytes0 = written_bytes(yes_pid) if yes_pid else 0
        started = time.monotonic()
        largest = 0
        while time.monotonic() - started < seconds:
            largest = max(largest, footprint(logs, "flood.log"))
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        cpu1, memory = proc_usage(vigil.proc.pid)
        threads1 = thread_cpu(vigil.proc.pid)
        captured = (written_bytes(yes_pid) - bytes0) if yes_pid else 0
        gaps = respawn_gaps(stamps)[gaps_before:]
        events = vigil.events()
        vigil.stop()
        leftovers = [n for n in os.listdir(logs) if ".rotating-" in n or n.endswith(".tmp")]
        per100 = (captured / 100e6) or 1
        result = {
            "seconds": elapsed,
            "mb_s": captured / 1e6 / elapsed,
            "captured_gb": captured / 1e9,
            "cpu_per_100mb": (cpu1 - cpu0) / per100 if flood else None,
            "cpu_percent": (cpu1 - cpu0) / elapsed * 100,
            "capture_cpu_per_100mb": (threads1.get("vigil-log-captu", 0) - threads0.get("vigil-log-captu", 0)) / per100,
            "gzip_cpu_per_100mb": (threads1.get("vigil-log-gzip", 0) - threads0.get("vigil-log-gzip", 0)) / per100,
            "rss_mib": memory.get("Rss", 0) / 2**20,
            "respawns": len(gaps),
            "p50_ms": statistics.median(gaps) if gaps else float("nan"),
            "p99_ms": percentile(gaps, 99) if gaps else float("nan"),
            "largest_mb": largest / 1e6,
            "dropped_events": sum(1 for e in events if e["kind"] == "logs_dropped"),
            "leftovers": leftovers,
        }
    finally:
        vigil.cleanup()
        if os.path.exists(stamps):
            os.unlink(stamps)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vigil", required=True)
    parser.add_argument("--crasher", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    baseline = run(args.vigil, args.crasher, min(args.seconds, 20), flood=False, compress=False)
    plain = run(args.vigil, args.crasher, args.seconds, flood=True, compress=False)
    gzip = run(args.vigil, args.crasher, args.seconds, flood=True, compress=True)
    bound_plain = MAX_SIZE * (KEEP + 1) / 1e6
    bound_gzip = MAX_SIZE * (KEEP + 2) / 1e6
    lines = [
        f"# Log capture benchmark, {today()}",
        "",
        f"Machine: {machine()}. Release build. `Benchmarks/logs/run.sh --seconds {args.seconds:g}`.",
        "",
        f"`/usr/bin/yes` flooding its log (maxSize 10Mi, keep {KEEP}) for {args.seconds:g} s beside a crasher restarted with backoff 0s.",
        "",
        "| flood | captured MB/s | Vigil CPU s per 100 MB | of it capture thread | of it gzip thread (nice 10) | Vigil CPU % | Vigil RSS | largest log footprint (bound) | logs_dropped events | left aside after stop |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r, bound in (("compress: false", plain, bound_plain), ("compress: true", gzip, bound_gzip)):
        lines.append(
            f"| {name} | {r['mb_s']:.0f} | {r['cpu_per_100mb']:.3f} | {r['capture_cpu_per_100mb']:.3f} | {r['gzip_cpu_per_100mb']:.3f} | "
            f"{r['cpu_percent']:.0f}% | {r['rss_mib']:.1f} MiB | {r['largest_mb']:.1f} MB ({bound:.1f} MB) | {r['dropped_events']} | {len(r['leftovers'])} |"
        )
    lines += [
        "",
        "## Crasher respawn during the flood (gap from its last instruction to the next main)",
        "",
        "| flood | respawns | p50 | p99 |",
        "|---|---|---|---|",
    ]
    for name, r in (("none (baseline)", baseline), ("compress: false", plain), ("compress: true", gzip)):
        lines.append(f"| {name} | {r['respawns']} | {r['p50_ms']:.3f} ms | {r['p99_ms']:.3f} ms |")
    lines += [
        "",
        "Captured bytes are what `yes` wrote (/proc/PID/io wchar); capture moves them pipe -> file with splice.",
        "The bound is maxSize x (keep + 1), plus the file being compressed when compress is on; the footprint is",
        "sampled every 100 ms. Under a flood the gzip thread cannot keep up with the writer and drops the oldest",
        "waiting rotations (counted in vigil_log_rotations_dropped_total, one logs_dropped event per episode).",
    ]
    write_result("logs", today(), lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
