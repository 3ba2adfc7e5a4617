#!/usr/bin/env bash
# Interleaved A/B throughput runs for the builtin router against nginx proxy_pass, loopback only,
# each wrk run bounded by DURATION. On a shared, noisy machine only back-to-back runs compare:
# every round runs nginx and then each router binary given, so each pair sees similar load.
#
#     Benchmarks/router/compare.sh NAME=PATH[ FLAGS] [NAME=PATH[ FLAGS] ...]
#     e.g. compare.sh before=/tmp/before after=.build-release-bench/release/vigil-router-bench \
#                     "after-1loop=.build-release-bench/release/vigil-router-bench --threads 1"
#
# Per run it prints req/s, p99 and, from `perf stat` on the proxy's processes (software counters
# only), CPU µs, syscalls and context switches per request, with the load average at the start.
# Environment: DURATION (default 10s), ROUNDS (3), THREADS (router event loops, default all
# cores), CONNECTIONS (wrk -c, 64), ROUTER_ARGS (extra vigil-router-bench flags). Writes nothing
# under Benchmarks/results (run.sh does that).
set -euo pipefail
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
BLUE=18821; GREEN=18822; NGINX_PROXY=18823; FIRST_ROUTER=18830
[ $# -ge 1 ] || { echo "usage: $0 NAME=PATH [NAME=PATH ...]"; exit 64; }
command -v wrk >/dev/null || { echo "wrk is not installed (make test-deps)"; exit 1; }

WORK=$(mktemp -d /tmp/router-compare-XXXXXX)
PIDS=()
. "$(dirname "$0")/lib.sh"
trap cleanup EXIT

start_nginx backend "    server { listen 127.0.0.1:$BLUE; listen 127.0.0.1:$GREEN; location / { return 200 'ok\n'; } }"
start_nginx proxy "    upstream vigil-bench { server 127.0.0.1:$BLUE; keepalive 64; }
    server { listen 127.0.0.1:$NGINX_PROXY; location / { proxy_pass http://vigil-bench; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
wait_for $BLUE; wait_for $NGINX_PROXY
NGINX_WORKERS=$(pgrep -d, -P "$(cat "$WORK/proxy.pid")")

NAMES=(); PORTS=(); ROUTER_PIDS=()
port=$FIRST_ROUTER
for spec in "$@"; do
  name=${spec%%=*}; read -r -a command <<<"${spec#*=}"
  mkfifo "$WORK/$name.in"
  "${command[@]}" --listen "127.0.0.1:$port" --blue $BLUE --green $GREEN ${THREADS:+--threads $THREADS} ${ROUTER_ARGS:-} \
    <"$WORK/$name.in" >"$WORK/$name.out" 2>&1 &
  PIDS+=($!); ROUTER_PIDS+=($!); NAMES+=("$name"); PORTS+=("$port")
  exec {stdin}>"$WORK/$name.in"  # held open for the router's life: EOF shuts it down
  wait_for "$port"
  port=$((port + 1))
done

# utime and stime (clock ticks) summed over the comma-separated pids $1
cpu_ticks() { for pid in ${1//,/ }; do cut -d' ' -f14,15 "/proc/$pid/stat"; done | awk '{u += $1; s += $2} END {print u, s}'; }

# voluntary and involuntary context switches summed over the threads of the comma-separated pids $1
switches() { for pid in ${1//,/ }; do cat /proc/"$pid"/task/*/status; done | awk '/^voluntary_ctxt/ {v += $2} /^nonvoluntary_ctxt/ {n += $2} END {print v, n}'; }

# $1 = label, $2 = port, $3 = pids to count
measure() {
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local before; before=$(cpu_ticks "$3")
  local switched; switched=$(switches "$3")
  perf stat -x, -e task-clock,context-switches,raw_syscalls:sys_enter -p "$3" -o "$WORK/perf.txt" &
  local perf=$!
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency "http://127.0.0.1:$2/" >"$WORK/wrk.txt"
  kill -INT $perf; wait $perf 2>/dev/null || true
  python3 - "$1" "$load" "$WORK/wrk.txt" "$WORK/perf.txt" "$before" "$(cpu_ticks "$3")" "$switched" "$(switches "$3")" <<'EOF'
import os, re, sys
label, load, wrk, perf, before, after, switched, switched_after = sys.argv[1:]
text = open(wrk).read()
requests = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)
failed = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
failed += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
counters = {}
for line in open(perf):
    fields = line.strip().split(",")
    if len(fields) > 2 and fields[0] and fields[0][0].isdigit():
        counters[fields[2]] = float(fields[0])
cpu = counters.get("task-clock", 0) * 1000 / requests  # msec -> µs per request
(u0, s0), (u1, s1) = (map(int, t.split()) for t in (before, after))
kernel = (s1 - s0) / max(1, (u1 - u0) + (s1 - s0))
(v0, n0), (v1, n1) = (map(int, t.split()) for t in (switched, switched_after))
print(f"{label:>10}  {rps:>9.0f} req/s  p99 {p99:>8}  cpu {cpu:5.1f} µs/req  "
      f"syscalls {counters.get('raw_syscalls:sys_enter', 0) / requests:4.2f}/req  "
      f"cs {counters.get('context-switches', 0) / requests:4.2f}/req ({(v1 - v0) / requests:4.2f} vol)  kernel {kernel:.0%}  failed {failed}  load {load}", flush=True)
EOF
}

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round ($DURATION each, wrk -t2 -c$CONNECTIONS)"
  measure nginx $NGINX_PROXY "$NGINX_WORKERS"
  for i in "${!NAMES[@]}"; do measure "${NAMES[$i]}" "${PORTS[$i]}" "${ROUTER_PIDS[$i]}"; done
done
