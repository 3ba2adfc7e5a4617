import Glibc
import VigilSupervisor

/// Produces the `/metrics` text: sets the series that mirror state (from one status report and
/// one pass over /proc), then writes out the whole registry.
///
/// Scrapes run one at a time (this is an actor), so two Prometheus servers scraping together
/// never interleave their updates.
public actor MetricsExporter {
    public nonisolated let registry: MetricsRegistry
    private let status: @Sendable () async -> StatusReport
    private let usage: @Sendable (Set<pid_t>) -> [pid_t: ProcessGroupUsage]
    private let services: ServiceGauges
    private let selfProcess: SelfProcessGauges

    /// - Parameters:
    ///   - version: the `version` label of `vigil_build_info`.
    ///   - restarts: the counter fed by the event log; the exporter drops the counters of services
    ///     that leave the status report.
    ///   - status: the supervisor's status (`{ await supervisor.status() }`).
    ///   - usage: memory and CPU of process groups by leader pid; /proc by default.
    public init(
        registry: MetricsRegistry, version: String, restarts: RestartCounter,
        status: @escaping @Sendable () async -> StatusReport,
        usage: @escaping @Sendable (Set<pid_t>) -> [pid_t: ProcessGroupUsage] = { ProcessGroupUsage.read(groups: $0) }
    ) {
        self.registry = registry
        self.status = status
        self.usage = usage
        services = ServiceGauges(registry: registry, restarts: restarts)
        selfProcess = SelfProcessGauges(registry: registry)
        registry.gauge(MetricCatalogue.buildInfo, [("version", version)]).set(to: 1)
    }

    /// The exposition, UTF-8, in the Prometheus text format 0.0.4.
    public func scrape() async -> [UInt8] {
        let report = await status()
        let groups = Set(report.services.flatMap { $0.instances.compactMap(\.pid) })
        services.update(report, usage: usage(groups))
        selfProcess.update()
        return registry.exposition()
    }
}
