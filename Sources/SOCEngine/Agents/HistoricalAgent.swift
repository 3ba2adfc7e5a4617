import Foundation

/// Looks for similar threats in the store over the last 30 days (same type and customer, same
/// source address, same /24) and learns from the analysts' verdicts on them.
public struct HistoricalAgent: ThreatAgent {
    public let role = AgentRole.historical
    public init() {}

    public func analyze(_ input: AgentInput) async throws -> AgentFinding {
        let h = input.history
        guard h.similarTotal > 0 else {
            let text = "No similar threats in the last 30 days: this is the first \(input.signal.threatType.displayName) of its kind for \(input.customerDisplayName)\(input.evidence.sourceIP.map { " or from \($0)" } ?? "")."
            return AgentFinding(analysis: analysis(text, confidence: 0.5, findings: ["First sighting in 30 days"],
                recommendations: ["Treat as a new pattern: record the analyst's verdict so later signals can learn from it"]))
        }
        var findings = ["\(Say.plural(h.similarTotal, "similar threat")) in 30 days: \(h.sameTypeAndCustomer) of this type for \(input.customerDisplayName), \(h.sameSourceIP) from the same source, \(h.sameSubnet) from the same subnet"]
        var recommendations: [String] = []
        if let last = h.lastSeen {
            let gap = input.signal.timestamp.timeIntervalSince(last)
            findings.append("Most recent similar threat \(Say.duration(gap)) before this signal")
        }
        if h.verdictTotal > 0 {
            findings.append("Analyst verdicts on similar threats: \(h.falsePositiveVerdicts) false positive, \(h.resolvedVerdicts) resolved, \(h.escalatedVerdicts) escalated")
            let rate = h.falsePositiveRate ?? 0
            findings.append("Historical false-positive rate \(Say.percent(rate))")
            if rate >= 0.5 {
                recommendations.append("Analysts dismissed \(Say.percent(rate)) of similar threats: consider tuning this detection or allow-listing the source")
            }
            if h.escalatedVerdicts > 0 {
                recommendations.append("Similar threats were escalated before: follow the earlier escalation path")
            }
        } else {
            findings.append("No analyst verdicts on similar threats yet")
        }
        if h.sameSourceIP >= 3, let ip = input.evidence.sourceIP {
            recommendations.append("Repeat offender: \(ip) appears in \(h.sameSourceIP) earlier threats; consider a longer block")
        }
        if recommendations.isEmpty {
            recommendations.append("Correlate with the \(Say.plural(h.similarTotal, "earlier threat")) before deciding")
        }
        let confidence = 0.6 + min(0.3, Double(h.verdictTotal) * 0.05) + (h.similarTotal >= 5 ? 0.05 : 0)
        let verdictText = h.verdictTotal == 0 ? "none has an analyst verdict yet" :
            "analysts ruled \(Say.percent(h.falsePositiveRate ?? 0)) of \(h.verdictTotal) of them false positives"
        let text = "Found \(Say.plural(h.similarTotal, "similar threat")) in the last 30 days; \(verdictText)."
        return AgentFinding(analysis: analysis(text, confidence: confidence, findings: findings, recommendations: recommendations))
    }
}
