#!/usr/bin/env bash
# Log capture benchmark (issue 10): captured MB/s, Vigil CPU per 100 MB with and without
# compression, a crasher's respawn p99 during a `yes` flood, and the log footprint against its
# bound. Release build, loopback only, bounded in time (3 runs of --seconds, default 60).
# Usage: Benchmarks/logs/run.sh [--seconds N]     Results: Benchmarks/results/logs-<date>.md
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product vigil >/dev/null
bin="$(swift build -c release --show-bin-path)"
mkdir -p .build/bench
cc -O2 -o .build/bench/crasher Benchmarks/support/crasher.c
python3 Benchmarks/support/logs_bench.py --vigil "$bin/vigil" --crasher "$PWD/.build/bench/crasher" "$@"
