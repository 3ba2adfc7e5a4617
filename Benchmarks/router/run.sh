#!/usr/bin/env bash
# Router benchmarks (issue 5), loopback only, each wrk run bounded by DURATION:
#
# 1. Throughput and added latency: wrk -c64 straight to a fast backend (nginx `return 200` on
#    two ports, the colors), through nginx `proxy_pass` (upstream keepalive), and through the
#    builtin router (release vigil-router-bench).
# 2. Switches: requests failed during SWITCHES back-to-back blue/green switches under wrk -c64:
#    the builtin router's apply, against rewriting an nginx upstream file + `nginx -s reload`.
#
# Environment: DURATION (default 40s), SWITCHES (20), EVERY (seconds between switches, 1.5),
# WARMUP (seconds of load before the first switch, 3), THREADS (router event loops, default
# all cores), SKIP_BUILD=1 to reuse the last build, SCRATCH=<dir> to build in another scratch
# path (e.g. .build-release-bench while others hold .build), ROUTER_ARGS (extra
# vigil-router-bench flags, e.g. --no-prewarm), OUT (where the report goes), SWIFT_FLAGS (extra
# `swift build` flags for the whole graph, dependencies included, e.g. SWIFT_FLAGS="-Xswiftc
# -enforce-exclusivity=unchecked"; give such builds their own SCRATCH, or the next default run
# rebuilds everything).
# Writes Benchmarks/results/router-<date>.md unless OUT says otherwise (that file also keeps
# hand-written before/after sections: a second run the same day would replace them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DURATION=${DURATION:-40s}
SWITCHES=${SWITCHES:-20}
EVERY=${EVERY:-1.5}
WARMUP=${WARMUP:-3}
OUT=${OUT:-Benchmarks/results/router-$(date -u +%Y-%m-%d).md}
BLUE=18811; GREEN=18812; NGINX_PROXY=18813; ROUTER=18814

command -v wrk >/dev/null || { echo "wrk is not installed (make test-deps)"; exit 1; }
[ -x /usr/sbin/nginx ] || { echo "nginx is not installed (make test-deps)"; exit 1; }
read -r -a SWIFT_FLAGS_ARRAY <<<"${SWIFT_FLAGS:-}"
BUILD_ARGS=(-c release --product vigil-router-bench ${SCRATCH:+--scratch-path "$SCRATCH"} ${SWIFT_FLAGS_ARRAY[@]+"${SWIFT_FLAGS_ARRAY[@]}"})
[ "${SKIP_BUILD:-0}" = 1 ] || swift build "${BUILD_ARGS[@]}"
BENCH=$(swift build "${BUILD_ARGS[@]}" --show-bin-path)/vigil-router-bench

WORK=$(mktemp -d /tmp/router-bench-XXXXXX)
PIDS=()
. Benchmarks/router/lib.sh
trap cleanup EXIT

upstream_file() { # $1 = port
  printf 'upstream vigil-bench {\n    server 127.0.0.1:%s;\n    keepalive 64;\n}\n' "$1" >"$WORK/upstream.conf"
}

# wrk output -> "rps p50 p99 failed" (failed = socket errors + non-2xx)
summarize() {
  awk '
    /Requests\/sec/ {rps=$2}
    $1 == "50%" {p50=$2}
    $1 == "99%" {p99=$2}
    /Socket errors/ {gsub(",", ""); failed += $4 + $6 + $8 + $10}
    /Non-2xx/ {failed += $5}
    END {printf "%s %s %s %d\n", rps, p50, p99, failed}'
}

run_wrk() { wrk -t2 -c64 -d"$DURATION" --timeout 10s --latency "http://127.0.0.1:$1/"; }

