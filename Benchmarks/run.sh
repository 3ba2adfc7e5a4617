#!/usr/bin/env bash
# Supervisor benchmarks (issue 2): respawn latency, start/stop of 100 services, Vigil's own
# memory and CPU with 1, 100 and 500 probed services; the cost of one /metrics scrape with 100
# services (issue 3). Release build, loopback only, bounded.
# Usage: Benchmarks/run.sh [--quick]     Results: Benchmarks/results/{supervisor,metrics}-<date>.md
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product vigil >/dev/null
swift build -c release --product vigil-fixture >/dev/null
bin="$(swift build -c release --show-bin-path)"
mkdir -p .build/bench
cc -O2 -o .build/bench/crasher Benchmarks/support/crasher.c
python3 Benchmarks/support/supervisor_bench.py --vigil "$bin/vigil" --crasher "$PWD/.build/bench/crasher" "$@"
# Cost of one /metrics scrape with 100 services (issue 3): Benchmarks/results/metrics-<date>.md
python3 Benchmarks/support/metrics_bench.py --vigil "$bin/vigil"
