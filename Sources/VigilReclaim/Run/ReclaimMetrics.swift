import Metrics

/// The reclaim families, through swift-metrics (the telemetry registry exports them with the
/// help texts of its catalogue): `vigil_disk_used_ratio{path}`, `vigil_disk_inodes_used_ratio{path}`,
/// `vigil_reclaimed_bytes_total{kind}` and `vigil_reclaim_runs_total{result}`.
struct ReclaimMetrics: Sendable {
    static let usedRatio = "vigil_disk_used_ratio"
    static let inodesUsedRatio = "vigil_disk_inodes_used_ratio"
    static let reclaimedBytes = "vigil_reclaimed_bytes_total"
    static let runs = "vigil_reclaim_runs_total"
    /// Per watched filesystem and pass: nothing to do, freed to below low, still above high after
    /// freeing all it may, releases pruned after a promotion, or the filesystem could not be read.
    static let results = ["below_high", "reclaimed", "exhausted", "pruned", "error"]

    /// Starts every counter at 0 (so `increase()` sees the first reclaim) and the paths' gauges.
    func start(paths: [String]) {
        for kind in ReclaimKind.allCases { Counter(label: Self.reclaimedBytes, dimensions: [("kind", kind.rawValue)]).increment(by: 0) }
        for result in Self.results { Counter(label: Self.runs, dimensions: [("result", result)]).increment(by: 0) }
        for path in paths {
            _ = Gauge(label: Self.usedRatio, dimensions: [("path", path)])
            _ = Gauge(label: Self.inodesUsedRatio, dimensions: [("path", path)])
        }
    }

    /// Drops the gauges of paths a reload stopped watching.
    func forget(paths: Set<String>) {
        for path in paths {
            Gauge(label: Self.usedRatio, dimensions: [("path", path)]).destroy()
            Gauge(label: Self.inodesUsedRatio, dimensions: [("path", path)]).destroy()
        }
    }

    func record(path: String, usage: FilesystemUsage) {
        Gauge(label: Self.usedRatio, dimensions: [("path", path)]).record(usage.usedRatio)
        Gauge(label: Self.inodesUsedRatio, dimensions: [("path", path)]).record(usage.inodesUsedRatio)
    }

    func reclaimed(bytes: UInt64, kind: ReclaimKind) {
        Counter(label: Self.reclaimedBytes, dimensions: [("kind", kind.rawValue)]).increment(by: Int64(clamping: bytes))
    }

    func run(result: String) {
        Counter(label: Self.runs, dimensions: [("result", result)]).increment()
    }
}
