"""What the benchmark scripts of Benchmarks/support share: a `vigil up` in a scratch directory,
fixture manifests, /proc readings, percentiles and the results file."""
import datetime
import json
import os
import shutil
import signal
import subprocess
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

    def wait_all_ready(self, count, timeout=120):
        """Until `vigil status` shows the first instance of `count` services ready."""

        def all_ready():
            status = self.status()
            return status is not None and sum(1 for s in status["services"] if s["instances"][0]["ready"]) == count

        self.wait_until(all_ready, timeout, f"{count} services ready")

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


def today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")


def machine():
    """'N cores, <CPU model>' for the results header (cores this process may run on)."""
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{len(os.sched_getaffinity(0))} cores, {model}"


def write_result(kind, stamp, lines):
    """Writes Benchmarks/results/<kind>-<stamp>.md (relative to the repository root)."""
    os.makedirs("Benchmarks/results", exist_ok=True)
    path = f"Benchmarks/results/{kind}-{stamp}.md"
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {path}")
