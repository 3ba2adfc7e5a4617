import Foundation
import VigilSupervisor

/// `vigil_service_restarts_total{service,reason}`, moved by the `restarted` events of the
/// event log (the reason there is exit, signal, liveness, memory or manual).
///
/// ``count(_:)`` runs on the event log's writer thread; ``track(services:)`` runs at each scrape
/// to start every known service's counters at 0 (so `increase()` sees the first restart) and to
/// drop the counters of services a reload removed. Both take one short lock.
public final class RestartCounter: @unchecked Sendable {
    private let registry: MetricsRegistry
    private let lock = NSLock()
    /// The reasons each service has counters for in the registry.
    private var counted: [String: Set<String>] = [:]

    public init(registry: MetricsRegistry) {
        self.registry = registry
    }

    /// Counts `event` when it is a restart with a reason.
    public func count(_ event: SupervisorEvent) {
        guard event.kind == .restarted, let reason = event.reason else { return }
        lock.withLock {
            counted[event.service, default: []].insert(reason)
            registry.counter(MetricCatalogue.serviceRestarts, Self.labels(event.service, reason)).increment()
        }
    }

    /// Makes `services` the set with counters: new ones start at 0 for every reason, the series
    /// of any other service are removed.
    public func track(services: Set<String>) {
        lock.withLock {
            for (gone, reasons) in counted where !services.contains(gone) {
                for reason in reasons { registry.removeCounter(MetricCatalogue.serviceRestarts, Self.labels(gone, reason)) }
                counted[gone] = nil
            }
            for service in services {
                let missing = Self.reasons.subtracting(counted[service] ?? [])
                guard !missing.isEmpty else { continue }
                for reason in missing { _ = registry.counter(MetricCatalogue.serviceRestarts, Self.labels(service, reason)) }
                counted[service, default: []].formUnion(missing)
            }
        }
    }

    private static let reasons = Set(MetricCatalogue.restartReasons)

    static func labels(_ service: String, _ reason: String) -> [(String, String)] {
        [("service", service), ("reason", reason)]
    }
}