start_nginx backend "    server { listen 127.0.0.1:$BLUE; listen 127.0.0.1:$GREEN; location / { return 200 'ok\n'; } }"
upstream_file $BLUE
start_nginx proxy "    include $WORK/upstream.conf;
    server { listen 127.0.0.1:$NGINX_PROXY; location / { proxy_pass http://vigil-bench; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
mkfifo "$WORK/router.in"
"$BENCH" --listen "127.0.0.1:$ROUTER" --blue $BLUE --green $GREEN ${THREADS:+--threads $THREADS} ${ROUTER_ARGS:-} <"$WORK/router.in" >"$WORK/router.out" 2>&1 &
PIDS+=($!)
exec 3>"$WORK/router.in"
wait_for $BLUE; wait_for $NGINX_PROXY; wait_for $ROUTER

echo "== throughput: direct, nginx proxy_pass, builtin router ($DURATION each)"
DIRECT=$(run_wrk $BLUE | tee "$WORK/direct.txt" | summarize); echo "direct: $DIRECT"
NGINX=$(run_wrk $NGINX_PROXY | tee "$WORK/nginx.txt" | summarize); echo "nginx:  $NGINX"
BUILTIN=$(run_wrk $ROUTER | tee "$WORK/router.txt" | summarize); echo "router: $BUILTIN"

switch_loop() { # $1 = command per switch (gets blue/green)
  sleep "$WARMUP"
  for i in $(seq 1 "$SWITCHES"); do
    if [ $((i % 2)) = 1 ]; then "$1" green; else "$1" blue; fi
    sleep "$EVERY"
  done
}
router_switch() { echo "$1" >&3; }
nginx_switch() {
  if [ "$1" = green ]; then upstream_file $GREEN; else upstream_file $BLUE; fi
  /usr/sbin/nginx -p "$WORK" -c "$WORK/proxy.conf" -s reload
}

echo "== $SWITCHES switches under load: builtin router apply"
switch_loop router_switch & SWITCHER=$!
ROUTER_SWITCH=$(run_wrk $ROUTER | tee "$WORK/router-switch.txt" | summarize); wait $SWITCHER
echo "router: $ROUTER_SWITCH"
echo "== $SWITCHES switches under load: nginx upstream rewrite + reload"
switch_loop nginx_switch & SWITCHER=$!
NGINX_SWITCH=$(run_wrk $NGINX_PROXY | tee "$WORK/nginx-switch.txt" | summarize); wait $SWITCHER
echo "nginx:  $NGINX_SWITCH"
echo stats >&3; sleep 0.5
exec 3>&-

read -r D_RPS D_P50 D_P99 D_FAIL <<<"$DIRECT"
read -r N_RPS N_P50 N_P99 N_FAIL <<<"$NGINX"
read -r B_RPS B_P50 B_P99 B_FAIL <<<"$BUILTIN"
read -r RS_RPS _ RS_P99 RS_FAIL <<<"$ROUTER_SWITCH"
read -r NS_RPS _ NS_P99 NS_FAIL <<<"$NGINX_SWITCH"
RATIO=$(python3 -c "print(f'{$B_RPS / $N_RPS:.2f}')")
{
  echo "# Router benchmarks, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r)."
  echo "wrk -t2 -c64 -d$DURATION (keep-alive), everything on 127.0.0.1 and sharing the cores: wrk, the"
  echo "proxy and the backend (nginx \`return 200\`, worker_processes auto) compete for the same CPUs."
  echo "nginx $(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2) proxy: worker_processes auto, upstream keepalive 64. Builtin router:"
  echo "release vigil-router-bench, ${THREADS:-$(nproc)} event loops. Reproduce: \`Benchmarks/router/run.sh\`."
  echo
  echo "## Throughput and latency"
  echo
  echo "| path | req/s | p50 | p99 | failed |"
  echo "|---|---|---|---|---|"
  echo "| direct to the backend | $D_RPS | $D_P50 | $D_P99 | $D_FAIL |"
  echo "| nginx proxy_pass | $N_RPS | $N_P50 | $N_P99 | $N_FAIL |"
  echo "| builtin router | $B_RPS | $B_P50 | $B_P99 | $B_FAIL |"
  echo
  echo "Builtin router / nginx throughput: **$RATIO** (target ≥ 0.8)."
  echo
  echo "## $SWITCHES blue-green switches under load"
  echo
  echo "One switch every ${EVERY}s after ${WARMUP}s of load; both colors are the backend's two ports."
  echo
  echo "| switch done by | failed requests | req/s | p99 |"
  echo "|---|---|---|---|"
  echo "| builtin router \`apply\` | **$RS_FAIL** | $RS_RPS | $RS_P99 |"
  echo "| nginx upstream rewrite + \`nginx -s reload\` | **$NS_FAIL** | $NS_RPS | $NS_P99 |"
  echo
  echo "Router's own per-color stats at the end: $(grep -E '^(blue|green):' "$WORK/router.out" | tr '\n' ';' | sed 's/;$//; s/;/; /')."
} >"$OUT"
cat "$OUT"
