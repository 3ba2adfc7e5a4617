import Metrics
import VigilManifest

/// The rollout controller's metrics (through swift-metrics, exported by the telemetry registry):
/// `vigil_rollouts_total{service,result}` and `vigil_active_color{service,color}` (1 on the color
/// with the traffic, 0 on the other). The router sets `vigil_traffic_weight` itself.
struct DeployMetrics: Sendable {
    let service: String

    /// Creates every `vigil_rollouts_total` series at 0, so `increase()` and `rate()` see the
    /// first rollout of each result (a series that appears at 1 has no earlier sample to compare).
    init(service: String) {
        self.service = service
        for result in RolloutResult.allCases {
            Counter(label: "vigil_rollouts_total", dimensions: [("service", service), ("result", result.rawValue)]).increment(by: 0)
        }
    }

    func rolloutFinished(_ result: RolloutResult) {
        Counter(label: "vigil_rollouts_total", dimensions: [("service", service), ("result", result.rawValue)]).increment()
    }

    func active(_ color: Color) {
        for each in Color.allCases {
            Gauge(label: "vigil_active_color", dimensions: [("service", service), ("color", each.rawValue)]).record(each == color ? 1 : 0)
        }
    }
}
