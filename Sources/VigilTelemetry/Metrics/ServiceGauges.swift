import Glibc
import VigilManifest
import VigilSupervisor

/// The per-service series that mirror the supervisor's state, set at scrape time from one
/// status report: `vigil_service_state` (one-hot), `vigil_service_up`, `vigil_service_ready`,
/// `vigil_process_resident_memory_bytes` and `vigil_process_cpu_seconds_total`.
///
/// A service that leaves the report (a reload removed it) loses every series labelled with it,
/// the restart and probe counters included; an instance color that leaves loses its own.
/// Not thread-safe: ``MetricsExporter`` runs one scrape at a time.
final class ServiceGauges {
    private let registry: MetricsRegistry
    private let restarts: RestartCounter
    /// The instance colors published for each service at the last scrape.
    private var published: [String: Set<String>] = [:]
    private var cpuTotals: [InstanceKey: CPUTotal] = [:]

    private struct InstanceKey: Hashable {
        var service: String
        var color: String
    }

    init(registry: MetricsRegistry, restarts: RestartCounter) {
        self.registry = registry
        self.restarts = restarts
    }

    /// Sets every series from `report`; `usage` holds the process-group usage of the instances'
    /// pids (a pid missing from it reads as 0 bytes and no new CPU time).
    func update(_ report: StatusReport, usage: [pid_t: ProcessGroupUsage]) {
        var current: [String: Set<String>] = [:]
        for service in report.services {
            for state in InstanceState.allCases {
                registry.gauge(MetricCatalogue.serviceState, Self.stateLabels(service.name, state)).set(to: state.rawValue == service.state ? 1 : 0)
            }
            var colors: Set<String> = []
            for instance in service.instances {
                let labels = Self.instanceLabels(service.name, instance.color)
                let group = instance.pid.flatMap { usage[$0] }
                registry.gauge(MetricCatalogue.serviceUp, labels).set(to: instance.pid == nil ? 0 : 1)
                registry.gauge(MetricCatalogue.serviceReady, labels).set(to: instance.ready ? 1 : 0)
                registry.gauge(MetricCatalogue.residentMemory, labels).set(to: Double(group?.residentBytes ?? 0))
                let key = InstanceKey(service: service.name, color: instance.color)
                let added = cpuTotals[key, default: CPUTotal()].advance(pid: instance.pid, reading: group?.cpuSeconds)
                registry.counter(MetricCatalogue.cpuSeconds, labels).increment(by: added)
                colors.insert(instance.color)
            }
            current[service.name] = colors
        }
        for (service, colors) in published {
            for color in colors.subtracting(current[service] ?? []) { removeInstance(service, color) }
            if current[service] == nil { removeService(service) }
        }
        published = current
        restarts.track(services: Set(current.keys))
    }

    private func removeInstance(_ service: String, _ color: String) {
        let labels = Self.instanceLabels(service, color)
        for family in [MetricCatalogue.serviceUp, MetricCatalogue.serviceReady, MetricCatalogue.residentMemory] {
            registry.removeGauge(family, labels)
        }
        registry.removeCounter(MetricCatalogue.cpuSeconds, labels)
        cpuTotals[InstanceKey(service: service, color: color)] = nil
    }

    private func removeService(_ service: String) {
        for state in InstanceState.allCases {
            registry.removeGauge(MetricCatalogue.serviceState, Self.stateLabels(service, state))
        }
        for probe in ProbeKind.allCases {
            let labels = ProbeMetrics.dimensions(service: service, probe: probe)
            registry.removeTimer(MetricCatalogue.probeDuration, labels)
            registry.removeCounter(MetricCatalogue.probeFailures, labels)
        }
    }

    static func stateLabels(_ service: String, _ state: InstanceState) -> [(String, String)] {
        [("service", service), ("state", state.rawValue)]
    }

    static func instanceLabels(_ service: String, _ color: String) -> [(String, String)] {
        [("service", service), ("color", color)]
    }
}
