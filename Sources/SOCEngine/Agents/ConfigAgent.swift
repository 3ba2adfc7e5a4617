/// Checks the signal against the customer's own settings from the customers file: rate limit vs
/// observed rate, geo restrictions vs location, allow-listed sources, and the auto-block policy.
public struct ConfigAgent: ThreatAgent {
    public let role = AgentRole.config
    public init() {}

    public func analyze(_ input: AgentInput) async throws -> AgentFinding {
        guard let customer = input.customer else {
            let text = "Customer '\(input.signal.customerName)' is not in the customers file, so there are no rate limits, geo restrictions or allow-lists to check."
            return AgentFinding(analysis: analysis(text, confidence: 0.3,
                findings: ["No configuration for customer '\(input.signal.customerName)'"],
                recommendations: ["Add '\(input.signal.customerName)' to the customers file (--customers) so its policies apply"]))
        }
        let e = input.evidence
        var findings: [String] = []
        var recommendations: [String] = []
        var checks = 0
        var violations = 0
        if let rate = e.requestsPerMinute {
            checks += 1
            if let limit = customer.rateLimitPerMinute {
                if rate > limit {
                    violations += 1
                    findings.append("Observed \(Say.count(rate)) requests/min exceeds \(customer.displayName)'s rate limit of \(Say.count(limit))/min (\(Say.ratio(rate / limit))x)")
                    recommendations.append("Enforce the \(Say.count(limit))/min limit on \(e.sourceIP ?? "the source")")
                } else {
                    findings.append("Observed \(Say.count(rate)) requests/min is within the rate limit of \(Say.count(limit))/min (\(Say.percent(rate / limit)) of it)")
                }
            } else {
                findings.append("Observed \(Say.count(rate)) requests/min; \(customer.displayName) sets no rate limit")
            }
        }
        if e.location != nil, customer.geoRestrictions != nil {
            checks += 1
            if let violation = GeoPolicy.violation(input) {
                violations += 1
                findings.append("Geo policy: \(violation)")
                recommendations.append("Require step-up authentication for sessions from \(e.location!)")
            } else {
                findings.append("Geo policy: location \(e.location!) is permitted")
            }
        }
        if let network = input.allowListedBy {
            checks += 1
            findings.append("Source \(e.sourceIP ?? "") is allow-listed by \(customer.displayName) (\(network))")
            recommendations.append("Confirm with \(customer.displayName) that \(network) is still trusted before acting")
        } else if e.sourceIP != nil {
            checks += 1
            findings.append("Source \(e.sourceIP!) is not on \(customer.displayName)'s allow-list")
        }
        if customer.autoBlock {
            findings.append("Auto-block is enabled: HIGH and CRITICAL sources may be blocked without approval")
        } else {
            findings.append("Auto-block is disabled: blocking needs analyst approval")
        }
        let verdict = violations == 0 ? "no policy violations" : "\(Say.plural(violations, "policy violation"))"
        let text = "Checked \(Say.plural(checks, "customer policy", "customer policies")) for \(customer.displayName): \(verdict)."
        return AgentFinding(analysis: analysis(text, confidence: checks == 0 ? 0.5 : 0.85, findings: findings, recommendations: recommendations))
    }
}
