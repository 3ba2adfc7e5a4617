import Glibc
import Prometheus
import VigilManifest
import VigilSupervisor

/// The per-service series that mirror the supervisor's state, set at scrape time from one
/// status report: `vigil_service_state` (one-hot), `vigil_service_up`, `vigil_service_ready`,
/// `vigil_process_resident_memory_bytes` and `vigil_process_cpu_seconds_total`.
///
/// The series handles are kept between scrapes, so a scrape only stores values. A service that
/// leaves the report (a reload removed it) loses every series labelled with it, the restart and
/// probe counters included; an instance color that leaves loses its own.
/// Not thread-safe: ``MetricsExporter`` runs one scrape at a time.
final class ServiceGauges {
    private let registry: MetricsRegistry
    private let restarts: RestartCounter
    /// One gauge per section 3 state, by service.
    private var states: [String: [(state: String, gauge: Gauge)]] = [:]
    private var instances: [InstanceKey: InstanceSeries] = [:]

    private struct InstanceKey: Hashable {
        var service: String
        var color: String
    }

    private struct InstanceSeries {
        let up: Gauge
        let ready: Gauge
        let memory: Gauge
        let cpu: Counter
        var cpuTotal = CPUTotal()
        /// `vigil_service_memory_limit_bytes` by kind (`high`, `max`), only for limits that are set.
        var limits: [String: Gauge] = [:]
    }

    init(registry: MetricsRegistry, restarts: RestartCounter) {
        self.registry = registry
        self.restarts = restarts
    }

    /// Sets every series from `report`; `usage` holds the process-group usage of the instances'
    /// pids (a pid missing from it reads as 0 bytes and no new CPU time).
    func update(_ report: StatusReport, usage: [pid_t: ProcessGroupUsage]) {
        var seenServices: Set<String> = []
        var seenInstances: Set<InstanceKey> = []
        for service in report.services {
            seenServices.insert(service.name)
            for (state, gauge) in stateGauges(service.name) {
                gauge.set(to: state == service.state ? 1 : 0)
            }
            for instance in service.instances {
                let key = InstanceKey(service: service.name, color: instance.color)
                seenInstances.insert(key)
                var series = instances[key] ?? makeInstanceSeries(key)
                let group = instance.pid.flatMap { usage[$0] }
                series.up.set(to: instance.pid == nil ? 0 : 1)
                series.ready.set(to: instance.ready ? 1 : 0)
                series.memory.set(to: Double(group?.residentBytes ?? 0))
                let added = series.cpuTotal.advance(pid: instance.pid, reading: group?.cpuSeconds)
                if added > 0 { series.cpu.increment(by: added) }
                updateLimits(&series, key, ["high": instance.memoryHighBytes, "max": instance.memoryMaxBytes])
                instances[key] = series
            }
        }
        for (key, series) in instances where !seenInstances.contains(key) {
            ([series.up, series.ready, series.memory] + Array(series.limits.values)).forEach(registry.prometheus.unregisterGauge)
            registry.prometheus.unregisterCounter(series.cpu)
            instances[key] = nil
        }
        for (service, gauges) in states where !seenServices.contains(service) {
            gauges.forEach { registry.prometheus.unregisterGauge($0.gauge) }
            states[service] = nil
            removeProbeSeries(service)
            registry.removeCounter(MetricCatalogue.logRotationsDropped, [("service", service)])
            removeRolloutSeries(service)
        }
        restarts.track(services: seenServices)
    }

    /// One gauge per limit the instance has; a limit a reload removed loses its series.
    private func updateLimits(_ series: inout InstanceSeries, _ key: InstanceKey, _ limits: [String: UInt64?]) {
        for (kind, value) in limits {
            if let value {
                let gauge = series.limits[kind] ?? registry.gauge(MetricCatalogue.memoryLimit, [("service", key.service), ("color", key.color), ("kind", kind)])
                gauge.set(to: Double(value))
                series.limits[kind] = gauge
            } else if let gone = series.limits.removeValue(forKey: kind) {
                registry.prometheus.unregisterGauge(gone)
            }
        }
    }

    private func stateGauges(_ service: String) -> [(state: String, gauge: Gauge)] {
        if let gauges = states[service] { return gauges }
        let gauges = InstanceState.allCases.map { state in
            (state.rawValue, registry.gauge(MetricCatalogue.serviceState, [("service", service), ("state", state.rawValue)]))
        }
        states[service] = gauges
        return gauges
    }

    private func makeInstanceSeries(_ key: InstanceKey) -> InstanceSeries {
        let labels = [("service", key.service), ("color", key.color)]
        return InstanceSeries(
            up: registry.gauge(MetricCatalogue.serviceUp, labels),
            ready: registry.gauge(MetricCatalogue.serviceReady, labels),
            memory: registry.gauge(MetricCatalogue.residentMemory, labels),
            cpu: registry.counter(MetricCatalogue.cpuSeconds, labels)
        )
    }

    /// The router and the rollout controller record through swift-metrics and keep their
    /// handles while they run; once the service is gone its series go too.
    private func removeRolloutSeries(_ service: String) {
        for color in MetricCatalogue.colors {
            let labels = [("service", service), ("color", color)]
            for codeClass in MetricCatalogue.routerCodeClasses {
                registry.removeCounter(MetricCatalogue.routerRequests, labels + [("code_class", codeClass)])
            }
            registry.removeTimer(MetricCatalogue.routerRequestDuration, labels)
            registry.removeGauge(MetricCatalogue.trafficWeight, labels)
            registry.removeGauge(MetricCatalogue.activeColor, labels)
        }
        for result in MetricCatalogue.rolloutResults {
            registry.removeCounter(MetricCatalogue.rollouts, [("service", service), ("result", result)])
        }
    }

    /// The probe loop records through swift-metrics and never destroys its handles (both colors
    /// share them), so the series of a service that is gone are removed here.
    private func removeProbeSeries(_ service: String) {
        for probe in ProbeKind.allCases {
            let labels = ProbeMetrics.dimensions(service: service, probe: probe)
            registry.removeTimer(MetricCatalogue.probeDuration, labels)
            registry.removeCounter(MetricCatalogue.probeFailures, labels)
        }
    }
}
