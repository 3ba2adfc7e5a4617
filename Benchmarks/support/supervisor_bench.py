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
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[index]


class Vigil:
    """A `vigil up` in a scratch directory."""

    def __init__(self, vigil_bin, manifests, extra_config=""):
        self.bin = vigil_bin
        self.dir = tempfile.mkdtemp(prefix="vb")
        os.makedirs(f"{self.dir}/m")
        for name, yaml in manifests.items():
            with open(f"{self.dir}/m/{name}.yaml", "w") as f:
                f.write(yaml)
        with open(f"{self.dir}/vigil.yaml", "w") as f:
            f.write(f"apiVersion: vigil/v1\nkind: Supervisor\nstateDir: {self.dir}/s\nmanifests: [{self.dir}/m]\n{extra_config}")
        self.proc = None

    def start(self):
        self.log = open(f"{self.dir}/vigil.out", "w")
        self.proc = subprocess.Popen([self.bin, "up", "--config", f"{self.dir}/vigil.yaml"], stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_until(lambda: self.proc.poll() is not None or self.status() is not None, 30, "control socket")
        if self.proc.poll() is not None:
            self.wait_until(lambda: False, 0, "vigil up (it exited)")

    def cli(self, *args):
        out = subprocess.run([self.bin, *args, "--config", f"{self.dir}/vigil.yaml"], capture_output=True, text=True, timeout=60)
        return out.stdout if out.returncode == 0 else None

    def status(self):
        out = self.cli("status", "--json")
        return json.loads(out) if out else None

    def events(self):
        out = self.cli("events", "--json", "-n", "5000", "--since", "0")
        return json.loads(out)["events"] if out else []

    def wait_until(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        with open(f"{self.dir}/vigil.out") as f:
            tail = "".join(f.readlines()[-20:])
        raise SystemExit(f"timed out waiting for {what}; vigil said:\n{tail}")

    def stop(self):
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        return time.monotonic() - started

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def fixture_manifest(fixture, name, port, probe_period="1s"):
    probes = f"probes:\n  readiness: {{http: {{path: /ready}}, period: {probe_period}, timeout: 1s}}\n"
    return f"apiVersion: vigil/v1\nkind: Service\nname: {name}\ncommand: [{fixture}, --port, \"${{PORT}}\"]\nport: {port}\n{probes}"


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


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


def proc_usage(pid):
    """(cpu seconds, {Rss, Pss, Private_Dirty, ...} in bytes) of one process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / CLK_TCK
    memory = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                memory[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return cpu, memory


def bench_services(vigil_bin, fixture, count, window, base_port):
    manifests = {f"s{i}": fixture_manifest(fixture, f"s{i}", base_port + i) for i in range(count)}
    vigil = Vigil(vigil_bin, manifests)
    result = {"services": count}
    try:
        launched = time.monotonic()
        vigil.start()

        def all_ready():
            status = vigil.status()
            return status is not None and sum(1 for s in status["services"] if s["instances"][0]["ready"]) == count

        vigil.wait_until(all_ready, 120, f"{count} services ready")
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

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    cpu = subprocess.run(["sh", "-c", "nproc; grep -m1 'model name' /proc/cpuinfo"], capture_output=True, text=True).stdout.split("\n")
    lines = [
        f"# Supervisor benchmarks, {stamp}",
        "",
        f"Machine: {cpu[0]} cores, {cpu[1].split(':')[-1].strip() if len(cpu) > 1 else ''}. Release build. `Benchmarks/run.sh{' --quick' if args.quick else ''}`.",
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
    os.makedirs("Benchmarks/results", exist_ok=True)
    path = f"Benchmarks/results/supervisor-{stamp}.md"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
