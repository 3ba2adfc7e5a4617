/// The kinds of signal the engine analyses (SPEC section 7).
public enum ThreatType: String, Sendable, Codable, CaseIterable, Hashable {
    case botTraffic = "bot_traffic"
    case proxyNetwork = "proxy_network"
    case deviceCompromise = "device_compromise"
    case anomalyDetection = "anomaly_detection"
    case rateLimitBreach = "rate_limit_breach"
    case geoAnomaly = "geo_anomaly"

    /// Words for summaries: "bot traffic", "geo anomaly".
    public var displayName: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// Every accepted value, for error messages.
    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How bad a threat is, in rising order.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable, Hashable {
    case low = "LOW"
    case medium = "MEDIUM"
    case high = "HIGH"
    case critical = "CRITICAL"

    private var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        case .critical: return 3
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// The severity for a 0–100 score: 80+ critical, 60+ high, 35+ medium, below that low.
    public init(score: Double) {
        switch score {
        case 80...: self = .critical
        case 60..<80: self = .high
        case 35..<60: self = .medium
        default: self = .low
        }
    }
}

/// Where a stored threat is in the analyst's workflow.
///
/// Every analysis starts `analyzed`; an analyst's PATCH sets one of the three verdicts, which the
/// historical agent and the false-positive analyzer learn from.
public enum ThreatStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case analyzed
    case resolved
    case falsePositive = "false_positive"
    case escalated

    /// The statuses an analyst may set with PATCH.
    public static let verdicts: [ThreatStatus] = [.resolved, .falsePositive, .escalated]
}
