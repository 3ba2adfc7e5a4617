/// Scores how likely a signal is benign from weighted indicators: benign automation (declared
/// crawlers, health checks, allow-listed sources), the analysts' verdicts on similar threats,
/// operational side effects (a rollout just before an anomaly), and evidence against (hostile
/// ranges, spoofed crawlers, compromise indicators, earlier escalations).
///
/// Pure: the same input, history and operations give the same score.
public enum FalsePositiveAnalyzer {
    /// Score below which a signal is treated as real.
    public static let reviewThreshold = 0.35
    /// Score at or above which a signal is likely benign.
    public static let benignThreshold = 0.6

    public static func score(_ input: AgentInput, operations: OperationalContext?) -> FalsePositiveScore {
        let e = input.evidence
        var indicators: [FalsePositiveIndicator] = []
        func add(_ name: String, _ weight: Double, _ description: String) {
            indicators.append(FalsePositiveIndicator(indicator: name, weight: (weight * 100).rounded() / 100, description: description))
        }
        let claimsCrawler = e.userAgent.map { agent in ["googlebot", "bingbot", "applebot"].contains { agent.lowercased().contains($0) } } ?? false
        if let match = input.reputation, match.isCrawler {
            add("crawler_ip_range", 0.35, "source \(e.sourceIP ?? "") is in the \(match.entry.name) range \(match.network)")
        } else if claimsCrawler {
            add("spoofed_crawler", -0.15, "user agent claims to be a search crawler but the source is not in any published crawler range")
        }
        if e.isHealthEndpoint {
            add("health_check_endpoint", 0.3, "endpoint \(e.endpoint ?? "") is a health/monitoring check that monitors call constantly")
        }
        if let network = input.allowListedBy {
            add("allow_listed_source", 0.4, "\(input.customerDisplayName) allow-lists \(network)")
        }
        if let rate = e.requestsPerMinute, rate < 60, [.botTraffic, .rateLimitBreach].contains(input.signal.threatType) {
            add("low_volume", 0.1, "only \(Say.count(rate)) requests/min")
        }
        let history = input.history
        if let rate = history.falsePositiveRate {
            let certainty = min(1, Double(history.verdictTotal) / 3)
            let weight = (rate - 0.3) * 0.6 * certainty
            add("historical_false_positive_rate", weight,
                "analysts ruled \(history.falsePositiveVerdicts) of \(history.verdictTotal) similar threats false positive (\(Say.percent(rate)))")
        }
        if history.escalatedVerdicts > 0 {
            add("similar_threats_escalated", -0.1 * Double(min(history.escalatedVerdicts, 3)), "\(Say.plural(history.escalatedVerdicts, "similar threat")) escalated by analysts")
        }
        if let match = input.reputation, match.isHostile {
            add("hostile_ip_range", -0.3, "source is in \(match.entry.name) (\(match.network))")
        }
        if !e.indicators.isEmpty {
            add("compromise_indicators", -0.2, "device reports \(e.indicators.joined(separator: ", "))")
        }
        if let operations, operations.hasChanges, let since = operations.secondsSinceLastChange, since <= 900,
           [.anomalyDetection, .rateLimitBreach, .botTraffic].contains(input.signal.threatType) {
            add("recent_operational_change", operations.rollouts > 0 ? 0.2 : 0.1,
                "Vigil recorded \(OperationalContext.describe(operations)) \(Say.duration(since)) before the signal")
        }
        let raw = 0.1 + indicators.reduce(0) { $0 + $1.weight }
        let score = (min(1, max(0, raw)) * 100).rounded() / 100
        let recommendation = score >= benignThreshold ? "likely_false_positive" : score >= reviewThreshold ? "needs_review" : "likely_true_positive"
        let confidence = min(0.95, 0.5 + 0.08 * Double(indicators.count) + (history.verdictTotal > 0 ? 0.1 : 0))
        return FalsePositiveScore(score: score, confidence: (confidence * 100).rounded() / 100, indicators: indicators,
                                  recommendation: recommendation, historicalFpRate: history.falsePositiveRate.map { ($0 * 1000).rounded() / 1000 })
    }
}
