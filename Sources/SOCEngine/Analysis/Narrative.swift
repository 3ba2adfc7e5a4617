/// The words around an analysis: the executive summary for the SOC, the narrative for the
/// customer, and the human-review rules.
public enum Narrative {
    public static func executiveSummary(_ input: AgentInput, severity: Severity, falsePositive: FalsePositiveScore, plan: ResponsePlan, techniques: [MitreReference]) -> String {
        let e = input.evidence
        var facts: [String] = []
        if let match = input.reputation { facts.append("source in \(match.entry.name)") }
        if let rate = e.requestsPerMinute {
            let limit = input.customer?.rateLimitPerMinute.map { " against a \(Say.count($0))/min limit" } ?? ""
            facts.append("\(Say.count(rate)) requests/min\(limit)")
        }
        if let violation = GeoPolicy.violation(input) { facts.append(violation) }
        if let speed = e.travelSpeedKmh, speed > 1000 { facts.append("impossible travel at \(Say.count(speed)) km/h") }
        if !e.indicators.isEmpty { facts.append("indicators \(e.indicators.joined(separator: ", "))") }
        let source = e.sourceIP.map { " from \($0)" } ?? ""
        let evidence = facts.isEmpty ? "" : " (" + facts.joined(separator: "; ") + ")"
        let fp = falsePositive.recommendation.replacingOccurrences(of: "_", with: " ")
        let mitre = techniques.first.map { " Maps to \($0.id) \($0.name)." } ?? ""
        let action = plan.primaryAction
        let mode = action.automated ? "executed automatically per customer policy" : action.requiresApproval ? "awaiting analyst approval" : "recommended"
        return "\(severity.rawValue) \(input.signal.threatType.displayName) for \(input.customerDisplayName)\(source)\(evidence). False-positive score \(Say.ratio(falsePositive.score)) (\(fp)).\(mitre) Primary action: \(action.action) on \(action.target), \(mode); SLA \(plan.slaMinutes) minutes."
    }

    public static func customerNarrative(_ input: AgentInput, severity: Severity, falsePositive: FalsePositiveScore, plan: ResponsePlan) -> String {
        let what: String
        switch input.signal.threatType {
        case .botTraffic: what = "automated (bot) traffic"
        case .proxyNetwork: what = "traffic routed through an anonymising proxy network"
        case .deviceCompromise: what = "signs that a device using your service may be compromised"
        case .anomalyDetection: what = "activity that departs from your normal baseline"
        case .rateLimitBreach: what = "a source exceeding your request rate limit"
        case .geoAnomaly: what = "account activity from an unexpected location"
        }
        let endpoint = input.evidence.endpoint.map { " against \($0)" } ?? ""
        if falsePositive.recommendation == "likely_false_positive" {
            return "We detected \(what)\(endpoint). Our analysis indicates it is most likely benign, so we are monitoring it and no action is needed from you."
        }
        let urgency: String
        switch severity {
        case .critical: urgency = "This is critical; our team is responding now and will contact you within \(plan.slaMinutes) minutes."
        case .high: urgency = "This is a high-priority issue; we will update you within \(plan.slaMinutes) minutes."
        case .medium: urgency = "We are investigating and will report back within \(plan.slaMinutes / 60) hours."
        case .low: urgency = "The risk is low; we are keeping an eye on it."
        }
        let action = plan.primaryAction.automated ? " Per your policy we have already applied: \(plan.primaryAction.description.lowercased())." :
            " Recommended next step: \(plan.primaryAction.description.lowercased())."
        return "We detected \(what)\(endpoint). \(urgency)\(action)"
    }

    /// Whether a human must look at this analysis, and why (nil when not).
    public static func reviewReason(severity: Severity, falsePositive: FalsePositiveScore, plan: ResponsePlan, agents: AgentAnalyses, failedAgents: [AgentRole]) -> String? {
        var reasons: [String] = []
        if severity == .critical { reasons.append("CRITICAL severity") }
        if falsePositive.recommendation == "needs_review" {
            reasons.append("ambiguous false-positive score \(Say.ratio(falsePositive.score))")
        }
        if !failedAgents.isEmpty {
            reasons.append("agent\(failedAgents.count == 1 ? "" : "s") without a result: \(failedAgents.map(\.rawValue).joined(separator: ", "))")
        }
        if agents.priority.confidence < 0.5 { reasons.append("low priority-agent confidence") }
        if plan.primaryAction.requiresApproval { reasons.append("\(plan.primaryAction.action) needs approval") }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }
}
