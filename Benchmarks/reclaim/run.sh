#!/usr/bin/env bash
# Disk reclaim benchmarks (issue 11): time from crossing the high watermark to the first deletion,
# and Vigil's CPU for one pass over 100k files. Release build, tmpfs mounts (needs root), bounded.
# Usage: Benchmarks/reclaim/run.sh [--trials N]     Results: Benchmarks/results/reclaim-<date>.md
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product vigil >/dev/null
bin="$(swift build -c release --show-bin-path)"
python3 Benchmarks/support/reclaim_bench.py --vigil "$bin/vigil" "$@"
