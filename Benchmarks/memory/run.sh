#!/usr/bin/env bash
# Memory limits (issue 12): crossing-to-action latency with cgroups and with /proc sampling, and
# Vigil's idle CPU with 100 limited services. Release build, loopback only, bounded.
# Usage: Benchmarks/memory/run.sh [--quick]     Results: Benchmarks/results/memory-<date>.md
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product vigil >/dev/null
swift build -c release --product vigil-fixture >/dev/null
bin="$(swift build -c release --show-bin-path)"
python3 Benchmarks/support/memory_bench.py --vigil "$bin/vigil" --fixture "$bin/vigil-fixture" "$@"
