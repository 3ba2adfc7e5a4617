/// The severity score: 0–100 from the threat type, the evidence, the customer's tier and the
/// asset's criticality, then discounted by the false-positive score.
///
/// Each contribution is kept with its reason so the priority agent can show its working.
public struct SeverityModel: Sendable, Hashable {
    /// One term of the score with the evidence behind it.
    public struct Term: Sendable, Hashable {
        public var points: Double
        public var reason: String
    }

    public var terms: [Term]

    /// The score before the false-positive discount.
    public var baseScore: Double { min(100, max(0, terms.reduce(0) { $0 + $1.points })) }

    /// The score after discounting by the false-positive score (at most 60% off).
    public func score(falsePositive: Double) -> Double {
        ((baseScore * (1 - 0.6 * min(1, max(0, falsePositive)))) * 10).rounded() / 10
    }

    public init(input: AgentInput) {
        let e = input.evidence
        var terms: [Term] = []
        func add(_ points: Double, _ reason: String) { terms.append(Term(points: points, reason: reason)) }
        let base: [ThreatType: Double] = [
            .deviceCompromise: 55, .proxyNetwork: 40, .botTraffic: 35,
            .anomalyDetection: 40, .rateLimitBreach: 30, .geoAnomaly: 40,
        ]
        add(base[input.signal.threatType] ?? 35, "\(input.signal.threatType.displayName) baseline")
        if let match = input.reputation, match.isHostile {
            add(match.entry.category == "malicious" ? 20 : 15, "source in \(match.entry.name)")
        }
        if let rate = e.requestsPerMinute {
            if let limit = input.customer?.rateLimitPerMinute, limit > 0, rate > limit {
                add(min(20, 8 * (rate / limit).squareRoot()), "\(Say.ratio(rate / limit))x the rate limit")
            } else if input.customer?.rateLimitPerMinute == nil, rate > 1000 {
                add(10, "\(Say.count(rate)) requests/min")
            }
        }
        if let bot = e.botScore, bot >= 0.8 { add(10, "bot score \(Say.ratio(bot * 100))%") }
        if let failed = e.failedLogins {
            if failed >= 20 { add(15, "\(Say.count(failed)) failed logins") } else if failed >= 5 { add(8, "\(Say.count(failed)) failed logins") }
        }
        if let speed = e.travelSpeedKmh, speed > 1000 { add(20, "impossible travel at \(Say.count(speed)) km/h") }
        if let out = e.bytesOut, let baseline = e.baselineBytesOut, baseline > 0 {
            let ratio = out / baseline
            if ratio >= 10 { add(20, "outbound volume \(Say.ratio(ratio))x baseline") } else if ratio >= 3 { add(10, "outbound volume \(Say.ratio(ratio))x baseline") }
        }
        if !e.indicators.isEmpty { add(min(24, Double(e.indicators.count) * 8), "\(Say.plural(e.indicators.count, "compromise indicator"))") }
        if GeoPolicy.violation(input) != nil { add(10, "location outside the customer's geo policy") }
        let criticality = ContextAgent.criticality(input).level
        switch criticality {
        case .critical: add(15, "critical asset")
        case .high: add(8, "high-criticality asset")
        case .low: add(-10, "low-criticality asset")
        case .medium: break
        }
        switch input.customer?.tier {
        case "enterprise": add(8, "enterprise tier")
        case "business": add(4, "business tier")
        default: break
        }
        if input.history.escalatedVerdicts > 0 { add(10, "similar threats were escalated before") }
        if input.history.sameSourceIP >= 3 { add(5, "repeat source (\(input.history.sameSourceIP) earlier threats)") }
        self.terms = terms
    }
}
