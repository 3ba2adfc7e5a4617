import Metrics
import VigilManifest

/// The probe loop's metrics (SPEC section 6), recorded through swift-metrics:
/// `vigil_probe_duration_seconds{service,probe}` (a Timer; the Prometheus backend makes it a
/// histogram in seconds) and `vigil_probe_failures_total{service,probe}`.
///
/// One value is made per probe task, not per check, so a check costs two atomic updates. Until
/// `vigil up` bootstraps a metrics backend (tests of this module, or no `metrics:` section in
/// the config) the handles are swift-metrics' no-ops.
///
/// Handles are never destroyed here: both colors of a blue-green service share the same series,
/// and the exporter removes a service's series once the service is gone from the status report.
public struct ProbeMetrics: Sendable {
    public static let durationName = "vigil_probe_duration_seconds"
    public static let failuresName = "vigil_probe_failures_total"

    /// The label pairs of both metrics, in the order they are always created with (the
    /// Prometheus registry tells series apart by ordered labels).
    public static func dimensions(service: String, probe: ProbeKind) -> [(String, String)] {
        [("service", service), ("probe", probe.rawValue)]
    }

    private let duration: Metrics.Timer
    private let failures: Counter

    public init(service: String, probe: ProbeKind) {
        let dimensions = Self.dimensions(service: service, probe: probe)
        duration = Metrics.Timer(label: Self.durationName, dimensions: dimensions)
        failures = Counter(label: Self.failuresName, dimensions: dimensions)
    }

    /// Records one finished check: how long it took, and a failure when it failed.
    public func record(_ result: ProbeResult, took elapsed: Duration) {
        duration.record(duration: elapsed)
        if !result.isSuccess { failures.increment() }
    }
}
