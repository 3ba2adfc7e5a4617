import VigilSupervisor

/// One metric family: its exposition name and the text of its `# HELP` line.
public struct MetricInfo: Sendable, Hashable {
    public let name: String
    public let help: String

    public init(_ name: String, _ help: String) {
        self.name = name
        self.help = help
    }
}

/// Every family Vigil exposes at `/metrics`, with its help text, in one place.
///
/// The names and labels are a contract with dashboards and alerts (SPEC section 6); change
/// them only together with the SPEC. Families recorded elsewhere through swift-metrics (the
/// router, rollouts) get their help text from here too: ``VigilMetricsFactory`` looks it up by
/// name, because swift-metrics has no way to pass one and `promtool check metrics` rejects a
/// family without a `# HELP` line.
public enum MetricCatalogue {
    // MARK: Filled by the exporter at scrape time, or by supervisor events

    public static let buildInfo = MetricInfo("vigil_build_info", "Always 1; the version label names the running Vigil.")
    public static let serviceUp = MetricInfo("vigil_service_up", "1 while the instance has a live process, else 0.")
    public static let serviceReady = MetricInfo("vigil_service_ready", "1 while the instance passes readiness (traffic may reach it), else 0.")
    public static let serviceState = MetricInfo(
        "vigil_service_state", "1 for the service's current lifecycle state, 0 for every other state."
    )
    public static let serviceRestarts = MetricInfo(
        "vigil_service_restarts_total", "Restarts of the service by reason: exit, signal, liveness, memory, manual."
    )
    public static let residentMemory = MetricInfo(
        "vigil_process_resident_memory_bytes", "Resident memory of the instance's process group (sum over its live members) in bytes."
    )
    public static let memoryLimit = MetricInfo(
        "vigil_service_memory_limit_bytes", "The instance's resources.memory limit in bytes, by kind: high (graceful replacement), max (killed at once)."
    )
    public static let cpuSeconds = MetricInfo(
        "vigil_process_cpu_seconds_total",
        "User and system CPU time of the instance's processes (and the children they reaped) since Vigil first saw the instance, in seconds."
    )

    // MARK: Recorded through swift-metrics

    public static let probeDuration = MetricInfo(ProbeMetrics.durationName, "Duration of health probe checks in seconds.")
    public static let probeFailures = MetricInfo(ProbeMetrics.failuresName, "Health probe checks that failed.")
    public static let rollouts = MetricInfo("vigil_rollouts_total", "Finished rollouts by result: promoted, rolled_back, aborted.")
    public static let activeColor = MetricInfo("vigil_active_color", "1 for the color that serves the service's traffic, 0 for the other.")
    public static let trafficWeight = MetricInfo("vigil_traffic_weight", "Share of the service's traffic routed to the color, in percent (0-100).")
    public static let routerRequests = MetricInfo(
        "vigil_router_requests_total", "Requests the builtin router proxied, by color and status class."
    )
    public static let routerRequestDuration = MetricInfo(
        "vigil_router_request_duration_seconds", "Time from request to response through the builtin router in seconds."
    )
    public static let diskUsedRatio = MetricInfo("vigil_disk_used_ratio", "Used fraction (0-1) of the bytes of the filesystem holding the watched path, as df shows it.")
    public static let diskInodesUsedRatio = MetricInfo("vigil_disk_inodes_used_ratio", "Used fraction (0-1) of the inodes of the filesystem holding the watched path.")
    public static let reclaimedBytes = MetricInfo("vigil_reclaimed_bytes_total", "Bytes freed by reclaim, by kind: logs, releases, glob.")
    public static let reclaimRuns = MetricInfo(
        "vigil_reclaim_runs_total", "Reclaim passes per watched filesystem by result: below_high, reclaimed, exhausted, pruned, error."
    )
    public static let chaosFaults = MetricInfo("vigil_chaos_faults_total", "Faults injected by chaos scenarios, by kind.")
    public static let logRotationsDropped = MetricInfo(
        LogCapture.rotationsDroppedMetric, "Rotated log files deleted uncompressed because compression was behind the service's writes."
    )

    // MARK: Vigil's own process (the names every Prometheus client library uses)

    public static let processResidentMemory = MetricInfo("process_resident_memory_bytes", "Resident memory size of Vigil itself in bytes.")
    public static let processVirtualMemory = MetricInfo("process_virtual_memory_bytes", "Virtual memory size of Vigil itself in bytes.")
    public static let processCPU = MetricInfo("process_cpu_seconds_total", "Total user and system CPU time spent by Vigil itself in seconds.")
    public static let processOpenFDs = MetricInfo("process_open_fds", "Number of open file descriptors of Vigil.")
    public static let processMaxFDs = MetricInfo("process_max_fds", "Maximum number of open file descriptors of Vigil (the RLIMIT_NOFILE soft limit).")
    public static let processStartTime = MetricInfo("process_start_time_seconds", "Start time of Vigil since the Unix epoch in seconds.")

    public static let all: [MetricInfo] = [
        buildInfo, serviceUp, serviceReady, serviceState, serviceRestarts, residentMemory, memoryLimit, cpuSeconds,
        probeDuration, probeFailures, rollouts, activeColor, trafficWeight, routerRequests, routerRequestDuration,
        diskUsedRatio, diskInodesUsedRatio, reclaimedBytes, reclaimRuns, chaosFaults, logRotationsDropped,
        processResidentMemory, processVirtualMemory, processCPU, processOpenFDs, processMaxFDs, processStartTime,
    ]

    private static let helpByName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.help) })

    /// The help text for `name`; a plain fallback for a family nobody described yet, so its
    /// exposition still carries a `# HELP` line.
    public static func help(for name: String) -> String {
        helpByName[name] ?? "\(name), recorded through swift-metrics."
    }

    /// The restart reasons SPEC section 6 names; each service's counters start at 0 for all of them.
    public static let restartReasons = ["exit", "signal", "liveness", "memory", "manual"]

    /// Label values of the rollout layer's families (VigilDeploy records them through
    /// swift-metrics), so a removed service's series can be dropped here.
    public static let colors = ["blue", "green"]
    public static let routerCodeClasses = ["1xx", "2xx", "3xx", "4xx", "5xx", "error"]
    public static let rolloutResults = ["promoted", "rolled_back", "aborted"]
}
