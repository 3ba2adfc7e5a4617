#!/usr/bin/env bash
# SOC engine benchmark (issue 4): a release `vigil engine serve` on loopback, driven by wrk.
#
# Measures analyses/s and p50/p99 latency at 1, 16, 64 and 256 connections (each run bounded
# by DURATION), single-analysis latency on an idle engine, and resident memory once 100k
# threats are stored. Writes Benchmarks/results/engine-<date>.md.
#
# Environment: PORT (default 18700), DURATION (default 10s), FILL (threats to store before the
# memory reading, default 100000), SKIP_BUILD=1 to reuse .build/release/vigil.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PORT=${PORT:-18700}
DURATION=${DURATION:-10s}
FILL=${FILL:-100000}
HERE=Benchmarks/engine
OUT=Benchmarks/results/engine-$(date -u +%Y-%m-%d).md

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk (or make test-deps)"; exit 1; }
[ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --product vigil
BIN=$ROOT/.build/release/vigil
WORK=$(mktemp -d /tmp/soc-bench-XXXXXX)
ENGINE_PID=
cleanup() {
  [ -n "$ENGINE_PID" ] && kill "$ENGINE_PID" 2>/dev/null && wait "$ENGINE_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

MAX_STORED_THREATS=$((FILL * 2)) "$BIN" engine serve --listen "127.0.0.1:$PORT" --db "$WORK/bench.db" >"$WORK/engine.log" 2>&1 &
ENGINE_PID=$!
for _ in $(seq 1 100); do
  curl -fs "127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "127.0.0.1:$PORT/ready" >/dev/null || { echo "engine did not become ready:"; cat "$WORK/engine.log"; exit 1; }

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$ENGINE_PID/status"; }
stored() { curl -fs "127.0.0.1:$PORT/api/analytics" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stored_threats"])'; }

echo "== single analysis (idle engine, 500 sequential requests)"
SINGLE=$(python3 "$HERE/latency.py" "$PORT" 500)
echo "$SINGLE"

ROWS=""
for CONNS in 1 16 64 256; do
  THREADS=$(( CONNS < 2 ? 1 : 2 ))
  echo "== wrk -t$THREADS -c$CONNS -d$DURATION"
  RESULT=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency -s "$HERE/signals.lua" "http://127.0.0.1:$PORT")
  echo "$RESULT" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" || true
  RPS=$(echo "$RESULT" | awk '/Requests\/sec/ {print $2}')
  P50=$(echo "$RESULT" | awk '$1 == "50%" {print $2}')
  P99=$(echo "$RESULT" | awk '$1 == "99%" {print $2}')
  ERRORS=$(echo "$RESULT" | awk '/Non-2xx/ {print $4}')
  ROWS="$ROWS| $CONNS | $RPS | $P50 | $P99 | ${ERRORS:-0} |"$'\n'
done

echo "== filling the store to $FILL threats"
NOW=$(stored)
while [ "$NOW" -lt "$FILL" ]; do
  wrk -t2 -c64 -d10s -s "$HERE/signals.lua" "http://127.0.0.1:$PORT" >/dev/null
  NOW=$(stored)
  echo "stored: $NOW"
done
sleep 6   # the engine trims freed heap every 5 s; read RSS once the burst's garbage is returned
RSS=$(rss_mb)
echo "RSS with $NOW stored threats: $RSS MB"
AFTER=$(python3 "$HERE/latency.py" "$PORT" 300)
echo "single analysis with $NOW stored: $AFTER"

mkdir -p Benchmarks/results
cat >"$OUT" <<MD
# SOC engine benchmark, $(date -u +%Y-%m-%dT%H:%MZ)

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk on the same host over loopback.
Engine: release \`vigil engine serve\`, SQLite WAL store, MAX_STORED_THREATS=$((FILL * 2)); every request is a
\`POST /api/signals\` analysed by the five agents and committed before the 201 (signals rotate through
all threat types, crawler/hostile/neutral sources: Benchmarks/engine/signals.lua). Each wrk run: $DURATION.

| connections | analyses/s | p50 | p99 | non-2xx |
|---:|---:|---:|---:|---:|
$ROWS
Single analysis on an idle engine (500 sequential requests, one keep-alive connection):
\`$(echo "$SINGLE" | tr '\n' ' ')\`

With $NOW stored threats: resident memory **$RSS MB**; single analysis \`$(echo "$AFTER" | tr '\n' ' ')\`.

Targets (issue 4): ≥ 3,000 analyses/s at 64 connections, p99 < 50 ms, single analysis < 5 ms, < 80 MB resident.
MD
echo "wrote $OUT"
