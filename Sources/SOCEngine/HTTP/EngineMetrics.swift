import Foundation

/// The engine's Prometheus metrics (SPEC section 7), rendered in the text exposition format by
/// `GET /metrics`.
///
/// soc_threats_processed_total{severity,threat_type}, soc_agent_duration_seconds{agent},
/// soc_threat_processing_duration_seconds, soc_fp_score, soc_active_websocket_connections,
/// soc_threats_requiring_review (a gauge read from the store at scrape time). Thread-safe;
/// recording takes one short lock.
public final class EngineMetrics: @unchecked Sendable {
    struct Histogram {
        let bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double) {
            for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            count += 1
        }

        func render(_ name: String, labels: String, into out: inout String) {
            let prefix = labels.isEmpty ? "" : labels + ","
            for (index, bound) in bounds.enumerated() {
                out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(counts[index])\n"
            }
            out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(count)\n"
            let braces = labels.isEmpty ? "" : "{\(labels)}"
            out += "\(name)_sum\(braces) \(sum)\n\(name)_count\(braces) \(count)\n"
        }
    }

    static let durationBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private let lock = NSLock()
    private var processed: [String: Int] = [:]
    private var agentDurations: [AgentRole: Histogram] = [:]
    private var processing = Histogram(bounds: durationBounds)
    private var fpScores = Histogram(bounds: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
    private var webSockets = 0

    public init() {}

    /// Records one finished analysis.
    public func record(_ analysis: ThreatAnalysis) {
        let key = "severity=\"\(analysis.severity.rawValue)\",threat_type=\"\(analysis.signal.threatType.rawValue)\""
        let agents = AgentRole.allCases.map { role -> (AgentRole, Double) in
            let a = analysis.agentAnalyses
            let ms: Double
            switch role {
            case .historical: ms = a.historical.processingTimeMs
            case .config: ms = a.config.processingTimeMs
            case .devops: ms = a.devops.processingTimeMs
            case .context: ms = a.context.processingTimeMs
            case .priority: ms = a.priority.processingTimeMs
            }
            return (role, ms / 1000)
        }
        lock.withLock {
            processed[key, default: 0] += 1
            for (role, seconds) in agents {
                agentDurations[role, default: Histogram(bounds: Self.durationBounds)].observe(seconds)
            }
            processing.observe(analysis.totalProcessingTimeMs / 1000)
            fpScores.observe(analysis.falsePositiveScore.score)
        }
    }

    /// Counts WebSocket clients in (`+1`) and out (`-1`).
    public func webSocketConnections(change: Int) {
        lock.withLock { webSockets += change }
    }

    public var activeWebSockets: Int { lock.withLock { webSockets } }

    /// The text exposition; `requiringReview` is the number of stored threats flagged for
    /// review that no analyst has ruled on yet.
    public func render(requiringReview: Int) -> String {
        lock.withLock {
            var out = "# HELP soc_threats_processed_total Threat analyses completed, by severity and type.\n# TYPE soc_threats_processed_total counter\n"
            for key in processed.keys.sorted() { out += "soc_threats_processed_total{\(key)} \(processed[key]!)\n" }
            out += "# HELP soc_agent_duration_seconds Time each agent took per analysis.\n# TYPE soc_agent_duration_seconds histogram\n"
            for role in AgentRole.allCases {
                (agentDurations[role] ?? Histogram(bounds: Self.durationBounds)).render("soc_agent_duration_seconds", labels: "agent=\"\(role.rawValue)\"", into: &out)
            }
            out += "# HELP soc_threat_processing_duration_seconds Time from request to finished analysis.\n# TYPE soc_threat_processing_duration_seconds histogram\n"
            processing.render("soc_threat_processing_duration_seconds", labels: "", into: &out)
            out += "# HELP soc_fp_score False-positive scores of analysed threats.\n# TYPE soc_fp_score histogram\n"
            fpScores.render("soc_fp_score", labels: "", into: &out)
            out += "# HELP soc_active_websocket_connections WebSocket clients connected to /ws.\n# TYPE soc_active_websocket_connections gauge\n"
            out += "soc_active_websocket_connections \(webSockets)\n"
            out += "# HELP soc_threats_requiring_review Stored analyses flagged for human review without an analyst verdict.\n# TYPE soc_threats_requiring_review gauge\n"
            out += "soc_threats_requiring_review \(requiringReview)\n"
            return out
        }
    }
}
