import Metrics
import NIOConcurrencyHelpers
import VigilManifest

/// Everything a router counts for one color of one service: the stats ring analysis reads,
/// the in-flight count draining waits on, and the swift-metrics handles behind
/// `vigil_router_requests_total`, `vigil_router_request_duration_seconds` and
/// `vigil_traffic_weight`. The handles are made once here, never per request.
final class ColorTraffic: Sendable {
    let color: Color
    let ring: RequestStatsRing
    private let inFlightCount = NIOLockedValueBox(0)
    private let requestCounters: [StatusClass: Counter]
    private let duration: Metrics.Timer
    private let weightGauge: Gauge

    init(service: String, color: Color, ring: RequestStatsRing = RequestStatsRing()) {
        self.color = color
        self.ring = ring
        let labels = [("service", service), ("color", color.rawValue)]
        var counters: [StatusClass: Counter] = [:]
        for statusClass in StatusClass.allCases {
            counters[statusClass] = Counter(label: "vigil_router_requests_total", dimensions: labels + [("code_class", statusClass.rawValue)])
        }
        requestCounters = counters
        duration = Metrics.Timer(label: "vigil_router_request_duration_seconds", dimensions: labels)
        weightGauge = Gauge(label: "vigil_traffic_weight", dimensions: labels)
    }

    var inFlight: Int { inFlightCount.withLockedValue { $0 } }

    func requestStarted() { inFlightCount.withLockedValue { $0 += 1 } }
    func requestEnded() { inFlightCount.withLockedValue { $0 -= 1 } }

    /// A response came back from this color `latencyNanoseconds` after the request was sent.
    func recordResponse(status: Int, latencyNanoseconds: UInt64) {
        ring.recordResponse(status: status, latencyNanoseconds: latencyNanoseconds)
        requestCounters[StatusClass(status: status)]?.increment()
        duration.recordNanoseconds(Int64(clamping: latencyNanoseconds))
    }

    /// The color refused the connection or dropped it before answering.
    func recordConnectFailure() {
        ring.recordConnectFailure()
        requestCounters[.error]?.increment()
    }

    func setWeight(_ weight: Int) { weightGauge.record(weight) }
}
